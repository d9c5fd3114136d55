-- Errors in kernel-owned pages: reserved memory, slab, page tables.
--
-- In 6.1 get_hwpoison_page() only takes references on LRU and free pages,
-- so an injected error on a kernel page never reaches the page-state
-- table: after three tries it is an "unhandlable page" and the result is
-- "unknown page: Ignored".  A caller that already holds a reference
-- (MF_COUNT_INCREASED) does reach the table's kernel rows, which ignore
-- the error too: nothing safe can be done about memory the kernel uses.

local m = hwp.machine{ memory = "32M", reserved = "1M" }
local app = m:spawn{ name = "app" }
local buf = app:mmap{ pages = 1, prot = "rw" }
app:write(buf, "x")

local function injected(pfn)
  local ok, err = m:corrupt_pfn(pfn)
  expect.eq(ok, nil)
  expect.eq(err, "EBUSY")
  expect.action(m, "unknown page", "Ignored", pfn)
end

injected(16)                                     -- reserved low memory
injected(m:find_pfn{ has = { "slab" } })         -- a slab page
injected(app:pgtable_pfn(buf))                   -- the app's page table
expect.log(m, "unhandlable page")
expect.alive(app)
expect.eq(app:read(buf, 1), "x", "the task goes on as if nothing happened")

-- With a reference held: the page-state table's kernel rows.  Ignored
-- errors make memory_failure() return -EBUSY.
local reserved = 32
local ok, err = m:memory_failure(reserved, { count_increased = true })
expect.eq(err, "EBUSY")
expect.action(m, "reserved kernel page", "Ignored", reserved)
local slab = m:find_pfn{ has = { "slab" }, lacks = { "hwpoison" } }
expect.truthy(slab, "the boot allocations left slab pages")
ok, err = m:memory_failure(slab, { count_increased = true })
expect.eq(err, "EBUSY")
expect.action(m, "kernel slab page", "Ignored", slab)
