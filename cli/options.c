/*
 * options.c - command-line pieces the hwpsim commands share.
 */
#include "cli/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/policy.h"

static void kv_free(gpointer p)
{
	struct hwp_policy_kv *kv = p;

	g_free(kv->key);
	g_free(kv->value);
	g_free(kv);
}

static bool parse_one(const char *arg, const char *opt,
		      struct hwp_run_opts *o, GError **err)
{
	const char *eq = strchr(arg, '=');
	struct hwp_policy_kv *kv;
	struct sim_policy *probe;
	bool ok;

	if (!eq || eq == arg) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: expected KEY=VALUE, got '%s'", opt, arg);
		return false;
	}
	kv = g_new0(struct hwp_policy_kv, 1);
	kv->key = g_strndup(arg, (gsize)(eq - arg));
	kv->value = g_strdup(eq + 1);
	g_ptr_array_add(o->policy_overrides, kv);
	probe = sim_policy_new();
	ok = sim_policy_set(probe, kv->key, kv->value, true, err);
	sim_policy_free(probe);
	if (!ok)
		g_prefix_error(err, "%s: ", opt);
	return ok;
}

bool cli_parse_set(char **set, const char *opt, struct hwp_run_opts *o,
		   GError **err)
{
	hwp_register_policies();
	/* After a policy file's switches: the later setting wins. */
	if (!o->policy_overrides)
		o->policy_overrides = g_ptr_array_new_with_free_func(kv_free);
	for (int i = 0; set && set[i]; i++)
		if (!parse_one(set[i], opt, o, err))
			return false;
	return true;
}

bool cli_parse_u64(const char *opt, const char *txt, uint64_t *out,
		   GError **err)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(txt, &end, 0);
	if (!*txt || *end || errno || txt[0] == '-') {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: '%s' is not a non-negative integer", opt, txt);
		return false;
	}
	*out = v;
	return true;
}
