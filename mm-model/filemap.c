/*
 * filemap.c - the page cache and the buffered read/write paths
 * (the kernel's mm/filemap.c, with a little of fs/read_write.c and
 * mm/interval_tree.c).
 *
 * The page cache of an inode is its address_space: i_pages maps a page
 * index to the struct page holding that part of the file, in index order.
 * A page in the cache
 *   - holds one reference for the cache (so it outlives its users),
 *   - has page->mapping == the address_space and page->index its index,
 *   - is on an LRU list (lru_cache_add), so reclaim can find it,
 *   - is PG_uptodate once its frame holds the file's data, PG_dirty when
 *     the frame is newer than the device.
 * i_pages and nrpages change only under the "i_pages lock", and only for
 * a locked page: so a caller holding the page lock that sees
 * page->mapping == mapping knows the page is still in that file.
 *
 * Content lives in physmem, never in host memory: reads and writes copy
 * through physmem_read/physmem_write so touching a poisoned cache line is
 * noticed, and read-in hands the device's bytes to the frame.
 */
#include <errno.h>
#include <string.h>

#include "mm-model/fs_internal.h"
#include "mm-model/hugetlb.h"

void (*fs_copy_mc_hook)(unsigned long pfn, unsigned int bad_off);

#define DIV_ROUND_UP_ULL(n, d)	(((n) + (d) - 1) / (d))

int fs_copy_failed(struct page *page, unsigned int bad_off)
{
	if (fs_copy_mc_hook)
		fs_copy_mc_hook(page_to_pfn(page), bad_off);
	return -EIO;
}

/* ---- lookups -------------------------------------------------------- */

struct page *page_cache_alloc(struct address_space *mapping)
{
	(void)mapping;
	return alloc_page(GFP_HIGHUSER_MOVABLE);
}

/* A referenced page of the cache at index, or NULL. */
struct page *find_get_page(struct address_space *mapping, pgoff_t index)
{
	struct page *page;

	spin_lock(&mapping->i_pages_lock);
	page = g_tree_lookup(mapping->i_pages, INDEX_KEY(index));
	if (page)
		get_page(page);
	spin_unlock(&mapping->i_pages_lock);
	return page;
}

/*
 * The same, locked.  The page may leave the file while we sleep on its
 * lock (truncate, memory_failure): then it is not ours, look again.
 */
struct page *find_lock_page(struct address_space *mapping, pgoff_t index)
{
	struct page *page;

	for (;;) {
		page = find_get_page(mapping, index);
		if (!page)
			return NULL;
		lock_page(page);
		if (likely(page->mapping == mapping && page->index == index))
			return page;
		unlock_page(page);
		put_page(page);
	}
}

/*
 * Up to nr referenced pages with index in [*start, end], in index order;
 * *start moves past the last one.  The batch is taken under the i_pages
 * lock and handed out after it is dropped, as find_get_entries does.
 */
unsigned int find_get_pages_range(struct address_space *mapping,
				  pgoff_t *start, pgoff_t end,
				  unsigned int nr, struct page **pages)
{
	unsigned int n = 0;
	GTreeNode *node;

	if (*start > end)
		return 0;
	spin_lock(&mapping->i_pages_lock);
	node = g_tree_lower_bound(mapping->i_pages, INDEX_KEY(*start));
	for (; node && n < nr; node = g_tree_node_next(node)) {
		struct page *page = g_tree_node_value(node);

		if (page->index > end)
			break;
		get_page(page);
		pages[n++] = page;
	}
	spin_unlock(&mapping->i_pages_lock);
	if (n)
		*start = pages[n - 1]->index + 1;
	if (n && pages[n - 1]->index == (pgoff_t)-1)
		*start = end + 1;
	return n;
}

/* ---- insertion and removal ------------------------------------------ */

/*
 * Put a new page into the cache at index: it comes back locked, with a
 * reference for the cache, page->mapping and page->index set, and on an
 * LRU list.  The caller keeps its own reference.  -EEXIST if another
 * page got there first (the caller drops its page and looks again).
 */
int add_to_page_cache_lru(struct page *page, struct address_space *mapping,
			  pgoff_t index)
{
	/* Nobody else can see the page yet: the trylock cannot fail. */
	if (!trylock_page(page))
		BUG();
	if (shmem_mapping(mapping))
		__SetPageSwapBacked(page);

	spin_lock(&mapping->i_pages_lock);
	if (g_tree_lookup(mapping->i_pages, INDEX_KEY(index))) {
		spin_unlock(&mapping->i_pages_lock);
		unlock_page(page);
		return -EEXIST;
	}
	get_page(page);
	page->mapping = mapping;
	page->index = index;
	g_tree_insert(mapping->i_pages, INDEX_KEY(index), page);
	mapping->nrpages++;
	spin_unlock(&mapping->i_pages_lock);

	lru_cache_add(page);
	return 0;
}

