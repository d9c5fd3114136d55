/*
 * sched.h - tasks and the signals memory failure sends them.
 *
 * A task_struct is a simulated process or thread: pid, name, mm, the
 * PF_MCE_* flags PR_MCE_KILL sets, signal dispositions and the signals it
 * received.  Threads of one process share the mm and the dispositions
 * (struct sighand_struct) and hang off the group leader's thread_group
 * list.  Every task is on the machine's task list (for_each_process walks
 * the group leaders) under tasklist_lock, an rwlock as in the kernel: its
 * fairness is the engine's rwlock switch, which is what seed 002's lock
 * nesting review turns on.
 *
 * A task is not necessarily a fiber: scenarios act on tasks directly (the
 * Lua binding), and a task that runs concurrent code has a fiber attached
 * (task->fiber).  `current` is the task of the running fiber, or the
 * machine's init task outside any task's fiber.
 *
 * Signals are recorded, then acted on as the task's disposition says:
 *   MM_SIG_DFL      SIGBUS and SIGKILL kill the task (the whole thread
 *                   group);
 *   MM_SIG_IGN      nothing happens - except that a forced signal
 *                   (force_sig_*, the kernel's path for SIGBUS
 *                   BUS_MCEERR_AR) resets an ignored or blocked SIGBUS to
 *                   the default first, so it kills;
 *   MM_SIG_HANDLER  the signal is delivered: recorded in task->delivered,
 *                   and the handler hook (the Lua binding's) runs in the
 *                   task's context.
 * Every signal sent is also logged machine-wide (machine.h) for reports and
 * expectations: who, which signal and si_code, si_addr, si_addr_lsb, why.
 */
#ifndef HWPSIM_MM_SCHED_H
#define HWPSIM_MM_SCHED_H

#include <glib.h>
#include <sys/types.h>

#include "sim/sim.h"
#include "mm-model/mm.h"

#define TASK_COMM_LEN	16

/* task->flags */
#define PF_EXITING	0x00000004
#define PF_KTHREAD	0x00200000
#define PF_MCE_PROCESS	0x00000080	/* process policy on mce errors */
#define PF_MCE_EARLY	0x08000000	/* early kill for mce process policy */
/* Model: a task marked "important" (seed 003's prctl-like flag). */
#define PF_MCE_IMPORTANT 0x40000000

/* prctl(PR_MCE_KILL, ...) */
#define PR_MCE_KILL		33
#define PR_MCE_KILL_CLEAR	0
#define PR_MCE_KILL_SET		1
#define PR_MCE_KILL_LATE	0
#define PR_MCE_KILL_EARLY	1
#define PR_MCE_KILL_DEFAULT	2
#define PR_MCE_KILL_GET		34

/*
 * SIGBUS, SIGKILL, _NSIG and the si_codes BUS_MCEERR_AR (4, action
 * required: consumed) and BUS_MCEERR_AO (5, action optional: early
 * warning) come from the C library's <signal.h> (glib.h includes it),
 * with the kernel's values.  Its si_addr is a macro, so the fields below
 * drop the si_ prefix.
 */
#include <signal.h>

struct kernel_siginfo {
	int signo;
	int code;		/* si_code */
	int err;		/* si_errno */
	unsigned long addr;	/* si_addr */
	short addr_lsb;		/* si_addr_lsb: log2 of the lost extent */
};

enum sig_disposition {
	MM_SIG_DFL,
	MM_SIG_IGN,
	MM_SIG_HANDLER,
};

struct task_struct;

/*
 * A handler: returns true when it "returns normally" (the task goes on,
 * and for a consumed error on a hwpoison PTE will fault again), false when
 * it ends the task (exit from the handler).
 */
typedef bool (*sig_handler_fn)(struct task_struct *tsk,
			       const struct kernel_siginfo *info, void *data);

struct k_sigaction {
	enum sig_disposition disp;
	sig_handler_fn handler;
	void *data;
};

struct sighand_struct {
	atomic_t count;
	struct k_sigaction action[_NSIG];
};

enum task_state {
	TASK_RUNNING,
	TASK_DEAD,		/* exited or killed */
};

