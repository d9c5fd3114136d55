/*
 * report_yaml.c - the YAML report of `hwpsim run` (--yaml FILE).
 *
 * The report schema, one YAML document:
 *
 *   hwpsim: <string>              version of hwpsim that wrote it
 *   command: <string>             "run"
 *   seed: <integer>               the run's seed
 *   strategy: <string>            the run's scheduling strategy
 *   summary:
 *     total: <integer>            scenarios run
 *     passed: <integer>           status pass
 *     failed: <integer>           status fail: failed expectations
 *     errors: <integer>           status error: bad input
 *   scenarios:                    in run order
 *   - file: <string>              as given on the command line
 *     name: <string>              the scenario's title, or its file
 *     topic: <string>             first folder under scenarios/,
 *                                 "other" when there is none
 *     status: pass | fail | error
 *     seed: <integer>             what this scenario ran with
 *     strategy: <string>
 *     policy:                     every policy switch, in the order the
 *       <key>: <string>           run gave them (sorted by key); values
 *                                 are strings: '0', not 0
 *     steps: <integer>            scheduling decisions taken
 *     virtual_time_ns: <integer>
 *     fibers: <integer>
 *     expectations: <integer>     expectations checked
 *     trace_digest: <string>      "sha256:<hex>" of the trace
 *     failures:                   [] when it passed
 *     - where: <string>           "file:line", or the file alone
 *       message: <string>
 *       detail: <string>          only when there is one (a traceback)
 *     outcomes:                   what happened on the machine, in order
 *     - <string>                  "signal app[2]: SIGBUS BUS_MCEERR_AR
 *                                 si_addr=0x10000000 si_addr_lsb=12",
 *                                 "memory_failure 0x105: dirty LRU page:
 *                                 Recovered", "panic: ..."
 *     findings:                   what the engine found, expected or not
 *     - kind: <string>            "deadlock", "step-budget", ...
 *       step: <integer>
 *       message: <string>
 *       detail: <string>          only when there is one
 *
 * A string the run did not have is null.  Strings are plain when that
 * reads back as the same string, single-quoted when a plain scalar
 * would read as a number, boolean or null ('0', 'yes', ''), and literal
 * blocks (|) when they have several lines.  In a multi-line string a
 * tab is expanded to spaces, up to the next multiple of 8 columns:
 * libyaml's emitter puts no tab in a block and would double-quote the
 * whole text instead.  Any other control character is kept, and makes
 * its string double-quoted with escapes ("\x01").  Bytes that are not
 * UTF-8 become U+FFFD.  Keys are plain, integers are plain.
 *
 * The writer keeps nothing that changes from run to run (no time, no
 * host name), so two runs with the same results give the same bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "cli/report_internal.h"

/* libyaml's output callback: everything goes to memory first. */
static int buf_write(void *data, unsigned char *bytes, size_t size)
{
	g_string_append_len(data, (const char *)bytes, size);
	return 1;
}

/* Emit ev if it could be made and nothing failed before. */
static void emit(struct report_yaml *y, yaml_event_t *ev, int made)
{
	if (y->failed) {
		if (made)
			yaml_event_delete(ev);
		return;
	}
	if (!made) {
		y->failed = true;
		y->problem = g_strdup("cannot make a YAML event");
		return;
	}
	/* The emitter owns ev from here on, even when it fails. */
	if (!yaml_emitter_emit(&y->emitter, ev)) {
		y->failed = true;
		y->problem = g_strdup(y->emitter.problem ? y->emitter.problem :
				      "YAML emitter error");
	}
}

void report_yaml_open(struct report_yaml *y)
{
	yaml_event_t ev;

	memset(y, 0, sizeof(*y));
	y->buf = g_string_new(NULL);
	if (!yaml_emitter_initialize(&y->emitter))
		g_error("out of memory");	/* libyaml's only failure here */
	yaml_emitter_set_output(&y->emitter, buf_write, y->buf);
	/* One line per value: no folding of long messages, no \u escapes. */
	yaml_emitter_set_width(&y->emitter, -1);
	yaml_emitter_set_unicode(&y->emitter, 1);
	emit(y, &ev, yaml_stream_start_event_initialize(&ev,
							YAML_UTF8_ENCODING));
	emit(y, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL,
							  NULL, 1));
}

