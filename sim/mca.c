/*
 * mca.c - x86 machine-check hardware: banks, overwrite rules, error sources.
 *
 * See mca.h.  The Intel SDM (Vol. 3B, "Machine-Check Architecture") is the
 * reference; where it leaves a choice to the implementation the choice
 * made here is named in a comment.
 */
#include "sim/mca.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/physmem.h"

struct mca {
	unsigned int nr_cpus;
	unsigned int nr_banks;
	uint64_t mcg_cap;
	bool broadcast;
	struct mca_cpu *cpus;
	struct physmem *pm;
};

/* ---- construction --------------------------------------------------- */

void mca_params_default(struct mca_params *p, unsigned int nr_cpus)
{
	memset(p, 0, sizeof(*p));
	p->nr_cpus = nr_cpus;
	p->mcg_cap = 6 | MCG_CTL_P | MCG_CMCI_P | MCG_TES_P | MCG_SER_P;
	p->broadcast = true;
	p->cmci_threshold = 1;
}

static void bank_reset(struct mca_bank *b, uint64_t cap, uint16_t threshold)
{
	memset(b, 0, sizeof(*b));
	/*
	 * Reset leaves MCi_CTL and MCi_CTL2 to firmware and the kernel; the
	 * simulated machine comes up as Linux leaves it after boot: every
	 * error enabled, CMCI on at the configured threshold.
	 */
	b->ctl = ~0ULL;
	if (cap & MCG_CMCI_P)
		b->ctl2 = MCI_CTL2_CMCI_EN |
			  (threshold & MCI_CTL2_CMCI_THRESHOLD_MASK);
}

struct mca *mca_new(const struct mca_params *p, struct physmem *pm)
{
	unsigned int nr_banks = p->mcg_cap & MCG_BANKCNT_MASK;
	struct mca *mca;

	if (!p->nr_cpus || !nr_banks)
		return NULL;
	mca = g_new0(struct mca, 1);
	mca->nr_cpus = p->nr_cpus;
	mca->nr_banks = nr_banks;
	mca->mcg_cap = p->mcg_cap;
	mca->broadcast = p->broadcast;
	mca->pm = pm;
	mca->cpus = g_new0(struct mca_cpu, p->nr_cpus);
	for (unsigned int c = 0; c < p->nr_cpus; c++) {
		struct mca_cpu *cpu = &mca->cpus[c];

		cpu->mcg_ctl = ~0ULL;
		cpu->banks = g_new0(struct mca_bank, nr_banks);
		for (unsigned int b = 0; b < nr_banks; b++)
			bank_reset(&cpu->banks[b], p->mcg_cap,
				   p->cmci_threshold);
	}
	return mca;
}

void mca_free(struct mca *mca)
{
	if (!mca)
		return;
	for (unsigned int c = 0; c < mca->nr_cpus; c++)
		g_free(mca->cpus[c].banks);
	g_free(mca->cpus);
	g_free(mca);
}

unsigned int mca_nr_cpus(const struct mca *mca)
{
	return mca->nr_cpus;
}

unsigned int mca_nr_banks(const struct mca *mca)
{
	return mca->nr_banks;
}

uint64_t mca_mcg_cap(const struct mca *mca)
{
	return mca->mcg_cap;
}

bool mca_broadcast(const struct mca *mca)
{
	return mca->broadcast;
}

struct mca_cpu *mca_cpu(struct mca *mca, unsigned int cpu)
{
	return cpu < mca->nr_cpus ? &mca->cpus[cpu] : NULL;
}

struct mca_bank *mca_bank(struct mca *mca, unsigned int cpu, unsigned int bank)
{
	if (cpu >= mca->nr_cpus || bank >= mca->nr_banks)
		return NULL;
	return &mca->cpus[cpu].banks[bank];
}

/* ---- MSRs ----------------------------------------------------------- */

