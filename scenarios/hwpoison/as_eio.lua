-- Seed 002: "a misplaced sync from another process can suck up the IO
-- error that your DBMS was expecting to get from fsync" (Nick Piggin).
--
-- Under fsync_errors = as_eio - the AS_EIO flag of 2009, cleared by the
-- first caller who looks - a backup tool's fsync eats the error the
-- database needed.  Under errseq (6.1) each open file sees it once.

local m = hwp.machine{ memory = "64M" }

local function lose_a_write(name)
  local f = m:file{ name = name }
  local dbms = f:open("rw")
  local backup = f:open("r")
  dbms:write(0, "transaction")
  m:corrupt_pfn(m:find_pfn{ has = { "dirty", "lru" }, lacks = { "hwpoison" } })
  local _, backup_err = backup:fsync()
  local _, dbms_err = dbms:fsync()
  return backup_err, dbms_err
end

local b, d = lose_a_write("errseq.db")
expect.eq(b, "EIO", "errseq: the backup tool sees the error")
expect.eq(d, "EIO", "errseq: and so does the database")

hwp.policy{ fsync_errors = "as_eio" }
b, d = lose_a_write("as_eio.db")
expect.eq(b, "EIO", "as_eio: the first fsync gets it")
expect.eq(d, nil, "as_eio: the database's fsync says all is well")
