/*
 * swap.c - the LRU lists and what happens when a page's last reference
 * goes (the kernel's mm/swap.c, which despite its name is about LRU lists
 * and freeing, with the list helpers of include/linux/mm_inline.h).
 *
 * One lruvec per machine (mm_machine_cur->lruvec), guarded by its
 * lru_lock.  Invariants, under lru_lock:
 *  - PG_lru set  <=>  the page is counted in nr_pages[page_lru(page)] and,
 *    unless that is LRU_UNEVICTABLE, linked on lists[page_lru(page)];
 *  - PG_active and PG_unevictable are never both set on an LRU page;
 *  - an unevictable page is not linked anywhere: as in 6.1, the second
 *    word of its lru slot holds mlock_count instead of a list pointer.
 *
 * Taking a page off its list for reclaim, migration or memory_failure
 * (isolate_lru_page) clears PG_lru and holds a reference until
 * putback_lru_page().  PG_lru is only ever cleared under lru_lock (or on
 * a page nobody else references), so "TestClearPageLRU under the lock"
 * is the one way to own a page's list position.
 *
 * The kernel batches additions in per-cpu folio_batches and drains them
 * later; the model has no per-cpu state and adds at once, so
 * lru_add_drain_all() is empty and a page is on its list as soon as
 * lru_cache_add() returns.  New and activated pages go to the head of
 * their list; reclaim scans from the tail: the order depends only on the
 * order of calls, never on addresses.
 */
#include <errno.h>
#include <stdarg.h>

#include "mm-model/swap_internal.h"

/* ---- list helpers (mm_inline.h) ------------------------------------------ */

struct lruvec *mem_cgroup_lruvec(void)
{
	return &mm_machine_cur->lruvec;
}

/* The machine is not set up (bare mm_phys unit tests): no LRU. */
static bool lru_model_present(void)
{
	return mm_machine_cur != NULL;
}

bool page_evictable(struct page *page)
{
	struct address_space *mapping = page_mapping(page);

	if (mapping && test_bit(AS_UNEVICTABLE, &mapping->flags))
		return false;
	return !PageMlocked(page);
}

enum lru_list page_lru(struct page *page)
{
	enum lru_list lru;

	VM_BUG_ON_PAGE(PageActive(page) && PageUnevictable(page), page);
	if (PageUnevictable(page))
		return LRU_UNEVICTABLE;
	lru = page_is_file_lru(page) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	if (PageActive(page))
		lru += 1;
	return lru;
}

static void add_page_to_lru_list(struct page *page, struct lruvec *lruvec)
{
	enum lru_list lru = page_lru(page);

	lruvec->nr_pages[lru] += thp_nr_pages(page);
	if (lru != LRU_UNEVICTABLE)
		list_add(&page->lru, &lruvec->lists[lru]);
}

static void add_page_to_lru_list_tail(struct page *page,
				      struct lruvec *lruvec)
{
	enum lru_list lru = page_lru(page);

	lruvec->nr_pages[lru] += thp_nr_pages(page);
	if (lru != LRU_UNEVICTABLE)
		list_add_tail(&page->lru, &lruvec->lists[lru]);
}

/* The caller holds lru_lock; PG_lru is the caller's business. */
void del_page_from_lru_list(struct page *page, struct lruvec *lruvec)
{
	enum lru_list lru = page_lru(page);

	if (lru != LRU_UNEVICTABLE)
		list_del(&page->lru);
	VM_BUG_ON_PAGE(lruvec->nr_pages[lru] < thp_nr_pages(page), page);
	lruvec->nr_pages[lru] -= thp_nr_pages(page);
}

/* A page leaving the LRU for good keeps no LRU state (bad_page otherwise). */
static void __clear_page_lru_flags(struct page *page)
{
	VM_BUG_ON_PAGE(!PageLRU(page), page);
	__ClearPageLRU(page);
	/* Both set is a bug: leave it for bad_page() to report. */
	if (PageActive(page) && PageUnevictable(page))
		return;
	__ClearPageActive(page);
	__ClearPageUnevictable(page);
}

/* ---- adding ------------------------------------------------------------- */

/*
 * lru_add_fn: choose the list from the page's state now.  An unevictable
 * page (mlocked, or of an AS_UNEVICTABLE mapping) loses PG_active and
 * starts its mlock_count from PG_mlocked.
 */
