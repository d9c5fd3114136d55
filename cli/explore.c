/*
 * explore.c - hwpsim explore: one scenario under many schedules.
 *
 *   hwpsim explore [--schedules N] [--strategy random|pct[:D[:K]]|dfs]
 *                  [--depth D] [--preemption-bound K] [--seed S]
 *                  [--shard I/N] [--policy FILE] [--set K=V...]
 *                  [--save FILE] [--expect-failure] SCENARIO
 *
 * Every schedule is a whole run of the scenario: a fresh Lua state, a
 * fresh machine.  A run fails when the scenario's result is not a pass -
 * a failed expectation, a model invariant, a lock-order finding, a
 * deadlock, a BUG in the model.  The first failing schedule is run again
 * with the replay strategy to write its trace, which must fail the same
 * way; the file and the command that replays it are printed.
 *
 * random, pct  schedule k runs with seed S+k.  The seed drives the
 *              scheduler's stream and the machine's own stream alike, so
 *              (seed, picks) is the run.
 * dfs          stateless depth-first search over the decisions that had
 *              a choice, as CHESS does (Musuvathi and Qadeer, "Iterative
 *              context bounding for systematic testing of multithreaded
 *              programs", PLDI 2007): a schedule is a prefix of choices,
 *              after which the fiber that ran keeps the CPU while it can.
 *              Taking the CPU from a fiber that could go on is a
 *              preemption; --preemption-bound K allows at most K of them
 *              per schedule, --depth D branches only at the first D
 *              decisions.  When every branch has been taken the space is
 *              exhausted, and explore says so.
 *
 * Shards: --shard I/N runs the I-th of N disjoint parts of the same
 * exploration, decided from the options alone, so the N parts together
 * run exactly the schedules one unsharded run would (up to --schedules,
 * which counts per shard).  random/pct: schedule k belongs to shard k mod
 * N.  dfs: the tree is opened breadth-first until it has at least N
 * subtrees (each named by a prefix of choices); subtree j belongs to
 * shard j mod N and each shard searches its own depth-first.
 *
 * Exit status: 0 no failure found (1 with --expect-failure), 1 a failure
 * found (0 with --expect-failure), 2 bad input - including a scenario
 * that does not pass on its first schedule because it does not load.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "lua/host.h"

struct explore_args {
	gchar *schedules;
	gchar *strategy;
	gchar *depth;
	gchar *bound;
	gchar *seed;
	gchar *shard;
	gchar *policy;
	gchar **set;
	gchar *save;
	gchar *max_steps;
	gboolean expect_failure;
	gboolean verbose;
	gchar **files;
};

struct explorer {
	const char *scenario;
	struct hwp_run_opts base;	/* seed, policy, budgets */
	bool dfs;
	struct sim_strategy random;	/* random or pct */
	uint64_t schedules;		/* per shard, 0: no limit */
	uint64_t depth;			/* dfs: 0: no limit */
	int64_t bound;			/* dfs: -1: no limit */
	uint64_t shard, nshards;
	bool verbose;

	uint64_t ran;			/* schedules run by this shard */
	bool exhausted;			/* dfs: no branch left */
	struct hwp_result *failed;	/* the first failing run */
	uint64_t failed_seed;
	char *failed_label;		/* what the schedule was */
	gint64 start_us;
};

static void explore_args_clear(struct explore_args *a)
{
	g_free(a->schedules);
	g_free(a->strategy);
	g_free(a->depth);
	g_free(a->bound);
	g_free(a->seed);
	g_free(a->shard);
	g_free(a->policy);
	g_strfreev(a->set);
	g_free(a->save);
	g_free(a->max_steps);
	g_strfreev(a->files);
}

/* ---- one schedule ----------------------------------------------------- */

