/*
 * test_sim_clock.c - the virtual clock, sleeping and timers (sim/sim.h).
 *
 * Virtual time advances by cfg.step_ns per scheduling step and, when
 * every fiber sleeps, jumps to the next timer.  Nothing here depends on
 * the wall clock.
 */
#include <check.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/sim.h"

#include "sim_fixture.h"

/* What timers saw when they fired. */
struct fired {
	char name[16];
	uint64_t now;
	uint64_t deadline;
	bool in_scheduler;
};
static struct fired fired[64];
static int nfired;

static void fired_reset(void)
{
	nfired = 0;
	memset(fired, 0, sizeof(fired));
}

struct tdata {
	const char *name;
	uint64_t deadline;
};

static void timer_cb(struct sim *s, void *data)
{
	struct tdata *td = data;

	ck_assert_int_lt(nfired, 64);
	g_strlcpy(fired[nfired].name, td->name, sizeof(fired[nfired].name));
	fired[nfired].now = sim_now(s);
	fired[nfired].deadline = td->deadline;
	fired[nfired].in_scheduler = sim_current(s) == NULL;
	nfired++;
}

/* ---------------------------------------------------------------- */

START_TEST(test_now_starts_at_zero)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	ck_assert_uint_eq(sim_now(s), 0);
	ck_assert_uint_eq(s->step, 0);
	ck_assert_uint_eq(sim_timers_pending(s), 0);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_uint_eq(sim_now(s), 0);
	sim_free(s);
}
END_TEST

/* One fiber: every yield is one step and costs step_ns. */
static uint64_t tnow[64], tstep[64];

static void stepper(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 20; i++) {
		tnow[i] = sim_now(s);
		tstep[i] = s->step;
		sim_yield(s, "yield", NULL, HERE);
	}
}

START_TEST(test_step_advances_clock)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 1);

		sim_spawn(s, "stepper", stepper, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		/* The fiber started at the beginning of virtual time. */
		ck_assert_uint_le(tnow[0], 2 * STEP_NS);
		for (int i = 1; i < 20; i++) {
			ck_assert_uint_eq(tstep[i], tstep[i - 1] + 1);
			ck_assert_uint_eq(tnow[i], tnow[i - 1] + STEP_NS);
		}
		ck_assert_uint_ge(sim_now(s), tnow[19] + STEP_NS);
		sim_free(s);
	}
}
END_TEST

/* Several fibers, no sleeping: now - step * step_ns never changes. */
static int64_t offsets[256];
static int noff;

static void offset_fiber(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 20; i++) {
		ck_assert_int_lt(noff, 256);
		offsets[noff++] = (int64_t)sim_now(s) -
				  (int64_t)(s->step * STEP_NS);
		sim_yield(s, "yield", NULL, HERE);
	}
}

START_TEST(test_time_is_steps)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct sim *s = new_sim(SIM_STRAT_RANDOM, seed);

		noff = 0;
		for (int i = 0; i < 3; i++)
			sim_spawn(s, "off", offset_fiber, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(noff, 60);
		for (int i = 1; i < noff; i++)
			ck_assert_int_eq(offsets[i], offsets[0]);
		sim_free(s);
	}
}
END_TEST

START_TEST(test_step_ns_configurable)
{
	struct sim_config cfg;
	struct sim *s;

	cfg_init(&cfg, SIM_STRAT_RUN_TO_BLOCK, 1);
	cfg.step_ns = 7;
	s = sim_new(&cfg);
	sim_spawn(s, "stepper", stepper, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	for (int i = 1; i < 20; i++)
		ck_assert_uint_eq(tnow[i], tnow[i - 1] + 7);
	sim_free(s);
}
END_TEST

/* sim_sleep */
static uint64_t sl_before, sl_after;

static void sleeper(void *arg)
{
	struct sim *s = sim_self();
	uint64_t ns = (uint64_t)(uintptr_t)arg;

	sl_before = sim_now(s);
	sim_sleep(s, ns, HERE);
	sl_after = sim_now(s);
}

START_TEST(test_sleep_alone)
{
	uint64_t durations[] = { 1, 999, 5000, 123456789 };

	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (int d = 0; d < 4; d++) {
			struct sim *s = new_sim(k, 1);
			uint64_t ns = durations[d];

			sim_spawn(s, "sleeper", sleeper,
				  (void *)(uintptr_t)ns);
			ck_assert_int_eq(sim_run(s), 0);
			/* Wakes at now + ns: not before, and (alone) not much
			 * later than the step that resumes it. */
			ck_assert_uint_ge(sl_after, sl_before + ns);
			ck_assert_uint_le(sl_after, sl_before + ns + 2 * STEP_NS);
			sim_free(s);
		}
	}
}
END_TEST

