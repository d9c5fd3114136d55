-- Two memory errors on two pages of one huge page (6.1, raw policy).
--
-- The first error in a hugetlbfs page poisons it (PG_hwpoison on the
-- head, raw page 1 on the raw_hwp list) and the page stays in the file,
-- pinned.  The second error, on another subpage of the same huge page:
-- get_huge_page_for_hwpoison -> hugetlb_update_hwpoison finds the head
-- already poisoned, records raw page 2 (num_poisoned_pages counts it:
-- 2 now) and returns MF_HUGETLB_FOLIO_PRE_POISONED, so memory_failure
-- logs "already hardware poisoned" and returns -EHWPOISON without a new
-- action_result.  The same page a third time is
-- MF_HUGETLB_PAGE_PRE_POISONED: nothing recorded, -EHWPOISON.  The task
-- that touches any of it afterwards is killed with lsb 21, once.

local MiB2 = 2 * 1024 * 1024
local m = hwp.machine{ memory = "64M", hugepages = 2 }
local f = m:file{ name = "shm.huge", fs = "hugetlbfs" }
local app = m:spawn{ name = "app", sigbus = "catch" }
local a = app:mmap{ pages = 1, prot = "rw", shared = true, file = f }
app:write(a, "table")
local head = app:pfn(a)

expect.truthy(m:corrupt_pfn(head + 10))
expect.action(m, "huge page", "Recovered", head + 10)
expect.eq(m:poisoned_pages(), 1)

local ok, err = m:corrupt_pfn(head + 200)
expect.eq(ok, nil)
expect.eq(err, "EHWPOISON")
expect.log(m, string.format("0x%x: already hardware poisoned", head + 200))
expect.eq(#m:actions(), 1, "no second action_result")
expect.eq(m:poisoned_pages(), 2, "the second raw page is counted")
local hp = m:hugepage(head)
expect.eq(#hp.raw, 2)
expect.eq(hp.raw[1], head + 200, "newest first (an llist)")
expect.eq(hp.raw[2], head + 10)
expect.eq(hp.poisoned_subpages, 1, "still only the head's flag")

-- The same raw page again: nothing new.
local ok3, err3 = m:corrupt_pfn(head + 200)
expect.eq(ok3, nil)
expect.eq(err3, "EHWPOISON")
expect.eq(m:poisoned_pages(), 2)
expect.eq(#m:hugepage(head).raw, 2)

local _, sig = app:read(a + 4096 * 200, 1)
expect.eq(sig, "SIGBUS")
expect.sigbus(app, { code = "AR", addr = a + 4096 * 200, lsb = 21 })
expect.invariants(m)
