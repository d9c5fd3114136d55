/* options.h - command-line pieces the hwpsim commands share. */
#ifndef HWPSIM_CLI_OPTIONS_H
#define HWPSIM_CLI_OPTIONS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "lua/host.h"

/*
 * KEY=VALUE policy switches into o->policy_overrides, each checked now
 * against the registered switches so a typo stops the command before
 * anything runs; errors are prefixed with opt ("--set").
 */
bool cli_parse_set(char **set, const char *opt, struct hwp_run_opts *o,
		   GError **err);

/*
 * The switches of a YAML policy file (a mapping of switch: value, and an
 * optional description) appended to o->policy_overrides; errors name the
 * file and line.
 */
bool cli_load_policy_file(const char *path, struct hwp_run_opts *o,
			  GError **err);

/* A non-negative integer option value (decimal, 0x hex or 0 octal). */
bool cli_parse_u64(const char *opt, const char *txt, uint64_t *out,
		   GError **err);

/*
 * A trace file (as `run --trace` or `explore` writes it) read back as a
 * schedule: o gets the replay strategy with its picks, its seed (unless
 * seed_given) and its `# set:` switches; *scenario, if not NULL, gets the
 * `# scenario:` header (caller frees).  Errors name the file and line.
 */
bool cli_load_trace(const char *path, struct hwp_run_opts *o,
		    bool seed_given, char **scenario, GError **err);

#endif
