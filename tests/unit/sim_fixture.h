/*
 * sim_fixture.h - what the engine's unit tests share: an engine set up
 * for a strategy and seed, and an event log fibers append to so a test
 * can compare interleavings.
 */
#ifndef HWPSIM_TEST_SIM_FIXTURE_H
#define HWPSIM_TEST_SIM_FIXTURE_H

#include <check.h>
#include <string.h>

#include "sim/sim.h"

#define HERE SIM_HERE
/* A generous step budget so that a broken engine fails instead of hanging. */
#define BUDGET 1000000
#define STEP_NS 1000

#define LOG_MAX 8192
static int evlog[LOG_MAX];
static int nev;

static inline void log_reset(void)
{
	nev = 0;
	memset(evlog, 0, sizeof(evlog));
}

static inline void ev(int x)
{
	ck_assert_int_lt(nev, LOG_MAX);
	evlog[nev++] = x;
}

static inline void cfg_init(struct sim_config *cfg,
			    enum sim_strategy_kind kind, uint64_t seed)
{
	sim_config_default(cfg);
	cfg->seed = seed;
	cfg->strategy.kind = kind;
	if (kind == SIM_STRAT_PCT) {
		cfg->strategy.pct_depth = 3;
		cfg->strategy.pct_steps = 200;
	}
	cfg->max_steps = BUDGET;
	cfg->step_ns = STEP_NS;
}

static inline struct sim *new_sim(enum sim_strategy_kind kind, uint64_t seed)
{
	struct sim_config cfg;

	cfg_init(&cfg, kind, seed);
	return sim_new(&cfg);
}

#endif
