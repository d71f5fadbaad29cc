#define _POSIX_C_SOURCE 200809L
#include "cmd_run.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_opts.h"
#include "energy.h"
#include "fpconv.h"
#include "layer_spec.h"
#include "layer_run.h"
#include "net_run.h"
#include "onnx_run.h"
#include "memsys.h"
#include "npy.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "pecos_types.h"
#include "report.h"
#include "replay.h"
#include "report_csv.h"
#include "rng.h"
#include "simlib.h"
#include "tiler.h"
#include "topo.h"
#include "wave_view.h"

#define MAX_LAYERS 256

typedef struct {
    layer_t layers[MAX_LAYERS];
    int nlayers;
    int rows, cols;
    bool df_all;                  /* --dataflow all */
    pecos_df_t df;                /* --dataflow, unless all */
    pecos_dtype_t dtype;          /* --dtype */
    int ndf, dfs[3];              /* the dataflows to run (DF_*), in order */
    uint64_t seed;
    bool seed_given, wave_from_given, wave_to_given;
    bool no_build; /* --no-build: a model library that is not built is an error */
    const char *ifmap_path, *weights_path, *bias_path, *out_path, *json_path;
    const char *wave_path;
    uint64_t wave_from, wave_to;
    const char *wave_fail_path;   /* --wave-on-fail FILE.fst */
    char wave_fail_gtkw[4096];    /* its GTKWave save file: FILE.gtkw */
    uint64_t fault_cycle;
    mem_cfg_t mem;
    const char *energy_path, *trace_path;
    const char *network_path, *csv_path, *plot_dir;
    const char *replay_dir; /* --replay-dump: DIR/<dataflow>.replay per dataflow */
    const char *onnx_path, *input_path; /* --onnx MODEL.onnx, --input X.npy */
    bool require_rtl;                   /* --require-rtl (with --onnx) */
    bool tile_forced, glb_default;
    tiling_t tile;
    energy_table_t etab;
    FILE *trace;
    int argc;
    char **argv;
} run_opts_t;

void cmd_run_usage(FILE *f)
{
    fputs("usage: pecos run --layer conv,h=H,w=W,c=C,k=K,r=R,s=S[,stride=N][,pad=N][,name=X]\n"
          "                 [,stride_h=N][,stride_w=N][,dil=N][,dil_h=N][,dil_w=N]\n"
          "                 [,pad_t=N][,pad_l=N][,pad_b=N][,pad_r=N][,pad_value=V (int8)]\n"
          "                 (or --layer fc,c=IN,k=OUT; repeatable)\n"
          "       pecos run --network NETWORK.csv [--ifmap X.npy] [--out Y.npy] [--csv F.csv]\n"
          "                 [--plot DIR] (a whole int8 network, chained through the\n"
          "                  post-processing unit; models/networks/*.csv)\n"
          "       pecos run --onnx MODEL.onnx [--input X.npy] [--out Y.npy] [--json F.json]\n"
          "                 [--require-rtl] (a conv/matmul node on the golden models only fails)\n"
          "                 (a quantized ONNX model: conv/matmul nodes on the int8 array,\n"
          "                  QLinear* requantization and int8 MaxPool on the post-processing\n"
          "                  unit, the rest golden; input from --input, else the model's\n"
          "                  test_data_set_0/input_*.pb, else random from --seed)\n"
          "                 [--rows N --cols N] [--dataflow ws|is|os|all (ws)] [--dtype int8|bf16|fp16]\n"
          "                 (all: every layer under the three dataflows, then one comparison\n"
          "                  table; the same as pecos compare-dataflows)\n"
          "                 [--seed N | --ifmap X.npy --weights W.npy [--bias B.npy]]\n"
          "                 (int8: int8 tensors, int32 bias; bf16: uint16 bits or float32;\n"
          "                  fp16: float16 or float32; fp bias float32; --out is int32/float32)\n"
          "                 [--out Y.npy] [--json REPORT.json] [--csv REPORT.csv]\n"
          "                 [--wave F.fst [--wave-from CYCLE] [--wave-to CYCLE]]\n"
          "                 [--wave-on-fail F.fst]  (--layer, --network: the first layer whose\n"
          "                  output mismatches is re-run on the tracing model with a window\n"
          "                  around the mismatch into F.fst, with a GTKWave save file F.gtkw)\n"
          "                 [--no-build]  (a model library that is not built is an error\n"
          "                  instead of being built on first use)\n"
          "                 [--inject-fault CYCLE]   (checker self-test: flip one output bit)\n"
          "                 [--replay-dump DIR]  (--layer runs: DIR/<dataflow>.replay, every\n"
          "                  cycle's lanes in and out, for dv/replay.sh under Icarus)\n"
          "  memory system (defaults: unlimited DRAM bandwidth, latency 0, unbounded GLB; with a\n"
          "  bounded DRAM the GLB defaults to --glb-kib 256):\n"
          "                 [--dram-bw BYTES_PER_CYCLE (0: unlimited)] [--dram-latency CYCLES]\n"
          "                 [--dram-burst BYTES (64)] [--dram-mib N (4096)]\n"
          "                 [--glb-kib N (unified) | --glb-ifmap-kib N --glb-weight-kib N\n"
          "                  --glb-psum-kib N (separate)] [--glb-psum-ports 1|2 (2; 1: ws and is only)]\n"
          "                 [--energy-table FILE] [--trace-dma FILE]\n"
          "                 [--tile k=N,c=N,p=N,order=kpc]  (force a tiling instead of the\n"
          "                  tiler's choice; order outermost first)\n"
          "exit status: 0 all checks pass, 1 a check failed, 2 bad input or usage\n",
          f);
}

/* SCALE-Sim's own topology files list independent layers whose rows do not chain (topo.h):
 * such a --network becomes its rows as --layer runs, said in one line. Returns 0 (converted
 * or left alone: net_run reports any other problem of the file) or -1 (message printed). */
