/*
 * test_runner.c - the hwpsim program as CI sees it.
 *
 * These tests run the built binary (HWPSIM_BIN) from the source tree and
 * check what a user gets: exit statuses 0/1/2, file:line in every error,
 * the other scenarios of a run still running after a bad one, reports
 * written, and determinism: one seed gives byte-identical traces and
 * reports, another seed another interleaving, and a replayed trace the
 * same run again.
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

struct run {
	int status;	/* exit status */
	char *out;
	char *err;
};

static void run_free(struct run *r)
{
	g_free(r->out);
	g_free(r->err);
}

/* Run hwpsim with a NULL-terminated argument list, in the source tree. */
static struct run hwpsim(const char *first, ...)
{
	GPtrArray *argv = g_ptr_array_new();
	struct run r = { 0 };
	GError *err = NULL;
	int wait_status = 0;
	va_list ap;

	g_ptr_array_add(argv, (gpointer)HWPSIM_BIN);
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(argv, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	ck_assert_msg(g_spawn_sync(HWPSIM_SRCDIR, (gchar **)argv->pdata, NULL,
				   G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
				   &wait_status, &err),
		      "cannot run %s: %s", HWPSIM_BIN,
		      err ? err->message : "?");
	ck_assert_msg(WIFEXITED(wait_status), "hwpsim did not exit normally");
	r.status = WEXITSTATUS(wait_status);
	g_ptr_array_free(argv, TRUE);
	return r;
}

static char *tmpdir;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("hwpsim-runner-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
}

static void rm_rf(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);

		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

static void teardown(void)
{
	rm_rf(tmpdir);
	g_free(tmpdir);
}

static char *tmp(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static char *slurp(const char *path)
{
	char *text = NULL;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL),
		      "%s was not written", path);
	return text;
}

static const char *last_line(const char *text)
{
	const char *end = text + strlen(text);
	const char *p;

	while (end > text && end[-1] == '\n')
		end--;
	for (p = end; p > text && p[-1] != '\n'; p--)
		;
	return p;
}

static void assert_last_line(const char *text, const char *want)
{
	const char *l = last_line(text);

	ck_assert_msg(!strncmp(l, want, strlen(want)) &&
			      (l[strlen(want)] == '\n' || !l[strlen(want)]),
		      "last line is '%s', expected '%s'", l, want);
}

