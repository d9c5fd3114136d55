/*
 * swapfile.c - swap devices and their slot counts (the kernel's
 * mm/swapfile.c).
 *
 * A device of max slots; slot 0 is the header and never handed out.
 * swap_map[offset] counts the references to a slot: the swap PTEs (and
 * shmem entries) pointing at it in its low bits, and SWAP_HAS_CACHE while
 * the swap cache holds a page for it.  A slot is free exactly when its
 * count is 0; inuse_pages counts the others (not the header).  When the
 * last reference goes, the content the device kept for the slot goes
 * with it.
 *
 * Allocation is deterministic: devices in type order (the kernel orders
 * them by priority, and equal priorities round-robin; the model gives
 * every device the same priority and no rotation), and within a device
 * the lowest free offset at or after cluster_next, wrapping to 1.  The
 * kernel's cluster and per-cpu slot caches are not modelled.
 *
 * Locks: si->lock ("swap_lock") guards swap_map, inuse_pages and
 * cluster_next; it nests inside the PTE lock (try_to_unmap duplicates
 * entries under it) and outside nothing: no other lock is taken under it.
 * The swap_info[] array only changes at machine set-up and teardown.
 */
#include <errno.h>
#include <string.h>

#include "mm-model/swap_internal.h"

static struct mm_machine *swap_machine(void)
{
	return mm_machine_cur;
}

struct swap_info_struct *swp_swap_info(swp_entry_t entry)
{
	struct mm_machine *m = swap_machine();
	unsigned int type = swp_type(entry);

	if (!m || type >= m->nr_swapfiles)
		return NULL;
	return m->swap_info[type];
}

/* The device of a real swap entry with an offset inside it, or NULL. */
struct swap_info_struct *swap_info_get(swp_entry_t entry)
{
	struct swap_info_struct *si;

	if (!entry.val || non_swap_entry(entry))
		return NULL;
	si = swp_swap_info(entry);
	if (!si || swp_offset(entry) == 0 || swp_offset(entry) >= si->max)
		return NULL;
	return si;
}

static inline unsigned char swap_count(unsigned char ent)
{
	return ent & ~SWAP_HAS_CACHE;
}

static void slot_content_free(gpointer data)
{
	if (data)
		g_bytes_unref(data);
}

/* ---- set-up and teardown ------------------------------------------------ */

extern const struct address_space_operations swap_aops;

static void swapper_space_init(struct address_space *space)
{
	memset(space, 0, sizeof(*space));
	space->i_pages = g_tree_new_full(swap_offset_cmp, NULL, NULL, NULL);
	spin_lock_init(&space->i_pages_lock, "i_pages lock");
	INIT_LIST_HEAD(&space->i_mmap);
	init_rwsem(&space->i_mmap_rwsem, "i_mmap_rwsem");
	init_rwsem(&space->invalidate_lock, "mapping.invalidate_lock");
	space->a_ops = &swap_aops;
}

/*
 * swapon(2) of a device of nr_pages slots (the header included), each
 * page read or written in latency_ns of virtual time.  Returns its type
 * or a negative errno.
 */
int swapon(unsigned long nr_pages, uint64_t latency_ns)
{
	struct mm_machine *m = swap_machine();
	struct swap_info_struct *si;

	if (!m)
		return -ENODEV;
	if (nr_pages < 2 || nr_pages > SWP_OFFSET_MASK)
		return -EINVAL;
	if (m->nr_swapfiles >= MAX_SWAPFILES)
		return -EPERM;
	swap_setup();

	si = g_new0(struct swap_info_struct, 1);
	si->type = m->nr_swapfiles;
	si->max = nr_pages;
	si->swap_map = g_new0(unsigned char, nr_pages);
	si->swap_map[0] = SWAP_MAP_BAD;
	spin_lock_init(&si->lock, "swap_lock");
	si->slots = g_tree_new_full(swap_offset_cmp, NULL, NULL,
				    slot_content_free);
	swapper_space_init(&si->swapper_space);
	si->latency_ns = latency_ns;
	si->cluster_next = 1;
	g_queue_init(&si->inflight);

	m->swap_info[si->type] = si;
	m->nr_swapfiles++;
	return (int)si->type;
}

/*
 * Drop what the swap cache still holds (the tasks have exited, so these
 * are pages nobody maps), then the devices.  Writes in flight are
 * forgotten: the machine goes away with them.
 */
static void swap_cache_drop_all(struct swap_info_struct *si)
{
	struct address_space *space = &si->swapper_space;

	while (g_tree_nnodes(space->i_pages)) {
		GTreeNode *node = g_tree_node_first(space->i_pages);
		struct page *page = g_tree_node_value(node);

		g_tree_remove(space->i_pages, g_tree_node_key(node));
		space->nrpages--;
		ClearPageWriteback(page);
		ClearPageLocked(page);
		ClearPageSwapCache(page);
		ClearPageDirty(page);
		set_page_private(page, 0);
		put_page(page);
	}
}

