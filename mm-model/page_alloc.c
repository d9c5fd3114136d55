/*
 * page_alloc.c - the buddy allocator of the machine's one zone.
 *
 * Free memory is kept as naturally aligned blocks of 2^order pages,
 * order 0 .. MAX_ORDER - 1, one list per order (zone->free_area).  A
 * block is represented by its first page, which is PageBuddy and holds
 * the order in page->private; the other pages of a free block are "free
 * tails": count 0, no flags (but PG_hwpoison, see below), _mapcount -1,
 * not linked anywhere.
 *
 * Invariants, all under zone->lock:
 *  - a page is PageBuddy iff it heads a block on free_area[buddy_order];
 *  - free blocks never overlap, and two free buddies of the same order
 *    are always merged (the buddy of the order-n block at pfn is at
 *    pfn ^ 2^n);
 *  - NR_FREE_PAGES is the number of pages in all free blocks;
 *  - free_area[n].nr_free is the length of free_area[n].free_list.
 *
 * Determinism: allocation takes the first block of the smallest order
 * that fits; the halves that splitting leaves over, and freed blocks,
 * are queued at the front; boot queues at the back.  So which page an
 * allocation returns depends only on the sequence of earlier frees and
 * allocations, never on addresses or time.  (The kernel's "merge likely"
 * tail placement and free page shuffling are not modelled.)
 *
 * Poisoned pages: a page with PG_hwpoison must never be handed out again.
 * As in 6.1, an order-0 poisoned page being freed is dropped on the floor
 * instead of entering the free lists (free_pages_prepare()), and a block
 * taken off the free lists is checked page by page before it is returned
 * (check_new_pages()): if one is poisoned the block is dropped and the
 * allocation retried.  Dropped pages are counted in zone->nr_dropped_pages.
 */
#include <stdarg.h>
#include <string.h>

#include "mm-model/internal.h"
#include "mm-model/page_dump.h"
#include "mm-model/swap.h"
#include "mm-model/hugetlb.h"

/* Tail pages of a compound page point mapping here (never followed). */
#define TAIL_MAPPING	((struct address_space *)0xdead000000000400UL)

/* ---- bad pages -------------------------------------------------------- */

/*
 * A page in a state it must not be in, where the allocator looked at it.
 * The kernel logs "BUG: Bad page state", taints itself and leaks the
 * page; the model counts it, reports it as a finding of the running
 * engine (if any) and leaks the page the same way.
 */
void bad_page(struct page *page, const char *reason)
{
	struct zone *zone = page_zone(page);
	struct sim *s = sim_self();

	zone->nr_bad_pages++;
	if (s) {
		struct sim_fiber *f = sim_current(s);
		GString *detail = g_string_new(NULL);

		dump_page_str(detail, page, reason);
		sim_finding_add(s, "bad-page", detail->str,
				"BUG: Bad page state in process %s  pfn:%05lx",
				f ? f->name : "swapper", page_to_pfn(page));
		g_string_free(detail, TRUE);
	}
	/* Leave no stale PageBuddy behind. */
	page_mapcount_reset(page);
}

static const char *page_bad_reason(struct page *page, unsigned long flags)
{
	if (atomic_read(&page->_mapcount) != -1)
		return "nonzero mapcount";
	if (page->mapping != NULL)
		return "non-NULL mapping";
	if (page_ref_count(page) != 0)
		return "nonzero _refcount";
	if (page->flags & flags) {
		if (flags == PAGE_FLAGS_CHECK_AT_PREP)
			return "PAGE_FLAGS_CHECK_AT_PREP flag(s) set";
		return "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	}
	return "memcg_data set";
}

static bool page_expected_state(struct page *page, unsigned long check_flags)
{
	return atomic_read(&page->_mapcount) == -1 &&
	       page->mapping == NULL &&
	       page_ref_count(page) == 0 &&
	       !(page->flags & check_flags) &&
	       page->memcg_data == 0;
}

/* True (and reported) if a page being freed is in a bad state. */
static bool free_page_is_bad(struct page *page)
{
	if (likely(page_expected_state(page, PAGE_FLAGS_CHECK_AT_FREE)))
		return false;
	bad_page(page, page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE));
	return true;
}

/*
 * Check a tail page of a compound page being freed and make it a plain
 * page again.  page[1] and page[2] hold compound metadata where other
 * tails hold TAIL_MAPPING.
 */
