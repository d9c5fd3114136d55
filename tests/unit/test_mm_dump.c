/*
 * test_mm_dump.c - /proc/kpageflags words and page-types output.
 *
 * The expected flag strings were produced from page-types' own name
 * table (tools/vm/page-types.c in 6.1), not from mm-model's.
 */
#include <check.h>
#include <string.h>

#include "mm-model/gfp.h"
#include "mm-model/internal.h"
#include "mm-model/page_dump.h"
#include "mm-model/slab.h"

#define KB(name)	(1ULL << KPF_##name)

static struct mm_phys *machine;

static void machine_setup(void)
{
	struct mm_phys_config cfg;
	GError *err = NULL;

	mm_phys_config_default(&cfg);
	cfg.mem_bytes = 16ULL << 20;
	machine = mm_phys_new(&cfg, &err);
	ck_assert_msg(machine != NULL, "machine: %s", err ? err->message : "?");
}

static void machine_teardown(void)
{
	mm_phys_free(machine);
	machine = NULL;
}

static char *line_of(unsigned long pfn, bool raw)
{
	GString *out = g_string_new(NULL);

	page_types_line(out, pfn, raw);
	return g_string_free(out, FALSE);
}

#define assert_line(pfn, raw, want)					\
	do {								\
		char *got__ = line_of((pfn), (raw));			\
		ck_assert_str_eq(got__, (want));			\
		g_free(got__);						\
	} while (0)

static long fake_anon_vma[4] __attribute__((aligned(8)));

static void make_anon_lru(struct page *page)
{
	page->mapping = (struct address_space *)
		((unsigned long)fake_anon_vma | PAGE_MAPPING_ANON);
	SetPageUptodate(page);
	SetPageLRU(page);
	SetPageActive(page);
	SetPageSwapBacked(page);
	atomic_inc(&page->_mapcount);
}

START_TEST(test_kpf_free_pages)
{
	/* Both the first page of a free block and the ones inside it. */
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(256)), KB(BUDDY));
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(300)), KB(BUDDY));
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(4095)), KB(BUDDY));
	ck_assert_uint_eq(kpagecount(pfn_to_page(256)), 0);
}
END_TEST

START_TEST(test_kpf_reserved_and_zero)
{
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(0)), KB(RESERVED));
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(254)), KB(RESERVED));
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(255)),
			  KB(RESERVED) | KB(ZERO_PAGE));
	ck_assert_uint_eq(kpageflags_pfn(4096), KB(NOPAGE));
	ck_assert_uint_eq(stable_page_flags(NULL), KB(NOPAGE));
}
END_TEST

START_TEST(test_kpf_allocated)
{
	struct page *page = alloc_page(GFP_KERNEL);

	ck_assert_uint_eq(stable_page_flags(page), 0);
	make_anon_lru(page);
	ck_assert_uint_eq(stable_page_flags(page),
			  KB(UPTODATE) | KB(LRU) | KB(ACTIVE) | KB(MMAP) |
			  KB(ANON) | KB(SWAPBACKED));
	ck_assert_uint_eq(kpagecount(page), 1);
	SetPageSwapCache(page);
	ck_assert(stable_page_flags(page) & KB(SWAPCACHE));
	ck_assert(stable_page_flags(page) & KB(OWNER_PRIVATE));
}
END_TEST

START_TEST(test_kpf_slab_pgtable_poison)
{
	struct kmem_cache *s = kmem_cache_create("test", 64, 0, 0, NULL);
	struct kmem_cache *big = kmem_cache_create("big", 2048, 0, 0, NULL);
	void *obj = kmem_cache_alloc(s, GFP_KERNEL);
	void *bigobj = kmem_cache_alloc(big, GFP_KERNEL);
	struct page *slab = pfn_to_page(256);
	struct page *bigslab = pfn_to_page(264);
	struct page *pt = alloc_pgtable_page(GFP_KERNEL);

	ck_assert(obj && bigobj && pt);
	ck_assert_uint_eq(stable_page_flags(slab), KB(SLAB));
	ck_assert_uint_eq(kpagecount(slab), 0);
	/* Every page of a multi-page slab is slab. */
	ck_assert_uint_eq(big->order, 3);
	ck_assert_uint_eq(stable_page_flags(bigslab),
			  KB(SLAB) | KB(COMPOUND_HEAD));
	ck_assert_uint_eq(stable_page_flags(bigslab + 5),
			  KB(SLAB) | KB(COMPOUND_TAIL));
	ck_assert_uint_eq(stable_page_flags(pt), KB(PGTABLE));
	ck_assert_uint_eq(kpagecount(pt), 0);

	/* A free page memory_failure() took off the buddy. */
	SetPageHWPoison(pfn_to_page(3000));
	ck_assert(take_page_off_buddy(pfn_to_page(3000)));
	ck_assert_uint_eq(stable_page_flags(pfn_to_page(3000)),
			  KB(HWPOISON));
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
	kmem_cache_destroy(big);
	free_pgtable_page(pt);
}
END_TEST

