/*
 * page.h - struct page and what every layer asks of it.
 *
 * The layout is in mm_types.h and the flag bits in page-flags.h; this
 * header adds what the kernel spreads over mm.h, page_ref.h and
 * memory_model.h: compound page geometry, reference counts, map counts,
 * get_page()/put_page(), page_mapping() and pfn <-> struct page.
 *
 * Reference count rules (as the kernel's):
 *   - a free page (in the buddy allocator) has _refcount 0;
 *   - alloc_pages() returns the (head) page with _refcount 1;
 *   - for a compound page only the head's count is used: get_page() and
 *     put_page() on a tail act on the head;
 *   - the put_page() that drops the last reference frees the page,
 *     through the compound destructor for a compound page.
 *
 * Map count rules: _mapcount is the number of page-table entries mapping
 * the page minus one, so -1 is "not mapped" and page_mapcount() is
 * _mapcount + 1.  A compound page mapped whole by a PMD counts that in
 * the first tail's compound_mapcount (also biased by -1).
 */
#ifndef HWPSIM_MM_PAGE_H
#define HWPSIM_MM_PAGE_H

#include "mm-model/types.h"
#include "mm-model/list.h"
#include "mm-model/mm_types.h"
#include "mm-model/page-flags.h"

/* ---- physical frame numbers -----------------------------------------
 *
 * One flat mem_map: the struct page of pfn N is mem_map[N].  mem_map and
 * max_pfn describe the machine that is current (memory.c); pfns from 0 to
 * max_pfn - 1 exist.
 */
extern struct page *mem_map;
extern unsigned long max_pfn;

#define ARCH_PFN_OFFSET		0UL

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - mem_map) + ARCH_PFN_OFFSET;
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return mem_map + (pfn - ARCH_PFN_OFFSET);
}

/* pfns start at 0 (ARCH_PFN_OFFSET) and end before max_pfn. */
static inline int pfn_valid(unsigned long pfn)
{
	return mem_map != NULL && pfn < max_pfn;
}

#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(x)		((uint64_t)(x) << PAGE_SHIFT)
#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))
#define nth_page(page, n)	((page) + (n))
#define folio_pfn(folio)	page_to_pfn(&(folio)->page)

/* ---- page->private -------------------------------------------------- */

#define page_private(page)		((page)->private)

static inline void set_page_private(struct page *page, unsigned long private)
{
	page->private = private;
}

/* ---- compound pages -------------------------------------------------- */

/*
 * What to call when a compound page's last reference goes; kept in the
 * first tail page (compound_dtor).  See destroy_compound_page().
 */
enum compound_dtor_id {
	NULL_COMPOUND_DTOR,
	COMPOUND_PAGE_DTOR,	/* plain __GFP_COMP allocation */
	HUGETLB_PAGE_DTOR,	/* hugetlb page: back to its pool */
	TRANSHUGE_PAGE_DTOR,	/* THP */
	NR_COMPOUND_DTORS,
};

typedef void compound_page_dtor(struct page *page);
extern compound_page_dtor * const compound_page_dtors[NR_COMPOUND_DTORS];

static inline void set_compound_page_dtor(struct page *page,
					  enum compound_dtor_id id)
{
	VM_BUG_ON_PAGE(id >= NR_COMPOUND_DTORS, page);
	page[1].compound_dtor = id;
}

static inline void set_compound_order(struct page *page, unsigned int order)
{
	page[1].compound_order = order;
	page[1].compound_nr = 1U << order;
}

static inline unsigned int compound_order(struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page[1].compound_order;
}

static inline unsigned long compound_nr(struct page *page)
{
	if (!PageHead(page))
		return 1;
	return page[1].compound_nr;
}

static inline unsigned long page_size(struct page *page)
{
	return PAGE_SIZE << compound_order(page);
}

static inline unsigned int page_shift(struct page *page)
{
	return PAGE_SHIFT + compound_order(page);
}

static inline unsigned long thp_nr_pages(struct page *page)
{
	VM_BUG_ON_PGFLAGS(PageTail(page), page);
	return compound_nr(page);
}

static inline unsigned int folio_order(struct folio *folio)
{
	return compound_order(&folio->page);
}

static inline long folio_nr_pages(struct folio *folio)
{
	return (long)compound_nr(&folio->page);
}

static inline atomic_t *compound_mapcount_ptr(struct page *page)
{
	return &page[1].compound_mapcount;
}

static inline atomic_t *compound_pincount_ptr(struct page *page)
{
	return &page[1].compound_pincount;
}

/* PMD mappings of a compound page (head only). */
static inline int head_compound_mapcount(struct page *head)
{
	return atomic_read(compound_mapcount_ptr(head)) + 1;
}

static inline int compound_mapcount(struct page *page)
{
	return head_compound_mapcount(compound_head(page));
}

/* hugetlbfs pages: compound pages whose destructor is hugetlb's. */
static inline int PageHeadHuge(struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page[1].compound_dtor == HUGETLB_PAGE_DTOR;
}

static inline int PageHuge(struct page *page)
{
	if (!PageCompound(page))
		return 0;
	return PageHeadHuge(compound_head(page));
}

