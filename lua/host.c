/*
 * host.c - run one scenario file, collect its result.
 *
 * The order of a run:
 *   1. the engine, from the run options (seed, strategy, budgets);
 *   2. the policy switches, defaults then command-line overrides;
 *   3. a sandboxed Lua state with hwp and expect;
 *   4. the main fiber: load the file as text and call it; actors it
 *      starts are fibers of their own;
 *   5. sim_run() until every fiber is done, the run is stopped (an error,
 *      a budget) or nothing can run (a deadlock);
 *   6. findings are matched against the scenario's declarations, the
 *      result is filled in, the engine is torn down (unwinding fibers that
 *      are still alive, which needs the Lua state), then Lua is closed.
 *
 * A scenario that errors stops only itself: the caller goes on with the
 * next file.
 */
#include "lua/ctx.h"
#include "hwpoison/memory-failure.h"
#include "mm-model/fs.h"
#include "mm-model/machine.h"
#include "sim/lock.h"
#include "sim/lockdep.h"
#include "sim/trace.h"

#include <string.h>

/* Every layer's policy switches, so --set and hwp.policy know them all. */
void hwp_register_policies(void)
{
	sim_policy_register_engine();
	fs_policy_register();
	hwpoison_policy_register();
}

const char *hwp_status_name(enum hwp_status st)
{
	static const char *const names[] = { "pass", "fail", "error" };

	return names[st];
}

void hwp_run_opts_default(struct hwp_run_opts *o)
{
	struct sim_config cfg;

	memset(o, 0, sizeof(*o));
	sim_config_default(&cfg);
	o->seed = cfg.seed;
	o->strategy = cfg.strategy;
	o->max_steps = cfg.max_steps;
	o->max_instructions = 200ULL * 1000 * 1000;
	o->max_memory = 1024ULL * 1024 * 1024;
}

void hwp_run_opts_clear(struct hwp_run_opts *o)
{
	sim_strategy_clear(&o->strategy);
	g_free(o->strategy_label);
	o->strategy_label = NULL;
	if (o->policy_overrides)
		g_ptr_array_free(o->policy_overrides, TRUE);
	o->policy_overrides = NULL;
}

static void failure_free(gpointer p)
{
	struct hwp_failure *f = p;

	g_free(f->where);
	g_free(f->message);
	g_free(f->detail);
	g_free(f);
}

static void kv_free(gpointer p)
{
	struct hwp_policy_kv *kv = p;

	g_free(kv->key);
	g_free(kv->value);
	g_free(kv);
}

static void finding_copy_free(gpointer p)
{
	struct sim_finding *fi = p;

	g_free(fi->kind);
	g_free(fi->message);
	g_free(fi->detail);
	g_free(fi);
}

void hwp_result_free(struct hwp_result *r)
{
	if (!r)
		return;
	g_free(r->file);
	g_free(r->name);
	g_free(r->topic);
	g_free(r->strategy);
	g_ptr_array_free(r->policy, TRUE);
	g_ptr_array_free(r->failures, TRUE);
	g_ptr_array_free(r->findings, TRUE);
	g_free(r->trace_digest);
	g_free(r->trace);
	g_string_free(r->output, TRUE);
	g_ptr_array_free(r->outcomes, TRUE);
	if (r->dmesg)
		g_string_free(r->dmesg, TRUE);
	g_array_free(r->choices, TRUE);
	if (r->decisions) {
		g_array_free(r->decisions, TRUE);
		g_array_free(r->decision_ids, TRUE);
	}
	g_free(r);
}

/* "scenarios/mm/x.lua" -> "mm"; files elsewhere -> their folder's name. */
static char *topic_of(const char *path)
{
	gchar **parts = g_strsplit(path, "/", -1);
	guint n = g_strv_length(parts);
	char *topic = NULL;

	for (guint i = 0; i + 2 < n && !topic; i++)
		if (!strcmp(parts[i], "scenarios"))
			topic = g_strdup(parts[i + 1]);
	if (!topic)
		topic = g_strdup(n >= 2 ? parts[n - 2] : "scenarios");
	g_strfreev(parts);
	return topic;
}

static struct hwp_result *result_new(const char *path,
				     const struct hwp_run_opts *opts)
{
	struct hwp_result *r = g_new0(struct hwp_result, 1);

	r->file = g_strdup(path);
	r->name = g_strdup(path);
	r->topic = topic_of(path);
	r->status = HWP_PASS;
	r->seed = opts->seed;
	r->strategy = sim_strategy_describe(&opts->strategy);
	r->policy = g_ptr_array_new_with_free_func(kv_free);
	r->failures = g_ptr_array_new_with_free_func(failure_free);
	r->findings = g_ptr_array_new_with_free_func(finding_copy_free);
	r->output = g_string_new(NULL);
	r->outcomes = g_ptr_array_new_with_free_func(g_free);
	r->choices = g_array_new(FALSE, FALSE, sizeof(int));
	return r;
}

