/*
 * page-flags.h - page->flags bits, page types and their accessors.
 *
 * The bit numbers are those of Linux 6.1 on x86-64 (CONFIG_MMU,
 * CONFIG_MEMORY_FAILURE, CONFIG_64BIT), so a flags word printed by
 * hwpsim reads the same as one printed by a real kernel, and the
 * /proc/kpageflags view (page_dump.c) is computed from the same bits.
 *
 * Every flag gets the whole family of accessors, generated below:
 *
 *   PageFoo(page)          test
 *   SetPageFoo(page)       set              __SetPageFoo    (non-atomic)
 *   ClearPageFoo(page)     clear            __ClearPageFoo  (non-atomic)
 *   TestSetPageFoo(page)   set, old value   TestClearPageFoo
 *   folio_test_foo(folio) and friends, for code written against folios.
 *
 * (The atomic and non-atomic forms do the same thing here: see types.h.)
 *
 * Which struct page of a compound page holds a flag is the flag's
 * policy, as in the kernel:
 *   PF_ANY          every page has its own bit
 *   PF_HEAD         the head page's bit stands for the whole compound page
 *   PF_ONLY_HEAD    only ever used on heads (BUG on a tail)
 *   PF_NO_TAIL      tests read the head; changes on a tail are a BUG
 *   PF_NO_COMPOUND  meaningless on compound pages; changes on one BUG
 *   PF_SECOND       kept in the first tail page of a compound page
 */
#ifndef HWPSIM_MM_PAGE_FLAGS_H
#define HWPSIM_MM_PAGE_FLAGS_H

#include "mm-model/mm_types.h"

enum pageflags {
	PG_locked,		/* bit lock; lock_page() */
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,		/* somebody waits on this page's bits */
	PG_error,
	PG_slab,
	PG_owner_priv_1,	/* owner's use; PG_swapcache on swap pages */
	PG_arch_1,
	PG_reserved,
	PG_private,		/* page->private holds owner's data */
	PG_private_2,
	PG_writeback,
	PG_head,		/* first page of a compound page */
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,		/* anonymous or shmem: swap backs it */
	PG_unevictable,
	PG_mlocked,
	PG_hwpoison,		/* the frame holds corrupted data */
	PG_arch_2,
	__NR_PAGEFLAGS,

	/* Second meanings of the same bits. */
	PG_readahead = PG_reclaim,		/* read path only */
	PG_anon_exclusive = PG_mappedtodisk,	/* anonymous pages only */
	PG_checked = PG_owner_priv_1,		/* file systems */
	PG_swapcache = PG_owner_priv_1,		/* with PG_swapbacked */
	PG_double_map = PG_workingset,		/* first tail page */
	PG_has_hwpoisoned = PG_error,		/* first tail page */
	PG_isolated = PG_reclaim,		/* non-LRU movable pages */
	PG_reported = PG_uptodate,		/* free (buddy) pages */
};

#define NR_PAGEFLAGS		__NR_PAGEFLAGS
#define PAGEFLAGS_MASK		((1UL << NR_PAGEFLAGS) - 1)

/* ---- compound pages --------------------------------------------------
 *
 * A compound page of order n is 2^n contiguous pages managed as one.  The
 * head has PG_head; every tail page's compound_head word holds the
 * head's address plus one, so bit 0 says "tail" and clearing it gives
 * the head.
 */
static inline struct page *_compound_head(const struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (unlikely(head & 1))
		return (struct page *)(head - 1);
	return (struct page *)page;
}

#define compound_head(page)	((__typeof__(page))_compound_head(page))

static inline int PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline int PageCompound(const struct page *page)
{
	return test_bit(PG_head, &page->flags) ||
	       (READ_ONCE(page->compound_head) & 1);
}

static inline void set_compound_head(struct page *page, struct page *head)
{
	WRITE_ONCE(page->compound_head, (unsigned long)head + 1);
}

static inline void clear_compound_head(struct page *page)
{
	WRITE_ONCE(page->compound_head, 0);
}

#define page_folio(p)		((struct folio *)_compound_head(p))
#define folio_page(folio, n)	(&(folio)->page + (n))

