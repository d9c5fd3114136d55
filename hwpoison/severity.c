/*
 * severity.c - grading machine checks (Linux 6.1 mce/severity.c).
 *
 * Intel: a table of rules walked in order, the first match wins.  A rule
 * matches when the masked MCi_STATUS and MCG_STATUS bits have the rule's
 * values and its conditions on recovery support (SER), the interrupted
 * context, exception vs poll, CPU model and bank hold.  The table is the
 * kernel's with CONFIG_MEMORY_FAILURE=y, rule for rule, in the same order,
 * with the same messages.
 */
#include "hwpoison/severity.h"

#include <errno.h>
#include <string.h>

struct mce_cpuinfo boot_cpu_data = { .x86_vendor = X86_VENDOR_INTEL };
struct mca_config mca_cfg = { .ser = true };
struct mce_vendor_flags mce_flags;

/* AMD MCi_STATUS bit: uncorrected, deferred to a later interrupt. */
#define MCI_STATUS_DEFERRED	(1ULL << 44)

struct severity {
	uint64_t mask;
	uint64_t result;
	unsigned char sev;
	unsigned char mcgmask;
	unsigned char mcgres;
	unsigned char ser;
	unsigned char context;
	unsigned char excp;
	unsigned char cpu_model;
	unsigned char cpu_minstepping;
	unsigned char bank_lo, bank_hi;
	const char *msg;
	unsigned long covered;	/* times matched */
};

/* Rule-writing shorthands, as the kernel's table spells its rules. */
#define MCESEV(s, m, c...) { .sev = MCE_ ## s ## _SEVERITY, .msg = m, ## c }
#define BANK_RANGE(l, h)	.bank_lo = l, .bank_hi = h
#define MODEL_STEPPING(m, s)	.cpu_model = m, .cpu_minstepping = s
#define KERNEL			.context = IN_KERNEL
#define USER			.context = IN_USER
#define KERNEL_RECOV		.context = IN_KERNEL_RECOV
#define SER			.ser = SER_REQUIRED
#define NOSER			.ser = NO_SER
#define EXCP			.excp = EXCP_CONTEXT
#define NOEXCP			.excp = NO_EXCP
#define BITCLR(x)		.mask = x, .result = 0
#define BITSET(x)		.mask = x, .result = x
#define MCGMASK(x, y)		.mcgmask = x, .mcgres = y
#define MASK(x, y)		.mask = x, .result = y

#define MCI_UC_S	(MCI_STATUS_UC | MCI_STATUS_S)
#define MCI_UC_AR	(MCI_STATUS_UC | MCI_STATUS_AR)
#define MCI_UC_SAR	(MCI_STATUS_UC | MCI_STATUS_S | MCI_STATUS_AR)
#define MCI_ADDR	(MCI_STATUS_ADDRV | MCI_STATUS_MISCV)
/* An SRAR with a usable address and no lost events: the AR rules' mask. */
#define AR_MASK		(MCI_STATUS_OVER | MCI_UC_SAR | MCI_ADDR | MCACOD)

