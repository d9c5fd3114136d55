/*
 * hugetlb.h - the hugetlb pool, hugetlbfs and hugetlb mappings (the
 * kernel's include/linux/hugetlb.h and mm/hugetlb.c, for one hstate of
 * 2 MiB pages on x86-64).
 *
 * The pool.  The machine config's hugepages = N sets N pages aside at
 * boot: order-9 compound pages from the buddy allocator whose compound
 * destructor is HUGETLB_PAGE_DTOR, so PageHuge() is true of every one of
 * their 512 struct pages.  A pool page is free (on the free list, count
 * 0, HPageFreed) or in use (on the active list, referenced).  put_page()
 * of the last reference of an in-use page runs free_huge_page() through
 * the destructor and the page goes back to the free list, not to the
 * buddy allocator; dissolve_free_huge_page() is what gives a free huge
 * page back to the buddy allocator as 512 base pages.  Counts and lists
 * are guarded by hugetlb_lock (spinlock "hugetlb_lock").
 *
 * Per huge page state lives where 6.1 keeps it: HPG_* bits in the head's
 * page->private, the raw hwpoison list in the private word of tail page
 * SUBPAGE_INDEX_HWPOISON, the map count of PMD mappings in the first
 * tail's compound_mapcount (hugetlb pages are only ever mapped whole).
 *
 * hugetlbfs.  Files on a FS_HUGETLBFS super block; their page cache holds
 * huge pages indexed in huge-page units (page->index too, as 6.1's
 * hugetlbfs: page_to_pgoff() shifts it).  read(2) copies out of the huge
 * pages (a poisoned huge page reads as EIO, a hole as zeros); write(2) is
 * not supported, as in 6.1 (-EINVAL): hugetlbfs files are written through
 * mappings.  MAP_HUGETLB anonymous mappings and SHM_HUGETLB segments are
 * unlinked files on the machine's internal hugetlbfs mount
 * (hugetlb_file_setup), as the kernel makes them.
 *
 * Mappings.  A hugetlb VMA is 2 MiB aligned in address, length and file
 * offset.  Each 2 MiB of it is one entry at PMD level: the pte_table of
 * that PMD index has no frame (page == NULL) and pmd_huge holds a present
 * entry (_PAGE_PSE set), a hwpoison entry, or none.  Shared mappings map
 * the file's page cache page; private ones map it read-only until the
 * first write copies it (COW), and a private fault on a hole allocates an
 * anonymous huge page (PageAnon, rmap through the VMA's anon_vma,
 * page->index in huge-page units).  Faults on one file index serialise
 * on hugetlb_fault_mutex (mutex "hugetlb_fault_mutex", a small table
 * hashed by inode number and index).  hugetlb pages are not counted in
 * rss_stat.
 *
 * Memory errors.  A hwpoison entry in pmd_huge makes every access of the
 * 2 MiB fault with VM_FAULT_HWPOISON_LARGE (SIGBUS, si_addr_lsb 21); a
 * fault that finds the file's huge page PageHWPoison fails the same way.
 * The raw error list (struct raw_hwp_page) is kept here because free and
 * dissolve need it; hwpoison/memory-failure-hugetlb.c fills it.
 *
 * Not modelled: reservations (every mapping behaves as MAP_NORESERVE: a
 * fault that finds the pool empty gets SIGBUS), subpools, surplus and
 * overcommit pages, gigantic pages, PMD sharing, vmemmap optimisation,
 * hugetlb cgroups, mremap/mprotect of hugetlb VMAs.
 */
#ifndef HWPSIM_MM_HUGETLB_H
#define HWPSIM_MM_HUGETLB_H

#include "mm-model/fs.h"
#include "mm-model/mm.h"

#define HUGETLB_PAGE_ORDER	HPAGE_PMD_ORDER		/* 9 */
#define HPAGE_SHIFT		PMD_SHIFT		/* 21 */
#define HPAGE_SIZE		PMD_SIZE
#define HPAGE_MASK		PMD_MASK
#define pages_per_huge_page()	HPAGE_PMD_NR		/* 512 */

/* Tail page whose private word heads the raw hwpoison list (6.1). */
#define SUBPAGE_INDEX_HWPOISON	4

