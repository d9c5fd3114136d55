/*
 * l_sim.c - the engine as scenarios see it: actors, schedule points,
 * virtual time, timers, policy switches, findings.
 *
 *   hwp.actor(name, fn, ...)   run fn(...) as a new fiber; returns an actor
 *   actor:join() / hwp.join()  wait for one actor / for every actor
 *   hwp.yield([what])          an explicit preemption point
 *   hwp.sleep(d)               block for a duration: ns or "10us", "2ms"
 *   hwp.after(d, name, fn, ...) start fn(...) as an actor after a duration
 *   hwp.now(), hwp.step()      virtual ns, scheduling steps so far
 *   hwp.seed(), hwp.strategy() what this run was started with
 *   hwp.random(m[, n])         the machine PRNG, as math.random
 *   hwp.note(fmt, ...)         a line in the trace
 *   hwp.policy{k = v} / hwp.policy([k])   set or read policy switches
 *   hwp.findings()             the engine's findings so far
 *   hwp.waitq(name)            a wait queue: wait(), wake([n]), waiters()
 *   hwp._fail, _pass, _expect_finding: for expect.lua
 */
#include "lua/ctx.h"
#include "sim/policy.h"
#include "sim/trace.h"

#include <string.h>

#define ACTOR_MT "hwp.actor"
#define WAITQ_MT "hwp.waitq"

const char hwp_kill_sentinel = 'k';

/* ---- where and failures ----------------------------------------------- */

char *hwp_where(lua_State *L, int level)
{
	lua_Debug ar;

	for (int lv = level; lua_getstack(L, lv, &ar); lv++) {
		if (!lua_getinfo(L, "Sl", &ar))
			break;
		/* Scenario files are "@path"; embedded libraries "=[hwp ..]". */
		if (ar.source[0] == '@' && ar.currentline > 0)
			return g_strdup_printf("%s:%d", ar.source + 1,
					       ar.currentline);
	}
	return NULL;
}

void hwp_add_failure(struct hwp_ctx *ctx, const char *where,
		     const char *message, const char *detail)
{
	struct hwp_failure *f = g_new0(struct hwp_failure, 1);

	f->where = g_strdup(where ? where : ctx->file);
	f->message = g_strdup(message);
	f->detail = detail && *detail ? g_strdup(detail) : NULL;
	g_ptr_array_add(ctx->res->failures, f);
	sim_trace_event(ctx->sim, "fail", "%s: %s", f->where, f->message);
}

/* A message without the "file:line: " that where already says. */
static const char *strip_where(const char *msg, const char *where)
{
	size_t n = where ? strlen(where) : 0;

	if (n && !strncmp(msg, where, n) && !strncmp(msg + n, ": ", 2))
		return msg + n + 2;
	return msg;
}

int hwp_msgh(lua_State *L)
{
	const char *msg;
	char *where;

	if (lua_touserdata(L, 1) == &hwp_kill_sentinel)
		return 1;
	msg = lua_tostring(L, 1);
	if (!msg)
		msg = lua_pushfstring(L, "(error object is a %s value)",
				      luaL_typename(L, 1));
	where = hwp_where(L, 1);
	lua_createtable(L, 0, 3);
	lua_pushstring(L, strip_where(msg, where));
	lua_setfield(L, -2, "message");
	if (where)
		lua_pushstring(L, where);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, "where");
	luaL_traceback(L, L, NULL, 1);
	lua_setfield(L, -2, "traceback");
	g_free(where);
	return 1;
}

