-- expect.lua: the expectation library every scenario gets as `expect`.
--
-- An expectation that fails records "file:line: what was expected, what
-- was seen" against the scenario line that called it, and the scenario
-- goes on, so one run shows every broken expectation.  The scenario then
-- ends as failed; other scenarios of the run are not affected.
--
-- expect.finding() and expect.deadlock() are declarations: they say that
-- the run is expected to produce such a finding (a deadlock, a lock-order
-- cycle ...), which is checked when the run ends; expect.allow() says one
-- may happen.  Any finding nobody declared fails the scenario.

local hwp = ...
local fail, pass = hwp._fail, hwp._pass
local fmt = string.format

local M = {}

local function repr(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == "string" then return fmt("%q", v) end
  if t ~= "table" or getmetatable(v) then return tostring(v) end
  if depth > 2 then return "{...}" end
  local parts, n = {}, 0
  local seq = #v
  for i = 1, seq do
    n = n + 1
    parts[n] = repr(v[i], depth + 1)
  end
  for k, x in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= seq) then
      n = n + 1
      local key = type(k) == "string" and k:match("^[%a_][%w_]*$")
                  and k or "[" .. repr(k, depth + 1) .. "]"
      parts[n] = key .. " = " .. repr(x, depth + 1)
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.repr = repr