/*
 * Unhook a locked page from its mapping (page_cache_delete and
 * filemap_unaccount_folio).  A page still dirty here loses its data: its
 * dirty accounting goes with it.
 */
static void __delete_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	spin_lock(&mapping->i_pages_lock);
	g_tree_remove(mapping->i_pages, INDEX_KEY(page->index));
	mapping->nrpages--;
	page->mapping = NULL;
	/* The index stays, as in the kernel: dumps still show it. */
	spin_unlock(&mapping->i_pages_lock);
}

void filemap_remove_page(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (PageDirty(page) && mapping_can_writeback(mapping))
		cancel_dirty_page(page);
	__delete_from_page_cache(page);
	/* The cache's reference. */
	put_page(page);
}

void delete_from_page_cache(struct page *page)
{
	VM_BUG_ON_PAGE(PageTail(page), page);
	filemap_remove_page(page);
}

/* ---- reading pages in ----------------------------------------------- */

/*
 * Bring a locked page up to date through the mapping's read_folio.  The
 * model's reads complete before read_folio returns, with the page still
 * locked; a page that did not become uptodate is an IO error.
 */
int filemap_read_page(struct file *file, struct address_space *mapping,
		      struct page *page)
{
	int err;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	ClearPageError(page);
	err = mapping->a_ops->read_folio(file, page);
	if (err)
		return err;
	if (!PageUptodate(page))
		return -EIO;
	return 0;
}

/*
 * The page at index, locked and referenced: found in the cache, or a new
 * one added to it (not yet up to date) - the kernel's pagecache_get_page
 * with FGP_LOCK | FGP_CREAT.  NULL with *err set on failure.
 */
static struct page *grab_cache_page(struct address_space *mapping,
				    pgoff_t index, int *err)
{
	struct page *page;
	int ret;

	for (;;) {
		page = find_lock_page(mapping, index);
		if (page)
			return page;
		page = page_cache_alloc(mapping);
		if (!page) {
			*err = -ENOMEM;
			return NULL;
		}
		ret = add_to_page_cache_lru(page, mapping, index);
		if (!ret)
			return page;
		put_page(page);
		if (ret != -EEXIST) {
			*err = ret;
			return NULL;
		}
	}
}

/*
 * Find or create the page at index and read it in: returned locked and
 * referenced, or NULL with *err set (-ENOMEM, or the read's error).
 */
struct page *filemap_get_locked_page(struct file *file, pgoff_t index,
				     int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page;
	int ret;

	page = grab_cache_page(mapping, index, err);
	if (!page)
		return NULL;
	if (!PageUptodate(page)) {
		ret = filemap_read_page(file, mapping, page);
		if (ret) {
			unlock_page(page);
			put_page(page);
			*err = ret;
			return NULL;
		}
	}
	*err = 0;
	return page;
}

/* Zero bytes [off, off + len) of a page's frame; -EIO on poison. */
int zero_page_range(struct page *page, unsigned int off, unsigned int len)
{
	static const char zeros[PAGE_SIZE];
	unsigned int bad = 0;

	if (!len)
		return 0;
	if (off == 0 && len == PAGE_SIZE && !physmem_page_poisoned(
			fs_physmem(), page_to_pfn(page))) {
		physmem_clear_page(fs_physmem(), page_to_pfn(page));
		return 0;
	}
	if (physmem_write(fs_physmem(), page_to_pfn(page), off, zeros, len,
			  &bad))
		return fs_copy_failed(page, bad);
	return 0;
}

/* ---- read(2) -------------------------------------------------------- */

/*
 * The page for a buffered read at index: referenced and uptodate, or an
 * error.  NULL without error: a tmpfs hole, which reads as zeros without
 * allocating anything (shmem's SGP_READ).
 */
static struct page *filemap_get_read_page(struct file *file, pgoff_t index,
					  int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page;

	*err = 0;
	page = find_get_page(mapping, index);
	if (!page && shmem_mapping(mapping))
		return NULL;
	if (page && PageUptodate(page))
		return page;
	if (page)
		put_page(page);
	page = filemap_get_locked_page(file, index, err);
	if (page)
		unlock_page(page);
	return page;
}

