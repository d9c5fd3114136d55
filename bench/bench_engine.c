/*
 * bench_engine.c - how fast the simulation engine runs (`make bench`).
 *
 * Prints figures only; it never compares a time with a limit, so it cannot
 * fail on a slow or busy machine.  The wall clock is used here, and only
 * here: these numbers are about the host, never simulator output.
 *
 * Each measurement also prints what the engine did (steps, lock
 * contentions, the trace digest) so that a change in the work done shows
 * next to a change in speed.  Those columns are deterministic; the times
 * are not.
 *
 * Usage: build/bench-engine [SCALE]   (SCALE multiplies the work, default 1)
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/context.h"
#include "sim/lock.h"
#include "sim/prng.h"
#include "sim/sim.h"
#include "sim/trace.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One line of the table: what, how many operations, how long it took. */
static void report(const char *what, uint64_t ops, double secs,
		   const char *extra)
{
	double per = ops ? secs * 1e9 / (double)ops : 0.0;
	double rate = secs > 0 ? (double)ops / secs : 0.0;

	printf("  %-38s %10llu ops %9.3f s %9.1f ns/op %12.0f ops/s  %s\n",
	       what, (unsigned long long)ops, secs, per, rate,
	       extra ? extra : "");
}

/* ------------------------------------------------------------------ */
/* The PRNG alone. */

static void bench_prng(uint64_t n)
{
	struct sim_prng p;
	uint64_t acc = 0;
	double t0;

	sim_prng_seed(&p, 42);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++)
		acc ^= sim_prng_next(&p);
	report("prng: sim_prng_next", n, now_s() - t0, NULL);

	t0 = now_s();
	for (uint64_t i = 0; i < n; i++)
		acc += sim_prng_below(&p, 1000003);
	report("prng: sim_prng_below", n, now_s() - t0, NULL);
	/* Keep the loops from being optimised away. */
	if (acc == 0x5eed)
		printf("  (unlikely)\n");
}

/* ------------------------------------------------------------------ */
/* Raw context switches, no scheduler: two contexts bouncing. */

static struct sim_ctx raw_main, raw_co;
static uint64_t raw_left;

static void raw_body(void *arg)
{
	(void)arg;
	for (;;) {
		raw_left--;
		sim_ctx_switch(&raw_co, &raw_main);
	}
}

static void bench_raw_switch(uint64_t n)
{
	struct sim_stack *st = sim_stack_alloc(64 * 1024);
	double t0;

	raw_left = n;
	sim_ctx_make(&raw_co, st, raw_body, NULL);
	t0 = now_s();
	while (raw_left)
		sim_ctx_switch(&raw_main, &raw_co);
	/* Each round trip is two switches. */
	report("context: sim_ctx_switch", 2 * n, now_s() - t0, NULL);
	/* raw_body never returns; its stack is simply dropped. */
	sim_stack_free(st);
}

/* ------------------------------------------------------------------ */
/* The scheduler: fibers that only yield. */

static uint64_t yields_each;

static void yielder(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (uint64_t i = 0; i < yields_each; i++)
		sim_yield(s, "yield", NULL, SIM_HERE);
}

static void run_sim(const char *what, const struct sim_config *cfg,
		    int fibers, sim_fiber_fn fn, void *arg,
		    uint64_t (*extra)(void), const char *extra_name)
{
	struct sim *s = sim_new(cfg);
	char *digest, *desc, buf[160];
	double t0, secs;
	int rc;

	for (int i = 0; i < fibers; i++) {
		char name[32];

		snprintf(name, sizeof(name), "w%d", i);
		sim_spawn(s, name, fn, arg);
	}
	t0 = now_s();
	rc = sim_run(s);
	secs = now_s() - t0;
	digest = sim_trace_digest(s->trace);
	desc = sim_strategy_describe(&cfg->strategy);
	if (extra)
		snprintf(buf, sizeof(buf), "%s %s, %s %llu, %.19s%s", desc,
			 rc ? "STOPPED" : "ok", extra_name,
			 (unsigned long long)extra(), digest, "...");
	else
		snprintf(buf, sizeof(buf), "%s %s, %.19s%s", desc,
			 rc ? "STOPPED" : "ok", digest, "...");
	report(what, s->step, secs, buf);
	g_free(digest);
	g_free(desc);
	sim_free(s);
}

static void config(struct sim_config *cfg, enum sim_strategy_kind kind)
{
	sim_config_default(cfg);
	cfg->seed = 1;
	cfg->strategy.kind = kind;
	cfg->max_steps = 0;		/* unlimited: the work decides */
	cfg->trace_level = SIM_TRACE_DIGEST;
}

