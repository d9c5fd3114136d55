/*
 * test_sim_lock.c - simulated kernel locks (sim/lock.h): exclusion,
 * sharing, FIFO handoff, trylock, the two rwlock modes, the held-lock
 * stack, bit locks and bit waits, and deadlock detection.
 */
#include <check.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/lock.h"

#include "sim_fixture.h"

/* Poll by sleeping: a sleeping fiber blocks, so any strategy runs others. */
#define WAIT_UNTIL(s, cond)						\
	do {								\
		int wu_n__ = 0;						\
		while (!(cond)) {					\
			ck_assert_msg(++wu_n__ < 100000,		\
				      "waited forever for " #cond);	\
			sim_sleep((s), 10, HERE);			\
		}							\
	} while (0)

/* ---------------------------------------------------------------- */
/* Mutual exclusion under random schedules */

static struct sim_lock xlock;
static unsigned long xword;
static int xcounter, xinside, xviolations;
static enum sim_lock_type xtype;

static void x_acquire(void)
{
	if (xtype == SIM_BITLOCK)
		sim_bit_lock(&xword, 3, "PG_locked", HERE);
	else
		sim_lock_acquire(&xlock, SIM_EXCL, HERE);
}

static void x_release(void)
{
	if (xtype == SIM_BITLOCK)
		sim_bit_unlock(&xword, 3, "PG_locked", HERE);
	else
		sim_lock_release(&xlock, SIM_EXCL, HERE);
}

static void x_worker(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 10; i++) {
		x_acquire();
		if (xinside++ != 0)
			xviolations++;
		if (xtype != SIM_BITLOCK)
			ck_assert(sim_lock_held_by(&xlock, sim_current(s)));
		else
			ck_assert(xword & (1UL << 3));
		int tmp = xcounter;
		sim_yield(s, "yield", NULL, HERE);
		xcounter = tmp + 1;
		xinside--;
		x_release();
		sim_yield(s, "yield", NULL, HERE);
	}
}

static void exclusion_run(enum sim_lock_type type)
{
	for (int k = SIM_STRAT_RANDOM; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 10; seed++) {
			struct sim *s = new_sim(k, seed);

			xtype = type;
			xcounter = xinside = xviolations = 0;
			xword = 0x100;	/* another bit set: must survive */
			if (type != SIM_BITLOCK)
				sim_lock_init(&xlock, type, "xclass", "xlock");
			for (int i = 0; i < 4; i++)
				sim_spawn(s, "worker", x_worker, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(xviolations, 0);
			ck_assert_int_eq(xcounter, 40);
			ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
			if (type != SIM_BITLOCK) {
				ck_assert_int_eq(xlock.owner, -1);
				ck_assert_int_eq(xlock.readers, 0);
				ck_assert(g_queue_is_empty(&xlock.waiters));
				ck_assert_uint_eq(xlock.acquisitions, 40);
				sim_lock_destroy(&xlock);
			} else {
				ck_assert_uint_eq(xword, 0x100);
			}
			sim_free(s);
		}
	}
}

START_TEST(test_excl_spinlock) { exclusion_run(SIM_SPINLOCK); }
END_TEST
START_TEST(test_excl_mutex) { exclusion_run(SIM_MUTEX); }
END_TEST
START_TEST(test_excl_rwlock_write) { exclusion_run(SIM_RWLOCK); }
END_TEST
START_TEST(test_excl_rwsem_write) { exclusion_run(SIM_RWSEM); }
END_TEST
START_TEST(test_excl_bitlock) { exclusion_run(SIM_BITLOCK); }
END_TEST

/* Contention shows up in the counters. */
START_TEST(test_contention_counted)
{
	uint64_t contended = 0;

	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct sim *s = new_sim(SIM_STRAT_RANDOM, seed);

		xtype = SIM_MUTEX;
		xcounter = xinside = xviolations = 0;
		mutex_init(&xlock, "contended");
		ck_assert_str_eq(xlock.cls, "contended");
		ck_assert_int_eq(xlock.type, SIM_MUTEX);
		for (int i = 0; i < 4; i++)
			sim_spawn(s, "worker", x_worker, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		contended += xlock.contentions;
		sim_lock_destroy(&xlock);
		sim_free(s);
	}
	/* A yield inside the critical section with 4 workers contends. */
	ck_assert_uint_gt(contended, 0);
}
END_TEST

/* Readers and writers of an rwlock / rwsem together. */
static int rw_readers_in, rw_writers_in, rw_max_readers, rw_bad;

static void rw_reader(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 5; i++) {
		sim_lock_acquire(&xlock, SIM_SHARED, HERE);
		if (rw_writers_in)
			rw_bad++;
		rw_readers_in++;
		if (rw_readers_in > rw_max_readers)
			rw_max_readers = rw_readers_in;
		for (int j = 0; j < 3; j++)
			sim_yield(s, "yield", NULL, HERE);
		rw_readers_in--;
		sim_lock_release(&xlock, SIM_SHARED, HERE);
	}
}

static void rw_writer(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	for (int i = 0; i < 5; i++) {
		sim_lock_acquire(&xlock, SIM_EXCL, HERE);
		if (rw_writers_in || rw_readers_in)
			rw_bad++;
		rw_writers_in++;
		sim_yield(s, "yield", NULL, HERE);
		rw_writers_in--;
		sim_lock_release(&xlock, SIM_EXCL, HERE);
	}
}

static void readers_writers(enum sim_lock_type type, bool fair)
{
	int max = 0;

	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct sim_config cfg;
		struct sim *s;

		cfg_init(&cfg, SIM_STRAT_RANDOM, seed);
		cfg.rwlock_fair = fair;
		s = sim_new(&cfg);
		rw_readers_in = rw_writers_in = rw_max_readers = rw_bad = 0;
		sim_lock_init(&xlock, type, "rwclass", NULL);
		for (int i = 0; i < 3; i++)
			sim_spawn(s, "reader", rw_reader, NULL);
		for (int i = 0; i < 2; i++)
			sim_spawn(s, "writer", rw_writer, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(rw_bad, 0);
		ck_assert_int_eq(xlock.readers, 0);
		ck_assert_int_eq(xlock.owner, -1);
		if (rw_max_readers > max)
			max = rw_max_readers;
		sim_lock_destroy(&xlock);
		sim_free(s);
	}
	/* Readers share: at some point two or more were inside at once. */
	ck_assert_int_ge(max, 2);
}

START_TEST(test_rwlock_readers_writers_pref)
{
	readers_writers(SIM_RWLOCK, false);
}
END_TEST

START_TEST(test_rwlock_readers_writers_fair)
{
	readers_writers(SIM_RWLOCK, true);
}
END_TEST

START_TEST(test_rwsem_readers_writers)
{
	readers_writers(SIM_RWSEM, false);
}
END_TEST

/* Two readers are inside at once, deterministically: the first waits
 * (holding the read lock) until the second is in too. */
