/*
 * test_mm_lru.c - the LRU lists and mlock: which list a page joins,
 * isolation and putback, activation, freeing an LRU page, mlock to the
 * unevictable count and back.
 */
#include <check.h>
#include <errno.h>

#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/swap.h"

static struct sim *lru_sim;
static struct sim_policy *lru_policy;
static struct mm_machine *lru_machine;

static void lru_setup(void)
{
	struct mm_machine_config cfg;
	struct sim_config scfg;
	GError *err = NULL;

	sim_config_default(&scfg);
	lru_sim = sim_new(&scfg);
	lru_policy = sim_policy_new();
	mm_machine_config_default(&cfg);
	cfg.mem_bytes = 16ULL << 20;
	cfg.swap_bytes = 64 * PAGE_SIZE;
	lru_machine = mm_machine_new(&cfg, lru_sim, lru_policy, &err);
	ck_assert_msg(lru_machine != NULL, "machine: %s",
		      err ? err->message : "?");
}

static void lru_teardown(void)
{
	mm_machine_free(lru_machine);
	sim_policy_free(lru_policy);
	sim_free(lru_sim);
	lru_machine = NULL;
}

static struct lruvec *lv(void)
{
	return mem_cgroup_lruvec();
}

/* An anonymous-like page (swap-backed) or a file-like one, not listed. */
static struct page *new_page(bool swapbacked)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);

	ck_assert_ptr_nonnull(page);
	if (swapbacked)
		__SetPageSwapBacked(page);
	SetPageUptodate(page);
	return page;
}

static bool on_list(struct page *page, enum lru_list lru)
{
	struct page *p;

	list_for_each_entry(p, &lv()->lists[lru], lru)
		if (p == page)
			return true;
	return false;
}

static void assert_invariants(void)
{
	GString *why = g_string_new(NULL);

	ck_assert_msg(mm_check_invariants(why), "%s", why->str);
	g_string_free(why, TRUE);
}

START_TEST(test_add_picks_list)
{
	struct page *anon = new_page(true);
	struct page *file = new_page(false);

	lru_cache_add(anon);
	lru_cache_add(file);
	ck_assert(PageLRU(anon) && PageLRU(file));
	ck_assert_int_eq(page_lru(anon), LRU_INACTIVE_ANON);
	ck_assert_int_eq(page_lru(file), LRU_INACTIVE_FILE);
	ck_assert(on_list(anon, LRU_INACTIVE_ANON));
	ck_assert(on_list(file, LRU_INACTIVE_FILE));
	ck_assert_uint_eq(lv()->nr_pages[LRU_INACTIVE_ANON], 1);
	ck_assert_uint_eq(lv()->nr_pages[LRU_INACTIVE_FILE], 1);
	/* Adding does not take a reference. */
	ck_assert_int_eq(page_count(anon), 1);
	assert_invariants();
	put_page(anon);
	put_page(file);
}
END_TEST

START_TEST(test_isolate_and_putback)
{
	struct page *page = new_page(true);

	lru_cache_add(page);
	ck_assert_int_eq(isolate_lru_page(page), 0);
	ck_assert(!PageLRU(page));
	ck_assert_int_eq(page_count(page), 2);
	ck_assert(!on_list(page, LRU_INACTIVE_ANON));
	ck_assert_uint_eq(lv()->nr_pages[LRU_INACTIVE_ANON], 0);
	/* Once off, nobody else can take it. */
	ck_assert_int_eq(isolate_lru_page(page), -EBUSY);
	assert_invariants();

	putback_lru_page(page);
	ck_assert(PageLRU(page));
	ck_assert_int_eq(page_count(page), 1);
	ck_assert(on_list(page, LRU_INACTIVE_ANON));
	put_page(page);
}
END_TEST

START_TEST(test_putback_of_last_reference_frees)
{
	struct page *page = new_page(false);
	unsigned long free_before;

	lru_cache_add(page);
	ck_assert_int_eq(isolate_lru_page(page), 0);
	put_page(page);			/* the allocation's reference */
	free_before = nr_free_pages();
	putback_lru_page(page);		/* the isolation's: the last */
	ck_assert_uint_eq(nr_free_pages(), free_before + 1);
	ck_assert_uint_eq(lv()->nr_pages[LRU_INACTIVE_FILE], 0);
	ck_assert_uint_eq(page_zone(page)->nr_bad_pages, 0);
	assert_invariants();
}
END_TEST

START_TEST(test_free_takes_page_off_lru)
{
	struct page *page = new_page(true);
	unsigned long free_before;

	lru_cache_add(page);
	activate_page(page);
	free_before = nr_free_pages();
	put_page(page);
	ck_assert_uint_eq(nr_free_pages(), free_before + 1);
	ck_assert_uint_eq(lv()->nr_pages[LRU_ACTIVE_ANON], 0);
	ck_assert(list_empty(&lv()->lists[LRU_ACTIVE_ANON]));
	ck_assert_uint_eq(page_zone(page)->nr_bad_pages, 0);
}
END_TEST

