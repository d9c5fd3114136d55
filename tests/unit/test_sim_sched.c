/*
 * test_sim_sched.c - fibers, the scheduler and its strategies (sim/sim.h).
 *
 * The tests check the header's contract, not the implementation: every
 * scenario records the order in which fibers did things in an event log
 * and the assertions are about that order.
 */
#include <check.h>
#include <glib.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/trace.h"

#include "sim_fixture.h"

/* How many times the log changes from one fiber to another. */
static int switches(const int *log, int n)
{
	int sw = 0;

	for (int i = 1; i < n; i++)
		if (log[i] != log[i - 1])
			sw++;
	return sw;
}


/* Fiber: log tag, yield, n times. */
struct yl {
	int tag;
	int n;
};

static void yield_loop(void *arg)
{
	struct yl *y = arg;
	struct sim *s = sim_self();

	for (int i = 0; i < y->n; i++) {
		ev(y->tag);
		sim_yield(s, "yield", NULL, HERE);
	}
}

static struct yl yls[16];

/* Spawn nfib yield loops of n iterations each; tags are 0..nfib-1. */
static void spawn_yielders(struct sim *s, int nfib, int n)
{
	ck_assert_int_le(nfib, 16);
	for (int i = 0; i < nfib; i++) {
		char name[16];

		yls[i].tag = i;
		yls[i].n = n;
		g_snprintf(name, sizeof(name), "y%d", i);
		ck_assert_ptr_nonnull(sim_spawn(s, name, yield_loop, &yls[i]));
	}
}

/* Run nfib yielders under cfg; copy the log out; return sim_run's value. */
struct run_result {
	int ret;
	int log[LOG_MAX];
	int n;
	GArray *choices;
	char *digest;
	uint64_t steps;
};

static void run_result_free(struct run_result *r)
{
	if (r->choices)
		g_array_unref(r->choices);
	g_free(r->digest);
	g_free(r);
}

static struct run_result *run_yielders_cfg(struct sim_config *cfg, int nfib,
					   int n)
{
	struct run_result *r = g_new0(struct run_result, 1);
	struct sim *s;

	log_reset();
	s = sim_new(cfg);
	ck_assert_ptr_nonnull(s);
	spawn_yielders(s, nfib, n);
	r->ret = sim_run(s);
	memcpy(r->log, evlog, sizeof(int) * nev);
	r->n = nev;
	r->choices = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_vals(r->choices, s->choices->data, s->choices->len);
	if (s->trace)
		r->digest = sim_trace_digest(s->trace);
	r->steps = s->step;
	for (int i = 0; i < nfib; i++)
		ck_assert_int_eq(sim_fiber_by_id(s, i)->state, SIM_FIBER_DONE);
	sim_free(s);
	return r;
}

static struct run_result *run_yielders(enum sim_strategy_kind kind,
				       uint64_t seed, int nfib, int n)
{
	struct sim_config cfg;

	cfg_init(&cfg, kind, seed);
	return run_yielders_cfg(&cfg, nfib, n);
}

static bool same_log(const struct run_result *a, const struct run_result *b)
{
	return a->n == b->n && memcmp(a->log, b->log, sizeof(int) * a->n) == 0;
}

/* Each tag 0..nfib-1 appears exactly n times. */
static void assert_complete(const struct run_result *r, int nfib, int n)
{
	ck_assert_int_eq(r->n, nfib * n);
	for (int t = 0; t < nfib; t++) {
		int c = 0;

		for (int i = 0; i < r->n; i++)
			if (r->log[i] == t)
				c++;
		ck_assert_int_eq(c, n);
	}
}

/* ---------------------------------------------------------------- */
/* Engine lifecycle and fibers */

START_TEST(test_run_no_fibers)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(sim_now(s), 0);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
	sim_free(s);
}
END_TEST

START_TEST(test_config_default)
{
	struct sim_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	sim_config_default(&cfg);
	ck_assert_ptr_null(cfg.strategy.replay);
	/* A default configuration must give a working engine. */
	struct sim *s = sim_new(&cfg);
	ck_assert_ptr_nonnull(s);
	spawn_yielders(s, 2, 3);
	log_reset();
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nev, 6);
	sim_free(s);
}
END_TEST

START_TEST(test_spawn_run_all_complete)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct run_result *r = run_yielders(k, 11, 5, 10);

		ck_assert_int_eq(r->ret, 0);
		assert_complete(r, 5, 10);
		run_result_free(r);
	}
}
END_TEST

START_TEST(test_ids_names_by_id)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	struct sim_fiber *f[4];

	for (int i = 0; i < 4; i++) {
		char name[8];

		g_snprintf(name, sizeof(name), "f%d", i);
		yls[i].tag = i;
		yls[i].n = 1;
		f[i] = sim_spawn(s, name, yield_loop, &yls[i]);
		ck_assert_ptr_nonnull(f[i]);
		ck_assert_int_eq(f[i]->id, i);
		ck_assert_str_eq(f[i]->name, name);
		ck_assert_int_eq(f[i]->state, SIM_FIBER_NEW);
		ck_assert_ptr_eq(f[i]->sim, s);
		ck_assert_ptr_eq(sim_fiber_by_id(s, i), f[i]);
	}
	ck_assert_ptr_null(sim_fiber_by_id(s, 4));
	ck_assert_ptr_null(sim_fiber_by_id(s, -1));
	ck_assert_ptr_null(sim_current(s));
	log_reset();
	ck_assert_int_eq(sim_run(s), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(f[i]->state, SIM_FIBER_DONE);
	ck_assert_uint_eq(s->live, 0);
	ck_assert_ptr_null(sim_current(s));
	sim_free(s);
}
END_TEST

/* sim_current and sim_self inside fibers */
static struct sim *cur_sim;
static struct sim_fiber *cur_f[3];
static int cur_ok;

