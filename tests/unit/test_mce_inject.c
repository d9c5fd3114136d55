/*
 * test_mce_inject.c - the reader of mce-inject's input language.
 */
#include <check.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/mce_inject.h"

#ifndef HWPSIM_SRCDIR
#define HWPSIM_SRCDIR "."
#endif

static struct mce_inject_file *parse_ok(const char *text)
{
	struct mce_inject_file *f = NULL;
	char *err = NULL;
	int ret = mce_inject_parse("t.txt", text, strlen(text), &f, &err);

	ck_assert_msg(ret == 0, "parse failed: %s", err ? err : "?");
	ck_assert_ptr_nonnull(f);
	return f;
}

/* ---- the catalogue's files ------------------------------------------- */

static const struct {
	const char *file;
	uint32_t cpu;
	uint8_t bank;
	uint64_t status, mcgstatus, addr, misc, ip;
	uint8_t cs;
	unsigned int flags;
} files[] = {
	{ "srao_scrub.txt", 0, 5,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0xc0,
	  MCG_STATUS_RIPV | MCG_STATUS_MCIP, 0x1234000, 0x8c, 0x400123, 0x73, 0 },
	{ "srar_data_load_user.txt", 1, 1,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_AR | MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x134,
	  MCG_STATUS_EIPV | MCG_STATUS_MCIP, 0x2345040, 0x86, 0x401000, 0x73, 0 },
	{ "srar_ifetch_user.txt", 2, 0,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_AR | MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x150,
	  MCG_STATUS_EIPV | MCG_STATUS_MCIP, 0x3456000, 0x86, 0x402000, 0x73, 0 },
	{ "ucna.txt", 0, 5,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN |
	  MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x9f,
	  0, 0x4567000, 0x86, 0, 0, MCE_INJ_RAISE_MODE | MCE_INJ_NOBROADCAST },
	{ "corrected.txt", 3, 5,
	  MCI_STATUS_VAL | MCI_STATUS_EN | MCI_STATUS_ADDRV |
	  MCI_STATUS_MISCV | 0x9f,
	  0, 0x5678000, 0x86, 0, 0, 0 },
	{ "pcc_panic.txt", 0, 4,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_PCC |
	  0x400, MCG_STATUS_MCIP, 0, 0, 0xffffffff81000000ULL, 0x10, 0 },
	{ "no_ripv_panic.txt", 1, 1,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_AR | MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x134,
	  MCG_STATUS_MCIP, 0x6789000, 0x86, 0, 0, 0 },
	{ "over_ar_lost_events.txt", 0, 1,
	  MCI_STATUS_VAL | MCI_STATUS_OVER | MCI_STATUS_UC | MCI_STATUS_EN |
	  MCI_STATUS_S | MCI_STATUS_AR | MCI_STATUS_ADDRV | MCI_STATUS_MISCV |
	  0x134, MCG_STATUS_EIPV | MCG_STATUS_MCIP, 0x789a000, 0x86, 0x403000,
	  0x73, 0 },
	{ "unknown_mcacod_ar.txt", 2, 1,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_AR | MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x135,
	  MCG_STATUS_EIPV | MCG_STATUS_MCIP, 134217728, 0x86, 0x404000, 0x73, 0 },
	{ "ucna_ar_illegal.txt", 0, 1,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_AR |
	  MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x134,
	  MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP, 0x89ab000, 0x86,
	  0x405000, 0x73, 0 },
	{ "not_enabled.txt", 1, 3,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR | 0x134,
	  MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP, 0, 0, 0, 0,
	  MCE_INJ_RAISE_MODE },
	{ "in_kernel_no_recov.txt", 3, 1,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_AR | MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x134,
	  MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP, 0x9abc000, 0x86,
	  0xffffffff81234567ULL, 0x10, 0 },
};

