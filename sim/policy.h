/*
 * policy.h - named run-time switches.
 *
 * Each layer registers the switches it reads (the engine its rwlock mode,
 * hwpoison its kill policy and the seed proposals, ...) with the values
 * allowed and a default.  A run holds one value per switch: the default,
 * a scenario's choice, or a command-line override, which wins so that
 * `hwpsim diff` can run one catalogue under two policies.  Reports list
 * every switch sorted by name.
 */
#ifndef HWPSIM_SIM_POLICY_H
#define HWPSIM_SIM_POLICY_H

#include <glib.h>
#include <stdbool.h>

struct sim_policy_def {
	const char *name;		/* "rwlock", "early_kill", ... */
	const char *const *values;	/* NULL-terminated; NULL: any int */
	const char *def;		/* default value */
	const char *doc;		/* one line for --help and README */
};

/* Register a table of switches (static storage), once per process. */
void sim_policy_register(const struct sim_policy_def *defs, size_t n);
const struct sim_policy_def *sim_policy_find(const char *name);
/* All registered switches, sorted by name. */
GPtrArray *sim_policy_all(void);

/* One run's values. */
struct sim_policy {
	GHashTable *values;	/* name -> value (strings owned) */
	GHashTable *locked;	/* names set from the command line */
};

struct sim_policy *sim_policy_new(void);
void sim_policy_free(struct sim_policy *p);
/* Checks name and value; from_cli values cannot be changed later. */
bool sim_policy_set(struct sim_policy *p, const char *name,
		    const char *value, bool from_cli, GError **err);
const char *sim_policy_get(const struct sim_policy *p, const char *name);
bool sim_policy_is(const struct sim_policy *p, const char *name,
		   const char *value);
/* Sorted "name" / "value" pairs of every registered switch. */
GPtrArray *sim_policy_snapshot(const struct sim_policy *p);

/* The engine's own switches. */
void sim_policy_register_engine(void);

#endif
