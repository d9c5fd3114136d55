/*
 * shmem.c - tmpfs: files whose pages only memory and swap back (the
 * kernel's mm/shmem.c, cut down).
 *
 * A tmpfs page is an ordinary page cache page that is PageSwapBacked: it
 * sits on the anonymous LRU lists, there is no device to read it from or
 * write it to, and a page that is not in the cache is a hole that reads
 * as zeros.  SysV shm segments and MAP_SHARED|MAP_ANONYMOUS mappings are
 * unlinked files on the machine's internal tmpfs mount, made by
 * shmem_file_setup; they are freed with their pages when the last file
 * reference goes.
 *
 * Memory errors: tmpfs keeps a poisoned page in the cache on purpose
 * (shmem_error_remove_page does nothing, as 6.1): there is no copy
 * anywhere else, so dropping it would turn lost data into silent zeros.
 * Instead every later read, write or fault of the page fails (-EIO,
 * SIGBUS) until the file is truncated or removed.
 *
 * Not modelled yet: swapping tmpfs pages out (shmem_writepage and swap
 * entries in i_pages); reclaim finds no ->writepage and keeps them.
 */
#include <errno.h>

#include "mm-model/fs_internal.h"

/* A new tmpfs page is a hole: zeros, and up to date as such. */
static int shmem_read_folio(struct file *file, struct page *page)
{
	(void)file;
	physmem_clear_page(fs_physmem(), page_to_pfn(page));
	SetPageUptodate(page);
	return 0;
}

static int shmem_error_remove_page(struct address_space *mapping,
				   struct page *page)
{
	(void)mapping;
	(void)page;
	return 0;
}

const struct address_space_operations shmem_aops = {
	.dirty_folio = noop_dirty_folio,
	.read_folio = shmem_read_folio,
	.error_remove_page = shmem_error_remove_page,
	.migrate_folio = filemap_migrate_folio,
};

/*
 * hugetlbfs, as far as this layer goes: files without a device.  As in
 * 6.1 (hugetlbfs_error_remove_page returns 0) a poisoned huge page stays
 * in the file, so reads and faults keep failing instead of finding a
 * hole.  Huge pages themselves are the hugetlb model's (hugetlb.c).
 */
const struct address_space_operations hugetlbfs_aops = {
	.dirty_folio = noop_dirty_folio,
	.read_folio = shmem_read_folio,
	.error_remove_page = shmem_error_remove_page,
};

bool shmem_mapping(struct address_space *mapping)
{
	return mapping && mapping->a_ops == &shmem_aops;
}

/* The machine's internal tmpfs mount ("shm_mnt"), made on first use. */
struct super_block *shmem_kern_mount(void)
{
	struct fs_machine *fsm = fs_machine();

	if (!fsm->shm_mnt)
		fsm->shm_mnt = mount_fs("shm", FS_TMPFS, 0, 1);
	return fsm->shm_mnt;
}

/*
 * An unlinked tmpfs file of size bytes, open read-write: the object
 * behind a SysV shm segment or a shared anonymous mapping.  The file
 * holds the only reference to its inode.
 */
struct file *shmem_file_setup(const char *name, loff_t size)
{
	struct inode *inode;
	struct file *file;

	if (size < 0)
		return NULL;
	inode = fs_create(shmem_kern_mount(), name);
	inode->i_nlink = 0;
	i_size_write(inode, size);
	file = filp_open(inode, O_RDWR);
	iput(inode);
	return file;
}
