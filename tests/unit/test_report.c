/*
 * test_report.c - the output writers of `hwpsim run` (cli/report*.c).
 *
 * Results are built here in memory, with their own small constructor
 * and destructor so these tests do not depend on lua/host.c.  Every
 * machine-readable output is parsed back with a real parser (GMarkup for
 * JUnit, libyaml for YAML and for TAP's diagnostic blocks) and checked
 * for content, not just for well-formedness.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* posix_openpt() and friends */
#endif
#include <check.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "cli/report.h"

/* The nastiest message: markup, quotes, a control char, two lines. */
#define NASTY "a <b> & \"c\" 'd'\x01" "e\nsecond line"
/* NASTY as a terminal or XML shows it: the control char is U+FFFD. */
#define NASTY_CLEAN "a <b> & \"c\" 'd'\xef\xbf\xbd" "e\nsecond line"
#define TRACEBACK "stack traceback:\n  [C]: in ?\n  main chunk"

static const struct report_meta meta = {
	.version = "0.1", .command = "run", .seed = 42, .strategy = "random",
};

/* Building and freeing results. */

static void free_failure(gpointer p)
{
	struct hwp_failure *f = p;

	g_free(f->where);
	g_free(f->message);
	g_free(f->detail);
	g_free(f);
}

static void free_finding(gpointer p)
{
	struct sim_finding *f = p;

	g_free(f->kind);
	g_free(f->message);
	g_free(f->detail);
	g_free(f);
}

static void free_kv(gpointer p)
{
	struct hwp_policy_kv *kv = p;

	g_free(kv->key);
	g_free(kv->value);
	g_free(kv);
}

static void free_result(gpointer p)
{
	struct hwp_result *r = p;

	g_free(r->file);
	g_free(r->name);
	g_free(r->topic);
	g_free(r->strategy);
	g_ptr_array_free(r->policy, TRUE);
	g_ptr_array_free(r->failures, TRUE);
	g_ptr_array_free(r->findings, TRUE);
	g_free(r->trace_digest);
	g_free(r->trace);
	g_string_free(r->output, TRUE);
	g_free(r);
}

static struct hwp_result *mk_result(const char *file, const char *topic,
				    enum hwp_status st, uint64_t steps)
{
	struct hwp_result *r = g_new0(struct hwp_result, 1);

	r->file = g_strdup(file);
	r->name = g_strdup(file);
	r->topic = g_strdup(topic);
	r->status = st;
	r->seed = 42;
	r->strategy = g_strdup("random");
	r->policy = g_ptr_array_new_with_free_func(free_kv);
	r->failures = g_ptr_array_new_with_free_func(free_failure);
	r->findings = g_ptr_array_new_with_free_func(free_finding);
	r->steps = steps;
	r->virtual_ns = steps * 1000;
	r->fibers = 2;
	r->expectations = 3;
	r->trace_digest = g_strdup("sha256:00ff");
	r->output = g_string_new(NULL);
	return r;
}

static void add_failure(struct hwp_result *r, const char *where,
			const char *message, const char *detail)
{
	struct hwp_failure *f = g_new0(struct hwp_failure, 1);

	f->where = g_strdup(where);
	f->message = g_strdup(message);
	f->detail = g_strdup(detail);
	g_ptr_array_add(r->failures, f);
}

static void add_finding(struct hwp_result *r, const char *kind, uint64_t step,
			const char *message, const char *detail)
{
	struct sim_finding *f = g_new0(struct sim_finding, 1);

	f->kind = g_strdup(kind);
	f->step = step;
	f->message = g_strdup(message);
	f->detail = g_strdup(detail);
	g_ptr_array_add(r->findings, f);
}

static void add_policy(struct hwp_result *r, const char *key,
		       const char *value)
{
	struct hwp_policy_kv *kv = g_new0(struct hwp_policy_kv, 1);

	kv->key = g_strdup(key);
	kv->value = g_strdup(value);
	g_ptr_array_add(r->policy, kv);
}

static GPtrArray *new_results(void)
{
	return g_ptr_array_new_with_free_func(free_result);
}

/*
 * Four scenarios in two topics, sim first: a pass, a fail with two
 * failures and a finding, an error with a traceback, another pass.
 */
