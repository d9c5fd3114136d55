/*
 * rmap_walk.c - walking a page's reverse mappings, and what is built on
 * the walk: try_to_unmap, page_referenced, page_mkclean (the walk half
 * of the kernel's mm/rmap.c; anon_rmap.c has the anon_vma lifecycle and
 * the rmap add/remove calls).
 *
 * A walk visits, in a fixed order, every VMA that may map the page:
 *  - anonymous: the VMAs chained to the page's anon_vma (in chain order)
 *    whose range covers the page's linear index, under the root
 *    anon_vma's rwsem held for reading;
 *  - file: the VMAs of mapping->i_mmap (in insertion order) covering
 *    page->index, under i_mmap_rwsem held for reading.
 * For each it computes where the page would be mapped and hands that to
 * rmap_one, which checks under the PTE lock whether it really is.
 *
 * Lock order (mm/rmap.c's): page lock (the caller's) > i_mmap_rwsem >
 * anon_vma->rwsem > pte_lock > swap_lock > i_pages lock > lru_lock.
 */
#include <errno.h>

#include "mm-model/swap_internal.h"

/* ---- where a page is mapped ---------------------------------------------- */

/*
 * The address pgoff (nr_pages long) has in vma, if the VMA covers it;
 * a range starting before the VMA maps at vm_start.  -EFAULT otherwise.
 */
static unsigned long vma_pgoff_address(pgoff_t pgoff, unsigned long nr_pages,
				       struct vm_area_struct *vma)
{
	unsigned long address;

	if (pgoff >= vma->vm_pgoff) {
		address = vma->vm_start +
			  ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		if (address < vma->vm_start || address >= vma->vm_end)
			address = -EFAULT;
	} else if (pgoff + nr_pages - 1 >= vma->vm_pgoff) {
		address = vma->vm_start;
	} else {
		address = -EFAULT;
	}
	return address;
}

unsigned long vma_address(struct page *page, struct vm_area_struct *vma)
{
	VM_BUG_ON_PAGE(PageKsm(page), page);
	return vma_pgoff_address(page_to_pgoff(page), compound_nr(page), vma);
}

/*
 * vma_address() after checking that vma can map the page at all: an anon
 * page only in VMAs of its anon_vma family, a file page only in VMAs of
 * its file.
 */
unsigned long page_address_in_vma(struct page *page,
				  struct vm_area_struct *vma)
{
	struct page *head = compound_head(page);

	if (PageAnon(head)) {
		struct anon_vma *av = page_anon_vma(head);

		if (!vma->anon_vma || !av ||
		    vma->anon_vma->root != av->root)
			return -EFAULT;
	} else if (!vma->vm_file) {
		return -EFAULT;
	} else if (vma->vm_file->f_mapping != head->mapping) {
		return -EFAULT;
	}
	return vma_address(page, vma);
}

/* ---- locking the anon_vma ------------------------------------------------- */

/*
 * The page's anon_vma with its root's rwsem held for reading, or NULL if
 * the page is not anonymous or not mapped (then no anon_vma is
 * guaranteed to be alive).  If the lock is contended the anon_vma is
 * pinned by a reference while the caller sleeps for it, and the
 * reference is dropped once it is held - freeing the anon_vma if it was
 * the last, in which case there is nothing to walk.
 */
struct anon_vma *page_lock_anon_vma_read(struct page *page)
{
	struct page *head = compound_head(page);
	struct anon_vma *av, *root;

	if (!PageAnon(head) || !page_mapped(head))
		return NULL;
	av = page_anon_vma(head);
	if (!av)
		return NULL;
	root = av->root;
	if (down_read_trylock(&root->rwsem)) {
		/* Unmapped meanwhile: the anon_vma may be on its way out. */
		if (!page_mapped(head)) {
			up_read(&root->rwsem);
			return NULL;
		}
		return av;
	}
	if (!atomic_add_unless(&av->refcount, 1, 0))
		return NULL;
	if (!page_mapped(head)) {
		put_anon_vma(av);
		return NULL;
	}
	anon_vma_lock_read(av);
	if (atomic_read(&av->refcount) == 1) {
		/* Ours was the last reference: it must go, unlocked. */
		anon_vma_unlock_read(av);
		put_anon_vma(av);
		return NULL;
	}
	atomic_dec(&av->refcount);
	return av;
}

