/*
 * fs.h - files, inodes, the page cache and writeback.
 *
 * A super_block is a mounted file system on a simulated block device
 * (dev_t major:minor, for hwpoison-inject's device filter): "ext4" style
 * (pages written back to the device), "tmpfs" (shmem: swap-backed pages,
 * no device) or "hugetlbfs".  An inode is a file; its on-disk content is
 * kept per page index in inode->disk (sparse: a hole is absent), so data
 * written back survives its page-cache page, and a file read after a
 * lost dirty page shows exactly what the device has.
 *
 * The page cache of an inode is its address_space: i_pages maps index to
 * page (an ordered map, so walks are in index order), i_mmap lists the
 * VMAs mapping the file (in insertion order; the kernel's interval tree
 * is walked with the same range filter), and wb_err is the errseq_t that
 * reports writeback errors - including the loss of a dirty page to a
 * memory error - to every open file once (fsync, msync).  The older
 * behaviour, an AS_EIO flag that the first caller to look clears for
 * everybody (seed 002: "a misplaced sync from another process can suck up
 * the IO error"), is the policy switch fsync_errors=as_eio.
 *
 * Writeback: writing a dirty page sets PG_writeback and queues it on the
 * device; the write completes after the device's latency in virtual time
 * (a timer: end_page_writeback clears the bit, wakes waiters and stores
 * the content on the device).  A flusher (a kernel fiber) writes back
 * pages dirty for longer than dirty_expire.
 *
 * Locks: inode->i_rwsem > page lock > i_mmap_rwsem > i_pages lock.
 */
#ifndef HWPSIM_MM_FS_H
#define HWPSIM_MM_FS_H

#include <glib.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sim/lock.h"
#include "mm-model/mm.h"

typedef u32 errseq_t;
typedef unsigned short umode_t;

#define MAJOR(dev)	((unsigned int)((dev) >> 20))
#define MINOR(dev)	((unsigned int)((dev) & 0xfffff))
#define MKDEV(ma, mi)	(((dev_t)(ma) << 20) | (dev_t)(mi))

/* mapping->flags */
enum mapping_flags {
	AS_EIO = 0,		/* IO error on async write */
	AS_ENOSPC = 1,
	AS_UNEVICTABLE = 3,	/* e.g. ramdisk, SHM_LOCK */
};

enum fs_type {
	FS_DISK,		/* a block-device file system */
	FS_TMPFS,		/* shmem: swap-backed */
	FS_HUGETLBFS,
};

struct super_block {
	dev_t s_dev;
	char s_id[32];			/* "sda1" */
	enum fs_type type;
	uint64_t wb_latency_ns;		/* one page write to the device */
	uint64_t dirty_expire_ns;	/* flusher writes older dirty pages */
	struct list_head s_inodes;
	struct list_head s_list;	/* in the machine's list */
	errseq_t s_wb_err;		/* every writeback error (syncfs) */
};

struct address_space;
struct file;

struct address_space_operations {
	/* Start writing one locked dirty page; it unlocks it. */
	int (*writepage)(struct page *page);
	/* Mark the page dirty (set_page_dirty). */
	bool (*dirty_folio)(struct address_space *mapping, struct page *page);
	/* Bring a locked page up to date from the device. */
	int (*read_folio)(struct file *file, struct page *page);
	/* memory_failure's hook: take a poisoned page out (truncate). */
	int (*error_remove_page)(struct address_space *mapping,
				 struct page *page);
	/* Migration (soft offline); NULL: not migratable. */
	int (*migrate_folio)(struct address_space *mapping,
			     struct page *dst, struct page *src);
};

struct address_space {
	struct inode *host;
	GTree *i_pages;			/* pgoff_t index -> struct page */
	struct sim_lock i_pages_lock;	/* spinlock "i_pages lock" */
	unsigned long nrpages;
	struct list_head i_mmap;	/* VMAs, vm_area_struct.shared */
	struct sim_lock i_mmap_rwsem;	/* rw_semaphore "i_mmap_rwsem" */
	unsigned long i_mmap_count;
	unsigned long flags;		/* AS_* bits */
	errseq_t wb_err;
	const struct address_space_operations *a_ops;
	struct sim_lock invalidate_lock;/* rw_semaphore */
	unsigned long nr_dirty;		/* model: dirty pages */
};

