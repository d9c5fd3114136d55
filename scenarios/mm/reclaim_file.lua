-- Reclaim of page cache: clean pages are dropped, dirty ones written back.
--
-- A clean page can be freed at once: the device has its data.  A dirty
-- page must be written back first, and only a later pass frees it.  Data
-- is never lost: after reclaim the file reads the same.

local m = hwp.machine{ memory = "64M", disk_latency = "20us" }
local f = m:file{ name = "cache" }
local fd = f:open("rw")
for i = 0, 15 do fd:write(i * 4096, "clean " .. i) end
expect.truthy(fd:fsync())
for i = 16, 23 do fd:write(i * 4096, "dirty " .. i) end
expect.eq(f:cached(), 24)

hwp.actor("reclaim", function()
  for _ = 1, 6 do m:reclaim(64); hwp.sleep("100us") end
end)
hwp.join()
expect.lt(f:cached(), 24, "reclaim dropped page-cache pages")
expect.eq(f:disk(20), "dirty 20", "dirty pages were written back first")
for i = 0, 23 do
  local want = (i < 16 and "clean " or "dirty ") .. i
  expect.eq(fd:read(i * 4096, #want), want, "file data after reclaim")
end
expect.invariants(m)
