/*
 * test_severity.c - grading machine checks: every rule of the Intel table,
 * the context, coverage counters, the AMD path, and the verdicts on the
 * catalogue's mce-inject files.
 */
#include <check.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwpoison/severity.h"
#include "sim/mce_inject.h"

#ifndef HWPSIM_SRCDIR
#define HWPSIM_SRCDIR "."
#endif

#define VEU	(MCI_STATUS_VAL | MCI_STATUS_EN | MCI_STATUS_UC)
#define A	(MCI_STATUS_ADDRV | MCI_STATUS_MISCV)
#define S	MCI_STATUS_S
#define AR	MCI_STATUS_AR
#define OVER	MCI_STATUS_OVER
#define RIPV	MCG_STATUS_RIPV
#define EIPV	MCG_STATUS_EIPV
#define MCIP	MCG_STATUS_MCIP

static void reset(void)
{
	mce_severity_init(6 | MCG_SER_P | MCG_CMCI_P, X86_VENDOR_INTEL, 0, 0);
	memset(&mce_flags, 0, sizeof(mce_flags));
	mce_extable_reset();
	mce_severity_coverage_reset();
}

/* Index of the first rule with this message (for the coverage checks). */
static int rule_index(const char *msg)
{
	const char *m;

	for (unsigned int i = 0; mce_severity_rule(i, &m, NULL, NULL); i++)
		if (!strcmp(m, msg))
			return (int)i;
	return -1;
}

enum { K = MCE_KERNEL_CS, U = MCE_USER_CS };

