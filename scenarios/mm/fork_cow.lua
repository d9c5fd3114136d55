-- fork and copy-on-write.
--
-- After fork, parent and child map the same anonymous page read-only
-- (mapcount 2).  The first write by either copies the page: each now has
-- its own, and neither sees the other's write.

local m = hwp.machine{ memory = "64M" }
local parent = m:spawn{ name = "parent" }
local buf = parent:mmap{ pages = 2, prot = "rw" }
parent:write(buf, "before fork")

local child = parent:fork{ name = "child" }
local shared = parent:pfn(buf)
expect.eq(child:pfn(buf), shared, "the child maps the parent's page")
expect.page(m, shared, { mapcount = 2, mapping = "anon" })
expect.eq(child:read(buf, 11), "before fork")

child:write(buf, "child wrote")
expect.ne(child:pfn(buf), shared, "the child's write copied the page")
expect.eq(parent:read(buf, 11), "before fork", "the parent is unaffected")
expect.eq(child:read(buf, 11), "child wrote")
expect.page(m, shared, { mapcount = 1 })

-- A page the parent touches only after fork is the parent's alone.
parent:write(buf + 4096, "late")
expect.eq(child:pte(buf + 4096), "none")

-- Exit releases the child's pages; the parent's stay.
child:exit()
expect.falsy(child:alive())
expect.eq(parent:read(buf, 11), "before fork")
expect.invariants(m)
