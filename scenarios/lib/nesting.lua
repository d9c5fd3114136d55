-- The lock orders of seed 002's review, taken one after the other by a
-- single task, so that the lock-order validator sees every edge:
--   memory_failure on an anon page:   anon_vma->rwsem -> tasklist_lock
--   a VMA split (munmap) of a private file mapping with anon pages:
--                                     i_mmap_rwsem -> anon_vma->rwsem
--   memory_failure on a file page:    6.1:     i_mmap_rwsem -> tasklist_lock
--                                     2009-v3: tasklist_lock -> i_mmap_rwsem
-- The deadlock itself needs these on different CPUs at once, plus a fork
-- or exit taking tasklist_lock for write; races/ explores that.

local M = {}

function M.run(m)
  local app = m:spawn{ name = "app", sigbus = "catch" }
  local anon = app:mmap{ pages = 1, prot = "rw" }
  app:write(anon, "anon data")
  m:corrupt_pfn(app:pfn(anon))

  local f = m:file{ name = "lib.so" }
  local fd = f:open("rw")
  fd:write(0, "text")
  fd:write(8192, "data")
  local map = app:mmap{ pages = 3, prot = "rw", file = f }
  app:write(map, "relocated")              -- an anon_vma on a file VMA
  app:munmap(map + 4096, 1)                -- split: i_mmap, then anon_vma

  local shared = app:mmap{ pages = 1, prot = "r", shared = true, file = f }
  app:read(shared, 1)
  m:corrupt_pfn(app:pfn(shared))
  return app
end

return M
