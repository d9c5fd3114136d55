/*
 * report.h - what `hwpsim run` tells about a list of scenario results.
 *
 * Four writers over the same list (a GPtrArray of struct hwp_result *,
 * in run order): a table for people at a terminal, TAP 13 and JUnit XML
 * for CI, and a YAML report for tools (its schema is documented at the
 * top of report_yaml.c).
 *
 * Every writer's output depends on the results and the meta data alone:
 * no wall-clock time, no pointer values, no hash-table order.  The same
 * results give byte-identical output, so reports can be diffed between
 * two runs or two policies.  (The terminal table's colour, which also
 * depends on where it goes, is the one exception.)
 *
 * The terminal table and TAP both end with the line `N passed, N failed`,
 * where "failed" counts failed expectations and errors together.
 */
#ifndef HWPSIM_CLI_REPORT_H
#define HWPSIM_CLI_REPORT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lua/host.h"

/* What the whole run was; any string may be NULL. */
struct report_meta {
	const char *version;	/* hwpsim's version */
	const char *command;	/* "run" */
	uint64_t seed;
	const char *strategy;	/* as sim_strategy_describe() gives it */
};

/* Counts by status; "failed" here is HWP_FAIL alone. */
struct report_counts {
	unsigned int total;
	unsigned int passed;
	unsigned int failed;
	unsigned int errors;
};

/* Count the results of one topic, or of all when topic is NULL. */
void report_count(GPtrArray *results, const char *topic,
		  struct report_counts *c);

/*
 * The table, grouped by topic.  Colour is used when out is a terminal
 * and NO_COLOR is unset; verbose adds each scenario's captured output
 * (and the findings of scenarios that passed).
 */
void report_terminal(FILE *out, GPtrArray *results,
		     const struct report_meta *m, bool verbose);
/* The same table as a string, colour chosen by the caller. */
char *report_terminal_string(GPtrArray *results, const struct report_meta *m,
			     bool verbose, bool color);

/* TAP version 13, with a YAML diagnostic block under each failure. */
void report_tap(FILE *out, GPtrArray *results, const struct report_meta *m);
char *report_tap_string(GPtrArray *results, const struct report_meta *m);

/* JUnit XML: one <testsuite> per topic. */
char *report_junit_string(GPtrArray *results, const struct report_meta *m);
gboolean report_junit_write(const char *path, GPtrArray *results,
			    const struct report_meta *m, GError **err);

/*
 * The YAML report.  The file writers write the whole file or nothing
 * (a temporary file renamed over path).
 */
char *report_yaml_string(GPtrArray *results, const struct report_meta *m,
			 GError **err);
gboolean report_yaml_write(const char *path, GPtrArray *results,
			   const struct report_meta *m, GError **err);

/* Error domain of the writers (libyaml's emitter refusing an event). */
#define REPORT_ERROR (report_error_quark())
GQuark report_error_quark(void);

enum report_error {
	REPORT_ERROR_EMIT,
};

#endif