static void check_current(void *arg)
{
	struct sim_fiber *me = cur_f[GPOINTER_TO_INT(arg)];

	ck_assert_ptr_eq(sim_self(), cur_sim);
	ck_assert_ptr_eq(sim_current(cur_sim), me);
	sim_yield(cur_sim, "yield", NULL, HERE);
	ck_assert_ptr_eq(sim_self(), cur_sim);
	ck_assert_ptr_eq(sim_current(cur_sim), me);
	ck_assert_int_eq(me->state, SIM_FIBER_RUNNABLE);
	cur_ok++;
}

START_TEST(test_current_and_self)
{
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 3);
	struct sim_fiber *f[3];

	cur_sim = s;
	cur_ok = 0;
	for (int i = 0; i < 3; i++)
		cur_f[i] = f[i] = sim_spawn(s, "cur", check_current,
					    GINT_TO_POINTER(i));
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(cur_ok, 3);
	sim_free(s);
}
END_TEST

/* State transitions, observed by the fibers themselves. */
static struct sim_waitq st_wq;
static struct sim_fiber *st_a, *st_b;
static int st_seen[8];

static void st_fiber_a(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	ck_assert_int_eq(st_a->state, SIM_FIBER_RUNNABLE);
	st_seen[0] = st_b->state;		/* never ran yet */
	sim_waitq_wait(s, &st_wq, HERE);	/* blocks: B runs */
	st_seen[3] = st_b->state;
}

static void st_fiber_b(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	st_seen[1] = st_a->state;		/* blocked on the queue */
	ck_assert(sim_waitq_active(&st_wq));
	ck_assert_int_eq(sim_waitq_wake(s, &st_wq, 1), 1);
	st_seen[2] = st_a->state;		/* woken: runnable */
	ck_assert(!sim_waitq_active(&st_wq));
}

START_TEST(test_state_transitions)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	sim_waitq_init(&st_wq, "st_wq");
	ck_assert(!sim_waitq_active(&st_wq));
	st_a = sim_spawn(s, "a", st_fiber_a, NULL);
	st_b = sim_spawn(s, "b", st_fiber_b, NULL);
	ck_assert_int_eq(st_a->state, SIM_FIBER_NEW);
	ck_assert_int_eq(st_b->state, SIM_FIBER_NEW);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(st_seen[0], SIM_FIBER_NEW);
	ck_assert_int_eq(st_seen[1], SIM_FIBER_BLOCKED);
	ck_assert_int_eq(st_seen[2], SIM_FIBER_RUNNABLE);
	ck_assert_int_eq(st_seen[3], SIM_FIBER_DONE);
	ck_assert_int_eq(st_a->state, SIM_FIBER_DONE);
	ck_assert_int_eq(st_b->state, SIM_FIBER_DONE);
	sim_free(s);
}
END_TEST

/* Each fiber has its own stack: deep recursion with yields at every level. */
#define DEPTH 300
static int rec_errors;

static void recurse(struct sim *s, int tag, int depth)
{
	volatile unsigned char buf[96];
	volatile long x = (long)tag * 100000 + depth;

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(tag * 31 + depth * 7 + i);
	ev(tag);
	sim_yield(s, "yield", NULL, HERE);
	if (depth < DEPTH)
		recurse(s, tag, depth + 1);
	sim_yield(s, "yield", NULL, HERE);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		if (buf[i] != (unsigned char)(tag * 31 + depth * 7 + i))
			rec_errors++;
	if (x != (long)tag * 100000 + depth)
		rec_errors++;
}

static void rec_fiber(void *arg)
{
	recurse(sim_self(), GPOINTER_TO_INT(arg), 1);
}

START_TEST(test_own_stacks_deep_recursion)
{
	bool interleaved = false;

	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct sim *s = new_sim(SIM_STRAT_RANDOM, seed);

		log_reset();
		rec_errors = 0;
		sim_spawn(s, "r1", rec_fiber, GINT_TO_POINTER(1));
		sim_spawn(s, "r2", rec_fiber, GINT_TO_POINTER(2));
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(rec_errors, 0);
		ck_assert_int_eq(nev, 2 * DEPTH);
		if (switches(evlog, nev) > 10)
			interleaved = true;
		sim_free(s);
	}
	/* The test only means something if the recursions interleaved. */
	ck_assert(interleaved);
}
END_TEST

/* sim_join */
static struct sim_fiber *join_target;
static int join_after_again;

static void join_child(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		ev(1);
		sim_yield(sim_self(), "yield", NULL, HERE);
	}
}

static void join_parent(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	join_target = sim_spawn(s, "child", join_child, NULL);
	ck_assert_ptr_nonnull(join_target);
	ev(0);
	sim_join(s, join_target);
	ck_assert_int_eq(join_target->state, SIM_FIBER_DONE);
	ev(2);
	/* Joining a finished fiber returns at once. */
	sim_join(s, join_target);
	join_after_again = 1;
}

/* A second joiner of the same fiber. */
static void join_other(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	/* Poll by sleeping, not yielding: under PCT a yielding poller with
	 * the top priority would starve everybody. */
	while (!join_target)
		sim_sleep(s, 10, HERE);
	sim_join(s, join_target);
	ev(3);
}

START_TEST(test_join)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 5; seed++) {
			struct sim *s = new_sim(k, seed);
			int last_child = -1, first_after = -1;

			log_reset();
			join_target = NULL;
			join_after_again = 0;
			sim_spawn(s, "parent", join_parent, NULL);
			sim_spawn(s, "other", join_other, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(join_after_again, 1);
			ck_assert_int_eq(nev, 1 + 5 + 2);
			for (int i = 0; i < nev; i++) {
				if (evlog[i] == 1)
					last_child = i;
				if ((evlog[i] == 2 || evlog[i] == 3) &&
				    first_after < 0)
					first_after = i;
			}
			ck_assert_int_ge(last_child, 0);
			ck_assert_int_gt(first_after, last_child);
			sim_free(s);
		}
	}
}
END_TEST