/* Called whenever switches change: the engine reads its own directly. */
void hwp_policy_applied(struct hwp_ctx *ctx)
{
	ctx->sim->cfg.rwlock_fair = sim_policy_is(ctx->policy, "rwlock",
						  "fair");
}

static bool apply_overrides(struct hwp_ctx *ctx)
{
	GPtrArray *ov = ctx->opts->policy_overrides;
	GError *err = NULL;

	for (guint i = 0; ov && i < ov->len; i++) {
		struct hwp_policy_kv *kv = g_ptr_array_index(ov, i);

		if (!sim_policy_set(ctx->policy, kv->key, kv->value, true,
				    &err)) {
			hwp_add_failure(ctx, "--set", err->message, NULL);
			ctx->res->status = HWP_ERROR;
			g_error_free(err);
			return false;
		}
	}
	hwp_policy_applied(ctx);
	return true;
}

/* "path:LINE: message" from the Lua loader -> where and message. */
static void add_load_error(struct hwp_ctx *ctx, const char *msg)
{
	size_t n = strlen(ctx->file);
	const char *p = msg;
	char *where = NULL;

	if (!strncmp(msg, ctx->file, n) && msg[n] == ':' &&
	    g_ascii_isdigit(msg[n + 1])) {
		p = msg + n + 1;
		while (g_ascii_isdigit(*p))
			p++;
		where = g_strndup(msg, (gsize)(p - msg));
		if (!strncmp(p, ": ", 2))
			p += 2;
	}
	hwp_add_failure(ctx, where, p, NULL);
	g_free(where);
	ctx->res->status = HWP_ERROR;
	ctx->errored = true;
}

static void main_fiber(void *arg)
{
	struct hwp_actor *a = arg;
	struct hwp_ctx *ctx = a->ctx;
	lua_State *T = a->T;
	int st;

	lua_pushcfunction(T, hwp_msgh);
	st = hwp_load_file_cached(T, ctx->file);
	if (st != LUA_OK) {
		add_load_error(ctx, lua_tostring(T, -1));
		lua_settop(T, 0);
		return;
	}
	a->in_pcall = true;
	st = lua_pcall(T, 0, 0, 1);
	a->in_pcall = false;
	if (st != LUA_OK && !a->f->killed)
		hwp_report_error(ctx, T, NULL);
	lua_settop(T, 0);
}

static bool finding_matches(lua_State *L, const struct sim_finding *fi,
			    const struct hwp_expected_finding *e)
{
	bool ok;

	if (strcmp(fi->kind, e->kind))
		return false;
	if (!e->pattern)
		return true;
	/* Lua patterns, as everywhere else in scenarios. */
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "find");
	lua_pushstring(L, fi->message);
	lua_pushstring(L, e->pattern);
	ok = lua_pcall(L, 2, 1, 0) == LUA_OK && !lua_isnil(L, -1);
	lua_pop(L, 2);
	return ok;
}

/*
 * Every finding must have been declared by expect.finding() (or
 * expect.deadlock()), and every declaration must have been met.
 */
static void judge_findings(struct hwp_ctx *ctx)
{
	struct sim *s = ctx->sim;

	for (guint i = 0; i < s->findings->len; i++) {
		struct sim_finding *fi = g_ptr_array_index(s->findings, i);
		bool expected = !strcmp(fi->kind, "budget");

		for (guint j = 0; j < ctx->expected_findings->len; j++) {
			struct hwp_expected_finding *e =
				g_ptr_array_index(ctx->expected_findings, j);

			if (finding_matches(ctx->L, fi, e)) {
				e->seen = true;
				expected = true;
			}
		}
		if (!expected) {
			/* The finding itself is listed with its detail. */
			char *msg = g_strdup_printf("unexpected %s finding at "
						    "step %llu", fi->kind,
						    (unsigned long long)fi->step);

			hwp_add_failure(ctx, NULL, msg, NULL);
			g_free(msg);
			if (ctx->res->status == HWP_PASS)
				ctx->res->status = HWP_FAIL;
		}
	}
	for (guint j = 0; j < ctx->expected_findings->len; j++) {
		struct hwp_expected_finding *e =
			g_ptr_array_index(ctx->expected_findings, j);
		char *msg;

		if (e->seen || e->optional || ctx->errored)
			continue;
		msg = g_strdup_printf("expected a %s finding%s%s, none "
				      "happened", e->kind,
				      e->pattern ? " matching " : "",
				      e->pattern ? e->pattern : "");
		hwp_add_failure(ctx, e->where, msg, NULL);
		g_free(msg);
		if (ctx->res->status == HWP_PASS)
			ctx->res->status = HWP_FAIL;
	}
}