static GPtrArray *sample(void)
{
	GPtrArray *rs = new_results();
	struct hwp_result *r;

	r = mk_result("scenarios/sim/pass.lua", "sim", HWP_PASS, 12);
	add_policy(r, "early_kill", "0");
	add_policy(r, "dirty_pagecache", "recover");
	g_string_append(r->output, "hello\n");
	g_ptr_array_add(rs, r);

	r = mk_result("scenarios/sim/fail.lua", "sim", HWP_FAIL, 1234);
	add_failure(r, "scenarios/sim/fail.lua:12", NASTY, NULL);
	add_failure(r, "scenarios/sim/fail.lua:20",
		    "expected alive, got killed", TRACEBACK);
	add_finding(r, "deadlock", 40, "every fiber is blocked",
		    "fiber 1 waits for tasklist_lock\nfiber 2 waits for i_mmap");
	g_ptr_array_add(rs, r);

	r = mk_result("scenarios/mm/bad.lua", "mm", HWP_ERROR, 0);
	add_failure(r, "scenarios/mm/bad.lua", "syntax error near 'end'",
		    "stack traceback:\n\t[C]: in ?");
	g_free(r->trace_digest);
	r->trace_digest = NULL;
	g_string_append(r->output, "\x1b[31mred\n");
	g_ptr_array_add(rs, r);

	r = mk_result("scenarios/mm/ok.lua", "mm", HWP_PASS, 7);
	g_ptr_array_add(rs, r);
	return rs;
}

/* Text helpers. */

static char **lines_of(const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);
	guint n = g_strv_length(lines);

	/* Text ends with a newline: drop the empty piece after it. */
	ck_assert_uint_gt(n, 0);
	ck_assert_str_eq(lines[n - 1], "");
	g_free(lines[n - 1]);
	lines[n - 1] = NULL;
	return lines;
}

static const char *last_line(char **lines)
{
	guint n = g_strv_length(lines);

	ck_assert_uint_gt(n, 0);
	return lines[n - 1];
}

static bool has_line(char **lines, const char *line)
{
	return g_strv_contains((const char *const *)lines, line);
}

static int line_index(char **lines, const char *line)
{
	for (int i = 0; lines[i]; i++)
		if (strcmp(lines[i], line) == 0)
			return i;
	return -1;
}

/* A libyaml document and the few look-ups the tests need. */

static void yaml_load(const char *text, yaml_document_t *doc)
{
	yaml_parser_t parser;
	int ok;

	ck_assert(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     strlen(text));
	ok = yaml_parser_load(&parser, doc);
	ck_assert_msg(ok && parser.error == YAML_NO_ERROR,
		      "YAML does not parse: %s at line %zu:\n%s",
		      parser.problem ? parser.problem : "?",
		      parser.problem_mark.line + 1, text);
	ck_assert_msg(yaml_document_get_root_node(doc), "empty YAML document");
	yaml_parser_delete(&parser);
}

static yaml_node_t *yroot(yaml_document_t *doc)
{
	return yaml_document_get_root_node(doc);
}