/* The pick lines of a trace: the interleaving, without the header. */
static char *picks_of(const char *trace)
{
	gchar **lines = g_strsplit(trace, "\n", -1);
	GString *out = g_string_new(NULL);

	for (guint i = 0; lines[i]; i++)
		if (strstr(lines[i], " pick "))
			g_string_append_printf(out, "%s\n", lines[i]);
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

static char *body_of(const char *trace)
{
	GString *out = g_string_new(NULL);
	gchar **lines = g_strsplit(trace, "\n", -1);

	for (guint i = 0; lines[i]; i++)
		if (lines[i][0] != '#')
			g_string_append_printf(out, "%s\n", lines[i]);
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

START_TEST(same_seed_same_bytes)
{
	char *t1 = tmp("t1"), *t2 = tmp("t2"), *r1 = tmp("r1.yaml"),
	     *r2 = tmp("r2.yaml");
	struct run a = hwpsim("run", "--seed", "7", "--trace", t1, "--report",
			      r1, "tests/fixtures/two_actors.lua",
			      "scenarios/sim/mutex_counter.lua", NULL);
	struct run b = hwpsim("run", "--seed", "7", "--trace", t2, "--report",
			      r2, "tests/fixtures/two_actors.lua",
			      "scenarios/sim/mutex_counter.lua", NULL);
	char *ta = slurp(t1), *tb = slurp(t2), *ra = slurp(r1),
	     *rb = slurp(r2);

	ck_assert_int_eq(a.status, 0);
	ck_assert_int_eq(b.status, 0);
	ck_assert_msg(strstr(ta, " pick ") && strlen(ta) > 1000,
		      "the trace records the scheduling decisions");
	ck_assert_str_eq(ta, tb);
	ck_assert_str_eq(ra, rb);
	ck_assert_str_eq(a.out, b.out);
	ck_assert_ptr_nonnull(strstr(ra, "trace_digest: sha256:"));
	ck_assert_ptr_nonnull(strstr(ra, "seed: 7"));
	g_free(ta); g_free(tb); g_free(ra); g_free(rb);
	g_free(t1); g_free(t2); g_free(r1); g_free(r2);
	run_free(&a);
	run_free(&b);
}
END_TEST

START_TEST(other_seed_other_interleaving)
{
	char *t1 = tmp("s7"), *t2 = tmp("s8"), *r1 = tmp("s7.yaml"),
	     *r2 = tmp("s8.yaml");
	struct run a = hwpsim("run", "--seed", "7", "--trace", t1, "--report",
			      r1, "-v", "tests/fixtures/two_actors.lua", NULL);
	struct run b = hwpsim("run", "--seed", "8", "--trace", t2, "--report",
			      r2, "-v", "tests/fixtures/two_actors.lua", NULL);
	char *ta = slurp(t1), *tb = slurp(t2), *pa = picks_of(ta),
	     *pb = picks_of(tb), *ra = slurp(r1), *rb = slurp(r2);

	ck_assert_int_eq(a.status, 0);
	ck_assert_int_eq(b.status, 0);
	ck_assert_str_ne(pa, pb);
	/* What the actors printed shows the order they ran in. */
	ck_assert_str_ne(a.out, b.out);
	ck_assert_str_ne(ra, rb);
	g_free(ta); g_free(tb); g_free(pa); g_free(pb); g_free(ra);
	g_free(rb); g_free(t1); g_free(t2); g_free(r1); g_free(r2);
	run_free(&a);
	run_free(&b);
}
END_TEST

START_TEST(replay_reproduces_the_run)
{
	char *t1 = tmp("orig"), *t2 = tmp("again");
	char *strategy;
	struct run a = hwpsim("run", "--seed", "11", "--trace", t1,
			      "scenarios/sim/mutex_counter.lua", NULL);
	struct run b;
	char *ta, *tb, *ba, *bb;

	strategy = g_strconcat("replay:", t1, NULL);
	b = hwpsim("run", "--strategy", strategy, "--trace", t2,
		   "scenarios/sim/mutex_counter.lua", NULL);
	ta = slurp(t1);
	tb = slurp(t2);
	ba = body_of(ta);
	bb = body_of(tb);
	ck_assert_int_eq(a.status, 0);
	ck_assert_int_eq(b.status, 0);
	ck_assert_ptr_nonnull(strstr(tb, "# seed: 11\n"));
	ck_assert_str_eq(ba, bb);
	g_free(ta); g_free(tb); g_free(ba); g_free(bb); g_free(strategy);
	g_free(t1); g_free(t2);
	run_free(&a);
	run_free(&b);
}
END_TEST

START_TEST(bad_input_names_file_and_line_and_the_rest_runs)
{
	char *rep = tmp("bad.yaml");
	struct run r = hwpsim("run", "--report", rep,
			      "tests/fixtures/syntax_error.lua",
			      "scenarios/sim/timers.lua",
			      "tests/fixtures/runtime_error.lua",
			      "tests/fixtures/does_not_exist.lua",
			      "tests/fixtures/actor_error.lua",
			      "scenarios/sim/waitq.lua", NULL);
	char *y = slurp(rep);
	int errors = 0, passes = 0;

	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/syntax_error.lua:3: "));
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/runtime_error.lua:4: "));
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/does_not_exist.lua: cannot open scenario"));
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/actor_error.lua:6: in actor faulty"));
	/* The good scenarios between the bad ones ran and passed. */
	ck_assert_ptr_nonnull(strstr(r.out, "PASS   scenarios/sim/timers.lua"));
	ck_assert_ptr_nonnull(strstr(r.out, "PASS   scenarios/sim/waitq.lua"));
	assert_last_line(r.out, "2 passed, 4 failed");
	for (const char *p = y; (p = strstr(p, "status: ")); p++) {
		errors += !strncmp(p, "status: error", 13);
		passes += !strncmp(p, "status: pass", 12);
	}
	ck_assert_int_eq(errors, 4);
	ck_assert_int_eq(passes, 2);
	g_free(y);
	g_free(rep);
	run_free(&r);
}
END_TEST

START_TEST(failed_expectation_exits_1)
{
	struct run r = hwpsim("run", "tests/fixtures/expect_fail.lua",
			      "scenarios/sim/timers.lua", NULL);

	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/expect_fail.lua:5: word count: "
		"expected 3, got 2"));
	/* Later expectations of the same scenario still ran and passed. */
	ck_assert_ptr_null(strstr(r.out, "expect_fail.lua:6"));
	assert_last_line(r.out, "1 passed, 1 failed");
	run_free(&r);
}
END_TEST