static inline unsigned long *folio_flags(struct folio *folio, unsigned int n)
{
	struct page *page = &folio->page;

	VM_BUG_ON_PGFLAGS(PageTail(page), page);
	VM_BUG_ON_PGFLAGS(n > 0 && !test_bit(PG_head, &page->flags), page);
	return &page[n].flags;
}

/* ---- policies ------------------------------------------------------ */

#define PF_ANY(page, enforce)	(page)
#define PF_HEAD(page, enforce)	compound_head(page)
#define PF_ONLY_HEAD(page, enforce) ({					\
		struct page *p__ = (page);				\
		VM_BUG_ON_PGFLAGS(PageTail(p__), p__);			\
		p__; })
#define PF_NO_TAIL(page, enforce) ({					\
		struct page *p__ = (page);				\
		VM_BUG_ON_PGFLAGS((enforce) && PageTail(p__), p__);	\
		compound_head(p__); })
#define PF_NO_COMPOUND(page, enforce) ({				\
		struct page *p__ = (page);				\
		VM_BUG_ON_PGFLAGS((enforce) && PageCompound(p__), p__);	\
		p__; })
#define PF_SECOND(page, enforce) ({					\
		struct page *p__ = (page);				\
		VM_BUG_ON_PGFLAGS(!test_bit(PG_head, &p__->flags), p__); \
		&p__[1]; })

/* Which struct page of a folio holds the flag. */
#define FOLIO_PF_ANY		0
#define FOLIO_PF_HEAD		0
#define FOLIO_PF_ONLY_HEAD	0
#define FOLIO_PF_NO_TAIL	0
#define FOLIO_PF_NO_COMPOUND	0
#define FOLIO_PF_SECOND		1

/* ---- accessor generators ------------------------------------------- */

