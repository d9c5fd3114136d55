/*
 * sched.c - tasks, their life and death, prctl(PR_MCE_KILL) and signals
 * (the parts of kernel/fork.c, exit.c, sys.c and signal.c that memory
 * failure reaches).
 *
 * Task list.  Every task is on the machine's list from creation until it
 * is reaped; the list holds one reference (usage).  A thread that exits
 * is reaped at once; a group leader that exits while other threads live
 * stays as a zombie (TASK_DEAD, no mm) so for_each_process still finds
 * the process, and is reaped with the last thread.  The list changes only
 * under tasklist_lock taken for write.
 *
 * Signals.  A signal is logged when it is sent, then acted on as the
 * target's disposition says (see sched.h).  Acting on it means running a
 * handler or exiting, which a real task does on its own CPU when it next
 * returns to user mode.  So a signal to a task that is running code in
 * another fiber is left pending until that fiber calls
 * exit_to_user_mode(); a signal to the running task, or to a task that
 * runs no code (scenario-driven), is acted on at once.  Blocked signals
 * stay pending until unblocked.
 */
#include <errno.h>
#include <string.h>

#include "sim/trace.h"
#include "mm-model/machine.h"

/* Signals whose default action is to do nothing. */
static bool sig_default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
	       sig == SIGCONT;
}

/* Signals no task can catch, ignore or block. */
static bool sig_kernel_only(int sig)
{
	return sig == SIGKILL || sig == SIGSTOP;
}

static unsigned long sig_bit(int sig)
{
	return 1UL << (sig - 1);
}

/* ---- current ------------------------------------------------------------ */

struct task_struct *get_current(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct sim_fiber *f = sim_current(m->sim);
	struct task_struct *t;

	if (m->current_task && m->current_fiber == f)
		return m->current_task;
	if (f)
		list_for_each_entry(t, &m->tasks, tasks)
			if (t->fiber == f)
				return t;
	return m->init_task;
}

bool task_alive(const struct task_struct *tsk)
{
	return tsk->state != TASK_DEAD;
}

bool task_running_elsewhere(const struct task_struct *tsk)
{
	struct mm_machine *m = mm_machine_cur;

	return tsk->fiber && tsk->fiber->state != SIM_FIBER_DONE &&
	       tsk->fiber != sim_current(m->sim);
}

/*
 * Inside a run, a signal to a task other than the running one only
 * becomes pending: the task acts on it when it next returns to user mode
 * (exit_to_user_mode), never in the middle of the sender's code - which
 * may hold locks the dying task's exit takes (memory_failure holds the
 * page lock while it signals).  Outside any fiber (plain C tests) there
 * is nobody to wait for: the signal acts at once.
 */
static bool signalled_from_elsewhere(const struct task_struct *t)
{
	struct mm_machine *m = mm_machine_cur;

	/* (Or to a task running its machine-check task work, mce.c.) */
	return sim_current(m->sim) && (t != get_current() ||
				       t == m->current_task);
}

static struct task_struct *first_with_pending(struct mm_machine *m)
{
	struct task_struct *t;

	list_for_each_entry(t, &m->tasks, tasks)
		if (task_alive(t) && t->pending->len &&
		    !task_running_elsewhere(t) && t != get_current())
			return t;
	return NULL;
}

void mm_deliver_pending_signals(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct task_struct *t;

	/*
	 * A fatal signal reaps tasks (a whole thread group), changing the
	 * list under us: look again from the start after each task.
	 */
	while ((t = first_with_pending(m))) {
		unsigned int before = t->pending->len;

		exit_to_user_mode(t);
		/* Only signals that stay blocked are left: move on. */
		if (task_alive(t) && t->pending->len == before)
			break;
	}
}

/* ---- creation ----------------------------------------------------------- */

static struct sighand_struct *sighand_alloc(const struct sighand_struct *from)
{
	struct sighand_struct *sh = g_new0(struct sighand_struct, 1);

	atomic_set(&sh->count, 1);
	if (from)
		memcpy(sh->action, from->action, sizeof(sh->action));
	return sh;
}

