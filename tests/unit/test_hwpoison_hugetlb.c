/*
 * test_hwpoison_hugetlb.c - memory_failure() on hugetlb pages
 * (hwpoison/memory-failure-hugetlb.c): free huge pages dissolved, in-use
 * anonymous and hugetlbfs pages unmapped to PMD hwpoison entries, the raw
 * error list, two errors in one huge page, and the 2010 "whole" policy.
 */
#include "tests/unit/mm_proc_fixture.h"

#include "hwpoison/memory-failure.h"
#include "mm-model/hugetlb.h"

#define HUGEPAGES	4

static void hh_setup(void)
{
	px_machine_up_huge(64ULL << 20, HUGEPAGES);
	hwpoison_attach();
}

static void set_whole(void)
{
	ck_assert(sim_policy_set(px_pol, "hugetlb_poison", "whole", false,
				 NULL));
}

static struct page *touch_huge(struct task_struct *t, unsigned long *addr,
			       unsigned long flags)
{
	unsigned long a = do_mmap(t->mm, NULL, 0, HPAGE_SIZE,
				  VM_READ | VM_WRITE, flags | VM_HUGETLB, 0);

	ck_assert(!IS_ERR_VALUE(a));
	ck_assert_uint_eq(px_write(t, a + 40 * PAGE_SIZE, "data"), 0);
	*addr = a;
	return pfn_to_page(pte_pfn(mm_pte_peek(t->mm, a)));
}

static const struct mf_event *last_event(void)
{
	struct hwpoison_state *hs = hwpoison_state();

	ck_assert_uint_gt(hs->events->len, 0);
	return &g_array_index(hs->events, struct mf_event,
			      hs->events->len - 1);
}

START_TEST(test_free_huge_page_dissolved)
{
	struct hstate *h = hstate_cur();
	struct page *head = list_first_entry(&h->hugepage_freelist,
					     struct page, lru);
	unsigned long pfn = page_to_pfn(head) + 33;
	unsigned long before = nr_free_pages();

	ck_assert_int_eq(memory_failure(pfn, MF_SW_SIMULATED), 0);
	ck_assert_int_eq(last_event()->type, MF_MSG_FREE_HUGE);
	ck_assert_int_eq(last_event()->result, MF_RECOVERED);
	ck_assert_uint_eq(h->nr_huge_pages, HUGEPAGES - 1);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 1);
	ck_assert(!PageHuge(head));
	ck_assert(PageHWPoison(pfn_to_page(pfn)));
	ck_assert(!PageHWPoison(head));
	ck_assert_int_eq(page_count(pfn_to_page(pfn)), 1);
	ck_assert_uint_eq(nr_free_pages() - before, HPAGE_PMD_NR - 1);
	ck_assert_int_eq(hwpoison_state()->num_poisoned_pages, 1);
	px_assert_invariants();
}
END_TEST

START_TEST(test_anon_late_kill)
{
	struct task_struct *t = px_spawn("app");
	struct hstate *h = hstate_cur();
	unsigned long a;
	struct page *head = touch_huge(t, &a, 0);
	unsigned long bad = page_to_pfn(head) + 40;
	char buf[4];

	ck_assert_int_eq(memory_failure(bad, MF_SW_SIMULATED), 0);
	ck_assert_int_eq(last_event()->type, MF_MSG_HUGE);
	ck_assert_int_eq(last_event()->result, MF_RECOVERED);
	ck_assert(is_hwpoison_entry(pte_to_swp_entry(mm_pte_peek(t->mm, a))));
	/* Unmapped, freed, dissolved: 511 frames reused. */
	ck_assert(!PageHuge(head));
	ck_assert(PageHWPoison(pfn_to_page(bad)));
	ck_assert_uint_eq(h->nr_huge_pages, HUGEPAGES - 1);
	ck_assert_uint_eq(px_m->signals->len, 0);	/* late kill */
	/* A healthy subpage: the PMD hwpoison entry stops it too. */
	get_task_struct(t);
	ck_assert_uint_eq(px_read(t, a + 7 * PAGE_SIZE + 3, buf, 1),
			  VM_FAULT_HWPOISON_LARGE);
	ck_assert_int_eq(px_last_signal()->code, BUS_MCEERR_AR);
	ck_assert_int_eq(px_last_signal()->addr_lsb, 21);
	ck_assert_uint_eq(px_last_signal()->addr, a + 7 * PAGE_SIZE + 3);
	put_task_struct(t);
	px_assert_invariants();
}
END_TEST

START_TEST(test_anon_early_kill)
{
	struct task_struct *t = px_spawn("app");
	unsigned long a;
	struct page *head;

	ck_assert(sim_policy_set(px_pol, "early_kill", "1", false, NULL));
	head = touch_huge(t, &a, 0);
	get_task_struct(t);
	ck_assert_int_eq(memory_failure(page_to_pfn(head) + 400,
					MF_SW_SIMULATED), 0);
	ck_assert_int_eq(px_last_signal()->code, BUS_MCEERR_AO);
	ck_assert_int_eq(px_last_signal()->addr_lsb, 21);
	ck_assert_uint_eq(px_last_signal()->addr, a);
	put_task_struct(t);
}
END_TEST

