/*
 * mmap.c - address spaces and their VMAs: mm_struct life, mmap, munmap,
 * mlock, msync, madvise(MADV_DONTNEED), and zapping PTEs (the parts of
 * mm/mmap.c, mm/mlock.c, mm/msync.c, mm/madvise.c and mm/memory.c that
 * change what an address space maps).
 *
 * mm->mmap lists the VMAs sorted by address; they never overlap.  The
 * model does not merge neighbours: every mmap() is its own VMA, and only
 * munmap and mlock split them.  Changing the list needs mmap_lock for
 * write; a VMA's range and pgoff also change under its rmap locks
 * (anon_vma and i_mmap), since rmap walkers read them.
 *
 * Tearing a range down follows the kernel's order, which keeps rmap
 * walkers safe: take the VMAs off the list, zap their PTEs, unlink them
 * from the anon_vma and i_mmap trees, free the page tables nobody can
 * reach any more, and only then free the VMAs.
 */
#include <errno.h>
#include <string.h>

#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/hugetlb.h"

/* ---- mm_struct ----------------------------------------------------------- */

static gint pmd_index_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	gsize x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);

	(void)unused;
	return (x > y) - (x < y);
}

struct mm_struct *mm_alloc(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct mm_struct *mm = g_new0(struct mm_struct, 1);

	mm->id = m->next_mm_id++;
	INIT_LIST_HEAD(&mm->mmap);
	mm->pgtables = g_tree_new_full(pmd_index_cmp, NULL, NULL, NULL);
	init_rwsem(&mm->mmap_lock, "mmap_lock");
	spin_lock_init(&mm->page_table_lock, "page_table_lock");
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	mm->mmap_base = TASK_UNMAPPED_BASE;
	list_add_tail(&mm->mmlist, &m->mmlist);
	return mm;
}

void mmget(struct mm_struct *mm)
{
	atomic_inc(&mm->mm_users);
}

void mmgrab(struct mm_struct *mm)
{
	atomic_inc(&mm->mm_count);
}

void mmdrop(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_count))
		return;
	VM_BUG_ON(!list_empty(&mm->mmap));
	VM_BUG_ON(g_tree_nnodes(mm->pgtables) != 0);
	list_del(&mm->mmlist);
	g_tree_destroy(mm->pgtables);
	sim_lock_destroy(&mm->mmap_lock);
	sim_lock_destroy(&mm->page_table_lock);
	g_free(mm);
}

/* ---- VMAs ------------------------------------------------------------------ */

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = g_new0(struct vm_area_struct, 1);

	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->shared);
	INIT_LIST_HEAD(&vma->vm_list);
	return vma;
}

/* A copy of orig that is on no list yet (split, fork). */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = g_memdup2(orig, sizeof(*orig));

	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->shared);
	INIT_LIST_HEAD(&vma->vm_list);
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	g_free(vma);
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, vma)
		if (addr < vma->vm_end)
			return vma;
	return NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma && addr < vma->vm_start)
		return NULL;
	return vma;
}

/* Into mm's sorted list; the caller holds mmap_lock for write. */
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next;

	for_each_vma(mm, next)
		if (next->vm_start > vma->vm_start)
			break;
	/* Before next, or at the tail when the loop ran off the end. */
	list_add_tail(&vma->vm_list, &next->vm_list);
	mm->map_count++;
}

static void vma_unlink_list(struct mm_struct *mm, struct vm_area_struct *vma)
{
	list_del_init(&vma->vm_list);
	mm->map_count--;
}

static void vma_file_link(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;

	i_mmap_lock_write(mapping);
	vma_interval_tree_insert(vma, mapping);
	i_mmap_unlock_write(mapping);
}

static void vma_file_unlink(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;

	i_mmap_lock_write(mapping);
	vma_interval_tree_remove(vma, mapping);
	i_mmap_unlock_write(mapping);
}

/* The VMA goes away for good: its file reference, then the struct. */
static void remove_vma(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
}

/*
 * Split vma at addr; the new VMA is the part below addr (new_below) or
 * the part from addr on, and is returned.  Both halves stay on every
 * rmap structure the original was on.  Caller holds mmap_lock for write.
 */
