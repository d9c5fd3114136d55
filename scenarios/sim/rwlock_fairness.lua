-- The two rwlock modes (seed 002: "if rwlocks ever become FIFO").
--
-- Reader R1 holds the lock.  Writer W asks for it and has to wait.  Then
-- reader R2 arrives.
--   fair (queued rwlock): R2 queues behind the waiting writer, so W gets
--     the lock before R2;
--   reader-preferring (the 2009 rwlock_t): R2 joins R1 at once while W
--     still waits, so W comes last.
-- Each actor waits (sleeping, so even run-to-block lets the others run)
-- until the lock is in the state its step needs, so the outcome is the
-- same under every strategy and seed.  The poll sleeps several steps'
-- worth: under PCT a poller that is always runnable again after one step
-- would starve every lower-priority fiber, as a spinning high-priority
-- task does on a real priority scheduler.

-- Real rwlock_t holders spin and must not sleep; these sleep only to
-- force the interleaving, and the lock validator rightly reports it.
expect.finding("sleep-in-atomic", "while holding")

local function until_(cond)
  while not cond() do hwp.sleep("5us") end
end

local function run(mode)
  local l = hwp.rwlock("tasklist_lock", mode, mode)
  local order = {}
  local r2_in = false
  local function log(what) order[#order + 1] = what end

  hwp.actor("R1", function()
    l:read_lock(); log("R1 in")
    -- Hold on until R2 has either joined us or queued up.
    until_(function() return r2_in or l:waiters() == 2 end)
    log("R1 out"); l:read_unlock()
  end)
  hwp.actor("W", function()
    until_(function() return l:readers() == 1 end)
    l:write_lock(); log("W in")
    log("W out"); l:write_unlock()
  end)
  hwp.actor("R2", function()
    until_(function() return l:waiters() == 1 end)  -- W is waiting
    l:read_lock(); log("R2 in"); r2_in = true
    log("R2 out"); l:read_unlock()
  end)
  hwp.join()
  return table.concat(order, ", ")
end

expect.eq(run("fair"), "R1 in, R1 out, W in, W out, R2 in, R2 out",
          "fair: the late reader waits behind the writer")
expect.eq(run("reader-preferring"),
          "R1 in, R2 in, R2 out, R1 out, W in, W out",
          "reader-preferring: the late reader passes the writer")

-- An rwlock without a mode follows the machine's policy switch.
hwp.policy{ rwlock = "reader-preferring" }
local l = hwp.rwlock("policy_lock")
local got_in = false
hwp.actor("holder", function()
  l:read_lock()
  until_(function() return got_in end)
  l:read_unlock()
end)
hwp.actor("writer", function()
  until_(function() return l:readers() == 1 end)
  l:write_lock(); l:write_unlock()
end)
hwp.actor("reader", function()
  until_(function() return l:waiters() == 1 end)
  l:read_lock(); got_in = l:readers() == 2; l:read_unlock()
end)
hwp.join()
expect.eq(hwp.policy("rwlock"), "reader-preferring")
expect.truthy(got_in, "policy rwlock=reader-preferring reaches the lock")
