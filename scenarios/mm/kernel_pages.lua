-- Kernel-owned pages exist and look as /proc/kpageflags shows them.
--
-- memory_failure() tells kernel pages apart from user pages: reserved low
-- memory and the kernel image, page-table pages, slab pages.  A machine
-- has all three as soon as it runs anything.

local m = hwp.machine{ memory = "32M", reserved = "1M" }
expect.page(m, 0, { flags = { "reserved" } }, "pfn 0 is reserved")
expect.page(m, 255, { flags = { "reserved" } }, "the whole first MiB")
expect.page(m, 256, { absent = { "reserved" } })

local app = m:spawn{ name = "app" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "x")
local pt = app:pgtable_pfn(buf)
expect.truthy(pt, "a page table maps the page")
expect.page(m, pt, { flags = { "pgtable" }, absent = { "lru", "mmap" } })

-- Free memory is buddy pages.
local free = nil
for pfn = 256, 8191 do
  local p = m:page(pfn)
  for _, f in ipairs(p.flags) do if f == "buddy" then free = pfn end end
  if free then break end
end
expect.truthy(free, "a free page is a buddy page")
expect.page(m, free, { count = 0, mapcount = 0 })
print(m:dump(pt))
expect.invariants(m)
