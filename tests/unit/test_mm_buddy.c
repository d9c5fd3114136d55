/*
 * test_mm_buddy.c - machine set-up and the buddy allocator: boot free
 * lists, split and merge, determinism, take_page_off_buddy(), poisoned
 * and bad pages, slab and page-table pages.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/prng.h"
#include "mm-model/gfp.h"
#include "mm-model/internal.h"
#include "mm-model/slab.h"

static struct mm_phys *machine;

static struct mm_phys *new_machine(uint64_t bytes)
{
	struct mm_phys_config cfg;
	GError *err = NULL;
	struct mm_phys *m;

	mm_phys_config_default(&cfg);
	cfg.mem_bytes = bytes;
	m = mm_phys_new(&cfg, &err);
	ck_assert_msg(m != NULL, "machine: %s", err ? err->message : "?");
	return m;
}

static void machine_setup(void)
{
	machine = new_machine(16ULL << 20);
}

static void machine_teardown(void)
{
	mm_phys_free(machine);
	machine = NULL;
}

static struct zone *zone0(void)
{
	return &NODE_DATA(0)->node_zones[ZONE_NORMAL];
}

struct free_snapshot {
	unsigned long nr_free[MAX_ORDER];
	unsigned long pages;
};

static void snapshot(struct free_snapshot *s)
{
	for (int o = 0; o < MAX_ORDER; o++)
		s->nr_free[o] = zone0()->free_area[o].nr_free;
	s->pages = nr_free_pages();
}

static void assert_same_free(const struct free_snapshot *a)
{
	struct free_snapshot b;
	GString *why = g_string_new(NULL);

	snapshot(&b);
	for (int o = 0; o < MAX_ORDER; o++)
		ck_assert_msg(a->nr_free[o] == b.nr_free[o],
			      "order %d: %lu free blocks, expected %lu", o,
			      b.nr_free[o], a->nr_free[o]);
	ck_assert_uint_eq(a->pages, b.pages);
	ck_assert_msg(zone_free_lists_valid(zone0(), why), "%s", why->str);
	g_string_free(why, TRUE);
}

static void assert_lists_valid(void)
{
	GString *why = g_string_new(NULL);

	ck_assert_msg(zone_free_lists_valid(zone0(), why), "%s", why->str);
	g_string_free(why, TRUE);
}

/* Resident set size of this process, from /proc/self/statm. */
static unsigned long rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return resident * (unsigned long)sysconf(_SC_PAGESIZE);
}

/* ---- set-up ----------------------------------------------------------- */

START_TEST(test_boot_16m)
{
	struct zone *zone = zone0();

	ck_assert_uint_eq(max_pfn, 4096);
	/* 1 MiB reserved: pfns 0-255. Then 256/8, 512/9, 3 x order 10. */
	ck_assert_uint_eq(nr_free_pages(), 4096 - 256);
	ck_assert_uint_eq(totalram_pages(), 4096 - 256);
	ck_assert_uint_eq(machine->nr_reserved, 256);
	for (int o = 0; o < MAX_ORDER; o++) {
		unsigned long want = o == 8 ? 1 : o == 9 ? 1 : o == 10 ? 3 : 0;

		ck_assert_msg(zone->free_area[o].nr_free == want,
			      "order %d: %lu", o, zone->free_area[o].nr_free);
	}
	ck_assert(PageBuddy(pfn_to_page(256)));
	ck_assert_uint_eq(buddy_order(pfn_to_page(256)), 8);
	ck_assert(PageBuddy(pfn_to_page(3072)));
	ck_assert_uint_eq(buddy_order(pfn_to_page(3072)), 10);
	for (unsigned long pfn = 0; pfn < 256; pfn++) {
		struct page *page = pfn_to_page(pfn);

		ck_assert(PageReserved(page));
		ck_assert_int_eq(page_count(page), 1);
		ck_assert(!is_free_buddy_page(page));
	}
	for (unsigned long pfn = 256; pfn < 4096; pfn++) {
		struct page *page = pfn_to_page(pfn);

		ck_assert(!PageReserved(page));
		ck_assert_int_eq(page_count(page), 0);
		ck_assert(is_free_buddy_page(page));
		/* Block heads hold a type in the word, not a map count. */
		if (!PageBuddy(page))
			ck_assert_int_eq(page_mapcount(page), 0);
		ck_assert(!page_mapped(page));
	}
	ck_assert_uint_eq(zero_pfn, 255);
	assert_lists_valid();
}
END_TEST

