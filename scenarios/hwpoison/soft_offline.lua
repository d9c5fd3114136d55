-- Soft offline: retire a suspect page before it fails.
--
-- A page with many corrected errors is still readable: soft offline moves
-- its data to a new frame (migration), remaps every user, and retires the
-- old frame as poisoned.  Nobody is killed, no data is lost.  A clean
-- page-cache page is simply dropped from the cache instead.

local m = hwp.machine{ memory = "64M" }
local app = m:spawn{ name = "app" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "keep me")
local child = app:fork{ name = "child" }
local old = app:pfn(buf)
expect.eq(child:pfn(buf), old, "shared after fork")

expect.truthy(m:soft_offline(old))
local new = app:pfn(buf)
expect.ne(new, old, "the data moved")
expect.eq(child:pfn(buf), new, "every mapping followed")
expect.eq(app:read(buf, 7), "keep me")
expect.eq(child:read(buf, 7), "keep me")
expect.page(m, old, { flags = { "hwpoison" } })
expect.no_signal(app)
expect.no_signal(child)

-- MADV_SOFT_OFFLINE from the process itself.
app:write(buf, "again!!")
expect.truthy(app:madvise_soft_offline(buf))
expect.ne(app:pfn(buf), new)
expect.eq(app:read(buf, 7), "again!!")

-- A clean file page is dropped rather than migrated.
local f = m:file{ name = "cached" }
local fd = f:open("rw")
fd:write(0, "on disk")
fd:fsync()
local pfn = m:find_pfn{ has = { "uptodate", "lru" }, lacks = { "mmap", "dirty", "hwpoison", "anonymous" } }
expect.truthy(pfn)
expect.truthy(m:soft_offline(pfn))
expect.log(m, "soft_offline: 0x%x+: invalidated")
expect.eq(fd:read(0, 7), "on disk")
expect.invariants(m)