static const struct rule_case {
	const char *what;
	uint64_t status, mcg;
	uint8_t cs;
	bool excp;
	bool noser;		/* machine without MCG_CAP.SER_P */
	bool copyin;		/* kernel copying from user memory */
	uint8_t bank, model, stepping;
	int sev;
	const char *msg;
} cases[] = {
	{ "no VAL", 0, MCIP, U, true, .sev = MCE_NO_SEVERITY,
	  .msg = "Invalid" },
	{ "no EN", MCI_STATUS_VAL | MCI_STATUS_UC | S | AR | A | 0x134,
	  RIPV | EIPV | MCIP, U, true, .sev = MCE_NO_SEVERITY,
	  .msg = "Not enabled" },
	{ "PCC", VEU | MCI_STATUS_PCC, MCIP, K, true,
	  .sev = MCE_PANIC_SEVERITY, .msg = "Processor context corrupt" },
	{ "no MCIP", VEU | S | AR | A | 0x134, RIPV | EIPV, U, true,
	  .sev = MCE_PANIC_SEVERITY, .msg = "MCIP not set in MCA handler" },
	{ "no RIPV/EIPV", VEU | S | AR | A | 0x134, MCIP, U, true,
	  .sev = MCE_PANIC_SEVERITY, .msg = "Neither restart nor error IP" },
	{ "kernel, no RIPV", VEU | S | AR | A | 0x134, EIPV | MCIP, K, true,
	  .sev = MCE_PANIC_SEVERITY, .msg = "In kernel and no restart IP" },
	{ "CE without SER", MCI_STATUS_VAL | MCI_STATUS_EN | A | 0x9f, 0, K,
	  false, .noser = true, .sev = MCE_KEEP_SEVERITY,
	  .msg = "Corrected error" },
	{ "SRAO scrub", VEU | S | A | 0xc5, RIPV | MCIP, U, true,
	  .sev = MCE_AO_SEVERITY,
	  .msg = "Action optional: memory scrubbing error" },
	{ "SRAO scrub with F bit, by CMCI, kernel", VEU | A | 0x10c0, 0, K,
	  false, .sev = MCE_AO_SEVERITY,
	  .msg = "Action optional: memory scrubbing error" },
	{ "SRAO L3 writeback", VEU | S | A | 0x17a, RIPV | MCIP, K, true,
	  .sev = MCE_AO_SEVERITY,
	  .msg = "Action optional: last level cache writeback error" },
	{ "SKX UC patrol scrub by CMCI", MCI_STATUS_VAL | MCI_STATUS_EN | A |
	  0x001000c0, 0, K, false, .bank = 13, .model = INTEL_FAM6_SKYLAKE_X,
	  .stepping = 4, .sev = MCE_AO_SEVERITY,
	  .msg = "Uncorrected Patrol Scrub Error" },
	{ "SKX quirk needs stepping 4", MCI_STATUS_VAL | MCI_STATUS_EN | A |
	  0x001000c0, 0, K, false, .bank = 13, .model = INTEL_FAM6_SKYLAKE_X,
	  .stepping = 3, .sev = MCE_KEEP_SEVERITY,
	  .msg = "Non signaled machine check" },
	{ "SKX quirk needs an IMC bank", MCI_STATUS_VAL | MCI_STATUS_EN | A |
	  0x001000c0, 0, K, false, .bank = 12, .model = INTEL_FAM6_SKYLAKE_X,
	  .stepping = 4, .sev = MCE_KEEP_SEVERITY,
	  .msg = "Non signaled machine check" },
	{ "UCNA", VEU | A | 0x9f, 0, K, false, .sev = MCE_UCNA_SEVERITY,
	  .msg = "Uncorrected no action required" },
	{ "UCNA, overflowed", VEU | OVER | A | 0x9f, 0, K, false,
	  .sev = MCE_UCNA_SEVERITY, .msg = "Uncorrected no action required" },
	{ "UCNA with AR", VEU | AR | A | 0x134, RIPV | EIPV | MCIP, U, true,
	  .sev = MCE_PANIC_SEVERITY,
	  .msg = "Illegal combination (UCNA with AR=1)" },
	{ "CE with SER", MCI_STATUS_VAL | MCI_STATUS_EN | A | 0x9f, 0, K,
	  false, .sev = MCE_KEEP_SEVERITY,
	  .msg = "Non signaled machine check" },
	{ "SRAR overflowed", VEU | S | AR | OVER | A | 0x134, EIPV | MCIP, U,
	  true, .sev = MCE_PANIC_SEVERITY,
	  .msg = "Action required with lost events" },
	{ "SRAR seen by a sibling", VEU | S | AR | A | 0x134, RIPV | MCIP, U,
	  true, .sev = MCE_KEEP_SEVERITY,
	  .msg = "Action required but unaffected thread is continuable" },
	{ "SRAR data, kernel copy from user", VEU | S | AR | A | 0x134,
	  RIPV | EIPV | MCIP, K, true, .copyin = true, .sev = MCE_AR_SEVERITY,
	  .msg = "Action required: data load in error recoverable area of kernel" },
	{ "SRAR data, user", VEU | S | AR | A | 0x134, EIPV | MCIP, U, true,
	  .sev = MCE_AR_SEVERITY,
	  .msg = "Action required: data load error in a user process" },
	{ "SRAR data, user, RIPV too", VEU | S | AR | A | 0x134,
	  RIPV | EIPV | MCIP, MCE_USER_CS_I386, true, .sev = MCE_AR_SEVERITY,
	  .msg = "Action required: data load error in a user process" },
	{ "SRAR ifetch, user", VEU | S | AR | A | 0x150, EIPV | MCIP, U, true,
	  .sev = MCE_AR_SEVERITY,
	  .msg = "Action required: instruction fetch error in a user process" },
	{ "SRAR data, kernel", VEU | S | AR | A | 0x134, RIPV | EIPV | MCIP,
	  K, true, .sev = MCE_PANIC_SEVERITY,
	  .msg = "Data load in unrecoverable area of kernel" },
	{ "SRAR ifetch, kernel", VEU | S | AR | A | 0x150,
	  RIPV | EIPV | MCIP, K, true, .sev = MCE_PANIC_SEVERITY,
	  .msg = "Instruction fetch error in kernel" },
	{ "SRAR, unknown code", VEU | S | AR | A | 0x135, EIPV | MCIP, U,
	  true, .sev = MCE_PANIC_SEVERITY,
	  .msg = "Action required: unknown MCACOD" },
	{ "SRAR without an address", VEU | S | AR | MCI_STATUS_MISCV | 0x134,
	  EIPV | MCIP, U, true, .sev = MCE_PANIC_SEVERITY,
	  .msg = "Action required: unknown MCACOD" },
	{ "SRAO, unknown code", VEU | S | A | 0x9f, RIPV | MCIP, U, true,
	  .sev = MCE_SOME_SEVERITY, .msg = "Action optional: unknown MCACOD" },
	{ "SRAO, unknown code, kernel", VEU | S | A | 0x9f, RIPV | MCIP, K,
	  true, .sev = MCE_SOME_SEVERITY,
	  .msg = "Action optional: unknown MCACOD" },
	{ "SRAO overflowed", VEU | S | OVER | A | 0x9f, RIPV | MCIP, U, true,
	  .sev = MCE_SOME_SEVERITY, .msg = "Action optional with lost events" },
	{ "UC overflowed without SER", VEU | OVER, RIPV | EIPV | MCIP, U, true,
	  .noser = true, .sev = MCE_PANIC_SEVERITY,
	  .msg = "Overflowed uncorrected" },
	{ "UC without SER, user", VEU, RIPV | EIPV | MCIP, U, true,
	  .noser = true, .sev = MCE_UC_SEVERITY, .msg = "Uncorrected" },
	/* UC or worse in the kernel is a panic whatever the rule says. */
	{ "UC without SER, kernel", VEU, RIPV | EIPV | MCIP, K, true,
	  .noser = true, .sev = MCE_PANIC_SEVERITY, .msg = "Uncorrected" },
	{ "signaled CE", MCI_STATUS_VAL | MCI_STATUS_EN | S | 0x9f, 0, K,
	  false, .sev = MCE_SOME_SEVERITY, .msg = "No match" },
};

