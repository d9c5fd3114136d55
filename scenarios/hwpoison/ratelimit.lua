-- Seed 003: "if a 4G memory block goes bad, this message will be printed a
-- million times".  The printk_ratelimit policy bounds the memory-failure
-- lines (10 per 5 s of virtual time) and counts what it suppressed.
--
-- A smaller storm here: every free page of a 2 MiB range poisoned, with
-- the ratelimit off (6.1: one line per page) and on.

local m = hwp.machine{ memory = "64M" }

local function storm(first, n)
  local lines0 = #m:log()
  for pfn = first, first + n - 1 do m:corrupt_pfn(pfn) end
  return #m:log() - lines0
end

local base = m:find_pfn{ has = { "buddy" }, from = 8192 }
local off = storm(base, 512)
expect.ge(off, 1024, "ratelimit off: every page logs (injection + result)")

hwp.policy{ printk_ratelimit = "on" }
local on = storm(base + 512, 512)
expect.lt(on, 600, "ratelimit on: the memory-failure lines are bounded")
hwp.sleep("6s")
m:corrupt_pfn(base + 1024)
expect.log(m, "memory_failure: %d+ callbacks suppressed")
expect.eq(m:poisoned_pages(), 1025, "every page was handled all the same")
