-- Seed 003: panic on an error in dirty page cache (the proposed
-- vm.memory_failure_dirty_panic), or only when an important task maps it.
--
-- Tanino (2013) proposed to panic rather than lose dirty file data
-- silently; Horiguchi suggested panicking only for "important" processes
-- (a prctl-like flag, set on qemu) - e.g. a KVM host running several
-- guests where only some use the page cache.  Here two guests map dirty
-- page cache: an ordinary one and an important one.

local m = hwp.machine{ memory = "64M",
                       policy = { dirty_pagecache = "panic-important" } }

local function guest(name, important)
  local f = m:file{ name = name .. ".img" }
  local fd = f:open("rw")
  fd:write(0, name .. " disk block")
  local vm = m:spawn{ name = name, sigbus = "catch", important = important }
  local map = vm:mmap{ pages = 1, prot = "rw", shared = true, file = f }
  vm:write(map, "guest write")
  return vm, map
end

-- An ordinary guest's dirty page: recovered, as in 6.1 (EIO, late kill).
local plain, pm = guest("plain-guest", false)
expect.truthy(m:corrupt_pfn(plain:pfn(pm)))
expect.action(m, "dirty LRU page", "Recovered")
expect.log(m, "dirty page cache of regular file dev 8:1 ino %d+ offset 0 lost")
expect.falsy((m:panicked()))

-- The important guest's dirty page: the machine panics.
local vip, vm = guest("important-guest", true)
expect.finding("panic", "dirty page cache")
m:corrupt_pfn(vip:pfn(vm))
expect.truthy(false, "not reached: the machine panicked")