struct inode {
	unsigned long i_ino;
	umode_t i_mode;
	loff_t i_size;
	struct super_block *i_sb;
	struct address_space *i_mapping;	/* == &i_data */
	struct address_space i_data;
	struct sim_lock i_rwsem;	/* rw_semaphore "i_rwsem" */
	GTree *disk;			/* index -> GBytes on the device */
	char *name;			/* path, for reports */
	atomic_t i_count;
	struct list_head i_sb_list;
	/*
	 * Links from a directory: 0 for an unlinked tmpfs file (SysV shm,
	 * MAP_SHARED|MAP_ANONYMOUS), which is evicted with its pages when
	 * the last reference goes; a disk file stays, cached, at i_count 0.
	 */
	unsigned int i_nlink;
	unsigned long i_state;		/* I_DIRTY_PAGES */
	uint64_t dirtied_when;		/* virtual ns it became dirty */
};

#define I_DIRTY_PAGES	(1UL << 2)

#define O_RDONLY	00
#define O_WRONLY	01
#define O_RDWR		02
#define O_DIRECT	040000
#ifndef O_ACCMODE
#define O_ACCMODE	03
#endif

struct file {
	struct inode *f_inode;
	struct address_space *f_mapping;
	unsigned int f_flags;
	loff_t f_pos;
	errseq_t f_wb_err;		/* the errseq value last seen */
	atomic_t f_count;
	struct sim_lock f_lock;		/* spinlock "f_lock": f_wb_err */
};

/* errseq (lib/errseq.c). */
errseq_t errseq_set(errseq_t *eseq, int err);
errseq_t errseq_sample(errseq_t *eseq);
int errseq_check(errseq_t *eseq, errseq_t since);
int errseq_check_and_advance(errseq_t *eseq, errseq_t *since);

/* Record a writeback error on a mapping (both errseq and AS_* flags). */
void mapping_set_error(struct address_space *mapping, int error);
/* The legacy check: returns -EIO once and clears AS_EIO for everybody. */
int filemap_check_errors(struct address_space *mapping);
int file_check_and_advance_wb_err(struct file *file);

/* File systems and files. */
struct super_block *mount_fs(const char *id, enum fs_type type,
			     unsigned int major, unsigned int minor);
struct inode *fs_create(struct super_block *sb, const char *name);
struct file *filp_open(struct inode *inode, unsigned int flags);
void fput(struct file *file);
void iput(struct inode *inode);

/*
 * read(2)/write(2) and friends.  Return bytes or a negative errno: -EIO
 * for a poisoned page-cache page (and for a file whose dirty data was
 * lost, on write-back paths), -EHWPOISON where the policy models
 * machine-check-safe copies.  They take the locks the kernel takes.
 * pos NULL reads or writes at file->f_pos and advances it (read(2),
 * write(2)); a caller's pos is pread(2)/pwrite(2) and leaves f_pos.
 * O_DIRECT wants pos and count page aligned (-EINVAL otherwise) and goes
 * to the device, writing back and dropping cached pages of the range.
 */
ssize_t vfs_read(struct file *file, void *buf, size_t count, loff_t *pos);
ssize_t vfs_write(struct file *file, const void *buf, size_t count,
		  loff_t *pos);
int vfs_fsync(struct file *file);
int vfs_truncate(struct inode *inode, loff_t size);
int vfs_punch_hole(struct inode *inode, loff_t offset, loff_t len);

/* The page cache (mm/filemap.c). */
struct page *find_get_page(struct address_space *mapping, pgoff_t index);
struct page *find_lock_page(struct address_space *mapping, pgoff_t index);
/* Find or create and read in; returned locked and referenced. */
struct page *filemap_get_locked_page(struct file *file, pgoff_t index,
				     int *err);
