-- A page that is already poisoned: no second handling.
--
-- A second error report for the same page (two CPUs, a scrubber and a
-- consumer) finds PG_hwpoison set: memory_failure says so and returns
-- -EHWPOISON.

local m = hwp.machine{ memory = "32M" }
local pfn = m:find_pfn{ has = { "buddy" }, from = 4096 }
expect.truthy(m:corrupt_pfn(pfn))
local ok, err = m:corrupt_pfn(pfn)
expect.eq(err, "EHWPOISON")
expect.log(m, "already hardware poisoned")
expect.eq(#m:actions(), 1, "handled once")
expect.eq(m:poisoned_pages(), 1)
