/* cli.h - the exit status of every pecos command: the command line alone chooses it.
 *
 * Library code returns 0 or a negative PECOS_E* code (pecos_err.h) and, where it checks,
 * whether every check passed; the commands (host/cmd_*.c) map that through
 * pecos_exit_code() and nowhere else decide a process exit code. */
#ifndef PECOS_CLI_H
#define PECOS_CLI_H

#include <stdbool.h>

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

#endif
