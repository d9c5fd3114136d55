-- A dirty page-cache page: the data is lost, and fsync says so.
--
-- The only copy of the newest data was in the bad frame.  6.1 takes the
-- page out of the file and records -EIO on the mapping: every open file
-- sees the error once (errseq), at fsync, msync or the next write-back
-- check.  A later read returns what the device has - the old data.  The
-- kernel log names the file (seed 003): device, inode, offset.

local m = hwp.machine{ memory = "64M" }
local f = m:file{ name = "database" }
local writer = f:open("rw")
local other = f:open("rw")
writer:write(0, "committed")
expect.truthy(writer:fsync())
writer:write(0, "NEW DATA!")              -- dirty, not yet written back

local app = m:spawn{ name = "db" }
local map = app:mmap{ pages = 1, prot = "r", shared = true, file = f }
expect.eq(app:read(map, 9), "NEW DATA!")
local pfn = app:pfn(map)

expect.truthy(m:corrupt_pfn(pfn))
expect.action(m, "dirty LRU page", "Recovered", pfn)
expect.log(m, "dirty page cache of regular file dev 8:1 ino %d+ offset 0")

-- Both open files get the error, each exactly once.
local ok, err = writer:fsync()
expect.eq(err, "EIO", "fsync reports the lost write")
expect.truthy(writer:fsync(), "once")
ok, err = other:fsync()
expect.eq(err, "EIO", "the other open file sees it too (errseq)")

-- The dirty data is gone: the device's copy is what remains.
expect.eq(writer:read(0, 9), "committed")
-- The mapping was unmapped and holds a hwpoison entry: late kill on touch.
expect.eq(app:pte(map), "hwpoison")
app:read(map, 1)
expect.dead(app, "SIGBUS")
expect.invariants(m)
