-- Anonymous pages go to swap under reclaim and come back on access.
--
-- Reclaim puts an anonymous page in the swap cache, unmaps it (the PTE now
-- holds a swap entry), writes it to the swap device and frees the frame.
-- The next access faults it back in from the device, content intact.

local m = hwp.machine{ memory = "64M", swap = "16M", swap_latency = "20us" }
local app = m:spawn{ name = "app" }
local buf = app:mmap{ pages = 8, prot = "rw" }
for i = 0, 7 do app:write(buf + i * 4096, "anon " .. i) end
expect.eq(app:pte(buf), "present")

local reclaimed = 0
hwp.actor("kswapd", function()
  for _ = 1, 4 do reclaimed = reclaimed + m:reclaim(64) end
end)
hwp.join()
expect.gt(reclaimed, 0, "reclaim freed something")
local swapped = 0
for i = 0, 7 do
  if app:pte(buf + i * 4096) == "swap" then swapped = swapped + 1 end
end
expect.gt(swapped, 0, "some anonymous pages went to swap")

-- Swap-in on access, in an actor: the read from the device takes time.
hwp.actor("reader", function()
  for i = 0, 7 do
    expect.eq(app:read(buf + i * 4096, 6), "anon " .. i)
  end
end)
hwp.join()
expect.eq(app:pte(buf), "present", "swapped back in")
expect.page(m, app:pfn(buf), { flags = { "swapcache" } })
expect.invariants(m)