static int network_as_layers(run_opts_t *o)
{
    topo_t t;
    char err[768], err2[512], spec[256];
    if (topo_load(o->network_path, &t, err, sizeof err) != 0) return 0;
    bool all = o->df_all;
    bool chains = topo_check_chain(&t, err, sizeof err) == 0;
    if (!t.scalesim || (chains && !all)) {
        topo_free(&t);
        return 0;
    }
    int rc = 0;
    if (t.n > MAX_LAYERS) {
        fprintf(stderr, "pecos run: --network %s: %d independent layers, at most %d\n", o->network_path,
                t.n, MAX_LAYERS);
        rc = -1;
        goto out;
    }
    for (int i = 0; i < t.n; i++) {
        if (topo_layer_spec(&t.layers[i], spec, sizeof spec) != 0 ||
            layer_parse(spec, i, &o->layers[i], err2, sizeof err2) != 0) {
            fprintf(stderr, "pecos run: --network %s:%d: layer '%s' cannot run as an independent layer\n",
                    o->network_path, t.layers[i].line, t.layers[i].name);
            rc = -1;
            goto out;
        }
    }
    o->nlayers = t.n;
    if (chains)
        fprintf(stderr, "pecos run: --network %s: SCALE-Sim topology under --dataflow all: "
                        "running its %d rows as independent layers\n", o->network_path, t.n);
    else
        fprintf(stderr, "pecos run: --network %s: SCALE-Sim topology whose rows do not chain (%s): "
                        "running its %d rows as independent layers\n",
                o->network_path, strstr(err, "layer '") ? strstr(err, "layer '") : err, t.n);
    o->network_path = NULL;
out:
    topo_free(&t);
    return rc;
}

/* ---- Option table -------------------------------------------------------------------------
 * Every option of pecos run is one row: its name, what its value is, where it goes. Options
 * are read in order, each "--name" exactly (no abbreviation, no "--name=value") followed by
 * its value as the next argument, whatever that argument looks like; a repeated option
 * overrides the earlier one, except --layer, which adds a layer each time. */

typedef enum {
    RO_FLAG, /* no value: sets the bool at off */
    RO_STR,  /* a path or name: the const char * at off */
    RO_U64,  /* an integer in [lo, hi]: stored by store_u64() */
    RO_SPEC, /* a value with its own parser: parse_special() */
} run_opt_kind_t;

typedef struct {
    const char *name;    /* without the leading "--" */
    run_opt_kind_t kind;
    size_t off;          /* RO_FLAG, RO_STR: the field of run_opts_t */
    uint64_t lo, hi;     /* RO_U64: the accepted range */
    const char *bad;     /* the reason in "pecos run: --NAME VALUE: REASON" */
} run_opt_t;

#define RO_F(n, field) {n, RO_FLAG, offsetof(run_opts_t, field), 0, 0, NULL}
#define RO_S(n, field) {n, RO_STR, offsetof(run_opts_t, field), 0, 0, NULL}
#define RO_U(n, lo, hi, bad) {n, RO_U64, 0, lo, hi, bad}
#define RO_X(n, bad) {n, RO_SPEC, 0, 0, 0, bad}

static const run_opt_t run_opt_table[] = {
    RO_F("require-rtl", require_rtl),
    RO_F("no-build", no_build),
    RO_X("layer", NULL),
    RO_U("rows", 1, 256, "must be an integer 1..256"),
    RO_U("cols", 1, 256, "must be an integer 1..256"),
    RO_X("dataflow", "not available (ws, is, os, all)"),
    RO_X("dtype", "not available (int8, bf16, fp16)"),
    RO_U("seed", 0, UINT64_MAX, "must be a non-negative integer"),
    RO_S("ifmap", ifmap_path),
    RO_S("weights", weights_path),
    RO_S("bias", bias_path),
    RO_S("out", out_path),
    RO_S("json", json_path),
    RO_S("wave", wave_path),
    RO_S("wave-on-fail", wave_fail_path),
    RO_S("replay-dump", replay_dir),
    RO_U("wave-from", 0, UINT64_MAX, "must be a cycle number"),
    RO_U("wave-to", 0, UINT64_MAX, "must be a cycle number"),
    RO_X("dram-bw", "must be a number of bytes per cycle >= 0 (0: unlimited)"),
    RO_U("dram-latency", 0, 1000000000, "must be an integer 0..1e9 cycles"),
    RO_U("dram-burst", 1, 4096, "must be an integer 1..4096 bytes"),
    RO_U("dram-mib", 1, 1 << 20, "must be an integer 1..1048576"),
    RO_U("glb-kib", 1, 1 << 24, "must be an integer 1..16777216 KiB"),
    RO_U("glb-ifmap-kib", 1, 1 << 24, "must be an integer 1..16777216 KiB"),
    RO_U("glb-weight-kib", 1, 1 << 24, "must be an integer 1..16777216 KiB"),
    RO_U("glb-psum-kib", 1, 1 << 24, "must be an integer 1..16777216 KiB"),
    RO_U("glb-psum-ports", 1, 2, "must be 1 or 2"),
    RO_X("tile", NULL),
    RO_S("network", network_path),
    RO_S("onnx", onnx_path),
    RO_S("input", input_path),
    RO_S("csv", csv_path),
    RO_S("plot", plot_dir),
    RO_S("energy-table", energy_path),
    RO_S("trace-dma", trace_path),
    RO_U("inject-fault", 0, UINT64_MAX - 1, "must be a cycle number"),
};
#define RUN_NOPTS ((int)(sizeof run_opt_table / sizeof run_opt_table[0]))

/* The row of "--name" spelled exactly, or NULL. */
static const run_opt_t *run_opt_find(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0) return NULL;
    for (int i = 0; i < RUN_NOPTS; i++)
        if (strcmp(arg + 2, run_opt_table[i].name) == 0) return &run_opt_table[i];
    return NULL;
}

/* Stores the integer value u of option r. */
static void store_u64(run_opts_t *o, const run_opt_t *r, uint64_t u)
{
    const char *n = r->name;
    if (strcmp(n, "rows") == 0) o->rows = (int)u;
    else if (strcmp(n, "cols") == 0) o->cols = (int)u;
    else if (strcmp(n, "seed") == 0) o->seed = u, o->seed_given = true;
    else if (strcmp(n, "wave-from") == 0) o->wave_from = u, o->wave_from_given = true;
    else if (strcmp(n, "wave-to") == 0) o->wave_to = u, o->wave_to_given = true;
    else if (strcmp(n, "dram-latency") == 0) o->mem.dram.latency = u;
    else if (strcmp(n, "dram-burst") == 0) o->mem.dram.burst = u;
    else if (strcmp(n, "dram-mib") == 0) o->mem.dram_capacity = u << 20;
    else if (strcmp(n, "glb-kib") == 0) o->mem.glb_total = u << 10;
    else if (strcmp(n, "glb-ifmap-kib") == 0) o->mem.glb_ifmap = u << 10;
    else if (strcmp(n, "glb-weight-kib") == 0) o->mem.glb_weight = u << 10;
    else if (strcmp(n, "glb-psum-kib") == 0) o->mem.glb_psum = u << 10;
    else if (strcmp(n, "glb-psum-ports") == 0) o->mem.psum_ports = (int)u;
    else o->fault_cycle = u; /* inject-fault */
}