static void sighand_put(struct sighand_struct *sh)
{
	if (sh && atomic_dec_and_test(&sh->count))
		g_free(sh);
}

static struct task_struct *alloc_task(const char *comm)
{
	struct mm_machine *m = mm_machine_cur;
	struct task_struct *t = g_new0(struct task_struct, 1);

	t->pid = m->next_pid++;
	t->tgid = t->pid;
	g_strlcpy(t->comm, comm ? comm : "", sizeof(t->comm));
	t->state = TASK_RUNNING;
	t->group_leader = t;
	INIT_LIST_HEAD(&t->thread_group);
	INIT_LIST_HEAD(&t->tasks);
	t->delivered = g_array_new(FALSE, TRUE, sizeof(struct kernel_siginfo));
	t->pending = g_array_new(FALSE, TRUE,
				 sizeof(struct mm_pending_signal));
	atomic_set(&t->usage, 1);	/* the task list's */
	return t;
}

/* Make the task visible: on the task list, and on its leader's ring. */
static void attach_task(struct task_struct *t)
{
	struct mm_machine *m = mm_machine_cur;

	write_lock(&m->tasklist_lock);
	list_add_tail(&t->tasks, &m->tasks);
	if (t->group_leader != t)
		list_add_tail(&t->thread_group,
			      &t->group_leader->thread_group);
	write_unlock(&m->tasklist_lock);
}

struct task_struct *task_create(const char *comm, struct mm_struct *mm)
{
	struct task_struct *t = alloc_task(comm);

	t->mm = mm;
	if (mm) {
		if (!mm->owner)
			mm->owner = t;
	} else {
		t->flags |= PF_KTHREAD;
	}
	t->sighand = sighand_alloc(NULL);
	attach_task(t);
	return t;
}

/* The flags a child inherits (copy_process keeps PF_MCE_*). */
#define PF_INHERITED	(PF_MCE_PROCESS | PF_MCE_EARLY | PF_MCE_IMPORTANT | \
			 PF_KTHREAD)

struct task_struct *task_clone_thread(struct task_struct *leader,
				      const char *comm)
{
	struct task_struct *t;

	leader = leader->group_leader;
	if (!task_alive(leader))
		return NULL;
	t = alloc_task(comm);
	t->tgid = leader->tgid;
	t->group_leader = leader;
	t->flags = leader->flags & PF_INHERITED;
	t->blocked = leader->blocked;
	t->mm = leader->mm;
	if (t->mm)
		mmget(t->mm);
	t->sighand = leader->sighand;
	atomic_inc(&t->sighand->count);
	attach_task(t);
	return t;
}

struct task_struct *task_fork(struct task_struct *parent, const char *comm)
{
	struct task_struct *t;

	if (!task_alive(parent))
		return NULL;
	t = alloc_task(comm ? comm : parent->comm);
	t->flags = parent->flags & PF_INHERITED;
	t->blocked = parent->blocked;
	t->sighand = sighand_alloc(parent->sighand);
	if (parent->mm) {
		t->mm = dup_mm(t, parent->mm);
		if (!t->mm) {
			/* Nobody saw the task: undo, pid and all. */
			sighand_put(t->sighand);
			g_array_free(t->delivered, TRUE);
			g_array_free(t->pending, TRUE);
			g_free(t);
			return NULL;
		}
	}
	attach_task(t);
	return t;
}

/* ---- references and lookup ----------------------------------------------- */

void get_task_struct(struct task_struct *tsk)
{
	atomic_inc(&tsk->usage);
}

void put_task_struct(struct task_struct *tsk)
{
	if (!atomic_dec_and_test(&tsk->usage))
		return;
	VM_BUG_ON(!list_empty(&tsk->tasks));
	sighand_put(tsk->sighand);
	g_array_free(tsk->delivered, TRUE);
	g_array_free(tsk->pending, TRUE);
	g_free(tsk);
}

/*
 * Live tasks and zombie leaders are on the list.  No lock: callers that
 * must not race with exit hold tasklist_lock, as the kernel's do.
 */
struct task_struct *find_task_by_pid(pid_t pid)
{
	struct task_struct *t;