static inline bool folio_test_hugetlb(struct folio *folio)
{
	return PageHeadHuge(&folio->page);
}

/* Best effort: the page, or for hugetlb its head, is marked poisoned. */
static inline bool is_page_hwpoison(struct page *page)
{
	if (PageHWPoison(page))
		return true;
	return PageHuge(page) && PageHWPoison(compound_head(page));
}

/* ---- reference counts (page_ref.h) ------------------------------------ */

static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

static inline int folio_ref_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}

/* A page leaving the allocator, or set up outside it, holds one ref. */
static inline void init_page_count(struct page *page)
{
	set_page_count(page, 1);
}

static inline void set_page_refcounted(struct page *page)
{
	VM_BUG_ON_PAGE(PageTail(page), page);
	VM_BUG_ON_PAGE(page_ref_count(page), page);
	set_page_count(page, 1);
}

static inline void page_ref_add(struct page *page, int nr)
{
	atomic_add(nr, &page->_refcount);
}

static inline void page_ref_sub(struct page *page, int nr)
{
	atomic_sub(nr, &page->_refcount);
}

static inline void page_ref_inc(struct page *page)
{
	atomic_inc(&page->_refcount);
}

static inline void page_ref_dec(struct page *page)
{
	atomic_dec(&page->_refcount);
}

static inline int page_ref_sub_and_test(struct page *page, int nr)
{
	return atomic_sub_and_test(nr, &page->_refcount);
}

static inline int page_ref_inc_return(struct page *page)
{
	return atomic_inc_return(&page->_refcount);
}

static inline int page_ref_dec_and_test(struct page *page)
{
	return atomic_dec_and_test(&page->_refcount);
}

static inline int page_ref_dec_return(struct page *page)
{
	return atomic_dec_return(&page->_refcount);
}

static inline bool page_ref_add_unless(struct page *page, int nr, int u)
{
	return atomic_add_unless(&page->_refcount, nr, u);
}

/* Take the count from count to 0 if nobody else holds a reference. */
static inline int page_ref_freeze(struct page *page, int count)
{
	return atomic_cmpxchg(&page->_refcount, count, 0) == count;
}

static inline void page_ref_unfreeze(struct page *page, int count)
{
	VM_BUG_ON_PAGE(page_ref_count(page) != 0, page);
	VM_BUG_ON(count == 0);
	atomic_set(&page->_refcount, count);
}

/* ---- get_page / put_page ---------------------------------------------- */

/* Drop a reference; true if it was the last. */
static inline int put_page_testzero(struct page *page)
{
	VM_BUG_ON_PAGE(page_ref_count(page) == 0, page);
	return page_ref_dec_and_test(page);
}

/* A new reference, unless the page is free (count 0). */
static inline bool get_page_unless_zero(struct page *page)
{
	return page_ref_add_unless(page, 1, 0);
}

static inline void get_page(struct page *page)
{
	page = compound_head(page);
	VM_BUG_ON_PAGE(page_ref_count(page) <= 0, page);
	page_ref_inc(page);
}

static inline bool try_get_page(struct page *page)
{
	page = compound_head(page);
	if (page_ref_count(page) <= 0)
		return false;
	page_ref_inc(page);
	return true;
}

static inline void folio_get(struct folio *folio)
{
	get_page(&folio->page);
}

/* The last reference went: free the page (swap.c). */
void __put_page(struct page *page);

static inline void put_page(struct page *page)
{
	page = compound_head(page);
	if (put_page_testzero(page))
		__put_page(page);
}

static inline void folio_put(struct folio *folio)
{
	put_page(&folio->page);
}

/* ---- map counts ------------------------------------------------------ */

static inline void page_mapcount_reset(struct page *page)
{
	atomic_set(&page->_mapcount, -1);
}

/*
 * Page-table entries mapping this page: its own PTE mappings plus, for a
 * compound page, the PMD mappings of the whole.  Not meaningful for
 * PageSlab or typed pages (their word is not a map count).
 */
static inline int page_mapcount(struct page *page)
{
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (likely(!PageCompound(page)))
		return mapcount;
	return mapcount + compound_mapcount(page);
}

/* Any page table maps the page (or its compound page)? (util.c) */
bool page_mapped(struct page *page);
bool folio_mapped(struct folio *folio);
int total_mapcount(struct page *page);

/* ---- mappings ------------------------------------------------------- */

/*
 * The address_space a page belongs to for I/O: the file's mapping, the
 * swap address space for a swap cache page, NULL for anonymous and
 * slab pages. (util.c)
 */
struct address_space *page_mapping(struct page *page);
struct address_space *folio_mapping(struct folio *folio);

/* The anon_vma pointer of an anonymous page, tag removed, or NULL. */
static inline void *page_anon_vma_raw(struct page *page)
{
	unsigned long mapping = (unsigned long)compound_head(page)->mapping;

	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (void *)(mapping - PAGE_MAPPING_ANON);
}

static inline pgoff_t page_index(struct page *page)
{
	return page->index;
}

#endif