/* Run one schedule; true if the search must stop (a failure). */
static bool run_one(struct explorer *x, const struct sim_strategy *st,
		    uint64_t seed, bool record, struct hwp_result **out,
		    const char *label)
{
	struct hwp_run_opts o = x->base;
	struct hwp_result *r;

	o.seed = seed;
	o.strategy = *st;
	o.record_decisions = record;
	o.no_trace = true;	/* the failing schedule is replayed for it */
	r = hwp_run_scenario(x->scenario, &o);
	x->ran++;
	if (x->verbose)
		printf("  schedule %llu (%s): %s, %llu steps, %u choices\n",
		       (unsigned long long)x->ran, label,
		       hwp_status_name(r->status),
		       (unsigned long long)r->steps, r->choices->len);
	if (r->status != HWP_PASS) {
		x->failed = r;
		x->failed_seed = seed;
		x->failed_label = g_strdup(label);
		if (out)
			*out = NULL;
		return true;
	}
	if (out)
		*out = r;
	else
		hwp_result_free(r);
	return false;
}

static bool budget_left(const struct explorer *x)
{
	return !x->schedules || x->ran < x->schedules;
}

/* ---- random and pct --------------------------------------------------- */

static void explore_random(struct explorer *x, uint64_t seed0, uint64_t total)
{
	char *desc = sim_strategy_describe(&x->random);

	for (uint64_t k = x->shard; !total || k < total; k += x->nshards) {
		char label[96];

		snprintf(label, sizeof(label), "%s, seed %llu", desc,
			 (unsigned long long)(seed0 + k));
		if (run_one(x, &x->random, seed0 + k, false, NULL, label))
			break;
	}
	g_free(desc);
}

/* ---- dfs ---------------------------------------------------------------- */

/* One decision on the current path of the search. */
struct frame {
	GArray *ids;		/* int: the runnable fibers, sorted */
	guint8 *tried;		/* per position in ids */
	int prev;		/* runnable fiber that ran last, or -1 */
	int chosen;
	unsigned int preempts;	/* preemptions before this decision */
};

static void frame_free(gpointer p)
{
	struct frame *f = p;

	g_array_free(f->ids, TRUE);
	g_free(f->tried);
	g_free(f);
}

static unsigned int preempts_after(const struct frame *f, int id)
{
	return f->preempts + (f->prev >= 0 && id != f->prev);
}

/* Push the decisions of a run that lie past the frames already known. */
static bool push_frames(GPtrArray *stack, const struct hwp_result *r,
			GError **err)
{
	const GArray *d = r->decisions;

	for (guint j = 0; j < d->len; j++) {
		const struct sim_decision *dj =
			&g_array_index(d, struct sim_decision, j);
		struct frame *f;

		if (j < stack->len) {
			f = g_ptr_array_index(stack, j);
			if (f->chosen == dj->chosen && f->ids->len == dj->n)
				continue;
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "decision %u went to #%d, not #%d: the "
				    "scenario is not deterministic", j + 1,
				    dj->chosen, f->chosen);
			return false;
		}
		f = g_new0(struct frame, 1);
		f->ids = g_array_sized_new(FALSE, FALSE, sizeof(int), dj->n);
		g_array_append_vals(f->ids, &g_array_index(r->decision_ids,
							   int, dj->first),
				    dj->n);
		f->tried = g_new0(guint8, dj->n);
		f->prev = dj->prev;
		f->chosen = dj->chosen;
		if (j) {
			const struct frame *up = g_ptr_array_index(stack,
								   j - 1);

			f->preempts = preempts_after(up, up->chosen);
		}
		for (guint i = 0; i < dj->n; i++)
			if (g_array_index(f->ids, int, i) == f->chosen)
				f->tried[i] = 1;
		g_ptr_array_add(stack, f);
	}
	return true;
}

/* Next untried choice of frame f within the bound, or -1. */
static int next_choice(const struct explorer *x, struct frame *f)
{
	for (guint i = 0; i < f->ids->len; i++) {
		int id = g_array_index(f->ids, int, i);

		if (f->tried[i])
			continue;
		if (x->bound >= 0 && preempts_after(f, id) > (uint64_t)x->bound)
			continue;
		f->tried[i] = 1;
		return id;
	}
	return -1;
}

/*
 * Backtrack to the deepest decision (at or past base, before depth) with
 * an untried choice; false when the subtree is exhausted.
 */
