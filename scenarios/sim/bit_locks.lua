-- Bit locks and bit waits: PG_locked and PG_writeback in miniature.
--
-- A "page" word has a lock bit and a writeback bit.  Writeback ends after
-- 30 us of virtual time (a timer clears the bit and wakes waiters).  The
-- handler does what seed 002 asks of memory_failure(): lock_page, then
-- wait_on_page_writeback, so it never sees a page under writeback.  A
-- second fiber contending for the page lock gets it only after the
-- handler unlocks, whatever the schedule.

local PG_locked, PG_writeback = 0, 15
local page = hwp.bits("page")
local seen = {}
local handler_has_lock = false

page:set(PG_writeback)
hwp.after("30us", "end_page_writeback", function() page:clear(PG_writeback) end)

hwp.actor("memory_failure", function()
  page:lock(PG_locked, "PG_locked")
  handler_has_lock = true
  page:wait(PG_writeback, "PG_writeback")
  seen[#seen + 1] = "handler: writeback " ..
                    tostring(page:test(PG_writeback))
  hwp.yield()
  page:unlock(PG_locked, "PG_locked")
end)
hwp.actor("reclaim", function()
  while not handler_has_lock do hwp.sleep("1us") end
  page:lock(PG_locked, "PG_locked")
  seen[#seen + 1] = "reclaim: got the lock"
  page:unlock(PG_locked, "PG_locked")
end)
hwp.join()

expect.eq(seen, { "handler: writeback false", "reclaim: got the lock" })
expect.falsy(page:test(PG_locked), "page unlocked at the end")
expect.error(function() page:unlock(PG_locked) end, "does not hold")
expect.truthy(page:trylock(PG_locked), "trylock on a free bit")
expect.falsy(page:trylock(PG_locked), "trylock on a held bit")
page:unlock(PG_locked)
