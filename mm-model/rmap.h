/*
 * rmap.h - reverse mappings: from a page to the PTEs that map it.
 *
 * Anonymous pages: page->mapping is the anon_vma (tagged
 * PAGE_MAPPING_ANON) of the VMA that first faulted them in, and
 * page->index their linear offset (vma->vm_pgoff + (addr - vm_start) /
 * PAGE_SIZE).  fork links each child VMA to the parent's anon_vma through
 * an anon_vma_chain and gives it an anon_vma of its own for pages it
 * creates later, as mm/rmap.c's anon_vma_fork does; every anon_vma of a
 * family shares its root's rwsem ("anon_vma->rwsem").  An rmap walk of an
 * anon page locks the root and visits every VMA chained to the page's
 * anon_vma (in chain order) whose range covers page->index.
 *
 * File pages: the VMAs in mapping->i_mmap whose pgoff range covers
 * page->index, under i_mmap_rwsem.
 *
 * try_to_unmap() clears every PTE of a page.  A page that is
 * PageHWPoison is replaced by a hwpoison entry (unless TTU_IGNORE_HWPOISON)
 * so a later access faults with VM_FAULT_HWPOISON; a dirty PTE marks the
 * page dirty; an anon page that is in the swap cache gets its swap entry.
 * A mapping that cannot be removed (mlocked, without TTU_IGNORE_MLOCK)
 * stays, and the caller sees the page still mapped.
 */
#ifndef HWPSIM_MM_RMAP_H
#define HWPSIM_MM_RMAP_H

#include "sim/lock.h"
#include "mm-model/mm.h"

struct anon_vma {
	struct anon_vma *root;
	struct sim_lock rwsem;		/* only the root's is used */
	atomic_t refcount;
	unsigned int degree;		/* VMAs and child anon_vmas */
	struct anon_vma *parent;
	struct list_head rb_root;	/* anon_vma_chain.rb, the VMAs */
	unsigned long id;		/* model: creation order */
};

struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* in vma->anon_vma_chain */
	struct list_head rb;		/* in anon_vma->rb_root */
};

#define anon_vma_interval_tree_foreach(avc, av, first, last)		\
	list_for_each_entry(avc, &(av)->rb_root, rb)			\
		if ((avc)->vma->vm_pgoff <= (last) &&			\
		    (avc)->vma->vm_pgoff + vma_pages((avc)->vma) - 1 >= \
			    (first))

static inline void anon_vma_lock_read(struct anon_vma *av)
{
	down_read(&av->root->rwsem);
}
static inline void anon_vma_unlock_read(struct anon_vma *av)
{
	up_read(&av->root->rwsem);
}
static inline void anon_vma_lock_write(struct anon_vma *av)
{
	down_write(&av->root->rwsem);
}
static inline void anon_vma_unlock_write(struct anon_vma *av)
{
	up_write(&av->root->rwsem);
}

/* Lifecycle (mm/rmap.c). */
int anon_vma_prepare(struct vm_area_struct *vma);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
void put_anon_vma(struct anon_vma *av);

/* Adding and removing mappings; the caller holds the PTE lock. */
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma,
			    unsigned long address);
void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma,
			unsigned long address);
void page_add_file_rmap(struct page *page, struct vm_area_struct *vma);
void page_remove_rmap(struct page *page, struct vm_area_struct *vma);

/* ---- additions (anon_vma side) ---------------------------------------- */

/* A new VMA (split) mapping what src maps: chain it to src's anon_vmas. */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);

static inline void get_anon_vma(struct anon_vma *av)
{
	atomic_inc(&av->refcount);
}

/* An anonymous page's anon_vma, or NULL (also for a KSM page). */
static inline struct anon_vma *page_anon_vma(struct page *page)
{
	return page_anon_vma_raw(page);
}

/*
 * fork copies a PTE: one more mapping of the page.  The anon form also
 * ends the page's exclusivity (PG_anon_exclusive), since parent and child
 * now share it until one of them writes (COW).  Returns 0 (the kernel's
 * -EBUSY case, pinned pages, is not modelled).
 */
static inline void page_dup_file_rmap(struct page *page)
{
	atomic_inc(&page->_mapcount);
}
static inline int page_try_dup_anon_rmap(struct page *page,
					 struct vm_area_struct *src_vma)
{
	(void)src_vma;
	ClearPageAnonExclusive(page);
	atomic_inc(&page->_mapcount);
	return 0;
}

/* Walks. */
struct anon_vma *page_lock_anon_vma_read(struct page *page);
void page_unlock_anon_vma_read(struct anon_vma *anon_vma);
/* Where page would be mapped in vma; -EFAULT if outside it. */
unsigned long page_address_in_vma(struct page *page,
				  struct vm_area_struct *vma);
unsigned long vma_address(struct page *page, struct vm_area_struct *vma);

struct rmap_walk_control {
	void *arg;
	/* Return false to stop the walk. */
	bool (*rmap_one)(struct page *page, struct vm_area_struct *vma,
			 unsigned long addr, void *arg);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
	/* Addition: return true to end the walk early (page_not_mapped). */
	bool (*done)(struct page *page);
};
void rmap_walk(struct page *page, struct rmap_walk_control *rwc);

enum ttu_flags {
	TTU_SPLIT_HUGE_PMD = 0x4,
	TTU_IGNORE_MLOCK = 0x8,
	TTU_SYNC = 0x10,
	TTU_IGNORE_HWPOISON = 0x20,
	TTU_BATCH_FLUSH = 0x40,
	TTU_RMAP_LOCKED = 0x80,	/* the caller holds the rmap lock */
};

/* Unmap the page (a head page for compound) everywhere; the caller holds
 * the page lock.  Afterwards page_mapped() tells whether it worked. */
void try_to_unmap(struct page *page, enum ttu_flags flags);

/* ---- additions (walk side) -------------------------------------------- */

/*
 * page->index in PAGE_SIZE units (include/linux/pagemap.h): a hugetlb
 * page keeps its index in huge-page units, a tail page is its head's
 * index plus its position.
 */
static inline pgoff_t page_to_pgoff(struct page *page)
{
	struct page *head;

	if (PageHeadHuge(page))
		return page->index << compound_order(page);
	if (likely(!PageTail(page)))
		return page->index;
	head = compound_head(page);
	return head->index + (pgoff_t)(page - head);
}

/* rmap_walk with the rmap lock (anon_vma or i_mmap) already held. */
void rmap_walk_locked(struct page *page, struct rmap_walk_control *rwc);

/*
 * How many PTEs mapping the page were young (accessed), clearing the
 * bits (folio_referenced).  *vm_flags collects the flags of the VMAs that
 * referenced it; VM_LOCKED there means a VM_LOCKED VMA maps it (the walk
 * stops at once).  is_locked: the caller holds the page lock.
 */
int page_referenced(struct page *page, int is_locked,
		    unsigned long *vm_flags);
/* page_mkclean() (write-protect and clean shared file PTEs) is declared
 * in fs.h, which calls it; it is implemented with the walks here. */

#endif
