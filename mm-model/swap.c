/*
 * swap.c - what happens when a page's last reference goes (the kernel's
 * mm/swap.c, which despite its name is about LRU lists and freeing).
 */
#include "mm-model/internal.h"

/*
 * Detach a page about to be freed from what tracks it in use.
 *
 * The LRU model takes a PageLRU page off its list here (under
 * lruvec->lru_lock) and clears PG_lru; until it exists a page still
 * marked PG_lru reaches the allocator and is reported as a bad page.
 */
static void __page_cache_release(struct page *page)
{
	if (unlikely(PageMlocked(page)))
		__ClearPageMlocked(page);
}

static void __put_single_page(struct page *page)
{
	__page_cache_release(page);
	free_unref_page(page, 0);
}

static void __put_compound_page(struct page *page)
{
	/* hugetlb pages are never on an LRU list. */
	if (!PageHuge(page))
		__page_cache_release(page);
	destroy_compound_page(page);
}

void __put_page(struct page *page)
{
	if (unlikely(PageCompound(page)))
		__put_compound_page(page);
	else
		__put_single_page(page);
}
