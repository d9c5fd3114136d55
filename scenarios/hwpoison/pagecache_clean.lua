-- A clean page-cache page: dropped without side effects.
--
-- The device has the same data, so memory_failure takes the page out of
-- the file (a temporary hole: the next access reads it again from disk)
-- and kills nobody, even processes that have it mapped.

local m = hwp.machine{ memory = "64M" }
local f = m:file{ name = "library.so" }
local fd = f:open("rw")
fd:write(0, "code and data")
expect.truthy(fd:fsync())

local app = m:spawn{ name = "app" }
local map = app:mmap{ pages = 1, prot = "r", shared = true, file = f }
expect.eq(app:read(map, 4), "code")
local pfn = app:pfn(map)

expect.truthy(m:corrupt_pfn(pfn))
expect.action(m, "clean LRU page", "Recovered", pfn)
expect.log(m, "corrupted page was clean: dropped without side effects")
expect.no_signal(app)
expect.eq(app:pte(map), "none", "unmapped, no hwpoison entry needed")
expect.eq(f:cached(), 0, "out of the page cache")

-- The next access reads the data again from the device, into a new frame.
expect.eq(app:read(map, 13), "code and data")
expect.ne(app:pfn(map), pfn)
expect.eq(fd:read(0, 4), "code")
expect.truthy(fd:fsync(), "no error to report: nothing was lost")
expect.invariants(m)