static struct vm_area_struct *split_vma(struct mm_struct *mm,
					struct vm_area_struct *vma,
					unsigned long addr, bool new_below)
{
	struct vm_area_struct *new = vm_area_dup(vma);
	struct address_space *mapping = NULL;
	pgoff_t delta = (addr - vma->vm_start) >> PAGE_SHIFT;

	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += delta;
	}
	anon_vma_clone(new, vma);
	if (new->vm_file)
		get_file(new->vm_file);

	/* vma_adjust(): rmap walkers must see old or new ranges, whole. */
	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		i_mmap_lock_write(mapping);
		vma_interval_tree_remove(vma, mapping);
	}
	if (vma->anon_vma)
		anon_vma_lock_write(vma->anon_vma);
	if (new_below) {
		vma->vm_start = addr;
		vma->vm_pgoff += delta;
	} else {
		vma->vm_end = addr;
	}
	if (vma->anon_vma)
		anon_vma_unlock_write(vma->anon_vma);
	if (mapping) {
		vma_interval_tree_insert(vma, mapping);
		vma_interval_tree_insert(new, mapping);
		i_mmap_unlock_write(mapping);
	}
	vma_link(mm, new);
	return new;
}

/* Split vma so that one VMA covers exactly its part of [start, end). */
static struct vm_area_struct *isolate_vma_range(struct mm_struct *mm,
						struct vm_area_struct *vma,
						unsigned long start,
						unsigned long end)
{
	if (start > vma->vm_start)
		vma = split_vma(mm, vma, start, false);
	if (end < vma->vm_end)
		vma = split_vma(mm, vma, end, true);
	return vma;
}

/* The VMAs overlapping [start, end), in address order. */
static GPtrArray *vmas_in_range(struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	GPtrArray *v = g_ptr_array_new();
	struct vm_area_struct *vma;

	for_each_vma(mm, vma) {
		if (vma->vm_start >= end)
			break;
		if (vma->vm_end > start)
			g_ptr_array_add(v, vma);
	}
	return v;
}

/* Is [start, end) mapped without holes? */
static bool range_fully_mapped(struct mm_struct *mm, unsigned long start,
			       unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long at = start;

	for_each_vma(mm, vma) {
		if (vma->vm_end <= at)
			continue;
		if (vma->vm_start > at)
			return false;
		at = vma->vm_end;
		if (at >= end)
			return true;
	}
	return at >= end;
}

/* ---- zapping PTEs (mm/memory.c) -------------------------------------------- */

/*
 * Pages unmapped under a PTE lock are released after it is dropped, as
 * the kernel's mmu_gather does after the TLB flush: freeing takes
 * zone->lock and the LRU lock, which need not nest in the PTE lock.
 */
struct mmu_gather {
	GPtrArray *pages;
};

static void tlb_gather_mmu(struct mmu_gather *tlb)
{
	tlb->pages = g_ptr_array_new();
}

static void tlb_finish_mmu(struct mmu_gather *tlb)
{
	for (guint i = 0; i < tlb->pages->len; i++)
		put_page(g_ptr_array_index(tlb->pages, i));
	g_ptr_array_free(tlb->pages, TRUE);
	tlb->pages = NULL;
}

/*
 * What a zap of file pages (truncation) leaves alone: private COW copies
 * unless even_cows, and every page but single_page when that is set.
 * NULL details: zap everything (munmap, exit).
 */
struct zap_details {
	struct page *single_page;
	bool even_cows;
};

static bool zap_skip_page(const struct zap_details *details,
			  struct page *page)
{
	if (!details)
		return false;
	if (details->single_page)
		return page != details->single_page;
	return !details->even_cows && PageAnon(page);
}