/* The bank register an MSR number names, or NULL. */
static uint64_t *bank_msr(struct mca *mca, struct mca_cpu *cpu, uint32_t msr,
			  bool *is_status)
{
	*is_status = false;
	if (msr >= MSR_IA32_MC0_CTL2 && msr < MSR_IA32_MC0_CTL2 + mca->nr_banks) {
		if (!(mca->mcg_cap & MCG_CMCI_P))
			return NULL;
		return &cpu->banks[msr - MSR_IA32_MC0_CTL2].ctl2;
	}
	if (msr < MSR_IA32_MC0_CTL ||
	    msr >= MSR_IA32_MCx_CTL(mca->nr_banks))
		return NULL;

	struct mca_bank *b = &cpu->banks[(msr - MSR_IA32_MC0_CTL) / 4];

	switch ((msr - MSR_IA32_MC0_CTL) % 4) {
	case 0:
		return &b->ctl;
	case 1:
		*is_status = true;
		return &b->status;
	case 2:
		return &b->addr;
	default:
		return &b->misc;
	}
}

static uint64_t *global_msr(struct mca *mca, struct mca_cpu *cpu, uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_MCG_CAP:
		return &mca->mcg_cap;
	case MSR_IA32_MCG_STATUS:
		return &cpu->mcg_status;
	case MSR_IA32_MCG_CTL:
		return (mca->mcg_cap & MCG_CTL_P) ? &cpu->mcg_ctl : NULL;
	default:
		return NULL;
	}
}

int mca_rdmsr(struct mca *mca, unsigned int cpu, uint32_t msr, uint64_t *val)
{
	struct mca_cpu *c = mca_cpu(mca, cpu);
	uint64_t *reg;
	bool is_status;

	if (!c)
		return -EINVAL;
	reg = global_msr(mca, c, msr);
	if (!reg)
		reg = bank_msr(mca, c, msr, &is_status);
	if (!reg)
		return -EINVAL;
	*val = *reg;
	return 0;
}

int mca_wrmsr(struct mca *mca, unsigned int cpu, uint32_t msr, uint64_t val)
{
	struct mca_cpu *c = mca_cpu(mca, cpu);
	uint64_t *reg;
	bool is_status = false;

	if (!c || msr == MSR_IA32_MCG_CAP)
		return -EINVAL;
	reg = global_msr(mca, c, msr);
	if (!reg)
		reg = bank_msr(mca, c, msr, &is_status);
	if (!reg)
		return -EINVAL;
	/* Only software injection may put non-zero into MCi_STATUS. */
	if (is_status && val)
		return -EINVAL;
	*reg = val;
	return 0;
}

/* ---- error sources -------------------------------------------------- */

enum signal { SIG_NONE, SIG_MCE, SIG_CMCI };

/* How each source reports: what the SDM's error classes say it looks like. */
struct source_desc {
	const char *name;
	uint16_t mcacod;
	uint64_t status;	/* bits besides VAL, EN, ADDRV, MISCV */
	uint64_t mcgstatus;	/* for the CPU that saw it, when signaled */
	enum signal signal;
	bool memory;		/* reports a memory address */
	bool poisons;		/* leaves that memory poisoned */
	bool local_ok;		/* may be signaled locally under LMCE */
	int bank;		/* usual bank; < 0 counts from the last */
};

