/*
 * test_mce_handler.c - the machine-check handler (hwpoison/mce.c).
 *
 * Outside any fiber: mce_flush() runs the decode chain at once and a
 * panic returns with the machine marked panicked.
 */
#include <check.h>
#include <string.h>

#include "hwpoison/mce.h"
#include "hwpoison/memory-failure.h"
#include "sim/physmem.h"
#include "sim/policy.h"
#include "sim/sim.h"
#include "mm-model/gfp.h"
#include "mm-model/machine.h"

static struct sim *hx_sim;
static struct sim_policy *hx_pol;
static struct mm_machine *hx_m;

static void hx_setup(void)
{
	struct mm_machine_config mc;
	GError *err = NULL;

	hx_sim = sim_new(NULL);
	hwpoison_policy_register();
	hx_pol = sim_policy_new();
	mm_machine_config_default(&mc);
	mc.mem_bytes = 256ULL << 20;
	mc.cpus = 4;
	hx_m = mm_machine_new(&mc, hx_sim, hx_pol, &err);
	ck_assert_msg(hx_m != NULL, "machine: %s", err ? err->message : "?");
	mce_attach();
}

static void hx_teardown(void)
{
	mm_machine_free(hx_m);
	sim_free(hx_sim);
	sim_policy_free(hx_pol);
}

/* Inject the first record of an inject file; the result for its bank. */
static void inject_text(const char *text, struct task_struct *t,
			struct mce_result *r)
{
	struct mce_inject_file *f = NULL;
	struct mce_context ctx = { .task = t };
	struct mce_mark mk;
	char *err = NULL;

	ck_assert_int_eq(mce_inject_parse("t.txt", text, strlen(text), &f,
					  &err), 0);
	mce_mark(&mk);
	ck_assert_int_eq(mce_inject_record(&f->recs[0], &ctx, NULL), 0);
	mce_flush();
	mce_result_get(&mk, f->recs[0].m.extcpu, f->recs[0].m.bank, r);
	mce_inject_file_free(f);
}

static const struct {
	const char *text;
	const char *msg;
	int sev;
	const char *action;
	const char *panic;	/* NULL: the machine lives */
} cases[] = {
	{ "CPU 3 BANK 5 STATUS 0x9c0000000000009f ADDR 0x5678000 MISC 0x86",
	  "Non signaled machine check", MCE_KEEP_SEVERITY, "log", NULL },
	{ "CPU 0 BANK 5 STATUS UNCORRECTED SRAO 0xc0 MCGSTATUS RIPV MCIP "
	  "ADDR 0x1234000 MISC 0x8c RIP 0x73:0x400123",
	  "Action optional: memory scrubbing error", MCE_AO_SEVERITY,
	  "memory_failure", NULL },
	{ "CPU 0 BANK 5 STATUS UNCORRECTED UCNA 0x9f ADDR 0x4567000 "
	  "MISC 0x86 POLL NOBROADCAST",
	  "Uncorrected no action required", MCE_UCNA_SEVERITY,
	  "memory_failure", NULL },
	{ "CPU 1 BANK 1 STATUS UNCORRECTED SRAR 0x134 MCGSTATUS EIPV MCIP "
	  "ADDR 0x2345040 MISC 0x86 RIP 0x73:0x401000",
	  "Action required: data load error in a user process",
	  MCE_AR_SEVERITY, "kill_me_now", NULL },
	{ "CPU 0 BANK 4 STATUS FATAL 0x400 MCGSTATUS MCIP "
	  "RIP 0x10:0xffffffff81000000", "Processor context corrupt",
	  MCE_PANIC_SEVERITY, "panic", "Fatal machine check" },
	{ "CPU 1 BANK 3 STATUS VAL|UC|S|AR|0x134 MCGSTATUS RIPV EIPV MCIP "
	  "EXCP", "Not enabled", MCE_NO_SEVERITY, "panic",
	  "Fatal machine check from unknown source" },
	{ "CPU 3 BANK 1 STATUS UNCORRECTED SRAR 0x134 MCGSTATUS RIPV EIPV "
	  "MCIP ADDR 0x9abc000 MISC 0x86 RIP 0x10:0xffffffff81234567",
	  "Data load in unrecoverable area of kernel", MCE_PANIC_SEVERITY,
	  "panic", "Fatal machine check" },
	{ "CPU 1 BANK 1 STATUS UNCORRECTED SRAR 0x134 MCGSTATUS RIPV EIPV "
	  "MCIP LMCES ADDR 0x9abc000 MISC 0x86 RIP 0x10:0xffffffff81234567",
	  "Data load in unrecoverable area of kernel", MCE_PANIC_SEVERITY,
	  "panic", "Fatal local machine check" },
};

START_TEST(verdicts)
{
	struct task_struct *t = task_create("user", mm_alloc());
	struct mce_result r;

	inject_text(cases[_i].text, t, &r);
	ck_assert_str_eq(r.msg, cases[_i].msg);
	ck_assert_int_eq(r.severity, cases[_i].sev);
	ck_assert_str_eq(r.action, cases[_i].action);
	ck_assert_int_eq(hx_m->panicked, cases[_i].panic != NULL);
	if (cases[_i].panic)
		ck_assert_str_eq(hx_m->panic_msg, cases[_i].panic);
	g_free(r.outcome);
}
END_TEST