static bool backtrack(const struct explorer *x, GPtrArray *stack, guint base)
{
	while (stack->len > base) {
		guint j = stack->len - 1;
		struct frame *f = g_ptr_array_index(stack, j);
		int id = (!x->depth || j < x->depth) ? next_choice(x, f) : -1;

		if (id >= 0) {
			f->chosen = id;
			return true;
		}
		g_ptr_array_remove_index(stack, j);
	}
	return false;
}

static void prefix_of(GPtrArray *stack, struct sim_strategy *st)
{
	memset(st, 0, sizeof(*st));
	st->kind = SIM_STRAT_DFS;
	st->replay = g_array_sized_new(FALSE, FALSE, sizeof(int), stack->len);
	for (guint j = 0; j < stack->len; j++) {
		const struct frame *f = g_ptr_array_index(stack, j);

		g_array_append_val(st->replay, f->chosen);
	}
}

/* Run the schedule the stack's choices name; false: stop the search. */
static bool dfs_run(struct explorer *x, GPtrArray *stack, GError **err)
{
	struct sim_strategy st;
	struct hwp_result *r;
	char label[64];
	bool stop;

	prefix_of(stack, &st);
	snprintf(label, sizeof(label), "dfs, %u-choice prefix",
		 st.replay->len);
	stop = run_one(x, &st, x->base.seed, true, &r, label);
	sim_strategy_clear(&st);
	if (stop)
		return false;
	stop = !push_frames(stack, r, err);
	hwp_result_free(r);
	return !stop;
}

/* Depth-first search of the subtree below the stack's first base frames. */
static bool dfs_subtree(struct explorer *x, GPtrArray *stack, guint base,
			GError **err)
{
	if (!dfs_run(x, stack, err))
		return false;
	while (budget_left(x)) {
		if (!backtrack(x, stack, base))
			return true;
		if (!dfs_run(x, stack, err))
			return false;
	}
	return false;
}

/* A subtree of the search: a prefix of choices, fixed. */
static GPtrArray *stack_copy(GPtrArray *stack, guint len)
{
	GPtrArray *c = g_ptr_array_new_with_free_func(frame_free);

	for (guint j = 0; j < len; j++) {
		const struct frame *f = g_ptr_array_index(stack, j);
		struct frame *n = g_new0(struct frame, 1);

		*n = *f;
		n->ids = g_array_copy(f->ids);
		n->tried = g_memdup2(f->tried, f->ids->len);
		g_ptr_array_add(c, n);
	}
	return c;
}

/* A subtree of the search: the first fixed choices of its stack. */
struct root {
	GPtrArray *stack;
	guint fixed;
	bool complete;		/* the stack is a whole run's decisions */
};

static void root_free(gpointer p)
{
	struct root *r = p;

	g_ptr_array_unref(r->stack);
	g_free(r);
}

static struct root *root_new(GPtrArray *stack, guint len, guint fixed,
			     bool complete)
{
	struct root *r = g_new0(struct root, 1);

	r->stack = stack_copy(stack, len);
	r->fixed = fixed;
	r->complete = complete;
	return r;
}

/*
 * The roots of the shards: open the tree level by level until it has at
 * least nshards subtrees.  Every shard computes the same list.  A subtree
 * whose schedule has no decision at the level stays whole.
 */
static GPtrArray *shard_roots(struct explorer *x, GError **err)
{
	GPtrArray *roots = g_ptr_array_new_with_free_func(root_free);
	GPtrArray *empty = g_ptr_array_new_with_free_func(frame_free);
	guint level = 0;
	bool grew = true;

	g_ptr_array_add(roots, root_new(empty, 0, 0, false));
	g_ptr_array_unref(empty);
	while (roots->len < x->nshards && grew &&
	       (!x->depth || level < x->depth)) {
		GPtrArray *next = g_ptr_array_new_with_free_func(root_free);

		grew = false;
		for (guint i = 0; i < roots->len; i++) {
			struct root *r = g_ptr_array_index(roots, i);
			struct frame *f;
			int id;

			if (!r->complete && !dfs_run(x, r->stack, err)) {
				g_ptr_array_unref(next);
				g_ptr_array_unref(roots);
				return NULL;
			}
			if (r->stack->len <= level) {
				g_ptr_array_add(next, root_new(r->stack,
					r->stack->len, r->stack->len, true));
				continue;
			}
			/* The path as run, then each other allowed choice. */
			g_ptr_array_add(next, root_new(r->stack, r->stack->len,
						       level + 1, true));
			f = g_ptr_array_index(r->stack, level);
			while ((id = next_choice(x, f)) >= 0) {
				f->chosen = id;
				g_ptr_array_add(next, root_new(r->stack,
						level + 1, level + 1, false));
				grew = true;
			}
		}
		g_ptr_array_unref(roots);
		roots = next;
		level++;
	}
	return roots;
}

