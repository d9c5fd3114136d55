/*
 * test_sim_trace.c - the step-numbered trace, its digest, and reading the
 * schedule back from it (sim/trace.h).
 */
#include <check.h>
#include <ctype.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/lock.h"
#include "sim/trace.h"

#define HERE SIM_HERE
#define BUDGET 1000000

static void cfg_init(struct sim_config *cfg, enum sim_strategy_kind kind,
		     uint64_t seed, int level)
{
	sim_config_default(cfg);
	cfg->seed = seed;
	cfg->strategy.kind = kind;
	if (kind == SIM_STRAT_PCT) {
		cfg->strategy.pct_depth = 3;
		cfg->strategy.pct_steps = 100;
	}
	cfg->max_steps = BUDGET;
	cfg->trace_level = level;
}

/* The scenario: two or three fibers that yield, take a mutex, sleep and
 * write trace events of their own. */
static struct sim_lock tr_lock;

static void tr_fiber(void *arg)
{
	struct sim *s = sim_self();
	int id = GPOINTER_TO_INT(arg);

	for (int i = 0; i < 6; i++) {
		sim_trace_event(s, "note", "fiber %d round %d", id, i);
		sim_yield(s, "yield", NULL, HERE);
		if (i % 2 == 0) {
			mutex_lock(&tr_lock);
			sim_yield(s, "yield", NULL, HERE);
			mutex_unlock(&tr_lock);
		}
		if (i == 3)
			sim_sleep(s, 5000, HERE);
	}
}

struct trace_run {
	int ret;
	char *text;		/* NULL at digest level */
	char *digest;
	GArray *choices;
	uint64_t lines;
	uint64_t steps;
};

static void trace_run_free(struct trace_run *r)
{
	g_free(r->text);
	g_free(r->digest);
	if (r->choices)
		g_array_unref(r->choices);
	g_free(r);
}

static struct trace_run *run_cfg(struct sim_config *cfg, int nfib)
{
	struct trace_run *r = g_new0(struct trace_run, 1);
	struct sim *s = sim_new(cfg);
	const char *text;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(s->trace);
	mutex_init(&tr_lock, "tr_lock");
	for (int i = 0; i < nfib; i++) {
		char name[16];

		g_snprintf(name, sizeof(name), "worker%d", i);
		sim_spawn(s, name, tr_fiber, GINT_TO_POINTER(i));
	}
	r->ret = sim_run(s);
	text = sim_trace_text(s->trace);
	r->text = text ? g_strdup(text) : NULL;
	r->digest = sim_trace_digest(s->trace);
	r->lines = s->trace->lines;
	r->steps = s->step;
	r->choices = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_vals(r->choices, s->choices->data, s->choices->len);
	sim_lock_destroy(&tr_lock);
	sim_free(s);
	return r;
}

static struct trace_run *run(enum sim_strategy_kind kind, uint64_t seed,
			     int level, int nfib)
{
	struct sim_config cfg;

	cfg_init(&cfg, kind, seed, level);
	return run_cfg(&cfg, nfib);
}

static bool same_choices(GArray *a, GArray *b)
{
	return a->len == b->len &&
	       memcmp(a->data, b->data, a->len * sizeof(int)) == 0;
}

static void assert_digest_format(const char *d)
{
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(strlen(d), 7 + 64);
	ck_assert(strncmp(d, "sha256:", 7) == 0);
	for (int i = 7; i < 7 + 64; i++)
		ck_assert_msg(isxdigit((unsigned char)d[i]) &&
			      !isupper((unsigned char)d[i]),
			      "bad digest %s", d);
}

/* Split a trace line into whitespace-separated columns (at most n). */
static int columns(const char *line, char **col, int n)
{
	int c = 0;
	const char *p = line;

	while (*p && c < n) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		col[c++] = g_strndup(start, (gsize)(p - start));
	}
	return c;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* ---------------------------------------------------------------- */

