-- The lock API a scenario sees: trylock, misuse, and the kinds of lock.

local spin = hwp.spinlock("zone->lock")
local mtx = hwp.mutex("hugetlb_fault_mutex")
local rw = hwp.rwlock("tasklist_lock")
local sem = hwp.rwsem("mmap_lock")

expect.eq(spin:type(), "spinlock")
expect.eq(sem:type(), "rw_semaphore")
expect.eq(tostring(mtx), "mutex hugetlb_fault_mutex")

expect.truthy(spin:trylock(), "trylock on a free spinlock")
expect.truthy(spin:held(), "the caller holds it")
expect.falsy(spin:trylock(), "trylock on a held spinlock")
spin:unlock()
expect.falsy(spin:held())

-- Readers share, writers exclude.
sem:down_read()
expect.truthy(sem:down_read_trylock(), "a second reader")
expect.eq(sem:readers(), 2)
expect.falsy(sem:down_write_trylock(), "no writer while readers hold it")
sem:up_read(); sem:up_read()
expect.truthy(sem:down_write_trylock(), "a writer once they left")
sem:up_write()

-- Misuse is an error at the scenario line, not a crash.
expect.error(function() mtx:unlock() end, "does not hold")
expect.error(function() rw:lock() end, "rwlock has no lock")
expect.error(function() spin:read_lock() end, "spinlock has no read_lock")
expect.error(function() hwp.rwlock("x", nil, "sideways") end,
             "invalid option")
