/*
 * main.c - the hwpsim command line.
 *
 *   hwpsim run [OPTIONS] FILE|DIR...   run scenarios, print the outcome
 *   hwpsim inject [OPTIONS] FILE...    run mce-inject files (cli/inject.c)
 *   hwpsim diff --a K=V --b K=V FILE|DIR...  two policies (cli/diff.c)
 *   hwpsim explore [OPTIONS] FILE      search schedules (cli/explore.c)
 *   hwpsim replay [OPTIONS] TRACE      re-run a schedule (cli/replay.c)
 *   hwpsim help [COMMAND]              usage
 *   hwpsim version
 *
 * Exit status: 0 when every scenario passed, 1 when one failed its
 * expectations, 2 on bad input (a bad option, a missing file, a Lua syntax
 * or runtime error).  Bad input in one scenario never stops the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/version.h"
#include "lua/host.h"
#include "sim/policy.h"
#include "sim/trace.h"


#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2

struct run_args {
	gchar *seed;
	gchar *strategy;
	gboolean tap;
	gchar *junit;
	gchar *report;
	gchar *trace;
	gchar **set;
	gchar *policy;
	gchar *log_dir;
	gchar *max_steps;
	gchar *max_instructions;
	gboolean verbose;
	gchar **files;
};

static void run_args_clear(struct run_args *a)
{
	g_free(a->seed);
	g_free(a->strategy);
	g_free(a->junit);
	g_free(a->report);
	g_free(a->trace);
	g_strfreev(a->set);
	g_free(a->policy);
	g_free(a->log_dir);
	g_free(a->max_steps);
	g_free(a->max_instructions);
	g_strfreev(a->files);
}

static bool run_opts_from_args(struct run_args *a, struct hwp_run_opts *o,
			       GError **err)
{
	hwp_run_opts_default(o);
	if (a->seed && !cli_parse_u64("--seed", a->seed, &o->seed, err))
		return false;
	if (a->strategy && g_str_has_prefix(a->strategy, "replay:")) {
		if (!cli_load_trace(a->strategy + 7, o, a->seed != NULL, NULL,
				    err)) {
			g_prefix_error(err, "--strategy replay: ");
			return false;
		}
	} else if (a->strategy && sim_strategy_parse(a->strategy,
						     &o->strategy, err)) {
		return false;
	}
	if (a->max_steps &&
	    !cli_parse_u64("--max-steps", a->max_steps, &o->max_steps, err))
		return false;
	if (a->max_instructions &&
	    !cli_parse_u64("--max-instructions", a->max_instructions,
		       &o->max_instructions, err))
		return false;
	if (a->policy && !cli_load_policy_file(a->policy, o, err))
		return false;
	if (!cli_parse_set(a->set, "--set", o, err))
		return false;
	o->keep_trace = a->trace != NULL;
	return true;
}

static bool write_traces(const char *path, GPtrArray *results,
			 GError **err)
{
	GString *all = g_string_new(NULL);
	bool ok;

	for (guint i = 0; i < results->len; i++) {
		struct hwp_result *r = g_ptr_array_index(results, i);

		if (r->trace)
			g_string_append(all, r->trace);
		else
			g_string_append_printf(all, "# scenario: %s\n"
					       "# (no trace: it did not run)\n",
					       r->file);
	}
	ok = g_file_set_contents(path, all->str, (gssize)all->len, err);
	g_string_free(all, TRUE);
	return ok;
}

/*
 * --log DIR: each scenario's kernel log in DIR, named after the scenario
 * ("scenarios/mm/swap.lua" -> "mm-swap.log" below scenarios/, else the
 * path with '/' as '-').  Scenarios without a machine have no log.
 */
static bool write_logs(const char *dir, GPtrArray *results, GError **err)
{
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "--log: cannot create %s", dir);
		return false;
	}
	for (guint i = 0; i < results->len; i++) {
		struct hwp_result *r = g_ptr_array_index(results, i);
		const char *rel = r->file;
		char *name, *path;
		bool ok;

		if (!r->dmesg)
			continue;
		if (g_str_has_prefix(rel, "scenarios/"))
			rel += strlen("scenarios/");
		name = g_strdelimit(g_strdup(rel), "/", '-');
		if (g_str_has_suffix(name, ".lua"))
			name[strlen(name) - 4] = '\0';
		path = g_strdup_printf("%s/%s.log", dir, name);
		ok = g_file_set_contents(path, r->dmesg->str,
					 (gssize)r->dmesg->len, err);
		g_free(name);
		g_free(path);
		if (!ok)
			return false;
	}
	return true;
}

