/*
 * mce.c - the x86 machine-check handler (Linux 6.1 mce/core.c) on the
 * simulated MCA hardware.
 *
 * The kernel's steps and names, in the order the kernel takes them:
 *
 *   do_machine_check()          every CPU that took the #MC
 *     mce_gather_info()         MCG_STATUS; ip/cs only if RIPV or EIPV
 *     mce_no_way_out()          grade each valid bank; a PANIC grade
 *                               means no way out
 *     kill_current_task         no RIPV: the interrupted code cannot go on
 *     lmce                      MCG_STATUS.LMCES: only this CPU is in it
 *       -> no way out: mce_panic("Fatal local machine check")
 *     mce_start()               broadcast: wait for every CPU, share
 *                               no_way_out (global_nwo)
 *     __mc_scan_banks()         grade again, log what is not left to the
 *                               poller, remember the worst (mces_seen)
 *     mce_clear_state()         clear the banks handled (unless panicking)
 *     mce_end() -> mce_reign()  the Monarch (first CPU in) grades all:
 *                               PANIC -> mce_panic("Fatal machine check");
 *                               nothing above KEEP anywhere ->
 *                               mce_panic("Fatal machine check from
 *                               unknown source")
 *     local: worst PANIC -> mce_panic("Local fatal machine check!")
 *     worst AR or no RIPV:
 *       user mode:   queue_task_work(kill_me_maybe, or kill_me_now
 *                    without RIPV) - runs when the task returns to user
 *       kernel mode: MCE_IN_KERNEL_RECOV -> fixup_exception (the copy
 *                    fails), MCE_IN_KERNEL_COPYIN -> kill_me_never
 *     MCG_STATUS = 0
 *
 *   machine_check_poll()        CMCI and the poll timer: log corrected
 *                               errors, UCNA, "not enabled" errors
 *   mce_log() -> gen pool -> mce_gen_pool_process() in a worker: the
 *   decode chain (uc_decode_notifier: memory_failure(pfn, 0) for AO and
 *   UCNA/deferred errors with a usable address; /dev/mcelog readers; the
 *   default notifier printing records nobody handled).
 *
 * Model choices (6.1 has no counterpart, or one hwpsim leaves out):
 *  - The rendezvous never times out: every CPU that took the #MC is in
 *    the handler; CPUs enter (and the Monarch is chosen) in CPU order.
 *  - The kernel is built without RAS_CEC (or booted with ras=cec_disable):
 *    corrected errors reach the mcelog readers, which count them per page
 *    and soft offline, as mcelog and rasdaemon do.  hwpsim keeps the per
 *    page count here (mce_ce_count) and flags the record that reaches
 *    the threshold, for the daemon; the kernel itself offlines nothing.
 *  - Task work queued for a task runs right after the handler, as on the
 *    interrupted task's return to user mode, with `current` set to it.
 *  - set_mce_nospec() (unmapping the page from the kernel's direct map)
 *    has nothing to act on in the model.
 *  - fake_panic (the kernel's debugfs switch mce-test uses): mce_panic()
 *    logs "Fake kernel panic" and the handler goes on.
 *
 * The "mce_copy" policy: how kernel copies that touch poison are built.
 * In 6.1 a buffered read(2) copies page-cache pages to user space with
 * copy_page_to_iter(), a plain copy whose exception table entry handles
 * faults on the user address only (EX_TYPE_UACCESS): a #MC on the load
 * from the poisoned page-cache page is "Data load in unrecoverable area
 * of kernel" and the machine panics.  That is "panic", the default.
 * "mc-safe" makes those copies copy_mc_*() routines (as pmem/dax reads
 * are in 6.1): their EX_TYPE_DEFAULT_MCE_SAFE entry makes the error
 * "Action required: data load in error recoverable area of kernel", the
 * fixup ends the copy short and read(2)/write(2) fail with EIO.  As in
 * 6.1, nothing calls memory_failure() for such a page (only a copy from
 * user, MCE_IN_KERNEL_COPYIN, does, through kill_me_never).
 */
#include "hwpoison/mce.h"

#include <errno.h>
#include <string.h>

#include "hwpoison/memory-failure.h"
#include "mm-model/fs.h"
#include "sim/trace.h"

#define HW_ERR		"[Hardware Error]: "
#define mce_pr(fmt, ...)	printk("mce: " fmt, ##__VA_ARGS__)

/* The boot CPU: an Intel Xeon with software error recovery (Ice Lake-SP). */
#define MCE_CPU_MODEL		0x6a
#define MCE_CPU_STEPPING	6
#define MCE_MAX_BANKS		64

/* queue_task_work()'s bookkeeping, the kernel's task_struct mce_* fields. */
struct mce_task_work {
	struct task_struct *task;
	int mce_count;
	uint64_t mce_addr;
	uint64_t mce_kflags;
	bool mce_ripv;
	bool mce_whole_page;
	enum mce_action func;
	struct mce_log_entry *entry;	/* the record it acts for */
};

/* ---- policy ---------------------------------------------------------- */

static const char *const copy_modes[] = { "panic", "mc-safe", NULL };

static const struct sim_policy_def mce_defs[] = {
	{ "mce_copy", copy_modes, "panic",
	  "kernel copies that touch poison (read(2)/write(2) of page cache): "
	  "panic (6.1: plain copy_page_to_iter, an unrecoverable kernel "
	  "data load) or mc-safe (copy_mc_*: the copy fails with EIO)" },
};

void mce_policy_register(void)
{
	sim_policy_register(mce_defs, G_N_ELEMENTS(mce_defs));
}

const char *mce_action_name(enum mce_action a)
{
	static const char *const names[] = {
		[MCE_ACT_NONE] = "none",
		[MCE_ACT_IGNORE] = "ignore",
		[MCE_ACT_LEFT] = "left for poll",
		[MCE_ACT_LOG] = "log",
		[MCE_ACT_MEMORY_FAILURE] = "memory_failure",
		[MCE_ACT_KILL_ME_MAYBE] = "kill_me_maybe",
		[MCE_ACT_KILL_ME_NOW] = "kill_me_now",
		[MCE_ACT_KILL_ME_NEVER] = "kill_me_never",
		[MCE_ACT_FIXUP] = "fixup",
		[MCE_ACT_PANIC] = "panic",
	};

	return (unsigned int)a < G_N_ELEMENTS(names) ? names[a] : "?";
}

