/*
 * vmscan.c - page reclaim (the kernel's mm/vmscan.c, classic LRU; no
 * multi-gen LRU, no memcg, no kswapd fiber).
 *
 * try_to_free_pages() scans the machine's lruvec at falling priority
 * (DEF_PRIORITY down to 0): at priority p each evictable list is scanned
 * for size >> p pages (all of it at 0), in batches of SWAP_CLUSTER_MAX
 * taken round-robin from the four lists, until enough pages were freed.
 * Anonymous lists are scanned only while swap has free slots.  Inactive
 * lists are shrunk (shrink_inactive_list -> shrink_page_list); an active
 * list is only aged - its tail moved to the inactive head - when the
 * inactive list is small against it (inactive_is_low).
 *
 * Deterministic: lists are scanned from the tail (oldest first), batches
 * in a fixed list order, and a page's fate depends only on its flags, its
 * counts and its PTEs' accessed bits.  The kernel's anon/file balancing
 * by refault cost (get_scan_count) is not modelled: both sides are
 * scanned equally.
 *
 * One difference on purpose: 6.1's direct reclaim leaves dirty file
 * pages to the flusher (it marks them PG_reclaim and activates them) and
 * only kswapd writes them from reclaim.  The model has no kswapd, so
 * shrink_page_list writes a dirty file page through its mapping's
 * writepage, as kswapd would; the page is rotated to the inactive tail
 * when the write ends and freed by a later scan.
 */
#include <errno.h>

#include "mm-model/sched.h"
#include "mm-model/swap_internal.h"

/* ---- references ------------------------------------------------------------ */

enum page_references {
	PAGEREF_RECLAIM,
	PAGEREF_RECLAIM_CLEAN,
	PAGEREF_KEEP,
	PAGEREF_ACTIVATE,
};

/*
 * Mapped pages all start out with young PTEs from the fault that mapped
 * them, so one young PTE earns another trip round the inactive list
 * (PG_referenced) and only a second reference activates.
 */
static enum page_references page_check_references(struct page *page)
{
	unsigned long vm_flags;
	int referenced_ptes = page_referenced(page, 1, &vm_flags);
	bool referenced_page = TestClearPageReferenced(page);

	/* Mapped by a VM_LOCKED VMA: now PG_mlocked, to the unevictable. */
	if (vm_flags & VM_LOCKED)
		return PAGEREF_ACTIVATE;
	if (referenced_ptes) {
		SetPageReferenced(page);
		if (referenced_page || referenced_ptes > 1)
			return PAGEREF_ACTIVATE;
		if ((vm_flags & VM_EXEC) && page_is_file_lru(page))
			return PAGEREF_ACTIVATE;
		return PAGEREF_KEEP;
	}
	/* Used once through read()/write(): drop it if it is clean. */
	if (referenced_page && page_is_file_lru(page))
		return PAGEREF_RECLAIM_CLEAN;
	return PAGEREF_RECLAIM;
}

/* ---- writing a page out ------------------------------------------------------ */

typedef enum {
	PAGE_KEEP,		/* failed to write, keep it locked */
	PAGE_ACTIVATE,		/* the mapping cannot write it */
	PAGE_SUCCESS,		/* written or being written; unlocked */
	PAGE_CLEAN,		/* it was clean after all; still locked */
} pageout_t;

/* Only reclaim and the cache hold it: the isolation ref and the cache's. */
static bool is_page_cache_freeable(struct page *page)
{
	return page_count(page) - page_has_private(page) ==
	       1 + (int)thp_nr_pages(page);
}

/*
 * Start writing a locked dirty page through its mapping: the swap device
 * for a swap-cache page, the file's writepage otherwise.  PG_reclaim asks
 * the write's completion to rotate it to the inactive tail.
 */
static pageout_t pageout(struct page *page, struct address_space *mapping,
			 struct scan_control *sc)
{
	bool swap = PageSwapCache(page);
	int res;

	if (!is_page_cache_freeable(page))
		return PAGE_KEEP;
	if (!mapping)
		return PAGE_KEEP;
	if (!mapping->a_ops || !mapping->a_ops->writepage)
		return PAGE_ACTIVATE;
	if (!clear_page_dirty_for_io(page))
		return PAGE_CLEAN;

	SetPageReclaim(page);
	res = mapping->a_ops->writepage(page);
	if (res < 0 && !swap)
		mapping_set_error(mapping, res);
	if (!PageWriteback(page))
		ClearPageReclaim(page);
	/* swap_writepage frees the slot instead of writing an orphan. */
	if (swap && !PageSwapCache(page))
		return PAGE_SUCCESS;
	sc->nr_writeback++;
	if (swap)
		sc->nr_swapped++;
	return PAGE_SUCCESS;
}