START_TEST(test_boot_64g)
{
	unsigned long rss0 = rss_bytes(), grown;
	struct mm_phys *m = new_machine(64ULL << 30);
	struct zone *zone = zone0();

	grown = rss_bytes() - rss0;
	ck_assert_uint_eq(max_pfn, 16UL << 20);
	ck_assert_uint_eq(nr_free_pages(), (16UL << 20) - 256);
	ck_assert_uint_eq(zone->free_area[10].nr_free, (16UL << 10) - 1);
	ck_assert_uint_eq(zone->free_area[9].nr_free, 1);
	ck_assert_uint_eq(zone->free_area[8].nr_free, 1);
	ck_assert_uint_eq(zone->free_area[0].nr_free, 0);
	/*
	 * 1 GiB of struct pages exist; boot may write one in 1024 (one host
	 * page in 16).  Well under a quarter of the mem_map must be
	 * resident.
	 */
	ck_assert_msg(grown < (256UL << 20), "set-up made %lu MiB resident",
		      grown >> 20);
	/* Untouched struct pages read as free tails... */
	ck_assert(is_free_buddy_page(pfn_to_page((16UL << 20) - 1)));
	ck_assert_int_eq(page_mapcount(pfn_to_page(12345678)), 0);
	ck_assert_int_eq(page_count(pfn_to_page(12345678)), 0);
	assert_lists_valid();
	/* ...and reading all of them costs no resident memory. */
	{
		unsigned long nmapped = 0;

		for (unsigned long pfn = 0; pfn < max_pfn; pfn += 7)
			nmapped += page_mapped(pfn_to_page(pfn));
		ck_assert_uint_eq(nmapped, 0);
		grown = rss_bytes() - rss0;
		ck_assert_msg(grown < (256UL << 20),
			      "reading mem_map made %lu MiB resident",
			      grown >> 20);
	}

	/* The last block is usable. */
	{
		struct page *page;
		unsigned long n = 0;

		while ((page = alloc_pages(GFP_KERNEL, 10)) != NULL)
			n++;
		ck_assert_uint_eq(n, (16UL << 10) - 1);
		ck_assert_uint_eq(nr_free_pages(), 256 + 512);
	}
	mm_phys_free(m);
	ck_assert_ptr_null(mm_phys_current());
}
END_TEST

START_TEST(test_boot_rejects)
{
	struct mm_phys_config cfg;
	GError *err = NULL;

	mm_phys_config_default(&cfg);
	cfg.mem_bytes = 8ULL << 20;
	ck_assert_ptr_null(mm_phys_new(&cfg, &err));
	ck_assert_ptr_nonnull(err);
	g_clear_error(&err);

	cfg.mem_bytes = 65ULL << 30;
	ck_assert_ptr_null(mm_phys_new(&cfg, &err));
	g_clear_error(&err);

	cfg.mem_bytes = (16ULL << 20) + 100;
	ck_assert_ptr_null(mm_phys_new(&cfg, &err));
	g_clear_error(&err);

	cfg.mem_bytes = 16ULL << 20;
	cfg.reserved_bytes = 16ULL << 20;
	ck_assert_ptr_null(mm_phys_new(&cfg, &err));
	g_clear_error(&err);

	cfg.reserved_bytes = 0;
	cfg.zero_pfn = 100;	/* not reserved */
	ck_assert_ptr_null(mm_phys_new(&cfg, &err));
	g_clear_error(&err);
}
END_TEST

START_TEST(test_boot_reserved_ranges)
{
	struct mm_phys_config cfg;
	GError *err = NULL;
	struct mm_phys *m;

	mm_phys_config_default(&cfg);
	cfg.mem_bytes = 32ULL << 20;
	cfg.reserved_bytes = 4ULL << 20;
	cfg.reserve[0] = (struct mm_pfn_range){ 5000, 5003 };
	cfg.reserve[1] = (struct mm_pfn_range){ 5001, 5010 };	/* overlaps */
	cfg.reserve[2] = (struct mm_pfn_range){ 8191, 8192 };	/* last pfn */
	cfg.nr_reserve = 3;
	m = mm_phys_new(&cfg, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nr_reserved, 1024 + 10 + 1);
	ck_assert_uint_eq(nr_free_pages(), 8192 - 1024 - 10 - 1);
	ck_assert(PageReserved(pfn_to_page(5009)));
	ck_assert(!PageReserved(pfn_to_page(5010)));
	ck_assert(PageReserved(pfn_to_page(8191)));
	ck_assert(!is_free_buddy_page(pfn_to_page(5004)));
	ck_assert(is_free_buddy_page(pfn_to_page(4999)));
	ck_assert(is_free_buddy_page(pfn_to_page(5010)));
	ck_assert(is_free_buddy_page(pfn_to_page(8190)));
	assert_lists_valid();
	mm_phys_free(m);
}
END_TEST

