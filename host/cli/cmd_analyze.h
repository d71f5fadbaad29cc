/* cmd_analyze.h - the `pecos analyze NETWORK.csv` command: per-layer MACs, weights, traffic,
 * FLOPs, arithmetic intensity and roofline of a topology file (see analyze.h), no simulation. */
#ifndef PECOS_CMD_ANALYZE_H
#define PECOS_CMD_ANALYZE_H

#include <stdio.h>

/* Runs `pecos analyze` with argv[0] = "analyze". Returns a PECOS_EXIT_* code (2 for bad
 * options or input, one line on stderr). */
int cmd_analyze(int argc, char **argv);
void cmd_analyze_usage(FILE *f);

#endif
