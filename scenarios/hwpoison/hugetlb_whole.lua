-- Seed 004's 2010 design (hugetlb_poison = "whole") against 6.1 ("raw").
--
-- 2010: "PG_hwpoison bits on all pages in the hugepage are set ... there
-- is a some risk to be killed by touching non-guilty pages".  6.1 sets it
-- on the head only and records the raw error pages.  What really differs
-- in the model (and in the kernels):
--   * which subpages carry PG_hwpoison: all 512 (whole) vs the head as
--     the folio's flag (raw), moved to the raw error pages on dissolve;
--   * num_poisoned_pages: +512 per huge page (whole) vs +1 per distinct
--     raw error page (raw);
--   * what is given back: whole takes the huge page out of the pool and
--     reuses none of its frames; raw dissolves a free (or freed anon)
--     huge page and returns 511 frames to the buddy allocator;
--   * a second error in the same huge page: whole finds its subpage
--     already poisoned (nothing counted); raw records and counts it.
-- What does NOT differ: an in-use huge page is mapped by one PMD entry in
-- both, so after the error every access of the 2 MiB - the guilty 4 KiB
-- or any healthy subpage - hits the PMD hwpoison entry and the task gets
-- SIGBUS AR with si_addr_lsb 21.  6.1 contains the accounting and the
-- recovered memory to the raw page, not the process's view.

local MiB2 = 2 * 1024 * 1024
local m = hwp.machine{ memory = "64M", hugepages = 4,
                       policy = { hugetlb_poison = "whole" } }

-- An in-use anonymous huge page, whole policy.
local app = m:spawn{ name = "app", sigbus = "catch" }
local a = app:mmap{ pages = 1, prot = "rw", huge = true }
app:write(a + 4096 * 7, "guilty")
local head = app:pfn(a)
local buddy_before = m:free_pages()
expect.truthy(m:corrupt_pfn(head + 7))
expect.action(m, "huge page", "Recovered", head + 7)
expect.eq(m:poisoned_pages(), 512, "2010: every subpage counted")
local hp = m:hugepage(head)
expect.eq(hp.poisoned_subpages, 512, "2010: PG_hwpoison on all of them")
expect.eq(#hp.raw, 0, "no raw error records")
expect.page(m, head + 300, { hwpoison = true })
expect.eq(m:hugepages().total, 3, "out of the pool")
expect.eq(m:hugepages().isolated, 1)
expect.eq(m:free_pages(), buddy_before, "no frame of it is reused")
-- Touching a non-guilty subpage kills (the whole PMD is a hwpoison entry).
local _, sig = app:read(a + 4096 * 300, 1)
expect.eq(sig, "SIGBUS")
expect.sigbus(app, { code = "AR", addr = a + 4096 * 300, lsb = 21 })
-- A second error elsewhere in it: already poisoned, nothing counted.
local ok, err = m:corrupt_pfn(head + 100)
expect.eq(ok, nil)
expect.eq(err, "EHWPOISON")
expect.eq(m:poisoned_pages(), 512)

-- A free huge page, whole policy: dequeued and kept, not dissolved.
local free_head
do
  local t = m:spawn{ name = "probe" }
  local p = t:mmap{ pages = 1, prot = "rw", huge = true }
  t:write(p, "x")
  free_head = t:pfn(p)
  t:exit(0)
end
expect.truthy(m:hugepage(free_head).free)
expect.truthy(m:corrupt_pfn(free_head + 1))
expect.action(m, "free huge page", "Recovered", free_head + 1)
expect.eq(m:hugepages().total, 2)
expect.eq(m:hugepages().dissolved, 0)
expect.eq(m:poisoned_pages(), 1024)

-- The same two errors under 6.1's raw policy.
hwp.policy{ hugetlb_poison = "raw" }
local app2 = m:spawn{ name = "app2", sigbus = "catch" }
local b = app2:mmap{ pages = 1, prot = "rw", huge = true }
app2:write(b + 4096 * 7, "guilty")
local head2 = app2:pfn(b)
buddy_before = m:free_pages()
expect.truthy(m:corrupt_pfn(head2 + 7))
expect.eq(m:poisoned_pages(), 1025, "6.1: the raw page only")
expect.eq(m:hugepage(head2), nil, "freed and dissolved")
expect.eq(m:free_pages() - buddy_before, 511, "511 frames reused")
expect.page(m, head2 + 7, { hwpoison = true })
expect.eq(m:page(head2 + 300).hwpoison, false)
-- ...yet the process sees the same thing: the whole 2 MiB is gone.
local _, sig2 = app2:read(b + 4096 * 300, 1)
expect.eq(sig2, "SIGBUS")
expect.sigbus(app2, { code = "AR", addr = b + 4096 * 300, lsb = 21 })
expect.eq(m:hugepages().total, 1)
expect.invariants(m)
