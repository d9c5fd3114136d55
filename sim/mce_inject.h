/*
 * mce_inject.h - reader for mce-inject's input language.
 *
 * mce-inject (andikleen/mce-inject, mce.lex + mce.y) describes machine
 * checks to inject in a text language close to what the kernel prints on
 * a machine-check panic; the mce-test suite is written in it.  hwpsim reads
 * the same files, so they run unchanged:
 *
 *   # a comment, to the end of the line
 *   CPU 3 BANK 2                       record start: CPU n [bank] | MCE
 *   STATUS UNCORRECTED SRAR 0x134      words and numbers, OR-ed together
 *   MCGSTATUS RIPV MCIP EIPV
 *   ADDR 0x12345000                    also sets ADDRV in STATUS
 *   MISC 0x8c                          also sets MISCV in STATUS
 *   RIP 0x73:0x1eadbabe                [cs:]ip, or cs:<ip>{symbol}
 *   IRQBROADCAST
 *
 * A record starts with CPU or MCE and holds at least one field; the next
 * CPU or MCE starts the next record (line breaks and blank lines mean
 * nothing).  Keywords are case-insensitive; numbers are C literals
 * (0x hex, 0 octal, decimal).  The compatibility form of a kernel panic
 * line, "CPU n : MACHINE CHECK EXCEPTION : mcgstatus BANK b : status", is
 * accepted too.  As in the tool, STATUS replaces the whole status word,
 * ADDR and MISC bits included, so it belongs before ADDR and MISC.
 *
 * Status words: VAL OVER UC EN PCC S AR TES_YELLOW, CORRECTED (VAL|EN),
 * UNCORRECTED (VAL|UC|EN), FATAL (VAL|UC|EN|PCC), UCNA (nothing: UC
 * without S), SRAO (S), SRAR (S|AR); hwpsim adds MISCV and ADDRV and
 * accepts '|' between items.  MCGSTATUS words: RIPV EIPV MCIP LMCES TES_P
 * SEAM_NR.  Other fields: BANK TSC TIME SOCKETID APICID MCGCAP n,
 * PROCESSOR vendor:cpuid; flags NOBROADCAST HOLD IN_IRQ IN_PROC POLL EXCP
 * IRQBROADCAST NMIBROADCAST.
 *
 * Errors name the place: "file:line: expected a number after BANK, got
 * 'x'".  What to do about an error (exit status...) is the caller's.
 */
#ifndef HWPSIM_SIM_MCE_INJECT_H
#define HWPSIM_SIM_MCE_INJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/mca.h"

/* mce-inject's own per-record flags (its enum mceflags). */
#define MCE_INJ_NOBROADCAST	(1u << 0)	/* only the named CPU */
#define MCE_INJ_HOLD		(1u << 1)	/* keep for the next injection */
#define MCE_INJ_RAISE_MODE	(1u << 2)	/* POLL or EXCP was given */
#define MCE_INJ_IRQBROADCAST	(1u << 3)
#define MCE_INJ_NMIBROADCAST	(1u << 4)

struct mce_inject_record {
	/*
	 * The machine check.  inject_flags holds what the kernel's injector
	 * reads: the context (IN_IRQ, IN_PROC), MCJ_EXCEPTION (EXCP; cleared
	 * by POLL) and MCJ_IRQ/NMI_BROADCAST.
	 */
	struct mce m;
	unsigned int flags;	/* MCE_INJ_* */
	unsigned int line;	/* line of the CPU or MCE that started it */
	char symbol[64];	/* RIP cs:<ip>{symbol}, else "" */
};

struct mce_inject_file {
	char *name;
	unsigned int nr;
	struct mce_inject_record *recs;
};

/*
 * Parse text (len bytes, need not be NUL-terminated) read from a file
 * called name.  Returns 0 and *out, or -EINVAL and *err (g_free it): the
 * first error, as "name:line: message".
 */
int mce_inject_parse(const char *name, const char *text, size_t len,
		     struct mce_inject_file **out, char **err);
/* Read and parse a file; -errno with *err if it cannot be read. */
int mce_inject_load(const char *path, struct mce_inject_file **out,
		    char **err);
void mce_inject_file_free(struct mce_inject_file *f);

/*
 * How the tool submits a record.  Without POLL or EXCP an uncorrected
 * error is raised as #MC and a corrected one is polled; a corrected error
 * is never broadcast, an uncorrected one is unless NOBROADCAST.
 */
bool mce_inject_raise_exception(const struct mce_inject_record *r);
bool mce_inject_broadcast(const struct mce_inject_record *r);

/* The record in the tool's --dump format (g_free the result). */
char *mce_inject_dump(const struct mce_inject_record *r);

#endif