static struct sim_lock share_lock;
static int share_in, share_both;

static void share_reader(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_lock_acquire(&share_lock, SIM_SHARED, HERE);
	if (++share_in == 2) {
		/* The other reader is still inside. */
		ck_assert_int_eq(share_lock.readers, 2);
		ck_assert_int_eq(share_lock.owner, -1);
	}
	WAIT_UNTIL(s, share_in == 2);
	share_both++;
	sim_lock_release(&share_lock, SIM_SHARED, HERE);
}

START_TEST(test_readers_share)
{
	enum sim_lock_type types[] = { SIM_RWLOCK, SIM_RWSEM };

	for (int t = 0; t < 2; t++) {
		for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
			struct sim *s = new_sim(k, 4);

			share_in = share_both = 0;
			sim_lock_init(&share_lock, types[t], "share", NULL);
			sim_spawn(s, "r1", share_reader, NULL);
			sim_spawn(s, "r2", share_reader, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(share_both, 2);
			ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
			sim_lock_destroy(&share_lock);
			sim_free(s);
		}
	}
}
END_TEST

/* ---------------------------------------------------------------- */
/* FIFO handoff */

static struct sim_lock fifo_lock;
static struct sim_fiber *fifo_w[4];
static enum sim_lock_mode fifo_mode;
static int fifo_stolen;

static void fifo_waiter(void *arg)
{
	sim_lock_acquire(&fifo_lock, fifo_mode, HERE);
	ev(GPOINTER_TO_INT(arg));
	sim_yield(sim_self(), "yield", NULL, HERE);
	sim_lock_release(&fifo_lock, fifo_mode, HERE);
}

static void fifo_holder(void *arg)
{
	struct sim *s = sim_self();
	struct sim_fiber *me = sim_current(s);

	(void)arg;
	sim_lock_acquire(&fifo_lock, SIM_EXCL, HERE);
	ck_assert(sim_lock_held_by(&fifo_lock, me));
	ck_assert_int_eq(fifo_lock.owner, me->id);
	/* Queue the waiters one after the other. */
	for (int i = 0; i < 4; i++) {
		fifo_w[i] = sim_spawn(s, "w", fifo_waiter, GINT_TO_POINTER(i));
		WAIT_UNTIL(s, fifo_w[i]->state == SIM_FIBER_BLOCKED);
		ck_assert_ptr_eq(fifo_w[i]->wait_lock, &fifo_lock);
		ck_assert_uint_eq(g_queue_get_length(&fifo_lock.waiters),
				  (guint)i + 1);
	}
	sim_lock_release(&fifo_lock, SIM_EXCL, HERE);
	/*
	 * The lock was handed to the head waiter: it is not free for us,
	 * even though the waiter may not have run yet.  (Release and
	 * trylock are schedule points, so the waiters may all have been
	 * through by now: only then may the trylock succeed.)
	 */
	if (fifo_mode == SIM_EXCL) {
		ck_assert(!sim_lock_held_by(&fifo_lock, me));
		if (sim_lock_try(&fifo_lock, SIM_EXCL, HERE)) {
			if (nev < 4)
				fifo_stolen++;
			sim_lock_release(&fifo_lock, SIM_EXCL, HERE);
		}
	}
}

static void fifo_run(enum sim_lock_type type, enum sim_lock_mode mode)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 5; seed++) {
			struct sim *s = new_sim(k, seed);

			log_reset();
			fifo_mode = mode;
			fifo_stolen = 0;
			sim_lock_init(&fifo_lock, type, "fifo", NULL);
			sim_spawn(s, "holder", fifo_holder, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(fifo_stolen, 0);
			ck_assert_int_eq(nev, 4);
			if (mode == SIM_EXCL)
				for (int i = 0; i < 4; i++)
					ck_assert_int_eq(evlog[i], i);
			sim_lock_destroy(&fifo_lock);
			sim_free(s);
		}
	}
}

START_TEST(test_fifo_mutex) { fifo_run(SIM_MUTEX, SIM_EXCL); }
END_TEST
START_TEST(test_fifo_spinlock) { fifo_run(SIM_SPINLOCK, SIM_EXCL); }
END_TEST
START_TEST(test_fifo_rwsem_write) { fifo_run(SIM_RWSEM, SIM_EXCL); }
END_TEST
START_TEST(test_fifo_rwlock_write) { fifo_run(SIM_RWLOCK, SIM_EXCL); }
END_TEST

/* ---------------------------------------------------------------- */
/* trylock */

static struct sim_lock try_lock;
static int try_res[8];

static void try_other(void *arg)
{
	int slot = GPOINTER_TO_INT(arg);
	bool got = sim_lock_try(&try_lock, SIM_EXCL, HERE);

	try_res[slot] = got;
	if (got)
		sim_lock_release(&try_lock, SIM_EXCL, HERE);
}

static void try_other_shared(void *arg)
{
	int slot = GPOINTER_TO_INT(arg);
	bool got = sim_lock_try(&try_lock, SIM_SHARED, HERE);

	try_res[slot] = got;
	if (got)
		sim_lock_release(&try_lock, SIM_SHARED, HERE);
}

static void try_main(void *arg)
{
	struct sim *s = sim_self();
	struct sim_fiber *me = sim_current(s), *o;
	bool rw = try_lock.type == SIM_RWLOCK || try_lock.type == SIM_RWSEM;

	(void)arg;
	/* Free: trylock succeeds. */
	ck_assert(sim_lock_try(&try_lock, SIM_EXCL, HERE));
	ck_assert(sim_lock_held_by(&try_lock, me));
	ck_assert_int_eq(try_lock.owner, me->id);
	/* Held: another fiber's trylock fails, without blocking. */
	o = sim_spawn(s, "other", try_other, GINT_TO_POINTER(0));
	sim_join(s, o);
	if (rw) {
		o = sim_spawn(s, "other", try_other_shared, GINT_TO_POINTER(1));
		sim_join(s, o);
	}
	sim_lock_release(&try_lock, SIM_EXCL, HERE);
	ck_assert(!sim_lock_held_by(&try_lock, me));
	/* Free again: another fiber's trylock succeeds. */
	o = sim_spawn(s, "other", try_other, GINT_TO_POINTER(2));
	sim_join(s, o);
	if (rw) {
		/* A reader holds: a second reader's trylock succeeds, a
		 * writer's fails. */
		ck_assert(sim_lock_try(&try_lock, SIM_SHARED, HERE));
		ck_assert_int_eq(try_lock.readers, 1);
		o = sim_spawn(s, "other", try_other_shared, GINT_TO_POINTER(3));
		sim_join(s, o);
		o = sim_spawn(s, "other", try_other, GINT_TO_POINTER(4));
		sim_join(s, o);
		sim_lock_release(&try_lock, SIM_SHARED, HERE);
		ck_assert_int_eq(try_lock.readers, 0);
	}
	/* A fiber's own held lock: trylock fails (no recursion). */
	ck_assert(sim_lock_try(&try_lock, SIM_EXCL, HERE));
	ck_assert(!sim_lock_try(&try_lock, SIM_EXCL, HERE));
	sim_lock_release(&try_lock, SIM_EXCL, HERE);
	try_res[7] = 1;
}

