-- Swap-cache pages: clean ones are dropped, dirty ones kept poisoned.
--
-- A clean swap-cache page (swapped in, not written since) matches its
-- slot on the swap device: drop it; the next access swaps the data in
-- again.  A dirty one has newer data than the slot: it is kept in the
-- swap cache, not up to date, so that the next access through the swap
-- entry finds it and gets SIGBUS ("dirty swapcache page: Delayed").
--
-- A page swapped out while exclusive to one process leaves an exclusive
-- swap PTE; swapped in again it is mapped exclusive, and a write goes
-- to it in place, in the swap cache: dirty swap cache.  (After a fork the
-- swap entry is shared and a write copies the page instead.)

local m = hwp.machine{ memory = "64M", swap = "16M" }
local app = m:spawn{ name = "app", sigbus = "catch" }
local buf = app:mmap{ pages = 2, prot = "rw" }
app:write(buf, "clean one")
app:write(buf + 4096, "dirty one")

-- Push both out to swap.
hwp.actor("swapper", function()
  for _ = 1, 8 do
    m:reclaim(64)
    if app:pte(buf) == "swap" and app:pte(buf + 4096) == "swap" then break end
  end
end)
hwp.join()
hwp.sleep("1ms")                            -- let the swap writes finish
expect.eq(app:pte(buf), "swap", "the first page went to swap")
expect.eq(app:pte(buf + 4096), "swap", "so did the second")
-- Swap both in; write the second in place: newer than its slot.
expect.eq(app:read(buf, 9), "clean one")
expect.eq(app:read(buf + 4096, 9), "dirty one")
app:write(buf + 4096, "DIRTY ONE")
local clean, dirty = app:pfn(buf), app:pfn(buf + 4096)
-- (The write dirtied the PTE; memory_failure moves that to the page.)
expect.page(m, clean, { flags = { "swapcache" }, absent = { "dirty" } })
expect.page(m, dirty, { flags = { "swapcache", "anon_exclusive" } })

expect.truthy(m:corrupt_pfn(clean))
expect.action(m, "clean swapcache page", "Recovered", clean)
expect.no_signal(app)
expect.eq(app:read(buf, 9), "clean one", "swapped in again from the device")

m:corrupt_pfn(dirty)
expect.action(m, "dirty swapcache page", "Delayed", dirty)
expect.log(m, "keeping poisoned page in swap cache")
expect.eq(app:pte(buf + 4096), "swap", "a swap entry, not a hwpoison entry")
local data, sig = app:read(buf + 4096, 9)
expect.eq(data, nil)
expect.eq(sig, "SIGBUS", "the next access finds the poisoned page")
expect.sigbus(app, { code = "AR" })
expect.invariants(m)