static int free_tail_pages_check(struct page *head, struct page *page)
{
	int bad = 1;

	switch (page - head) {
	case 1:
		if (unlikely(compound_mapcount(page))) {
			bad_page(page, "nonzero compound_mapcount");
			goto out;
		}
		break;
	case 2:
		break;
	default:
		if (page->mapping != TAIL_MAPPING) {
			bad_page(page, "corrupted mapping in tail page");
			goto out;
		}
		break;
	}
	if (unlikely(!PageTail(page))) {
		bad_page(page, "PageTail not set");
		goto out;
	}
	if (unlikely(compound_head(page) != head)) {
		bad_page(page, "compound_head not consistent");
		goto out;
	}
	bad = 0;
out:
	page->mapping = NULL;
	clear_compound_head(page);
	return bad;
}

/* ---- free lists --------------------------------------------------------- */

static void add_to_free_list(struct page *page, struct zone *zone,
			     unsigned int order)
{
	struct free_area *area = &zone->free_area[order];

	list_add(&page->buddy_list, &area->free_list);
	area->nr_free++;
}

static void add_to_free_list_tail(struct page *page, struct zone *zone,
				  unsigned int order)
{
	struct free_area *area = &zone->free_area[order];

	list_add_tail(&page->buddy_list, &area->free_list);
	area->nr_free++;
}

static void del_page_from_free_list(struct page *page, struct zone *zone,
				    unsigned int order)
{
	list_del(&page->buddy_list);
	__ClearPageBuddy(page);
	set_page_private(page, 0);
	zone->free_area[order].nr_free--;
}

static struct page *get_page_from_free_area(struct free_area *area)
{
	return list_first_entry_or_null(&area->free_list, struct page,
					buddy_list);
}

/* Is buddy the head of a free block of this order, in the same zone? */
static bool page_is_buddy(struct zone *zone, struct page *buddy,
			  unsigned long buddy_pfn, unsigned int order)
{
	if (!zone_spans_pfn(zone, buddy_pfn))
		return false;
	if (!PageBuddy(buddy))
		return false;
	return buddy_order(buddy) == order;
}

void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, fpi_t fpi_flags)
{
	VM_BUG_ON_PAGE(page->flags & PAGE_FLAGS_CHECK_AT_PREP, page);
	VM_BUG_ON_PAGE(pfn & ((1UL << order) - 1), page);
	VM_BUG_ON_PAGE(!zone_spans_pfn(zone, pfn), page);

	__mod_zone_page_state(zone, NR_FREE_PAGES, 1L << order);

	while (order < MAX_ORDER - 1) {
		unsigned long buddy_pfn = __find_buddy_pfn(pfn, order);
		struct page *buddy = page + (buddy_pfn - pfn);
		unsigned long combined_pfn;

		if (!page_is_buddy(zone, buddy, buddy_pfn, order))
			break;
		del_page_from_free_list(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = page + (combined_pfn - pfn);
		pfn = combined_pfn;
		order++;
	}

	set_buddy_order(page, order);
	if (fpi_flags & FPI_TO_TAIL)
		add_to_free_list_tail(page, zone, order);
	else
		add_to_free_list(page, zone, order);
}

/*
 * Split an order-high block (already off the lists) down to order low:
 * the upper half of each split goes back on the free lists, the lower
 * half is split further.  Returns nothing; page stays the low block.
 */
static void expand(struct zone *zone, struct page *page, unsigned int low,
		   unsigned int high)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high);
		set_buddy_order(&page[size], high);
	}
}

static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order)
{
	for (unsigned int current_order = order; current_order < MAX_ORDER;
	     current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page = get_page_from_free_area(area);

		if (!page)
			continue;
		del_page_from_free_list(page, zone, current_order);
		expand(zone, page, order, current_order);
		return page;
	}
	return NULL;
}

/* ---- checks on the way out --------------------------------------------- */

/*
 * A page taken off the free lists in an unexpected state.  A poisoned
 * page is expected to turn up here now and then (memory_failure() could
 * not take it off the free lists): it is quietly dropped.
 */
static void check_new_page_bad(struct page *page)
{
	if (unlikely(page->flags & __PG_HWPOISON)) {
		page_mapcount_reset(page);
		return;
	}
	bad_page(page, page_bad_reason(page, PAGE_FLAGS_CHECK_AT_PREP));
}

