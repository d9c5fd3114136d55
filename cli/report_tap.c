/*
 * report_tap.c - TAP version 13 output of `hwpsim run` (--tap).
 *
 *	TAP version 13
 *	1..3
 *	# hwpsim 0.1 run, seed 42, strategy run-to-block
 *	ok 1 - scenarios/sim/a.lua
 *	not ok 2 - scenarios/sim/b.lua
 *	  ---
 *	  status: fail
 *	  where: scenarios/sim/b.lua:12
 *	  message: expected alive, got killed
 *	  findings: []
 *	  ...
 *	1 passed, 1 failed
 *
 * The diagnostic block is YAML made by libyaml's emitter, so that any
 * message, however nasty, reads back as it was.  It carries the first
 * failure at the top (where TAP consumers look for "message"), all of
 * them under "failures" when there are more, and the findings.  The
 * closing line is plain text on purpose: TAP 13 passes lines it does not
 * know through, and people and scripts read this one.
 */
#include <inttypes.h>
#include <string.h>

#include "cli/report_internal.h"

/* A test line's description: one line, and '#' would start a directive. */
static void append_description(GString *out, const char *file)
{
	char *text = report_clean(file);

	for (const char *p = text; *p; p++) {
		if (*p == '#' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p == '\n' || *p == '\t' ? ' ' : *p);
	}
	g_free(text);
}

static void diag_fields(struct report_yaml *y, const struct hwp_result *r)
{
	report_yaml_kstr(y, "status", report_status_word(r->status));
	if (report_len(r->failures)) {
		const struct hwp_failure *f = g_ptr_array_index(r->failures, 0);

		report_yaml_kstr(y, "where", f->where);
		report_yaml_kstr(y, "message", f->message);
		if (f->detail)
			report_yaml_kstr(y, "detail", f->detail);
	} else {
		char *line = report_headline(r);

		report_yaml_kstr(y, "where", r->file);
		report_yaml_kstr(y, "message", line);
		g_free(line);
	}
	if (report_len(r->failures) > 1)
		report_yaml_failures(y, r);
	report_yaml_findings(y, r);
}

/* The "  ---" ... "  ..." block under a "not ok" line. */
static void append_diagnostic(GString *out, const struct hwp_result *r)
{
	struct report_yaml y;
	GError *err = NULL;
	size_t len;
	char *text;

	report_yaml_open(&y);
	report_yaml_map_start(&y);
	diag_fields(&y, r);
	report_yaml_map_end(&y);
	text = report_yaml_close(&y, &err);
	if (!text) {
		/* Still say something: the test line alone tells too little. */
		g_string_append_printf(out, "# %s\n", err->message);
		g_error_free(err);
		return;
	}
	/* The emitter may end an open-ended document itself; TAP does it. */
	len = strlen(text);
	if (g_str_has_suffix(text, "...\n") &&
	    (len == 4 || text[len - 5] == '\n'))
		text[len - 4] = '\0';
	g_string_append(out, "  ---\n");
	report_append_indented(out, text, 2);
	g_string_append(out, "  ...\n");
	g_free(text);
}

char *report_tap_string(GPtrArray *results, const struct report_meta *m)
{
	GString *out = g_string_new("TAP version 13\n");

	g_string_append_printf(out, "1..%u\n# hwpsim", report_len(results));
	if (m->version)
		g_string_append_printf(out, " %s", m->version);
	if (m->command)
		g_string_append_printf(out, " %s", m->command);
	g_string_append_printf(out, ", seed %" PRIu64, m->seed);
	if (m->strategy) {
		char *strategy = report_clean(m->strategy);

		g_strdelimit(strategy, "\n", ' ');
		g_string_append_printf(out, ", strategy %s", strategy);
		g_free(strategy);
	}
	g_string_append_c(out, '\n');

	for (guint i = 0; i < report_len(results); i++) {
		const struct hwp_result *r = g_ptr_array_index(results, i);
		bool ok = r->status == HWP_PASS;

		g_string_append_printf(out, "%s %u - ", ok ? "ok" : "not ok",
				       i + 1);
		append_description(out, r->file);
		g_string_append_c(out, '\n');
		if (!ok)
			append_diagnostic(out, r);
	}
	report_append_totals(out, results);
	return g_string_free(out, FALSE);
}

void report_tap(FILE *out, GPtrArray *results, const struct report_meta *m)
{
	char *text = report_tap_string(results, m);

	fputs(text, out);
	fflush(out);
	g_free(text);
}