START_TEST(catalogue_files_parse)
{
	char *path = g_build_filename(HWPSIM_SRCDIR, "scenarios", "mca",
				      "inject", files[_i].file, NULL);
	struct mce_inject_file *f = NULL;
	char *err = NULL;

	ck_assert_msg(mce_inject_load(path, &f, &err) == 0, "%s",
		      err ? err : "?");
	ck_assert_uint_eq(f->nr, 1);
	const struct mce *m = &f->recs[0].m;

	ck_assert_uint_eq(m->extcpu, files[_i].cpu);
	ck_assert_uint_eq(m->cpu, files[_i].cpu);
	ck_assert_uint_eq(m->bank, files[_i].bank);
	ck_assert_uint_eq(m->status, files[_i].status);
	ck_assert_uint_eq(m->mcgstatus, files[_i].mcgstatus);
	ck_assert_uint_eq(m->addr, files[_i].addr);
	ck_assert_uint_eq(m->misc, files[_i].misc);
	ck_assert_uint_eq(m->ip, files[_i].ip);
	ck_assert_uint_eq(m->cs, files[_i].cs);
	ck_assert_uint_eq(f->recs[0].flags, files[_i].flags);
	ck_assert_str_eq(f->name, path);
	mce_inject_file_free(f);
	g_free(path);
}
END_TEST

/* The catalogue holds exactly the files above (no stray, no missing one). */
START_TEST(catalogue_is_complete)
{
	char *dir = g_build_filename(HWPSIM_SRCDIR, "scenarios", "mca",
				     "inject", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		bool known = false;

		for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
			known |= !strcmp(name, files[i].file);
		ck_assert_msg(known, "%s has no entry in the test table", name);
		n++;
	}
	ck_assert_uint_eq(n, G_N_ELEMENTS(files));
	g_dir_close(d);
	g_free(dir);
}
END_TEST

/* ---- records --------------------------------------------------------- */

START_TEST(several_records)
{
	struct mce_inject_file *f = parse_ok(
		"# two CPUs at once, as mce-test's fatal_over does\n"
		"CPU 0 BANK 4\n"
		"MCGSTATUS MCIP\n"
		"STATUS FATAL OVER\n"
		"RIP 12343434\n"
		"MISC 11\n"
		"HOLD\n"
		"CPU 1 BANK 0\n"
		"\n"
		"STATUS UC\n"
		"MCE STATUS 0x1 CPU 7 3 ADDR 5\n");

	ck_assert_uint_eq(f->nr, 4);
	ck_assert_uint_eq(f->recs[0].line, 2);
	ck_assert_uint_eq(f->recs[0].m.status,
			  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN |
			  MCI_STATUS_PCC | MCI_STATUS_OVER | MCI_STATUS_MISCV);
	ck_assert_uint_eq(f->recs[0].m.ip, 12343434);
	ck_assert_uint_eq(f->recs[0].m.misc, 11);
	ck_assert_uint_eq(f->recs[0].flags, MCE_INJ_HOLD);
	ck_assert_uint_eq(f->recs[1].line, 8);
	ck_assert_uint_eq(f->recs[1].m.extcpu, 1);
	ck_assert_uint_eq(f->recs[1].m.status, MCI_STATUS_UC);
	ck_assert_uint_eq(f->recs[1].flags, 0);
	/* MCE starts a record on no CPU in particular: CPU 0. */
	ck_assert_uint_eq(f->recs[2].line, 11);
	ck_assert_uint_eq(f->recs[2].m.extcpu, 0);
	ck_assert_uint_eq(f->recs[2].m.status, 1);
	/* CPU n n: the second number is the bank. */
	ck_assert_uint_eq(f->recs[3].m.extcpu, 7);
	ck_assert_uint_eq(f->recs[3].m.bank, 3);
	ck_assert_uint_eq(f->recs[3].m.status, MCI_STATUS_ADDRV);
	mce_inject_file_free(f);
}
END_TEST

START_TEST(mce_test_file_verbatim)
{
	/* cases/coverage/soft-inj/recoverable_ucr/data/srar_usr_dcu_irq */
	struct mce_inject_file *f = parse_ok(
		"CPU 3 BANK 2\n"
		"STATUS UNCORRECTED SRAR 0x134\n"
		"MCGSTATUS RIPV MCIP EIPV\n"
		"ADDR 0x12345000\n"
		"MISC 0x8c\n"
		"RIP 0x73:0x1eadbabe\n"
		"IRQBROADCAST\n");
	const struct mce_inject_record *r = &f->recs[0];

	ck_assert_uint_eq(f->nr, 1);
	ck_assert_uint_eq(r->m.status, MCI_STATUS_VAL | MCI_STATUS_UC |
			  MCI_STATUS_EN | MCI_STATUS_S | MCI_STATUS_AR |
			  MCI_STATUS_ADDRV | MCI_STATUS_MISCV | 0x134);
	ck_assert_uint_eq(r->m.cs, 0x73);
	ck_assert_uint_eq(r->m.ip, 0x1eadbabe);
	ck_assert_uint_eq(r->m.inject_flags, MCJ_IRQ_BROADCAST);
	ck_assert(mce_inject_raise_exception(r));
	ck_assert(mce_inject_broadcast(r));
	mce_inject_file_free(f);
}
END_TEST

