/*
 * memory.h - a machine's physical memory: node, zone and mem_map.
 *
 * A simulated machine has one NUMA node (pglist_data) with one zone
 * (ZONE_NORMAL) covering pfns 0 .. max_pfn - 1, and one flat mem_map
 * holding a struct page for every pfn.  The zone's buddy allocator is in
 * page_alloc.c.
 *
 * Memory from 16 MiB to 64 GiB is supported.  A 64 GiB machine has 16M
 * struct pages, 1 GiB of mem_map; set-up must not write them all.  So the
 * mem_map is mapped lazily: every struct page starts out all zero, which
 * is the state of a page inside a free buddy block that is not its first
 * page (mm_types.h), and set-up only writes the reserved pages and the
 * first page of each free block.  Pages nobody wrote cost no resident
 * memory.
 *
 * The kernel code this models has no "machine" argument: page_to_pfn(),
 * alloc_pages() and friends act on the one machine there is.  Here that
 * is the current machine: mm_phys_new() makes the new machine current,
 * mm_phys_activate() switches, and mem_map, max_pfn and NODE_DATA(0)
 * follow.  The simulator runs one machine at a time on its one thread.
 */
#ifndef HWPSIM_MM_MEMORY_H
#define HWPSIM_MM_MEMORY_H

#include <glib.h>

#include "sim/lock.h"
#include "mm-model/page.h"

/* Buddy orders 0 .. MAX_ORDER - 1: blocks of 1 page up to 4 MiB. */
#define MAX_ORDER		11
#define MAX_ORDER_NR_PAGES	(1UL << (MAX_ORDER - 1))

/* Machine sizes accepted by mm_phys_new(). */
#define MM_PHYS_MIN_BYTES	(16ULL << 20)
#define MM_PHYS_MAX_BYTES	(64ULL << 30)
/* Extra reserved ranges a configuration may list. */
#define MM_PHYS_MAX_RESERVE	8

enum zone_type {
	ZONE_NORMAL,
	MAX_NR_ZONES,
};

enum zone_stat_item {
	NR_FREE_PAGES,		/* pages on the free lists */
	NR_PAGETABLE,		/* PageTable pages */
	NR_VM_ZONE_STAT_ITEMS,
};

enum node_stat_item {
	NR_SLAB_UNRECLAIMABLE_B,	/* bytes of slab pages */
	NR_VM_NODE_STAT_ITEMS,
};

/*
 * The free blocks of one order.  Each block is represented by its first
 * page: PageBuddy, its order in page->private, linked by buddy_list.
 * Blocks are taken from the front; the order of the list depends only on
 * the sequence of frees and allocations (see page_alloc.c), so a run is
 * reproducible.  The kernel keeps one list per migrate type; the model
 * has one migrate type.
 */
struct free_area {
	struct list_head free_list;
	unsigned long nr_free;		/* blocks, not pages */
};

struct pglist_data;

struct zone {
	struct pglist_data *zone_pgdat;
	const char *name;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;	/* pfns in the zone's range */
	unsigned long present_pages;	/* pages that exist */
	atomic_long_t managed_pages;	/* present minus reserved at boot */

	/* Guards free_area and the PageBuddy state of every page. */
	struct sim_lock lock;
	struct free_area free_area[MAX_ORDER];

	atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS];

	/*
	 * Model only: bad_page() reports, and pages the allocator dropped
	 * instead of putting them on a free list (bad state at free or
	 * allocation, or PG_hwpoison).  A dropped page is never used again,
	 * as in the kernel; the invariant checker counts it.
	 */
	unsigned long nr_bad_pages;
	unsigned long nr_dropped_pages;
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int nr_zones;
	int node_id;
	struct page *node_mem_map;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	atomic_long_t vm_stat[NR_VM_NODE_STAT_ITEMS];
} pg_data_t;

/* A range of pfns [start, end). */
struct mm_pfn_range {
	unsigned long start;
	unsigned long end;
};

