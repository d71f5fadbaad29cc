/* cmd_run.h - the `pecos run` command. */
#ifndef PECOS_CMD_RUN_H
#define PECOS_CMD_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h" /* PECOS_EXIT_*, pecos_exit_code */

/* Runs `pecos run` with argv[0] = "run". Returns a PECOS_EXIT_* code. */
int cmd_run(int argc, char **argv);
struct run_opts;
/* Runs `pecos run` with the options run_opts_parse() gave (run_opts.h); o->backend, when
 * set, runs the layers (pecos-sc). Returns a PECOS_EXIT_* code. */
int cmd_run_opts(struct run_opts *o);
void cmd_run_usage(FILE *f);

#endif