START_TEST(test_line_format)
{
	struct trace_run *r = run(SIM_STRAT_RANDOM, 3, SIM_TRACE_FULL, 2);
	gchar **lines;
	uint64_t last_step = 0, last_ns = 0, nlines = 0, picks = 0, notes = 0;

	ck_assert_int_eq(r->ret, 0);
	ck_assert_ptr_nonnull(r->text);
	ck_assert_uint_gt(strlen(r->text), 0);
	/* Every line is complete. */
	ck_assert_int_eq(r->text[strlen(r->text) - 1], '\n');
	lines = g_strsplit(r->text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		char *col[4] = { NULL, NULL, NULL, NULL };
		uint64_t step, ns;
		int n;

		if (!lines[i][0]) {
			/* only the empty string after the final newline */
			ck_assert_ptr_null(lines[i + 1]);
			break;
		}
		nlines++;
		if (lines[i][0] == '#')
			continue;
		n = columns(lines[i], col, 4);
		ck_assert_msg(n == 4, "short line %u: '%s'", i + 1, lines[i]);
		/* step, virtual time, fiber, kind */
		ck_assert_msg(all_digits(col[0]), "line %u: '%s'", i + 1,
			      lines[i]);
		ck_assert_msg(all_digits(col[1]), "line %u: '%s'", i + 1,
			      lines[i]);
		step = strtoull(col[0], NULL, 10);
		ns = strtoull(col[1], NULL, 10);
		ck_assert_uint_ge(step, last_step);
		ck_assert_uint_ge(ns, last_ns);
		ck_assert_uint_le(step, r->steps);
		last_step = step;
		last_ns = ns;
		if (strcmp(col[3], "pick") == 0)
			picks++;
		if (strcmp(col[3], "note") == 0) {
			notes++;
			ck_assert_msg(strstr(col[2], "worker"),
				      "event line names no fiber: '%s'",
				      lines[i]);
		}
		for (int j = 0; j < n; j++)
			g_free(col[j]);
	}
	g_strfreev(lines);
	ck_assert_uint_eq(nlines, r->lines);
	/* Every decision with a choice has its line. */
	ck_assert_uint_ge(picks, r->choices->len);
	ck_assert_uint_gt(picks, 0);
	ck_assert_uint_eq(notes, 12);
	trace_run_free(r);
}
END_TEST

/* An event from a fiber becomes exactly one line, even with newlines. */
static void ev_fiber(void *arg)
{
	(void)arg;
	sim_trace_event(sim_self(), "custom", "multi\nline %s", "text");
}

START_TEST(test_event_one_line)
{
	struct sim_config cfg;
	struct sim *s;
	const char *text;
	gchar **lines;
	int hits = 0;

	cfg_init(&cfg, SIM_STRAT_RUN_TO_BLOCK, 1, SIM_TRACE_FULL);
	s = sim_new(&cfg);
	sim_spawn(s, "evfiber", ev_fiber, NULL);
	ck_assert_int_eq(sim_run(s), 0);
	text = sim_trace_text(s->trace);
	ck_assert_ptr_nonnull(text);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		if (strstr(lines[i], "custom")) {
			hits++;
			ck_assert_ptr_nonnull(strstr(lines[i], "multi"));
			ck_assert_ptr_nonnull(strstr(lines[i], "line text"));
			ck_assert_ptr_nonnull(strstr(lines[i], "evfiber"));
			ck_assert(isdigit((unsigned char)lines[i][0]) ||
				  lines[i][0] == ' ');
		}
		/* The folded text did not spill onto a line of its own. */
		if (strstr(lines[i], "line text"))
			ck_assert_ptr_nonnull(strstr(lines[i], "custom"));
	}
	ck_assert_int_eq(hits, 1);
	g_strfreev(lines);
	sim_free(s);
}
END_TEST

START_TEST(test_identical_runs_identical_trace)
{
	for (int k = SIM_STRAT_RUN_TO_BLOCK; k <= SIM_STRAT_PCT; k++) {
		struct trace_run *a = run(k, 42, SIM_TRACE_FULL, 3);
		struct trace_run *b = run(k, 42, SIM_TRACE_FULL, 3);

		ck_assert_int_eq(a->ret, 0);
		assert_digest_format(a->digest);
		ck_assert_str_eq(a->text, b->text);
		ck_assert_str_eq(a->digest, b->digest);
		trace_run_free(a);
		trace_run_free(b);
	}
}
END_TEST

START_TEST(test_digest_is_sha256_of_text)
{
	struct trace_run *r = run(SIM_STRAT_RANDOM, 9, SIM_TRACE_FULL, 2);
	char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, r->text,
						  -1);
	char *expect = g_strconcat("sha256:", sum, NULL);

	ck_assert_str_eq(r->digest, expect);
	g_free(sum);
	g_free(expect);
	trace_run_free(r);
}
END_TEST

