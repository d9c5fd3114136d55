/*
 * test_lockdep.c - the lock-order validator.
 */
#include <check.h>
#include <string.h>

#include "sim/lock.h"
#include "sim/lockdep.h"

static struct sim *s;
static struct lockdep *ld;
static struct sim_lock a, b, rw, spin;

static void setup(void)
{
	struct sim_config cfg;

	sim_config_default(&cfg);
	cfg.strategy.kind = SIM_STRAT_RUN_TO_BLOCK;
	s = sim_new(&cfg);
	ld = lockdep_attach(s);
	mutex_init(&a, "A");
	mutex_init(&b, "B");
	rwlock_init(&rw, "RW");
	spin_lock_init(&spin, "S");
}

static void teardown(void)
{
	sim_free(s);
	lockdep_free(ld);
}

static const struct sim_finding *finding(const char *kind)
{
	for (guint i = 0; i < s->findings->len; i++) {
		const struct sim_finding *f = g_ptr_array_index(s->findings, i);

		if (!strcmp(f->kind, kind))
			return f;
	}
	return NULL;
}

static void ab(void *x) { (void)x; mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }
static void ba(void *x) { (void)x; mutex_lock(&b); mutex_lock(&a); mutex_unlock(&a); mutex_unlock(&b); }

START_TEST(cycle_reported_without_deadlock)
{
	/* Run to block: ab finishes before ba starts - no deadlock. */
	sim_spawn(s, "ab", ab, NULL);
	sim_spawn(s, "ba", ba, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_uint_eq(sim_findings_count(s, "deadlock"), 0);
	ck_assert_ptr_nonnull(finding("lock-order"));
	ck_assert_ptr_nonnull(strstr(finding("lock-order")->message,
				     "A -> B -> A"));
	ck_assert_ptr_nonnull(strstr(finding("lock-order")->detail,
				     "ab#0 holds A"));
}
END_TEST

START_TEST(consistent_order_is_clean)
{
	sim_spawn(s, "ab1", ab, NULL);
	sim_spawn(s, "ab2", ab, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	ck_assert_uint_eq(sim_findings_count(s, NULL), 0);
}
END_TEST

static void a_then_read(void *x) { (void)x; mutex_lock(&a); read_lock(&rw); read_unlock(&rw); mutex_unlock(&a); }
static void read_then_a(void *x) { (void)x; read_lock(&rw); mutex_lock(&a); mutex_unlock(&a); read_unlock(&rw); }

START_TEST(reader_preferring_reads_do_not_close_cycles)
{
	rw.rw_mode = SIM_RW_READER_PREF;
	sim_spawn(s, "x", a_then_read, NULL);
	sim_spawn(s, "y", read_then_a, NULL);
	sim_run(s);
	ck_assert_uint_eq(sim_findings_count(s, "lock-order"), 0);
}
END_TEST

START_TEST(fair_reads_do)
{
	rw.rw_mode = SIM_RW_FAIR;
	sim_spawn(s, "x", a_then_read, NULL);
	sim_spawn(s, "y", read_then_a, NULL);
	sim_run(s);
	ck_assert_uint_eq(sim_findings_count(s, "lock-order"), 1);
}
END_TEST

static const struct lockdep_rank ranks[] = {
	{ "A", 10, "doc" }, { "B", 20, "doc" },
};

START_TEST(hierarchy_checked)
{
	lockdep_add_ranks(ld, ranks, G_N_ELEMENTS(ranks));
	sim_spawn(s, "ba", ba, NULL);
	sim_run(s);
	ck_assert_ptr_nonnull(finding("lock-hierarchy"));
	ck_assert_str_eq(finding("lock-hierarchy")->message,
			 "A taken while holding B, against the order "
			 "documented in doc");
}
END_TEST

static void sleeper(void *x) { (void)x; spin_lock(&spin); sim_sleep(s, 1000, NULL); spin_unlock(&spin); }
static void spinner(void *x) { (void)x; spin_lock(&spin); mutex_lock(&a); mutex_unlock(&a); spin_unlock(&spin); }
/* Holds A across a sleep (legal for a mutex), so the spinner contends. */
static void holder(void *x) { (void)x; mutex_lock(&a); sim_sleep(s, 5000, NULL); mutex_unlock(&a); }

START_TEST(sleep_with_spinlock_held)
{
	sim_spawn(s, "sleeper", sleeper, NULL);
	sim_run(s);
	ck_assert_ptr_nonnull(finding("sleep-in-atomic"));
	ck_assert_ptr_nonnull(strstr(finding("sleep-in-atomic")->message,
				     "while holding S"));
}
END_TEST

START_TEST(mutex_wait_under_spinlock_is_sleeping)
{
	/* Run to block: the holder takes A and sleeps; the spinner then
	 * takes S and blocks on A - sleeping with a spinlock held. */
	sim_spawn(s, "holder", holder, NULL);
	sim_spawn(s, "spinner", spinner, NULL);
	sim_run(s);
	ck_assert_uint_eq(a.contentions, 1);
	ck_assert_ptr_nonnull(finding("sleep-in-atomic"));
	ck_assert_ptr_nonnull(strstr(finding("sleep-in-atomic")->message,
				     "spinner#1 sleeps (mutex_lock A) while "
				     "holding S"));
	ck_assert_uint_eq(sim_findings_count(s, "lock-order"), 0);
}
END_TEST

START_TEST(edges_listed_sorted)
{
	GPtrArray *e;

	sim_spawn(s, "ab", ab, NULL);
	sim_run(s);
	e = lockdep_edges(ld);
	ck_assert_uint_eq(e->len, 1);
	ck_assert_str_eq(g_ptr_array_index(e, 0), "A -> B");
	g_ptr_array_free(e, TRUE);
}
END_TEST

Suite *suite_lockdep(void)
{
	Suite *su = suite_create("lockdep");
	TCase *tc = tcase_create("validator");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cycle_reported_without_deadlock);
	tcase_add_test(tc, consistent_order_is_clean);
	tcase_add_test(tc, reader_preferring_reads_do_not_close_cycles);
	tcase_add_test(tc, fair_reads_do);
	tcase_add_test(tc, hierarchy_checked);
	tcase_add_test(tc, sleep_with_spinlock_held);
	tcase_add_test(tc, mutex_wait_under_spinlock_is_sleeping);
	tcase_add_test(tc, edges_listed_sorted);
	suite_add_tcase(su, tc);
	return su;
}