/*
 * Detach a locked, clean page that only reclaim and its cache hold from
 * the cache (__remove_mapping).  Returns 1 when the page is now ours
 * alone with its count frozen at 0, ready to free; 2 when it left the
 * page cache but somebody took a reference meanwhile (the caller drops
 * its own and forgets the page); 0 when it cannot go.
 *
 * A swap-cache page is frozen before it leaves, so nobody can find it
 * in between (lookup_swap_cache skips a frozen page).  A file page
 * leaves through the page cache's delete_from_page_cache, which drops
 * the cache's reference itself; the freeze follows.
 */
static int __remove_mapping(struct address_space *mapping, struct page *page)
{
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (PageSwapCache(page)) {
		swp_entry_t entry = page_swap_entry(page);

		spin_lock(&mapping->i_pages_lock);
		if (!page_ref_freeze(page, 2))
			goto cannot_free;
		if (unlikely(PageDirty(page))) {
			page_ref_unfreeze(page, 2);
			goto cannot_free;
		}
		__delete_from_swap_cache(page, entry);
		spin_unlock(&mapping->i_pages_lock);
		put_swap_page(page, entry);
		return 1;
cannot_free:
		spin_unlock(&mapping->i_pages_lock);
		return 0;
	}

	if (page_count(page) != 2 || PageDirty(page) || page_mapped(page) ||
	    page->mapping != mapping)
		return 0;
	delete_from_page_cache(page);
	return page_ref_freeze(page, 1) ? 1 : 2;
}

/* ---- shrink_page_list ------------------------------------------------------- */

/* The page is done with: on to putback, locked or not. */
static void keep_page(struct page *page, struct list_head *ret_pages)
{
	list_add(&page->lru, ret_pages);
	VM_BUG_ON_PAGE(PageLRU(page) || PageUnevictable(page), page);
}

/*
 * Not a candidate now: back to the active list (an mlocked page goes to
 * the unevictable count at putback instead).  A swap slot it holds is
 * given back if swap is getting full or the page is mlocked.
 */
static void activate_locked(struct page *page)
{
	if (PageSwapCache(page) && (vm_swap_full() || PageMlocked(page)))
		try_to_free_swap(page);
	VM_BUG_ON_PAGE(PageActive(page), page);
	if (!PageMlocked(page))
		SetPageActive(page);
}

/*
 * Free a page __remove_mapping left frozen at count 0.  Nobody can see it
 * any more, so nobody waits on its lock either.
 */
static void free_reclaimed_page(struct page *page)
{
	unlock_page(page);
	VM_BUG_ON_PAGE(page_ref_count(page) != 0, page);
	free_unref_page(page, 0);
}

/*
 * Try to free each isolated page of page_list (each holds the isolation
 * reference); what cannot be freed is left on page_list for putback.
 * Returns the number of pages freed.
 */
unsigned long shrink_page_list(struct list_head *page_list,
			       struct scan_control *sc)
{
	LIST_HEAD(ret_pages);
	unsigned long nr_reclaimed = 0;

	while (!list_empty(page_list)) {
		struct page *page = list_last_entry(page_list, struct page, lru);
		struct address_space *mapping;
		enum page_references references;
		int removed;

		list_del(&page->lru);
		if (!trylock_page(page)) {
			keep_page(page, &ret_pages);
			continue;
		}
		VM_BUG_ON_PAGE(PageActive(page), page);
		sc->nr_scanned++;

		if (unlikely(!page_evictable(page)))
			goto activate_locked;
		if (!sc->may_unmap && page_mapped(page))
			goto keep_locked;
		/*
		 * Under writeback: mark it so the end of the write rotates
		 * it to the inactive tail, and look at something else.
		 */
		if (PageWriteback(page)) {
			if (PageReclaim(page))
				goto keep_locked;
			SetPageReclaim(page);
			goto activate_locked;
		}

		references = page_check_references(page);
		if (references == PAGEREF_ACTIVATE)
			goto activate_locked;
		if (references == PAGEREF_KEEP)
			goto keep_locked;

		/* Anonymous memory needs a slot before it can be unmapped. */
		if (PageAnon(page) && PageSwapBacked(page) &&
		    !PageSwapCache(page)) {
			if (!sc->may_swap || !add_to_swap(page))
				goto activate_locked;
		}

		if (page_mapped(page)) {
			try_to_unmap(page, TTU_BATCH_FLUSH);
			if (page_mapped(page))
				goto activate_locked;
		}

		mapping = page_mapping(page);
		if (PageDirty(page)) {
			if (references == PAGEREF_RECLAIM_CLEAN)
				goto keep_locked;
			if (!sc->may_writepage)
				goto keep_locked;
			switch (pageout(page, mapping, sc)) {
			case PAGE_KEEP:
				goto keep_locked;
			case PAGE_ACTIVATE:
				goto activate_locked;
			case PAGE_SUCCESS:
				if (PageWriteback(page) || PageDirty(page))
					goto keep;
				/* A write that ended at once: free it now. */
				if (!trylock_page(page))
					goto keep;
				if (PageDirty(page) || PageWriteback(page))
					goto keep_locked;
				mapping = page_mapping(page);
				break;
			case PAGE_CLEAN:
				break;
			}
		}

		/* Buffers (PG_private) are not modelled: keep such a page. */
		if (page_has_private(page))
			goto keep_locked;
		/* Lazily freed anon (MADV_FREE) is not modelled either. */
		if (PageAnon(page) && !PageSwapBacked(page))
			goto keep_locked;
		if (!mapping)
			goto keep_locked;
		removed = __remove_mapping(mapping, page);
		if (!removed)
			goto keep_locked;
		if (removed == 2) {
			/* Out of the cache, but held elsewhere: theirs now. */
			unlock_page(page);
			put_page(page);
			continue;
		}
		free_reclaimed_page(page);
		nr_reclaimed++;
		continue;

activate_locked:
		activate_locked(page);
keep_locked:
		unlock_page(page);
keep:
		keep_page(page, &ret_pages);
	}
	list_splice(&ret_pages, page_list);
	sc->nr_reclaimed += nr_reclaimed;
	return nr_reclaimed;
}