static int grade(const struct rule_case *c, struct mce *m, const char **msg)
{
	struct mce_regs regs = { .cs = c->cs, .ip = 0xffffffff81000000ULL,
				 .copy_from_user = c->copyin,
				 .user_addr = 0x7f0000001000ULL };

	memset(m, 0, sizeof(*m));
	m->status = c->status;
	m->mcgstatus = c->mcg;
	m->cs = c->cs;
	m->ip = regs.ip;
	m->bank = c->bank;
	mce_severity_init(6 | (c->noser ? 0 : MCG_SER_P), X86_VENDOR_INTEL,
			  c->model, c->stepping);
	*msg = NULL;
	return mce_severity(m, &regs, msg, c->excp);
}

START_TEST(every_rule)
{
	const struct rule_case *c = &cases[_i];
	int idx = rule_index(c->msg);
	unsigned long hits, total = 0;
	const char *msg;
	struct mce m;
	int sev = grade(c, &m, &msg);

	ck_assert_msg(sev == c->sev, "%s: severity %s, want %s", c->what,
		      mce_severity_name(sev), mce_severity_name(c->sev));
	ck_assert_msg(msg && !strcmp(msg, c->msg), "%s: \"%s\", want \"%s\"",
		      c->what, msg ? msg : "(null)", c->msg);
	/* The rule that matched, and only it, counted the hit. */
	ck_assert_int_ge(idx, 0);
	for (unsigned int i = 0; mce_severity_rule(i, NULL, NULL, &hits); i++)
		total += hits;
	mce_severity_rule(idx, NULL, NULL, &hits);
	ck_assert_uint_eq(hits, 1);
	ck_assert_uint_eq(total, 1);
	/* Only a recoverable kernel context marks the record. */
	ck_assert_uint_eq(m.kflags, c->copyin ?
			  MCE_IN_KERNEL_RECOV | MCE_IN_KERNEL_COPYIN : 0);
}
END_TEST

