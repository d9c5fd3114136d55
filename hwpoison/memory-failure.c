/*
 * memory-failure.c - handle a page frame that holds corrupted data.
 *
 * This follows Linux 6.1's mm/memory-failure.c step for step, with its
 * names, so that a change can be carried between the two:
 *
 *   memory_failure(pfn)
 *     TestSetPageHWPoison            already poisoned? (kill the accessor)
 *     get_hwpoison_page              a reference, or: free buddy page ->
 *                                    take_page_off_buddy; kernel page ->
 *                                    ignored
 *     shake_page, lock_page          settle the page's state
 *     hwpoison_filter                the injector's filters
 *     wait_on_page_writeback         never touch a page under I/O
 *     hwpoison_user_mappings         collect the processes that map it,
 *                                    try_to_unmap (hwpoison entries),
 *                                    kill: early now, late on access
 *     identify_page_state            the page-state table -> me_*()
 *     action_result                  "recovery action for X: Y"
 *
 * The deliberate differences are policy switches (policy.c): early kill
 * for SIGBUS handlers only (seed 000), the 2009 lock nesting in
 * collect_procs (seed 002), panicking on dirty page cache (seed 003) and
 * hugepage poisoning (seed 004).
 *
 * There is one notable simplification: the model has no per-cpu page
 * lists, so a free page is always on the buddy lists where memory_failure
 * looks, and zone_pcp_disable() has nothing to do.
 */
#include "hwpoison/memory-failure.h"
#include "hwpoison/memory-failure-hugetlb.h"

#include <errno.h>

#include "hwpoison/mce.h"
#include <stdarg.h>
#include <string.h>

#include "sim/trace.h"
#include "mm-model/gfp.h"
#include "mm-model/page_dump.h"
#include "mm-model/rmap.h"

/* ---- state and policy ---------------------------------------------------- */

static void hwpoison_state_free(void *p)
{
	struct hwpoison_state *hs = p;

	mce_state_free(hs->mce);
	g_array_free(hs->events, TRUE);
	g_queue_clear_full(&hs->queue, g_free);
	g_free(hs);
}

struct hwpoison_state *hwpoison_attach(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct hwpoison_state *hs;

	if (m->hwpoison)
		return m->hwpoison;
	hwpoison_policy_register();
	hs = g_new0(struct hwpoison_state, 1);
	hs->events = g_array_new(FALSE, FALSE, sizeof(struct mf_event));
	hs->filter_dev_major = ~0U;
	hs->filter_dev_minor = ~0U;
	mutex_init(&hs->mf_mutex, "mf_mutex");
	g_queue_init(&hs->queue);
	m->hwpoison = hs;
	m->hwpoison_free = hwpoison_state_free;
	return hs;
}

struct hwpoison_state *hwpoison_state(void)
{
	return hwpoison_attach();
}

static bool policy_is(const char *name, const char *value)
{
	return sim_policy_is(mm_machine_cur->policy, name, value);
}

static int sysctl_memory_failure_early_kill(void)
{
	return policy_is("early_kill", "1");
}

static int sysctl_memory_failure_recovery(void)
{
	return policy_is("recovery", "1");
}

/*
 * Memory-failure lines go through here: "Memory failure: " plus the text,
 * and with the printk_ratelimit policy at most 10 lines per 5 s of
 * virtual time, the rest counted and reported as the kernel's ratelimit
 * does ("N callbacks suppressed").
 */
#define MF_RL_INTERVAL_NS	(5ULL * 1000 * 1000 * 1000)
#define MF_RL_BURST		10

static bool mf_ratelimit(struct hwpoison_state *hs)
{
	uint64_t now = sim_now(mm_machine_cur->sim);

	if (!policy_is("printk_ratelimit", "on"))
		return true;
	if (!hs->rl_started || now >= hs->rl_begin + MF_RL_INTERVAL_NS) {
		if (hs->rl_missed)
			printk("memory_failure: %lu callbacks suppressed",
			       hs->rl_missed);
		hs->rl_started = true;
		hs->rl_begin = now;
		hs->rl_printed = 0;
		hs->rl_missed = 0;
	}
	if (hs->rl_printed < MF_RL_BURST) {
		hs->rl_printed++;
		return true;
	}
	hs->rl_missed++;
	hs->rl_suppressed_total++;
	return false;
}

void mf_printk(const char *fmt, ...)
{
	struct hwpoison_state *hs = hwpoison_state();
	va_list ap;
	char *msg;

	if (!mf_ratelimit(hs))
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	printk("Memory failure: %s", msg);
	g_free(msg);
}

/* ---- names and results --------------------------------------------------- */

static const char *const action_name[] = {
	[MF_IGNORED] = "Ignored",
	[MF_FAILED] = "Failed",
	[MF_DELAYED] = "Delayed",
	[MF_RECOVERED] = "Recovered",
};