START_TEST(test_second_access_activates)
{
	struct page *page = new_page(false);

	lru_cache_add(page);
	mark_page_accessed(page);
	ck_assert(PageReferenced(page));
	ck_assert(!PageActive(page));
	mark_page_accessed(page);
	ck_assert(PageActive(page));
	ck_assert(!PageReferenced(page));
	ck_assert(on_list(page, LRU_ACTIVE_FILE));
	ck_assert_uint_eq(lv()->nr_pages[LRU_ACTIVE_FILE], 1);
	ck_assert_uint_eq(lv()->nr_pages[LRU_INACTIVE_FILE], 0);
	assert_invariants();
	put_page(page);
}
END_TEST

/* Pages join the head; reclaim takes the tail: first in, first scanned. */
START_TEST(test_lru_order)
{
	struct page *p[3];

	for (int i = 0; i < 3; i++) {
		p[i] = new_page(false);
		lru_cache_add(p[i]);
	}
	ck_assert_ptr_eq(list_last_entry(&lv()->lists[LRU_INACTIVE_FILE],
					 struct page, lru), p[0]);
	ck_assert_ptr_eq(list_first_entry(&lv()->lists[LRU_INACTIVE_FILE],
					  struct page, lru), p[2]);
	for (int i = 0; i < 3; i++)
		put_page(p[i]);
}
END_TEST

START_TEST(test_mlock_to_unevictable_and_back)
{
	struct page *page = new_page(true);

	lru_cache_add(page);
	activate_page(page);
	mlock_page(page);
	ck_assert(PageMlocked(page));
	ck_assert(PageUnevictable(page));
	ck_assert(!PageActive(page));
	ck_assert(PageLRU(page));
	ck_assert(!page_evictable(page));
	ck_assert_int_eq(page_lru(page), LRU_UNEVICTABLE);
	ck_assert_uint_eq(lv()->nr_pages[LRU_UNEVICTABLE], 1);
	ck_assert_uint_eq(lv()->nr_pages[LRU_ACTIVE_ANON], 0);
	ck_assert_uint_eq(page->mlock_count, 1);
	assert_invariants();

	/* A second locked mapping. */
	mlock_page(page);
	ck_assert_uint_eq(page->mlock_count, 2);
	munlock_page(page);
	ck_assert(PageMlocked(page) && PageUnevictable(page));
	ck_assert_uint_eq(page->mlock_count, 1);

	munlock_page(page);
	ck_assert(!PageMlocked(page));
	ck_assert(!PageUnevictable(page));
	ck_assert(PageLRU(page));
	ck_assert_uint_eq(lv()->nr_pages[LRU_UNEVICTABLE], 0);
	ck_assert(on_list(page, LRU_INACTIVE_ANON));
	assert_invariants();
	put_page(page);
}
END_TEST

/* Isolated pages only change PG_mlocked; putback files them right. */
START_TEST(test_mlock_isolated_page)
{
	struct page *page = new_page(true);

	lru_cache_add(page);
	ck_assert_int_eq(isolate_lru_page(page), 0);
	mlock_page(page);
	ck_assert(PageMlocked(page));
	ck_assert(!PageUnevictable(page));
	putback_lru_page(page);
	ck_assert(PageUnevictable(page));
	ck_assert_uint_eq(lv()->nr_pages[LRU_UNEVICTABLE], 1);
	ck_assert_int_eq(isolate_lru_page(page), 0);
	ck_assert_uint_eq(lv()->nr_pages[LRU_UNEVICTABLE], 0);
	munlock_page(page);
	ck_assert(!PageMlocked(page));
	putback_lru_page(page);
	ck_assert(!PageUnevictable(page));
	ck_assert(on_list(page, LRU_INACTIVE_ANON));
	assert_invariants();
	put_page(page);
}
END_TEST

START_TEST(test_mlock_new_page)
{
	struct page *page = new_page(true);
	unsigned long free_before;

	mlock_new_page(page);
	ck_assert(PageLRU(page) && PageMlocked(page) && PageUnevictable(page));
	ck_assert_uint_eq(lv()->nr_pages[LRU_UNEVICTABLE], 1);
	ck_assert_uint_eq(page->mlock_count, 1);
	/* Freeing an mlocked page clears it quietly, no bad page. */
	free_before = nr_free_pages();
	put_page(page);
	ck_assert_uint_eq(nr_free_pages(), free_before + 1);
	ck_assert_uint_eq(lv()->nr_pages[LRU_UNEVICTABLE], 0);
	ck_assert_uint_eq(page_zone(page)->nr_bad_pages, 0);
}
END_TEST

Suite *suite_mm_lru(void)
{
	Suite *s = suite_create("mm_lru");
	TCase *tc = tcase_create("lru");

	tcase_add_checked_fixture(tc, lru_setup, lru_teardown);
	tcase_add_test(tc, test_add_picks_list);
	tcase_add_test(tc, test_isolate_and_putback);
	tcase_add_test(tc, test_putback_of_last_reference_frees);
	tcase_add_test(tc, test_free_takes_page_off_lru);
	tcase_add_test(tc, test_second_access_activates);
	tcase_add_test(tc, test_lru_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("mlock");
	tcase_add_checked_fixture(tc, lru_setup, lru_teardown);
	tcase_add_test(tc, test_mlock_to_unevictable_and_back);
	tcase_add_test(tc, test_mlock_isolated_page);
	tcase_add_test(tc, test_mlock_new_page);
	suite_add_tcase(s, tc);
	return s;
}
