/*
 * test_mm_file.c - files and the page cache: errseq, read/write/pread/
 * pwrite, sparse files, truncate and hole punching, O_DIRECT, page cache
 * removal, poisoned pages on the read and fault paths, tmpfs, i_mmap.
 */
#include "mm_fs_fixture.h"

/* ---- errseq (lib/errseq.c) ------------------------------------------ */

START_TEST(errseq_reports_once_per_observer)
{
	errseq_t eseq = 0, a, b;

	a = errseq_sample(&eseq);
	b = errseq_sample(&eseq);
	ck_assert_int_eq(errseq_check(&eseq, a), 0);
	errseq_set(&eseq, -EIO);
	ck_assert_int_eq(errseq_check(&eseq, a), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &a), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &a), 0);
	/* b has not looked yet: it still gets the error, once. */
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &b), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &b), 0);
	/* A new error after it was seen: everybody hears again. */
	errseq_set(&eseq, -ENOSPC);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &a), -ENOSPC);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &b), -ENOSPC);
}
END_TEST

START_TEST(errseq_sample_and_counter)
{
	errseq_t eseq = 0, seen, late;

	/* An unseen error is sampled as 0: a late observer still hears it. */
	errseq_set(&eseq, -EIO);
	ck_assert_uint_eq(errseq_sample(&eseq), 0);
	seen = 0;
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &seen), -EIO);
	/* Once seen, a new observer starts from now and hears nothing. */
	late = errseq_sample(&eseq);
	ck_assert_int_eq(errseq_check(&eseq, late), 0);
	/* Two errors nobody saw in between: one report, counter bumped once. */
	ck_assert_uint_eq(eseq, 0x1005);	/* EIO | SEEN */
	errseq_set(&eseq, -EIO);
	ck_assert_uint_eq(eseq, 0x2005);	/* counter 1, not seen */
	errseq_set(&eseq, -EIO);
	ck_assert_uint_eq(eseq, 0x2005);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &late), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&eseq, &late), 0);
	/* 0 and out-of-range errors change nothing. */
	ck_assert_uint_eq(errseq_set(&eseq, 0), eseq);
	ck_assert_uint_eq(errseq_set(&eseq, -5000), eseq);
}
END_TEST

/* ---- read / write ---------------------------------------------------- */

START_TEST(write_then_read_back)
{
	struct file *f = fx_open_new("a");
	char buf[64] = { 0 };

	ck_assert_int_eq(vfs_write(f, "hello world", 11, NULL), 11);
	ck_assert_int_eq(f->f_pos, 11);
	ck_assert_int_eq(i_size_read(f->f_inode), 11);
	f->f_pos = 0;
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf), NULL), 11);
	ck_assert_str_eq(buf, "hello world");
	ck_assert_int_eq(f->f_pos, 11);
	/* At EOF. */
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf), NULL), 0);
	ck_assert_uint_eq(f->f_mapping->nrpages, 1);
	ck_assert_uint_eq(f->f_mapping->nr_dirty, 1);
	/* Not on the device until written back. */
	ck_assert(!fx_disk_has(f->f_inode, 0));
	fput(f);
}
END_TEST