static const char *const action_page_types[] = {
	[MF_MSG_KERNEL] = "reserved kernel page",
	[MF_MSG_KERNEL_HIGH_ORDER] = "high-order kernel page",
	[MF_MSG_SLAB] = "kernel slab page",
	[MF_MSG_DIFFERENT_COMPOUND] = "different compound page after locking",
	[MF_MSG_HUGE] = "huge page",
	[MF_MSG_FREE_HUGE] = "free huge page",
	[MF_MSG_UNMAP_FAILED] = "unmapping failed page",
	[MF_MSG_DIRTY_SWAPCACHE] = "dirty swapcache page",
	[MF_MSG_CLEAN_SWAPCACHE] = "clean swapcache page",
	[MF_MSG_DIRTY_MLOCKED_LRU] = "dirty mlocked LRU page",
	[MF_MSG_CLEAN_MLOCKED_LRU] = "clean mlocked LRU page",
	[MF_MSG_DIRTY_UNEVICTABLE_LRU] = "dirty unevictable LRU page",
	[MF_MSG_CLEAN_UNEVICTABLE_LRU] = "clean unevictable LRU page",
	[MF_MSG_DIRTY_LRU] = "dirty LRU page",
	[MF_MSG_CLEAN_LRU] = "clean LRU page",
	[MF_MSG_TRUNCATED_LRU] = "already truncated LRU page",
	[MF_MSG_BUDDY] = "free buddy page",
	[MF_MSG_DAX] = "dax page",
	[MF_MSG_UNSPLIT_THP] = "unsplit thp",
	[MF_MSG_UNKNOWN] = "unknown page",
};

const char *mf_action_page_type_name(enum mf_action_page_type t)
{
	return t < MF_MSG_NR ? action_page_types[t] : "?";
}

const char *mf_result_name(enum mf_result r)
{
	return r <= MF_RECOVERED ? action_name[r] : "?";
}

static unsigned int mf_call_flags;	/* flags of the running call */

/* Also the hugetlb path's (memory-failure-hugetlb.c). */
void action_result(unsigned long pfn, enum mf_action_page_type type,
		   enum mf_result result)
{
	struct hwpoison_state *hs = hwpoison_state();
	struct mf_event ev = {
		.pfn = pfn, .type = type, .result = result,
		.step = mm_machine_cur->sim->step, .flags = mf_call_flags,
	};

	g_array_append_val(hs->events, ev);
	hs->handler_hits[type]++;
	hs->num_poisoned_pages++;
	mf_printk("%#lx: recovery action for %s: %s", pfn,
		  action_page_types[type], action_name[result]);
	if (hs->mf_event_hook)
		hs->mf_event_hook(&ev, hs->mf_event_data);
}

/* ---- killing --------------------------------------------------------------- */

struct to_kill {
	struct list_head nd;
	struct task_struct *tsk;
	unsigned long addr;
	short size_shift;
};

/*
 * Action required: the current task touched the page and cannot go on.
 * Action optional: other early-kill processes learn of the loss now and
 * may drop their copy; the signal is not forced, so they can block it.
 */
static int kill_proc(struct to_kill *tk, unsigned long pfn, int flags)
{
	struct task_struct *t = tk->tsk;
	int ret;

	mf_printk("%#lx: Sending SIGBUS to %s:%d due to hardware memory "
		  "corruption", pfn, t->comm, t->pid);
	if ((flags & MF_ACTION_REQUIRED) && t == current)
		ret = force_sig_mceerr(BUS_MCEERR_AR, tk->addr,
				       tk->size_shift);
	else
		ret = send_sig_mceerr(BUS_MCEERR_AO, tk->addr,
				      tk->size_shift, t);
	if (ret < 0)
		mf_printk("Error sending signal to %s:%d: %d", t->comm,
			  t->pid, ret);
	return ret;
}

/* Settle a page whose state may be in transit (LRU add batching). */
void shake_page(struct page *p)
{
	if (PageHuge(p))
		return;
	if (!PageSlab(p)) {
		lru_add_drain_all();
		if (PageLRU(p) || is_free_buddy_page(p))
			return;
	}
	/* The kernel would shrink slab caches here; so would we, later. */
}

static void add_to_kill(struct task_struct *tsk, struct page *p,
			struct vm_area_struct *vma, struct list_head *to_kill)
{
	struct to_kill *tk = g_new0(struct to_kill, 1);

	tk->addr = page_address_in_vma(p, vma);
	tk->size_shift = (short)page_shift(compound_head(p));
	if (tk->addr == (unsigned long)-EFAULT)
		mf_printk("Unable to find user space address %lx in %s",
			  page_to_pfn(p), tsk->comm);
	get_task_struct(tsk);
	tk->tsk = tsk;
	list_add_tail(&tk->nd, to_kill);
}

/*
 * Signal what was collected when forcekill says the data is gone (dirty
 * page, or MF_MUST_KILL); SIGKILL when unmapping failed, so a handler
 * cannot catch the signal and touch the page again.  Otherwise the list
 * is just freed: a clean page is simply dropped.
 */
