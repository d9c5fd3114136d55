-- Wait queues: a bounded producer/consumer pair.
--
-- The consumer sleeps on a wait queue while the buffer is empty, the
-- producer while it is full.  Every item arrives once and in order, under
-- any schedule.

local buf, cap = {}, 2
local not_empty, not_full = hwp.waitq("not_empty"), hwp.waitq("not_full")
local got = {}

hwp.actor("producer", function()
  for i = 1, 10 do
    while #buf == cap do not_full:wait() end
    buf[#buf + 1] = i
    not_empty:wake(1)
    hwp.yield()
  end
end)
hwp.actor("consumer", function()
  for _ = 1, 10 do
    while #buf == 0 do not_empty:wait() end
    got[#got + 1] = table.remove(buf, 1)
    not_full:wake(1)
  end
end)
hwp.join()
expect.eq(got, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })
expect.eq(not_empty:waiters() + not_full:waiters(), 0, "nobody left waiting")
