-- MADV_HWPOISON: a process poisons one of its own pages (for testing).
--
-- madvise(MADV_HWPOISON) takes the page through get_user_pages - so
-- memory_failure starts with a reference held (MF_COUNT_INCREASED) - and
-- the error is flagged as software-simulated, so it can be unpoisoned.

local m = hwp.machine{ memory = "64M" }
local app = m:spawn{ name = "tester", sigbus = "catch" }
local buf = app:mmap{ pages = 2, prot = "rw" }
app:write(buf + 4096, "mine")
local pfn = app:pfn(buf + 4096)

expect.truthy(app:madvise_hwpoison(buf + 4096))
expect.log(m, "Injecting memory failure for pfn 0x%x+ at process virtual address")
expect.action(m, "dirty LRU page", "Recovered", pfn)
expect.eq(app:pte(buf + 4096), "hwpoison")
app:read(buf + 4096, 1)
expect.sigbus(app, { code = "AR", addr = buf + 4096, lsb = 12 })

-- An address with nothing mapped is EFAULT.
local ok, err = app:madvise_hwpoison(0x7000000)
expect.eq(err, "EFAULT")