/* ---- state ----------------------------------------------------------- */

static gint pfn_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	unsigned long x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);

	(void)unused;
	return x < y ? -1 : x > y;
}

static void entry_free(gpointer p)
{
	struct mce_log_entry *e = p;

	g_free(e->outcome);
	g_free(e);
}

static void task_work_free(gpointer p)
{
	struct mce_task_work *tw = p;

	put_task_struct(tw->task);
	g_free(tw);
}

void mce_state_free(struct mce_state *ms)
{
	if (!ms)
		return;
	mca_free(ms->mca);
	g_queue_clear(&ms->gen_pool);
	g_ptr_array_free(ms->task_work, TRUE);
	g_ptr_array_free(ms->log, TRUE);
	g_tree_destroy(ms->ce_pages);
	g_free(ms->last_panic);
	g_free(ms->mc_cpus);
	g_free(ms);
}

static void copy_mc_hook(unsigned long pfn, unsigned int bad_off);

struct mce_state *mce_state_peek(void)
{
	struct hwpoison_state *hs = mm_machine_cur ? mm_machine_cur->hwpoison
						   : NULL;

	return hs ? hs->mce : NULL;
}

struct mce_state *mce_attach(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct hwpoison_state *hs = hwpoison_attach();
	struct mca_params p;
	struct mce_state *ms;

	if (hs->mce)
		return hs->mce;
	mce_policy_register();
	ms = g_new0(struct mce_state, 1);
	mca_params_default(&p, m->cfg.cpus ? m->cfg.cpus : 1);
	ms->mca = mca_new(&p, m->physmem);
	ms->log = g_ptr_array_new_with_free_func(entry_free);
	g_queue_init(&ms->gen_pool);
	ms->task_work = g_ptr_array_new_with_free_func(task_work_free);
	ms->ce_pages = g_tree_new_full(pfn_cmp, NULL, NULL, NULL);
	ms->ce_threshold = MCE_CE_THRESHOLD_DEFAULT;
	hs->mce = ms;
	/*
	 * Boot: mcheck_init() reads MCG_CAP (mca_cfg.ser), the severity
	 * coverage starts from zero for this machine, and the kernel's
	 * exception table holds the two copy routines kernel code uses.
	 */
	mce_severity_init(mca_mcg_cap(ms->mca), X86_VENDOR_INTEL,
			  MCE_CPU_MODEL, MCE_CPU_STEPPING);
	mce_severity_coverage_reset();
	mce_extable_reset();
	mce_extable_add(MCE_KIP_COPY_USER, MCE_KIP_COPY_USER + MCE_KIP_RANGE,
			EX_TYPE_UACCESS);
	mce_extable_add(MCE_KIP_COPY_MC, MCE_KIP_COPY_MC + MCE_KIP_RANGE,
			EX_TYPE_DEFAULT_MCE_SAFE);
	fs_copy_mc_hook = copy_mc_hook;
	return ms;
}

struct mca *mce_mca(void)
{
	return mce_attach()->mca;
}

void mce_set_event_hook(mce_event_fn fn, void *data)
{
	struct mce_state *ms = mce_attach();

	ms->event_fn = fn;
	ms->event_data = data;
}

unsigned long mce_ce_count(unsigned long pfn)
{
	struct mce_state *ms = mce_state_peek();

	if (!ms)
		return 0;
	return GPOINTER_TO_SIZE(g_tree_lookup(ms->ce_pages,
					      GSIZE_TO_POINTER(pfn)));
}

void mce_set_fake_panic(bool on)
{
	struct mce_state *ms = mce_attach();

	/* Writing the debugfs file resets the handler (mce_reset()). */
	ms->fake_panic = on;
	ms->fake_panicked = 0;
}

static bool machine_dead(void)
{
	return mm_machine_cur->panicked;
}

/* ---- records ---------------------------------------------------------- */

static uint64_t now_ns(void)
{
	return mm_machine_cur->sim ? sim_now(mm_machine_cur->sim) : 0;
}

static uint64_t now_step(void)
{
	return mm_machine_cur->sim ? mm_machine_cur->sim->step : 0;
}

/* Intel: an address memory_failure can use (intel_mce_usable_address). */
static bool mce_usable_address(const struct mce *m)
{
	if (!(m->status & MCI_STATUS_ADDRV) || !(m->status & MCI_STATUS_MISCV))
		return false;
	if (MCI_MISC_ADDR_LSB(m->misc) > PAGE_SHIFT)
		return false;
	return MCI_MISC_ADDR_MODE(m->misc) == MCI_MISC_ADDR_PHYS;
}

/* Does the error cover the whole page (si_addr_lsb of the signal)? */
static bool whole_page(const struct mce *m)
{
	if (!(m->status & MCI_STATUS_MISCV))
		return true;
	return MCI_MISC_ADDR_LSB(m->misc) >= PAGE_SHIFT;
}

static struct mce_log_entry *entry_new(struct mce_state *ms,
				       const struct mce *m, const char *msg,
				       bool excp, pid_t pid)
{
	struct mce_log_entry *e = g_new0(struct mce_log_entry, 1);

	e->seq = ms->log->len + 1;
	e->m = *m;
	e->msg = msg;
	e->exception = excp;
	e->pid = pid;
	e->step = now_step();
	e->usable_addr = mce_usable_address(m);
	if (e->usable_addr)
		e->pfn = (unsigned long)(m->addr >> PAGE_SHIFT);
	g_ptr_array_add(ms->log, e);
	return e;
}

