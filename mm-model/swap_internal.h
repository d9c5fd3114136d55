/*
 * swap_internal.h - what the LRU, mlock, swap and reclaim files of
 * mm-model share (swap.c, mlock.c, swapfile.c, swap_state.c, page_io.c,
 * vmscan.c, rmap_walk.c).  Other layers use swap.h and rmap.h.
 */
#ifndef HWPSIM_MM_SWAP_INTERNAL_H
#define HWPSIM_MM_SWAP_INTERNAL_H

#include "mm-model/internal.h"
#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/swap.h"

/* swap.c: move an LRU page to or from the unevictable count (lru_lock
 * held, PG_lru cleared by the caller meanwhile). */
void lru_move_evictable(struct page *page, struct lruvec *lruvec,
			bool unevictable);
void lru_add_page_locked(struct page *page, struct lruvec *lruvec);

/* swapfile.c */
struct swap_info_struct *swap_info_get(swp_entry_t entry);
/* swap_state.c: the swap cache's checks for the machine's checker. */
bool swap_cache_check_invariants(struct mm_machine *m, GString *why);
/* page_io.c: forget writes in flight (teardown). */
void swap_io_teardown(struct swap_info_struct *si);

/* True inside a fiber: IO takes virtual time and callers may sleep. */
static inline bool swap_in_fiber(void)
{
	struct sim *s = mm_machine_cur ? mm_machine_cur->sim : NULL;

	return s && sim_current(s);
}

/* The index -> page ordering of a swapper_space's i_pages. */
gint swap_offset_cmp(gconstpointer a, gconstpointer b, gpointer unused);
#define SWP_KEY(off)	GSIZE_TO_POINTER((gsize)(off))
#define SWP_KEY_OFF(k)	((pgoff_t)GPOINTER_TO_SIZE(k))

#endif
