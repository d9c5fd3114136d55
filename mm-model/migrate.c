/*
 * migrate.c - move a page's contents and mappings to a new frame.
 *
 * What soft offline needs (mm/migrate.c's migrate_pages for one page, in
 * the kernel's order):
 *
 *   1. isolate the page from the LRU and lock it; wait for writeback;
 *   2. replace every PTE that maps it by a migration entry, so that an
 *      access during the move waits (fault.c's migration_entry_wait)
 *      instead of reading or writing the old frame;
 *   3. move the data: for page cache the mapping's ->migrate_folio
 *      (filemap.c) copies the bytes and takes over the cache slot; for an
 *      anonymous page the bytes, the anon_vma and the index move here;
 *   4. turn the migration entries into PTEs of the new page.
 *
 * If the copy fails - the old frame is poisoned, which physmem reports as
 * a consumption - step 4 restores the old page instead.
 *
 * Swap-cache pages are not migrated (the model has no swap-cache slot
 * replacement); soft offline reports them as a migration failure.
 */
#include "mm-model/migrate.h"

#include <errno.h>
#include <string.h>

#include "mm-model/gfp.h"
#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/swap.h"

/* One mapping of the page, as it was before the move. */
struct mig_map {
	struct vm_area_struct *vma;
	unsigned long addr;
	pte_t old;
};

struct mig_walk {
	GArray *maps;		/* struct mig_map */
	struct page *page;
};

/* Step 2, for one mapping: a migration entry in place of the PTE. */
static bool unmap_one(struct page *page, struct vm_area_struct *vma,
		      unsigned long addr, void *arg)
{
	struct mig_walk *w = arg;
	struct sim_lock *ptl;
	pte_t *pte = pte_offset_map_lock(vma->vm_mm, addr, &ptl);
	struct mig_map m = { vma, addr, { 0 } };

	if (!pte)
		return true;
	if (pte_present(*pte) && pte_pfn(*pte) == page_to_pfn(page)) {
		m.old = ptep_get_and_clear(vma->vm_mm, addr, pte);
		set_pte_at(vma->vm_mm, addr, pte, swp_entry_to_pte(
			swp_entry(pte_write(m.old) ? SWP_MIGRATION_WRITE :
						     SWP_MIGRATION_READ,
				  page_to_pfn(page))));
		if (pte_dirty(m.old))
			SetPageDirty(page);
		page_remove_rmap(page, vma);
		put_page(page);
		g_array_append_val(w->maps, m);
	}
	pte_unmap_unlock(pte, ptl);
	return true;
}

/* Step 4, for one mapping: the migration entry becomes a PTE of dst. */
static void remap_one(struct page *dst, const struct mig_map *m)
{
	struct sim_lock *ptl;
	pte_t *pte = pte_offset_map_lock(m->vma->vm_mm, m->addr, &ptl);
	pte_t entry;

	if (!pte)
		return;
	/* munmap may have zapped the entry meanwhile; then leave it. */
	if (is_swap_pte(*pte) && is_migration_entry(pte_to_swp_entry(*pte))) {
		entry = mk_pte(dst, pte_write(m->old));
		if (pte_dirty(m->old))
			entry = pte_mkdirty(entry);
		if (pte_young(m->old))
			entry = pte_mkyoung(entry);
		ptep_get_and_clear(m->vma->vm_mm, m->addr, pte);
		set_pte_at(m->vma->vm_mm, m->addr, pte, entry);
		get_page(dst);
		if (PageAnon(dst))
			page_add_anon_rmap(dst, m->vma, m->addr);
		else
			page_add_file_rmap(dst, m->vma);
	}
	pte_unmap_unlock(pte, ptl);
}

/* Step 3 for an anonymous page: nobody but the isolation holds it. */
static int move_anon(struct page *dst, struct page *src)
{
	const unsigned long moved = BIT(PG_uptodate) | BIT(PG_dirty) |
				    BIT(PG_referenced) | BIT(PG_active) |
				    BIT(PG_workingset) | BIT(PG_swapbacked);
	unsigned int bad = 0;
	int ret;

	if (page_mapped(src) || page_count(src) != 1)
		return -EAGAIN;
	ret = physmem_copy_page(mm_machine_cur->physmem, page_to_pfn(dst),
				page_to_pfn(src), &bad);
	if (ret)
		return ret;
	dst->mapping = src->mapping;
	dst->index = src->index;
	dst->flags |= src->flags & moved;
	src->flags &= ~(BIT(PG_dirty) | BIT(PG_uptodate));
	return 0;
}

static int move_contents(struct page *dst, struct page *src)
{
	struct address_space *mapping;

	if (PageAnon(src))
		return move_anon(dst, src);
	mapping = page_mapping(src);
	if (!mapping || !mapping->a_ops || !mapping->a_ops->migrate_folio)
		return -EINVAL;
	return mapping->a_ops->migrate_folio(mapping, dst, src);
}

/* The new page joins the LRU the way the old one was on it. */
static void putback_new(struct page *dst, bool mlocked)
{
	if (mlocked)
		mlock_new_page(dst);
	else
		lru_cache_add(dst);
	unlock_page(dst);
	put_page(dst);		/* the allocation's reference */
}

int migrate_page_to(struct page *page, struct page **newp)
{
	struct mig_walk w = { g_array_new(FALSE, FALSE, sizeof(struct mig_map)),
			      page };
	struct rmap_walk_control rwc = { .arg = &w, .rmap_one = unmap_one };
	bool mlocked;
	struct page *dst;
	int ret;

	if (newp)
		*newp = NULL;
	/* Isolation's reference replaces the caller's, as isolate_page(). */
	ret = isolate_lru_page(page);
	put_page(page);
	if (ret) {
		g_array_free(w.maps, TRUE);
		return -EBUSY;
	}
	dst = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!dst) {
		putback_lru_page(page);
		g_array_free(w.maps, TRUE);
		return -ENOMEM;
	}
	trylock_page(dst);	/* nobody else can see it yet */
	lock_page(page);
	wait_on_page_writeback(page);
	mlocked = PageMlocked(page);
	if (PageSwapCache(page) || PageKsm(page)) {
		ret = -EBUSY;
	} else {
		if (page_mapped(page))
			rmap_walk(page, &rwc);
		ret = move_contents(dst, page);
	}
	for (guint i = 0; i < w.maps->len; i++)
		remap_one(ret ? page : dst,
			  &g_array_index(w.maps, struct mig_map, i));
	g_array_free(w.maps, TRUE);
	unlock_page(page);
	if (ret) {
		unlock_page(dst);
		put_page(dst);
		putback_lru_page(page);
		return ret;
	}
	ClearPageMlocked(page);
	ClearPageUnevictable(page);
	ClearPageActive(page);
	if (newp)
		*newp = dst;
	putback_new(dst, mlocked);
	return 0;
}