START_TEST(test_trylock)
{
	enum sim_lock_type types[] = { SIM_SPINLOCK, SIM_MUTEX, SIM_RWLOCK,
				       SIM_RWSEM };

	for (int t = 0; t < 4; t++) {
		for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
			struct sim *s = new_sim(k, 2);
			bool rw = types[t] == SIM_RWLOCK || types[t] == SIM_RWSEM;

			memset(try_res, 0xff, sizeof(try_res));
			sim_lock_init(&try_lock, types[t], "try", NULL);
			sim_spawn(s, "main", try_main, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_int_eq(try_res[7], 1);
			ck_assert_int_eq(try_res[0], 0);
			ck_assert_int_eq(try_res[2], 1);
			if (rw) {
				ck_assert_int_eq(try_res[1], 0);
				ck_assert_int_eq(try_res[3], 1);
				ck_assert_int_eq(try_res[4], 0);
			}
			ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
			sim_lock_destroy(&try_lock);
			sim_free(s);
		}
	}
}
END_TEST

START_TEST(test_kernel_macros)
{
	/* The kernel-shaped names map onto the right types and modes. */
	struct sim_lock a, b, c, d;

	spin_lock_init(&a, "spin_class");
	rwlock_init(&b, "rw_class");
	mutex_init(&c, "mutex_class");
	init_rwsem(&d, "rwsem_class");
	ck_assert_int_eq(a.type, SIM_SPINLOCK);
	ck_assert_int_eq(b.type, SIM_RWLOCK);
	ck_assert_int_eq(c.type, SIM_MUTEX);
	ck_assert_int_eq(d.type, SIM_RWSEM);
	ck_assert_str_eq(a.cls, "spin_class");
	ck_assert_str_eq(d.cls, "rwsem_class");
	/* Classes are interned: the same pointer for the same name. */
	ck_assert_ptr_eq(a.cls, g_intern_string("spin_class"));
	ck_assert_int_eq(a.owner, -1);
	ck_assert_int_eq(b.readers, 0);
	ck_assert(g_queue_is_empty(&c.waiters));
	ck_assert_uint_eq(c.acquisitions, 0);
	ck_assert_ptr_nonnull(sim_lock_type_name(SIM_SPINLOCK));
	ck_assert_ptr_nonnull(sim_lock_type_name(SIM_RWSEM));
	ck_assert_str_ne(sim_lock_type_name(SIM_MUTEX),
			 sim_lock_type_name(SIM_SPINLOCK));
	sim_lock_destroy(&a);
	sim_lock_destroy(&b);
	sim_lock_destroy(&c);
	sim_lock_destroy(&d);
}
END_TEST

/* Releasing a lock one does not hold is refused and reported. */
static struct sim_lock mis_lock;
static struct sim_fiber *mis_holder;
static int mis_res[4];

static void mis_holder_fn(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&mis_lock);
	sim_sleep(s, 100000, HERE);
	mis_res[2] = sim_lock_held_by(&mis_lock, sim_current(s));
	mis_res[3] = mutex_unlock(&mis_lock);
}

static void mis_other_fn(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	WAIT_UNTIL(s, sim_lock_held_by(&mis_lock, mis_holder));
	/* Not ours. */
	mis_res[0] = mutex_unlock(&mis_lock);
	ck_assert_int_eq(mis_lock.owner, mis_holder->id);
	/* Wrong mode. */
	mis_res[1] = sim_lock_release(&mis_lock, SIM_SHARED, HERE);
}

START_TEST(test_release_not_held)
{
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 1);

	memset(mis_res, 0xff, sizeof(mis_res));
	mutex_init(&mis_lock, "misuse");
	mis_holder = sim_spawn(s, "holder", mis_holder_fn, NULL);
	sim_spawn(s, "other", mis_other_fn, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(mis_res[0], 0);
	ck_assert_int_eq(mis_res[1], 0);
	ck_assert_int_eq(mis_res[2], 1);
	ck_assert_int_eq(mis_res[3], 1);
	ck_assert_uint_ge(sim_findings_count(s, "lock-misuse"), 2);
	ck_assert_int_eq(mis_lock.owner, SIM_OWNER_NONE);
	sim_lock_destroy(&mis_lock);
	sim_free(s);
}
END_TEST

static void mis_free_fn(void *arg)
{
	(void)arg;
	mis_res[0] = spin_unlock(&mis_lock);	/* never taken */
	spin_lock(&mis_lock);
	mis_res[1] = spin_unlock(&mis_lock);
	mis_res[2] = spin_unlock(&mis_lock);	/* twice */
}

START_TEST(test_release_free_lock)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	memset(mis_res, 0xff, sizeof(mis_res));
	spin_lock_init(&mis_lock, "misuse_spin");
	sim_spawn(s, "f", mis_free_fn, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(mis_res[0], 0);
	ck_assert_int_eq(mis_res[1], 1);
	ck_assert_int_eq(mis_res[2], 0);
	ck_assert_uint_eq(sim_findings_count(s, "lock-misuse"), 2);
	ck_assert_int_eq(mis_lock.owner, SIM_OWNER_NONE);
	sim_lock_destroy(&mis_lock);
	sim_free(s);
}
END_TEST

/* Set-up code outside any fiber may take locks: the host owns them. */
static struct sim_lock host_lock;
static int host_try;

static void host_try_fn(void *arg)
{
	(void)arg;
	host_try = sim_lock_try(&host_lock, SIM_EXCL, HERE);
}

START_TEST(test_lock_outside_fiber)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);

	mutex_init(&host_lock, "host");
	mutex_lock(&host_lock);
	ck_assert_int_eq(host_lock.owner, SIM_OWNER_HOST);
	host_try = -1;
	sim_spawn(s, "try", host_try_fn, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(host_try, 0);
	ck_assert(mutex_unlock(&host_lock));
	ck_assert_int_eq(host_lock.owner, SIM_OWNER_NONE);
	ck_assert(mutex_trylock(&host_lock));
	ck_assert_int_eq(host_lock.owner, SIM_OWNER_HOST);
	ck_assert(mutex_unlock(&host_lock));
	sim_lock_destroy(&host_lock);
	sim_free(s);
}
END_TEST

/* ---------------------------------------------------------------- */
/* rwlock modes: does a reader arriving while a writer waits get in? */

static struct sim_lock mode_lock;
static struct sim_fiber *mode_w, *mode_r2;
static int mode_r2_in, mode_w_in, mode_r2_in_while_w_waits;
static int mode_r2_in_before_release;
static bool mode_fair_seen;