START_TEST(test_two_machines)
{
	struct mm_phys *a = new_machine(16ULL << 20);
	struct mm_phys *b = new_machine(32ULL << 20);

	ck_assert_ptr_eq(mm_phys_current(), b);
	ck_assert_uint_eq(max_pfn, 8192);
	ck_assert_ptr_nonnull(alloc_page(GFP_KERNEL));
	mm_phys_activate(a);
	ck_assert_uint_eq(max_pfn, 4096);
	ck_assert_uint_eq(nr_free_pages(), 4096 - 256);
	mm_phys_activate(b);
	ck_assert_uint_eq(nr_free_pages(), 8192 - 256 - 1);
	mm_phys_free(b);
	ck_assert_ptr_null(mm_phys_current());
	mm_phys_activate(a);
	mm_phys_free(a);
}
END_TEST

/* ---- allocation --------------------------------------------------------- */

START_TEST(test_buddy_pfn)
{
	ck_assert_uint_eq(__find_buddy_pfn(0x1234, 0), 0x1235);
	ck_assert_uint_eq(__find_buddy_pfn(0x1235, 0), 0x1234);
	ck_assert_uint_eq(__find_buddy_pfn(0x1234, 2), 0x1230);
	ck_assert_uint_eq(__find_buddy_pfn(0x1230, 2), 0x1234);
	ck_assert_uint_eq(__find_buddy_pfn(0x400, 10), 0x0);
	ck_assert_uint_eq(__find_buddy_pfn(0xc00, 10), 0x800);
	ck_assert_uint_eq(__find_buddy_pfn(0x100, 8), 0x0);
}
END_TEST

START_TEST(test_alloc_free_each_order)
{
	unsigned int order = (unsigned int)_i;
	struct free_snapshot s0;
	struct page *page;
	unsigned long pfn;

	snapshot(&s0);
	page = alloc_pages(GFP_KERNEL, order);
	ck_assert_ptr_nonnull(page);
	pfn = page_to_pfn(page);
	ck_assert_uint_eq(pfn & ((1UL << order) - 1), 0);
	ck_assert_uint_ge(pfn, 256);
	ck_assert_int_eq(page_count(page), 1);
	ck_assert(!PageBuddy(page));
	ck_assert_uint_eq(page_private(page), 0);
	ck_assert_uint_eq(nr_free_pages(), s0.pages - (1UL << order));
	for (unsigned long i = 0; i < (1UL << order); i++)
		ck_assert(!is_free_buddy_page(page + i));
	assert_lists_valid();

	__free_pages(page, order);
	assert_same_free(&s0);

	/* Compound too. */
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, order);
	ck_assert_ptr_nonnull(page);
	ck_assert_uint_eq(compound_order(page), order);
	__free_pages(page, order);
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_alloc_order_too_big)
{
	ck_assert_ptr_null(alloc_pages(GFP_KERNEL, MAX_ORDER));
}
END_TEST

