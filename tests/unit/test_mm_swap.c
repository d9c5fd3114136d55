/*
 * test_mm_swap.c - swap devices, the swap cache, swap IO and reclaim:
 * slot allocation and counts, swap cache add/lookup/delete, content kept
 * across swap-out and swap-in, a poisoned frame failing its write, and
 * reclaim of anonymous (swapped) and file pages.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/swap.h"

#define SWAP_SLOTS	16	/* the header and 15 usable slots */

static struct sim *swp_sim;
static struct sim_policy *swp_policy;
static struct mm_machine *swp_machine;
/* An anon_vma for pages that look anonymous but are mapped nowhere. */
static struct anon_vma swp_anon_vma;

static void swp_setup(void)
{
	struct mm_machine_config cfg;
	struct sim_config scfg;
	GError *err = NULL;

	sim_config_default(&scfg);
	swp_sim = sim_new(&scfg);
	swp_policy = sim_policy_new();
	mm_machine_config_default(&cfg);
	cfg.mem_bytes = 16ULL << 20;
	cfg.swap_bytes = SWAP_SLOTS * PAGE_SIZE;
	swp_machine = mm_machine_new(&cfg, swp_sim, swp_policy, &err);
	ck_assert_msg(swp_machine != NULL, "machine: %s",
		      err ? err->message : "?");
	memset(&swp_anon_vma, 0, sizeof(swp_anon_vma));
	swp_anon_vma.root = &swp_anon_vma;
	INIT_LIST_HEAD(&swp_anon_vma.rb_root);
}

static void swp_teardown(void)
{
	mm_machine_free(swp_machine);
	sim_policy_free(swp_policy);
	sim_free(swp_sim);
	swp_machine = NULL;
}

static struct physmem *pm(void)
{
	return mm_machine_cur->physmem;
}

static void fill(struct page *page, char c)
{
	char buf[PAGE_SIZE];

	memset(buf, c, sizeof(buf));
	ck_assert_int_eq(physmem_write(pm(), page_to_pfn(page), 0, buf,
				       sizeof(buf), NULL), 0);
}

static bool holds(struct page *page, char c)
{
	char buf[PAGE_SIZE];

	if (physmem_read(pm(), page_to_pfn(page), 0, buf, sizeof(buf), NULL))
		return false;
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != c)
			return false;
	return true;
}

static bool slot_holds(swp_entry_t entry, char c)
{
	GBytes *bytes = swap_slot_content(entry);
	const char *data;
	gsize len;
	bool ok = true;

	if (!bytes)
		return false;
	data = g_bytes_get_data(bytes, &len);
	if (len != PAGE_SIZE)
		ok = false;
	for (gsize i = 0; ok && i < len; i++)
		ok = data[i] == c;
	g_bytes_unref(bytes);
	return ok;
}

/* An anonymous page with content c, on the inactive anon list. */
static struct page *anon_page(char c)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);

	ck_assert_ptr_nonnull(page);
	__SetPageSwapBacked(page);
	SetPageUptodate(page);
	page->mapping = (struct address_space *)
		((unsigned long)&swp_anon_vma | PAGE_MAPPING_ANON);
	fill(page, c);
	lru_cache_add(page);
	return page;
}

static void assert_invariants(void)
{
	GString *why = g_string_new(NULL);

	ck_assert_msg(mm_check_invariants(why), "%s", why->str);
	g_string_free(why, TRUE);
}

/* ---- devices and slots ---------------------------------------------------- */

START_TEST(test_swapon_counts)
{
	ck_assert_uint_eq(swp_machine->nr_swapfiles, 1);
	ck_assert_uint_eq(swp_machine->swap_info[0]->max, SWAP_SLOTS);
	ck_assert_uint_eq(total_swap_pages(), SWAP_SLOTS - 1);
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
	ck_assert_int_eq(swapon(1, 0), -EINVAL);
	ck_assert_int_eq(swapon(8, 0), 1);
	ck_assert_uint_eq(total_swap_pages(), SWAP_SLOTS - 1 + 7);
}
END_TEST

