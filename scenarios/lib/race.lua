-- race.lua: what a race scenario may assert in every schedule.
--
-- A race scenario runs two or more actors against one page and is run by
-- `hwpsim explore` under many schedules (tests/races.sh).  Its outcome
-- may legitimately depend on the schedule - memory_failure may find the
-- page before or after the other actor touched it - so the checks here
-- take the set of outcomes Linux 6.1 allows and fail on anything else.

local M = {}

-- The action_result lines for pfn, as "type: result" strings.
function M.actions(m, pfn)
  local out = {}
  for _, a in ipairs(m:actions()) do
    if a.pfn == pfn then out[#out + 1] = a.type .. ": " .. a.result end
  end
  return out
end

-- memory_failure on pfn ended in exactly one action, one of allowed
-- ({ "clean LRU page: Recovered", ... }).
function M.action_one_of(m, pfn, allowed, label)
  local got = M.actions(m, pfn)
  local ok = #got == 1
  for _, want in ipairs(allowed) do
    if ok and got[1] == want then
      return expect.truthy(true)
    end
  end
  return expect.truthy(false, (label or "action") .. ": expected one of {" ..
                       table.concat(allowed, "; ") .. "}, got {" ..
                       table.concat(got, "; ") .. "}")
end

-- A read by task at addr returned want, or SIGBUS: never other data.
function M.read_or_sigbus(task, addr, want, label)
  local data, sig = task:read(addr, #want)
  if data == nil then
    return expect.eq(sig, "SIGBUS", label or "read")
  end
  return expect.eq(data, want, label or "read")
end

-- The frame is poisoned and out of circulation for good.
function M.retired(m, pfn)
  expect.page(m, pfn, { flags = { "hwpoison" } })
  local p = m:page(pfn)
  expect.truthy(p.mapcount == 0 or p.mapcount == nil,
                "the poisoned frame is mapped nowhere")
end

return M