struct mm_phys_config {
	uint64_t mem_bytes;		/* RAM size, a multiple of PAGE_SIZE */
	/*
	 * The first reserved_bytes of RAM are the kernel's own: low memory
	 * and the kernel image.  Their pages are PG_reserved, with one
	 * reference, and never reach the allocator.
	 */
	uint64_t reserved_bytes;
	/* More reserved pfn ranges (firmware tables, crash kernel, ...). */
	struct mm_pfn_range reserve[MM_PHYS_MAX_RESERVE];
	unsigned int nr_reserve;
	/*
	 * The shared zero page (is_zero_pfn()), a reserved pfn.  ~0UL: the
	 * last page of the low reserved range, or none if that is empty.
	 */
	unsigned long zero_pfn;
};

struct mm_phys {
	struct pglist_data pgdat;
	struct mm_phys_config cfg;
	unsigned long nr_pages;		/* pfns 0 .. nr_pages - 1 */
	unsigned long nr_reserved;	/* PG_reserved at boot */
	unsigned long zero_pfn;		/* ~0UL if none */
	/* The mem_map mapping; longer than nr_pages, see memory.c. */
	struct page *memmap;
	size_t memmap_bytes;
};

/* The current machine; NULL when there is none. */
extern struct mm_phys *mm_phys_cur;

/* Errors of mm_phys_new() (code: an errno value). */
#define MM_PHYS_ERROR	(mm_phys_error_quark())
GQuark mm_phys_error_quark(void);

/*
 * For invariant checks: append one line about what is wrong to why (if
 * not NULL) and return false, so a check reads "ok = mm_complain(...)".
 */
bool mm_complain(GString *why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

void mm_phys_config_default(struct mm_phys_config *cfg);
/* Build a machine and make it current; NULL with err set on bad config. */
struct mm_phys *mm_phys_new(const struct mm_phys_config *cfg, GError **err);
void mm_phys_free(struct mm_phys *m);
void mm_phys_activate(struct mm_phys *m);
struct mm_phys *mm_phys_current(void);

#define NODE_DATA(nid)		(&mm_phys_cur->pgdat)
#define first_online_pgdat()	NODE_DATA(0)
#define page_to_nid(page)	0
#define numa_node_id()		0

static inline struct zone *page_zone(const struct page *page)
{
	(void)page;
	return &NODE_DATA(0)->node_zones[ZONE_NORMAL];
}

static inline pg_data_t *page_pgdat(const struct page *page)
{
	(void)page;
	return NODE_DATA(0);
}

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone);
}

static inline unsigned long zone_managed_pages(struct zone *zone)
{
	return (unsigned long)atomic_long_read(&zone->managed_pages);
}

static inline unsigned long zone_page_state(struct zone *zone,
					    enum zone_stat_item item)
{
	return (unsigned long)atomic_long_read(&zone->vm_stat[item]);
}

static inline void __mod_zone_page_state(struct zone *zone,
					 enum zone_stat_item item, long delta)
{
	atomic_long_add(delta, &zone->vm_stat[item]);
}

static inline unsigned long node_page_state(pg_data_t *pgdat,
					    enum node_stat_item item)
{
	return (unsigned long)atomic_long_read(&pgdat->vm_stat[item]);
}

static inline void __mod_node_page_state(pg_data_t *pgdat,
					 enum node_stat_item item, long delta)
{
	atomic_long_add(delta, &pgdat->vm_stat[item]);
}

static inline unsigned long global_zone_page_state(enum zone_stat_item item)
{
	return zone_page_state(&NODE_DATA(0)->node_zones[ZONE_NORMAL], item);
}

static inline unsigned long nr_free_pages(void)
{
	return global_zone_page_state(NR_FREE_PAGES);
}

static inline unsigned long totalram_pages(void)
{
	return zone_managed_pages(&NODE_DATA(0)->node_zones[ZONE_NORMAL]);
}

/* The shared zero page. */
extern unsigned long zero_pfn;

static inline bool is_zero_pfn(unsigned long pfn)
{
	return pfn == zero_pfn;
}

#endif
