/*
 * test_mca.c - machine-check hardware: registers, error sources, overwrite
 * rules, CMCI, broadcast.
 */
#include <check.h>
#include <errno.h>

#include "sim/mca.h"
#include "sim/physmem.h"

static struct mca *new_mca(unsigned int cpus, struct physmem *pm)
{
	struct mca_params p;

	mca_params_default(&p, cpus);
	return mca_new(&p, pm);
}

static int raise_at(struct mca *mca, enum mca_source src, unsigned int cpu,
		    uint64_t addr, struct mca_report *rep)
{
	struct mca_error e = {
		.source = src, .cpu = cpu, .addr = addr,
		.ip = 0x400000, .cs = MCE_USER_CS,
	};

	return mca_raise(mca, &e, rep);
}

START_TEST(default_capabilities_and_msrs)
{
	struct mca *mca = new_mca(2, NULL);
	uint64_t v;

	ck_assert_uint_eq(mca_nr_banks(mca), 6);
	ck_assert_uint_eq(mca_nr_cpus(mca), 2);
	ck_assert_int_eq(mca_rdmsr(mca, 1, MSR_IA32_MCG_CAP, &v), 0);
	ck_assert_uint_eq(v & MCG_BANKCNT_MASK, 6);
	ck_assert(v & MCG_SER_P);
	ck_assert(v & MCG_CMCI_P);
	ck_assert(v & MCG_TES_P);
	ck_assert(v & MCG_CTL_P);
	ck_assert(!(v & MCG_LMCE_P));
	/* Banks exist up to the count MCG_CAP reports, no further. */
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCx_CTL(5), &v), 0);
	ck_assert_uint_eq(v, ~0ULL);
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCx_CTL2(5), &v), 0);
	ck_assert(v & MCI_CTL2_CMCI_EN);
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCx_STATUS(6), &v), -EINVAL);
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCx_CTL2(6), &v), -EINVAL);
	ck_assert_int_eq(mca_rdmsr(mca, 2, MSR_IA32_MCG_STATUS, &v), -EINVAL);
	ck_assert_int_eq(mca_rdmsr(mca, 0, 0x10, &v), -EINVAL);
	/* MCG_CAP is read-only; MCi_STATUS takes only zero. */
	ck_assert_int_eq(mca_wrmsr(mca, 0, MSR_IA32_MCG_CAP, 0), -EINVAL);
	ck_assert_int_eq(mca_wrmsr(mca, 0, MSR_IA32_MCx_STATUS(1), 5), -EINVAL);
	ck_assert_int_eq(mca_wrmsr(mca, 0, MSR_IA32_MCx_STATUS(1), 0), 0);
	ck_assert_int_eq(mca_wrmsr(mca, 0, MSR_IA32_MCx_CTL(1), 0), 0);
	ck_assert_uint_eq(mca_bank(mca, 0, 1)->ctl, 0);
	ck_assert_ptr_null(mca_bank(mca, 0, 6));
	ck_assert_ptr_null(mca_cpu(mca, 2));
	mca_free(mca);
}
END_TEST

START_TEST(bank_count_is_configurable)
{
	struct mca_params p;
	struct mca *mca;

	mca_params_default(&p, 1);
	p.mcg_cap = 20 | MCG_SER_P;	/* no CMCI, no MCG_CTL */
	mca = mca_new(&p, NULL);
	ck_assert_uint_eq(mca_nr_banks(mca), 20);
	uint64_t v;
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCx_MISC(19), &v), 0);
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCx_CTL2(0), &v), -EINVAL);
	ck_assert_int_eq(mca_rdmsr(mca, 0, MSR_IA32_MCG_CTL, &v), -EINVAL);
	mca_free(mca);
	p.mcg_cap = 0;
	ck_assert_ptr_null(mca_new(&p, NULL));
}
END_TEST

