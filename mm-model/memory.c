/*
 * memory.c - setting up a machine's physical memory.
 *
 * Boot, as the kernel does it in three steps: map the mem_map, mark the
 * reserved ranges (memblock_reserve), then hand every other page to the
 * buddy allocator in the largest aligned blocks that fit
 * (memblock_free_all), lowest pfn first.  Blocks are queued at the tail
 * of their free lists, so right after boot allocations come from the
 * lowest free pfns up.
 *
 * The mem_map is what makes a 64 GiB machine cheap.  Its 16M struct pages
 * would be 1 GiB if written.  Instead it is an anonymous, unreserved
 * mapping: untouched, it reads as zeros and costs nothing, and an all-zero
 * struct page is a free page inside a free block (mm_types.h).  Boot
 * writes the reserved pages and the first struct page of each free block -
 * one in 1024 for a large machine, so one host page in 16 becomes
 * resident, about 64 MiB for 64 GiB.  Reading other struct pages maps the
 * host's shared zero page and costs no resident memory either.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "mm-model/memory.h"
#include "mm-model/internal.h"

struct page *mem_map;
unsigned long max_pfn;
unsigned long zero_pfn = ~0UL;
struct mm_phys *mm_phys_cur;

G_DEFINE_QUARK(hwpsim-mm-phys-error-quark, mm_phys_error)

void mm_phys_config_default(struct mm_phys_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = 64ULL << 20;
	/* The x86 low megabyte: BIOS data, real-mode trampoline, ... */
	cfg->reserved_bytes = 1ULL << 20;
	cfg->zero_pfn = ~0UL;
}

/*
 * bytes of zeroed struct pages, resident only once written.  No
 * transparent huge pages: with THP "always", the first write into each
 * 2 MiB would make all of it resident, the whole mem_map at boot.
 */
static struct page *memmap_map(size_t bytes)
{
	void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (base == MAP_FAILED)
		return NULL;
#ifdef MADV_NOHUGEPAGE
	/* Advice only: where it is refused, THP is not there to refuse. */
	(void)madvise(base, bytes, MADV_NOHUGEPAGE);
#endif
	return base;
}

/* ---- configuration ---------------------------------------------------- */

static int range_cmp(gconstpointer a, gconstpointer b)
{
	const struct mm_pfn_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/*
 * The reserved ranges of cfg, sorted and merged, in a GArray of
 * struct mm_pfn_range.
 */
static GArray *reserved_ranges(const struct mm_phys_config *cfg,
			       unsigned long nr_pages)
{
	GArray *in = g_array_new(FALSE, FALSE, sizeof(struct mm_pfn_range));
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct mm_pfn_range));
	struct mm_pfn_range low = { 0, cfg->reserved_bytes >> PAGE_SHIFT };

	if (low.end)
		g_array_append_val(in, low);
	for (unsigned int i = 0; i < cfg->nr_reserve; i++) {
		struct mm_pfn_range r = cfg->reserve[i];

		r.end = MIN(r.end, nr_pages);
		if (r.start < r.end)
			g_array_append_val(in, r);
	}
	g_array_sort(in, range_cmp);
	for (guint i = 0; i < in->len; i++) {
		struct mm_pfn_range *r = &g_array_index(in, struct mm_pfn_range, i);
		struct mm_pfn_range *last = out->len ?
			&g_array_index(out, struct mm_pfn_range, out->len - 1) :
			NULL;

		if (last && r->start <= last->end)
			last->end = MAX(last->end, r->end);
		else
			g_array_append_val(out, *r);
	}
	g_array_free(in, TRUE);
	return out;
}

static bool pfn_in_ranges(GArray *ranges, unsigned long pfn)
{
	for (guint i = 0; i < ranges->len; i++) {
		struct mm_pfn_range *r =
			&g_array_index(ranges, struct mm_pfn_range, i);

		if (r->start <= pfn && pfn < r->end)
			return true;
	}
	return false;
}

static bool config_valid(const struct mm_phys_config *cfg, GError **err)
{
	if (cfg->mem_bytes % PAGE_SIZE ||
	    cfg->mem_bytes < MM_PHYS_MIN_BYTES ||
	    cfg->mem_bytes > MM_PHYS_MAX_BYTES) {
		g_set_error(err, MM_PHYS_ERROR, EINVAL,
			    "memory size %" G_GUINT64_FORMAT " bytes: must be "
			    "a multiple of 4096 from 16 MiB to 64 GiB",
			    cfg->mem_bytes);
		return false;
	}
	if (cfg->reserved_bytes % PAGE_SIZE ||
	    cfg->reserved_bytes >= cfg->mem_bytes) {
		g_set_error(err, MM_PHYS_ERROR, EINVAL,
			    "reserved size %" G_GUINT64_FORMAT " bytes: must be "
			    "a multiple of 4096 below the memory size",
			    cfg->reserved_bytes);
		return false;
	}
	if (cfg->nr_reserve > MM_PHYS_MAX_RESERVE) {
		g_set_error(err, MM_PHYS_ERROR, EINVAL,
			    "%u reserved ranges: at most %d", cfg->nr_reserve,
			    MM_PHYS_MAX_RESERVE);
		return false;
	}
	for (unsigned int i = 0; i < cfg->nr_reserve; i++) {
		const struct mm_pfn_range *r = &cfg->reserve[i];

		if (r->start >= r->end ||
		    r->end > (cfg->mem_bytes >> PAGE_SHIFT)) {
			g_set_error(err, MM_PHYS_ERROR, EINVAL,
				    "reserved range %#lx-%#lx outside memory",
				    r->start, r->end);
			return false;
		}
	}
	return true;
}

