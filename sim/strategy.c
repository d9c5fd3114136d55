/*
 * strategy.c - who runs next.
 *
 * The runnable set always arrives sorted by fiber id, so every strategy is
 * a function of the seed and the history only.
 *
 * run-to-block  the fiber that ran last keeps the CPU while it can; then
 *               the one that has been runnable longest (FIFO).
 * random        uniform over the runnable set.
 * pct           Burckhardt et al., "A Randomized Scheduler with
 *               Probabilistic Guarantees of Finding Bugs" (ASPLOS 2010):
 *               each fiber gets a random priority above d; d-1 change
 *               points are drawn in [1, k]; the highest-priority runnable
 *               fiber runs; at the i-th change point the running fiber
 *               drops to priority d-i.  A bug of depth d is found with
 *               probability at least 1/(n k^(d-1)).
 * replay        the recorded fiber id at each decision that had a choice.
 * dfs           one schedule of a systematic search (cli/explore.c): the
 *               given prefix of choices, then never preempt - the fiber
 *               that ran last keeps the CPU while it can, else the
 *               runnable fiber with the lowest id.  Exploration then
 *               branches at the recorded decisions (sim_decision).
 */
#include "sim/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse_uint(const char *txt, unsigned int min, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!*txt || !g_ascii_isdigit(*txt))
		return false;
	errno = 0;
	v = strtoul(txt, &end, 10);
	if (errno || *end || v < min || v > 1000000000UL)
		return false;
	*out = (unsigned int)v;
	return true;
}

static int parse_pct(const char *spec, struct sim_strategy *out,
		     GError **err)
{
	gchar **parts = g_strsplit(spec, ":", -1);
	guint n = g_strv_length(parts);
	int ret = 0;

	out->kind = SIM_STRAT_PCT;
	out->pct_depth = 3;
	out->pct_steps = 1000;
	if (n > 3 || (n >= 2 && !parse_uint(parts[1], 1, &out->pct_depth)) ||
	    (n == 3 && !parse_uint(parts[2], 1, &out->pct_steps))) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "bad strategy '%s': expected pct[:DEPTH[:STEPS]] "
			    "with DEPTH and STEPS >= 1", spec);
		ret = -1;
	}
	g_strfreev(parts);
	return ret;
}

int sim_strategy_parse(const char *spec, struct sim_strategy *out,
		       GError **err)
{
	memset(out, 0, sizeof(*out));
	out->pct_depth = 3;
	out->pct_steps = 1000;
	if (!strcmp(spec, "run-to-block")) {
		out->kind = SIM_STRAT_RUN_TO_BLOCK;
		return 0;
	}
	if (!strcmp(spec, "random")) {
		out->kind = SIM_STRAT_RANDOM;
		return 0;
	}
	if (!strcmp(spec, "pct") || g_str_has_prefix(spec, "pct:"))
		return parse_pct(spec, out, err);
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "unknown strategy '%s' (run-to-block, random, "
		    "pct[:DEPTH[:STEPS]])", spec);
	return -1;
}

char *sim_strategy_describe(const struct sim_strategy *st)
{
	switch (st->kind) {
	case SIM_STRAT_RUN_TO_BLOCK:
		return g_strdup("run-to-block");
	case SIM_STRAT_RANDOM:
		return g_strdup("random");
	case SIM_STRAT_PCT:
		return g_strdup_printf("pct:%u:%u", st->pct_depth,
				       st->pct_steps);
	case SIM_STRAT_REPLAY:
		return g_strdup_printf("replay:%u",
				       st->replay ? st->replay->len : 0);
	case SIM_STRAT_DFS:
		return g_strdup_printf("dfs:%u",
				       st->replay ? st->replay->len : 0);
	}
	return g_strdup("?");
}

void sim_strategy_clear(struct sim_strategy *st)
{
	if (st->replay)
		g_array_free(st->replay, TRUE);
	st->replay = NULL;
}

