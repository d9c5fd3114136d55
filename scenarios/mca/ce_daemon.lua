-- Corrected errors, CMCI, and a user-space daemon that soft offlines.
--
-- ECC corrects each error; the bank counts it and raises CMCI (threshold
-- 1); the kernel polls the bank and logs the record.  The kernel here has
-- no RAS_CEC: the records reach /dev/mcelog, where a daemon (mcelog,
-- rasdaemon) counts them per page and soft offlines a page that keeps
-- failing.  The daemon is a Lua callback running in its own fiber after
-- the kernel handled each record.

local m = hwp.machine{ memory = "64M", cpus = 2 }
m:mce_config{ ce_threshold = 3 }
local app = m:spawn{ name = "app" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "keep me")
local pfn = app:pfn(buf)

local seen, offlined = 0, {}
m:on_mce(function(rec)
  seen = seen + 1
  if rec.corrected and rec.ce_threshold then
    offlined[#offlined + 1] = rec.pfn
    m:soft_offline(rec.pfn)
  end
end)
local mf = {}
m:on_memory_failure(function(ev) mf[#mf + 1] = ev end)

for i = 1, 2 do
  local r = m:inject{ kind = "ce", task = app, addr = buf }
  expect.eq(r.severity, "KEEP")
  expect.eq(r.message, "Non signaled machine check")
  expect.eq(r.action, "log")
end
hwp.join()
expect.eq(m:ce_count(pfn), 2)
expect.eq(#offlined, 0, "below the threshold")

m:inject{ kind = "ce", task = app, addr = buf }
hwp.join()
expect.eq(seen, 3)
expect.eq(m:ce_count(pfn), 3)
expect.eq(offlined[1], pfn, "the daemon offlined the page")
expect.ne(app:pfn(buf), pfn, "app's data moved to another frame")
expect.eq(app:read(buf, 7), "keep me")
expect.truthy(m:page(pfn).hwpoison)

-- A UCNA (CMCI, no #MC): logged, and memory_failure from the decode chain.
local victim = m:spawn{ name = "victim" }
local v = victim:mmap{ pages = 1, prot = "rw" }
victim:write(v, "x")
local r = m:inject{ kind = "ucna", task = victim, addr = v }
expect.eq(r.severity, "UCNA")
expect.eq(r.message, "Uncorrected no action required")
expect.eq(r.action, "memory_failure")
expect.match(r.outcome, "recovery action for dirty LRU page: Recovered")
hwp.join()
expect.eq(mf[#mf].type, "dirty LRU page")
expect.invariants(m)
