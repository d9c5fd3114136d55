/*
 * fault.c - page faults (mm/memory.c's handle_mm_fault and its helpers)
 * and the user access that leads to them.
 *
 * A fault runs with mmap_lock held for read.  It reads the PTE without a
 * lock, decides, prepares what it needs (a page, a copy, a swap-in) with
 * no PTE lock held, then takes the PTE lock and installs the result only
 * if the PTE is still what it read (pte_same); otherwise somebody else
 * handled the fault meanwhile and this one just returns.
 *
 * The places where a memory error surfaces, as in the kernel:
 *   - a hwpoison swap entry (try_to_unmap left it): VM_FAULT_HWPOISON;
 *   - a swap-cache page that is PageHWPoison: VM_FAULT_HWPOISON;
 *   - a page-cache page that filemap_fault returns PageHWPoison;
 *   - a COW copy whose source has a poisoned line: the copy consumes it
 *     and the fault fails with VM_FAULT_HWPOISON (copy_mc semantics);
 *   - a user access to a present PTE of a PageHWPoison page
 *     (follow_page_fault).
 * Every page copy goes through physmem, so no consumption is missed.
 */
#include <errno.h>

#include "mm-model/machine.h"
#include "mm-model/gfp.h"
#include "mm-model/rmap.h"
#include "mm-model/hugetlb.h"

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address;		/* page aligned */
	unsigned long real_address;	/* as faulted */
	unsigned int flags;
	pgoff_t pgoff;			/* in the file, or linear */
	pte_t orig_pte;
	pte_t *pte;
	struct sim_lock *ptl;
	struct page *page;		/* the file page */
	struct page *cow_page;		/* its private copy */
};

static struct physmem *pm(void)
{
	return mm_machine_cur->physmem;
}

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	(void)addr;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO))
		return NULL;
	if (is_zero_pfn(pfn) || !pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

/* A user page for vma, zero-filled (alloc_zeroed_user_highpage_movable). */
static struct page *alloc_zeroed_user_page(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);

	if (page)
		physmem_clear_page(pm(), page_to_pfn(page));
	return page;
}

/* ---- anonymous memory ------------------------------------------------------ */

static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *page;
	pte_t entry;

	/* Shared anonymous memory is shmem: it never gets here. */
	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;

	/* A read maps the shared zero page until the first write. */
	if (!(vmf->flags & FAULT_FLAG_WRITE) && zero_pfn != ~0UL) {
		entry = pte_mkyoung(pfn_pte(zero_pfn, false));
		vmf->pte = pte_alloc_map_lock(mm, vmf->address, &vmf->ptl);
		if (!vmf->pte)
			return VM_FAULT_OOM;
		if (pte_none(*vmf->pte))
			set_pte_at(mm, vmf->address, vmf->pte, entry);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	page = alloc_zeroed_user_page();
	if (!page)
		return VM_FAULT_OOM;
	__SetPageUptodate(page);
	entry = pte_mkyoung(mk_pte(page, vma->vm_flags & VM_WRITE));
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkdirty(entry);

	vmf->pte = pte_alloc_map_lock(mm, vmf->address, &vmf->ptl);
	if (!vmf->pte) {
		put_page(page);
		return VM_FAULT_OOM;
	}
	if (!pte_none(*vmf->pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		put_page(page);
		return 0;
	}
	inc_mm_counter(mm, MM_ANONPAGES);
	page_add_new_anon_rmap(page, vma, vmf->address);
	lru_cache_add_inactive_or_unevictable(page, vma);
	set_pte_at(mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* ---- write protection faults: COW ------------------------------------------ */

/*
 * Copy old (NULL: the zero page) into a new anonymous page and map that
 * instead.  Called without the PTE lock, holding a reference on old.
 */
static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *new;
	unsigned int bad_off;
	pte_t entry;

	if (anon_vma_prepare(vma))
		goto oom;
	new = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!new)
		goto oom;
	if (!old) {
		physmem_clear_page(pm(), page_to_pfn(new));
	} else if (physmem_copy_page(pm(), page_to_pfn(new), page_to_pfn(old),
				     &bad_off)) {
		/*
		 * The source has a poisoned line: the machine-check-safe
		 * copy stopped there.  (The machine-check layer hooks in
		 * here to record the consumption.)
		 */
		put_page(new);
		put_page(old);
		return VM_FAULT_HWPOISON;
	}
	__SetPageUptodate(new);

	vmf->pte = pte_offset_map_lock(mm, vmf->address, &vmf->ptl);
	if (vmf->pte && pte_same(*vmf->pte, vmf->orig_pte)) {
		if (old && !PageAnon(old)) {
			dec_mm_counter(mm, mm_counter_file(old));
			inc_mm_counter(mm, MM_ANONPAGES);
		} else if (!old) {
			inc_mm_counter(mm, MM_ANONPAGES);
		}
		entry = pte_mkyoung(pte_mkdirty(mk_pte(new,
					vma->vm_flags & VM_WRITE)));
		ptep_get_and_clear(mm, vmf->address, vmf->pte);
		page_add_new_anon_rmap(new, vma, vmf->address);
		lru_cache_add_inactive_or_unevictable(new, vma);
		set_pte_at(mm, vmf->address, vmf->pte, entry);
		if (old) {
			page_remove_rmap(old, vma);
			/* The reference of the mapping just replaced. */
			put_page(old);
		}
		new = NULL;
	}
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (new)
		put_page(new);
	if (old)
		put_page(old);
	return 0;
oom:
	if (old)
		put_page(old);
	return VM_FAULT_OOM;
}

/* The PTE becomes writable in place; the PTE lock is held and dropped. */
static vm_fault_t wp_page_reuse(struct vm_fault *vmf)
{
	pte_t entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(vmf->orig_pte)));

	set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * A write to a shared file page mapped read-only (first write after
 * writeback cleaned it): it becomes writable and the page dirty.
 */