START_TEST(test_alloc_deterministic_order)
{
	struct free_snapshot s0;
	struct page *a, *b, *c, *d;

	snapshot(&s0);
	/* Boot left 256/8, 512/9, 1024/10, ...: lowest pages come first. */
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	c = alloc_pages(GFP_KERNEL, 9);
	ck_assert_uint_eq(page_to_pfn(a), 256);
	ck_assert_uint_eq(page_to_pfn(b), 257);
	ck_assert_uint_eq(page_to_pfn(c), 512);
	/* A freed page is the next one handed out. */
	__free_page(a);
	d = alloc_page(GFP_KERNEL);
	ck_assert_ptr_eq(d, a);
	__free_page(d);
	__free_page(b);
	__free_pages(c, 9);
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_alloc_lifo_and_boot_order)
{
	struct free_snapshot s0;
	struct page *p[4], *x, *y, *big[3];

	snapshot(&s0);
	for (int i = 0; i < 4; i++)
		p[i] = alloc_page(GFP_KERNEL);
	ck_assert_uint_eq(page_to_pfn(p[3]), 259);
	/* Two frees that cannot merge: the later one is reused first. */
	__free_page(p[0]);
	__free_page(p[2]);
	x = alloc_page(GFP_KERNEL);
	y = alloc_page(GFP_KERNEL);
	ck_assert_ptr_eq(x, p[2]);
	ck_assert_ptr_eq(y, p[0]);
	for (int i = 0; i < 4; i++)
		__free_page(p[i]);
	/* Boot queued its blocks lowest first. */
	for (int i = 0; i < 3; i++) {
		big[i] = alloc_pages(GFP_KERNEL, 10);
		ck_assert_uint_eq(page_to_pfn(big[i]), 1024UL * (i + 1));
	}
	for (int i = 0; i < 3; i++)
		__free_pages(big[i], 10);
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_split_merge)
{
	struct free_snapshot s0;
	struct page *page;

	snapshot(&s0);
	page = alloc_page(GFP_KERNEL);
	/* Splitting the order-8 block left one block of each order 0..7. */
	for (int o = 0; o < 8; o++)
		ck_assert_uint_eq(zone0()->free_area[o].nr_free, 1);
	ck_assert_uint_eq(zone0()->free_area[8].nr_free, 0);
	__free_page(page);
	for (int o = 0; o < 8; o++)
		ck_assert_uint_eq(zone0()->free_area[o].nr_free, 0);
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_split_page)
{
	struct free_snapshot s0;
	struct page *page;

	snapshot(&s0);
	page = alloc_pages(GFP_KERNEL, 2);
	ck_assert_int_eq(page_count(page + 1), 0);
	split_page(page, 2);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(page_count(page + i), 1);
	for (int i = 3; i >= 0; i--)
		__free_page(page + i);
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_free_pages_with_extra_ref)
{
	struct free_snapshot s0;
	struct page *page;

	snapshot(&s0);
	page = alloc_pages(GFP_KERNEL, 3);
	page_ref_inc(page);	/* a speculative reference */
	__free_pages(page, 3);
	/* Everything but the first page is free again. */
	ck_assert_uint_eq(nr_free_pages(), s0.pages - 1);
	ck_assert(!is_free_buddy_page(page));
	for (int i = 1; i < 8; i++)
		ck_assert(is_free_buddy_page(page + i));
	put_page(page);
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_exhaust_and_refill)
{
	struct free_snapshot s0;
	GPtrArray *pages = g_ptr_array_new();
	struct page *page;

	snapshot(&s0);
	while ((page = alloc_page(GFP_KERNEL)) != NULL)
		g_ptr_array_add(pages, page);
	ck_assert_uint_eq(pages->len, s0.pages);
	ck_assert_uint_eq(nr_free_pages(), 0);
	/* Free in a scrambled order: merging must still be complete. */
	for (guint i = 0; i < pages->len; i += 2)
		__free_page(g_ptr_array_index(pages, i));
	for (guint i = 1; i < pages->len; i += 2)
		__free_page(g_ptr_array_index(pages, i));
	assert_same_free(&s0);
	g_ptr_array_free(pages, TRUE);
}
END_TEST

struct live_alloc {
	struct page *page;
	unsigned int order;
};

/*
 * Random allocations and frees from a fixed seed; the allocated blocks
 * never overlap and never include a free page; freeing all of them gives
 * back exactly the boot free lists.
 */
static void random_run(uint64_t seed, unsigned int steps)
{
	struct free_snapshot s0;
	struct sim_prng prng;
	GArray *live = g_array_new(FALSE, FALSE, sizeof(struct live_alloc));
	guint8 *owned = g_malloc0(max_pfn);
	unsigned long nr_alloc = 0;

	snapshot(&s0);
	sim_prng_seed(&prng, seed);
	for (unsigned int step = 0; step < steps; step++) {
		bool do_alloc = live->len == 0 || sim_prng_below(&prng, 100) < 55;

		if (do_alloc) {
			/* Mostly small orders, sometimes big ones. */
			unsigned int order = sim_prng_below(&prng, 4) ?
				(unsigned int)sim_prng_below(&prng, 4) :
				(unsigned int)sim_prng_below(&prng, MAX_ORDER);
			gfp_t gfp = GFP_KERNEL |
				(sim_prng_below(&prng, 2) ? __GFP_COMP : 0);
			struct live_alloc a = { alloc_pages(gfp, order), order };
			unsigned long pfn;

			if (!a.page)
				continue;
			pfn = page_to_pfn(a.page);
			for (unsigned long i = 0; i < (1UL << order); i++) {
				ck_assert_msg(!owned[pfn + i],
					      "pfn %#lx handed out twice",
					      pfn + i);
				owned[pfn + i] = 1;
			}
			g_array_append_val(live, a);
			nr_alloc += 1UL << order;
		} else {
			guint idx = (guint)sim_prng_below(&prng, live->len);
			struct live_alloc a =
				g_array_index(live, struct live_alloc, idx);
			unsigned long pfn = page_to_pfn(a.page);

			g_array_remove_index_fast(live, idx);
			__free_pages(a.page, a.order);
			for (unsigned long i = 0; i < (1UL << a.order); i++)
				owned[pfn + i] = 0;
			nr_alloc -= 1UL << a.order;
		}
		ck_assert_uint_eq(nr_free_pages() + nr_alloc, s0.pages);
		if (step % 256 == 0)
			assert_lists_valid();
	}
	while (live->len) {
		struct live_alloc a = g_array_index(live, struct live_alloc, 0);

		g_array_remove_index_fast(live, 0);
		__free_pages(a.page, a.order);
	}
	assert_same_free(&s0);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
	g_free(owned);
	g_array_free(live, TRUE);
}

