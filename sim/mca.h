/*
 * mca.h - x86 machine-check architecture hardware: CPUs, banks, error sources.
 *
 * What the hardware does, and nothing of what the kernel does with it: each
 * CPU has MCG_STATUS and a set of banks (MCi_CTL, MCi_STATUS, MCi_ADDR,
 * MCi_MISC, MCi_CTL2); an error source (patrol scrub, a consumed poisoned
 * load...) fills a bank the way the SDM says the hardware does, overflow
 * rules included, poisons the line in physical memory when the error is in
 * memory, and signals a machine-check exception (#MC) or a corrected
 * machine-check interrupt (CMCI).  The handler (hwpoison/) later reads the
 * registers back through mca_rdmsr()/mca_wrmsr(), as the kernel's
 * mce_rdmsrl() does, and takes the pending signals.
 *
 * Register and bit names are the kernel's (arch/x86/include/asm/mce.h and
 * msr-index.h) so handler code reads like the kernel's.  struct mce, the
 * record the kernel logs and mce-inject writes, lives here too because the
 * mce-inject reader (sim/mce_inject.h) fills it; the kernel-side fields
 * (severity, kflags) mean nothing to the hardware.
 *
 * Deterministic: no randomness, no time; every choice the SDM leaves to the
 * implementation ("either error may be kept") is fixed and documented below.
 * sim/ knows nothing of mm: memory is only struct physmem.
 */
#ifndef HWPSIM_SIM_MCA_H
#define HWPSIM_SIM_MCA_H

#include <stdbool.h>
#include <stdint.h>

struct physmem;

/* ---- registers ------------------------------------------------------- */

#define MSR_IA32_MCG_CAP		0x00000179
#define MSR_IA32_MCG_STATUS		0x0000017a
#define MSR_IA32_MCG_CTL		0x0000017b
#define MSR_IA32_MC0_CTL		0x00000400
#define MSR_IA32_MC0_STATUS		0x00000401
#define MSR_IA32_MC0_ADDR		0x00000402
#define MSR_IA32_MC0_MISC		0x00000403
#define MSR_IA32_MC0_CTL2		0x00000280
#define MSR_IA32_MCx_CTL(x)		(MSR_IA32_MC0_CTL + 4 * (x))
#define MSR_IA32_MCx_STATUS(x)		(MSR_IA32_MC0_STATUS + 4 * (x))
#define MSR_IA32_MCx_ADDR(x)		(MSR_IA32_MC0_ADDR + 4 * (x))
#define MSR_IA32_MCx_MISC(x)		(MSR_IA32_MC0_MISC + 4 * (x))
#define MSR_IA32_MCx_CTL2(x)		(MSR_IA32_MC0_CTL2 + (x))

/* MCG_CAP */
#define MCG_BANKCNT_MASK	0xffULL		/* number of banks */
#define MCG_CTL_P		(1ULL << 8)	/* MCG_CTL present */
#define MCG_EXT_P		(1ULL << 9)	/* extended registers */
#define MCG_CMCI_P		(1ULL << 10)	/* CMCI supported */
#define MCG_TES_P		(1ULL << 11)	/* threshold-based error status */
#define MCG_SER_P		(1ULL << 24)	/* software error recovery */
#define MCG_ELOG_P		(1ULL << 26)	/* extended error log */
#define MCG_LMCE_P		(1ULL << 27)	/* local machine check */

/* MCG_STATUS */
#define MCG_STATUS_RIPV		(1ULL << 0)	/* restart IP valid */
#define MCG_STATUS_EIPV		(1ULL << 1)	/* IP is the erring instruction */
#define MCG_STATUS_MCIP		(1ULL << 2)	/* machine check in progress */
#define MCG_STATUS_LMCES	(1ULL << 3)	/* local machine check signaled */
/* Not architectural in MCG_STATUS; mce-inject accepts these words there. */
#define MCG_STATUS_TES_P	(1ULL << 11)
#define MCG_STATUS_SEAM_NR	(1ULL << 12)

