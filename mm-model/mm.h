/*
 * mm.h - address spaces: mm_struct, VMAs, page tables, faults.
 *
 * The shapes follow include/linux/mm_types.h and mm.h of Linux 6.1, cut
 * down to what memory-failure handling and the scenarios need.
 *
 * Page tables.  An mm's page tables are PTE tables of PTRS_PER_PTE entries
 * each covering PMD_SIZE (2 MiB), kept in an ordered map from the PMD
 * index (addr >> PMD_SHIFT) to the table.  Every PTE table occupies a real
 * page frame from the buddy allocator (PageTable, pt_mm set), so a memory
 * error can hit a page table as it can on a real machine, and has its own
 * split lock "ptl" (class "pte_lock").  The upper levels (PGD, PUD, PMD
 * pages) are not modelled as frames.  A hugetlb mapping is one entry at
 * PMD level (pmd_huge) in place of a PTE table.
 *
 * A PTE is present (pfn and permission bits), none (0), or a swap-type
 * entry (swp_entry_t, swapops below): a real swap slot, a migration entry,
 * or a hwpoison entry left by try_to_unmap() in place of a poisoned page.
 *
 * Locks (mm/rmap.c's order): mmap_lock (rw_semaphore) > page lock >
 * i_mmap_rwsem > anon_vma->rwsem > page_table_lock / pte_lock > swap_lock
 * > i_pages lock > lru_lock.
 */
#ifndef HWPSIM_MM_MM_H
#define HWPSIM_MM_MM_H

#include <glib.h>

#include "sim/lock.h"
#include "mm-model/page.h"

struct file;
struct anon_vma;
struct task_struct;
struct vm_area_struct;
struct address_space;

/* ---- page table entries --------------------------------------------- */

#define PTRS_PER_PTE	512
#define PMD_SHIFT	21
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define HPAGE_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR	(1UL << HPAGE_PMD_ORDER)

typedef struct { unsigned long pte; } pte_t;

/* x86-64 bit positions, for a dump that reads like the real thing. */
#define _PAGE_PRESENT	0x001UL
#define _PAGE_RW	0x002UL
#define _PAGE_USER	0x004UL
#define _PAGE_ACCESSED	0x020UL
#define _PAGE_DIRTY	0x040UL
#define _PAGE_PSE	0x080UL		/* a huge (PMD) mapping */
#define _PAGE_PFN_SHIFT	PAGE_SHIFT
#define _PAGE_PFN_MASK	0x000ffffffffff000UL