START_TEST(test_random_alloc_free)
{
	random_run(0x5eed0000 + (uint64_t)_i, 4000);
}
END_TEST

/* What alloc_trace(42) gives: the first pfns, count and FNV-1a hash. */
#define GOLDEN_FIRST	0x100, 0x100, 0x101, 0x100, 0x101, 0x100, 0x100, \
			0x110, 0x101, 0x104, 0x102, 0x103
#define GOLDEN_LEN	1024
#define GOLDEN_HASH	0x99811d5cb7505fe2ULL

/* Same seed, same operations: same pages. */
static GArray *alloc_trace(uint64_t seed)
{
	GArray *pfns = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	struct mm_phys *m = new_machine(16ULL << 20);
	struct sim_prng prng;
	GPtrArray *live = g_ptr_array_new();

	sim_prng_seed(&prng, seed);
	for (int i = 0; i < 2000; i++) {
		if (live->len && sim_prng_below(&prng, 2)) {
			guint idx = (guint)sim_prng_below(&prng, live->len);
			struct page *page = g_ptr_array_steal_index_fast(live,
									 idx);

			__free_pages(page, compound_order(page));
		} else {
			unsigned int order = sim_prng_below(&prng, 3) ? 0 :
				(unsigned int)sim_prng_below(&prng, 5);
			struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP,
							order);
			unsigned long pfn = page_to_pfn(page);

			g_ptr_array_add(live, page);
			g_array_append_val(pfns, pfn);
		}
	}
	while (live->len) {
		struct page *page = g_ptr_array_steal_index_fast(live, 0);

		__free_pages(page, compound_order(page));
	}
	ck_assert_uint_eq(nr_free_pages(), 4096 - 256);
	g_ptr_array_free(live, TRUE);
	mm_phys_free(m);
	return pfns;
}

START_TEST(test_allocation_reproducible)
{
	GArray *a = alloc_trace(42), *b = alloc_trace(42);

	ck_assert_uint_eq(a->len, b->len);
	ck_assert_int_eq(memcmp(a->data, b->data,
				a->len * sizeof(unsigned long)), 0);
	g_array_free(a, TRUE);
	g_array_free(b, TRUE);
}
END_TEST

/*
 * The allocation policy itself, pinned: which pfns a fixed sequence of
 * operations gets.  Scenario outcomes and recorded traces depend on it,
 * so a change here must be deliberate (update the numbers).
 */
START_TEST(test_allocation_golden)
{
	static const unsigned long first[] = { GOLDEN_FIRST };
	GArray *a = alloc_trace(42);
	guint64 hash = 1469598103934665603ULL;	/* FNV-1a */

	for (guint i = 0; i < a->len; i++) {
		hash ^= g_array_index(a, unsigned long, i);
		hash *= 1099511628211ULL;
	}
	for (guint i = 0; i < ARRAY_SIZE(first); i++)
		ck_assert_msg(g_array_index(a, unsigned long, i) == first[i],
			      "allocation %u: pfn %#lx, expected %#lx", i,
			      g_array_index(a, unsigned long, i), first[i]);
	ck_assert_msg(a->len == GOLDEN_LEN && hash == GOLDEN_HASH,
		      "%u allocations, hash %#" G_GINT64_MODIFIER "x", a->len,
		      hash);
	g_array_free(a, TRUE);
}
END_TEST

/* ---- take_page_off_buddy ------------------------------------------------- */

START_TEST(test_take_page_off_buddy_middle)
{
	const unsigned long block = 2048, off = 700;
	struct page *target = pfn_to_page(block + off);
	struct free_snapshot s0;

	snapshot(&s0);
	ck_assert(is_free_buddy_page(target));
	ck_assert(take_page_off_buddy(target));

	ck_assert(!is_free_buddy_page(target));
	ck_assert(!PageBuddy(target));
	ck_assert_int_eq(page_count(target), 0);
	ck_assert_uint_eq(page_private(target), MAGIC_HWPOISON);
	ck_assert_uint_eq(nr_free_pages(), s0.pages - 1);
	ck_assert_uint_eq(zone0()->free_area[10].nr_free, s0.nr_free[10] - 1);
	for (int o = 0; o < 10; o++)
		ck_assert_uint_eq(zone0()->free_area[o].nr_free,
				  s0.nr_free[o] + 1);
	/* The halves not holding the page: one free block per order. */
	for (int o = 9; o >= 0; o--) {
		unsigned long half = off & ~((1UL << (o + 1)) - 1);
		unsigned long other = half + ((off >> o & 1) ? 0 : 1UL << o);
		struct page *head = pfn_to_page(block + other);

		ck_assert_msg(PageBuddy(head) && buddy_order(head) == (unsigned)o,
			      "order %d block at %#lx", o, block + other);
	}
	for (unsigned long pfn = block; pfn < block + 1024; pfn++)
		if (pfn != block + off)
			ck_assert_msg(is_free_buddy_page(pfn_to_page(pfn)),
				      "pfn %#lx not free", pfn);
	assert_lists_valid();

	/* Not free any more: a second take fails. */
	ck_assert(!take_page_off_buddy(target));

	/* Unpoison path: back to the buddy, merged into the whole. */
	SetPageHWPoison(target);
	page_ref_inc(target);
	ck_assert(put_page_back_buddy(target));
	ck_assert(!PageHWPoison(target));
	assert_same_free(&s0);
}
END_TEST

