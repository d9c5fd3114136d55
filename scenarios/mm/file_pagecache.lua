-- Files: read/write through the page cache, fsync to the device, mmap.
--
-- Data written to a file lives in page-cache pages (dirty) until
-- writeback copies it to the device.  A shared mapping writes into the
-- same pages; a private mapping copies on write and never reaches the
-- file.

local m = hwp.machine{ memory = "64M", disk_latency = "50us" }
local f = m:file{ name = "data", fs = "disk" }
local fd = f:open("rw")

expect.eq(fd:write(0, "first page"), 10)
expect.eq(fd:write(8192, "third page"), 10)
expect.eq(f:size(), 8202)
expect.eq(fd:read(0, 10), "first page")
expect.eq(fd:read(4096, 4), "\0\0\0\0", "a hole reads as zeros")
expect.eq(f:disk(0), nil, "nothing on the device before writeback")

expect.truthy(fd:fsync())
expect.eq(f:disk(0), "first page", "fsync wrote the page back")
expect.eq(f:disk(1), nil, "the hole stays a hole")

-- A shared mapping sees the file and writes into it.
local app = m:spawn{ name = "app" }
local map = app:mmap{ pages = 3, prot = "rw", shared = true, file = f }
expect.eq(app:read(map, 10), "first page")
app:write(map + 8192, "THIRD")
expect.eq(fd:read(8192, 10), "THIRD page", "read(2) sees the mapping's write")
expect.truthy(app:msync(map, 3))
expect.eq(f:disk(2), "THIRD page")
expect.page(m, app:pfn(map), { flags = { "mmap", "uptodate", "lru" },
                               mapping = "file" })

-- A private mapping copies on write: the file never sees it.
local priv = app:mmap{ pages = 1, prot = "rw", file = f }
app:write(priv, "PRIVATE")
expect.eq(app:read(priv, 10), "PRIVATEage")
expect.eq(fd:read(0, 10), "first page")
expect.page(m, app:pfn(priv), { mapping = "anon" })
expect.invariants(m)
fd:close()