static inline pte_t __pte(unsigned long v) { return (pte_t){ v }; }
static inline unsigned long pte_val(pte_t p) { return p.pte; }
static inline bool pte_none(pte_t p) { return p.pte == 0; }
static inline bool pte_present(pte_t p) { return p.pte & _PAGE_PRESENT; }
static inline unsigned long pte_pfn(pte_t p)
{
	return (p.pte & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT;
}
static inline bool pte_write(pte_t p) { return p.pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t p) { return p.pte & _PAGE_DIRTY; }
static inline bool pte_young(pte_t p) { return p.pte & _PAGE_ACCESSED; }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(p.pte | _PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(p.pte | _PAGE_ACCESSED); }
static inline pte_t pte_mkwrite(pte_t p) { return __pte(p.pte | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(p.pte & ~_PAGE_RW); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(p.pte & ~_PAGE_DIRTY); }
pte_t mk_pte(struct page *page, bool writable);

/* ---- swap-type entries (include/linux/swapops.h) --------------------- */

typedef struct { unsigned long val; } swp_entry_t;

#define MAX_SWAPFILES_SHIFT	5
/* Three bits below the entry in a PTE (see swp_entry_to_pte). */
#define SWP_TYPE_SHIFT		(BITS_PER_LONG - MAX_SWAPFILES_SHIFT - 3)
#define SWP_OFFSET_MASK		((1UL << SWP_TYPE_SHIFT) - 1)
/* Real swap devices use types 0 .. MAX_SWAPFILES - 1. */
#define MAX_SWAPFILES		8
#define SWP_HWPOISON		(MAX_SWAPFILES + 0)
#define SWP_MIGRATION_READ	(MAX_SWAPFILES + 1)
#define SWP_MIGRATION_WRITE	(MAX_SWAPFILES + 2)

static inline swp_entry_t swp_entry(unsigned int type, pgoff_t offset)
{
	return (swp_entry_t){ ((unsigned long)type << SWP_TYPE_SHIFT) |
			      (offset & SWP_OFFSET_MASK) };
}
static inline unsigned int swp_type(swp_entry_t e)
{
	return (unsigned int)(e.val >> SWP_TYPE_SHIFT);
}
static inline pgoff_t swp_offset(swp_entry_t e)
{
	return e.val & SWP_OFFSET_MASK;
}

/*
 * A non-present PTE holding a swap-type entry: bit 0 (present) clear,
 * bit 1 set so the PTE is never "none" (an entry can be all zero: type 0,
 * offset 0), bit 2 the swap PTE's exclusive marker, the entry from bit 3
 * up.  Exclusive (6.1's _PAGE_SWP_EXCLUSIVE) says the page was exclusive
 * to this mapping when it was swapped out, so swap-in may map it
 * exclusive again; fork clears it, since the entry is then shared.
 */
#define _PAGE_SWP_MARK		0x002UL
#define _PAGE_SWP_EXCLUSIVE	0x004UL
#define _PAGE_SWP_SHIFT		3

static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	return __pte((e.val << _PAGE_SWP_SHIFT) | _PAGE_SWP_MARK);
}
static inline swp_entry_t pte_to_swp_entry(pte_t p)
{
	return (swp_entry_t){ p.pte >> _PAGE_SWP_SHIFT };
}
static inline bool pte_swp_exclusive(pte_t p)
{
	return p.pte & _PAGE_SWP_EXCLUSIVE;
}
static inline pte_t pte_swp_mkexclusive(pte_t p)
{
	return __pte(p.pte | _PAGE_SWP_EXCLUSIVE);
}
static inline pte_t pte_swp_clear_exclusive(pte_t p)
{
	return __pte(p.pte & ~_PAGE_SWP_EXCLUSIVE);
}
static inline bool is_swap_pte(pte_t p)
{
	return !pte_none(p) && !pte_present(p);
}
static inline bool non_swap_entry(swp_entry_t e)
{
	return swp_type(e) >= MAX_SWAPFILES;
}
static inline swp_entry_t make_hwpoison_entry(struct page *page)
{
	return swp_entry(SWP_HWPOISON, page_to_pfn(page));
}
static inline bool is_hwpoison_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_HWPOISON;
}
static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ ||
	       swp_type(e) == SWP_MIGRATION_WRITE;
}
static inline unsigned long swp_offset_pfn(swp_entry_t e)
{
	return swp_offset(e);
}

/* ---- page tables --------------------------------------------------- */

/*
 * One PTE table: the entries for PMD_SIZE of address space.  page is its
 * frame (PageTable, page->pt_mm == the mm).  For a hugetlb mapping the
 * table has no frame: pmd_huge holds the entry for the whole 2 MiB.
 */
struct pte_table {
	unsigned long addr;		/* first address it maps */
	struct page *page;		/* the PageTable frame, or NULL */
	struct sim_lock ptl;		/* class "pte_lock" */
	pte_t pmd_huge;			/* present: a huge mapping */
	unsigned int nr_used;		/* entries that are not none */
	pte_t ptes[PTRS_PER_PTE];
};

/* ---- VMAs ---------------------------------------------------------- */

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_PFNMAP	0x00000400UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL
#define VM_MIXEDMAP	0x10000000UL
/*
 * The kernel's VM_MAYWRITE (0x20): a mapping that may become writable.
 * The model has no mprotect, so do_mmap() sets it exactly when VM_WRITE
 * is asked for; is_cow_mapping() reads it.
 */
#define VM_MAYWRITE	0x00000020UL

struct vm_area_struct {
	unsigned long vm_start;		/* first byte */
	unsigned long vm_end;		/* first byte after */
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
	pgoff_t vm_pgoff;		/* file offset of vm_start, in pages */
	struct file *vm_file;		/* NULL for anonymous memory */
	void *vm_private_data;		/* SysV shm: the segment */

	/* Anonymous reverse map (rmap.h): a private mapping's anon pages. */
	struct anon_vma *anon_vma;
	struct list_head anon_vma_chain;	/* anon_vma_chain.same_vma */

	/* In mapping->i_mmap for file mappings (fs.h). */
	struct list_head shared;
	/* In mm->mmap, sorted by vm_start. */
	struct list_head vm_list;
};

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file;
}

static inline bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_HUGETLB;
}

/* ---- mm_struct ------------------------------------------------------ */

enum {
	MM_FILEPAGES,
	MM_ANONPAGES,
	MM_SWAPENTS,
	MM_SHMEMPAGES,
	NR_MM_COUNTERS,
};

