/*
 * diff.c - hwpsim diff: one catalogue under two policies, side by side.
 *
 *   hwpsim diff [--policy A.yaml [--policy B.yaml]] [--a KEY=VALUE...]
 *               [--b KEY=VALUE...] [--seed N] [--strategy S] FILE|DIR...
 *
 * Every scenario runs twice, with the same seed and strategy, once with
 * policy A and once with policy B.  For each scenario whose outcome
 * differs - its status, the signals sent (who, which signal and si_code,
 * whether it killed), each memory_failure result, a panic, the engine's
 * findings - the two are printed side by side, the lines only A has
 * marked "A", those only B has marked "B".
 *
 * Exit status, as diff(1): 0 no scenario differs, 1 some do, 2 bad input.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "lua/host.h"

struct diff_args {
	gchar **policy;		/* first: side A's file, second: B's */
	gchar **a;
	gchar **b;
	gchar *seed;
	gchar *strategy;
	gchar **files;
};

static void diff_args_clear(struct diff_args *d)
{
	g_strfreev(d->policy);
	g_strfreev(d->a);
	g_strfreev(d->b);
	g_free(d->seed);
	g_free(d->strategy);
	g_strfreev(d->files);
}

/* Status, outcome lines and findings: what differs between two runs. */
static GPtrArray *outcome_lines(const struct hwp_result *r)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(out, g_strdup_printf("status: %s",
					     hwp_status_name(r->status)));
	for (guint i = 0; i < r->outcomes->len; i++)
		g_ptr_array_add(out, g_strdup(g_ptr_array_index(r->outcomes,
								 i)));
	for (guint i = 0; i < r->findings->len; i++) {
		const struct sim_finding *f = g_ptr_array_index(r->findings, i);

		g_ptr_array_add(out, g_strdup_printf("finding %s: %s", f->kind,
						     f->message));
	}
	return out;
}

/* Is line in list, not yet matched?  Marks it matched (multiset). */
static bool take(GPtrArray *list, guint8 *used, const char *line)
{
	for (guint i = 0; i < list->len; i++) {
		if (!used[i] && !strcmp(g_ptr_array_index(list, i), line)) {
			used[i] = 1;
			return true;
		}
	}
	return false;
}

/* Print the lines only one side has; true if there were any. */
static bool print_difference(const char *file, GPtrArray *a, GPtrArray *b)
{
	guint8 *used_a = g_new0(guint8, a->len + 1);
	guint8 *used_b = g_new0(guint8, b->len + 1);
	bool differs = false;

	for (guint i = 0; i < a->len; i++)
		if (take(b, used_b, g_ptr_array_index(a, i)))
			used_a[i] = 1;
	for (guint i = 0; i < a->len; i++)
		differs |= !used_a[i];
	for (guint i = 0; i < b->len; i++)
		differs |= !used_b[i];
	if (differs) {
		printf("\n%s\n", file);
		for (guint i = 0; i < a->len; i++)
			if (!used_a[i])
				printf("  A  %s\n",
				       (char *)g_ptr_array_index(a, i));
		for (guint i = 0; i < b->len; i++)
			if (!used_b[i])
				printf("  B  %s\n",
				       (char *)g_ptr_array_index(b, i));
	}
	g_free(used_a);
	g_free(used_b);
	return differs;
}

static bool make_opts(struct diff_args *d, char **set, const char *file,
		      struct hwp_run_opts *o, GError **err)
{
	hwp_run_opts_default(o);
	if (file && !cli_load_policy_file(file, o, err))
		return false;
	if (d->seed)
		o->seed = g_ascii_strtoull(d->seed, NULL, 0);
	if (d->strategy && sim_strategy_parse(d->strategy, &o->strategy, err))
		return false;
	return cli_parse_set(set, set == d->a ? "--a" : "--b", o, err);
}

static const char *policy_file(struct diff_args *d, int side)
{
	return d->policy && (int)g_strv_length(d->policy) > side ?
	       d->policy[side] : NULL;
}