/* Reports are written whole or not at all; a failure is bad output. */
static int write_outputs(struct run_args *a, GPtrArray *results,
			 const struct report_meta *meta)
{
	GError *err = NULL;
	int rc = 0;

	if (a->junit && !report_junit_write(a->junit, results, meta, &err))
		goto fail;
	if (a->report && !report_yaml_write(a->report, results, meta, &err))
		goto fail;
	if (a->trace && !write_traces(a->trace, results, &err))
		goto fail;
	if (a->log_dir && !write_logs(a->log_dir, results, &err))
		goto fail;
	return rc;
fail:
	fprintf(stderr, "hwpsim: %s\n", err->message);
	g_error_free(err);
	return EXIT_BAD_INPUT;
}

static int exit_status(GPtrArray *results)
{
	struct report_counts c;

	report_count(results, NULL, &c);
	if (c.errors)
		return EXIT_BAD_INPUT;
	return c.failed ? EXIT_FAILED : 0;
}

static int run_scenarios(struct run_args *a, struct hwp_run_opts *o)
{
	GPtrArray *files = hwp_collect_scenarios(a->files,
						 (int)g_strv_length(a->files));
	GPtrArray *results = g_ptr_array_new_with_free_func(
		(GDestroyNotify)hwp_result_free);
	char *strategy = sim_strategy_describe(&o->strategy);
	struct report_meta meta = { HWPSIM_VERSION, "run", o->seed, strategy };
	int rc, wrc;

	for (guint i = 0; i < files->len; i++)
		g_ptr_array_add(results, hwp_run_scenario(
					g_ptr_array_index(files, i), o));
	wrc = write_outputs(a, results, &meta);
	if (a->tap)
		report_tap(stdout, results, &meta);
	else
		report_terminal(stdout, results, &meta, a->verbose);
	fflush(stdout);
	rc = exit_status(results);
	if (wrc > rc)
		rc = wrc;
	g_free(strategy);
	g_ptr_array_free(results, TRUE);
	g_ptr_array_free(files, TRUE);
	return rc;
}

static const char run_description[] =
	"Runs each scenario file in a fresh Lua 5.4 state; a directory means\n"
	"every .lua file below it (sorted; scenarios/lib is skipped).\n"
	"\n"
	"Strategies: run-to-block | random | pct[:DEPTH[:STEPS]] |\n"
	"            replay:TRACE (the picks and seed of a --trace file)\n"
	"Exit status: 0 all passed, 1 a scenario failed, 2 bad input.";

static GOptionEntry *run_entries(struct run_args *a)
{
	GOptionEntry e[] = {
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &a->seed,
		  "Seed of every scenario's PRNG and scheduler (default 1)",
		  "N" },
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &a->strategy,
		  "Scheduling strategy (default random)", "S" },
		{ "policy", 0, 0, G_OPTION_ARG_FILENAME, &a->policy,
		  "Policy switches from a YAML file (hwpoison/policies/)",
		  "FILE" },
		{ "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->set,
		  "Set a policy switch, over the scenario's own and the "
		  "policy file's (repeatable)", "KEY=VALUE" },
		{ "tap", 0, 0, G_OPTION_ARG_NONE, &a->tap,
		  "Print TAP instead of the summary table", NULL },
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &a->junit,
		  "Write JUnit XML to FILE", "FILE" },
		{ "report", 0, 0, G_OPTION_ARG_FILENAME, &a->report,
		  "Write the YAML report to FILE", "FILE" },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &a->log_dir,
		  "Write each scenario's kernel log (dmesg) into DIR", "DIR" },
		{ "trace", 0, 0, G_OPTION_ARG_FILENAME, &a->trace,
		  "Write every scenario's step-numbered trace to FILE",
		  "FILE" },
		{ "max-steps", 0, 0, G_OPTION_ARG_STRING, &a->max_steps,
		  "Scheduling steps a scenario may take (0: no limit)", "N" },
		{ "max-instructions", 0, 0, G_OPTION_ARG_STRING,
		  &a->max_instructions,
		  "Lua VM instructions a scenario may run (0: no limit)",
		  "N" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &a->verbose,
		  "Also show what scenarios printed", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
		  &a->files, NULL, "FILE|DIR..." },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	return g_memdup2(e, sizeof(e));
}

