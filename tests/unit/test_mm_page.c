/*
 * test_mm_page.c - struct page: layout, flag accessors, page types,
 * compound pages, reference and map counts, mappings.
 */
#include <check.h>
#include <string.h>

#include "mm-model/gfp.h"
#include "mm-model/page.h"

/* A struct page outside any machine: all zero is a free page. */
static void blank_page(struct page *page)
{
	memset(page, 0, sizeof(*page));
}

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

START_TEST(test_page_size)
{
	ck_assert_uint_le(sizeof(struct page), 64);
	ck_assert_uint_eq(sizeof(struct page), 64);
	ck_assert_uint_eq(offsetof(struct page, flags), 0);
	ck_assert_uint_eq(offsetof(struct page, lru), 8);
	ck_assert_uint_eq(offsetof(struct page, mapping), 24);
	ck_assert_uint_eq(offsetof(struct page, index), 32);
	ck_assert_uint_eq(offsetof(struct page, private), 40);
	ck_assert_uint_eq(offsetof(struct page, _mapcount), 48);
	ck_assert_uint_eq(offsetof(struct page, page_type), 48);
	ck_assert_uint_eq(offsetof(struct page, _refcount), 52);
	ck_assert_uint_eq(offsetof(struct page, compound_head), 8);
	ck_assert_uint_eq(sizeof(struct folio), sizeof(struct page));
}
END_TEST

START_TEST(test_flag_numbers)
{
	/* The 6.1 x86-64 bit numbers: dumps must read like a kernel's. */
	ck_assert_int_eq(PG_locked, 0);
	ck_assert_int_eq(PG_lru, 4);
	ck_assert_int_eq(PG_waiters, 7);
	ck_assert_int_eq(PG_slab, 9);
	ck_assert_int_eq(PG_reserved, 12);
	ck_assert_int_eq(PG_writeback, 15);
	ck_assert_int_eq(PG_head, 16);
	ck_assert_int_eq(PG_swapbacked, 19);
	ck_assert_int_eq(PG_mlocked, 21);
	ck_assert_int_eq(PG_hwpoison, 22);
	ck_assert_int_eq(PG_swapcache, PG_owner_priv_1);
	ck_assert_int_eq(PG_readahead, PG_reclaim);
	ck_assert_int_eq(PG_has_hwpoisoned, PG_error);
	ck_assert_int_eq(PAGE_FLAGS_CHECK_AT_PREP & __PG_HWPOISON, 0);
}
END_TEST

/* Every accessor of every flag, through one table. */
struct flag_ops {
	const char *name;
	int bit;
	int (*test)(struct page *);
	void (*set)(struct page *);
	void (*clear)(struct page *);
	void (*__set)(struct page *);
	void (*__clear)(struct page *);
	int (*test_set)(struct page *);
	int (*test_clear)(struct page *);
};

#define OPS(uname, lname) {						\
	#uname, PG_##lname, Page##uname, SetPage##uname,		\
	ClearPage##uname, __SetPage##uname, __ClearPage##uname,		\
	TestSetPage##uname, TestClearPage##uname }

static const struct flag_ops flag_table[] = {
	OPS(Locked, locked), OPS(Referenced, referenced),
	OPS(Uptodate, uptodate), OPS(Dirty, dirty), OPS(LRU, lru),
	OPS(Active, active), OPS(Workingset, workingset),
	OPS(Waiters, waiters), OPS(Error, error), OPS(Slab, slab),
	OPS(OwnerPriv1, owner_priv_1), OPS(Arch1, arch_1),
	OPS(Reserved, reserved), OPS(Private, private),
	OPS(Private2, private_2), OPS(Writeback, writeback),
	OPS(Head, head), OPS(MappedToDisk, mappedtodisk),
	OPS(Reclaim, reclaim), OPS(SwapBacked, swapbacked),
	OPS(Unevictable, unevictable), OPS(Mlocked, mlocked),
	OPS(HWPoison, hwpoison), OPS(Arch2, arch_2),
	OPS(Readahead, readahead), OPS(Checked, checked),
	OPS(AnonExclusive, anon_exclusive), OPS(Isolated, isolated),
};

