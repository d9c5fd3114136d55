/*
 * test_mm_writeback.c - dirty pages, PG_writeback in virtual time, the
 * flusher, and how writeback errors reach fsync: errseq per open file or
 * the legacy AS_EIO flag (fsync_errors policy, seed 002).
 */
#include "mm_fs_fixture.h"

static struct file *wf;

/* ---- content and the writeback bit ---------------------------------- */

START_TEST(fsync_stores_content_on_device)
{
	struct file *f = fx_open_new("c");
	struct page *page;

	fx_pwrite_str(f, 0, "persist");
	fx_pwrite_str(f, 2 * PAGE_SIZE, "more");
	ck_assert_uint_eq(f->f_mapping->nr_dirty, 2);
	ck_assert(f->f_inode->i_state & I_DIRTY_PAGES);
	ck_assert_int_eq(vfs_fsync(f), 0);
	ck_assert_uint_eq(f->f_mapping->nr_dirty, 0);
	ck_assert(!(f->f_inode->i_state & I_DIRTY_PAGES));
	ck_assert_int_eq(fx_disk_byte(f->f_inode, 0), 'p');
	ck_assert_int_eq(fx_disk_byte(f->f_inode, 6), 't');
	ck_assert_int_eq(fx_disk_byte(f->f_inode, 2 * PAGE_SIZE + 3), 'e');
	ck_assert(!fx_disk_has(f->f_inode, 1));
	page = find_get_page(f->f_mapping, 0);
	ck_assert(!PageDirty(page));
	ck_assert(!PageWriteback(page));
	ck_assert(PageUptodate(page));
	put_page(page);
	fput(f);
}
END_TEST

START_TEST(write_one_page_cleans_and_stores)
{
	struct file *f = fx_open_new("w1");
	struct page *page;

	fx_pwrite_str(f, 0, "one");
	page = find_lock_page(f->f_mapping, 0);
	ck_assert_int_eq(write_one_page(page), 0);
	ck_assert(!PageLocked(page));
	ck_assert(!PageDirty(page));
	ck_assert_int_eq(fx_disk_byte(f->f_inode, 1), 'n');
	/* A clean page: nothing to write, just unlocked. */
	lock_page(page);
	ck_assert_int_eq(write_one_page(page), 0);
	ck_assert(!PageLocked(page));
	put_page(page);
	fput(f);
}
END_TEST

struct wb_timing {
	uint64_t t_start;	/* PG_writeback set */
	uint64_t t_done;	/* the writer's wait returned */
	uint64_t t_waiter;	/* a second fiber's wait returned */
	bool set_before;	/* still set one ns before the latency */
	bool set_at;		/* still set at exactly the latency */
	struct page *page;
};

static struct wb_timing tm;

static void writer_fiber(void *arg)
{
	struct page *page;

	(void)arg;
	fx_pwrite_str(wf, 0, "timed");
	page = find_lock_page(wf->f_mapping, 0);
	ck_assert(clear_page_dirty_for_io(page));
	tm.page = page;
	ck_assert_int_eq(wf->f_mapping->a_ops->writepage(page), 0);
	tm.t_start = sim_now(fx_sim);
	ck_assert(PageWriteback(page));
	ck_assert(!PageLocked(page));
	/* Nothing on the device yet. */
	ck_assert(!fx_disk_has(wf->f_inode, 0));
	wait_on_page_writeback(page);
	tm.t_done = sim_now(fx_sim);
	ck_assert(!PageWriteback(page));
	ck_assert_int_eq(fx_disk_byte(wf->f_inode, 0), 't');
	put_page(page);
}

static void waiter_fiber(void *arg)
{
	(void)arg;
	/* The writer runs first (lower id, run-to-block). */
	ck_assert_ptr_nonnull(tm.page);
	wait_on_page_writeback(tm.page);
	tm.t_waiter = sim_now(fx_sim);
}

static void poller_fiber(void *arg)
{
	(void)arg;
	sim_sleep(fx_sim, FX_LATENCY - 1, NULL);
	tm.set_before = PageWriteback(tm.page);
	sim_sleep(fx_sim, 1, NULL);
	/* Due at the same time, the earlier timer (the write) fired first. */
	tm.set_at = PageWriteback(tm.page);
}

START_TEST(writeback_bit_lasts_exactly_the_latency)
{
	memset(&tm, 0, sizeof(tm));
	wf = fx_open_new("lat");
	sim_spawn(fx_sim, "writer", writer_fiber, NULL);
	sim_spawn(fx_sim, "waiter", waiter_fiber, NULL);
	sim_spawn(fx_sim, "poller", poller_fiber, NULL);
	ck_assert_int_eq(sim_run(fx_sim), 0);
	ck_assert_uint_eq(tm.t_start, 0);
	ck_assert_uint_eq(tm.t_done - tm.t_start, FX_LATENCY);
	ck_assert_uint_eq(tm.t_waiter - tm.t_start, FX_LATENCY);
	ck_assert(tm.set_before);
	ck_assert(!tm.set_at);
	ck_assert_uint_eq(sim_findings_count(fx_sim, "deadlock"), 0);
	fput(wf);
}
END_TEST