void page_unlock_anon_vma_read(struct anon_vma *anon_vma)
{
	anon_vma_unlock_read(anon_vma);
}

/*
 * A VM_LOCKED mapping met by a walk: its page must be mlocked, even if
 * the mlock was missed while the page was isolated (mlock_vma_page).
 */
static void restore_mlock(struct page *page, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_LOCKED | VM_IO | VM_PFNMAP)) == VM_LOCKED &&
	    !PageTransCompound(page))
		mlock_page(page);
}

/* ---- the walks ------------------------------------------------------------ */

static bool rmap_walk_visit(struct page *page, struct vm_area_struct *vma,
			    struct rmap_walk_control *rwc, bool *stop)
{
	unsigned long address = vma_address(page, vma);

	VM_BUG_ON(IS_ERR_VALUE(address));
	if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
		return true;
	if (!rwc->rmap_one(page, vma, address, rwc->arg)) {
		*stop = true;
		return false;
	}
	if (rwc->done && rwc->done(page)) {
		*stop = true;
		return false;
	}
	return true;
}

static void rmap_walk_anon(struct page *page, struct rmap_walk_control *rwc,
			   bool locked)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	pgoff_t first, last;
	bool stop = false;

	if (locked)
		av = page_anon_vma(page);
	else
		av = page_lock_anon_vma_read(page);
	if (!av)
		return;
	first = page_to_pgoff(page);
	last = first + compound_nr(page) - 1;
	anon_vma_interval_tree_foreach(avc, av, first, last) {
		if (!rmap_walk_visit(page, avc->vma, rwc, &stop))
			break;
	}
	if (!locked)
		anon_vma_unlock_read(av);
}

static void rmap_walk_file(struct page *page, struct rmap_walk_control *rwc,
			   bool locked)
{
	struct address_space *mapping = page_mapping(page);
	struct vm_area_struct *vma;
	pgoff_t first, last;
	bool stop = false;

	/* The page lock keeps mapping alive (truncation waits for it). */
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!mapping)
		return;
	first = page_to_pgoff(page);
	last = first + compound_nr(page) - 1;
	if (!locked)
		i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, mapping, first, last) {
		if (!rmap_walk_visit(page, vma, rwc, &stop))
			break;
	}
	if (!locked)
		i_mmap_unlock_read(mapping);
}

static void __rmap_walk(struct page *page, struct rmap_walk_control *rwc,
			bool locked)
{
	page = compound_head(page);
	/* KSM pages are not modelled: nothing maps through a stable node. */
	if (unlikely(PageKsm(page)))
		return;
	if (PageAnon(page))
		rmap_walk_anon(page, rwc, locked);
	else
		rmap_walk_file(page, rwc, locked);
}

void rmap_walk(struct page *page, struct rmap_walk_control *rwc)
{
	__rmap_walk(page, rwc, false);
}

void rmap_walk_locked(struct page *page, struct rmap_walk_control *rwc)
{
	__rmap_walk(page, rwc, true);
}

/* ---- finding the PTE ------------------------------------------------------- */

/*
 * The PTE mapping page at address in vma, locked, or NULL if the page is
 * not mapped there (page_vma_mapped_walk for one small page).
 */
static pte_t *page_vma_mapped_pte(struct page *page,
				  struct vm_area_struct *vma,
				  unsigned long address, struct sim_lock **ptlp)
{
	pte_t *ptep = pte_offset_map_lock(vma->vm_mm, address, ptlp);

	if (!ptep)
		return NULL;
	if (!pte_present(*ptep) || pte_pfn(*ptep) != page_to_pfn(page)) {
		pte_unmap_unlock(ptep, *ptlp);
		return NULL;
	}
	return ptep;
}

/* The same for a hugetlb page, mapped by its table's huge entry. */
static struct pte_table *page_vma_mapped_huge(struct page *page,
					      struct vm_area_struct *vma,
					      unsigned long address)
{
	struct pte_table *t = pte_table_lookup(vma->vm_mm, address);

	if (!t || t->page)
		return NULL;
	spin_lock(&t->ptl);
	if (!pte_present(t->pmd_huge) ||
	    pte_pfn(t->pmd_huge) != page_to_pfn(page)) {
		spin_unlock(&t->ptl);
		return NULL;
	}
	return t;
}