/* The hstate index of a VM_FAULT_HWPOISON_LARGE (bits 12..15 in 6.1). */
#define VM_FAULT_HINDEX_SHIFT	12
#define VM_FAULT_SET_HINDEX(x)	((vm_fault_t)(x) << VM_FAULT_HINDEX_SHIFT)
#define VM_FAULT_GET_HINDEX(x)	(((vm_fault_t)(x) >> VM_FAULT_HINDEX_SHIFT) & 0xf)

/* How many hugetlb_fault_mutex locks the fault table has. */
#define HUGETLB_FAULT_MUTEXES	4

struct hstate {
	unsigned int order;
	unsigned long max_huge_pages;	/* asked for at boot */
	unsigned long nr_huge_pages;	/* in the pool: free + in use */
	unsigned long free_huge_pages;
	unsigned long nr_dissolved;	/* given back to the buddy allocator */
	unsigned long nr_isolated;	/* taken out whole (hugetlb_poison=whole) */
	struct list_head hugepage_freelist;
	struct list_head hugepage_activelist;
	struct sim_lock hugetlb_lock;	/* spinlock "hugetlb_lock" */
	struct sim_lock fault_mutex[HUGETLB_FAULT_MUTEXES];
	struct super_block *mnt;	/* internal hugetlbfs mount */
};

/* ---- HPG_* flags in the head page's private word (6.1 names) ------- */

enum hugetlb_page_flags {
	HPG_restore_reserve = 0,
	HPG_migratable,
	HPG_temporary,
	HPG_freed,
	HPG_vmemmap_optimized,
	HPG_raw_hwp_unreliable,
};

