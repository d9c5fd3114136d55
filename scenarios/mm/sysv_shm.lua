-- SysV shared memory: a segment attached by two processes.
--
-- shmget makes a file on the kernel's internal tmpfs mount (on hugetlbfs
-- for SHM_HUGETLB), and shmat maps it shared: both processes see one set
-- of swap-backed page-cache pages.

local m = hwp.machine{ memory = "64M", hugepages = 2 }
local seg = m:shm{ name = "SYSV0000beef", pages = 2 }
local a = m:spawn{ name = "writer" }
local b = m:spawn{ name = "reader" }
local pa = a:mmap{ pages = 2, prot = "rw", shared = true, file = seg }
local pb = b:mmap{ pages = 2, prot = "r", shared = true, file = seg }
a:write(pa + 4096, "shared segment")
expect.eq(b:read(pb + 4096, 14), "shared segment")
expect.eq(a:pfn(pa + 4096), b:pfn(pb + 4096), "one page, two processes")
expect.page(m, a:pfn(pa + 4096), { flags = { "swapbacked" }, mapcount = 2,
                                   mapping = "file" })

-- SHM_HUGETLB: the segment's pages come from the hugetlb pool.
local big = m:shm{ name = "SYSV0000f00d", pages = 1, huge = true }
local free0 = m:hugepages().free
local ph = a:mmap{ pages = 1, prot = "rw", shared = true, file = big }
a:write(ph, "huge")
expect.eq(m:hugepages().free, free0 - 1)
local pr = b:mmap{ pages = 1, prot = "r", shared = true, file = big }
expect.eq(b:read(pr, 4), "huge")
expect.invariants(m)
