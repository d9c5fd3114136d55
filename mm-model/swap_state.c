/*
 * swap_state.c - the swap cache (the kernel's mm/swap_state.c).
 *
 * Each swap device has an address_space, swapper_space, whose i_pages
 * maps a slot offset to the page holding that slot's data in memory.  A
 * swap-cache page is PageSwapBacked and PageSwapCache, page->private is
 * its swap entry, and the cache holds one reference on it and the slot's
 * SWAP_HAS_CACHE count.  page_mapping() of such a page is the
 * swapper_space, which is how reclaim finds swap_writepage().
 *
 * Clean and dirty, as in the kernel: a page read in from its slot is
 * clean (the slot has the same data); a store through a PTE, or
 * try_to_free_swap(), makes it dirty, and then it must be written again
 * before it can be dropped.  add_to_swap() marks a page dirty at once:
 * its slot has no data yet.
 *
 * Locks: the page lock is held by whoever adds or deletes; the i_pages
 * lock ("i_pages lock") guards the tree, nrpages and the PageSwapCache /
 * private pair; swap_lock is never taken inside it.
 */
#include <errno.h>

#include "mm-model/swap_internal.h"

gint swap_offset_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	pgoff_t x = SWP_KEY_OFF(a), y = SWP_KEY_OFF(b);

	(void)unused;
	return (x > y) - (x < y);
}

/* Dirtying a swap-cache page needs no accounting (noop_dirty_folio). */
static bool swap_dirty_folio(struct address_space *mapping, struct page *page)
{
	(void)mapping;
	return !TestSetPageDirty(page);
}

const struct address_space_operations swap_aops = {
	.writepage = swap_writepage,
	.dirty_folio = swap_dirty_folio,
};

struct address_space *swap_address_space(swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	return si ? &si->swapper_space : NULL;
}

/*
 * Enter the swap cache at entry, whose SWAP_HAS_CACHE the caller already
 * holds (get_swap_page or swapcache_prepare).  The page is locked and
 * swap-backed; the cache takes a reference.  -EEXIST if the slot already
 * has a page.
 */
int add_to_swap_cache(struct page *page, swp_entry_t entry)
{
	struct address_space *space = swap_address_space(entry);
	pgoff_t offset = swp_offset(entry);

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	VM_BUG_ON_PAGE(PageSwapCache(page), page);
	VM_BUG_ON_PAGE(!PageSwapBacked(page), page);
	if (!space)
		return -EINVAL;

	spin_lock(&space->i_pages_lock);
	if (g_tree_lookup(space->i_pages, SWP_KEY(offset))) {
		spin_unlock(&space->i_pages_lock);
		return -EEXIST;
	}
	page_ref_inc(page);
	SetPageSwapCache(page);
	set_page_private(page, entry.val);
	g_tree_insert(space->i_pages, SWP_KEY(offset), page);
	space->nrpages++;
	spin_unlock(&space->i_pages_lock);
	return 0;
}

/*
 * Take the page out of the tree; the caller holds the i_pages lock and
 * the page lock, and drops the slot's and the page's references itself.
 */
void __delete_from_swap_cache(struct page *page, swp_entry_t entry)
{
	struct address_space *space = swap_address_space(entry);
	pgoff_t offset = swp_offset(entry);

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	VM_BUG_ON_PAGE(!PageSwapCache(page), page);
	VM_BUG_ON_PAGE(PageWriteback(page), page);
	VM_BUG_ON_PAGE(g_tree_lookup(space->i_pages, SWP_KEY(offset)) != page,
		       page);
	g_tree_remove(space->i_pages, SWP_KEY(offset));
	space->nrpages--;
	set_page_private(page, 0);
	ClearPageSwapCache(page);
}

/*
 * Leave the swap cache: the slot loses SWAP_HAS_CACHE (and is freed if no
 * PTE refers to it) and the page the cache's reference.  The caller holds
 * the page lock and a reference of its own.
 */
void delete_from_swap_cache(struct page *page)
{
	swp_entry_t entry = page_swap_entry(page);
	struct address_space *space = swap_address_space(entry);

	spin_lock(&space->i_pages_lock);
	__delete_from_swap_cache(page, entry);
	spin_unlock(&space->i_pages_lock);
	put_swap_page(page, entry);
	VM_BUG_ON_PAGE(page_ref_count(page) <= 1, page);
	page_ref_dec(page);
}

/*
 * Give a locked, up-to-date anonymous page a slot and put it in the swap
 * cache, dirty (the slot holds nothing yet).  1 on success, 0 when swap
 * is full.
 */
int add_to_swap(struct page *page)
{
	swp_entry_t entry;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	VM_BUG_ON_PAGE(!PageUptodate(page), page);
	entry = get_swap_page(page);
	if (!entry.val)
		return 0;
	if (add_to_swap_cache(page, entry)) {
		put_swap_page(page, entry);
		return 0;
	}
	/*
	 * The PTEs would dirty it at unmap anyway; a page whose PTE dirty
	 * bits were lost (MADV_FREE races in the kernel) must not be
	 * dropped without a write, so dirty it now.
	 */
	set_page_dirty(page);
	return 1;
}

/* The cached page of the slot, with a reference, or NULL. */
struct page *lookup_swap_cache(swp_entry_t entry)
{
	struct address_space *space = swap_address_space(entry);
	struct page *page;

