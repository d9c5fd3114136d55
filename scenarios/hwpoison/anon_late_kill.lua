-- Dirty anonymous memory, late kill (the default).
--
-- The only copy of the data is in the bad frame.  memory_failure unmaps it
-- and leaves a hwpoison entry in the page table, but signals nobody: with
-- vm.memory_failure_early_kill = 0 a process learns of the loss only when
-- it touches the page, as SIGBUS BUS_MCEERR_AR with si_addr and
-- si_addr_lsb = PAGE_SHIFT.  A process without a handler dies of it.

local m = hwp.machine{ memory = "64M" }

local catcher = m:spawn{ name = "catcher", sigbus = "catch" }
local buf = catcher:mmap{ pages = 2, prot = "rw" }
catcher:write(buf + 4096, "precious")
local pfn = catcher:pfn(buf + 4096)

expect.truthy(m:corrupt_pfn(pfn))
expect.action(m, "dirty LRU page", "Recovered", pfn)
expect.no_signal(catcher, "late kill: nothing until the page is touched")
expect.eq(catcher:pte(buf + 4096), "hwpoison")
expect.eq(catcher:pte(buf), "none", "the neighbour is untouched")

local data, sig = catcher:read(buf + 4096 + 3, 4)
expect.eq(data, nil)
expect.eq(sig, "SIGBUS")
expect.sigbus(catcher, { code = "AR", addr = buf + 4096 + 3, lsb = 12 })
expect.alive(catcher, "a handler that returns keeps the task alive")

-- Without a handler the consuming access is fatal.
local plain = m:spawn{ name = "plain" }
local p = plain:mmap{ pages = 1, prot = "rw" }
plain:write(p, "data")
m:corrupt_pfn(plain:pfn(p))
expect.alive(plain)
plain:write(p, "again")
expect.dead(plain, "SIGBUS")
expect.log(m, "Killing plain:%d+ due to hardware memory corruption")
expect.invariants(m)