START_TEST(test_take_page_off_buddy_edges)
{
	struct free_snapshot s0;
	struct page *page;

	snapshot(&s0);
	/* First page of a block, and an order-8 block. */
	ck_assert(take_page_off_buddy(pfn_to_page(1024)));
	ck_assert(take_page_off_buddy(pfn_to_page(511)));
	ck_assert_uint_eq(nr_free_pages(), s0.pages - 2);
	assert_lists_valid();
	/* Reserved and allocated pages are not free. */
	ck_assert(!take_page_off_buddy(pfn_to_page(3)));
	page = alloc_pages(GFP_KERNEL, 4);
	ck_assert(!take_page_off_buddy(page + 5));
	__free_pages(page, 4);
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, 4);
	ck_assert(!take_page_off_buddy(page + 5));
	__free_pages(page, 4);
	assert_lists_valid();
}
END_TEST

/* ---- poison ------------------------------------------------------------- */

static bool alloc_all_avoiding(struct page *bad, unsigned int order,
			       unsigned long *got)
{
	GPtrArray *pages = g_ptr_array_new();
	struct page *page;
	bool ok = true;

	*got = 0;
	while ((page = alloc_pages(GFP_KERNEL, order)) != NULL) {
		if (bad >= page && bad < page + (1UL << order))
			ok = false;
		for (unsigned long i = 0; i < (1UL << order); i++)
			if (PageHWPoison(page + i))
				ok = false;
		g_ptr_array_add(pages, page);
		*got += 1UL << order;
	}
	for (guint i = 0; i < pages->len; i++)
		__free_pages(g_ptr_array_index(pages, i), order);
	g_ptr_array_free(pages, TRUE);
	return ok;
}

START_TEST(test_poisoned_free_page_never_allocated)
{
	struct page *bad = pfn_to_page(3000);
	unsigned long got, free0 = nr_free_pages();

	/* Poisoned, but memory_failure() could not take it off. */
	SetPageHWPoison(bad);
	ck_assert(alloc_all_avoiding(bad, 0, &got));
	ck_assert_uint_eq(got, free0 - 1);
	ck_assert_uint_eq(zone0()->nr_dropped_pages, 1);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
	ck_assert(!is_free_buddy_page(bad));
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	assert_lists_valid();
}
END_TEST

START_TEST(test_poisoned_page_freed_is_dropped)
{
	unsigned long free0 = nr_free_pages(), got;
	struct page *page = alloc_page(GFP_KERNEL);

	SetPageHWPoison(page);
	put_page(page);
	ck_assert(!is_free_buddy_page(page));
	ck_assert(!PageBuddy(page));
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	ck_assert_uint_eq(zone0()->nr_dropped_pages, 1);
	ck_assert(alloc_all_avoiding(page, 0, &got));
	ck_assert_uint_eq(got, free0 - 1);
	assert_lists_valid();
}
END_TEST

START_TEST(test_poisoned_tail_in_high_order_free)
{
	unsigned long free0 = nr_free_pages(), got;
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);

	/* A poisoned page inside a freed block reaches the free lists... */
	SetPageHWPoison(page + 2);
	put_page(page);
	ck_assert_uint_eq(nr_free_pages(), free0);
	/* ...but is caught on its way out, whatever the order asked. */
	ck_assert(alloc_all_avoiding(page + 2, 0, &got));
	ck_assert_uint_eq(got, free0 - 1);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
}
END_TEST

START_TEST(test_poisoned_page_in_big_allocation)
{
	unsigned long free0 = nr_free_pages(), got;
	struct page *bad = pfn_to_page(1024 + 77);

	SetPageHWPoison(bad);
	/* The order-10 block holding it is dropped whole, as in 6.1. */
	ck_assert(alloc_all_avoiding(bad, 10, &got));
	ck_assert_uint_eq(got, 2 * 1024);
	ck_assert_uint_eq(zone0()->nr_dropped_pages, 1024);
	ck_assert_uint_eq(nr_free_pages(), free0 - 1024);
}
END_TEST

