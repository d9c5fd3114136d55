/*
 * policy_file.c - policy switches from a YAML file (--policy FILE).
 *
 * A policy file is a YAML mapping of switch names to values, as
 * `hwpsim help` lists them, plus an optional free-text `description`:
 *
 *	description: seed 003, vm.memory_failure_dirty_panic
 *	dirty_pagecache: panic
 *
 * Every value is checked against the switch it names; a problem is
 * reported with the file and line, and stops the command before anything
 * runs.  The files of hwpoison/policies/ are 6.1's defaults and the seeds'
 * proposals.
 */
#include "cli/options.h"

#include <string.h>
#include <yaml.h>

#include "sim/policy.h"

static void kv_free(gpointer p)
{
	struct hwp_policy_kv *kv = p;

	g_free(kv->key);
	g_free(kv->value);
	g_free(kv);
}

static bool fail_at(GError **err, const char *path, size_t line,
		    const char *fmt, const char *what)
{
	char *msg = g_strdup_printf(fmt, what);

	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s:%zu: %s",
		    path, line + 1, msg);
	g_free(msg);
	return false;
}

/* The next event that is not stream/document framing. */
static bool next_event(yaml_parser_t *p, yaml_event_t *ev, const char *path,
		       GError **err)
{
	for (;;) {
		if (!yaml_parser_parse(p, ev))
			return fail_at(err, path, p->problem_mark.line, "%s",
				       p->problem ? p->problem :
				       "not valid YAML");
		if (ev->type != YAML_STREAM_START_EVENT &&
		    ev->type != YAML_DOCUMENT_START_EVENT)
			return true;
		yaml_event_delete(ev);
	}
}

static bool add_switch(struct hwp_run_opts *o, const char *path,
		       size_t line, const char *key, const char *value,
		       GError **err)
{
	struct sim_policy *probe = sim_policy_new();
	struct hwp_policy_kv *kv;
	GError *perr = NULL;
	bool ok = sim_policy_set(probe, key, value, true, &perr);

	sim_policy_free(probe);
	if (!ok) {
		fail_at(err, path, line, "%s", perr->message);
		g_error_free(perr);
		return false;
	}
	kv = g_new0(struct hwp_policy_kv, 1);
	kv->key = g_strdup(key);
	kv->value = g_strdup(value);
	g_ptr_array_add(o->policy_overrides, kv);
	return true;
}

/* The body: scalar key, scalar value pairs until the mapping ends. */
static bool read_mapping(yaml_parser_t *p, struct hwp_run_opts *o,
			 const char *path, GError **err)
{
	yaml_event_t k, v;
	bool ok = true;

	while (ok && next_event(p, &k, path, err)) {
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return true;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			ok = fail_at(err, path, k.start_mark.line, "%s",
				     "expected a switch name");
		} else if (!next_event(p, &v, path, err)) {
			ok = false;
		} else {
			const char *key = (const char *)k.data.scalar.value;

			if (v.type != YAML_SCALAR_EVENT)
				ok = fail_at(err, path, v.start_mark.line,
					     "the value of '%s' must be a "
					     "plain value", key);
			else if (strcmp(key, "description"))
				ok = add_switch(o, path, k.start_mark.line, key,
					(const char *)v.data.scalar.value,
					err);
			yaml_event_delete(&v);
		}
		yaml_event_delete(&k);
	}
	return false;
}

bool cli_load_policy_file(const char *path, struct hwp_run_opts *o,
			  GError **err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	char *text = NULL;
	gsize len = 0;
	bool ok;

	hwp_register_policies();
	if (!o->policy_overrides)
		o->policy_overrides = g_ptr_array_new_with_free_func(kv_free);
	if (!g_file_get_contents(path, &text, &len, err))
		return false;
	memset(&ev, 0, sizeof(ev));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	ok = next_event(&parser, &ev, path, err);
	if (ok && ev.type != YAML_MAPPING_START_EVENT)
		ok = fail_at(err, path, ev.start_mark.line, "%s",
			     "a policy file is a mapping of switch: value");
	if (ok)
		ok = read_mapping(&parser, o, path, err);
	yaml_event_delete(&ev);
	yaml_parser_delete(&parser);
	g_free(text);
	return ok;
}