START_TEST(coverage_reaches_every_reachable_rule)
{
	const char *msg;
	unsigned long hits;
	struct mce m;
	int sev;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		grade(&cases[i], &m, &msg);
	ck_assert_uint_eq(mce_severity_nr_rules(), 27);
	for (unsigned int i = 0; mce_severity_rule(i, &msg, &sev, &hits); i++) {
		/*
		 * Rule 6, the second "In kernel and no restart IP", wants
		 * IN_KERNEL_RECOV without RIPV, but that context needs RIPV
		 * and EIPV both: 6.1 can never match it.
		 */
		if (i == 6)
			ck_assert_uint_eq(hits, 0);
		else
			ck_assert_msg(hits > 0, "rule %u \"%s\" not reached",
				      i, msg);
	}
	mce_severity_rule(6, &msg, &sev, NULL);
	ck_assert_str_eq(msg, "In kernel and no restart IP");
	ck_assert_int_eq(sev, MCE_PANIC_SEVERITY);
	ck_assert(!mce_severity_rule(27, &msg, &sev, &hits));

	/* The debugfs-style listing, then a reset. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mce_severity_coverage_show(f);
	fclose(f);
	ck_assert(g_str_has_prefix(buf, "1\tInvalid\n1\tNot enabled\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n0\tIn kernel and no restart IP\n"));
	ck_assert(g_str_has_suffix(buf, "\tNo match\n"));
	free(buf);
	mce_severity_coverage_reset();
	for (unsigned int i = 0; mce_severity_rule(i, NULL, NULL, &hits); i++)
		ck_assert_uint_eq(hits, 0);
}
END_TEST

START_TEST(context_from_cs_and_fixups)
{
	struct mce m = { .status = VEU | S | AR | A | 0x134,
			 .mcgstatus = RIPV | EIPV | MCIP, .cs = K,
			 .ip = 0xffffffff81800010ULL };
	struct mce_regs regs = { .ip = m.ip, .cs = K };
	const char *msg;

	ck_assert_int_eq(mce_error_context(&m, NULL), IN_KERNEL);
	m.cs = MCE_USER_CS_I386;
	ck_assert_int_eq(mce_error_context(&m, NULL), IN_USER);
	m.cs = MCE_USER32_CS;
	ck_assert_int_eq(mce_error_context(&m, NULL), IN_USER);
	m.cs = K;

	/* A copy from a kernel address is no copy from user. */
	regs.copy_from_user = true;
	regs.user_addr = 0xffff888000001000ULL;
	ck_assert_int_eq(mce_severity(&m, &regs, &msg, true),
			 MCE_PANIC_SEVERITY);
	ck_assert_uint_eq(m.kflags, 0);

	/* Only machine-check-safe fixups recover; a uaccess fixup does not. */
	ck_assert_int_eq(mce_extable_add(0xffffffff81800000ULL,
					 0xffffffff81800100ULL,
					 EX_TYPE_UACCESS), 0);
	ck_assert_int_eq(mce_extable_add(0xffffffff81900000ULL,
					 0xffffffff81900100ULL,
					 EX_TYPE_DEFAULT_MCE_SAFE), 0);
	ck_assert_int_eq(mce_extable_add(5, 5, EX_TYPE_DEFAULT), -EINVAL);
	ck_assert_int_eq(ex_get_fixup_type(0xffffffff81800010ULL),
			 EX_TYPE_UACCESS);
	ck_assert_int_eq(mce_severity(&m, NULL, &msg, true),
			 MCE_PANIC_SEVERITY);
	m.ip = 0xffffffff81900010ULL;
	ck_assert_int_eq(mce_severity(&m, NULL, &msg, true), MCE_AR_SEVERITY);
	ck_assert_str_eq(msg, "Action required: data load in error recoverable area of kernel");
	ck_assert_uint_eq(m.kflags, MCE_IN_KERNEL_RECOV);

	/* Without both RIPV and EIPV nothing in the kernel is recoverable. */
	m.kflags = 0;
	m.mcgstatus = EIPV | MCIP;
	ck_assert_int_eq(mce_error_context(&m, NULL), IN_KERNEL);
	ck_assert_uint_eq(m.kflags, 0);
	m.mcgstatus = RIPV | EIPV | MCIP;
	ck_assert_int_eq(mce_extable_add(0xffffffff81a00000ULL,
					 0xffffffff81a00100ULL,
					 EX_TYPE_FAULT_MCE_SAFE), 0);
	m.ip = 0xffffffff81a000ffULL;
	ck_assert_int_eq(mce_error_context(&m, NULL), IN_KERNEL_RECOV);
	m.ip = 0xffffffff81a00100ULL;
	ck_assert_int_eq(mce_error_context(&m, NULL), IN_KERNEL);
	mce_extable_reset();
	ck_assert_int_eq(ex_get_fixup_type(0xffffffff81900010ULL),
			 EX_TYPE_NONE);
	/* The table has room for a few dozen ranges, then says so. */
	int ret = 0;
	for (uint64_t i = 0; ret == 0; i++)
		ret = mce_extable_add(i * 16, i * 16 + 8, EX_TYPE_DEFAULT);
	ck_assert_int_eq(ret, -ENOSPC);
}
END_TEST

