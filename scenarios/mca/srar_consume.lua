-- A task consumes a latent memory error: SRAR data load in user mode.
--
-- The line goes bad silently (m:poison); the task's next load consumes it.
-- The CPU raises #MC with MCi_STATUS UC|S|AR, MCACOD 0x134, and (as
-- Skylake-SP and later report a restartable load) RIPV|EIPV; 6.1 grades
-- it "Action required: data load error in a user process" and queues
-- kill_me_maybe(), which runs memory_failure(pfn, MF_ACTION_REQUIRED)
-- with the task as current: the dirty anon page is unmapped and the task
-- gets SIGBUS BUS_MCEERR_AR at the page.

local m = hwp.machine{ memory = "64M", cpus = 2 }
local app = m:spawn{ name = "app", sigbus = "catch" }
local buf = app:mmap{ pages = 2, prot = "rw" }
app:write(buf + 4096, "precious")
local pfn = m:poison{ task = app, addr = buf + 4096 + 256 }

local data, sig = app:read(buf + 4096 + 250, 8)
expect.eq(data, nil)
expect.eq(sig, "SIGBUS")
expect.sigbus(app, { code = "AR", addr = buf + 4096, lsb = 12 })
expect.alive(app, "its handler returned")
expect.action(m, "dirty LRU page", "Recovered", pfn)
expect.log(m, "Uncorrected hardware memory error in user%-access at")

local log = m:mce_log()
expect.eq(#log, 1)
expect.eq(log[1].severity, "AR")
expect.eq(log[1].message, "Action required: data load error in a user process")
expect.eq(log[1].action, "kill_me_maybe")
expect.eq(log[1].pfn, pfn)
expect.eq(app:pte(buf + 4096), "hwpoison")

-- Touching it again: the hwpoison entry faults, no second machine check.
local _, sig2 = app:read(buf + 4096, 1)
expect.eq(sig2, "SIGBUS")
expect.eq(#m:mce_log(), 1)

-- Without a handler the task dies of it.
local plain = m:spawn{ name = "plain" }
local p = plain:mmap{ pages = 1, prot = "rw" }
plain:write(p, "x")
m:poison{ task = plain, addr = p }
plain:read(p, 1)
expect.dead(plain, "SIGBUS")

-- An instruction fetch, injected: same path, MCACOD 0x150.
local exe = m:spawn{ name = "exe", sigbus = "catch" }
local text = exe:mmap{ pages = 1, prot = "rwx" }
exe:write(text, "code")
local r = m:inject{ kind = "srar-ifetch", task = exe, addr = text }
expect.eq(r.message,
          "Action required: instruction fetch error in a user process")
expect.eq(r.action, "kill_me_maybe")
expect.sigbus(exe, { code = "AR", addr = text, lsb = 12 })

-- With MCG_STATUS as sim/mca reports it (EIPV alone), 6.1 kills at once.
local old = m:spawn{ name = "old", sigbus = "catch" }
local ob = old:mmap{ pages = 1, prot = "rw" }
old:write(ob, "x")
local r2 = m:inject{ kind = "srar", task = old, addr = ob, ripv = false }
expect.eq(r2.action, "kill_me_now")
expect.match(r2.outcome, "SIGBUS to old:")
expect.invariants(m)
