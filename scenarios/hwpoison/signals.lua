-- SIGBUS dispositions, threads and the designated early-kill thread.
--
-- The action-required SIGBUS of a consumed error is forced: an ignored
-- SIGBUS is reset to the default first, so ignoring does not save a task
-- (it would otherwise fault on the same page forever).  A Lua handler
-- gets the siginfo.  For early kill, 6.1 signals the thread that asked
-- for it with PR_MCE_KILL_EARLY (the "designated thread"), not
-- necessarily the main thread; a fatal signal ends the whole process.

local m = hwp.machine{ memory = "64M" }

local function poisoned(task)
  local a = task:mmap{ pages = 1, prot = "rw" }
  task:write(a, "data")
  m:corrupt_pfn(task:pfn(a))
  return a
end

-- Ignoring SIGBUS does not protect a consumer.
local ign = m:spawn{ name = "ignorer", sigbus = "ignore" }
local a = poisoned(ign)
local ok, sig = ign:read(a, 1)
expect.eq(sig, "SIGBUS")
expect.dead(ign, "SIGBUS")
expect.sigbus(ign, { code = "AR", addr = a, killed = true })

-- A Lua handler sees si_code, si_addr and si_addr_lsb; returning false
-- ends the task from its handler.
local got
local fn = m:spawn{ name = "handler", sigbus = function(info)
  got = info
  return false
end }
local b = poisoned(fn)
fn:read(b + 8, 1)
expect.eq(got and got.code, "AR")
expect.eq(got and got.addr, b + 8)
expect.eq(got and got.lsb, 12)
expect.falsy(fn:alive(), "the handler chose to exit")

-- The designated thread: only the thread with PR_MCE_KILL_EARLY is told.
local proc = m:spawn{ name = "server", sigbus = "catch" }
local worker = proc:thread{ name = "worker" }
local watcher = proc:thread{ name = "watcher", mce_kill = "early" }
local c = proc:mmap{ pages = 1, prot = "rw" }
proc:write(c, "cache")
m:corrupt_pfn(proc:pfn(c))
expect.sigbus(watcher, { code = "AO", addr = c })
expect.no_signal(worker)
expect.no_signal(proc, "not the main thread either")
expect.alive(proc)

-- A fatal signal to one thread ends them all.
local d = poisoned(proc)
proc:sigaction("SIGBUS", "default")
worker:read(d, 1)
expect.dead(worker, "SIGBUS")
expect.falsy(proc:alive(), "the whole thread group exits")
expect.falsy(watcher:alive())
expect.invariants(m)