/* Parses the value v of an RO_SPEC option r (given as a). Returns 0 or -1 (message printed). */
static int parse_special(run_opts_t *o, const run_opt_t *r, const char *a, const char *v)
{
    char err[512];
    if (strcmp(r->name, "layer") == 0) {
        if (o->nlayers == MAX_LAYERS) {
            fprintf(stderr, "pecos run: --layer: at most %d layers\n", MAX_LAYERS);
            return -1;
        }
        if (layer_parse(v, o->nlayers, &o->layers[o->nlayers], err, sizeof err) != 0) {
            fprintf(stderr, "pecos run: %s\n", err);
            return -1;
        }
        o->nlayers++;
        return 0;
    }
    if (strcmp(r->name, "tile") == 0) {
        if (tiler_parse(v, &o->tile, err, sizeof err) != 0) {
            fprintf(stderr, "pecos run: %s\n", err);
            return -1;
        }
        o->tile_forced = true;
        return 0;
    }
    bool ok;
    if (strcmp(r->name, "dataflow") == 0) {
        pecos_df_t df = DF_WS;
        ok = strcmp(v, "all") == 0 || pecos_df_parse(v, &df) == 0;
        if (ok) o->df_all = strcmp(v, "all") == 0, o->df = df;
    } else if (strcmp(r->name, "dtype") == 0) {
        pecos_dtype_t dt;
        ok = pecos_dtype_parse(v, &dt) == 0;
        if (ok) o->dtype = dt;
    } else { /* dram-bw */
        char *end;
        errno = 0;
        const double bw = strtod(v, &end);
        ok = !(errno || end == v || *end || !(bw >= 0) || bw > 1e9);
        if (ok) o->mem.dram.bw = bw;
    }
    if (!ok) fprintf(stderr, "pecos run: %s %s: %s\n", a, v, r->bad);
    return ok ? 0 : -1;
}

/* Checks the argument at argv[i] before getopt_long sees it, with today's messages: a word
 * that is not an option, an option that is not in the table or lacks its value. Returns the
 * row of the option, or NULL (message printed). */
static const run_opt_t *run_opt_check(int argc, char **argv, int i)
{
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0) {
        fprintf(stderr, "pecos run: unexpected argument '%s'\n", a);
        return NULL;
    }
    const run_opt_t *r = run_opt_find(a);
    if (r && r->kind == RO_FLAG) return r;
    if (i + 1 >= argc) {
        fprintf(stderr, "pecos run: option %s needs a value\n", a);
        return NULL;
    }
    if (!r) fprintf(stderr, "pecos run: unknown option %s (see pecos run --help)\n", a);
    return r;
}

/* Sets the defaults of every option. */
static void run_opts_default(run_opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->rows = o->cols = 16;
    o->df = DF_WS;
    o->dtype = PECOS_INT8;
    o->seed = 1;
    o->wave_to = UINT64_MAX;
    o->fault_cycle = UINT64_MAX;
    o->mem.dram.burst = 64;
    o->mem.dram_capacity = 4096ull << 20;
    o->mem.psum_ports = 2;
    o->argc = argc;
    o->argv = argv;
}

/* Reads argv into o through getopt_long and the option table (no check across options:
 * validate_opts() does that). Returns 0, 1 for --help (usage printed) or -1 (message
 * printed). */
static int parse_args(int argc, char **argv, run_opts_t *o)
{
    struct option longopts[RUN_NOPTS + 1];
    for (int i = 0; i < RUN_NOPTS; i++)
        longopts[i] = (struct option){run_opt_table[i].name,
                                      run_opt_table[i].kind == RO_FLAG ? no_argument : required_argument,
                                      NULL, i};
    longopts[RUN_NOPTS] = (struct option){NULL, 0, NULL, 0};
    run_opts_default(o, argc, argv);
    opterr = 0; /* the messages are ours */
    optind = 1;
    while (optind < argc) {
        const char *a = argv[optind];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_run_usage(stdout);
            return 1;
        }
        const run_opt_t *r = run_opt_check(argc, argv, optind);
        if (!r) return -1;
        /* "+": stop at a non-option instead of permuting (run_opt_check refused those) */
        const int c = getopt_long(argc, argv, "+", longopts, NULL);
        if (c < 0 || c >= RUN_NOPTS || &run_opt_table[c] != r) return -1; /* not reached */
        const char *v = optarg;
        uint64_t u;
        switch (r->kind) {
        case RO_FLAG: *(bool *)((char *)o + r->off) = true; break;
        case RO_STR: *(const char **)((char *)o + r->off) = v; break;
        case RO_U64:
            if (cli_parse_u64(v, r->lo, r->hi, &u) != 0) {
                fprintf(stderr, "pecos run: %s %s: %s\n", a, v, r->bad);
                return -1;
            }
            store_u64(o, r, u);
            break;
        case RO_SPEC:
            if (parse_special(o, r, a, v) != 0) return -1;
            break;
        }
    }
    return 0;
}

/* ---- Validation: the checks across options, in the order they are reported ---------------- */

/* Which of --onnx, --network, --layer, and what goes with each. Returns 0 or -1. */
static int validate_sources(run_opts_t *o)
{
    if (o->network_path && !o->nlayers && !o->onnx_path && network_as_layers(o) != 0) return -1;
    if (o->onnx_path && (o->nlayers || o->network_path)) {
        fprintf(stderr, "pecos run: --onnx, --network and --layer exclude each other\n");
        return -1;
    }
    if (o->require_rtl && !o->onnx_path) {
        fprintf(stderr, "pecos run: --require-rtl goes with --onnx\n");
        return -1;
    }
    if (o->input_path && !o->onnx_path) {
        fprintf(stderr, "pecos run: --input goes with --onnx (--layer and --network take --ifmap)\n");
        return -1;
    }
    if (o->onnx_path && (o->ifmap_path || o->weights_path || o->bias_path || o->tile_forced ||
                         o->csv_path || o->plot_dir || o->df_all)) {
        fprintf(stderr, "pecos run: --onnx takes its weights from the model and its input from "
                        "--input; --ifmap, --weights, --bias, --tile, --csv, --plot and "
                        "--dataflow all go with --layer or --network\n");
        return -1;
    }
    if (o->replay_dir && (o->network_path || o->onnx_path)) {
        fprintf(stderr, "pecos run: --replay-dump works with --layer runs only\n");
        return -1;
    }
    if (o->wave_fail_path && o->onnx_path) {
        fprintf(stderr, "pecos run: --wave-on-fail works with --layer and --network runs (the FAIL "
                        "line's re-run command gives an ONNX model's window)\n");
        return -1;
    }
    if (o->network_path && o->nlayers) {
        fprintf(stderr, "pecos run: --network and --layer exclude each other\n");
        return -1;
    }
    if (o->nlayers == 0 && !o->network_path && !o->onnx_path) {
        fprintf(stderr, "pecos run: no --layer, --network or --onnx given (see pecos run --help)\n");
        return -1;
    }
    for (int i = 0; i < o->nlayers; i++)
        if (o->layers[i].pad_value != 0 && o->dtype != PECOS_INT8) {
            fprintf(stderr, "pecos run: --layer %s: pad_value=%d is int8 only (%s padded cells "
                            "are +0)\n", o->layers[i].name, o->layers[i].pad_value,
                    pecos_dtype_name(o->dtype));
            return -1;
        }
    if (!o->network_path && o->plot_dir) {
        fprintf(stderr, "pecos run: --plot goes with --network\n");
        return -1;
    }
    return 0;
}

