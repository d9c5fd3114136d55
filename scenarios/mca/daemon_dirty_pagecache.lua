-- Seed 003: handling dirty page-cache errors from user space.
--
-- Instead of a kernel panic switch, Naoya Horiguchi (2013): "mcelog can
-- trigger scripts when a MCE which matches the user-configurable
-- conditions happens ... by checking kernel messages from the triggered
-- script", now that action_result() says whether a page was dirty.  Here
-- a KVM host runs two guests on image files; the patrol scrubber finds
-- errors in both guests' page cache, one clean and one dirty.  The kernel
-- recovers both (6.1); the host's daemon, subscribed to memory-failure
-- events, reads the log and stops only the guest whose unwritten data was
-- lost, leaving the other running.

local m = hwp.machine{ memory = "64M", cpus = 2 }

local function guest(name)
  local img = m:file{ name = name .. ".img" }
  local fd = img:open("rw")
  fd:write(0, name .. " disk block")
  local vm = m:spawn{ name = name, sigbus = "catch" }
  local map = vm:mmap{ pages = 1, prot = "rw", shared = true, file = img }
  vm:read(map, 1)
  return vm, map, fd
end

local clean_vm, clean_map, clean_fd = guest("guest-clean")
clean_fd:fsync()                       -- its data is on disk
local dirty_vm, dirty_map = guest("guest-dirty")
dirty_vm:write(dirty_map, "unsaved guest write")

local stopped = {}
m:on_memory_failure(function(ev)
  if ev.type ~= "dirty LRU page" then return end
  -- Which file lost data?  The kernel log names device and inode.
  for _, line in ipairs(m:log()) do
    if line:find(string.format("%#x: dirty page cache", ev.pfn), 1, true) then
      stopped[#stopped + 1] = ev.pfn
      dirty_vm:exit(1)                 -- the admin's policy: stop that guest
    end
  end
end)

-- The patrol scrubber finds both errors (SRAO, action optional).
local r = m:inject{ kind = "srao", task = clean_vm, addr = clean_map }
expect.eq(r.severity, "AO")
expect.eq(r.message, "Action optional: memory scrubbing error")
m:inject{ kind = "srao", task = dirty_vm, addr = dirty_map }
hwp.join()

expect.action(m, "clean LRU page", "Recovered")
expect.action(m, "dirty LRU page", "Recovered")
expect.eq(#stopped, 1, "the daemon acted on the dirty error only")
expect.dead(dirty_vm)
expect.alive(clean_vm)
expect.eq(clean_vm:read(clean_map, 11), "guest-clean", "re-read from disk")
expect.falsy((m:panicked()), "the host itself keeps running")
