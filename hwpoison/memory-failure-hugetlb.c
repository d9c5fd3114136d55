/*
 * memory-failure-hugetlb.c - memory_failure() on a hugetlb page (Linux
 * 6.1's try_memory_failure_hugetlb and its helpers), with the 2010
 * design of seed 004 as the policy hugetlb_poison=whole.
 *
 *   try_memory_failure_hugetlb(pfn)
 *     get_huge_page_for_hwpoison     under hugetlb_lock: free, in use
 *                                    (a reference), busy, not hugetlb;
 *       hugetlb_update_hwpoison      PG_hwpoison on the head, the raw
 *                                    error page on the head's list
 *     already poisoned               -EHWPOISON (kill the accessor)
 *     lock_page(head), hwpoison_filter
 *     free huge page                 dissolve into the buddy allocator,
 *                                    take the raw page off: "free huge
 *                                    page: Recovered"
 *     hwpoison_user_mappings         collect_procs on the head,
 *                                    try_to_unmap leaves a PMD hwpoison
 *                                    entry, early kill with lsb 21
 *     identify_page_state            the head's flags: me_huge_page -
 *                                    hugetlbfs keeps the page in the
 *                                    file; anon is freed and dissolved
 *
 * The two policies differ in what is marked and what is given back:
 *
 *   raw (6.1)    PG_hwpoison on the head only, each distinct raw error
 *                page recorded on the head's raw_hwp list and counted once
 *                in num_poisoned_pages; a second error in the same huge
 *                page adds its raw page and count, then returns
 *                -EHWPOISON.  Dissolving moves PG_hwpoison to the raw
 *                pages and the other 511 frames go back to the buddy
 *                allocator.
 *   whole (2010) PG_hwpoison on all 512 subpages, num_poisoned_pages
 *                counts all 512, no raw records (a second error on the
 *                same huge page finds its subpage poisoned already); the
 *                huge page leaves the pool whole and none of its frames
 *                is reused.
 *
 * In both, the huge page was mapped by one PMD entry: try_to_unmap turns
 * it into a hwpoison entry, so every access of the 2 MiB - the raw error
 * page or any healthy subpage - faults with VM_FAULT_HWPOISON_LARGE and
 * SIGBUS (BUS_MCEERR_AR, si_addr_lsb 21).  6.1 does not contain an
 * in-use error to the raw page either; raw containment pays off in the
 * accounting and once the huge page is freed.
 */
#include "hwpoison/memory-failure-hugetlb.h"

#include <errno.h>

#include "mm-model/gfp.h"
#include "mm-model/hugetlb.h"

#define MF_HUGETLB_FREED		0	/* a free huge page */
#define MF_HUGETLB_IN_USED		1	/* in use: we hold a reference */
#define MF_HUGETLB_NON_HUGEPAGE		2	/* not hugetlb */
#define MF_HUGETLB_FOLIO_PRE_POISONED	3	/* the huge page was poisoned */
#define MF_HUGETLB_PAGE_PRE_POISONED	4	/* this very page was */
#define MF_HUGETLB_RETRY		5	/* busy (being allocated/freed) */

bool hugetlb_poison_whole(void)
{
	return sim_policy_is(mm_machine_cur->policy, "hugetlb_poison",
			     "whole");
}

/*
 * Mark hpage poisoned because of page.  6.1: PG_hwpoison on the head and
 * page on the raw list (a later error's first sight of a new raw page is
 * counted here; the first error's in action_result).  2010: every
 * subpage gets PG_hwpoison and is counted.
 */
static int hugetlb_update_hwpoison(struct page *hpage, struct page *page)
{
	struct hwpoison_state *hs = hwpoison_state();
	int ret = TestSetPageHWPoison(hpage) ? MF_HUGETLB_FOLIO_PRE_POISONED : 0;

	if (hugetlb_poison_whole()) {
		if (ret)
			return PageHWPoison(page) ? MF_HUGETLB_PAGE_PRE_POISONED :
						    ret;
		for (unsigned long i = 1; i < HPAGE_PMD_NR; i++)
			SetPageHWPoison(hpage + i);
		/* action_result() counts the 512th. */
		hs->num_poisoned_pages += (long)HPAGE_PMD_NR - 1;
		return 0;
	}
	if (HPageRawHwpUnreliable(hpage))
		return MF_HUGETLB_FOLIO_PRE_POISONED;
	if (!hugetlb_raw_hwp_add(hpage, page))
		return MF_HUGETLB_PAGE_PRE_POISONED;
	if (ret)
		hs->num_poisoned_pages++;
	return ret;
}

/* Undo hugetlb_update_hwpoison for a page the filter skipped. */
static void hugetlb_clear_hwpoison_filtered(struct page *hpage)
{
	if (hugetlb_poison_whole()) {
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			ClearPageHWPoison(hpage + i);
		hwpoison_state()->num_poisoned_pages -= (long)HPAGE_PMD_NR - 1;
		return;
	}
	hugetlb_clear_page_hwpoison(hpage);
}

