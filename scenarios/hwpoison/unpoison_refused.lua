-- unpoison-pfn refuses what it cannot safely give back.
--
-- 6.1's unpoison_memory() says why in the kernel log: the page was never
-- poisoned, somebody still holds it, maps it, or it still belongs to a
-- file; kernel pages are never unpoisoned.

local m = hwp.machine{ memory = "64M", swap = "16M" }

-- Never poisoned.
local pfn = m:find_pfn{ has = { "buddy" }, from = 4096 }
local ok, err = m:unpoison_pfn(pfn)
expect.eq(err, "EBUSY")
expect.log(m, "Unpoison: Page was already unpoisoned")

-- Still held: tmpfs keeps a poisoned page in its cache (where the next
-- access finds it), so the cache and memory_failure both hold it.
local f = m:file{ name = "shm", fs = "tmpfs" }
local fd = f:open("rw")
fd:write(0, "tmpfs data")
local shm = m:find_pfn{ has = { "swapbacked", "lru" }, lacks = { "anonymous", "hwpoison" } }
m:corrupt_pfn(shm)
ok, err = m:unpoison_pfn(shm)
expect.eq(err, "EBUSY")
expect.log(m, "Unpoison: Someone grabs the hwpoison page")
expect.action(m, "dirty LRU page", "Recovered", shm)

-- A kernel page.
m:memory_failure(40, { count_increased = true, simulated = true })
ok, err = m:unpoison_pfn(40)
expect.eq(err, "EBUSY", "reserved pages stay poisoned")

-- Soft offline of a page that is already poisoned does nothing more.
local app = m:spawn{ name = "app", sigbus = "catch" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "x")
local p = app:pfn(buf)
m:corrupt_pfn(p)
expect.truthy(m:soft_offline(p))
expect.log(m, "page already poisoned")
expect.invariants(m)