START_TEST(srar_user_kill_me_maybe)
{
	struct task_struct *t = task_create("app", mm_alloc());
	unsigned long addr = do_mmap(t->mm, NULL, 0, PAGE_SIZE,
				     VM_READ | VM_WRITE, 0, 0);
	struct mce_state *ms = mce_state_peek();
	const struct mce_log_entry *e;
	const struct mm_signal_record *sig;
	vm_fault_t fault = 0;
	struct page *page;
	unsigned long pfn;
	uint64_t v;

	get_task_struct(t);	/* it dies of it: keep it to look at */
	page = follow_page_fault(t, addr, true, &fault);
	ck_assert_ptr_nonnull(page);
	pfn = page_to_pfn(page);
	ck_assert_int_eq(physmem_write(hx_m->physmem, pfn, 0, "x", 1, NULL),
			 0);
	put_page(page);
	physmem_poison_line(hx_m->physmem, pfn, 2);
	mce_user_consume(t, pfn, 130, false);

	ck_assert_uint_eq(ms->log->len, 1);
	e = g_ptr_array_index(ms->log, 0);
	ck_assert_int_eq(e->m.severity, MCE_AR_SEVERITY);
	ck_assert_int_eq(e->action, MCE_ACT_KILL_ME_MAYBE);
	ck_assert_uint_eq(e->m.addr, ((uint64_t)pfn << PAGE_SHIFT) + 128);
	ck_assert_ptr_nonnull(strstr(e->outcome, "dirty LRU page: Recovered"));
	ck_assert_uint_eq(hx_m->signals->len, 1);
	sig = g_ptr_array_index(hx_m->signals, 0);
	ck_assert_int_eq(sig->signo, SIGBUS);
	ck_assert_int_eq(sig->code, BUS_MCEERR_AR);
	ck_assert_uint_eq(sig->addr, addr);
	ck_assert(!task_alive(t));
	put_task_struct(t);
	/* The handler cleared what it handled. */
	ck_assert_int_eq(mca_rdmsr(ms->mca, e->m.extcpu, MSR_IA32_MCG_STATUS,
				   &v), 0);
	ck_assert_uint_eq(v, 0);
	mca_rdmsr(ms->mca, e->m.extcpu, MSR_IA32_MCx_STATUS(e->m.bank), &v);
	ck_assert_uint_eq(v, 0);
	ck_assert_ptr_null(hx_m->current_task);
}
END_TEST

START_TEST(corrected_counts_and_threshold)
{
	struct mce_state *ms = mce_state_peek();
	struct mca_error e = {
		.source = MCA_SRC_CORRECTED, .cpu = 2, .addr = 0x777040,
	};
	const struct mce_log_entry *last;

	ms->ce_threshold = 3;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(mce_raise(&e, NULL, NULL), 0);
	mce_flush();
	ck_assert_uint_eq(mce_ce_count(0x777), 3);
	ck_assert_uint_eq(ms->log->len, 3);
	last = g_ptr_array_index(ms->log, 2);
	ck_assert(last->ce_threshold);
	ck_assert(!last->exception);
	ck_assert_int_eq(last->m.severity, MCE_KEEP_SEVERITY);
	ck_assert(!hx_m->panicked);
}
END_TEST

START_TEST(fake_panic_goes_on)
{
	struct mce_result r;

	mce_set_fake_panic(true);
	inject_text(cases[4].text, NULL, &r);
	ck_assert(!hx_m->panicked);
	ck_assert_str_eq(r.action, "panic");
	ck_assert_ptr_nonnull(strstr(r.outcome, "Fake kernel panic"));
	g_free(r.outcome);
	/* The next case starts clean. */
	inject_text(cases[1].text, NULL, &r);
	ck_assert_str_eq(r.action, "memory_failure");
	ck_assert(!hx_m->panicked);
	g_free(r.outcome);
}
END_TEST

START_TEST(coverage_reset_per_machine)
{
	unsigned long hits, total = 0;
	struct mce_result r;

	for (unsigned int i = 0; mce_severity_rule(i, NULL, NULL, &hits); i++)
		total += hits;
	ck_assert_uint_eq(total, 0);
	inject_text(cases[1].text, NULL, &r);
	g_free(r.outcome);
	total = 0;
	for (unsigned int i = 0; mce_severity_rule(i, NULL, NULL, &hits); i++)
		total += hits;
	ck_assert_uint_gt(total, 0);
}
END_TEST

Suite *suite_mce_handler(void)
{
	Suite *s = suite_create("mce_handler");
	TCase *tc = tcase_create("mce_handler");

	tcase_add_checked_fixture(tc, hx_setup, hx_teardown);
	tcase_add_loop_test(tc, verdicts, 0, G_N_ELEMENTS(cases));
	tcase_add_test(tc, srar_user_kill_me_maybe);
	tcase_add_test(tc, corrected_counts_and_threshold);
	tcase_add_test(tc, fake_panic_goes_on);
	tcase_add_test(tc, coverage_reset_per_machine);
	suite_add_tcase(s, tc);
	return s;
}
