/*
 * physmem.h - what physical memory holds: contents and poison.
 *
 * The machine's RAM as the hardware sees it, per page frame (pfn): the
 * bytes stored there and which 64-byte cache lines are poisoned.  Pages
 * carry real content so that data loss is observed, not inferred: a write
 * stamps bytes into a frame, writeback and swap-out copy them out, a read
 * after recovery compares them.
 *
 * Storage is sparse: a frame nobody wrote reads as zeros and costs
 * nothing.  A written frame holds an immutable, reference-counted GBytes,
 * so copying a page (COW, migration, writeback to a block device, swap)
 * shares the bytes instead of copying 4 KiB.
 *
 * Poison is per cache line.  Touching a poisoned line - any read, or a
 * write that does not cover the whole line - is a consumption: the call
 * fails with -EHWPOISON and reports the first poisoned byte offset, which
 * is where the machine-check layer raises SRAR.  mm-model code that copies
 * pages must go through these calls so consumption is never missed.
 *
 * Deterministic: the table is keyed by pfn and only ever looked up.
 */
#ifndef HWPSIM_SIM_PHYSMEM_H
#define HWPSIM_SIM_PHYSMEM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHYSMEM_PAGE_SIZE	4096u
#define PHYSMEM_LINE_SIZE	64u
#define PHYSMEM_LINES		(PHYSMEM_PAGE_SIZE / PHYSMEM_LINE_SIZE)

#ifndef EHWPOISON
#define EHWPOISON 133
#endif

struct physmem;

struct physmem *physmem_new(unsigned long nr_pages);
void physmem_free(struct physmem *pm);
unsigned long physmem_nr_pages(const struct physmem *pm);

/*
 * Copy len bytes at offset off of frame pfn.  Returns 0, or -EHWPOISON
 * with *bad_off (if not NULL) the offset of the first poisoned byte the
 * access touched; then nothing was copied.  off + len <= page size.
 */
int physmem_read(struct physmem *pm, unsigned long pfn, unsigned int off,
		 void *buf, size_t len, unsigned int *bad_off);
int physmem_write(struct physmem *pm, unsigned long pfn, unsigned int off,
		  const void *buf, size_t len, unsigned int *bad_off);

/* Whole frames.  copy and get fail with -EHWPOISON if src is poisoned. */
int physmem_copy_page(struct physmem *pm, unsigned long dst,
		      unsigned long src, unsigned int *bad_off);
void physmem_clear_page(struct physmem *pm, unsigned long pfn);
/* A reference to the frame's bytes (NULL: all zero), for writeback. */
int physmem_get_page(struct physmem *pm, unsigned long pfn, GBytes **out,
		     unsigned int *bad_off);
/* Fill a frame from bytes (NULL: zeros), for read-in; clears nothing
 * about poison: a poisoned frame stays poisoned. */
void physmem_set_page(struct physmem *pm, unsigned long pfn, GBytes *bytes);

/* Poison. */
void physmem_poison_line(struct physmem *pm, unsigned long pfn,
			 unsigned int line);
void physmem_unpoison_page(struct physmem *pm, unsigned long pfn);
bool physmem_page_poisoned(const struct physmem *pm, unsigned long pfn);
uint64_t physmem_poison_mask(const struct physmem *pm, unsigned long pfn);
unsigned long physmem_nr_poisoned_pages(const struct physmem *pm);

#endif