local function deep_eq(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  if getmetatable(a) or getmetatable(b) then return false end
  for k, x in pairs(a) do
    if not deep_eq(x, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
M.deep_eq = deep_eq

local function what(label)
  return label and (tostring(label) .. ": ") or ""
end

local function check(ok, label, message)
  if ok then
    pass()
  else
    fail(what(label) .. message)
  end
  return ok
end

function M.eq(actual, expected, label)
  return check(deep_eq(actual, expected), label,
               fmt("expected %s, got %s", repr(expected), repr(actual)))
end

function M.ne(actual, unexpected, label)
  return check(not deep_eq(actual, unexpected), label,
               fmt("expected anything but %s", repr(unexpected)))
end

function M.truthy(v, label)
  return check(v ~= nil and v ~= false, label,
               fmt("expected a true value, got %s", repr(v)))
end

function M.falsy(v, label)
  return check(v == nil or v == false, label,
               fmt("expected false or nil, got %s", repr(v)))
end

local function compare(op, sym)
  return function(a, b, label)
    local ok = type(a) == type(b) and (type(a) == "number" or
               type(a) == "string") and op(a, b)
    return check(ok, label, fmt("expected %s %s %s", repr(a), sym,
                                repr(b)))
  end
end
M.lt = compare(function(a, b) return a < b end, "<")
M.le = compare(function(a, b) return a <= b end, "<=")
M.gt = compare(function(a, b) return a > b end, ">")
M.ge = compare(function(a, b) return a >= b end, ">=")

function M.match(s, pattern, label)
  local ok = type(s) == "string" and s:find(pattern) ~= nil
  return check(ok, label, fmt("expected %s to match %s", repr(s),
                              repr(pattern)))
end

function M.contains(haystack, needle, label)
  local ok = false
  if type(haystack) == "string" then
    ok = type(needle) == "string" and
         haystack:find(needle, 1, true) ~= nil
  elseif type(haystack) == "table" then
    for _, v in pairs(haystack) do
      if deep_eq(v, needle) then ok = true break end
    end
  end
  return check(ok, label, fmt("expected %s to contain %s",
                              repr(haystack), repr(needle)))
end

-- fn() must raise an error whose message matches pattern (if given).
function M.error(fn, pattern, label)
  local ok, err = pcall(fn)
  if ok then
    return check(false, label, "expected an error, none was raised")
  end
  local msg = tostring(err)
  if pattern and not msg:find(pattern) then
    return check(false, label, fmt("expected an error matching %s, got %s",
                                   repr(pattern), repr(msg)))
  end
  return check(true)
end

function M.no_error(fn, label)
  local ok, err = pcall(fn)
  return check(ok, label, fmt("expected no error, got %s", tostring(err)))
end

-- Declarations checked at the end of the run.
function M.finding(kind, pattern)
  hwp._expect_finding(kind, pattern)
end

function M.deadlock(pattern)
  hwp._expect_finding("deadlock", pattern)
end

-- A finding that some schedules produce and others do not: allowed, not
-- required (a race scenario run under many schedules).
function M.allow(kind, pattern)
  hwp._expect_finding(kind, pattern, true)
end

-- Findings so far must be none (or none of kind).
function M.no_findings(kind)
  local seen = {}
  for _, f in ipairs(hwp.findings()) do
    if not kind or f.kind == kind then
      seen[#seen + 1] = f.kind .. ": " .. f.message
    end
  end
  return check(#seen == 0, kind, "expected no findings, got " ..
               table.concat(seen, "; "))
end

-- The lock-order validator has nothing to say so far: no cycle, no order
-- against the documented hierarchy, no sleeping with a spinlock held.
local lock_kinds = { ["lock-order"] = true, ["lock-hierarchy"] = true,
                     ["sleep-in-atomic"] = true }

function M.lock_order_ok(_, label)
  local seen = {}
  for _, f in ipairs(hwp.findings()) do
    if lock_kinds[f.kind] then
      seen[#seen + 1] = f.kind .. ": " .. f.message
    end
  end
  return check(#seen == 0, label or "lock order",
               "expected no lock-order findings, got " ..
               table.concat(seen, "; "))
end

-- Machines and tasks (hwp.machine): what happened to whom.

function M.alive(task, label)
  return check(task:alive(), label or tostring(task),
               fmt("expected to be alive, was killed by %s",
                   tostring(task:killed_by())))
end

-- expect.dead(task [, "SIGBUS"]): it died, of that signal if given.
function M.dead(task, signal, label)
  local by = task:killed_by()
  if task:alive() then
    return check(false, label or tostring(task),
                 "expected to be dead, is alive")
  end
  if signal and by ~= signal then
    return check(false, label or tostring(task),
                 fmt("expected to be killed by %s, was killed by %s",
                     signal, tostring(by)))
  end
  return check(true)
end

local function describe_signals(list)
  local parts = {}
  for _, s in ipairs(list) do
    parts[#parts + 1] = fmt("%s %s addr=%#x lsb=%d%s", s.signal, s.code,
                            s.addr, s.lsb, s.killed and " (killed)" or "")
  end
  return #parts > 0 and table.concat(parts, "; ") or "no signal"
end

local function sigbus_matches(s, want)
  return s.signal == "SIGBUS" and
         (want.code == nil or s.code == want.code) and
         (want.addr == nil or s.addr == want.addr) and
         (want.lsb == nil or s.lsb == want.lsb) and
         (want.killed == nil or s.killed == want.killed)
end

-- expect.sigbus(task, { code = "AR" | "AO", addr = a, lsb = 12,
--                       killed = bool }): some SIGBUS sent to it matches.
function M.sigbus(task, want, label)
  want = want or {}
  for _, s in ipairs(task:signals()) do
    if sigbus_matches(s, want) then return check(true) end
  end
  return check(false, label or tostring(task),
               fmt("expected a SIGBUS %s, got %s", repr(want),
                   describe_signals(task:signals())))
end

function M.no_signal(task, label)
  local got = task:signals()
  return check(#got == 0, label or tostring(task),
               "expected no signal, got " .. describe_signals(got))
end

-- The model's invariants hold now.
function M.invariants(machine, label)
  local ok, why = machine:check()
  return check(ok, label or "invariants",
               "the model's invariants are broken:\n" .. tostring(why))
end

-- expect.page(m, pfn, { flags = {"uptodate", "lru"}, absent = {"dirty"},
--                       count = n, mapcount = n, mapping = "anon" })
function M.page(machine, pfn, want, label)
  local p = machine:page(pfn)
  local have = {}
  for _, f in ipairs(p.flags) do have[f] = true end
  local problems = {}
  for _, f in ipairs(want.flags or {}) do
    if not have[f] then problems[#problems + 1] = "lacks " .. f end
  end
  for _, f in ipairs(want.absent or {}) do
    if have[f] then problems[#problems + 1] = "has " .. f end
  end
  for _, k in ipairs({ "count", "mapcount", "mapping", "index" }) do
    if want[k] ~= nil and p[k] ~= want[k] then
      problems[#problems + 1] = fmt("%s is %s, not %s", k, repr(p[k]),
                                    repr(want[k]))
    end
  end
  return check(#problems == 0, label or fmt("pfn %#x", pfn),
               table.concat(problems, ", ") .. " (flags: " ..
               table.concat(p.flags, ",") .. ")")
end

-- expect.action(m, "dirty LRU page", "Recovered" [, pfn]): memory_failure
-- ended in that action_result line (for that pfn, if given).
function M.action(machine, page_type, result, pfn, label)
  local seen = {}
  for _, a in ipairs(machine:actions()) do
    if a.type == page_type and a.result == result and
       (pfn == nil or a.pfn == pfn) then
      return check(true)
    end
    seen[#seen + 1] = fmt("%#x %s: %s", a.pfn, a.type, a.result)
  end
  return check(false, label,
               fmt("expected recovery action for %s: %s%s, got %s",
                   page_type, result, pfn and fmt(" at %#x", pfn) or "",
                   #seen > 0 and table.concat(seen, "; ") or "none"))
end

-- A kernel log line matching a Lua pattern was printed.
function M.log(machine, pattern, label)
  for _, line in ipairs(machine:log()) do
    if line:find(pattern) then return check(true) end
  end
  return check(false, label, fmt("expected a kernel log line matching %s",
                                 repr(pattern)))
end

return M