START_TEST(test_digest_level_same_digest)
{
	/* The digest is kept even when the text is not, and it is the same
	 * digest. */
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct trace_run *full = run(SIM_STRAT_RANDOM, seed,
					     SIM_TRACE_FULL, 3);
		struct trace_run *dig = run(SIM_STRAT_RANDOM, seed,
					    SIM_TRACE_DIGEST, 3);

		assert_digest_format(dig->digest);
		ck_assert_str_eq(full->digest, dig->digest);
		ck_assert(same_choices(full->choices, dig->choices));
		ck_assert(dig->text == NULL || dig->text[0] == '\0');
		trace_run_free(full);
		trace_run_free(dig);
	}
}
END_TEST

START_TEST(test_different_seed_different_digest)
{
	struct trace_run *r[6];
	int differing_pairs = 0;

	for (int i = 0; i < 6; i++)
		r[i] = run(SIM_STRAT_RANDOM, 1000 + i, SIM_TRACE_DIGEST, 2);
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < i; j++) {
			ck_assert_str_ne(r[i]->digest, r[j]->digest);
			if (!same_choices(r[i]->choices, r[j]->choices))
				differing_pairs++;
		}
	/* ...and not only because the header names the seed. */
	ck_assert_int_ge(differing_pairs, 1);
	for (int i = 0; i < 6; i++)
		trace_run_free(r[i]);
}
END_TEST

START_TEST(test_same_schedule_text_differs_only_by_seed_header)
{
	/* Under run to block the seed makes no decision; two seeds give
	 * the same lines apart from headers. */
	struct trace_run *a = run(SIM_STRAT_RUN_TO_BLOCK, 1, SIM_TRACE_FULL, 2);
	struct trace_run *b = run(SIM_STRAT_RUN_TO_BLOCK, 2, SIM_TRACE_FULL, 2);
	GString *ba = g_string_new(NULL), *bb = g_string_new(NULL);
	gchar **la = g_strsplit(a->text, "\n", -1);
	gchar **lb = g_strsplit(b->text, "\n", -1);

	for (guint i = 0; la[i]; i++)
		if (la[i][0] != '#')
			g_string_append_printf(ba, "%s\n", la[i]);
	for (guint i = 0; lb[i]; i++)
		if (lb[i][0] != '#')
			g_string_append_printf(bb, "%s\n", lb[i]);
	ck_assert_str_eq(ba->str, bb->str);
	g_strfreev(la);
	g_strfreev(lb);
	g_string_free(ba, TRUE);
	g_string_free(bb, TRUE);
	trace_run_free(a);
	trace_run_free(b);
}
END_TEST

START_TEST(test_parse_picks_round_trip)
{
	for (int k = SIM_STRAT_RANDOM; k <= SIM_STRAT_PCT; k++) {
		for (uint64_t seed = 1; seed <= 4; seed++) {
			struct trace_run *r = run(k, seed, SIM_TRACE_FULL, 3);
			GError *err = NULL;
			GArray *picks;

			picks = sim_trace_parse_picks(r->text, "run.trace",
						      &err);
			ck_assert_msg(err == NULL, "%s", err ? err->message : "");
			ck_assert_ptr_nonnull(picks);
			ck_assert_uint_eq(g_array_get_element_size(picks),
					  sizeof(int));
			ck_assert_uint_gt(picks->len, 0);
			ck_assert(same_choices(picks, r->choices));
			g_array_unref(picks);
			trace_run_free(r);
		}
	}
}
END_TEST

START_TEST(test_replay_from_trace_text)
{
	/* The trace file is a schedule: replaying its picks gives the same
	 * trace. */
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct trace_run *a = run(SIM_STRAT_RANDOM, seed,
					  SIM_TRACE_FULL, 3);
		struct trace_run *b;
		struct sim_config cfg;
		GError *err = NULL;

		cfg_init(&cfg, SIM_STRAT_REPLAY, seed, SIM_TRACE_FULL);
		cfg.strategy.replay = sim_trace_parse_picks(a->text, "a.trace",
							    &err);
		ck_assert_ptr_null(err);
		b = run_cfg(&cfg, 3);
		sim_strategy_clear(&cfg.strategy);
		ck_assert_int_eq(b->ret, 0);
		ck_assert(same_choices(a->choices, b->choices));
		ck_assert_str_eq(a->digest, b->digest);
		trace_run_free(a);
		trace_run_free(b);
	}
}
END_TEST