/* MCi_STATUS */
#define MCI_STATUS_VAL		(1ULL << 63)	/* valid error */
#define MCI_STATUS_OVER		(1ULL << 62)	/* previous errors lost */
#define MCI_STATUS_UC		(1ULL << 61)	/* uncorrected */
#define MCI_STATUS_EN		(1ULL << 60)	/* error enabled in MCi_CTL */
#define MCI_STATUS_MISCV	(1ULL << 59)	/* MCi_MISC valid */
#define MCI_STATUS_ADDRV	(1ULL << 58)	/* MCi_ADDR valid */
#define MCI_STATUS_PCC		(1ULL << 57)	/* processor context corrupt */
#define MCI_STATUS_S		(1ULL << 56)	/* signaled as #MC */
#define MCI_STATUS_AR		(1ULL << 55)	/* action required */
#define MCI_STATUS_TES_YELLOW	(1ULL << 54)	/* CE tracking above threshold */
#define MCI_STATUS_TES_GREEN	(1ULL << 53)	/* CE tracking below threshold */
#define MCI_STATUS_TES_MASK	(3ULL << 53)
#define MCI_STATUS_CEC_SHIFT	38		/* corrected error count */
#define MCI_STATUS_CEC_MASK	(0x7fffULL << MCI_STATUS_CEC_SHIFT)
#define MCI_STATUS_CEC(c)	(((c) & MCI_STATUS_CEC_MASK) >> MCI_STATUS_CEC_SHIFT)
#define MCI_STATUS_MSCOD_SHIFT	16
#define MCI_STATUS_MSCOD(m)	(((m) >> 16) & 0xffff)
#define MCI_STATUS_MCACOD_MASK	0xffffULL

/* MCACOD: bit 12 is the corrected-filtering 'F' bit, skipped when matching. */
#define MCACOD			0xefff
#define MCACOD_SCRUB		0x00C0	/* 0xC0-0xCF memory scrubbing */
#define MCACOD_SCRUBMSK		0xeff0
#define MCACOD_L3WB		0x017A	/* L3 explicit writeback */
#define MCACOD_DATA		0x0134	/* data load */
#define MCACOD_INSTR		0x0150	/* instruction fetch */
#define MCACOD_MEM_READ		0x009F	/* memory controller read, any channel */
#define MCACOD_INTERNAL		0x0400	/* internal unclassified */

/* MCi_MISC */
#define MCI_MISC_ADDR_LSB(m)	((m) & 0x3f)
#define MCI_MISC_ADDR_MODE(m)	(((m) >> 6) & 7)
#define MCI_MISC_ADDR_SEGOFF	0
#define MCI_MISC_ADDR_LINEAR	1
#define MCI_MISC_ADDR_PHYS	2
#define MCI_MISC_ADDR_MEM	3
#define MCI_MISC_ADDR_GENERIC	7
#define MCI_MISC_LSB_LINE	6	/* a 64-byte cache line */
#define MCI_MISC_LSB_PAGE	12	/* a 4 KiB page */
/* MCi_MISC for a physical address reported to 2^lsb bytes. */
#define MCI_MISC_PHYS(lsb) \
	(((uint64_t)MCI_MISC_ADDR_PHYS << 6) | ((lsb) & 0x3f))

/* MCi_CTL2 */
#define MCI_CTL2_CMCI_EN		(1ULL << 30)
#define MCI_CTL2_CMCI_THRESHOLD_MASK	0x7fffULL

/* struct mce.inject_flags, as the kernel's injector reads them. */
#define MCJ_CTX_MASK		3
#define MCJ_CTX(flags)		((flags) & MCJ_CTX_MASK)
#define MCJ_CTX_RANDOM		0
#define MCJ_CTX_PROCESS		0x1
#define MCJ_CTX_IRQ		0x2
#define MCJ_NMI_BROADCAST	0x4
#define MCJ_EXCEPTION		0x8
#define MCJ_IRQ_BROADCAST	0x10
#define MCJ_CTX_SET(flags, ctx)	((flags) = ((flags) & ~MCJ_CTX_MASK) | (ctx))