static void outcome_add(struct mce_log_entry *e, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

static void outcome_add(struct mce_log_entry *e, const char *fmt, ...)
{
	va_list ap;
	char *s, *old = e->outcome;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	e->outcome = old ? g_strdup_printf("%s; %s", old, s) : s;
	if (old) {
		g_free(old);
		g_free(s);
	}
}

/* What memory_failure() and signals did since a mark: the outcome. */
struct outcome_mark {
	guint nr_events;
	guint nr_signals;
};

static void outcome_begin(struct outcome_mark *mk)
{
	mk->nr_events = hwpoison_state()->events->len;
	mk->nr_signals = mm_machine_cur->signals->len;
}

static const char *errno_text(int err)
{
	switch (-err) {
	case EHWPOISON:
		return "EHWPOISON";
	case EOPNOTSUPP:
		return "EOPNOTSUPP (filtered)";
	case EBUSY:
		return "EBUSY";
	case ENXIO:
		return "ENXIO";
	case EFAULT:
		return "EFAULT";
	}
	return "error";
}

static void outcome_end(struct mce_log_entry *e, const struct outcome_mark *mk,
			const char *what, int ret)
{
	struct hwpoison_state *hs = hwpoison_state();
	GPtrArray *sigs = mm_machine_cur->signals;

	if (!e)
		return;
	for (guint i = mk->nr_events; i < hs->events->len; i++) {
		const struct mf_event *ev =
			&g_array_index(hs->events, struct mf_event, i);

		outcome_add(e, "recovery action for %s: %s",
			    mf_action_page_type_name(ev->type),
			    mf_result_name(ev->result));
	}
	if (hs->events->len == mk->nr_events && what)
		outcome_add(e, "%s: %s", what, ret ? errno_text(ret) : "0");
	for (guint i = mk->nr_signals; i < sigs->len; i++) {
		const struct mm_signal_record *r = g_ptr_array_index(sigs, i);

		outcome_add(e, "%s%s to %s:%d%s",
			    r->signo == SIGBUS ? "SIGBUS" :
			    r->signo == SIGKILL ? "SIGKILL" : "signal",
			    r->signo == SIGBUS && r->code == BUS_MCEERR_AR ?
			    " BUS_MCEERR_AR" :
			    r->signo == SIGBUS && r->code == BUS_MCEERR_AO ?
			    " BUS_MCEERR_AO" : "",
			    r->comm, r->pid, r->killed ? " (killed)" : "");
	}
}

/* ---- printing (__print_mce) -------------------------------------------- */

static void print_mce(const struct mce *m)
{
	mce_pr(HW_ERR "CPU %u: Machine Check%s: %llx Bank %u: %016llx",
	       m->extcpu, (m->mcgstatus & MCG_STATUS_MCIP) ? " Exception" : "",
	       (unsigned long long)m->mcgstatus, m->bank,
	       (unsigned long long)m->status);
	if (m->ip)
		mce_pr(HW_ERR "RIP%s %02x:<%016llx>",
		       !(m->mcgstatus & MCG_STATUS_EIPV) ? " !INEXACT!" : "",
		       m->cs, (unsigned long long)m->ip);
	{
		GString *s = g_string_new(NULL);

		g_string_append_printf(s, "TSC %llx ",
				       (unsigned long long)m->tsc);
		if (m->addr)
			g_string_append_printf(s, "ADDR %llx ",
					       (unsigned long long)m->addr);
		if (m->misc)
			g_string_append_printf(s, "MISC %llx ",
					       (unsigned long long)m->misc);
		g_strchomp(s->str);
		mce_pr(HW_ERR "%s", s->str);
		g_string_free(s, TRUE);
	}
	mce_pr(HW_ERR "PROCESSOR %u:%x TIME %llu SOCKET %u APIC %x "
	       "microcode %x", m->cpuvendor, m->cpuid,
	       (unsigned long long)m->time, m->socketid, m->apicid,
	       m->microcode);
}

/*
 * mce_panic: print what is pending (corrected first, then uncorrected,
 * the final record last), "Machine check: <why>", and panic(msg).
 * Returns true when the machine is dead (false after a fake panic).
 */
static bool mce_panic(struct mce_state *ms, const char *msg,
		      const struct mce *final, const char *exp,
		      struct mce_log_entry *fe)
{
	GList *l;

	if (machine_dead())
		return true;
	if (ms->fake_panic && ++ms->fake_panicked > 1)
		return false;
	for (l = ms->gen_pool.head; l; l = l->next) {
		struct mce_log_entry *e = l->data;

		if (!(e->m.status & MCI_STATUS_UC))
			print_mce(&e->m);
	}
	for (l = ms->gen_pool.head; l; l = l->next) {
		struct mce_log_entry *e = l->data;

		if ((e->m.status & MCI_STATUS_UC) && e != fe)
			print_mce(&e->m);
	}
	if (final) {
		print_mce(final);
		mce_pr(HW_ERR "Run the above through 'mcelog --ascii'");
	}
	if (exp)
		mce_pr(HW_ERR "Machine check: %s", exp);
	ms->nr_panics++;
	g_free(ms->last_panic);
	ms->last_panic = g_strdup(msg);
	if (fe) {
		fe->action = MCE_ACT_PANIC;
		outcome_add(fe, "%s%s", ms->fake_panic ? "Fake kernel panic: "
			    : "Kernel panic - not syncing: ", msg);
	}
	if (ms->fake_panic) {
		mce_pr(HW_ERR "Fake kernel panic: %s", msg);
		return false;
	}
	ms->panicked = true;
	panic("%s", msg);
	return true;
}

/* ---- the decode chain ------------------------------------------------ */

static void mce_gen_pool_work(void *arg);

/* mce_log(): into the gen pool, decoded later by a kernel worker. */
static void mce_log(struct mce_state *ms, struct mce_log_entry *e)
{
	struct sim *s = mm_machine_cur->sim;

	e->logged = true;
	g_queue_push_tail(&ms->gen_pool, e);
	if (!ms->worker && s && !s->stopping && sim_current(s))
		ms->worker = sim_spawn(s, "kworker/mce", mce_gen_pool_work, ms);
}

/* The per-page corrected error count (the daemon's page-error-counter). */
static void ce_account(struct mce_state *ms, struct mce_log_entry *e)
{
	unsigned long n = mce_ce_count(e->pfn) + 1;

	g_tree_replace(ms->ce_pages, GSIZE_TO_POINTER(e->pfn),
		       GSIZE_TO_POINTER(n));
	e->ce_count = n;
	e->ce_threshold = ms->ce_threshold && n == ms->ce_threshold;
}

static void mce_decode(struct mce_state *ms, struct mce_log_entry *e)
{
	struct mce *m = &e->m;

	/* mce_early_notifier: the trace record, wake the mcelog readers. */
	sim_trace_event(mm_machine_cur->sim, "mce", "CPU %u bank %u status "
			"%#llx addr %#llx severity %s", m->extcpu, m->bank,
			(unsigned long long)m->status,
			(unsigned long long)m->addr,
			mce_severity_name(m->severity));
	if (!(m->status & MCI_STATUS_UC) && e->usable_addr)
		ce_account(ms, e);
	/* uc_decode_notifier: AO and UCNA/deferred errors with an address. */
	if (e->usable_addr && (m->severity == MCE_AO_SEVERITY ||
			       m->severity == MCE_DEFERRED_SEVERITY)) {
		struct outcome_mark mk;
		int ret;

		outcome_begin(&mk);
		ret = memory_failure(e->pfn, 0);
		if (!ret)
			m->kflags |= MCE_HANDLED_UC;
		outcome_end(e, &mk, "memory_failure", ret);
	}
	/*
	 * dev-mcelog: the record goes to /dev/mcelog (MCE_HANDLED_MCELOG)
	 * when a daemon reads it; the daemon then acts on it.
	 */
	if (ms->event_fn) {
		m->kflags |= MCE_HANDLED_MCELOG;
		ms->event_fn(e, ms->event_data);
	}
	/* mce_default_notifier: print what nobody handled. */
	if (!m->kflags)
		print_mce(m);
	if (e->action == MCE_ACT_LOG && !e->outcome)
		outcome_add(e, "logged");
}

void mce_gen_pool_process(void)
{
	struct mce_state *ms = mce_state_peek();
	struct mce_log_entry *e;

	if (!ms)
		return;
	while (!machine_dead() && (e = g_queue_pop_head(&ms->gen_pool)))
		mce_decode(ms, e);
}

static void mce_gen_pool_work(void *arg)
{
	struct mce_state *ms = arg;

	mce_gen_pool_process();
	ms->worker = NULL;
}

void mce_flush(void)
{
	struct mce_state *ms = mce_state_peek();
	struct sim *s = mm_machine_cur->sim;
	struct hwpoison_state *hs;

	if (!ms)
		return;
	if (!s || !sim_current(s)) {
		mce_gen_pool_process();
		return;
	}
	while (ms->worker && !machine_dead())
		sim_join(s, ms->worker);
	hs = hwpoison_state();
	while (hs->worker && !machine_dead())
		sim_join(s, hs->worker);
}

/* ---- the handler ------------------------------------------------------- */

static uint64_t rd(struct mce_state *ms, unsigned int cpu, uint32_t msr)
{
	uint64_t v = 0;

	mca_rdmsr(ms->mca, cpu, msr, &v);
	return v;
}

static void wr(struct mce_state *ms, unsigned int cpu, uint32_t msr,
	       uint64_t v)
{
	mca_wrmsr(ms->mca, cpu, msr, v);
}

static void mce_gather_info(struct mce_state *ms, struct mce *m,
			    unsigned int cpu, const struct mce_regs *regs)
{
	uint64_t t = now_ns();

	memset(m, 0, sizeof(*m));
	m->cpuvendor = boot_cpu_data.x86_vendor;
	m->cpuid = 0x606a6;	/* family 6, model 0x6a, stepping 6 */
	m->cpu = (uint8_t)cpu;
	m->extcpu = cpu;
	m->apicid = cpu;
	m->mcgcap = mca_mcg_cap(ms->mca);
	m->tsc = t;
	m->time = t / 1000000000ULL;
	m->mcgstatus = rd(ms, cpu, MSR_IA32_MCG_STATUS);
	/* The frame is trusted only if the hardware says IP means something. */
	if (regs && (m->mcgstatus & (MCG_STATUS_RIPV | MCG_STATUS_EIPV))) {
		m->ip = regs->ip;
		m->cs = (uint8_t)regs->cs;
	}
}

/* MISC and ADDR; the address masked to the reported granularity. */
static void mce_read_aux(struct mce_state *ms, struct mce *m, unsigned int i)
{
	unsigned int cpu = m->extcpu;

	if (m->status & MCI_STATUS_MISCV)
		m->misc = rd(ms, cpu, MSR_IA32_MCx_MISC(i));
	if (m->status & MCI_STATUS_ADDRV) {
		m->addr = rd(ms, cpu, MSR_IA32_MCx_ADDR(i));
		if (mca_cfg.ser && (m->status & MCI_STATUS_MISCV)) {
			unsigned int shift = MCI_MISC_ADDR_LSB(m->misc);

			if (shift < 64) {
				m->addr >>= shift;
				m->addr <<= shift;
			}
		}
	}
}

/* One CPU in do_machine_check(). */
struct mc_cpu {
	unsigned int cpu;
	struct mce_regs regs;
	struct task_struct *task;	/* the interrupted task (user mode) */
	struct mce m, final;
	struct mce_log_entry *final_entry;
	const char *msg;
	int worst;
	int no_way_out;
	bool kill_current_task;
	bool lmce;
	uint64_t valid;
	uint64_t toclear;
	struct mce_log_entry *graded[MCE_MAX_BANKS];
	int nwo_sev[MCE_MAX_BANKS];		/* mce_no_way_out's grades */
	const char *nwo_msg[MCE_MAX_BANKS];
};

static unsigned int nr_banks(struct mce_state *ms)
{
	unsigned int n = mca_nr_banks(ms->mca);

	return n < MCE_MAX_BANKS ? n : MCE_MAX_BANKS;
}

static pid_t ctx_pid(const struct mc_cpu *c)
{
	return c->task && (c->m.cs & 3) == 3 ? c->task->pid : 0;
}

/* Quick look: does any valid bank need a panic? */
static int mce_no_way_out(struct mce_state *ms, struct mc_cpu *c)
{
	const char *tmp = c->msg;

	for (unsigned int i = 0; i < nr_banks(ms); i++) {
		c->m.status = rd(ms, c->cpu, MSR_IA32_MCx_STATUS(i));
		if (!(c->m.status & MCI_STATUS_VAL))
			continue;
		c->valid |= 1ULL << i;
		c->m.bank = (uint8_t)i;
		c->nwo_sev[i] = mce_severity(&c->m, &c->regs, &tmp, true);
		c->nwo_msg[i] = tmp;
		if (c->nwo_sev[i] >= MCE_PANIC_SEVERITY) {
			mce_read_aux(ms, &c->m, i);
			c->msg = tmp;
			return 1;
		}
	}
	return 0;
}

static struct mce_log_entry *grade_entry(struct mce_state *ms,
					 struct mc_cpu *c, unsigned int i,
					 int sev, const char *msg)
{
	struct mce_log_entry *e = c->graded[i];

	if (!e) {
		e = entry_new(ms, &c->m, msg, true, ctx_pid(c));
		c->graded[i] = e;
	} else {
		e->m = c->m;
		e->msg = msg;
		e->usable_addr = mce_usable_address(&c->m);
		e->pfn = e->usable_addr ? (unsigned long)(c->m.addr >>
							  PAGE_SHIFT) : 0;
	}
	e->m.severity = (uint8_t)sev;
	return e;
}

static int mc_scan_banks(struct mce_state *ms, struct mc_cpu *c)
{
	int taint = 0;

	for (unsigned int i = 0; i < nr_banks(ms); i++) {
		const char *msg = NULL;
		struct mce_log_entry *e;
		int severity;

		c->toclear &= ~(1ULL << i);
		if (!(c->valid & (1ULL << i)))
			continue;
		if (!rd(ms, c->cpu, MSR_IA32_MCx_CTL(i)))
			continue;
		c->m.misc = 0;
		c->m.addr = 0;
		c->m.bank = (uint8_t)i;
		c->m.status = rd(ms, c->cpu, MSR_IA32_MCx_STATUS(i));
		if (!(c->m.status & MCI_STATUS_VAL))
			continue;
		/* Corrected and unsignaled errors are the poller's. */
		if (!(c->m.status & (mca_cfg.ser ? MCI_STATUS_S :
				     MCI_STATUS_UC)) && !c->no_way_out) {
			/* Recorded with the grade mce_no_way_out() gave. */
			mce_read_aux(ms, &c->m, i);
			e = grade_entry(ms, c, i, c->nwo_sev[i],
					c->nwo_msg[i]);
			e->action = MCE_ACT_LEFT;
			continue;
		}
		taint++;
		severity = mce_severity(&c->m, &c->regs, &msg, true);
		mce_read_aux(ms, &c->m, i);
		e = grade_entry(ms, c, i, severity, msg);
		if ((severity == MCE_KEEP_SEVERITY ||
		     severity == MCE_UCNA_SEVERITY) && !c->no_way_out) {
			e->action = MCE_ACT_LEFT;
			continue;
		}
		c->toclear |= 1ULL << i;
		if (severity == MCE_NO_SEVERITY) {
			e->action = MCE_ACT_IGNORE;
			continue;
		}
		c->m.severity = (uint8_t)severity;
		e->action = severity == MCE_AO_SEVERITY ?
			    MCE_ACT_MEMORY_FAILURE : MCE_ACT_LOG;
		mce_log(ms, e);
		if (severity > c->worst) {
			c->final = c->m;
			c->final_entry = e;
			c->worst = severity;
		}
	}
	c->m = c->final;
	return taint;
}

static void mce_clear_state(struct mce_state *ms, struct mc_cpu *c)
{
	for (unsigned int i = 0; i < nr_banks(ms); i++)
		if (c->toclear & (1ULL << i))
			wr(ms, c->cpu, MSR_IA32_MCx_STATUS(i), 0);
}

/* The Monarch grades every CPU's worst record. */
static bool mce_reign(struct mce_state *ms, struct mc_cpu *cpus,
		      unsigned int n)
{
	struct mc_cpu *w = NULL;
	int global_worst = 0;
	const char *msg = NULL;

	for (unsigned int i = 0; i < n; i++) {
		if (cpus[i].lmce)
			continue;
		if (cpus[i].final.severity > global_worst) {
			global_worst = cpus[i].final.severity;
			w = &cpus[i];
		}
	}
	if (w && global_worst >= MCE_PANIC_SEVERITY) {
		mce_severity(&w->final, NULL, &msg, true);
		if (mce_panic(ms, "Fatal machine check", &w->final, msg,
			      w->final_entry))
			return true;
	}
	/* Nobody saw anything: an external agent wants the machine down. */
	if (global_worst <= MCE_KEEP_SEVERITY)
		return mce_panic(ms, "Fatal machine check from unknown source",
				 NULL, NULL, NULL);
	return false;
}

static struct mce_task_work *find_task_work(struct mce_state *ms,
					    struct task_struct *t)
{
	for (guint i = 0; i < ms->task_work->len; i++) {
		struct mce_task_work *tw = g_ptr_array_index(ms->task_work, i);

		if (tw->task == t)
			return tw;
	}
	return NULL;
}

/* Remember what the task must do about it on its way back to user mode. */
static bool queue_task_work(struct mce_state *ms, struct task_struct *t,
			    struct mce *m, const char *msg,
			    enum mce_action func, struct mce_log_entry *e)
{
	struct mce_task_work *tw = find_task_work(ms, t);
	int count;

	if (!tw) {
		tw = g_new0(struct mce_task_work, 1);
		get_task_struct(t);
		tw->task = t;
		g_ptr_array_add(ms->task_work, tw);
	}
	count = ++tw->mce_count;
	if (count == 1) {
		tw->mce_addr = m->addr;
		tw->mce_kflags = m->kflags;
		tw->mce_ripv = m->mcgstatus & MCG_STATUS_RIPV;
		tw->mce_whole_page = whole_page(m);
		tw->func = func;
		tw->entry = e;
	}
	if (e)
		e->action = func;
	/* More than two before the task work ran is already suspicious. */
	if (count > 10 &&
	    mce_panic(ms, "Too many consecutive machine checks while "
		      "accessing user data", m, msg, e))
		return true;
	if (count > 1 && (tw->mce_addr >> PAGE_SHIFT) !=
			 (m->addr >> PAGE_SHIFT) &&
	    mce_panic(ms, "Consecutive machine checks to different user "
		      "pages", m, msg, e))
		return true;
	return false;
}

/* Returns true when the machine died. */
static bool do_machine_check(struct mce_state *ms, struct mc_cpu *cpus,
			     unsigned int n)
{
	int global_nwo = 0;
	bool any_broadcast = false;
	struct mc_cpu *monarch = NULL;

	for (unsigned int k = 0; k < n; k++) {
		struct mc_cpu *c = &cpus[k];

		ms->nr_exceptions++;
		mce_gather_info(ms, &c->m, c->cpu, &c->regs);
		c->final = c->m;
		c->no_way_out = mce_no_way_out(ms, c);
		if (!(c->m.mcgstatus & MCG_STATUS_RIPV))
			c->kill_current_task = true;
		c->lmce = c->m.mcgstatus & MCG_STATUS_LMCES;
		if (c->lmce) {
			if (c->no_way_out) {
				struct mce_log_entry *e = grade_entry(ms, c,
					c->m.bank, MCE_PANIC_SEVERITY, c->msg);

				if (mce_panic(ms, "Fatal local machine check",
					      &c->m, c->msg, e))
					return true;
			}
		} else {
			/* mce_start(): everybody in, no_way_out shared. */
			global_nwo |= c->no_way_out;
			any_broadcast = true;
			if (!monarch)
				monarch = c;
		}
	}
	for (unsigned int k = 0; k < n; k++) {
		struct mc_cpu *c = &cpus[k];

		if (!c->lmce)
			c->no_way_out = global_nwo;
		mc_scan_banks(ms, c);
		if (!c->no_way_out)
			mce_clear_state(ms, c);
	}
	/* mce_end(): the Monarch reigns over the broadcast CPUs. */
	if (any_broadcast && mce_reign(ms, cpus, n))
		return true;
	for (unsigned int k = 0; k < n; k++) {
		struct mc_cpu *c = &cpus[k];
		const char *msg = NULL;

		if (c->lmce && c->worst >= MCE_PANIC_SEVERITY) {
			mce_severity(&c->m, &c->regs, &msg, true);
			if (mce_panic(ms, "Local fatal machine check!", &c->m,
				      msg, c->final_entry))
				return true;
		}
	}
	for (unsigned int k = 0; k < n; k++) {
		struct mc_cpu *c = &cpus[k];
		struct mce_log_entry *e = c->final_entry;

		if (c->worst != MCE_AR_SEVERITY && !c->kill_current_task)
			goto clear;
		if ((c->m.cs & 3) == 3) {
			/* User mode: the task's own problem, on its way out. */
			struct task_struct *t = c->task ? c->task : current;

			if (queue_task_work(ms, t, &c->m, e ? e->msg : NULL,
					    c->kill_current_task ?
					    MCE_ACT_KILL_ME_NOW :
					    MCE_ACT_KILL_ME_MAYBE, e))
				return true;
		} else {
			/*
			 * Kernel mode.  Recoverable only at an instruction
			 * with a machine-check-safe fixup (or a copy from
			 * user): the fixup makes the copy fail.  6.1 does
			 * nothing else here, not even for kill_current_task.
			 */
			if (c->m.kflags & MCE_IN_KERNEL_RECOV) {
				if (e) {
					e->action = MCE_ACT_FIXUP;
					outcome_add(e, "fixup_exception: the "
						    "copy fails");
				}
			}
			if ((c->m.kflags & MCE_IN_KERNEL_COPYIN) &&
			    queue_task_work(ms, c->task ? c->task : current,
					    &c->m, e ? e->msg : NULL,
					    MCE_ACT_KILL_ME_NEVER, e))
				return true;
		}
clear:
		wr(ms, c->cpu, MSR_IA32_MCG_STATUS, 0);
	}
	/*
	 * After a fake panic the kernel leaves the fatal banks set (it
	 * meant to die); the test harness resets them before its next case.
	 * Do that here, so the next injection starts clean.
	 */
	if (ms->fake_panic && ms->fake_panicked) {
		for (unsigned int k = 0; k < n; k++)
			for (unsigned int i = 0; i < nr_banks(ms); i++)
				if (cpus[k].valid & (1ULL << i))
					wr(ms, cpus[k].cpu,
					   MSR_IA32_MCx_STATUS(i), 0);
	}
	return false;
}

/* ---- task work ---------------------------------------------------------- */

static void kill_me_now(struct mce_task_work *tw)
{
	tw->mce_count = 0;
	force_sig(SIGBUS);
}

static void kill_me_maybe(struct mce_task_work *tw)
{
	unsigned long pfn = (unsigned long)(tw->mce_addr >> PAGE_SHIFT);
	int flags = MF_ACTION_REQUIRED;
	int ret;

	tw->mce_count = 0;
	mce_pr("Uncorrected hardware memory error in user-access at %llx",
	       (unsigned long long)tw->mce_addr);
	/* Without a restart IP the task cannot go on anyway. */
	if (!tw->mce_ripv)
		flags |= MF_MUST_KILL;
	ret = memory_failure(pfn, flags);
	if (!ret)
		return;
	/*
	 * -EHWPOISON: memory_failure() already sent SIGBUS to current;
	 * -EOPNOTSUPP: the injector's filter skipped the page.
	 */
	if (ret == -EHWPOISON || ret == -EOPNOTSUPP)
		return;
	mce_pr("Memory error not recovered");
	kill_me_now(tw);
}

static void kill_me_never(struct mce_task_work *tw)
{
	unsigned long pfn = (unsigned long)(tw->mce_addr >> PAGE_SHIFT);

	tw->mce_count = 0;
	mce_pr("Kernel accessed poison in user space at %llx",
	       (unsigned long long)tw->mce_addr);
	memory_failure(pfn, 0);
}

void mce_run_task_work(struct task_struct *t)
{
	struct mce_state *ms = mce_state_peek();
	struct mm_machine *m = mm_machine_cur;
	struct task_struct *saved_task;
	struct sim_fiber *saved_fiber;
	struct mce_task_work *tw;
	struct outcome_mark mk;

	if (!ms || !t || !(tw = find_task_work(ms, t)) || machine_dead())
		return;
	for (guint i = 0; i < ms->task_work->len; i++) {
		if (g_ptr_array_index(ms->task_work, i) == tw) {
			g_ptr_array_steal_index(ms->task_work, i);
			break;
		}
	}
	saved_task = m->current_task;
	saved_fiber = m->current_fiber;
	m->current_task = t;
	m->current_fiber = m->sim ? sim_current(m->sim) : NULL;
	outcome_begin(&mk);
	switch (tw->func) {
	case MCE_ACT_KILL_ME_NOW:
		kill_me_now(tw);
		break;
	case MCE_ACT_KILL_ME_NEVER:
		kill_me_never(tw);
		break;
	default:
		kill_me_maybe(tw);
		break;
	}
	m->current_task = saved_task;
	m->current_fiber = saved_fiber;
	/* Back to user mode: the signals the task work sent act now. */
	if (!machine_dead() && task_alive(t) && !task_running_elsewhere(t))
		exit_to_user_mode(t);
	if (!machine_dead())
		outcome_end(tw->entry, &mk, NULL, 0);
	task_work_free(tw);
}

/* ---- polling (CMCI, the timer) ------------------------------------------- */

static void machine_check_poll(struct mce_state *ms, unsigned int cpu)
{
	struct mce m;

	ms->nr_polls++;
	mce_gather_info(ms, &m, cpu, NULL);
	for (unsigned int i = 0; i < nr_banks(ms); i++) {
		struct mce_log_entry *e;
		const char *msg = NULL;

		if (!rd(ms, cpu, MSR_IA32_MCx_CTL(i)))
			continue;
		m.misc = 0;
		m.addr = 0;
		m.bank = (uint8_t)i;
		m.status = rd(ms, cpu, MSR_IA32_MCx_STATUS(i));
		if (!(m.status & MCI_STATUS_VAL))
			continue;
		/* Corrected errors are always the poller's. */
		if (!(m.status & MCI_STATUS_UC))
			goto log_it;
		if (!mca_cfg.ser)
			continue;
		/* "Not enabled" (speculative) errors, and UCNA. */
		if (!(m.status & MCI_STATUS_EN))
			goto log_it;
		if (!(m.status & MCI_STATUS_PCC) && !(m.status & MCI_STATUS_S))
			goto log_it;
		/* Anything else races with a #MC: its handler's business. */
		continue;
log_it:
		mce_read_aux(ms, &m, i);
		m.severity = (uint8_t)mce_severity(&m, NULL, &msg, false);
		e = entry_new(ms, &m, msg, false, 0);
		e->action = (m.severity == MCE_UCNA_SEVERITY &&
			     e->usable_addr) ? MCE_ACT_MEMORY_FAILURE
					     : MCE_ACT_LOG;
		mce_log(ms, e);
		wr(ms, cpu, MSR_IA32_MCx_STATUS(i), 0);
	}
}

void mce_poll_cpu(unsigned int cpu)
{
	struct mce_state *ms = mce_attach();

	if (cpu < mca_nr_cpus(ms->mca) && !machine_dead())
		machine_check_poll(ms, cpu);
}

void mce_poll_all(void)
{
	struct mce_state *ms = mce_attach();

	for (unsigned int c = 0; c < mca_nr_cpus(ms->mca); c++)
		mce_poll_cpu(c);
}

/* ---- entry points ---------------------------------------------------------- */

static void fill_regs(struct mce_state *ms, struct mc_cpu *c,
		      unsigned int raised, const struct mce_context *ctx)
{
	struct mca_cpu *hw = mca_cpu(ms->mca, c->cpu);

	c->regs.ip = hw->ip;
	c->regs.cs = hw->cs;
	if (c->cpu == raised && ctx) {
		c->task = ctx->task;
		c->regs.copy_from_user = ctx->copy_from_user;
		c->regs.user_addr = ctx->user_addr;
	}
}

void mce_handle_pending(unsigned int cpu, const struct mce_context *ctx,
			unsigned int *first)
{
	struct mce_state *ms = mce_attach();
	unsigned int ncpu = mca_nr_cpus(ms->mca), n = 0;
	struct mc_cpu *cpus;
	bool dead = false;

	if (first)
		*first = ms->log->len;
	if (machine_dead())
		return;
	for (unsigned int c = 0; c < ncpu; c++) {
		if (mca_cpu(ms->mca, c)->shutdown) {
			/* The hardware gave up: no handler ever runs. */
			printk("CPU %u: machine check while MCIP was set: "
			       "processor shutdown", c);
			ms->panicked = true;
			panic("Machine check exception during machine check: "
			      "shutdown");
			return;
		}
	}
	/*
	 * The per-CPU handler state lives in the machine's MCE state, not
	 * on the heap per call: a panic inside never returns to free it.
	 */
	if (!ms->mc_cpus)
		ms->mc_cpus = g_new0(struct mc_cpu, ncpu);
	cpus = ms->mc_cpus;
	memset(cpus, 0, sizeof(*cpus) * ncpu);
	/* The CPU that raised enters first (the Monarch), then the others. */
	for (unsigned int k = 0; k < ncpu; k++) {
		unsigned int c = (cpu + k) % ncpu;

		if (mca_take_mce(ms->mca, c)) {
			cpus[n].cpu = c;
			fill_regs(ms, &cpus[n], cpu, ctx);
			n++;
		}
	}
	if (n)
		dead = do_machine_check(ms, cpus, n);
	for (unsigned int k = 0; k < ncpu && !dead && !machine_dead(); k++) {
		unsigned int c = (cpu + k) % ncpu;

		if (mca_take_cmci(ms->mca, c))
			machine_check_poll(ms, c);
	}
	if (ctx && ctx->task && !machine_dead())
		mce_run_task_work(ctx->task);
}

int mce_raise(const struct mca_error *e, const struct mce_context *ctx,
	      struct mca_report *out)
{
	struct mce_state *ms = mce_attach();
	struct mca_report rep;
	int ret;

	if (machine_dead())
		return -EIO;
	ret = mca_raise(ms->mca, e, &rep);
	if (ret)
		return ret;
	if (out)
		*out = rep;
	if (ctx && ctx->ripv && rep.mce &&
	    (rep.status & MCI_STATUS_AR)) {
		uint64_t mcg = rd(ms, e->cpu, MSR_IA32_MCG_STATUS);

		if (mcg & MCG_STATUS_MCIP)
			wr(ms, e->cpu, MSR_IA32_MCG_STATUS,
			   mcg | MCG_STATUS_RIPV);
	}
	mce_handle_pending(e->cpu, ctx, NULL);
	return 0;
}

int mce_inject_record(const struct mce_inject_record *r,
		      const struct mce_context *ctx, unsigned int *first)
{
	struct mce_state *ms = mce_attach();
	unsigned int cpu = r->m.extcpu;
	struct mca_cpu *c;

	if (first)
		*first = ms->log->len;
	if (machine_dead())
		return -EIO;
	if (mca_load_record(ms->mca, &r->m))
		return -EINVAL;
	c = mca_cpu(ms->mca, cpu);
	/* Re-armed per injection, as mce-test writes fake_panic each time. */
	ms->fake_panicked = 0;
	if (mce_inject_raise_exception(r)) {
		c->mce_pending = true;
		if (mce_inject_broadcast(r)) {
			for (unsigned int o = 0; o < mca_nr_cpus(ms->mca); o++) {
				struct mca_cpu *oc = mca_cpu(ms->mca, o);

				if (o == cpu)
					continue;
				/* The others were somewhere restartable. */
				oc->mcg_status = MCG_STATUS_RIPV |
						 MCG_STATUS_MCIP;
				oc->ip = MCE_KIP_IDLE;
				oc->cs = MCE_KERNEL_CS;
				oc->mce_pending = true;
			}
		}
		mce_handle_pending(cpu, ctx, first);
		return 0;
	}
	/* Polled: the status is the poller's; MCG_STATUS means nothing. */
	machine_check_poll(ms, cpu);
	wr(ms, cpu, MSR_IA32_MCG_STATUS, 0);
	if (ctx && ctx->task && !machine_dead())
		mce_run_task_work(ctx->task);
	return 0;
}

void mce_user_consume(struct task_struct *t, unsigned long pfn,
		      unsigned int off, bool ifetch)
{
	struct mce_state *ms = mce_attach();
	struct mca_error e = {
		.source = ifetch ? MCA_SRC_INSTR_FETCH : MCA_SRC_DATA_LOAD,
		.addr = ((uint64_t)pfn << PAGE_SHIFT) +
			(off & ~(PHYSMEM_LINE_SIZE - 1)),
		.ip = MCE_USER_IP,
		.cs = MCE_USER_CS,
	};
	struct mce_context ctx = { .task = t, .ripv = true };

	/* The task runs on CPU (pid mod nr_cpus). */
	e.cpu = (unsigned int)t->pid % mca_nr_cpus(ms->mca);
	ms->fake_panicked = 0;
	mce_raise(&e, &ctx, NULL);
	mce_flush();
}

void mce_kernel_consume(unsigned long pfn, unsigned int off)
{
	struct mce_state *ms = mce_attach();
	bool mc_safe = sim_policy_is(mm_machine_cur->policy, "mce_copy",
				     "mc-safe");
	struct task_struct *t = current;
	struct mca_error e = {
		.source = MCA_SRC_DATA_LOAD,
		.addr = ((uint64_t)pfn << PAGE_SHIFT) +
			(off & ~(PHYSMEM_LINE_SIZE - 1)),
		.ip = mc_safe ? MCE_KIP_COPY_MC : MCE_KIP_COPY_USER,
		.cs = MCE_KERNEL_CS,
	};
	struct mce_context ctx = { .task = t, .ripv = true };

	e.cpu = (unsigned int)t->pid % mca_nr_cpus(ms->mca);
	ms->fake_panicked = 0;
	mce_raise(&e, &ctx, NULL);
}

/* read(2)/write(2): a page-cache copy consumed poison (filemap.c). */
static void copy_mc_hook(unsigned long pfn, unsigned int bad_off)
{
	if (!mm_machine_cur || !mce_state_peek())
		return;
	mce_kernel_consume(pfn, bad_off);
}

char *mce_log_entry_describe(const struct mce_log_entry *e)
{
	return g_strdup_printf("CPU %u BANK %u STATUS %#llx MCGSTATUS %#llx "
			       "ADDR %#llx MISC %#llx RIP %02x:%#llx",
			       e->m.extcpu, e->m.bank,
			       (unsigned long long)e->m.status,
			       (unsigned long long)e->m.mcgstatus,
			       (unsigned long long)e->m.addr,
			       (unsigned long long)e->m.misc, e->m.cs,
			       (unsigned long long)e->m.ip);
}

void mce_mark(struct mce_mark *mk)
{
	struct mce_state *ms = mce_attach();

	mk->first = ms->log->len;
	mk->nr_panics = ms->nr_panics;
}

void mce_result_get(const struct mce_mark *mk, unsigned int cpu,
		    unsigned int bank, struct mce_result *r)
{
	struct mce_state *ms = mce_attach();
	const struct mce_log_entry *e = NULL;

	memset(r, 0, sizeof(*r));
	for (guint i = mk->first; i < ms->log->len; i++) {
		const struct mce_log_entry *x = g_ptr_array_index(ms->log, i);

		if (x->m.extcpu == cpu && x->m.bank == bank)
			e = x;
	}
	r->entry = e;
	r->severity = e ? e->m.severity : -1;
	r->msg = e && e->msg ? e->msg : "";
	r->action = mce_action_name(e ? e->action : MCE_ACT_NONE);
	r->outcome = e && e->outcome ? g_strdup(e->outcome) : NULL;
	if (ms->nr_panics != mk->nr_panics &&
	    (!e || e->action != MCE_ACT_PANIC)) {
		char *o = g_strdup_printf("%s%s%s%s",
					  r->outcome ? r->outcome : "",
					  r->outcome ? "; " : "",
					  ms->fake_panic ? "Fake kernel panic: "
					  : "Kernel panic - not syncing: ",
					  ms->last_panic);

		g_free(r->outcome);
		r->outcome = o;
		r->action = mce_action_name(MCE_ACT_PANIC);
	}
	if (!r->outcome)
		r->outcome = g_strdup(e && e->action == MCE_ACT_IGNORE ?
				      "ignored" : e && e->action ==
				      MCE_ACT_LEFT ? "left for the poller" :
				      "none");
}
