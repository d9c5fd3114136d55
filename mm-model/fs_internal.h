/*
 * fs_internal.h - what the file system files of mm-model share
 * (fs.c, filemap.c, truncate.c, writeback.c, shmem.c).  Not for other
 * layers: they use fs.h.
 */
#ifndef HWPSIM_MM_FS_INTERNAL_H
#define HWPSIM_MM_FS_INTERNAL_H

#include "mm-model/fs.h"
#include "mm-model/gfp.h"
#include "mm-model/machine.h"

/*
 * Per-machine file system state, kept beside the machine (the machine
 * structure is the process model's): the flusher and the writes in
 * flight, so teardown can forget them, and the internal tmpfs mount that
 * SysV shm and shared anonymous mappings live on.
 */
struct fs_machine {
	struct mm_machine *m;
	struct sim_fiber *flusher;	/* running flusher, or NULL */
	GQueue inflight;		/* struct wb_io, oldest first */
	struct super_block *shm_mnt;	/* "tmpfs" for shmem_file_setup */
};

struct fs_machine *fs_machine(void);

static inline struct physmem *fs_physmem(void)
{
	return mm_machine_cur->physmem;
}

static inline struct sim *fs_sim(void)
{
	return mm_machine_cur->sim;
}

/* True inside a fiber: IO can take time and callers can wait for it. */
static inline bool fs_in_fiber(void)
{
	struct sim *s = fs_sim();

	return s && sim_current(s);
}

/* The index -> page ordering of i_pages and inode->disk. */
gint fs_index_cmp(gconstpointer a, gconstpointer b, gpointer unused);
#define INDEX_KEY(i)	GSIZE_TO_POINTER((gsize)(i))
#define KEY_INDEX(k)	((pgoff_t)GPOINTER_TO_SIZE(k))

/* The device (fs.c): whole pages, NULL for a hole. */
GBytes *fs_disk_lookup(struct inode *inode, pgoff_t index);
void fs_disk_store(struct inode *inode, pgoff_t index, GBytes *bytes);
void fs_disk_drop_from(struct inode *inode, pgoff_t index);
/* Zero bytes [off, off + len) of one device page, if it has one. */
void fs_disk_zero(struct inode *inode, pgoff_t index, unsigned int off,
		  unsigned int len);

/* filemap.c */
unsigned int find_get_pages_range(struct address_space *mapping,
				  pgoff_t *start, pgoff_t end,
				  unsigned int nr, struct page **pages);
int filemap_migrate_folio(struct address_space *mapping, struct page *dst,
			  struct page *src);
struct page *page_cache_alloc(struct address_space *mapping);
int filemap_read_page(struct file *file, struct address_space *mapping,
		      struct page *page);
void filemap_remove_page(struct page *page);
int zero_page_range(struct page *page, unsigned int off, unsigned int len);
/* A copy touched poison: tell the hook and return -EIO. */
int fs_copy_failed(struct page *page, unsigned int bad_off);

/* writeback.c */
void wb_kick_flusher(struct inode *inode);
void wb_forget_inflight(struct fs_machine *fsm);
int disk_writepage(struct page *page);
int __filemap_fdatawrite_range(struct address_space *mapping, loff_t start,
			       loff_t end);
void __filemap_fdatawait_range(struct address_space *mapping, loff_t start,
			       loff_t end);

/* truncate.c */
int truncate_inode_folio(struct address_space *mapping, struct folio *folio);

/* shmem.c */
extern const struct address_space_operations shmem_aops;
extern const struct address_space_operations hugetlbfs_aops;
struct super_block *shmem_kern_mount(void);

/* fs.c */
extern const struct address_space_operations disk_aops;
void fs_inode_evict(struct inode *inode);

#endif
