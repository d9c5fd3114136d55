/*
 * report.c - the terminal table of `hwpsim run`, and the helpers the
 * other writers (report_tap.c, report_junit.c, report_yaml.c) share.
 *
 * The table groups scenarios by topic, topics in order of first
 * appearance, so its order is the run order a user asked for:
 *
 *	hwpsim 0.1 run, seed 42, strategy run-to-block
 *
 *	sim: 2 scenarios, 1 passed, 1 failed
 *	  PASS   scenarios/sim/a.lua   12 steps
 *	  FAIL   scenarios/sim/b.lua   40 steps
 *	    scenarios/sim/b.lua:12: expected alive, got killed
 *	      detail, indented
 *	    deadlock at step 40: every fiber is blocked
 *
 *	1 scenario failed its expectations
 *	1 passed, 1 failed
 *
 * The last line is what scripts and people look for; it is never
 * coloured.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/report_internal.h"

G_DEFINE_QUARK(hwpsim-report-error-quark, report_error)

/* Long paths would push every steps column off the screen. */
#define FILE_COLUMN_MAX 60

const char *report_status_word(enum hwp_status st)
{
	switch (st) {
	case HWP_PASS:
		return "pass";
	case HWP_FAIL:
		return "fail";
	case HWP_ERROR:
		break;
	}
	return "error";
}

const char *report_topic(const struct hwp_result *r)
{
	return r->topic && *r->topic ? r->topic : "other";
}

GPtrArray *report_topics(GPtrArray *results)
{
	GPtrArray *topics = g_ptr_array_new();
	/* Only asked "seen?": its iteration order is never used. */
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < report_len(results); i++) {
		const char *t = report_topic(g_ptr_array_index(results, i));

		if (g_hash_table_add(seen, (gpointer)t))
			g_ptr_array_add(topics, (gpointer)t);
	}
	g_hash_table_destroy(seen);
	return topics;
}

void report_count(GPtrArray *results, const char *topic,
		  struct report_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (guint i = 0; i < report_len(results); i++) {
		const struct hwp_result *r = g_ptr_array_index(results, i);

		if (topic && strcmp(report_topic(r), topic) != 0)
			continue;
		c->total++;
		if (r->status == HWP_PASS)
			c->passed++;
		else if (r->status == HWP_FAIL)
			c->failed++;
		else
			c->errors++;
	}
}

static bool bad_char(gunichar c)
{
	if (c == '\n' || c == '\t')
		return false;
	/* Cc covers C0, DEL and C1; XML 1.0 also excludes these two. */
	return g_unichar_iscntrl(c) || c == 0xfffe || c == 0xffff;
}

char *report_clean(const char *s)
{
	char *valid = g_utf8_make_valid(s ? s : "", -1);
	GString *out = g_string_sized_new(strlen(valid));

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		if (bad_char(g_utf8_get_char(p)))
			g_string_append(out, "\xef\xbf\xbd");	/* U+FFFD */
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

char *report_headline(const struct hwp_result *r)
{
	if (report_len(r->failures)) {
		const struct hwp_failure *f = g_ptr_array_index(r->failures, 0);

		return report_clean(f->message);
	}
	if (report_len(r->findings)) {
		const struct sim_finding *f = g_ptr_array_index(r->findings, 0);
		char *raw = g_strdup_printf("%s: %s", f->kind ? f->kind : "",
					    f->message ? f->message : "");
		char *line = report_clean(raw);

		g_free(raw);
		return line;
	}
	return g_strdup(r->status == HWP_ERROR ? "error" : "failed");
}

void report_append_indented(GString *out, const char *text, int indent)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		gsize len = nl ? (gsize)(nl - p) : strlen(p);

		/* No trailing blanks on empty lines. */
		if (len)
			g_string_append_printf(out, "%*s%.*s", indent, "",
					       (int)len, p);
		g_string_append_c(out, '\n');
		p += len + (nl ? 1 : 0);
	}
}

/*
 * "head: message" at indent, further lines of the message below it at
 * indent + 2, then the detail at indent + 2.
 */
