/*
 * host.h - running one scenario file in a fresh Lua state.
 *
 * The host makes a Lua 5.4 state with only the safe standard libraries,
 * preloads the hwp library and the expectation library, creates the
 * engine and runs the file's main chunk as the first fiber.  Whatever
 * happens - syntax error, runtime error, failed expectation, deadlock -
 * ends up in a struct hwp_result; nothing is printed here.
 */
#ifndef HWPSIM_LUA_HOST_H
#define HWPSIM_LUA_HOST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

enum hwp_status {
	HWP_PASS,
	HWP_FAIL,	/* an expectation failed or a finding was not expected */
	HWP_ERROR,	/* bad input: missing file, syntax or runtime error */
};

/* One failed expectation or error, with where it happened. */
struct hwp_failure {
	char *where;	/* "scenarios/x.lua:12", or the file alone */
	char *message;	/* "expected ..., got ..." */
	char *detail;	/* traceback or multi-line detail, may be NULL */
};

/* One policy switch as the scenario ran with it (sorted by key). */
struct hwp_policy_kv {
	char *key;
	char *value;
};

struct hwp_result {
	char *file;			/* as given on the command line */
	char *name;			/* the scenario's title, or the file */
	char *topic;			/* first folder under scenarios/ */
	enum hwp_status status;
	uint64_t seed;
	char *strategy;			/* sim_strategy_describe() */
	GPtrArray *policy;		/* struct hwp_policy_kv, sorted */
	GPtrArray *failures;		/* struct hwp_failure */
	GPtrArray *findings;		/* struct sim_finding (copies) */
	uint64_t steps;
	uint64_t virtual_ns;
	unsigned int fibers;
	unsigned int expectations;	/* how many were checked */
	char *trace_digest;		/* "sha256:..." */
	char *trace;			/* full text when asked for, or NULL */
	GString *output;		/* what the scenario printed */
	/*
	 * What happened on the machine, one line each, in order: every
	 * signal sent ("signal app[2]: SIGBUS BUS_MCEERR_AR ..."), every
	 * memory_failure action_result, a panic.  What `hwpsim diff`
	 * compares between two policies.
	 */
	GPtrArray *outcomes;		/* char * */
	/* The machine's kernel log, as dmesg shows it (NULL: no machine). */
	GString *dmesg;
	/* The fiber chosen at each decision that had a choice (replay). */
	GArray *choices;		/* int */
	/* With hwp_run_opts.record_decisions: the decisions (explore). */
	GArray *decisions;		/* struct sim_decision, or NULL */
	GArray *decision_ids;		/* int, or NULL */
};

struct hwp_run_opts {
	uint64_t seed;
	struct sim_strategy strategy;
	uint64_t max_steps;
	uint64_t max_instructions;	/* Lua VM instructions, 0: none */
	size_t max_memory;		/* bytes of Lua heap, 0: none */
	bool keep_trace;		/* fill result->trace */
	bool no_trace;			/* not even the digest (explore) */
	GPtrArray *policy_overrides;	/* struct hwp_policy_kv, may be NULL */
	bool record_decisions;		/* fill result->decisions */
	/*
	 * The strategy the trace header names, if not this one's: a replay
	 * says what the recorded run said, so the two traces are the same
	 * bytes.  Owned, may be NULL.
	 */
	char *strategy_label;
	/* Passed to the engine (sim_config.on_pick), may be NULL. */
	void (*on_pick)(struct sim *s, struct sim_fiber *next,
			GPtrArray *runnable, void *data);
	void *on_pick_data;
};

/* Register every layer's policy switches (idempotent). */
void hwp_register_policies(void);

void hwp_run_opts_default(struct hwp_run_opts *o);
void hwp_run_opts_clear(struct hwp_run_opts *o);

struct hwp_result *hwp_run_scenario(const char *path,
				    const struct hwp_run_opts *opts);
void hwp_result_free(struct hwp_result *r);
const char *hwp_status_name(enum hwp_status st);

/* Expand FILE|DIR arguments to the sorted list of scenario files; a
 * missing path becomes an entry whose run reports the error. */
GPtrArray *hwp_collect_scenarios(char **paths, int n);

/*
 * Drop what the host keeps between runs (the compiled Lua chunks): at
 * the end of a command, so a Valgrind run ends with nothing allocated.
 */
void hwp_chunk_cache_clear(void);

#endif
