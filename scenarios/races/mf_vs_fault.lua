-- Seed 002: memory_failure racing a fault that maps the same page-cache
-- page ("removal from the page cache against the page becoming mapped").
--
-- A clean page of a file is in the page cache, mapped by nobody.  One CPU
-- takes a memory failure on it while a task faults on a shared mapping
-- of that file offset.  Linux 6.1 holds the page lock across the
-- handling, and the fault path (filemap_fault) locks the page and
-- rechecks page->mapping, so the outcomes are:
--   * the fault wins: the page gets mapped, then memory_failure unmaps it
--     (a clean page: no kill) and drops it from the cache: Recovered;
--   * memory_failure wins: the page leaves the cache, and the fault reads
--     the data again from the device into a new frame: Recovered;
--   * the fault finds the page in the cache after TestSetPageHWPoison but
--     before its removal: __do_fault sees PageHWPoison and returns
--     VM_FAULT_HWPOISON - SIGBUS BUS_MCEERR_AR kills the task although
--     the device still has the data (6.1 does not retry from the device);
--   * the fault holds its reference to the page (waiting for the page
--     lock) when memory_failure counts the users: "still referenced by 1
--     users", Failed - the transient reference of seed 002.
-- Never: the task reading other data, or the frame mapped again.
local race = require("race")

local m = hwp.machine{ memory = "64M" }
local f = m:file{ name = "data" }
local fd = f:open("rw")
fd:write(0, "file contents")
expect.truthy(fd:fsync())
-- The frame of offset 0, found through a mapping that is gone again.
local probe = m:spawn{ name = "probe" }
local pmap = probe:mmap{ pages = 1, prot = "r", shared = true, file = f }
probe:read(pmap, 1)
local pfn = probe:pfn(pmap)
probe:munmap(pmap, 1)
local app = m:spawn{ name = "app" }
local map = app:mmap{ pages = 1, prot = "r", shared = true, file = f }

hwp.actor("mf", function() m:memory_failure(pfn) end)
hwp.actor("fault", function()
  race.read_or_sigbus(app, map, "file contents", "the first access")
end)
hwp.join()

race.action_one_of(m, pfn, { "clean LRU page: Recovered",
                             "clean LRU page: Failed" })
race.retired(m, pfn)
if app:alive() then
  expect.no_signal(app)
  expect.eq(app:read(map, 13), "file contents", "the data, read again")
  expect.ne(app:pfn(map), pfn, "never the poisoned frame")
else
  expect.dead(app, "SIGBUS")
  expect.sigbus(app, { code = "AR", addr = map, lsb = 12, killed = true })
end
expect.invariants(m)
expect.lock_order_ok()