static void zap_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			  unsigned long addr, unsigned long end,
			  const struct zap_details *details)
{
	struct mm_struct *mm = vma->vm_mm;
	long rss[NR_MM_COUNTERS] = { 0 };
	struct sim_lock *ptl;
	pte_t *pte = pte_offset_map_lock(mm, addr, &ptl);
	pte_t *start_pte = pte;

	if (!pte)
		return;
	for (; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = *pte;
		swp_entry_t entry;
		struct page *page;

		if (pte_none(ptent))
			continue;
		if (pte_present(ptent)) {
			page = vm_normal_page(vma, addr, ptent);
			if (page && zap_skip_page(details, page))
				continue;
			ptent = ptep_get_and_clear(mm, addr, pte);
			if (!page)
				continue;
			if (!PageAnon(page)) {
				if (pte_dirty(ptent))
					set_page_dirty(page);
				if (pte_young(ptent))
					mark_page_accessed(page);
			}
			rss[mm_counter(page)]--;
			page_remove_rmap(page, vma);
			g_ptr_array_add(tlb->pages, page);
			continue;
		}
		/* Truncation leaves swapped private copies alone too. */
		if (details)
			continue;
		entry = pte_to_swp_entry(ptent);
		if (!non_swap_entry(entry)) {
			rss[MM_SWAPENTS]--;
			free_swap_and_cache(entry);
		} else if (is_migration_entry(entry)) {
			page = pfn_swap_entry_to_page(entry);
			rss[mm_counter(page)]--;
		}
		/* A hwpoison entry just goes: the page is not ours. */
		ptep_get_and_clear(mm, addr, pte);
	}
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		add_mm_counter(mm, i, rss[i]);
	pte_unmap_unlock(start_pte, ptl);
}

static void unmap_page_range(struct mmu_gather *tlb,
			     struct vm_area_struct *vma, unsigned long addr,
			     unsigned long end,
			     const struct zap_details *details)
{
	/* hugetlb: one PMD-level entry per huge page (hugetlb.c). */
	if (is_vm_hugetlb_page(vma)) {
		unmap_hugepage_range(vma, addr, end);
		return;
	}
	while (addr < end) {
		unsigned long next = MIN((addr & PMD_MASK) + PMD_SIZE, end);

		if (pte_table_lookup(vma->vm_mm, addr))
			zap_pte_range(tlb, vma, addr, next, details);
		addr = next;
	}
}

static void zap_vma_range(struct vm_area_struct *vma, unsigned long start,
			  unsigned long size, const struct zap_details *details)
{
	struct mmu_gather tlb;
	unsigned long end = MIN(start + size, vma->vm_end);

	start = MAX(start, vma->vm_start);
	tlb_gather_mmu(&tlb);
	if (start < end)
		unmap_page_range(&tlb, vma, start, end, details);
	tlb_finish_mmu(&tlb);
}

void zap_page_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long size)
{
	zap_vma_range(vma, start, size, NULL);
}

/* The VMAs of mapping over file pages [first, last]: zap those pages. */
static void unmap_mapping_range_tree(struct address_space *mapping,
				     pgoff_t first, pgoff_t last,
				     const struct zap_details *details)
{
	struct vm_area_struct *vma;

	vma_interval_tree_foreach(vma, mapping, first, last) {
		pgoff_t from = MAX(first, vma->vm_pgoff);
		pgoff_t to = MIN(last, vma->vm_pgoff + vma_pages(vma) - 1);

		zap_vma_range(vma, vma->vm_start +
			      ((from - vma->vm_pgoff) << PAGE_SHIFT),
			      (to - from + 1) << PAGE_SHIFT, details);
	}
}

void unmap_mapping_pages(struct address_space *mapping, pgoff_t start,
			 pgoff_t nr, bool even_cows)
{
	struct zap_details details = { .even_cows = even_cows };
	pgoff_t last = start + nr - 1;

	/* nr 0 wraps: to the end of the file. */
	if (last < start)
		last = ~0UL;
	i_mmap_lock_read(mapping);
	unmap_mapping_range_tree(mapping, start, last, &details);
	i_mmap_unlock_read(mapping);
}

void unmap_mapping_range(struct address_space *mapping, loff_t holebegin,
			 loff_t holelen, int even_cows)
{
	pgoff_t start = (pgoff_t)(holebegin >> PAGE_SHIFT);
	pgoff_t nr = (pgoff_t)((holelen + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT);

	unmap_mapping_pages(mapping, start, nr, even_cows);
}

/* Zap every PTE of one locked page-cache page (its COW copies stay). */
void unmap_mapping_folio(struct folio *folio)
{
	struct page *page = &folio->page;
	struct address_space *mapping = page->mapping;
	struct zap_details details = { .single_page = page };

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!mapping)
		return;
	i_mmap_lock_read(mapping);
	unmap_mapping_range_tree(mapping, page->index, page->index, &details);
	i_mmap_unlock_read(mapping);
}