static void fsync_fiber(void *arg)
{
	uint64_t t0 = sim_now(fx_sim);

	(void)arg;
	fx_pwrite_str(wf, 0, "a");
	fx_pwrite_str(wf, PAGE_SIZE, "b");
	ck_assert_int_eq(vfs_fsync(wf), 0);
	/* Both pages were in flight together. */
	tm.t_done = sim_now(fx_sim) - t0;
	ck_assert_int_eq(fx_disk_byte(wf->f_inode, PAGE_SIZE), 'b');
}

START_TEST(fsync_in_fiber_waits_for_the_device)
{
	memset(&tm, 0, sizeof(tm));
	wf = fx_open_new("fs");
	sim_spawn(fx_sim, "fsync", fsync_fiber, NULL);
	ck_assert_int_eq(sim_run(fx_sim), 0);
	ck_assert_uint_eq(tm.t_done, FX_LATENCY);
	fput(wf);
}
END_TEST

/* ---- the flusher ---------------------------------------------------- */

static void dirtier_fiber(void *arg)
{
	(void)arg;
	sim_sleep(fx_sim, 1000, NULL);
	fx_pwrite_str(wf, 0, "later");
	ck_assert(fs_flusher_active());
}

START_TEST(flusher_writes_expired_inodes_and_exits)
{
	wf = fx_open_new("fl");
	sim_spawn(fx_sim, "dirtier", dirtier_fiber, NULL);
	ck_assert_int_eq(sim_run(fx_sim), 0);
	/* Dirtied at 1000 ns, expired 3 s later, written in 5 ms. */
	ck_assert_uint_eq(sim_now(fx_sim), 1000 + FX_EXPIRE + FX_LATENCY);
	ck_assert_int_eq(fx_disk_byte(wf->f_inode, 0), 'l');
	ck_assert_uint_eq(wf->f_mapping->nr_dirty, 0);
	ck_assert(!fs_flusher_active());
	fput(wf);
}
END_TEST

/* ---- errors --------------------------------------------------------- */

/* Write, then poison the frame so the writeback cannot read it. */
static void dirty_poisoned_page(struct file *f)
{
	struct page *page;

	fx_pwrite_str(f, 0, "lost");
	page = find_get_page(f->f_mapping, 0);
	physmem_poison_line(fx_m->physmem, page_to_pfn(page), 0);
	put_page(page);
}

START_TEST(errseq_each_file_sees_eio_once)
{
	struct inode *inode = fs_create(fx_sb, "db");
	struct file *f1 = filp_open(inode, O_RDWR);
	struct file *f2 = filp_open(inode, O_RDWR);
	struct file *f3;

	fx_pwrite_str(f1, 0, "old!");
	ck_assert_int_eq(vfs_fsync(f1), 0);
	dirty_poisoned_page(f1);
	ck_assert_int_eq(vfs_fsync(f1), -EIO);
	ck_assert_int_eq(vfs_fsync(f1), 0);
	ck_assert_int_eq(vfs_fsync(f2), -EIO);
	ck_assert_int_eq(vfs_fsync(f2), 0);
	/* Opened after it was seen: nothing to report. */
	f3 = filp_open(inode, O_RDWR);
	ck_assert_int_eq(vfs_fsync(f3), 0);
	/* The device kept the old data; the kernel log says why. */
	ck_assert_int_eq(fx_disk_byte(inode, 0), 'o');
	ck_assert_uint_eq(fx_m->log->len, 1);
	ck_assert(strstr(g_ptr_array_index(fx_m->log, 0),
			 "lost async page write"));
	fput(f1);
	fput(f2);
	fput(f3);
	iput(inode);
}
END_TEST

START_TEST(as_eio_first_fsync_eats_the_error)
{
	struct inode *inode = fs_create(fx_sb, "db");
	struct file *f1 = filp_open(inode, O_RDWR);
	struct file *f2 = filp_open(inode, O_RDWR);

	ck_assert(sim_policy_set(fx_pol, "fsync_errors", "as_eio", false,
				 NULL));
	ck_assert(fs_errors_legacy());
	dirty_poisoned_page(f1);
	/* A "misplaced sync from another process" takes it... */
	ck_assert_int_eq(vfs_fsync(f2), -EIO);
	/* ...and the database's own fsync sees nothing. */
	ck_assert_int_eq(vfs_fsync(f1), 0);
	ck_assert_int_eq(vfs_fsync(f2), 0);
	fput(f1);
	fput(f2);
	iput(inode);
}
END_TEST

/*
 * memory_failure's handling of a dirty page cache page: record the loss
 * on the mapping, then truncate the page.  fsync reports it, the file
 * reads what the device has.
 */
