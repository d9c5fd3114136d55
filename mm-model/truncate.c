/*
 * truncate.c - taking pages out of files (the kernel's mm/truncate.c),
 * and the file operations that need it: truncate(2) and hole punching.
 *
 * Removing a page from the page cache follows one rule: the page is
 * locked, not under writeback, and unmapped first.  The page lock keeps
 * faults from mapping it again meanwhile (they lock the page and re-check
 * page->mapping); waiting for writeback keeps the device's completion
 * from storing a page that is no longer the file's (seed 002: "you can't
 * remove a PG_writeback page from pagecache").  A dirty page's data is
 * simply dropped: that is what truncation means, and what
 * memory_failure() wants for a poisoned page (it records the loss with
 * mapping_set_error first).
 *
 * The device side of truncate and hole punching - freeing the blocks -
 * is done here too, on inode->disk, since the model has no file system
 * code between the VFS and the block device.
 */
#include <errno.h>

#include "mm-model/fs_internal.h"
#include "mm-model/hugetlb.h"

#define PAGEVEC_SIZE	15

static bool mapping_mapped(struct address_space *mapping)
{
	return !list_empty(&mapping->i_mmap);
}

/*
 * Detach a locked page from user space and from its dirty state before
 * it leaves the cache (truncate_cleanup_folio).
 */
static void truncate_cleanup_folio(struct folio *folio)
{
	struct page *page = &folio->page;

	if (page_mapped(page))
		unmap_mapping_folio(folio);
	cancel_dirty_page(page);
	ClearPageMappedToDisk(page);
}

/* -EIO if the page left the mapping meanwhile; it stays locked. */
int truncate_inode_folio(struct address_space *mapping, struct folio *folio)
{
	if (folio->mapping != mapping)
		return -EIO;
	truncate_cleanup_folio(folio);
	filemap_remove_page(&folio->page);
	return 0;
}

int truncate_inode_page(struct address_space *mapping, struct page *page)
{
	VM_BUG_ON_PAGE(PageTail(page), page);
	return truncate_inode_folio(mapping, page_folio(page));
}

/*
 * memory_failure()'s way to get rid of a poisoned page cache page:
 * truncate it, for regular files only.  The file keeps its size; the
 * range reads back from the device.
 */
int generic_error_remove_page(struct address_space *mapping,
			      struct page *page)
{
	VM_BUG_ON_PAGE(PageTail(page), page);
	if (!mapping)
		return -EINVAL;
	if (!S_ISREG(mapping->host->i_mode))
		return -EIO;
	return truncate_inode_folio(mapping, page_folio(page));
}

/*
 * Drop a locked page if nobody uses it: clean, not under writeback, and
 * no reference but the caller's and the cache's (a mapping holds one
 * per PTE).  Returns 1 if dropped, 0 if not.
 */
long invalidate_inode_page(struct page *page)
{
	struct address_space *mapping = page_mapping(page);

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!mapping)
		return 0;
	if (PageDirty(page) || PageWriteback(page))
		return 0;
	if (page_count(page) > 1 + page_has_private(page) + 1)
		return 0;
	if (page_mapped(page))
		return 0;
	filemap_remove_page(page);
	return 1;
}

/* ---- ranges --------------------------------------------------------- */

/*
 * A page only partly inside [lstart, lend]: zero the part inside, or
 * remove it if it is all inside after all.  Locked, referenced page.
 */
static void truncate_partial_page(struct page *page, loff_t lstart,
				  loff_t lend)
{
	loff_t pos = (loff_t)page->index << PAGE_SHIFT;
	loff_t from = MAX(lstart, pos);
	loff_t to = lend == -1 ? pos + (loff_t)PAGE_SIZE - 1 :
				 MIN(lend, pos + (loff_t)PAGE_SIZE - 1);

	wait_on_page_writeback(page);
	if (from == pos && to == pos + (loff_t)PAGE_SIZE - 1) {
		truncate_inode_folio(page->mapping, page_folio(page));
		return;
	}
	/* A poisoned line in the range stays: the page is lost anyway. */
	(void)zero_page_range(page, (unsigned int)(from - pos),
			      (unsigned int)(to - from + 1));
}

static void truncate_partial(struct address_space *mapping, pgoff_t index,
			     loff_t lstart, loff_t lend)
{
	struct page *page = find_lock_page(mapping, index);

	if (!page)
		return;
	truncate_partial_page(page, lstart, lend);
	unlock_page(page);
	put_page(page);
}

/*
 * Remove the cached pages of bytes [lstart, lend] (lend -1: to the end
 * of the file) and zero the parts of the pages the range only partly
 * covers.  Mapped pages are unmapped on the way, but callers unmap the
 * range beforehand so that few remain (truncate_pagecache).
 */
