/*
 * l_hwpoison.c - memory failure for scenarios.
 *
 *   m:corrupt_pfn(pfn)            hwpoison-inject's corrupt-pfn: an
 *                                 injected (software) memory failure
 *   m:unpoison_pfn(pfn)           hwpoison-inject's unpoison-pfn
 *   m:memory_failure(pfn [, {action_required = true, must_kill = true,
 *                            simulated = true, count_increased = true}])
 *   m:memory_failure_queue(pfn)   as the MCE handler does for AO errors
 *   m:soft_offline(pfn)
 *   m:inject_filter{ dev_major = 8, dev_minor = 1,
 *                    flags_mask = n, flags_value = n, enable = true }
 *   m:actions()                   every action_result: {pfn, type, result}
 *   m:poisoned_pages()            num_poisoned_pages
 *   app:madvise_hwpoison(addr)    MADV_HWPOISON from the task
 *   app:madvise_soft_offline(addr)
 *
 * Results come back as (0 or nil, errno name), as the debugfs writes and
 * the madvise calls would report them.
 */
#include "lua/l_mm.h"

#include <errno.h>

#include "hwpoison/memory-failure.h"

static unsigned long check_pfn(lua_State *L, int arg)
{
	lua_Integer pfn = luaL_checkinteger(L, arg);

	luaL_argcheck(L, pfn >= 0 && pfn_valid((unsigned long)pfn), arg,
		      lua_pushfstring(L, "pfn %I is beyond memory (%I pages)",
				      pfn, (lua_Integer)max_pfn));
	return (unsigned long)pfn;
}

static const char *errno_name(int err)
{
	switch (-err) {
	case EBUSY:
		return "EBUSY";
	case EHWPOISON:
		return "EHWPOISON";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ENXIO:
		return "ENXIO";
	case EIO:
		return "EIO";
	case EFAULT:
		return "EFAULT";
	case EINVAL:
		return "EINVAL";
	}
	return "error";
}