START_TEST(test_kpf_compound)
{
	struct page *comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	struct page *thp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	struct page *huge = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);

	ck_assert_uint_eq(stable_page_flags(comp), KB(COMPOUND_HEAD));
	ck_assert_uint_eq(stable_page_flags(comp + 1), KB(COMPOUND_TAIL));

	make_anon_lru(thp);
	ck_assert_uint_eq(stable_page_flags(thp),
			  KB(UPTODATE) | KB(LRU) | KB(ACTIVE) | KB(MMAP) |
			  KB(ANON) | KB(SWAPBACKED) | KB(COMPOUND_HEAD) |
			  KB(THP));
	/*
	 * A tail is mapped and anonymous through its head, but page->flags
	 * bits (lru, active, ...) are copied from the tail itself.
	 */
	ck_assert_uint_eq(stable_page_flags(thp + 3),
			  KB(MMAP) | KB(ANON) | KB(COMPOUND_TAIL) | KB(THP));

	set_compound_page_dtor(huge, HUGETLB_PAGE_DTOR);
	ck_assert_uint_eq(stable_page_flags(huge),
			  KB(COMPOUND_HEAD) | KB(HUGE));
	ck_assert_uint_eq(stable_page_flags(huge + 2),
			  KB(COMPOUND_TAIL) | KB(HUGE));
}
END_TEST

START_TEST(test_page_types_lines)
{
	struct page *anon, *pt;

	assert_line(256, true,
		    "100\t__________B__________________________________\t"
		    "buddy\n");
	assert_line(0x345, false,
		    "345\t__________B__________________________________\t"
		    "buddy\n");
	assert_line(0, true,
		    "0\t___________________________r_________________\t"
		    "reserved\n");
	/* Without -r the kernel-hacker bits are hidden. */
	assert_line(0, false,
		    "0\t_____________________________________________\t\n");
	assert_line(255, true,
		    "ff\t________________________z__r_________________\t"
		    "zero_page,reserved\n");
	assert_line(0x1000, true,
		    "1000\t____________________n________________________\t"
		    "nopage\n");

	anon = alloc_page(GFP_KERNEL);
	make_anon_lru(anon);
	assert_line(page_to_pfn(anon), true,
		    "100\t___U_lA____Ma_b______________________________\t"
		    "uptodate,lru,active,mmap,anonymous,swapbacked\n");

	pt = alloc_pgtable_page(GFP_KERNEL);
	assert_line(page_to_pfn(pt), false,
		    "101\t__________________________g__________________\t"
		    "pgtable\n");

	SetPageHWPoison(pfn_to_page(0x800));
	ck_assert(take_page_off_buddy(pfn_to_page(0x800)));
	assert_line(0x800, false,
		    "800\t___________________X_________________________\t"
		    "hwpoison\n");
	/* Its neighbours are still free. */
	assert_line(0x801, false,
		    "801\t__________B__________________________________\t"
		    "buddy\n");
}
END_TEST

START_TEST(test_page_types_raw_overloads)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long pfn = page_to_pfn(page);

	/* PG_reclaim without writeback is readahead, in raw mode. */
	SetPageReclaim(page);
	assert_line(pfn, true,
		    "100\t______________________________________I______\t"
		    "readahead\n");
	SetPageWriteback(page);
	ck_assert_uint_eq(page_types_flags(kpageflags_pfn(pfn), true),
			  KB(WRITEBACK) | KB(RECLAIM));
	ClearPageWriteback(page);
	ClearPageReclaim(page);

	SetPageUptodate(page);
	SetPageSwapBacked(page);
	SetPageSwapCache(page);
	assert_line(pfn, true,
		    "100\t___U_________sb_________________O____________\t"
		    "uptodate,swapcache,swapbacked,owner_private\n");
}
END_TEST