static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct page *page)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	vm_fault_t ret = 0;

	get_page(page);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	lock_page(page);
	vmf->pte = pte_offset_map_lock(mm, vmf->address, &vmf->ptl);
	if (vmf->pte && pte_same(*vmf->pte, vmf->orig_pte)) {
		set_pte_at(mm, vmf->address, vmf->pte,
			   pte_mkyoung(pte_mkdirty(pte_mkwrite(vmf->orig_pte))));
	} else {
		ret = VM_FAULT_NOPAGE;
	}
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (!ret)
		set_page_dirty(page);
	unlock_page(page);
	put_page(page);
	return ret;
}

/*
 * Make the page exclusive to vma's anon_vma: it is about to be written
 * in place by its only user.
 */
static void page_move_anon_rmap(struct page *page, struct vm_area_struct *vma)
{
	page->mapping = (struct address_space *)
		((unsigned long)vma->anon_vma | PAGE_MAPPING_ANON);
	SetPageAnonExclusive(page);
}

/* Entered with the PTE lock held; leaves with it dropped. */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct page *page = vm_normal_page(vma, vmf->address, vmf->orig_pte);

	if (page && (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return wp_page_shared(vmf, page);

	if (page && PageAnon(page) && !PageKsm(page)) {
		if (PageAnonExclusive(page))
			return wp_page_reuse(vmf);
		/*
		 * Shared with nobody but possibly the swap cache: write in
		 * place once the swap copy (now stale) is dropped.
		 */
		if (page_count(page) <= 1 + (PageSwapCache(page) ? 1 : 0) &&
		    trylock_page(page)) {
			if (PageSwapCache(page))
				try_to_free_swap(page);
			if (page_count(page) == 1) {
				page_move_anon_rmap(page, vma);
				unlock_page(page);
				return wp_page_reuse(vmf);
			}
			unlock_page(page);
		}
	}
	if (page)
		get_page(page);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf, page);
}

/* ---- swap-type entries ------------------------------------------------------ */

/* Wait for the migration to finish, then let the access retry. */
static void migration_entry_wait(swp_entry_t entry)
{
	struct page *page = pfn_swap_entry_to_page(entry);

	if (!get_page_unless_zero(page))
		return;
	if (PageLocked(page))
		sim_wait_on_bit(&page->flags, PG_locked, "migration",
				SIM_HERE);
	put_page(page);
}

static vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);
	struct page *page;
	vm_fault_t ret = 0;
	bool exclusive;
	int err = 0;
	pte_t pte;

	if (non_swap_entry(entry)) {
		if (is_migration_entry(entry)) {
			migration_entry_wait(entry);
			return 0;
		}
		if (is_hwpoison_entry(entry))
			return VM_FAULT_HWPOISON;
		return VM_FAULT_SIGBUS;
	}

	page = lookup_swap_cache(entry);
	if (!page) {
		page = swapin_readahead(entry, &err);
		if (!page) {
			vmf->pte = pte_offset_map_lock(mm, vmf->address,
						       &vmf->ptl);
			if (vmf->pte) {
				if (pte_same(*vmf->pte, vmf->orig_pte))
					ret = VM_FAULT_OOM;
				pte_unmap_unlock(vmf->pte, vmf->ptl);
			}
			return ret;
		}
		ret = VM_FAULT_MAJOR;
	} else if (PageHWPoison(page)) {
		/* A poisoned dirty swap-cache page kept to kill its users. */
		put_page(page);
		return VM_FAULT_HWPOISON;
	}

	lock_page(page);
	/* Swapped out again, or the slot reused, while we waited? */
	if (!PageSwapCache(page) || page_private(page) != entry.val)
		goto out_page;
	if (PageHWPoison(page)) {
		ret = VM_FAULT_HWPOISON;
		goto out_page;
	}
	if (anon_vma_prepare(vma)) {
		ret = VM_FAULT_OOM;
		goto out_page;
	}
	vmf->pte = pte_offset_map_lock(mm, vmf->address, &vmf->ptl);
	if (!vmf->pte || !pte_same(*vmf->pte, vmf->orig_pte))
		goto out_nomap;
	if (!PageUptodate(page)) {
		ret = VM_FAULT_SIGBUS;
		goto out_nomap;
	}

	/*
	 * As 6.1's do_swap_page: an exclusive swap PTE (the page was ours
	 * alone at swap-out, no fork since) maps the page exclusive again,
	 * and a write fault then writes in place - leaving the page in the
	 * swap cache, now newer than its slot: a dirty swap-cache page.
	 * Otherwise the page is mapped read-only and a write goes through
	 * do_wp_page, which may copy it.
	 */
	inc_mm_counter(mm, MM_ANONPAGES);
	dec_mm_counter(mm, MM_SWAPENTS);
	exclusive = pte_swp_exclusive(vmf->orig_pte);
	swap_free(entry);
	/*
	 * Swap PTEs elsewhere hold no page reference, so only the marker -
	 * or a page no longer in the swap cache with our reference alone -
	 * proves nobody else can reach the page.
	 */
	if (exclusive || (!PageSwapCache(page) && page_count(page) == 1)) {
		pte = mk_pte(page, false);
		if ((vmf->flags & FAULT_FLAG_WRITE) &&
		    (vma->vm_flags & VM_WRITE)) {
			pte = pte_mkdirty(pte_mkwrite(pte));
			vmf->flags &= ~FAULT_FLAG_WRITE;
			SetPageDirty(page);
		}
		SetPageAnonExclusive(page);
	} else {
		pte = mk_pte(page, false);
	}
	/* The lookup's reference becomes the mapping's. */
	vmf->orig_pte = pte_mkyoung(pte);
	set_pte_at(mm, vmf->address, vmf->pte, vmf->orig_pte);
	page_add_anon_rmap(page, vma, vmf->address);
	unlock_page(page);

	/* A write breaks the sharing now, or reuses the page if ours alone. */
	if (vmf->flags & FAULT_FLAG_WRITE) {
		ret |= do_wp_page(vmf);
		if (ret & VM_FAULT_ERROR)
			ret &= VM_FAULT_ERROR;
		return ret;
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return ret;

out_nomap:
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
out_page:
	unlock_page(page);
	put_page(page);
	return ret;
}

/* ---- file-backed memory ------------------------------------------------------ */