START_TEST(pread_pwrite_span_pages_and_keep_fpos)
{
	struct file *f = fx_open_new("b");
	size_t n = 3 * PAGE_SIZE + 123;
	char *in = g_malloc(n), *out = g_malloc0(n);
	loff_t pos = 3000;

	for (size_t i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	ck_assert_int_eq(vfs_write(f, in, n, &pos), (ssize_t)n);
	ck_assert_int_eq(pos, 3000 + (loff_t)n);
	ck_assert_int_eq(f->f_pos, 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 3000 + (loff_t)n);
	pos = 3000;
	ck_assert_int_eq(vfs_read(f, out, n, &pos), (ssize_t)n);
	ck_assert(memcmp(in, out, n) == 0);
	/* The bytes before the write are a hole: zeros. */
	pos = 0;
	ck_assert_int_eq(vfs_read(f, out, 3000, &pos), 3000);
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(out[i], 0);
	/* A read across EOF is short. */
	pos = 3000 + (loff_t)n - 10;
	ck_assert_int_eq(vfs_read(f, out, 100, &pos), 10);
	ck_assert_int_eq(f->f_pos, 0);
	g_free(in);
	g_free(out);
	fput(f);
}
END_TEST

START_TEST(sparse_file_reads_zeros_and_stays_sparse)
{
	struct file *f = fx_open_new("sparse");
	char buf[PAGE_SIZE];

	fx_pwrite_str(f, 10 * PAGE_SIZE + 5, "tail");
	ck_assert_int_eq(i_size_read(f->f_inode), 10 * PAGE_SIZE + 9);
	ck_assert_int_eq(vfs_fsync(f), 0);
	/* Only the written page reached the device. */
	ck_assert(fx_disk_has(f->f_inode, 10));
	ck_assert_int_eq(g_tree_nnodes(f->f_inode->disk), 1);
	memset(buf, 'x', sizeof(buf));
	loff_t pos = 4 * PAGE_SIZE;
	ck_assert_int_eq(vfs_read(f, buf, PAGE_SIZE, &pos), PAGE_SIZE);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		ck_assert_int_eq(buf[i], 0);
	pos = 10 * PAGE_SIZE;
	ck_assert_int_eq(vfs_read(f, buf, 9, &pos), 9);
	ck_assert(memcmp(buf, "\0\0\0\0\0tail", 9) == 0);
	fput(f);
}
END_TEST

START_TEST(readonly_and_writeonly_files)
{
	struct inode *inode = fs_create(fx_sb, "ro");
	struct file *ro = filp_open(inode, O_RDONLY);
	struct file *wo = filp_open(inode, O_WRONLY);
	char c;

	ck_assert_int_eq(vfs_write(ro, "x", 1, NULL), -EBADF);
	ck_assert_int_eq(vfs_write(wo, "x", 1, NULL), 1);
	ck_assert_int_eq(vfs_read(wo, &c, 1, NULL), -EBADF);
	ck_assert_int_eq(vfs_read(ro, &c, 1, NULL), 1);
	ck_assert_int_eq(c, 'x');
	fput(ro);
	fput(wo);
	iput(inode);
}
END_TEST

/* ---- truncate and holes ---------------------------------------------- */

static void fill(struct file *f, loff_t pos, size_t n, char c)
{
	char *b = g_malloc(n);

	memset(b, c, n);
	ck_assert_int_eq(vfs_write(f, b, n, &pos), (ssize_t)n);
	g_free(b);
}

START_TEST(truncate_shrinks_zeroes_tail_and_frees_device)
{
	struct file *f = fx_open_new("t");
	struct inode *inode = f->f_inode;
	char buf[3 * PAGE_SIZE];
	loff_t pos;

	fill(f, 0, 3 * PAGE_SIZE, 'a');
	ck_assert_int_eq(vfs_fsync(f), 0);
	ck_assert_int_eq(g_tree_nnodes(inode->disk), 3);

	ck_assert_int_eq(vfs_truncate(inode, PAGE_SIZE + 100), 0);
	ck_assert_int_eq(i_size_read(inode), PAGE_SIZE + 100);
	ck_assert_uint_eq(f->f_mapping->nrpages, 2);
	ck_assert_int_eq(g_tree_nnodes(inode->disk), 2);
	ck_assert_int_eq(fx_disk_byte(inode, PAGE_SIZE + 99), 'a');
	ck_assert_int_eq(fx_disk_byte(inode, PAGE_SIZE + 100), 0);

	/* Growing again shows zeros past the old cut, in cache and on disk. */
	ck_assert_int_eq(vfs_truncate(inode, 3 * PAGE_SIZE), 0);
	pos = 0;
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf), &pos), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], i < PAGE_SIZE + 100 ? 'a' : 0);
	ck_assert_int_eq(vfs_truncate(inode, -1), -EINVAL);
	fput(f);
}
END_TEST