static struct severity severities[] = {
	MCESEV(NO, "Invalid", BITCLR(MCI_STATUS_VAL)),
	MCESEV(NO, "Not enabled", EXCP, BITCLR(MCI_STATUS_EN)),
	MCESEV(PANIC, "Processor context corrupt", BITSET(MCI_STATUS_PCC)),
	/* The handler runs only inside a machine check: MCIP must be set. */
	MCESEV(PANIC, "MCIP not set in MCA handler",
	       EXCP, MCGMASK(MCG_STATUS_MCIP, 0)),
	/* Nowhere to return to and nothing known of the culprit. */
	MCESEV(PANIC, "Neither restart nor error IP",
	       EXCP, MCGMASK(MCG_STATUS_RIPV | MCG_STATUS_EIPV, 0)),
	MCESEV(PANIC, "In kernel and no restart IP",
	       EXCP, KERNEL, MCGMASK(MCG_STATUS_RIPV, 0)),
	/*
	 * Never matches in 6.1: the context is IN_KERNEL_RECOV only when
	 * both RIPV and EIPV are set.  Kept, as the kernel keeps it.
	 */
	MCESEV(PANIC, "In kernel and no restart IP",
	       EXCP, KERNEL_RECOV, MCGMASK(MCG_STATUS_RIPV, 0)),
	MCESEV(KEEP, "Corrected error", NOSER, BITCLR(MCI_STATUS_UC)),
	/*
	 * Known action-optional codes.  S is not tested: scrubbers may
	 * report these by CMCI (S=0) as well as by #MC (S=1).
	 */
	MCESEV(AO, "Action optional: memory scrubbing error",
	       SER, MASK(MCI_UC_AR | MCACOD_SCRUBMSK,
			 MCI_STATUS_UC | MCACOD_SCRUB)),
	MCESEV(AO, "Action optional: last level cache writeback error",
	       SER, MASK(MCI_UC_AR | MCACOD, MCI_STATUS_UC | MCACOD_L3WB)),
	/*
	 * Skylake-X/Cascade Lake memory controllers (banks 13-18) may
	 * report an uncorrected patrol scrub error by CMCI with UC=0 and
	 * MSCOD 0x0010: handle it like any other scrub error.
	 */
	MCESEV(AO, "Uncorrected Patrol Scrub Error",
	       SER, MASK(MCI_STATUS_UC | MCI_ADDR | 0xffffeff0,
			 MCI_ADDR | 0x001000c0),
	       MODEL_STEPPING(INTEL_FAM6_SKYLAKE_X, 4), BANK_RANGE(13, 18)),
	/* UCNA whether or not OVER is set. */
	MCESEV(UCNA, "Uncorrected no action required",
	       SER, MASK(MCI_UC_SAR, MCI_STATUS_UC)),
	MCESEV(PANIC, "Illegal combination (UCNA with AR=1)",
	       SER, MASK(MCI_STATUS_OVER | MCI_UC_SAR,
			 MCI_STATUS_UC | MCI_STATUS_AR)),
	MCESEV(KEEP, "Non signaled machine check", SER, BITCLR(MCI_STATUS_S)),
	MCESEV(PANIC, "Action required with lost events",
	       SER, BITSET(MCI_STATUS_OVER | MCI_UC_SAR)),
	/* Known action-required codes (memory failure handling built in). */
	MCESEV(KEEP, "Action required but unaffected thread is continuable",
	       SER, MASK(MCI_STATUS_OVER | MCI_UC_SAR | MCI_ADDR,
			 MCI_UC_SAR | MCI_ADDR),
	       MCGMASK(MCG_STATUS_RIPV | MCG_STATUS_EIPV, MCG_STATUS_RIPV)),
	MCESEV(AR, "Action required: data load in error recoverable area of kernel",
	       SER, MASK(AR_MASK, MCI_UC_SAR | MCI_ADDR | MCACOD_DATA),
	       KERNEL_RECOV),
	MCESEV(AR, "Action required: data load error in a user process",
	       SER, MASK(AR_MASK, MCI_UC_SAR | MCI_ADDR | MCACOD_DATA),
	       USER),
	MCESEV(AR, "Action required: instruction fetch error in a user process",
	       SER, MASK(AR_MASK, MCI_UC_SAR | MCI_ADDR | MCACOD_INSTR),
	       USER),
	MCESEV(PANIC, "Data load in unrecoverable area of kernel",
	       SER, MASK(AR_MASK, MCI_UC_SAR | MCI_ADDR | MCACOD_DATA),
	       KERNEL),
	MCESEV(PANIC, "Instruction fetch error in kernel",
	       SER, MASK(AR_MASK, MCI_UC_SAR | MCI_ADDR | MCACOD_INSTR),
	       KERNEL),
	MCESEV(PANIC, "Action required: unknown MCACOD",
	       SER, MASK(MCI_STATUS_OVER | MCI_UC_SAR, MCI_UC_SAR)),
	MCESEV(SOME, "Action optional: unknown MCACOD",
	       SER, MASK(MCI_STATUS_OVER | MCI_UC_SAR, MCI_UC_S)),
	MCESEV(SOME, "Action optional with lost events",
	       SER, MASK(MCI_STATUS_OVER | MCI_UC_SAR,
			 MCI_STATUS_OVER | MCI_UC_S)),
	MCESEV(PANIC, "Overflowed uncorrected",
	       BITSET(MCI_STATUS_OVER | MCI_STATUS_UC)),
	MCESEV(UC, "Uncorrected", BITSET(MCI_STATUS_UC)),
	/* Matches everything: must stay last. */
	MCESEV(SOME, "No match", BITSET(0)),
};

