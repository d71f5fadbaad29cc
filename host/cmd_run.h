/* cmd_run.h - the `pecos run` command. */
#ifndef PECOS_CMD_RUN_H
#define PECOS_CMD_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "pecos_err.h"

/* Exit codes of every pecos command. */
enum { PECOS_EXIT_PASS = 0, PECOS_EXIT_FAIL = 1, PECOS_EXIT_USAGE = 2 };

/* The exit code of a command from what its library call returned: rc 0 (it ran) or a
 * negative PECOS_E* code, and pass false as soon as one check failed. A failed check, a
 * protocol error of the RTL or memory exhaustion is 1 (FAIL); any other error (bad input,
 * an output that cannot be written) is 2; otherwise 0. */
static inline int pecos_exit_code(int rc, bool pass)
{
    if (!pass || rc == PECOS_ESIM || rc == PECOS_ENOMEM) return PECOS_EXIT_FAIL;
    return rc ? PECOS_EXIT_USAGE : PECOS_EXIT_PASS;
}

/* Runs `pecos run` with argv[0] = "run". Returns a PECOS_EXIT_* code. */
int cmd_run(int argc, char **argv);
void cmd_run_usage(FILE *f);

#endif