/* Fibers spawned from fibers, two levels deep. */
static int spawned_runs;

static void leaf(void *arg)
{
	(void)arg;
	sim_yield(sim_self(), "yield", NULL, HERE);
	spawned_runs++;
}

static void mid(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(sim_spawn(s, "leaf", leaf, NULL));
	sim_yield(s, "yield", NULL, HERE);
	spawned_runs++;
}

static void root(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(sim_spawn(s, "mid", mid, NULL));
	spawned_runs++;
}

START_TEST(test_spawn_from_fibers)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 5);

		spawned_runs = 0;
		sim_spawn(s, "root", root, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(spawned_runs, 1 + 3 + 9);
		ck_assert_uint_eq(s->fibers->len, 13);
		for (int i = 0; i < 13; i++) {
			struct sim_fiber *f = sim_fiber_by_id(s, i);

			ck_assert_ptr_nonnull(f);
			ck_assert_int_eq(f->id, i);
			ck_assert_int_eq(f->state, SIM_FIBER_DONE);
		}
		ck_assert_uint_eq(s->live, 0);
		sim_free(s);
	}
}
END_TEST

/* sim_block / sim_wake, wait_kind for reports */
static struct sim_fiber *blk_f;
static int blk_phase;

static void blk_sleeper(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	blk_phase = 1;
	sim_block(s, "custom-wait", "thing", HERE);
	ck_assert_int_eq(blk_phase, 2);
	blk_phase = 3;
}

static void blk_waker(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	while (blk_f->state != SIM_FIBER_BLOCKED)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(blk_phase, 1);
	ck_assert_str_eq(blk_f->wait_kind, "custom-wait");
	ck_assert_str_eq(blk_f->wait_obj, "thing");
	/* Still blocked however often we yield. */
	for (int i = 0; i < 20; i++)
		sim_yield(s, "yield", NULL, HERE);
	ck_assert_int_eq(blk_f->state, SIM_FIBER_BLOCKED);
	ck_assert_int_eq(blk_phase, 1);
	blk_phase = 2;
	sim_wake(s, blk_f);
	ck_assert_int_eq(blk_f->state, SIM_FIBER_RUNNABLE);
}

START_TEST(test_block_wake)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 9);

		blk_phase = 0;
		blk_f = sim_spawn(s, "sleeper", blk_sleeper, NULL);
		sim_spawn(s, "waker", blk_waker, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(blk_phase, 3);
		sim_free(s);
	}
}
END_TEST

/* Wait queues wake in FIFO order. */
static struct sim_waitq fifo_wq;
static struct sim_fiber *fifo_w[4];
static int fifo_n;

static void fifo_waiter(void *arg)
{
	sim_waitq_wait(sim_self(), &fifo_wq, HERE);
	ev(GPOINTER_TO_INT(arg));
}

static void fifo_ctl(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	/* Queue the waiters one after the other, in a known order. */
	for (int i = 0; i < 4; i++) {
		fifo_w[i] = sim_spawn(s, "w", fifo_waiter, GINT_TO_POINTER(i));
		while (fifo_w[i]->state != SIM_FIBER_BLOCKED)
			sim_sleep(s, 10, HERE);
	}
	ck_assert(sim_waitq_active(&fifo_wq));
	ck_assert_int_eq(sim_waitq_wake(s, &fifo_wq, 1), 1);
	while (nev < 1)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(sim_waitq_wake(s, &fifo_wq, 1), 1);
	while (nev < 2)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(sim_waitq_wake(s, &fifo_wq, 10), 2);
	ck_assert(!sim_waitq_active(&fifo_wq));
	ck_assert_int_eq(sim_waitq_wake(s, &fifo_wq, 1), 0);
	fifo_n = 1;
}

START_TEST(test_waitq_fifo)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct sim *s = new_sim(k, seed);

			log_reset();
			fifo_n = 0;
			sim_waitq_init(&fifo_wq, "fifo");
			sim_spawn(s, "ctl", fifo_ctl, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(fifo_n, 1);
			ck_assert_int_eq(nev, 4);
			/* Woken one at a time: the queue order. */
			ck_assert_int_eq(evlog[0], 0);
			ck_assert_int_eq(evlog[1], 1);
			ck_assert((evlog[2] == 2 && evlog[3] == 3) ||
				  (evlog[2] == 3 && evlog[3] == 2));
			sim_free(s);
		}
	}
}
END_TEST

/* sim_fiber_label: "name#id" */
START_TEST(test_fiber_label)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	struct sim_fiber *a, *b;
	char buf[64];

	yls[0].n = yls[1].n = 0;
	a = sim_spawn(s, "alpha", yield_loop, &yls[0]);
	b = sim_spawn(s, "beta", yield_loop, &yls[1]);
	ck_assert_str_eq(sim_fiber_label(a, buf, sizeof(buf)), "alpha#0");
	ck_assert_str_eq(sim_fiber_label(b, buf, sizeof(buf)), "beta#1");
	/* A short buffer is not overrun. */
	memset(buf, 'x', sizeof(buf));
	sim_fiber_label(b, buf, 4);
	ck_assert_int_eq(buf[4], 'x');
	ck_assert_uint_lt(strnlen(buf, 4), 4);
	log_reset();
	ck_assert_int_eq(sim_run(s), 0);
	sim_free(s);
}
END_TEST

/* sim_spawn_after: a fiber that starts later in virtual time. */
static uint64_t after_started[4];
static int after_n;

static void after_fiber(void *arg)
{
	after_started[GPOINTER_TO_INT(arg)] = sim_now(sim_self());
	after_n++;
}

static void after_spawner(void *arg)
{
	struct sim *s = sim_self();
	uint64_t t0 = sim_now(s);

	(void)arg;
	ck_assert_ptr_nonnull(sim_spawn_after(s, 30000, "after2", after_fiber,
					      GINT_TO_POINTER(2)));
	after_started[3] = t0;
}