static void __lru_add_page(struct page *page, struct lruvec *lruvec)
{
	VM_BUG_ON_PAGE(PageLRU(page), page);
	if (page_evictable(page)) {
		ClearPageUnevictable(page);
	} else {
		ClearPageActive(page);
		SetPageUnevictable(page);
		page->mlock_count = !!PageMlocked(page);
	}
	add_page_to_lru_list(page, lruvec);
	SetPageLRU(page);
}

void lru_cache_add(struct page *page)
{
	struct lruvec *lruvec = mem_cgroup_lruvec();

	page = compound_head(page);
	VM_BUG_ON_PAGE(PageActive(page) && PageUnevictable(page), page);
	VM_BUG_ON_PAGE(PageLRU(page), page);
	spin_lock(&lruvec->lru_lock);
	__lru_add_page(page, lruvec);
	spin_unlock(&lruvec->lru_lock);
}

/*
 * A new anonymous page of a fault: on the inactive list, or straight to
 * the unevictable one when the VMA is mlocked (mlock_new_page).
 */
void lru_cache_add_inactive_or_unevictable(struct page *page,
					   struct vm_area_struct *vma)
{
	VM_BUG_ON_PAGE(PageLRU(page), page);
	if (unlikely((vma->vm_flags & (VM_LOCKED | VM_IO | VM_PFNMAP)) ==
		     VM_LOCKED))
		mlock_new_page(page);
	else
		lru_cache_add(page);
}

/* Per-cpu batches do not exist in the model (see the top). */
void lru_add_drain_all(void)
{
}

/* ---- isolation ---------------------------------------------------------- */

/*
 * Take a page off its LRU list for the caller, who must hold a reference
 * (a free page is never isolated).  0 and a new reference held by the
 * caller until putback_lru_page(); -EBUSY if it is not on a list (being
 * freed, already isolated, or not yet added).
 */
int isolate_lru_page(struct page *page)
{
	struct lruvec *lruvec = mem_cgroup_lruvec();
	int ret = -EBUSY;

	VM_BUG_ON_PAGE(PageTail(page), page);
	VM_BUG_ON_PAGE(!page_count(page), page);
	spin_lock(&lruvec->lru_lock);
	if (TestClearPageLRU(page)) {
		get_page(page);
		del_page_from_lru_list(page, lruvec);
		ret = 0;
	}
	spin_unlock(&lruvec->lru_lock);
	return ret;
}

/*
 * Return an isolated page: to the list its flags choose now (it may have
 * been mlocked or munlocked meanwhile), and drop the isolation reference
 * - which may be the last one, and then frees the page.
 */
void putback_lru_page(struct page *page)
{
	lru_cache_add(page);
	put_page(page);
}

/* ---- aging ------------------------------------------------------------ */

void activate_page(struct page *page)
{
	struct lruvec *lruvec = mem_cgroup_lruvec();

	page = compound_head(page);
	spin_lock(&lruvec->lru_lock);
	if (PageLRU(page) && !PageActive(page) && !PageUnevictable(page)) {
		del_page_from_lru_list(page, lruvec);
		SetPageActive(page);
		add_page_to_lru_list(page, lruvec);
	}
	spin_unlock(&lruvec->lru_lock);
}

/*
 * Second touch activates (folio_mark_accessed): inactive,unreferenced ->
 * inactive,referenced -> active,unreferenced.  An isolated page only gets
 * PG_referenced (the kernel would look for it in its per-cpu batch,
 * which the model does not have).  The unevictable list is never aged.
 */
void mark_page_accessed(struct page *page)
{
	page = compound_head(page);
	if (!PageReferenced(page)) {
		SetPageReferenced(page);
	} else if (PageUnevictable(page)) {
		/* nothing: see above */
	} else if (!PageActive(page)) {
		if (PageLRU(page))
			activate_page(page);
		ClearPageReferenced(page);
	}
}

/*
 * Writeback of a page reclaim wanted gone has ended: put it at the tail
 * of its inactive list so the next scan frees it.  Called from write
 * completions, which run as timer callbacks outside any fiber and must
 * not block: if lru_lock is busy the rotation is skipped (the page stays
 * where it is and ages normally), as the kernel skips it for pages it
 * cannot take off the list.
 */
void rotate_reclaimable_page(struct page *page)
{
	struct lruvec *lruvec;

	page = compound_head(page);
	if (!lru_model_present() || PageLocked(page) || PageDirty(page) ||
	    PageUnevictable(page) || !PageLRU(page))
		return;
	lruvec = mem_cgroup_lruvec();
	if (!spin_trylock(&lruvec->lru_lock))
		return;
	if (PageLRU(page) && !PageUnevictable(page)) {
		del_page_from_lru_list(page, lruvec);
		ClearPageActive(page);
		add_page_to_lru_list_tail(page, lruvec);
	}
	spin_unlock(&lruvec->lru_lock);
}