START_TEST(test_flag_accessors)
{
	const struct flag_ops *op = &flag_table[_i];
	unsigned long bit = 1UL << op->bit;
	struct page page;

	blank_page(&page);
	ck_assert_msg(!op->test(&page), "%s set on a blank page", op->name);
	op->set(&page);
	ck_assert_msg(page.flags == bit, "SetPage%s: flags %#lx", op->name,
		      page.flags);
	ck_assert(op->test(&page));
	op->clear(&page);
	ck_assert_uint_eq(page.flags, 0);
	ck_assert(!op->test(&page));

	op->__set(&page);
	ck_assert_uint_eq(page.flags, bit);
	op->__clear(&page);
	ck_assert_uint_eq(page.flags, 0);

	ck_assert_int_eq(op->test_set(&page), 0);
	ck_assert_uint_eq(page.flags, bit);
	ck_assert_int_ne(op->test_set(&page), 0);
	ck_assert_uint_eq(page.flags, bit);
	ck_assert_int_ne(op->test_clear(&page), 0);
	ck_assert_uint_eq(page.flags, 0);
	ck_assert_int_eq(op->test_clear(&page), 0);
	ck_assert_uint_eq(page.flags, 0);

	/*
	 * Other bits are left alone.  (Not PG_head: PF_NO_COMPOUND flags
	 * must not change on a compound page.)
	 */
	{
		unsigned long others = ~bit;

		if (op->bit != PG_head)
			others &= ~(1UL << PG_head);
		page.flags = others;
		op->set(&page);
		ck_assert_uint_eq(page.flags, others | bit);
		op->clear(&page);
		ck_assert_uint_eq(page.flags, others);
	}
	/* Nothing outside flags changes. */
	ck_assert_int_eq(atomic_read(&page._mapcount), -1);
	ck_assert_int_eq(page_ref_count(&page), 0);
}
END_TEST

START_TEST(test_swapcache_alias)
{
	struct page page;

	blank_page(&page);
	SetPageSwapCache(&page);
	/* The bit alone is a file system's PG_checked, not swap cache. */
	ck_assert(!PageSwapCache(&page));
	ck_assert(PageOwnerPriv1(&page));
	ck_assert(PageChecked(&page));
	SetPageSwapBacked(&page);
	ck_assert(PageSwapCache(&page));
	ck_assert(TestClearPageSwapCache(&page));
	ck_assert(!PageSwapCache(&page));
	ck_assert(PageSwapBacked(&page));
}
END_TEST

START_TEST(test_page_types)
{
	struct page page;

	blank_page(&page);
	ck_assert_uint_eq(page_type_raw(&page), 0xffffffffu);
	ck_assert(!page_has_type(&page));
	ck_assert(!PageBuddy(&page));

	__SetPageBuddy(&page);
	ck_assert(PageBuddy(&page));
	ck_assert(page_has_type(&page));
	ck_assert(!PageTable(&page));
	ck_assert_uint_eq(page_type_raw(&page), 0xffffff7fu);
	/* A typed page is no mapped page, and carries no flag bit. */
	ck_assert_uint_eq(page.flags, 0);
	ck_assert(!page_mapped(&page));
	__ClearPageBuddy(&page);
	ck_assert(!PageBuddy(&page));
	ck_assert_int_eq(atomic_read(&page._mapcount), -1);

	__SetPageTable(&page);
	ck_assert(PageTable(&page));
	ck_assert(!PageBuddy(&page));
	ck_assert_uint_eq(page_type_raw(&page), 0xfffffdffu);
	__ClearPageTable(&page);

	__SetPageOffline(&page);
	ck_assert(PageOffline(&page));
	__ClearPageOffline(&page);

	/* Map counts, even slightly off ones, are never types. */
	for (int mc = -128; mc < 1000; mc++) {
		atomic_set(&page._mapcount, mc);
		ck_assert(!PageBuddy(&page));
		ck_assert(!PageTable(&page));
		ck_assert(!page_has_type(&page));
	}
}
END_TEST

START_TEST(test_zero_page_is_free_tail)
{
	struct page page;

	/* The state memory.c relies on: zeroed memory is a free tail. */
	memset(&page, 0, sizeof(page));
	ck_assert_int_eq(atomic_read(&page._mapcount), -1);
	ck_assert_int_eq(page_mapcount(&page), 0);
	ck_assert(!page_mapped(&page));
	ck_assert_uint_eq(page_type_raw(&page), 0xffffffffu);
	ck_assert(!page_has_type(&page));
	ck_assert_int_eq(page_count(&page), 0);
	ck_assert(!PageCompound(&page));
	ck_assert_ptr_null(page.mapping);

	/* Through the atomic ops, the word acts as a plain counter. */
	ck_assert(atomic_inc_and_test(&page._mapcount));
	ck_assert_int_eq(atomic_read(&page._mapcount), 0);
	ck_assert(atomic_add_negative(-1, &page._mapcount));
	ck_assert_int_eq(atomic_read(&page._mapcount), -1);
	atomic_set(&page._mapcount, 41);
	ck_assert_int_eq(atomic_inc_return(&page._mapcount), 42);
	ck_assert_int_eq(atomic_cmpxchg(&page._mapcount, 42, 7), 42);
	ck_assert_int_eq(atomic_read(&page._mapcount), 7);
	page_mapcount_reset(&page);
	/* ...and -1 is stored as zero bits. */
	ck_assert_int_eq(memcmp(&page, &(struct page){ 0 }, sizeof(page)), 0);
}
END_TEST