START_TEST(sandbox_and_budgets)
{
	struct run r = hwpsim("run", "--max-instructions", "2000000",
			      "tests/fixtures/sandbox_escape.lua",
			      "tests/fixtures/endless_loop.lua",
			      "tests/fixtures/unexpected_deadlock.lua", NULL);

	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/sandbox_escape.lua:2: attempt to index a nil "
		"value (global 'os')"));
	ck_assert_ptr_nonnull(strstr(r.out,
		"tests/fixtures/endless_loop.lua:3: instruction budget"));
	ck_assert_ptr_nonnull(strstr(r.out,
		"twice#1 waits for self_deadlock -> twice#1"));
	ck_assert(!g_file_test("/tmp/hwpsim-sandbox-escaped",
			       G_FILE_TEST_EXISTS));
	assert_last_line(r.out, "0 passed, 3 failed");
	run_free(&r);
}
END_TEST

START_TEST(bad_options_exit_2)
{
	static const char *const cases[][4] = {
		{ "run", "--seed", "abc", "--seed" },
		{ "run", "--strategy", "pct:0", "pct:0" },
		{ "run", "--strategy", "sideways", "unknown strategy" },
		{ "run", "--set", "nosuch=1", "unknown policy switch" },
		{ "run", "--set", "rwlock=sideways", "bad value" },
		{ "run", "--bogus", "x", "--bogus" },
		{ "frobnicate", NULL, NULL, "unknown command" },
		{ "run", NULL, NULL, "no scenario given" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct run r = cases[i][1] ?
			hwpsim(cases[i][0], cases[i][1], cases[i][2],
			       "scenarios/sim/timers.lua", NULL) :
			hwpsim(cases[i][0], NULL);

		ck_assert_msg(r.status == 2, "case %zu: exit %d", i, r.status);
		ck_assert_msg(strstr(r.err, cases[i][3]),
			      "case %zu: stderr '%s' lacks '%s'", i, r.err,
			      cases[i][3]);
		run_free(&r);
	}
}
END_TEST

START_TEST(tap_and_junit)
{
	char *junit = tmp("junit.xml");
	struct run r = hwpsim("run", "--tap", "--junit", junit,
			      "scenarios/sim/timers.lua",
			      "tests/fixtures/expect_fail.lua", NULL);
	char *x = slurp(junit);

	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "TAP version 13\n1..2\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "ok 1 - scenarios/sim/timers.lua"));
	ck_assert_ptr_nonnull(strstr(r.out,
		"not ok 2 - tests/fixtures/expect_fail.lua"));
	assert_last_line(r.out, "1 passed, 1 failed");
	ck_assert_ptr_nonnull(strstr(x, "<testcase"));
	ck_assert_ptr_nonnull(strstr(x, "<failure"));
	g_free(x);
	g_free(junit);
	run_free(&r);
}
END_TEST

START_TEST(directories_run_sorted)
{
	struct run r = hwpsim("run", "scenarios/sim", NULL);
	const char *a = strstr(r.out, "scenarios/sim/bit_locks.lua");
	const char *b = strstr(r.out, "scenarios/sim/waitq.lua");

	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(a && b && a < b, "scenarios listed in sorted order");
	run_free(&r);
}
END_TEST

START_TEST(diff_shows_what_a_policy_changes)
{
	struct run r = hwpsim("diff", "--a", "early_kill=1", "--b",
			      "early_kill=0",
			      "scenarios/hwpoison/anon_early_kill.lua",
			      "scenarios/hwpoison/anon_late_kill.lua", NULL);
	struct run same = hwpsim("diff", "--a", "early_kill=0", "--b",
				 "early_kill=0",
				 "scenarios/hwpoison/anon_late_kill.lua",
				 NULL);
	struct run bad = hwpsim("diff", "--a", "early_kill=maybe",
				"scenarios/hwpoison/free_page.lua", NULL);

	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out,
		"scenarios/hwpoison/anon_late_kill.lua\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  A  signal catcher[2]: SIGBUS "
				     "BUS_MCEERR_AO"));
	ck_assert_ptr_nonnull(strstr(r.out, "  B  status: pass"));
	assert_last_line(r.out, "2 scenarios, 2 differ between A and B");
	ck_assert_int_eq(same.status, 0);
	assert_last_line(same.out, "1 scenario, 0 differ between A and B");
	ck_assert_int_eq(bad.status, 2);
	ck_assert_ptr_nonnull(strstr(bad.err, "--a: bad value 'maybe'"));
	run_free(&r);
	run_free(&same);
	run_free(&bad);
}
END_TEST

