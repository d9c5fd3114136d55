/*
 * internal.h - helpers shared inside mm-model (the kernel's mm/internal.h).
 */
#ifndef HWPSIM_MM_INTERNAL_H
#define HWPSIM_MM_INTERNAL_H

#include "mm-model/gfp.h"

/*
 * Free block bookkeeping.  The first page of a free block is PageBuddy
 * and keeps the block's order in page->private; only zone->lock holders
 * change either.  buddy_order_unsafe() is for lockless peeking
 * (is_free_buddy_page()): the answer may be stale by the time it is used.
 */
static inline unsigned int buddy_order(struct page *page)
{
	return (unsigned int)page_private(page);
}

#define buddy_order_unsafe(page)	((unsigned int)READ_ONCE((page)->private))

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	set_page_private(page, order);
	__SetPageBuddy(page);
}

/*
 * The buddy of the order-n block at pfn is the other half of the
 * order-(n+1) block containing it: flip bit n.
 */
static inline unsigned long __find_buddy_pfn(unsigned long pfn,
					     unsigned int order)
{
	return pfn ^ (1UL << order);
}

/* Flags the allocator's internal free path takes (fpi_t). */
typedef unsigned int fpi_t;
#define FPI_NONE		0x0u
#define FPI_TO_TAIL		0x2u	/* queue at the end of the free list */

/*
 * Put a block whose pages are in the freed state on the free lists,
 * merging it with free buddies; caller holds zone->lock.
 */
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, fpi_t fpi_flags);
/* Free a block with no references left (no per-cpu lists here). */
void free_unref_page(struct page *page, unsigned int order);
/* Prepare a fresh block for its new owner (refcount, compound). */
void prep_compound_page(struct page *page, unsigned int order);
/* Compound destructor for plain __GFP_COMP pages. */
void free_compound_page(struct page *page);
void destroy_compound_page(struct page *page);

/* Report a page in a state it must not be in (kernel "Bad page state"). */
void bad_page(struct page *page, const char *reason);

#endif
