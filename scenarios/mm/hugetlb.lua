-- hugetlb: the pool, faults, fork, munmap and hugetlbfs files.
--
-- hugepages = 4 sets four 2 MiB pages aside at boot, out of the buddy
-- allocator.  A MAP_HUGETLB mapping (mmap{ huge = true }, counted in huge
-- pages) takes one pool page per 2 MiB on first touch, mapped by one
-- PMD-level entry; munmap and exit give it back to the pool (not to the
-- buddy allocator).  fork shares a private huge page copy-on-write and a
-- shared one for good, as 6.1's copy_hugetlb_page_range does.  hugetlbfs
-- files hold huge pages in their page cache: written through mappings
-- (6.1's hugetlbfs has no write(2)), read back with read(2).

local m = hwp.machine{ memory = "64M", hugepages = 4 }
local function pool() return m:hugepages() end

expect.eq(pool().total, 4)
expect.eq(pool().free, 4)

-- Anonymous MAP_HUGETLB, private.
local app = m:spawn{ name = "app" }
local a = app:mmap{ pages = 2, prot = "rw", huge = true }
expect.eq(a % (2 * 1024 * 1024), 0, "huge mappings are 2 MiB aligned")
expect.eq(pool().free, 4, "nothing until the first touch")
expect.truthy(app:write(a + 4096 * 7, "huge"))
expect.eq(pool().free, 3)
local head = app:pfn(a)
expect.eq(app:pfn(a + 4096 * 7), head + 7, "subpage pfn = head + index")
expect.eq(head % 512, 0)
local hp = m:hugepage(head + 7)
expect.eq(hp.head, head)
expect.eq(hp.mapcount, 1)
expect.eq(app:read(a + 4096 * 7, 4), "huge")
expect.eq(app:read(a, 4), "\0\0\0\0", "a new huge page is zeroed")

-- fork: the private page is shared read-only until a write copies it.
local child = app:fork{ name = "child" }
expect.eq(child:pfn(a + 4096 * 7), head + 7)
expect.eq(m:hugepage(head).mapcount, 2)
expect.eq(pool().free, 3)
expect.truthy(child:write(a + 4096 * 7, "kid!"))
expect.eq(pool().free, 2, "the child's write copied the huge page")
expect.ne(child:pfn(a), head)
expect.eq(app:read(a + 4096 * 7, 4), "huge", "the parent keeps its data")
expect.eq(child:read(a + 4096 * 7, 4), "kid!")
expect.eq(m:hugepage(head).mapcount, 1)
child:exit(0)
expect.eq(pool().free, 3, "exit gives the copy back to the pool")
app:munmap(a, 2)
expect.eq(pool().free, 4, "munmap gives the huge page back to the pool")
expect.eq(m:hugepage(head).free, true)

-- Shared MAP_HUGETLB: fork shares the page itself.
local s = app:mmap{ pages = 1, prot = "rw", huge = true, shared = true }
app:write(s, "shared")
local kid = app:fork{ name = "kid" }
kid:write(s + 2, "ARED")
expect.eq(app:read(s, 6), "shARED", "one page for both")
expect.eq(pool().free, 3)
kid:exit(0)
app:munmap(s, 1)
expect.eq(pool().free, 4)

-- hugetlbfs: a file of huge pages, written through a mapping.
local f = m:file{ name = "hugefile", fs = "hugetlbfs" }
local w = app:mmap{ pages = 2, prot = "rw", shared = true, file = f }
app:write(w + 2 * 1024 * 1024 + 100, "second huge page")
expect.eq(pool().free, 3, "only the touched huge page is allocated")
local fd = f:open("r")
expect.eq(fd:read(2 * 1024 * 1024 + 100, 16), "second huge page")
expect.eq(fd:read(0, 4), "\0\0\0\0", "a hole reads as zeros")
local wr = f:open("rw")
local ok, err = wr:write(0, "x")
expect.eq(ok, nil, "6.1 hugetlbfs has no write(2)")
app:munmap(w, 2)
expect.eq(pool().free, 3, "the page cache keeps the file's page")
-- A private mapping of the file sees its data; a write copies it.
local r = app:mmap{ pages = 2, prot = "rw", file = f }
expect.eq(app:read(r + 2 * 1024 * 1024 + 100, 6), "second")
app:write(r + 2 * 1024 * 1024 + 100, "PRIVATE")
expect.eq(fd:read(2 * 1024 * 1024 + 100, 6), "second", "COW: file intact")
expect.eq(pool().free, 2)
app:munmap(r, 2)
f:truncate(0)
expect.eq(pool().free, 4, "truncation frees the file's huge pages")

-- An empty pool: the fault fails with SIGBUS (no reservations modelled).
local hog = m:spawn{ name = "hog", sigbus = "catch" }
local big = hog:mmap{ pages = 5, prot = "rw", huge = true }
for i = 0, 3 do expect.truthy(hog:write(big + i * 2 * 1024 * 1024, "x")) end
expect.eq(pool().free, 0)
local ok2, sig = hog:write(big + 4 * 2 * 1024 * 1024, "x")
expect.eq(ok2, false)
expect.eq(sig, "SIGBUS")
hog:exit(0)
expect.eq(pool().free, 4)
expect.invariants(m)