/* While one fiber sleeps, another keeps stepping the clock. */
static uint64_t busy_sleep_woke, busy_sleep_start;

static void busy(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++)
		sim_yield(sim_self(), "yield", NULL, HERE);
}

static void busy_sleeper(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	busy_sleep_start = sim_now(s);
	sim_sleep(s, 50 * STEP_NS, HERE);
	busy_sleep_woke = sim_now(s);
}

START_TEST(test_sleep_with_busy_fiber)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct sim *s = new_sim(k, seed);

			sim_spawn(s, "sleeper", busy_sleeper, NULL);
			sim_spawn(s, "busy", busy, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_uint_ge(busy_sleep_woke,
					  busy_sleep_start + 50 * STEP_NS);
			sim_free(s);
		}
	}
}
END_TEST

/* Sleepers wake in deadline order. */
static int wake_order[8], nwake;

static void order_sleeper(void *arg)
{
	int ns = GPOINTER_TO_INT(arg);

	sim_sleep(sim_self(), (uint64_t)ns, HERE);
	wake_order[nwake++] = ns;
}

START_TEST(test_sleepers_wake_in_order)
{
	int ns[] = { 50000, 30000, 90000, 10000 };
	int expect[] = { 10000, 30000, 50000, 90000 };

	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct sim *s = new_sim(k, seed);

			nwake = 0;
			for (int i = 0; i < 4; i++)
				sim_spawn(s, "sl", order_sleeper,
					  GINT_TO_POINTER(ns[i]));
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(nwake, 4);
			for (int i = 0; i < 4; i++)
				ck_assert_int_eq(wake_order[i], expect[i]);
			ck_assert_uint_ge(sim_now(s), 90000);
			sim_free(s);
		}
	}
}
END_TEST

/* When every fiber sleeps, the clock jumps: a long sleep costs a handful
 * of steps, not sleep / step_ns of them. */
START_TEST(test_idle_jumps_to_next_timer)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim_config cfg;
		struct sim *s;
		uint64_t ns = UINT64_C(1000000000000);	/* 1000 s */

		cfg_init(&cfg, k, 1);
		cfg.max_steps = 1000;
		s = sim_new(&cfg);
		sim_spawn(s, "sleeper", sleeper, (void *)(uintptr_t)ns);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_uint_eq(sim_findings_count(s, "step-budget"), 0);
		ck_assert_uint_ge(sl_after, ns);
		ck_assert_uint_lt(s->step, 20);
		sim_free(s);
	}
}
END_TEST

/* Timers fire in deadline order, ties in insertion order. */
static struct tdata td[8];

static void timer_order_fiber(void *arg)
{
	struct sim *s = sim_self();
	const char *names[] = { "a", "b", "c", "d", "e" };
	/* Delays far above step_ns: whether blocking costs a step or not,
	 * the idle clock must land on each deadline. */
	uint64_t delay[] = { 300 * STEP_NS, 100 * STEP_NS, 200 * STEP_NS,
			     100 * STEP_NS, 200 * STEP_NS };
	uint64_t t0 = sim_now(s);
	unsigned int p0 = sim_timers_pending(s);

	(void)arg;
	for (int i = 0; i < 5; i++) {
		struct sim_timer *t;

		td[i].name = names[i];
		td[i].deadline = t0 + delay[i];
		t = sim_timer_add(s, delay[i], names[i], timer_cb, &td[i]);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->deadline, t0 + delay[i]);
		ck_assert_uint_eq(sim_timers_pending(s), p0 + i + 1);
	}
	sim_sleep(s, 1000 * STEP_NS, HERE);
	ck_assert_int_eq(nfired, 5);
}