static void kill_procs(struct list_head *to_kill, int forcekill, bool fail,
		       unsigned long pfn, int flags)
{
	struct to_kill *tk, *next;

	list_for_each_entry_safe(tk, next, to_kill, nd) {
		if (forcekill) {
			if (fail || tk->addr == (unsigned long)-EFAULT) {
				struct kernel_siginfo info = {
					.signo = SIGKILL, .code = SI_KERNEL,
				};

				mf_printk("%#lx: forcibly killing %s:%d because "
					  "of failure to unmap corrupted page",
					  pfn, tk->tsk->comm, tk->tsk->pid);
				send_sig_info(SIGKILL, &info, tk->tsk);
			} else if (kill_proc(tk, pfn, flags) < 0) {
				mf_printk("%#lx: Cannot send advisory machine "
					  "check signal to %s:%d", pfn,
					  tk->tsk->comm, tk->tsk->pid);
			}
		}
		list_del(&tk->nd);
		put_task_struct(tk->tsk);
		g_free(tk);
	}
}

static bool has_sigbus_handler(struct task_struct *t)
{
	return t->sighand &&
	       t->sighand->action[SIGBUS].disp == MM_SIG_HANDLER;
}

/*
 * The thread of a process that takes early SIGBUS_AO, or NULL: one with
 * PR_MCE_KILL_EARLY, or any when the sysctl asks for early kill and the
 * thread did not choose otherwise.  Under the seed-000 policy a process
 * is early exactly when it handles SIGBUS.
 */
static struct task_struct *find_early_kill_thread(struct task_struct *tsk)
{
	bool by_handler = policy_is("early_kill_sigbus_handlers", "on");
	struct task_struct *t;

	for_each_thread(tsk, t) {
		if (t->flags & PF_MCE_PROCESS) {
			if (t->flags & PF_MCE_EARLY)
				return t;
		} else if (by_handler) {
			if (has_sigbus_handler(t))
				return t;
		} else if (sysctl_memory_failure_early_kill()) {
			return t;
		}
	}
	return NULL;
}

static struct task_struct *task_early_kill(struct task_struct *tsk,
					   int force_early)
{
	if (!tsk->mm || !task_alive(tsk))
		return NULL;
	/* The accessing thread of an action-required error is always in. */
	if (force_early && tsk->mm == current->mm)
		return current;
	return find_early_kill_thread(tsk);
}

static bool nesting_2009(void)
{
	return policy_is("collect_procs_nesting", "2009-v3");
}

static void collect_procs_anon(struct page *page, struct list_head *to_kill,
			       int force_early)
{
	struct vm_area_struct *vma;
	struct task_struct *tsk;
	struct anon_vma *av;
	pgoff_t pgoff;

	av = page_lock_anon_vma_read(page);
	if (!av)	/* not mapped any more */
		return;
	pgoff = page_to_pgoff(page);
	/* Both nestings take tasklist_lock inside the anon_vma lock. */
	read_lock(&mm_machine_cur->tasklist_lock);
	for_each_process(tsk) {
		struct anon_vma_chain *vmac;
		struct task_struct *t = task_early_kill(tsk, force_early);

		if (!t)
			continue;
		anon_vma_interval_tree_foreach(vmac, av, pgoff, pgoff) {
			vma = vmac->vma;
			if (vma->vm_mm != t->mm)
				continue;
			if (!page_mapped_in_vma(page, vma))
				continue;
			add_to_kill(t, page, vma, to_kill);
		}
	}
	read_unlock(&mm_machine_cur->tasklist_lock);
	page_unlock_anon_vma_read(av);
}

/*
 * 6.1 takes i_mmap_rwsem, then tasklist_lock.  The 2009 v3 patch took
 * tasklist_lock first: with the anon path taking it inside anon_vma's
 * lock and VMA operations taking anon_vma's lock inside i_mmap_rwsem,
 * that closes a cycle, which fair rwlocks turn into a deadlock.
 */
static void collect_procs_file(struct page *page, struct list_head *to_kill,
			       int force_early)
{
	struct address_space *mapping = page->mapping;
	bool old = nesting_2009();
	struct vm_area_struct *vma;
	struct task_struct *tsk;
	pgoff_t pgoff = page_to_pgoff(page);

	if (old)
		read_lock(&mm_machine_cur->tasklist_lock);
	i_mmap_lock_read(mapping);
	if (!old)
		read_lock(&mm_machine_cur->tasklist_lock);
	for_each_process(tsk) {
		struct task_struct *t = task_early_kill(tsk, force_early);

		if (!t)
			continue;
		vma_interval_tree_foreach(vma, mapping, pgoff, pgoff) {
			/* Send early kill signal to tasks where a vma covers
			 * the page but the corrupted page is not necessarily
			 * mapped in its pte. */
			if (vma->vm_mm == t->mm)
				add_to_kill(t, page, vma, to_kill);
		}
	}
	if (old) {
		i_mmap_unlock_read(mapping);
		read_unlock(&mm_machine_cur->tasklist_lock);
	} else {
		read_unlock(&mm_machine_cur->tasklist_lock);
		i_mmap_unlock_read(mapping);
	}
}