struct task_struct {
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	unsigned int flags;			/* PF_* */
	enum task_state state;
	int exit_code;				/* 0, or the killing signal */
	struct mm_struct *mm;
	struct task_struct *group_leader;
	struct list_head thread_group;		/* threads of the process */
	struct list_head tasks;			/* in the machine's list */
	struct sighand_struct *sighand;
	unsigned long blocked;			/* blocked signal mask */
	GArray *delivered;		/* struct kernel_siginfo handled */
	unsigned int nr_sigbus;		/* SIGBUS signals received */
	struct sim_fiber *fiber;	/* when it runs code, or NULL */
	void *user;			/* the Lua binding's data */
	atomic_t usage;			/* get_task_struct */
	/*
	 * Signals sent but not acted on yet (struct mm_pending_signal):
	 * blocked ones, and any signal to a task whose fiber is live but is
	 * not the one running - it acts on them at its next return to user
	 * mode (exit_to_user_mode()), as a real task does.
	 */
	GArray *pending;
};

/* One signal waiting in task->pending. */
struct mm_pending_signal {
	struct kernel_siginfo info;
	bool forced;
	struct mm_signal_record *rec;	/* its line in the signal log */
};

#define for_each_process(p) \
	list_for_each_entry(p, &mm_machine_cur->tasks, tasks) \
		if ((p) == (p)->group_leader)
/*
 * The threads of a process, the group leader first.  thread_group is a
 * ring through the leader and every other live thread; a leader that
 * exits before its threads stays on the ring (and the task list) as a
 * zombie with no mm until the last of them is gone, as in the kernel.
 */
static inline struct task_struct *__next_thread(struct task_struct *t)
{
	struct task_struct *n = list_entry(t->thread_group.next,
					   struct task_struct, thread_group);

	return n == t->group_leader ? NULL : n;
}
#define for_each_thread(leader, t) \
	for ((t) = (leader)->group_leader; (t); (t) = __next_thread(t))

/* The running task (see above). */
struct task_struct *get_current(void);
#define current get_current()

/*
 * A new process running mm (it takes over the caller's mm_users
 * reference; NULL makes a kernel thread, PF_KTHREAD).
 */
struct task_struct *task_create(const char *comm, struct mm_struct *mm);
struct task_struct *task_clone_thread(struct task_struct *leader,
				      const char *comm);
/* fork(): a new process with a copy of the address space. */
struct task_struct *task_fork(struct task_struct *parent, const char *comm);
/* exit(): release the mm and leave the task list for good. */
void do_exit(struct task_struct *tsk, int code);
void get_task_struct(struct task_struct *tsk);
void put_task_struct(struct task_struct *tsk);
struct task_struct *find_task_by_pid(pid_t pid);

/* prctl(PR_MCE_KILL, ...): returns 0 or -EINVAL. */
int task_prctl_mce_kill(struct task_struct *tsk, unsigned long op,
			unsigned long mode);
int task_prctl_mce_kill_get(struct task_struct *tsk);

/* Signals.  why goes into the machine's signal log ("memory_failure"). */
void task_set_sigaction(struct task_struct *tsk, int sig,
			enum sig_disposition disp, sig_handler_fn fn,
			void *data);
int send_sig_mceerr(int code, unsigned long addr, short lsb,
		    struct task_struct *t);
int force_sig_mceerr(int code, unsigned long addr, short lsb);
void force_sig(int sig);
int send_sig_info(int sig, struct kernel_siginfo *info,
		  struct task_struct *t);
/* Deliver one fault's signal to current (do_page_fault's mm_fault_error). */
void mm_fault_error(struct task_struct *tsk, unsigned long addr,
		    vm_fault_t fault);
bool task_alive(const struct task_struct *tsk);

/* ---- additions (process side) ---------------------------------------- */

struct mm_signal_record;

/* exit_group(): every thread of tsk's process exits with code. */
void do_group_exit(struct task_struct *tsk, int code);
/*
 * The kernel's force_sig_info_to_task(): a signal the task cannot
 * ignore or block (an ignored or blocked one is reset to the default
 * first).  force_sig*() send to current through it.
 */
int force_sig_info_to_task(struct kernel_siginfo *info,
			   struct task_struct *t);
int force_sig_fault_to_task(int sig, int code, unsigned long addr,
			    struct task_struct *t);
/* sigprocmask for one signal; unblocking acts on what was pending. */
void task_block_signal(struct task_struct *tsk, int sig, bool block);
/* Act on pending, unblocked signals: the task returns to user mode. */
void exit_to_user_mode(struct task_struct *tsk);
/*
 * Let every task that runs no code of its own return to user mode, in
 * task order, acting on its pending signals: what happens to the tasks a
 * scenario drives after each operation.
 */
void mm_deliver_pending_signals(void);
/* Whether tsk is running code elsewhere (a live fiber, not current). */
bool task_running_elsewhere(const struct task_struct *tsk);

#endif