	if (!space || non_swap_entry(entry))
		return NULL;
	spin_lock(&space->i_pages_lock);
	page = g_tree_lookup(space->i_pages, SWP_KEY(swp_offset(entry)));
	/* A page being freed (count frozen at 0) is as good as gone. */
	if (page && !get_page_unless_zero(page))
		page = NULL;
	spin_unlock(&space->i_pages_lock);
	return page;
}

/*
 * Find or create the swap-cache page of entry (__read_swap_cache_async).
 * *new_page tells whether the caller must start the read.  NULL: the slot
 * has no users any more, or no memory (*err says which).
 */
static struct page *read_swap_cache_page(swp_entry_t entry, bool *new_page,
					 int *err)
{
	struct page *page;
	int ret;

	*new_page = false;
	for (;;) {
		page = lookup_swap_cache(entry);
		if (page)
			return page;
		/* Freed meanwhile (a racing zap): nothing to read. */
		if (!__swap_count(entry)) {
			*err = -ENOENT;
			return NULL;
		}
		page = alloc_page(GFP_HIGHUSER_MOVABLE);
		if (!page) {
			*err = -ENOMEM;
			return NULL;
		}
		ret = swapcache_prepare(entry);
		if (!ret)
			break;
		put_page(page);
		if (ret != -EEXIST || !swap_in_fiber()) {
			*err = ret;
			return NULL;
		}
		/*
		 * Somebody else holds SWAP_HAS_CACHE and is about to add
		 * (or has just freed) the page: let it run, then look again.
		 */
		sim_yield(mm_machine_cur->sim, "swapcache_prepare", "swap",
			  SIM_HERE);
	}

	/* Nobody else can see the page yet: lock it without waiting. */
	__SetPageLocked(page);
	__SetPageSwapBacked(page);
	ret = add_to_swap_cache(page, entry);
	if (ret) {
		put_swap_page(page, entry);
		__ClearPageLocked(page);
		__ClearPageSwapBacked(page);
		put_page(page);
		*err = ret;
		return NULL;
	}
	lru_cache_add(page);
	*new_page = true;
	return page;
}

/*
 * The swap-in path of a fault on a swap PTE: the page, referenced.  A new
 * page is returned locked while its read is in flight (unlocked at the
 * end of the read: inside a fiber after the device's latency, outside at
 * once); the caller waits with lock_page().  No readahead: only the one
 * slot is read.
 */
struct page *swapin_readahead(swp_entry_t entry, int *err)
{
	bool new_page;
	struct page *page;
	int dummy;

	if (!err)
		err = &dummy;
	*err = 0;
	if (!swap_info_get(entry)) {
		*err = -EINVAL;
		return NULL;
	}
	page = read_swap_cache_page(entry, &new_page, err);
	if (page && new_page)
		swap_readpage(page, !swap_in_fiber());
	return page;
}

/* ---- invariants ----------------------------------------------------------- */

struct swap_cache_census {
	struct swap_info_struct *si;
	GString *why;
	bool ok;
};

static gboolean check_cached_page(gpointer key, gpointer value, gpointer data)
{
	struct swap_cache_census *c = data;
	pgoff_t offset = SWP_KEY_OFF(key);
	struct page *page = value;
	swp_entry_t entry = swp_entry(c->si->type, offset);

	if (!PageSwapCache(page) || page_private(page) != entry.val) {
		c->ok = false;
		if (c->why)
			g_string_append_printf(c->why, "swap %u:%#lx: pfn %#lx "
					       "flags %#lx private %#lx\n",
					       c->si->type, offset,
					       page_to_pfn(page), page->flags,
					       page_private(page));
	}
	if (offset >= c->si->max ||
	    !(c->si->swap_map[offset] & SWAP_HAS_CACHE)) {
		c->ok = false;
		if (c->why)
			g_string_append_printf(c->why, "swap %u:%#lx: cached "
					       "pfn %#lx but no SWAP_HAS_CACHE\n",
					       c->si->type, offset,
					       page_to_pfn(page));
	}
	if (page_count(page) < 1) {
		c->ok = false;
		if (c->why)
			g_string_append_printf(c->why, "swap %u:%#lx: cached "
					       "pfn %#lx is free\n", c->si->type,
					       offset, page_to_pfn(page));
	}
	return FALSE;
}

/*
 * Every cached page points back at its slot, which counts the cache; the
 * tree size is nrpages; inuse_pages counts the slots in use.
 */
bool swap_cache_check_invariants(struct mm_machine *m, GString *why)
{
	bool ok = true;

	for (unsigned int type = 0; type < m->nr_swapfiles; type++) {
		struct swap_info_struct *si = m->swap_info[type];
		struct swap_cache_census c = { si, why, true };
		unsigned long inuse = 0;

		g_tree_foreach(si->swapper_space.i_pages, check_cached_page,
			       &c);
		ok &= c.ok;
		if ((unsigned long)g_tree_nnodes(si->swapper_space.i_pages) !=
		    si->swapper_space.nrpages) {
			ok = false;
			if (why)
				g_string_append_printf(why, "swap %u: %d cached "
					"pages, nrpages %lu\n", type,
					g_tree_nnodes(si->swapper_space.i_pages),
					si->swapper_space.nrpages);
		}
		for (unsigned long off = 1; off < si->max; off++)
			inuse += si->swap_map[off] != 0;
		if (inuse != si->inuse_pages) {
			ok = false;
			if (why)
				g_string_append_printf(why, "swap %u: %lu slots "
					"used, inuse_pages %lu\n", type, inuse,
					si->inuse_pages);
		}
	}
	return ok;
}