START_TEST(test_spawn_after)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 2);
		struct sim_fiber *f;

		after_n = 0;
		memset(after_started, 0, sizeof(after_started));
		f = sim_spawn_after(s, 50000, "after0", after_fiber,
				    GINT_TO_POINTER(0));
		ck_assert_ptr_nonnull(f);
		/* Not started: NEW, or BLOCKED on its start timer. */
		ck_assert(f->state == SIM_FIBER_NEW ||
			  f->state == SIM_FIBER_BLOCKED);
		sim_spawn(s, "now1", after_fiber, GINT_TO_POINTER(1));
		sim_spawn(s, "spawner", after_spawner, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(after_n, 3);
		ck_assert_uint_ge(after_started[0], 50000);
		ck_assert_uint_lt(after_started[1], 50000);
		ck_assert_uint_ge(after_started[2], after_started[3] + 30000);
		ck_assert_uint_lt(after_started[2], after_started[0]);
		sim_free(s);
	}
}
END_TEST

/* sim_block_on / sim_wake_first: FIFO on a caller's queue. */
static GQueue bo_q;
static struct sim_fiber *bo_f[3];

static void bo_waiter(void *arg)
{
	/* sim_wake_first() returns link->data as the fiber: the caller
	 * sets it (sim.h does not say so; lock.c links waiter structs). */
	GList link = { .data = sim_current(sim_self()) };

	sim_block_on(sim_self(), &bo_q, &link, "bo", "bo_q", HERE);
	ev(GPOINTER_TO_INT(arg));
}

static void bo_ctl(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 3; i++) {
		bo_f[i] = sim_spawn(s, "w", bo_waiter, GINT_TO_POINTER(i));
		while (bo_f[i]->state != SIM_FIBER_BLOCKED)
			sim_sleep(s, 10, HERE);
		ck_assert_uint_eq(g_queue_get_length(&bo_q), (guint)i + 1);
		ck_assert_str_eq(bo_f[i]->wait_kind, "bo");
	}
	for (int i = 0; i < 3; i++) {
		ck_assert_ptr_eq(sim_wake_first(s, &bo_q), bo_f[i]);
		ck_assert_int_eq(bo_f[i]->state, SIM_FIBER_RUNNABLE);
	}
	ck_assert_ptr_null(sim_wake_first(s, &bo_q));
	ck_assert_uint_eq(g_queue_get_length(&bo_q), 0);
}

START_TEST(test_block_on_wake_first)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 4);

		log_reset();
		g_queue_init(&bo_q);
		sim_spawn(s, "ctl", bo_ctl, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(nev, 3);
		sim_free(s);
	}
}
END_TEST

/* A smaller configured stack still holds a moderately deep recursion. */
START_TEST(test_stack_size_config)
{
	struct sim_config cfg;
	struct sim *s;

	cfg_init(&cfg, SIM_STRAT_RANDOM, 1);
	cfg.stack_size = 128 * 1024;
	s = sim_new(&cfg);
	log_reset();
	rec_errors = 0;
	sim_spawn(s, "r1", rec_fiber, GINT_TO_POINTER(1));
	sim_spawn(s, "r2", rec_fiber, GINT_TO_POINTER(2));
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(rec_errors, 0);
	ck_assert_int_eq(nev, 2 * DEPTH);
	sim_free(s);
}
END_TEST

/* Two engines at once: inside a run, sim_self() is the engine running. */
static struct sim *two_expect;
static int two_ok;

static void two_fiber(void *arg)
{
	(void)arg;
	ck_assert_ptr_eq(sim_self(), two_expect);
	ck_assert_ptr_nonnull(sim_current(two_expect));
	sim_yield(sim_self(), "yield", NULL, HERE);
	ck_assert_ptr_eq(sim_self(), two_expect);
	two_ok++;
}

START_TEST(test_two_engines)
{
	struct sim *a = new_sim(SIM_STRAT_RANDOM, 1);
	struct sim *b = new_sim(SIM_STRAT_RANDOM, 2);

	two_ok = 0;
	sim_spawn(a, "a0", two_fiber, NULL);
	sim_spawn(b, "b0", two_fiber, NULL);
	sim_spawn(b, "b1", two_fiber, NULL);
	two_expect = b;
	ck_assert_int_eq(sim_run(b), 0);
	ck_assert_int_eq(two_ok, 2);
	two_expect = a;
	ck_assert_int_eq(sim_run(a), 0);
	ck_assert_int_eq(two_ok, 3);
	sim_free(a);
	/* b outlives a and still works. */
	sim_spawn(b, "b2", two_fiber, NULL);
	two_expect = b;
	ck_assert_int_eq(sim_run(b), 0);
	ck_assert_int_eq(two_ok, 4);
	sim_free(b);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Strategies */

START_TEST(test_run_to_block_serial)
{
	struct run_result *r = run_yielders(SIM_STRAT_RUN_TO_BLOCK, 1, 2, 5);
	int expect[10] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 };

	ck_assert_int_eq(r->ret, 0);
	ck_assert_int_eq(r->n, 10);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(r->log[i], expect[i]);
	/* No choice was ever made between two runnable fibers by chance, but
	 * whatever was recorded names existing fibers. */
	for (guint i = 0; i < r->choices->len; i++) {
		int id = g_array_index(r->choices, int, i);
		ck_assert(id == 0 || id == 1);
	}
	run_result_free(r);
}
END_TEST

/* Run to block: when the running fiber blocks, the next one runs; the
 * fiber that woke it keeps the CPU until it blocks or ends. */
static struct sim_waitq rtb_wq;

static void rtb_a(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	ev(10);
	sim_yield(s, "yield", NULL, HERE);
	ev(11);
	sim_waitq_wait(s, &rtb_wq, HERE);
	ev(12);
}

