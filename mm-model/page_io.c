/*
 * page_io.c - reading and writing swap slots (the kernel's mm/page_io.c).
 *
 * The device keeps, per slot, the bytes last written there (si->slots).
 * A write copies the frame's content when it is submitted - a poisoned
 * frame cannot be read by the device, so the write fails, as a DMA from
 * a bad line would - and completes after the device latency: PG_writeback
 * covers that time.  A read fills a new frame from the slot; the page is
 * locked until it completes.  Inside a fiber both take virtual time (a
 * timer ends them); outside any fiber (set-up, plain C tests) they end
 * before the call returns.
 *
 * Completions run as timer callbacks, in the scheduler and not in a
 * fiber: they must not block, so they take no sleeping lock - the page
 * lock and PG_writeback are released through the sim's bit primitives,
 * which wake the waiters in FIFO order.
 */
#include <errno.h>

#include "mm-model/swap_internal.h"

enum swap_io_dir {
	SWAP_IO_WRITE,
	SWAP_IO_READ,
};

/* One read or write in flight; on si->inflight until it ends. */
struct swap_io {
	enum swap_io_dir dir;
	struct swap_info_struct *si;
	struct page *page;
	swp_entry_t entry;
	GBytes *bytes;		/* what a write stores (NULL: zeros) */
	int err;		/* a write that could not read its frame */
	unsigned int bad_off;
	struct sim_timer *timer;
	GList link;		/* in si->inflight, data == this */
};

static struct physmem *swap_physmem(void)
{
	return mm_machine_cur->physmem;
}

static void swap_io_free(struct swap_io *io)
{
	if (io->bytes)
		g_bytes_unref(io->bytes);
	g_free(io);
}

/* ---- writes -------------------------------------------------------------- */

/*
 * The write reached the device, or failed.  A failed write leaves the
 * page dirty (and PG_error) in the swap cache, so its data - still only in
 * memory - is not dropped; the kernel logs the same way.
 */
static void end_swap_write(struct swap_io *io)
{
	struct page *page = io->page;

	if (!io->err) {
		g_tree_replace(io->si->slots, SWP_KEY(swp_offset(io->entry)),
			       io->bytes);
		io->bytes = NULL;
	} else {
		SetPageError(page);
		SetPageDirty(page);
		ClearPageReclaim(page);
		printk("Write-error on swap-device (%u:%u:%lu)",
		       io->si->type, 0U, swp_offset(io->entry));
	}
	if (TestClearPageReclaim(page))
		rotate_reclaimable_page(page);
	ClearPageWriteback(page);
	sim_wake_up_bit(&page->flags, PG_writeback);
}

/* ---- reads --------------------------------------------------------------- */

/* The slot's data is in the frame: the page is up to date and unlocked. */
static void end_swap_read(struct swap_io *io)
{
	struct page *page = io->page;
	GBytes *bytes;

	bytes = g_tree_lookup(io->si->slots, SWP_KEY(swp_offset(io->entry)));
	physmem_set_page(swap_physmem(), page_to_pfn(page), bytes);
	SetPageUptodate(page);
	/*
	 * The lock belongs to the read, not to a fiber (the page was locked
	 * with __SetPageLocked when it was created): release the bit and
	 * hand it to the first waiter, as unlock_page() would.
	 */
	ClearPageLocked(page);
	sim_wake_up_bit(&page->flags, PG_locked);
}

/* ---- in flight ------------------------------------------------------------ */

static void swap_io_end(struct swap_io *io)
{
	if (io->dir == SWAP_IO_WRITE)
		end_swap_write(io);
	else
		end_swap_read(io);
	swap_io_free(io);
}

static void swap_io_timer(struct sim *s, void *data)
{
	struct swap_io *io = data;

	(void)s;
	g_queue_unlink(&io->si->inflight, &io->link);
	io->timer = NULL;
	swap_io_end(io);
}

/* Queue io on the device; inside a fiber it ends after the latency. */
static void swap_io_submit(struct swap_io *io)
{
	struct sim *s = mm_machine_cur->sim;

	if (!swap_in_fiber() || !io->si->latency_ns) {
		swap_io_end(io);
		return;
	}
	io->link.data = io;
	g_queue_push_tail_link(&io->si->inflight, &io->link);
	io->timer = sim_timer_add(s, io->si->latency_ns,
				  io->dir == SWAP_IO_WRITE ? "swap write" :
							     "swap read",
				  swap_io_timer, io);
}

/* Teardown: forget what is in flight (the machine goes away with it). */
void swap_io_teardown(struct swap_info_struct *si)
{
	GList *link;

	while ((link = g_queue_pop_head_link(&si->inflight))) {
		struct swap_io *io = link->data;

		if (io->timer)
			sim_timer_cancel(mm_machine_cur->sim, io->timer);
		swap_io_free(io);
	}
}

/*
 * Write a locked, dirty-cleared swap-cache page to its slot (the swap
 * address space's writepage).  The page is unlocked on return, under
 * PG_writeback until the write ends.  A page no PTE refers to any more
 * does not need its slot: it leaves the swap cache instead (dirty).
 */
int swap_writepage(struct page *page)
{
	struct swap_io *io;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	VM_BUG_ON_PAGE(!PageSwapCache(page), page);
	if (try_to_free_swap(page)) {
		unlock_page(page);
		return 0;
	}
	io = g_new0(struct swap_io, 1);
	io->dir = SWAP_IO_WRITE;
	io->page = page;
	io->entry = page_swap_entry(page);
	io->si = swp_swap_info(io->entry);
	io->err = physmem_get_page(swap_physmem(), page_to_pfn(page),
				   &io->bytes, &io->bad_off);
	/* set_page_writeback without the file accounting of fs.h. */
	VM_BUG_ON_PAGE(PageWriteback(page), page);
	SetPageWriteback(page);
	unlock_page(page);
	swap_io_submit(io);
	return 0;
}

/*
 * Fill a locked swap-cache page from its slot.  synchronous: complete
 * before returning (callers outside fibers); otherwise it takes the
 * device's latency when inside a fiber.
 */
void swap_readpage(struct page *page, bool synchronous)
{
	struct swap_io *io;

	VM_BUG_ON_PAGE(!PageSwapCache(page), page);
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	VM_BUG_ON_PAGE(PageUptodate(page), page);
	io = g_new0(struct swap_io, 1);
	io->dir = SWAP_IO_READ;
	io->page = page;
	io->entry = page_swap_entry(page);
	io->si = swp_swap_info(io->entry);
	if (synchronous)
		swap_io_end(io);
	else
		swap_io_submit(io);
}
