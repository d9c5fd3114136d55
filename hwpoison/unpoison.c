/*
 * unpoison.c - undoing injected errors, and soft offline.
 *
 * unpoison_memory() takes back an error the injector made (it refuses
 * once a real hardware error was seen): the page must be unused - not
 * mapped, not in a file, held by nobody but memory_failure's reference -
 * and then goes back to the allocator.
 *
 * soft_offline_page() retires a page that is still good but suspect
 * (corrected errors piling up): its data moves to a new page, every
 * mapping follows, and the old frame is marked poisoned and never used
 * again.  Nobody is killed and no data is lost.
 */
#include "hwpoison/memory-failure.h"

#include <errno.h>

#include "mm-model/gfp.h"
#include "mm-model/migrate.h"
#include "mm-model/rmap.h"

int unpoison_memory(unsigned long pfn)
{
	struct hwpoison_state *hs = hwpoison_state();
	struct page *page, *p;
	int ret = -EBUSY, ghp;
	bool freeit = false;

	if (!pfn_valid(pfn))
		return -EIO;
	p = pfn_to_page(pfn);
	page = compound_head(p);
	mutex_lock(&hs->mf_mutex);
	if (hs->hw_memory_failure) {
		printk("Unpoison: Disabled after HW memory failure %#lx", pfn);
		ret = -EOPNOTSUPP;
		goto unlock;
	}
	if (!PageHWPoison(p)) {
		printk("Unpoison: Page was already unpoisoned %#lx", pfn);
		goto unlock;
	}
	if (page_count(page) > 1) {
		printk("Unpoison: Someone grabs the hwpoison page %#lx", pfn);
		goto unlock;
	}
	if (page_mapped(page)) {
		printk("Unpoison: Someone maps the hwpoison page %#lx", pfn);
		goto unlock;
	}
	if (page_mapping(page)) {
		printk("Unpoison: the hwpoison page has non-NULL mapping %#lx",
		       pfn);
		goto unlock;
	}
	if (PageSlab(page) || PageTable(page) || PageReserved(page))
		goto unlock;

	ghp = get_page_unless_zero(page) ? 1 :
	      (PageHWPoison(p) && page_private(p) == MAGIC_HWPOISON ?
	       -EHWPOISON : 0);
	if (!ghp) {
		ret = TestClearPageHWPoison(page) ? 0 : -EBUSY;
	} else if (ghp < 0) {
		/* Taken off the buddy lists: put it back. */
		ret = put_page_back_buddy(p) ? 0 : -EBUSY;
	} else {
		freeit = TestClearPageHWPoison(p);
		put_page(page);
		if (freeit) {
			put_page(page);	/* memory_failure's reference */
			ret = 0;
		}
	}
unlock:
	mutex_unlock(&hs->mf_mutex);
	if (!ret || freeit) {
		hs->num_poisoned_pages--;
		physmem_unpoison_page(mm_machine_cur->physmem, pfn);
		printk("Unpoison: Software-unpoisoned page %#lx", pfn);
	}
	return ret;
}

/*
 * Mark a page poisoned that soft offline has emptied (or that was free):
 * it keeps one reference so it never returns to the allocator.
 */
static bool page_handle_poison(struct page *page, bool freepage,
			       bool release)
{
	struct hwpoison_state *hs = hwpoison_state();

	if (freepage && !take_page_off_buddy(page))
		return false;	/* raced with an allocation: it is in use */
	SetPageHWPoison(page);
	if (release)
		put_page(page);
	page_ref_inc(page);
	hs->num_poisoned_pages++;
	return true;
}

static int soft_offline_in_use_page(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	long ret = 0;
	int err;

	lock_page(page);
	wait_on_page_writeback(page);
	if (PageHWPoison(page)) {
		unlock_page(page);
		put_page(page);
		printk("soft offline: %#lx page already poisoned", pfn);
		return 0;
	}
	/* A clean unmapped page-cache page: just drop it from the cache. */
	if (PageLRU(page) && !PageSwapCache(page) && !PageAnon(page))
		ret = invalidate_inode_page(page);
	unlock_page(page);
	if (ret) {
		printk("soft_offline: %#lx: invalidated", pfn);
		page_handle_poison(page, false, true);
		return 0;
	}
	/* migrate_page_to takes our reference over, success or not. */
	err = migrate_page_to(page, NULL);
	if (!err) {
		if (!page_handle_poison(page, false, true))
			return -EBUSY;
		return 0;
	}
	printk("soft offline: %#lx: page migration failed %d, type %s", pfn,
	       err, PageAnon(page) ? "anon" : "file");
	return err > 0 ? -EBUSY : err;
}

int soft_offline_page(unsigned long pfn, int flags)
{
	struct hwpoison_state *hs = hwpoison_state();
	bool try_again = true;
	struct page *page;
	int ret;

	if (!pfn_valid(pfn))
		return -ENXIO;
	page = pfn_to_page(pfn);
	mutex_lock(&hs->mf_mutex);
	if (PageHWPoison(page)) {
		printk("soft_offline_page: %#lx page already poisoned", pfn);
		mutex_unlock(&hs->mf_mutex);
		return 0;
	}
retry:
	if (get_page_unless_zero(page))
		ret = PageLRU(page) ? 1 : -EIO;
	else
		ret = is_free_buddy_page(page) ? 0 : -EBUSY;
	if (ret < 0 && page_count(page))
		put_page(page);
	if (hwpoison_filter(page)) {
		if (ret > 0)
			put_page(page);
		mutex_unlock(&hs->mf_mutex);
		return -EOPNOTSUPP;
	}
	if (ret > 0) {
		ret = soft_offline_in_use_page(page);
	} else if (ret == 0) {
		if (!page_handle_poison(page, true, false)) {
			if (try_again) {
				try_again = false;
				flags &= ~MF_COUNT_INCREASED;
				goto retry;
			}
			ret = -EBUSY;
		}
	} else {
		printk("soft offline: %#lx: unhandlable page", pfn);
	}
	mutex_unlock(&hs->mf_mutex);
	return ret;
}
