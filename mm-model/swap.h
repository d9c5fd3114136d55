/*
 * swap.h - the LRU lists, reclaim, swap devices and the swap cache.
 *
 * LRU (mm/swap.c, mm_inline.h): one lruvec for the machine's node with the
 * kernel's five lists, guarded by lru_lock.  A page joins an LRU list when
 * it enters the page cache or is first mapped anonymously (lru_cache_add);
 * PG_lru says it is on a list, PG_active which half, PG_unevictable that
 * it is mlocked or on an unevictable mapping.  isolate_lru_page() takes a
 * page off for reclaim, migration or memory_failure's shake_page; it holds
 * a reference meanwhile and putback_lru_page() returns it.
 *
 * Reclaim (mm/vmscan.c): shrink_page_list() on isolated pages, as the
 * kernel orders it: skip locked, mapped-and-locked, under writeback
 * (unless reclaiming waits), mlocked; anon pages are added to the swap
 * cache (add_to_swap), unmapped (try_to_unmap leaves swap entries),
 * written to the swap device; dirty file pages are written back and
 * rotated; clean unmapped pages are removed from their mapping and freed.
 * try_to_free_pages() reclaims from the inactive lists (refilling them from
 * the active ones), triggered by a scenario or by the allocator when free
 * memory falls below the low watermark.
 *
 * Swap: a swap device of nr slots (slot 0 is the header), swap_map counts
 * references per slot (PTEs and the swap cache); the device keeps the
 * content written to each slot.  The swap cache is an address_space per
 * device (swapper_space) indexing pages by swap offset; a swap-cache page
 * is PageSwapCache with page->private the entry.  Clean swap cache: the
 * page matches its slot; dirty: it was written after swap-in.
 */
#ifndef HWPSIM_MM_SWAP_H
#define HWPSIM_MM_SWAP_H

#include "sim/lock.h"
#include "mm-model/fs.h"
#include "mm-model/gfp.h"
#include "mm-model/mm.h"

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS,
};

struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	unsigned long nr_pages[NR_LRU_LISTS];
	struct sim_lock lru_lock;	/* spinlock "lru_lock" */
};

/* The machine's lruvec. */
struct lruvec *mem_cgroup_lruvec(void);

void lru_cache_add(struct page *page);
void lru_cache_add_inactive_or_unevictable(struct page *page,
					   struct vm_area_struct *vma);
int isolate_lru_page(struct page *page);	/* 0 or -EBUSY */
void putback_lru_page(struct page *page);
void mark_page_accessed(struct page *page);
void activate_page(struct page *page);
void del_page_from_lru_list(struct page *page, struct lruvec *lruvec);
void lru_add_drain_all(void);
/* mlock (mm/mlock.c): the page becomes unevictable while mapped locked. */
void mlock_page(struct page *page);
void munlock_page(struct page *page);
bool page_evictable(struct page *page);
enum lru_list page_lru(struct page *page);

/* Reclaim. */
struct scan_control {
	unsigned long nr_to_reclaim;
	unsigned long nr_scanned;
	unsigned long nr_reclaimed;
	unsigned long nr_writeback;	/* writes started */
	unsigned long nr_swapped;	/* anon pages written to swap */
	bool may_writepage;
	bool may_swap;
	bool may_unmap;
};
unsigned long shrink_page_list(struct list_head *page_list,
			       struct scan_control *sc);
unsigned long try_to_free_pages(unsigned long nr_pages);
/* Addition: may an allocation with gfp reclaim here (a fiber that can
 * sleep, not already reclaiming)?  The allocator's slow path asks. */
bool reclaim_allowed(gfp_t gfp);

/* Swap devices (mm/swapfile.c). */
struct swap_info_struct {
	unsigned int type;
	unsigned long max;		/* slots, including the header */
	unsigned long inuse_pages;
	unsigned char *swap_map;	/* references per slot */
	struct sim_lock lock;		/* spinlock "swap_lock" */
	GTree *slots;			/* offset -> GBytes written there */
	struct address_space swapper_space;	/* the swap cache */
	uint64_t latency_ns;		/* one page read or write */
	unsigned long cluster_next;	/* next offset to try */
	GQueue inflight;		/* addition: swap IO not completed */
};

int swapon(unsigned long nr_pages, uint64_t latency_ns);	/* type */
struct swap_info_struct *swp_swap_info(swp_entry_t entry);
swp_entry_t get_swap_page(struct page *page);	/* val 0: none free */
int swap_duplicate(swp_entry_t entry);
void swap_free(swp_entry_t entry);
int swp_swapcount(swp_entry_t entry);
unsigned long nr_swap_pages(void);