static bool check_policies(struct diff_args *d, GError **err)
{
	if (d->policy && g_strv_length(d->policy) > 2) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--policy: at most two files, A and B");
		return false;
	}
	return true;
}

static char *describe(const char *file, char **set)
{
	GString *s = g_string_new(file ? file : "");

	for (int i = 0; set && set[i]; i++)
		g_string_append_printf(s, "%s%s", s->len ? " " : "", set[i]);
	if (!s->len)
		g_string_append(s, "(defaults)");
	return g_string_free(s, FALSE);
}

static int run_diff(struct diff_args *d, struct hwp_run_opts *oa,
		    struct hwp_run_opts *ob)
{
	GPtrArray *files = hwp_collect_scenarios(d->files,
						 (int)g_strv_length(d->files));
	char *da = describe(policy_file(d, 0), d->a);
	char *db = describe(policy_file(d, 1), d->b);
	unsigned int differ = 0, errors = 0;

	printf("hwpsim diff: A = %s, B = %s (seed %llu)\n", da, db,
	       (unsigned long long)oa->seed);
	for (guint i = 0; i < files->len; i++) {
		const char *f = g_ptr_array_index(files, i);
		struct hwp_result *ra = hwp_run_scenario(f, oa);
		struct hwp_result *rb = hwp_run_scenario(f, ob);
		GPtrArray *la = outcome_lines(ra), *lb = outcome_lines(rb);

		if (ra->status == HWP_ERROR && rb->status == HWP_ERROR)
			errors++;
		differ += print_difference(f, la, lb);
		g_ptr_array_free(la, TRUE);
		g_ptr_array_free(lb, TRUE);
		hwp_result_free(ra);
		hwp_result_free(rb);
	}
	printf("\n%u scenario%s, %u differ%s between A and B\n", files->len,
	       files->len == 1 ? "" : "s", differ, differ == 1 ? "s" : "");
	g_free(da);
	g_free(db);
	g_ptr_array_free(files, TRUE);
	if (errors)
		return 2;
	return differ ? 1 : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args d = { 0 };
	GOptionEntry entries[] = {
		{ "policy", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &d.policy,
		  "A YAML policy file: the first for A, the second for B",
		  "FILE" },
		{ "a", 0, 0, G_OPTION_ARG_STRING_ARRAY, &d.a,
		  "A policy switch of side A (repeatable)", "KEY=VALUE" },
		{ "b", 0, 0, G_OPTION_ARG_STRING_ARRAY, &d.b,
		  "A policy switch of side B (repeatable)", "KEY=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &d.seed,
		  "Seed of both runs (default 1)", "N" },
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &d.strategy,
		  "Scheduling strategy of both runs", "S" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
		  &d.files, NULL, "FILE|DIR..." },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	struct hwp_run_opts oa, ob;
	GError *err = NULL;
	int rc;

	memset(&oa, 0, sizeof(oa));
	memset(&ob, 0, sizeof(ob));
	g_set_prgname("hwpsim diff");
	g_option_context_set_summary(ctx, "Run scenarios under two policies "
				     "and show every outcome that differs.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	hwp_register_policies();
	if (!g_option_context_parse(ctx, &argc, &argv, &err) ||
	    !check_policies(&d, &err) ||
	    !make_opts(&d, d.a, policy_file(&d, 0), &oa, &err) ||
	    !make_opts(&d, d.b, policy_file(&d, 1), &ob, &err)) {
		fprintf(stderr, "hwpsim diff: %s\nTry 'hwpsim diff --help'.\n",
			err->message);
		g_error_free(err);
		rc = 2;
	} else if (!d.files || !d.files[0]) {
		fprintf(stderr, "hwpsim diff: no scenario given\n");
		rc = 2;
	} else {
		rc = run_diff(&d, &oa, &ob);
	}
	hwp_run_opts_clear(&oa);
	hwp_run_opts_clear(&ob);
	g_option_context_free(ctx);
	diff_args_clear(&d);
	return rc;
}
