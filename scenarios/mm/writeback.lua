-- Writeback takes virtual time: PG_writeback is set while the device writes.
--
-- An actor fsyncs a dirty page; while the write is in flight (the disk's
-- latency, 200 us of virtual time) the page is under writeback, and a
-- second actor that looks sees the flag.  After fsync returns the flag is
-- gone and the device holds the data.

local m = hwp.machine{ memory = "64M", disk_latency = "200us" }
local f = m:file{ name = "log" }
local fd = f:open("rw")
fd:write(0, "entry")
local app = m:spawn{ name = "app" }
local map = app:mmap{ pages = 1, prot = "r", shared = true, file = f }
app:read(map, 1)
local pfn = app:pfn(map)
expect.page(m, pfn, { flags = { "dirty" } })

local seen_writeback = false
local t_done
hwp.actor("syncer", function()
  expect.truthy(fd:fsync())
  t_done = hwp.now()
end)
hwp.actor("watcher", function()
  for _ = 1, 50 do
    local p = m:page(pfn)
    for _, flag in ipairs(p.flags) do
      if flag == "writeback" then seen_writeback = true end
    end
    hwp.sleep("10us")
  end
end)
local t0 = hwp.now()
hwp.join()
expect.truthy(seen_writeback, "the page was under writeback for a while")
expect.ge(t_done - t0, 200000, "fsync waited for the device")
expect.page(m, pfn, { absent = { "writeback", "dirty" } })
expect.eq(f:disk(0), "entry")