START_TEST(test_parse_picks_no_picks)
{
	GError *err = NULL;
	GArray *picks = sim_trace_parse_picks("# seed: 1\n# strategy: random\n",
					      "empty.trace", &err);

	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(picks);
	ck_assert_uint_eq(picks->len, 0);
	g_array_unref(picks);

	picks = sim_trace_parse_picks("", "empty.trace", &err);
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(picks);
	ck_assert_uint_eq(picks->len, 0);
	g_array_unref(picks);
}
END_TEST

/*
 * Take a real trace, break the text of its which-th pick line (the
 * picked fiber id becomes letters), and parse: the error names the file
 * and the line.
 */
static void corrupt_and_parse(const char *text, int which)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	int seen = 0;
	guint bad = 0;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	GArray *picks;
	char *at_colon, *at_word;

	for (guint i = 0; lines[i]; i++) {
		char *col[4] = { NULL, NULL, NULL, NULL };
		int n = lines[i][0] == '#' ? 0 : columns(lines[i], col, 4);

		if (!bad && n == 4 && strcmp(col[3], "pick") == 0 &&
		    seen++ == which) {
			/* Replace the first digit run after "pick" by "zz". */
			char *p = strstr(lines[i], "pick") + 4;
			GString *l = g_string_new(NULL);

			while (*p && !isdigit((unsigned char)*p))
				p++;
			ck_assert(*p);
			g_string_append_len(l, lines[i], p - lines[i]);
			g_string_append(l, "zz");
			while (isdigit((unsigned char)*p))
				p++;
			g_string_append(l, p);
			g_string_append_printf(out, "%s", l->str);
			g_string_free(l, TRUE);
			bad = i + 1;
		} else {
			g_string_append(out, lines[i]);
		}
		if (lines[i + 1])
			g_string_append_c(out, '\n');
		for (int j = 0; j < n; j++)
			g_free(col[j]);
	}
	ck_assert_uint_gt(bad, 0);
	picks = sim_trace_parse_picks(out->str, "broken-run.trace", &err);
	ck_assert_ptr_null(picks);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "broken-run.trace"),
		      "error does not name the file: %s", err->message);
	at_colon = g_strdup_printf(":%u", bad);
	at_word = g_strdup_printf("line %u", bad);
	ck_assert_msg(strstr(err->message, at_colon) ||
		      strstr(err->message, at_word),
		      "error does not name line %u: %s", bad, err->message);
	g_free(at_colon);
	g_free(at_word);
	g_error_free(err);
	g_string_free(out, TRUE);
	g_strfreev(lines);
}

START_TEST(test_parse_picks_malformed)
{
	struct trace_run *r = run(SIM_STRAT_RANDOM, 5, SIM_TRACE_FULL, 3);

	corrupt_and_parse(r->text, 0);
	corrupt_and_parse(r->text, 7);
	trace_run_free(r);
}
END_TEST

START_TEST(test_parse_picks_malformed_null_err)
{
	/* err may be NULL: the function still fails cleanly. */
	struct trace_run *r = run(SIM_STRAT_RANDOM, 5, SIM_TRACE_FULL, 2);
	char *bad = g_strdup(r->text);
	char *p = strstr(bad, " pick ");
	GArray *picks;

	ck_assert_ptr_nonnull(p);
	p += 6;
	while (*p && !isdigit((unsigned char)*p))
		p++;
	*p = 'q';
	picks = sim_trace_parse_picks(bad, "x.trace", NULL);
	ck_assert_ptr_null(picks);
	g_free(bad);
	trace_run_free(r);
}
END_TEST

