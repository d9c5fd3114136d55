-- mlock: locked pages are unevictable and reclaim leaves them alone.

local m = hwp.machine{ memory = "64M", swap = "16M" }
local app = m:spawn{ name = "app" }
local locked = app:mmap{ pages = 2, prot = "rw", locked = true }
local normal = app:mmap{ pages = 2, prot = "rw" }
app:write(locked, "keep me")
app:write(normal, "may go")

expect.page(m, app:pfn(locked), { flags = { "unevictable", "mlocked" } })
expect.page(m, app:pfn(normal), { absent = { "unevictable", "mlocked" } })

hwp.actor("reclaim", function()
  for _ = 1, 4 do m:reclaim(64) end
end)
hwp.join()
expect.eq(app:pte(locked), "present", "the locked page stayed mapped")
expect.eq(app:read(locked, 7), "keep me")

app:munlock(locked, 2)
expect.page(m, app:pfn(locked), { absent = { "unevictable", "mlocked" } })
app:mlock(normal, 2)
expect.eq(app:pte(normal), "present", "mlock faults the range in")
expect.page(m, app:pfn(normal), { flags = { "mlocked" } })
expect.invariants(m)