static void bench_sched(uint64_t n)
{
	static const struct {
		const char *name;
		enum sim_strategy_kind kind;
	} strategies[] = {
		{ "sched: 8 yielders, run-to-block", SIM_STRAT_RUN_TO_BLOCK },
		{ "sched: 8 yielders, random", SIM_STRAT_RANDOM },
		{ "sched: 8 yielders, pct", SIM_STRAT_PCT },
	};
	struct sim_config cfg;

	yields_each = n / 8;
	for (size_t i = 0; i < G_N_ELEMENTS(strategies); i++) {
		config(&cfg, strategies[i].kind);
		if (strategies[i].kind == SIM_STRAT_PCT) {
			cfg.strategy.pct_depth = 3;
			cfg.strategy.pct_steps = (unsigned int)n;
		}
		run_sim(strategies[i].name, &cfg, 8, yielder, NULL, NULL, NULL);
	}

	/* The same with the whole trace text kept in memory. */
	config(&cfg, SIM_STRAT_RANDOM);
	cfg.trace_level = SIM_TRACE_FULL;
	run_sim("sched: 8 yielders, random, full trace", &cfg, 8, yielder,
		NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Fiber creation and exit. */

static void nothing(void *arg)
{
	(void)arg;
}

static void bench_spawn_n(uint64_t n)
{
	struct sim_config cfg;
	char what[64];
	struct sim *s;
	double t0;

	config(&cfg, SIM_STRAT_RANDOM);
	s = sim_new(&cfg);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++)
		sim_spawn(s, "f", nothing, NULL);
	sim_run(s);
	snprintf(what, sizeof(what), "fibers: %llu x spawn+run+exit",
		 (unsigned long long)n);
	report(what, n, now_s() - t0, NULL);
	t0 = now_s();
	sim_free(s);
	snprintf(what, sizeof(what), "fibers: %llu x sim_free",
		 (unsigned long long)n);
	report(what, n, now_s() - t0, NULL);
}

/* Two sizes: if the cost per fiber grows with the number of fibers, the
 * scheduler does work proportional to all fibers ever spawned per step. */
static void bench_spawn(uint64_t n)
{
	bench_spawn_n(n);
	bench_spawn_n(4 * n);
}

/* ------------------------------------------------------------------ */
/* Locks: workers taking one lock around a schedule point. */

static struct sim_lock blk;
static uint64_t lock_rounds;

static void locker(void *arg)
{
	enum sim_lock_mode mode = (enum sim_lock_mode)GPOINTER_TO_INT(arg);
	struct sim *s = sim_self();

	for (uint64_t i = 0; i < lock_rounds; i++) {
		sim_lock_acquire(&blk, mode, SIM_HERE);
		sim_yield(s, "critical", NULL, SIM_HERE);
		sim_lock_release(&blk, mode, SIM_HERE);
	}
}

static uint64_t contentions(void)
{
	return blk.contentions;
}

static void bench_locks(uint64_t n)
{
	static const struct {
		const char *name;
		enum sim_lock_type type;
		enum sim_lock_mode mode;
		const char *cls;
	} kinds[] = {
		{ "locks: 4 x spinlock, random", SIM_SPINLOCK, SIM_EXCL, "bench_spin" },
		{ "locks: 4 x mutex, random", SIM_MUTEX, SIM_EXCL, "bench_mutex" },
		{ "locks: 4 x read_lock, random", SIM_RWLOCK, SIM_SHARED, "bench_rw" },
		{ "locks: 4 x down_write, random", SIM_RWSEM, SIM_EXCL, "bench_rwsem" },
	};
	struct sim_config cfg;

	lock_rounds = n / 4;
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		config(&cfg, SIM_STRAT_RANDOM);
		sim_lock_init(&blk, kinds[i].type, kinds[i].cls, NULL);
		run_sim(kinds[i].name, &cfg, 4, locker,
			GINT_TO_POINTER(kinds[i].mode), contentions,
			"contended");
		sim_lock_destroy(&blk);
	}
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	uint64_t scale = 1;

	if (argc > 1) {
		scale = strtoull(argv[1], NULL, 10);
		if (!scale) {
			fprintf(stderr, "usage: %s [SCALE]\n", argv[0]);
			return 2;
		}
	}
	printf("hwpsim engine benchmark (scale %llu; figures only, "
	       "wall clock of this host)\n", (unsigned long long)scale);
	bench_prng(20000000 * scale);
	bench_raw_switch(2000000 * scale);
	bench_sched(400000 * scale);
	bench_spawn(1000 * scale);
	bench_locks(200000 * scale);
	return 0;
}