/* Code segments: the privilege level is (cs & 3). */
#define MCE_KERNEL_CS		0x10
#define MCE_USER_CS		0x33
#define MCE_USER32_CS		0x23
/* mce-test files use 0x73, the i386 __USER_CS: also ring 3. */
#define MCE_USER_CS_I386	0x73

/*
 * One logged machine check, with the kernel's field names and types so an
 * mcelog record, a kernel panic line and an mce-inject file all map onto it.
 */
struct mce {
	uint64_t status;	/* MCi_STATUS */
	uint64_t misc;		/* MCi_MISC */
	uint64_t addr;		/* MCi_ADDR */
	uint64_t mcgstatus;	/* MCG_STATUS */
	uint64_t ip;		/* instruction pointer at the #MC */
	uint64_t tsc;
	uint64_t time;
	uint8_t cpuvendor;
	uint8_t inject_flags;	/* MCJ_* */
	uint8_t severity;	/* kernel's grading (MCE_*_SEVERITY) */
	uint8_t pad;
	uint32_t cpuid;
	uint8_t cs;		/* code segment at the #MC */
	uint8_t bank;
	uint8_t cpu;		/* obsolete, = extcpu */
	uint8_t finished;
	uint32_t extcpu;	/* the CPU that saw the error */
	uint32_t socketid;
	uint32_t apicid;
	uint64_t mcgcap;
	uint64_t synd;
	uint64_t ipid;
	uint64_t ppin;
	uint32_t microcode;
	uint64_t kflags;	/* kernel internal: MCE_IN_KERNEL_RECOV... */
};

/* ---- the machine's MCA ---------------------------------------------- */

struct mca_bank {
	uint64_t ctl;		/* MCi_CTL: which errors are enabled */
	uint64_t status;	/* MCi_STATUS */
	uint64_t addr;		/* MCi_ADDR */
	uint64_t misc;		/* MCi_MISC */
	uint64_t ctl2;		/* MCi_CTL2: CMCI enable and threshold */
	unsigned long nr_logged;	/* errors written into the bank */
	unsigned long nr_overflow;	/* errors that found VAL set */
};

struct mca_cpu {
	uint64_t mcg_status;
	uint64_t mcg_ctl;
	struct mca_bank *banks;
	/* Signals waiting for the handler. */
	bool mce_pending;	/* a #MC was raised and not yet taken */
	unsigned int cmci_pending;	/* CMCIs raised and not yet taken */
	/* What the CPU was executing when the #MC hit: the handler's regs. */
	uint64_t ip;
	uint8_t cs;
	bool shutdown;		/* #MC while MCIP was set: the CPU is dead */
};

/* Configuration of new hardware; mca_params_default() fills sane values. */
struct mca_params {
	unsigned int nr_cpus;
	uint64_t mcg_cap;	/* bank count in bits 7:0, *_P flags */
	/*
	 * Intel broadcasts every #MC to all CPUs unless local machine check
	 * (LMCE) is in use; false models LMCE: only the consuming CPU is hit.
	 */
	bool broadcast;
	uint16_t cmci_threshold;	/* initial MCi_CTL2 threshold */
};

/* Six banks, CTL_P | CMCI_P | TES_P | SER_P, broadcast, threshold 1. */
void mca_params_default(struct mca_params *p, unsigned int nr_cpus);

struct mca;

/* pm may be NULL: errors in memory then poison nothing. */
struct mca *mca_new(const struct mca_params *p, struct physmem *pm);
void mca_free(struct mca *mca);

unsigned int mca_nr_cpus(const struct mca *mca);
unsigned int mca_nr_banks(const struct mca *mca);
uint64_t mca_mcg_cap(const struct mca *mca);
bool mca_broadcast(const struct mca *mca);
struct mca_cpu *mca_cpu(struct mca *mca, unsigned int cpu);
struct mca_bank *mca_bank(struct mca *mca, unsigned int cpu,
			  unsigned int bank);

