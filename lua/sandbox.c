/*
 * sandbox.c - a fresh Lua state for one scenario.
 *
 * Scenario code gets the safe parts of the standard library only: base
 * (without dofile and loadfile; load reads text chunks only), table,
 * string, math, utf8, coroutine, a require that finds Lua modules beside
 * the scenario and in scenarios/lib (no C modules), and debug.traceback.
 * No io, no os: no file writes, no processes, no wall clock.
 *
 * Determinism: math.random draws from the machine's PRNG; print goes to
 * the scenario's captured output and the trace; sandbox.lua (run before
 * the scenario) makes pairs() iterate in sorted key order and keeps
 * addresses out of tostring() and string.format(), because Lua seeds its
 * string hashes from addresses and the time, so raw next() order and
 * "table: 0x55d0..." differ from run to run.
 *
 * Budgets: the allocator caps the Lua heap; a count hook caps the VM
 * instructions, so an endless loop ends as a reported error instead of a
 * hung CI job.
 */
#include "lua/ctx.h"
#include "lua/l_mm.h"
#include "sim/trace.h"

#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "hwp-resources.h"

#define HOOK_EVERY 1000

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct hwp_ctx *ctx = ud;
	void *p;

	if (!ptr)
		osize = 0;	/* then osize is a type tag, not a size */
	if (nsize == 0) {
		free(ptr);
		ctx->mem_used -= osize;
		return NULL;
	}
	if (ctx->mem_limit && nsize > osize &&
	    ctx->mem_used + (nsize - osize) > ctx->mem_limit)
		return NULL;	/* Lua raises "not enough memory" */
	p = realloc(ptr, nsize);
	if (p)
		ctx->mem_used = ctx->mem_used - osize + nsize;
	return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	uint64_t max = ctx->opts->max_instructions;

	(void)ar;
	ctx->instructions += HOOK_EVERY;
	if (!max || ctx->instructions < max)
		return;
	if (!ctx->budget_hit) {
		char *where = hwp_where(L, 0);
		char *msg = g_strdup_printf(
			"instruction budget of %llu Lua instructions "
			"exhausted (an endless loop?)",
			(unsigned long long)max);

		ctx->budget_hit = true;
		ctx->res->status = HWP_ERROR;
		hwp_add_failure(ctx, where, msg, NULL);
		sim_finding_add(ctx->sim, "budget", NULL, "%s", msg);
		g_free(where);
		g_free(msg);
	}
	/* Leave at once; teardown unwinds this fiber later. */
	sim_stop(ctx->sim, "instruction budget");
	sim_yield(ctx->sim, "budget", NULL, NULL);
	luaL_error(L, "instruction budget exhausted");
}

static int l_print(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	int n = lua_gettop(L);
	GString *line = g_string_new(NULL);

	lua_getglobal(L, "tostring");
	for (int i = 1; i <= n; i++) {
		lua_pushvalue(L, -1);
		lua_pushvalue(L, i);
		lua_call(L, 1, 1);
		if (i > 1)
			g_string_append_c(line, '\t');
		g_string_append(line, luaL_optstring(L, -1, "?"));
		lua_pop(L, 1);
	}
	g_string_append_printf(ctx->res->output, "%s\n", line->str);
	sim_trace_event(ctx->sim, "print", "%s", line->str);
	g_string_free(line, TRUE);
	return 0;
}

static int l_random(lua_State *L)
{
	struct sim_prng *p = &hwp_ctx(L)->sim->prng;
	lua_Integer lo, hi;

	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, sim_prng_double(p));
		return 1;
	case 1:
		lo = 1;
		hi = luaL_checkinteger(L, 1);
		break;
	case 2:
		lo = luaL_checkinteger(L, 1);
		hi = luaL_checkinteger(L, 2);
		break;
	default:
		return luaL_error(L, "wrong number of arguments");
	}
	luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
	lua_pushinteger(L, sim_prng_range(p, lo, hi));
	return 1;
}

static int l_randomseed(lua_State *L)
{
	sim_prng_seed(&hwp_ctx(L)->sim->prng,
		      (uint64_t)luaL_checkinteger(L, 1));
	return 0;
}

/*
 * load() for text chunks only: no precompiled bytecode, which the VM does
 * not verify.  The real load is upvalue 1.  An absent env argument must
 * stay absent (an explicit nil would become the chunk's _ENV).
 */
static int l_load(lua_State *L)
{
	bool has_env = lua_gettop(L) >= 4;

	lua_settop(L, has_env ? 4 : 3);
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void open_safe_libs(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_LOADLIBNAME, luaopen_package },
		{ LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ LUA_DBLIBNAME, luaopen_debug },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(libs); i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
}