/* ---- bad pages ------------------------------------------------------- */

START_TEST(test_bad_page_not_freed)
{
	unsigned long free0 = nr_free_pages();
	struct page *page = alloc_page(GFP_KERNEL);

	SetPageLRU(page);	/* nobody took it off an LRU list */
	put_page(page);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 1);
	ck_assert_uint_eq(zone0()->nr_dropped_pages, 1);
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	ck_assert(!is_free_buddy_page(page));

	page = alloc_page(GFP_KERNEL);
	atomic_set(&page->_mapcount, 0);	/* still mapped */
	put_page(page);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 2);
	assert_lists_valid();
}
END_TEST

/* Flags a page must not carry when freed, and flags it may. */
static const int bad_at_free[] = {
	PG_lru, PG_locked, PG_private, PG_private_2, PG_writeback,
	PG_reserved, PG_slab, PG_active, PG_unevictable, PG_mlocked,
};
static const int fine_at_free[] = {
	PG_referenced, PG_uptodate, PG_dirty, PG_workingset, PG_error,
	PG_owner_priv_1, PG_arch_1, PG_mappedtodisk, PG_reclaim,
	PG_swapbacked, PG_arch_2,
};

START_TEST(test_flags_checked_at_free)
{
	struct page *page;
	unsigned long free0;

	for (unsigned int i = 0; i < ARRAY_SIZE(bad_at_free); i++) {
		free0 = nr_free_pages();
		page = alloc_page(GFP_KERNEL);
		set_bit(bad_at_free[i], &page->flags);
		__free_page(page);
		ck_assert_msg(zone0()->nr_bad_pages == i + 1,
			      "flag %d not reported at free", bad_at_free[i]);
		ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(fine_at_free); i++) {
		free0 = nr_free_pages();
		page = alloc_page(GFP_KERNEL);
		set_bit(fine_at_free[i], &page->flags);
		__free_page(page);
		ck_assert_uint_eq(nr_free_pages(), free0);
		/* Cleared on the way in: the next owner gets no flags. */
		ck_assert_ptr_eq(alloc_page(GFP_KERNEL), page);
		ck_assert_uint_eq(page->flags, 0);
		__free_page(page);
	}
	ck_assert_uint_eq(zone0()->nr_bad_pages, ARRAY_SIZE(bad_at_free));
	assert_lists_valid();
}
END_TEST

START_TEST(test_free_reserved_page)
{
	unsigned long free0 = nr_free_pages();
	struct page *page = pfn_to_page(17);

	ck_assert(PageReserved(page));
	free_reserved_page(page);
	ck_assert(!PageReserved(page));
	ck_assert(is_free_buddy_page(page));
	ck_assert_uint_eq(nr_free_pages(), free0 + 1);
	ck_assert_uint_eq(totalram_pages(), free0 + 1);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
	assert_lists_valid();
}
END_TEST

/* ---- kernel allocations ------------------------------------------------ */

START_TEST(test_slab_pages)
{
	unsigned long free0 = nr_free_pages();
	struct kmem_cache *s = kmem_cache_create("anon_vma", 88, 0, 0, NULL);
	void *obj[100];
	struct page *first;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->order, 0);
	ck_assert_uint_ge(s->num, 8);
	for (int i = 0; i < 100; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		ck_assert_ptr_nonnull(obj[i]);
		memset(obj[i], 0xa5, 88);
	}
	ck_assert_uint_eq(s->nr_active, 100);
	ck_assert_uint_eq(s->nr_slabs, (100 + s->num - 1) / s->num);
	ck_assert_uint_eq(nr_free_pages(), free0 - s->nr_slabs);
	ck_assert_uint_eq(node_page_state(NODE_DATA(0),
					  NR_SLAB_UNRECLAIMABLE_B),
			  s->nr_slabs * 4096);
	/* The first slab is the lowest free page. */
	first = pfn_to_page(256);
	ck_assert(PageSlab(first));
	ck_assert_ptr_eq(page_slab(first)->slab_cache, s);
	ck_assert_int_eq(page_count(first), 1);
	ck_assert(!PageAnon(first));

	/*
	 * Free half, reallocate.  Slabs that stop being full go to the front
	 * of the partial list, so the first partial slab is the second one
	 * (objects 46-91), and its last freed object comes first.
	 */
	ck_assert_uint_eq(s->num, 46);
	for (int i = 0; i < 100; i += 2)
		kmem_cache_free(s, obj[i]);
	ck_assert_ptr_eq(kmem_cache_alloc(s, GFP_KERNEL), obj[90]);
	kmem_cache_free(s, obj[90]);
	for (int i = 1; i < 100; i += 2)
		kmem_cache_free(s, obj[i]);
	ck_assert_uint_eq(s->nr_slabs, 0);
	ck_assert_uint_eq(nr_free_pages(), free0);
	ck_assert(!PageSlab(first));
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
	kmem_cache_destroy(s);
	assert_lists_valid();
}
END_TEST