static void rtb_b(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	ev(20);
	sim_waitq_wake(s, &rtb_wq, 1);
	ev(21);
	sim_yield(s, "yield", NULL, HERE);
	ev(22);
	sim_yield(s, "yield", NULL, HERE);
	ev(23);
}

START_TEST(test_run_to_block_blocks)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	int expect[] = { 10, 11, 20, 21, 22, 23, 12 };

	log_reset();
	sim_waitq_init(&rtb_wq, "rtb");
	sim_spawn(s, "a", rtb_a, NULL);
	sim_spawn(s, "b", rtb_b, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nev, 7);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(evlog[i], expect[i]);
	sim_free(s);
}
END_TEST

/* Run to block: when the running fiber blocks, the fiber that has been
 * runnable longest goes next (FIFO), not one woken a moment ago. */
static struct sim_waitq fifo2_wq;

static void fifo2_a(void *arg)
{
	(void)arg;
	ev(10);
	sim_waitq_wait(sim_self(), &fifo2_wq, HERE);
	ev(11);
}

static void fifo2_b(void *arg)
{
	(void)arg;
	ev(20);
	sim_waitq_wake(sim_self(), &fifo2_wq, 1);	/* A: runnable now */
}

static void fifo2_c(void *arg)
{
	(void)arg;
	ev(30);					/* runnable since spawn */
	sim_yield(sim_self(), "yield", NULL, HERE);
	ev(31);
}

START_TEST(test_run_to_block_fifo)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	int expect[] = { 10, 20, 30, 31, 11 };

	log_reset();
	sim_waitq_init(&fifo2_wq, "fifo2");
	sim_spawn(s, "a", fifo2_a, NULL);
	sim_spawn(s, "b", fifo2_b, NULL);
	sim_spawn(s, "c", fifo2_c, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(nev, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(evlog[i], expect[i]);
	sim_free(s);
}
END_TEST

START_TEST(test_random_same_seed_same_order)
{
	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct run_result *a = run_yielders(SIM_STRAT_RANDOM, seed, 3, 10);
		struct run_result *b = run_yielders(SIM_STRAT_RANDOM, seed, 3, 10);

		ck_assert_int_eq(a->ret, 0);
		assert_complete(a, 3, 10);
		ck_assert(same_log(a, b));
		ck_assert_uint_eq(a->choices->len, b->choices->len);
		ck_assert(memcmp(a->choices->data, b->choices->data,
				 a->choices->len * sizeof(int)) == 0);
		/* Random really interleaves. */
		ck_assert_int_gt(switches(a->log, a->n), 2);
		run_result_free(a);
		run_result_free(b);
	}
}
END_TEST

START_TEST(test_random_seeds_differ)
{
	struct run_result *r[8];
	int distinct = 0;

	for (int i = 0; i < 8; i++)
		r[i] = run_yielders(SIM_STRAT_RANDOM, 100 + i, 3, 10);
	for (int i = 0; i < 8; i++) {
		bool dup = false;

		for (int j = 0; j < i; j++)
			if (same_log(r[i], r[j]))
				dup = true;
		if (!dup)
			distinct++;
	}
	/* 30 events by 3 fibers: 8 equal orders would be absurd. */
	ck_assert_int_ge(distinct, 4);
	for (int i = 0; i < 8; i++)
		run_result_free(r[i]);
}
END_TEST

START_TEST(test_random_roughly_uniform)
{
	/* Two fibers yield many times: while both are runnable every choice
	 * is between them, and each should get about half. */
	struct run_result *r = run_yielders(SIM_STRAT_RANDOM, 2024, 2, 2000);
	int zero = 0, n = 1000;

	ck_assert_uint_ge(r->choices->len, (guint)n);
	for (int i = 0; i < n; i++) {
		int id = g_array_index(r->choices, int, i);

		ck_assert(id == 0 || id == 1);
		if (id == 0)
			zero++;
	}
	ck_assert_int_gt(zero, 400);
	ck_assert_int_lt(zero, 600);
	run_result_free(r);
}
END_TEST

static struct run_result *run_pct(uint64_t seed, unsigned int depth,
				  unsigned int steps, int nfib, int n)
{
	struct sim_config cfg;

	cfg_init(&cfg, SIM_STRAT_PCT, seed);
	cfg.strategy.pct_depth = depth;
	cfg.strategy.pct_steps = steps;
	return run_yielders_cfg(&cfg, nfib, n);
}

START_TEST(test_pct_deterministic_and_complete)
{
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct run_result *a = run_pct(seed, 3, 60, 3, 20);
		struct run_result *b = run_pct(seed, 3, 60, 3, 20);

		ck_assert_int_eq(a->ret, 0);
		assert_complete(a, 3, 20);
		ck_assert(same_log(a, b));
		run_result_free(a);
		run_result_free(b);
	}
}
END_TEST

START_TEST(test_pct_depth1_no_preemption)
{
	bool first0 = false, first1 = false;

	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct run_result *r = run_pct(seed, 1, 40, 2, 20);

		assert_complete(r, 2, 20);
		/* Strict priority: one fiber runs to its end, then the other. */
		ck_assert_int_eq(switches(r->log, r->n), 1);
		if (r->log[0] == 0)
			first0 = true;
		else
			first1 = true;
		run_result_free(r);
	}
	/* Priorities are random: either fiber can be the first. */
	ck_assert(first0 && first1);
}
END_TEST

START_TEST(test_pct_depth3_preempts)
{
	int preempted = 0;

	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct run_result *r = run_pct(seed, 3, 40, 2, 20);

		assert_complete(r, 2, 20);
		if (switches(r->log, r->n) >= 2)
			preempted++;
		run_result_free(r);
	}
	ck_assert_int_ge(preempted, 1);
}
END_TEST

/* A PCT strategy built by hand with no step estimate (pct_steps 0) must
 * not bring the engine down: sim_new either refuses it (NULL) or runs
 * it with some estimate. */