static bool check_new_page(struct page *page)
{
	if (likely(page_expected_state(page, PAGE_FLAGS_CHECK_AT_PREP |
					     __PG_HWPOISON)))
		return false;
	check_new_page_bad(page);
	return true;
}

static bool check_new_pages(struct page *page, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (unlikely(check_new_page(page + i)))
			return true;
	return false;
}

/* ---- allocation -------------------------------------------------------- */

static void prep_compound_tail(struct page *head, unsigned long tail_idx)
{
	struct page *p = head + tail_idx;

	p->mapping = TAIL_MAPPING;
	set_compound_head(p, head);
	set_page_private(p, 0);
}

static void prep_compound_head(struct page *page, unsigned int order)
{
	set_compound_page_dtor(page, COMPOUND_PAGE_DTOR);
	set_compound_order(page, order);
	atomic_set(compound_mapcount_ptr(page), -1);
	atomic_set(compound_pincount_ptr(page), 0);
}

void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long nr_pages = 1UL << order;

	__SetPageHead(page);
	for (unsigned long i = 1; i < nr_pages; i++)
		prep_compound_tail(page, i);
	prep_compound_head(page, order);
}

static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	set_page_private(page, 0);
	set_page_refcounted(page);
	/*
	 * __GFP_ZERO: page contents are sim/'s business; the content model
	 * clears them here once it exists.
	 */
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
}

/*
 * Take a block off the free lists; retry while the block taken turns out
 * bad (poisoned), as the kernel's rmqueue_buddy() does.
 */
static struct page *rmqueue(struct zone *zone, unsigned int order)
{
	struct page *page;

	do {
		spin_lock(&zone->lock);
		page = __rmqueue_smallest(zone, order);
		if (page)
			__mod_zone_page_state(zone, NR_FREE_PAGES,
					      -(1L << order));
		spin_unlock(&zone->lock);
		if (!page)
			return NULL;
		if (!check_new_pages(page, order))
			return page;
		zone->nr_dropped_pages += 1UL << order;
	} while (1);
}

/*
 * The slow path (__alloc_pages_slowpath) with no kswapd: reclaim directly
 * when the caller may sleep (vmscan.c decides: a fiber, no spinlock held,
 * __GFP_DIRECT_RECLAIM, not reclaiming already), and retry while reclaim
 * makes progress.  No OOM killer: the allocation fails after that.
 */
#define MAX_RECLAIM_RETRIES	16

static struct page *__alloc_pages_direct_reclaim(struct zone *zone,
						 gfp_t gfp, unsigned int order)
{
	struct page *page;

	for (int retries = 0; retries < MAX_RECLAIM_RETRIES; retries++) {
		if (!reclaim_allowed(gfp))
			return NULL;
		if (!try_to_free_pages(1UL << order))
			return NULL;
		page = rmqueue(zone, order);
		if (page)
			return page;
	}
	return NULL;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct zone *zone;
	struct page *page;

	if (unlikely(order >= MAX_ORDER))
		return NULL;
	zone = &NODE_DATA(0)->node_zones[ZONE_NORMAL];
	page = rmqueue(zone, order);
	/* Out of memory: the slow path reclaims, if the caller may wait. */
	if (!page)
		page = __alloc_pages_direct_reclaim(zone, gfp, order);
	if (!page)
		return NULL;
	prep_new_page(page, order, gfp);
	return page;
}

/* ---- freeing ----------------------------------------------------------- */

/*
 * Make a block ready to be free: check every page, undo compound state,
 * clear the flags a free page must not carry.  False means "do not put
 * this on the free lists" - a bad page, or an order-0 poisoned page.
 */
static bool free_pages_prepare(struct page *page, unsigned int order)
{
	int bad = 0;

	if (unlikely(PageHWPoison(page)) && !order)
		return false;

	if (unlikely(order)) {
		bool compound = PageCompound(page);

		VM_BUG_ON_PAGE(compound && compound_order(page) != order,
			       page);
		if (compound) {
			ClearPageDoubleMap(page);
			ClearPageHasHWPoisoned(page);
		}
		for (unsigned long i = 1; i < (1UL << order); i++) {
			if (compound)
				bad += free_tail_pages_check(page, page + i);
			if (unlikely(free_page_is_bad(page + i))) {
				bad++;
				continue;
			}
			(page + i)->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
		}
	}
	if (PageMappingFlags(page))
		page->mapping = NULL;
	bad += free_page_is_bad(page);
	if (bad)
		return false;
	page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	return true;
}