static GOptionContext *run_context(struct run_args *a, GOptionEntry **e)
{
	GOptionContext *ctx = g_option_context_new(NULL);

	*e = run_entries(a);
	g_option_context_set_summary(ctx, "Run scenarios.");
	g_option_context_set_description(ctx, run_description);
	g_option_context_add_main_entries(ctx, *e, NULL);
	return ctx;
}

static int bad_usage(const char *cmd, const char *msg)
{
	fprintf(stderr, "hwpsim %s: %s\nTry 'hwpsim %s --help'.\n", cmd, msg,
		cmd);
	return EXIT_BAD_INPUT;
}

static int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct hwp_run_opts o;
	GOptionEntry *e;
	GOptionContext *ctx = run_context(&a, &e);
	GError *err = NULL;
	int rc;

	g_set_prgname("hwpsim run");
	memset(&o, 0, sizeof(o));
	if (!g_option_context_parse(ctx, &argc, &argv, &err) ||
	    !run_opts_from_args(&a, &o, &err)) {
		rc = bad_usage("run", err->message);
		g_error_free(err);
	} else if (!a.files || !a.files[0]) {
		rc = bad_usage("run", "no scenario given");
	} else {
		rc = run_scenarios(&a, &o);
	}
	hwp_run_opts_clear(&o);
	g_option_context_free(ctx);
	g_free(e);
	run_args_clear(&a);
	return rc;
}

static void print_policies(FILE *out)
{
	GPtrArray *all;

	hwp_register_policies();
	all = sim_policy_all();
	fprintf(out, "\nPolicy switches (--set KEY=VALUE):\n");
	for (guint i = 0; i < all->len; i++) {
		const struct sim_policy_def *d = g_ptr_array_index(all, i);

		fprintf(out, "  %-20s default %s\n  %-20s %s\n", d->name,
			d->def, "", d->doc);
	}
	g_ptr_array_free(all, TRUE);
}

static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "inject", cmd_inject },
	{ "diff", cmd_diff },
	{ "explore", cmd_explore },
	{ "replay", cmd_replay },
	{ "help", cmd_help },
	{ "--help", cmd_help },
	{ "-h", cmd_help },
};

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run")) {
		char *sub[] = { argv[1], (char *)"--help", NULL };

		for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
			if (!strcmp(argv[1], commands[i].name) &&
			    commands[i].fn != cmd_help)
				return commands[i].fn(2, sub);
	}
	if (argc > 1 && !strcmp(argv[1], "run")) {
		struct run_args a = { 0 };
		GOptionEntry *e;
		GOptionContext *ctx = run_context(&a, &e);
		char *h;

		g_set_prgname("hwpsim run");
		h = g_option_context_get_help(ctx, FALSE, NULL);
		fputs(h, stdout);
		print_policies(stdout);
		g_free(h);
		g_free(e);
		g_option_context_free(ctx);
		return 0;
	}
	printf("hwpsim %s - a deterministic simulator of Linux memory-failure "
	       "handling\n\n"
	       "Usage:\n"
	       "  hwpsim run [OPTIONS] FILE|DIR...  run scenarios\n"
	       "  hwpsim diff --a KEY=VALUE... --b KEY=VALUE... FILE|DIR...\n"
	       "                                    one catalogue under two "
	       "policies, the outcomes that differ\n"
	       "  hwpsim inject [--memory SIZE] [--cpus N] FILE...\n"
	       "                                    run mce-inject files: "
	       "severity, action, outcome\n"
	       "  hwpsim explore [OPTIONS] FILE     run one scenario under "
	       "many schedules,\n"
	       "                                    save the first failing "
	       "one\n"
	       "  hwpsim replay [OPTIONS] TRACE     re-run a saved schedule, "
	       "byte for byte\n"
	       "  hwpsim help [COMMAND]             this text, or a "
	       "command's options\n"
	       "  hwpsim version                    the version\n",
	       HWPSIM_VERSION);
	print_policies(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd)
		return cmd_help(0, NULL), EXIT_BAD_INPUT;
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (!strcmp(cmd, commands[i].name)) {
			int rc = commands[i].fn(argc - 1, argv + 1);

			hwp_chunk_cache_clear();
			return rc;
		}
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("hwpsim %s\n", HWPSIM_VERSION);
		return 0;
	}
	fprintf(stderr, "hwpsim: unknown command '%s' (try 'hwpsim help')\n",
		cmd);
	return EXIT_BAD_INPUT;
}