struct mm_struct {
	unsigned long id;		/* model: creation order, for reports */
	struct list_head mmap;		/* VMAs sorted by vm_start */
	int map_count;
	GTree *pgtables;		/* PMD index -> struct pte_table */
	struct sim_lock mmap_lock;	/* rw_semaphore "mmap_lock" */
	struct sim_lock page_table_lock;/* spinlock "page_table_lock" */
	atomic_t mm_users;		/* tasks using it */
	atomic_t mm_count;		/* references to the struct */
	struct task_struct *owner;
	unsigned long total_vm;
	unsigned long locked_vm;
	unsigned long mmap_base;	/* where the next mmap without a hint goes */
	long rss_stat[NR_MM_COUNTERS];
	struct list_head mmlist;	/* in the machine's list of mms */
};

static inline unsigned long get_mm_counter(struct mm_struct *mm, int member)
{
	return (unsigned long)mm->rss_stat[member];
}

/* mm lifecycle. */
struct mm_struct *mm_alloc(void);
void mmget(struct mm_struct *mm);
void mmput(struct mm_struct *mm);	/* last user: tear everything down */
void mmgrab(struct mm_struct *mm);
void mmdrop(struct mm_struct *mm);

/* VMAs.  Callers hold mmap_lock (write for changes, read for lookups). */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
#define for_each_vma(mm, vma) \
	list_for_each_entry(vma, &(mm)->mmap, vm_list)

/*
 * Mapping and unmapping (mm/mmap.c).  Addresses are page aligned; addr 0
 * means "pick one".  prot is VM_READ|VM_WRITE|VM_EXEC, flags VM_SHARED,
 * VM_LOCKED, VM_HUGETLB, VM_NORESERVE.  Returns the address, or a
 * negative errno cast to unsigned long (IS_ERR_VALUE).  These take
 * mmap_lock themselves.
 */
unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags, pgoff_t pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
int do_mlock(struct mm_struct *mm, unsigned long start, size_t len,
	     bool lock);
int do_msync(struct mm_struct *mm, unsigned long start, size_t len);
int do_madvise_dontneed(struct mm_struct *mm, unsigned long start,
			size_t len);

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)

/* Page tables.  Callers hold mmap_lock or an rmap lock. */
pte_t *pte_offset_map_lock(struct mm_struct *mm, unsigned long addr,
			   struct sim_lock **ptlp);
pte_t *pte_alloc_map_lock(struct mm_struct *mm, unsigned long addr,
			  struct sim_lock **ptlp);
void pte_unmap_unlock(pte_t *pte, struct sim_lock *ptl);
struct pte_table *pte_table_lookup(struct mm_struct *mm, unsigned long addr);
void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		pte_t pte);
pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
			 pte_t *ptep);
/* The PTE for addr without locking, for dumps and checks: none if absent. */
pte_t mm_pte_peek(struct mm_struct *mm, unsigned long addr);
/* Free every page table of an mm that maps nothing (exit, munmap). */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end);

/*
 * Faults (mm/memory.c).  flags: FAULT_FLAG_WRITE, FAULT_FLAG_USER.
 * Returns 0 or VM_FAULT_* bits; VM_FAULT_HWPOISON carries the size of the
 * poisoned mapping in vmf_hwpoison_lsb for the SIGBUS it leads to.
 */
#define FAULT_FLAG_WRITE	0x01
#define FAULT_FLAG_USER		0x40

typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM		0x000001
#define VM_FAULT_SIGBUS		0x000002
#define VM_FAULT_MAJOR		0x000004
#define VM_FAULT_HWPOISON	0x000010
#define VM_FAULT_HWPOISON_LARGE	0x000020
#define VM_FAULT_SIGSEGV	0x000040
#define VM_FAULT_NOPAGE		0x000100
#define VM_FAULT_LOCKED		0x000200
#define VM_FAULT_ERROR	(VM_FAULT_OOM | VM_FAULT_SIGBUS | \
			 VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON | \
			 VM_FAULT_HWPOISON_LARGE)

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			   unsigned int flags);

/*
 * Get the page behind a user address, faulting it in: what a user access
 * does.  The page comes back referenced; *pte_out, if given, is the PTE.
 * On a fault error the SIGBUS/SIGSEGV has been sent to current (see
 * sched.h, mm_fault_error) and NULL is returned with *ret set.
 */
