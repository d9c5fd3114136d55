-- Shared anonymous memory (shmem) stays shared across fork.
--
-- MAP_SHARED|MAP_ANONYMOUS is backed by a tmpfs file: parent and child map
-- the same pages, and a write by one is seen by the other, unlike private
-- anonymous memory.  fork does not copy the PTEs of a shared mapping (the
-- kernel's copy_page_range leaves them to be faulted in again), so the
-- child has no PTE until it touches the page.

local m = hwp.machine{ memory = "64M" }
local parent = m:spawn{ name = "parent" }
local shm = parent:mmap{ pages = 1, prot = "rw", shared = true }
parent:write(shm, "from parent")
local child = parent:fork{ name = "child" }
expect.eq(child:pte(shm), "none", "fork copied no PTE of the shared mapping")
expect.eq(child:read(shm, 11), "from parent")
expect.eq(child:pfn(shm), parent:pfn(shm), "one page, two mappings")
child:write(shm, "from child ")
expect.eq(parent:read(shm, 11), "from child ", "the parent sees it")
expect.page(m, parent:pfn(shm), { flags = { "swapbacked" }, mapcount = 2,
                                  mapping = "file" })
expect.invariants(m)