START_TEST(kernel_panic_line_form)
{
	struct mce_inject_file *f = parse_ok(
		"CPU 1: Machine Check Exception: 5 Bank 4: 0xb200000000070f0f\n"
		"RIP 0x10:<0xffffffff8100a0b0> {memcpy_erms}\n");
	const struct mce_inject_record *r = &f->recs[0];

	ck_assert_uint_eq(f->nr, 1);
	ck_assert_uint_eq(r->m.cpu, 1);
	ck_assert_uint_eq(r->m.extcpu, 1);
	ck_assert_uint_eq(r->m.mcgstatus, 5);
	ck_assert_uint_eq(r->m.bank, 4);
	ck_assert_uint_eq(r->m.status, 0xb200000000070f0fULL);
	ck_assert_uint_eq(r->m.cs, 0x10);
	ck_assert_uint_eq(r->m.ip, 0xffffffff8100a0b0ULL);
	ck_assert_str_eq(r->symbol, "memcpy_erms");
	mce_inject_file_free(f);

	/* Complete by itself: no further field is needed. */
	f = parse_ok("CPU 0: MACHINE CHECK EXCEPTION: 0 BANK 1: 0x1\nCPU 1 BANK 1\nSTATUS 2\n");
	ck_assert_uint_eq(f->nr, 2);
	mce_inject_file_free(f);
}
END_TEST

/* ---- every keyword ----------------------------------------------------- */

enum fld {
	F_STATUS, F_MCG, F_BANK, F_TSC, F_TIME, F_SOCKETID, F_APICID,
	F_MCGCAP, F_IP, F_CS, F_ADDR, F_MISC, F_VENDOR, F_CPUID, F_FLAGS,
	F_INJ, F_CPU,
};

static uint64_t get(const struct mce_inject_record *r, enum fld f)
{
	switch (f) {
	case F_STATUS:	return r->m.status;
	case F_MCG:	return r->m.mcgstatus;
	case F_BANK:	return r->m.bank;
	case F_TSC:	return r->m.tsc;
	case F_TIME:	return r->m.time;
	case F_SOCKETID: return r->m.socketid;
	case F_APICID:	return r->m.apicid;
	case F_MCGCAP:	return r->m.mcgcap;
	case F_IP:	return r->m.ip;
	case F_CS:	return r->m.cs;
	case F_ADDR:	return r->m.addr;
	case F_MISC:	return r->m.misc;
	case F_VENDOR:	return r->m.cpuvendor;
	case F_CPUID:	return r->m.cpuid;
	case F_FLAGS:	return r->flags;
	case F_INJ:	return r->m.inject_flags;
	case F_CPU:	return r->m.extcpu;
	}
	return ~0ULL;
}

