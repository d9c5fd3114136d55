/*
 * fork.c - copying an address space (kernel/fork.c's dup_mm and
 * dup_mmap, mm/memory.c's copy_page_range).
 *
 * The child gets a copy of every VMA but VM_DONTCOPY ones, linked into
 * the same rmap structures as the parent's: file VMAs into i_mmap,
 * anonymous ones into the parent's anon_vmas plus a new anon_vma of their
 * own (anon_vma_fork).  PTEs are copied where a fault could not recreate
 * them - VMAs with anonymous pages; shared file mappings fault back in
 * from the page cache.  A private writable page becomes read-only in
 * both parent and child, so whichever writes first gets its own copy
 * (COW).  Swap entries take another reference on their slot; hwpoison
 * entries are copied as they are, so the child too gets SIGBUS on touch.
 * mlock is not inherited.
 *
 * The parent's mmap_lock is held for write throughout, so its page
 * tables change only under the PTE locks, which are taken per table (the
 * child's, then the parent's, as copy_pte_range nests them).
 */
#include <errno.h>

#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/hugetlb.h"

/* Copy one present PTE; rss counts the child's new mappings. */
static void copy_present_pte(struct vm_area_struct *dst_vma,
			     struct vm_area_struct *src_vma, pte_t *dst_pte,
			     pte_t *src_pte, unsigned long addr, long *rss)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	pte_t pte = *src_pte;
	struct page *page = vm_normal_page(src_vma, addr, pte);

	if (page) {
		get_page(page);
		if (PageAnon(page))
			page_try_dup_anon_rmap(page, src_vma);
		else
			page_dup_file_rmap(page);
		rss[mm_counter(page)]++;
	}
	/* COW: both sides read-only until one of them writes. */
	if (is_cow_mapping(src_vma->vm_flags) && pte_write(pte)) {
		*src_pte = pte_wrprotect(pte);	/* same entry count */
		pte = pte_wrprotect(pte);
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	(void)src_mm;
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
}

/* Copy one swap-type PTE. */
static int copy_nonpresent_pte(struct vm_area_struct *dst_vma,
			       struct vm_area_struct *src_vma, pte_t *dst_pte,
			       pte_t *src_pte, unsigned long addr, long *rss)
{
	pte_t pte = *src_pte;
	swp_entry_t entry = pte_to_swp_entry(pte);

	if (!non_swap_entry(entry)) {
		if (swap_duplicate(entry) < 0)
			return -EIO;
		rss[MM_SWAPENTS]++;
		/* The entry is shared now: exclusive for neither side. */
		if (pte_swp_exclusive(*src_pte)) {
			pte = pte_swp_clear_exclusive(*src_pte);
			*src_pte = pte;
		}
	} else if (is_migration_entry(entry)) {
		struct page *page = pfn_swap_entry_to_page(entry);

		rss[mm_counter(page)]++;
		/* A write migration entry of a COW mapping becomes a read one. */
		if (swp_type(entry) == SWP_MIGRATION_WRITE &&
		    is_cow_mapping(src_vma->vm_flags)) {
			entry = swp_entry(SWP_MIGRATION_READ,
					  swp_offset(entry));
			pte = swp_entry_to_pte(entry);
			*src_pte = pte;
		}
	}
	/* hwpoison entries: copied unchanged. */
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/* The PTEs of [addr, end), inside one table. */
static int copy_pte_range(struct vm_area_struct *dst_vma,
			  struct vm_area_struct *src_vma, unsigned long addr,
			  unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	long rss[NR_MM_COUNTERS] = { 0 };
	struct sim_lock *dst_ptl, *src_ptl;
	pte_t *dst_pte, *src_pte, *orig_dst, *orig_src;
	int ret = 0;

	dst_pte = pte_alloc_map_lock(dst_mm, addr, &dst_ptl);
	if (!dst_pte)
		return -ENOMEM;
	src_pte = pte_offset_map_lock(src_mm, addr, &src_ptl);
	if (!src_pte) {
		pte_unmap_unlock(dst_pte, dst_ptl);
		return 0;
	}
	orig_dst = dst_pte;
	orig_src = src_pte;
	for (; addr < end; addr += PAGE_SIZE, src_pte++, dst_pte++) {
		if (pte_none(*src_pte))
			continue;
		if (pte_present(*src_pte)) {
			copy_present_pte(dst_vma, src_vma, dst_pte, src_pte,
					 addr, rss);
			continue;
		}
		ret = copy_nonpresent_pte(dst_vma, src_vma, dst_pte, src_pte,
					  addr, rss);
		if (ret)
			break;
	}
	pte_unmap_unlock(orig_src, src_ptl);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		add_mm_counter(dst_mm, i, rss[i]);
	pte_unmap_unlock(orig_dst, dst_ptl);
	return ret;
}

/* Does the child need the parent's PTEs, or will faults recreate them? */
static bool vma_needs_copy(struct vm_area_struct *src_vma)
{
	if (src_vma->vm_flags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP))
		return true;
	return src_vma->anon_vma != NULL;
}

static int copy_page_range(struct vm_area_struct *dst_vma,
			   struct vm_area_struct *src_vma)
{
	unsigned long addr = src_vma->vm_start;

	if (!vma_needs_copy(src_vma))
		return 0;
	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst_vma->vm_mm, src_vma->vm_mm,
					       dst_vma, src_vma);
	while (addr < src_vma->vm_end) {
		unsigned long next = MIN((addr & PMD_MASK) + PMD_SIZE,
					 src_vma->vm_end);
		int err;

		if (pte_table_lookup(src_vma->vm_mm, addr)) {
			err = copy_pte_range(dst_vma, src_vma, addr, next);
			if (err)
				return err;
		}
		addr = next;
	}
	return 0;
}

static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt;
	int err = 0;

	mmap_write_lock(oldmm);
	/* The child is not visible yet; its lock orders after the parent's. */
	mmap_write_lock(mm);
	mm->total_vm = oldmm->total_vm;
	mm->mmap_base = oldmm->mmap_base;
	for_each_vma(oldmm, mpnt) {
		struct vm_area_struct *tmp;

		if (mpnt->vm_flags & VM_DONTCOPY) {
			mm->total_vm -= vma_pages(mpnt);
			continue;
		}
		tmp = vm_area_dup(mpnt);
		tmp->vm_mm = mm;
		tmp->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		err = anon_vma_fork(tmp, mpnt);
		if (err) {
			vm_area_free(tmp);
			break;
		}
		if (tmp->vm_file) {
			struct address_space *mapping = tmp->vm_file->f_mapping;

			atomic_inc(&tmp->vm_file->f_count);
			i_mmap_lock_write(mapping);
			vma_interval_tree_insert(tmp, mapping);
			i_mmap_unlock_write(mapping);
		}
		vma_link(mm, tmp);
		err = copy_page_range(tmp, mpnt);
		if (err)
			break;
	}
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	return err;
}

struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();

	mm->owner = tsk;
	if (dup_mmap(mm, oldmm)) {
		/* What was copied is torn down like any address space. */
		mm->owner = NULL;
		mmput(mm);
		return NULL;
	}
	return mm;
}