static void append_item(GString *out, const char *head, const char *message,
			const char *detail, int indent)
{
	char *raw = head && *head ? g_strdup_printf("%s: %s", head,
						    message ? message : "")
				  : g_strdup(message ? message : "");
	char *text = report_clean(raw);
	const char *nl = strchr(text, '\n');

	g_string_append_printf(out, "%*s%.*s\n", indent, "",
			       nl ? (int)(nl - text) : (int)strlen(text), text);
	if (nl)
		report_append_indented(out, nl + 1, indent + 2);
	if (detail && *detail) {
		char *d = report_clean(detail);

		report_append_indented(out, d, indent + 2);
		g_free(d);
	}
	g_free(text);
	g_free(raw);
}

void report_append_failures(GString *out, const struct hwp_result *r,
			    int indent)
{
	for (guint i = 0; i < report_len(r->failures); i++) {
		const struct hwp_failure *f = g_ptr_array_index(r->failures, i);

		append_item(out, f->where, f->message, f->detail, indent);
	}
}

void report_append_findings(GString *out, const struct hwp_result *r,
			    int indent)
{
	for (guint i = 0; i < report_len(r->findings); i++) {
		const struct sim_finding *f = g_ptr_array_index(r->findings, i);
		char *head = g_strdup_printf("%s at step %" PRIu64,
					     f->kind ? f->kind : "finding",
					     f->step);

		append_item(out, head, f->message, f->detail, indent);
		g_free(head);
	}
}

void report_append_totals(GString *out, GPtrArray *results)
{
	struct report_counts c;

	report_count(results, NULL, &c);
	g_string_append_printf(out, "%u passed, %u failed\n", c.passed,
			       c.failed + c.errors);
}

gboolean report_write_file(const char *path, const char *text, GError **err)
{
	/* A temporary file beside path, renamed over it once complete. */
	return g_file_set_contents(path, text, -1, err);
}

/* The terminal table. */

struct term {
	GString *out;
	bool color;
	bool verbose;
	int file_width;
	int steps_width;
};

#define C_RESET	"\033[0m"
#define C_BOLD	"\033[1m"
#define C_GREEN	"\033[32m"
#define C_RED	"\033[1;31m"
#define C_MAG	"\033[1;35m"

static const char *status_upper(enum hwp_status st)
{
	return st == HWP_PASS ? "PASS" : st == HWP_FAIL ? "FAIL" : "ERROR";
}

static const char *status_color(enum hwp_status st)
{
	return st == HWP_PASS ? C_GREEN : st == HWP_FAIL ? C_RED : C_MAG;
}

static void term_widths(struct term *t, GPtrArray *results)
{
	uint64_t max_steps = 0;

	t->file_width = 0;
	for (guint i = 0; i < report_len(results); i++) {
		const struct hwp_result *r = g_ptr_array_index(results, i);
		char *file = report_clean(r->file);
		int w = (int)g_utf8_strlen(file, -1);

		if (w > t->file_width)
			t->file_width = MIN(w, FILE_COLUMN_MAX);
		max_steps = MAX(max_steps, r->steps);
		g_free(file);
	}
	t->steps_width = snprintf(NULL, 0, "%" PRIu64, max_steps);
}

static void term_header(struct term *t, const struct report_meta *m)
{
	g_string_append(t->out, "hwpsim");
	if (m->version)
		g_string_append_printf(t->out, " %s", m->version);
	if (m->command)
		g_string_append_printf(t->out, " %s", m->command);
	g_string_append_printf(t->out, ", seed %" PRIu64, m->seed);
	if (m->strategy)
		g_string_append_printf(t->out, ", strategy %s", m->strategy);
	g_string_append_c(t->out, '\n');
}