static const struct {
	const char *text;
	enum fld fld;
	uint64_t want;
} keywords[] = {
	{ "CPU 9 STATUS 0", F_CPU, 9 },
	{ "CPU 0 STATUS CORRECTED", F_STATUS, MCI_STATUS_VAL | MCI_STATUS_EN },
	{ "CPU 0 STATUS UNCORRECTED", F_STATUS,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN },
	{ "CPU 0 STATUS FATAL", F_STATUS,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_PCC },
	{ "CPU 0 STATUS SRAO", F_STATUS, MCI_STATUS_S },
	{ "CPU 0 STATUS SRAR", F_STATUS, MCI_STATUS_S | MCI_STATUS_AR },
	{ "CPU 0 STATUS UCNA", F_STATUS, 0 },
	{ "CPU 0 STATUS AR", F_STATUS, MCI_STATUS_AR },
	{ "CPU 0 STATUS S", F_STATUS, MCI_STATUS_S },
	{ "CPU 0 STATUS PCC", F_STATUS, MCI_STATUS_PCC },
	{ "CPU 0 STATUS EN", F_STATUS, MCI_STATUS_EN },
	{ "CPU 0 STATUS OVER", F_STATUS, MCI_STATUS_OVER },
	{ "CPU 0 STATUS VAL", F_STATUS, MCI_STATUS_VAL },
	{ "CPU 0 STATUS UC", F_STATUS, MCI_STATUS_UC },
	{ "CPU 0 STATUS MISCV", F_STATUS, MCI_STATUS_MISCV },
	{ "CPU 0 STATUS ADDRV", F_STATUS, MCI_STATUS_ADDRV },
	{ "CPU 0 STATUS TES_YELLOW", F_STATUS, MCI_STATUS_TES_YELLOW },
	{ "CPU 0 STATUS uc|en | 0x10|s", F_STATUS,
	  MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S | 0x10 },
	{ "CPU 0 STATUS", F_STATUS, 0 },
	/* STATUS replaces everything, ADDRV from an earlier ADDR too. */
	{ "CPU 0 ADDR 1 STATUS UC", F_STATUS, MCI_STATUS_UC },
	{ "CPU 0 STATUS UC ADDR 1", F_STATUS, MCI_STATUS_UC | MCI_STATUS_ADDRV },
	{ "CPU 0 STATUS UC MISC 1", F_STATUS, MCI_STATUS_UC | MCI_STATUS_MISCV },
	{ "CPU 0 MCGSTATUS RIPV", F_MCG, MCG_STATUS_RIPV },
	{ "CPU 0 MCGSTATUS EIPV", F_MCG, MCG_STATUS_EIPV },
	{ "CPU 0 MCGSTATUS MCIP", F_MCG, MCG_STATUS_MCIP },
	{ "CPU 0 MCGSTATUS LMCES", F_MCG, MCG_STATUS_LMCES },
	{ "CPU 0 MCGSTATUS TES_P", F_MCG, MCG_STATUS_TES_P },
	{ "CPU 0 MCGSTATUS SEAM_NR", F_MCG, MCG_STATUS_SEAM_NR },
	{ "CPU 0 MCGSTATUS 7", F_MCG, 7 },
	{ "CPU 0 MCGSTATUS RIPV 0x4", F_MCG, 5 },
	{ "CPU 0 BANK 17", F_BANK, 17 },
	{ "CPU 0 3 STATUS 0", F_BANK, 3 },
	{ "CPU 0 TSC 0x1234", F_TSC, 0x1234 },
	{ "CPU 0 TIME 1700000000", F_TIME, 1700000000 },
	{ "CPU 0 SOCKETID 1", F_SOCKETID, 1 },
	{ "CPU 0 APICID 0x20", F_APICID, 0x20 },
	{ "CPU 0 MCGCAP 0x1000c06", F_MCGCAP, 0x1000c06 },
	{ "CPU 0 RIP 0xdeadbabe", F_IP, 0xdeadbabe },
	{ "CPU 0 RIP 0xdeadbabe", F_CS, 0 },
	{ "CPU 0 RIP 0x73:0x1234", F_CS, 0x73 },
	{ "CPU 0 RIP 0x73:0x1234", F_IP, 0x1234 },
	{ "CPU 0 RIP 0x10:<0x99>{f}", F_IP, 0x99 },
	{ "CPU 0 ADDR 0x1000", F_ADDR, 0x1000 },
	{ "CPU 0 MISC 0x8c", F_MISC, 0x8c },
	{ "CPU 0 PROCESSOR 0:0x50654", F_VENDOR, 0 },
	{ "CPU 0 PROCESSOR 2:0x50654", F_CPUID, 0x50654 },
	{ "CPU 0 PROCESSOR 2:0x50654", F_VENDOR, 2 },
	{ "CPU 0 NOBROADCAST", F_FLAGS, MCE_INJ_NOBROADCAST },
	{ "CPU 0 HOLD", F_FLAGS, MCE_INJ_HOLD },
	{ "CPU 0 POLL", F_FLAGS, MCE_INJ_RAISE_MODE },
	{ "CPU 0 EXCP", F_FLAGS, MCE_INJ_RAISE_MODE },
	{ "CPU 0 IRQBROADCAST", F_FLAGS, MCE_INJ_IRQBROADCAST },
	{ "CPU 0 NMIBROADCAST", F_FLAGS, MCE_INJ_NMIBROADCAST },
	{ "CPU 0 EXCP", F_INJ, MCJ_EXCEPTION },
	{ "CPU 0 EXCP POLL", F_INJ, 0 },
	{ "CPU 0 IN_IRQ", F_INJ, MCJ_CTX_IRQ },
	{ "CPU 0 IN_PROC", F_INJ, MCJ_CTX_PROCESS },
	{ "CPU 0 IN_PROC IN_IRQ", F_INJ, MCJ_CTX_IRQ },
	{ "CPU 0 IRQBROADCAST", F_INJ, MCJ_IRQ_BROADCAST },
	{ "CPU 0 NMIBROADCAST", F_INJ, MCJ_NMI_BROADCAST },
	/* Keywords are case-insensitive. */
	{ "cpu 0 Status Uncorrected sRaR", F_STATUS,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_S |
	  MCI_STATUS_AR },
	/* Numbers: hex, octal, decimal, the extremes. */
	{ "CPU 0 ADDR 0x1F", F_ADDR, 0x1f },
	{ "CPU 0 ADDR 0XfF", F_ADDR, 0xff },
	{ "CPU 0 ADDR 017", F_ADDR, 15 },
	{ "CPU 0 ADDR 17", F_ADDR, 17 },
	{ "CPU 0 ADDR 0", F_ADDR, 0 },
	{ "CPU 0 ADDR 00", F_ADDR, 0 },
	{ "CPU 0 ADDR 0xffffffffffffffff", F_ADDR, ~0ULL },
	{ "CPU 0 ADDR 18446744073709551615", F_ADDR, ~0ULL },
	{ "CPU 0 ADDR 01777777777777777777777", F_ADDR, ~0ULL },
	/* Comments end at the line's end; CR LF line ends are fine. */
	{ "CPU 0 # BANK 3\r\nBANK 4 # STATUS UC\r\n", F_BANK, 4 },
};

