-- Seed 002, 6.1's nesting: collect_procs takes tasklist_lock inside both
-- i_mmap_rwsem and anon_vma->rwsem.  Every order the validator sees
-- agrees with mm/rmap.c, and there is no cycle.
local nesting = require("nesting")
local m = hwp.machine{ memory = "64M",
                       policy = { collect_procs_nesting = "6.1",
                                  rwlock = "fair" } }
nesting.run(m)
expect.no_findings()
expect.lock_order_ok(m)
expect.eq(#m:actions(), 2)
