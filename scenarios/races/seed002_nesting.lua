-- Seed 002: the deadlock that the 2009 v3 lock nesting of collect_procs
-- allows once rwlocks are fair.
--
-- Nick Piggin's review: tasklist_lock (read) nests outside i_mmap_lock
-- for file pages and inside the anon_vma lock for anon pages, while the
-- VMA code takes the anon_vma lock inside i_mmap_lock.  With FIFO
-- rwlocks a writer waiting for tasklist_lock (fork, exit) holds back new
-- readers, and four CPUs can wait on each other:
--   mf-anon   holds anon_vma (R),   waits tasklist_lock (R) behind fork
--   fork      waits tasklist_lock (W) for mf-file's read hold to end
--   mf-file   holds tasklist_lock (R), waits i_mmap_rwsem (R) behind munmap
--   munmap    holds i_mmap_rwsem (W), waits anon_vma (W) held by mf-anon
--
-- Linux 6.1 takes tasklist_lock innermost for both kinds of page (and as
-- RCU for anon pages), so neither the cycle nor the deadlock exists.
--
-- Run by tests/races.sh through `hwpsim explore`:
--   6.1 nesting:               every schedule passes, no lock finding
--   2009-v3, fair rwlocks:     the validator reports the cycle in every
--                              run (expected below); explore finds a
--                              schedule that really deadlocks
--   2009-v3, reader-preferring rwlocks: readers never queue behind the
--                              writer - no deadlock, no finding
local m = hwp.machine{ memory = "64M" }
local nesting_2009 = hwp.policy("collect_procs_nesting") == "2009-v3"
local fair = hwp.policy("rwlock") == "fair"

if nesting_2009 and fair then
  expect.finding("lock-hierarchy",
                 "i_mmap_rwsem taken while holding tasklist_lock")
  -- The edge that closes the cycle depends on the schedule: match any
  -- rotation of it.
  expect.finding("lock-order", "circular locking dependency: .*tasklist_lock")
end
if nesting_2009 then
  -- In 2009 i_mmap_lock was a spinlock; since 3.x it is i_mmap_rwsem, so
  -- the old nesting also sleeps inside tasklist_lock whenever i_mmap_rwsem
  -- is contended: a second bug the old order would have on 6.1.
  expect.allow("sleep-in-atomic",
               "sleeps %(down_read i_mmap_rwsem%) while holding tasklist_lock")
end

-- A private file mapping whose first page was written (a COW anon page,
-- under the VMA's anon_vma), and a shared mapping of the same file: the
-- split of the private mapping takes i_mmap_rwsem, then that anon_vma.
local app = m:spawn{ name = "app", sigbus = "catch" }
local f = m:file{ name = "lib.so" }
local fd = f:open("rw")
fd:write(0, "text")
fd:write(8192, "data")
local map = app:mmap{ pages = 3, prot = "rw", file = f }
app:write(map, "relocated")
local shared = app:mmap{ pages = 1, prot = "r", shared = true, file = f }
app:read(shared, 1)
local anon_pfn, file_pfn = app:pfn(map), app:pfn(shared)
local parent = m:spawn{ name = "parent" }

hwp.actor("mf-anon", function() m:memory_failure(anon_pfn) end)
hwp.actor("mf-file", function() m:memory_failure(file_pfn) end)
hwp.actor("munmap", function() app:munmap(map + 4096, 1) end)
hwp.actor("fork", function() parent:fork() end)
hwp.join()

expect.page(m, anon_pfn, { flags = { "hwpoison" } })
expect.page(m, file_pfn, { flags = { "hwpoison" } })
expect.invariants(m)