START_TEST(every_keyword)
{
	struct mce_inject_file *f = parse_ok(keywords[_i].text);

	ck_assert_uint_eq(f->nr, 1);
	ck_assert_msg(get(&f->recs[0], keywords[_i].fld) == keywords[_i].want,
		      "'%s': got 0x%llx, want 0x%llx", keywords[_i].text,
		      (unsigned long long)get(&f->recs[0], keywords[_i].fld),
		      (unsigned long long)keywords[_i].want);
	mce_inject_file_free(f);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

static const struct {
	const char *text;
	const char *err;
} errors[] = {
	{ "STATUS UC",
	  "t.txt:1: expected CPU or MCE to start a record, got 'STATUS'" },
	{ "CPU",
	  "t.txt:1: expected a number after CPU, got end of file" },
	{ "CPU 0 BANK x",
	  "t.txt:1: expected a number after BANK, got 'x'" },
	{ "CPU 0 bank\n\n5x",
	  "t.txt:3: invalid number '5x'" },
	{ "CPU 0\n\n# only a comment\nFOO",
	  "t.txt:4: expected a field (STATUS, MCGSTATUS, BANK, ADDR, MISC, RIP, ...) after the record start, got 'FOO'" },
	{ "MCE\nCPU 1 STATUS UC",
	  "t.txt:2: expected a field (STATUS, MCGSTATUS, BANK, ADDR, MISC, RIP, ...) after the record start, got 'CPU'" },
	{ "CPU 0 STATUS UC\nSTATUS UC BOGUS",
	  "t.txt:2: expected a field or a new record (CPU, MCE), got 'BOGUS'" },
	{ "CPU 0 STATUS UC\nMCGSTATUS UC",
	  "t.txt:2: expected a field or a new record (CPU, MCE), got 'UC'" },
	{ "CPU 0 STATUS 09", "t.txt:1: invalid number '09'" },
	{ "CPU 0 ADDR 0x", "t.txt:1: invalid number '0x'" },
	{ "CPU 0 ADDR 0x10000000000000000",
	  "t.txt:1: number '0x10000000000000000' out of range" },
	{ "CPU 0 ADDR 18446744073709551616",
	  "t.txt:1: number '18446744073709551616' out of range" },
	{ "CPU 0\nSTATUS UC $", "t.txt:2: unrecognized character '$'" },
	{ "CPU 0 RIP 0x10:",
	  "t.txt:1: expected '<' or a number after RIP cs:, got end of file" },
	{ "CPU 0 RIP 0x10:<x>", "t.txt:1: expected a number after RIP cs:<" },
	{ "CPU 0 RIP 0x10:<0x5 {f}",
	  "t.txt:1: expected '>' after RIP cs:<ip, got '{'" },
	{ "CPU 0 RIP 0x10:<0x5>{7}",
	  "t.txt:1: expected a symbol name in RIP {}" },
	{ "CPU 0 RIP 0x10:<0x5>{foo",
	  "t.txt:1: expected '}' after the RIP symbol, got end of file" },
	{ "CPU 0 PROCESSOR 1 2",
	  "t.txt:1: expected ':' after PROCESSOR vendor, got '2'" },
	{ "CPU 1: MACHINE CHECK EXCEPTION: 5 BANK 4 0x1",
	  "t.txt:1: expected ':' after BANK n, got '0x1'" },
	{ "CPU 1: MACHINE EXCEPTION",
	  "t.txt:1: expected CHECK, got 'EXCEPTION'" },
};

START_TEST(errors_name_file_and_line)
{
	struct mce_inject_file *f = (void *)1;
	char *err = NULL;
	int ret = mce_inject_parse("t.txt", errors[_i].text,
				   strlen(errors[_i].text), &f, &err);

	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, errors[_i].err);
	g_free(err);
	/* No error string wanted: still an error. */
	ck_assert_int_eq(mce_inject_parse("t.txt", errors[_i].text,
					  strlen(errors[_i].text), &f, NULL),
			 -EINVAL);
}
END_TEST