#define NR_SEVERITIES	(sizeof(severities) / sizeof(severities[0]))

void mce_severity_init(uint64_t mcg_cap, uint8_t vendor, uint8_t model,
		       uint8_t stepping)
{
	mca_cfg.ser = mcg_cap & MCG_SER_P;
	boot_cpu_data.x86_vendor = vendor;
	boot_cpu_data.x86_model = model;
	boot_cpu_data.x86_stepping = stepping;
}

/* ---- the exception table -------------------------------------------- */

#define EXTABLE_MAX	32

static struct {
	uint64_t start, end;
	int type;
} extable[EXTABLE_MAX];
static unsigned int nr_extable;

int mce_extable_add(uint64_t start, uint64_t end, int type)
{
	if (nr_extable == EXTABLE_MAX)
		return -ENOSPC;
	if (start >= end)
		return -EINVAL;
	extable[nr_extable].start = start;
	extable[nr_extable].end = end;
	extable[nr_extable].type = type;
	nr_extable++;
	return 0;
}

void mce_extable_reset(void)
{
	nr_extable = 0;
}

int ex_get_fixup_type(uint64_t ip)
{
	for (unsigned int i = 0; i < nr_extable; i++)
		if (ip >= extable[i].start && ip < extable[i].end)
			return extable[i].type;
	return EX_TYPE_NONE;
}

/* ---- context ---------------------------------------------------------- */

static bool mc_recoverable(uint64_t mcgstatus)
{
	uint64_t both = MCG_STATUS_RIPV | MCG_STATUS_EIPV;

	return (mcgstatus & both) == both;
}

/* The stand-in for decoding the instruction: a load from user memory. */
static bool is_copy_from_user(const struct mce_regs *regs)
{
	return regs && regs->copy_from_user &&
	       regs->user_addr < MCE_TASK_SIZE_MAX;
}

/*
 * m->cs is only trustworthy when MCG_STATUS said so (the handler leaves
 * it zero otherwise), and zero reads as kernel: the worst case.
 */
int mce_error_context(struct mce *m, const struct mce_regs *regs)
{
	if ((m->cs & 3) == 3)
		return IN_USER;
	if (!mc_recoverable(m->mcgstatus))
		return IN_KERNEL;
	if (is_copy_from_user(regs)) {
		m->kflags |= MCE_IN_KERNEL_COPYIN | MCE_IN_KERNEL_RECOV;
		return IN_KERNEL_RECOV;
	}
	switch (ex_get_fixup_type(m->ip)) {
	case EX_TYPE_FAULT_MCE_SAFE:
	case EX_TYPE_DEFAULT_MCE_SAFE:
		m->kflags |= MCE_IN_KERNEL_RECOV;
		return IN_KERNEL_RECOV;
	default:
		return IN_KERNEL;
	}
}

/* ---- grading ---------------------------------------------------------- */

static bool rule_matches(const struct severity *s, const struct mce *m,
			 int ctx, int excp)
{
	if ((m->status & s->mask) != s->result)
		return false;
	if ((m->mcgstatus & s->mcgmask) != s->mcgres)
		return false;
	if (s->ser == SER_REQUIRED && !mca_cfg.ser)
		return false;
	if (s->ser == NO_SER && mca_cfg.ser)
		return false;
	if (s->context && ctx != s->context)
		return false;
	if (s->excp && excp != s->excp)
		return false;
	if (s->cpu_model && boot_cpu_data.x86_model != s->cpu_model)
		return false;
	if (s->cpu_minstepping &&
	    boot_cpu_data.x86_stepping < s->cpu_minstepping)
		return false;
	if (s->bank_lo && (m->bank < s->bank_lo || m->bank > s->bank_hi))
		return false;
	return true;
}

