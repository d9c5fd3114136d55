-- Seed 002, the 2009 v3 nesting with fair (FIFO) rwlocks.
--
-- Nick Piggin: "You have tasklist_lock(R) nesting outside i_mmap_lock,
-- and inside anon_vma lock.  And anon_vma lock nests inside i_mmap_lock.
-- ... If rwlocks ever become FIFO ... then you could have a task holding
-- anon_vma lock and waiting for tasklist_lock, and another holding
-- tasklist lock and waiting for i_mmap_lock, and another holding
-- i_mmap_lock and waiting for anon_vma lock."  The validator reports the
-- cycle from one run in which nothing deadlocked.
local nesting = require("nesting")
local m = hwp.machine{ memory = "64M",
                       policy = { collect_procs_nesting = "2009-v3",
                                  rwlock = "fair" } }
expect.finding("lock-hierarchy",
               "i_mmap_rwsem taken while holding tasklist_lock")
expect.finding("lock-order",
               "i_mmap_rwsem %-> anon_vma%->rwsem %-> tasklist_lock %-> i_mmap_rwsem")
nesting.run(m)