static bool page_not_mapped(struct page *page)
{
	return !page_mapped(page);
}

/* ---- try_to_unmap ---------------------------------------------------------- */

/*
 * A hugetlb page is only ever unmapped because it is poisoned
 * (memory_failure, with the rmap lock held): its huge entry becomes a
 * hwpoison entry.  hugetlb pages are not counted in rss_stat.
 */
static bool try_to_unmap_one_huge(struct page *page,
				  struct vm_area_struct *vma,
				  unsigned long address, enum ttu_flags flags)
{
	struct pte_table *t = page_vma_mapped_huge(page, vma, address);

	if (!t)
		return true;
	if ((!(flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED)) ||
	    !PageHWPoison(page) || (flags & TTU_IGNORE_HWPOISON)) {
		spin_unlock(&t->ptl);
		return false;
	}
	/* The data written through the entry lives in the page only now. */
	if (pte_dirty(t->pmd_huge))
		SetPageDirty(page);
	t->pmd_huge = swp_entry_to_pte(make_hwpoison_entry(page));
	/* A PMD mapping: the compound map count (page_remove_rmap(, true)). */
	atomic_add_negative(-1, compound_mapcount_ptr(page));
	spin_unlock(&t->ptl);
	put_page(page);
	return true;
}

/*
 * Replace one mapping of page (try_to_unmap_one).  What goes in place of
 * the PTE:
 *  - a hwpoison entry for a PageHWPoison page (unless
 *    TTU_IGNORE_HWPOISON); its rss counter drops and nothing counts the
 *    entry;
 *  - the swap entry of an anonymous page in the swap cache, which takes
 *    a reference on the slot (MM_ANONPAGES -> MM_SWAPENTS);
 *  - nothing for a file page (it can be found again in the page cache).
 * An anonymous page without a slot cannot be unmapped (its data would be
 * lost), nor can a mapping in a VM_LOCKED VMA without TTU_IGNORE_MLOCK:
 * the walk stops there and the page stays mapped, as in the kernel.
 */
static bool try_to_unmap_one(struct page *page, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	enum ttu_flags flags = (enum ttu_flags)(uintptr_t)arg;
	struct mm_struct *mm = vma->vm_mm;
	struct sim_lock *ptl;
	swp_entry_t entry = { 0 };
	bool hwpoison, anon;
	pte_t *ptep, pteval;

	if (PageHuge(page))
		return try_to_unmap_one_huge(page, vma, address, flags);
	ptep = page_vma_mapped_pte(page, vma, address, &ptl);
	if (!ptep)
		return true;

	if (!(flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED)) {
		restore_mlock(page, vma);
		pte_unmap_unlock(ptep, ptl);
		return false;
	}

	hwpoison = PageHWPoison(page) && !(flags & TTU_IGNORE_HWPOISON);
	anon = PageAnon(page);
	if (anon && !hwpoison) {
		if (!PageSwapCache(page) || !PageSwapBacked(page) ||
		    swap_duplicate(page_swap_entry(page)) < 0) {
			pte_unmap_unlock(ptep, ptl);
			return false;
		}
		entry = page_swap_entry(page);
	}

	pteval = ptep_get_and_clear(mm, address, ptep);
	/* The data written through this PTE now lives in the page only. */
	if (pte_dirty(pteval))
		set_page_dirty(page);

	if (hwpoison) {
		dec_mm_counter(mm, mm_counter(page));
		set_pte_at(mm, address, ptep,
			   swp_entry_to_pte(make_hwpoison_entry(page)));
	} else if (anon) {
		/*
		 * An exclusive page leaves an exclusive swap PTE: swap-in may
		 * map it exclusive again (6.1's _PAGE_SWP_EXCLUSIVE).  The
		 * page itself is shared with the swap cache from now on.
		 */
		pte_t swp_pte = swp_entry_to_pte(entry);

		if (PageAnonExclusive(page))
			swp_pte = pte_swp_mkexclusive(swp_pte);
		ClearPageAnonExclusive(page);
		dec_mm_counter(mm, MM_ANONPAGES);
		inc_mm_counter(mm, MM_SWAPENTS);
		set_pte_at(mm, address, ptep, swp_pte);
	} else {
		dec_mm_counter(mm, mm_counter_file(page));
	}
	page_remove_rmap(page, vma);
	pte_unmap_unlock(ptep, ptl);
	/* The mapping's reference; the caller holds another. */
	put_page(page);
	return true;
}