/* Copy n bytes at off of the page at index out to buf. */
static int filemap_copy_out(struct file *file, pgoff_t index,
			    unsigned int off, void *buf, size_t n)
{
	struct page *page;
	unsigned int bad = 0;
	int err;

	page = filemap_get_read_page(file, index, &err);
	if (!page) {
		if (!err)
			memset(buf, 0, n);
		return err;
	}
	/*
	 * A page memory_failure could not take out of the cache (tmpfs
	 * keeps them) is never read: the reader gets -EIO.
	 */
	if (PageHWPoison(page))
		err = -EIO;
	else if (physmem_read(fs_physmem(), page_to_pfn(page), off, buf, n,
			      &bad))
		err = fs_copy_failed(page, bad);
	else
		mark_page_accessed(page);
	put_page(page);
	return err;
}

static ssize_t direct_read(struct file *file, void *buf, size_t count,
			   loff_t *pos);
static ssize_t direct_write(struct file *file, const void *buf,
			    size_t count, loff_t *pos);

ssize_t vfs_read(struct file *file, void *buf, size_t count, loff_t *pos)
{
	struct inode *inode = file->f_inode;
	loff_t p, end;
	size_t done = 0;
	int err = 0;

	if (!pos)
		pos = &file->f_pos;
	if ((file->f_flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (*pos < 0)
		return -EINVAL;
	/* hugetlbfs_read_iter(): huge pages, no read-in (hugetlb.c). */
	if (is_file_hugepages(file))
		return hugetlbfs_read(file, buf, count, pos);
	if (file->f_flags & O_DIRECT)
		return direct_read(file, buf, count, pos);

	p = *pos;
	end = MIN(p + (loff_t)count, i_size_read(inode));
	while (p < end) {
		pgoff_t index = (pgoff_t)p >> PAGE_SHIFT;
		unsigned int off = (unsigned int)(p & ~PAGE_MASK);
		size_t n = MIN((loff_t)(PAGE_SIZE - off), end - p);

		err = filemap_copy_out(file, index, off, (char *)buf + done, n);
		if (err)
			break;
		done += n;
		p += (loff_t)n;
	}
	*pos += (loff_t)done;
	return done ? (ssize_t)done : err;
}

/* ---- write(2) ------------------------------------------------------- */

/*
 * The page for a buffered write of n bytes at index, locked and
 * referenced (write_begin).  A page only partly overwritten must hold
 * the file's data around the write: read it in, or zero it past EOF.
 */
static struct page *write_begin(struct file *file, pgoff_t index,
				size_t n, int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	struct page *page;

	page = grab_cache_page(mapping, index, err);
	if (!page)
		return NULL;
	*err = 0;
	if (PageHWPoison(page)) {
		*err = -EIO;
	} else if (!PageUptodate(page) && n < PAGE_SIZE) {
		loff_t isize = i_size_read(inode);

		if ((loff_t)index < (loff_t)DIV_ROUND_UP_ULL((u64)isize,
							     PAGE_SIZE))
			*err = filemap_read_page(file, mapping, page);
		else
			*err = zero_page_range(page, 0, PAGE_SIZE);
	}
	if (*err) {
		unlock_page(page);
		put_page(page);
		return NULL;
	}
	return page;
}

static int filemap_copy_in(struct file *file, pgoff_t index,
			   unsigned int off, const void *buf, size_t n)
{
	struct page *page;
	unsigned int bad = 0;
	int err;

	page = write_begin(file, index, n, &err);
	if (!page)
		return err;
	if (physmem_write(fs_physmem(), page_to_pfn(page), off, buf, n,
			  &bad)) {
		err = fs_copy_failed(page, bad);
	} else {
		SetPageUptodate(page);
		set_page_dirty(page);
	}
	unlock_page(page);
	put_page(page);
	return err;
}

ssize_t vfs_write(struct file *file, const void *buf, size_t count,
		  loff_t *pos)
{
	struct inode *inode = file->f_inode;
	size_t done = 0;
	loff_t p;
	int err = 0;

	if (!pos)
		pos = &file->f_pos;
	if ((file->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (*pos < 0)
		return -EINVAL;
	/* 6.1's hugetlbfs has no write_iter: data goes in through mmap. */
	if (is_file_hugepages(file))
		return -EINVAL;
	if (!count)
		return 0;

	down_write(&inode->i_rwsem);
	if (file->f_flags & O_DIRECT) {
		ssize_t ret = direct_write(file, buf, count, pos);

		up_write(&inode->i_rwsem);
		return ret;
	}
	p = *pos;
	while (done < count) {
		pgoff_t index = (pgoff_t)p >> PAGE_SHIFT;
		unsigned int off = (unsigned int)(p & ~PAGE_MASK);
		size_t n = MIN(PAGE_SIZE - off, count - done);

		err = filemap_copy_in(file, index, off,
				      (const char *)buf + done, n);
		if (err)
			break;
		done += n;
		p += (loff_t)n;
		if (p > i_size_read(inode))
			i_size_write(inode, p);
	}
	up_write(&inode->i_rwsem);
	*pos += (loff_t)done;
	return done ? (ssize_t)done : err;
}

/* ---- O_DIRECT ------------------------------------------------------- */

static bool dio_aligned(size_t count, loff_t pos)
{
	return !(count & ~PAGE_MASK) && !(pos & (loff_t)~PAGE_MASK);
}

/* The device takes its time; only a fiber can spend it. */
static void dio_wait(struct inode *inode)
{
	if (fs_in_fiber() && inode->i_sb->wb_latency_ns)
		sim_sleep(fs_sim(), inode->i_sb->wb_latency_ns, SIM_HERE);
}

/*
 * Reads from the device, after writing back cached dirty data of the
 * range (so the device is current): the page cache is bypassed.
 */
static ssize_t direct_read(struct file *file, void *buf, size_t count,
			   loff_t *pos)
{
	struct inode *inode = file->f_inode;
	loff_t p = *pos, end;
	size_t done = 0;
	int err;

	if (!dio_aligned(count, *pos))
		return -EINVAL;
	end = MIN(p + (loff_t)count, i_size_read(inode));
	if (p >= end)
		return 0;
	err = filemap_write_and_wait_range(file->f_mapping, p, end - 1);
	if (err)
		return err;
	dio_wait(inode);
	while (p < end) {
		size_t n = MIN((loff_t)PAGE_SIZE, end - p);
		GBytes *b = fs_disk_lookup(inode, (pgoff_t)p >> PAGE_SHIFT);

		if (b)
			memcpy((char *)buf + done, g_bytes_get_data(b, NULL), n);
		else
			memset((char *)buf + done, 0, n);
		done += n;
		p += (loff_t)n;
	}
	*pos += (loff_t)done;
	return (ssize_t)done;
}

/*
 * Writes whole pages to the device.  Cached copies of the range are
 * written back first and dropped afterwards (unmapped if mapped), as
 * the kernel's invalidation around a direct write does, so no stale
 * page shadows the new data.
 */
static ssize_t direct_write(struct file *file, const void *buf,
			    size_t count, loff_t *pos)
{
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = file->f_inode;
	loff_t start = *pos, last = *pos + (loff_t)count - 1;
	int err;

	if (!dio_aligned(count, *pos))
		return -EINVAL;
	err = filemap_write_and_wait_range(mapping, start, last);
	if (err)
		return err;
	dio_wait(inode);
	for (size_t done = 0; done < count; done += PAGE_SIZE) {
		GBytes *b = g_bytes_new((const char *)buf + done, PAGE_SIZE);

		fs_disk_store(inode, (pgoff_t)(start + (loff_t)done) >>
				     PAGE_SHIFT, b);
		g_bytes_unref(b);
	}
	if (!mapping_empty(mapping))
		truncate_pagecache_range(inode, start, last);
	*pos += (loff_t)count;
	if (*pos > i_size_read(inode))
		i_size_write(inode, *pos);
	return (ssize_t)count;
}

/* ---- faults --------------------------------------------------------- */

static pgoff_t size_pages(struct inode *inode)
{
	return (pgoff_t)DIV_ROUND_UP_ULL((u64)i_size_read(inode), PAGE_SIZE);
}

/*
 * A fault found a poisoned page in the cache (__do_fault's check, done
 * here since the model's fault hands the file part to us).  If the page
 * is clean and nobody else uses it, it is dropped so the fault can read
 * a good copy from the device; otherwise the fault fails with
 * VM_FAULT_HWPOISON and the task gets SIGBUS.  Called with the page
 * locked and referenced; consumes both.
 */
static bool fault_drop_poisoned(struct address_space *mapping,
				struct page *page)
{
	bool dropped;

	if (page_mapped(page))
		unmap_mapping_range(mapping, (loff_t)page->index << PAGE_SHIFT,
				    PAGE_SIZE, 0);
	dropped = invalidate_inode_page(page) != 0;
	unlock_page(page);
	put_page(page);
	return dropped;
}

/*
 * The file part of a fault at pgoff of vma's file: the page, locked and
 * referenced, in *pagep.  VM_FAULT_SIGBUS beyond EOF or when the read
 * fails, VM_FAULT_OOM without memory, VM_FAULT_HWPOISON for a poisoned
 * page; VM_FAULT_MAJOR when the page had to be read in.
 */
vm_fault_t filemap_fault(struct vm_area_struct *vma, pgoff_t pgoff,
			 struct page **pagep)
{
	struct file *file = vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	vm_fault_t ret = 0;
	struct page *page;
	int tries = 0, err;

	*pagep = NULL;
	if (unlikely(pgoff >= size_pages(inode)))
		return VM_FAULT_SIGBUS;
retry:
	page = find_get_page(mapping, pgoff);
	if (page)
		put_page(page);
	else
		ret |= VM_FAULT_MAJOR;

	page = filemap_get_locked_page(file, pgoff, &err);
	if (!page)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	/* Truncated while we slept? */
	if (unlikely(pgoff >= size_pages(inode))) {
		unlock_page(page);
		put_page(page);
		return VM_FAULT_SIGBUS;
	}
	if (unlikely(PageHWPoison(page))) {
		if (fault_drop_poisoned(mapping, page) && !tries++)
			goto retry;
		return VM_FAULT_HWPOISON;
	}
	*pagep = page;
	return ret | VM_FAULT_LOCKED;
}

/* ---- i_mmap --------------------------------------------------------- */

/*
 * The VMAs mapping a file, in insertion order (the kernel's interval
 * tree, walked with the same range filter by vma_interval_tree_foreach).
 * The caller holds i_mmap_rwsem for writing, as vma_link and
 * unlink_file_vma do in the kernel; a caller that does not is reported
 * as a lock misuse.
 */
static void check_i_mmap_locked(struct address_space *mapping)
{
	struct sim *s = sim_self();

	if (!sim_lock_release_ok(&mapping->i_mmap_rwsem, SIM_EXCL) && s)
		sim_finding_add(s, "lock-misuse", NULL,
				"i_mmap changed without i_mmap_rwsem held "
				"for writing");
}

void vma_interval_tree_insert(struct vm_area_struct *vma,
			      struct address_space *mapping)
{
	check_i_mmap_locked(mapping);
	list_add_tail(&vma->shared, &mapping->i_mmap);
	mapping->i_mmap_count++;
}

void vma_interval_tree_remove(struct vm_area_struct *vma,
			      struct address_space *mapping)
{
	check_i_mmap_locked(mapping);
	list_del_init(&vma->shared);
	mapping->i_mmap_count--;
}

/* ---- migration ------------------------------------------------------ */

/*
 * ->migrate_folio for page cache pages (migrate_folio): move the locked,
 * unmapped page src to the new locked page dst.  Only the cache and the
 * caller (who isolated src) may hold references, else -EAGAIN.  The
 * content is copied through physmem, so a poisoned source fails with
 * -EHWPOISON and stays where it is.  dst takes over src's place in
 * i_pages, the cache's reference and the state flags; src keeps the
 * caller's reference only.
 */
int filemap_migrate_folio(struct address_space *mapping, struct page *dst,
			  struct page *src)
{
	const unsigned long moved = BIT(PG_uptodate) | BIT(PG_dirty) |
				    BIT(PG_error) | BIT(PG_referenced) |
				    BIT(PG_active) | BIT(PG_workingset) |
				    BIT(PG_swapbacked) | BIT(PG_mappedtodisk);
	unsigned int bad = 0;
	int ret;

	VM_BUG_ON_PAGE(!PageLocked(src), src);
	VM_BUG_ON_PAGE(!PageLocked(dst), dst);
	if (page_mapped(src) || page_count(src) != 2 || src->mapping != mapping)
		return -EAGAIN;
	ret = physmem_copy_page(fs_physmem(), page_to_pfn(dst),
				page_to_pfn(src), &bad);
	if (ret)
		return ret;

	spin_lock(&mapping->i_pages_lock);
	get_page(dst);
	dst->mapping = mapping;
	dst->index = src->index;
	dst->flags |= src->flags & moved;
	g_tree_replace(mapping->i_pages, INDEX_KEY(src->index), dst);
	src->flags &= ~(BIT(PG_dirty) | BIT(PG_uptodate));
	src->mapping = NULL;
	spin_unlock(&mapping->i_pages_lock);
	/* The cache's reference on src. */
	put_page(src);
	return 0;
}