static void __free_pages_ok(struct page *page, unsigned int order,
			    fpi_t fpi_flags)
{
	struct zone *zone = page_zone(page);

	if (!free_pages_prepare(page, order)) {
		zone->nr_dropped_pages += 1UL << order;
		return;
	}
	spin_lock(&zone->lock);
	__free_one_page(page, page_to_pfn(page), zone, order, fpi_flags);
	spin_unlock(&zone->lock);
}

void free_unref_page(struct page *page, unsigned int order)
{
	__free_pages_ok(page, order, FPI_NONE);
}

void __free_pages(struct page *page, unsigned int order)
{
	if (put_page_testzero(page)) {
		free_unref_page(page, order);
		return;
	}
	/*
	 * Somebody else still holds the first page of a non-compound
	 * block (a speculative reference): free the rest, halving.
	 */
	if (!PageHead(page))
		while (order-- > 0)
			free_unref_page(page + (1UL << order), order);
}

void split_page(struct page *page, unsigned int order)
{
	VM_BUG_ON_PAGE(PageCompound(page), page);
	VM_BUG_ON_PAGE(!page_count(page), page);
	for (unsigned long i = 1; i < (1UL << order); i++)
		set_page_refcounted(page + i);
}

void free_reserved_page(struct page *page)
{
	ClearPageReserved(page);
	init_page_count(page);
	atomic_long_inc(&page_zone(page)->managed_pages);
	__free_page(page);
}

/* ---- compound page destructors ------------------------------------------ */

void free_compound_page(struct page *page)
{
	free_unref_page(page, compound_order(page));
}

/*
 * HUGETLB_PAGE_DTOR is the hugetlb model's (free_huge_page(), back
 * to the pool); TRANSHUGE_PAGE_DTOR frees like a plain compound page
 * until THP split queues exist.
 */
compound_page_dtor * const compound_page_dtors[NR_COMPOUND_DTORS] = {
	[NULL_COMPOUND_DTOR] = NULL,
	[COMPOUND_PAGE_DTOR] = free_compound_page,
	[HUGETLB_PAGE_DTOR] = free_huge_page,
	[TRANSHUGE_PAGE_DTOR] = free_compound_page,
};

void destroy_compound_page(struct page *page)
{
	unsigned int dtor = page[1].compound_dtor;

	VM_BUG_ON_PAGE(dtor >= NR_COMPOUND_DTORS, page);
	VM_BUG_ON_PAGE(!compound_page_dtors[dtor], page);
	compound_page_dtors[dtor](page);
}

/* ---- memory failure support --------------------------------------------- */

bool is_free_buddy_page(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		struct page *head = page - (pfn & ((1UL << order) - 1));

		if (PageBuddy(head) && buddy_order_unsafe(head) >= order)
			return true;
	}
	return false;
}

/*
 * Split the free block [page, page + 2^high) down to order low around
 * target: each halving puts the half without target back on the free
 * lists, until target's own order-low block is left, off the lists.
 */
static void break_down_buddy_pages(struct zone *zone, struct page *page,
				   struct page *target, unsigned int low,
				   unsigned int high)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		struct page *current_buddy;

		high--;
		size >>= 1;
		if (target >= &page[size]) {
			current_buddy = page;
			page = page + size;
		} else {
			current_buddy = page + size;
		}
		add_to_free_list(current_buddy, zone, high);
		set_buddy_order(current_buddy, high);
	}
}

bool take_page_off_buddy(struct page *page)
{
	struct zone *zone = page_zone(page);
	unsigned long pfn = page_to_pfn(page);
	bool ret = false;

	spin_lock(&zone->lock);
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		struct page *head = page - (pfn & ((1UL << order) - 1));
		unsigned int head_order = buddy_order(head);

		if (PageBuddy(head) && head_order >= order) {
			del_page_from_free_list(head, zone, head_order);
			break_down_buddy_pages(zone, head, page, 0, head_order);
			SetPageHWPoisonTakenOff(page);
			__mod_zone_page_state(zone, NR_FREE_PAGES, -1);
			ret = true;
			break;
		}
		/* An allocated block around the page: it is not free. */
		if (page_count(head) > 0)
			break;
	}
	spin_unlock(&zone->lock);
	return ret;
}