static const struct source_desc sources[MCA_SRC_NR] = {
	/* SRAO: the interrupted context is intact and may go on. */
	[MCA_SRC_PATROL_SCRUB] = {
		"patrol scrub", MCACOD_SCRUB, MCI_STATUS_UC | MCI_STATUS_S,
		MCG_STATUS_RIPV, SIG_MCE, true, true, false, -1 },
	[MCA_SRC_LLC_WRITEBACK] = {
		"LLC writeback", MCACOD_L3WB, MCI_STATUS_UC | MCI_STATUS_S,
		MCG_STATUS_RIPV, SIG_MCE, true, true, false, 3 },
	/*
	 * SRAR: the erring instruction is known (EIPV) and must not simply
	 * be restarted (no RIPV): the thread cannot go on without recovery.
	 */
	[MCA_SRC_DATA_LOAD] = {
		"data load", MCACOD_DATA,
		MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR,
		MCG_STATUS_EIPV, SIG_MCE, true, true, true, 1 },
	[MCA_SRC_INSTR_FETCH] = {
		"instruction fetch", MCACOD_INSTR,
		MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR,
		MCG_STATUS_EIPV, SIG_MCE, true, true, true, 0 },
	/* UCNA: uncorrected but not consumed: UC without S or AR, by CMCI. */
	[MCA_SRC_UCNA] = {
		"UCNA", MCACOD_MEM_READ, MCI_STATUS_UC,
		0, SIG_CMCI, true, true, false, -1 },
	[MCA_SRC_CORRECTED] = {
		"corrected", MCACOD_MEM_READ, 0,
		0, SIG_CMCI, true, false, false, -1 },
	/* PCC: neither restart nor error IP can be trusted. */
	[MCA_SRC_FATAL] = {
		"fatal", MCACOD_INTERNAL,
		MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_PCC,
		0, SIG_MCE, false, false, false, 4 },
};

const char *mca_source_name(enum mca_source src)
{
	return (unsigned int)src < MCA_SRC_NR ? sources[src].name : "?";
}

static unsigned int source_bank(const struct mca *mca,
				const struct source_desc *d,
				const struct mca_error *e)
{
	int bank;

	if (e->bank_given)
		return e->bank;
	bank = d->bank < 0 ? (int)mca->nr_banks + d->bank : d->bank;
	if (bank >= (int)mca->nr_banks)
		bank = mca->nr_banks - 1;
	return bank < 0 ? 0 : (unsigned int)bank;
}

/*
 * The overwrite rules (SDM "Overwrite Rules for Machine Check Errors"):
 * an uncorrected error replaces a corrected one, a corrected error never
 * replaces an uncorrected one, and of two uncorrected errors the first is
 * kept with PCC the OR of both.  Of two corrected errors the SDM lets the
 * part keep either; this one keeps the newer.  Whatever is kept, OVER says
 * something was lost.  The corrected error count lives on in the register
 * across overwrites.
 */
static bool bank_store(struct mca_bank *b, uint64_t status, uint64_t addr,
		       uint64_t misc, bool *overflow)
{
	uint64_t old = b->status;
	uint64_t keep = old & (MCI_STATUS_CEC_MASK | MCI_STATUS_TES_MASK);

	*overflow = old & MCI_STATUS_VAL;
	b->nr_logged++;
	if (!*overflow) {
		b->status = status;
		b->addr = addr;
		b->misc = misc;
		return true;
	}
	b->nr_overflow++;
	if ((old & MCI_STATUS_UC) && (status & MCI_STATUS_UC)) {
		b->status = old | (status & MCI_STATUS_PCC) | MCI_STATUS_OVER;
		return false;
	}
	if (old & MCI_STATUS_UC) {
		b->status = old | MCI_STATUS_OVER;
		return false;
	}
	b->status = (status & ~(MCI_STATUS_CEC_MASK | MCI_STATUS_TES_MASK)) |
		    keep | MCI_STATUS_OVER;
	b->addr = addr;
	b->misc = misc;
	return true;
}

/*
 * Count one corrected error in MCi_STATUS; true when the count reaches
 * the CMCI threshold, the moment the hardware raises CMCI.  With TES the
 * tracking field turns yellow at the same point (a simplification: real
 * parts have a separate, hidden threshold for it).
 */
