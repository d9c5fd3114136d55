-- Mutual exclusion under the scheduler.
--
-- Three actors increment one counter with a read-yield-write sequence, the
-- classic lost update.  Holding a mutex across the yield makes every
-- update count; the same loop under a lock-free schedule loses updates,
-- which the second half shows by counting them.

local lock = hwp.mutex("counter_mutex")
local counter = 0

local function locked_worker(n)
  for _ = 1, n do
    lock:lock()
    local c = counter
    hwp.yield("between read and write")
    counter = c + 1
    lock:unlock()
  end
end

for i = 1, 3 do hwp.actor("locked" .. i, locked_worker, 20) end
hwp.join()
expect.eq(counter, 60, "updates under the mutex")
expect.eq(lock:owner(), nil, "nobody holds the mutex at the end")

-- The same without the lock: a random schedule interleaves the read and
-- the write of different actors, and updates are lost.  (PCT preempts at
-- only a few points and run-to-block never does, so there the count may
-- come out whole.)
local racy = 0
local function racy_worker(n)
  for _ = 1, n do
    local c = racy
    hwp.yield("between read and write")
    racy = c + 1
  end
end
for i = 1, 3 do hwp.actor("racy" .. i, racy_worker, 20) end
hwp.join()
expect.le(racy, 60, "no update counted twice")
if hwp.strategy() == "random" then
  expect.lt(racy, 60, "updates without the mutex are lost")
end
