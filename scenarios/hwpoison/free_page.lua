-- A memory error in a free page: taken off the free lists, never reused.
--
-- memory_failure finds the page free (no reference to take), so it takes
-- exactly that page out of its buddy block - the rest of the block stays
-- free - and keeps a reference on it for good.  Nobody is affected.

local m = hwp.machine{ memory = "32M" }
local pfn = m:find_pfn{ has = { "buddy" }, from = 4096 }
local free0 = m:free_pages()

expect.truthy(m:corrupt_pfn(pfn))
expect.action(m, "free buddy page", "Recovered", pfn)
expect.page(m, pfn, { flags = { "hwpoison" }, absent = { "buddy" },
                      count = 1 })
expect.eq(m:free_pages(), free0 - 1, "one page less, the block's rest free")
expect.eq(m:poisoned_pages(), 1)

-- However much is allocated, that frame never comes back.
local app = m:spawn{ name = "hog" }
local n = 4000
local buf = app:mmap{ pages = n, prot = "rw" }
for i = 0, n - 1 do
  app:write(buf + i * 4096, "x")
  if app:pfn(buf + i * 4096) == pfn then
    expect.truthy(false, "the poisoned frame was handed out again")
  end
end
expect.log(m, "recovery action for free buddy page: Recovered")
expect.invariants(m)