START_TEST(test_standalone_trace_header)
{
	struct sim_trace *t = sim_trace_new(SIM_TRACE_FULL);
	char *d, *sum, *expect;

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->lines, 0);
	sim_trace_header(t, "seed", "%d", 42);
	sim_trace_header(t, "strategy", "%s", "random");
	ck_assert_str_eq(sim_trace_text(t), "# seed: 42\n# strategy: random\n");
	ck_assert_uint_eq(t->lines, 2);
	d = sim_trace_digest(t);
	sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
					    "# seed: 42\n# strategy: random\n",
					    -1);
	expect = g_strconcat("sha256:", sum, NULL);
	ck_assert_str_eq(d, expect);
	/* Taking the digest does not end the trace. */
	sim_trace_header(t, "more", "x");
	g_free(d);
	d = sim_trace_digest(t);
	ck_assert_str_ne(d, expect);
	g_free(d);
	g_free(sum);
	g_free(expect);
	sim_trace_free(t);

	/* Digest-only traces digest the same lines. */
	t = sim_trace_new(SIM_TRACE_DIGEST);
	sim_trace_header(t, "seed", "%d", 42);
	sim_trace_header(t, "strategy", "%s", "random");
	d = sim_trace_digest(t);
	sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
					    "# seed: 42\n# strategy: random\n",
					    -1);
	expect = g_strconcat("sha256:", sum, NULL);
	ck_assert_str_eq(d, expect);
	g_free(d);
	g_free(sum);
	g_free(expect);
	sim_trace_free(t);
}
END_TEST

START_TEST(test_empty_trace_digest)
{
	struct sim_trace *t = sim_trace_new(SIM_TRACE_DIGEST);
	char *d = sim_trace_digest(t);

	ck_assert_str_eq(d, "sha256:e3b0c44298fc1c149afbf4c8996fb924"
			    "27ae41e4649b934ca495991b7852b855");
	g_free(d);
	sim_trace_free(t);
}
END_TEST

/* A step-budget run and a deadlock run are deterministic too. */
static struct sim_lock dd_a, dd_b;

static void dd_ab(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&dd_a);
	sim_yield(s, "yield", NULL, HERE);
	mutex_lock(&dd_b);
	mutex_unlock(&dd_b);
	mutex_unlock(&dd_a);
}

static void dd_ba(void *arg)
{
	struct sim *s = sim_self();

	(void)arg;
	mutex_lock(&dd_b);
	sim_yield(s, "yield", NULL, HERE);
	mutex_lock(&dd_a);
	mutex_unlock(&dd_a);
	mutex_unlock(&dd_b);
}

START_TEST(test_deadlock_trace_deterministic)
{
	for (uint64_t seed = 1; seed <= 10; seed++) {
		char *d[2];
		unsigned int dl[2];

		for (int round = 0; round < 2; round++) {
			struct sim_config cfg;
			struct sim *s;

			cfg_init(&cfg, SIM_STRAT_RANDOM, seed, SIM_TRACE_FULL);
			s = sim_new(&cfg);
			mutex_init(&dd_a, "dd_a");
			mutex_init(&dd_b, "dd_b");
			sim_spawn(s, "ab", dd_ab, NULL);
			sim_spawn(s, "ba", dd_ba, NULL);
			(void)sim_run(s);
			d[round] = sim_trace_digest(s->trace);
			dl[round] = sim_findings_count(s, "deadlock");
			if (dl[round] == 0) {
				sim_lock_destroy(&dd_a);
				sim_lock_destroy(&dd_b);
			}
			sim_free(s);
		}
		ck_assert_str_eq(d[0], d[1]);
		ck_assert_uint_eq(dl[0], dl[1]);
		g_free(d[0]);
		g_free(d[1]);
	}
}
END_TEST

Suite *suite_sim_trace(void)
{
	Suite *s = suite_create("sim_trace");
	TCase *tc;

	tc = tcase_create("trace");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_line_format);
	tcase_add_test(tc, test_event_one_line);
	tcase_add_test(tc, test_identical_runs_identical_trace);
	tcase_add_test(tc, test_digest_is_sha256_of_text);
	tcase_add_test(tc, test_digest_level_same_digest);
	tcase_add_test(tc, test_different_seed_different_digest);
	tcase_add_test(tc, test_same_schedule_text_differs_only_by_seed_header);
	tcase_add_test(tc, test_standalone_trace_header);
	tcase_add_test(tc, test_empty_trace_digest);
	tcase_add_test(tc, test_deadlock_trace_deterministic);
	suite_add_tcase(s, tc);

	tc = tcase_create("picks");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_parse_picks_round_trip);
	tcase_add_test(tc, test_replay_from_trace_text);
	tcase_add_test(tc, test_parse_picks_no_picks);
	tcase_add_test(tc, test_parse_picks_malformed);
	tcase_add_test(tc, test_parse_picks_malformed_null_err);
	suite_add_tcase(s, tc);
	return s;
}
