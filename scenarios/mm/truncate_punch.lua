-- truncate and hole punching remove page-cache pages, mapped or not.
--
-- Truncating a mapped file unmaps the pages beyond the new size; touching
-- the mapping there is SIGBUS (beyond end of file).  Punching a hole drops
-- the pages and the data: the range reads as zeros.

local m = hwp.machine{ memory = "64M" }
local f = m:file{ name = "shrink" }
local fd = f:open("rw")
for i = 0, 3 do fd:write(i * 4096, "page" .. i) end
fd:fsync()
expect.eq(f:cached(), 4)

local app = m:spawn{ name = "app", sigbus = "catch" }
local map = app:mmap{ pages = 4, prot = "r", shared = true, file = f }
expect.eq(app:read(map + 3 * 4096, 5), "page3")

f:truncate(2 * 4096)
expect.eq(f:size(), 8192)
expect.eq(f:cached(), 2, "the pages beyond the end left the cache")
expect.eq(app:pte(map + 3 * 4096), "none", "and were unmapped")
local data, sig = app:read(map + 3 * 4096, 1)
expect.eq(data, nil)
expect.eq(sig, "SIGBUS", "an access beyond the end of the file")
expect.sigbus(app, { code = "ADRERR" })
expect.alive(app, "a caught SIGBUS does not kill")

fd:write(4096, "again")
f:punch(4096, 4096)
expect.eq(fd:read(4096, 5), "\0\0\0\0\0", "a punched hole reads as zeros")
expect.eq(f:disk(1), nil, "and is a hole on the device")
expect.eq(fd:read(0, 5), "page0")
expect.invariants(m)