static void collect_procs(struct page *page, struct list_head *tokill,
			  int force_early)
{
	if (!page->mapping)
		return;
	if (PageAnon(page))
		collect_procs_anon(page, tokill, force_early);
	else
		collect_procs_file(page, tokill, force_early);
}

/* ---- the page-state table ------------------------------------------------ */

/*
 * Take an isolated page off the LRU for good; the handler drops the
 * reference isolation took.
 */
static int delete_from_lru_cache(struct page *p)
{
	if (!isolate_lru_page(p)) {
		ClearPageActive(p);
		ClearPageUnevictable(p);
		put_page(p);
		return 0;
	}
	return -EIO;
}

static int truncate_error_page(struct page *p, unsigned long pfn,
			       struct address_space *mapping)
{
	int ret = MF_FAILED;

	if (mapping->a_ops && mapping->a_ops->error_remove_page) {
		int err = mapping->a_ops->error_remove_page(mapping, p);

		if (err)
			mf_printk("%#lx: Failed to punch page: %d", pfn, err);
		else
			ret = MF_RECOVERED;
	} else if (invalidate_inode_page(p)) {
		ret = MF_RECOVERED;
	} else {
		mf_printk("%#lx: Failed to invalidate", pfn);
	}
	return ret;
}

struct page_state {
	unsigned long mask;
	unsigned long res;
	enum mf_action_page_type type;
	/* The handler unlocks the page. */
	int (*action)(struct page_state *ps, struct page *p);
};

/* Anyone but us (and, if extra_pins, the page cache) still holding it? */
static bool has_extra_refcount(struct page_state *ps, struct page *p,
			       bool extra_pins)
{
	int count = page_count(p) - 1;

	if (extra_pins)
		count -= 1;
	if (count > 0) {
		mf_printk("%#lx: %s still referenced by %d users",
			  page_to_pfn(p), action_page_types[ps->type], count);
		return true;
	}
	return false;
}

/* Kernel pages: nothing safe to do; hope the kernel never reads it. */
static int me_kernel(struct page_state *ps, struct page *p)
{
	(void)ps;
	unlock_page(p);
	return MF_IGNORED;
}

static int me_unknown(struct page_state *ps, struct page *p)
{
	(void)ps;
	mf_printk("%#lx: Unknown page state", page_to_pfn(p));
	unlock_page(p);
	return MF_FAILED;
}

/*
 * A clean page cache page (or an anon page already unmapped): the data
 * is on disk, so take the page out of the file - a temporary hole that
 * the next read fills from the device.
 */
static int me_pagecache_clean(struct page_state *ps, struct page *p)
{
	struct address_space *mapping;
	bool extra_pins;
	int ret;

	delete_from_lru_cache(p);
	if (PageAnon(p)) {
		ret = MF_RECOVERED;
		goto out;
	}
	mapping = page_mapping(p);
	if (!mapping) {
		ret = MF_FAILED;	/* torn down meanwhile */
		goto out;
	}
	/* shmem keeps the page in its cache, with the reference that is. */
	extra_pins = shmem_mapping(mapping);
	ret = truncate_error_page(p, page_to_pfn(p), mapping);
	if (has_extra_refcount(ps, p, extra_pins))
		ret = MF_FAILED;
out:
	unlock_page(p);
	return ret;
}

static const char *inode_type(struct inode *inode)
{
	switch (inode->i_sb->type) {
	case FS_TMPFS:
		return "tmpfs";
	case FS_HUGETLBFS:
		return "hugetlbfs";
	default:
		return "regular file";
	}
}

/*
 * Seed 003: name what was lost (device, inode, offset, file type), then
 * apply the dirty_pagecache policy: 6.1 reports EIO through the mapping;
 * the proposal panics instead, everywhere or when an important task maps
 * the file.
 */
static void dirty_pagecache_policy(struct page *p,
				   struct address_space *mapping)
{
	struct inode *inode = mapping->host;
	bool panic_now;

	if (inode && inode->i_sb)
		mf_printk("%#lx: dirty page cache of %s dev %u:%u ino %lu "
			  "offset %#llx lost", page_to_pfn(p),
			  inode_type(inode), MAJOR(inode->i_sb->s_dev),
			  MINOR(inode->i_sb->s_dev), inode->i_ino,
			  (unsigned long long)p->index << PAGE_SHIFT);
	panic_now = policy_is("dirty_pagecache", "panic") ||
		    (policy_is("dirty_pagecache", "panic-important") &&
		     hwpoison_state()->important_mapper);
	if (panic_now)
		panic("Memory failure on dirty page cache page %#lx",
		      page_to_pfn(p));
}

