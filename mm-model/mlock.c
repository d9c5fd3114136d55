/*
 * mlock.c - mlocked pages are unevictable (the kernel's mm/mlock.c, 6.1).
 *
 * A page mapped by a VM_LOCKED VMA is PG_mlocked.  While it is on the LRU
 * it is also PG_unevictable and counted in LRU_UNEVICTABLE, where
 * page->mlock_count counts the VM_LOCKED mappings (it may undercount: a
 * page that was isolated when a mapping got locked missed its
 * increment).  The last munlock clears PG_mlocked and returns the page
 * to an evictable list; a page that stays mlocked through an undercount
 * is found by reclaim, which culls it back to the unevictable count.
 *
 * The kernel queues these operations on a per-cpu pagevec and applies
 * them under lru_lock later; the model applies them at once.  A page that
 * is off the LRU (isolated) only gets its PG_mlocked changed: whoever
 * isolated it puts it back on the list its flags then choose.
 */
#include "mm-model/swap_internal.h"

/* The page joins (or stays in) the unevictable count, lru_lock held. */
static void __mlock_page(struct page *page, struct lruvec *lruvec)
{
	if (unlikely(page_evictable(page))) {
		/* PG_mlocked went away meanwhile: make sure it is evictable. */
		if (PageUnevictable(page))
			lru_move_evictable(page, lruvec, false);
		return;
	}
	if (PageUnevictable(page)) {
		if (PageMlocked(page))
			page->mlock_count++;
		return;
	}
	lru_move_evictable(page, lruvec, true);
	page->mlock_count = !!PageMlocked(page);
}

void mlock_page(struct page *page)
{
	struct lruvec *lruvec = mem_cgroup_lruvec();

	page = compound_head(page);
	SetPageMlocked(page);
	spin_lock(&lruvec->lru_lock);
	/* Nothing more to do while it is off the LRU. */
	if (TestClearPageLRU(page)) {
		__mlock_page(page, lruvec);
		SetPageLRU(page);
	}
	spin_unlock(&lruvec->lru_lock);
}

/* A new page of a fault in a VM_LOCKED VMA, not on any list yet. */
void mlock_new_page(struct page *page)
{
	struct lruvec *lruvec = mem_cgroup_lruvec();

	page = compound_head(page);
	VM_BUG_ON_PAGE(PageLRU(page), page);
	SetPageMlocked(page);
	spin_lock(&lruvec->lru_lock);
	if (likely(!page_evictable(page))) {
		SetPageUnevictable(page);
		page->mlock_count = 1;
	}
	lru_add_page_locked(page, lruvec);
	spin_unlock(&lruvec->lru_lock);
}

/*
 * One VM_LOCKED mapping went (munmap, munlock, exit, try_to_unmap with
 * TTU_IGNORE_MLOCK).  The last one clears PG_mlocked; an isolated page
 * loses PG_mlocked at once (its count is not kept off the list).
 */
void munlock_page(struct page *page)
{
	struct lruvec *lruvec = mem_cgroup_lruvec();
	bool isolated = false;

	page = compound_head(page);
	spin_lock(&lruvec->lru_lock);
	if (TestClearPageLRU(page)) {
		isolated = true;
		if (PageUnevictable(page)) {
			if (page->mlock_count)
				page->mlock_count--;
			if (page->mlock_count)
				goto out;
		}
	}
	TestClearPageMlocked(page);
	/* Evictable is decided after PG_mlocked is gone. */
	if (isolated && PageUnevictable(page) && page_evictable(page))
		lru_move_evictable(page, lruvec, false);
out:
	if (isolated)
		SetPageLRU(page);
	spin_unlock(&lruvec->lru_lock);
}