START_TEST(test_get_swap_page_lowest_from_cursor)
{
	swp_entry_t e[SWAP_SLOTS];

	for (int i = 0; i < SWAP_SLOTS - 1; i++) {
		e[i] = get_swap_page(NULL);
		ck_assert_uint_eq(swp_type(e[i]), 0);
		ck_assert_uint_eq(swp_offset(e[i]), (unsigned long)i + 1);
		ck_assert_int_eq(__swap_count(e[i]), 0);
	}
	ck_assert_uint_eq(nr_swap_pages(), 0);
	ck_assert(vm_swap_full());
	/* Full: val 0. */
	ck_assert_uint_eq(get_swap_page(NULL).val, 0);

	/* Free slots 3 and 9; the cursor wrapped to 1: 3 comes first. */
	put_swap_page(NULL, e[2]);
	put_swap_page(NULL, e[8]);
	ck_assert_uint_eq(nr_swap_pages(), 2);
	ck_assert_uint_eq(swp_offset(get_swap_page(NULL)), 3);
	ck_assert_uint_eq(swp_offset(get_swap_page(NULL)), 9);
	assert_invariants();
}
END_TEST

START_TEST(test_swap_map_references)
{
	swp_entry_t e = get_swap_page(NULL);

	/* Two PTEs refer to it, then the cache lets go. */
	ck_assert_int_eq(swap_duplicate(e), 0);
	ck_assert_int_eq(swap_duplicate(e), 0);
	ck_assert_int_eq(swp_swapcount(e), 2);
	ck_assert_int_eq(swapcache_prepare(e), -EEXIST);
	put_swap_page(NULL, e);
	ck_assert_int_eq(swp_swapcount(e), 2);
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 2);
	/* A swap-in takes the cache reference again. */
	ck_assert_int_eq(swapcache_prepare(e), 0);
	put_swap_page(NULL, e);
	swap_free(e);
	ck_assert_int_eq(swp_swapcount(e), 1);
	swap_free(e);
	ck_assert_int_eq(swp_swapcount(e), 0);
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
	/* A free slot takes no references. */
	ck_assert_int_eq(swap_duplicate(e), -ENOENT);
	ck_assert_int_eq(swapcache_prepare(e), -ENOENT);
	assert_invariants();
}
END_TEST

/* ---- the swap cache ------------------------------------------------------- */

START_TEST(test_swap_cache_add_lookup_delete)
{
	struct page *page = anon_page('a');
	swp_entry_t entry;
	struct page *found;

	ck_assert(trylock_page(page));
	ck_assert_int_eq(add_to_swap(page), 1);
	entry = page_swap_entry(page);
	ck_assert(PageSwapCache(page));
	ck_assert(PageDirty(page));
	ck_assert_int_eq(page_count(page), 2);
	ck_assert_ptr_eq(page_mapping(page), swap_address_space(entry));
	ck_assert_uint_eq(swap_address_space(entry)->nrpages, 1);

	found = lookup_swap_cache(entry);
	ck_assert_ptr_eq(found, page);
	ck_assert_int_eq(page_count(page), 3);
	put_page(found);
	/* A second page for the same slot is refused. */
	{
		struct page *other = alloc_page(GFP_HIGHUSER_MOVABLE);

		__SetPageSwapBacked(other);
		ck_assert(trylock_page(other));
		ck_assert_int_eq(add_to_swap_cache(other, entry), -EEXIST);
		ck_assert(!PageSwapCache(other));
		unlock_page(other);
		put_page(other);
	}
	assert_invariants();

	delete_from_swap_cache(page);
	ck_assert(!PageSwapCache(page));
	ck_assert_int_eq(page_count(page), 1);
	ck_assert_ptr_null(lookup_swap_cache(entry));
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
	ck_assert_ptr_null(page_mapping(page));
	unlock_page(page);
	put_page(page);
	assert_invariants();
}
END_TEST

/* With no reference from a PTE, the write is pointless: the slot goes. */
START_TEST(test_writepage_of_unreferenced_slot_frees_it)
{
	struct page *page = anon_page('u');

	ck_assert(trylock_page(page));
	ck_assert_int_eq(add_to_swap(page), 1);
	ck_assert(clear_page_dirty_for_io(page));
	ck_assert_int_eq(swap_writepage(page), 0);
	ck_assert(!PageLocked(page));
	ck_assert(!PageSwapCache(page));
	ck_assert(PageDirty(page));
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
	put_page(page);
}
END_TEST