/*
 * Dirty page cache: the only copy is in the bad frame.  Record the loss
 * on the mapping so write(), fsync() and msync() report EIO - to every
 * open file once (errseq), or to whoever asks first (the AS_EIO policy).
 */
static int me_pagecache_dirty(struct page_state *ps, struct page *p)
{
	struct address_space *mapping = page_mapping(p);

	SetPageError(p);
	if (mapping) {
		dirty_pagecache_policy(p, mapping);
		mapping_set_error(mapping, -EIO);
	}
	return me_pagecache_clean(ps, p);
}

/*
 * A dirty swap cache page may also be mapped by swap PTEs.  Keep it in the
 * swap cache, not dirty, not up to date: a later fault on a swap entry
 * finds it and kills the task that wanted the lost data.
 */
static int me_swapcache_dirty(struct page_state *ps, struct page *p)
{
	bool extra_pins = false;
	int ret;

	ClearPageDirty(p);
	ClearPageUptodate(p);	/* shmem reads give EIO */
	ret = delete_from_lru_cache(p) ? MF_FAILED : MF_DELAYED;
	unlock_page(p);
	if (ret == MF_DELAYED)
		extra_pins = true;
	if (has_extra_refcount(ps, p, extra_pins))
		ret = MF_FAILED;
	return ret;
}

/* A clean swap cache page: the swap device has the data. */
static int me_swapcache_clean(struct page_state *ps, struct page *p)
{
	int ret;

	delete_from_swap_cache(p);
	ret = delete_from_lru_cache(p) ? MF_FAILED : MF_RECOVERED;
	unlock_page(p);
	if (has_extra_refcount(ps, p, false))
		ret = MF_FAILED;
	return ret;
}

/*
 * A hugetlb page, unmapped (try_memory_failure_hugetlb), head locked.
 * hugetlbfs: the page stays in its file, poisoned, so reads and faults
 * of it keep failing.  Anonymous: nobody can reach it past the hwpoison
 * entries, so it is released (hugetlb_release_poisoned: dissolved to
 * save the healthy subpages, or kept whole under hugetlb_poison=whole).
 * Any other compound page is not recovered.
 */
static int me_huge_page(struct page_state *ps, struct page *p)
{
	struct page *hpage = compound_head(p);
	struct address_space *mapping;
	bool extra_pins = false;
	int res;

	if (!PageHuge(hpage)) {
		unlock_page(hpage);
		return MF_DELAYED;
	}
	mapping = page_mapping(hpage);
	if (mapping) {
		res = truncate_error_page(hpage, page_to_pfn(p), mapping);
		extra_pins = true;	/* the page cache's reference */
		unlock_page(hpage);
	} else {
		unlock_page(hpage);
		res = hugetlb_release_poisoned(p);
	}
	if (has_extra_refcount(ps, p, extra_pins))
		res = MF_FAILED;
	return res;
}

#define dirty		(1UL << PG_dirty)
#define sc		((1UL << PG_swapcache) | (1UL << PG_swapbacked))
#define unevict		(1UL << PG_unevictable)
#define mlock		(1UL << PG_mlocked)
#define lru		(1UL << PG_lru)
#define head		(1UL << PG_head)
#define slab		(1UL << PG_slab)
#define reserved	(1UL << PG_reserved)

/*
 * The page states memory_failure tells apart, matched in order on the
 * page's flags (free pages are caught before this table).  The last entry
 * matches anything.
 */
static struct page_state error_states[] = {
	{ reserved,	 reserved,	 MF_MSG_KERNEL,	me_kernel },
	{ slab,		 slab,		 MF_MSG_SLAB,	me_kernel },
	{ head,		 head,		 MF_MSG_HUGE,	me_huge_page },
	{ sc | dirty,	 sc | dirty,	 MF_MSG_DIRTY_SWAPCACHE,
	  me_swapcache_dirty },
	{ sc | dirty,	 sc,		 MF_MSG_CLEAN_SWAPCACHE,
	  me_swapcache_clean },
	{ mlock | dirty, mlock | dirty,	 MF_MSG_DIRTY_MLOCKED_LRU,
	  me_pagecache_dirty },
	{ mlock | dirty, mlock,		 MF_MSG_CLEAN_MLOCKED_LRU,
	  me_pagecache_clean },
	{ unevict | dirty, unevict | dirty, MF_MSG_DIRTY_UNEVICTABLE_LRU,
	  me_pagecache_dirty },
	{ unevict | dirty, unevict,	 MF_MSG_CLEAN_UNEVICTABLE_LRU,
	  me_pagecache_clean },
	{ lru | dirty,	 lru | dirty,	 MF_MSG_DIRTY_LRU, me_pagecache_dirty },
	{ lru | dirty,	 lru,		 MF_MSG_CLEAN_LRU, me_pagecache_clean },
	{ 0,		 0,		 MF_MSG_UNKNOWN,   me_unknown },
};

#undef dirty
#undef sc
#undef unevict
#undef mlock
#undef lru
#undef head
#undef slab
#undef reserved