/*
 * MSR access as the handler does it.  Returns 0, or -EINVAL for an MSR
 * that does not exist, a write to MCG_CAP, or a non-zero write to
 * MCi_STATUS (where real hardware raises #GP); clearing MCi_STATUS also
 * clears the corrected error count it holds.
 */
int mca_rdmsr(struct mca *mca, unsigned int cpu, uint32_t msr, uint64_t *val);
int mca_wrmsr(struct mca *mca, unsigned int cpu, uint32_t msr, uint64_t val);

/* ---- error sources --------------------------------------------------- */

enum mca_source {
	MCA_SRC_PATROL_SCRUB,	/* SRAO 0xC0: scrubber found bad memory */
	MCA_SRC_LLC_WRITEBACK,	/* SRAO 0x17A: poisoned line evicted */
	MCA_SRC_DATA_LOAD,	/* SRAR 0x134: a load consumed poison */
	MCA_SRC_INSTR_FETCH,	/* SRAR 0x150: a fetch consumed poison */
	MCA_SRC_UCNA,		/* UC, no action: reported by CMCI */
	MCA_SRC_CORRECTED,	/* CE: data fixed by ECC, counted */
	MCA_SRC_FATAL,		/* PCC: the processor context is lost */
	MCA_SRC_NR
};

const char *mca_source_name(enum mca_source src);

struct mca_error {
	enum mca_source source;
	unsigned int cpu;	/* detecting (or consuming) CPU */
	/* The bank to log in; without bank_given, the source's usual one. */
	bool bank_given;
	unsigned int bank;
	uint64_t addr;		/* physical address, for memory errors */
	/*
	 * Granularity reported in MCi_MISC: MCI_MISC_LSB_LINE (the default,
	 * when 0) or MCI_MISC_LSB_PAGE.  The whole line at addr is poisoned
	 * either way: LSB only says how precisely the hardware reports it.
	 */
	unsigned int lsb;
	uint16_t mcacod;	/* 0: the source's architectural code */
	uint16_t mscod;		/* model-specific code, bits 31:16 */
	uint64_t ip;		/* what the CPU executes, for the #MC frame */
	uint8_t cs;
	/* SRAO sources only: report by CMCI (S=0), as scrubbers may. */
	bool via_cmci;
};

/* What an error did to the hardware. */
struct mca_report {
	unsigned int cpu, bank;
	bool logged;		/* the bank now holds this error */
	bool overflow;		/* VAL was set: OVER is set now */
	bool poisoned;		/* a line in physmem was poisoned */
	bool mce;		/* #MC raised (on cpu, and others if broadcast) */
	bool cmci;		/* CMCI raised on cpu */
	bool shutdown;		/* some CPU took #MC with MCIP set */
	unsigned int nr_signaled;	/* CPUs that got the #MC */
	uint64_t status, addr, misc;	/* bank contents afterwards */
	uint64_t mcgstatus;	/* cpu's MCG_STATUS afterwards */
};

/*
 * Let an error happen.  Returns 0 with *rep (if not NULL) filled, or
 * -EINVAL for a CPU or bank out of range, or -ERANGE for a memory error
 * whose address is outside physmem (nothing is logged then).
 */
int mca_raise(struct mca *mca, const struct mca_error *err,
	      struct mca_report *rep);

/*
 * Software injection, as the kernel's mce-inject driver does it: the
 * record's registers are loaded into bank m->bank of CPU m->extcpu
 * verbatim (no overwrite rules: the injector fakes the registers), the
 * CPU's MCG_STATUS and #MC frame (ip, cs) become the record's.  Signals
 * nothing: the caller decides between exception and poll, and broadcast,
 * from inject_flags.  -EINVAL if the CPU or bank does not exist.
 */
int mca_load_record(struct mca *mca, const struct mce *m);

/* Take a pending #MC / CMCI (returns whether there was one). */
bool mca_take_mce(struct mca *mca, unsigned int cpu);
unsigned int mca_take_cmci(struct mca *mca, unsigned int cpu);

#endif