static void term_topic(struct term *t, GPtrArray *results, const char *topic)
{
	struct report_counts c;
	char *name = report_clean(topic);

	report_count(results, topic, &c);
	g_string_append_printf(t->out, "\n%s%s%s: %u scenario%s, %u passed",
			       t->color ? C_BOLD : "", name,
			       t->color ? C_RESET : "",
			       c.total, c.total == 1 ? "" : "s", c.passed);
	if (c.failed)
		g_string_append_printf(t->out, ", %u failed", c.failed);
	if (c.errors)
		g_string_append_printf(t->out, ", %u error%s", c.errors,
				       c.errors == 1 ? "" : "s");
	g_string_append_c(t->out, '\n');
	g_free(name);
}

static void term_output(struct term *t, const struct hwp_result *r)
{
	char *text;

	if (!r->output || !r->output->len)
		return;
	g_string_append(t->out, "    output:\n");
	/* GString may hold NULs; what follows one was never meant as text. */
	text = report_clean(r->output->str);
	report_append_indented(t->out, text, 6);
	g_free(text);
}

static void term_result(struct term *t, const struct hwp_result *r)
{
	const char *word = status_upper(r->status);
	char *file = report_clean(r->file);
	int pad = t->file_width - (int)g_utf8_strlen(file, -1);

	/* Pad outside the colour codes so the columns stay aligned. */
	g_string_append_printf(t->out, "  %s%s%s%*s  %s%*s  %*" PRIu64 " step%s\n",
			       t->color ? status_color(r->status) : "", word,
			       t->color ? C_RESET : "",
			       5 - (int)strlen(word), "", file,
			       MAX(pad, 0), "", t->steps_width, r->steps,
			       r->steps == 1 ? "" : "s");
	if (r->status != HWP_PASS) {
		report_append_failures(t->out, r, 4);
		report_append_findings(t->out, r, 4);
	} else if (t->verbose) {
		report_append_findings(t->out, r, 4);
	}
	if (t->verbose)
		term_output(t, r);
	g_free(file);
}

/* "1 scenario failed its expectations, 2 had errors (bad input)" */
static void term_breakdown(struct term *t, GPtrArray *results)
{
	struct report_counts c;

	report_count(results, NULL, &c);
	if (c.failed)
		g_string_append_printf(t->out, "%u scenario%s failed %s expectations",
				       c.failed, c.failed == 1 ? "" : "s",
				       c.failed == 1 ? "its" : "their");
	if (c.failed && c.errors)
		g_string_append(t->out, ", ");
	if (c.errors) {
		/* The noun is said once: "2 failed ..., 1 had an error". */
		const char *noun = c.failed ? "" :
				   c.errors == 1 ? " scenario" : " scenarios";

		g_string_append_printf(t->out, "%u%s had %s (bad input)",
				       c.errors, noun,
				       c.errors == 1 ? "an error" : "errors");
	}
	if (c.failed || c.errors)
		g_string_append_c(t->out, '\n');
}

char *report_terminal_string(GPtrArray *results, const struct report_meta *m,
			     bool verbose, bool color)
{
	struct term t = { .out = g_string_new(NULL), .color = color,
			  .verbose = verbose };
	GPtrArray *topics = report_topics(results);

	term_widths(&t, results);
	term_header(&t, m);
	if (!report_len(results))
		g_string_append(t.out, "\nno scenarios\n");
	for (guint i = 0; i < topics->len; i++) {
		const char *topic = g_ptr_array_index(topics, i);

		term_topic(&t, results, topic);
		for (guint j = 0; j < report_len(results); j++) {
			const struct hwp_result *r = g_ptr_array_index(results, j);

			if (strcmp(report_topic(r), topic) == 0)
				term_result(&t, r);
		}
	}
	g_string_append_c(t.out, '\n');
	term_breakdown(&t, results);
	report_append_totals(t.out, results);
	g_ptr_array_free(topics, TRUE);
	return g_string_free(t.out, FALSE);
}

void report_terminal(FILE *out, GPtrArray *results,
		     const struct report_meta *m, bool verbose)
{
	bool color = isatty(fileno(out)) && !getenv("NO_COLOR");
	char *text = report_terminal_string(results, m, verbose, color);

	fputs(text, out);
	fflush(out);
	g_free(text);
}
