-- An AB-BA deadlock, found and explained.
--
-- Each actor takes its first lock, then waits at a barrier until the other
-- holds its first lock too, then asks for the other one.  No schedule can
-- avoid the deadlock; the engine reports the wait-for cycle with the
-- locks each fiber holds and where it took them.

local A = hwp.mutex("lock_A")
local B = hwp.mutex("lock_B")
local arrived, barrier = 0, hwp.waitq("barrier")

local function meet()
  arrived = arrived + 1
  if arrived == 2 then barrier:wake() else barrier:wait() end
end

expect.deadlock("ab#%d+ waits for lock_B %-> ba#%d+ waits for lock_A")
-- The lock-order validator sees the cycle as soon as the second order is
-- taken, before anything blocks - as lockdep would, even in a run where
-- the timing happened to be kind.
expect.finding("lock-order", "lock_[AB] %-> lock_[AB] %-> lock_[AB]")

hwp.actor("ab", function()
  A:lock(); meet(); B:lock()
  B:unlock(); A:unlock()
end)
hwp.actor("ba", function()
  B:lock(); meet(); A:lock()
  A:unlock(); B:unlock()
end)