void hwp_report_error(struct hwp_ctx *ctx, lua_State *T, const char *what)
{
	const char *msg = "?", *where = NULL, *tb = NULL;
	char *full;

	if (lua_touserdata(T, -1) == &hwp_kill_sentinel)
		return;
	if (lua_istable(T, -1)) {
		lua_getfield(T, -1, "message");
		lua_getfield(T, -2, "where");
		lua_getfield(T, -3, "traceback");
		msg = lua_tostring(T, -3);
		where = lua_tostring(T, -2);
		tb = lua_tostring(T, -1);
	} else if (lua_isstring(T, -1)) {
		msg = lua_tostring(T, -1);
	}
	full = what ? g_strdup_printf("%s: %s", what, msg) : g_strdup(msg);
	hwp_add_failure(ctx, where, full, tb);
	g_free(full);
	if (lua_istable(T, -1))
		lua_pop(T, 3);
	ctx->res->status = HWP_ERROR;
	ctx->errored = true;
	sim_stop(ctx->sim, "error in scenario");
}

/* ---- durations ---------------------------------------------------------- */

/* A duration: integer ns, or a string with a unit (ns, us, ms, s). */
uint64_t hwp_check_duration(lua_State *L, int arg)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 },
	};
	const char *s;
	char *end;
	double v;

	if (lua_type(L, arg) == LUA_TNUMBER) {
		lua_Integer n = luaL_checkinteger(L, arg);

		luaL_argcheck(L, n >= 0, arg, "duration must not be negative");
		return (uint64_t)n;
	}
	s = luaL_checkstring(L, arg);
	v = g_ascii_strtod(s, &end);
	for (size_t i = 0; end != s && v >= 0 && i < G_N_ELEMENTS(units); i++)
		if (!strcmp(end, units[i].unit))
			return (uint64_t)(v * (double)units[i].ns + 0.5);
	luaL_argerror(L, arg, lua_pushfstring(L, "bad duration '%s' "
					      "(e.g. 500, \"10us\", \"2ms\")",
					      s));
	return 0;
}

/* ---- actors ------------------------------------------------------------- */

static void actor_unwind(struct sim_fiber *f, void *data)
{
	struct hwp_actor *a = data;

	(void)f;
	/* Only inside its pcall can the Lua thread be unwound. */
	if (!a->in_pcall)
		return;
	lua_pushlightuserdata(a->T, (void *)&hwp_kill_sentinel);
	lua_error(a->T);
}

static void actor_main(void *arg)
{
	struct hwp_actor *a = arg;
	lua_State *T = a->T;
	char *what;
	int st;

	lua_pushcfunction(T, hwp_msgh);
	lua_insert(T, 1);
	a->in_pcall = true;
	st = lua_pcall(T, a->nargs, 0, 1);
	a->in_pcall = false;
	if (st != LUA_OK && !a->f->killed) {
		what = g_strdup_printf("in actor %s", a->f->name);
		hwp_report_error(a->ctx, T, what);
		g_free(what);
	}
	lua_settop(T, 0);
}

struct hwp_actor *hwp_actor_new(struct hwp_ctx *ctx, lua_State *L,
				const char *name, int nargs, bool delayed,
				uint64_t delay_ns, void (*entry)(void *))
{
	struct hwp_actor *a = g_new0(struct hwp_actor, 1);

	a->ctx = ctx;
	a->T = lua_newthread(L);
	a->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	a->nargs = nargs;
	if (!entry)
		entry = actor_main;
	if (delayed)
		a->f = sim_spawn_after(ctx->sim, delay_ns, name, entry, a);
	else
		a->f = sim_spawn(ctx->sim, name, entry, a);
	a->f->unwind = actor_unwind;
	a->f->unwind_data = a;
	a->f->user = a;
	g_ptr_array_add(ctx->actors, a);
	return a;
}

static struct hwp_actor **push_actor(lua_State *L, struct hwp_actor *a)
{
	struct hwp_actor **ud = lua_newuserdatauv(L, sizeof(*ud), 0);

	*ud = a;
	luaL_setmetatable(L, ACTOR_MT);
	return ud;
}

