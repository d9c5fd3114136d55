/*
 * writeback.c - dirty pages and their way to the device (the kernel's
 * mm/page-writeback.c, the writeback parts of mm/filemap.c, and the
 * flusher of fs/fs-writeback.c).
 *
 * Life of a dirty page of a disk file:
 *
 *   set_page_dirty      PG_dirty; the mapping counts it (nr_dirty) and
 *                       the inode becomes dirty (I_DIRTY_PAGES, with the
 *                       time), which starts the flusher if it sleeps.
 *   clear_page_dirty_for_io   (page locked) PG_dirty goes; PTEs mapping
 *                       the page are cleaned and write-protected first,
 *                       so a store after this point dirties it again.
 *   ->writepage         (disk_writepage) PG_writeback is set, the page
 *                       unlocked, and the write queued on the device.
 *   completion          after the super block's wb_latency_ns of virtual
 *                       time: the frame's content is stored on the
 *                       device - or, if the frame holds poison, the write
 *                       fails: the device keeps its old data and the
 *                       mapping records -EIO (mapping_set_error) for
 *                       fsync to report - then end_page_writeback clears
 *                       PG_writeback and wakes the waiters.
 *
 * IO takes time only where time can pass: inside a fiber.  A write
 * started outside any fiber (scenario set-up, plain C tests) completes
 * before writepage returns, since nobody could wait for it.
 *
 * Writeback does not hold a page reference (as in the kernel): whoever
 * removes a page from its file waits for PG_writeback first.  The
 * completion re-checks that the page is still the file's anyway, so a
 * removal that did not wait shows up as the allocator's bad page report
 * of a freed page with PG_writeback, not as a stray store.
 *
 * Errors reach user space through mapping->wb_err (errseq) and the
 * AS_EIO/AS_ENOSPC flags; which of the two fsync reads is the policy
 * "fsync_errors".
 */
#include <errno.h>

#include "mm-model/fs_internal.h"

#define PAGEVEC_SIZE	15

/* ---- errors --------------------------------------------------------- */

/*
 * Record a writeback error for everybody who may ask: the mapping's
 * errseq (each open file reports it once), the super block's (syncfs),
 * and the legacy flag (the first filemap_check_errors caller takes it).
 * The 2009 code passed a positive EIO: both signs are accepted.
 */
void mapping_set_error(struct address_space *mapping, int error)
{
	if (likely(!error))
		return;
	if (error > 0)
		error = -error;
	errseq_set(&mapping->wb_err, error);
	if (mapping->host && mapping->host->i_sb)
		errseq_set(&mapping->host->i_sb->s_wb_err, error);
	if (error == -ENOSPC)
		set_bit(AS_ENOSPC, &mapping->flags);
	else
		set_bit(AS_EIO, &mapping->flags);
}

/* The legacy check: returns the error and clears it for everybody. */
int filemap_check_errors(struct address_space *mapping)
{
	int ret = 0;

	if (test_and_clear_bit(AS_ENOSPC, &mapping->flags))
		ret = -ENOSPC;
	if (test_and_clear_bit(AS_EIO, &mapping->flags))
		ret = -EIO;
	return ret;
}

/*
 * Report to this file the error recorded since it last looked, once.
 * The legacy flags are cleared too, as the old check would have.
 */
int file_check_and_advance_wb_err(struct file *file)
{
	struct address_space *mapping = file->f_mapping;
	int err = 0;

	if (errseq_check(&mapping->wb_err, READ_ONCE(file->f_wb_err))) {
		spin_lock(&file->f_lock);
		err = errseq_check_and_advance(&mapping->wb_err,
					       &file->f_wb_err);
		spin_unlock(&file->f_lock);
	}
	clear_bit(AS_EIO, &mapping->flags);
	clear_bit(AS_ENOSPC, &mapping->flags);
	return err;
}

/* ---- dirtying ------------------------------------------------------- */

/* The inode has dirty pages since now; wake the flusher for it. */
static void __mark_inode_dirty(struct inode *inode)
{
	if (inode->i_state & I_DIRTY_PAGES)
		return;
	inode->i_state |= I_DIRTY_PAGES;
	inode->dirtied_when = fs_sim() ? sim_now(fs_sim()) : 0;
	wb_kick_flusher(inode);
}

/* A page of a disk file was cleaned (written or dropped). */
static void account_page_cleaned(struct address_space *mapping)
{
	VM_BUG_ON(!mapping->nr_dirty);
	if (!--mapping->nr_dirty)
		mapping->host->i_state &= ~I_DIRTY_PAGES;
}