START_TEST(test_pct_zero_steps)
{
	struct sim_config cfg;
	struct sim *s;

	cfg_init(&cfg, SIM_STRAT_PCT, 1);
	cfg.strategy.pct_depth = 3;
	cfg.strategy.pct_steps = 0;
	s = sim_new(&cfg);
	if (s) {
		log_reset();
		spawn_yielders(s, 2, 5);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(nev, 10);
		sim_free(s);
	}
}
END_TEST

START_TEST(test_pct_differs_across_seeds)
{
	struct run_result *a = run_pct(1, 3, 40, 3, 10);
	int differ = 0;

	for (uint64_t seed = 2; seed <= 10; seed++) {
		struct run_result *b = run_pct(seed, 3, 40, 3, 10);

		if (!same_log(a, b))
			differ++;
		run_result_free(b);
	}
	ck_assert_int_ge(differ, 1);
	run_result_free(a);
}
END_TEST

START_TEST(test_replay_reproduces_random)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct sim_config cfg;
		struct run_result *a, *b;

		cfg_init(&cfg, SIM_STRAT_RANDOM, seed);
		cfg.trace_level = SIM_TRACE_FULL;
		a = run_yielders_cfg(&cfg, 3, 15);
		ck_assert_uint_gt(a->choices->len, 0);
		ck_assert_ptr_nonnull(a->digest);

		cfg_init(&cfg, SIM_STRAT_REPLAY, seed);
		cfg.trace_level = SIM_TRACE_FULL;
		cfg.strategy.replay = g_array_new(FALSE, FALSE, sizeof(int));
		g_array_append_vals(cfg.strategy.replay, a->choices->data,
				    a->choices->len);
		b = run_yielders_cfg(&cfg, 3, 15);
		/* sim_new copied the configuration (it takes a const one). */
		sim_strategy_clear(&cfg.strategy);

		ck_assert_int_eq(b->ret, 0);
		ck_assert(same_log(a, b));
		ck_assert_str_eq(a->digest, b->digest);
		ck_assert_uint_eq(a->choices->len, b->choices->len);
		ck_assert(memcmp(a->choices->data, b->choices->data,
				 a->choices->len * sizeof(int)) == 0);
		run_result_free(a);
		run_result_free(b);
	}
}
END_TEST

START_TEST(test_replay_reproduces_pct)
{
	struct sim_config cfg;
	struct run_result *a, *b;

	cfg_init(&cfg, SIM_STRAT_PCT, 77);
	cfg.strategy.pct_depth = 3;
	cfg.strategy.pct_steps = 40;
	a = run_yielders_cfg(&cfg, 3, 12);

	cfg_init(&cfg, SIM_STRAT_REPLAY, 77);
	cfg.strategy.replay = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_vals(cfg.strategy.replay, a->choices->data,
			    a->choices->len);
	b = run_yielders_cfg(&cfg, 3, 12);
	sim_strategy_clear(&cfg.strategy);
	ck_assert(same_log(a, b));
	run_result_free(a);
	run_result_free(b);
}
END_TEST

/* A replay list that names a fiber which cannot run. */
static void replay_bad_run(const int *ids, int n, int nfib, int iters)
{
	struct sim_config cfg;
	struct sim *s;

	cfg_init(&cfg, SIM_STRAT_REPLAY, 1);
	cfg.strategy.replay = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_vals(cfg.strategy.replay, ids, n);
	s = sim_new(&cfg);
	sim_strategy_clear(&cfg.strategy);
	log_reset();
	spawn_yielders(s, nfib, iters);
	(void)sim_run(s);
	ck_assert_uint_ge(sim_findings_count(s, "replay"), 1);
	sim_free(s);
}

START_TEST(test_replay_nonexistent_fiber)
{
	int ids[] = { 9, 9, 9, 9, 9, 9 };

	replay_bad_run(ids, 6, 3, 3);
}
END_TEST

START_TEST(test_replay_done_fiber)
{
	/* Fiber 0 yields once and exits; the list keeps naming it. */
	int ids[20];

	for (int i = 0; i < 20; i++)
		ids[i] = 0;
	replay_bad_run(ids, 20, 3, 1);
}
END_TEST

START_TEST(test_replay_good_list_no_finding)
{
	struct sim_config cfg;
	struct run_result *a;
	struct sim *s;

	cfg_init(&cfg, SIM_STRAT_RANDOM, 5);
	a = run_yielders_cfg(&cfg, 2, 5);
	cfg_init(&cfg, SIM_STRAT_REPLAY, 5);
	cfg.strategy.replay = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_vals(cfg.strategy.replay, a->choices->data,
			    a->choices->len);
	s = sim_new(&cfg);
	sim_strategy_clear(&cfg.strategy);
	log_reset();
	spawn_yielders(s, 2, 5);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_uint_eq(sim_findings_count(s, "replay"), 0);
	sim_free(s);
	run_result_free(a);
}
END_TEST

/* ---------------------------------------------------------------- */
/* sim_strategy_parse */

static void parse_ok(const char *spec, enum sim_strategy_kind kind,
		     unsigned int depth, unsigned int steps)
{
	struct sim_strategy st;
	GError *err = NULL;
	int ret;
	char *desc;

	memset(&st, 0, sizeof(st));
	ret = sim_strategy_parse(spec, &st, &err);
	ck_assert_msg(err == NULL, "'%s' rejected: %s", spec,
		      err ? err->message : "");
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(st.kind, kind);
	if (depth)
		ck_assert_uint_eq(st.pct_depth, depth);
	if (steps)
		ck_assert_uint_eq(st.pct_steps, steps);
	if (kind == SIM_STRAT_PCT)
		ck_assert_uint_ge(st.pct_depth, 1);
	desc = sim_strategy_describe(&st);
	ck_assert_ptr_nonnull(desc);
	ck_assert_uint_gt(strlen(desc), 0);
	g_free(desc);
	sim_strategy_clear(&st);
}

