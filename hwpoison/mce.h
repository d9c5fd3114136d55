/*
 * mce.h - the machine-check handler: Linux 6.1's arch/x86/kernel/cpu/mce
 * core on the simulated MCA hardware (sim/mca.h).
 *
 * The hardware fills banks and signals #MC or CMCI; this layer is what
 * the kernel does next:
 *
 *   #MC   do_machine_check() on every CPU that took the exception (all
 *         of them for a broadcast machine check, rendezvous and Monarch
 *         included; the one CPU for a local one): grade every valid bank
 *         with mce_severity(), panic when one is fatal, else log each
 *         (mce_log), queue kill_me_maybe()/kill_me_now() for a user task
 *         that consumed poison, or fix up a machine-check-safe kernel
 *         copy.  Clears the banks it handled and MCG_STATUS.
 *   CMCI  machine_check_poll() on the CPU: corrected errors and UCNA are
 *         logged and their banks cleared.
 *   log   mce_log() puts the record in the "gen pool"; a kernel worker
 *         ("kworker/mce") runs the decode chain on it later, as the
 *         kernel's mce_gen_pool_process() does: uc_decode_notifier
 *         (memory_failure(pfn, 0) for action-optional and UCNA errors),
 *         the corrected-error page counts, the mcelog device (the
 *         subscribers of mce_set_event_hook, the user-space daemon) and
 *         the default notifier that prints unhandled records.
 *
 * Everything the handler decides is kept in an mcelog-like record per
 * graded bank (struct mce_log_entry), with the action taken and, once it
 * completed, its outcome, for reports and scenarios.
 *
 * State is per machine, hung off hwpoison_state (memory-failure.h); the
 * severity rule coverage counters (severity.c) are reset when a machine's
 * MCA is attached.  The "mce_copy" policy switch chooses how kernel
 * copies that touch poison behave (see mce.c).
 */
#ifndef HWPSIM_HWPOISON_MCE_H
#define HWPSIM_HWPOISON_MCE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "hwpoison/severity.h"
#include "mm-model/machine.h"
#include "sim/mca.h"
#include "sim/mce_inject.h"

/* mce.kflags besides severity.h's: who handled the record. */
#define MCE_HANDLED_UC		(1ULL << 1)	/* memory_failure() */
#define MCE_HANDLED_MCELOG	(1ULL << 5)	/* /dev/mcelog took it */

/* What the handler did about one graded bank. */
enum mce_action {
	MCE_ACT_NONE,		/* not decided yet */
	MCE_ACT_IGNORE,		/* "Not enabled": cleared, ignored */
	MCE_ACT_LEFT,		/* #MC left it for CMCI/poll (S=0, KEEP) */
	MCE_ACT_LOG,		/* logged only */
	MCE_ACT_MEMORY_FAILURE,	/* AO/UCNA: memory_failure via the chain */
	MCE_ACT_KILL_ME_MAYBE,	/* AR in user mode: task work */
	MCE_ACT_KILL_ME_NOW,	/* no RIPV in user mode: SIGBUS */
	MCE_ACT_KILL_ME_NEVER,	/* copy from user: memory_failure, no kill */
	MCE_ACT_FIXUP,		/* kernel machine-check-safe copy: fixup */
	MCE_ACT_PANIC,
};

const char *mce_action_name(enum mce_action a);

/* One record of the machine's mcelog. */
struct mce_log_entry {
	unsigned int seq;		/* 1, 2, ... per machine */
	struct mce m;			/* extcpu, bank, status, addr, misc,
					 * mcgstatus, ip, cs, severity, kflags */
	const char *msg;		/* the severity rule's message */
	enum mce_action action;
	char *outcome;			/* what came of the action, or NULL */
	bool exception;			/* graded in #MC (else poll) */
	bool logged;			/* went through mce_log() */
	pid_t pid;			/* the interrupted task, 0: kernel */
	uint64_t step;
	unsigned long pfn;		/* addr >> PAGE_SHIFT, if usable */
	bool usable_addr;		/* mce_usable_address() */
	unsigned long ce_count;		/* CE: the page's count with this one */
	bool ce_threshold;		/* CE: this one reached the threshold */
};

/*
 * A subscriber to logged records (the mcelog device): called in the
 * kernel worker after the decode chain handled the record.
 */
typedef void (*mce_event_fn)(const struct mce_log_entry *e, void *data);

struct mce_state {
	struct mca *mca;
	GPtrArray *log;			/* struct mce_log_entry *, in order */
	GQueue gen_pool;		/* struct mce_log_entry *, to decode */
	struct sim_fiber *worker;	/* kworker/mce, while it drains */
	GTree *ce_pages;		/* pfn -> corrected errors seen */
	unsigned long ce_threshold;	/* per page; 0: no threshold event */
	unsigned long nr_exceptions;	/* #MC handler runs (all CPUs) */
	unsigned long nr_polls;
	mce_event_fn event_fn;
	void *event_data;
	/* Task work queued by queue_task_work(), one per task. */
	GPtrArray *task_work;		/* struct mce_task_work * */
	bool panicked;
	/* debugfs fake_panic: mce_panic() only logs (mce-test uses it). */
	bool fake_panic;
	int fake_panicked;
	unsigned int nr_panics;		/* mce_panic() calls, fake or not */
	void *mc_cpus;			/* do_machine_check's per-CPU state */
	char *last_panic;		/* the last one's panic message */
};