/* Move the function and its arguments (stack from index first) to T. */
static struct hwp_actor *start_actor(lua_State *L, const char *name,
				     int first)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	int nargs = lua_gettop(L) - first;
	struct hwp_actor *a;

	luaL_checktype(L, first, LUA_TFUNCTION);
	if (ctx->sim->stopping)
		luaL_error(L, "the run is stopping: no new actors");
	a = hwp_actor_new(ctx, L, name, nargs, false, 0, NULL);
	lua_xmove(L, a->T, nargs + 1);
	return a;
}

static int l_actor(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);

	push_actor(L, start_actor(L, name, 2));
	return 1;
}

static struct hwp_actor *check_actor(lua_State *L, int arg)
{
	return *(struct hwp_actor **)luaL_checkudata(L, arg, ACTOR_MT);
}

static void join_one(lua_State *L, struct hwp_actor *a)
{
	struct hwp_ctx *ctx = hwp_ctx(L);

	if (a->f == sim_current(ctx->sim))
		luaL_error(L, "an actor cannot join itself");
	sim_set_quiescent(ctx->sim, true);
	sim_join(ctx->sim, a->f);
	sim_set_quiescent(ctx->sim, false);
}

static int actor_join(lua_State *L)
{
	join_one(L, check_actor(L, 1));
	return 0;
}

static int actor_done(lua_State *L)
{
	lua_pushboolean(L, check_actor(L, 1)->f->state == SIM_FIBER_DONE);
	return 1;
}

static int actor_id(lua_State *L)
{
	lua_pushinteger(L, check_actor(L, 1)->f->id);
	return 1;
}

static int actor_name(lua_State *L)
{
	lua_pushstring(L, check_actor(L, 1)->f->name);
	return 1;
}

static int actor_tostring(lua_State *L)
{
	struct hwp_actor *a = check_actor(L, 1);

	lua_pushfstring(L, "actor %s#%d", a->f->name, a->f->id);
	return 1;
}

/* hwp.join(): every actor but the caller, in the order they started. */
static int l_join(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	struct sim_fiber *self = sim_current(ctx->sim);

	if (lua_gettop(L) > 0) {
		for (int i = 1; i <= lua_gettop(L); i++)
			join_one(L, check_actor(L, i));
		return 0;
	}
	for (guint i = 0; i < ctx->actors->len; i++) {
		struct hwp_actor *a = g_ptr_array_index(ctx->actors, i);

		if (a->f != self && !a->is_main) {
			sim_set_quiescent(ctx->sim, true);
			sim_join(ctx->sim, a->f);
			sim_set_quiescent(ctx->sim, false);
		}
	}
	return 0;
}

/* ---- schedule points and time ------------------------------------------- */

/* The scenario line that called the running C function, as a lock site. */
struct sim_site *hwp_lua_site(lua_State *L, struct sim_site *site)
{
	lua_Debug ar;

	memset(site, 0, sizeof(*site));
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) &&
	    ar.source[0] == '@') {
		site->file = g_intern_string(ar.source + 1);
		site->line = ar.currentline;
	}
	return site;
}

static int l_yield(lua_State *L)
{
	struct sim_site site;
	const char *what = luaL_optstring(L, 1, "yield");

	sim_set_quiescent(hwp_ctx(L)->sim, true);
	sim_yield(hwp_ctx(L)->sim, g_intern_string(what), NULL,
		  hwp_lua_site(L, &site));
	sim_set_quiescent(hwp_ctx(L)->sim, false);
	return 0;
}

static int l_sleep(lua_State *L)
{
	struct sim_site site;
	uint64_t ns = hwp_check_duration(L, 1);

	sim_set_quiescent(hwp_ctx(L)->sim, true);
	sim_sleep(hwp_ctx(L)->sim, ns, hwp_lua_site(L, &site));
	sim_set_quiescent(hwp_ctx(L)->sim, false);
	return 0;
}

static int l_now(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)sim_now(hwp_ctx(L)->sim));
	return 1;
}

static int l_step(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)hwp_ctx(L)->sim->step);
	return 1;
}