START_TEST(test_timer_order)
{
	const char *expect[] = { "b", "d", "c", "e", "a" };

	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 1);

		fired_reset();
		sim_spawn(s, "timers", timer_order_fiber, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(nfired, 5);
		for (int i = 0; i < 5; i++) {
			ck_assert_str_eq(fired[i].name, expect[i]);
			/* Everybody sleeps: the clock jumps to each deadline. */
			ck_assert_uint_eq(fired[i].now, fired[i].deadline);
			/* Callbacks run in the scheduler. */
			ck_assert(fired[i].in_scheduler);
		}
		ck_assert_uint_eq(sim_timers_pending(s), 0);
		sim_free(s);
	}
}
END_TEST

/* Many timers with the same deadline keep insertion order. */
static struct tdata tie_td[20];
static char tie_names[20][4];

static void tie_fiber(void *arg)
{
	struct sim *s = sim_self();
	uint64_t t0 = sim_now(s);

	(void)arg;
	for (int i = 0; i < 20; i++) {
		g_snprintf(tie_names[i], 4, "%d", i);
		tie_td[i].name = tie_names[i];
		tie_td[i].deadline = t0 + 500;
		sim_timer_add(s, 500, tie_names[i], timer_cb, &tie_td[i]);
	}
	sim_sleep(s, 1000, HERE);
}

START_TEST(test_timer_ties_insertion_order)
{
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 1);

	fired_reset();
	sim_spawn(s, "ties", tie_fiber, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nfired, 20);
	for (int i = 0; i < 20; i++) {
		char n[4];

		g_snprintf(n, 4, "%d", i);
		ck_assert_str_eq(fired[i].name, n);
	}
	sim_free(s);
}
END_TEST

/* Cancel */
static void cancel_fiber(void *arg)
{
	struct sim *s = sim_self();
	const char *names[] = { "x", "y", "z" };
	struct sim_timer *t[3];
	uint64_t t0 = sim_now(s);
	unsigned int p0 = sim_timers_pending(s);

	(void)arg;
	for (int i = 0; i < 3; i++) {
		td[i].name = names[i];
		td[i].deadline = t0 + 100 * (i + 1);
		t[i] = sim_timer_add(s, 100 * (i + 1), names[i], timer_cb,
				     &td[i]);
	}
	ck_assert_uint_eq(sim_timers_pending(s), p0 + 3);
	sim_timer_cancel(s, t[1]);
	ck_assert_uint_eq(sim_timers_pending(s), p0 + 2);
	sim_sleep(s, 1000, HERE);
	ck_assert_uint_eq(sim_timers_pending(s), p0);
}

START_TEST(test_timer_cancel)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	fired_reset();
	sim_spawn(s, "cancel", cancel_fiber, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nfired, 2);
	ck_assert_str_eq(fired[0].name, "x");
	ck_assert_str_eq(fired[1].name, "z");
	sim_free(s);
}
END_TEST

/* Cancelling the only timer of a sleeping engine. */
static void cancel_all_fiber(void *arg)
{
	struct sim *s = sim_self();
	struct sim_timer *t;

	(void)arg;
	td[0].name = "never";
	td[0].deadline = sim_now(s) + 10;
	t = sim_timer_add(s, 10, "never", timer_cb, &td[0]);
	sim_timer_cancel(s, t);
	sim_sleep(s, 100, HERE);
}

START_TEST(test_timer_cancel_before_deadline_never_fires)
{
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 1);

	fired_reset();
	sim_spawn(s, "cancel", cancel_all_fiber, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nfired, 0);
	sim_free(s);
}
END_TEST

