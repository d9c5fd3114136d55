-- Virtual time: sleeps, delayed actors, and idling to the next timer.
--
-- Every scheduling step costs 1 us of virtual time; when nothing can run
-- the clock jumps to the next timer.  Wall-clock time never shows.

local events = {}
local function log(what) events[#events + 1] = what end

hwp.after("50us", "late", function() log("late") end)
hwp.actor("sleeper", function() hwp.sleep("20us"); log("sleeper") end)
hwp.actor("quick", function() log("quick") end)
local t0 = hwp.now()
hwp.join()

expect.eq(events, { "quick", "sleeper", "late" }, "order of wake-ups")
expect.ge(hwp.now() - t0, 50000, "the clock passed the last timer")
expect.lt(hwp.now() - t0, 60000, "and did not run far past it")

-- A sleep of 2 ms takes 2 ms of virtual time, however long the host is.
local before = hwp.now()
hwp.sleep("2ms")
expect.ge(hwp.now() - before, 2000000, "sleep(2ms)")
expect.error(function() hwp.sleep(-1) end, "must not be negative")
expect.error(function() hwp.sleep("soon") end, "bad duration")
