-- exit gives every page back: data pages, page tables, swap slots.

local m = hwp.machine{ memory = "64M" }
local free0 = m:free_pages()
local app = m:spawn{ name = "app" }
local a = app:mmap{ pages = 64, prot = "rw" }
for i = 0, 63 do app:write(a + i * 4096, "x") end
local child = app:fork{ name = "child" }
child:write(a, "y")
expect.lt(m:free_pages(), free0 - 64)
child:exit()
app:exit()
expect.falsy(app:alive())
expect.eq(m:free_pages(), free0, "every page came back")
expect.invariants(m)
