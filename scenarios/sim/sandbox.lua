-- What scenario code may and may not do.
--
-- Scenarios come from many hands and run in CI: no files written, no
-- programs run, no wall clock, and nothing that makes two runs with one
-- seed differ.

expect.eq(io, nil, "no io library")
expect.eq(os, nil, "no os library")
expect.eq(dofile, nil, "no dofile")
expect.eq(loadfile, nil, "no loadfile")
expect.eq(package.loadlib, nil, "no C libraries")
expect.eq(debug.getinfo, nil, "debug is traceback only")
expect.error(function() require("socket") end, "not found")

-- load() takes text only: precompiled chunks are refused.
local f = load("return 1 + 1")
expect.eq(f(), 2, "text chunks load")
local bytecode = string.dump(function() return 1 end)
local g, err = load(bytecode)
expect.eq(g, nil, "binary chunk refused")
expect.match(err, "attempt to load a binary chunk")

-- pairs() visits keys in sorted order, whatever the hash seed.
local keys = {}
for k in pairs({ zeta = 1, alpha = 2, [10] = 3, [2] = 4, mid = 5 }) do
  keys[#keys + 1] = tostring(k)
end
expect.eq(table.concat(keys, " "), "2 10 alpha mid zeta")

-- No addresses in output.
local t = {}
expect.match(tostring(t), "^table #%d+$")
expect.eq(tostring(t), tostring(t), "a table keeps its number")
expect.match(string.format("%s", t), "^table #%d+$")
expect.error(function() return string.format("%p", t) end, "address")

-- math.random draws from the machine's PRNG: seeded, so repeatable.
math.randomseed(42)
local a = { math.random(100), math.random(100), math.random(100) }
math.randomseed(42)
local b = { math.random(100), math.random(100), math.random(100) }
expect.eq(a, b, "same seed, same numbers")
for _ = 1, 100 do
  local r = hwp.random(3, 5)
  if r < 3 or r > 5 then expect.truthy(false, "random out of range") end
end