struct page *follow_page_fault(struct task_struct *tsk, unsigned long addr,
			       bool write, vm_fault_t *ret);

/* fork: copy the address space, COW for private pages (kernel/fork.c). */
struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm);

/* A page's user mapping count changes (rmap.h has the add/remove calls). */
bool page_mapped_in_vma(struct page *page, struct vm_area_struct *vma);

/* ---- additions (process side) ---------------------------------------- */

#ifndef PAGE_ALIGN
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#endif

/* A hugetlb fault's VM_FAULT_HWPOISON_LARGE carries a 2 MiB extent. */
#define HPAGE_PMD_SHIFT		PMD_SHIFT

/* pfn -> PTE, and the index of a PTE inside its table. */
static inline pte_t pfn_pte(unsigned long pfn, bool writable)
{
	return __pte((pfn << _PAGE_PFN_SHIFT) | _PAGE_PRESENT | _PAGE_USER |
		     (writable ? _PAGE_RW : 0));
}
static inline unsigned long pte_index(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}
static inline pte_t pte_mkold(pte_t p) { return __pte(p.pte & ~_PAGE_ACCESSED); }
static inline bool pte_same(pte_t a, pte_t b) { return a.pte == b.pte; }

/* The page of a migration or hwpoison entry. */
static inline struct page *pfn_swap_entry_to_page(swp_entry_t e)
{
	return pfn_to_page(swp_offset_pfn(e));
}

/* COW applies: private and possibly writable (mm/internal.h). */
static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* The linear page index of addr in vma: page->index of what it maps. */
static inline pgoff_t linear_page_index(const struct vm_area_struct *vma,
					unsigned long addr)
{
	return ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/*
 * The struct page a present PTE maps, or NULL for a "special" mapping
 * that has none as far as rmap is concerned: the shared zero page, and
 * VM_PFNMAP / VM_IO ranges.  (mm/memory.c)
 */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);

/* rss accounting (include/linux/mm.h): which counter a page is in. */
static inline int mm_counter_file(struct page *page)
{
	return PageSwapBacked(page) ? MM_SHMEMPAGES : MM_FILEPAGES;
}
static inline int mm_counter(struct page *page)
{
	return PageAnon(page) ? MM_ANONPAGES : mm_counter_file(page);
}
static inline void add_mm_counter(struct mm_struct *mm, int member, long v)
{
	mm->rss_stat[member] += v;
}
static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	mm->rss_stat[member]++;
}
static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	mm->rss_stat[member]--;
}
static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) +
	       get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

/* mmap_lock, by the kernel's names (include/linux/mmap_lock.h). */
#define mmap_read_lock(mm)	down_read(&(mm)->mmap_lock)
#define mmap_read_unlock(mm)	up_read(&(mm)->mmap_lock)
#define mmap_write_lock(mm)	down_write(&(mm)->mmap_lock)
#define mmap_write_unlock(mm)	up_write(&(mm)->mmap_lock)

/* lock_page() and friends are in fs.h (include/linux/pagemap.h). */

/*
 * Fault in [start, start + len) as mlock and MAP_POPULATE do
 * (__mm_populate); errors are ignored, as the kernel's populate does.
 * Takes mmap_lock for read.
 */
void mm_populate(struct mm_struct *mm, unsigned long start,
		 unsigned long len);

/* Where do_mmap() places mappings without an address (bottom up). */
#define TASK_UNMAPPED_BASE	0x10000000UL
#define TASK_SIZE		0x00007ffffffff000UL

/* Number of PTE tables (PageTable frames) of an mm, for checks. */
unsigned long mm_nr_pgtables(struct mm_struct *mm);

/* VMA structs (kernel/fork.c) and linking one into its mm (mm/mmap.c). */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);

/*
 * Remove the PTEs of [start, start + size) in vma (mm/memory.c): pages
 * lose a mapping and a reference, swap entries their slot reference,
 * hwpoison entries just go.  Caller holds mmap_lock (or i_mmap_rwsem).
 */
void zap_page_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long size);
/*
 * Zap what every VMA of mapping maps of file pages [start, start + nr)
 * (nr 0: to the end): truncation and hole punching.  even_cows also
 * removes private COW copies of those pages.  Takes i_mmap_rwsem for
 * read.  unmap_mapping_range() and unmap_mapping_folio() (fs.h) are the
 * byte-range and one-page forms.
 */
void unmap_mapping_pages(struct address_space *mapping, pgoff_t start,
			 pgoff_t nr, bool even_cows);

#endif
