/*
 * memory-failure-hugetlb.h - the hugetlb half of memory_failure(), and
 * what it shares with memory-failure.c.
 *
 * 6.1 keeps both in mm/memory-failure.c; the model splits the hugetlb
 * path (try_memory_failure_hugetlb and its helpers) into
 * memory-failure-hugetlb.c, which reuses the steps of the main file
 * declared here (non-static there for this reason only).
 */
#ifndef HWPSIM_HWPOISON_MEMORY_FAILURE_HUGETLB_H
#define HWPSIM_HWPOISON_MEMORY_FAILURE_HUGETLB_H

#include "hwpoison/memory-failure.h"

/* ---- defined in memory-failure.c ---------------------------------------- */

void action_result(unsigned long pfn, enum mf_action_page_type type,
		   enum mf_result result);
bool hwpoison_user_mappings(struct page *p, unsigned long pfn, int flags,
			    struct page *hpage);
int identify_page_state(unsigned long pfn, struct page *p,
			unsigned long page_flags);
int kill_accessing_process(struct task_struct *p, unsigned long pfn,
			   int flags);

/* ---- defined in memory-failure-hugetlb.c --------------------------------- */

/*
 * memory_failure()'s first step: if pfn is in a hugetlb page, handle it
 * here and set *hugetlb; the return value is then memory_failure()'s.
 * 0 with *hugetlb clear: not hugetlb, go on with the base-page path.
 */
int try_memory_failure_hugetlb(unsigned long pfn, int flags, int *hugetlb);

/*
 * me_huge_page()'s anonymous case: the unmapped huge page (its head
 * locked no more, memory_failure's reference held) is released - 6.1
 * (hugetlb_poison=raw): freed to the pool and dissolved, the raw error
 * page taken off the buddy lists, the healthy subpages reused; 2010
 * (hugetlb_poison=whole): kept whole out of the pool.  An MF_* result.
 */
int hugetlb_release_poisoned(struct page *p);

/* The hugetlb_poison policy is "whole" (seed 004, 2010). */
bool hugetlb_poison_whole(void);

#endif
