-- A memory error in a free huge page: dissolved, pool one page smaller.
--
-- 6.1 (try_memory_failure_hugetlb, MF_HUGETLB_FREED): the free huge page
-- is marked PG_hwpoison with the raw error page on its raw_hwp list, then
-- dissolve_free_huge_page() gives it back to the buddy allocator as 512
-- base pages - PG_hwpoison moving from the head to the raw error page -
-- and take_page_off_buddy() keeps that one page out.  The other 511 are
-- free memory again.  dmesg: "free huge page: Recovered".  Nobody maps
-- it, so nobody is signalled.

local m = hwp.machine{ memory = "64M", hugepages = 3 }
expect.eq(m:hugepages().total, 3)

-- Which pool page is free?  Allocate one, free it: the pool reuses it first.
local t = m:spawn{ name = "probe" }
local a = t:mmap{ pages = 1, prot = "rw", huge = true }
t:write(a, "x")
local head = t:pfn(a)
t:munmap(a, 1)
expect.eq(m:hugepages().free, 3)
expect.truthy(m:hugepage(head).free)

local buddy_before = m:free_pages()
local bad = head + 17
expect.truthy(m:corrupt_pfn(bad))
expect.action(m, "free huge page", "Recovered", bad)
expect.log(m, "recovery action for free huge page: Recovered")

local pool = m:hugepages()
expect.eq(pool.total, 2, "the pool shrank by one huge page")
expect.eq(pool.free, 2)
expect.eq(pool.dissolved, 1)
expect.eq(m:hugepage(head), nil, "no longer a huge page")
expect.eq(m:free_pages() - buddy_before, 511,
          "511 healthy subpages back to the buddy allocator")
expect.page(m, bad, { hwpoison = true })
expect.eq(m:page(head).hwpoison, false, "PG_hwpoison moved to the raw page")
expect.eq(m:poisoned_pages(), 1)

-- The healthy pages are usable again; the bad one is never handed out.
local u = m:spawn{ name = "user" }
local b = u:mmap{ pages = 600, prot = "rw" }
for i = 0, 599 do u:write(b + i * 4096, "y") end
for i = 0, 599 do expect.ne(u:pfn(b + i * 4096), bad) end
expect.invariants(m)