START_TEST(test_mapcount)
{
	struct page page;

	blank_page(&page);
	ck_assert_int_eq(page_mapcount(&page), 0);
	ck_assert(!page_mapped(&page));
	atomic_inc(&page._mapcount);
	ck_assert_int_eq(page_mapcount(&page), 1);
	ck_assert(page_mapped(&page));
	atomic_inc(&page._mapcount);
	ck_assert_int_eq(page_mapcount(&page), 2);
	ck_assert_int_eq(total_mapcount(&page), 2);
	page_mapcount_reset(&page);
	ck_assert(!page_mapped(&page));
}
END_TEST

/* Stand-ins with the alignment a real anon_vma/address_space has. */
static long fake_anon_vma[4] __attribute__((aligned(8)));
static long fake_mapping[4] __attribute__((aligned(8)));

START_TEST(test_mapping_kinds)
{
	struct address_space *file = (struct address_space *)fake_mapping;
	struct page page;

	blank_page(&page);
	ck_assert_ptr_null(page_mapping(&page));
	ck_assert(!PageAnon(&page));

	page.mapping = file;
	ck_assert(!PageAnon(&page));
	ck_assert(!PageMappingFlags(&page));
	ck_assert_ptr_eq(page_mapping(&page), file);

	page.mapping = (struct address_space *)
		((unsigned long)fake_anon_vma | PAGE_MAPPING_ANON);
	ck_assert(PageAnon(&page));
	ck_assert(!PageKsm(&page));
	ck_assert(PageMappingFlags(&page));
	ck_assert_ptr_null(page_mapping(&page));
	ck_assert_ptr_eq(page_anon_vma_raw(&page), fake_anon_vma);

	page.mapping = (struct address_space *)
		((unsigned long)fake_anon_vma | PAGE_MAPPING_KSM);
	ck_assert(PageKsm(&page));
	ck_assert(PageAnon(&page));
	ck_assert_ptr_null(page_anon_vma_raw(&page));

	page.mapping = (struct address_space *)
		((unsigned long)fake_mapping | PAGE_MAPPING_MOVABLE);
	ck_assert(__PageMovable(&page));
	ck_assert(!PageAnon(&page));
	ck_assert_ptr_null(page_mapping(&page));

	/* Slab pages reuse the word: no mapping whatever it holds. */
	page.mapping = file;
	__SetPageSlab(&page);
	ck_assert_ptr_null(page_mapping(&page));
}
END_TEST

START_TEST(test_pfn_round_trip)
{
	ck_assert_uint_eq(max_pfn, 4096);
	ck_assert(pfn_valid(0));
	ck_assert(pfn_valid(4095));
	ck_assert(!pfn_valid(4096));
	ck_assert(!pfn_valid(~0UL));
	for (unsigned long pfn = 0; pfn < max_pfn; pfn += 77) {
		ck_assert_uint_eq(page_to_pfn(pfn_to_page(pfn)), pfn);
		ck_assert_ptr_eq(pfn_to_page(pfn), &mem_map[pfn]);
	}
	ck_assert_uint_eq(page_to_phys(pfn_to_page(3)), 3 * 4096);
	ck_assert_uint_eq(PHYS_PFN(0x5123), 5);
}
END_TEST

START_TEST(test_get_put_page)
{
	unsigned long free0 = nr_free_pages();
	struct page *page = alloc_page(GFP_KERNEL);

	ck_assert_ptr_nonnull(page);
	ck_assert_int_eq(page_count(page), 1);
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	get_page(page);
	ck_assert_int_eq(page_count(page), 2);
	ck_assert(get_page_unless_zero(page));
	ck_assert_int_eq(page_count(page), 3);
	put_page(page);
	put_page(page);
	ck_assert_int_eq(page_count(page), 1);
	ck_assert(!PageBuddy(page));
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);

	/* The last put frees it back to the buddy allocator. */
	put_page(page);
	ck_assert_int_eq(page_count(page), 0);
	ck_assert(is_free_buddy_page(page));
	ck_assert_uint_eq(nr_free_pages(), free0);
	/* A free page cannot be got. */
	ck_assert(!get_page_unless_zero(page));
	ck_assert(!try_get_page(page));
}
END_TEST

