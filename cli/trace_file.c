/*
 * trace_file.c - a trace file read back as the schedule it records.
 *
 * A trace starts with header lines ("# key: value"): the scenario, the
 * seed, the strategy and one "# set: KEY=VALUE" line per switch the
 * command line changed.  Its "pick" lines with more than one runnable
 * fiber are the choices a replay follows (sim_trace_parse_picks).  The
 * machine's own random numbers come from a stream of the seed that the
 * scheduler never draws from, so seed + switches + picks is the run.
 */
#include <string.h>

#include "cli/options.h"
#include "sim/trace.h"

struct trace_head {
	char *scenario;
	char *strategy;
	bool have_seed;
	uint64_t seed;
	GPtrArray *set;		/* "KEY=VALUE" */
	gsize body_end;		/* where a second trace starts, or length */
};

static bool head_line(struct trace_head *h, const char *path, guint lineno,
		      const char *line, GError **err)
{
	const char *v;

	if (g_str_has_prefix(line, "# scenario: ")) {
		g_free(h->scenario);
		h->scenario = g_strdup(line + 12);
	} else if (g_str_has_prefix(line, "# strategy: ")) {
		g_free(h->strategy);
		h->strategy = g_strdup(line + 12);
	} else if (g_str_has_prefix(line, "# seed: ")) {
		v = line + 8;
		if (!cli_parse_u64("seed", v, &h->seed, NULL)) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s:%u: bad seed '%s'", path, lineno, v);
			return false;
		}
		h->have_seed = true;
	} else if (g_str_has_prefix(line, "# set: ")) {
		v = line + 7;
		if (!strchr(v, '=')) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s:%u: expected '# set: KEY=VALUE'",
				    path, lineno);
			return false;
		}
		g_ptr_array_add(h->set, g_strdup(v));
	}
	return true;
}

/* The headers of the first trace, and where a second one would start. */
static bool read_head(struct trace_head *h, const char *path,
		      const char *text, GError **err)
{
	const char *p = text;
	guint lineno = 0, traces = 0;
	bool in_body = false;

	h->body_end = strlen(text);
	while (*p) {
		const char *nl = strchr(p, '\n');
		gsize len = nl ? (gsize)(nl - p) : strlen(p);
		char *line = g_strndup(p, len);
		bool ok = true;

		lineno++;
		if (g_str_has_prefix(line, "# hwpsim trace: ") &&
		    ++traces > 1) {
			g_free(line);
			h->body_end = (gsize)(p - text);
			if (!in_body)
				break;
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s:%u: a second trace starts here; replay "
				    "takes a file of one trace (run one "
				    "scenario with --trace)", path, lineno);
			return false;
		}
		if (line[0] == '#' && !in_body)
			ok = head_line(h, path, lineno, line, err);
		else if (line[0])
			in_body = true;
		g_free(line);
		if (!ok)
			return false;
		p = nl ? nl + 1 : p + len;
	}
	if (!traces) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:1: not a hwpsim trace (no '# hwpsim trace:' "
			    "header)", path);
		return false;
	}
	return true;
}

bool cli_load_trace(const char *path, struct hwp_run_opts *o,
		    bool seed_given, char **scenario, GError **err)
{
	struct trace_head h = { .set = g_ptr_array_new_with_free_func(g_free) };
	char *text = NULL;
	GArray *picks = NULL;
	bool ok = false;

	if (!g_file_get_contents(path, &text, NULL, err))
		goto out;
	if (!read_head(&h, path, text, err))
		goto out;
	text[h.body_end] = '\0';
	picks = sim_trace_parse_picks(text, path, err);
	if (!picks)
		goto out;
	if (!seed_given && !h.have_seed) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: no '# seed:' header; give --seed", path);
		goto out;
	}
	sim_strategy_clear(&o->strategy);
	memset(&o->strategy, 0, sizeof(o->strategy));
	o->strategy.kind = SIM_STRAT_REPLAY;
	o->strategy.replay = picks;
	picks = NULL;
	if (!seed_given)
		o->seed = h.seed;
	g_free(o->strategy_label);
	o->strategy_label = g_steal_pointer(&h.strategy);
	g_ptr_array_add(h.set, NULL);
	if (!cli_parse_set((char **)h.set->pdata, path, o, err))
		goto out;
	if (scenario)
		*scenario = g_steal_pointer(&h.scenario);
	ok = true;
out:
	if (picks)
		g_array_free(picks, TRUE);
	g_ptr_array_free(h.set, TRUE);
	g_free(h.scenario);
	g_free(h.strategy);
	g_free(text);
	return ok;
}