static void parse_bad(const char *spec, const char *bad)
{
	struct sim_strategy st;
	GError *err = NULL;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = sim_strategy_parse(spec, &st, &err);
	ck_assert_msg(err != NULL, "'%s' accepted", spec);
	ck_assert_int_ne(ret, 0);
	ck_assert_msg(strstr(err->message, spec) ||
		      (bad && strstr(err->message, bad)),
		      "message for '%s' does not name it: %s", spec,
		      err->message);
	g_error_free(err);
	sim_strategy_clear(&st);
}

START_TEST(test_strategy_parse)
{
	parse_ok("run-to-block", SIM_STRAT_RUN_TO_BLOCK, 0, 0);
	parse_ok("random", SIM_STRAT_RANDOM, 0, 0);
	parse_ok("pct", SIM_STRAT_PCT, 0, 0);
	parse_ok("pct:3", SIM_STRAT_PCT, 3, 0);
	parse_ok("pct:3:500", SIM_STRAT_PCT, 3, 500);
	parse_ok("pct:1", SIM_STRAT_PCT, 1, 0);

	parse_bad("bogus", "bogus");
	parse_bad("pct:0", NULL);
	parse_bad("pct:x", NULL);
	parse_bad("", NULL);
	parse_bad("pct:3:y", NULL);
	parse_bad("randomly", NULL);
}
END_TEST

START_TEST(test_strategy_parse_null_error)
{
	/* err may be NULL (GLib convention). */
	struct sim_strategy st;

	memset(&st, 0, sizeof(st));
	ck_assert_int_ne(sim_strategy_parse("bogus", &st, NULL), 0);
	ck_assert_int_eq(sim_strategy_parse("pct:2:10", &st, NULL), 0);
	ck_assert_uint_eq(st.pct_depth, 2);
	ck_assert_uint_eq(st.pct_steps, 10);
	sim_strategy_clear(&st);
}
END_TEST

START_TEST(test_strategy_copy)
{
	struct sim_strategy a, b;
	int ids[] = { 1, 0, 2 };

	memset(&a, 0, sizeof(a));
	a.kind = SIM_STRAT_REPLAY;
	a.replay = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_vals(a.replay, ids, 3);
	sim_strategy_copy(&b, &a);
	ck_assert_int_eq(b.kind, SIM_STRAT_REPLAY);
	ck_assert_ptr_nonnull(b.replay);
	ck_assert_ptr_ne(b.replay, a.replay);	/* a deep copy: owned */
	ck_assert_uint_eq(b.replay->len, 3);
	sim_strategy_clear(&a);
	ck_assert_int_eq(g_array_index(b.replay, int, 0), 1);
	ck_assert_int_eq(g_array_index(b.replay, int, 2), 2);
	sim_strategy_clear(&b);
	ck_assert_ptr_null(b.replay);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Findings, step budget, stop, teardown */

START_TEST(test_findings)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	struct sim_finding *f;

	ck_assert_uint_eq(sim_findings_count(s, "x-test"), 0);
	sim_finding_add(s, "x-test", NULL, "first %d", 1);
	sim_finding_add(s, "x-test", "line1\nline2", "second %s", "two");
	sim_finding_add(s, "y-test", NULL, "other");
	ck_assert_uint_eq(sim_findings_count(s, "x-test"), 2);
	ck_assert_uint_eq(sim_findings_count(s, "y-test"), 1);
	ck_assert_uint_eq(sim_findings_count(s, "z-test"), 0);
	ck_assert_uint_eq(s->findings->len, 3);
	f = g_ptr_array_index(s->findings, 0);
	ck_assert_str_eq(f->kind, "x-test");
	ck_assert_str_eq(f->message, "first 1");
	ck_assert_ptr_null(f->detail);
	f = g_ptr_array_index(s->findings, 1);
	ck_assert_str_eq(f->message, "second two");
	ck_assert_str_eq(f->detail, "line1\nline2");
	sim_free(s);
}
END_TEST

static long endless_iters;

static void endless(void *arg)
{
	(void)arg;
	for (;;) {
		endless_iters++;
		sim_yield(sim_self(), "yield", NULL, HERE);
	}
}

START_TEST(test_step_budget)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim_config cfg;
		struct sim *s;

		cfg_init(&cfg, k, 1);
		cfg.max_steps = 50;
		s = sim_new(&cfg);
		endless_iters = 0;
		sim_spawn(s, "endless", endless, NULL);
		sim_spawn(s, "endless2", endless, NULL);
		ck_assert_int_eq(sim_run(s), -1);
		ck_assert_uint_eq(sim_findings_count(s, "step-budget"), 1);
		ck_assert_uint_le(s->step, 50 + 2);
		ck_assert_int_gt(endless_iters, 10);
		ck_assert_int_le(endless_iters, 60);
		sim_free(s);
	}
}
END_TEST

static struct sim_waitq stop_wq;
static int stop_after, stop_blocked_after;

static void stopper(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 3; i++)
		sim_yield(s, "yield", NULL, HERE);
	sim_stop(s, "enough");
	/* Whatever happens here, the next schedule point must not let the
	 * run continue. */
	sim_yield(s, "yield", NULL, HERE);
	stop_after++;
}

static void blocked_forever(void *arg)
{
	(void)arg;
	sim_waitq_wait(sim_self(), &stop_wq, HERE);
	stop_blocked_after++;
}