char *report_yaml_close(struct report_yaml *y, GError **err)
{
	yaml_event_t ev;

	emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(y, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_delete(&y->emitter);
	if (y->failed) {
		g_set_error(err, REPORT_ERROR, REPORT_ERROR_EMIT,
			    "cannot write the YAML report: %s", y->problem);
		g_free(y->problem);
		g_string_free(y->buf, TRUE);
		return NULL;
	}
	return g_string_free(y->buf, FALSE);
}

void report_yaml_map_start(struct report_yaml *y)
{
	yaml_event_t ev;

	emit(y, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						YAML_BLOCK_MAPPING_STYLE));
}

void report_yaml_map_end(struct report_yaml *y)
{
	yaml_event_t ev;

	emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

void report_yaml_seq_start(struct report_yaml *y)
{
	yaml_event_t ev;

	emit(y, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						YAML_BLOCK_SEQUENCE_STYLE));
}

void report_yaml_seq_end(struct report_yaml *y)
{
	yaml_event_t ev;

	emit(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void scalar(struct report_yaml *y, const char *s,
		   yaml_scalar_style_t style)
{
	yaml_event_t ev;

	emit(y, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
						  (yaml_char_t *)s,
						  (int)strlen(s), 1, 1,
						  style));
}

/*
 * Would s, written plain, read back as something other than this
 * string?  Errs on the side of quoting: anything that starts like a
 * number ("1.0", ".5", "-3", "2024-01-01") and the YAML 1.1 words for
 * null and booleans.
 */
static bool plain_misreads(const char *s)
{
	static const char *const words[] = {
		"~", "null", "Null", "NULL",
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", "<<", "=",
	};

	if (!*s || strchr("0123456789+-.", *s))
		return true;
	for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/* Tabs to spaces, 8 columns to a stop, counting characters per line. */
static char *expand_tabs(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));
	unsigned int col = 0;

	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		if (*p == '\t') {
			do
				g_string_append_c(out, ' ');
			while (++col % 8);
			continue;
		}
		g_string_append_len(out, p, g_utf8_next_char(p) - p);
		col = *p == '\n' ? 0 : col + 1;
	}
	return g_string_free(out, FALSE);
}

void report_yaml_str(struct report_yaml *y, const char *s)
{
	char *text;

	if (!s) {
		scalar(y, "null", YAML_PLAIN_SCALAR_STYLE);
		return;
	}
	/* libyaml refuses invalid UTF-8 outright. */
	text = g_utf8_make_valid(s, -1);
	if (strchr(text, '\n')) {
		char *expanded = expand_tabs(text);

		scalar(y, expanded, YAML_LITERAL_SCALAR_STYLE);
		g_free(expanded);
	} else if (plain_misreads(text)) {
		scalar(y, text, YAML_SINGLE_QUOTED_SCALAR_STYLE);
	} else {
		/* The emitter quotes on its own what cannot be plain. */
		scalar(y, text, YAML_ANY_SCALAR_STYLE);
	}
	g_free(text);
}

void report_yaml_uint(struct report_yaml *y, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	scalar(y, num, YAML_PLAIN_SCALAR_STYLE);
}

void report_yaml_kstr(struct report_yaml *y, const char *key, const char *s)
{
	report_yaml_str(y, key);
	report_yaml_str(y, s);
}

void report_yaml_kuint(struct report_yaml *y, const char *key, uint64_t v)
{
	report_yaml_str(y, key);
	report_yaml_uint(y, v);
}

void report_yaml_failures(struct report_yaml *y, const struct hwp_result *r)
{
	report_yaml_str(y, "failures");
	report_yaml_seq_start(y);
	for (guint i = 0; i < report_len(r->failures); i++) {
		const struct hwp_failure *f = g_ptr_array_index(r->failures, i);

		report_yaml_map_start(y);
		report_yaml_kstr(y, "where", f->where);
		report_yaml_kstr(y, "message", f->message);
		if (f->detail)
			report_yaml_kstr(y, "detail", f->detail);
		report_yaml_map_end(y);
	}
	report_yaml_seq_end(y);
}

