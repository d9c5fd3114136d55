-- Seed 002, the 2009 v3 nesting with reader-preferring rwlocks (2009's).
--
-- A reader of a reader-preferring rwlock never waits behind a waiting
-- writer, so the reads of tasklist_lock cannot close the cycle: there is
-- no deadlock - only an order against mm/rmap.c's documentation, which
-- the validator still points out.
local nesting = require("nesting")
local m = hwp.machine{ memory = "64M",
                       policy = { collect_procs_nesting = "2009-v3",
                                  rwlock = "reader-preferring" } }
expect.finding("lock-hierarchy",
               "i_mmap_rwsem taken while holding tasklist_lock")
nesting.run(m)
