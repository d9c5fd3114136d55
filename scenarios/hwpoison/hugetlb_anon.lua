-- An error in an in-use anonymous MAP_HUGETLB page: late and early kill.
--
-- 6.1: get_huge_page_for_hwpoison takes a reference and sets PG_hwpoison
-- on the head (the raw error page goes on its raw_hwp list);
-- hwpoison_user_mappings collects the processes on the head page and
-- try_to_unmap replaces the PMD entry by a hwpoison entry; me_huge_page
-- then frees the unmapped huge page and dissolves it, so its 511 healthy
-- subpages go back to the buddy allocator ("huge page: Recovered").
-- Late kill (default): the next access anywhere in the 2 MiB faults on
-- the hwpoison entry with VM_FAULT_HWPOISON_LARGE - SIGBUS BUS_MCEERR_AR
-- with si_addr the faulting address and si_addr_lsb 21.  Early kill
-- (seed 004: "the early kill signal BUS_MCEERR_AO for hugetlb users"):
-- BUS_MCEERR_AO at once, si_addr the huge page's start (6.1 collects
-- procs on the head page), si_addr_lsb 21.

local MiB2 = 2 * 1024 * 1024
local m = hwp.machine{ memory = "64M", hugepages = 4 }

-- Late kill.
local late = m:spawn{ name = "late", sigbus = "catch" }
local a = late:mmap{ pages = 1, prot = "rw", huge = true }
late:write(a + 4096 * 5, "precious")
local head = late:pfn(a)
local buddy_before = m:free_pages()
expect.truthy(m:corrupt_pfn(head + 5))
expect.action(m, "huge page", "Recovered", head + 5)
expect.no_signal(late, "late kill: nothing until the page is touched")
expect.eq(late:pte(a), "hwpoison", "one hwpoison entry for the 2 MiB")
expect.eq(late:pte(a + MiB2 - 4096), "hwpoison")
expect.eq(m:hugepages().total, 3, "the poisoned huge page left the pool")
expect.eq(m:free_pages() - buddy_before, 511, "healthy subpages reused")
expect.page(m, head + 5, { hwpoison = true })
expect.eq(m:poisoned_pages(), 1)
-- Touching a healthy subpage faults too: the whole PMD is gone.
local data, sig = late:read(a + 4096 * 300 + 8, 4)
expect.eq(data, nil)
expect.eq(sig, "SIGBUS")
expect.sigbus(late, { code = "AR", addr = a + 4096 * 300 + 8, lsb = 21 })
expect.alive(late, "a handler that returns keeps the task alive")

-- Without a handler the access is fatal.
local plain = m:spawn{ name = "plain" }
local p = plain:mmap{ pages = 1, prot = "rw", huge = true }
plain:write(p, "data")
m:corrupt_pfn(plain:pfn(p + 4096 * 511))
expect.alive(plain)
plain:write(p, "again")
expect.dead(plain, "SIGBUS")
expect.log(m, "Killing plain:%d+ due to hardware memory corruption")
expect.eq(m:hugepages().total, 2)

-- Early kill: AO at once, to every process mapping the huge page.
hwp.policy{ early_kill = "1" }
local early = m:spawn{ name = "early", sigbus = "catch" }
local e = early:mmap{ pages = 1, prot = "rw", huge = true }
early:write(e + 4096 * 9, "cache")
local twin = early:fork{ name = "twin" }  -- shares it COW, and the handler
local ehead = early:pfn(e)
expect.truthy(m:corrupt_pfn(ehead + 9))
expect.action(m, "huge page", "Recovered", ehead + 9)
expect.sigbus(early, { code = "AO", addr = e, lsb = 21 })
expect.alive(early)
expect.sigbus(twin, { code = "AO", addr = e, lsb = 21 }, "the fork shares it")
expect.eq(early:pte(e), "hwpoison")
-- The early-killed process that ignores the warning gets AR on access.
local _, sig2 = early:read(e + 4096 * 9, 1)
expect.eq(sig2, "SIGBUS")
expect.sigbus(early, { code = "AR", addr = e + 4096 * 9, lsb = 21 })
expect.eq(m:hugepages().total, 1)
expect.eq(m:poisoned_pages(), 3)
expect.invariants(m)