/* What each error source writes: status, code, MCG_STATUS, bank, signal. */
static const struct {
	enum mca_source src;
	uint64_t bits;		/* besides VAL EN ADDRV MISCV */
	uint16_t mcacod;
	unsigned int bank;
	uint64_t mcg;		/* 0: not signaled by #MC */
	bool cmci, poisons;
} sources[] = {
	{ MCA_SRC_PATROL_SCRUB, MCI_STATUS_UC | MCI_STATUS_S, 0xC0, 5,
	  MCG_STATUS_RIPV | MCG_STATUS_MCIP, false, true },
	{ MCA_SRC_LLC_WRITEBACK, MCI_STATUS_UC | MCI_STATUS_S, 0x17A, 3,
	  MCG_STATUS_RIPV | MCG_STATUS_MCIP, false, true },
	{ MCA_SRC_DATA_LOAD, MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR,
	  0x134, 1, MCG_STATUS_EIPV | MCG_STATUS_MCIP, false, true },
	{ MCA_SRC_INSTR_FETCH, MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR,
	  0x150, 0, MCG_STATUS_EIPV | MCG_STATUS_MCIP, false, true },
	{ MCA_SRC_UCNA, MCI_STATUS_UC, 0x9F, 5, 0, true, true },
	{ MCA_SRC_CORRECTED, 0, 0x9F, 5, 0, true, false },
};

START_TEST(each_source_fills_its_bank)
{
	struct physmem *pm = physmem_new(64);
	struct mca *mca = new_mca(2, pm);
	struct mca_report rep;
	uint64_t addr = 0x5000 + 3 * 64 + 8;	/* pfn 5, line 3 */
	uint64_t want = MCI_STATUS_VAL | MCI_STATUS_EN | MCI_STATUS_ADDRV |
			MCI_STATUS_MISCV | sources[_i].bits |
			sources[_i].mcacod;

	ck_assert_int_eq(raise_at(mca, sources[_i].src, 1, addr, &rep), 0);
	ck_assert_uint_eq(rep.bank, sources[_i].bank);
	ck_assert(rep.logged && !rep.overflow);
	/* The corrected count and TES bits ride along for CEs only. */
	ck_assert_uint_eq(rep.status & ~(MCI_STATUS_CEC_MASK |
					 MCI_STATUS_TES_MASK), want);
	ck_assert_uint_eq(rep.addr, addr);
	ck_assert_uint_eq(MCI_MISC_ADDR_MODE(rep.misc), MCI_MISC_ADDR_PHYS);
	ck_assert_uint_eq(MCI_MISC_ADDR_LSB(rep.misc), 6);
	ck_assert_uint_eq(rep.mcgstatus, sources[_i].mcg);
	ck_assert(rep.mce == (sources[_i].mcg != 0));
	ck_assert(mca_cpu(mca, 1)->mce_pending == (sources[_i].mcg != 0));
	ck_assert(rep.cmci == sources[_i].cmci);
	ck_assert(rep.poisoned == sources[_i].poisons);
	ck_assert(physmem_page_poisoned(pm, 5) == sources[_i].poisons);
	if (sources[_i].poisons)
		ck_assert_uint_eq(physmem_poison_mask(pm, 5), 1ULL << 3);
	/* The handler reads the same thing through the MSRs. */
	uint64_t v;
	ck_assert_int_eq(mca_rdmsr(mca, 1, MSR_IA32_MCx_STATUS(rep.bank), &v), 0);
	ck_assert_uint_eq(v, rep.status);
	ck_assert_int_eq(mca_rdmsr(mca, 1, MSR_IA32_MCx_ADDR(rep.bank), &v), 0);
	ck_assert_uint_eq(v, addr);
	mca_free(mca);
	physmem_free(pm);
}
END_TEST