static void mode_writer(void *arg)
{
	(void)arg;
	sim_lock_acquire(&mode_lock, SIM_EXCL, HERE);
	ev('W');
	mode_w_in = 1;
	sim_lock_release(&mode_lock, SIM_EXCL, HERE);
}

static void mode_reader2(void *arg)
{
	(void)arg;
	sim_lock_acquire(&mode_lock, SIM_SHARED, HERE);
	ev('R');
	mode_r2_in = 1;
	if (mode_w->state == SIM_FIBER_BLOCKED && !mode_w_in)
		mode_r2_in_while_w_waits = 1;
	sim_lock_release(&mode_lock, SIM_SHARED, HERE);
}

static void mode_ctl(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mode_fair_seen = sim_lock_is_fair(&mode_lock);
	sim_lock_acquire(&mode_lock, SIM_SHARED, HERE);	/* reader 1 */
	mode_w = sim_spawn(s, "writer", mode_writer, NULL);
	WAIT_UNTIL(s, mode_w->state == SIM_FIBER_BLOCKED);
	mode_r2 = sim_spawn(s, "reader2", mode_reader2, NULL);
	/* Either reader 2 gets in, or it queues. */
	WAIT_UNTIL(s, mode_r2_in || mode_r2->state == SIM_FIBER_BLOCKED);
	/* Give a reader that got in time to finish; the writer waits on. */
	for (int i = 0; i < 5; i++)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(mode_w_in, 0);
	mode_r2_in_before_release = mode_r2_in;
	sim_lock_release(&mode_lock, SIM_SHARED, HERE);
}

/*
 * Run the scenario; cfg_fair is the machine-wide default, rw_mode the
 * per-lock override.  Returns true if the lock behaved fair.
 */
static bool mode_run(enum sim_lock_type type, bool cfg_fair,
		     enum sim_rw_mode rw_mode, int strat, uint64_t seed)
{
	struct sim_config cfg;
	struct sim *s;
	bool fair;

	cfg_init(&cfg, strat, seed);
	cfg.rwlock_fair = cfg_fair;
	s = sim_new(&cfg);
	log_reset();
	mode_r2_in = mode_w_in = mode_r2_in_while_w_waits = 0;
	mode_r2_in_before_release = -1;
	mode_fair_seen = false;
	sim_lock_init(&mode_lock, type, "mode", NULL);
	mode_lock.rw_mode = rw_mode;
	sim_spawn(s, "ctl", mode_ctl, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
	ck_assert_int_eq(nev, 2);
	ck_assert_int_eq(mode_w_in, 1);
	ck_assert_int_eq(mode_r2_in, 1);
	if (evlog[0] == 'W') {
		ck_assert_int_eq(evlog[1], 'R');
		ck_assert_int_eq(mode_r2_in_while_w_waits, 0);
		ck_assert_int_eq(mode_r2_in_before_release, 0);
		fair = true;
	} else {
		ck_assert_int_eq(evlog[0], 'R');
		ck_assert_int_eq(evlog[1], 'W');
		ck_assert_int_eq(mode_r2_in_while_w_waits, 1);
		/* It got in next to reader 1, not only once reader 1 left. */
		ck_assert_int_eq(mode_r2_in_before_release, 1);
		fair = false;
	}
	/* sim_lock_is_fair tells the truth. */
	ck_assert_int_eq(mode_fair_seen, fair);
	sim_lock_destroy(&mode_lock);
	sim_free(s);
	return fair;
}

START_TEST(test_rwlock_fair_default)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++)
		for (uint64_t seed = 1; seed <= 3; seed++)
			ck_assert(mode_run(SIM_RWLOCK, true, SIM_RW_DEFAULT,
					   k, seed));
}
END_TEST

START_TEST(test_rwlock_reader_pref_default)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++)
		for (uint64_t seed = 1; seed <= 3; seed++)
			ck_assert(!mode_run(SIM_RWLOCK, false, SIM_RW_DEFAULT,
					    k, seed));
}
END_TEST

START_TEST(test_rwlock_per_lock_override)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		/* Machine fair, this lock reader-preferring. */
		ck_assert(!mode_run(SIM_RWLOCK, true, SIM_RW_READER_PREF,
				    k, 1));
		/* Machine reader-preferring, this lock fair. */
		ck_assert(mode_run(SIM_RWLOCK, false, SIM_RW_FAIR, k, 1));
	}
}
END_TEST

START_TEST(test_rwsem_always_fair)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		ck_assert(mode_run(SIM_RWSEM, false, SIM_RW_DEFAULT, k, 1));
		ck_assert(mode_run(SIM_RWSEM, true, SIM_RW_DEFAULT, k, 1));
		ck_assert(mode_run(SIM_RWSEM, false, SIM_RW_READER_PREF, k, 1));
	}
}
END_TEST

/* A writer waiting on a fair lock is handed the lock when the last
 * reader leaves, and the queued reader follows; readers queued together
 * behind a writer enter together. */
static struct sim_lock batch_lock;
static struct sim_fiber *batch_f[4];
static int batch_in, batch_max, batch_arrived;

static void batch_reader(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_lock_acquire(&batch_lock, SIM_SHARED, HERE);
	ev('r');
	batch_in++;
	batch_arrived++;
	if (batch_in > batch_max)
		batch_max = batch_in;
	/* Both readers are handed the lock together. */
	WAIT_UNTIL(s, batch_arrived == 2);
	sim_sleep(s, 10, HERE);
	batch_in--;
	sim_lock_release(&batch_lock, SIM_SHARED, HERE);
}

static void batch_writer(void *arg)
{
	(void)arg;
	sim_lock_acquire(&batch_lock, SIM_EXCL, HERE);
	ev('w');
	sim_lock_release(&batch_lock, SIM_EXCL, HERE);
}

static void batch_ctl(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	sim_lock_acquire(&batch_lock, SIM_EXCL, HERE);
	/* queue: writer, reader, reader */
	batch_f[0] = sim_spawn(s, "w", batch_writer, NULL);
	WAIT_UNTIL(s, batch_f[0]->state == SIM_FIBER_BLOCKED);
	batch_f[1] = sim_spawn(s, "r", batch_reader, NULL);
	WAIT_UNTIL(s, batch_f[1]->state == SIM_FIBER_BLOCKED);
	batch_f[2] = sim_spawn(s, "r", batch_reader, NULL);
	WAIT_UNTIL(s, batch_f[2]->state == SIM_FIBER_BLOCKED);
	sim_lock_release(&batch_lock, SIM_EXCL, HERE);
}

