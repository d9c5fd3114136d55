/*
 * severity.h - grading a machine check: the kernel's severity rule table.
 *
 * Linux 6.1 arch/x86/kernel/cpu/mce/severity.c in hwpsim's terms.  The
 * handler grades every bank it finds valid with mce_severity(); the grade
 * decides between panic, killing the current task (action required),
 * queueing memory_failure() (action optional) and just logging.  Intel
 * parts go through a first-match table of rules on MCi_STATUS, MCG_STATUS,
 * software error recovery support and the interrupted context; AMD parts
 * through a short chain of tests.  Rules, their order, and every message
 * are the kernel's: users grep for them.
 *
 * Like the kernel's severities-coverage debugfs file, each rule counts how
 * often it matched, so a run can show which rules a catalogue reached.
 */
#ifndef HWPSIM_HWPOISON_SEVERITY_H
#define HWPSIM_HWPOISON_SEVERITY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/mca.h"

/* Grades, least to most severe (comparisons rely on the order). */
enum severity_level {
	MCE_NO_SEVERITY,
	MCE_DEFERRED_SEVERITY,
	MCE_UCNA_SEVERITY = MCE_DEFERRED_SEVERITY,
	MCE_KEEP_SEVERITY,
	MCE_SOME_SEVERITY,
	MCE_AO_SEVERITY,
	MCE_UC_SEVERITY,
	MCE_AR_SEVERITY,
	MCE_PANIC_SEVERITY,
};

/* mce.kflags set by grading. */
#define MCE_IN_KERNEL_RECOV	(1ULL << 6)	/* fixup_exception() recovers */
#define MCE_IN_KERNEL_COPYIN	(1ULL << 7)	/* kernel was copying from user */

/* Where the machine check interrupted the CPU. */
enum context { IN_KERNEL = 1, IN_USER = 2, IN_KERNEL_RECOV = 3 };
enum ser { SER_REQUIRED = 1, NO_SER = 2 };
enum exception { EXCP_CONTEXT = 1, NO_EXCP = 2 };

/* boot_cpu_data.x86_vendor values. */
#define X86_VENDOR_INTEL	0
#define X86_VENDOR_AMD		2
#define X86_VENDOR_HYGON	9

#define INTEL_FAM6_SKYLAKE_X	0x55

/* The boot CPU's identity, as far as grading looks at it. */
struct mce_cpuinfo {
	uint8_t x86_vendor;
	uint8_t x86_model;
	uint8_t x86_stepping;
};
extern struct mce_cpuinfo boot_cpu_data;

/*
 * The machine-check configuration grading reads (the kernel's mca_cfg and
 * mce_flags).  ser mirrors MCG_CAP.SER_P; set it with mce_severity_init()
 * when the machine boots.
 */
struct mca_config {
	bool ser;
};
extern struct mca_config mca_cfg;

struct mce_vendor_flags {
	bool overflow_recov;	/* AMD: MCA overflow recovery */
	bool succor;		/* AMD: software uncorrectable error recovery */
};
extern struct mce_vendor_flags mce_flags;

/* Sets mca_cfg.ser from MCG_CAP and the boot CPU. */
void mce_severity_init(uint64_t mcg_cap, uint8_t vendor, uint8_t model,
		       uint8_t stepping);

/*
 * The interrupted context: what the kernel finds in struct pt_regs and by
 * decoding the instruction at regs->ip.  The simulator cannot decode
 * instructions, so whoever takes the machine check says what the
 * instruction was doing: copy_from_user is true when it is a load (MOV,
 * MOVZX, REP MOVS) from user_addr, a user address, on behalf of
 * copy_from_user() and friends.
 */
struct mce_regs {
	uint64_t ip;
	uint64_t cs;
	bool copy_from_user;
	uint64_t user_addr;
};

/* Highest user address (the kernel's TASK_SIZE_MAX on 4-level paging). */
#define MCE_TASK_SIZE_MAX	0x00007ffffffff000ULL

/* Exception table fixup types (asm/extable_fixup_types.h). */
#define EX_TYPE_NONE			0
#define EX_TYPE_DEFAULT			1
#define EX_TYPE_FAULT			2
#define EX_TYPE_UACCESS			3
#define EX_TYPE_COPY			4
#define EX_TYPE_DEFAULT_MCE_SAFE	14
#define EX_TYPE_FAULT_MCE_SAFE		15

/*
 * The simulated kernel's exception table: instructions in [start, end)
 * have a fixup of the given type.  Kernel code modelled by hwpsim that may
 * touch poison (copy_mc_*() style routines) registers its range; inject
 * files reach it with RIP 0x10:<ip>.  Ranges are looked up first match in
 * the order added.  -ENOSPC when the table is full.
 */
int mce_extable_add(uint64_t start, uint64_t end, int type);
void mce_extable_reset(void);
int ex_get_fixup_type(uint64_t ip);

/*
 * Grade m.  regs may be NULL (as in mce_reign()): then the context comes
 * from m->cs and m->ip alone.  On return *msg (if msg is not NULL) is the
 * matched rule's message; m->kflags gets MCE_IN_KERNEL_RECOV (and
 * MCE_IN_KERNEL_COPYIN) when the context is recoverable kernel code.
 * is_excp: graded from the #MC handler rather than by polling.
 */
int mce_severity(struct mce *m, const struct mce_regs *regs, const char **msg,
		 bool is_excp);

/* The context the rules see: IN_USER, IN_KERNEL or IN_KERNEL_RECOV. */
int mce_error_context(struct mce *m, const struct mce_regs *regs);

const char *mce_severity_name(int sev);

/* ---- rule coverage (severities-coverage) ---------------------------- */

unsigned int mce_severity_nr_rules(void);
/* Rule i's message, grade and hits; false past the last rule. */
bool mce_severity_rule(unsigned int i, const char **msg, int *sev,
		       unsigned long *hits);
/* Lines "hits\tmessage", one per rule in table order, as debugfs shows. */
void mce_severity_coverage_show(FILE *f);
void mce_severity_coverage_reset(void);

#endif