static int get_huge_page_for_hwpoison(unsigned long pfn, int flags)
{
	struct hstate *h = hstate_cur();
	struct page *page = pfn_to_page(pfn), *head;
	bool count_increased = false;
	int ret, rc;

	if (!h)
		return MF_HUGETLB_NON_HUGEPAGE;
	spin_lock(&h->hugetlb_lock);
	head = compound_head(page);
	if (!PageHeadHuge(head)) {
		ret = MF_HUGETLB_NON_HUGEPAGE;
		goto out_unlock;
	} else if (flags & MF_COUNT_INCREASED) {
		ret = MF_HUGETLB_IN_USED;
		count_increased = true;
	} else if (HPageFreed(head)) {
		ret = MF_HUGETLB_FREED;
	} else if (HPageMigratable(head)) {
		if (get_page_unless_zero(head)) {
			ret = MF_HUGETLB_IN_USED;
			count_increased = true;
		} else {
			ret = MF_HUGETLB_FREED;
		}
	} else {
		ret = MF_HUGETLB_RETRY;
		if (!(flags & MF_NO_RETRY))
			goto out_unlock;
	}
	rc = hugetlb_update_hwpoison(head, page);
	if (rc >= MF_HUGETLB_FOLIO_PRE_POISONED) {
		ret = rc;
		goto out_unlock;
	}
	spin_unlock(&h->hugetlb_lock);
	return ret;
out_unlock:
	spin_unlock(&h->hugetlb_lock);
	if (count_increased)
		put_page(head);
	return ret;
}

/*
 * Dissolve the (free) huge page holding page and take page off the buddy
 * lists: > 0 done, 0 dissolved but page not found free, < 0 not
 * dissolved.
 */
static int __page_handle_poison(struct page *page)
{
	int ret = dissolve_free_huge_page(page);

	if (!ret)
		ret = take_page_off_buddy(page);
	return ret;
}

/* A poisoned free huge page: dissolved (6.1) or taken out whole (2010). */
static int handle_free_huge_page(struct page *p)
{
	struct page *head = compound_head(p);

	if (hugetlb_poison_whole()) {
		hugetlb_isolate_hwpoisoned(head);
		return MF_RECOVERED;
	}
	if (__page_handle_poison(p) > 0) {
		page_ref_inc(p);
		return MF_RECOVERED;
	}
	return MF_FAILED;
}

int hugetlb_release_poisoned(struct page *p)
{
	struct page *hpage = compound_head(p);

	if (hugetlb_poison_whole()) {
		/* memory_failure's reference keeps it; the pool loses it. */
		hugetlb_isolate_hwpoisoned(hpage);
		return MF_RECOVERED;
	}
	/*
	 * The hwpoison entries keep every mapper away, so the huge page can
	 * be freed and dissolved to save its healthy subpages.
	 */
	put_page(hpage);
	if (__page_handle_poison(p) > 0) {
		page_ref_inc(p);
		return MF_RECOVERED;
	}
	return MF_FAILED;
}

int try_memory_failure_hugetlb(unsigned long pfn, int flags, int *hugetlb)
{
	struct page *p = pfn_to_page(pfn), *head;
	unsigned long page_flags;
	int res;

	*hugetlb = 1;
retry:
	res = get_huge_page_for_hwpoison(pfn, flags);
	if (res == MF_HUGETLB_NON_HUGEPAGE) {
		*hugetlb = 0;
		return 0;
	} else if (res == MF_HUGETLB_FOLIO_PRE_POISONED ||
		   res == MF_HUGETLB_PAGE_PRE_POISONED) {
		mf_printk("%#lx: already hardware poisoned", pfn);
		res = -EHWPOISON;
		if (flags & MF_ACTION_REQUIRED) {
			head = compound_head(p);
			res = kill_accessing_process(current, page_to_pfn(head),
						     flags);
		}
		return res;
	} else if (res == MF_HUGETLB_RETRY) {
		if (!(flags & MF_NO_RETRY)) {
			flags |= MF_NO_RETRY;
			goto retry;
		}
		action_result(pfn, MF_MSG_UNKNOWN, MF_IGNORED);
		return -EBUSY;
	}

	head = compound_head(p);
	lock_page(head);
	if (hwpoison_filter(p)) {
		hugetlb_clear_hwpoison_filtered(head);
		unlock_page(head);
		if (res == MF_HUGETLB_IN_USED)
			put_page(head);
		return -EOPNOTSUPP;
	}

	/* PageHWPoison keeps allocation from racing with what follows. */
	if (res == MF_HUGETLB_FREED) {
		unlock_page(head);
		res = handle_free_huge_page(p);
		action_result(pfn, MF_MSG_FREE_HUGE, res);
		return res == MF_RECOVERED ? 0 : -EBUSY;
	}

	page_flags = head->flags;
	if (!hwpoison_user_mappings(p, pfn, flags, head)) {
		action_result(pfn, MF_MSG_UNMAP_FAILED, MF_IGNORED);
		unlock_page(head);
		return -EBUSY;
	}
	return identify_page_state(pfn, p, page_flags);
}