START_TEST(test_file_page_kept_two_errors)
{
	struct task_struct *t = px_spawn("app");
	struct hwpoison_state *hs = hwpoison_state();
	unsigned long a;
	struct page *head = touch_huge(t, &a, VM_SHARED);
	unsigned long pfn = page_to_pfn(head);
	struct address_space *mapping = head->mapping;

	ck_assert_int_eq(memory_failure(pfn + 40, MF_SW_SIMULATED), 0);
	ck_assert_int_eq(last_event()->type, MF_MSG_HUGE);
	ck_assert_int_eq(last_event()->result, MF_RECOVERED);
	/* 6.1: the page stays in the file, pinned, poisoned. */
	ck_assert(PageHuge(head));
	ck_assert_ptr_eq(head->mapping, mapping);
	ck_assert(PageHWPoison(head));
	ck_assert(!PageHWPoison(head + 40));
	ck_assert_uint_eq(hugetlb_raw_hwp_count(head), 1);
	ck_assert(hugetlb_raw_hwp_contains(head, head + 40));
	ck_assert_int_eq(page_count(head), 2);
	ck_assert_int_eq(compound_mapcount(head), 0);
	ck_assert_int_eq(hs->num_poisoned_pages, 1);

	/* A second raw page: recorded and counted, -EHWPOISON. */
	ck_assert_int_eq(memory_failure(pfn + 41, MF_SW_SIMULATED),
			 -EHWPOISON);
	ck_assert_uint_eq(hugetlb_raw_hwp_count(head), 2);
	ck_assert_int_eq(hs->num_poisoned_pages, 2);
	ck_assert_uint_eq(hs->events->len, 1);
	/* The same one again: nothing new. */
	ck_assert_int_eq(memory_failure(pfn + 41, MF_SW_SIMULATED),
			 -EHWPOISON);
	ck_assert_uint_eq(hugetlb_raw_hwp_count(head), 2);
	ck_assert_int_eq(hs->num_poisoned_pages, 2);
	ck_assert(hugetlb_subpage_hwpoisoned(head + 41));
	ck_assert(!hugetlb_subpage_hwpoisoned(head + 42));
	ck_assert(!hugetlb_subpage_hwpoisoned(head));
	px_assert_invariants();
}
END_TEST

START_TEST(test_whole_policy)
{
	struct task_struct *t = px_spawn("app");
	struct hwpoison_state *hs = hwpoison_state();
	struct hstate *h = hstate_cur();
	unsigned long a, before;
	struct page *head;

	set_whole();
	head = touch_huge(t, &a, 0);
	before = nr_free_pages();
	ck_assert_int_eq(memory_failure(page_to_pfn(head) + 40,
					MF_SW_SIMULATED), 0);
	ck_assert_int_eq(last_event()->result, MF_RECOVERED);
	ck_assert_int_eq(hs->num_poisoned_pages, HPAGE_PMD_NR);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		ck_assert(PageHWPoison(head + i));
	ck_assert_uint_eq(hugetlb_raw_hwp_count(head), 0);
	ck_assert(PageHuge(head));
	ck_assert_uint_eq(h->nr_huge_pages, HUGEPAGES - 1);
	ck_assert_uint_eq(h->nr_isolated, 1);
	ck_assert_uint_eq(nr_free_pages(), before);
	ck_assert(hugetlb_subpage_hwpoisoned(head));
	/* Any subpage is "already poisoned" now. */
	ck_assert_int_eq(memory_failure(page_to_pfn(head) + 300,
					MF_SW_SIMULATED), -EHWPOISON);
	ck_assert_int_eq(hs->num_poisoned_pages, HPAGE_PMD_NR);
	px_assert_invariants();
}
END_TEST

START_TEST(test_whole_free_page)
{
	struct hstate *h = hstate_cur();
	struct page *head = list_first_entry(&h->hugepage_freelist,
					     struct page, lru);

	set_whole();
	ck_assert_int_eq(memory_failure(page_to_pfn(head), MF_SW_SIMULATED),
			 0);
	ck_assert_int_eq(last_event()->type, MF_MSG_FREE_HUGE);
	ck_assert(PageHuge(head));
	ck_assert_int_eq(page_count(head), 1);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 1);
	ck_assert_uint_eq(h->nr_dissolved, 0);
	px_assert_invariants();
}
END_TEST

Suite *suite_hwpoison_hugetlb(void)
{
	Suite *s = suite_create("hwpoison_hugetlb");
	TCase *tc = tcase_create("hugetlb");

	tcase_add_checked_fixture(tc, hh_setup, px_teardown);
	tcase_add_test(tc, test_free_huge_page_dissolved);
	tcase_add_test(tc, test_anon_late_kill);
	tcase_add_test(tc, test_anon_early_kill);
	tcase_add_test(tc, test_file_page_kept_two_errors);
	tcase_add_test(tc, test_whole_policy);
	tcase_add_test(tc, test_whole_free_page);
	suite_add_tcase(s, tc);
	return s;
}