static const char *yscalar(yaml_node_t *n)
{
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->type, YAML_SCALAR_NODE);
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *yget(yaml_document_t *doc, yaml_node_t *map,
			 const char *key)
{
	ck_assert_ptr_nonnull(map);
	ck_assert_int_eq(map->type, YAML_MAPPING_NODE);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (strcmp(yscalar(k), key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *yget_str(yaml_document_t *doc, yaml_node_t *map,
			    const char *key)
{
	yaml_node_t *n = yget(doc, map, key);

	ck_assert_msg(n != NULL, "no key %s", key);
	return yscalar(n);
}

static int ylen(yaml_node_t *seq)
{
	ck_assert_ptr_nonnull(seq);
	ck_assert_int_eq(seq->type, YAML_SEQUENCE_NODE);
	return (int)(seq->data.sequence.items.top -
		     seq->data.sequence.items.start);
}

static yaml_node_t *yat(yaml_document_t *doc, yaml_node_t *seq, int i)
{
	ck_assert_int_lt(i, ylen(seq));
	return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

/* Terminal. */

START_TEST(test_terminal_lines)
{
	GPtrArray *rs = sample();
	char *text = report_terminal_string(rs, &meta, false, false);
	char **lines = lines_of(text);
	int sim = line_index(lines, "sim: 2 scenarios, 1 passed, 1 failed");
	int mm = line_index(lines, "mm: 2 scenarios, 1 passed, 1 error");
	guint n = g_strv_length(lines);

	ck_assert_str_eq(last_line(lines), "2 passed, 2 failed");
	ck_assert_str_eq(lines[n - 2],
		"1 scenario failed its expectations, 1 had an error (bad input)");
	ck_assert_str_eq(lines[0], "hwpsim 0.1 run, seed 42, strategy random");
	/* Topics in order of first appearance, each with its counts. */
	ck_assert_int_gt(sim, 0);
	ck_assert_int_gt(mm, sim);
	/* Status words and files aligned in columns. */
	ck_assert_str_eq(lines[sim + 1],
			 "  PASS   scenarios/sim/pass.lua    12 steps");
	ck_assert_str_eq(lines[sim + 2],
			 "  FAIL   scenarios/sim/fail.lua  1234 steps");
	ck_assert_str_eq(lines[mm + 1],
			 "  ERROR  scenarios/mm/bad.lua       0 steps");
	/* Failures, their details and findings, indented under the line. */
	ck_assert_str_eq(lines[sim + 3], "    scenarios/sim/fail.lua:12: "
			 "a <b> & \"c\" 'd'\xef\xbf\xbd" "e");
	ck_assert_str_eq(lines[sim + 4], "      second line");
	ck_assert(has_line(lines, "    scenarios/sim/fail.lua:20: "
			   "expected alive, got killed"));
	ck_assert(has_line(lines, "        [C]: in ?"));
	ck_assert(has_line(lines, "    deadlock at step 40: "
			   "every fiber is blocked"));
	ck_assert(has_line(lines, "      fiber 2 waits for i_mmap"));
	ck_assert(has_line(lines, "    scenarios/mm/bad.lua: "
			   "syntax error near 'end'"));
	/* Not verbose: no captured output. */
	ck_assert_ptr_null(strstr(text, "hello"));
	ck_assert_ptr_null(strchr(text, '\033'));
	g_strfreev(lines);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

START_TEST(test_terminal_verbose)
{
	GPtrArray *rs = sample();
	char *text = report_terminal_string(rs, &meta, true, false);
	char **lines = lines_of(text);

	ck_assert(has_line(lines, "      hello"));
	/* The scenario printed an escape sequence: it must not reach the
	 * terminal as one. */
	ck_assert(has_line(lines, "      \xef\xbf\xbd[31mred"));
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_str_eq(last_line(lines), "2 passed, 2 failed");
	g_strfreev(lines);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

START_TEST(test_terminal_color)
{
	GPtrArray *rs = sample();
	char *text = report_terminal_string(rs, &meta, false, true);
	char **lines = lines_of(text);

	ck_assert_ptr_nonnull(strstr(text, "\033[32mPASS\033[0m   "));
	ck_assert_ptr_nonnull(strstr(text, "ERROR\033[0m  scenarios/mm"));
	/* The closing line stays plain for scripts. */
	ck_assert_str_eq(last_line(lines), "2 passed, 2 failed");
	g_strfreev(lines);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* The breakdown line for failures alone and for errors alone. */
START_TEST(test_terminal_breakdown)
{
	GPtrArray *rs = new_results();
	char *text;
	char **lines;

	g_ptr_array_add(rs, mk_result("a.lua", "x", HWP_FAIL, 1));
	g_ptr_array_add(rs, mk_result("b.lua", "x", HWP_FAIL, 1));
	text = report_terminal_string(rs, &meta, false, false);
	lines = lines_of(text);
	ck_assert(has_line(lines, "2 scenarios failed their expectations"));
	ck_assert_str_eq(last_line(lines), "0 passed, 2 failed");
	g_strfreev(lines);
	g_free(text);

	g_ptr_array_set_size(rs, 0);
	g_ptr_array_add(rs, mk_result("a.lua", "x", HWP_ERROR, 1));
	g_ptr_array_add(rs, mk_result("b.lua", "x", HWP_PASS, 1));
	g_ptr_array_add(rs, mk_result("c.lua", "x", HWP_ERROR, 1));
	text = report_terminal_string(rs, &meta, false, false);
	lines = lines_of(text);
	ck_assert(has_line(lines, "2 scenarios had errors (bad input)"));
	ck_assert_str_eq(last_line(lines), "1 passed, 2 failed");
	g_strfreev(lines);
	g_free(text);

	g_ptr_array_set_size(rs, 0);
	g_ptr_array_add(rs, mk_result("a.lua", "x", HWP_PASS, 1));
	text = report_terminal_string(rs, &meta, false, false);
	lines = lines_of(text);
	/* All passed: no breakdown, a blank line before the totals. */
	ck_assert_str_eq(lines[g_strv_length(lines) - 2], "");
	ck_assert_str_eq(last_line(lines), "1 passed, 0 failed");
	g_strfreev(lines);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* Everything on the pty master, read without blocking. */
static char *drain(int fd)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(s, buf, n);
	return g_string_free(s, FALSE);
}

static char *terminal_on_pty(GPtrArray *rs)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	FILE *slave;
	char *text;

	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	slave = fopen(ptsname(master), "w");
	ck_assert_ptr_nonnull(slave);
	report_terminal(slave, rs, &meta, false);
	fclose(slave);
	fcntl(master, F_SETFL, O_NONBLOCK);
	text = drain(master);
	close(master);
	return text;
}

/* Colour on a terminal unless NO_COLOR; never into a file. */
START_TEST(test_terminal_isatty)
{
	GPtrArray *rs = sample();
	char *saved = g_strdup(getenv("NO_COLOR"));
	FILE *f = tmpfile();
	char *text;
	char buf[8192];
	size_t n;

	unsetenv("NO_COLOR");
	text = terminal_on_pty(rs);
	ck_assert_msg(strstr(text, "\033[") != NULL, "no colour on a tty");
	ck_assert_ptr_nonnull(strstr(text, "2 passed, 2 failed"));
	g_free(text);

	setenv("NO_COLOR", "1", 1);
	text = terminal_on_pty(rs);
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_ptr_nonnull(strstr(text, "2 passed, 2 failed"));
	g_free(text);

	unsetenv("NO_COLOR");
	ck_assert_ptr_nonnull(f);
	report_terminal(f, rs, &meta, false);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_null(strchr(buf, '\033'));
	fclose(f);
	/* With CK_FORK=no the next test shares this environment. */
	if (saved)
		setenv("NO_COLOR", saved, 1);
	g_free(saved);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* TAP. */

/* The diagnostic block under line `after`, de-indented. */
static char *tap_diagnostic(char **lines, int after)
{
	GString *s = g_string_new(NULL);
	int i = after + 1;

	ck_assert_str_eq(lines[i], "  ---");
	for (i++; lines[i] && strcmp(lines[i], "  ...") != 0; i++) {
		ck_assert_msg(!*lines[i] || g_str_has_prefix(lines[i], "  "),
			      "diagnostic line not indented: %s", lines[i]);
		g_string_append_printf(s, "%s\n", *lines[i] ? lines[i] + 2 : "");
	}
	ck_assert_msg(lines[i] != NULL, "diagnostic block not closed");
	return g_string_free(s, FALSE);
}

START_TEST(test_tap)
{
	GPtrArray *rs = sample();
	char *text = report_tap_string(rs, &meta);
	char **lines = lines_of(text);
	int fail = line_index(lines, "not ok 2 - scenarios/sim/fail.lua");
	int err = line_index(lines, "not ok 3 - scenarios/mm/bad.lua");
	yaml_document_t doc;
	yaml_node_t *failures;
	char *diag;

	ck_assert_str_eq(lines[0], "TAP version 13");
	ck_assert_str_eq(lines[1], "1..4");
	ck_assert_str_eq(lines[3], "ok 1 - scenarios/sim/pass.lua");
	ck_assert_int_eq(fail, 4);
	ck_assert_int_gt(err, fail);
	ck_assert_str_eq(lines[err - 1], "  ...");
	ck_assert(has_line(lines, "ok 4 - scenarios/mm/ok.lua"));
	ck_assert_str_eq(last_line(lines), "2 passed, 2 failed");
	/* A passing test has no diagnostic block. */
	ck_assert_str_ne(lines[4], "  ---");

	diag = tap_diagnostic(lines, fail);
	yaml_load(diag, &doc);
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "status"), "fail");
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "where"),
			 "scenarios/sim/fail.lua:12");
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "message"), NASTY);
	failures = yget(&doc, yroot(&doc), "failures");
	ck_assert_int_eq(ylen(failures), 2);
	ck_assert_str_eq(yget_str(&doc, yat(&doc, failures, 1), "detail"),
			 TRACEBACK);
	ck_assert_int_eq(ylen(yget(&doc, yroot(&doc), "findings")), 1);
	yaml_document_delete(&doc);
	g_free(diag);

	diag = tap_diagnostic(lines, err);
	yaml_load(diag, &doc);
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "status"), "error");
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "message"),
			 "syntax error near 'end'");
	/* One failure: it is the top, no list repeats it. */
	ck_assert_ptr_null(yget(&doc, yroot(&doc), "failures"));
	yaml_document_delete(&doc);
	g_free(diag);

	g_strfreev(lines);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* A '#' in a description would start a TAP directive ("# SKIP"). */