/* The dataflows to run and what needs one of them. Returns 0 or -1. */
static int validate_dataflows(run_opts_t *o)
{
    if (o->df_all) {
        o->ndf = 3;
        o->dfs[0] = DF_WS;
        o->dfs[1] = DF_IS;
        o->dfs[2] = DF_OS;
    } else {
        o->ndf = 1;
        o->dfs[0] = o->df;
    }
    if (o->mem.psum_ports == 1 && (o->dfs[0] == DF_OS || o->ndf > 1)) {
        fprintf(stderr, "pecos run: --glb-psum-ports 1: modelled for --dataflow ws and is only "
                        "(the os array reads the psum partition once per block)\n");
        return -1;
    }
    if (o->wave_fail_path && o->ndf > 1) {
        fprintf(stderr, "pecos run: --wave-on-fail needs one --dataflow, not all\n");
        return -1;
    }
    if (o->csv_path && o->ndf > 1) {
        fprintf(stderr, "pecos run: --csv needs one --dataflow, not all (--json holds all three)\n");
        return -1;
    }
    if (o->ndf > 1 && (o->wave_path || o->out_path || o->fault_cycle != UINT64_MAX)) {
        fprintf(stderr, "pecos run: --wave, --out and --inject-fault need one --dataflow, not all\n");
        return -1;
    }
    return 0;
}

/* The operand files (--ifmap, --weights, --bias, --out). Returns 0 or -1. */
static int validate_files(const run_opts_t *o)
{
    bool files = o->ifmap_path || o->weights_path || o->bias_path;
    if (o->network_path && (o->weights_path || o->bias_path || o->tile_forced || o->ndf > 1)) {
        fprintf(stderr, "pecos run: --network takes its weights from the seed; --weights, --bias, "
                        "--tile and --dataflow all go with --layer\n");
        return -1;
    }
    if (o->network_path) files = false; /* --ifmap is the network's input */
    if (files && (!o->ifmap_path || !o->weights_path)) {
        fprintf(stderr, "pecos run: --ifmap and --weights go together\n");
        return -1;
    }
    if (files && o->seed_given && !o->network_path) {
        fprintf(stderr, "pecos run: --seed and --ifmap/--weights exclude each other\n");
        return -1;
    }
    if ((files || o->out_path) && o->nlayers != 1 && !o->network_path && !o->onnx_path) {
        fprintf(stderr, "pecos run: --ifmap/--weights/--bias/--out need exactly one --layer\n");
        return -1;
    }
    return 0;
}

/* The memory system and the waveform window. Returns 0 or -1. */
static int validate_mem_wave(run_opts_t *o)
{
    if (o->mem.glb_total && (o->mem.glb_ifmap || o->mem.glb_weight || o->mem.glb_psum)) {
        fprintf(stderr, "pecos run: --glb-kib (unified) and --glb-*-kib (separate partitions) "
                        "exclude each other\n");
        return -1;
    }
    /* An unbounded GLB holds a layer as one tile, so nothing can overlap its DRAM traffic:
     * with a bounded DRAM the GLB defaults to 256 KiB unified. */
    if (!mem_cfg_glb_bounded(&o->mem) && (o->mem.dram.bw > 0 || o->mem.dram.latency > 0)) {
        o->mem.glb_total = 256u << 10;
        o->glb_default = true;
    }
    if ((o->wave_from_given || o->wave_to_given) && !o->wave_path) {
        fprintf(stderr, "pecos run: --wave-from/--wave-to need --wave FILE.fst\n");
        return -1;
    }
    if (o->wave_fail_path) {
        if (o->wave_path) {
            fprintf(stderr, "pecos run: --wave and --wave-on-fail exclude each other\n");
            return -1;
        }
        /* FILE.fst -> FILE.gtkw; any other name gets .gtkw appended */
        const char *p = o->wave_fail_path;
        size_t n = strlen(p);
        if (n > 4 && strcmp(p + n - 4, ".fst") == 0) n -= 4;
        if (!*p || n + 6 > sizeof o->wave_fail_gtkw) {
            fprintf(stderr, "pecos run: --wave-on-fail '%s': not a usable file name\n", p);
            return -1;
        }
        snprintf(o->wave_fail_gtkw, sizeof o->wave_fail_gtkw, "%.*s.gtkw", (int)n, p);
    }
    if (o->wave_from > o->wave_to) {
        fprintf(stderr, "pecos run: --wave-from %llu is after --wave-to %llu\n",
                (unsigned long long)o->wave_from, (unsigned long long)o->wave_to);
        return -1;
    }
    return 0;
}

/* The validation pass over the parsed options: the first check that fails is reported.
 * Returns 0 or -1 (message printed). */
static int validate_opts(run_opts_t *o)
{
    if (validate_sources(o) != 0 || validate_dataflows(o) != 0 || validate_files(o) != 0 ||
        validate_mem_wave(o) != 0)
        return -1;
    return 0;
}

/* Parses and validates the command line. Returns 0, 1 for --help or -1 (message printed). */
static int parse_opts(int argc, char **argv, run_opts_t *o)
{
    const int rc = parse_args(argc, argv, o);
    if (rc != 0) return rc;
    return validate_opts(o);
}

/* Checks that arr has exactly shape; prints the one-line error. */
static int check_shape(const char *opt, const char *path, const npy_array_t *arr, int ndim,
                       const int64_t *shape)
{
    char want[96] = "", got[96] = "";
    bool same = arr->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = arr->shape[i] == shape[i];
    if (same) return 0;
    for (int i = 0; i < ndim; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? "," : "",
                 (long long)shape[i]);
    for (int i = 0; i < arr->ndim; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "",
                 (long long)arr->shape[i]);
    fprintf(stderr, "pecos run: %s %s: shape [%s], expected [%s] from --layer\n", opt, path, got,
            want);
    return PECOS_ESHAPE;
}