/* ---- boot ------------------------------------------------------------ */

static void zone_init(struct zone *zone, pg_data_t *pgdat,
		      unsigned long nr_pages)
{
	zone->zone_pgdat = pgdat;
	zone->name = "Normal";
	zone->zone_start_pfn = 0;
	zone->spanned_pages = nr_pages;
	zone->present_pages = nr_pages;
	spin_lock_init(&zone->lock, "zone->lock");
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		INIT_LIST_HEAD(&zone->free_area[order].free_list);
		zone->free_area[order].nr_free = 0;
	}
}

/* A boot-reserved page: the kernel's, one reference, never freed. */
static void reserve_page(struct page *page)
{
	init_page_count(page);
	__SetPageReserved(page);
}

/* A never-used block to the buddy allocator; its pages are free tails. */
static void boot_free_block(unsigned long pfn, unsigned int order)
{
	struct zone *zone = page_zone(pfn_to_page(pfn));

	atomic_long_add(1L << order, &zone->managed_pages);
	__free_one_page(pfn_to_page(pfn), pfn, zone, order, FPI_TO_TAIL);
}

/*
 * Free [start, end) to the buddy allocator in the largest naturally
 * aligned blocks, lowest first.
 */
static void free_pfn_range(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = MAX_ORDER - 1;

		if (start)
			order = MIN(order, (unsigned int)__builtin_ctzl(start));
		while (start + (1UL << order) > end)
			order--;
		boot_free_block(start, order);
		start += 1UL << order;
	}
}

/*
 * zone->lock is taken once around the whole of boot, not per block:
 * inside a fiber each acquisition is a schedule point, and a big
 * machine frees thousands of blocks.
 */
static void boot_memory(struct mm_phys *m, GArray *reserved)
{
	struct zone *zone = &m->pgdat.node_zones[ZONE_NORMAL];
	unsigned long pfn = 0;

	spin_lock(&zone->lock);
	for (guint i = 0; i < reserved->len; i++) {
		struct mm_pfn_range *r =
			&g_array_index(reserved, struct mm_pfn_range, i);

		for (unsigned long p = r->start; p < r->end; p++)
			reserve_page(pfn_to_page(p));
		m->nr_reserved += r->end - r->start;
		free_pfn_range(pfn, r->start);
		pfn = r->end;
	}
	free_pfn_range(pfn, m->nr_pages);
	spin_unlock(&zone->lock);
}

struct mm_phys *mm_phys_new(const struct mm_phys_config *cfg, GError **err)
{
	struct mm_phys *m;
	unsigned long nr_pages, memmap_pages;
	GArray *reserved;
	pg_data_t *pgdat;

	if (!config_valid(cfg, err))
		return NULL;
	nr_pages = cfg->mem_bytes >> PAGE_SHIFT;
	reserved = reserved_ranges(cfg, nr_pages);

	m = g_new0(struct mm_phys, 1);
	m->cfg = *cfg;
	m->nr_pages = nr_pages;
	m->zero_pfn = cfg->zero_pfn;
	if (m->zero_pfn == ~0UL && cfg->reserved_bytes)
		m->zero_pfn = (cfg->reserved_bytes >> PAGE_SHIFT) - 1;
	if (m->zero_pfn != ~0UL && !pfn_in_ranges(reserved, m->zero_pfn)) {
		g_set_error(err, MM_PHYS_ERROR, EINVAL,
			    "zero page %#lx is not a reserved page",
			    m->zero_pfn);
		g_array_free(reserved, TRUE);
		g_free(m);
		return NULL;
	}

	/*
	 * Whole MAX_ORDER blocks of struct pages, so looking at the buddy
	 * of any block never leaves the mapping.
	 */
	memmap_pages = (nr_pages + MAX_ORDER_NR_PAGES - 1) &
		       ~(MAX_ORDER_NR_PAGES - 1);
	m->memmap_bytes = memmap_pages * sizeof(struct page);
	m->memmap = memmap_map(m->memmap_bytes);
	if (!m->memmap) {
		g_set_error(err, MM_PHYS_ERROR, ENOMEM,
			    "cannot map %zu bytes of mem_map", m->memmap_bytes);
		g_array_free(reserved, TRUE);
		g_free(m);
		return NULL;
	}

	pgdat = &m->pgdat;
	pgdat->node_id = 0;
	pgdat->nr_zones = MAX_NR_ZONES;
	pgdat->node_mem_map = m->memmap;
	pgdat->node_start_pfn = 0;
	pgdat->node_present_pages = nr_pages;
	pgdat->node_spanned_pages = nr_pages;
	zone_init(&pgdat->node_zones[ZONE_NORMAL], pgdat, nr_pages);

	mm_phys_activate(m);
	boot_memory(m, reserved);
	g_array_free(reserved, TRUE);
	return m;
}

void mm_phys_free(struct mm_phys *m)
{
	if (!m)
		return;
	sim_lock_destroy(&m->pgdat.node_zones[ZONE_NORMAL].lock);
	munmap(m->memmap, m->memmap_bytes);
	if (mm_phys_cur == m)
		mm_phys_activate(NULL);
	g_free(m);
}

void mm_phys_activate(struct mm_phys *m)
{
	mm_phys_cur = m;
	mem_map = m ? m->memmap : NULL;
	max_pfn = m ? m->nr_pages : 0;
	zero_pfn = m ? m->zero_pfn : ~0UL;
}

struct mm_phys *mm_phys_current(void)
{
	return mm_phys_cur;
}