START_TEST(test_tap_description)
{
	GPtrArray *rs = new_results();
	struct hwp_result *r = mk_result("odd # SKIP.lua", "x", HWP_FAIL, 1);
	char *text;
	char **lines;
	char *diag;
	yaml_document_t doc;

	add_finding(r, "step-budget", 9, "ran out of steps",
		    "kept blank lines\n\n");
	g_ptr_array_add(rs, r);
	text = report_tap_string(rs, &meta);
	lines = lines_of(text);
	ck_assert_str_eq(lines[3], "not ok 1 - odd \\# SKIP.lua");
	/*
	 * Trailing blank lines make libyaml end the document with "...";
	 * the block must still close once, right before the totals.
	 */
	ck_assert_str_eq(lines[g_strv_length(lines) - 2], "  ...");
	ck_assert_int_eq(line_index(lines, "  ..."),
			 (int)g_strv_length(lines) - 2);
	/* No failures: the headline comes from the finding. */
	diag = tap_diagnostic(lines, 3);
	yaml_load(diag, &doc);
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "message"),
			 "step-budget: ran out of steps");
	ck_assert_str_eq(yget_str(&doc, yroot(&doc), "where"),
			 "odd # SKIP.lua");
	ck_assert_str_eq(yget_str(&doc, yat(&doc, yget(&doc, yroot(&doc),
					"findings"), 0), "detail"),
			 "kept blank lines\n\n");
	yaml_document_delete(&doc);
	ck_assert_str_eq(last_line(lines), "0 passed, 1 failed");
	g_free(diag);
	g_strfreev(lines);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* JUnit. */

