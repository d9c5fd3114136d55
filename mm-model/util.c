/*
 * util.c - questions about a page's mappings (the kernel's mm/util.c).
 */
#include <stdarg.h>
#include "mm-model/internal.h"
#include "mm-model/swap.h"

struct address_space *folio_mapping(struct folio *folio)
{
	struct address_space *mapping;

	/* Slab reuses the mapping word for its cache pointer. */
	if (unlikely(folio_test_slab(folio)))
		return NULL;
	/*
	 * A swap cache page belongs to the swap address space of its swap
	 * entry (page->private), whatever its anon_vma says.
	 */
	if (unlikely(folio_test_swapcache(folio)))
		return swap_address_space(
			(swp_entry_t){ (unsigned long)folio->private });
	mapping = folio->mapping;
	if ((unsigned long)mapping & PAGE_MAPPING_FLAGS)
		return NULL;
	return mapping;
}

struct address_space *page_mapping(struct page *page)
{
	return folio_mapping(page_folio(page));
}

/*
 * A large folio is mapped if the whole is (PMD) or any of its pages is
 * (PTE).  hugetlb pages are only ever mapped whole.
 */
bool folio_mapped(struct folio *folio)
{
	long nr;

	if (!folio_test_large(folio))
		return atomic_read(&folio->_mapcount) >= 0;
	if (atomic_read(compound_mapcount_ptr(&folio->page)) >= 0)
		return true;
	if (folio_test_hugetlb(folio))
		return false;
	nr = folio_nr_pages(folio);
	for (long i = 0; i < nr; i++)
		if (atomic_read(&folio_page(folio, i)->_mapcount) >= 0)
			return true;
	return false;
}

bool page_mapped(struct page *page)
{
	return folio_mapped(page_folio(page));
}

/* All page-table mappings of the page's compound page, counted once each. */
int total_mapcount(struct page *page)
{
	struct page *head;
	int ret;
	long nr;

	if (likely(!PageCompound(page)))
		return atomic_read(&page->_mapcount) + 1;
	head = compound_head(page);
	ret = head_compound_mapcount(head);
	if (PageHuge(head))
		return ret;
	nr = (long)compound_nr(head);
	for (long i = 0; i < nr; i++)
		ret += atomic_read(&head[i]._mapcount) + 1;
	return ret;
}

bool mm_complain(GString *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		g_string_append_vprintf(why, fmt, ap);
		va_end(ap);
		g_string_append_c(why, '\n');
	}
	return false;
}