bool filemap_dirty_folio(struct address_space *mapping, struct page *page)
{
	if (TestSetPageDirty(page))
		return false;
	/* Truncated meanwhile: nothing to account. */
	if (page->mapping != mapping || !mapping_can_writeback(mapping))
		return true;
	mapping->nr_dirty++;
	__mark_inode_dirty(mapping->host);
	return true;
}

/* For mappings that are never written back (tmpfs, swap cache). */
bool noop_dirty_folio(struct address_space *mapping, struct page *page)
{
	(void)mapping;
	if (!PageDirty(page))
		return !TestSetPageDirty(page);
	return false;
}

/* Mark a page dirty; true if it was clean. */
bool set_page_dirty(struct page *page)
{
	struct address_space *mapping = page_mapping(page);

	page = compound_head(page);
	if (likely(mapping && mapping->a_ops && mapping->a_ops->dirty_folio))
		return mapping->a_ops->dirty_folio(mapping, page);
	return !TestSetPageDirty(page);
}

/*
 * Clean a locked page that is about to be written.  Its PTEs are
 * cleaned first: a dirty PTE means the frame is newer than PG_dirty
 * says, and a write-protected one makes the next store fault and dirty
 * the page again.
 */
bool clear_page_dirty_for_io(struct page *page)
{
	struct address_space *mapping = page_mapping(page);

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (mapping_can_writeback(mapping)) {
		if (page_mapped(page) && page_mkclean(page))
			set_page_dirty(page);
		if (TestClearPageDirty(page)) {
			account_page_cleaned(mapping);
			return true;
		}
		return false;
	}
	return TestClearPageDirty(page);
}

/* Forget that a page is dirty: its data is being thrown away. */
void cancel_dirty_page(struct page *page)
{
	struct address_space *mapping = page_mapping(page);

	if (!PageDirty(page))
		return;
	if (mapping_can_writeback(mapping)) {
		if (TestClearPageDirty(page))
			account_page_cleaned(mapping);
	} else {
		ClearPageDirty(page);
	}
}

/* ---- PG_writeback --------------------------------------------------- */

bool set_page_writeback(struct page *page)
{
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	return TestSetPageWriteback(page);
}

void end_page_writeback(struct page *page)
{
	/*
	 * Reclaim marks pages it wants freed as soon as they are written;
	 * the LRU model rotates them.  Here the mark just goes.
	 */
	if (PageReclaim(page))
		ClearPageReclaim(page);
	if (!TestClearPageWriteback(page))
		BUG();
	sim_wake_up_bit(&page->flags, PG_writeback);
}

void wait_on_page_writeback(struct page *page)
{
	if (PageWriteback(page))
		sim_wait_on_bit(&page->flags, PG_writeback, "PG_writeback",
				SIM_HERE);
}

/* ---- the device's write queue --------------------------------------- */

/* One page write in flight (the model's bio). */
struct wb_io {
	struct fs_machine *fsm;
	struct page *page;
	struct address_space *mapping;
	pgoff_t index;
	struct sim_timer *timer;
	GList link;			/* in fs_machine.inflight */
};

/*
 * The write reached the device: store the frame's content, or fail with
 * -EIO when the frame holds poison (the DMA would read it).
 */
static void wb_end_io(struct wb_io *io)
{
	struct page *page = io->page;
	struct address_space *mapping = io->mapping;
	struct inode *inode = mapping->host;
	unsigned int bad = 0;
	GBytes *bytes;

	if (page->mapping == mapping && page->index == io->index) {
		if (physmem_get_page(fs_physmem(), page_to_pfn(page), &bytes,
				     &bad)) {
			printk("Buffer I/O error on dev %s, logical block %lu, "
			       "lost async page write",
			       inode->i_sb->s_id, io->index);
			SetPageError(page);
			mapping_set_error(mapping, -EIO);
		} else {
			fs_disk_store(inode, io->index, bytes);
			if (bytes)
				g_bytes_unref(bytes);
			SetPageMappedToDisk(page);
		}
	}
	end_page_writeback(page);
}

static void wb_timer_fired(struct sim *s, void *data)
{
	struct wb_io *io = data;

	(void)s;
	g_queue_unlink(&io->fsm->inflight, &io->link);
	wb_end_io(io);
	g_free(io);
}