static int l_seed(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)hwp_ctx(L)->sim->cfg.seed);
	return 1;
}

static int l_strategy(lua_State *L)
{
	char *d = sim_strategy_describe(&hwp_ctx(L)->sim->cfg.strategy);

	lua_pushstring(L, d);
	g_free(d);
	return 1;
}

static int l_random(lua_State *L)
{
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "random");
	lua_insert(L, 1);
	lua_pop(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int l_note(lua_State *L)
{
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "format");
	lua_insert(L, 1);
	lua_pop(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	sim_trace_event(hwp_ctx(L)->sim, "note", "%s", lua_tostring(L, -1));
	return 0;
}

/* hwp.after(delay, name, fn, ...): an actor that starts later. */
static int l_after(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	uint64_t ns = hwp_check_duration(L, 1);
	const char *name = luaL_checkstring(L, 2);
	int nargs = lua_gettop(L) - 3;
	struct hwp_actor *a;

	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (ctx->sim->stopping)
		return luaL_error(L, "the run is stopping: no new actors");
	a = hwp_actor_new(ctx, L, name, nargs, true, ns, NULL);
	lua_xmove(L, a->T, nargs + 1);
	push_actor(L, a);
	return 1;
}

/* ---- wait queues -------------------------------------------------------- */

struct l_waitq {
	struct sim_waitq wq;
};

static int l_waitq(lua_State *L)
{
	const char *name = g_intern_string(luaL_checkstring(L, 1));
	struct l_waitq *w = lua_newuserdatauv(L, sizeof(*w), 0);

	sim_waitq_init(&w->wq, name);
	luaL_setmetatable(L, WAITQ_MT);
	/* Anchored for the whole run: a blocked fiber may point at it. */
	lua_pushvalue(L, -1);
	luaL_ref(L, LUA_REGISTRYINDEX);
	return 1;
}

static int waitq_wait(lua_State *L)
{
	struct l_waitq *w = luaL_checkudata(L, 1, WAITQ_MT);
	struct sim_site site;

	if (!sim_current(hwp_ctx(L)->sim))
		return luaL_error(L, "waitq:wait() outside an actor");
	sim_set_quiescent(hwp_ctx(L)->sim, true);
	sim_waitq_wait(hwp_ctx(L)->sim, &w->wq, hwp_lua_site(L, &site));
	sim_set_quiescent(hwp_ctx(L)->sim, false);
	return 0;
}

static int waitq_wake(lua_State *L)
{
	struct l_waitq *w = luaL_checkudata(L, 1, WAITQ_MT);
	lua_Integer n = luaL_optinteger(L, 2, -1);

	lua_pushinteger(L, sim_waitq_wake(hwp_ctx(L)->sim, &w->wq, (int)n));
	return 1;
}

static int waitq_waiters(lua_State *L)
{
	struct l_waitq *w = luaL_checkudata(L, 1, WAITQ_MT);

	lua_pushinteger(L, (lua_Integer)g_queue_get_length(&w->wq.q));
	return 1;
}

static int waitq_tostring(lua_State *L)
{
	struct l_waitq *w = luaL_checkudata(L, 1, WAITQ_MT);

	lua_pushfstring(L, "waitq %s", w->wq.name);
	return 1;
}

/* ---- policy and findings ------------------------------------------------ */

static int l_policy(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	GError *err = NULL;

	if (lua_type(L, 1) == LUA_TSTRING) {
		lua_pushstring(L, sim_policy_get(ctx->policy,
						 lua_tostring(L, 1)));
		return 1;
	}
	if (lua_istable(L, 1)) {
		lua_pushnil(L);
		while (lua_next(L, 1)) {
			const char *k = luaL_checkstring(L, -2);
			const char *v = luaL_tolstring(L, -1, NULL);

			if (!sim_policy_set(ctx->policy, k, v, false, &err)) {
				lua_pushstring(L, err->message);
				g_error_free(err);
				return lua_error(L);
			}
			lua_pop(L, 2);
		}
		hwp_policy_applied(ctx);
		return 0;
	}
	lua_newtable(L);
	{
		GPtrArray *snap = sim_policy_snapshot(ctx->policy);

		for (guint i = 0; i + 1 < snap->len; i += 2) {
			lua_pushstring(L, g_ptr_array_index(snap, i + 1));
			lua_setfield(L, -2, g_ptr_array_index(snap, i));
		}
		g_ptr_array_free(snap, TRUE);
	}
	return 1;
}

static int l_findings(lua_State *L)
{
	struct sim *s = hwp_ctx(L)->sim;

	lua_createtable(L, (int)s->findings->len, 0);
	for (guint i = 0; i < s->findings->len; i++) {
		struct sim_finding *fi = g_ptr_array_index(s->findings, i);

		lua_createtable(L, 0, 4);
		lua_pushstring(L, fi->kind);
		lua_setfield(L, -2, "kind");
		lua_pushstring(L, fi->message);
		lua_setfield(L, -2, "message");
		lua_pushstring(L, fi->detail ? fi->detail : "");
		lua_setfield(L, -2, "detail");
		lua_pushinteger(L, (lua_Integer)fi->step);
		lua_setfield(L, -2, "step");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int l_fail(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	char *where = hwp_where(L, 1);

	ctx->res->expectations++;
	if (ctx->res->status == HWP_PASS)
		ctx->res->status = HWP_FAIL;
	hwp_add_failure(ctx, where, luaL_checkstring(L, 1),
			luaL_optstring(L, 2, NULL));
	g_free(where);
	return 0;
}

static int l_pass(lua_State *L)
{
	hwp_ctx(L)->res->expectations++;
	return 0;
}

static int l_expect_finding(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	struct hwp_expected_finding *e = g_new0(struct hwp_expected_finding, 1);

	e->kind = g_strdup(luaL_checkstring(L, 1));
	e->pattern = g_strdup(luaL_optstring(L, 2, NULL));
	e->optional = lua_toboolean(L, 3);
	e->where = hwp_where(L, 1);
	g_ptr_array_add(ctx->expected_findings, e);
	return 0;
}

static const luaL_Reg hwp_funcs[] = {
	{ "actor", l_actor },
	{ "join", l_join },
	{ "yield", l_yield },
	{ "sleep", l_sleep },
	{ "after", l_after },
	{ "now", l_now },
	{ "step", l_step },
	{ "seed", l_seed },
	{ "strategy", l_strategy },
	{ "random", l_random },
	{ "note", l_note },
	{ "waitq", l_waitq },
	{ "policy", l_policy },
	{ "findings", l_findings },
	{ "_fail", l_fail },
	{ "_pass", l_pass },
	{ "_expect_finding", l_expect_finding },
	{ NULL, NULL },
};

static const luaL_Reg actor_methods[] = {
	{ "join", actor_join },
	{ "done", actor_done },
	{ "id", actor_id },
	{ "name", actor_name },
	{ NULL, NULL },
};

static const luaL_Reg waitq_methods[] = {
	{ "wait", waitq_wait },
	{ "wake", waitq_wake },
	{ "waiters", waitq_waiters },
	{ NULL, NULL },
};

void hwp_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
		   lua_CFunction tostr, lua_CFunction gc)
{
	luaL_newmetatable(L, name);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, tostr);
	lua_setfield(L, -2, "__tostring");
	if (gc) {
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_pop(L, 1);
}

int hwp_open_sim(lua_State *L)
{
	hwp_new_class(L, ACTOR_MT, actor_methods, actor_tostring, NULL);
	hwp_new_class(L, WAITQ_MT, waitq_methods, waitq_tostring, NULL);
	luaL_setfuncs(L, hwp_funcs, 0);
	return 1;
}