void report_yaml_findings(struct report_yaml *y, const struct hwp_result *r)
{
	report_yaml_str(y, "findings");
	report_yaml_seq_start(y);
	for (guint i = 0; i < report_len(r->findings); i++) {
		const struct sim_finding *f = g_ptr_array_index(r->findings, i);

		report_yaml_map_start(y);
		report_yaml_kstr(y, "kind", f->kind);
		report_yaml_kuint(y, "step", f->step);
		report_yaml_kstr(y, "message", f->message);
		if (f->detail)
			report_yaml_kstr(y, "detail", f->detail);
		report_yaml_map_end(y);
	}
	report_yaml_seq_end(y);
}

static void yaml_outcomes(struct report_yaml *y, const struct hwp_result *r)
{
	report_yaml_str(y, "outcomes");
	report_yaml_seq_start(y);
	for (guint i = 0; i < report_len(r->outcomes); i++)
		report_yaml_str(y, g_ptr_array_index(r->outcomes, i));
	report_yaml_seq_end(y);
}

static void yaml_policy(struct report_yaml *y, const struct hwp_result *r)
{
	report_yaml_str(y, "policy");
	report_yaml_map_start(y);
	for (guint i = 0; i < report_len(r->policy); i++) {
		const struct hwp_policy_kv *kv = g_ptr_array_index(r->policy, i);

		report_yaml_kstr(y, kv->key, kv->value);
	}
	report_yaml_map_end(y);
}

static void yaml_scenario(struct report_yaml *y, const struct hwp_result *r)
{
	report_yaml_map_start(y);
	report_yaml_kstr(y, "file", r->file);
	report_yaml_kstr(y, "name", r->name);
	report_yaml_kstr(y, "topic", report_topic(r));
	report_yaml_kstr(y, "status", report_status_word(r->status));
	report_yaml_kuint(y, "seed", r->seed);
	report_yaml_kstr(y, "strategy", r->strategy);
	yaml_policy(y, r);
	report_yaml_kuint(y, "steps", r->steps);
	report_yaml_kuint(y, "virtual_time_ns", r->virtual_ns);
	report_yaml_kuint(y, "fibers", r->fibers);
	report_yaml_kuint(y, "expectations", r->expectations);
	report_yaml_kstr(y, "trace_digest", r->trace_digest);
	report_yaml_failures(y, r);
	yaml_outcomes(y, r);
	report_yaml_findings(y, r);
	report_yaml_map_end(y);
}

static void yaml_summary(struct report_yaml *y, GPtrArray *results)
{
	struct report_counts c;

	report_count(results, NULL, &c);
	report_yaml_str(y, "summary");
	report_yaml_map_start(y);
	report_yaml_kuint(y, "total", c.total);
	report_yaml_kuint(y, "passed", c.passed);
	report_yaml_kuint(y, "failed", c.failed);
	report_yaml_kuint(y, "errors", c.errors);
	report_yaml_map_end(y);
}

char *report_yaml_string(GPtrArray *results, const struct report_meta *m,
			 GError **err)
{
	struct report_yaml y;

	report_yaml_open(&y);
	report_yaml_map_start(&y);
	report_yaml_kstr(&y, "hwpsim", m->version);
	report_yaml_kstr(&y, "command", m->command);
	report_yaml_kuint(&y, "seed", m->seed);
	report_yaml_kstr(&y, "strategy", m->strategy);
	yaml_summary(&y, results);
	report_yaml_str(&y, "scenarios");
	report_yaml_seq_start(&y);
	for (guint i = 0; i < report_len(results); i++)
		yaml_scenario(&y, g_ptr_array_index(results, i));
	report_yaml_seq_end(&y);
	report_yaml_map_end(&y);
	return report_yaml_close(&y, err);
}

gboolean report_yaml_write(const char *path, GPtrArray *results,
			   const struct report_meta *m, GError **err)
{
	char *text = report_yaml_string(results, m, err);
	gboolean ok;

	if (!text)
		return FALSE;
	ok = report_write_file(path, text, err);
	g_free(text);
	return ok;
}