/* Timers added before sim_run, from set-up code. */
START_TEST(test_timer_added_before_run)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	fired_reset();
	td[0].name = "setup";
	td[0].deadline = 500;
	sim_timer_add(s, 500, "setup", timer_cb, &td[0]);
	ck_assert_uint_eq(sim_timers_pending(s), 1);
	sim_spawn(s, "sleeper", sleeper, (void *)(uintptr_t)2000);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nfired, 1);
	ck_assert_uint_ge(fired[0].now, 500);
	ck_assert_uint_le(fired[0].now, 2000);
	ck_assert_uint_eq(sim_timers_pending(s), 0);
	sim_free(s);
}
END_TEST

/* A timer that re-arms itself. */
static int periodic_count;
static uint64_t periodic_at[8];

static void periodic_cb(struct sim *s, void *data)
{
	(void)data;
	periodic_at[periodic_count++] = sim_now(s);
	if (periodic_count < 3)
		sim_timer_add(s, 100 * STEP_NS, "periodic", periodic_cb,
			      NULL);
}

static void periodic_fiber(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_timer_add(s, 100 * STEP_NS, "periodic", periodic_cb, NULL);
	sim_sleep(s, 1000 * STEP_NS, HERE);
}

START_TEST(test_timer_rearm)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	uint64_t t0;

	periodic_count = 0;
	sim_spawn(s, "periodic", periodic_fiber, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(periodic_count, 3);
	t0 = periodic_at[0] - 100 * STEP_NS;
	ck_assert_uint_le(t0, 2 * STEP_NS);
	ck_assert_uint_eq(periodic_at[1], t0 + 200 * STEP_NS);
	ck_assert_uint_eq(periodic_at[2], t0 + 300 * STEP_NS);
	sim_free(s);
}
END_TEST

/* A timer callback may spawn a fiber. */
static uint64_t spawned_now;
static int spawned_ran;

static void late_fiber(void *arg)
{
	(void)arg;
	spawned_now = sim_now(sim_self());
	spawned_ran++;
}

static void spawn_cb(struct sim *s, void *data)
{
	(void)data;
	ck_assert_ptr_nonnull(sim_spawn(s, "late", late_fiber, NULL));
}

static void spawn_timer_fiber(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_timer_add(s, 5000, "spawner", spawn_cb, NULL);
	sim_sleep(s, 100000, HERE);
}

START_TEST(test_timer_spawns_fiber)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 1);

		spawned_ran = 0;
		spawned_now = 0;
		sim_spawn(s, "main", spawn_timer_fiber, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(spawned_ran, 1);
		ck_assert_uint_ge(spawned_now, 5000);
		ck_assert_uint_lt(spawned_now, 100000);
		sim_free(s);
	}
}
END_TEST

/* A timer callback may wake a blocked fiber. */
static struct sim_fiber *wk_f;
static uint64_t wk_woke;

static void wake_cb(struct sim *s, void *data)
{
	(void)data;
	ck_assert_int_eq(wk_f->state, SIM_FIBER_BLOCKED);
	sim_wake(s, wk_f);
}

static void wk_fiber(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_timer_add(s, 7000, "waker", wake_cb, NULL);
	sim_block(s, "test", "timer-wake", HERE);
	wk_woke = sim_now(s);
}

START_TEST(test_timer_wakes_fiber)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 1);

		wk_woke = 0;
		wk_f = sim_spawn(s, "blocked", wk_fiber, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_uint_ge(wk_woke, 7000);
		ck_assert_uint_le(wk_woke, 7000 + 2 * STEP_NS);
		ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
		sim_free(s);
	}
}
END_TEST

/* The clock is part of determinism: same seed, same times. */
static uint64_t det_times[64];
static int ndet;

