/*
 * policy.c - the registry of run-time switches and one run's values.
 */
#include "sim/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static GPtrArray *registry;	/* const struct sim_policy_def * */

static gint def_cmp(gconstpointer a, gconstpointer b)
{
	const struct sim_policy_def *x = *(const struct sim_policy_def **)a;
	const struct sim_policy_def *y = *(const struct sim_policy_def **)b;

	return strcmp(x->name, y->name);
}

void sim_policy_register(const struct sim_policy_def *defs, size_t n)
{
	if (!registry)
		registry = g_ptr_array_new();
	for (size_t i = 0; i < n; i++) {
		if (sim_policy_find(defs[i].name))
			continue;
		g_ptr_array_add(registry, (gpointer)&defs[i]);
	}
	g_ptr_array_sort(registry, def_cmp);
}

const struct sim_policy_def *sim_policy_find(const char *name)
{
	if (!registry)
		return NULL;
	for (guint i = 0; i < registry->len; i++) {
		const struct sim_policy_def *d = g_ptr_array_index(registry, i);

		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

GPtrArray *sim_policy_all(void)
{
	GPtrArray *all = g_ptr_array_new();

	for (guint i = 0; registry && i < registry->len; i++)
		g_ptr_array_add(all, g_ptr_array_index(registry, i));
	return all;
}

struct sim_policy *sim_policy_new(void)
{
	struct sim_policy *p = g_new0(struct sim_policy, 1);

	p->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  g_free);
	p->locked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  NULL);
	return p;
}

void sim_policy_free(struct sim_policy *p)
{
	if (!p)
		return;
	g_hash_table_destroy(p->values);
	g_hash_table_destroy(p->locked);
	g_free(p);
}

static bool value_ok(const struct sim_policy_def *d, const char *value)
{
	char *end;

	if (!d->values) {
		errno = 0;
		(void)strtol(value, &end, 0);
		return *value && !*end && !errno;
	}
	for (const char *const *v = d->values; *v; v++)
		if (!strcmp(*v, value))
			return true;
	return false;
}

static char *allowed(const struct sim_policy_def *d)
{
	if (!d->values)
		return g_strdup("an integer");
	return g_strjoinv(" | ", (gchar **)d->values);
}

bool sim_policy_set(struct sim_policy *p, const char *name,
		    const char *value, bool from_cli, GError **err)
{
	const struct sim_policy_def *d = sim_policy_find(name);

	if (!d) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "unknown policy switch '%s'", name);
		return false;
	}
	if (!value_ok(d, value)) {
		char *a = allowed(d);

		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "bad value '%s' for policy switch '%s' "
			    "(expected %s)", value, name, a);
		g_free(a);
		return false;
	}
	/* The command line has the last word over a scenario's default. */
	if (!from_cli && g_hash_table_contains(p->locked, name))
		return true;
	g_hash_table_replace(p->values, g_strdup(name), g_strdup(value));
	if (from_cli)
		g_hash_table_add(p->locked, g_strdup(name));
	return true;
}

const char *sim_policy_get(const struct sim_policy *p, const char *name)
{
	const struct sim_policy_def *d = sim_policy_find(name);
	const char *v = p ? g_hash_table_lookup(p->values, name) : NULL;

	if (v)
		return v;
	return d ? d->def : NULL;
}

bool sim_policy_is(const struct sim_policy *p, const char *name,
		   const char *value)
{
	const char *v = sim_policy_get(p, name);

	return v && !strcmp(v, value);
}

GPtrArray *sim_policy_snapshot(const struct sim_policy *p)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; registry && i < registry->len; i++) {
		const struct sim_policy_def *d = g_ptr_array_index(registry, i);

		g_ptr_array_add(out, g_strdup(d->name));
		g_ptr_array_add(out, g_strdup(sim_policy_get(p, d->name)));
	}
	return out;
}

static const char *const rwlock_modes[] = { "fair", "reader-preferring",
					     NULL };

static const struct sim_policy_def engine_defs[] = {
	{ "rwlock", rwlock_modes, "fair",
	  "rwlock_t fairness: fair (queued rwlocks, a reader waits behind a "
	  "waiting writer) or reader-preferring (readers pass waiting "
	  "writers, the 2009 rwlock_t)" },
};

void sim_policy_register_engine(void)
{
	sim_policy_register(engine_defs, G_N_ELEMENTS(engine_defs));
}