struct xml_seen {
	int testsuites, testsuite, testcase, failure, error, system_out;
	GPtrArray *suite_names;
	char *failure_message;
	char *error_text;
	char *system_out_text;
	const char *in;		/* element whose text we collect */
	GString *text;
	char *case_names;
};

static const char *attr(const char **names, const char **values,
			const char *name)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return values[i];
	return NULL;
}

static void xml_start(GMarkupParseContext *ctx, const char *element,
		      const char **names, const char **values, gpointer data,
		      GError **err)
{
	struct xml_seen *s = data;

	(void)ctx;
	(void)err;
	if (strcmp(element, "testsuites") == 0) {
		s->testsuites++;
	} else if (strcmp(element, "testsuite") == 0) {
		s->testsuite++;
		g_ptr_array_add(s->suite_names,
				g_strdup(attr(names, values, "name")));
	} else if (strcmp(element, "testcase") == 0) {
		s->testcase++;
	} else if (strcmp(element, "failure") == 0) {
		s->failure++;
		s->failure_message = g_strdup(attr(names, values, "message"));
	} else if (strcmp(element, "error") == 0) {
		s->error++;
		s->in = "error";
	} else if (strcmp(element, "system-out") == 0) {
		s->system_out++;
		s->in = "system-out";
	}
	g_string_truncate(s->text, 0);
}

static void xml_end(GMarkupParseContext *ctx, const char *element,
		    gpointer data, GError **err)
{
	struct xml_seen *s = data;

	(void)ctx;
	(void)err;
	if (s->in && strcmp(element, s->in) == 0) {
		char **dst = strcmp(element, "error") == 0 ?
			     &s->error_text : &s->system_out_text;

		g_free(*dst);
		*dst = g_strdup(s->text->str);
		s->in = NULL;
	}
}

static void xml_text(GMarkupParseContext *ctx, const char *text, gsize len,
		     gpointer data, GError **err)
{
	struct xml_seen *s = data;

	(void)ctx;
	(void)err;
	if (s->in)
		g_string_append_len(s->text, text, len);
}

static void xml_parse(const char *xml, struct xml_seen *s)
{
	static const GMarkupParser parser = {
		.start_element = xml_start,
		.end_element = xml_end,
		.text = xml_text,
	};
	GMarkupParseContext *ctx;
	GError *err = NULL;

	memset(s, 0, sizeof(*s));
	s->suite_names = g_ptr_array_new_with_free_func(g_free);
	s->text = g_string_new(NULL);
	ctx = g_markup_parse_context_new(&parser, 0, s, NULL);
	/* GMarkup does not take the XML declaration: skip it. */
	ck_assert(g_str_has_prefix(xml, "<?xml version=\"1.0\" "
				   "encoding=\"UTF-8\"?>\n"));
	xml = strchr(xml, '\n') + 1;
	if (!g_markup_parse_context_parse(ctx, xml, -1, &err) ||
	    !g_markup_parse_context_end_parse(ctx, &err))
		ck_abort_msg("JUnit XML does not parse: %s\n%s",
			     err->message, xml);
	g_markup_parse_context_free(ctx);
}

static void xml_seen_clear(struct xml_seen *s)
{
	g_ptr_array_free(s->suite_names, TRUE);
	g_free(s->failure_message);
	g_free(s->error_text);
	g_free(s->system_out_text);
	g_string_free(s->text, TRUE);
}