	list_for_each_entry(t, &mm_machine_cur->tasks, tasks)
		if (t->pid == pid)
			return t;
	return NULL;
}

/* ---- exit ----------------------------------------------------------------- */

static void exit_mm(struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;

	if (!mm)
		return;
	tsk->mm = NULL;
	if (mm->owner == tsk)
		mm->owner = NULL;
	mmput(mm);
}

/*
 * Take an exited task off the lists.  A leader with live threads stays
 * as a zombie; the last thread to go takes it along.
 */
static void release_task(struct task_struct *tsk)
{
	struct mm_machine *m = mm_machine_cur;
	struct task_struct *leader = tsk->group_leader;
	struct task_struct *reap_leader = NULL;
	bool reap = true;

	write_lock(&m->tasklist_lock);
	if (tsk != leader) {
		list_del_init(&tsk->thread_group);
		list_del_init(&tsk->tasks);
		if (!task_alive(leader) && list_empty(&leader->thread_group) &&
		    !list_empty(&leader->tasks)) {
			list_del_init(&leader->tasks);
			reap_leader = leader;
		}
	} else if (list_empty(&tsk->thread_group)) {
		list_del_init(&tsk->tasks);
	} else {
		reap = false;
	}
	write_unlock(&m->tasklist_lock);
	if (reap)
		put_task_struct(tsk);
	if (reap_leader)
		put_task_struct(reap_leader);
}

void do_exit(struct task_struct *tsk, int code)
{
	if (!task_alive(tsk))
		return;
	get_task_struct(tsk);
	tsk->flags |= PF_EXITING;
	tsk->exit_code = code;
	exit_mm(tsk);
	tsk->state = TASK_DEAD;
	g_array_set_size(tsk->pending, 0);
	if (mm_machine_cur->sim)
		sim_trace_event(mm_machine_cur->sim, "exit",
				"pid %d %s code %d", tsk->pid, tsk->comm, code);
	release_task(tsk);
	put_task_struct(tsk);
}

void do_group_exit(struct task_struct *tsk, int code)
{
	GPtrArray *threads = g_ptr_array_new();
	struct task_struct *t;

	for_each_thread(tsk, t) {
		if (task_alive(t)) {
			get_task_struct(t);
			g_ptr_array_add(threads, t);
		}
	}
	for (guint i = 0; i < threads->len; i++) {
		t = g_ptr_array_index(threads, i);
		do_exit(t, code);
		put_task_struct(t);
	}
	g_ptr_array_free(threads, TRUE);
}

/* ---- prctl(PR_MCE_KILL) (kernel/sys.c) ----------------------------------- */

int task_prctl_mce_kill(struct task_struct *tsk, unsigned long op,
			unsigned long mode)
{
	switch (op) {
	case PR_MCE_KILL_CLEAR:
		if (mode != 0)
			return -EINVAL;
		tsk->flags &= ~PF_MCE_PROCESS;
		return 0;
	case PR_MCE_KILL_SET:
		switch (mode) {
		case PR_MCE_KILL_EARLY:
			tsk->flags |= PF_MCE_PROCESS | PF_MCE_EARLY;
			return 0;
		case PR_MCE_KILL_LATE:
			tsk->flags |= PF_MCE_PROCESS;
			tsk->flags &= ~PF_MCE_EARLY;
			return 0;
		case PR_MCE_KILL_DEFAULT:
			tsk->flags &= ~(PF_MCE_EARLY | PF_MCE_PROCESS);
			return 0;
		default:
			/*
			 * The kernel sets PF_MCE_PROCESS before it looks at
			 * the mode, so a bad mode still leaves it set.
			 */
			tsk->flags |= PF_MCE_PROCESS;
			return -EINVAL;
		}
	default:
		return -EINVAL;
	}
}

int task_prctl_mce_kill_get(struct task_struct *tsk)
{
	if (!(tsk->flags & PF_MCE_PROCESS))
		return PR_MCE_KILL_DEFAULT;
	return (tsk->flags & PF_MCE_EARLY) ? PR_MCE_KILL_EARLY :
					     PR_MCE_KILL_LATE;
}

/* ---- signals -------------------------------------------------------------- */