START_TEST(empty_input_and_missing_file)
{
	struct mce_inject_file *f = parse_ok("# nothing but comments\n\n");
	char *err = NULL;

	ck_assert_uint_eq(f->nr, 0);
	mce_inject_file_free(f);
	ck_assert_int_eq(mce_inject_load("/nonexistent/x.txt", &f, &err),
			 -ENOENT);
	ck_assert_ptr_null(f);
	ck_assert(g_str_has_prefix(err, "/nonexistent/x.txt: "));
	g_free(err);
	mce_inject_file_free(NULL);
}
END_TEST

START_TEST(raise_mode_and_broadcast_defaults)
{
	struct mce_inject_file *f = parse_ok(
		"CPU 0 STATUS CORRECTED\n"
		"CPU 0 STATUS UNCORRECTED\n"
		"CPU 0 STATUS UNCORRECTED POLL NOBROADCAST\n"
		"CPU 0 STATUS CORRECTED EXCP\n");

	ck_assert(!mce_inject_raise_exception(&f->recs[0]));
	ck_assert(!mce_inject_broadcast(&f->recs[0]));
	ck_assert(mce_inject_raise_exception(&f->recs[1]));
	ck_assert(mce_inject_broadcast(&f->recs[1]));
	ck_assert(!mce_inject_raise_exception(&f->recs[2]));
	ck_assert(!mce_inject_broadcast(&f->recs[2]));
	ck_assert(mce_inject_raise_exception(&f->recs[3]));
	mce_inject_file_free(f);
}
END_TEST

START_TEST(dump_format)
{
	struct mce_inject_file *f = parse_ok(
		"CPU 2 BANK 1 STATUS UC ADDR 0x1000 MISC 0x86 "
		"MCGSTATUS MCIP RIP 0x73:0x400 TSC 5");
	char *s = mce_inject_dump(&f->recs[0]);

	ck_assert_str_eq(s, "CPU 2\nBANK 1\nTSC 0x5\nRIP 0x73:0x400\n"
			 "MISC 0x86\nADDR 0x1000\n"
			 "STATUS 0x2c00000000000000\nMCGSTATUS 0x4\n");
	/* What is dumped reads back the same. */
	struct mce_inject_file *g = parse_ok(s);
	ck_assert_uint_eq(g->recs[0].m.status, f->recs[0].m.status);
	ck_assert_uint_eq(g->recs[0].m.ip, f->recs[0].m.ip);
	ck_assert_uint_eq(g->recs[0].m.cs, f->recs[0].m.cs);
	mce_inject_file_free(g);
	g_free(s);
	mce_inject_file_free(f);
}
END_TEST

Suite *suite_mce_inject(void)
{
	Suite *s = suite_create("mce_inject");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, catalogue_files_parse, 0, G_N_ELEMENTS(files));
	tcase_add_test(tc, catalogue_is_complete);
	tcase_add_test(tc, several_records);
	tcase_add_test(tc, mce_test_file_verbatim);
	tcase_add_test(tc, kernel_panic_line_form);
	tcase_add_loop_test(tc, every_keyword, 0, G_N_ELEMENTS(keywords));
	tcase_add_loop_test(tc, errors_name_file_and_line, 0,
			    G_N_ELEMENTS(errors));
	tcase_add_test(tc, empty_input_and_missing_file);
	tcase_add_test(tc, raise_mode_and_broadcast_defaults);
	tcase_add_test(tc, dump_format);
	suite_add_tcase(s, tc);
	return s;
}