START_TEST(punch_hole_zeroes_range_keeps_size)
{
	struct file *f = fx_open_new("p");
	struct inode *inode = f->f_inode;
	char buf[4 * PAGE_SIZE];
	loff_t pos, hs = PAGE_SIZE / 2, he = hs + 2 * PAGE_SIZE;

	fill(f, 0, 4 * PAGE_SIZE, 'b');
	ck_assert_int_eq(vfs_fsync(f), 0);
	ck_assert_int_eq(vfs_punch_hole(inode, hs, 2 * PAGE_SIZE), 0);
	ck_assert_int_eq(i_size_read(inode), 4 * PAGE_SIZE);
	/* Page 1 is entirely inside: gone from cache and device. */
	ck_assert_ptr_null(find_get_page(f->f_mapping, 1));
	ck_assert(!fx_disk_has(inode, 1));
	ck_assert_int_eq(fx_disk_byte(inode, hs - 1), 'b');
	ck_assert_int_eq(fx_disk_byte(inode, hs), 0);
	ck_assert_int_eq(fx_disk_byte(inode, he - 1), 0);
	ck_assert_int_eq(fx_disk_byte(inode, he), 'b');
	pos = 0;
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf), &pos), sizeof(buf));
	for (loff_t i = 0; i < (loff_t)sizeof(buf); i++)
		ck_assert_int_eq(buf[i], i >= hs && i < he ? 0 : 'b');
	/* Beyond EOF and bad arguments. */
	ck_assert_int_eq(vfs_punch_hole(inode, 8 * PAGE_SIZE, 10), 0);
	ck_assert_int_eq(vfs_punch_hole(inode, 0, 0), -EINVAL);
	fput(f);
}
END_TEST

/* ---- O_DIRECT ------------------------------------------------------- */

START_TEST(direct_io_bypasses_and_invalidates_cache)
{
	struct inode *inode = fs_create(fx_sb, "dio");
	struct file *bf = filp_open(inode, O_RDWR);
	struct file *df = filp_open(inode, O_RDWR | O_DIRECT);
	char page[PAGE_SIZE], c;
	loff_t pos = 0;

	fx_pwrite_str(bf, 0, "cached");
	/* A direct read writes the dirty cache back first. */
	ck_assert_int_eq(vfs_read(df, page, PAGE_SIZE, &pos), 6);
	ck_assert(memcmp(page, "cached", 6) == 0);
	ck_assert_uint_eq(inode->i_mapping->nr_dirty, 0);
	/* Alignment. */
	pos = 1;
	ck_assert_int_eq(vfs_read(df, page, PAGE_SIZE, &pos), -EINVAL);
	ck_assert_int_eq(vfs_write(df, page, 100, NULL), -EINVAL);
	/* A direct write goes to the device and drops the cached page. */
	memset(page, 'D', sizeof(page));
	pos = 0;
	ck_assert_int_eq(vfs_write(df, page, PAGE_SIZE, &pos), PAGE_SIZE);
	ck_assert_int_eq(fx_disk_byte(inode, 0), 'D');
	ck_assert_uint_eq(inode->i_mapping->nrpages, 0);
	ck_assert_int_eq(i_size_read(inode), PAGE_SIZE);
	pos = 10;
	ck_assert_int_eq(vfs_read(bf, &c, 1, &pos), 1);
	ck_assert_int_eq(c, 'D');
	fput(bf);
	fput(df);
	iput(inode);
}
END_TEST

/* ---- the page cache ------------------------------------------------- */

START_TEST(add_find_delete)
{
	struct file *f = fx_open_new("pc");
	struct address_space *mapping = f->f_mapping;
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
	struct page *other = alloc_page(GFP_HIGHUSER_MOVABLE);
	unsigned long before = nr_free_pages();

	ck_assert_int_eq(add_to_page_cache_lru(page, mapping, 7), 0);
	ck_assert(PageLocked(page));
	ck_assert_ptr_eq(page->mapping, mapping);
	ck_assert_uint_eq(page->index, 7);
	ck_assert_int_eq(page_count(page), 2);
	ck_assert_int_eq(add_to_page_cache_lru(other, mapping, 7), -EEXIST);
	ck_assert(!PageLocked(other));
	__free_page(other);
	unlock_page(page);

	ck_assert_ptr_eq(find_get_page(mapping, 7), page);
	ck_assert_int_eq(page_count(page), 3);
	put_page(page);
	ck_assert_ptr_null(find_get_page(mapping, 6));
	ck_assert_ptr_eq(find_lock_page(mapping, 7), page);
	delete_from_page_cache(page);
	ck_assert_ptr_null(page->mapping);
	ck_assert_uint_eq(mapping->nrpages, 0);
	unlock_page(page);
	ck_assert_int_eq(page_count(page), 2);
	put_page(page);
	put_page(page);
	ck_assert_uint_eq(nr_free_pages(), before + 2);
	fput(f);
}
END_TEST

