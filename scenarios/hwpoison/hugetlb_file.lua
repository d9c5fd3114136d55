-- An error in a hugetlbfs file's huge page, shared by two processes.
--
-- 6.1: the head gets PG_hwpoison (raw page on the raw_hwp list), both
-- PMD mappings become hwpoison entries, and me_huge_page calls
-- truncate_error_page - hugetlbfs_error_remove_page does nothing, so the
-- page STAYS in the file's page cache, pinned by memory_failure's
-- reference ("huge page: Recovered").  The data is gone with no copy
-- anywhere: a hugetlbfs page is always dirty, so early-kill processes
-- get BUS_MCEERR_AO (lsb 21) at once, the others AR on access; read(2)
-- of any part of that huge page returns EIO; a new mapping's fault finds
-- the page PageHWPoison and gets SIGBUS lsb 21; the other huge pages of
-- the file are untouched.

local MiB2 = 2 * 1024 * 1024
local m = hwp.machine{ memory = "64M", hugepages = 4 }
local f = m:file{ name = "db.huge", fs = "hugetlbfs" }

local early = m:spawn{ name = "cache", sigbus = "catch", mce_kill = "early" }
local late = m:spawn{ name = "reader", sigbus = "catch" }
local ea = early:mmap{ pages = 2, prot = "rw", shared = true, file = f }
early:write(ea, "page zero")
early:write(ea + MiB2 + 4096 * 2, "page one")
local la = late:mmap{ pages = 2, prot = "r", shared = true, file = f }
expect.eq(late:read(la + MiB2 + 4096 * 2, 8), "page one")
local head = early:pfn(ea + MiB2)
expect.eq(late:pfn(la + MiB2), head, "one page cache page, two mappings")

expect.truthy(m:corrupt_pfn(head + 2))
expect.action(m, "huge page", "Recovered", head + 2)
expect.sigbus(early, { code = "AO", addr = ea + MiB2, lsb = 21 })
expect.no_signal(late, "late kill")
expect.eq(early:pte(ea + MiB2), "hwpoison")
expect.eq(late:pte(la + MiB2), "hwpoison")

local hp = m:hugepage(head)
expect.truthy(hp, "still a huge page: kept in the page cache")
expect.eq(hp.hwpoison, true)
expect.eq(hp.poisoned_subpages, 1, "6.1: PG_hwpoison on the head only")
expect.eq(#hp.raw, 1)
expect.eq(hp.raw[1], head + 2)
expect.eq(hp.mapcount, 0)
expect.eq(m:hugepages().total, 4, "not dissolved: the file holds it")

-- Access to a healthy subpage of it: SIGBUS AR, lsb 21.
local _, sig = late:read(la + MiB2 + 4096 * 400, 1)
expect.eq(sig, "SIGBUS")
expect.sigbus(late, { code = "AR", addr = la + MiB2 + 4096 * 400, lsb = 21 })
-- The first huge page is fine.
expect.eq(late:read(la, 9), "page zero")

-- read(2): EIO for the poisoned huge page, data for the other.
local fd = f:open("r")
local d, err = fd:read(MiB2 + 4096 * 300, 4)
expect.eq(d, nil)
expect.eq(err, "EIO")
expect.eq(fd:read(0, 9), "page zero")

-- A fresh mapping: no hwpoison entry, the fault checks PageHWPoison.
local newcomer = m:spawn{ name = "newcomer", sigbus = "catch" }
local na = newcomer:mmap{ pages = 2, prot = "r", shared = true, file = f }
local _, sig2 = newcomer:read(na + MiB2 + 8, 1)
expect.eq(sig2, "SIGBUS")
expect.sigbus(newcomer, { code = "AR", addr = na + MiB2 + 8, lsb = 21 })
expect.invariants(m)