START_TEST(test_junit)
{
	GPtrArray *rs = sample();
	char *xml = report_junit_string(rs, &meta);
	struct xml_seen s;

	xml_parse(xml, &s);
	ck_assert_int_eq(s.testsuites, 1);
	ck_assert_int_eq(s.testsuite, 2);
	ck_assert_str_eq(g_ptr_array_index(s.suite_names, 0), "hwpsim.sim");
	ck_assert_str_eq(g_ptr_array_index(s.suite_names, 1), "hwpsim.mm");
	ck_assert_int_eq(s.testcase, 4);
	ck_assert_int_eq(s.failure, 1);
	ck_assert_int_eq(s.error, 1);
	/* Output only where a scenario printed something. */
	ck_assert_int_eq(s.system_out, 2);
	/* Attribute text survives markup, quotes and newlines. */
	ck_assert_str_eq(s.failure_message, NASTY_CLEAN);
	ck_assert_str_eq(s.error_text,
			 "scenarios/mm/bad.lua: syntax error near 'end'\n"
			 "  stack traceback:\n  \t[C]: in ?\n");
	ck_assert_str_eq(s.system_out_text, "\xef\xbf\xbd[31mred\n");
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"hwpsim.sim\" "
				     "tests=\"2\" failures=\"1\" errors=\"0\""));
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"hwpsim.mm\" "
				     "tests=\"2\" failures=\"0\" errors=\"1\""));
	ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"hwpsim.sim\" "
				     "name=\"scenarios/sim/pass.lua\""));
	/* XML 1.0 has no control characters, not even as references. */
	ck_assert_ptr_null(strstr(xml, "&#x1;"));
	ck_assert_ptr_null(strchr(xml, '\x01'));
	ck_assert_ptr_null(strchr(xml, '\x1b'));
	xml_seen_clear(&s);
	g_free(xml);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* Bytes that are not UTF-8 must not break any writer. */