START_TEST(test_fair_queue_order)
{
	enum sim_lock_type types[] = { SIM_RWLOCK, SIM_RWSEM };

	for (int t = 0; t < 2; t++) {
		for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
			struct sim_config cfg;
			struct sim *s;

			cfg_init(&cfg, k, 6);
			cfg.rwlock_fair = true;
			s = sim_new(&cfg);
			log_reset();
			batch_in = batch_max = batch_arrived = 0;
			sim_lock_init(&batch_lock, types[t], "batch", NULL);
			sim_spawn(s, "ctl", batch_ctl, NULL);
			ck_assert_int_eq(sim_run(s), 0);
			ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
			ck_assert_int_eq(nev, 3);
			ck_assert_int_eq(evlog[0], 'w');
			ck_assert_int_eq(evlog[1], 'r');
			ck_assert_int_eq(evlog[2], 'r');
			ck_assert_int_eq(batch_max, 2);
			sim_lock_destroy(&batch_lock);
			sim_free(s);
		}
	}
}
END_TEST

/* ---------------------------------------------------------------- */
/* The held-lock stack */

static struct sim_lock held_a, held_b, held_c;
static unsigned long held_word;
static int held_ok;

static struct sim_held_lock *held_at(struct sim_fiber *f, guint i)
{
	return &g_array_index(f->held, struct sim_held_lock, i);
}

static void held_fiber(void *arg)
{
	struct sim *s = sim_self();
	struct sim_fiber *me = sim_current(s);

	(void)arg;
	ck_assert_uint_eq(me->held->len, 0);
	spin_lock(&held_a);
	ck_assert_uint_eq(me->held->len, 1);
	ck_assert_ptr_eq(held_at(me, 0)->lock, &held_a);
	ck_assert_int_eq(held_at(me, 0)->mode, SIM_EXCL);
	ck_assert_ptr_nonnull(held_at(me, 0)->site.file);
	ck_assert_ptr_nonnull(strstr(held_at(me, 0)->site.file,
				     "test_sim_lock.c"));
	ck_assert_int_gt(held_at(me, 0)->site.line, 0);
	ck_assert_str_eq(held_at(me, 0)->cls, "held_a");

	read_lock(&held_b);
	ck_assert_uint_eq(me->held->len, 2);
	ck_assert_ptr_eq(held_at(me, 1)->lock, &held_b);
	ck_assert_int_eq(held_at(me, 1)->mode, SIM_SHARED);
	ck_assert_uint_ge(held_at(me, 1)->step, held_at(me, 0)->step);

	ck_assert(mutex_trylock(&held_c));
	ck_assert_uint_eq(me->held->len, 3);
	ck_assert_ptr_eq(held_at(me, 2)->lock, &held_c);

	/* Out-of-order release removes the right entry. */
	read_unlock(&held_b);
	ck_assert_uint_eq(me->held->len, 2);
	ck_assert_ptr_eq(held_at(me, 0)->lock, &held_a);
	ck_assert_ptr_eq(held_at(me, 1)->lock, &held_c);

	mutex_unlock(&held_c);
	ck_assert_uint_eq(me->held->len, 1);
	spin_unlock(&held_a);
	ck_assert_uint_eq(me->held->len, 0);

	/* A failed trylock pushes nothing. */
	spin_lock(&held_a);
	ck_assert(!spin_trylock(&held_a));
	ck_assert_uint_eq(me->held->len, 1);
	spin_unlock(&held_a);
	ck_assert_uint_eq(me->held->len, 0);

	/* A bit lock is named by its word and bit. */
	sim_bit_lock(&held_word, 2, "PG_locked", HERE);
	ck_assert_uint_eq(me->held->len, 1);
	ck_assert_ptr_null(held_at(me, 0)->lock);
	ck_assert_ptr_eq(held_at(me, 0)->word, &held_word);
	ck_assert_int_eq(held_at(me, 0)->bit, 2);
	ck_assert_str_eq(held_at(me, 0)->cls, "PG_locked");
	ck_assert_int_eq(held_at(me, 0)->mode, SIM_EXCL);
	ck_assert(sim_bit_unlock(&held_word, 2, "PG_locked", HERE));
	ck_assert_uint_eq(me->held->len, 0);
	/* Unlocking it again is misuse. */
	ck_assert(!sim_bit_unlock(&held_word, 2, "PG_locked", HERE));
	held_ok = 1;
}

START_TEST(test_held_stack)
{
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 1);

	held_ok = 0;
	spin_lock_init(&held_a, "held_a");
	rwlock_init(&held_b, "held_b");
	mutex_init(&held_c, "held_c");
	sim_spawn(s, "held", held_fiber, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_int_eq(held_ok, 1);
	ck_assert_uint_eq(sim_findings_count(s, "lock-misuse"), 1);
	sim_lock_destroy(&held_a);
	sim_lock_destroy(&held_b);
	sim_lock_destroy(&held_c);
	sim_free(s);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Bit locks and bit waits */

static unsigned long bw_word;
static struct sim_fiber *bw_waiter_f;
static int bw_phase, bw_woke_at_phase;

static void bw_waiter(void *arg)
{
	(void)arg;
	sim_wait_on_bit(&bw_word, 5, "writeback", HERE);
	ck_assert(!(bw_word & (1UL << 5)));
	bw_woke_at_phase = bw_phase;
}

static void bw_ctl(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	/* Bit clear: waiting returns at once. */
	sim_wait_on_bit(&bw_word, 5, "writeback", HERE);
	ck_assert(!sim_bit_has_waiters(&bw_word, 5));

	bw_word |= 1UL << 5;			/* SetPageWriteback */
	bw_waiter_f = sim_spawn(s, "waiter", bw_waiter, NULL);
	WAIT_UNTIL(s, bw_waiter_f->state == SIM_FIBER_BLOCKED);
	ck_assert(sim_bit_has_waiters(&bw_word, 5));
	ck_assert(!sim_bit_has_waiters(&bw_word, 4));

	/* A wake-up while the bit is still set: the waiter goes back to
	 * sleep. */
	bw_phase = 1;
	sim_wake_up_bit(&bw_word, 5);
	for (int i = 0; i < 5; i++)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(bw_waiter_f->state, SIM_FIBER_BLOCKED);
	ck_assert(sim_bit_has_waiters(&bw_word, 5));

	/* Clearing the bit without a wake-up wakes nobody. */
	bw_phase = 2;
	bw_word &= ~(1UL << 5);
	for (int i = 0; i < 5; i++)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(bw_waiter_f->state, SIM_FIBER_BLOCKED);

	/* Clear + wake: the waiter runs. */
	bw_phase = 3;
	sim_wake_up_bit(&bw_word, 5);
	sim_join(s, bw_waiter_f);
	ck_assert(!sim_bit_has_waiters(&bw_word, 5));
}

START_TEST(test_wait_on_bit)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 8);

		bw_word = 0;
		bw_phase = 0;
		bw_woke_at_phase = -1;
		sim_spawn(s, "ctl", bw_ctl, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(bw_woke_at_phase, 3);
		ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
		sim_free(s);
	}
}
END_TEST

static unsigned long bl_word;
static struct sim_fiber *bl_f;
static int bl_order[4], bl_n, bl_try_fail;

static void bl_waiter(void *arg)
{
	(void)arg;
	sim_bit_lock(&bl_word, 0, "PG_locked", HERE);
	bl_order[bl_n++] = 2;
	ck_assert(bl_word & 1UL);
	sim_bit_unlock(&bl_word, 0, "PG_locked", HERE);
}