/* Get the file page, locked; a poisoned one ends the fault. */
static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = filemap_fault(vmf->vma, vmf->pgoff, &vmf->page);

	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)))
		return ret;
	if (unlikely(PageHWPoison(vmf->page))) {
		struct page *page = vmf->page;
		vm_fault_t poisonret = VM_FAULT_HWPOISON;

		if (ret & VM_FAULT_LOCKED) {
			/* A clean page dropped from the cache: just retry. */
			if (!page_mapped(page) && invalidate_inode_page(page))
				poisonret = VM_FAULT_NOPAGE;
			unlock_page(page);
		}
		put_page(page);
		vmf->page = NULL;
		return poisonret;
	}
	if (!(ret & VM_FAULT_LOCKED))
		lock_page(vmf->page);
	return ret | VM_FAULT_LOCKED;
}

/*
 * Map the fault's page (the private copy if there is one) if the PTE is
 * still none; the page's reference becomes the mapping's.  Returns
 * VM_FAULT_NOPAGE when somebody else mapped something meanwhile.
 */
static vm_fault_t finish_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct page *page = vmf->cow_page ? vmf->cow_page : vmf->page;
	pte_t entry;

	vmf->pte = pte_alloc_map_lock(mm, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_OOM;
	if (!pte_none(*vmf->pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return VM_FAULT_NOPAGE;
	}
	/*
	 * A read maps read-only, so the first write faults (COW for a
	 * private mapping, dirty tracking for a shared one).
	 */
	entry = pte_mkyoung(mk_pte(page, write && (vma->vm_flags & VM_WRITE)));
	if (write)
		entry = pte_mkdirty(entry);
	if (vmf->cow_page) {
		inc_mm_counter(mm, MM_ANONPAGES);
		page_add_new_anon_rmap(page, vma, vmf->address);
		lru_cache_add_inactive_or_unevictable(page, vma);
	} else {
		inc_mm_counter(mm, mm_counter_file(page));
		page_add_file_rmap(page, vma);
	}
	set_pte_at(mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = __do_fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	ret |= finish_fault(vmf);
	unlock_page(vmf->page);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		put_page(vmf->page);
	return ret & ~VM_FAULT_LOCKED;
}

static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;
	unsigned int bad_off;

	if (anon_vma_prepare(vmf->vma))
		return VM_FAULT_OOM;
	vmf->cow_page = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!vmf->cow_page)
		return VM_FAULT_OOM;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		goto uncharge;
	if (physmem_copy_page(pm(), page_to_pfn(vmf->cow_page),
			      page_to_pfn(vmf->page), &bad_off)) {
		ret = VM_FAULT_HWPOISON;
	} else {
		__SetPageUptodate(vmf->cow_page);
		ret |= finish_fault(vmf);
	}
	unlock_page(vmf->page);
	put_page(vmf->page);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		goto uncharge;
	return ret & ~VM_FAULT_LOCKED;
uncharge:
	put_page(vmf->cow_page);
	return ret & ~VM_FAULT_LOCKED;
}

static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = __do_fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	ret |= finish_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		unlock_page(vmf->page);
		put_page(vmf->page);
		return ret & ~VM_FAULT_LOCKED;
	}
	/* fault_dirty_shared_page(): written through the mapping. */
	set_page_dirty(vmf->page);
	unlock_page(vmf->page);
	return ret & ~VM_FAULT_LOCKED;
}

