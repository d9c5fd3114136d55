-- An mlocked page: memory_failure unmaps it all the same.
--
-- mlock keeps a page from reclaim, not from memory errors: hwpoison uses
-- TTU_IGNORE_MLOCK.  The page-state table has rows for mlocked pages, but
-- in 6.1 the unmap munlocks the page first, so the first pass over the
-- table sees a plain dirty LRU page.  (The mlocked rows match only when
-- the page is still mlocked at identification.)

local m = hwp.machine{ memory = "64M" }
local app = m:spawn{ name = "db", sigbus = "catch" }
local buf = app:mmap{ pages = 1, prot = "rw", locked = true }
app:write(buf, "pinned")
local pfn = app:pfn(buf)
expect.page(m, pfn, { flags = { "mlocked", "unevictable" } })

expect.truthy(m:corrupt_pfn(pfn))
expect.eq(app:pte(buf), "hwpoison", "unmapped despite mlock")
local actions = m:actions()
local last = actions[#actions]
expect.eq(last.result, "Recovered")
expect.contains({ "dirty LRU page", "dirty mlocked LRU page",
                  "dirty unevictable LRU page" }, last.type,
                "one of the rows for a dirty (mlocked) page")
app:read(buf, 1)
expect.sigbus(app, { code = "AR", addr = buf })
expect.invariants(m)