static int page_action(struct page_state *ps, struct page *p,
		       unsigned long pfn)
{
	int result = ps->action(ps, p);

	action_result(pfn, ps->type, result);
	return (result == MF_RECOVERED || result == MF_DELAYED) ? 0 : -EBUSY;
}

/*
 * The flags now may not say enough (try_to_unmap clears PG_mlocked), so
 * a second pass matches the flags saved before the unmap.
 */
int identify_page_state(unsigned long pfn, struct page *p,
			unsigned long page_flags)
{
	struct page_state *ps;

	for (ps = error_states;; ps++)
		if ((p->flags & ps->mask) == ps->res)
			break;
	page_flags |= p->flags & (1UL << PG_dirty);
	if (!ps->mask)
		for (ps = error_states;; ps++)
			if ((page_flags & ps->mask) == ps->res)
				break;
	return page_action(ps, p, pfn);
}

/* ---- getting a reference ------------------------------------------------ */

/* Pages memory_failure knows how to take a reference on. */
static bool HWPoisonHandlable(struct page *page, unsigned long flags)
{
	(void)flags;
	return PageLRU(page) || is_free_buddy_page(page);
}

static int __get_hwpoison_page(struct page *page, unsigned long flags)
{
	struct page *head = compound_head(page);

	if (!HWPoisonHandlable(head, flags))
		return -EBUSY;
	if (get_page_unless_zero(head)) {
		if (head == compound_head(page))
			return 1;
		mf_printk("%#lx cannot catch tail", page_to_pfn(page));
		put_page(head);
	}
	return 0;
}

/*
 * Take a reference on the page if its state is one we handle, retrying a
 * few times against allocation and freeing in flight: 1 with a reference,
 * 0 for a free (or just freed) page, -EBUSY or -EIO otherwise.
 */
static int get_any_page(struct page *p, unsigned long flags)
{
	bool count_increased = flags & MF_COUNT_INCREASED;
	int ret = 0, pass = 0;

try_again:
	if (!count_increased) {
		ret = __get_hwpoison_page(p, flags);
		if (!ret) {
			if (page_count(p)) {
				/* Raced with an allocation. */
				if (pass++ < 3)
					goto try_again;
				ret = -EBUSY;
			} else if (!PageHuge(p) && !is_free_buddy_page(p)) {
				/* Raced with the last put_page. */
				if (pass++ < 3)
					goto try_again;
				ret = -EIO;
			}
			goto out;
		} else if (ret == -EBUSY) {
			if (pass++ < 3) {
				shake_page(p);
				goto try_again;
			}
			ret = -EIO;
			goto out;
		}
	}
	if (PageHuge(p) || HWPoisonHandlable(p, flags)) {
		ret = 1;
	} else {
		if (pass++ < 3) {
			put_page(p);
			shake_page(p);
			count_increased = false;
			goto try_again;
		}
		put_page(p);
		ret = -EIO;
	}
out:
	if (ret == -EIO)
		mf_printk("%#lx: unhandlable page.", page_to_pfn(p));
	return ret;
}

static bool PageHWPoisonTakenOff(struct page *page)
{
	return PageHWPoison(page) && page_private(page) == MAGIC_HWPOISON;
}

static int __get_unpoison_page(struct page *page)
{
	if (PageHWPoisonTakenOff(page))
		return -EHWPOISON;
	return get_page_unless_zero(page) ? 1 : 0;
}

static int get_hwpoison_page(struct page *p, unsigned long flags)
{
	if (flags & MF_UNPOISON)
		return __get_unpoison_page(p);
	return get_any_page(p, flags);
}

/* ---- user mappings ------------------------------------------------------- */

struct important_walk {
	bool found;
};

static bool note_important(struct page *page, struct vm_area_struct *vma,
			   unsigned long addr, void *arg)
{
	struct important_walk *w = arg;
	struct task_struct *t;

	(void)page;
	(void)addr;
	for_each_process(t)
		if (t->mm == vma->vm_mm && task_alive(t) &&
		    (t->flags & PF_MCE_IMPORTANT))
			w->found = true;
	return !w->found;
}

/* Does a task marked important map the page?  (seed 003's variant) */
static bool mapped_by_important_task(struct page *p)
{
	struct important_walk w = { false };
	struct rmap_walk_control rwc = { .arg = &w, .rmap_one = note_important };

	if (!page_mapped(p))
		return false;
	rmap_walk(p, &rwc);
	return w.found;
}

/*
 * Unmap the page from every process, leaving hwpoison entries, and signal
 * those that must know: all of them for lost (dirty) data, none for a
 * clean page that the next access can simply read again.
 */
bool hwpoison_user_mappings(struct page *p, unsigned long pfn, int flags,
			    struct page *hpage)
{
	enum ttu_flags ttu = TTU_IGNORE_MLOCK | TTU_SYNC;
	bool mlocked = PageMlocked(hpage), unmap_success, hwpoison = true;
	struct address_space *mapping;
	LIST_HEAD(tokill);
	int forcekill;