START_TEST(fatal_error_has_pcc_and_no_address)
{
	struct mca *mca = new_mca(2, NULL);
	struct mca_report rep;

	ck_assert_int_eq(raise_at(mca, MCA_SRC_FATAL, 0, 0, &rep), 0);
	ck_assert_uint_eq(rep.bank, 4);
	ck_assert_uint_eq(rep.status, MCI_STATUS_VAL | MCI_STATUS_EN |
			  MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_PCC |
			  MCACOD_INTERNAL);
	ck_assert_uint_eq(rep.mcgstatus, MCG_STATUS_MCIP);
	ck_assert(rep.mce && !rep.poisoned);
	ck_assert_uint_eq(rep.nr_signaled, 2);
	ck_assert_str_eq(mca_source_name(MCA_SRC_FATAL), "fatal");
	ck_assert_str_eq(mca_source_name(MCA_SRC_PATROL_SCRUB), "patrol scrub");
	mca_free(mca);
}
END_TEST

START_TEST(misc_reports_page_granularity_and_codes)
{
	struct mca *mca = new_mca(1, NULL);
	struct mca_report rep;
	struct mca_error e = {
		.source = MCA_SRC_PATROL_SCRUB, .bank_given = true, .bank = 2,
		.addr = 0x7000,
		.lsb = MCI_MISC_LSB_PAGE, .mcacod = 0xC3, .mscod = 0x10,
	};

	ck_assert_int_eq(mca_raise(mca, &e, &rep), 0);
	ck_assert_uint_eq(rep.bank, 2);
	ck_assert_uint_eq(rep.misc, 0x8c);
	ck_assert_uint_eq(MCI_MISC_ADDR_LSB(rep.misc), 12);
	ck_assert_uint_eq(rep.status & MCI_STATUS_MCACOD_MASK, 0xC3);
	ck_assert_uint_eq(MCI_STATUS_MSCOD(rep.status), 0x10);
	/* The hardware reports the address; masking to LSB is the kernel's. */
	ck_assert_uint_eq(rep.addr, 0x7000);
	mca_free(mca);
}
END_TEST

START_TEST(overwrite_rules)
{
	struct mca *mca = new_mca(1, NULL);
	struct mca_bank *b = mca_bank(mca, 0, 5);
	struct mca_report rep;

	/* CE then CE: the newer is kept, OVER set, the count goes on. */
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x1000, &rep);
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x2000, &rep);
	ck_assert(rep.overflow && rep.logged);
	ck_assert(b->status & MCI_STATUS_OVER);
	ck_assert_uint_eq(b->addr, 0x2000);
	ck_assert_uint_eq(MCI_STATUS_CEC(b->status), 2);

	/* CE then UC: the uncorrected error replaces it. */
	raise_at(mca, MCA_SRC_UCNA, 0, 0x3000, &rep);
	ck_assert(rep.overflow && rep.logged);
	ck_assert(b->status & MCI_STATUS_UC);
	ck_assert(b->status & MCI_STATUS_OVER);
	ck_assert_uint_eq(b->addr, 0x3000);

	/* UC then CE: the uncorrected error stays. */
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x4000, &rep);
	ck_assert(rep.overflow && !rep.logged);
	ck_assert(b->status & MCI_STATUS_UC);
	ck_assert_uint_eq(b->addr, 0x3000);

	/* UC then UC: the first stays, PCC is the OR of both. */
	struct mca_error fatal = { .source = MCA_SRC_FATAL,
				   .bank_given = true, .bank = 5 };
	ck_assert_int_eq(mca_raise(mca, &fatal, &rep), 0);
	ck_assert(rep.overflow && !rep.logged);
	ck_assert_uint_eq(b->addr, 0x3000);
	ck_assert_uint_eq(b->status & MCI_STATUS_MCACOD_MASK, MCACOD_MEM_READ);
	ck_assert(b->status & MCI_STATUS_PCC);
	ck_assert_uint_eq(b->nr_logged, 5);
	ck_assert_uint_eq(b->nr_overflow, 4);

	/* Cleared by the handler, the bank takes a fresh error. */
	ck_assert_int_eq(mca_wrmsr(mca, 0, MSR_IA32_MCx_STATUS(5), 0), 0);
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x5000, &rep);
	ck_assert(!rep.overflow && rep.logged);
	ck_assert_uint_eq(MCI_STATUS_CEC(b->status), 1);
	mca_free(mca);
}
END_TEST