/*
 * Why the signal is sent, for the log: set by the sender's path where it
 * knows better (the fault path), else guessed from the si_code.
 */
static const char *signal_reason;

static const char *signal_why(const struct kernel_siginfo *info)
{
	if (signal_reason)
		return signal_reason;
	if (info->signo == SIGBUS &&
	    (info->code == BUS_MCEERR_AR || info->code == BUS_MCEERR_AO))
		return "memory_failure";
	return "signal";
}

void task_set_sigaction(struct task_struct *tsk, int sig,
			enum sig_disposition disp, sig_handler_fn fn,
			void *data)
{
	struct k_sigaction *ka;

	if (sig <= 0 || sig >= _NSIG || sig_kernel_only(sig))
		return;
	ka = &tsk->sighand->action[sig];
	ka->disp = disp;
	ka->handler = disp == MM_SIG_HANDLER ? fn : NULL;
	ka->data = disp == MM_SIG_HANDLER ? data : NULL;
	/* Ignoring a signal discards what is pending of it (POSIX). */
	if (disp == MM_SIG_IGN) {
		for (guint i = tsk->pending->len; i-- > 0;) {
			struct mm_pending_signal *ps = &g_array_index(
				tsk->pending, struct mm_pending_signal, i);

			if (ps->info.signo == sig)
				g_array_remove_index(tsk->pending, i);
		}
	}
}

/*
 * Act on one signal now: run the handler, or take the default action,
 * which for every signal that is not ignored by default ends the whole
 * thread group (SIGBUS dumps core and SIGKILL kills; the model does not
 * tell the two apart).
 */
static void deliver_signal(struct task_struct *t, struct mm_pending_signal *ps)
{
	int sig = ps->info.signo;
	struct k_sigaction *ka = &t->sighand->action[sig];

	if (!task_alive(t))
		return;
	if (!sig_kernel_only(sig)) {
		if (ka->disp == MM_SIG_IGN)
			return;
		if (ka->disp == MM_SIG_HANDLER) {
			sig_handler_fn fn = ka->handler;

			g_array_append_val(t->delivered, ps->info);
			if (fn && !fn(t, &ps->info, ka->data))
				do_group_exit(t, 0);
			return;
		}
	}
	if (sig_default_ignored(sig))
		return;
	if (ps->rec)
		ps->rec->killed = true;
	do_group_exit(t, sig);
}

/*
 * send_signal_locked() and force_sig_info_to_task() in one: forcing
 * first turns an ignored or blocked signal back to the default action.
 */
static int send_signal(struct task_struct *t, struct kernel_siginfo *info,
		       bool forced)
{
	int sig = info->signo;
	struct mm_pending_signal ps = { .info = *info, .forced = forced };
	struct k_sigaction *ka;

	if (sig <= 0 || sig >= _NSIG)
		return -EINVAL;
	if (!task_alive(t))
		return -ESRCH;
	ka = &t->sighand->action[sig];
	if (forced && !sig_kernel_only(sig)) {
		if (ka->disp == MM_SIG_IGN) {
			ka->disp = MM_SIG_DFL;
			ka->handler = NULL;
			ka->data = NULL;
		}
		t->blocked &= ~sig_bit(sig);
	}
	if (sig == SIGBUS)
		t->nr_sigbus++;
	ps.rec = mm_log_signal(t, info, forced, false, signal_why(info));

	/* sig_ignored(): dropped at once, never queued. */
	if (!sig_kernel_only(sig) &&
	    (ka->disp == MM_SIG_IGN ||
	     (ka->disp == MM_SIG_DFL && sig_default_ignored(sig))))
		return 0;
	if ((!sig_kernel_only(sig) && (t->blocked & sig_bit(sig))) ||
	    task_running_elsewhere(t) || signalled_from_elsewhere(t)) {
		g_array_append_val(t->pending, ps);
		return 0;
	}
	deliver_signal(t, &ps);
	return 0;
}

int send_sig_info(int sig, struct kernel_siginfo *info, struct task_struct *t)
{
	info->signo = sig;
	return send_signal(t, info, false);
}

