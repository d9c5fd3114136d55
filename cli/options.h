/* options.h - command-line pieces the hwpsim commands share. */
#ifndef HWPSIM_CLI_OPTIONS_H
#define HWPSIM_CLI_OPTIONS_H

#include <glib.h>
#include <stdbool.h>

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

#endif