static const char *signal_name(int signo, int code)
{
	if (signo == SIGKILL)
		return "SIGKILL";
	if (signo == SIGSEGV)
		return "SIGSEGV";
	if (signo != SIGBUS)
		return "signal";
	switch (code) {
	case BUS_MCEERR_AR:
		return "SIGBUS BUS_MCEERR_AR";
	case BUS_MCEERR_AO:
		return "SIGBUS BUS_MCEERR_AO";
	case BUS_ADRERR:
		return "SIGBUS BUS_ADRERR";
	}
	return "SIGBUS";
}

/* The machine's story, in the order it happened, for reports and diff. */
static void collect_outcomes(struct hwp_ctx *ctx)
{
	struct mm_machine *m = ctx->machine;
	struct hwpoison_state *hs;

	if (!m)
		return;
	ctx->res->dmesg = g_string_new(NULL);
	for (guint i = 0; i < m->log->len; i++)
		g_string_append_printf(ctx->res->dmesg, "%s\n",
				       (char *)g_ptr_array_index(m->log, i));
	for (guint i = 0; i < m->signals->len; i++) {
		const struct mm_signal_record *r = g_ptr_array_index(m->signals,
								      i);

		g_ptr_array_add(ctx->res->outcomes, g_strdup_printf(
			"signal %s[%d]: %s si_addr=%#lx si_addr_lsb=%d%s",
			r->comm, r->pid, signal_name(r->signo, r->code),
			r->addr, r->addr_lsb, r->killed ? ", killed" : ""));
	}
	hs = m->hwpoison;
	for (guint i = 0; hs && i < hs->events->len; i++) {
		const struct mf_event *ev =
			&g_array_index(hs->events, struct mf_event, i);

		g_ptr_array_add(ctx->res->outcomes, g_strdup_printf(
			"memory_failure %#lx: %s: %s", ev->pfn,
			mf_action_page_type_name(ev->type),
			mf_result_name(ev->result)));
	}
	if (m->panicked)
		g_ptr_array_add(ctx->res->outcomes,
				g_strdup_printf("panic: %s", m->panic_msg));
}

static void fill_result(struct hwp_ctx *ctx)
{
	struct hwp_result *r = ctx->res;
	struct sim *s = ctx->sim;
	GPtrArray *snap = sim_policy_snapshot(ctx->policy);

	for (guint i = 0; i + 1 < snap->len; i += 2) {
		struct hwp_policy_kv *kv = g_new0(struct hwp_policy_kv, 1);

		kv->key = g_strdup(g_ptr_array_index(snap, i));
		kv->value = g_strdup(g_ptr_array_index(snap, i + 1));
		g_ptr_array_add(r->policy, kv);
	}
	g_ptr_array_free(snap, TRUE);
	for (guint i = 0; i < s->findings->len; i++) {
		struct sim_finding *fi = g_ptr_array_index(s->findings, i);
		struct sim_finding *c = g_new0(struct sim_finding, 1);

		c->kind = g_strdup(fi->kind);
		c->message = g_strdup(fi->message);
		c->detail = g_strdup(fi->detail);
		c->step = fi->step;
		g_ptr_array_add(r->findings, c);
	}
	collect_outcomes(ctx);
	r->steps = s->step;
	r->virtual_ns = s->now;
	r->fibers = s->fibers->len;
	r->trace_digest = sim_trace_digest(s->trace);
	g_array_append_vals(r->choices, s->choices->data, s->choices->len);
	if (s->decisions) {
		/* The engine's arrays: it is freed right after. */
		r->decisions = s->decisions;
		r->decision_ids = s->decision_ids;
		s->decisions = NULL;
		s->decision_ids = NULL;
	}
	if (ctx->opts->keep_trace && sim_trace_text(s->trace))
		r->trace = g_strdup(sim_trace_text(s->trace));
}

static void expected_free(gpointer p)
{
	struct hwp_expected_finding *e = p;

	g_free(e->kind);
	g_free(e->pattern);
	g_free(e->where);
	g_free(e);
}

