/*
 * report_internal.h - helpers shared by the report_*.c writers.
 *
 * Not for callers outside cli/report*.c: the public API is report.h.
 */
#ifndef HWPSIM_CLI_REPORT_INTERNAL_H
#define HWPSIM_CLI_REPORT_INTERNAL_H

#include <yaml.h>

#include "cli/report.h"

/* Results may come with NULL arrays; treat them as empty. */
static inline guint report_len(const GPtrArray *a)
{
	return a ? a->len : 0;
}

/* "pass", "fail", "error": the words of the TAP and YAML schemas. */
const char *report_status_word(enum hwp_status st);

/* The result's topic, "other" when it has none. */
const char *report_topic(const struct hwp_result *r);

/* Topics in order of first appearance; the strings are borrowed. */
GPtrArray *report_topics(GPtrArray *results);

/*
 * Text made safe for a terminal and for XML 1.0: valid UTF-8, and every
 * control character but tab and newline (and the non-characters U+FFFE,
 * U+FFFF) replaced by U+FFFD.  NULL gives "".
 */
char *report_clean(const char *s);

/* One line saying why a scenario did not pass (cleaned). */
char *report_headline(const struct hwp_result *r);

/* text, every line prefixed by indent spaces, newline-terminated. */
void report_append_indented(GString *out, const char *text, int indent);

/*
 * The failures ("where: message", detail below) and findings ("kind at
 * step N: message", detail below) of r, at indent (cleaned).
 */
void report_append_failures(GString *out, const struct hwp_result *r,
			    int indent);
void report_append_findings(GString *out, const struct hwp_result *r,
			    int indent);

/* The closing line, "N passed, N failed\n" (failed: FAIL and ERROR). */
void report_append_totals(GString *out, GPtrArray *results);

/* Write text to path whole or not at all. */
gboolean report_write_file(const char *path, const char *text, GError **err);

/*
 * A libyaml emitter writing into a GString.  Calls after the first
 * failure do nothing; report_yaml_close() then returns NULL and says why.
 */
struct report_yaml {
	yaml_emitter_t emitter;
	GString *buf;
	bool failed;
	char *problem;
};

void report_yaml_open(struct report_yaml *y);
char *report_yaml_close(struct report_yaml *y, GError **err);
void report_yaml_map_start(struct report_yaml *y);
void report_yaml_map_end(struct report_yaml *y);
void report_yaml_seq_start(struct report_yaml *y);
void report_yaml_seq_end(struct report_yaml *y);
/* A string scalar: quoted where plain would read as another type, a
 * literal block when it has several lines; NULL is emitted as null. */
void report_yaml_str(struct report_yaml *y, const char *s);
void report_yaml_uint(struct report_yaml *y, uint64_t v);
/* key: value pairs inside a mapping. */
void report_yaml_kstr(struct report_yaml *y, const char *key, const char *s);
void report_yaml_kuint(struct report_yaml *y, const char *key, uint64_t v);
/* The failures and findings lists of the YAML schema. */
void report_yaml_failures(struct report_yaml *y, const struct hwp_result *r);
void report_yaml_findings(struct report_yaml *y, const struct hwp_result *r);

#endif
