-- memory_failure_queue(): errors found where the handler cannot sleep.
--
-- The machine-check handler queues action-optional errors; a kernel
-- worker handles them later, in task context.  The queue holds 16 entries
-- (a per-cpu kfifo in the kernel): an overflow is logged and that error is
-- not handled.

local m = hwp.machine{ memory = "64M" }
local pfns = {}
local from = 4096
for i = 1, 18 do
  pfns[i] = m:find_pfn{ has = { "buddy" }, lacks = { "hwpoison" }, from = from }
  from = pfns[i] + 1
end

for i = 1, 18 do m:memory_failure_queue(pfns[i]) end
expect.eq(#m:actions(), 0, "nothing handled yet: the worker has not run")
expect.log(m, "buffer overflow when queuing memory failure at")

hwp.sleep("1ms")                   -- let kworker/mf run
expect.eq(#m:actions(), 16, "the 16 queued errors were handled")
for i = 1, 16 do expect.action(m, "free buddy page", "Recovered", pfns[i]) end
expect.page(m, pfns[18], { absent = { "hwpoison" } }, "the overflowed one")