static bool bank_count_ce(struct mca_bank *b, uint64_t cap)
{
	uint64_t n = MCI_STATUS_CEC(b->status);
	uint64_t thr = b->ctl2 & MCI_CTL2_CMCI_THRESHOLD_MASK;

	if (n < 0x7fff)
		n++;
	b->status = (b->status & ~MCI_STATUS_CEC_MASK) |
		    (n << MCI_STATUS_CEC_SHIFT);
	if (!thr)
		thr = 1;
	if (cap & MCG_TES_P) {
		b->status &= ~MCI_STATUS_TES_MASK;
		b->status |= n >= thr ? MCI_STATUS_TES_YELLOW
				      : MCI_STATUS_TES_GREEN;
	}
	return n == thr;
}

/* What the bank's status word says about this error. */
static uint64_t error_status(const struct mca *mca, const struct mca_error *e,
			     const struct source_desc *d, bool enabled)
{
	uint16_t code = e->mcacod ? e->mcacod : d->mcacod;
	uint64_t st = MCI_STATUS_VAL | d->status | code |
		      ((uint64_t)e->mscod << MCI_STATUS_MSCOD_SHIFT);

	if (enabled)
		st |= MCI_STATUS_EN;
	if (d->memory)
		st |= MCI_STATUS_ADDRV | MCI_STATUS_MISCV;
	if (e->via_cmci && d->signal == SIG_MCE && !(st & MCI_STATUS_AR) &&
	    !(st & MCI_STATUS_PCC))
		st &= ~MCI_STATUS_S;
	if (!(mca->mcg_cap & MCG_SER_P)) {
		/*
		 * Without recovery support S and AR do not exist, and a
		 * consumed error leaves nothing to restart: context corrupt.
		 */
		if (st & MCI_STATUS_AR)
			st |= MCI_STATUS_PCC;
		st &= ~(MCI_STATUS_S | MCI_STATUS_AR);
	}
	return st;
}

static enum signal error_signal(const struct mca_error *e,
				const struct source_desc *d, uint64_t st)
{
	if (d->signal == SIG_MCE && e->via_cmci && !(st & MCI_STATUS_AR) &&
	    !(st & MCI_STATUS_PCC))
		return SIG_CMCI;
	return d->signal;
}

/* 1 if the line at addr is poisoned now, 0 without memory, or -ERANGE. */
static int poison(struct mca *mca, uint64_t addr, bool really)
{
	unsigned long pfn = addr / PHYSMEM_PAGE_SIZE;

	if (!mca->pm)
		return 0;
	if (pfn >= physmem_nr_pages(mca->pm))
		return -ERANGE;
	if (!really)
		return 0;
	physmem_poison_line(mca->pm, pfn,
			    (addr % PHYSMEM_PAGE_SIZE) / PHYSMEM_LINE_SIZE);
	return 1;
}

/*
 * CMCI: a corrected error raises it when the count reaches the threshold,
 * an uncorrected one reported this way (UCNA, SRAO by CMCI) always; both
 * only while the bank has CMCI enabled.
 */
static bool cmci_due(struct mca *mca, struct mca_cpu *c, struct mca_bank *b,
		     uint64_t st, bool reached)
{
	if (!(mca->mcg_cap & MCG_CMCI_P) || !(b->ctl2 & MCI_CTL2_CMCI_EN))
		return false;
	if (!(st & MCI_STATUS_UC) && !reached)
		return false;
	c->cmci_pending++;
	return true;
}

/* Deliver #MC to one CPU; a second #MC inside the first is a shutdown. */
static bool signal_mce(struct mca_cpu *c, uint64_t mcg)
{
	if (c->mcg_status & MCG_STATUS_MCIP) {
		c->shutdown = true;
		return false;
	}
	c->mcg_status = mcg | MCG_STATUS_MCIP;
	c->mce_pending = true;
	return true;
}

