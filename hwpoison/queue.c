/*
 * queue.c - memory_failure_queue(): errors found where one cannot sleep.
 *
 * The machine-check handler runs in exception context: it cannot take
 * the locks memory_failure() needs.  For an action-optional error it
 * queues the pfn and lets a kernel worker handle it later, as the kernel
 * does with a per-cpu kfifo of 16 entries and a work item.  Here the
 * queue is the machine's and the worker a fiber "kworker/mf" that starts
 * when the first entry arrives and ends when the queue is empty.
 */
#include "hwpoison/memory-failure.h"

#define MEMORY_FAILURE_FIFO_SIZE 16

struct mf_queued {
	unsigned long pfn;
	int flags;
};

static void memory_failure_work_func(void *arg)
{
	struct hwpoison_state *hs = arg;
	struct mf_queued *e;

	while ((e = g_queue_pop_head(&hs->queue))) {
		unsigned long pfn = e->pfn;
		int flags = e->flags;

		g_free(e);
		if (flags & MF_SOFT_OFFLINE)
			soft_offline_page(pfn, flags);
		else
			memory_failure(pfn, flags);
	}
	hs->worker = NULL;
}

/*
 * Callable from any context, including timer callbacks and the MCE
 * handler: it neither sleeps nor takes a lock.
 */
void memory_failure_queue(unsigned long pfn, int flags)
{
	struct hwpoison_state *hs = hwpoison_state();
	struct mf_queued *e;

	if (g_queue_get_length(&hs->queue) >= MEMORY_FAILURE_FIFO_SIZE) {
		hs->queue_overflows++;
		printk("Memory failure: buffer overflow when queuing memory "
		       "failure at %#lx", pfn);
		return;
	}
	e = g_new(struct mf_queued, 1);
	e->pfn = pfn;
	e->flags = flags;
	g_queue_push_tail(&hs->queue, e);
	if (!hs->worker)
		hs->worker = sim_spawn(mm_machine_cur->sim, "kworker/mf",
				       memory_failure_work_func, hs);
}