static struct sim *engine_new(const char *path,
			      const struct hwp_run_opts *opts)
{
	const GPtrArray *ov = opts->policy_overrides;
	struct sim_config cfg;
	struct sim *s;
	char *st;

	sim_config_default(&cfg);
	cfg.seed = opts->seed;
	cfg.strategy = opts->strategy;	/* sim_new copies the replay list */
	cfg.max_steps = opts->max_steps;
	cfg.trace_level = opts->keep_trace ? SIM_TRACE_FULL :
			  opts->no_trace ? SIM_TRACE_OFF : SIM_TRACE_DIGEST;
	cfg.record_decisions = opts->record_decisions;
	cfg.on_pick = opts->on_pick;
	cfg.on_pick_data = opts->on_pick_data;
	s = sim_new(&cfg);
	st = sim_strategy_describe(&opts->strategy);
	sim_trace_header(s->trace, "hwpsim trace", "1");
	sim_trace_header(s->trace, "scenario", "%s", path);
	sim_trace_header(s->trace, "seed", "%llu",
			 (unsigned long long)opts->seed);
	sim_trace_header(s->trace, "strategy", "%s",
			 opts->strategy_label ? opts->strategy_label : st);
	/* What --set changed, so that a replay runs the same machine. */
	for (guint i = 0; ov && i < ov->len; i++) {
		const struct hwp_policy_kv *kv = g_ptr_array_index(ov, i);

		sim_trace_header(s->trace, "set", "%s=%s", kv->key, kv->value);
	}
	g_free(st);
	return s;
}

static void run_main(struct hwp_ctx *ctx)
{
	struct hwp_actor *main_actor;

	main_actor = hwp_actor_new(ctx, ctx->L, "main", 0, false, 0,
				   main_fiber);
	main_actor->is_main = true;
	sim_run(ctx->sim);
}

struct hwp_result *hwp_run_scenario(const char *path,
				    const struct hwp_run_opts *opts)
{
	struct hwp_ctx ctx = { 0 };
	GError *err = NULL;

	hwp_register_policies();
	ctx.file = path;
	ctx.opts = opts;
	ctx.res = result_new(path, opts);
	ctx.mem_limit = opts->max_memory;
	ctx.expected_findings = g_ptr_array_new_with_free_func(expected_free);
	ctx.actors = g_ptr_array_new();
	ctx.refs = g_ptr_array_new();
	ctx.sim = engine_new(path, opts);
	ctx.lockdep = lockdep_attach(ctx.sim);
	lockdep_add_ranks(ctx.lockdep, lockdep_mm_ranks, lockdep_mm_nr_ranks);
	ctx.policy = sim_policy_new();

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		hwp_add_failure(&ctx, path, g_file_test(path,
				G_FILE_TEST_EXISTS) ? "not a regular file" :
				"cannot open scenario: no such file", NULL);
		ctx.res->status = HWP_ERROR;
	} else if (apply_overrides(&ctx)) {
		if (hwp_sandbox_new(&ctx, &err)) {
			run_main(&ctx);
			hwp_machine_final_check(&ctx);
			judge_findings(&ctx);
		} else {
			hwp_add_failure(&ctx, NULL, err->message, NULL);
			ctx.res->status = HWP_ERROR;
			g_error_free(err);
		}
	}
	fill_result(&ctx);
	/*
	 * Teardown: unwind live fibers (through Lua, so before lua_close),
	 * then the machine (whose writeback teardown cancels timers, so
	 * before the engine), then the engine, then Lua.
	 */
	sim_kill_all(ctx.sim);
	hwp_release_refs(&ctx);
	if (ctx.machine) {
		mm_machine_free(ctx.machine);
		ctx.machine = NULL;
	}
	sim_free(ctx.sim);
	lockdep_free(ctx.lockdep);
	for (guint i = 0; i < ctx.actors->len; i++)
		g_free(g_ptr_array_index(ctx.actors, i));
	g_ptr_array_free(ctx.actors, TRUE);
	g_ptr_array_free(ctx.refs, TRUE);
	if (ctx.L)
		lua_close(ctx.L);
	g_ptr_array_free(ctx.expected_findings, TRUE);
	sim_policy_free(ctx.policy);
	return ctx.res;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void collect_dir(const char *dir, GPtrArray *out)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!d) {
		g_ptr_array_add(out, g_strdup(dir));
		g_ptr_array_free(names, TRUE);
		return;
	}
	while ((name = g_dir_read_name(d)))
		if (name[0] != '.')
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	/* Directory order is the file system's: sort it. */
	g_ptr_array_sort(names, str_cmp);
	for (guint i = 0; i < names->len; i++) {
		char *p = g_build_filename(dir, g_ptr_array_index(names, i),
					   NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
			/* scenarios/lib holds modules, not scenarios. */
			if (strcmp(g_ptr_array_index(names, i), "lib"))
				collect_dir(p, out);
			g_free(p);
		} else if (g_str_has_suffix(p, ".lua")) {
			g_ptr_array_add(out, p);
		} else {
			g_free(p);
		}
	}
	g_ptr_array_free(names, TRUE);
}

GPtrArray *hwp_collect_scenarios(char **paths, int n)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; i < n; i++) {
		char *p = g_strdup(paths[i]);
		size_t len = strlen(p);

		while (len > 1 && p[len - 1] == '/')
			p[--len] = '\0';
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			collect_dir(p, out);
		else
			g_ptr_array_add(out, g_strdup(p));
		g_free(p);
	}
	return out;
}