START_TEST(uc_over_uc_keeps_the_first_srar)
{
	struct mca *mca = new_mca(1, NULL);
	struct mca_report rep;
	struct mca_error e = { .source = MCA_SRC_DATA_LOAD,
			       .bank_given = true, .bank = 1,
			       .addr = 0x1040, .cs = MCE_USER_CS };

	mca_raise(mca, &e, &rep);
	mca_wrmsr(mca, 0, MSR_IA32_MCG_STATUS, 0);	/* handler finished */
	e.addr = 0x2080;
	mca_raise(mca, &e, &rep);
	ck_assert_uint_eq(rep.addr, 0x1040);
	ck_assert_uint_eq(rep.status & (MCI_STATUS_OVER | MCI_STATUS_AR),
			  MCI_STATUS_OVER | MCI_STATUS_AR);
	mca_free(mca);
}
END_TEST

START_TEST(cmci_threshold_counts_corrected_errors)
{
	struct mca_params p;
	struct mca *mca;
	struct mca_report rep;

	mca_params_default(&p, 1);
	p.cmci_threshold = 3;
	mca = mca_new(&p, NULL);
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x1000, &rep);
	ck_assert(!rep.cmci);
	ck_assert(rep.status & MCI_STATUS_TES_GREEN);
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x1000, &rep);
	ck_assert(!rep.cmci);
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x1000, &rep);
	ck_assert(rep.cmci);
	ck_assert(rep.status & MCI_STATUS_TES_YELLOW);
	ck_assert_uint_eq(MCI_STATUS_CEC(rep.status), 3);
	raise_at(mca, MCA_SRC_CORRECTED, 0, 0x1000, &rep);
	ck_assert(!rep.cmci);		/* only when the count reaches it */
	ck_assert_uint_eq(mca_take_cmci(mca, 0), 1);
	ck_assert_uint_eq(mca_take_cmci(mca, 0), 0);

	/* UCNA needs no count; CMCI disabled in CTL2 silences both. */
	raise_at(mca, MCA_SRC_UCNA, 0, 0x1000, &rep);
	ck_assert(rep.cmci);
	mca_wrmsr(mca, 0, MSR_IA32_MCx_STATUS(5), 0);
	mca_wrmsr(mca, 0, MSR_IA32_MCx_CTL2(5), 3);
	raise_at(mca, MCA_SRC_UCNA, 0, 0x1000, &rep);
	ck_assert(!rep.cmci);
	ck_assert_uint_eq(mca_take_cmci(mca, 0), 1);
	mca_free(mca);
}
END_TEST

START_TEST(srao_may_report_by_cmci)
{
	struct mca *mca = new_mca(2, NULL);
	struct mca_report rep;
	struct mca_error e = { .source = MCA_SRC_PATROL_SCRUB,
			       .addr = 0x1000, .via_cmci = true };

	ck_assert_int_eq(mca_raise(mca, &e, &rep), 0);
	ck_assert(!(rep.status & MCI_STATUS_S));
	ck_assert(rep.status & MCI_STATUS_UC);
	ck_assert(rep.cmci && !rep.mce);
	ck_assert_uint_eq(rep.mcgstatus, 0);
	mca_free(mca);
}
END_TEST

