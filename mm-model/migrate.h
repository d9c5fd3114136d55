/*
 * migrate.h - moving a page to a new frame (soft offline).
 */
#ifndef HWPSIM_MM_MIGRATE_H
#define HWPSIM_MM_MIGRATE_H

#include "mm-model/page.h"

/*
 * Move page's contents and every mapping to a newly allocated frame.  The
 * caller passes its reference on page, which this takes over (as the
 * kernel's isolate_page does).  On success the old page is off the LRU,
 * unlocked, unmapped, out of any cache, and held by one reference the
 * caller now owns; *newp (if given) is the new page.  On failure the old
 * page is back where it was and the reference is gone: -EBUSY (not
 * isolatable, swap cache), -EAGAIN (someone else holds it), -EHWPOISON
 * (its frame is poisoned: the copy failed), -ENOMEM.
 */
int migrate_page_to(struct page *page, struct page **newp);

#endif