START_TEST(truncate_inode_page_then_reads_go_to_device)
{
	struct file *f = fx_open_new("mf");
	struct address_space *mapping = f->f_mapping;
	struct page *page;
	char buf[8] = { 0 };
	loff_t pos;

	fx_pwrite_str(f, 0, "old");
	ck_assert_int_eq(vfs_fsync(f), 0);
	fx_pwrite_str(f, 0, "new");		/* dirty again, not on disk */
	ck_assert_uint_eq(mapping->nr_dirty, 1);
	page = find_lock_page(mapping, 0);
	ck_assert_ptr_nonnull(page);
	ck_assert_int_eq(truncate_inode_page(mapping, page), 0);
	ck_assert_uint_eq(mapping->nrpages, 0);
	ck_assert_uint_eq(mapping->nr_dirty, 0);
	ck_assert(!PageDirty(page));
	/* Gone already: a second attempt sees it is not the file's. */
	ck_assert_int_eq(truncate_inode_page(mapping, page), -EIO);
	unlock_page(page);
	ck_assert_int_eq(page_count(page), 1);
	put_page(page);

	pos = 0;
	ck_assert_int_eq(vfs_read(f, buf, 3, &pos), 3);
	ck_assert_str_eq(buf, "old");
	ck_assert_int_eq(i_size_read(f->f_inode), 3);
	fput(f);
}
END_TEST

START_TEST(error_remove_page_disk_truncates_shmem_keeps)
{
	struct file *f = fx_open_new("disk");
	struct file *shm = shmem_file_setup("shm", 2 * PAGE_SIZE);
	struct page *page;
	char c;
	loff_t pos;

	fx_pwrite_str(f, 0, "d");
	fx_pwrite_str(shm, 0, "s");
	ck_assert(!shmem_mapping(f->f_mapping));
	ck_assert(shmem_mapping(shm->f_mapping));

	page = find_lock_page(f->f_mapping, 0);
	ck_assert_int_eq(f->f_mapping->a_ops->error_remove_page(f->f_mapping,
								  page), 0);
	ck_assert_uint_eq(f->f_mapping->nrpages, 0);
	unlock_page(page);
	put_page(page);

	page = find_lock_page(shm->f_mapping, 0);
	ck_assert(PageSwapBacked(page));
	SetPageHWPoison(page);
	ck_assert_int_eq(shm->f_mapping->a_ops->error_remove_page(
				 shm->f_mapping, page), 0);
	ck_assert_uint_eq(shm->f_mapping->nrpages, 1);
	unlock_page(page);
	put_page(page);
	pos = 0;
	ck_assert_int_eq(vfs_read(shm, &c, 1, &pos), -EIO);
	pos = 0;
	ck_assert_int_eq(vfs_write(shm, "x", 1, &pos), -EIO);
	/* The page is dropped with the file; clear the flag for the free. */
	ClearPageHWPoison(page);
	fput(shm);
	fput(f);
}
END_TEST

/* ---- poison on the read path ----------------------------------------- */

START_TEST(read_of_hwpoison_page_is_eio)
{
	struct file *f = fx_open_new("hw");
	char buf[2 * PAGE_SIZE];
	struct page *page;
	loff_t pos;

	fill(f, 0, 2 * PAGE_SIZE, 'h');
	page = find_get_page(f->f_mapping, 1);
	SetPageHWPoison(page);
	pos = PAGE_SIZE;
	ck_assert_int_eq(vfs_read(f, buf, 10, &pos), -EIO);
	/* A read that starts on a good page stops short at the bad one. */
	pos = 0;
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf), &pos), PAGE_SIZE);
	ck_assert_int_eq(pos, PAGE_SIZE);
	ClearPageHWPoison(page);
	put_page(page);
	fput(f);
}
END_TEST

