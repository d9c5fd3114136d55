/*
 * ctx.h - the state of one scenario run, shared by the binding files.
 *
 * A pointer to it sits in the extra space of every Lua thread of the run
 * (Lua copies the main thread's extra space into each new thread), so any
 * C function can reach the engine and the result in one load.
 */
#ifndef HWPSIM_LUA_CTX_H
#define HWPSIM_LUA_CTX_H

#include <lua.h>
#include <lauxlib.h>
#include <stdbool.h>

#include "lua/host.h"
#include "sim/policy.h"
#include "sim/sim.h"

struct mm_machine;
struct lockdep;
struct hwp_machine;

struct hwp_ctx {
	lua_State *L;			/* the main state */
	struct sim *sim;
	struct sim_policy *policy;
	struct hwp_result *res;
	struct mm_machine *machine;	/* hwp.machine{}, at most one */
	struct hwp_machine *hmachine;	/* its Lua object (a full userdata) */
	struct lockdep *lockdep;	/* the run's lock-order validator */
	const struct hwp_run_opts *opts;
	const char *file;

	size_t mem_used;		/* Lua heap bytes */
	size_t mem_limit;
	uint64_t instructions;		/* counted in hook steps */
	bool budget_hit;

	GPtrArray *expected_findings;	/* struct hwp_expected_finding */
	GPtrArray *actors;		/* struct hwp_actor, spawn order */
	GPtrArray *refs;		/* struct hwp_ref, see l_mm.h */
	bool errored;			/* a Lua error ended the run */
};

struct hwp_expected_finding {
	char *kind;
	char *pattern;			/* Lua pattern on the message, or NULL */
	char *where;
	bool optional;			/* allowed, not required (expect.allow) */
	bool seen;
};

/* A fiber running Lua: the main chunk or an actor. */
struct hwp_actor {
	struct hwp_ctx *ctx;
	lua_State *T;
	int thread_ref;			/* anchors T in the registry */
	struct sim_fiber *f;
	int nargs;
	bool is_main;
	bool in_pcall;			/* only then can T be unwound */
};

/* A new actor whose thread gets fn and nargs arguments from the caller;
 * it starts after delay_ns when delayed is set. */
struct hwp_actor *hwp_actor_new(struct hwp_ctx *ctx, lua_State *L,
				const char *name, int nargs, bool delayed,
				uint64_t delay_ns, void (*entry)(void *));

static inline struct hwp_ctx *hwp_ctx(lua_State *L)
{
	return *(struct hwp_ctx **)lua_getextraspace(L);
}

/* The first frame of scenario code above the libraries: "file:line". */
char *hwp_where(lua_State *L, int level);
/* Record a failed expectation or an error in the result. */
void hwp_add_failure(struct hwp_ctx *ctx, const char *where,
		     const char *message, const char *detail);
/* The message handler for pcall: keeps the message, adds where/traceback. */
int hwp_msgh(lua_State *L);
/* Report a Lua error (message handler output on top of T) and stop. */
void hwp_report_error(struct hwp_ctx *ctx, lua_State *T, const char *what);

/* The scenario line calling the running C function, as a lock site. */
struct sim_site *hwp_lua_site(lua_State *L, struct sim_site *site);

/* A duration argument: ns, or "10us", "2ms", "1s". */
uint64_t hwp_check_duration(lua_State *L, int arg);

/* Push the run's policy switches to what reads them directly (host.c). */
void hwp_policy_applied(struct hwp_ctx *ctx);

/* A check of the machine's invariants deferred to the end of the run. */
void hwp_machine_final_check(struct hwp_ctx *ctx);
/* Drop every machine reference Lua values hold (before the machine goes). */
void hwp_release_refs(struct hwp_ctx *ctx);

/* A userdata class: metatable name, methods (__index), __tostring and
 * (if not NULL) __gc. */
void hwp_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
		   lua_CFunction tostr, lua_CFunction gc);

/* Library openers. */
int hwp_open_sim(lua_State *L);		/* fills the hwp table on top */
int hwp_open_lock(lua_State *L);
lua_State *hwp_sandbox_new(struct hwp_ctx *ctx, GError **err);
bool hwp_load_embedded(lua_State *L, const char *name, GError **err);

/*
 * Load a chunk as luaL_loadbufferx (text only) would, compiling the same
 * name and text only once per process (chunk_cache.c); the file form
 * reads path as luaL_loadfile does.
 */
int hwp_load_cached(lua_State *L, const char *src, size_t len,
		    const char *name);
int hwp_load_file_cached(lua_State *L, const char *path);

/* The sentinel error value that unwinds a killed fiber. */
extern const char hwp_kill_sentinel;

#endif
