/*
 * mm_types.h - struct page, in the kernel's (6.1, x86-64) layout.
 *
 * One struct page describes one 4 KiB physical page frame.  Like the
 * kernel's it is 64 bytes, and most of it is a union whose meaning
 * depends on what owns the page:
 *
 *   offset  0  flags        PG_* bits (page-flags.h)
 *   offset  8  five words:  page cache / anon:  lru, mapping, index, private
 *                           buddy (free):       buddy_list, order in private
 *                           compound tail:      compound_head (bit 0 set)
 *                           first tail:         + dtor, order, mapcount, nr
 *                           second tail:        deferred_list
 *                           page table:         pt_mm, ptl
 *                           slab:               struct slab (slab.h)
 *   offset 48  _mapcount    -1: mapped by no page table
 *              page_type    shares the word, for pages never mapped to
 *                           user space (PageBuddy, PageTable, ...)
 *   offset 52  _refcount    0: free
 *   offset 56  memcg_data   unused by the model; kept for the layout
 *
 * One difference from the kernel, invisible through the accessors: the
 * _mapcount/page_type word is stored complemented.  The kernel's resting
 * values there are -1 ("not mapped") and 0xffffffff ("no type"); stored
 * as ~value both are 0.  So a struct page of all zero bytes is a valid
 * free page that is not the first of its buddy block ("a free tail"):
 * flags 0, count 0, no mapping, _mapcount -1, no type.  That is what lets
 * memory.c map the mem_map as untouched anonymous memory and write only
 * the first page of each free block at boot.
 *
 * Read and change the word only through atomic_read(&page->_mapcount)
 * and friends (types.h dispatches them on atomic_mapcount_t) and the
 * page type helpers of page-flags.h; both deal in the kernel's values.
 * page_type is a struct so that kernel code doing raw arithmetic on it
 * fails to compile instead of silently reading the complement.
 */
#ifndef HWPSIM_MM_MM_TYPES_H
#define HWPSIM_MM_MM_TYPES_H

#include <assert.h>

#include "mm-model/types.h"
#include "mm-model/list.h"

struct address_space;
struct mm_struct;
struct sim_lock;
struct page;

typedef struct page *pgtable_t;

/* The page_type word, complemented (see above). */
struct page_type_word {
	unsigned int complement;
};

struct page {
	unsigned long flags;
	union {
		/* Page cache, anonymous and free (buddy) pages. */
		struct {
			union {
				/* On an LRU list, guarded by lruvec->lru_lock. */
				struct list_head lru;
				/* On a free_area list, guarded by zone->lock. */
				struct list_head buddy_list;
				/* Unevictable (mlocked) pages reuse the slot. */
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
			};
			/*
			 * File pages: the owning address_space.  Anonymous
			 * pages: the anon_vma, tagged PAGE_MAPPING_ANON in
			 * bit 0 (page-flags.h).
			 */
			struct address_space *mapping;
			pgoff_t index;		/* offset within mapping */
			/*
			 * Owner's word: buffer heads, the swap entry of a
			 * swap cache page, a free block's order (buddy),
			 * MAGIC_HWPOISON for a page taken off the buddy.
			 */
			unsigned long private;
		};
		/* Tail pages of a compound page. */
		struct {
			unsigned long compound_head;	/* head + 1 */
			/* First tail page only: */
			unsigned char compound_dtor;
			unsigned char compound_order;
			atomic_t compound_mapcount;	/* PMD mappings - 1 */
			atomic_t compound_pincount;
			unsigned int compound_nr;	/* 1 << compound_order */
		};
		/* Second tail page of a compound page. */
		struct {
			unsigned long _compound_pad_1;
			unsigned long _compound_pad_2;
			struct list_head deferred_list;	/* THP split queue */
		};
		/* Page-table pages. */
		struct {
			unsigned long _pt_pad_1;
			pgtable_t pmd_huge_pte;
			unsigned long _pt_pad_2;
			union {
				struct mm_struct *pt_mm;
				atomic_t pt_frag_refcount;
			};
			/*
			 * The split page-table lock.  A sim lock is larger
			 * than a word, so it lives outside struct page, as
			 * the kernel's does with ALLOC_SPLIT_PTLOCKS.
			 */
			struct sim_lock *ptl;
		};
	};
	union {
		/*
		 * Page-table mappings of this page, minus one: -1 when no
		 * page table maps it.  Read it with page_mapcount().
		 */
		atomic_mapcount_t _mapcount;
		/*
		 * For pages no page table ever maps: 0xffffffff means no
		 * type, and a type is a cleared bit below PAGE_TYPE_BASE.
		 * Use page_type_raw() and the PageFoo() type helpers.
		 */
		struct page_type_word page_type;
	};
	/* References; 0 means free.  Use the page_ref_*() helpers. */
	atomic_t _refcount;
	unsigned long memcg_data;
};

static_assert(sizeof(struct page) <= 64, "struct page must fit 64 bytes");
static_assert(offsetof(struct page, compound_head) ==
	      offsetof(struct page, lru), "compound_head overlays lru.next");
static_assert(offsetof(struct page, _mapcount) == 48, "kernel layout");
static_assert(offsetof(struct page, _refcount) == 52, "kernel layout");

/*
 * A folio is a page that is not a tail page: a single page or the head
 * of a compound page.  It shares struct page's memory; page_folio()
 * converts.  mm-model keeps pages as its main currency, like most of
 * 6.1's memory-failure.c, and offers folios where the kernel's code
 * passes them.
 */
struct folio {
	union {
		struct {
			unsigned long flags;
			union {
				struct list_head lru;
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
			};
			struct address_space *mapping;
			pgoff_t index;
			void *private;
			atomic_mapcount_t _mapcount;
			atomic_t _refcount;
			unsigned long memcg_data;
		};
		struct page page;
	};
};

static_assert(sizeof(struct folio) == sizeof(struct page), "folio is a page");
static_assert(offsetof(struct folio, mapping) ==
	      offsetof(struct page, mapping), "folio layout");
static_assert(offsetof(struct folio, private) ==
	      offsetof(struct page, private), "folio layout");
static_assert(offsetof(struct folio, _refcount) ==
	      offsetof(struct page, _refcount), "folio layout");

#endif