START_TEST(test_invalid_utf8)
{
	GPtrArray *rs = new_results();
	struct hwp_result *r = mk_result("bad\xff.lua", "x\xc3", HWP_FAIL, 1);
	GError *err = NULL;
	struct xml_seen s;
	yaml_document_t doc;
	char *xml, *yaml;

	add_failure(r, "bad\xff.lua:1", "broken \xe2\x82 text", "\xff\n\xfe");
	g_ptr_array_add(rs, r);
	xml = report_junit_string(rs, &meta);
	xml_parse(xml, &s);
	ck_assert_int_eq(s.failure, 1);
	ck_assert_str_eq(s.failure_message, "broken \xef\xbf\xbd\xef\xbf\xbd text");
	yaml = report_yaml_string(rs, &meta, &err);
	ck_assert_msg(yaml != NULL, "%s", err ? err->message : "");
	yaml_load(yaml, &doc);
	ck_assert_str_eq(yget_str(&doc, yat(&doc, yget(&doc, yroot(&doc),
					"scenarios"), 0), "file"),
			 "bad\xef\xbf\xbd.lua");
	yaml_document_delete(&doc);
	xml_seen_clear(&s);
	g_free(yaml);
	g_free(xml);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* YAML. */

START_TEST(test_yaml)
{
	static const char *const status[] = { "pass", "fail", "error", "pass" };
	GPtrArray *rs = sample();
	GError *err = NULL;
	char *text = report_yaml_string(rs, &meta, &err);
	yaml_document_t doc;
	yaml_node_t *root, *scen, *fails, *finds, *policy, *n;

	ck_assert_msg(text != NULL, "%s", err ? err->message : "");
	yaml_load(text, &doc);
	root = yroot(&doc);
	/* A version that looks like a number stays a string. */
	n = yget(&doc, root, "hwpsim");
	ck_assert_str_eq(yscalar(n), "0.1");
	ck_assert_int_ne(n->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
	ck_assert_str_eq(yget_str(&doc, root, "command"), "run");
	ck_assert_str_eq(yget_str(&doc, root, "seed"), "42");
	ck_assert_str_eq(yget_str(&doc, root, "strategy"), "random");
	n = yget(&doc, root, "summary");
	ck_assert_str_eq(yget_str(&doc, n, "total"), "4");
	ck_assert_str_eq(yget_str(&doc, n, "passed"), "2");
	ck_assert_str_eq(yget_str(&doc, n, "failed"), "1");
	ck_assert_str_eq(yget_str(&doc, n, "errors"), "1");

	scen = yget(&doc, root, "scenarios");
	ck_assert_int_eq(ylen(scen), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(yget_str(&doc, yat(&doc, scen, i), "status"),
				 status[i]);

	n = yat(&doc, scen, 0);
	ck_assert_str_eq(yget_str(&doc, n, "file"), "scenarios/sim/pass.lua");
	ck_assert_str_eq(yget_str(&doc, n, "topic"), "sim");
	ck_assert_str_eq(yget_str(&doc, n, "steps"), "12");
	ck_assert_str_eq(yget_str(&doc, n, "virtual_time_ns"), "12000");
	ck_assert_str_eq(yget_str(&doc, n, "fibers"), "2");
	ck_assert_str_eq(yget_str(&doc, n, "expectations"), "3");
	ck_assert_str_eq(yget_str(&doc, n, "trace_digest"), "sha256:00ff");
	ck_assert_int_eq(ylen(yget(&doc, n, "failures")), 0);
	policy = yget(&doc, n, "policy");
	ck_assert_int_eq(policy->type, YAML_MAPPING_NODE);
	/* Pairs in the order given, values strings ('0', not 0). */
	ck_assert_str_eq(yscalar(yaml_document_get_node(&doc,
			 policy->data.mapping.pairs.start[0].key)),
			 "early_kill");
	n = yget(&doc, policy, "early_kill");
	ck_assert_str_eq(yscalar(n), "0");
	ck_assert_int_ne(n->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
	ck_assert_str_eq(yget_str(&doc, policy, "dirty_pagecache"), "recover");

	n = yat(&doc, scen, 1);
	fails = yget(&doc, n, "failures");
	ck_assert_int_eq(ylen(fails), 2);
	/* The nasty message, control character and all, comes back. */
	ck_assert_str_eq(yget_str(&doc, yat(&doc, fails, 0), "message"), NASTY);
	ck_assert_ptr_null(yget(&doc, yat(&doc, fails, 0), "detail"));
	n = yget(&doc, yat(&doc, fails, 1), "detail");
	ck_assert_str_eq(yscalar(n), TRACEBACK);
	ck_assert_int_eq(n->data.scalar.style, YAML_LITERAL_SCALAR_STYLE);
	finds = yget(&doc, yat(&doc, scen, 1), "findings");
	ck_assert_int_eq(ylen(finds), 1);
	ck_assert_str_eq(yget_str(&doc, yat(&doc, finds, 0), "kind"),
			 "deadlock");
	ck_assert_str_eq(yget_str(&doc, yat(&doc, finds, 0), "step"), "40");
	ck_assert_str_eq(yget_str(&doc, yat(&doc, finds, 0), "detail"),
		"fiber 1 waits for tasklist_lock\nfiber 2 waits for i_mmap");

	n = yat(&doc, scen, 2);
	ck_assert_str_eq(yget_str(&doc, n, "topic"), "mm");
	/* A missing digest is null, not the string "null". */
	n = yget(&doc, n, "trace_digest");
	ck_assert_str_eq(yscalar(n), "null");
	ck_assert_int_eq(n->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
	/* A tab in a multi-line text is expanded, so it stays a block. */
	fails = yget(&doc, yat(&doc, scen, 2), "failures");
	n = yget(&doc, yat(&doc, fails, 0), "detail");
	ck_assert_str_eq(yscalar(n), "stack traceback:\n        [C]: in ?");
	ck_assert_int_eq(n->data.scalar.style, YAML_LITERAL_SCALAR_STYLE);

	yaml_document_delete(&doc);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

START_TEST(test_yaml_empty)
{
	GPtrArray *rs = new_results();
	GError *err = NULL;
	char *text = report_yaml_string(rs, &meta, &err);
	char *tap = report_tap_string(rs, &meta);
	char *term = report_terminal_string(rs, &meta, false, false);
	char *xml = report_junit_string(rs, &meta);
	yaml_document_t doc;
	struct xml_seen s;
	char **lines;

	ck_assert_ptr_nonnull(text);
	yaml_load(text, &doc);
	ck_assert_int_eq(ylen(yget(&doc, yroot(&doc), "scenarios")), 0);
	ck_assert_str_eq(yget_str(&doc, yget(&doc, yroot(&doc), "summary"),
				  "total"), "0");
	yaml_document_delete(&doc);
	lines = lines_of(tap);
	ck_assert_str_eq(lines[1], "1..0");
	ck_assert_str_eq(last_line(lines), "0 passed, 0 failed");
	g_strfreev(lines);
	lines = lines_of(term);
	ck_assert_str_eq(last_line(lines), "0 passed, 0 failed");
	g_strfreev(lines);
	xml_parse(xml, &s);
	ck_assert_int_eq(s.testsuites, 1);
	ck_assert_int_eq(s.testcase, 0);
	xml_seen_clear(&s);
	g_free(xml);
	g_free(term);
	g_free(tap);
	g_free(text);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

/* Same results, built twice at different addresses: same bytes. */
START_TEST(test_deterministic)
{
	GPtrArray *a = sample(), *b = sample();
	char *ya = report_yaml_string(a, &meta, NULL);
	char *yb = report_yaml_string(b, &meta, NULL);
	char *ya2 = report_yaml_string(a, &meta, NULL);
	char *ja = report_junit_string(a, &meta);
	char *jb = report_junit_string(b, &meta);
	char *ta = report_tap_string(a, &meta);
	char *tb = report_tap_string(b, &meta);

	ck_assert_ptr_nonnull(ya);
	ck_assert_str_eq(ya, ya2);
	ck_assert_str_eq(ya, yb);
	ck_assert_str_eq(ja, jb);
	ck_assert_str_eq(ta, tb);
	/* A different result must give a different report. */
	((struct hwp_result *)g_ptr_array_index(b, 0))->steps = 13;
	g_free(yb);
	yb = report_yaml_string(b, &meta, NULL);
	ck_assert_str_ne(ya, yb);
	g_free(ya);
	g_free(ya2);
	g_free(yb);
	g_free(ja);
	g_free(jb);
	g_free(ta);
	g_free(tb);
	g_ptr_array_free(a, TRUE);
	g_ptr_array_free(b, TRUE);
}
END_TEST

/* Files. */

static int dir_entries(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

START_TEST(test_write_files)
{
	GPtrArray *rs = sample();
	char *dir = g_dir_make_tmp("hwpsim-report-XXXXXX", NULL);
	char *yaml_path, *xml_path, *missing, *bad_path;
	char *on_disk, *expect;
	GError *err = NULL;

	ck_assert_ptr_nonnull(dir);
	yaml_path = g_build_filename(dir, "report.yaml", NULL);
	xml_path = g_build_filename(dir, "report.xml", NULL);
	missing = g_build_filename(dir, "missing", NULL);
	bad_path = g_build_filename(missing, "report.yaml", NULL);

	ck_assert_msg(report_yaml_write(yaml_path, rs, &meta, &err), "%s",
		      err ? err->message : "");
	ck_assert(g_file_get_contents(yaml_path, &on_disk, NULL, NULL));
	expect = report_yaml_string(rs, &meta, NULL);
	ck_assert_str_eq(on_disk, expect);
	g_free(on_disk);
	g_free(expect);

	ck_assert(report_junit_write(xml_path, rs, &meta, &err));
	ck_assert(g_file_get_contents(xml_path, &on_disk, NULL, NULL));
	expect = report_junit_string(rs, &meta);
	ck_assert_str_eq(on_disk, expect);
	g_free(on_disk);
	g_free(expect);

	/* Into a missing directory: an error, and nothing left behind. */
	ck_assert(!report_yaml_write(bad_path, rs, &meta, &err));
	ck_assert_ptr_nonnull(err);
	ck_assert(err->domain == G_FILE_ERROR);
	g_clear_error(&err);
	ck_assert(!report_junit_write(bad_path, rs, &meta, &err));
	ck_assert_ptr_nonnull(err);
	g_clear_error(&err);
	ck_assert(!g_file_test(missing, G_FILE_TEST_EXISTS));
	ck_assert_int_eq(dir_entries(dir), 2);

	g_unlink(yaml_path);
	g_unlink(xml_path);
	ck_assert_int_eq(g_rmdir(dir), 0);
	g_free(bad_path);
	g_free(missing);
	g_free(xml_path);
	g_free(yaml_path);
	g_free(dir);
	g_ptr_array_free(rs, TRUE);
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("terminal");

	tcase_add_test(tc, test_terminal_lines);
	tcase_add_test(tc, test_terminal_verbose);
	tcase_add_test(tc, test_terminal_color);
	tcase_add_test(tc, test_terminal_breakdown);
	tcase_add_test(tc, test_terminal_isatty);
	suite_add_tcase(s, tc);

	tc = tcase_create("tap");
	tcase_add_test(tc, test_tap);
	tcase_add_test(tc, test_tap_description);
	suite_add_tcase(s, tc);

	tc = tcase_create("junit");
	tcase_add_test(tc, test_junit);
	tcase_add_test(tc, test_invalid_utf8);
	suite_add_tcase(s, tc);

	tc = tcase_create("yaml");
	tcase_add_test(tc, test_yaml);
	tcase_add_test(tc, test_yaml_empty);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_write_files);
	suite_add_tcase(s, tc);
	return s;
}