/* ---- isolating and putting back ---------------------------------------------- */

/*
 * Take up to nr_to_scan pages from the tail of list lru onto dst, each
 * with a reference and PG_lru cleared.  A page whose last reference is
 * going (count 0, its free path waiting for lru_lock) is left alone.
 * Caller holds lru_lock.  Returns how many were taken.
 */
static unsigned long isolate_lru_pages(unsigned long nr_to_scan,
				       struct lruvec *lruvec,
				       struct list_head *dst,
				       enum lru_list lru)
{
	struct list_head *src = &lruvec->lists[lru];
	unsigned long scanned = 0, taken = 0;
	LIST_HEAD(busy);

	while (scanned < nr_to_scan && !list_empty(src)) {
		struct page *page = list_last_entry(src, struct page, lru);

		scanned++;
		if (!get_page_unless_zero(page)) {
			list_move(&page->lru, &busy);
			continue;
		}
		VM_BUG_ON_PAGE(!PageLRU(page), page);
		ClearPageLRU(page);
		del_page_from_lru_list(page, lruvec);
		list_add(&page->lru, dst);
		taken++;
	}
	/* Skipped pages go back to the head, as the kernel rotates them. */
	list_splice(&busy, src);
	return taken;
}

/* Each page back to the list its flags choose; the reference goes. */
static void move_pages_to_lru(struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *page = list_last_entry(list, struct page, lru);

		list_del(&page->lru);
		putback_lru_page(page);
	}
}

static unsigned long shrink_inactive_list(unsigned long nr_to_scan,
					  struct lruvec *lruvec,
					  struct scan_control *sc,
					  enum lru_list lru)
{
	LIST_HEAD(page_list);
	unsigned long nr_taken, nr_reclaimed;

	spin_lock(&lruvec->lru_lock);
	nr_taken = isolate_lru_pages(nr_to_scan, lruvec, &page_list, lru);
	spin_unlock(&lruvec->lru_lock);
	if (!nr_taken)
		return 0;
	nr_reclaimed = shrink_page_list(&page_list, sc);
	move_pages_to_lru(&page_list);
	return nr_reclaimed;
}

/*
 * Age the active list: its oldest pages go to the head of the inactive
 * list, except file pages executed through a young PTE, which get one
 * more round on the active list.  Accessed bits are cleared on the way.
 */
static void shrink_active_list(unsigned long nr_to_scan,
			       struct lruvec *lruvec, enum lru_list lru)
{
	LIST_HEAD(hold);
	unsigned long nr_taken;

	spin_lock(&lruvec->lru_lock);
	nr_taken = isolate_lru_pages(nr_to_scan, lruvec, &hold, lru);
	spin_unlock(&lruvec->lru_lock);
	if (!nr_taken)
		return;

	while (!list_empty(&hold)) {
		struct page *page = list_last_entry(&hold, struct page, lru);
		unsigned long vm_flags;

		list_del(&page->lru);
		if (unlikely(!page_evictable(page))) {
			putback_lru_page(page);
			continue;
		}
		if (page_referenced(page, 0, &vm_flags) &&
		    (vm_flags & VM_EXEC) && page_is_file_lru(page)) {
			putback_lru_page(page);
			continue;
		}
		ClearPageActive(page);
		putback_lru_page(page);
	}
}