int force_sig_info_to_task(struct kernel_siginfo *info, struct task_struct *t)
{
	return send_signal(t, info, true);
}

int force_sig_fault_to_task(int sig, int code, unsigned long addr,
			    struct task_struct *t)
{
	struct kernel_siginfo info = {
		.signo = sig, .code = code, .addr = addr,
	};

	return force_sig_info_to_task(&info, t);
}

int send_sig_mceerr(int code, unsigned long addr, short lsb,
		    struct task_struct *t)
{
	struct kernel_siginfo info = {
		.signo = SIGBUS, .code = code, .addr = addr, .addr_lsb = lsb,
	};

	return send_sig_info(SIGBUS, &info, t);
}

int force_sig_mceerr(int code, unsigned long addr, short lsb)
{
	struct kernel_siginfo info = {
		.signo = SIGBUS, .code = code, .addr = addr, .addr_lsb = lsb,
	};

	return force_sig_info_to_task(&info, current);
}

void force_sig(int sig)
{
	struct kernel_siginfo info = { .signo = sig, .code = SI_KERNEL };

	force_sig_info_to_task(&info, current);
}

/* The first pending signal that may be acted on: SIGKILL, else FIFO. */
static int next_pending(struct task_struct *t)
{
	int found = -1;

	for (guint i = 0; i < t->pending->len; i++) {
		struct mm_pending_signal *ps =
			&g_array_index(t->pending, struct mm_pending_signal, i);
		int sig = ps->info.signo;

		if (sig == SIGKILL)
			return (int)i;
		if (found < 0 && (sig_kernel_only(sig) ||
				  !(t->blocked & sig_bit(sig))))
			found = (int)i;
	}
	return found;
}

void exit_to_user_mode(struct task_struct *tsk)
{
	int i;

	get_task_struct(tsk);
	while (task_alive(tsk) && (i = next_pending(tsk)) >= 0) {
		struct mm_pending_signal ps =
			g_array_index(tsk->pending, struct mm_pending_signal,
				      i);

		g_array_remove_index(tsk->pending, (guint)i);
		deliver_signal(tsk, &ps);
	}
	put_task_struct(tsk);
}

void task_block_signal(struct task_struct *tsk, int sig, bool block)
{
	if (sig <= 0 || sig >= _NSIG || sig_kernel_only(sig))
		return;
	if (block) {
		tsk->blocked |= sig_bit(sig);
		return;
	}
	tsk->blocked &= ~sig_bit(sig);
	if (!task_running_elsewhere(tsk))
		exit_to_user_mode(tsk);
}

/*
 * The SIGBUS/SIGSEGV of a failed user fault (arch/x86/mm/fault.c's
 * mm_fault_error and do_sigbus).  A consumed memory error reports the
 * extent lost: a base page, or a whole huge page.
 */
void mm_fault_error(struct task_struct *tsk, unsigned long addr,
		    vm_fault_t fault)
{
	struct kernel_siginfo info = { .addr = addr };

	signal_reason = "page fault";
	if (fault & VM_FAULT_OOM) {
		printk("Out of memory: Killed process %d (%s)", tsk->pid,
		       tsk->comm);
		info.signo = SIGKILL;
		info.code = SI_KERNEL;
		info.addr = 0;
		force_sig_info_to_task(&info, tsk);
	} else if (fault & (VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)) {
		info.signo = SIGBUS;
		info.code = BUS_MCEERR_AR;
		info.addr_lsb = (fault & VM_FAULT_HWPOISON) ? PAGE_SHIFT :
							     HPAGE_PMD_SHIFT;
		printk("MCE: Killing %s:%d due to hardware memory corruption "
		       "fault at %lx", tsk->comm, tsk->pid, addr);
		force_sig_info_to_task(&info, tsk);
	} else if (fault & VM_FAULT_SIGBUS) {
		force_sig_fault_to_task(SIGBUS, BUS_ADRERR, addr, tsk);
	} else if (fault & VM_FAULT_SIGSEGV) {
		force_sig_fault_to_task(SIGSEGV, SEGV_MAPERR, addr, tsk);
	}
	signal_reason = NULL;
}