/* ---- mlock's list moves (used by mlock.c) -------------------------------- */

/*
 * Move an LRU page between the evictable lists and the unevictable
 * count after its PG_mlocked changed.  lru_lock held; the page's PG_lru
 * is the caller's (cleared while it works on the page).
 */
void lru_move_evictable(struct page *page, struct lruvec *lruvec,
			bool unevictable)
{
	del_page_from_lru_list(page, lruvec);
	if (unevictable) {
		ClearPageActive(page);
		SetPageUnevictable(page);
	} else {
		ClearPageUnevictable(page);
	}
	add_page_to_lru_list(page, lruvec);
}

/* Add with the flags as they are (mlock_new_page), lru_lock held. */
void lru_add_page_locked(struct page *page, struct lruvec *lruvec)
{
	VM_BUG_ON_PAGE(PageLRU(page), page);
	add_page_to_lru_list(page, lruvec);
	SetPageLRU(page);
}

/* ---- freeing ------------------------------------------------------------- */

/*
 * Detach a page whose last reference went from the LRU.  PG_lru is
 * tested again under the lock: a reclaim scan that isolated the page in
 * the meantime owns its list position (it skips pages with no
 * references, see isolate_lru_pages in vmscan.c, so this cannot race
 * with a live isolation).
 */
static void __page_cache_release(struct page *page)
{
	if (PageLRU(page) && lru_model_present()) {
		struct lruvec *lruvec = mem_cgroup_lruvec();

		spin_lock(&lruvec->lru_lock);
		if (PageLRU(page)) {
			del_page_from_lru_list(page, lruvec);
			__clear_page_lru_flags(page);
		}
		spin_unlock(&lruvec->lru_lock);
	}
	if (unlikely(PageMlocked(page)))
		__ClearPageMlocked(page);
}

static void __put_single_page(struct page *page)
{
	__page_cache_release(page);
	free_unref_page(page, 0);
}

static void __put_compound_page(struct page *page)
{
	/* hugetlb pages are never on an LRU list. */
	if (!PageHuge(page))
		__page_cache_release(page);
	destroy_compound_page(page);
}

void __put_page(struct page *page)
{
	if (unlikely(PageCompound(page)))
		__put_compound_page(page);
	else
		__put_single_page(page);
}

/* ---- invariants ------------------------------------------------------------ */

static const char *const lru_names[NR_LRU_LISTS] = {
	"inactive_anon", "active_anon", "inactive_file", "active_file",
	"unevictable",
};

/*
 * Every linked page is PG_lru, on the list its flags choose, with a
 * reference; each list's length matches nr_pages; and the number of
 * PG_lru pages in mem_map equals the sum of the counters.
 */
static bool lru_check_invariants(struct mm_machine *m, GString *why)
{
	struct lruvec *lruvec = &m->lruvec;
	unsigned long counted = 0, flagged = 0;
	bool ok = true;

	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		unsigned long n = 0;
		struct page *page;

		counted += lruvec->nr_pages[lru];
		if (lru == LRU_UNEVICTABLE)
			continue;
		list_for_each_entry(page, &lruvec->lists[lru], lru) {
			n++;
			if (!PageLRU(page) || page_lru(page) != (enum lru_list)lru)
				ok = mm_complain(why, "pfn %#lx on the %s list "
						  "with flags %#lx",
						  page_to_pfn(page),
						  lru_names[lru], page->flags);
			if (page_count(page) <= 0)
				ok = mm_complain(why, "pfn %#lx on the %s list "
						  "is free", page_to_pfn(page),
						  lru_names[lru]);
		}
		if (n != lruvec->nr_pages[lru])
			ok = mm_complain(why, "%s list: %lu pages linked, "
					  "nr_pages %lu", lru_names[lru], n,
					  lruvec->nr_pages[lru]);
	}
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (!PageTail(page) && PageLRU(page))
			flagged += thp_nr_pages(page);
	}
	if (flagged != counted)
		ok = mm_complain(why, "%lu pages are PG_lru, the lruvec counts "
				  "%lu", flagged, counted);
	return ok;
}

/* Boot step: the checks of this layer join the machine's checker. */
void swap_setup(void)
{
	mm_register_invariant_check("lru", lru_check_invariants);
	mm_register_invariant_check("swap cache", swap_cache_check_invariants);
}