void swap_machine_teardown(void)
{
	struct mm_machine *m = swap_machine();

	if (!m)
		return;
	for (unsigned int type = 0; type < m->nr_swapfiles; type++) {
		struct swap_info_struct *si = m->swap_info[type];

		swap_io_teardown(si);
		swap_cache_drop_all(si);
		g_tree_destroy(si->swapper_space.i_pages);
		sim_lock_destroy(&si->swapper_space.i_pages_lock);
		sim_lock_destroy(&si->swapper_space.i_mmap_rwsem);
		sim_lock_destroy(&si->swapper_space.invalidate_lock);
		g_tree_destroy(si->slots);
		sim_lock_destroy(&si->lock);
		g_free(si->swap_map);
		g_free(si);
		m->swap_info[type] = NULL;
	}
	m->nr_swapfiles = 0;
}

/* ---- counts ------------------------------------------------------------- */

unsigned long total_swap_pages(void)
{
	struct mm_machine *m = swap_machine();
	unsigned long n = 0;

	for (unsigned int type = 0; m && type < m->nr_swapfiles; type++)
		n += m->swap_info[type]->max - 1;
	return n;
}

/* Free slots on every device (get_nr_swap_pages). */
unsigned long nr_swap_pages(void)
{
	struct mm_machine *m = swap_machine();
	unsigned long n = 0;

	for (unsigned int type = 0; m && type < m->nr_swapfiles; type++) {
		struct swap_info_struct *si = m->swap_info[type];

		n += si->max - 1 - si->inuse_pages;
	}
	return n;
}

bool vm_swap_full(void)
{
	return nr_swap_pages() * 2 < total_swap_pages();
}

int __swap_count(swp_entry_t entry)
{
	struct swap_info_struct *si = swap_info_get(entry);

	return si ? swap_count(si->swap_map[swp_offset(entry)]) : 0;
}

/* PTE (and shmem) references to the slot; no continuations to add. */
int swp_swapcount(swp_entry_t entry)
{
	struct swap_info_struct *si = swap_info_get(entry);
	int count;

	if (!si)
		return 0;
	spin_lock(&si->lock);
	count = swap_count(si->swap_map[swp_offset(entry)]);
	spin_unlock(&si->lock);
	return count;
}

/* ---- allocation --------------------------------------------------------- */

/* The lowest free offset at or after cluster_next, wrapping; 0: full. */
static unsigned long scan_swap_map(struct swap_info_struct *si)
{
	unsigned long start = si->cluster_next;

	if (si->inuse_pages >= si->max - 1)
		return 0;
	if (start == 0 || start >= si->max)
		start = 1;
	for (unsigned long off = start; off < si->max; off++)
		if (!si->swap_map[off])
			return off;
	for (unsigned long off = 1; off < start; off++)
		if (!si->swap_map[off])
			return off;
	return 0;
}

/*
 * A slot for a page about to enter the swap cache: it starts with the
 * SWAP_HAS_CACHE reference only (folio_alloc_swap).  val 0: none free.
 */
swp_entry_t get_swap_page(struct page *page)
{
	struct mm_machine *m = swap_machine();

	(void)page;
	for (unsigned int type = 0; m && type < m->nr_swapfiles; type++) {
		struct swap_info_struct *si = m->swap_info[type];
		unsigned long off;

		spin_lock(&si->lock);
		off = scan_swap_map(si);
		if (off) {
			si->swap_map[off] = SWAP_HAS_CACHE;
			si->inuse_pages++;
			si->cluster_next = off + 1 < si->max ? off + 1 : 1;
		}
		spin_unlock(&si->lock);
		if (off)
			return swp_entry(si->type, off);
	}
	return (swp_entry_t){ 0 };
}

/* The slot's count reached 0: it is free, and its content goes. */
static void swap_entry_free(struct swap_info_struct *si, pgoff_t offset)
{
	si->swap_map[offset] = 0;
	si->inuse_pages--;
	g_tree_remove(si->slots, SWP_KEY(offset));
}

/*
 * Drop one reference of kind usage (1: a PTE's, SWAP_HAS_CACHE: the swap
 * cache's); si->lock held.  Returns what is left.
 */
static unsigned char __swap_entry_free_locked(struct swap_info_struct *si,
					      pgoff_t offset,
					      unsigned char usage)
{
	unsigned char count = swap_count(si->swap_map[offset]);
	unsigned char has_cache = si->swap_map[offset] & SWAP_HAS_CACHE;

	if (usage == SWAP_HAS_CACHE) {
		VM_BUG_ON(!has_cache);
		has_cache = 0;
	} else {
		VM_BUG_ON(!count);
		count--;
	}
	usage = count | has_cache;
	if (usage)
		si->swap_map[offset] = usage;
	else
		swap_entry_free(si, offset);
	return usage;
}

