/* diff.h - the hwpsim diff command. */
#ifndef HWPSIM_CLI_DIFF_H
#define HWPSIM_CLI_DIFF_H

int cmd_diff(int argc, char **argv);

#endif
