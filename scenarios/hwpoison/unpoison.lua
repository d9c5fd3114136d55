-- unpoison-pfn: taking back an injected error.
--
-- hwpoison-inject's unpoison-pfn returns a page the injector poisoned to
-- use, once nothing maps it or holds it.  It refuses pages still in use,
-- and refuses everything once a real hardware error has been seen: a
-- real error must never be "undone".

local m = hwp.machine{ memory = "32M" }
local pfn = m:find_pfn{ has = { "buddy" }, from = 4096 }
local free0 = m:free_pages()

m:corrupt_pfn(pfn)
expect.eq(m:free_pages(), free0 - 1)
expect.truthy(m:unpoison_pfn(pfn))
expect.eq(m:free_pages(), free0, "back on the free lists")
expect.page(m, pfn, { absent = { "hwpoison" } })
expect.eq(m:poisoned_pages(), 0)
expect.log(m, "Unpoison: Software%-unpoisoned page")

-- (Pages still held or mapped are refused: unpoison_refused.lua.)

-- After a real (not injected) error, unpoison is disabled.
local other = m:find_pfn{ has = { "buddy" }, from = 6000 }
m:memory_failure(other)                 -- as the MCE handler calls it
local ok, err = m:unpoison_pfn(other)
expect.eq(err, "EOPNOTSUPP")
expect.log(m, "Unpoison: Disabled after HW memory failure")