START_TEST(msg_may_be_null)
{
	struct mce m = { .status = VEU | MCI_STATUS_PCC, .mcgstatus = MCIP };

	ck_assert_int_eq(mce_severity(&m, NULL, NULL, true),
			 MCE_PANIC_SEVERITY);
	ck_assert_str_eq(mce_severity_name(MCE_AO_SEVERITY), "AO");
	ck_assert_str_eq(mce_severity_name(MCE_DEFERRED_SEVERITY), "UCNA");
	ck_assert_str_eq(mce_severity_name(99), "?");
}
END_TEST

START_TEST(amd_grading)
{
	static const struct {
		uint64_t status;
		uint8_t cs;
		bool overflow_recov, succor;
		int sev;
		const char *msg;
	} amd[] = {
		{ VEU | MCI_STATUS_PCC, U, true, true, MCE_PANIC_SEVERITY,
		  "Processor Context Corrupt" },
		{ VEU | (1ULL << 44), U, true, true, MCE_DEFERRED_SEVERITY,
		  "untouched" },
		{ MCI_STATUS_VAL | MCI_STATUS_EN, U, true, true,
		  MCE_KEEP_SEVERITY, "untouched" },
		{ VEU | OVER, U, false, true, MCE_PANIC_SEVERITY,
		  "Overflowed uncorrected error without MCA Overflow Recovery" },
		{ VEU, U, true, false, MCE_PANIC_SEVERITY,
		  "Uncorrected error without MCA Recovery" },
		{ VEU, K, true, true, MCE_PANIC_SEVERITY,
		  "Uncorrected unrecoverable error in kernel context" },
		{ VEU | OVER, U, true, true, MCE_AR_SEVERITY, "untouched" },
	};

	mce_severity_init(6 | MCG_SER_P, X86_VENDOR_AMD, 0x1, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(amd); i++) {
		struct mce m = { .status = amd[i].status, .cs = amd[i].cs,
				 .mcgstatus = RIPV | EIPV | MCIP };
		const char *msg = "untouched";

		mce_flags.overflow_recov = amd[i].overflow_recov;
		mce_flags.succor = amd[i].succor;
		ck_assert_int_eq(mce_severity(&m, NULL, &msg, true),
				 amd[i].sev);
		ck_assert_str_eq(msg, amd[i].msg);
	}
	/* Hygon parts grade as AMD; the Intel table saw nothing. */
	mce_severity_init(6 | MCG_SER_P, X86_VENDOR_HYGON, 0, 0);
	struct mce m = { .status = VEU | MCI_STATUS_PCC };
	ck_assert_int_eq(mce_severity(&m, NULL, NULL, true),
			 MCE_PANIC_SEVERITY);
	unsigned long hits;
	for (unsigned int i = 0; mce_severity_rule(i, NULL, NULL, &hits); i++)
		ck_assert_uint_eq(hits, 0);
}
END_TEST

/* ---- the catalogue's mce-inject files ------------------------------------ */