static void bl_ctl(void *arg)
{
	struct sim *s = sim_self();
	struct sim_fiber *me = sim_current(s);

	(void)arg;
	ck_assert(sim_bit_trylock(&bl_word, 0, "PG_locked", HERE));
	ck_assert(bl_word & 1UL);
	ck_assert_uint_eq(me->held->len, 1);
	/* Held: trylock fails, also for ourselves. */
	if (!sim_bit_trylock(&bl_word, 0, "PG_locked", HERE))
		bl_try_fail++;
	/* Another bit of the same word is independent. */
	ck_assert(sim_bit_trylock(&bl_word, 1, "PG_other", HERE));
	sim_bit_unlock(&bl_word, 1, "PG_other", HERE);
	ck_assert(!(bl_word & 2UL));

	bl_f = sim_spawn(s, "waiter", bl_waiter, NULL);
	WAIT_UNTIL(s, bl_f->state == SIM_FIBER_BLOCKED);
	bl_order[bl_n++] = 1;
	sim_bit_unlock(&bl_word, 0, "PG_locked", HERE);
	ck_assert_uint_eq(me->held->len, 0);
	sim_join(s, bl_f);
	ck_assert(!(bl_word & 1UL));
}

START_TEST(test_bit_lock)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 12);

		bl_word = 0;
		bl_n = 0;
		bl_try_fail = 0;
		sim_spawn(s, "ctl", bl_ctl, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(bl_try_fail, 1);
		ck_assert_int_eq(bl_n, 2);
		ck_assert_int_eq(bl_order[0], 1);
		ck_assert_int_eq(bl_order[1], 2);
		ck_assert_uint_eq(bl_word, 0);
		ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
		sim_free(s);
	}
}
END_TEST

/* Waiters are keyed by (word, bit): a wake-up on one key wakes nobody
 * waiting on another. */
static unsigned long key_w1, key_w2;
static struct sim_fiber *key_f[3];
static int key_woke[3];

static void key_waiter(void *arg)
{
	int i = GPOINTER_TO_INT(arg);

	if (i == 0)
		sim_wait_on_bit(&key_w1, 0, "k", HERE);
	else if (i == 1)
		sim_wait_on_bit(&key_w2, 0, "k", HERE);
	else
		sim_wait_on_bit(&key_w1, 1, "k", HERE);
	key_woke[i] = 1;
}

static void key_ctl(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	/* No waiters: a wake-up is a no-op. */
	sim_wake_up_bit(&key_w1, 7);
	key_w1 = 3;
	key_w2 = 1;
	for (int i = 0; i < 3; i++) {
		key_f[i] = sim_spawn(s, "kw", key_waiter, GINT_TO_POINTER(i));
		WAIT_UNTIL(s, key_f[i]->state == SIM_FIBER_BLOCKED);
	}
	/* Clear everything, wake only (w1, 0). */
	key_w1 = 0;
	key_w2 = 0;
	sim_wake_up_bit(&key_w1, 0);
	WAIT_UNTIL(s, key_woke[0]);
	for (int i = 0; i < 5; i++)
		sim_sleep(s, 10, HERE);
	ck_assert_int_eq(key_woke[1], 0);
	ck_assert_int_eq(key_woke[2], 0);
	ck_assert(sim_bit_has_waiters(&key_w2, 0));
	ck_assert(sim_bit_has_waiters(&key_w1, 1));
	ck_assert(!sim_bit_has_waiters(&key_w1, 0));
	sim_wake_up_bit(&key_w2, 0);
	sim_wake_up_bit(&key_w1, 1);
	sim_join(s, key_f[1]);
	sim_join(s, key_f[2]);
}

START_TEST(test_bit_wait_keys)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim *s = new_sim(k, 3);

		memset(key_woke, 0, sizeof(key_woke));
		key_w1 = key_w2 = 0;
		sim_spawn(s, "ctl", key_ctl, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		for (int i = 0; i < 3; i++)
			ck_assert_int_eq(key_woke[i], 1);
		sim_free(s);
	}
}
END_TEST

/* Queue W1(holding) | R1 R2 W2 R3: who gets the lock in which order. */
static struct sim_lock q_lock;
static struct sim_fiber *q_f[4];

static void q_reader(void *arg)
{
	struct sim *s = sim_self();

	sim_lock_acquire(&q_lock, SIM_SHARED, HERE);
	ev(GPOINTER_TO_INT(arg));
	sim_sleep(s, 1000, HERE);
	sim_lock_release(&q_lock, SIM_SHARED, HERE);
}

static void q_writer(void *arg)
{
	struct sim *s = sim_self();

	sim_lock_acquire(&q_lock, SIM_EXCL, HERE);
	ev(GPOINTER_TO_INT(arg));
	sim_sleep(s, 1000, HERE);
	sim_lock_release(&q_lock, SIM_EXCL, HERE);
}

static void q_ctl(void *arg)
{
	struct sim *s = sim_self();
	/* tags: readers 'a' 'b' 'c', writer 'W' */
	const int tags[4] = { 'a', 'b', 'W', 'c' };

	(void)arg;
	sim_lock_acquire(&q_lock, SIM_EXCL, HERE);
	for (int i = 0; i < 4; i++) {
		q_f[i] = sim_spawn(s, "q", tags[i] == 'W' ? q_writer : q_reader,
				   GINT_TO_POINTER(tags[i]));
		WAIT_UNTIL(s, q_f[i]->state == SIM_FIBER_BLOCKED);
	}
	sim_lock_release(&q_lock, SIM_EXCL, HERE);
}

static void queue_order_run(enum sim_lock_type type, bool cfg_fair,
			    const char *expect)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct sim_config cfg;
		struct sim *s;
		char got[8] = { 0 };

		cfg_init(&cfg, k, 5);
		cfg.rwlock_fair = cfg_fair;
		s = sim_new(&cfg);
		log_reset();
		sim_lock_init(&q_lock, type, "qlock", NULL);
		sim_spawn(s, "ctl", q_ctl, NULL);
		ck_assert_int_eq(sim_run(s), 0);
		ck_assert_int_eq(nev, 4);
		for (int i = 0; i < 4; i++)
			got[i] = (char)evlog[i];
		/* Readers let in together may log in either order. */
		if (got[0] == 'b' && got[1] == 'a') {
			got[0] = 'a';
			got[1] = 'b';
		}
		if (!strcmp(expect, "abcW")) {
			/* a, b, c in some order, then W */
			ck_assert_msg(got[3] == 'W', "order %s, expected "
				      "readers first, then W", got);
		} else {
			ck_assert_msg(!strcmp(got, expect),
				      "order %s, expected %s", got, expect);
		}
		sim_lock_destroy(&q_lock);
		sim_free(s);
	}
}