static void explore_dfs(struct explorer *x, GError **err)
{
	GPtrArray *roots;
	bool whole = true;

	x->ran = 0;
	if (x->nshards == 1) {
		GPtrArray *stack = g_ptr_array_new_with_free_func(frame_free);

		x->exhausted = dfs_subtree(x, stack, 0, err);
		g_ptr_array_unref(stack);
		return;
	}
	roots = shard_roots(x, err);
	if (!roots)
		return;
	/* The runs that opened the tree are every shard's: not counted. */
	x->ran = 0;
	for (guint i = (guint)x->shard; i < roots->len; i += x->nshards) {
		struct root *r = g_ptr_array_index(roots, i);
		GPtrArray *stack = stack_copy(r->stack, r->stack->len);

		whole = dfs_subtree(x, stack, r->fixed, err);
		g_ptr_array_unref(stack);
		if (!whole)
			break;
	}
	x->exhausted = whole;
	g_ptr_array_unref(roots);
}

/* ---- the failing schedule ---------------------------------------------- */

static char *default_save_path(const char *scenario)
{
	char *base = g_path_get_basename(scenario);
	char *path;

	if (g_str_has_suffix(base, ".lua"))
		base[strlen(base) - 4] = '\0';
	path = g_strdup_printf("%s.fail.trace", base);
	g_free(base);
	return path;
}

static void print_failure(const struct hwp_result *r)
{
	for (guint i = 0; i < r->failures->len; i++) {
		const struct hwp_failure *f = g_ptr_array_index(r->failures, i);

		printf("  %s%s%s\n", f->where ? f->where : "",
		       f->where ? ": " : "", f->message);
	}
	for (guint i = 0; i < r->findings->len; i++) {
		const struct sim_finding *f = g_ptr_array_index(r->findings, i);

		printf("  finding %s: %s\n", f->kind, f->message);
	}
}

/*
 * Run the failing schedule again under the replay strategy, keeping its
 * trace, and write the trace.  It must fail the same way: the status and
 * the first failure's message.  The header names the schedule as found,
 * so `hwpsim replay` reproduces the file byte for byte.
 */
static int save_failure(struct explorer *x, const char *path)
{
	struct hwp_run_opts o = x->base;
	struct hwp_result *r;
	GError *err = NULL;
	bool same;
	int rc = 0;

	o.seed = x->failed_seed;
	memset(&o.strategy, 0, sizeof(o.strategy));
	o.strategy.kind = SIM_STRAT_REPLAY;
	o.strategy.replay = x->failed->choices;
	o.strategy_label = x->failed_label;
	o.keep_trace = true;
	r = hwp_run_scenario(x->scenario, &o);
	same = r->status == x->failed->status && r->trace;
	if (!g_file_set_contents(path, r->trace ? r->trace : "", -1, &err)) {
		fprintf(stderr, "hwpsim explore: %s\n", err->message);
		g_error_free(err);
		rc = 2;
	} else if (!same) {
		printf("the replay of this schedule ended %s, not %s: the "
		       "scenario is not deterministic (trace in %s)\n",
		       hwp_status_name(r->status),
		       hwp_status_name(x->failed->status), path);
		rc = 2;
	} else {
		printf("saved the schedule (%u choices) to %s\n"
		       "replay it with: hwpsim replay %s\n",
		       r->choices->len, path, path);
	}
	hwp_result_free(r);
	return rc;
}

/* ---- the command --------------------------------------------------------- */

