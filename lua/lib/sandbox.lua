-- sandbox.lua: run once in every scenario state, before the scenario.
--
-- Lua seeds its string hashes from addresses and the clock, so the order
-- of next() over string keys, and the "0x55d0..." in tostring(table),
-- change from run to run.  hwpsim promises byte-identical output for the
-- same scenario and seed, so:
--   * pairs() visits keys in sorted order: numbers, then strings, then
--     booleans, then other values by the order hwpsim first saw them;
--   * tostring() names tables, functions, threads and userdata without a
--     __tostring by a sequence number ("table #3"), not an address;
--   * string.format() refuses %p and formats such values the same way.
-- Raw next() keeps its unspecified order; use pairs().

local rawtostring = tostring
local rawformat = string.format
local type, getmetatable, rawget, next = type, getmetatable, rawget, next
local sort = table.sort

local ids = setmetatable({}, { __mode = "k" })
local last_id = 0

local function object_id(v)
  local id = ids[v]
  if not id then
    last_id = last_id + 1
    id = last_id
    ids[v] = id
  end
  return id
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

local addressed = { table = true, ["function"] = true, thread = true,
                    userdata = true }

function tostring(v)
  if addressed[type(v)] and not has_tostring(v) then
    local mt = getmetatable(v)
    local name = type(mt) == "table" and rawget(mt, "__name")
    return (type(name) == "string" and name or type(v)) .. " #" ..
           object_id(v)
  end
  return rawtostring(v)
end

local type_rank = { number = 1, string = 2, boolean = 3 }

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  local ra, rb = type_rank[ta] or 4, type_rank[tb] or 4
  if ra ~= rb then return ra < rb end
  if ra == 1 or ra == 2 then return a < b end
  if ra == 3 then return (not a) and b end
  return object_id(a) < object_id(b)
end

function pairs(t)
  local mt = getmetatable(t)
  if type(mt) == "table" and rawget(mt, "__pairs") then
    return mt.__pairs(t)
  end
  if type(t) ~= "table" then
    error("bad argument #1 to 'pairs' (table expected, got " ..
          type(t) .. ")", 2)
  end
  local keys, n = {}, 0
  for k in next, t do
    n = n + 1
    keys[n] = k
  end
  sort(keys, key_less)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end, t, nil
end

local function has_pointer_conversion(fmt)
  -- Drop "%%" first, then look for a conversion ending in p.
  return fmt:gsub("%%%%", ""):find("%%[-+ #0]*%d*%.?%d*p") ~= nil
end

string.format = function(fmt, ...)
  if type(fmt) == "string" and has_pointer_conversion(fmt) then
    error("string.format: %p prints an address, which would make the " ..
          "output differ between runs", 2)
  end
  local args = table.pack(...)
  for i = 1, args.n do
    local v = args[i]
    if addressed[type(v)] and not has_tostring(v) then
      args[i] = tostring(v)
    end
  end
  return rawformat(fmt, table.unpack(args, 1, args.n))
end