/* int_sqrt for the small numbers inactive_is_low needs. */
static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/*
 * The inactive list should hold at least 1/(1 + ratio) of the pages of
 * its type, ratio growing with the square root of the size in GiB.
 */
static bool inactive_is_low(struct lruvec *lruvec, enum lru_list inactive_lru)
{
	unsigned long inactive = lruvec->nr_pages[inactive_lru];
	unsigned long active = lruvec->nr_pages[inactive_lru + 1];
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * ratio < active;
}

static bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

static unsigned long shrink_list(enum lru_list lru, unsigned long nr_to_scan,
				 struct lruvec *lruvec,
				 struct scan_control *sc)
{
	if (is_active_lru(lru)) {
		if (inactive_is_low(lruvec, lru - 1))
			shrink_active_list(nr_to_scan, lruvec, lru);
		return 0;
	}
	return shrink_inactive_list(nr_to_scan, lruvec, sc, lru);
}

static bool page_is_file_lru_list(int lru)
{
	return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}

static bool can_reclaim_anon_pages(struct scan_control *sc)
{
	return sc->may_swap && nr_swap_pages() > 0;
}

/* One priority level over the four evictable lists. */
static void shrink_lruvec(struct lruvec *lruvec, struct scan_control *sc,
			  int priority)
{
	unsigned long nr[NR_LRU_LISTS] = { 0 };
	bool anon = can_reclaim_anon_pages(sc);
	bool more;

	for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
		unsigned long size = lruvec->nr_pages[lru];

		if (!page_is_file_lru_list(lru) && !anon)
			continue;
		nr[lru] = size >> priority;
	}
	do {
		more = false;
		for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
			unsigned long nr_to_scan;

			if (!nr[lru])
				continue;
			nr_to_scan = nr[lru] < SWAP_CLUSTER_MAX ?
				     nr[lru] : SWAP_CLUSTER_MAX;
			nr[lru] -= nr_to_scan;
			shrink_list(lru, nr_to_scan, lruvec, sc);
			more |= nr[lru] != 0;
		}
	} while (more && sc->nr_reclaimed < sc->nr_to_reclaim);

	/* Keep the anon lists aged even when nothing was scanned there. */
	if (anon && inactive_is_low(lruvec, LRU_INACTIVE_ANON))
		shrink_active_list(SWAP_CLUSTER_MAX, lruvec, LRU_ACTIVE_ANON);
}

/*
 * Free about nr_pages pages from the LRU (direct reclaim, or a scenario
 * asking for memory pressure).  Returns the number freed.  The calling
 * task is PF_MEMALLOC meanwhile so allocations made on the way do not
 * recurse into reclaim.
 */
unsigned long try_to_free_pages(unsigned long nr_pages)
{
	struct scan_control sc = {
		.nr_to_reclaim = nr_pages > SWAP_CLUSTER_MAX ?
				 nr_pages : SWAP_CLUSTER_MAX,
		.may_writepage = true,
		.may_swap = true,
		.may_unmap = true,
	};
	struct task_struct *tsk;
	bool was_memalloc;

	if (!mm_machine_cur)
		return 0;
	tsk = current;
	was_memalloc = tsk && (tsk->flags & PF_MEMALLOC);
	if (tsk)
		tsk->flags |= PF_MEMALLOC;
	for (int priority = DEF_PRIORITY;
	     priority >= 0 && sc.nr_reclaimed < sc.nr_to_reclaim; priority--)
		shrink_lruvec(mem_cgroup_lruvec(), &sc, priority);
	if (tsk && !was_memalloc)
		tsk->flags &= ~PF_MEMALLOC;
	return sc.nr_reclaimed;
}

/*
 * The allocator's slow path may reclaim when the caller can sleep: a
 * gfp with __GFP_DIRECT_RECLAIM, inside a fiber, holding no spinlock,
 * and not already reclaiming.
 */
bool reclaim_allowed(gfp_t gfp)
{
	struct sim *s;
	struct sim_fiber *f;
	struct task_struct *tsk;

	if (!(gfp & __GFP_DIRECT_RECLAIM) || !mm_machine_cur)
		return false;
	s = mm_machine_cur->sim;
	f = s ? sim_current(s) : NULL;
	if (!f)
		return false;
	for (guint i = 0; i < f->held->len; i++) {
		struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);

		if (hl->lock && (hl->lock->type == SIM_SPINLOCK ||
				 hl->lock->type == SIM_RWLOCK))
			return false;
	}
	tsk = current;
	return !(tsk && (tsk->flags & PF_MEMALLOC));
}