	/* Only user-mapped pages here. */
	if (PageReserved(p) || PageSlab(p) || PageTable(p))
		return true;
	if (!(PageLRU(hpage) || PageHuge(p)))
		return true;
	/* Swap-cache pages that nobody maps: always a late kill. */
	if (!page_mapped(p))
		return true;
	if (PageKsm(p)) {
		mf_printk("%#lx: can't handle KSM pages.", pfn);
		return false;
	}
	if (PageSwapCache(p)) {
		mf_printk("%#lx: keeping poisoned page in swap cache", pfn);
		hwpoison = false;
	}
	/* Push the PTEs' dirty bits into the page: dirty means data lost. */
	mapping = page_mapping(hpage);
	if (!(flags & MF_MUST_KILL) && !PageDirty(hpage) && mapping &&
	    mapping_can_writeback(mapping) && !PageSwapCache(hpage)) {
		if (page_mkclean(hpage)) {
			SetPageDirty(hpage);
		} else {
			hwpoison = false;
			mf_printk("%#lx: corrupted page was clean: dropped "
				  "without side effects", pfn);
		}
	}
	hwpoison_state()->important_mapper = mapped_by_important_task(hpage);
	/* Collect before unmapping: try_to_unmap takes the rmap down. */
	collect_procs(hpage, &tokill, flags & MF_ACTION_REQUIRED);
	try_to_unmap(hpage, ttu | (hwpoison ? 0 : TTU_IGNORE_HWPOISON));
	unmap_success = !page_mapped(p);
	if (!unmap_success)
		mf_printk("%#lx: failed to unmap page (mapcount=%d)", pfn,
			  page_mapcount(p));
	if (mlocked)
		shake_page(hpage);
	forcekill = PageDirty(hpage) || (flags & MF_MUST_KILL) ||
		    !unmap_success;
	kill_procs(&tokill, forcekill, !unmap_success, pfn, flags);
	return unmap_success;
}

/*
 * An action-required error on a page that was already poisoned (a second
 * CPU, or an unmap that failed the first time): find where the current
 * task maps it and send SIGBUS AR there.
 */
int kill_accessing_process(struct task_struct *p, unsigned long pfn,
			   int flags)
{
	struct to_kill tk = { .tsk = p };
	struct vm_area_struct *vma;
	bool found = false;

	if (!p->mm)
		return -EFAULT;
	down_read(&p->mm->mmap_lock);
	for_each_vma(p->mm, vma) {
		for (unsigned long a = vma->vm_start; a < vma->vm_end && !found;
		     a += PAGE_SIZE) {
			pte_t pte = mm_pte_peek(p->mm, a);
			swp_entry_t e = pte_to_swp_entry(pte);

			if ((pte_present(pte) && pte_pfn(pte) == pfn) ||
			    (is_swap_pte(pte) && is_hwpoison_entry(e) &&
			     swp_offset_pfn(e) == pfn)) {
				tk.addr = a;
				/* hugetlb: one PMD entry for the huge page. */
				tk.size_shift = is_vm_hugetlb_page(vma) ?
						PMD_SHIFT : PAGE_SHIFT;
				found = true;
			}
		}
		if (found)
			break;
	}
	up_read(&p->mm->mmap_lock);
	if (found)
		kill_proc(&tk, pfn, flags);
	return found ? -EHWPOISON : 0;
}

/* ---- filter -------------------------------------------------------------- */

static int hwpoison_filter_dev(struct hwpoison_state *hs, struct page *p)
{
	struct address_space *mapping;
	dev_t dev;

	if (hs->filter_dev_major == ~0U && hs->filter_dev_minor == ~0U)
		return 0;
	mapping = page_mapping(p);
	if (!mapping || !mapping->host || !mapping->host->i_sb)
		return -EINVAL;
	dev = mapping->host->i_sb->s_dev;
	if (hs->filter_dev_major != ~0U && hs->filter_dev_major != MAJOR(dev))
		return -EINVAL;
	if (hs->filter_dev_minor != ~0U && hs->filter_dev_minor != MINOR(dev))
		return -EINVAL;
	return 0;
}

static int hwpoison_filter_flags(struct hwpoison_state *hs, struct page *p)
{
	if (!hs->filter_flags_mask)
		return 0;
	if ((stable_page_flags(p) & hs->filter_flags_mask) ==
	    hs->filter_flags_value)
		return 0;
	return -EINVAL;
}

/* Injected errors can be limited to pages of a device or kind. */
int hwpoison_filter(struct page *p)
{
	struct hwpoison_state *hs = hwpoison_state();

	if (!hs->filter_enable)
		return 0;
	if (hwpoison_filter_dev(hs, p) || hwpoison_filter_flags(hs, p))
		return -EINVAL;
	return 0;
}

/* ---- memory_failure() --------------------------------------------------- */

