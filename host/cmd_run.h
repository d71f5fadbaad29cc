/* cmd_run.h - the `pecos run` command. */
#ifndef PECOS_CMD_RUN_H
#define PECOS_CMD_RUN_H

#include <stdio.h>

/* Exit codes of every pecos command. */
enum { PECOS_EXIT_PASS = 0, PECOS_EXIT_FAIL = 1, PECOS_EXIT_USAGE = 2 };

/* Runs `pecos run` with argv[0] = "run". Returns a PECOS_EXIT_* code. */
int cmd_run(int argc, char **argv);
void cmd_run_usage(FILE *f);

#endif