static void det_fiber(void *arg)
{
	struct sim *s = sim_self();
	int id = GPOINTER_TO_INT(arg);

	for (int i = 0; i < 5; i++) {
		sim_yield(s, "yield", NULL, HERE);
		sim_sleep(s, (uint64_t)(id + 1) * 1500, HERE);
		det_times[ndet++] = sim_now(s) * 4 + (uint64_t)id;
	}
}

START_TEST(test_clock_deterministic)
{
	uint64_t first[64];

	for (int round = 0; round < 2; round++) {
		struct sim *s = new_sim(SIM_STRAT_RANDOM, 31);

		ndet = 0;
		for (int i = 0; i < 3; i++)
			sim_spawn(s, "det", det_fiber, GINT_TO_POINTER(i));
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(ndet, 15);
		if (round == 0)
			memcpy(first, det_times, sizeof(first));
		else
			ck_assert(memcmp(first, det_times,
					 15 * sizeof(uint64_t)) == 0);
		sim_free(s);
	}
}
END_TEST

/*
 * The step budget bounds a run even when nothing runs: the only fiber is
 * blocked for good while a periodic timer re-arms itself (a polling
 * timer, as the kernel's MCE poll timer).  Without a bound, sim_run
 * would never return; the callback stops the run itself after many
 * firings so that a failing engine fails this test instead of hanging.
 */
#define RUNAWAY 200000
static long runaway_fired;
static struct sim_waitq runaway_wq;

static void runaway_cb(struct sim *s, void *data)
{
	(void)data;
	if (++runaway_fired >= RUNAWAY) {
		sim_stop(s, "test guard: the engine did not stop the run");
		return;
	}
	sim_timer_add(s, 1000, "poll", runaway_cb, NULL);
}

static void runaway_blocked(void *arg)
{
	(void)arg;
	sim_waitq_wait(sim_self(), &runaway_wq, HERE);
}

START_TEST(test_budget_bounds_idle_timers)
{
	struct sim_config cfg;
	struct sim *s;

	cfg_init(&cfg, SIM_STRAT_RANDOM, 1);
	cfg.max_steps = 1000;
	s = sim_new(&cfg);
	runaway_fired = 0;
	sim_waitq_init(&runaway_wq, "forever");
	sim_spawn(s, "blocked", runaway_blocked, NULL);
	sim_timer_add(s, 1000, "poll", runaway_cb, NULL);
	ck_assert_int_eq(sim_run(s), -1);
	ck_assert_msg(runaway_fired < RUNAWAY,
		      "sim_run ran %ld timer firings with max_steps 1000 "
		      "(%llu steps, now %llu)", runaway_fired,
		      (unsigned long long)s->step,
		      (unsigned long long)sim_now(s));
	ck_assert_uint_ge(sim_findings_count(s, "step-budget"), 1);
	sim_free(s);
}
END_TEST

Suite *suite_sim_clock(void)
{
	Suite *s = suite_create("sim_clock");
	TCase *tc;

	tc = tcase_create("clock");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_now_starts_at_zero);
	tcase_add_test(tc, test_step_advances_clock);
	tcase_add_test(tc, test_time_is_steps);
	tcase_add_test(tc, test_step_ns_configurable);
	tcase_add_test(tc, test_sleep_alone);
	tcase_add_test(tc, test_sleep_with_busy_fiber);
	tcase_add_test(tc, test_sleepers_wake_in_order);
	tcase_add_test(tc, test_idle_jumps_to_next_timer);
	tcase_add_test(tc, test_clock_deterministic);
	suite_add_tcase(s, tc);

	tc = tcase_create("timers");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_ties_insertion_order);
	tcase_add_test(tc, test_timer_cancel);
	tcase_add_test(tc, test_timer_cancel_before_deadline_never_fires);
	tcase_add_test(tc, test_timer_added_before_run);
	tcase_add_test(tc, test_timer_rearm);
	tcase_add_test(tc, test_timer_spawns_fiber);
	tcase_add_test(tc, test_timer_wakes_fiber);
	tcase_add_test(tc, test_budget_bounds_idle_timers);
	suite_add_tcase(s, tc);
	return s;
}
