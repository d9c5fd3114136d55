/*
 * commands.h - the hwpsim commands, one file each, dispatched by main.c.
 *
 * Each takes the command's own argv (argv[0] is the command name) and
 * returns the exit status: 0 success, 1 a scenario failed (or, for diff,
 * the outcomes differ), 2 bad input.
 */
#ifndef HWPSIM_CLI_COMMANDS_H
#define HWPSIM_CLI_COMMANDS_H

int cmd_inject(int argc, char **argv);	/* cli/inject.c */
void cmd_inject_help(void);
int cmd_diff(int argc, char **argv);	/* cli/diff.c */
int cmd_explore(int argc, char **argv);	/* cli/explore.c */
int cmd_replay(int argc, char **argv);	/* cli/replay.c */

#endif