static int push_result(lua_State *L, int ret, const char *what)
{
	hwp_machine_changed(L, hwp_machine_of(L), what);
	if (ret == 0) {
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_pushnil(L);
	lua_pushstring(L, errno_name(ret));
	return 2;
}

/*
 * hwpoison-inject's corrupt-pfn: with the filter on, only pages the
 * filter would pass (and that are LRU, huge or free) are injected.
 */
static int m_corrupt_pfn(lua_State *L)
{
	unsigned long pfn;
	struct page *p;

	hwp_check_machine(L, 1);
	pfn = check_pfn(L, 2);
	p = pfn_to_page(pfn);
	if (hwpoison_state()->filter_enable) {
		shake_page(compound_head(p));
		if (!PageLRU(p) && !PageHuge(p) && !is_free_buddy_page(p))
			return push_result(L, 0, "corrupt-pfn");
	}
	printk("Injecting memory failure at pfn %#lx", pfn);
	return push_result(L, memory_failure(pfn, MF_SW_SIMULATED),
			   "corrupt-pfn");
}

static int m_unpoison_pfn(lua_State *L)
{
	hwp_check_machine(L, 1);
	return push_result(L, unpoison_memory(check_pfn(L, 2)),
			   "unpoison-pfn");
}

static int flag_field(lua_State *L, int t, const char *k, int flag)
{
	int f = 0;

	if (lua_istable(L, t) && lua_getfield(L, t, k) != LUA_TNIL) {
		if (lua_toboolean(L, -1))
			f = flag;
	}
	if (lua_istable(L, t))
		lua_pop(L, 1);
	return f;
}

static int m_memory_failure(lua_State *L)
{
	unsigned long pfn;
	int flags;

	hwp_check_machine(L, 1);
	pfn = check_pfn(L, 2);
	flags = flag_field(L, 3, "action_required", MF_ACTION_REQUIRED) |
		flag_field(L, 3, "must_kill", MF_MUST_KILL) |
		flag_field(L, 3, "simulated", MF_SW_SIMULATED) |
		flag_field(L, 3, "count_increased", MF_COUNT_INCREASED);
	/*
	 * count_increased: the caller holds a reference, as a kernel caller
	 * that found the page in use does; take it for the scenario.
	 */
	if ((flags & MF_COUNT_INCREASED) &&
	    !get_page_unless_zero(pfn_to_page(pfn)))
		return luaL_error(L, "count_increased on pfn %#lx, which has "
				  "no reference to take", pfn);
	return push_result(L, memory_failure(pfn, flags), "memory_failure");
}

static int m_memory_failure_queue(lua_State *L)
{
	hwp_check_machine(L, 1);
	memory_failure_queue(check_pfn(L, 2), 0);
	return 0;
}

static int m_soft_offline(lua_State *L)
{
	hwp_check_machine(L, 1);
	return push_result(L, soft_offline_page(check_pfn(L, 2), 0),
			   "soft offline");
}

static uint64_t opt_u64(lua_State *L, int t, const char *k, uint64_t def)
{
	uint64_t v = def;

	if (lua_getfield(L, t, k) != LUA_TNIL)
		v = (uint64_t)luaL_checkinteger(L, -1);
	lua_pop(L, 1);
	return v;
}

static int m_inject_filter(lua_State *L)
{
	struct hwpoison_state *hs;

	hwp_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	hs = hwpoison_state();
	hs->filter_dev_major = (unsigned int)opt_u64(L, 2, "dev_major", ~0U);
	hs->filter_dev_minor = (unsigned int)opt_u64(L, 2, "dev_minor", ~0U);
	hs->filter_flags_mask = opt_u64(L, 2, "flags_mask", 0);
	hs->filter_flags_value = opt_u64(L, 2, "flags_value", 0);
	hs->filter_enable = true;
	if (lua_getfield(L, 2, "enable") != LUA_TNIL)
		hs->filter_enable = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return 0;
}

static int m_actions(lua_State *L)
{
	struct hwpoison_state *hs;

	hwp_check_machine(L, 1);
	hs = hwpoison_state();
	lua_createtable(L, (int)hs->events->len, 0);
	for (guint i = 0; i < hs->events->len; i++) {
		const struct mf_event *ev =
			&g_array_index(hs->events, struct mf_event, i);

		lua_createtable(L, 0, 4);
		lua_pushinteger(L, (lua_Integer)ev->pfn);
		lua_setfield(L, -2, "pfn");
		lua_pushstring(L, mf_action_page_type_name(ev->type));
		lua_setfield(L, -2, "type");
		lua_pushstring(L, mf_result_name(ev->result));
		lua_setfield(L, -2, "result");
		lua_pushinteger(L, (lua_Integer)ev->step);
		lua_setfield(L, -2, "step");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int m_poisoned_pages(lua_State *L)
{
	hwp_check_machine(L, 1);
	lua_pushinteger(L, hwpoison_state()->num_poisoned_pages);
	return 1;
}

/*
 * madvise(MADV_HWPOISON) and (MADV_SOFT_OFFLINE): the page under a user
 * address, faulted in and referenced as get_user_pages would, then handed
 * to memory_failure with that reference (MF_COUNT_INCREASED).
 */
static int madvise_poison(lua_State *L, bool soft)
{
	struct task_struct *t = hwp_check_task(L, 1);
	lua_Integer addr = luaL_checkinteger(L, 2);
	vm_fault_t fault = 0;
	struct page *page;
	unsigned long pfn;
	int ret;

	luaL_argcheck(L, addr > 0, 2, "address must be positive");
	if (!task_alive(t))
		return luaL_error(L, "task %s is dead", t->comm);
	page = follow_page_fault(t, (unsigned long)addr, false, &fault);
	if (!page)
		return push_result(L, -EFAULT, "madvise");
	pfn = page_to_pfn(page);
	if (soft) {
		put_page(page);
		printk("Soft offlining pfn %#lx at process virtual address "
		       "%#llx", pfn, (unsigned long long)addr);
		ret = soft_offline_page(pfn, 0);
	} else {
		printk("Injecting memory failure for pfn %#lx at process "
		       "virtual address %#llx", pfn,
		       (unsigned long long)addr);
		ret = memory_failure(pfn, MF_COUNT_INCREASED | MF_SW_SIMULATED);
		if (ret == -EOPNOTSUPP)
			ret = 0;
	}
	return push_result(L, ret, soft ? "madvise(MADV_SOFT_OFFLINE)" :
					  "madvise(MADV_HWPOISON)");
}

static int t_madvise_hwpoison(lua_State *L)
{
	return madvise_poison(L, false);
}

static int t_madvise_soft_offline(lua_State *L)
{
	return madvise_poison(L, true);
}

static const luaL_Reg machine_methods[] = {
	{ "corrupt_pfn", m_corrupt_pfn },
	{ "unpoison_pfn", m_unpoison_pfn },
	{ "memory_failure", m_memory_failure },
	{ "memory_failure_queue", m_memory_failure_queue },
	{ "soft_offline", m_soft_offline },
	{ "inject_filter", m_inject_filter },
	{ "actions", m_actions },
	{ "poisoned_pages", m_poisoned_pages },
	{ NULL, NULL },
};

static const luaL_Reg task_methods[] = {
	{ "madvise_hwpoison", t_madvise_hwpoison },
	{ "madvise_soft_offline", t_madvise_soft_offline },
	{ NULL, NULL },
};

/* Add the methods to the machine and task classes l_machine/l_task made. */
int hwp_open_hwpoison(lua_State *L)
{
	hwp_add_methods(L, MACHINE_MT, machine_methods);
	hwp_add_methods(L, TASK_MT, task_methods);
	return 0;
}