static const struct {
	const char *file;
	int sev;
	const char *msg;
} verdicts[] = {
	{ "srao_scrub.txt", MCE_AO_SEVERITY,
	  "Action optional: memory scrubbing error" },
	{ "srar_data_load_user.txt", MCE_AR_SEVERITY,
	  "Action required: data load error in a user process" },
	{ "srar_ifetch_user.txt", MCE_AR_SEVERITY,
	  "Action required: instruction fetch error in a user process" },
	{ "ucna.txt", MCE_UCNA_SEVERITY, "Uncorrected no action required" },
	{ "corrected.txt", MCE_KEEP_SEVERITY, "Non signaled machine check" },
	{ "pcc_panic.txt", MCE_PANIC_SEVERITY, "Processor context corrupt" },
	{ "no_ripv_panic.txt", MCE_PANIC_SEVERITY,
	  "Neither restart nor error IP" },
	{ "over_ar_lost_events.txt", MCE_PANIC_SEVERITY,
	  "Action required with lost events" },
	{ "unknown_mcacod_ar.txt", MCE_PANIC_SEVERITY,
	  "Action required: unknown MCACOD" },
	{ "ucna_ar_illegal.txt", MCE_PANIC_SEVERITY,
	  "Illegal combination (UCNA with AR=1)" },
	{ "not_enabled.txt", MCE_NO_SEVERITY, "Not enabled" },
	{ "in_kernel_no_recov.txt", MCE_PANIC_SEVERITY,
	  "Data load in unrecoverable area of kernel" },
};

START_TEST(catalogue_verdicts)
{
	char *path = g_build_filename(HWPSIM_SRCDIR, "scenarios", "mca",
				      "inject", verdicts[_i].file, NULL);
	struct mce_inject_file *f = NULL;
	const char *msg = NULL;
	char *err = NULL;
	int sev;

	ck_assert_msg(mce_inject_load(path, &f, &err) == 0, "%s",
		      err ? err : "?");
	ck_assert_uint_eq(f->nr, 1);
	/* Graded as the kernel's injector raises it: #MC or poll. */
	sev = mce_severity(&f->recs[0].m, NULL, &msg,
			   mce_inject_raise_exception(&f->recs[0]));
	ck_assert_msg(sev == verdicts[_i].sev, "%s: %s, want %s",
		      verdicts[_i].file, mce_severity_name(sev),
		      mce_severity_name(verdicts[_i].sev));
	ck_assert_str_eq(msg, verdicts[_i].msg);
	mce_inject_file_free(f);
	g_free(path);
}
END_TEST

/* A kernel RIP inside a machine-check-safe fixup turns panic into AR. */
START_TEST(catalogue_kernel_file_with_fixup)
{
	char *path = g_build_filename(HWPSIM_SRCDIR, "scenarios", "mca",
				      "inject", "in_kernel_no_recov.txt", NULL);
	struct mce_inject_file *f = NULL;
	const char *msg;

	ck_assert_int_eq(mce_inject_load(path, &f, NULL), 0);
	mce_extable_add(0xffffffff81234500ULL, 0xffffffff81234600ULL,
			EX_TYPE_FAULT_MCE_SAFE);
	ck_assert_int_eq(mce_severity(&f->recs[0].m, NULL, &msg, true),
			 MCE_AR_SEVERITY);
	ck_assert_str_eq(msg, "Action required: data load in error recoverable area of kernel");
	mce_inject_file_free(f);
	g_free(path);
}
END_TEST

Suite *suite_severity(void)
{
	Suite *s = suite_create("severity");
	TCase *tc = tcase_create("severity");

	tcase_add_checked_fixture(tc, reset, NULL);
	tcase_add_loop_test(tc, every_rule, 0, G_N_ELEMENTS(cases));
	tcase_add_test(tc, coverage_reaches_every_reachable_rule);
	tcase_add_test(tc, context_from_cs_and_fixups);
	tcase_add_test(tc, msg_may_be_null);
	tcase_add_test(tc, amd_grading);
	tcase_add_loop_test(tc, catalogue_verdicts, 0, G_N_ELEMENTS(verdicts));
	tcase_add_test(tc, catalogue_kernel_file_with_fixup);
	suite_add_tcase(s, tc);
	return s;
}