static unsigned long hook_pfn;
static unsigned int hook_off;
static int hook_calls;

static void copy_hook(unsigned long pfn, unsigned int off)
{
	hook_pfn = pfn;
	hook_off = off;
	hook_calls++;
}

START_TEST(read_of_poisoned_frame_is_eio_and_reported)
{
	struct file *f = fx_open_new("frame");
	struct page *page;
	char buf[256];
	loff_t pos;

	fill(f, 0, PAGE_SIZE, 'f');
	page = find_get_page(f->f_mapping, 0);
	physmem_poison_line(fx_m->physmem, page_to_pfn(page), 2);
	fs_copy_mc_hook = copy_hook;
	hook_calls = 0;
	pos = 0;
	ck_assert_int_eq(vfs_read(f, buf, 128, &pos), 128);	/* misses it */
	ck_assert_int_eq(hook_calls, 0);
	pos = 100;
	ck_assert_int_eq(vfs_read(f, buf, 100, &pos), -EIO);
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_uint_eq(hook_pfn, page_to_pfn(page));
	ck_assert_uint_eq(hook_off, 128);
	fs_copy_mc_hook = NULL;
	physmem_unpoison_page(fx_m->physmem, page_to_pfn(page));
	put_page(page);
	fput(f);
}
END_TEST

/* ---- filemap_fault -------------------------------------------------- */

static void fake_vma(struct vm_area_struct *vma, struct file *f,
		     unsigned long pages)
{
	memset(vma, 0, sizeof(*vma));
	vma->vm_start = 0x100000;
	vma->vm_end = vma->vm_start + pages * PAGE_SIZE;
	vma->vm_flags = VM_READ | VM_SHARED;
	vma->vm_file = f;
	INIT_LIST_HEAD(&vma->shared);
}

START_TEST(fault_reads_in_locked_page_sigbus_beyond_eof)
{
	struct file *f = fx_open_new("flt");
	struct vm_area_struct vma;
	struct page *page;
	char c = 0;
	vm_fault_t ret;

	fill(f, 0, PAGE_SIZE + 1, 'F');
	ck_assert_int_eq(vfs_fsync(f), 0);
	truncate_inode_pages(f->f_mapping, 0);	/* cold cache */
	ck_assert_uint_eq(f->f_mapping->nrpages, 0);
	fake_vma(&vma, f, 4);

	ret = filemap_fault(&vma, 1, &page);
	ck_assert_uint_eq(ret, VM_FAULT_LOCKED | VM_FAULT_MAJOR);
	ck_assert(PageLocked(page));
	ck_assert(PageUptodate(page));
	ck_assert_int_eq(page_count(page), 2);
	physmem_read(fx_m->physmem, page_to_pfn(page), 0, &c, 1, NULL);
	ck_assert_int_eq(c, 'F');
	unlock_page(page);
	put_page(page);
	/* Cached now: a minor fault. */
	ck_assert_uint_eq(filemap_fault(&vma, 1, &page), VM_FAULT_LOCKED);
	unlock_page(page);
	put_page(page);

	ck_assert_uint_eq(filemap_fault(&vma, 2, &page), VM_FAULT_SIGBUS);
	ck_assert_ptr_null(page);
	fput(f);
}
END_TEST

START_TEST(fault_on_hwpoison_page)
{
	struct file *f = fx_open_new("fp");
	struct vm_area_struct vma;
	struct page *page, *bad;

	fill(f, 0, 2 * PAGE_SIZE, 'P');
	ck_assert_int_eq(vfs_fsync(f), 0);
	fake_vma(&vma, f, 2);

	/*
	 * Clean and unused: dropped, and the fault reads a good copy.  The
	 * dropped page is freed, and the allocator keeps it out of use.
	 */
	bad = find_get_page(f->f_mapping, 0);
	put_page(bad);
	SetPageHWPoison(bad);
	ck_assert_uint_eq(filemap_fault(&vma, 0, &page),
			  VM_FAULT_LOCKED | VM_FAULT_MAJOR);
	ck_assert_ptr_ne(page, bad);
	ck_assert_ptr_null(bad->mapping);
	ck_assert_int_eq(page_count(bad), 0);
	unlock_page(page);
	put_page(page);

	/* Dirty: the data exists nowhere else, the fault fails. */
	fill(f, PAGE_SIZE, 10, 'q');
	bad = find_get_page(f->f_mapping, 1);
	SetPageHWPoison(bad);
	ck_assert_uint_eq(filemap_fault(&vma, 1, &page), VM_FAULT_HWPOISON);
	ck_assert_ptr_null(page);
	ck_assert_ptr_eq(bad->mapping, f->f_mapping);
	ck_assert(!PageLocked(bad));
	ClearPageHWPoison(bad);
	put_page(bad);
	fput(f);
}
END_TEST