static int mce_severity_intel(struct mce *m, const struct mce_regs *regs,
			      const char **msg, bool is_excp)
{
	int excp = is_excp ? EXCP_CONTEXT : NO_EXCP;
	int ctx = mce_error_context(m, regs);
	struct severity *s;

	/* The last rule matches anything, so the walk always ends. */
	for (s = severities; !rule_matches(s, m, ctx, excp); s++)
		;
	if (msg)
		*msg = s->msg;
	s->covered++;
	/* Whatever the rule says, an uncorrected error in the kernel is fatal. */
	if (s->sev >= MCE_UC_SEVERITY && ctx == IN_KERNEL)
		return MCE_PANIC_SEVERITY;
	return s->sev;
}

/* AMD: no table, a few questions in order (see the PPRs). */
static int mce_severity_amd(struct mce *m, const struct mce_regs *regs,
			    const char **msg)
{
	const char *panic_msg = NULL;
	int ret = MCE_AR_SEVERITY;

	if (m->status & MCI_STATUS_PCC) {
		panic_msg = "Processor Context Corrupt";
		ret = MCE_PANIC_SEVERITY;
	} else if (m->status & MCI_STATUS_DEFERRED) {
		ret = MCE_DEFERRED_SEVERITY;
	} else if (!(m->status & MCI_STATUS_UC)) {
		ret = MCE_KEEP_SEVERITY;
	} else if ((m->status & MCI_STATUS_OVER) && !mce_flags.overflow_recov) {
		panic_msg = "Overflowed uncorrected error without MCA Overflow Recovery";
		ret = MCE_PANIC_SEVERITY;
	} else if (!mce_flags.succor) {
		panic_msg = "Uncorrected error without MCA Recovery";
		ret = MCE_PANIC_SEVERITY;
	} else if (mce_error_context(m, regs) == IN_KERNEL) {
		panic_msg = "Uncorrected unrecoverable error in kernel context";
		ret = MCE_PANIC_SEVERITY;
	}
	if (msg && panic_msg)
		*msg = panic_msg;
	return ret;
}

int mce_severity(struct mce *m, const struct mce_regs *regs, const char **msg,
		 bool is_excp)
{
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		return mce_severity_amd(m, regs, msg);
	return mce_severity_intel(m, regs, msg, is_excp);
}

const char *mce_severity_name(int sev)
{
	static const char *const names[] = {
		[MCE_NO_SEVERITY] = "NO",
		[MCE_UCNA_SEVERITY] = "UCNA",
		[MCE_KEEP_SEVERITY] = "KEEP",
		[MCE_SOME_SEVERITY] = "SOME",
		[MCE_AO_SEVERITY] = "AO",
		[MCE_UC_SEVERITY] = "UC",
		[MCE_AR_SEVERITY] = "AR",
		[MCE_PANIC_SEVERITY] = "PANIC",
	};

	if (sev < 0 || (unsigned int)sev >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[sev];
}

/* ---- coverage --------------------------------------------------------- */

unsigned int mce_severity_nr_rules(void)
{
	return NR_SEVERITIES;
}

bool mce_severity_rule(unsigned int i, const char **msg, int *sev,
		       unsigned long *hits)
{
	if (i >= NR_SEVERITIES)
		return false;
	if (msg)
		*msg = severities[i].msg;
	if (sev)
		*sev = severities[i].sev;
	if (hits)
		*hits = severities[i].covered;
	return true;
}

void mce_severity_coverage_show(FILE *f)
{
	for (unsigned int i = 0; i < NR_SEVERITIES; i++)
		fprintf(f, "%lu\t%s\n", severities[i].covered,
			severities[i].msg);
}

void mce_severity_coverage_reset(void)
{
	for (unsigned int i = 0; i < NR_SEVERITIES; i++)
		severities[i].covered = 0;
}