void try_to_unmap(struct page *page, enum ttu_flags flags)
{
	struct rmap_walk_control rwc = {
		.arg = (void *)(uintptr_t)flags,
		.rmap_one = try_to_unmap_one,
		.done = page_not_mapped,
	};

	page = compound_head(page);
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (flags & TTU_RMAP_LOCKED)
		rmap_walk_locked(page, &rwc);
	else
		rmap_walk(page, &rwc);
}

/* ---- page_referenced ----------------------------------------------------- */

struct page_referenced_arg {
	int mapcount;		/* mappings left to find */
	int referenced;
	unsigned long vm_flags;
};

static bool page_referenced_one(struct page *page, struct vm_area_struct *vma,
				unsigned long address, void *arg)
{
	struct page_referenced_arg *pra = arg;
	struct sim_lock *ptl;
	pte_t *ptep;
	bool young;

	if (PageHuge(page))
		return true;
	ptep = page_vma_mapped_pte(page, vma, address, &ptl);
	if (!ptep)
		return true;
	if (vma->vm_flags & VM_LOCKED) {
		restore_mlock(page, vma);
		pte_unmap_unlock(ptep, ptl);
		pra->vm_flags |= VM_LOCKED;
		return false;
	}
	young = pte_young(*ptep);
	if (young)
		set_pte_at(vma->vm_mm, address, ptep, pte_mkold(*ptep));
	pte_unmap_unlock(ptep, ptl);

	if (young) {
		pra->referenced++;
		pra->vm_flags |= vma->vm_flags & ~VM_LOCKED;
	}
	pra->mapcount--;
	return pra->mapcount > 0;
}

int page_referenced(struct page *page, int is_locked,
		    unsigned long *vm_flags)
{
	struct page_referenced_arg pra = {
		.mapcount = total_mapcount(page),
	};
	struct rmap_walk_control rwc = {
		.arg = &pra,
		.rmap_one = page_referenced_one,
	};
	bool we_locked = false;

	*vm_flags = 0;
	page = compound_head(page);
	if (!pra.mapcount)
		return 0;
	if (!is_locked && !PageAnon(page)) {
		we_locked = trylock_page(page);
		if (!we_locked)
			return 1;
	}
	rmap_walk(page, &rwc);
	*vm_flags = pra.vm_flags;
	if (we_locked)
		unlock_page(page);
	return pra.referenced;
}

/* ---- page_mkclean ---------------------------------------------------------- */

static bool page_mkclean_one(struct page *page, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	int *cleaned = arg;
	struct sim_lock *ptl;
	pte_t *ptep;

	ptep = page_vma_mapped_pte(page, vma, address, &ptl);
	if (!ptep)
		return true;
	if (pte_dirty(*ptep) || pte_write(*ptep)) {
		set_pte_at(vma->vm_mm, address, ptep,
			   pte_wrprotect(pte_mkclean(*ptep)));
		(*cleaned)++;
	}
	pte_unmap_unlock(ptep, ptl);
	return true;
}

static bool invalid_mkclean_vma(struct vm_area_struct *vma, void *arg)
{
	(void)arg;
	return !(vma->vm_flags & VM_SHARED);
}

/*
 * Write-protect and clean every shared mapping of a locked file page, so
 * the next store faults and dirties the page again (folio_mkclean).
 * Returns how many PTEs were dirty or writable.
 */
int page_mkclean(struct page *page)
{
	int cleaned = 0;
	struct rmap_walk_control rwc = {
		.arg = &cleaned,
		.rmap_one = page_mkclean_one,
		.invalid_vma = invalid_mkclean_vma,
	};

	page = compound_head(page);
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!page_mapped(page) || !page_mapping(page))
		return 0;
	rmap_walk(page, &rwc);
	return cleaned;
}