START_TEST(policy_files)
{
	char *bad = tmp("bad.yaml"), *typo = tmp("typo.yaml");
	struct run r, t, d;

	g_file_set_contents(bad, "early_kill: 1\n  - oops\n", -1, NULL);
	g_file_set_contents(typo, "description: x\nearly_kil: 1\n", -1, NULL);
	r = hwpsim("run", "--policy", bad, "scenarios/sim/timers.lua", NULL);
	t = hwpsim("run", "--policy", typo, "scenarios/sim/timers.lua", NULL);
	d = hwpsim("diff", "--policy", "hwpoison/policies/linux-6.1.yaml",
		   "--policy", "hwpoison/policies/seed003-dirty-panic.yaml",
		   "scenarios/hwpoison/pagecache_dirty.lua", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "bad.yaml:"));
	ck_assert_int_eq(t.status, 2);
	ck_assert_ptr_nonnull(strstr(t.err, "typo.yaml:2: unknown policy "
				     "switch 'early_kil'"));
	ck_assert_int_eq(d.status, 1);
	ck_assert_ptr_nonnull(strstr(d.out, "  B  panic: Memory failure on "
				     "dirty page cache page"));
	run_free(&r);
	run_free(&t);
	run_free(&d);
	g_free(bad);
	g_free(typo);
}
END_TEST

START_TEST(log_dir_holds_each_kernel_log)
{
	char *dir = tmp("logs");
	char *file = g_build_filename(dir, "hwpoison-free_page.log", NULL);
	struct run r = hwpsim("run", "--log", dir,
			      "scenarios/hwpoison/free_page.lua",
			      "scenarios/sim/timers.lua", NULL);
	char *log;

	ck_assert_int_eq(r.status, 0);
	log = slurp(file);
	ck_assert_ptr_nonnull(strstr(log, "Memory failure: 0x"));
	ck_assert_ptr_nonnull(strstr(log, "recovery action for free buddy "
				     "page: Recovered\n"));
	g_free(log);
	g_unlink(file);
	g_rmdir(dir);
	g_free(file);
	g_free(dir);
	run_free(&r);
}
END_TEST

Suite *suite_runner(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, same_seed_same_bytes);
	tcase_add_test(tc, other_seed_other_interleaving);
	tcase_add_test(tc, replay_reproduces_the_run);
	tcase_add_test(tc, bad_input_names_file_and_line_and_the_rest_runs);
	tcase_add_test(tc, failed_expectation_exits_1);
	tcase_add_test(tc, sandbox_and_budgets);
	tcase_add_test(tc, bad_options_exit_2);
	tcase_add_test(tc, tap_and_junit);
	tcase_add_test(tc, directories_run_sorted);
	tcase_add_test(tc, diff_shows_what_a_policy_changes);
	tcase_add_test(tc, policy_files);
	tcase_add_test(tc, log_dir_holds_each_kernel_log);
	suite_add_tcase(s, tc);
	return s;
}