START_TEST(test_fair_batch_stops_at_writer)
{
	queue_order_run(SIM_RWLOCK, true, "abWc");
	queue_order_run(SIM_RWSEM, false, "abWc");
}
END_TEST

START_TEST(test_reader_pref_serves_all_readers)
{
	/* No writer holds it once W1 lets go: every waiting reader may
	 * enter, even the one queued behind W2. */
	queue_order_run(SIM_RWLOCK, false, "abcW");
}
END_TEST

/* Validator hooks see acquire, acquired, release and block. */
struct hook_ev {
	char what;		/* q acquire, d acquired, r release, b block */
	int fiber;
	const void *lock;
	const char *cls;
	int mode;
	char kind[24];
};
static struct hook_ev hev[64];
static int nhev;
static struct sim_lock hk_lock;

static void hk_add(char what, struct sim_fiber *f,
		   const struct sim_held_lock *hl, const char *kind)
{
	ck_assert_int_lt(nhev, 64);
	hev[nhev].what = what;
	hev[nhev].fiber = f ? f->id : -9;
	hev[nhev].lock = hl ? (const void *)hl->lock : NULL;
	hev[nhev].cls = hl ? hl->cls : NULL;
	hev[nhev].mode = hl ? hl->mode : -1;
	if (kind)
		g_strlcpy(hev[nhev].kind, kind, sizeof(hev[nhev].kind));
	nhev++;
}

static void hk_acquire(struct sim *s, struct sim_fiber *f,
		       const struct sim_held_lock *hl)
{
	(void)s;
	hk_add('q', f, hl, NULL);
}

static void hk_acquired(struct sim *s, struct sim_fiber *f,
			const struct sim_held_lock *hl)
{
	(void)s;
	hk_add('d', f, hl, NULL);
}

static void hk_release(struct sim *s, struct sim_fiber *f,
		       const struct sim_held_lock *hl)
{
	(void)s;
	hk_add('r', f, hl, NULL);
}

static void hk_block(struct sim *s, struct sim_fiber *f, const char *kind,
		     const char *obj)
{
	(void)s;
	(void)obj;
	hk_add('b', f, NULL, kind);
}

static void hk_first(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	down_write(&hk_lock);
	sim_sleep(s, 10000, HERE);	/* block: hook 'b' */
	up_write(&hk_lock);
}

static void hk_second(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	/* Run to block: "first" holds the lock and sleeps before we run. */
	ck_assert_int_eq(hk_lock.owner, 0);
	(void)s;
	down_read(&hk_lock);		/* contended: 'q' 'b' ... 'd' */
	up_read(&hk_lock);
}

START_TEST(test_validator_hooks)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	char seq0[32] = { 0 }, seq1[32] = { 0 };
	int n0 = 0, n1 = 0;

	nhev = 0;
	s->hooks.acquire = hk_acquire;
	s->hooks.acquired = hk_acquired;
	s->hooks.release = hk_release;
	s->hooks.block = hk_block;
	init_rwsem(&hk_lock, "hk_class");
	sim_spawn(s, "first", hk_first, NULL);
	sim_spawn(s, "second", hk_second, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	for (int i = 0; i < nhev; i++) {
		if (hev[i].what != 'b') {
			ck_assert_ptr_eq(hev[i].lock, &hk_lock);
			ck_assert_str_eq(hev[i].cls, "hk_class");
		}
		if (hev[i].fiber == 0 && n0 < 31)
			seq0[n0++] = hev[i].what;
		else if (hev[i].fiber == 1 && n1 < 31)
			seq1[n1++] = hev[i].what;
	}
	/* first: acquire, acquired, block (sleep), release */
	ck_assert_str_eq(seq0, "qdbr");
	/* second: acquire, block, acquired, release */
	ck_assert_str_eq(seq1, "qbdr");
	for (int i = 0; i < nhev; i++)
		if (hev[i].fiber == 1 && hev[i].what != 'b')
			ck_assert_int_eq(hev[i].mode, SIM_SHARED);
		else if (hev[i].fiber == 0 && hev[i].what != 'b')
			ck_assert_int_eq(hev[i].mode, SIM_EXCL);
	sim_lock_destroy(&hk_lock);
	sim_free(s);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Deadlock */

static struct sim_lock dl_a, dl_b;
static int dl_past;

static void dl_ab(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&dl_a);
	/* Sleep long (step_ns is 1000): the other takes its first lock. */
	sim_sleep(s, 1000000, HERE);
	mutex_lock(&dl_b);
	dl_past++;
	mutex_unlock(&dl_b);
	mutex_unlock(&dl_a);
}

static void dl_ba(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&dl_b);
	sim_sleep(s, 1000000, HERE);
	mutex_lock(&dl_a);
	dl_past++;
	mutex_unlock(&dl_a);
	mutex_unlock(&dl_b);
}

static bool finding_names(struct sim *s, const char *kind, const char *what)
{
	for (guint i = 0; i < s->findings->len; i++) {
		struct sim_finding *f = g_ptr_array_index(s->findings, i);

		if (strcmp(f->kind, kind) != 0)
			continue;
		if ((f->message && strstr(f->message, what)) ||
		    (f->detail && strstr(f->detail, what)))
			return true;
	}
	return false;
}

START_TEST(test_deadlock_abba)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct sim *s = new_sim(k, seed);
			int r;

			dl_past = 0;
			mutex_init(&dl_a, "lockclass_alpha");
			mutex_init(&dl_b, "lockclass_beta");
			sim_spawn(s, "ab", dl_ab, NULL);
			sim_spawn(s, "ba", dl_ba, NULL);
			r = sim_run(s);
			ck_assert(r == 0 || r == -1);
			ck_assert_int_eq(dl_past, 0);
			ck_assert_uint_ge(sim_findings_count(s, "deadlock"), 1);
			ck_assert(finding_names(s, "deadlock",
						"lockclass_alpha"));
			ck_assert(finding_names(s, "deadlock",
						"lockclass_beta"));
			/* The run stopped well before the budget. */
			ck_assert_uint_eq(sim_findings_count(s, "step-budget"),
					  0);
			/* Teardown frees the blocked fibers (valgrind checks
			 * the leaks); the locks' memory goes away after. */
			sim_free(s);
		}
	}
}
END_TEST

/* ABBA with yields under random schedules: whenever the run ends with
 * a fiber stuck, a deadlock finding exists; some seed deadlocks. */
static void dly_ab(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&dl_a);
	sim_yield(s, "yield", NULL, HERE);
	mutex_lock(&dl_b);
	dl_past++;
	mutex_unlock(&dl_b);
	mutex_unlock(&dl_a);
}

static void dly_ba(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&dl_b);
	sim_yield(s, "yield", NULL, HERE);
	mutex_lock(&dl_a);
	dl_past++;
	mutex_unlock(&dl_a);
	mutex_unlock(&dl_b);
}