#define PAGEFLAG_TEST(uname, lname, policy)				\
static inline bool folio_test_##lname(struct folio *folio)		\
{ return test_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); }	\
static inline int Page##uname(struct page *page)			\
{ return test_bit(PG_##lname, &policy(page, 0)->flags); }

#define PAGEFLAG_SET(uname, lname, policy)				\
static inline void folio_set_##lname(struct folio *folio)		\
{ set_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); }		\
static inline void __folio_set_##lname(struct folio *folio)		\
{ __set_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); }		\
static inline void SetPage##uname(struct page *page)			\
{ set_bit(PG_##lname, &policy(page, 1)->flags); }			\
static inline void __SetPage##uname(struct page *page)			\
{ __set_bit(PG_##lname, &policy(page, 1)->flags); }

#define PAGEFLAG_CLEAR(uname, lname, policy)				\
static inline void folio_clear_##lname(struct folio *folio)		\
{ clear_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); }		\
static inline void __folio_clear_##lname(struct folio *folio)		\
{ __clear_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); }	\
static inline void ClearPage##uname(struct page *page)			\
{ clear_bit(PG_##lname, &policy(page, 1)->flags); }			\
static inline void __ClearPage##uname(struct page *page)		\
{ __clear_bit(PG_##lname, &policy(page, 1)->flags); }

#define PAGEFLAG_TESTSC(uname, lname, policy)				\
static inline bool folio_test_set_##lname(struct folio *folio)		\
{ return test_and_set_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); } \
static inline bool folio_test_clear_##lname(struct folio *folio)	\
{ return test_and_clear_bit(PG_##lname, folio_flags(folio, FOLIO_##policy)); } \
static inline int TestSetPage##uname(struct page *page)			\
{ return test_and_set_bit(PG_##lname, &policy(page, 1)->flags); }	\
static inline int TestClearPage##uname(struct page *page)		\
{ return test_and_clear_bit(PG_##lname, &policy(page, 1)->flags); }

/* The whole family: test, set, clear (both forms), test-and-set/clear. */
#define PAGEFLAG(uname, lname, policy)					\
	PAGEFLAG_TEST(uname, lname, policy)				\
	PAGEFLAG_SET(uname, lname, policy)				\
	PAGEFLAG_CLEAR(uname, lname, policy)				\
	PAGEFLAG_TESTSC(uname, lname, policy)

PAGEFLAG(Locked, locked, PF_NO_TAIL)
PAGEFLAG(Referenced, referenced, PF_HEAD)
PAGEFLAG(Uptodate, uptodate, PF_NO_TAIL)
PAGEFLAG(Dirty, dirty, PF_HEAD)
PAGEFLAG(LRU, lru, PF_HEAD)
PAGEFLAG(Active, active, PF_HEAD)
PAGEFLAG(Workingset, workingset, PF_HEAD)
PAGEFLAG(Waiters, waiters, PF_ONLY_HEAD)
PAGEFLAG(Error, error, PF_NO_TAIL)
PAGEFLAG(Slab, slab, PF_NO_TAIL)
PAGEFLAG(OwnerPriv1, owner_priv_1, PF_ANY)
PAGEFLAG(Arch1, arch_1, PF_ANY)
PAGEFLAG(Reserved, reserved, PF_NO_COMPOUND)
PAGEFLAG(Private, private, PF_ANY)
PAGEFLAG(Private2, private_2, PF_ANY)
PAGEFLAG(Writeback, writeback, PF_NO_TAIL)
PAGEFLAG(Head, head, PF_ANY)
PAGEFLAG(MappedToDisk, mappedtodisk, PF_NO_TAIL)
PAGEFLAG(Reclaim, reclaim, PF_NO_TAIL)
PAGEFLAG(SwapBacked, swapbacked, PF_NO_TAIL)
PAGEFLAG(Unevictable, unevictable, PF_HEAD)
PAGEFLAG(Mlocked, mlocked, PF_NO_TAIL)
PAGEFLAG(HWPoison, hwpoison, PF_ANY)
PAGEFLAG(Arch2, arch_2, PF_ANY)

/* Second meanings. */
PAGEFLAG(Readahead, readahead, PF_NO_COMPOUND)
PAGEFLAG(Checked, checked, PF_NO_COMPOUND)
PAGEFLAG(AnonExclusive, anon_exclusive, PF_ANY)
PAGEFLAG(DoubleMap, double_map, PF_SECOND)
PAGEFLAG(HasHWPoisoned, has_hwpoisoned, PF_SECOND)
PAGEFLAG(Isolated, isolated, PF_ANY)
PAGEFLAG(Reported, reported, PF_NO_COMPOUND)

/*
 * PG_swapcache is PG_owner_priv_1, which file systems use for their own
 * purposes: the bit means "in the swap cache" only on swap-backed pages.
 */
PAGEFLAG_SET(SwapCache, swapcache, PF_NO_TAIL)
PAGEFLAG_CLEAR(SwapCache, swapcache, PF_NO_TAIL)
PAGEFLAG_TESTSC(SwapCache, swapcache, PF_NO_TAIL)

static inline bool folio_test_swapcache(struct folio *folio)
{
	return folio_test_swapbacked(folio) &&
	       test_bit(PG_swapcache, folio_flags(folio, 0));
}

static inline bool PageSwapCache(struct page *page)
{
	return folio_test_swapcache(page_folio(page));
}

/* ---- transparent huge page helpers --------------------------------- */

/* A head page of a THP or hugetlb page; never ask a tail. */
static inline int PageTransHuge(struct page *page)
{
	VM_BUG_ON_PAGE(PageTail(page), page);
	return PageHead(page);
}

static inline int PageTransCompound(struct page *page)
{
	return PageCompound(page);
}

static inline int PageTransTail(struct page *page)
{
	return PageTail(page);
}

static inline bool folio_test_large(struct folio *folio)
{
	return folio_test_head(folio);
}

/* ---- page types -----------------------------------------------------
 *
 * Pages that no page table maps do not need _mapcount, so its word holds
 * a type instead.  In the kernel's encoding the word is -1 (all ones) for
 * "no type"; a type is marked by clearing its bit, and only counts while
 * the top nibble (PAGE_TYPE_BASE) is still all ones.  A mapcount, even
 * one that over- or underflowed by a little, never looks like a type:
 * the low seven bits stay reserved for that.  (mm-model stores the word
 * complemented, see mm_types.h; page_type_raw() gives the kernel's value.)
 */
#define PAGE_TYPE_BASE		0xf0000000U
#define PAGE_MAPCOUNT_RESERVE	-128
#define PG_buddy		0x00000080U
#define PG_offline		0x00000100U
#define PG_table		0x00000200U
#define PG_guard		0x00000400U

static inline unsigned int page_type_raw(const struct page *page)
{
	return ~page->page_type.complement;
}

static inline void set_page_type_raw(struct page *page, unsigned int type)
{
	page->page_type.complement = ~type;
}

#define PageType(page, flag)						\
	((page_type_raw(page) & (PAGE_TYPE_BASE | (flag))) == PAGE_TYPE_BASE)

static inline int page_has_type(struct page *page)
{
	return (int)page_type_raw(page) < PAGE_MAPCOUNT_RESERVE;
}

#define PAGE_TYPE_OPS(uname, lname)					\
static inline int Page##uname(struct page *page)			\
{ return PageType(page, PG_##lname); }					\
static inline void __SetPage##uname(struct page *page)			\
{									\
	VM_BUG_ON_PAGE(!PageType(page, 0), page);			\
	set_page_type_raw(page, page_type_raw(page) & ~PG_##lname);	\
}									\
static inline void __ClearPage##uname(struct page *page)		\
{									\
	VM_BUG_ON_PAGE(!Page##uname(page), page);			\
	set_page_type_raw(page, page_type_raw(page) | PG_##lname);	\
}

/* Free, and the first page of a block on a free_area list (page_alloc.c). */
PAGE_TYPE_OPS(Buddy, buddy)
/* Logically offline (balloon, not onlined). */
PAGE_TYPE_OPS(Offline, offline)
/* Holds a page table. */
PAGE_TYPE_OPS(Table, table)
/* debug_pagealloc guard page; never set by the model. */
PAGE_TYPE_OPS(Guard, guard)

/* ---- page->mapping tags ---------------------------------------------
 *
 * page->mapping of an anonymous page points to its anon_vma, with bit 0
 * (PAGE_MAPPING_ANON) set to tell it from an address_space.  Both low
 * bits set is a KSM page; bit 1 alone a non-LRU movable page.  Only ask
 * these of pages that are not PageSlab: slab reuses the word.
 */
#define PAGE_MAPPING_ANON	0x1UL
#define PAGE_MAPPING_MOVABLE	0x2UL
#define PAGE_MAPPING_KSM	(PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)
#define PAGE_MAPPING_FLAGS	(PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)

static inline int PageMappingFlags(struct page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_FLAGS) != 0;
}

static inline bool folio_test_anon(struct folio *folio)
{
	return ((unsigned long)folio->mapping & PAGE_MAPPING_ANON) != 0;
}

static inline bool PageAnon(struct page *page)
{
	return folio_test_anon(page_folio(page));
}

static inline int __PageMovable(struct page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_FLAGS) ==
	       PAGE_MAPPING_MOVABLE;
}

static inline bool PageKsm(struct page *page)
{
	return ((unsigned long)page_folio(page)->mapping &
		PAGE_MAPPING_FLAGS) == PAGE_MAPPING_KSM;
}

/* ---- flag sets ------------------------------------------------------ */

#define __PG_HWPOISON		(1UL << PG_hwpoison)
#define __PG_MLOCKED		(1UL << PG_mlocked)
/* page->private of a poisoned page that take_page_off_buddy() took. */
#define MAGIC_HWPOISON		0x48575053U	/* "HWPS" */

/* Set on a page being freed, these mean a bug (bad_page()). */
#define PAGE_FLAGS_CHECK_AT_FREE					\
	(1UL << PG_lru | 1UL << PG_locked | 1UL << PG_private |		\
	 1UL << PG_private_2 | 1UL << PG_writeback | 1UL << PG_reserved | \
	 1UL << PG_slab | 1UL << PG_active | 1UL << PG_unevictable |	\
	 __PG_MLOCKED)

/*
 * Set on a page leaving the allocator, these mean a bug - except
 * PG_hwpoison, which a page keeps across free and allocation on purpose
 * so it is never handed out again (see check_new_page()).
 */
#define PAGE_FLAGS_CHECK_AT_PREP	(PAGEFLAGS_MASK & ~__PG_HWPOISON)

#define PAGE_FLAGS_PRIVATE	(1UL << PG_private | 1UL << PG_private_2)

static inline int page_has_private(struct page *page)
{
	return !!(page->flags & PAGE_FLAGS_PRIVATE);
}

#endif
