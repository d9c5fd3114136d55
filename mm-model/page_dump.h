/*
 * page_dump.h - pages as /proc/kpageflags and tools/vm/page-types show
 * them, and as dump_page() prints them.
 *
 * stable_page_flags() computes the 64-bit word /proc/kpageflags would
 * report for a page (KPF_* bits below), from the same page state the
 * kernel's fs/proc/page.c looks at.  The page-types functions format
 * such words the way page-types does: one letter per named bit ('_' when
 * clear) and comma-separated long names, pages listed one per line (-L)
 * or as runs of equal flags (-l), and the per-flags summary table.
 * This is the dump scenarios and the step-by-step replay print.
 */
#ifndef HWPSIM_MM_PAGE_DUMP_H
#define HWPSIM_MM_PAGE_DUMP_H

#include <glib.h>

#include "mm-model/page.h"

/* Stable bits of /proc/kpageflags (the kernel's user-space ABI). */
#define KPF_LOCKED		0
#define KPF_ERROR		1
#define KPF_REFERENCED		2
#define KPF_UPTODATE		3
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ACTIVE		6
#define KPF_SLAB		7
#define KPF_WRITEBACK		8
#define KPF_RECLAIM		9
#define KPF_BUDDY		10
#define KPF_MMAP		11
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_UNEVICTABLE		18
#define KPF_HWPOISON		19
#define KPF_NOPAGE		20
#define KPF_KSM			21
#define KPF_THP			22
#define KPF_OFFLINE		23
#define KPF_ZERO_PAGE		24
#define KPF_IDLE		25
#define KPF_PGTABLE		26

/* Kernel-hacker bits, reported too but not part of the stable ABI. */
#define KPF_RESERVED		32
#define KPF_MLOCKED		33
#define KPF_MAPPEDTODISK	34
#define KPF_PRIVATE		35
#define KPF_PRIVATE_2		36
#define KPF_OWNER_PRIVATE	37
#define KPF_ARCH		38
#define KPF_UNCACHED		39
#define KPF_SOFTDIRTY		40
#define KPF_ARCH_2		41

/* page-types' own bits for overloaded flags (raw mode, -r). */
#define KPF_ANON_EXCLUSIVE	47
#define KPF_READAHEAD		48
#define KPF_SLOB_FREE		49
#define KPF_SLUB_FROZEN		50
#define KPF_SLUB_DEBUG		51
#define KPF_FILE		61
#define KPF_SWAP		62
#define KPF_MMAP_EXCLUSIVE	63

/* Length of a short flags string page-types prints, one char per name. */
#define KPF_NAME_LEN		45

/* The /proc/kpageflags word of a page; NULL is a hole (KPF_NOPAGE). */
u64 stable_page_flags(struct page *page);
/* The word for a pfn: a hole if the pfn does not exist. */
u64 kpageflags_pfn(unsigned long pfn);
/* The /proc/kpagecount value: map count, 0 for slab and typed pages. */
u64 kpagecount(struct page *page);

/*
 * The word page-types works on: with raw, overloaded bits are split into
 * their second meanings (page-types -r); without, kernel-hacker bits and
 * the compound bits of non-hugetlb pages are hidden (its default).
 */
u64 page_types_flags(u64 kpageflags, bool raw);
/* "___U_lA____..." into buf (KPF_NAME_LEN + 1 bytes); returns buf. */
char *page_flag_name(u64 flags, char *buf);
/* "uptodate,lru,active,..." appended to out. */
void page_flag_longname(u64 flags, GString *out);

/* One line "pfn<TAB>short flags<TAB>long names\n" for a pfn. */
void page_types_line(GString *out, unsigned long pfn, bool raw);

/* page_types_dump() options. */
#define PT_RAW		0x01	/* -r: raw flags */
#define PT_LIST		0x02	/* -l: runs of pages with equal flags */
#define PT_LIST_EACH	0x04	/* -L: one line per page */
#define PT_SUMMARY	0x08	/* the flags/page-count table */
#define PT_LONG		0x10	/* add long names to list lines */

/*
 * Dump pfns [start, start + nr) (clipped to the machine) as page-types
 * would for that range, into out.  The summary is sorted by flags value.
 */
void page_types_dump(GString *out, unsigned long start, unsigned long nr,
		     unsigned int opts);

/* The kernel's dump_page(), without addresses: to out, or to stderr. */
void dump_page_str(GString *out, struct page *page, const char *reason);
void dump_page(struct page *page, const char *reason);

#endif
