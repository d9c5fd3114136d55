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
};

#define O_RDONLY	00
#define O_WRONLY	01
#define O_RDWR		02
#define O_DIRECT	040000

struct file {
	struct inode *f_inode;
	struct address_space *f_mapping;
	unsigned int f_flags;
	loff_t f_pos;
	errseq_t f_wb_err;		/* the errseq value last seen */
	atomic_t f_count;
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

#endif