static void submit_page_write(struct page *page)
{
	struct address_space *mapping = page->mapping;
	struct fs_machine *fsm;
	uint64_t lat = mapping->host->i_sb->wb_latency_ns;
	struct wb_io *io = g_new0(struct wb_io, 1);

	io->page = page;
	io->mapping = mapping;
	io->index = page->index;
	if (!fs_in_fiber() || !lat) {
		wb_end_io(io);
		g_free(io);
		return;
	}
	fsm = fs_machine();
	io->fsm = fsm;
	io->link.data = io;
	g_queue_push_tail_link(&fsm->inflight, &io->link);
	io->timer = sim_timer_add(fs_sim(), lat, "writeback",
				  wb_timer_fired, io);
}

/* The machine goes away: cancel what the device has not done yet. */
void wb_forget_inflight(struct fs_machine *fsm)
{
	GList *l;

	while ((l = g_queue_pop_head_link(&fsm->inflight))) {
		struct wb_io *io = l->data;

		sim_timer_cancel(fsm->m->sim, io->timer);
		g_free(io);
	}
}

/* ->writepage of disk files: the page is locked and already clean. */
int disk_writepage(struct page *page)
{
	if (set_page_writeback(page))
		BUG();
	unlock_page(page);
	submit_page_write(page);
	return 0;
}

/* ---- writing pages -------------------------------------------------- */

/*
 * Write a locked dirty page and wait for it (folio_write_one).  Returns
 * 0 or the mapping's legacy error, which this takes (as the kernel's
 * does).  The page is unlocked on return.
 */
int write_one_page(struct page *page)
{
	struct address_space *mapping = page->mapping;
	int ret = 0;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	wait_on_page_writeback(page);
	if (clear_page_dirty_for_io(page)) {
		get_page(page);
		ret = mapping->a_ops->writepage(page);
		if (ret == 0)
			wait_on_page_writeback(page);
		put_page(page);
	} else {
		unlock_page(page);
	}
	if (!ret)
		ret = filemap_check_errors(mapping);
	return ret;
}

/* Start writing one referenced page if it is (still) dirty. */
static int writeback_one(struct address_space *mapping, struct page *page,
			 bool sync)
{
	lock_page(page);
	if (page->mapping != mapping || !PageDirty(page)) {
		unlock_page(page);
		return 0;
	}
	if (PageWriteback(page)) {
		if (!sync) {
			unlock_page(page);
			return 0;
		}
		wait_on_page_writeback(page);
	}
	if (!clear_page_dirty_for_io(page) || !mapping->a_ops->writepage) {
		unlock_page(page);
		return 0;
	}
	return mapping->a_ops->writepage(page);
}

static int writeback_range(struct address_space *mapping, loff_t start,
			   loff_t end, bool sync)
{
	struct page *pages[PAGEVEC_SIZE];
	pgoff_t index = (pgoff_t)(start >> PAGE_SHIFT);
	pgoff_t last = (pgoff_t)(end >> PAGE_SHIFT);
	unsigned int n;
	int ret = 0;

	if (!mapping_can_writeback(mapping) || !mapping->nr_dirty)
		return 0;
	while ((n = find_get_pages_range(mapping, &index, last, PAGEVEC_SIZE,
					 pages))) {
		for (unsigned int i = 0; i < n; i++) {
			int err = writeback_one(mapping, pages[i], sync);

			if (err && !ret)
				ret = err;
			put_page(pages[i]);
		}
	}
	return ret;
}

/* Start writing the dirty pages of bytes [start, end] (WB_SYNC_ALL). */
int __filemap_fdatawrite_range(struct address_space *mapping, loff_t start,
			       loff_t end)
{
	return writeback_range(mapping, start, end, true);
}

int filemap_fdatawrite_range(struct address_space *mapping, loff_t start,
			     loff_t end)
{
	return __filemap_fdatawrite_range(mapping, start, end);
}

/* Wait for every page of the range under writeback. */
void __filemap_fdatawait_range(struct address_space *mapping, loff_t start,
			       loff_t end)
{
	struct page *pages[PAGEVEC_SIZE];
	pgoff_t index = (pgoff_t)(start >> PAGE_SHIFT);
	pgoff_t last = (pgoff_t)(end >> PAGE_SHIFT);
	unsigned int n;

	if (end < start)
		return;
	while ((n = find_get_pages_range(mapping, &index, last, PAGEVEC_SIZE,
					 pages))) {
		for (unsigned int i = 0; i < n; i++) {
			wait_on_page_writeback(pages[i]);
			ClearPageError(pages[i]);
			put_page(pages[i]);
		}
	}
}