void sim_strategy_copy(struct sim_strategy *dst,
		       const struct sim_strategy *src)
{
	*dst = *src;
	if (src->replay) {
		dst->replay = g_array_sized_new(FALSE, FALSE, sizeof(int),
						src->replay->len);
		g_array_append_vals(dst->replay, src->replay->data,
				    src->replay->len);
	}
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void sim_strategy_start(struct sim *s)
{
	const struct sim_strategy *st = &s->cfg.strategy;

	if (st->kind != SIM_STRAT_PCT)
		return;
	/* A configuration built by hand may hold zeros: PCT needs >= 1. */
	if (!s->cfg.strategy.pct_depth)
		s->cfg.strategy.pct_depth = 1;
	if (!s->cfg.strategy.pct_steps)
		s->cfg.strategy.pct_steps = 1;
	for (unsigned int i = 1; i < st->pct_depth; i++) {
		uint64_t at = 1 + sim_prng_below(&s->sched_prng,
						 st->pct_steps);

		g_array_append_val(s->pct_change, at);
	}
	g_array_sort(s->pct_change, cmp_u64);
	s->pct_next_low = (int64_t)st->pct_depth - 1;
}

void sim_strategy_spawned(struct sim *s, struct sim_fiber *f)
{
	if (s->cfg.strategy.kind != SIM_STRAT_PCT)
		return;
	/* Initial priorities lie above every priority a change point gives. */
	f->prio = (int64_t)s->cfg.strategy.pct_depth + 1 +
		  (int64_t)sim_prng_below(&s->sched_prng, 1u << 30);
}

static bool is_runnable(const struct sim_fiber *f)
{
	return f && (f->state == SIM_FIBER_RUNNABLE ||
		     f->state == SIM_FIBER_NEW);
}

static struct sim_fiber *pick_fifo(GPtrArray *r, struct sim_fiber *prev)
{
	struct sim_fiber *best = NULL;

	if (is_runnable(prev))
		return prev;
	for (guint i = 0; i < r->len; i++) {
		struct sim_fiber *f = g_ptr_array_index(r, i);

		if (!best || f->runnable_since < best->runnable_since)
			best = f;
	}
	return best;
}

static struct sim_fiber *pick_pct(struct sim *s, GPtrArray *r,
				  struct sim_fiber *prev)
{
	uint64_t next_step = s->step + 1;
	struct sim_fiber *best = NULL;

	/* At a change point the fiber that was running drops below all. */
	for (guint i = 0; i < s->pct_change->len; i++) {
		if (g_array_index(s->pct_change, uint64_t, i) != next_step)
			continue;
		if (prev)
			prev->prio = s->pct_next_low--;
	}
	for (guint i = 0; i < r->len; i++) {
		struct sim_fiber *f = g_ptr_array_index(r, i);

		if (!best || f->prio > best->prio)
			best = f;
	}
	return best;
}

static struct sim_fiber *pick_replay(struct sim *s, GPtrArray *r,
				     struct sim_fiber *prev)
{
	GArray *list = s->cfg.strategy.replay;
	int want;

	if (r->len == 1)
		return g_ptr_array_index(r, 0);
	if (!list || s->replay_pos >= list->len) {
		sim_finding_add(s, "replay", NULL,
				"the schedule ran out after %u choices: the "
				"run diverged from the recorded one",
				s->replay_pos);
		sim_stop(s, "replay diverged");
		return NULL;
	}
	want = g_array_index(list, int, s->replay_pos++);
	for (guint i = 0; i < r->len; i++) {
		struct sim_fiber *f = g_ptr_array_index(r, i);

		if (f->id == want)
			return f;
	}
	sim_finding_add(s, "replay", NULL,
			"choice %u names fiber #%d, which is not runnable at "
			"step %llu: the run diverged from the recorded one",
			s->replay_pos, want, (unsigned long long)s->step + 1);
	(void)prev;
	sim_stop(s, "replay diverged");
	return NULL;
}

/* The prefix must name a runnable fiber: the runs are deterministic. */
static struct sim_fiber *pick_dfs(struct sim *s, GPtrArray *r,
				  struct sim_fiber *prev)
{
	GArray *list = s->cfg.strategy.replay;

	if (r->len == 1)
		return g_ptr_array_index(r, 0);
	if (list && s->replay_pos < list->len)
		return pick_replay(s, r, prev);
	if (is_runnable(prev))
		return prev;
	return g_ptr_array_index(r, 0);
}

struct sim_fiber *sim_strategy_pick(struct sim *s, GPtrArray *runnable,
				    struct sim_fiber *prev)
{
	switch (s->cfg.strategy.kind) {
	case SIM_STRAT_RUN_TO_BLOCK:
		return pick_fifo(runnable, prev);
	case SIM_STRAT_RANDOM:
		/* No draw without a choice: extra schedule points in one
		 * fiber do not shift the draws of later decisions. */
		if (runnable->len == 1)
			return g_ptr_array_index(runnable, 0);
		return g_ptr_array_index(runnable,
			sim_prng_below(&s->sched_prng, runnable->len));
	case SIM_STRAT_PCT:
		return pick_pct(s, runnable, prev);
	case SIM_STRAT_REPLAY:
		return pick_replay(s, runnable, prev);
	case SIM_STRAT_DFS:
		return pick_dfs(s, runnable, prev);
	}
	return NULL;
}