bool put_page_back_buddy(struct page *page)
{
	struct zone *zone = page_zone(page);
	bool ret = false;

	spin_lock(&zone->lock);
	if (put_page_testzero(page)) {
		ClearPageHWPoisonTakenOff(page);
		__free_one_page(page, page_to_pfn(page), zone, 0, FPI_NONE);
		if (TestClearPageHWPoison(page))
			ret = true;
	}
	spin_unlock(&zone->lock);
	return ret;
}

/*
 * The kernel defines these two in mm/memory-failure.c.  hwpoison/ does
 * too, and its strong definitions replace these weak ones; they keep
 * mm-model linkable without hwpoison/.
 */
__attribute__((weak)) void SetPageHWPoisonTakenOff(struct page *page)
{
	set_page_private(page, MAGIC_HWPOISON);
}

__attribute__((weak)) void ClearPageHWPoisonTakenOff(struct page *page)
{
	if (PageHWPoison(page))
		set_page_private(page, 0);
}

/* ---- page-table pages --------------------------------------------------- */

bool pgtable_pte_page_ctor(struct page *page)
{
	__SetPageTable(page);
	__mod_zone_page_state(page_zone(page), NR_PAGETABLE, 1);
	return true;
}

void pgtable_pte_page_dtor(struct page *page)
{
	__ClearPageTable(page);
	__mod_zone_page_state(page_zone(page), NR_PAGETABLE, -1);
}

struct page *alloc_pgtable_page(gfp_t gfp)
{
	struct page *page = alloc_page(gfp);

	if (page && !pgtable_pte_page_ctor(page)) {
		__free_page(page);
		return NULL;
	}
	return page;
}

void free_pgtable_page(struct page *page)
{
	pgtable_pte_page_dtor(page);
	__free_page(page);
}

/* ---- consistency --------------------------------------------------------- */

struct free_block {
	unsigned long pfn;
	unsigned int order;
};

static int free_block_cmp(const void *a, const void *b)
{
	const struct free_block *x = a, *y = b;

	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

bool zone_free_lists_valid(struct zone *zone, GString *why)
{
	GArray *blocks = g_array_new(FALSE, FALSE, sizeof(struct free_block));
	unsigned long pages = 0;
	bool ok = true;

	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		struct free_area *area = &zone->free_area[order];
		unsigned long n = 0;
		struct page *page;

		list_for_each_entry(page, &area->free_list, buddy_list) {
			struct free_block b = { page_to_pfn(page), order };

			n++;
			if (!PageBuddy(page) || buddy_order(page) != order)
				ok = mm_complain(why, "pfn %#lx on order-%u list: "
					      "buddy %d order %u", b.pfn, order,
					      PageBuddy(page), buddy_order(page));
			if (b.pfn & ((1UL << order) - 1) ||
			    !zone_spans_pfn(zone, b.pfn) ||
			    !zone_spans_pfn(zone, b.pfn + (1UL << order) - 1))
				ok = mm_complain(why, "pfn %#lx order %u misplaced",
					      b.pfn, order);
			pages += 1UL << order;
			g_array_append_val(blocks, b);
		}
		if (n != area->nr_free)
			ok = mm_complain(why, "order %u: %lu blocks listed, "
				      "nr_free %lu", order, n, area->nr_free);
	}
	if (pages != zone_page_state(zone, NR_FREE_PAGES))
		ok = mm_complain(why, "%lu free pages listed, NR_FREE_PAGES %lu",
			      pages, zone_page_state(zone, NR_FREE_PAGES));

	g_array_sort(blocks, free_block_cmp);
	for (guint i = 1; i < blocks->len; i++) {
		struct free_block *a = &g_array_index(blocks, struct free_block,
						      i - 1);
		struct free_block *b = &g_array_index(blocks, struct free_block,
						      i);

		if (a->pfn + (1UL << a->order) > b->pfn)
			ok = mm_complain(why, "blocks %#lx/%u and %#lx/%u overlap",
				      a->pfn, a->order, b->pfn, b->order);
		else if (a->order == b->order && a->order < MAX_ORDER - 1 &&
			 __find_buddy_pfn(a->pfn, a->order) == b->pfn)
			ok = mm_complain(why, "buddies %#lx and %#lx/%u not merged",
				      a->pfn, b->pfn, b->order);
	}
	g_array_free(blocks, TRUE);
	return ok;
}