static void lose_dirty_page(struct file *f)
{
	struct address_space *mapping = f->f_mapping;
	struct page *page = find_lock_page(mapping, 0);

	wait_on_page_writeback(page);
	mapping_set_error(mapping, -EIO);
	ck_assert_int_eq(mapping->a_ops->error_remove_page(mapping, page), 0);
	unlock_page(page);
	put_page(page);
}

static void lost_page_case(const char *policy, int second)
{
	struct inode *inode = fs_create(fx_sb, "lost");
	struct file *f1 = filp_open(inode, O_RDWR);
	struct file *f2 = filp_open(inode, O_RDWR);
	char buf[4] = { 0 };
	loff_t pos = 0;

	ck_assert(sim_policy_set(fx_pol, "fsync_errors", policy, false, NULL));
	fx_pwrite_str(f1, 0, "v1");
	ck_assert_int_eq(vfs_fsync(f1), 0);
	fx_pwrite_str(f1, 0, "v2");
	lose_dirty_page(f1);
	ck_assert(test_bit(AS_EIO, &inode->i_mapping->flags));
	ck_assert_int_eq(vfs_fsync(f1), -EIO);
	ck_assert_int_eq(vfs_fsync(f2), second);
	ck_assert_int_eq(vfs_fsync(f1), 0);
	ck_assert_int_eq(vfs_read(f2, buf, 2, &pos), 2);
	ck_assert_str_eq(buf, "v1");
	fput(f1);
	fput(f2);
	iput(inode);
}

START_TEST(lost_dirty_page_errseq)
{
	lost_page_case("errseq", -EIO);
}
END_TEST

START_TEST(lost_dirty_page_as_eio)
{
	lost_page_case("as_eio", 0);
}
END_TEST

START_TEST(mapping_set_error_positive_and_enospc)
{
	struct file *f = fx_open_new("e");
	struct address_space *mapping = f->f_mapping;

	mapping_set_error(mapping, 0);
	ck_assert_uint_eq(mapping->wb_err, 0);
	mapping_set_error(mapping, EIO);	/* the 2009 spelling */
	ck_assert(test_bit(AS_EIO, &mapping->flags));
	ck_assert_int_eq(errseq_check(&mapping->wb_err, 0), -EIO);
	ck_assert_int_eq(errseq_check(&fx_sb->s_wb_err, 0), -EIO);
	ck_assert_int_eq(filemap_check_errors(mapping), -EIO);
	ck_assert_int_eq(filemap_check_errors(mapping), 0);
	mapping_set_error(mapping, -ENOSPC);
	ck_assert(test_bit(AS_ENOSPC, &mapping->flags));
	ck_assert(!test_bit(AS_EIO, &mapping->flags));
	ck_assert_int_eq(vfs_fsync(f), -ENOSPC);
	ck_assert(!test_bit(AS_ENOSPC, &mapping->flags));
	fput(f);
}
END_TEST

/* A write failing in flight: the completion records the error. */
static void failing_writer(void *arg)
{
	(void)arg;
	dirty_poisoned_page(wf);
	ck_assert_int_eq(vfs_fsync(wf), -EIO);
	tm.t_done = sim_now(fx_sim);
}

START_TEST(write_error_in_flight_reaches_fsync)
{
	struct page *page;

	memset(&tm, 0, sizeof(tm));
	wf = fx_open_new("inflight");
	sim_spawn(fx_sim, "w", failing_writer, NULL);
	ck_assert_int_eq(sim_run(fx_sim), 0);
	ck_assert_uint_eq(tm.t_done, FX_LATENCY);
	ck_assert(!fx_disk_has(wf->f_inode, 0));
	page = find_get_page(wf->f_mapping, 0);
	ck_assert(!PageWriteback(page));
	physmem_unpoison_page(fx_m->physmem, page_to_pfn(page));
	put_page(page);
	fput(wf);
}
END_TEST

Suite *suite_mm_writeback(void)
{
	Suite *s = suite_create("mm_writeback");
	TCase *wb = tcase_create("writeback");
	TCase *er = tcase_create("errors");

	tcase_add_checked_fixture(wb, fx_setup, fx_teardown);
	tcase_add_test(wb, fsync_stores_content_on_device);
	tcase_add_test(wb, write_one_page_cleans_and_stores);
	tcase_add_test(wb, writeback_bit_lasts_exactly_the_latency);
	tcase_add_test(wb, fsync_in_fiber_waits_for_the_device);
	tcase_add_test(wb, flusher_writes_expired_inodes_and_exits);
	suite_add_tcase(s, wb);

	tcase_add_checked_fixture(er, fx_setup, fx_teardown);
	tcase_add_test(er, errseq_each_file_sees_eio_once);
	tcase_add_test(er, as_eio_first_fsync_eats_the_error);
	tcase_add_test(er, lost_dirty_page_errseq);
	tcase_add_test(er, lost_dirty_page_as_eio);
	tcase_add_test(er, mapping_set_error_positive_and_enospc);
	tcase_add_test(er, write_error_in_flight_reaches_fsync);
	suite_add_tcase(s, er);
	return s;
}