#define HPAGEFLAG(uname, flag)						\
static inline bool HPage##uname(struct page *page)			\
{ return test_bit(HPG_##flag, &page->private); }			\
static inline void SetHPage##uname(struct page *page)			\
{ set_bit(HPG_##flag, &page->private); }				\
static inline void ClearHPage##uname(struct page *page)		\
{ clear_bit(HPG_##flag, &page->private); }

HPAGEFLAG(Migratable, migratable)
HPAGEFLAG(Freed, freed)
HPAGEFLAG(RawHwpUnreliable, raw_hwp_unreliable)

/* ---- the pool ---------------------------------------------------------- */

/* The current machine's hstate, or NULL if it has no hugetlb pool. */
struct hstate *hstate_cur(void);

/*
 * Boot: set nr huge pages aside (mm_machine_new calls it; 0 makes an
 * empty pool, so hugetlbfs and MAP_HUGETLB still exist).  Registers the
 * "hugetlb" invariant check.  Teardown frees the model's own memory once
 * every task and file is gone.
 */
void hugetlb_init(unsigned long nr);
void hugetlb_machine_teardown(void);

/*
 * A huge page for vma: off the free list, count 1, or NULL when the pool
 * has no (unpoisoned) free page.  Returned not yet HPageMigratable: the
 * fault sets that once the page is mapped or in the page cache.
 */
struct page *alloc_huge_page(struct vm_area_struct *vma, unsigned long addr);
/* The compound destructor: the last reference went, back to the pool. */
void free_huge_page(struct page *page);
/*
 * Give the free huge page holding page back to the buddy allocator: 0
 * if done or page is not (any more) a hugetlb page, -EBUSY if the huge
 * page is in use.  Poisoned subpages (the raw error list) keep
 * PG_hwpoison, so the allocator never hands them out again.
 */
int dissolve_free_huge_page(struct page *page);
/*
 * hugetlb_poison=whole: take a huge page out of the pool for good, all
 * 512 frames with it.  A free page is dequeued and kept with a
 * reference; an in-use one (the caller's reference) stays referenced.
 */
void hugetlb_isolate_hwpoisoned(struct page *head);

/* ---- raw hwpoison records (mm/memory-failure.c's raw_hwp_page) ------ */

struct raw_hwp_page {
	struct raw_hwp_page *next;	/* newest first, as an llist */
	struct page *page;
};

static inline struct raw_hwp_page **raw_hwp_list_head(struct page *hpage)
{
	return (struct raw_hwp_page **)
		&page_private(hpage + SUBPAGE_INDEX_HWPOISON);
}

/* Record page as a raw error page of hpage; false if already there. */
bool hugetlb_raw_hwp_add(struct page *hpage, struct page *page);
bool hugetlb_raw_hwp_contains(struct page *hpage, struct page *page);
unsigned long hugetlb_raw_hwp_count(struct page *hpage);
/*
 * Drop the raw list; with move_flag, set PG_hwpoison on each raw error
 * page first (how dissolve keeps them off the free lists).  Returns the
 * number of records.
 */
unsigned long free_raw_hwp_pages(struct page *hpage, bool move_flag);
/* PG_hwpoison moves from the head to the raw error pages (dissolve). */
void hugetlb_clear_page_hwpoison(struct page *hpage);

/* Is this subpage of a hugetlb page known bad (PG_hwpoison or raw list)? */
bool hugetlb_subpage_hwpoisoned(struct page *page);

/* ---- hugetlbfs ------------------------------------------------------- */

static inline bool is_file_hugepages(const struct file *file)
{
	return file && file->f_inode && file->f_inode->i_sb &&
	       file->f_inode->i_sb->type == FS_HUGETLBFS;
}

/* The machine's internal hugetlbfs mount (MAP_HUGETLB, SHM_HUGETLB). */
struct super_block *hugetlbfs_kern_mount(void);
/* A hugetlbfs mount of its own ("hugetlbfs", dev 0:N). */
struct super_block *hugetlbfs_mount(const char *id, unsigned int minor);
/*
 * An unlinked hugetlbfs file of size bytes (rounded up to huge pages),
 * open read-write: a MAP_HUGETLB mapping's or a SHM_HUGETLB segment's
 * object.  NULL if size is negative.
 */
struct file *hugetlb_file_setup(const char *name, loff_t size);
/* read(2) of a hugetlbfs file (hugetlbfs_read_iter). */
ssize_t hugetlbfs_read(struct file *file, void *buf, size_t count,
		       loff_t *pos);
/* ftruncate(2) (huge-page aligned sizes only) and hole punching. */
int hugetlbfs_truncate(struct inode *inode, loff_t size);
int hugetlbfs_punch_hole(struct inode *inode, loff_t offset, loff_t len);
/* The last reference to an unlinked hugetlbfs inode: drop its pages. */
void hugetlbfs_evict_inode(struct inode *inode);
/* The huge page at huge-page index idx of the file's cache, referenced. */
struct page *hugetlbfs_find_page(struct inode *inode, pgoff_t idx);

/* ---- mappings -------------------------------------------------------- */

/*
 * do_mmap()'s hugetlb step, before the VMA exists: *filep is NULL for a
 * MAP_HUGETLB anonymous mapping (a file is made and returned with its
 * reference) or a hugetlbfs file.  Rounds *len up to huge pages, checks
 * alignment of addr and pgoff.  0 or a negative errno.
 */
int hugetlb_mmap_prepare(struct file **filep, unsigned long addr,
			 unsigned long *len, pgoff_t pgoff);
/* hugetlbfs_file_mmap(): the VMA is linked; a writable mapping grows
 * the file to cover it. */
void hugetlb_vma_mapped(struct vm_area_struct *vma);

/* The fault (mm/hugetlb.c hugetlb_fault); mmap_lock held for read. */
vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long address, unsigned int flags);
/*
 * A user access through a present huge entry (follow_page for hugetlb):
 * the subpage at addr, referenced, or NULL - with *fault set to
 * VM_FAULT_HWPOISON_LARGE when the subpage is bad, else 0 (fault it in).
 */
struct page *hugetlb_follow_page(struct vm_area_struct *vma,
				 unsigned long addr, bool write,
				 vm_fault_t *fault);
/* Remove the entries of [start, end) of a hugetlb VMA (munmap, exit,
 * truncation); caller holds mmap_lock or i_mmap_rwsem. */
void unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end);
/* fork: the child's entries (COW for private mappings). */
int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma);
/* Is the huge page mapped at its place in vma (page_mapped_in_vma)? */
bool hugetlb_page_mapped_in_vma(struct page *page,
				struct vm_area_struct *vma);
/* The huge-page index of addr in vma's file (vma_hugecache_offset). */
static inline pgoff_t vma_hugecache_offset(const struct vm_area_struct *vma,
					   unsigned long addr)
{
	return ((addr - vma->vm_start) >> HPAGE_SHIFT) +
	       (vma->vm_pgoff >> HUGETLB_PAGE_ORDER);
}

#endif
