-- Every mce-inject file of the catalogue, graded and acted on as Linux 6.1
-- does (the verdicts are in each file's header comment).
--
-- fake_panic (the kernel's debugfs switch mce-test uses) lets the panic
-- cases log "Fake kernel panic" and go on, so one machine runs them all.
-- User-mode records interrupt `app`; their ADDR is relocated to app's page
-- so the action has something real to act on.

local m = hwp.machine{ memory = "64M", cpus = 4 }
m:mce_config{ fake_panic = true }
local app = m:spawn{ name = "app", sigbus = "catch" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "data")

local function one(file, opts)
  local r = m:inject_file("inject/" .. file, opts)
  expect.eq(#r, 1, file .. ": one record")
  return r[1]
end

local cases = {
  { "corrected.txt", "KEEP", "Non signaled machine check", "log" },
  { "in_kernel_no_recov.txt", "PANIC",
    "Data load in unrecoverable area of kernel", "panic" },
  { "no_ripv_panic.txt", "PANIC", "Neither restart nor error IP", "panic" },
  { "not_enabled.txt", "NO", "Not enabled", "panic" },
  { "over_ar_lost_events.txt", "PANIC", "Action required with lost events",
    "panic" },
  { "pcc_panic.txt", "PANIC", "Processor context corrupt", "panic" },
  { "srao_scrub.txt", "AO", "Action optional: memory scrubbing error",
    "memory_failure" },
  { "ucna.txt", "UCNA", "Uncorrected no action required", "memory_failure" },
  { "ucna_ar_illegal.txt", "PANIC", "Illegal combination (UCNA with AR=1)",
    "panic" },
  { "unknown_mcacod_ar.txt", "PANIC", "Action required: unknown MCACOD",
    "panic" },
}
for _, c in ipairs(cases) do
  local r = one(c[1])
  expect.eq(r.severity, c[2], c[1] .. " severity")
  expect.eq(r.message, c[3], c[1] .. " message")
  expect.eq(r.action, c[4], c[1] .. " action")
end

-- "Not enabled" is ignored, and then no CPU has anything to show for the
-- broadcast #MC: the Monarch panics.
local ne = one("not_enabled.txt")
expect.match(ne.outcome, "Fatal machine check from unknown source")
expect.log(m, "Machine check: Processor context corrupt")
expect.log(m, "Fake kernel panic: Fatal machine check")

-- The user-mode SRARs, on app's page.  MCG_STATUS in these files has EIPV
-- without RIPV, and 6.1 kills the task outright then (kill_me_now: a plain
-- SIGBUS, memory_failure is not called).
local ifetch = one("srar_ifetch_user.txt", { task = app, addr = buf })
expect.eq(ifetch.severity, "AR")
expect.eq(ifetch.message,
          "Action required: instruction fetch error in a user process")
expect.eq(ifetch.action, "kill_me_now")
expect.match(ifetch.outcome, "SIGBUS to app:")

local load = one("srar_data_load_user.txt", { task = app, addr = buf })
expect.eq(load.message, "Action required: data load error in a user process")
expect.eq(load.action, "kill_me_now")

-- The AO scrub on app's page: memory_failure through the decode chain.
local ao = one("srao_scrub.txt", { task = app, addr = buf })
expect.eq(ao.action, "memory_failure")
expect.match(ao.outcome, "recovery action for dirty LRU page: Recovered")
expect.eq(app:pte(buf), "hwpoison")
expect.invariants(m)

-- The severities-coverage view: every rule the catalogue reached is
-- counted, in the kernel's table order.
local hits = {}
for _, rule in ipairs(m:severity_coverage()) do
  hits[rule.message] = (hits[rule.message] or 0) + rule.hits
end
for _, c in ipairs(cases) do
  expect.truthy((hits[c[3]] or 0) > 0, "coverage lists " .. c[3])
end
expect.truthy(hits["Action required: instruction fetch error in a user process"] > 0)
expect.eq(hits["Uncorrected Patrol Scrub Error"], 0, "SKX-only rule")
