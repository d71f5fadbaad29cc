/* main.c - the pecos command line: dispatches to the commands. */
#include <stdio.h>
#include <string.h>

#include "cmd_run.h"

static void usage(FILE *f)
{
    fputs("usage: pecos COMMAND [options]\n"
          "commands:\n"
          "  run      run layers on the RTL array, check them against the golden conv and the\n"
          "           cycle model, report (pecos run --help)\n"
          "  compare-dataflows\n"
          "           the same as pecos run --dataflow all: every layer under the ws, is and\n"
          "           os dataflows, then one comparison table\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "pecos: no command given (commands: run, compare-dataflows; see pecos --help)\n");
        return PECOS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return PECOS_EXIT_PASS;
    }
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "compare-dataflows") == 0) {
        /* pecos run --dataflow all OPTIONS... (a later --dataflow would override it) */
        char *args[argc + 2];
        args[0] = argv[1];
        args[1] = (char *)"--dataflow";
        args[2] = (char *)"all";
        for (int i = 2; i < argc; i++) args[i + 1] = argv[i];
        args[argc + 1] = NULL;
        return cmd_run(argc + 1, args);
    }
    fprintf(stderr, "pecos: unknown command '%s' (commands: run, compare-dataflows; see pecos --help)\n", argv[1]);
    return PECOS_EXIT_USAGE;
}
