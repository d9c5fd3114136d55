-- read(2) consuming a latent error with 6.1's plain copy: the kernel
-- panics ("Data load in unrecoverable area of kernel", broadcast: the
-- Monarch's "Fatal machine check").  See kernel_copy.lua.

local m = hwp.machine{ memory = "64M", cpus = 2 }
local f = m:file{ name = "data" }
local fd = f:open("rw")
fd:write(0, "0123456789")
local app = m:spawn{ name = "app" }
local map = app:mmap{ pages = 1, prot = "r", file = f, shared = true }
app:read(map, 1)
m:poison{ pfn = app:pfn(map) }
expect.finding("panic", "^Fatal machine check$")
fd:read(0, 10)
expect.truthy(false, "not reached: the machine panicked")