/* Loads an operand tensor (ifmap or weights) of exact shape into a new buffer of run dtype
 * elements (*data, caller frees): int8 takes int8; bf16 takes uint16 bit patterns or float32;
 * fp16 takes float16 or float32 (float32 is rounded to nearest even). Prints the error. */
static int load_operand(const char *opt, const char *path, pecos_dtype_t dtype, int ndim,
                        const int64_t *shape, void **data)
{
    char err[256];
    npy_array_t a;
    int rc = npy_read(path, &a, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "pecos run: %s %s: %s\n", opt, path, err);
        return rc;
    }
    const bool i8 = dtype == PECOS_INT8, bf = dtype == PECOS_BF16;
    const npy_dtype_t native = i8 ? NPY_INT8 : bf ? NPY_UINT16 : NPY_FLOAT16;
    if (a.dtype != native && (i8 || a.dtype != NPY_FLOAT32)) {
        fprintf(stderr, "pecos run: %s %s: dtype %s, expected %s%s\n", opt, path,
                npy_dtype_name(a.dtype), i8 ? "int8" : bf ? "uint16 (bf16 bits)" : "float16",
                i8 ? "" : " or float32");
        npy_free(&a);
        return PECOS_EDTYPE;
    }
    if ((rc = check_shape(opt, path, &a, ndim, shape)) != 0) {
        npy_free(&a);
        return rc;
    }
    if (a.dtype == NPY_FLOAT32) {
        uint16_t *h = malloc(sizeof(uint16_t) * (size_t)(a.count ? a.count : 1));
        if (!h) {
            npy_free(&a);
            return PECOS_ENOMEM;
        }
        for (int64_t i = 0; i < a.count; i++)
            h[i] = fp_f32_to_16x(bf ? FP_BF16 : FP_FP16, ((const float *)a.data)[i]);
        npy_free(&a);
        *data = h;
        return 0;
    }
    *data = a.data; /* ownership moves to the caller */
    return 0;
}

/* Loads the bias [K]: int32 for int8, float32 for bf16/fp16 (kept as bit patterns). */
static int load_bias(const char *path, pecos_dtype_t dtype, int k, int32_t **bias)
{
    char err[256];
    npy_array_t a;
    const int64_t shape[1] = {k};
    int rc = npy_read(path, &a, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "pecos run: --bias %s: %s\n", path, err);
        return rc;
    }
    const npy_dtype_t want = dtype == PECOS_INT8 ? NPY_INT32 : NPY_FLOAT32;
    if (a.dtype != want) {
        fprintf(stderr, "pecos run: --bias %s: dtype %s, expected %s\n", path,
                npy_dtype_name(a.dtype), npy_dtype_name(want));
        npy_free(&a);
        return PECOS_EDTYPE;
    }
    if ((rc = check_shape("--bias", path, &a, 1, shape)) != 0) {
        npy_free(&a);
        return rc;
    }
    *bias = a.data;
    return 0;
}

/* Uniform float in [-1, 1). */
static float rng_unit(rng_t *g) { return (float)(rng_next(g) >> 40) / 8388608.0f - 1.0f; }

/* Writes a to f quoted for a POSIX shell when it holds anything but plain characters. */
static void shell_word(FILE *f, const char *a)
{
    if (*a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_,=./:+-") ==
                  strlen(a)) {
        fprintf(f, " %s", a);
        return;
    }
    fputs(" '", f);
    for (; *a; a++) {
        if (*a == '\'')
            fputs("'\\''", f);
        else
            fputc(*a, f);
    }
    fputc('\'', f);
}

/* Prints the exact command (this executable, every option but the wave ones and
 * --wave-on-fail) that re-runs this invocation with a waveform window [from, to]. */
static void print_rerun(void *ctx, uint64_t from, uint64_t to)
{
    const run_opts_t *o = ctx;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) n = (ssize_t)snprintf(exe, sizeof exe, "pecos");
    exe[n] = '\0';
    fprintf(stderr, "  re-run with a waveform:");
    shell_word(stderr, exe);
    fputs(" run", stderr);
    for (int i = 1; i < o->argc; i++) {
        const char *a = o->argv[i];
        if (strcmp(a, "--wave") == 0 || strcmp(a, "--wave-from") == 0 ||
            strcmp(a, "--wave-to") == 0 || strcmp(a, "--wave-on-fail") == 0) {
            i++;
            continue;
        }
        shell_word(stderr, a);
    }
    fprintf(stderr, " --wave pecos_fail.fst --wave-from %llu --wave-to %llu\n",
            (unsigned long long)from, (unsigned long long)to);
}

/* Runs and checks one layer; fills res. quiet: the --wave-on-fail re-run (no FAIL lines,
 * re-run hook, DMA trace or --out). Returns 0, or a negative code for an error that ends the
 * run (the message is printed). */
