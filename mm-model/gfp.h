/*
 * gfp.h - allocation flags and the page allocator's interface.
 *
 * The flag bits are those of Linux 6.1.  The model's allocator honours
 * __GFP_COMP and __GFP_NOWARN; the others are carried so callers can say
 * what the kernel's callers say, and so the reclaim model can decide on
 * them later (__GFP_DIRECT_RECLAIM, __GFP_IO, __GFP_FS, ...).
 */
#ifndef HWPSIM_MM_GFP_H
#define HWPSIM_MM_GFP_H

#include "mm-model/memory.h"

typedef unsigned int gfp_t;

#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u
#define __GFP_RECLAIMABLE	0x10u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_ATOMIC		0x200u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_WRITE		0x1000u
#define __GFP_NOWARN		0x2000u
#define __GFP_RETRY_MAYFAIL	0x4000u
#define __GFP_NOFAIL		0x8000u
#define __GFP_NORETRY		0x10000u
#define __GFP_MEMALLOC		0x20000u
#define __GFP_COMP		0x40000u
#define __GFP_NOMEMALLOC	0x80000u
#define __GFP_HARDWALL		0x100000u
#define __GFP_THISNODE		0x200000u
#define __GFP_ACCOUNT		0x400000u

#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC		(__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | \
				  __GFP_NOMEMALLOC | __GFP_NOWARN) & \
				 ~__GFP_RECLAIM)
#define GFP_TRANSHUGE		(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)
#define GFP_PGTABLE_KERNEL	(GFP_KERNEL | __GFP_ZERO)
#define GFP_PGTABLE_USER	(GFP_PGTABLE_KERNEL | __GFP_ACCOUNT)

/* ---- the buddy allocator (page_alloc.c) ------------------------------ */

/*
 * 2^order contiguous pages, naturally aligned, or NULL.  The first page
 * has _refcount 1; with __GFP_COMP the block is one compound page,
 * otherwise the other pages have count 0 (see split_page()).
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
#define alloc_page(gfp)		alloc_pages((gfp), 0)

static inline struct folio *folio_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp | __GFP_COMP, order);

	return (struct folio *)page;
}

/* Drop the reference alloc_pages() gave; the last one frees the block. */
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page)	__free_pages((page), 0)

/* Give each page of a non-compound block its own reference. */
void split_page(struct page *page, unsigned int order);
/* A boot-reserved page released to the allocator. */
void free_reserved_page(struct page *page);

/* The page is free: the head of a free block, or inside one. */
bool is_free_buddy_page(struct page *page);
/*
 * Take exactly this one free page out of the free block holding it; the
 * rest of the block goes back on the free lists as smaller blocks.  The
 * page is left with count 0 and page->private == MAGIC_HWPOISON, as
 * memory_failure() expects.  False if the page is not free.
 */
bool take_page_off_buddy(struct page *page);
/* Undo take_page_off_buddy() for an unpoisoned page. */
bool put_page_back_buddy(struct page *page);

/* No per-cpu free lists in the model: nothing to drain. */
static inline void drain_all_pages(struct zone *zone)
{
	(void)zone;
}

/* Kept as in mm/memory-failure.c; weak defaults in page_alloc.c. */
void SetPageHWPoisonTakenOff(struct page *page);
void ClearPageHWPoisonTakenOff(struct page *page);

/* Page-table pages: a page type and NR_PAGETABLE accounting. */
bool pgtable_pte_page_ctor(struct page *page);
void pgtable_pte_page_dtor(struct page *page);
struct page *alloc_pgtable_page(gfp_t gfp);
void free_pgtable_page(struct page *page);

/*
 * Check the zone's free lists against each other and the counters:
 * every entry a PageBuddy block head of its list's order, aligned, inside
 * the zone, no two blocks overlapping, nr_free and NR_FREE_PAGES right.
 * Appends what is wrong to why (may be NULL); true if all is well.
 */
bool zone_free_lists_valid(struct zone *zone, GString *why);

#endif