/*
 * Tear down VMAs already off mm's list: zap, unlink from rmap, free the
 * page tables of [floor, ceiling) nobody maps, free the VMAs.
 */
static void unmap_region(struct mm_struct *mm, GPtrArray *vmas,
			 unsigned long floor, unsigned long ceiling)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb);
	for (guint i = 0; i < vmas->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(vmas, i);

		unmap_page_range(&tlb, vma, vma->vm_start, vma->vm_end, NULL);
	}
	tlb_finish_mmu(&tlb);
	for (guint i = 0; i < vmas->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(vmas, i);

		unlink_anon_vmas(vma);
		if (vma->vm_file)
			vma_file_unlink(vma);
		if (vma->vm_flags & VM_LOCKED)
			mm->locked_vm -= vma_pages(vma);
		mm->total_vm -= vma_pages(vma);
	}
	free_pgtables(mm, floor, ceiling);
	for (guint i = 0; i < vmas->len; i++)
		remove_vma(g_ptr_array_index(vmas, i));
}

/* munmap with mmap_lock held for write. */
static int __do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	unsigned long end;
	GPtrArray *vmas;

	if ((start & ~PAGE_MASK) || start > TASK_SIZE ||
	    len > TASK_SIZE - start)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	end = start + len;

	vmas = vmas_in_range(mm, start, end);
	for (guint i = 0; i < vmas->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(vmas, i);

		vma = isolate_vma_range(mm, vma, start, end);
		vma_unlink_list(mm, vma);
		g_ptr_array_index(vmas, i) = vma;
	}
	if (vmas->len)
		unmap_region(mm, vmas, start, end);
	g_ptr_array_free(vmas, TRUE);
	return 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	int ret;

	mmap_write_lock(mm);
	ret = __do_munmap(mm, start, len);
	mmap_write_unlock(mm);
	return ret;
}

/* Last user gone (exit, or the last mmput of a borrowed mm). */
static void exit_mmap(struct mm_struct *mm)
{
	GPtrArray *vmas = g_ptr_array_new();
	struct vm_area_struct *vma, *next;

	mmap_write_lock(mm);
	list_for_each_entry_safe(vma, next, &mm->mmap, vm_list) {
		vma_unlink_list(mm, vma);
		g_ptr_array_add(vmas, vma);
	}
	unmap_region(mm, vmas, 0, TASK_SIZE);
	VM_BUG_ON(g_tree_nnodes(mm->pgtables) != 0);
	mmap_write_unlock(mm);
	g_ptr_array_free(vmas, TRUE);
}

void mmput(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_users))
		return;
	exit_mmap(mm);
	mmdrop(mm);
}

/* ---- mmap ---------------------------------------------------------------- */

#ifndef ALIGN
#define ALIGN(x, a)	(((x) + (a) - 1) & ~((unsigned long)(a) - 1))
#endif

/* Bottom-up first fit from mmap_base, at an align boundary (hugetlb). */
static unsigned long get_unmapped_area(struct mm_struct *mm,
				       unsigned long len, unsigned long align)
{
	unsigned long addr = ALIGN(mm->mmap_base, align);
	struct vm_area_struct *vma;

	for_each_vma(mm, vma) {
		if (vma->vm_end <= addr)
			continue;
		if (addr + len <= vma->vm_start)
			break;
		addr = ALIGN(vma->vm_end, align);
	}
	if (addr + len > TASK_SIZE)
		return (unsigned long)-ENOMEM;
	return addr;
}

unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags, pgoff_t pgoff)
{
	unsigned long vm_flags;
	struct vm_area_struct *vma;

	if (!len || (addr & ~PAGE_MASK))
		return (unsigned long)-EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE || (addr && addr > TASK_SIZE - len))
		return (unsigned long)-ENOMEM;
	if (prot & ~(VM_READ | VM_WRITE | VM_EXEC))
		return (unsigned long)-EINVAL;
	if (flags & ~(VM_SHARED | VM_LOCKED | VM_HUGETLB | VM_NORESERVE))
		return (unsigned long)-EINVAL;
	/*
	 * hugetlb (hugetlb.c): MAP_HUGETLB gets an unlinked hugetlbfs file,
	 * a hugetlbfs file maps huge; both are huge aligned and sized.
	 */
	if ((flags & VM_HUGETLB) || is_file_hugepages(file)) {
		int err;

		if (!file)
			pgoff = 0;
		err = hugetlb_mmap_prepare(&file, addr, &len, pgoff);
		if (err)
			return (unsigned long)err;
		flags |= VM_HUGETLB;
	}

	vm_flags = prot | flags;
	if (vm_flags & VM_SHARED) {
		vm_flags |= VM_MAYSHARE;
		if (file && (file->f_flags & 3) == O_RDONLY) {
			if (vm_flags & VM_WRITE)
				return (unsigned long)-EACCES;
		} else {
			vm_flags |= VM_MAYWRITE;
		}
	} else {
		vm_flags |= VM_MAYWRITE;
	}

	if (vm_flags & VM_HUGETLB) {
		/* hugetlb_mmap_prepare took the file reference already. */
	} else if (file) {
		get_file(file);
	} else if (vm_flags & VM_SHARED) {
		/* Shared anonymous memory is a tmpfs file (shmem_zero_setup). */
		file = shmem_file_setup("dev/zero", (loff_t)len);
		if (!file)
			return (unsigned long)-ENOMEM;
		pgoff = 0;
	}

	mmap_write_lock(mm);
	if (addr) {
		/* An address is a MAP_FIXED request: it replaces what is there. */
		__do_munmap(mm, addr, len);
	} else {
		addr = get_unmapped_area(mm, len, (vm_flags & VM_HUGETLB) ?
					 PMD_SIZE : PAGE_SIZE);
		if (IS_ERR_VALUE(addr)) {
			mmap_write_unlock(mm);
			if (file)
				fput(file);
			return addr;
		}
	}
	vma = vm_area_alloc(mm);
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_file = file;
	vma->vm_pgoff = file ? pgoff : addr >> PAGE_SHIFT;
	if (file)
		vma_file_link(vma);
	vma_link(mm, vma);
	if (vm_flags & VM_HUGETLB)
		hugetlb_vma_mapped(vma);
	mm->total_vm += len >> PAGE_SHIFT;
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	mmap_write_unlock(mm);

	if (vm_flags & VM_LOCKED)
		mm_populate(mm, addr, len);
	return addr;
}

/* ---- populate (mm/gup.c) -------------------------------------------------- */

void mm_populate(struct mm_struct *mm, unsigned long start,
		 unsigned long len)
{
	unsigned long end = start + len, addr = start;

	mmap_read_lock(mm);
	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned int flags = 0;

		if (!vma || vma->vm_start >= end)
			break;
		addr = MAX(addr, vma->vm_start);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
			addr = vma->vm_end;
			continue;
		}
		/* A private writable mapping is populated by write: COW now. */
		if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			flags |= FAULT_FLAG_WRITE;
		for (; addr < MIN(end, vma->vm_end); addr += PAGE_SIZE) {
			pte_t pte = mm_pte_peek(mm, addr);

			if (pte_present(pte) &&
			    (!(flags & FAULT_FLAG_WRITE) || pte_write(pte)))
				continue;
			/* Errors are ignored: the access will fault again. */
			(void)handle_mm_fault(vma, addr, flags);
		}
	}
	mmap_read_unlock(mm);
}

/* ---- mlock (mm/mlock.c) --------------------------------------------------- */

/* mlock_vma_pages_range(): the pages already mapped follow the flag. */
static void mlock_vma_pages_range(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = vma->vm_start;

	while (addr < vma->vm_end) {
		unsigned long next = MIN((addr & PMD_MASK) + PMD_SIZE,
					 vma->vm_end);
		struct sim_lock *ptl;
		pte_t *pte = pte_offset_map_lock(mm, addr, &ptl);
		pte_t *start_pte = pte;

		for (; pte && addr < next; pte++, addr += PAGE_SIZE) {
			struct page *page;

			if (!pte_present(*pte))
				continue;
			page = vm_normal_page(vma, addr, *pte);
			if (!page || PageTransCompound(page))
				continue;
			if (vma->vm_flags & VM_LOCKED)
				mlock_page(page);
			else
				munlock_page(page);
		}
		if (start_pte)
			pte_unmap_unlock(start_pte, ptl);
		addr = next;
	}
}

