-- Anonymous memory: zero-fill on first touch, content kept, freed on munmap.
--
-- A private anonymous mapping has no pages until the task touches it.  The
-- first write allocates a zeroed page, maps it and puts it on the anon LRU.
-- munmap gives the pages back; touching the range afterwards is SIGSEGV.

local m = hwp.machine{ memory = "64M" }
local app = m:spawn{ name = "app" }
local free0 = m:free_pages()

local buf = app:mmap{ pages = 4, prot = "rw" }
expect.eq(app:pte(buf), "none", "nothing is mapped before the first touch")
expect.eq(app:rss(), 0)

expect.truthy(app:write(buf + 100, "hello"))
expect.eq(app:pte(buf), "present")
expect.eq(app:read(buf + 100, 5), "hello", "content survives")
expect.eq(app:read(buf, 4), "\0\0\0\0", "the rest of the page is zero")

local pfn = app:pfn(buf)
expect.page(m, pfn, { flags = { "anonymous", "mmap", "lru", "swapbacked" },
                      mapcount = 1, mapping = "anon" })

-- Every page of the mapping, one write each.
for i = 1, 3 do app:write(buf + i * 4096, "page " .. i) end
expect.eq(app:rss(), 4)
expect.eq(app:read(buf + 3 * 4096, 6), "page 3")
-- Four data pages and a page-table page came off the free lists.
expect.le(m:free_pages(), free0 - 5)

app:munmap(buf, 4)
expect.eq(app:rss(), 0)
expect.eq(app:pte(buf), "none")
expect.invariants(m)

-- A bad address is the scenario's error, at its line.
expect.error(function() app:munmap(buf + 1, 1) end, "multiple of the page")

-- Touching unmapped memory is SIGSEGV, which kills by default.
local ok, sig = app:write(buf, "x")
expect.eq(ok, false)
expect.eq(sig, "SIGSEGV")
expect.dead(app, "SIGSEGV")