static void raise_mce(struct mca *mca, const struct mca_error *e,
		      const struct source_desc *d, struct mca_report *rep)
{
	struct mca_cpu *target = &mca->cpus[e->cpu];
	bool local = !mca->broadcast && d->local_ok;
	uint64_t mcg = d->mcgstatus;

	if (!(target->mcg_ctl))
		return;		/* MCG_CTL cleared: #MC reporting off */
	if (local && (mca->mcg_cap & MCG_LMCE_P))
		mcg |= MCG_STATUS_LMCES;
	if (signal_mce(target, mcg)) {
		target->ip = e->ip;
		target->cs = e->cs;
		rep->nr_signaled++;
	}
	rep->mce = true;
	if (local)
		return;
	/* The others were interrupted wherever they were: restartable. */
	for (unsigned int c = 0; c < mca->nr_cpus; c++)
		if (c != e->cpu &&
		    signal_mce(&mca->cpus[c], MCG_STATUS_RIPV))
			rep->nr_signaled++;
}

static void fill_report(struct mca *mca, struct mca_report *rep)
{
	struct mca_bank *b = &mca->cpus[rep->cpu].banks[rep->bank];

	rep->status = b->status;
	rep->addr = b->addr;
	rep->misc = b->misc;
	rep->mcgstatus = mca->cpus[rep->cpu].mcg_status;
	for (unsigned int c = 0; c < mca->nr_cpus; c++)
		rep->shutdown |= mca->cpus[c].shutdown;
}

int mca_raise(struct mca *mca, const struct mca_error *e,
	      struct mca_report *out)
{
	const struct source_desc *d;
	struct mca_report rep = { 0 };
	struct mca_bank *b;
	uint64_t st, misc = 0, addr = 0;
	bool reached = false;
	int ret;

	if ((unsigned int)e->source >= MCA_SRC_NR || e->cpu >= mca->nr_cpus)
		return -EINVAL;
	d = &sources[e->source];
	rep.cpu = e->cpu;
	rep.bank = source_bank(mca, d, e);
	if (rep.bank >= mca->nr_banks)
		return -EINVAL;
	b = &mca->cpus[e->cpu].banks[rep.bank];

	if (d->memory) {
		ret = poison(mca, e->addr, d->poisons);
		if (ret < 0)
			return ret;
		rep.poisoned = ret > 0;
		addr = e->addr;
		misc = MCI_MISC_PHYS(e->lsb ? e->lsb : MCI_MISC_LSB_LINE);
	}
	st = error_status(mca, e, d, b->ctl != 0);
	rep.logged = bank_store(b, st, addr, misc, &rep.overflow);
	if (!(st & MCI_STATUS_UC))
		reached = bank_count_ce(b, mca->mcg_cap);

	if (st & MCI_STATUS_EN) {
		if (error_signal(e, d, st) == SIG_MCE)
			raise_mce(mca, e, d, &rep);
		else
			rep.cmci = cmci_due(mca, &mca->cpus[e->cpu], b, st,
					    reached);
	}
	fill_report(mca, &rep);
	if (out)
		*out = rep;
	return 0;
}

/* ---- software injection and the handler's side ------------------------ */

int mca_load_record(struct mca *mca, const struct mce *m)
{
	struct mca_cpu *c = mca_cpu(mca, m->extcpu);
	struct mca_bank *b = mca_bank(mca, m->extcpu, m->bank);

	if (!c || !b)
		return -EINVAL;
	b->status = m->status;
	b->addr = m->addr;
	b->misc = m->misc;
	c->mcg_status = m->mcgstatus;
	c->ip = m->ip;
	c->cs = m->cs;
	return 0;
}

bool mca_take_mce(struct mca *mca, unsigned int cpu)
{
	struct mca_cpu *c = mca_cpu(mca, cpu);
	bool was;

	if (!c)
		return false;
	was = c->mce_pending;
	c->mce_pending = false;
	return was;
}

unsigned int mca_take_cmci(struct mca *mca, unsigned int cpu)
{
	struct mca_cpu *c = mca_cpu(mca, cpu);
	unsigned int n;

	if (!c)
		return 0;
	n = c->cmci_pending;
	c->cmci_pending = 0;
	return n;
}