/* The machine-check state of the current machine: attached (and its MCA
 * built from the machine's CPUs and memory) on first use. */
struct mce_state *mce_attach(void);
/* NULL if the current machine has none yet. */
struct mce_state *mce_state_peek(void);
struct mca *mce_mca(void);
void mce_state_free(struct mce_state *ms);
/* The "mce_copy" switch (called by hwpoison_policy_register). */
void mce_policy_register(void);

/* Default per-page corrected error threshold (mcelog's memory-ce-threshold). */
#define MCE_CE_THRESHOLD_DEFAULT	10

/* What the interrupted code was doing on the CPU that took the error. */
struct mce_context {
	struct task_struct *task;	/* running task, NULL: kernel thread */
	bool copy_from_user;		/* kernel loading from user_addr */
	uint64_t user_addr;
	/*
	 * The consuming CPU reports the SRAR as restartable (MCG_STATUS
	 * RIPV|EIPV), as Skylake-SP and later parts do for a poisoned data
	 * load or fetch: 6.1 then runs kill_me_maybe().  sim/mca's SRAR
	 * sources set EIPV alone, with which 6.1 takes kill_me_now() (a
	 * plain SIGBUS, no memory_failure()).
	 */
	bool ripv;
};

/*
 * Take every pending #MC and CMCI on the machine and run the handlers
 * (do_machine_check for the #MC CPUs together, then the CMCI poll per
 * CPU).  ctx describes the CPU cpu (the one that raised); the others
 * were interrupted wherever they were.  Then the queued task work of
 * ctx->task runs, as on its return to user mode.  Log entries created
 * are entries [*first, log->len) (first may be NULL).
 */
void mce_handle_pending(unsigned int cpu, const struct mce_context *ctx,
			unsigned int *first);

/*
 * Raise an error in hardware and handle it: mca_raise + the above.
 * rep (may be NULL) gets what the hardware did (the bank used...).
 */
int mce_raise(const struct mca_error *e, const struct mce_context *ctx,
	      struct mca_report *rep);

/*
 * Inject one mce-inject record as the kernel's injector does: load the
 * bank, then raise #MC (broadcast unless NOBROADCAST: the other CPUs
 * enter with RIPV|MCIP and no error of their own) or poll the CPU.
 */
int mce_inject_record(const struct mce_inject_record *r,
		      const struct mce_context *ctx, unsigned int *first);

/* A user access by t consumed the poisoned line at pfn/off (SRAR). */
void mce_user_consume(struct task_struct *t, unsigned long pfn,
		      unsigned int off, bool ifetch);
/* A kernel copy (read(2)/write(2)) consumed pfn/off. */
void mce_kernel_consume(unsigned long pfn, unsigned int off);

/* machine_check_poll() on one CPU / on every CPU (the mce timer). */
void mce_poll_cpu(unsigned int cpu);
void mce_poll_all(void);

/*
 * Run the decode chain on what mce_log() queued.  mce_flush() waits for
 * it (and for memory_failure_queue's worker) from a fiber, or runs it
 * right away outside one.
 */
void mce_gen_pool_process(void);
void mce_flush(void);

/* Run ctx task's queued machine-check task work (return to user). */
void mce_run_task_work(struct task_struct *t);

unsigned long mce_ce_count(unsigned long pfn);
void mce_set_event_hook(mce_event_fn fn, void *data);
/* debugfs fake_panic (writing it resets the handler's panic count). */
void mce_set_fake_panic(bool on);

/*
 * What became of one error: mark before raising or injecting it, then
 * ask for the record of its (cpu, bank).  A panic during it (from any
 * bank, or "from unknown source") makes the action "panic".
 */
struct mce_mark {
	unsigned int first;		/* first log entry after the mark */
	unsigned int nr_panics;
};
struct mce_result {
	const struct mce_log_entry *entry;	/* NULL: the bank was not
						 * graded */
	int severity;				/* -1 without entry */
	const char *msg;			/* "" without entry */
	const char *action;
	char *outcome;				/* g_free it */
};
void mce_mark(struct mce_mark *mk);
void mce_result_get(const struct mce_mark *mk, unsigned int cpu,
		    unsigned int bank, struct mce_result *r);

/* "CPU 1 BANK 1 STATUS ... " one line for reports (g_free it). */
char *mce_log_entry_describe(const struct mce_log_entry *e);

/* Virtual addresses of the simulated kernel's code, for #MC frames. */
#define MCE_KIP_IDLE		0xffffffff81000100ULL	/* default_idle */
#define MCE_KIP_COPY_USER	0xffffffff81600000ULL	/* plain copies */
#define MCE_KIP_COPY_MC		0xffffffff81610000ULL	/* copy_mc_* */
#define MCE_KIP_RANGE		0x100ULL
#define MCE_USER_IP		0x0000000000401000ULL	/* a user program */

#endif
