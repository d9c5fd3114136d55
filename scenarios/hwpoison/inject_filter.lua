-- hwpoison-inject's filters: only pages of a device, or of a kind.
--
-- With the filter on, corrupt-pfn injects only into pages that pass it:
-- page-cache pages of the given block device (major:minor), or pages whose
-- kpageflags masked by flags_mask equal flags_value.  Others are skipped
-- (memory_failure returns -EOPNOTSUPP and the page is left alone).

local m = hwp.machine{ memory = "64M" }
local disk = m:file{ name = "on-disk", fs = "disk" }     -- sda1, 8:1
local tmp = m:file{ name = "in-tmpfs", fs = "tmpfs" }
local dfd, tfd = disk:open("rw"), tmp:open("rw")
dfd:write(0, "disk data")
tfd:write(0, "tmpfs data")
local app = m:spawn{ name = "app" }
local dm = app:mmap{ pages = 1, prot = "r", shared = true, file = disk }
local tm = app:mmap{ pages = 1, prot = "r", shared = true, file = tmp }
app:read(dm, 1)
app:read(tm, 1)

m:inject_filter{ dev_major = 8, dev_minor = 1 }
local before = #m:actions()
m:corrupt_pfn(app:pfn(tm))
expect.eq(#m:actions(), before, "the tmpfs page was filtered out")
expect.page(m, app:pfn(tm), { absent = { "hwpoison" } })
m:corrupt_pfn(app:pfn(dm))
expect.eq(#m:actions(), before + 1, "the sda1 page was injected")

m:inject_filter{ enable = false }
m:corrupt_pfn(app:pfn(tm))
expect.eq(#m:actions(), before + 2, "filter off: everything is injected")