/* ---- swap IO -------------------------------------------------------------- */

START_TEST(test_swap_out_and_in_keeps_content)
{
	struct page *page = anon_page('s'), *in;
	swp_entry_t entry;
	int err = -1;

	ck_assert(trylock_page(page));
	ck_assert_int_eq(add_to_swap(page), 1);
	entry = page_swap_entry(page);
	ck_assert_int_eq(swap_duplicate(entry), 0);	/* a PTE's */
	ck_assert(clear_page_dirty_for_io(page));
	ck_assert_int_eq(swap_writepage(page), 0);
	/* Outside a fiber the write is over at once. */
	ck_assert(!PageWriteback(page));
	ck_assert(!PageLocked(page));
	ck_assert(!PageDirty(page));
	ck_assert(slot_holds(entry, 's'));

	/* Drop the in-memory copy entirely. */
	ck_assert(trylock_page(page));
	delete_from_swap_cache(page);
	unlock_page(page);
	put_page(page);
	ck_assert_int_eq(swp_swapcount(entry), 1);

	in = swapin_readahead(entry, &err);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(err, 0);
	ck_assert(PageSwapCache(in) && PageSwapBacked(in));
	ck_assert(PageUptodate(in));
	ck_assert(!PageLocked(in));
	ck_assert(!PageDirty(in));		/* clean: the slot matches */
	ck_assert(PageLRU(in));
	ck_assert(holds(in, 's'));
	ck_assert_uint_eq(page_swap_entry(in).val, entry.val);
	/* Found in the cache the second time, no new page. */
	ck_assert_ptr_eq(swapin_readahead(entry, &err), in);
	put_page(in);
	assert_invariants();

	/* The PTE goes: the slot and the now unused cached page with it. */
	free_swap_and_cache(entry);
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
	ck_assert(!PageSwapCache(in));
	put_page(in);
	assert_invariants();
}
END_TEST

START_TEST(test_swapin_of_free_slot_fails)
{
	swp_entry_t entry = swp_entry(0, 5);
	int err = 0;

	ck_assert_ptr_null(swapin_readahead(entry, &err));
	ck_assert_int_eq(err, -ENOENT);
}
END_TEST

START_TEST(test_poisoned_frame_fails_swap_write)
{
	struct page *page = anon_page('p');
	swp_entry_t entry;

	ck_assert(trylock_page(page));
	ck_assert_int_eq(add_to_swap(page), 1);
	entry = page_swap_entry(page);
	ck_assert_int_eq(swap_duplicate(entry), 0);
	physmem_poison_line(pm(), page_to_pfn(page), 3);
	ck_assert(clear_page_dirty_for_io(page));
	ck_assert_int_eq(swap_writepage(page), 0);
	ck_assert(!PageWriteback(page));
	/* Still the only copy: dirty, in the cache, nothing on the device. */
	ck_assert(PageDirty(page));
	ck_assert(PageError(page));
	ck_assert(PageSwapCache(page));
	ck_assert_ptr_null(swap_slot_content(entry));
	physmem_unpoison_page(pm(), page_to_pfn(page));
	swap_free(entry);
	ck_assert(trylock_page(page));
	ck_assert(try_to_free_swap(page));
	unlock_page(page);
	put_page(page);
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
}
END_TEST

/* ---- reclaim ----------------------------------------------------------------- */

/*
 * A swap-cache page referenced only from a swap PTE elsewhere (the count
 * is taken by hand here) and by the cache: reclaim writes it and frees
 * it; the data is on the device.
 */