/* ---- tmpfs ---------------------------------------------------------- */

START_TEST(shmem_file_holes_writes_and_release)
{
	unsigned long before = nr_free_pages();
	struct file *shm = shmem_file_setup("SYSV00000001", 3 * PAGE_SIZE);
	struct vm_area_struct vma;
	struct page *page;
	char buf[PAGE_SIZE];
	loff_t pos = 0;

	ck_assert_int_eq(i_size_read(shm->f_inode), 3 * PAGE_SIZE);
	ck_assert_int_eq(shm->f_inode->i_sb->type, FS_TMPFS);
	/* A hole reads zeros without allocating. */
	ck_assert_int_eq(vfs_read(shm, buf, PAGE_SIZE, &pos), PAGE_SIZE);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_uint_eq(shm->f_mapping->nrpages, 0);
	fx_pwrite_str(shm, PAGE_SIZE, "shared");
	ck_assert_uint_eq(shm->f_mapping->nrpages, 1);
	page = find_get_page(shm->f_mapping, 1);
	ck_assert(PageSwapBacked(page));
	ck_assert(PageDirty(page));
	put_page(page);
	/* No device: fsync has nothing to do, the data stays in memory. */
	ck_assert_int_eq(vfs_fsync(shm), 0);
	ck_assert_uint_eq(shm->f_mapping->nrpages, 1);
	fake_vma(&vma, shm, 3);
	ck_assert_uint_eq(filemap_fault(&vma, 2, &page), VM_FAULT_LOCKED |
							  VM_FAULT_MAJOR);
	unlock_page(page);
	put_page(page);
	ck_assert_uint_eq(filemap_fault(&vma, 3, &page), VM_FAULT_SIGBUS);
	/* The last reference frees the object and its pages. */
	fput(shm);
	ck_assert_uint_eq(nr_free_pages(), before);
}
END_TEST

/* ---- i_mmap --------------------------------------------------------- */

START_TEST(i_mmap_insert_walk_remove)
{
	struct file *f = fx_open_new("map");
	struct address_space *mapping = f->f_mapping;
	struct vm_area_struct a, b, *vma;
	int seen = 0;

	fake_vma(&a, f, 4);		/* pgoff 0..3 */
	fake_vma(&b, f, 2);
	b.vm_pgoff = 10;		/* pgoff 10..11 */
	i_mmap_lock_write(mapping);
	vma_interval_tree_insert(&a, mapping);
	vma_interval_tree_insert(&b, mapping);
	i_mmap_unlock_write(mapping);
	ck_assert_uint_eq(mapping->i_mmap_count, 2);

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, mapping, 3, 10)
		seen |= vma == &a ? 1 : 2;
	i_mmap_unlock_read(mapping);
	ck_assert_int_eq(seen, 3);
	seen = 0;
	vma_interval_tree_foreach(vma, mapping, 4, 9)
		seen++;
	ck_assert_int_eq(seen, 0);

	i_mmap_lock_write(mapping);
	vma_interval_tree_remove(&a, mapping);
	vma_interval_tree_remove(&b, mapping);
	i_mmap_unlock_write(mapping);
	ck_assert(list_empty(&mapping->i_mmap));
	ck_assert_uint_eq(sim_findings_count(fx_sim, "lock-misuse"), 0);
	/* Without the lock: reported. */
	vma_interval_tree_insert(&a, mapping);
	ck_assert_uint_eq(sim_findings_count(fx_sim, "lock-misuse"), 1);
	i_mmap_lock_write(mapping);
	vma_interval_tree_remove(&a, mapping);
	i_mmap_unlock_write(mapping);
	fput(f);
}
END_TEST