START_TEST(test_compound_page)
{
	unsigned long free0 = nr_free_pages();
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	struct folio *folio;

	ck_assert_ptr_nonnull(head);
	ck_assert_uint_eq(page_to_pfn(head) % 8, 0);
	ck_assert(PageHead(head));
	ck_assert(PageCompound(head));
	ck_assert(!PageTail(head));
	ck_assert(PageTransHuge(head));
	ck_assert(!PageHuge(head));
	ck_assert_uint_eq(compound_order(head), 3);
	ck_assert_uint_eq(compound_nr(head), 8);
	ck_assert_uint_eq(page_size(head), 8 * 4096);
	ck_assert_uint_eq(thp_nr_pages(head), 8);
	for (int i = 1; i < 8; i++) {
		ck_assert(PageTail(head + i));
		ck_assert(PageCompound(head + i));
		ck_assert(!PageHead(head + i));
		ck_assert_ptr_eq(compound_head(head + i), head);
		ck_assert_uint_eq(compound_order(head + i), 0);
	}
	folio = page_folio(head + 5);
	ck_assert_ptr_eq(&folio->page, head);
	ck_assert_int_eq(folio_nr_pages(folio), 8);
	ck_assert_ptr_eq(folio_page(folio, 5), head + 5);

	/* PF_HEAD flags of a tail are the head's. */
	SetPageDirty(head + 2);
	ck_assert(PageDirty(head));
	ck_assert(PageDirty(head + 7));
	ClearPageDirty(head);
	/* PF_SECOND lives in the first tail. */
	SetPageHasHWPoisoned(head);
	ck_assert(test_bit(PG_error, &head[1].flags));
	ck_assert(!PageError(head));
	ClearPageHasHWPoisoned(head);

	/* Map counts: a PMD mapping counts for every page. */
	ck_assert_int_eq(page_mapcount(head + 3), 0);
	ck_assert(!page_mapped(head + 3));
	atomic_inc(compound_mapcount_ptr(head));
	ck_assert_int_eq(page_mapcount(head + 3), 1);
	ck_assert(page_mapped(head + 6));
	atomic_inc(&head[4]._mapcount);
	ck_assert_int_eq(page_mapcount(head + 4), 2);
	ck_assert_int_eq(total_mapcount(head), 2);
	atomic_dec(&head[4]._mapcount);
	atomic_dec(compound_mapcount_ptr(head));

	/* References on a tail are the head's. */
	get_page(head + 5);
	ck_assert_int_eq(page_count(head), 2);
	ck_assert_int_eq(page_count(head + 5), 2);
	put_page(head + 6);
	ck_assert_uint_eq(nr_free_pages(), free0 - 8);
	put_page(head + 1);
	ck_assert_uint_eq(nr_free_pages(), free0);
	for (int i = 0; i < 8; i++) {
		ck_assert(!PageCompound(head + i));
		ck_assert(is_free_buddy_page(head + i));
	}
	ck_assert(zone_free_lists_valid(page_zone(head), NULL));
}
END_TEST

START_TEST(test_hugetlb_dtor_is_huge)
{
	struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);

	ck_assert_ptr_nonnull(head);
	ck_assert(!PageHuge(head + 1));
	set_compound_page_dtor(head, HUGETLB_PAGE_DTOR);
	ck_assert(PageHuge(head));
	ck_assert(PageHuge(head + 3));
	ck_assert(PageHeadHuge(head));
	ck_assert(!PageHeadHuge(head + 1));
	SetPageHWPoison(head);
	ck_assert(is_page_hwpoison(head + 2));
	ClearPageHWPoison(head);
	set_compound_page_dtor(head, COMPOUND_PAGE_DTOR);
	put_page(head);
}
END_TEST

Suite *suite_mm_page(void)
{
	Suite *s = suite_create("mm_page");
	TCase *tc = tcase_create("struct page");
	TCase *tm = tcase_create("on a machine");

	tcase_add_test(tc, test_page_size);
	tcase_add_test(tc, test_flag_numbers);
	tcase_add_loop_test(tc, test_flag_accessors, 0,
			    (int)ARRAY_SIZE(flag_table));
	tcase_add_test(tc, test_swapcache_alias);
	tcase_add_test(tc, test_page_types);
	tcase_add_test(tc, test_zero_page_is_free_tail);
	tcase_add_test(tc, test_mapcount);
	tcase_add_test(tc, test_mapping_kinds);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tm, machine_setup, machine_teardown);
	tcase_add_test(tm, test_pfn_round_trip);
	tcase_add_test(tm, test_get_put_page);
	tcase_add_test(tm, test_compound_page);
	tcase_add_test(tm, test_hugetlb_dtor_is_huge);
	suite_add_tcase(s, tm);
	return s;
}