static void mlock_fixup(struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long start, unsigned long end, bool lock)
{
	unsigned long newflags = lock ? (vma->vm_flags | VM_LOCKED) :
					(vma->vm_flags & ~VM_LOCKED);

	if (newflags == vma->vm_flags)
		return;
	/* Special mappings and hugetlb are never mlocked page by page. */
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_HUGETLB))
		return;
	vma = isolate_vma_range(mm, vma, start, end);
	if (lock)
		mm->locked_vm += vma_pages(vma);
	else
		mm->locked_vm -= vma_pages(vma);
	vma->vm_flags = newflags;
	mlock_vma_pages_range(vma);
}

int do_mlock(struct mm_struct *mm, unsigned long start, size_t len,
	     bool lock)
{
	unsigned long end;
	GPtrArray *vmas;

	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (!len)
		return 0;

	mmap_write_lock(mm);
	if (!range_fully_mapped(mm, start, end)) {
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	vmas = vmas_in_range(mm, start, end);
	for (guint i = 0; i < vmas->len; i++)
		mlock_fixup(mm, g_ptr_array_index(vmas, i), start, end, lock);
	g_ptr_array_free(vmas, TRUE);
	mmap_write_unlock(mm);

	if (lock)
		mm_populate(mm, start, len);
	return 0;
}

/* ---- msync (mm/msync.c) --------------------------------------------------- */

/*
 * fsync of the file range a shared mapping covers: write back and wait,
 * then report the writeback errors this open file has not seen yet
 * (errseq), as file_write_and_wait_range() does.
 */
static int msync_file_range(struct file *file, loff_t start, loff_t end)
{
	int err = filemap_write_and_wait_range(file->f_mapping, start, end);
	int err2 = file_check_and_advance_wb_err(file);

	return err ? err : err2;
}

int do_msync(struct mm_struct *mm, unsigned long start, size_t len)
{
	int unmapped_error = 0, error = -ENOMEM;
	struct vm_area_struct *vma;
	unsigned long end;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;

	mmap_read_lock(mm);
	vma = find_vma(mm, start);
	for (;;) {
		struct file *file;
		loff_t fstart, fend;

		error = -ENOMEM;
		if (!vma)
			break;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		file = vma->vm_file;
		fstart = (loff_t)(start - vma->vm_start) +
			 ((loff_t)vma->vm_pgoff << PAGE_SHIFT);
		fend = fstart + (loff_t)(MIN(end, vma->vm_end) - start) - 1;
		start = vma->vm_end;
		if (file && (vma->vm_flags & VM_SHARED)) {
			get_file(file);
			mmap_read_unlock(mm);
			error = msync_file_range(file, fstart, fend);
			fput(file);
			if (error || start >= end)
				return error ? error : unmapped_error;
			mmap_read_lock(mm);
			vma = find_vma(mm, start);
		} else {
			if (start >= end) {
				error = 0;
				break;
			}
			vma = find_vma(mm, start);
		}
	}
	mmap_read_unlock(mm);
	return error ? error : unmapped_error;
}

/* ---- madvise(MADV_DONTNEED) ------------------------------------------------- */

int do_madvise_dontneed(struct mm_struct *mm, unsigned long start,
			size_t len)
{
	unsigned long end;
	GPtrArray *vmas;
	int err = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	mmap_read_lock(mm);
	if (!range_fully_mapped(mm, start, end))
		err = -ENOMEM;
	vmas = vmas_in_range(mm, start, end);
	for (guint i = 0; i < vmas->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(vmas, i);

		if (vma->vm_flags & (VM_LOCKED | VM_HUGETLB | VM_PFNMAP)) {
			err = -EINVAL;
			break;
		}
		zap_page_range(vma, start, end - start);
	}
	g_ptr_array_free(vmas, TRUE);
	mmap_read_unlock(mm);
	return err;
}