void truncate_inode_pages_range(struct address_space *mapping,
				loff_t lstart, loff_t lend)
{
	struct page *pages[PAGEVEC_SIZE];
	pgoff_t start, end, index;
	unsigned int n;

	if (mapping_empty(mapping))
		return;
	/* [start, end): the pages entirely inside the range. */
	start = (pgoff_t)((lstart + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT);
	end = lend == -1 ? (pgoff_t)-1 : (pgoff_t)((lend + 1) >> PAGE_SHIFT);

	index = start;
	while (index < end &&
	       (n = find_get_pages_range(mapping, &index, end - 1,
					 PAGEVEC_SIZE, pages))) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			lock_page(page);
			if (page->mapping == mapping) {
				wait_on_page_writeback(page);
				truncate_inode_folio(mapping, page_folio(page));
			}
			unlock_page(page);
			put_page(page);
		}
	}

	if (lstart & (loff_t)~PAGE_MASK)
		truncate_partial(mapping, (pgoff_t)(lstart >> PAGE_SHIFT),
				 lstart, lend);
	if (lend != -1 && ((lend + 1) & (loff_t)~PAGE_MASK) &&
	    (lend >> PAGE_SHIFT) != (lstart >> PAGE_SHIFT))
		truncate_partial(mapping, (pgoff_t)(lend >> PAGE_SHIFT),
				 lstart, lend);
	/* A range inside one page with an aligned start. */
	if (lend != -1 && !(lstart & (loff_t)~PAGE_MASK) &&
	    ((lend + 1) & (loff_t)~PAGE_MASK) &&
	    (lend >> PAGE_SHIFT) == (lstart >> PAGE_SHIFT))
		truncate_partial(mapping, (pgoff_t)(lstart >> PAGE_SHIFT),
				 lstart, lend);
}

void truncate_inode_pages(struct address_space *mapping, loff_t lstart)
{
	truncate_inode_pages_range(mapping, lstart, -1);
}

/*
 * Shrink the page cache to newsize: unmap what lies beyond (twice: a
 * fault may map a page again while the pages are being removed, and
 * private COW copies must go too), then remove the pages.
 */
void truncate_pagecache(struct inode *inode, loff_t newsize)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t holebegin = (newsize + (loff_t)PAGE_SIZE - 1) &
			   (loff_t)PAGE_MASK;

	if (mapping_mapped(mapping))
		unmap_mapping_range(mapping, holebegin, 0, 1);
	truncate_inode_pages(mapping, newsize);
	if (mapping_mapped(mapping))
		unmap_mapping_range(mapping, holebegin, 0, 1);
}

/*
 * The same for a hole: only the pages entirely inside are unmapped, and
 * private COW copies stay (they are the process's own data now).
 */
void truncate_pagecache_range(struct inode *inode, loff_t lstart,
			      loff_t lend)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t unmap_start = (lstart + (loff_t)PAGE_SIZE - 1) &
			     (loff_t)PAGE_MASK;
	loff_t unmap_end = ((lend + 1) & (loff_t)PAGE_MASK) - 1;

	if (unmap_end > unmap_start && mapping_mapped(mapping))
		unmap_mapping_range(mapping, unmap_start,
				    1 + unmap_end - unmap_start, 0);
	truncate_inode_pages_range(mapping, lstart, lend);
}

/* ---- the device side ------------------------------------------------ */

/* Free the device's pages entirely inside [lstart, lend], zero the rest. */
static void disk_punch(struct inode *inode, loff_t lstart, loff_t lend)
{
	pgoff_t first = (pgoff_t)(lstart >> PAGE_SHIFT);
	pgoff_t last = (pgoff_t)(lend >> PAGE_SHIFT);

	for (pgoff_t i = first; i <= last; i++) {
		loff_t pos = (loff_t)i << PAGE_SHIFT;
		loff_t from = MAX(lstart, pos);
		loff_t to = MIN(lend, pos + (loff_t)PAGE_SIZE - 1);

		if (from == pos && to == pos + (loff_t)PAGE_SIZE - 1)
			fs_disk_store(inode, i, NULL);
		else
			fs_disk_zero(inode, i, (unsigned int)(from - pos),
				     (unsigned int)(to - from + 1));
	}
}

/* Free the device's pages past size, zero the tail of the last one. */
static void disk_truncate(struct inode *inode, loff_t size)
{
	unsigned int tail = (unsigned int)(size & (loff_t)~PAGE_MASK);

	fs_disk_drop_from(inode, (pgoff_t)((size + (loff_t)PAGE_SIZE - 1) >>
					   PAGE_SHIFT));
	if (tail)
		fs_disk_zero(inode, (pgoff_t)(size >> PAGE_SHIFT), tail,
			     PAGE_SIZE - tail);
}

/* truncate(2): a new size; a smaller one drops the data past it. */
int vfs_truncate(struct inode *inode, loff_t size)
{
	loff_t old;

	if (size < 0)
		return -EINVAL;
	/* hugetlbfs_setattr(): huge pages, whole ones only (hugetlb.c). */
	if (inode->i_sb->type == FS_HUGETLBFS)
		return hugetlbfs_truncate(inode, size);
	down_write(&inode->i_rwsem);
	old = i_size_read(inode);
	i_size_write(inode, size);
	if (size < old) {
		truncate_pagecache(inode, size);
		disk_truncate(inode, size);
	}
	up_write(&inode->i_rwsem);
	return 0;
}

/*
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE): the range reads
 * as zeros afterwards; whole pages are freed, in the cache and on the
 * device.  Past EOF there is nothing to punch.
 */
int vfs_punch_hole(struct inode *inode, loff_t offset, loff_t len)
{
	loff_t lend;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (inode->i_sb->type == FS_HUGETLBFS)
		return hugetlbfs_punch_hole(inode, offset, len);
	down_write(&inode->i_rwsem);
	if (offset >= i_size_read(inode)) {
		up_write(&inode->i_rwsem);
		return 0;
	}
	lend = MIN(offset + len, i_size_read(inode)) - 1;
	truncate_pagecache_range(inode, offset, lend);
	disk_punch(inode, offset, lend);
	up_write(&inode->i_rwsem);
	return 0;
}