/* A free page: take it off the buddy lists so it is never handed out. */
static int handle_free_page(struct page *p, unsigned long pfn, bool *retry)
{
	int res;

	if (!is_free_buddy_page(p)) {
		action_result(pfn, MF_MSG_KERNEL_HIGH_ORDER, MF_IGNORED);
		return -EBUSY;
	}
	if (take_page_off_buddy(p)) {
		page_ref_inc(p);
		res = MF_RECOVERED;
	} else {
		if (*retry) {
			ClearPageHWPoison(p);
			*retry = false;
			return -EAGAIN;
		}
		res = MF_FAILED;
	}
	action_result(pfn, MF_MSG_BUDDY, res);
	return res == MF_RECOVERED ? 0 : -EBUSY;
}

static int memory_failure_locked(unsigned long pfn, int flags)
{
	unsigned long page_flags;
	bool retry = true;
	struct page *p, *hpage;
	int res;

	if (!pfn_valid(pfn)) {
		mf_printk("%#lx: memory outside kernel control", pfn);
		return -ENXIO;
	}
	p = pfn_to_page(pfn);
try_again:
	/* ---- hugetlb: its own path (memory-failure-hugetlb.c) ---- */
	{
		int hugetlb = 0;

		res = try_memory_failure_hugetlb(pfn, flags, &hugetlb);
		if (hugetlb)
			return res;
	}
	/* ---- end hugetlb ---- */
	if (TestSetPageHWPoison(p)) {
		mf_printk("%#lx: already hardware poisoned", pfn);
		res = -EHWPOISON;
		if (flags & MF_ACTION_REQUIRED)
			res = kill_accessing_process(current, pfn, flags);
		if (flags & MF_COUNT_INCREASED)
			put_page(p);
		return res;
	}
	hpage = compound_head(p);
	if (!(flags & MF_COUNT_INCREASED)) {
		res = get_hwpoison_page(p, (unsigned long)flags);
		if (!res) {
			res = handle_free_page(p, pfn, &retry);
			if (res == -EAGAIN)
				goto try_again;
			return res;
		} else if (res < 0) {
			action_result(pfn, MF_MSG_UNKNOWN, MF_IGNORED);
			return -EBUSY;
		}
	}
	shake_page(p);
	lock_page(p);
	/* The page may have become part of a compound page meanwhile. */
	if (PageCompound(p)) {
		if (retry) {
			ClearPageHWPoison(p);
			unlock_page(p);
			put_page(p);
			flags &= ~MF_COUNT_INCREASED;
			retry = false;
			goto try_again;
		}
		action_result(pfn, MF_MSG_DIFFERENT_COMPOUND, MF_IGNORED);
		unlock_page(p);
		return -EBUSY;
	}
	/* try_to_unmap clears PG_mlocked: remember the flags of now. */
	page_flags = p->flags;
	if (hwpoison_filter(p)) {
		ClearPageHWPoison(p);
		unlock_page(p);
		put_page(p);
		return -EOPNOTSUPP;
	}
	if (!PageLRU(p) && !PageWriteback(p))
		goto identify;
	/* Never mess with a page under I/O: let the write finish. */
	wait_on_page_writeback(p);
	if (!hwpoison_user_mappings(p, pfn, flags, hpage)) {
		action_result(pfn, MF_MSG_UNMAP_FAILED, MF_IGNORED);
		unlock_page(p);
		return -EBUSY;
	}
	/* Torn down by somebody else? */
	if (PageLRU(p) && !PageSwapCache(p) && p->mapping == NULL) {
		action_result(pfn, MF_MSG_TRUNCATED_LRU, MF_IGNORED);
		unlock_page(p);
		return -EBUSY;
	}
identify:
	return identify_page_state(pfn, p, page_flags);
}

/*
 * memory_failure - recover what can be recovered from a corrupted frame.
 * Returns 0 when handled, -EOPNOTSUPP when the injector's filter skipped
 * it, another negative errno when it could not be handled.  Runs in task
 * context (it sleeps on locks and writeback), never in the MCE handler.
 */
int memory_failure(unsigned long pfn, int flags)
{
	struct hwpoison_state *hs = hwpoison_state();
	unsigned int saved = mf_call_flags;
	bool serialise = policy_is("mf_mutex", "on");
	int res;

	if (!sysctl_memory_failure_recovery())
		panic("Memory failure on page %lx", pfn);
	if (serialise)
		mutex_lock(&hs->mf_mutex);
	if (!(flags & MF_SW_SIMULATED))
		hs->hw_memory_failure = true;
	mf_call_flags = (unsigned int)flags;
	hs->important_mapper = false;
	sim_trace_event(mm_machine_cur->sim, "mf", "memory_failure %#lx "
			"flags %#x", pfn, (unsigned int)flags);
	res = memory_failure_locked(pfn, flags);
	mf_call_flags = saved;
	if (serialise)
		mutex_unlock(&hs->mf_mutex);
	return res;
}