/* Keep only debug.traceback; the rest could reach past the sandbox. */
static void trim_debug(lua_State *L)
{
	lua_getglobal(L, "debug");
	lua_newtable(L);
	lua_getfield(L, -2, "traceback");
	lua_setfield(L, -2, "traceback");
	lua_pushvalue(L, -1);
	lua_setglobal(L, "debug");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_insert(L, -2);
	lua_setfield(L, -2, "debug");
	lua_pop(L, 2);
}

static void rewire_base(lua_State *L)
{
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
	lua_getglobal(L, "load");
	lua_pushcclosure(L, l_load, 1);
	lua_setglobal(L, "load");
	lua_pushcfunction(L, l_print);
	lua_setglobal(L, "print");
	lua_getglobal(L, "math");
	lua_pushcfunction(L, l_random);
	lua_setfield(L, -2, "random");
	lua_pushcfunction(L, l_randomseed);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
}

/* require: Lua files beside the scenario and in scenarios/lib only. */
static void restrict_package(lua_State *L, const char *file)
{
	char *dir = g_path_get_dirname(file);
	char *path = g_strdup_printf("%s/?.lua;%s/../lib/?.lua;"
				     "scenarios/lib/?.lua", dir, dir);

	lua_getglobal(L, "package");
	lua_pushstring(L, path);
	lua_setfield(L, -2, "path");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	/* searchers: preload and Lua files; drop the C searchers. */
	lua_getfield(L, -1, "searchers");
	for (int i = (int)luaL_len(L, -1); i > 2; i--) {
		lua_pushnil(L);
		lua_rawseti(L, -2, i);
	}
	lua_pop(L, 2);
	g_free(dir);
	g_free(path);
}

bool hwp_load_embedded(lua_State *L, const char *name, GError **err)
{
	char *path = g_strdup_printf("/hwpsim/lua/%s", name);
	char *chunk = g_strdup_printf("=[hwp %s]", name);
	GBytes *b = g_resource_lookup_data(hwp_get_resource(), path,
					   G_RESOURCE_LOOKUP_FLAGS_NONE, err);
	bool ok = false;

	if (b) {
		gsize len;
		const char *src = g_bytes_get_data(b, &len);

		if (hwp_load_cached(L, src, len, chunk) == LUA_OK)
			ok = true;
		else
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s", lua_tostring(L, -1));
		if (!ok)
			lua_pop(L, 1);
		g_bytes_unref(b);
	}
	g_free(path);
	g_free(chunk);
	return ok;
}

/* Run an embedded library chunk with hwp as its argument. */
static bool run_embedded(lua_State *L, const char *name, int nres,
			 GError **err)
{
	if (!hwp_load_embedded(L, name, err))
		return false;
	lua_getglobal(L, "hwp");
	if (lua_pcall(L, 1, nres, 0) != LUA_OK) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s",
			    name, lua_tostring(L, -1));
		lua_pop(L, 1);
		return false;
	}
	return true;
}

int hwp_open_mca(lua_State *L);	/* l_mca.c */

static int open_hwp(lua_State *L)
{
	lua_newtable(L);
	hwp_open_sim(L);
	hwp_open_lock(L);
	hwp_open_machine(L);
	hwp_open_task(L);
	hwp_open_file(L);
	hwp_open_hwpoison(L);
	hwp_open_mca(L);
	return 1;
}

lua_State *hwp_sandbox_new(struct hwp_ctx *ctx, GError **err)
{
	lua_State *L = lua_newstate(l_alloc, ctx);

	if (!L) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
			    "cannot create a Lua state");
		return NULL;
	}
	*(struct hwp_ctx **)lua_getextraspace(L) = ctx;
	ctx->L = L;
	open_safe_libs(L);
	trim_debug(L);
	rewire_base(L);
	restrict_package(L, ctx->file);
	luaL_requiref(L, "hwp", open_hwp, 1);
	lua_pop(L, 1);
	if (!run_embedded(L, "sandbox.lua", 0, err) ||
	    !run_embedded(L, "expect.lua", 1, err)) {
		lua_close(L);
		ctx->L = NULL;
		return NULL;
	}
	lua_setglobal(L, "expect");
	lua_getglobal(L, "expect");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_insert(L, -2);
	lua_setfield(L, -2, "expect");
	lua_pop(L, 1);
	if (ctx->opts->max_instructions)
		lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	return L;
}