static int run_layer(const run_opts_t *o, simlib_t *sim, int idx, int df, bool quiet,
                     layer_result_t *res)
{
    const layer_t *L = &o->layers[idx];
    const double t0 = pecos_now();
    const bool fp = pecos_dtype_is_fp(o->dtype);
    const fp_fmt_t fmt = o->dtype == PECOS_BF16 ? FP_BF16 : FP_FP16;
    const size_t esz = fp ? 2 : 1;
    const size_t in_n = (size_t)L->c * L->h * L->w, w_n = (size_t)L->k * L->c * L->r * L->s;
    const size_t out_n = (size_t)L->k * L->p * L->q;
    void *ifmap = NULL, *weights = NULL;
    int32_t *bias_v = NULL, *out = NULL;
    int rc;

    if (o->ifmap_path) {
        const int64_t ishape[4] = {1, L->c, L->h, L->w}, wshape[4] = {L->k, L->c, L->r, L->s};
        if ((rc = load_operand("--ifmap", o->ifmap_path, o->dtype, 4, ishape, &ifmap)) != 0 ||
            (rc = load_operand("--weights", o->weights_path, o->dtype, 4, wshape, &weights)) != 0 ||
            (o->bias_path && (rc = load_bias(o->bias_path, o->dtype, L->k, &bias_v)) != 0))
            goto out_free;
    } else {
        rng_t g;
        rng_seed(&g, o->seed * 0x100000001b3ULL + (uint64_t)idx);
        rc = PECOS_ENOMEM;
        ifmap = malloc(in_n * esz);
        weights = malloc(w_n * esz);
        bias_v = malloc(sizeof(int32_t) * (size_t)L->k);
        if (!ifmap || !weights || !bias_v) goto out_oom;
        if (fp) {
            for (size_t i = 0; i < in_n; i++)
                ((uint16_t *)ifmap)[i] = fp_f32_to_16x(fmt, rng_unit(&g));
            for (size_t i = 0; i < w_n; i++)
                ((uint16_t *)weights)[i] = fp_f32_to_16x(fmt, rng_unit(&g));
            for (int i = 0; i < L->k; i++) bias_v[i] = (int32_t)fp_f32_bits(rng_unit(&g));
        } else {
            for (size_t i = 0; i < in_n; i++) ((int8_t *)ifmap)[i] = (int8_t)rng_range(&g, -128, 127);
            for (size_t i = 0; i < w_n; i++) ((int8_t *)weights)[i] = (int8_t)rng_range(&g, -128, 127);
            for (int i = 0; i < L->k; i++) bias_v[i] = (int32_t)rng_range(&g, -(1 << 20), 1 << 20);
        }
    }
    rc = PECOS_ENOMEM;
    if (!(out = calloc(out_n, sizeof *out))) goto out_oom;
    const pecos_dtype_t dt = o->dtype;
    const layer_run_cfg_t lc = {.rows = o->rows, .cols = o->cols, .dtype = dt, .mem = o->mem,
                           .etab = &o->etab, .tile_forced = o->tile_forced, .tile = o->tile,
                           .fault_cycle = o->fault_cycle, .trace = quiet ? NULL : o->trace,
                           .seed = o->seed, .who = "pecos run", .log = quiet ? NULL : stderr,
                           .rerun = quiet ? NULL : print_rerun, .rerun_ctx = (void *)o};
    if ((rc = layer_run(&lc, sim, df, L, ifmap, weights, bias_v, out, res)) != 0) goto out_free;

    if (o->out_path && !quiet) {
        npy_array_t y = {.dtype = fp ? NPY_FLOAT32 : NPY_INT32, .ndim = 4,
                         .shape = {1, L->k, L->p, L->q}, .count = (int64_t)out_n, .data = out};
        if ((rc = npy_write(o->out_path, &y)) != 0) {
            fprintf(stderr, "pecos run: --out %s: cannot write: %s\n", o->out_path,
                    strerror(errno));
            goto out_free;
        }
    }
    res->wall_seconds = pecos_now() - t0;
    rc = 0;
    goto out_free;

out_oom:
    fprintf(stderr, "pecos run: %s: out of memory\n", L->name);
out_free:
    free(ifmap);
    free(weights);
    free(bias_v);
    free(out);
    return rc;
}

/* Checks that path can be written without writing it: a file that does not exist yet is
 * created and removed again, an existing one is opened for appending and left as it is.
 * Returns 0 or -1 (one line printed naming opt and path). */
static int check_writable(const char *opt, const char *path)
{
    struct stat st;
    const bool existed = stat(path, &st) == 0;
    const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd < 0) {
        fprintf(stderr, "pecos run: %s %s: cannot write: %s\n", opt, path, strerror(errno));
        return -1;
    }
    close(fd);
    if (!existed) unlink(path);
    return 0;
}

/* Loads the energy table, opens the --trace-dma file and checks that the --wave-on-fail
 * files can be written. Returns 0 or PECOS_EXIT_USAGE (message printed). */
static int run_setup(run_opts_t *o)
{
    char err[1024];
    if (o->wave_fail_path && (check_writable("--wave-on-fail", o->wave_fail_path) != 0 ||
                              check_writable("--wave-on-fail", o->wave_fail_gtkw) != 0))
        return PECOS_EXIT_USAGE;
    if (o->no_build) setenv("PECOS_NO_BUILD", "1", 1); /* a missing model is an error (host/dev/simlib.h) */
    energy_table_default(&o->etab);
    if (o->energy_path && energy_table_load(o->energy_path, &o->etab, err, sizeof err) != 0) {
        fprintf(stderr, "pecos run: --energy-table %s: %s\n", o->energy_path, err);
        return PECOS_EXIT_USAGE;
    }
    if (o->trace_path) {
        if (!(o->trace = fopen(o->trace_path, "w"))) {
            fprintf(stderr, "pecos run: --trace-dma %s: cannot write: %s\n", o->trace_path,
                    strerror(errno));
            return PECOS_EXIT_USAGE;
        }
        fprintf(o->trace, "# cycle_issued cycle_done bytes src dst layer what blocks x runs x "
                          "run_bytes\n");
    }
    return PECOS_EXIT_PASS;
}

/* --wave-on-fail: the dumped window around the first mismatch at cycle at on dataflow df,
 * from the cycle the beat that produced it entered the array (ws, is: Rows + Cols - 1
 * cycles earlier, the array's latency; os: the block's last beat, at most 2 (Rows + Cols) + 2
 * earlier, through the drain chain) with 3 cycles before that, to 3 cycles after it: the
 * beat's whole way through the failing column, and short enough for the values to be
 * readable when the window fills the view. */
static void wave_fail_window(const run_opts_t *o, int df, uint64_t at, uint64_t *from,
                             uint64_t *to)
{
    const uint64_t rc = (uint64_t)(o->rows + o->cols);
    const uint64_t back = df == DF_OS ? 2 * rc + 4 : rc + 2;
    *from = at > back ? at - back : 0;
    *to = at + 3;
}

/* --wave-on-fail, after the re-run that dumped [from, to]: checks that the re-run (again,
 * NULL when it could not run) failed at the same cycle on the same lane as the run (res),
 * writes the GTKWave save file and prints the command that opens both. Returns 0 or -1
 * (message printed). */
