-- Seed 000: early kill exactly for processes with a SIGBUS handler.
--
-- Wu Fengguang (2009): send early SIGBUS kills to processes that called
-- sigaction(SIGBUS, ...); "others will be late killed anyway".  With the
-- policy early_kill_sigbus_handlers = on, a process that handles SIGBUS is
-- told at once (BUS_MCEERR_AO) and one that does not is killed only when
-- it touches the page, whatever vm.memory_failure_early_kill says.  With
-- the policy off (6.1), the sysctl alone decides.

local m = hwp.machine{ memory = "64M" }

local function share_and_poison()
  local kvm = m:spawn{ name = "kvm", sigbus = "catch" }
  local buf = kvm:mmap{ pages = 1, prot = "rw" }
  kvm:write(buf, "guest RAM")
  local other = kvm:fork{ name = "other", sigbus = "default" }
  m:corrupt_pfn(kvm:pfn(buf))
  return kvm, other, buf
end

-- 6.1, sysctl 0: nobody is told early.
local kvm, other, buf = share_and_poison()
expect.no_signal(kvm)
expect.alive(other)

-- The seed's proposal: the handler gets AO, the other waits for its access.
hwp.policy{ early_kill_sigbus_handlers = "on" }
kvm, other, buf = share_and_poison()
expect.sigbus(kvm, { code = "AO", addr = buf })
expect.alive(kvm)
expect.alive(other, "no handler: late kill")
other:read(buf, 1)
expect.dead(other, "SIGBUS")
