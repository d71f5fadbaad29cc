/* main.c - the pecos command line: dispatches to the commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_analyze.h"
#include "cmd_eval.h"
#include "cmd_onnx.h"
#include "cmd_regress.h"
#include "cmd_run.h"

static void usage(FILE *f)
{
    fputs("usage: pecos COMMAND [options]\n"
          "commands:\n"
          "  run      run layers (--layer), a whole network (--network CSV) or a quantized\n"
          "           ONNX model (--onnx) on the RTL, check every layer against the golden\n"
          "           models and the cycle models, report (pecos run --help)\n"
          "  compare-dataflows\n"
          "           the same as pecos run --dataflow all: every layer under the ws, is and\n"
          "           os dataflows, then one comparison table\n"
          "  analyze  MACs, weights, traffic, intensity and roofline of a network CSV\n"
          "           (pecos analyze --help)\n"
          "  onnx-test\n"
          "           run ONNX backend test case directories through the golden operators\n"
          "           (and the RTL with --rtl) and compare with their expected outputs\n"
          "           (pecos onnx-test --help)\n"
          "  eval     top-1 accuracy of a quantized ONNX classifier over a labelled data set,\n"
          "           every image on the RTL and on the golden path (pecos eval --help)\n"
          "  regress  expand a sweep spec into pecos run jobs, run them locally (-j N) or as\n"
          "           a Slurm job array (--slurm), merge one JSON/JUnit/HTML report\n"
          "           (pecos regress --help)\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "pecos: no command given (commands: run, compare-dataflows, analyze, onnx-test, eval, regress; see pecos --help)\n");
        return PECOS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return PECOS_EXIT_PASS;
    }
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "analyze") == 0) return cmd_analyze(argc - 1, argv + 1);
    if (strcmp(argv[1], "onnx-test") == 0) return cmd_onnx_test(argc - 1, argv + 1);
    if (strcmp(argv[1], "eval") == 0) return cmd_eval(argc - 1, argv + 1);
    if (strcmp(argv[1], "regress") == 0) return cmd_regress(argc - 1, argv + 1);
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
    fprintf(stderr, "pecos: unknown command '%s' (commands: run, compare-dataflows, analyze, onnx-test, eval, regress; see pecos --help)\n", argv[1]);
    return PECOS_EXIT_USAGE;
}