START_TEST(test_reclaim_writes_and_frees_swap_cache_page)
{
	struct page *page = anon_page('r');
	swp_entry_t entry;
	unsigned long free_before;

	ck_assert(trylock_page(page));
	ck_assert_int_eq(add_to_swap(page), 1);
	entry = page_swap_entry(page);
	ck_assert_int_eq(swap_duplicate(entry), 0);
	unlock_page(page);
	put_page(page);			/* the cache holds the last ref */

	free_before = nr_free_pages();
	ck_assert_uint_ge(try_to_free_pages(1), 1);
	ck_assert_uint_eq(nr_free_pages(), free_before + 1);
	ck_assert(slot_holds(entry, 'r'));
	ck_assert_ptr_null(lookup_swap_cache(entry));
	ck_assert_int_eq(swp_swapcount(entry), 1);
	ck_assert_uint_eq(mem_cgroup_lruvec()->nr_pages[LRU_INACTIVE_ANON], 0);
	ck_assert_uint_eq(page_zone(page)->nr_bad_pages, 0);
	assert_invariants();
	swap_free(entry);
	ck_assert_uint_eq(nr_swap_pages(), SWAP_SLOTS - 1);
}
END_TEST

/* An isolated page list through shrink_page_list by hand. */
START_TEST(test_shrink_page_list_keeps_what_it_cannot_free)
{
	struct scan_control sc = {
		.nr_to_reclaim = 8, .may_writepage = true,
		.may_swap = true, .may_unmap = true,
	};
	struct page *locked = anon_page('l');
	LIST_HEAD(list);

	ck_assert_int_eq(isolate_lru_page(locked), 0);
	ck_assert(trylock_page(locked));
	list_add(&locked->lru, &list);
	ck_assert_uint_eq(shrink_page_list(&list, &sc), 0);
	ck_assert(!list_empty(&list));
	list_del(&locked->lru);
	unlock_page(locked);
	putback_lru_page(locked);
	ck_assert(PageLRU(locked));
	put_page(locked);
}
END_TEST

/*
 * A page that became PG_mlocked while it sat on the inactive list (a
 * missed mlock) is not reclaimed: reclaim culls it to the unevictable
 * count, and gives it no slot.
 */
START_TEST(test_reclaim_culls_mlocked)
{
	struct page *page = anon_page('m');

	SetPageMlocked(page);
	ck_assert_uint_eq(try_to_free_pages(SWAP_CLUSTER_MAX), 0);
	ck_assert(PageUnevictable(page));
	ck_assert(PageLRU(page));
	ck_assert(!PageSwapCache(page));
	ck_assert_uint_eq(mem_cgroup_lruvec()->nr_pages[LRU_UNEVICTABLE], 1);
	ck_assert_uint_eq(mem_cgroup_lruvec()->nr_pages[LRU_INACTIVE_ANON], 0);
	munlock_page(page);
	ck_assert(!PageUnevictable(page));
	ck_assert_uint_eq(mem_cgroup_lruvec()->nr_pages[LRU_INACTIVE_ANON], 1);
	assert_invariants();
	put_page(page);
}
END_TEST

Suite *suite_mm_swap(void)
{
	Suite *s = suite_create("mm_swap");
	TCase *tc = tcase_create("slots");

	tcase_add_checked_fixture(tc, swp_setup, swp_teardown);
	tcase_add_test(tc, test_swapon_counts);
	tcase_add_test(tc, test_get_swap_page_lowest_from_cursor);
	tcase_add_test(tc, test_swap_map_references);
	suite_add_tcase(s, tc);

	tc = tcase_create("swap_cache");
	tcase_add_checked_fixture(tc, swp_setup, swp_teardown);
	tcase_add_test(tc, test_swap_cache_add_lookup_delete);
	tcase_add_test(tc, test_writepage_of_unreferenced_slot_frees_it);
	suite_add_tcase(s, tc);

	tc = tcase_create("io");
	tcase_add_checked_fixture(tc, swp_setup, swp_teardown);
	tcase_add_test(tc, test_swap_out_and_in_keeps_content);
	tcase_add_test(tc, test_swapin_of_free_slot_fails);
	tcase_add_test(tc, test_poisoned_frame_fails_swap_write);
	suite_add_tcase(s, tc);

	tc = tcase_create("reclaim");
	tcase_add_checked_fixture(tc, swp_setup, swp_teardown);
	tcase_add_test(tc, test_reclaim_writes_and_frees_swap_cache_page);
	tcase_add_test(tc, test_shrink_page_list_keeps_what_it_cannot_free);
	tcase_add_test(tc, test_reclaim_culls_mlocked);
	suite_add_tcase(s, tc);
	return s;
}