static bool parse_shard(const char *txt, uint64_t *i, uint64_t *n,
			GError **err)
{
	gchar **p = g_strsplit(txt, "/", -1);
	bool ok = g_strv_length(p) == 2 &&
		  cli_parse_u64("--shard", p[0], i, NULL) &&
		  cli_parse_u64("--shard", p[1], n, NULL) && *n >= 1 &&
		  *i < *n;

	g_strfreev(p);
	if (!ok)
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--shard: expected I/N with 0 <= I < N, got '%s'",
			    txt);
	return ok;
}

static bool setup(struct explorer *x, struct explore_args *a, GError **err)
{
	uint64_t v;

	hwp_run_opts_default(&x->base);
	x->schedules = 1000;
	x->bound = 2;
	x->nshards = 1;
	x->verbose = a->verbose;
	if (!a->files || !a->files[0] || a->files[1]) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "give exactly one scenario file");
		return false;
	}
	x->scenario = a->files[0];
	if ((a->seed && !cli_parse_u64("--seed", a->seed, &x->base.seed,
				       err)) ||
	    (a->schedules && !cli_parse_u64("--schedules", a->schedules,
					     &x->schedules, err)) ||
	    (a->depth && !cli_parse_u64("--depth", a->depth, &x->depth,
					err)) ||
	    (a->max_steps && !cli_parse_u64("--max-steps", a->max_steps,
					    &x->base.max_steps, err)) ||
	    (a->shard && !parse_shard(a->shard, &x->shard, &x->nshards, err)))
		return false;
	if (a->bound) {
		if (!strcmp(a->bound, "none")) {
			x->bound = -1;
		} else if (!cli_parse_u64("--preemption-bound", a->bound, &v,
					  err)) {
			return false;
		} else {
			x->bound = (int64_t)MIN(v, (uint64_t)G_MAXINT);
		}
	}
	if (!a->strategy || !strcmp(a->strategy, "dfs"))
		x->dfs = true;
	else if (sim_strategy_parse(a->strategy, &x->random, err))
		return false;
	else if (x->random.kind == SIM_STRAT_RUN_TO_BLOCK) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--strategy: run-to-block has one schedule; "
			    "explore with random, pct or dfs");
		return false;
	}
	if (a->policy && !cli_load_policy_file(a->policy, &x->base, err))
		return false;
	return cli_parse_set(a->set, "--set", &x->base, err);
}

static void print_header(const struct explorer *x)
{
	char *desc = x->dfs ? NULL : sim_strategy_describe(&x->random);

	printf("explore %s: ", x->scenario);
	if (x->dfs) {
		printf("dfs, preemption bound ");
		if (x->bound < 0)
			printf("none");
		else
			printf("%lld", (long long)x->bound);
		if (x->depth)
			printf(", depth %llu", (unsigned long long)x->depth);
	} else {
		printf("%s", desc);
	}
	printf(", seed %llu", (unsigned long long)x->base.seed);
	if (x->nshards > 1)
		printf(", shard %llu/%llu", (unsigned long long)x->shard,
		       (unsigned long long)x->nshards);
	if (x->schedules)
		printf(", at most %llu schedules",
		       (unsigned long long)x->schedules);
	printf("\n");
	g_free(desc);
}

static int conclude(struct explorer *x, struct explore_args *a)
{
	char *save;
	int rc;

	if (!x->failed) {
		printf("%llu schedules, no failure%s\n",
		       (unsigned long long)x->ran,
		       x->exhausted ? ": the space is exhausted" :
		       x->dfs ? " (the space is not exhausted)" : "");
		return a->expect_failure ? 1 : 0;
	}
	printf("schedule %llu (%s) %s:\n", (unsigned long long)x->ran,
	       x->failed_label, x->failed->status == HWP_FAIL ? "FAILED" :
	       "ERROR");
	print_failure(x->failed);
	save = a->save ? g_strdup(a->save) : default_save_path(x->scenario);
	rc = save_failure(x, save);
	g_free(save);
	if (rc)
		return rc;
	return a->expect_failure ? 0 : 1;
}

