-- Seed 003: dirty_pagecache = panic, the proposal as first posted.
--
-- Any error in a dirty page-cache page panics: data is never lost
-- silently, at the price of the whole machine.  A clean page still
-- recovers, since nothing is lost.

local m = hwp.machine{ memory = "64M", policy = { dirty_pagecache = "panic" } }
local f = m:file{ name = "journal" }
local fd = f:open("rw")
fd:write(0, "clean")
fd:fsync()
local clean = m:find_pfn{ has = { "uptodate", "lru" }, lacks = { "dirty", "anonymous", "hwpoison" } }
expect.truthy(m:corrupt_pfn(clean))
expect.action(m, "clean LRU page", "Recovered", clean)

fd:write(4096, "dirty")
local dirty = m:find_pfn{ has = { "dirty", "lru" }, lacks = { "anonymous", "hwpoison" } }
expect.finding("panic", "dirty page cache")
m:corrupt_pfn(dirty)
expect.truthy(false, "not reached")
