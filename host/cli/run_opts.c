#define _POSIX_C_SOURCE 200809L
#include "run_opts.h"

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
#include "cmd_run.h"
#include "energy.h"
#include "layer_batch.h"
#include "layer_spec.h"
#include "memsys.h"
#include "net_run.h"
#include "pecos_types.h"
#include "replay.h"
#include "tiler.h"
#include "topo.h"

void cmd_run_usage(FILE *f)
{
    fputs("usage: pecos run --layer conv,h=H,w=W,c=C,k=K,r=R,s=S[,stride=N][,pad=N][,name=X]\n"
          "                 [,stride_h=N][,stride_w=N][,dil=N][,dil_h=N][,dil_w=N]\n"
          "                 [,pad_t=N][,pad_l=N][,pad_b=N][,pad_r=N][,pad_value=V (int8)]\n"
          "                 (or --layer fc,c=IN,k=OUT; repeatable)\n"
          "       pecos run --network NETWORK.csv [--ifmap X.npy] [--out Y.npy] [--csv F.csv]\n"
          "                 [--plot DIR] (a whole int8 network, chained through the\n"
          "                  post-processing unit; models/networks/*.csv)\n"
          "                 [--jobs N]  (--network: the layers on N processes, each from the\n"
          "                  golden chain's input; a failure re-runs the network in order;\n"
          "                  default: the CPUs this process may use, or $PECOS_JOBS)\n"
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
          "                 [--backend c|sc]  (sc: the accelerator as a SystemC/TLM-2.0\n"
          "                  component, through pecos-sc: same checks, same cycles)\n"
          "                 [--no-build]  (a model library that is not built is an error\n"
          "                  instead of being built on first use)\n"
          "                 [--inject-fault CYCLE]   (checker self-test: flip one output bit)\n"
          "                 [--batch N]  (N images share each weight load: each conv/fc runs\n"
          "                  them stacked along the rows, each with its own padding; --ifmap\n"
          "                  [N,C,H,W], --out [N,K,P,Q]; --onnx: the input's first dimension, a\n"
          "                  test data set repeated N times; energy and cycles per image)\n"
          "                 [--fuse-ppu]  (--network, --onnx: the post-processing unit on the\n"
          "                  array's writeback path: each conv/fc output is biased, requantized\n"
          "                  and ReLU'd as it leaves the array, int8 to DRAM; --network, ws: a\n"
          "                  max/avg pool right after a conv (window = stride) runs inside it;\n"
          "                  --onnx: QLinear* nodes with one scale, others say why not)\n"
          "                 [--replay-dump DIR]  (DIR/<dataflow>.replay: the array's every cycle,\n"
          "                  lanes in and out; --network/--onnx runs also DIR/post.replay, the\n"
          "                  post-processing unit's; for dv/replay.sh under Icarus)\n"
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
    RO_F("fuse-ppu", fuse_ppu),
    RO_X("layer", NULL),
    RO_U("rows", 1, 256, "must be an integer 1..256"),
    RO_U("cols", 1, 256, "must be an integer 1..256"),
    RO_X("dataflow", "not available (ws, is, os, all)"),
    RO_X("dtype", "not available (int8, bf16, fp16)"),
    RO_X("backend", "not available (c, sc)"),
    RO_U("seed", 0, UINT64_MAX, "must be a non-negative integer"),
    RO_U("batch", 1, 65536, "must be an integer 1..65536"),
    RO_U("jobs", 1, 1024, "must be an integer 1..1024"),
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
    else if (strcmp(n, "batch") == 0) o->batch = (int)u;
    else if (strcmp(n, "jobs") == 0) o->jobs = (int)u;
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
    } else if (strcmp(r->name, "backend") == 0) {
        ok = strcmp(v, "c") == 0 || strcmp(v, "sc") == 0;
        if (ok) o->backend_sc = strcmp(v, "sc") == 0;
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
    o->batch = 1;
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
    if (o->jobs && (!o->network_path || o->nlayers || o->onnx_path)) {
        fprintf(stderr, "pecos run: --jobs goes with --network (its layers on several "
                        "processes)\n");
        return -1;
    }
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
    if (o->wave_fail_path && o->onnx_path) {
        fprintf(stderr, "pecos run: --wave-on-fail works with --layer and --network runs (the FAIL "
                        "line's re-run command gives an ONNX model's window)\n");
        return -1;
    }
    if (o->network_path && o->nlayers) {
        fprintf(stderr, "pecos run: --network and --layer exclude each other\n");
        return -1;
    }
    if (o->fuse_ppu && (!(o->network_path || o->onnx_path) || o->nlayers || o->backend_sc)) {
        fprintf(stderr, "pecos run: --fuse-ppu goes with --network or --onnx on --backend c "
                        "(--layer runs have no post-processing; --backend sc runs the unit as "
                        "its own pass)\n");
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
    if (o->backend_sc) {
        const char *no = o->wave_path ? "--wave" : o->wave_fail_path ? "--wave-on-fail"
                         : o->replay_dir ? "--replay-dump" : o->df_all ? "--dataflow all" : NULL;
        if (no) {
            fprintf(stderr, "pecos run: --backend sc: %s needs --backend c (the same cycles: "
                            "run it there)\n", no);
            return -1;
        }
    }
    if (o->wave_from > o->wave_to) {
        fprintf(stderr, "pecos run: --wave-from %llu is after --wave-to %llu\n",
                (unsigned long long)o->wave_from, (unsigned long long)o->wave_to);
        return -1;
    }
    return 0;
}

/* --batch N: N images share each weight load. Each layer becomes the stacked layer of its N
 * images (layer_batch.h): the images' maps, each with its own padding rows, one after the
 * other along the rows, so that the array streams all N images through every weight tile
 * it holds and every check runs on all of them; a 1x1, stride-1, unpadded layer (fc,
 * pointwise conv) has no rows between images. o->image keeps each image's layer. Returns 0
 * or -1 (message printed). */
static int validate_batch(run_opts_t *o)
{
    if (o->batch == 1) return 0;
    if (o->onnx_path || (o->network_path && !o->nlayers))
        return 0; /* onnx_run and net_run stack the images themselves */
    for (int i = 0; i < o->nlayers; i++) {
        layer_t *L = &o->layers[i];
        layer_batch_t bt;
        if (layer_batch_layer(L, o->batch, &bt) != 0) {
            fprintf(stderr, "pecos run: --batch %d: layer %s: %d images of %d rows are too many\n",
                    o->batch, L->name, o->batch, L->h);
            return -1;
        }
        const long long in = (long long)bt.L.c * bt.L.h * bt.L.w,
                        out = (long long)bt.L.k * bt.L.p * bt.L.q;
        if (in > LAYER_MAX_ELEMS || out > LAYER_MAX_ELEMS) {
            fprintf(stderr, "pecos run: --batch %d: layer %s: the %d images' input or output "
                            "exceeds %lld elements\n", o->batch, L->name, o->batch, LAYER_MAX_ELEMS);
            return -1;
        }
        o->image[i] = *L;
        bt.L.type = L->type; /* an fc stays an fc of N*H rows */
        *L = bt.L;
        char err[256] = "no output";
        if (layer_check(L, err, sizeof err) != 0) {
            fprintf(stderr, "pecos run: --batch %d: layer %s: %s\n", o->batch, L->name, err);
            return -1;
        }
    }
    return 0;
}

/* The validation pass over the parsed options: the first check that fails is reported.
 * Returns 0 or -1 (message printed). */
static int validate_opts(run_opts_t *o)
{
    if (validate_sources(o) != 0 || validate_dataflows(o) != 0 || validate_files(o) != 0 ||
        validate_mem_wave(o) != 0 || validate_batch(o) != 0)
        return -1;
    return 0;
}

/* Parses and validates the command line. Returns 0, 1 for --help or -1 (message printed). */
int run_opts_parse(int argc, char **argv, run_opts_t *o)
{
    const int rc = parse_args(argc, argv, o);
    if (rc != 0) return rc;
    return validate_opts(o);
}