/* The swap cache (mm/swap_state.c). */
struct address_space *swap_address_space(swp_entry_t entry);
int add_to_swap(struct page *page);		/* 1 on success */
int add_to_swap_cache(struct page *page, swp_entry_t entry);
void __delete_from_swap_cache(struct page *page, swp_entry_t entry);
void delete_from_swap_cache(struct page *page);
struct page *lookup_swap_cache(swp_entry_t entry);
/* Read the slot into a new swap-cache page, locked until read. */
struct page *swapin_readahead(swp_entry_t entry, int *err);
int swap_writepage(struct page *page);
bool try_to_free_swap(struct page *page);
static inline swp_entry_t page_swap_entry(struct page *page)
{
	return (swp_entry_t){ page->private };
}

/* ---- additions (reclaim / swap owner) --------------------------------- */

/*
 * The LRU model has no per-cpu batches (the kernel's pagevecs and
 * folio_batches): lru_cache_add() and friends act on the lruvec at once,
 * so lru_add_drain_all() has nothing to do.  Unevictable pages are
 * counted in nr_pages[LRU_UNEVICTABLE] but, as in 6.1, not linked on
 * lists[LRU_UNEVICTABLE]: their lru.prev word holds mlock_count.
 */

/* Boot step of the LRU and swap layer: registers their invariant checks
 * (mm_machine_new calls it; idempotent). */
void swap_setup(void);
/* Machine teardown (mm_machine_free, before the allocator goes): forget
 * writes in flight, drop swap cache pages, free every swap device. */
void swap_machine_teardown(void);

/* Pages isolated for reclaim at a time, and the starting priority. */
#define SWAP_CLUSTER_MAX	32UL
#define DEF_PRIORITY		12

/* task->flags: the task is reclaiming; its allocations do not recurse. */
#define PF_MEMALLOC		0x00000800

static inline bool page_is_file_lru(struct page *page)
{
	return !PageSwapBacked(page);
}

/* Writeback of a PG_reclaim page ended: move it to the inactive tail
 * (folio_rotate_reclaimable).  Safe from timer callbacks. */
void rotate_reclaimable_page(struct page *page);

/*
 * mlock (mm/mlock.c): mlock_new_page() is for a page not yet on an LRU
 * (a fault in a VM_LOCKED VMA adds it unevictable).  page_add_*_rmap and
 * page_remove_rmap call mlock_page()/munlock_page() for VM_LOCKED VMAs
 * (mlock_vma_page/munlock_vma_page, kept in anon_rmap.c).
 */
void mlock_new_page(struct page *page);

/*
 * swap_map values (include/linux/swap.h): the low bits count the PTEs
 * (and shmem) referring to the slot, SWAP_HAS_CACHE says the swap cache
 * holds a page for it.  No count continuations: a slot referenced
 * SWAP_MAP_MAX times refuses more (swap_duplicate returns -ENOMEM).
 */
#define SWAP_MAP_MAX		0x3e
#define SWAP_MAP_BAD		0x3f
#define SWAP_HAS_CACHE		0x40

unsigned long total_swap_pages(void);
/* More than half of the swap space is in use. */
bool vm_swap_full(void);
/* Take the SWAP_HAS_CACHE reference of a slot that has users: 0,
 * -EEXIST (somebody has it) or -ENOENT (no users). */
int swapcache_prepare(swp_entry_t entry);
/* Drop the swap cache's reference on the slot (put_swap_folio). */
void put_swap_page(struct page *page, swp_entry_t entry);
/* References to the slot without the swap cache's (__swap_count). */
int __swap_count(swp_entry_t entry);
/* zap_pte_range of a swap PTE: drop the reference, and the swap cache
 * page too if nothing else refers to the slot and it is unlocked. */
void free_swap_and_cache(swp_entry_t entry);
/* The swap-cache page of a swap PTE, referenced, or NULL. */
static inline struct page *swap_cache_get_page(swp_entry_t entry)
{
	return lookup_swap_cache(entry);
}
/* Bring a locked swap-cache page up to date from its slot (page_io.c). */
void swap_readpage(struct page *page, bool synchronous);
/* The content stored in a slot (a reference, NULL for none), for checks. */
GBytes *swap_slot_content(swp_entry_t entry);

#endif