/*
 * Add a reference of kind usage: a PTE's (1; -ENOENT if the slot has no
 * users at all, -ENOMEM past SWAP_MAP_MAX) or the swap cache's
 * (SWAP_HAS_CACHE; -EEXIST if the cache already has one).
 */
static int __swap_duplicate(swp_entry_t entry, unsigned char usage)
{
	struct swap_info_struct *si = swap_info_get(entry);
	pgoff_t offset = swp_offset(entry);
	unsigned char count, has_cache;
	int err = 0;

	if (!si)
		return -EINVAL;
	spin_lock(&si->lock);
	count = swap_count(si->swap_map[offset]);
	has_cache = si->swap_map[offset] & SWAP_HAS_CACHE;
	if (unlikely(count == SWAP_MAP_BAD)) {
		err = -ENOENT;
	} else if (usage == SWAP_HAS_CACHE) {
		if (!count)
			err = has_cache ? -EEXIST : -ENOENT;
		else if (has_cache)
			err = -EEXIST;
		else
			has_cache = SWAP_HAS_CACHE;
	} else if (!count && !has_cache) {
		err = -ENOENT;
	} else if (count < SWAP_MAP_MAX) {
		count++;
	} else {
		err = -ENOMEM;
	}
	if (!err)
		si->swap_map[offset] = count | has_cache;
	spin_unlock(&si->lock);
	return err;
}

int swap_duplicate(swp_entry_t entry)
{
	return __swap_duplicate(entry, 1);
}

int swapcache_prepare(swp_entry_t entry)
{
	return __swap_duplicate(entry, SWAP_HAS_CACHE);
}

/* A PTE's (or shmem's) reference goes. */
void swap_free(swp_entry_t entry)
{
	struct swap_info_struct *si = swap_info_get(entry);

	if (!si)
		return;
	spin_lock(&si->lock);
	__swap_entry_free_locked(si, swp_offset(entry), 1);
	spin_unlock(&si->lock);
}

/* The swap cache's reference goes (put_swap_folio). */
void put_swap_page(struct page *page, swp_entry_t entry)
{
	struct swap_info_struct *si = swap_info_get(entry);

	(void)page;
	if (!si)
		return;
	spin_lock(&si->lock);
	__swap_entry_free_locked(si, swp_offset(entry), SWAP_HAS_CACHE);
	spin_unlock(&si->lock);
}

/* ---- freeing swap-cache pages ------------------------------------------- */

/*
 * The page no longer needs its slot: no PTE refers to it any more and it
 * is not being written.  It leaves the swap cache and becomes a plain
 * dirty anonymous page - its only copy is in memory now (folio_free_swap).
 * The caller holds the page lock.
 */
bool try_to_free_swap(struct page *page)
{
	VM_BUG_ON_PAGE(!PageLocked(page), page);
	if (!PageSwapCache(page))
		return false;
	if (PageWriteback(page))
		return false;
	if (__swap_count(page_swap_entry(page)))
		return false;
	delete_from_swap_cache(page);
	SetPageDirty(page);
	return true;
}

/* What __try_to_reclaim_swap is asked to check. */
#define TTRS_ANYWAY	0x1
#define TTRS_UNMAPPED	0x2
#define TTRS_FULL	0x4

static void __try_to_reclaim_swap(swp_entry_t entry, unsigned long flags)
{
	struct page *page = lookup_swap_cache(entry);

	if (!page)
		return;
	/* Called under a PTE lock: never wait for the page lock. */
	if (trylock_page(page)) {
		if ((flags & TTRS_ANYWAY) ||
		    ((flags & TTRS_UNMAPPED) && !page_mapped(page)) ||
		    ((flags & TTRS_FULL) && vm_swap_full()))
			try_to_free_swap(page);
		unlock_page(page);
	}
	put_page(page);
}

/*
 * A swap PTE is zapped (munmap, exit): its reference goes, and if only
 * the swap cache is left holding the slot, the cached page is dropped
 * too when nothing maps it.
 */
void free_swap_and_cache(swp_entry_t entry)
{
	struct swap_info_struct *si = swap_info_get(entry);
	unsigned char left;

	if (!si)
		return;
	spin_lock(&si->lock);
	left = __swap_entry_free_locked(si, swp_offset(entry), 1);
	spin_unlock(&si->lock);
	if (left == SWAP_HAS_CACHE)
		__try_to_reclaim_swap(entry, TTRS_UNMAPPED | TTRS_FULL);
}

GBytes *swap_slot_content(swp_entry_t entry)
{
	struct swap_info_struct *si = swap_info_get(entry);
	GBytes *bytes;

	if (!si)
		return NULL;
	bytes = g_tree_lookup(si->slots, SWP_KEY(swp_offset(entry)));
	return bytes ? g_bytes_ref(bytes) : NULL;
}
