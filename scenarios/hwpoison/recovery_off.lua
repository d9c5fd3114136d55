-- vm.memory_failure_recovery = 0: any memory failure panics.
--
-- For systems that would rather stop than run on after an error.  panic()
-- does not return: the run ends at the call, with a "panic" finding that
-- the scenario declares.

local m = hwp.machine{ memory = "32M", policy = { recovery = "0" } }
local app = m:spawn{ name = "app" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "x")
expect.finding("panic", "Memory failure on page")
m:corrupt_pfn(app:pfn(buf))
expect.truthy(false, "not reached: the machine panicked")