static int explore(struct explorer *x, struct explore_args *a)
{
	GError *err = NULL;
	double secs;
	int rc;

	print_header(x);
	fflush(stdout);
	x->start_us = g_get_monotonic_time();
	if (x->dfs)
		explore_dfs(x, &err);
	else
		explore_random(x, x->base.seed, x->schedules * x->nshards);
	if (err) {
		fprintf(stderr, "hwpsim explore: %s: %s\n", x->scenario,
			err->message);
		g_error_free(err);
		return 2;
	}
	/*
	 * An error before the schedule ever had a choice does not depend on
	 * the schedule: a scenario that does not load or run is bad input.
	 */
	if (x->failed && x->failed->status == HWP_ERROR &&
	    !x->failed->choices->len) {
		print_failure(x->failed);
		return 2;
	}
	secs = (double)(g_get_monotonic_time() - x->start_us) / 1e6;
	rc = conclude(x, a);
	fflush(stdout);
	/* Wall time goes to stderr: stdout stays the same run to run. */
	fprintf(stderr, "%llu schedules in %.3f s: %.0f schedules/s\n",
		(unsigned long long)x->ran, secs,
		secs > 0 ? (double)x->ran / secs : 0.0);
	return rc;
}

static const char explore_description[] =
	"Runs SCENARIO under many schedules and stops at the first that\n"
	"fails (an expectation, an invariant, a lock-order finding, a\n"
	"deadlock, a BUG); its trace is saved and `hwpsim replay` re-runs it.\n"
	"\n"
	"Strategies: dfs (default; every interleaving within the preemption\n"
	"bound, says when the space is exhausted), random, pct[:D[:K]]\n"
	"(schedule k uses seed S+k).  --preemption-bound takes a number or\n"
	"'none' (default 2); --schedules 0 means no limit (default 1000).\n"
	"\n"
	"Exit status: 0 no failure, 1 a failure found (swapped by\n"
	"--expect-failure), 2 bad input.";

int cmd_explore(int argc, char **argv)
{
	struct explore_args a = { 0 };
	GOptionEntry e[] = {
		{ "schedules", 0, 0, G_OPTION_ARG_STRING, &a.schedules,
		  "Schedules to run (per shard; 0: no limit)", "N" },
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &a.strategy,
		  "dfs, random or pct[:D[:K]] (default dfs)", "S" },
		{ "depth", 0, 0, G_OPTION_ARG_STRING, &a.depth,
		  "dfs: branch only at the first D decisions", "D" },
		{ "preemption-bound", 0, 0, G_OPTION_ARG_STRING, &a.bound,
		  "dfs: at most K preemptions per schedule", "K" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &a.seed,
		  "Seed (random, pct: of the first schedule)", "S" },
		{ "shard", 0, 0, G_OPTION_ARG_STRING, &a.shard,
		  "Run part I of N of the exploration", "I/N" },
		{ "policy", 0, 0, G_OPTION_ARG_FILENAME, &a.policy,
		  "Policy switches from a YAML file", "FILE" },
		{ "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.set,
		  "Set a policy switch (repeatable)", "KEY=VALUE" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &a.save,
		  "Where to save the failing schedule (default "
		  "NAME.fail.trace)", "FILE" },
		{ "max-steps", 0, 0, G_OPTION_ARG_STRING, &a.max_steps,
		  "Scheduling steps one run may take", "N" },
		{ "expect-failure", 0, 0, G_OPTION_ARG_NONE,
		  &a.expect_failure,
		  "Succeed only if a failing schedule is found", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &a.verbose,
		  "A line per schedule", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
		  &a.files, NULL, "SCENARIO" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	struct explorer x = { 0 };
	GError *err = NULL;
	int rc;

	g_set_prgname("hwpsim explore");
	g_option_context_set_summary(ctx, "Search schedules for a failure.");
	g_option_context_set_description(ctx, explore_description);
	g_option_context_add_main_entries(ctx, e, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) ||
	    !setup(&x, &a, &err)) {
		fprintf(stderr, "hwpsim explore: %s\nTry 'hwpsim explore "
			"--help'.\n", err->message);
		g_error_free(err);
		rc = 2;
	} else {
		rc = explore(&x, &a);
	}
	if (x.failed)
		hwp_result_free(x.failed);
	g_free(x.failed_label);
	sim_strategy_clear(&x.random);
	hwp_run_opts_clear(&x.base);
	g_option_context_free(ctx);
	explore_args_clear(&a);
	return rc;
}