START_TEST(test_slab_high_order)
{
	unsigned long free0 = nr_free_pages();
	struct kmem_cache *s = kmem_cache_create("big", 1024, 0, 0, NULL);
	void *a, *b;
	struct page *head;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->order, 2);
	a = kmem_cache_zalloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq(nr_free_pages(), free0 - 4);
	head = pfn_to_page(256);
	ck_assert(PageSlab(head));
	ck_assert(PageHead(head));
	ck_assert(PageTail(head + 3));
	ck_assert(PageSlab(head + 3));	/* PF_NO_TAIL: the head's */
	kmem_cache_free(s, a);
	kmem_cache_destroy(s);	/* b goes with it */
	ck_assert_uint_eq(nr_free_pages(), free0);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
	ck_assert_ptr_null(kmem_cache_create("huge", 40000, 0, 0, NULL));
	assert_lists_valid();
}
END_TEST

START_TEST(test_pgtable_pages)
{
	unsigned long free0 = nr_free_pages();
	struct page *pt = alloc_pgtable_page(GFP_PGTABLE_USER);

	ck_assert_ptr_nonnull(pt);
	ck_assert(PageTable(pt));
	ck_assert(page_has_type(pt));
	ck_assert_uint_eq(global_zone_page_state(NR_PAGETABLE), 1);
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	free_pgtable_page(pt);
	ck_assert(!PageTable(pt));
	ck_assert_uint_eq(global_zone_page_state(NR_PAGETABLE), 0);
	ck_assert_uint_eq(nr_free_pages(), free0);
	ck_assert_uint_eq(zone0()->nr_bad_pages, 0);
}
END_TEST

Suite *suite_mm_buddy(void)
{
	Suite *s = suite_create("mm_buddy");
	TCase *boot = tcase_create("boot");
	TCase *alloc = tcase_create("alloc");
	TCase *hwp = tcase_create("poison");
	TCase *kern = tcase_create("kernel pages");

	tcase_set_timeout(boot, 60);
	tcase_add_checked_fixture(boot, machine_setup, machine_teardown);
	tcase_add_test(boot, test_boot_16m);
	tcase_add_test(boot, test_boot_64g);
	tcase_add_test(boot, test_boot_rejects);
	tcase_add_test(boot, test_boot_reserved_ranges);
	tcase_add_test(boot, test_two_machines);
	suite_add_tcase(s, boot);

	tcase_set_timeout(alloc, 60);
	tcase_add_checked_fixture(alloc, machine_setup, machine_teardown);
	tcase_add_test(alloc, test_buddy_pfn);
	tcase_add_loop_test(alloc, test_alloc_free_each_order, 0, MAX_ORDER);
	tcase_add_test(alloc, test_alloc_order_too_big);
	tcase_add_test(alloc, test_alloc_deterministic_order);
	tcase_add_test(alloc, test_alloc_lifo_and_boot_order);
	tcase_add_test(alloc, test_split_merge);
	tcase_add_test(alloc, test_split_page);
	tcase_add_test(alloc, test_free_pages_with_extra_ref);
	tcase_add_test(alloc, test_exhaust_and_refill);
	tcase_add_loop_test(alloc, test_random_alloc_free, 0, 4);
	tcase_add_test(alloc, test_allocation_reproducible);
	tcase_add_test(alloc, test_allocation_golden);
	suite_add_tcase(s, alloc);

	tcase_add_checked_fixture(hwp, machine_setup, machine_teardown);
	tcase_add_test(hwp, test_take_page_off_buddy_middle);
	tcase_add_test(hwp, test_take_page_off_buddy_edges);
	tcase_add_test(hwp, test_poisoned_free_page_never_allocated);
	tcase_add_test(hwp, test_poisoned_page_freed_is_dropped);
	tcase_add_test(hwp, test_poisoned_tail_in_high_order_free);
	tcase_add_test(hwp, test_poisoned_page_in_big_allocation);
	tcase_add_test(hwp, test_bad_page_not_freed);
	tcase_add_test(hwp, test_flags_checked_at_free);
	tcase_add_test(hwp, test_free_reserved_page);
	suite_add_tcase(s, hwp);

	tcase_add_checked_fixture(kern, machine_setup, machine_teardown);
	tcase_add_test(kern, test_slab_pages);
	tcase_add_test(kern, test_slab_high_order);
	tcase_add_test(kern, test_pgtable_pages);
	suite_add_tcase(s, kern);
	return s;
}