static vm_fault_t do_fault(struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* ---- the fault ----------------------------------------------------------------- */

static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	pte_t entry;

	vmf->orig_pte = mm_pte_peek(mm, vmf->address);
	if (pte_none(vmf->orig_pte))
		return vma_is_anonymous(vmf->vma) ? do_anonymous_page(vmf) :
						    do_fault(vmf);
	if (!pte_present(vmf->orig_pte))
		return do_swap_page(vmf);

	vmf->pte = pte_offset_map_lock(mm, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return 0;
	if (!pte_same(*vmf->pte, vmf->orig_pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	entry = vmf->orig_pte;
	if (vmf->flags & FAULT_FLAG_WRITE) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		entry = pte_mkdirty(entry);
	}
	set_pte_at(mm, vmf->address, vmf->pte, pte_mkyoung(entry));
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			   unsigned int flags)
{
	struct vm_fault vmf = {
		.vma = vma,
		.address = addr & PAGE_MASK,
		.real_address = addr,
		.flags = flags,
		.pgoff = linear_page_index(vma, addr & PAGE_MASK),
	};

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGSEGV;
	if ((flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_WRITE))
		return VM_FAULT_SIGSEGV;
	if (is_vm_hugetlb_page(vma))
		return hugetlb_fault(vma->vm_mm, vma, addr, flags);
	return handle_pte_fault(&vmf);
}

/* ---- user access ------------------------------------------------------------- */

/* How many times an access may find its fault undone before we give up. */
#define FAULT_RETRIES	64

struct page *follow_page_fault(struct task_struct *tsk, unsigned long addr,
			       bool write, vm_fault_t *ret)
{
	struct mm_struct *mm = tsk->mm;
	vm_fault_t fault = VM_FAULT_SIGSEGV;
	unsigned int flags = FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0);

	if (!mm)
		goto error;
	mmap_read_lock(mm);
	for (int tries = 0; tries < FAULT_RETRIES; tries++) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		struct sim_lock *ptl;
		struct page *page;
		pte_t *pte;

		fault = VM_FAULT_SIGSEGV;
		if (!vma || !(vma->vm_flags & (write ? VM_WRITE :
					       VM_READ | VM_WRITE | VM_EXEC)))
			break;
		/* A hugetlb VMA maps at PMD level (hugetlb.c). */
		if (is_vm_hugetlb_page(vma)) {
			page = hugetlb_follow_page(vma, addr, write, &fault);
			if (page) {
				mmap_read_unlock(mm);
				*ret = 0;
				return page;
			}
			if (fault & VM_FAULT_ERROR)
				break;
			fault = handle_mm_fault(vma, addr, flags);
			if (fault & VM_FAULT_ERROR)
				break;
			continue;
		}
		pte = pte_offset_map_lock(mm, addr, &ptl);
		if (pte && pte_present(*pte) && (!write || pte_write(*pte))) {
			page = vm_normal_page(vma, addr, *pte);
			if (!page)
				page = pfn_to_page(pte_pfn(*pte));
			if (PageHWPoison(page)) {
				pte_unmap_unlock(pte, ptl);
				fault = VM_FAULT_HWPOISON;
				break;
			}
			/* What the MMU does on an access: A and D bits. */
			*pte = pte_mkyoung(write ? pte_mkdirty(*pte) : *pte);
			get_page(page);
			pte_unmap_unlock(pte, ptl);
			mmap_read_unlock(mm);
			*ret = 0;
			return page;
		}
		if (pte)
			pte_unmap_unlock(pte, ptl);
		fault = handle_mm_fault(vma, addr, flags);
		if (fault & VM_FAULT_ERROR)
			break;
	}
	mmap_read_unlock(mm);
	if (!(fault & VM_FAULT_ERROR))
		fault = VM_FAULT_SIGBUS;	/* kept failing: give up */
error:
	*ret = fault;
	mm_fault_error(tsk, addr, fault);
	return NULL;
}

bool page_mapped_in_vma(struct page *page, struct vm_area_struct *vma)
{
	unsigned long addr;
	pte_t pte;

	if (PageHuge(page))
		return hugetlb_page_mapped_in_vma(page, vma);
	if (PageAnon(page)) {
		if (!vma->anon_vma)
			return false;
	} else if (!vma->vm_file || page->mapping != vma->vm_file->f_mapping) {
		return false;
	}
	if (page->index < vma->vm_pgoff ||
	    page->index >= vma->vm_pgoff + vma_pages(vma))
		return false;
	addr = vma->vm_start + ((page->index - vma->vm_pgoff) << PAGE_SHIFT);
	pte = mm_pte_peek(vma->vm_mm, addr);
	return pte_present(pte) && pte_pfn(pte) == page_to_pfn(page);
}