static int wave_fail_view(const run_opts_t *o, int df, const layer_result_t *res,
                          const layer_result_t *again, uint64_t from, uint64_t to)
{
    char what[512], e[48], g[48];
    const char *fst = o->wave_fail_path, *gtkw = o->wave_fail_gtkw;
    const uint64_t at = res->bad_cycle;
    if (!again || again->mismatches == 0 || again->bad_cycle != at ||
        again->bad_lane != res->bad_lane) {
        fprintf(stderr, "pecos run: --wave-on-fail: the re-run of %s did not fail at cycle %llu "
                        "again; %s is not that failure's waveform\n",
                res->layer.name, (unsigned long long)at, fst);
        return -1;
    }
    if (res->fp) {
        snprintf(e, sizeof e, "0x%08x", (uint32_t)res->expected);
        snprintf(g, sizeof g, "0x%08x", (uint32_t)res->got);
    } else {
        snprintf(e, sizeof e, "%d", res->expected);
        snprintf(g, sizeof g, "%d", res->got);
    }
    snprintf(what, sizeof what,
             "%s (k=%d, p=%d, q=%d): expected %s, got %s; seed %llu; cycle %llu, lane %d",
             res->layer.name, res->bad_k, res->bad_p, res->bad_q, e, g,
             (unsigned long long)o->seed, (unsigned long long)at, res->bad_lane);
    const wave_view_t v = {.fst = fst, .os = df == DF_OS, .fp = res->fp, .rows = o->rows,
                           .cols = o->cols, .lane = res->bad_lane, .cycle = at, .from = from,
                           .to = to, .what = what, .layer = res->layer.name, .expected = e,
                           .got = g};
    if (wave_view_write(gtkw, &v) != 0) {
        fprintf(stderr, "pecos run: --wave-on-fail %s: cannot write: %s\n", gtkw, strerror(errno));
        return -1;
    }
    fputs("  waveform of the first mismatch: gtkwave", stderr);
    shell_word(stderr, fst);
    shell_word(stderr, gtkw);
    fputc('\n', stderr);
    return 0;
}

/* --wave-on-fail of --layer runs: re-runs layers 0..bad (the same tensors, tiling, memory
 * system and fault, so the same cycles) quietly on the tracing twin of the array, dumping
 * the window around the first mismatch of layer bad (res: its result in the run), then
 * writes the save file. Returns 0 or -1 (message printed). */
static int wave_on_fail(const run_opts_t *o, int df, int bad, const layer_result_t *res)
{
    char err[1024];
    const char *fst = o->wave_fail_path;
    simlib_t *sim = NULL;
    const pecos_dtype_t dt = o->dtype;
    uint64_t from, to;
    wave_fail_window(o, df, res->bad_cycle, &from, &to);
    if (simlib_open(&sim, (pecos_df_t)df, dt, o->rows, o->cols, 1, stderr, err, sizeof err) != 0) {
        fprintf(stderr, "pecos run: --wave-on-fail: %s\n", err);
        return -1;
    }
    if (simlib_trace_open(sim, fst, from, to) != 0) {
        fprintf(stderr, "pecos run: --wave-on-fail %s: cannot open the FST file\n", fst);
        simlib_close(sim);
        return -1;
    }
    layer_result_t r2;
    int rc = 0;
    for (int i = 0; i <= bad && rc == 0; i++) rc = run_layer(o, sim, i, df, true, &r2);
    simlib_trace_close(sim); /* complete before anyone is told to open it */
    simlib_close(sim);
    return wave_fail_view(o, df, res, rc == 0 ? &r2 : NULL, from, to);
}

/* --wave-on-fail of --network runs: the network's first bad + 1 layers once more, quietly
 * (no FAIL lines, table, reports or DMA trace), on the tracing twin with the window around
 * the first mismatch of layer bad (res), then the save file. Returns 0 or -1 (printed). */
static int wave_on_fail_net(const run_opts_t *o, const layer_run_cfg_t *lc, int df, int bad,
                            const layer_result_t *res)
{
    char err[1024] = "";
    bool pass = true;
    layer_run_cfg_t q = *lc;
    q.log = NULL;
    q.rerun = NULL;
    q.trace = NULL;
    layer_result_t r2;
    int bad2 = -1;
    uint64_t from, to;
    wave_fail_window(o, df, res->bad_cycle, &from, &to);
    const net_run_opts_t no = {.network = o->network_path, .ifmap_path = o->ifmap_path,
                               .wave_path = o->wave_fail_path, .wave_from = from, .wave_to = to,
                               .quiet = true, .layers = bad + 1, .bad = &r2, .bad_index = &bad2};
    const int rc = net_run(&q, df, &no, &pass, err, sizeof err);
    if (rc != 0 && err[0]) fprintf(stderr, "pecos run: --wave-on-fail: %s\n", err);
    return wave_fail_view(o, df, res, rc == 0 && bad2 == bad ? &r2 : NULL, from, to);
}

/* Runs a whole model (--onnx or --network) on the array, memory system and checks of a
 * --layer run. Returns a PECOS_EXIT_* code. */
static int run_model(run_opts_t *o)
{
    int exit_code, rc;
    bool pass = true;
    char err[1024] = "";
    const pecos_dtype_t dt = o->dtype;
    const layer_run_cfg_t lc = {.rows = o->rows, .cols = o->cols, .dtype = dt, .mem = o->mem,
                           .etab = &o->etab, .fault_cycle = o->fault_cycle, .trace = o->trace,
                           .seed = o->seed, .who = "pecos run", .log = stderr,
                           .rerun = print_rerun, .rerun_ctx = o};
    if (o->onnx_path) {
        const onnx_run_opts_t xo = {.model = o->onnx_path, .input_path = o->input_path,
                                   .out_path = o->out_path, .json_path = o->json_path,
                                   .wave_path = o->wave_path, .wave_from = o->wave_from,
                                   .wave_to = o->wave_to, .require_rtl = o->require_rtl};
        rc = onnx_run(&lc, o->dfs[0], &xo, &pass, err, sizeof err);
    } else {
        layer_result_t bad;
        int bad_index = -1;
        const net_run_opts_t no = {.network = o->network_path, .ifmap_path = o->ifmap_path,
                                  .out_path = o->out_path, .json_path = o->json_path,
                                  .csv_path = o->csv_path, .plot_dir = o->plot_dir,
                                  .wave_path = o->wave_path, .wave_from = o->wave_from,
                                  .wave_to = o->wave_to, .progress = isatty(2) != 0,
                                  .bad = &bad, .bad_index = &bad_index};
        rc = net_run(&lc, o->dfs[0], &no, &pass, err, sizeof err);
        if (o->wave_fail_path && bad_index >= 0)
            wave_on_fail_net(o, &lc, o->dfs[0], bad_index, &bad);
    }
    if (err[0]) fprintf(stderr, "pecos run: %s\n", err);
    exit_code = pecos_exit_code(rc, pass);
    if (o->trace && fclose(o->trace) != 0 && exit_code == PECOS_EXIT_PASS)
        exit_code = PECOS_EXIT_USAGE;
    return exit_code;
}

/* Opens the array of dataflow df with its waveform and replay dump. Returns 0 or -1 (message
 * printed, nothing left open). */