int add_to_page_cache_lru(struct page *page, struct address_space *mapping,
			  pgoff_t index);
void delete_from_page_cache(struct page *page);
/* truncate.c: drop one locked page from its file (memory_failure). */
int truncate_inode_page(struct address_space *mapping, struct page *page);
long invalidate_inode_page(struct page *page);
int generic_error_remove_page(struct address_space *mapping,
			      struct page *page);
bool set_page_dirty(struct page *page);
bool clear_page_dirty_for_io(struct page *page);
void cancel_dirty_page(struct page *page);

/* Writeback. */
int write_one_page(struct page *page);	/* locked dirty page */
void end_page_writeback(struct page *page);
void wait_on_page_writeback(struct page *page);
int filemap_write_and_wait_range(struct address_space *mapping,
				 loff_t start, loff_t end);

/* The file part of a fault: find or read the page, locked. */
vm_fault_t filemap_fault(struct vm_area_struct *vma, pgoff_t pgoff,
			 struct page **pagep);

/* i_mmap (the kernel's vma_interval_tree): VMAs mapping a range. */
void vma_interval_tree_insert(struct vm_area_struct *vma,
			      struct address_space *mapping);
void vma_interval_tree_remove(struct vm_area_struct *vma,
			      struct address_space *mapping);
/* Iterate the VMAs of mapping that map pgoff first..last. */
#define vma_interval_tree_foreach(vma, mapping, first, last)		\
	list_for_each_entry(vma, &(mapping)->i_mmap, shared)		\
		if ((vma)->vm_pgoff <= (last) &&				\
		    (vma)->vm_pgoff + vma_pages(vma) - 1 >= (first))

static inline void i_mmap_lock_read(struct address_space *m)
{
	down_read(&m->i_mmap_rwsem);
}
static inline void i_mmap_unlock_read(struct address_space *m)
{
	up_read(&m->i_mmap_rwsem);
}
static inline void i_mmap_lock_write(struct address_space *m)
{
	down_write(&m->i_mmap_rwsem);
}
static inline void i_mmap_unlock_write(struct address_space *m)
{
	up_write(&m->i_mmap_rwsem);
}

/* shmem: a tmpfs file, or a SysV shm segment (a tmpfs inode). */
struct file *shmem_file_setup(const char *name, loff_t size);
bool shmem_mapping(struct address_space *mapping);

/* ---- additions (fs owner) ------------------------------------------- */

/*
 * Page lock and writeback bit (include/linux/pagemap.h).  PG_locked is a
 * sim bit lock of class "PG_locked": taking it is a schedule point and
 * the validator orders it; macros so the site is the caller's.  A page
 * nobody else can see yet (just allocated) is locked with trylock_page,
 * which cannot fail then.
 */
#define lock_page(page)							\
	sim_bit_lock(&compound_head(page)->flags, PG_locked,		\
		     "PG_locked", SIM_HERE)
#define trylock_page(page)						\
	sim_bit_trylock(&compound_head(page)->flags, PG_locked,		\
			"PG_locked", SIM_HERE)
#define unlock_page(page)						\
	((void)sim_bit_unlock(&compound_head(page)->flags, PG_locked,	\
			      "PG_locked", SIM_HERE))
#define folio_lock(folio)	lock_page(&(folio)->page)
#define folio_unlock(folio)	unlock_page(&(folio)->page)

/*
 * Start writing a locked page: set PG_writeback.  Returns whether it was
 * already set (the kernel's __folio_start_writeback).  The IO's
 * completion calls end_page_writeback, which clears it and wakes the
 * waiters; the swap model uses the pair for swap-out as well.
 */
bool set_page_writeback(struct page *page);

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

static inline loff_t i_size_read(const struct inode *inode)
{
	return inode->i_size;
}

static inline void i_size_write(struct inode *inode, loff_t i_size)
{
	inode->i_size = i_size;
}