/*
 * Write and wait, then the legacy error check: whoever calls this takes
 * the error from everybody else (fsync under fsync_errors=as_eio).
 */
int filemap_write_and_wait_range(struct address_space *mapping,
				 loff_t start, loff_t end)
{
	int err = 0, err2;

	if (mapping->nrpages) {
		err = __filemap_fdatawrite_range(mapping, start, end);
		if (err != -EIO)
			__filemap_fdatawait_range(mapping, start, end);
	}
	err2 = filemap_check_errors(mapping);
	if (!err)
		err = err2;
	return err;
}

/* Write and wait, then this file's errseq report (6.1's fsync). */
int file_write_and_wait_range(struct file *file, loff_t start, loff_t end)
{
	struct address_space *mapping = file->f_mapping;
	int err = 0, err2;

	if (mapping->nrpages) {
		err = __filemap_fdatawrite_range(mapping, start, end);
		if (err != -EIO)
			__filemap_fdatawait_range(mapping, start, end);
	}
	err2 = file_check_and_advance_wb_err(file);
	if (!err)
		err = err2;
	return err;
}

int vfs_fsync(struct file *file)
{
	if (fs_errors_legacy())
		return filemap_write_and_wait_range(file->f_mapping, 0,
						    LLONG_MAX);
	return file_write_and_wait_range(file, 0, LLONG_MAX);
}

/* ---- the flusher ---------------------------------------------------- */

/*
 * One kernel fiber per machine writes back inodes that have been dirty
 * for dirty_expire_ns (the kernel's periodic writeback of expired
 * inodes).  It starts when an inode becomes dirty, sleeps in virtual
 * time until the oldest dirty inode expires, writes back every expired
 * inode in mount and creation order, and exits when no inode is dirty,
 * so a run whose fibers are all done ends once its data is written.
 * A super block with dirty_expire_ns 0 has no periodic writeback.
 */
static bool sb_flushable(struct super_block *sb)
{
	return sb->type == FS_DISK && sb->dirty_expire_ns;
}

/* The earliest expiry among dirty inodes, or UINT64_MAX if none. */
static uint64_t wb_next_expiry(struct mm_machine *m)
{
	uint64_t next = UINT64_MAX;
	struct super_block *sb;
	struct inode *inode;

	list_for_each_entry(sb, &m->super_blocks, s_list) {
		if (!sb_flushable(sb))
			continue;
		list_for_each_entry(inode, &sb->s_inodes, i_sb_list)
			if (inode->i_state & I_DIRTY_PAGES)
				next = MIN(next, inode->dirtied_when +
						 sb->dirty_expire_ns);
	}
	return next;
}

static void writeback_expired(struct mm_machine *m, uint64_t now)
{
	struct super_block *sb;
	struct inode *inode;

	list_for_each_entry(sb, &m->super_blocks, s_list) {
		if (!sb_flushable(sb))
			continue;
		list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
			if (!(inode->i_state & I_DIRTY_PAGES) ||
			    inode->dirtied_when + sb->dirty_expire_ns > now)
				continue;
			ihold(inode);
			writeback_range(inode->i_mapping, 0, LLONG_MAX, false);
			/* Pages that stayed dirty wait another period. */
			if (inode->i_state & I_DIRTY_PAGES)
				inode->dirtied_when = sim_now(m->sim);
			iput(inode);
		}
	}
}

static void wb_workfn(void *arg)
{
	struct fs_machine *fsm = arg;
	struct mm_machine *m = fsm->m;
	struct sim *s = m->sim;
	uint64_t next;

	while ((next = wb_next_expiry(m)) != UINT64_MAX) {
		uint64_t now = sim_now(s);

		if (next > now) {
			/* Idle: no page is half written back here. */
			sim_set_quiescent(s, true);
			sim_sleep(s, next - now, SIM_HERE);
			sim_set_quiescent(s, false);
			continue;
		}
		writeback_expired(m, now);
	}
	fsm->flusher = NULL;
}

void wb_kick_flusher(struct inode *inode)
{
	struct mm_machine *m = mm_machine_cur;
	struct fs_machine *fsm;

	if (!m->sim || !sb_flushable(inode->i_sb))
		return;
	fsm = fs_machine();
	if (fsm->flusher)
		return;
	fsm->flusher = sim_spawn(m->sim, "flush", wb_workfn, fsm);
}

bool fs_flusher_active(void)
{
	return mm_machine_cur && fs_machine()->flusher;
}