START_TEST(test_stop_from_fiber)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 3);
		long iters;

		stop_after = stop_blocked_after = 0;
		endless_iters = 0;
		sim_waitq_init(&stop_wq, "forever");
		/* Stopper before endless: under run to block the endless
		 * fiber would otherwise never give the CPU back. */
		sim_spawn(s, "blocked", blocked_forever, NULL);
		sim_spawn(s, "stopper", stopper, NULL);
		sim_spawn(s, "endless", endless, NULL);
		ck_assert_int_eq(sim_run(s), -1);
		ck_assert_ptr_nonnull(s->stop_reason);
		ck_assert_ptr_nonnull(strstr(s->stop_reason, "enough"));
		ck_assert_uint_eq(sim_findings_count(s, "step-budget"), 0);
		/* A blocked fiber is torn down, never resumed normally. */
		ck_assert_int_eq(stop_blocked_after, 0);
		/* The endless fiber stopped running soon after the stop. */
		iters = endless_iters;
		ck_assert_int_lt(iters, 1000);
		sim_free(s);
	}
}
END_TEST

/* Teardown with an unwind hook: the hook longjmps out, as the Lua host's
 * error does, and the fiber function then returns normally. */
static jmp_buf uw_jb;
static int uw_calls, uw_after_block, uw_unwound, uw_killed_seen;
static struct sim_waitq uw_wq;

static void uw_hook(struct sim_fiber *f, void *data)
{
	uw_calls++;
	if (f->killed)
		uw_killed_seen++;
	longjmp(*(jmp_buf *)data, 1);
}

static void uw_victim(void *arg)
{
	struct sim *s = sim_self();
	struct sim_fiber *me = sim_current(s);

	(void)arg;
	if (setjmp(uw_jb) == 0) {
		me->unwind = uw_hook;
		me->unwind_data = &uw_jb;
		sim_waitq_wait(s, &uw_wq, HERE);
		uw_after_block++;
	} else {
		uw_unwound++;
	}
}

static void uw_stopper(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_sleep(s, 1000, HERE);
	sim_stop(s, "teardown test");
}

START_TEST(test_teardown_unwind)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	struct sim_fiber *v;

	uw_calls = uw_after_block = uw_unwound = uw_killed_seen = 0;
	sim_waitq_init(&uw_wq, "uw");
	v = sim_spawn(s, "victim", uw_victim, NULL);
	sim_spawn(s, "stopper", uw_stopper, NULL);
	ck_assert_int_eq(sim_run(s), -1);
	/* Sleeping is not a deadlock: a timer was pending. */
	ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
	/* The victim was never resumed normally.  Teardown may happen when
	 * the run stops or when the engine is freed (so that a report can
	 * still look at the blocked fibers): check after both. */
	ck_assert_int_eq(uw_after_block, 0);
	ck_assert(v->state == SIM_FIBER_BLOCKED || v->killed);
	sim_free(s);
	ck_assert_int_eq(uw_calls, 1);
	ck_assert_int_eq(uw_killed_seen, 1);
	ck_assert_int_eq(uw_unwound, 1);
	ck_assert_int_eq(uw_after_block, 0);
}
END_TEST

START_TEST(test_all_blocked_is_deadlock)
{
	/* One fiber waits on a queue nobody will ever wake. */
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 1);

	stop_blocked_after = 0;
	sim_waitq_init(&stop_wq, "nobody-wakes-me");
	sim_spawn(s, "lonely", blocked_forever, NULL);
	(void)sim_run(s);
	ck_assert_uint_ge(sim_findings_count(s, "deadlock"), 1);
	ck_assert_int_eq(stop_blocked_after, 0);
	sim_free(s);
}
END_TEST

Suite *suite_sim_sched(void)
{
	Suite *s = suite_create("sim_sched");
	TCase *tc;

	tc = tcase_create("fibers");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_run_no_fibers);
	tcase_add_test(tc, test_config_default);
	tcase_add_test(tc, test_spawn_run_all_complete);
	tcase_add_test(tc, test_ids_names_by_id);
	tcase_add_test(tc, test_current_and_self);
	tcase_add_test(tc, test_state_transitions);
	tcase_add_test(tc, test_own_stacks_deep_recursion);
	tcase_add_test(tc, test_join);
	tcase_add_test(tc, test_spawn_from_fibers);
	tcase_add_test(tc, test_block_wake);
	tcase_add_test(tc, test_waitq_fifo);
	tcase_add_test(tc, test_fiber_label);
	tcase_add_test(tc, test_spawn_after);
	tcase_add_test(tc, test_block_on_wake_first);
	tcase_add_test(tc, test_stack_size_config);
	tcase_add_test(tc, test_two_engines);
	suite_add_tcase(s, tc);

	tc = tcase_create("strategies");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_run_to_block_serial);
	tcase_add_test(tc, test_run_to_block_blocks);
	tcase_add_test(tc, test_run_to_block_fifo);
	tcase_add_test(tc, test_random_same_seed_same_order);
	tcase_add_test(tc, test_random_seeds_differ);
	tcase_add_test(tc, test_random_roughly_uniform);
	tcase_add_test(tc, test_pct_deterministic_and_complete);
	tcase_add_test(tc, test_pct_depth1_no_preemption);
	tcase_add_test(tc, test_pct_depth3_preempts);
	tcase_add_test(tc, test_pct_differs_across_seeds);
	tcase_add_test(tc, test_pct_zero_steps);
	tcase_add_test(tc, test_replay_reproduces_random);
	tcase_add_test(tc, test_replay_reproduces_pct);
	tcase_add_test(tc, test_replay_nonexistent_fiber);
	tcase_add_test(tc, test_replay_done_fiber);
	tcase_add_test(tc, test_replay_good_list_no_finding);
	tcase_add_test(tc, test_strategy_parse);
	tcase_add_test(tc, test_strategy_parse_null_error);
	tcase_add_test(tc, test_strategy_copy);
	suite_add_tcase(s, tc);

	tc = tcase_create("stopping");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_findings);
	tcase_add_test(tc, test_step_budget);
	tcase_add_test(tc, test_stop_from_fiber);
	tcase_add_test(tc, test_teardown_unwind);
	tcase_add_test(tc, test_all_blocked_is_deadlock);
	suite_add_tcase(s, tc);
	return s;
}