static inline bool mapping_empty(const struct address_space *mapping)
{
	return mapping->nrpages == 0;
}

/* The mapping's writes reach a device (not tmpfs, not swap). */
static inline bool mapping_can_writeback(const struct address_space *m)
{
	return m && m->host && m->host->i_sb && m->host->i_sb->type == FS_DISK;
}

static inline errseq_t filemap_sample_wb_err(struct address_space *m)
{
	return errseq_sample(&m->wb_err);
}

static inline int filemap_check_wb_err(struct address_space *m,
				       errseq_t since)
{
	return errseq_check(&m->wb_err, since);
}

static inline struct file *get_file(struct file *f)
{
	atomic_inc(&f->f_count);
	return f;
}

static inline void ihold(struct inode *inode)
{
	atomic_inc(&inode->i_count);
}

/*
 * Writeback and truncation beyond the contract above.  Ranges are bytes,
 * end inclusive; LLONG_MAX (or -1 for truncate) means "to the end".
 */
int filemap_fdatawrite_range(struct address_space *mapping, loff_t start,
			     loff_t end);
int file_write_and_wait_range(struct file *file, loff_t start, loff_t end);
void truncate_inode_pages_range(struct address_space *mapping,
				loff_t lstart, loff_t lend);
void truncate_inode_pages(struct address_space *mapping, loff_t lstart);
void truncate_pagecache(struct inode *inode, loff_t newsize);
void truncate_pagecache_range(struct inode *inode, loff_t lstart,
			      loff_t lend);
bool filemap_dirty_folio(struct address_space *mapping, struct page *page);
bool noop_dirty_folio(struct address_space *mapping, struct page *page);

/*
 * Implemented by the process model (mm/memory.c): zap the PTEs of every
 * VMA in mapping->i_mmap mapping file bytes [holebegin, holebegin +
 * holelen) (holelen 0: to the end); even_cows also zaps private COW
 * copies.  unmap_mapping_folio: the same for one locked page cache page.
 * Called with the page lock (folio) or nothing (range) held; they take
 * i_mmap_rwsem for reading and the PTE locks.
 */
void unmap_mapping_range(struct address_space *mapping, loff_t holebegin,
			 loff_t holelen, int even_cows);
void unmap_mapping_folio(struct folio *folio);
/*
 * Implemented by the rmap model (mm/rmap.c, folio_mkclean): write-protect
 * and clean every PTE mapping a locked page; returns how many were dirty.
 * clear_page_dirty_for_io calls it for mapped pages, so a later store
 * through a mapping faults and re-dirties the page.
 */
int page_mkclean(struct page *page);

/*
 * A buffered copy between a page cache frame and a caller's buffer hit a
 * poisoned cache line: the read or write fails with -EIO (as a
 * machine-check-safe copy would), and this hook, when set (the
 * machine-check layer), hears which frame and byte were consumed.
 */
extern void (*fs_copy_mc_hook)(unsigned long pfn, unsigned int bad_off);

/*
 * The "fsync_errors" policy switch: errseq (6.1, every open file sees a
 * writeback error once) or as_eio (the AS_EIO flag of 2009: the first
 * check clears it for everybody).  Registered by mount_fs as well; the
 * CLI calls this up front so --help lists it.
 */
void fs_policy_register(void);
bool fs_errors_legacy(void);
/*
 * The layer's process-wide set-up: the policy switch above and the page
 * cache checks of mm_check_invariants (every page in i_pages points back
 * to its place; nrpages, nr_dirty and I_DIRTY_PAGES agree).  mount_fs
 * calls it; the CLI and the Lua host should call it at start, beside
 * sim_policy_register_engine().  Idempotent.
 */
void fs_init(void);

/*
 * Machine teardown (mm_machine_free, before the page allocator goes):
 * forget writes in flight, drop every page cache page, free inodes and
 * super blocks of the current machine.
 */
void fs_machine_teardown(void);
/* The machine's flusher fiber is running (dirty inodes wait for it). */
bool fs_flusher_active(void);

#endif