START_TEST(inode_numbers_and_mount)
{
	struct inode *a = fs_create(fx_sb, "x");
	struct inode *b = fs_create(fx_sb, "y");

	ck_assert_uint_eq(b->i_ino, a->i_ino + 1);
	ck_assert_uint_eq(MAJOR(fx_sb->s_dev), 8);
	ck_assert_uint_eq(MINOR(fx_sb->s_dev), 1);
	ck_assert_str_eq(fx_sb->s_id, "sda1");
	ck_assert_uint_eq(fx_sb->wb_latency_ns, FX_LATENCY);
	ck_assert_uint_eq(fx_sb->dirty_expire_ns, FX_EXPIRE);
	ck_assert(S_ISREG(a->i_mode));
	iput(a);
	iput(b);
}
END_TEST

START_TEST(page_cache_invariants_checked)
{
	struct file *f = fx_open_new("inv");
	GString *why = g_string_new(NULL);

	fx_pwrite_str(f, 0, "x");
	fx_pwrite_str(f, PAGE_SIZE, "y");
	ck_assert_msg(mm_check_invariants(why), "%s", why->str);
	f->f_mapping->nr_dirty--;
	ck_assert(!mm_check_invariants(why));
	ck_assert(strstr(why->str, "page cache: inv has 2 dirty pages"));
	f->f_mapping->nr_dirty++;
	g_string_truncate(why, 0);
	ck_assert_int_eq(vfs_fsync(f), 0);
	ck_assert_msg(mm_check_invariants(why), "%s", why->str);
	g_string_free(why, TRUE);
	fput(f);
}
END_TEST

Suite *suite_mm_file(void)
{
	Suite *s = suite_create("mm_file");
	TCase *es = tcase_create("errseq");
	TCase *rw = tcase_create("read_write");
	TCase *tr = tcase_create("truncate");
	TCase *pc = tcase_create("page_cache");
	TCase *hw = tcase_create("hwpoison");
	TCase *sh = tcase_create("shmem_mmap");

	tcase_add_test(es, errseq_reports_once_per_observer);
	tcase_add_test(es, errseq_sample_and_counter);
	suite_add_tcase(s, es);

	tcase_add_checked_fixture(rw, fx_setup, fx_teardown);
	tcase_add_test(rw, write_then_read_back);
	tcase_add_test(rw, pread_pwrite_span_pages_and_keep_fpos);
	tcase_add_test(rw, sparse_file_reads_zeros_and_stays_sparse);
	tcase_add_test(rw, readonly_and_writeonly_files);
	tcase_add_test(rw, direct_io_bypasses_and_invalidates_cache);
	suite_add_tcase(s, rw);

	tcase_add_checked_fixture(tr, fx_setup, fx_teardown);
	tcase_add_test(tr, truncate_shrinks_zeroes_tail_and_frees_device);
	tcase_add_test(tr, punch_hole_zeroes_range_keeps_size);
	suite_add_tcase(s, tr);

	tcase_add_checked_fixture(pc, fx_setup, fx_teardown);
	tcase_add_test(pc, add_find_delete);
	tcase_add_test(pc, truncate_inode_page_then_reads_go_to_device);
	tcase_add_test(pc, inode_numbers_and_mount);
	tcase_add_test(pc, page_cache_invariants_checked);
	suite_add_tcase(s, pc);

	tcase_add_checked_fixture(hw, fx_setup, fx_teardown);
	tcase_add_test(hw, error_remove_page_disk_truncates_shmem_keeps);
	tcase_add_test(hw, read_of_hwpoison_page_is_eio);
	tcase_add_test(hw, read_of_poisoned_frame_is_eio_and_reported);
	tcase_add_test(hw, fault_reads_in_locked_page_sigbus_beyond_eof);
	tcase_add_test(hw, fault_on_hwpoison_page);
	suite_add_tcase(s, hw);

	tcase_add_checked_fixture(sh, fx_setup, fx_teardown);
	tcase_add_test(sh, shmem_file_holes_writes_and_release);
	tcase_add_test(sh, i_mmap_insert_walk_remove);
	suite_add_tcase(s, sh);
	return s;
}
