/*
 * replay.c - hwpsim replay: run a saved schedule again, byte for byte.
 *
 *   hwpsim replay [--seed N] [--set K=V...] [--scenario FILE] [-v] TRACE
 *
 * TRACE is a trace file as `hwpsim explore` saves it for a failing
 * schedule, or as `hwpsim run --trace` writes it for one scenario.  Its
 * headers name the scenario, the seed and the switches set on the command
 * line; its pick lines are the schedule.  The scenario runs again under
 * exactly that schedule and its new trace is compared with the file, line
 * by line: a replay is only worth something if it is the same run.
 *
 * Exit status: the scenario's (0 passed, 1 failed, 2 bad input), and 1 as
 * well when the new trace differs from the file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/version.h"
#include "lua/host.h"

struct replay_args {
	gchar *seed;
	gchar **set;
	gchar *scenario;
	gboolean verbose;
	gchar **files;
};

static void replay_args_clear(struct replay_args *a)
{
	g_free(a->seed);
	g_strfreev(a->set);
	g_free(a->scenario);
	g_strfreev(a->files);
}

/* 0-based index of the first differing line, or -1 if equal. */
static gssize first_difference(gchar **a, gchar **b)
{
	gssize i = 0;

	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return i;
	return a[i] || b[i] ? i : -1;
}

/* Compare the replayed trace with the recorded one; true if identical. */
static bool compare_traces(const char *path, const char *recorded,
			   const char *replayed, FILE *out)
{
	gchar **a = g_strsplit(recorded, "\n", -1);
	gchar **b = g_strsplit(replayed, "\n", -1);
	gssize d = first_difference(a, b);

	if (d < 0)
		fprintf(out, "trace: byte-identical to %s (%u lines)\n", path,
			g_strv_length(a) - 1);
	else
		fprintf(out, "trace: differs from %s at line %zd\n"
			"  recorded: %s\n  replayed: %s\n", path, d + 1,
			a[d] ? a[d] : "(end of file)",
			b[d] ? b[d] : "(end of trace)");
	g_strfreev(a);
	g_strfreev(b);
	return d < 0;
}

static int replay_one(const char *path, struct replay_args *a,
		      struct hwp_run_opts *o, const char *scenario)
{
	char *recorded = NULL, *strategy;
	struct report_meta meta = { HWPSIM_VERSION, "replay", o->seed, NULL };
	GPtrArray *results = g_ptr_array_new_with_free_func(
		(GDestroyNotify)hwp_result_free);
	struct hwp_result *r;
	GError *err = NULL;
	int rc;

	if (!g_file_get_contents(path, &recorded, NULL, &err)) {
		fprintf(stderr, "hwpsim replay: %s\n", err->message);
		g_error_free(err);
		g_ptr_array_free(results, TRUE);
		return 2;
	}
	o->keep_trace = true;
	r = hwp_run_scenario(scenario, o);
	g_ptr_array_add(results, r);
	strategy = sim_strategy_describe(&o->strategy);
	meta.strategy = strategy;
	report_terminal(stdout, results, &meta, a->verbose);
	rc = r->status == HWP_PASS ? 0 : r->status == HWP_FAIL ? 1 : 2;
	if (r->trace && !compare_traces(path, recorded, r->trace, stdout) &&
	    rc == 0)
		rc = 1;
	fflush(stdout);
	g_free(strategy);
	g_free(recorded);
	g_ptr_array_free(results, TRUE);
	return rc;
}

static const char replay_description[] =
	"TRACE is a trace file as `hwpsim explore` saves it, or as\n"
	"`hwpsim run --trace` writes it for one scenario.  The scenario, the\n"
	"seed and the policy switches come from its headers, the schedule\n"
	"from its pick lines; the new trace is compared with the file.\n"
	"\n"
	"Exit status: 0 passed and identical, 1 the scenario failed or the\n"
	"trace differs, 2 bad input.";

int cmd_replay(int argc, char **argv)
{
	struct replay_args a = { 0 };
	GOptionEntry e[] = {
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &a.seed,
		  "Seed (default: the trace's)", "N" },
		{ "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.set,
		  "Set a policy switch, over the trace's (repeatable)",
		  "KEY=VALUE" },
		{ "scenario", 0, 0, G_OPTION_ARG_FILENAME, &a.scenario,
		  "Scenario file (default: the trace's)", "FILE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &a.verbose,
		  "Also show what the scenario printed", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
		  &a.files, NULL, "TRACE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	struct hwp_run_opts o;
	char *scenario = NULL;
	GError *err = NULL;
	int rc = 2;

	g_set_prgname("hwpsim replay");
	g_option_context_set_summary(ctx, "Re-run a saved schedule.");
	g_option_context_set_description(ctx, replay_description);
	g_option_context_add_main_entries(ctx, e, NULL);
	hwp_run_opts_default(&o);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		goto bad;
	if (!a.files || !a.files[0] || a.files[1]) {
		g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "give exactly one trace file");
		goto bad;
	}
	if (a.seed && !cli_parse_u64("--seed", a.seed, &o.seed, &err))
		goto bad;
	if (!cli_load_trace(a.files[0], &o, a.seed != NULL, &scenario, &err) ||
	    !cli_parse_set(a.set, "--set", &o, &err))
		goto bad;
	if (a.scenario) {
		g_free(scenario);
		scenario = g_strdup(a.scenario);
	}
	if (!scenario) {
		g_set_error(&err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: no '# scenario:' header; give --scenario",
			    a.files[0]);
		goto bad;
	}
	rc = replay_one(a.files[0], &a, &o, scenario);
	goto out;
bad:
	fprintf(stderr, "hwpsim replay: %s\nTry 'hwpsim replay --help'.\n",
		err->message);
	g_error_free(err);
out:
	g_free(scenario);
	hwp_run_opts_clear(&o);
	g_option_context_free(ctx);
	replay_args_clear(&a);
	return rc;
}