START_TEST(test_deadlock_random_yield)
{
	int deadlocked = 0, clean = 0;

	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct sim *s = new_sim(SIM_STRAT_RANDOM, seed);

		dl_past = 0;
		mutex_init(&dl_a, "lockclass_alpha");
		mutex_init(&dl_b, "lockclass_beta");
		sim_spawn(s, "ab", dly_ab, NULL);
		sim_spawn(s, "ba", dly_ba, NULL);
		(void)sim_run(s);
		if (dl_past == 2) {
			clean++;
			ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
			sim_lock_destroy(&dl_a);
			sim_lock_destroy(&dl_b);
		} else {
			deadlocked++;
			ck_assert_int_eq(dl_past, 0);
			ck_assert_uint_ge(sim_findings_count(s, "deadlock"), 1);
		}
		sim_free(s);
	}
	ck_assert_int_ge(deadlocked, 1);
	ck_assert_int_ge(clean, 1);
}
END_TEST

/* Three fibers in a cycle. */
static struct sim_lock cyc[3];
static int cyc_past;

static void cyc_fiber(void *arg)
{
	struct sim *s = sim_self();
	int i = GPOINTER_TO_INT(arg);

	mutex_lock(&cyc[i]);
	sim_sleep(s, 1000000, HERE);
	mutex_lock(&cyc[(i + 1) % 3]);
	cyc_past++;
	mutex_unlock(&cyc[(i + 1) % 3]);
	mutex_unlock(&cyc[i]);
}

START_TEST(test_deadlock_three_way)
{
	struct sim *s = new_sim(SIM_STRAT_RANDOM, 1);
	const char *cls[3] = { "cyc_zero", "cyc_one", "cyc_two" };

	cyc_past = 0;
	for (int i = 0; i < 3; i++) {
		mutex_init(&cyc[i], cls[i]);
		sim_spawn(s, "cyc", cyc_fiber, GINT_TO_POINTER(i));
	}
	(void)sim_run(s);
	ck_assert_int_eq(cyc_past, 0);
	ck_assert_uint_ge(sim_findings_count(s, "deadlock"), 1);
	for (int i = 0; i < 3; i++)
		ck_assert(finding_names(s, "deadlock", cls[i]));
	sim_free(s);
}
END_TEST

/*
 * A cycle through the second of two readers: A and B hold R shared, C
 * holds X and waits to write R, B waits for X; A waits on a queue.  The
 * wait-for cycle is B -> C -> B, whichever reader has the lowest id.
 */
static struct sim_lock rc_r, rc_x;
static struct sim_waitq rc_wq;
static struct sim_fiber *rc_f[3];

static void rc_a(void *arg)
{
	(void)arg;
	down_read(&rc_r);
	sim_waitq_wait(sim_self(), &rc_wq, HERE);
	up_read(&rc_r);
}

static void rc_b(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	down_read(&rc_r);
	WAIT_UNTIL(s, sim_lock_held_by(&rc_x, rc_f[2]));
	mutex_lock(&rc_x);
	mutex_unlock(&rc_x);
	up_read(&rc_r);
}

static void rc_c(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&rc_x);
	WAIT_UNTIL(s, rc_r.readers == 2);
	down_write(&rc_r);
	up_write(&rc_r);
	mutex_unlock(&rc_x);
}

START_TEST(test_deadlock_cycle_through_second_reader)
{
	struct sim *s = new_sim(SIM_STRAT_RUN_TO_BLOCK, 1);
	char lb[64], lc[64];
	struct sim_finding *f = NULL;

	init_rwsem(&rc_r, "rc_rwsem");
	mutex_init(&rc_x, "rc_mutex");
	sim_waitq_init(&rc_wq, "rc_forever");
	rc_f[0] = sim_spawn(s, "rca", rc_a, NULL);
	rc_f[1] = sim_spawn(s, "rcb", rc_b, NULL);
	rc_f[2] = sim_spawn(s, "rcc", rc_c, NULL);
	(void)sim_run(s);
	ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 1);
	for (guint i = 0; i < s->findings->len; i++) {
		struct sim_finding *x = g_ptr_array_index(s->findings, i);

		if (!strcmp(x->kind, "deadlock"))
			f = x;
	}
	ck_assert_ptr_nonnull(f);
	sim_fiber_label(rc_f[1], lb, sizeof(lb));
	sim_fiber_label(rc_f[2], lc, sizeof(lc));
	/* The message is the wait-for cycle: it names B and C. */
	ck_assert_msg(strstr(f->message, lb) && strstr(f->message, lc),
		      "deadlock message misses the B <-> C cycle: %s",
		      f->message);
	sim_free(s);
}
END_TEST

Suite *suite_sim_lock(void)
{
	Suite *s = suite_create("sim_lock");
	TCase *tc;

	tc = tcase_create("exclusion");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_excl_spinlock);
	tcase_add_test(tc, test_excl_mutex);
	tcase_add_test(tc, test_excl_rwlock_write);
	tcase_add_test(tc, test_excl_rwsem_write);
	tcase_add_test(tc, test_excl_bitlock);
	tcase_add_test(tc, test_contention_counted);
	tcase_add_test(tc, test_rwlock_readers_writers_pref);
	tcase_add_test(tc, test_rwlock_readers_writers_fair);
	tcase_add_test(tc, test_rwsem_readers_writers);
	tcase_add_test(tc, test_readers_share);
	suite_add_tcase(s, tc);

	tc = tcase_create("ordering");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fifo_mutex);
	tcase_add_test(tc, test_fifo_spinlock);
	tcase_add_test(tc, test_fifo_rwsem_write);
	tcase_add_test(tc, test_fifo_rwlock_write);
	tcase_add_test(tc, test_trylock);
	tcase_add_test(tc, test_kernel_macros);
	tcase_add_test(tc, test_rwlock_fair_default);
	tcase_add_test(tc, test_rwlock_reader_pref_default);
	tcase_add_test(tc, test_rwlock_per_lock_override);
	tcase_add_test(tc, test_rwsem_always_fair);
	tcase_add_test(tc, test_fair_queue_order);
	tcase_add_test(tc, test_held_stack);
	tcase_add_test(tc, test_release_not_held);
	tcase_add_test(tc, test_release_free_lock);
	tcase_add_test(tc, test_lock_outside_fiber);
	tcase_add_test(tc, test_fair_batch_stops_at_writer);
	tcase_add_test(tc, test_reader_pref_serves_all_readers);
	tcase_add_test(tc, test_validator_hooks);
	suite_add_tcase(s, tc);

	tc = tcase_create("bits");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_wait_on_bit);
	tcase_add_test(tc, test_bit_lock);
	tcase_add_test(tc, test_bit_wait_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("deadlock");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_deadlock_abba);
	tcase_add_test(tc, test_deadlock_random_yield);
	tcase_add_test(tc, test_deadlock_three_way);
	tcase_add_test(tc, test_deadlock_cycle_through_second_reader);
	suite_add_tcase(s, tc);
	return s;
}
