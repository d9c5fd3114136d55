-- Early kill: vm.memory_failure_early_kill = 1 and PR_MCE_KILL.
--
-- An early-kill process is told at once, with BUS_MCEERR_AO, so it can
-- drop the data before it ever touches it (KVM passes it on to the guest:
-- seed 000).  A per-process PR_MCE_KILL setting beats the sysctl both ways.

local m = hwp.machine{ memory = "64M", policy = { early_kill = "1" } }

local function victim(name, opts)
  opts = opts or {}
  opts.name = name
  local t = m:spawn(opts)
  local a = t:mmap{ pages = 1, prot = "rw" }
  t:write(a, name)
  return t, a
end

local handler, ha = victim("handler", { sigbus = "catch" })
expect.truthy(m:corrupt_pfn(handler:pfn(ha)))
expect.sigbus(handler, { code = "AO", addr = ha, lsb = 12 })
expect.alive(handler)

local plain, pa = victim("plain")
m:corrupt_pfn(plain:pfn(pa))
expect.dead(plain, "SIGBUS", "an AO signal with the default action kills")

-- PR_MCE_KILL_LATE overrides the sysctl: no signal until the access.
local late, la = victim("late", { sigbus = "catch", mce_kill = "late" })
m:corrupt_pfn(late:pfn(la))
expect.no_signal(late)
late:read(la, 1)
expect.sigbus(late, { code = "AR", addr = la })

-- And PR_MCE_KILL_EARLY wins with the sysctl at 0.
hwp.policy{ early_kill = "0" }
local early, ea = victim("early", { sigbus = "catch", mce_kill = "early" })
m:corrupt_pfn(early:pfn(ea))
expect.sigbus(early, { code = "AO", addr = ea })
local default, da = victim("default", { sigbus = "catch" })
m:corrupt_pfn(default:pfn(da))
expect.no_signal(default, "the sysctl at 0: late")
expect.invariants(m)