START_TEST(broadcast_reaches_every_cpu)
{
	struct mca *mca = new_mca(4, NULL);
	struct mca_report rep;
	struct mca_error e = { .source = MCA_SRC_DATA_LOAD, .cpu = 2,
			       .addr = 0x1000, .ip = 0x401000,
			       .cs = MCE_USER_CS };

	ck_assert(mca_broadcast(mca));
	ck_assert_int_eq(mca_raise(mca, &e, &rep), 0);
	ck_assert_uint_eq(rep.nr_signaled, 4);
	for (unsigned int c = 0; c < 4; c++) {
		struct mca_cpu *cpu = mca_cpu(mca, c);

		ck_assert(cpu->mce_pending);
		ck_assert(cpu->mcg_status & MCG_STATUS_MCIP);
		/* Only the consumer lost its restart point. */
		ck_assert_uint_eq(cpu->mcg_status & (MCG_STATUS_RIPV |
						     MCG_STATUS_EIPV),
				  c == 2 ? MCG_STATUS_EIPV : MCG_STATUS_RIPV);
		/* Only the consumer logged anything. */
		ck_assert(!!(mca_bank(mca, c, 1)->status & MCI_STATUS_VAL) ==
			  (c == 2));
	}
	ck_assert_uint_eq(mca_cpu(mca, 2)->ip, 0x401000);
	ck_assert_uint_eq(mca_cpu(mca, 2)->cs, MCE_USER_CS);
	ck_assert(mca_take_mce(mca, 2));
	ck_assert(!mca_take_mce(mca, 2));
	mca_free(mca);
}
END_TEST

START_TEST(lmce_keeps_srar_local)
{
	struct mca_params p;
	struct mca *mca;
	struct mca_report rep;

	mca_params_default(&p, 3);
	p.broadcast = false;
	p.mcg_cap |= MCG_LMCE_P;
	mca = mca_new(&p, NULL);
	raise_at(mca, MCA_SRC_INSTR_FETCH, 1, 0x1000, &rep);
	ck_assert_uint_eq(rep.nr_signaled, 1);
	ck_assert(rep.mcgstatus & MCG_STATUS_LMCES);
	ck_assert(!mca_cpu(mca, 0)->mce_pending);
	ck_assert(mca_cpu(mca, 1)->mce_pending);
	/* The handler is done on CPU 1; action-optional errors still broadcast. */
	mca_take_mce(mca, 1);
	mca_wrmsr(mca, 1, MSR_IA32_MCG_STATUS, 0);
	raise_at(mca, MCA_SRC_PATROL_SCRUB, 0, 0x2000, &rep);
	ck_assert(mca_cpu(mca, 0)->mce_pending);
	ck_assert(mca_cpu(mca, 2)->mce_pending);
	ck_assert(!rep.shutdown);
	mca_free(mca);
}
END_TEST

START_TEST(mce_inside_mce_shuts_down)
{
	struct mca *mca = new_mca(2, NULL);
	struct mca_report rep;

	raise_at(mca, MCA_SRC_DATA_LOAD, 0, 0x1000, &rep);
	ck_assert(!rep.shutdown);
	raise_at(mca, MCA_SRC_DATA_LOAD, 1, 0x2000, &rep);
	ck_assert(rep.shutdown);
	ck_assert(mca_cpu(mca, 0)->shutdown && mca_cpu(mca, 1)->shutdown);
	mca_free(mca);
}
END_TEST

START_TEST(disabled_bank_logs_without_signal)
{
	struct mca *mca = new_mca(1, NULL);
	struct mca_report rep;

	mca_wrmsr(mca, 0, MSR_IA32_MCx_CTL(1), 0);
	raise_at(mca, MCA_SRC_DATA_LOAD, 0, 0x1000, &rep);
	ck_assert(rep.logged);
	ck_assert(!(rep.status & MCI_STATUS_EN));
	ck_assert(!rep.mce && !rep.cmci);
	ck_assert(!mca_cpu(mca, 0)->mce_pending);
	/* MCG_CTL cleared: logged and enabled, but no #MC. */
	mca_wrmsr(mca, 0, MSR_IA32_MCG_CTL, 0);
	raise_at(mca, MCA_SRC_PATROL_SCRUB, 0, 0x1000, &rep);
	ck_assert(rep.status & MCI_STATUS_EN);
	ck_assert(!mca_cpu(mca, 0)->mce_pending);
	mca_free(mca);
}
END_TEST

START_TEST(without_ser_there_is_no_recovery)
{
	struct mca_params p;
	struct mca *mca;
	struct mca_report rep;

	mca_params_default(&p, 1);
	p.mcg_cap &= ~MCG_SER_P;
	mca = mca_new(&p, NULL);
	raise_at(mca, MCA_SRC_DATA_LOAD, 0, 0x1000, &rep);
	ck_assert(!(rep.status & (MCI_STATUS_S | MCI_STATUS_AR)));
	ck_assert(rep.status & MCI_STATUS_PCC);
	ck_assert(rep.mce);
	mca_free(mca);
}
END_TEST

