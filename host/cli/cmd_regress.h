/* cmd_regress.h - the `pecos regress SPEC` command: sweeps run locally or as a Slurm job
 * array, one merged report (docs/REGRESS.md). */
#ifndef PECOS_CMD_REGRESS_H
#define PECOS_CMD_REGRESS_H

#include <stdio.h>

/* Runs `pecos regress` with argv[0] = "regress". Returns 0 (every job passed), 1 (a job failed
 * or errored), 2 (bad spec or usage) or 130 (interrupted). */
int cmd_regress(int argc, char **argv);
void cmd_regress_usage(FILE *f);

#endif