static int open_array(const run_opts_t *o, int df, simlib_t **simp)
{
    char err[1024];
    const pecos_dtype_t dt = o->dtype;
    /* WS and IS run on the held-operand ("ws") array, OS on its own */
    if (simlib_open(simp, (pecos_df_t)df, dt, o->rows, o->cols, o->wave_path != NULL, stderr, err,
                    sizeof err) != 0) {
        fprintf(stderr, "pecos run: --dataflow %s: %s\n", pecos_df_name((pecos_df_t)df), err);
        return -1;
    }
    if (o->wave_path && simlib_trace_open(*simp, o->wave_path, o->wave_from, o->wave_to) != 0) {
        fprintf(stderr, "pecos run: --wave %s: cannot open the FST file\n", o->wave_path);
        simlib_close(*simp);
        return -1;
    }
    if (o->replay_dir) {
        char rp[1024];
        snprintf(rp, sizeof rp, "%s/%s.replay", o->replay_dir, pecos_df_name((pecos_df_t)df));
        if (replay_attach(*simp, rp, err, sizeof err) != 0) {
            fprintf(stderr, "pecos run: --replay-dump: %s\n", err);
            simlib_close(*simp);
            return -1;
        }
    }
    return 0;
}

/* Runs every layer under the d-th dataflow into res[d * nlayers ...], counting them in
 * ran[d] and lowering *exit_code. Returns true when the run must stop there. */
static bool run_dataflow(run_opts_t *o, int d, layer_result_t *res, int *ran, int *exit_code)
{
    char err[1024];
    simlib_t *sim = NULL;
    bool stop = false;
    const int df = o->dfs[d];
    if (open_array(o, df, &sim) != 0) {
        *exit_code = PECOS_EXIT_USAGE;
        return true;
    }
    for (int i = 0; i < o->nlayers; i++) {
        layer_result_t *r = &res[(size_t)d * (size_t)o->nlayers + (size_t)ran[d]];
        int rc = run_layer(o, sim, i, df, false, r);
        if (rc != 0) {
            /* A protocol error of the RTL or no memory fails; bad input files, parameters or
             * an unwritable --out are the user's to fix. */
            *exit_code = pecos_exit_code(rc, true);
            stop = true;
            break;
        }
        if (!layer_result_ok(r)) *exit_code = pecos_exit_code(0, false);
        ran[d]++;
    }
    /* Close the dump before reporting so that it is complete when the user opens it. */
    if (o->wave_path) simlib_trace_close(sim);
    if (replay_detach(sim, err, sizeof err) != 0) {
        fprintf(stderr, "pecos run: --replay-dump: %s\n", err);
        if (*exit_code == PECOS_EXIT_PASS) *exit_code = PECOS_EXIT_USAGE;
    }
    simlib_close(sim);
    if (o->wave_fail_path) {
        const layer_result_t *rd = res + (size_t)d * (size_t)o->nlayers;
        for (int i = 0; i < ran[d]; i++)
            if (!rd[i].bitexact) {
                wave_on_fail(o, df, i, &rd[i]);
                break;
            }
    }
    return stop;
}

/* Prints the tables of the layers that ran and writes --json and --csv. Returns exit_code,
 * lowered to PECOS_EXIT_USAGE for a report that cannot be written. */
static int report_layers(const run_opts_t *o, layer_result_t *res, int *ran, int exit_code)
{
    char glb[128];
    if (o->mem.glb_total)
        snprintf(glb, sizeof glb, "%llu KiB unified%s", (unsigned long long)(o->mem.glb_total >> 10),
                 o->glb_default ? " (the default with a bounded DRAM)" : "");
    else if (mem_cfg_glb_bounded(&o->mem))
        snprintf(glb, sizeof glb, "separate: ifmap %llu, weight %llu, psum %llu KiB (0: unbounded)",
                 (unsigned long long)(o->mem.glb_ifmap >> 10),
                 (unsigned long long)(o->mem.glb_weight >> 10),
                 (unsigned long long)(o->mem.glb_psum >> 10));
    else
        snprintf(glb, sizeof glb, "unbounded (one tile per layer)");
    run_config_t cfg[3];
    for (int d = 0; d < o->ndf; d++) {
        cfg[d] = (run_config_t){.rows = o->rows, .cols = o->cols,
                                .dataflow = pecos_df_name((pecos_df_t)o->dfs[d]),
                                .dtype = pecos_dtype_name(o->dtype), .seed = o->seed,
                                .from_files = o->ifmap_path != NULL, .dram_bw = o->mem.dram.bw,
                                .dram_latency = o->mem.dram.latency, .glb_desc = glb};
        if (ran[d] > 0) report_table(stdout, &cfg[d], res + (size_t)d * (size_t)o->nlayers, ran[d]);
    }
    if (o->ndf > 1) report_compare(stdout, cfg, res, o->nlayers, ran, o->ndf);
    if (o->json_path &&
        (o->ndf > 1 ? report_json_compare(o->json_path, cfg, res, o->nlayers, ran, o->ndf)
                    : report_json(o->json_path, &cfg[0], res, ran[0])) != 0) {
        fprintf(stderr, "pecos run: --json %s: cannot write: %s\n", o->json_path,
                strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    if (o->csv_path && report_csv(o->csv_path, &cfg[0], res, ran[0]) != 0) {
        fprintf(stderr, "pecos run: --csv %s: cannot write: %s\n", o->csv_path,
                strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    return exit_code;
}

int cmd_run(int argc, char **argv)
{
    static run_opts_t o; /* large (layer table): not on the stack */
    int exit_code;

    const int prc = parse_opts(argc, argv, &o);
    if (prc != 0) return prc > 0 ? PECOS_EXIT_PASS : PECOS_EXIT_USAGE;
    if ((exit_code = run_setup(&o)) != PECOS_EXIT_PASS) return exit_code;
    if (o.onnx_path || o.network_path) return run_model(&o);

    layer_result_t *res = calloc((size_t)o.nlayers * (size_t)o.ndf, sizeof *res);
    if (!res) {
        fprintf(stderr, "pecos run: out of memory\n");
        if (o.trace) fclose(o.trace);
        return PECOS_EXIT_FAIL;
    }
    int ran[3] = {0, 0, 0};
    for (int d = 0; d < o.ndf; d++)
        if (run_dataflow(&o, d, res, ran, &exit_code)) break;
    if (o.trace && fclose(o.trace) != 0) {
        fprintf(stderr, "pecos run: --trace-dma %s: cannot write: %s\n", o.trace_path,
                strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    o.trace = NULL;
    if (ran[0] > 0) exit_code = report_layers(&o, res, ran, exit_code);
    if (o.wave_path) printf("waveform: %s (cycles %llu..%llu)\n", o.wave_path,
                            (unsigned long long)o.wave_from, (unsigned long long)o.wave_to);
    free(res);
    return exit_code;
}
