-- read(2) of a page-cache page with a latent error: the kernel's copy
-- consumes it.
--
-- 6.1's buffered read copies with copy_page_to_iter(), whose exception
-- table entry covers faults on the user address only: a #MC on the load
-- from the poisoned page is "Data load in unrecoverable area of kernel"
-- and the machine panics.  That is mce_copy = "panic" (the default); see
-- kernel_copy_panic.lua.  With mce_copy = "mc-safe" the copy is a
-- copy_mc_*() routine: "Action required: data load in error recoverable
-- area of kernel", the fixup ends the copy and read(2) fails with EIO.

local m = hwp.machine{ memory = "64M", cpus = 2,
                       policy = { mce_copy = "mc-safe" } }
local f = m:file{ name = "data" }
local fd = f:open("rw")
fd:write(0, "0123456789")
local app = m:spawn{ name = "app" }
local map = app:mmap{ pages = 1, prot = "r", file = f, shared = true }
app:read(map, 1)
local pfn = app:pfn(map)
m:poison{ pfn = pfn }

local data, err = fd:read(0, 10)
expect.eq(data, nil)
expect.eq(err, "EIO")
local log = m:mce_log()
expect.eq(log[#log].message,
          "Action required: data load in error recoverable area of kernel")
expect.eq(log[#log].action, "fixup")
expect.falsy(m:panicked())
expect.invariants(m)
