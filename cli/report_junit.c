/*
 * report_junit.c - JUnit XML output of `hwpsim run` (--junit FILE).
 *
 *	<testsuites name="hwpsim" tests="3" failures="1" errors="1">
 *	  <testsuite name="hwpsim.sim" tests="3" failures="1" errors="1" ...>
 *	    <properties> seed, strategy, version </properties>
 *	    <testcase classname="hwpsim.sim" name="scenarios/sim/a.lua" .../>
 *	    <testcase classname="hwpsim.sim" name="scenarios/sim/b.lua" ...>
 *	      <failure message="first message" type="fail">all failures
 *	and findings, as the terminal shows them</failure>
 *	      <system-out>what the scenario printed</system-out>
 *	    </testcase>
 *
 * One suite per topic, in order of first appearance; an ERROR scenario
 * has <error> instead of <failure>.  No "time" or "timestamp": CI would
 * show virtual time as seconds, and wall-clock time would make two runs
 * differ.  All text goes through report_clean() first, because XML 1.0
 * allows no control characters but tab, newline and carriage return, not
 * even as character references, and then through g_markup_escape_text().
 */
#include <inttypes.h>
#include <string.h>

#include "cli/report_internal.h"

static void xml_text(GString *out, const char *s)
{
	char *clean = report_clean(s);
	char *esc = g_markup_escape_text(clean, -1);

	g_string_append(out, esc);
	g_free(esc);
	g_free(clean);
}

/* In an attribute, a parser turns raw newlines and tabs into spaces. */
static void xml_attr(GString *out, const char *name, const char *s)
{
	char *clean = report_clean(s);
	char *esc = g_markup_escape_text(clean, -1);

	g_string_append_printf(out, " %s=\"", name);
	for (const char *p = esc; *p; p++) {
		if (*p == '\n')
			g_string_append(out, "&#10;");
		else if (*p == '\t')
			g_string_append(out, "&#9;");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
	g_free(esc);
	g_free(clean);
}

static void xml_attr_uint(GString *out, const char *name, uint64_t v)
{
	g_string_append_printf(out, " %s=\"%" PRIu64 "\"", name, v);
}

static void junit_property(GString *out, const char *name, const char *value)
{
	if (!value)
		return;
	g_string_append(out, "      <property");
	xml_attr(out, "name", name);
	xml_attr(out, "value", value);
	g_string_append(out, "/>\n");
}

static void junit_properties(GString *out, const struct report_meta *m)
{
	char seed[24];

	snprintf(seed, sizeof(seed), "%" PRIu64, m->seed);
	g_string_append(out, "    <properties>\n");
	junit_property(out, "hwpsim.version", m->version);
	junit_property(out, "command", m->command);
	junit_property(out, "seed", seed);
	junit_property(out, "strategy", m->strategy);
	g_string_append(out, "    </properties>\n");
}

/* <failure> or <error>: the first message, then everything. */
static void junit_problem(GString *out, const struct hwp_result *r)
{
	const char *elem = r->status == HWP_FAIL ? "failure" : "error";
	char *headline = report_headline(r);
	GString *body = g_string_new(NULL);

	report_append_failures(body, r, 0);
	report_append_findings(body, r, 0);
	g_string_append_printf(out, "      <%s", elem);
	xml_attr(out, "message", headline);
	xml_attr(out, "type", report_status_word(r->status));
	g_string_append_c(out, '>');
	xml_text(out, body->str);
	g_string_append_printf(out, "</%s>\n", elem);
	g_string_free(body, TRUE);
	g_free(headline);
}

static void junit_testcase(GString *out, const struct hwp_result *r)
{
	char *classname = g_strconcat("hwpsim.", report_topic(r), NULL);
	bool has_output = r->output && r->output->len;

	g_string_append(out, "    <testcase");
	xml_attr(out, "classname", classname);
	xml_attr(out, "name", r->file);
	xml_attr_uint(out, "assertions", r->expectations);
	if (r->status == HWP_PASS && !has_output) {
		g_string_append(out, "/>\n");
		g_free(classname);
		return;
	}
	g_string_append(out, ">\n");
	if (r->status != HWP_PASS)
		junit_problem(out, r);
	if (has_output) {
		g_string_append(out, "      <system-out>");
		xml_text(out, r->output->str);
		g_string_append(out, "</system-out>\n");
	}
	g_string_append(out, "    </testcase>\n");
	g_free(classname);
}

static void junit_counts(GString *out, const struct report_counts *c)
{
	xml_attr_uint(out, "tests", c->total);
	xml_attr_uint(out, "failures", c->failed);
	xml_attr_uint(out, "errors", c->errors);
}

static void junit_suite(GString *out, GPtrArray *results, const char *topic,
			const struct report_meta *m)
{
	char *name = g_strconcat("hwpsim.", topic, NULL);
	struct report_counts c;

	report_count(results, topic, &c);
	g_string_append(out, "  <testsuite");
	xml_attr(out, "name", name);
	junit_counts(out, &c);
	xml_attr_uint(out, "skipped", 0);
	g_string_append(out, ">\n");
	junit_properties(out, m);
	for (guint i = 0; i < report_len(results); i++) {
		const struct hwp_result *r = g_ptr_array_index(results, i);

		if (strcmp(report_topic(r), topic) == 0)
			junit_testcase(out, r);
	}
	g_string_append(out, "  </testsuite>\n");
	g_free(name);
}

char *report_junit_string(GPtrArray *results, const struct report_meta *m)
{
	GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	GPtrArray *topics = report_topics(results);
	struct report_counts c;

	report_count(results, NULL, &c);
	g_string_append(out, "<testsuites name=\"hwpsim\"");
	junit_counts(out, &c);
	g_string_append(out, ">\n");
	for (guint i = 0; i < topics->len; i++)
		junit_suite(out, results, g_ptr_array_index(topics, i), m);
	g_string_append(out, "</testsuites>\n");
	g_ptr_array_free(topics, TRUE);
	return g_string_free(out, FALSE);
}

gboolean report_junit_write(const char *path, GPtrArray *results,
			    const struct report_meta *m, GError **err)
{
	char *text = report_junit_string(results, m);
	gboolean ok = report_write_file(path, text, err);

	g_free(text);
	return ok;
}