START_TEST(test_page_types_compound_lines)
{
	struct page *comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	struct page *thp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	struct page *huge = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);

	ck_assert_uint_eq(page_to_pfn(comp), 0x100);
	/* Compound bits show for hugetlb pages only, unless raw. */
	assert_line(0x100, true,
		    "100\t_______________H_____________________________\t"
		    "compound_head\n");
	assert_line(0x100, false,
		    "100\t_____________________________________________\t\n");
	make_anon_lru(thp);
	ClearPageActive(thp);
	assert_line(0x104, false,
		    "104\t___U_l_____Ma_b_______t______________________\t"
		    "uptodate,lru,mmap,anonymous,swapbacked,thp\n");
	set_compound_page_dtor(huge, HUGETLB_PAGE_DTOR);
	assert_line(0x108, false,
		    "108\t_______________H_G___________________________\t"
		    "compound_head,huge\n");
	assert_line(0x109, false,
		    "109\t________________TG___________________________\t"
		    "compound_tail,huge\n");
}
END_TEST

START_TEST(test_page_types_dump_boot)
{
	GString *out = g_string_new(NULL);

	page_types_dump(out, 0, ~0UL, PT_RAW | PT_LIST | PT_SUMMARY);
	ck_assert_str_eq(out->str,
		"offset\tlen\tflags\n"
		"0\tff\t___________________________r_________________\n"
		"ff\t1\t________________________z__r_________________\n"
		"100\tf00\t__________B__________________________________\n"
		"\n\n"
		"             flags\tpage-count       MB  symbolic-flags"
		"\t\t\tlong-symbolic-flags\n"
		"0x0000000000000400\t      3840       15  "
		"__________B__________________________________\tbuddy\n"
		"0x0000000100000000\t       255        0  "
		"___________________________r_________________\treserved\n"
		"0x0000000101000000\t         1        0  "
		"________________________z__r_________________\t"
		"zero_page,reserved\n"
		"             total\t      4096       16\n");
	g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_page_types_dump_list_each)
{
	GString *out = g_string_new(NULL);
	struct page *page = alloc_page(GFP_KERNEL);

	ck_assert_uint_eq(page_to_pfn(page), 0x100);
	page_types_dump(out, 0xfe, 4, PT_LIST_EACH | PT_LONG);
	ck_assert_str_eq(out->str,
		"offset\tflags\tlong-flags\n"
		"fe\t_____________________________________________\t\n"
		"ff\t________________________z____________________\t"
		"zero_page\n"
		"100\t_____________________________________________\t\n"
		"101\t__________B__________________________________\tbuddy\n");
	g_string_truncate(out, 0);

	/* Ranges with long names, clipped at the end of memory. */
	page_types_dump(out, 0xffe, 100, PT_LIST | PT_LONG);
	ck_assert_str_eq(out->str,
		"offset\tlen\tflags\tlong-flags\n"
		"ffe\t2\t__________B__________________________________\t"
		"buddy\n");
	g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_dump_page)
{
	GString *out = g_string_new(NULL);
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 1);

	dump_page_str(out, pfn_to_page(0x400), "test");
	ck_assert_str_eq(out->str,
		"page: pfn:0x400 refcount:0 mapcount:-128 mapping:(null) "
		"index:0x0\n"
		"flags: 0x0()\n"
		"page_type: 0xffffff7f(buddy)\n"
		"page dumped because: test\n");
	g_string_truncate(out, 0);

	SetPageDirty(page);
	page->index = 0x42;
	dump_page_str(out, page + 1, NULL);
	ck_assert_str_eq(out->str,
		"page: pfn:0x101 refcount:1 mapcount:0 mapping:(null) "
		"index:0x42\n"
		"head: pfn:0x100 order:1 compound_mapcount:0 "
		"compound_pincount:0\n"
		"flags: 0x10008(dirty|head)\n");
	g_string_free(out, TRUE);
}
END_TEST

Suite *suite_mm_dump(void)
{
	Suite *s = suite_create("mm_dump");
	TCase *tc = tcase_create("kpageflags");

	tcase_add_checked_fixture(tc, machine_setup, machine_teardown);
	tcase_add_test(tc, test_kpf_free_pages);
	tcase_add_test(tc, test_kpf_reserved_and_zero);
	tcase_add_test(tc, test_kpf_allocated);
	tcase_add_test(tc, test_kpf_slab_pgtable_poison);
	tcase_add_test(tc, test_kpf_compound);
	tcase_add_test(tc, test_page_types_lines);
	tcase_add_test(tc, test_page_types_raw_overloads);
	tcase_add_test(tc, test_page_types_compound_lines);
	tcase_add_test(tc, test_page_types_dump_boot);
	tcase_add_test(tc, test_page_types_dump_list_each);
	tcase_add_test(tc, test_dump_page);
	suite_add_tcase(s, tc);
	return s;
}