START_TEST(bad_errors_are_refused)
{
	struct physmem *pm = physmem_new(4);
	struct mca *mca = new_mca(1, pm);
	struct mca_error e = { .source = MCA_SRC_PATROL_SCRUB,
			       .addr = 4 * 4096 };

	ck_assert_int_eq(mca_raise(mca, &e, NULL), -ERANGE);
	ck_assert(!(mca_bank(mca, 0, 5)->status & MCI_STATUS_VAL));
	e.addr = 0;
	e.cpu = 1;
	ck_assert_int_eq(mca_raise(mca, &e, NULL), -EINVAL);
	e.cpu = 0;
	e.bank_given = true;
	e.bank = 6;
	ck_assert_int_eq(mca_raise(mca, &e, NULL), -EINVAL);
	e.bank_given = false;
	e.source = MCA_SRC_NR;
	ck_assert_int_eq(mca_raise(mca, &e, NULL), -EINVAL);
	mca_free(mca);
	physmem_free(pm);
}
END_TEST

START_TEST(software_injection_loads_registers)
{
	struct mca *mca = new_mca(2, NULL);
	struct mce m = {
		.status = MCI_STATUS_VAL | MCI_STATUS_UC | 0x134,
		.addr = 0x1234, .misc = 0x86, .extcpu = 1, .bank = 3,
		.mcgstatus = MCG_STATUS_MCIP | MCG_STATUS_EIPV,
		.ip = 0xdead, .cs = MCE_USER_CS_I386,
	};
	uint64_t v;

	ck_assert_int_eq(mca_load_record(mca, &m), 0);
	mca_rdmsr(mca, 1, MSR_IA32_MCx_STATUS(3), &v);
	ck_assert_uint_eq(v, m.status);
	mca_rdmsr(mca, 1, MSR_IA32_MCx_MISC(3), &v);
	ck_assert_uint_eq(v, 0x86);
	mca_rdmsr(mca, 1, MSR_IA32_MCG_STATUS, &v);
	ck_assert_uint_eq(v, m.mcgstatus);
	ck_assert_uint_eq(mca_cpu(mca, 1)->ip, 0xdead);
	ck_assert(!mca_cpu(mca, 1)->mce_pending);
	m.bank = 6;
	ck_assert_int_eq(mca_load_record(mca, &m), -EINVAL);
	mca_free(mca);
}
END_TEST

Suite *suite_mca(void)
{
	Suite *s = suite_create("mca");
	TCase *tc = tcase_create("mca");

	tcase_add_test(tc, default_capabilities_and_msrs);
	tcase_add_test(tc, bank_count_is_configurable);
	tcase_add_loop_test(tc, each_source_fills_its_bank, 0,
			    sizeof(sources) / sizeof(sources[0]));
	tcase_add_test(tc, fatal_error_has_pcc_and_no_address);
	tcase_add_test(tc, misc_reports_page_granularity_and_codes);
	tcase_add_test(tc, overwrite_rules);
	tcase_add_test(tc, uc_over_uc_keeps_the_first_srar);
	tcase_add_test(tc, cmci_threshold_counts_corrected_errors);
	tcase_add_test(tc, srao_may_report_by_cmci);
	tcase_add_test(tc, broadcast_reaches_every_cpu);
	tcase_add_test(tc, lmce_keeps_srar_local);
	tcase_add_test(tc, mce_inside_mce_shuts_down);
	tcase_add_test(tc, disabled_bank_logs_without_signal);
	tcase_add_test(tc, without_ser_there_is_no_recovery);
	tcase_add_test(tc, bad_errors_are_refused);
	tcase_add_test(tc, software_injection_loads_registers);
	suite_add_tcase(s, tc);
	return s;
}
