#define _POSIX_C_SOURCE 200809L
#include "cmd_run.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fpconv.h"
#include "energy.h"
#include "layer.h"
#include "lrun.h"
#include "netrun.h"
#include "onnxrun.h"
#include "memsys.h"
#include "npy.h"
#include "pecos_err.h"
#include "report.h"
#include "replay.h"
#include "report_csv.h"
#include "rng.h"
#include "simlib.h"
#include "tiler.h"
#include "topo.h"

#define MAX_LAYERS 256

typedef struct {
    layer_t layers[MAX_LAYERS];
    int nlayers;
    int rows, cols;
    const char *dataflow, *dtype; /* dataflow: "ws", "is", "os" or "all" */
    int ndf, dfs[3];              /* the dataflows to run (DF_*), in order */
    uint64_t seed;
    const char *ifmap_path, *weights_path, *bias_path, *out_path, *json_path;
    const char *wave_path;
    uint64_t wave_from, wave_to;
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

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Parses an unsigned decimal into *out within [lo, hi]; 0 or -1. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* SCALE-Sim's own topology files list independent layers whose rows do not chain (topo.h):
 * such a --network becomes its rows as --layer runs, said in one line. Returns 0 (converted
 * or left alone: netrun reports any other problem of the file) or -1 (message printed). */
static int network_as_layers(run_opts_t *o)
{
    topo_t t;
    char err[768], err2[512], spec[256];
    if (topo_load(o->network_path, &t, err, sizeof err) != 0) return 0;
    bool all = strcmp(o->dataflow, "all") == 0;
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

static int parse_opts(int argc, char **argv, run_opts_t *o)
{
    char err[512];
    bool seed_given = false, wave_from_given = false, wave_to_given = false;
    memset(o, 0, sizeof *o);
    o->rows = o->cols = 16;
    o->dataflow = "ws";
    o->dtype = "int8";
    o->seed = 1;
    o->wave_to = UINT64_MAX;
    o->fault_cycle = UINT64_MAX;
    o->mem.dram.burst = 64;
    o->mem.dram_capacity = 4096ull << 20;
    o->mem.psum_ports = 2;
    o->argc = argc;
    o->argv = argv;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_run_usage(stdout);
            exit(PECOS_EXIT_PASS);
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "pecos run: unexpected argument '%s'\n", a);
            return -1;
        }
        if (strcmp(a, "--require-rtl") == 0) {
            o->require_rtl = true;
            continue;
        }
        if (strcmp(a, "--no-build") == 0) { /* a missing model is an error (host/simlib.h) */
            setenv("PECOS_NO_BUILD", "1", 1);
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "pecos run: option %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        uint64_t u;
        if (strcmp(a, "--layer") == 0) {
            if (o->nlayers == MAX_LAYERS) {
                fprintf(stderr, "pecos run: --layer: at most %d layers\n", MAX_LAYERS);
                return -1;
            }
            if (layer_parse(v, o->nlayers, &o->layers[o->nlayers], err, sizeof err) != 0) {
                fprintf(stderr, "pecos run: %s\n", err);
                return -1;
            }
            o->nlayers++;
        } else if (strcmp(a, "--rows") == 0 || strcmp(a, "--cols") == 0) {
            if (parse_u64(v, 1, 256, &u) != 0) {
                fprintf(stderr, "pecos run: %s %s: must be an integer 1..256\n", a, v);
                return -1;
            }
            if (strcmp(a, "--rows") == 0)
                o->rows = (int)u;
            else
                o->cols = (int)u;
        } else if (strcmp(a, "--dataflow") == 0) {
            if (strcmp(v, "ws") != 0 && strcmp(v, "is") != 0 && strcmp(v, "os") != 0 &&
                strcmp(v, "all") != 0) {
                fprintf(stderr, "pecos run: --dataflow %s: not available (ws, is, os, all)\n", v);
                return -1;
            }
            o->dataflow = v;
        } else if (strcmp(a, "--dtype") == 0) {
            if (strcmp(v, "int8") != 0 && strcmp(v, "bf16") != 0 && strcmp(v, "fp16") != 0) {
                fprintf(stderr, "pecos run: --dtype %s: not available (int8, bf16, fp16)\n", v);
                return -1;
            }
            o->dtype = v;
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_u64(v, 0, UINT64_MAX, &o->seed) != 0) {
                fprintf(stderr, "pecos run: --seed %s: must be a non-negative integer\n", v);
                return -1;
            }
            seed_given = true;
        } else if (strcmp(a, "--ifmap") == 0) {
            o->ifmap_path = v;
        } else if (strcmp(a, "--weights") == 0) {
            o->weights_path = v;
        } else if (strcmp(a, "--bias") == 0) {
            o->bias_path = v;
        } else if (strcmp(a, "--out") == 0) {
            o->out_path = v;
        } else if (strcmp(a, "--json") == 0) {
            o->json_path = v;
        } else if (strcmp(a, "--wave") == 0) {
            o->wave_path = v;
        } else if (strcmp(a, "--replay-dump") == 0) {
            o->replay_dir = v;
        } else if (strcmp(a, "--wave-from") == 0 || strcmp(a, "--wave-to") == 0) {
            if (parse_u64(v, 0, UINT64_MAX, &u) != 0) {
                fprintf(stderr, "pecos run: %s %s: must be a cycle number\n", a, v);
                return -1;
            }
            if (strcmp(a, "--wave-from") == 0) {
                o->wave_from = u;
                wave_from_given = true;
            } else {
                o->wave_to = u;
                wave_to_given = true;
            }
        } else if (strcmp(a, "--dram-bw") == 0) {
            char *end;
            errno = 0;
            const double bw = strtod(v, &end);
            if (errno || end == v || *end || !(bw >= 0) || bw > 1e9) {
                fprintf(stderr, "pecos run: --dram-bw %s: must be a number of bytes per cycle "
                                ">= 0 (0: unlimited)\n", v);
                return -1;
            }
            o->mem.dram.bw = bw;
        } else if (strcmp(a, "--dram-latency") == 0) {
            if (parse_u64(v, 0, 1000000000, &o->mem.dram.latency) != 0) {
                fprintf(stderr, "pecos run: --dram-latency %s: must be an integer 0..1e9 cycles\n", v);
                return -1;
            }
        } else if (strcmp(a, "--dram-burst") == 0) {
            if (parse_u64(v, 1, 4096, &o->mem.dram.burst) != 0) {
                fprintf(stderr, "pecos run: --dram-burst %s: must be an integer 1..4096 bytes\n", v);
                return -1;
            }
        } else if (strcmp(a, "--dram-mib") == 0) {
            if (parse_u64(v, 1, 1 << 20, &u) != 0) {
                fprintf(stderr, "pecos run: --dram-mib %s: must be an integer 1..1048576\n", v);
                return -1;
            }
            o->mem.dram_capacity = u << 20;
        } else if (strcmp(a, "--glb-kib") == 0 || strcmp(a, "--glb-ifmap-kib") == 0 ||
                   strcmp(a, "--glb-weight-kib") == 0 || strcmp(a, "--glb-psum-kib") == 0) {
            if (parse_u64(v, 1, 1 << 24, &u) != 0) {
                fprintf(stderr, "pecos run: %s %s: must be an integer 1..16777216 KiB\n", a, v);
                return -1;
            }
            uint64_t *dst = a[6] == 'k'   ? &o->mem.glb_total
                            : a[6] == 'i' ? &o->mem.glb_ifmap
                            : a[6] == 'w' ? &o->mem.glb_weight
                                          : &o->mem.glb_psum;
            *dst = u << 10;
        } else if (strcmp(a, "--glb-psum-ports") == 0) {
            if (parse_u64(v, 1, 2, &u) != 0) {
                fprintf(stderr, "pecos run: --glb-psum-ports %s: must be 1 or 2\n", v);
                return -1;
            }
            o->mem.psum_ports = (int)u;
        } else if (strcmp(a, "--tile") == 0) {
            if (tiler_parse(v, &o->tile, err, sizeof err) != 0) {
                fprintf(stderr, "pecos run: %s\n", err);
                return -1;
            }
            o->tile_forced = true;
        } else if (strcmp(a, "--network") == 0) {
            o->network_path = v;
        } else if (strcmp(a, "--onnx") == 0) {
            o->onnx_path = v;
        } else if (strcmp(a, "--input") == 0) {
            o->input_path = v;
        } else if (strcmp(a, "--csv") == 0) {
            o->csv_path = v;
        } else if (strcmp(a, "--plot") == 0) {
            o->plot_dir = v;
        } else if (strcmp(a, "--energy-table") == 0) {
            o->energy_path = v;
        } else if (strcmp(a, "--trace-dma") == 0) {
            o->trace_path = v;
        } else if (strcmp(a, "--inject-fault") == 0) {
            if (parse_u64(v, 0, UINT64_MAX - 1, &o->fault_cycle) != 0) {
                fprintf(stderr, "pecos run: --inject-fault %s: must be a cycle number\n", v);
                return -1;
            }
        } else {
            fprintf(stderr, "pecos run: unknown option %s (see pecos run --help)\n", a);
            return -1;
        }
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
                         o->csv_path || o->plot_dir || strcmp(o->dataflow, "all") == 0)) {
        fprintf(stderr, "pecos run: --onnx takes its weights from the model and its input from "
                        "--input; --ifmap, --weights, --bias, --tile, --csv, --plot and "
                        "--dataflow all go with --layer or --network\n");
        return -1;
    }
    if (o->replay_dir && (o->network_path || o->onnx_path)) {
        fprintf(stderr, "pecos run: --replay-dump works with --layer runs only\n");
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
        if (o->layers[i].pad_value != 0 && strcmp(o->dtype, "int8") != 0) {
            fprintf(stderr, "pecos run: --layer %s: pad_value=%d is int8 only (%s padded cells "
                            "are +0)\n", o->layers[i].name, o->layers[i].pad_value, o->dtype);
            return -1;
        }
    if (!o->network_path && o->plot_dir) {
        fprintf(stderr, "pecos run: --plot goes with --network\n");
        return -1;
    }
    if (strcmp(o->dataflow, "all") == 0) {
        o->ndf = 3;
        o->dfs[0] = DF_WS;
        o->dfs[1] = DF_IS;
        o->dfs[2] = DF_OS;
    } else {
        o->ndf = 1;
        o->dfs[0] = strcmp(o->dataflow, "os") == 0 ? DF_OS : strcmp(o->dataflow, "is") == 0 ? DF_IS : DF_WS;
    }
    if (o->mem.psum_ports == 1 && (o->dfs[0] == DF_OS || o->ndf > 1)) {
        fprintf(stderr, "pecos run: --glb-psum-ports 1: modelled for --dataflow ws and is only "
                        "(the os array reads the psum partition once per block)\n");
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
    if (files && seed_given && !o->network_path) {
        fprintf(stderr, "pecos run: --seed and --ifmap/--weights exclude each other\n");
        return -1;
    }
    if ((files || o->out_path) && o->nlayers != 1 && !o->network_path && !o->onnx_path) {
        fprintf(stderr, "pecos run: --ifmap/--weights/--bias/--out need exactly one --layer\n");
        return -1;
    }
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
    if ((wave_from_given || wave_to_given) && !o->wave_path) {
        fprintf(stderr, "pecos run: --wave-from/--wave-to need --wave FILE.fst\n");
        return -1;
    }
    if (o->wave_from > o->wave_to) {
        fprintf(stderr, "pecos run: --wave-from %llu is after --wave-to %llu\n",
                (unsigned long long)o->wave_from, (unsigned long long)o->wave_to);
        return -1;
    }
    return 0;
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
static int load_operand(const char *opt, const char *path, const char *dtype, int ndim,
                        const int64_t *shape, void **data)
{
    char err[256];
    npy_array_t a;
    int rc = npy_read(path, &a, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "pecos run: %s %s: %s\n", opt, path, err);
        return rc;
    }
    const bool i8 = strcmp(dtype, "int8") == 0, bf = strcmp(dtype, "bf16") == 0;
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
static int load_bias(const char *path, const char *dtype, int k, int32_t **bias)
{
    char err[256];
    npy_array_t a;
    const int64_t shape[1] = {k};
    int rc = npy_read(path, &a, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "pecos run: --bias %s: %s\n", path, err);
        return rc;
    }
    const npy_dtype_t want = strcmp(dtype, "int8") == 0 ? NPY_INT32 : NPY_FLOAT32;
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

/* Prints the exact command (this executable, every option but the wave ones) that re-runs
 * this invocation with a waveform window [from, to]. */
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
            strcmp(a, "--wave-to") == 0) {
            i++;
            continue;
        }
        shell_word(stderr, a);
    }
    fprintf(stderr, " --wave pecos_fail.fst --wave-from %llu --wave-to %llu\n",
            (unsigned long long)from, (unsigned long long)to);
}

/* Runs and checks one layer; fills res. Returns 0, or a negative code for an error that
 * ends the run (the message is printed). */
static int run_layer(const run_opts_t *o, simlib_t *sim, int idx, int df, layer_result_t *res)
{
    const layer_t *L = &o->layers[idx];
    const double t0 = now_seconds();
    const bool fp = strcmp(o->dtype, "int8") != 0;
    const fp_fmt_t fmt = strcmp(o->dtype, "bf16") == 0 ? FP_BF16 : FP_FP16;
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
    pecos_dtype_t dt = PECOS_INT8;
    pecos_dtype_parse(o->dtype, &dt); /* checked by parse_opts */
    const lrun_cfg_t lc = {.rows = o->rows, .cols = o->cols, .dtype = dt, .mem = o->mem,
                           .etab = &o->etab, .tile_forced = o->tile_forced, .tile = o->tile,
                           .fault_cycle = o->fault_cycle, .trace = o->trace, .seed = o->seed,
                           .who = "pecos run", .log = stderr, .rerun = print_rerun,
                           .rerun_ctx = (void *)o};
    if ((rc = lrun_layer(&lc, sim, df, L, ifmap, weights, bias_v, out, res)) != 0) goto out_free;

    if (o->out_path) {
        npy_array_t y = {.dtype = fp ? NPY_FLOAT32 : NPY_INT32, .ndim = 4,
                         .shape = {1, L->k, L->p, L->q}, .count = (int64_t)out_n, .data = out};
        if ((rc = npy_write(o->out_path, &y)) != 0) {
            fprintf(stderr, "pecos run: --out %s: cannot write: %s\n", o->out_path,
                    strerror(errno));
            goto out_free;
        }
    }
    res->wall_seconds = now_seconds() - t0;
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

int cmd_run(int argc, char **argv)
{
    static run_opts_t o; /* large (layer table): not on the stack */
    char err[1024];
    simlib_t *sim = NULL;
    int exit_code = PECOS_EXIT_PASS;

    if (parse_opts(argc, argv, &o) != 0) return PECOS_EXIT_USAGE;
    energy_table_default(&o.etab);
    if (o.energy_path && energy_table_load(o.energy_path, &o.etab, err, sizeof err) != 0) {
        fprintf(stderr, "pecos run: --energy-table %s: %s\n", o.energy_path, err);
        return PECOS_EXIT_USAGE;
    }
    if (o.trace_path) {
        if (!(o.trace = fopen(o.trace_path, "w"))) {
            fprintf(stderr, "pecos run: --trace-dma %s: cannot write: %s\n", o.trace_path,
                    strerror(errno));
            return PECOS_EXIT_USAGE;
        }
        fprintf(o.trace, "# cycle_issued cycle_done bytes src dst layer what blocks x runs x "
                         "run_bytes\n");
    }
    if (o.onnx_path || o.network_path) {
        /* Whole models: the array, memory system and checks of a --layer run. */
        pecos_dtype_t dt = PECOS_INT8;
        pecos_dtype_parse(o.dtype, &dt); /* checked by parse_opts */
        const lrun_cfg_t lc = {.rows = o.rows, .cols = o.cols, .dtype = dt, .mem = o.mem,
                               .etab = &o.etab, .fault_cycle = o.fault_cycle, .trace = o.trace,
                               .seed = o.seed, .who = "pecos run", .log = stderr,
                               .rerun = print_rerun, .rerun_ctx = &o};
        if (o.onnx_path) {
            const onnxrun_opts_t xo = {.model = o.onnx_path, .input_path = o.input_path,
                                       .out_path = o.out_path, .json_path = o.json_path,
                                       .wave_path = o.wave_path, .wave_from = o.wave_from,
                                       .wave_to = o.wave_to, .require_rtl = o.require_rtl};
            exit_code = onnxrun(&lc, o.dfs[0], &xo);
        } else {
            const netrun_opts_t no = {.network = o.network_path, .ifmap_path = o.ifmap_path,
                                      .out_path = o.out_path, .json_path = o.json_path,
                                      .csv_path = o.csv_path, .plot_dir = o.plot_dir,
                                      .wave_path = o.wave_path, .wave_from = o.wave_from,
                                      .wave_to = o.wave_to, .progress = isatty(2) != 0};
            exit_code = netrun(&lc, o.dfs[0], &no);
        }
        if (o.trace && fclose(o.trace) != 0 && exit_code == PECOS_EXIT_PASS)
            exit_code = PECOS_EXIT_USAGE;
        return exit_code;
    }
    layer_result_t *res = calloc((size_t)o.nlayers * (size_t)o.ndf, sizeof *res);
    if (!res) {
        fprintf(stderr, "pecos run: out of memory\n");
        if (o.trace) fclose(o.trace);
        return PECOS_EXIT_FAIL;
    }
    static const char *const df_name[3] = {"ws", "is", "os"};
    int ran[3] = {0, 0, 0}, stop = 0;
    for (int d = 0; d < o.ndf && !stop; d++) {
        const int df = o.dfs[d];
        /* WS and IS run on the held-operand ("ws") array, OS on its own */
        pecos_dtype_t dt = PECOS_INT8;
        pecos_dtype_parse(o.dtype, &dt); /* checked by parse_opts */
        if (simlib_open(&sim, df, dt, o.rows, o.cols, o.wave_path != NULL, stderr, err,
                        sizeof err) != 0) {
            fprintf(stderr, "pecos run: --dataflow %s: %s\n", df_name[df], err);
            exit_code = PECOS_EXIT_USAGE;
            break;
        }
        if (o.wave_path && simlib_trace_open(sim, o.wave_path, o.wave_from, o.wave_to) != 0) {
            fprintf(stderr, "pecos run: --wave %s: cannot open the FST file\n", o.wave_path);
            exit_code = PECOS_EXIT_USAGE;
            simlib_close(sim);
            break;
        }
        if (o.replay_dir) {
            char rp[1024];
            snprintf(rp, sizeof rp, "%s/%s.replay", o.replay_dir, df_name[df]);
            if (replay_attach(sim, rp, err, sizeof err) != 0) {
                fprintf(stderr, "pecos run: --replay-dump: %s\n", err);
                exit_code = PECOS_EXIT_USAGE;
                simlib_close(sim);
                break;
            }
        }
        for (int i = 0; i < o.nlayers; i++) {
            layer_result_t *r = &res[(size_t)d * (size_t)o.nlayers + (size_t)ran[d]];
            int rc = run_layer(&o, sim, i, df, r);
            if (rc == PECOS_ESIM) {
                exit_code = PECOS_EXIT_FAIL;
                stop = 1;
                break;
            }
            if (rc != 0) {
                /* Bad input files, parameters, or an unwritable --out: the user's to fix. */
                exit_code = rc == PECOS_ENOMEM ? PECOS_EXIT_FAIL : PECOS_EXIT_USAGE;
                stop = 1;
                break;
            }
            if (!layer_result_ok(r)) exit_code = PECOS_EXIT_FAIL;
            ran[d]++;
        }
        /* Close the dump before reporting so that it is complete when the user opens it. */
        if (o.wave_path) simlib_trace_close(sim);
        if (replay_detach(sim, err, sizeof err) != 0) {
            fprintf(stderr, "pecos run: --replay-dump: %s\n", err);
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        }
        simlib_close(sim);
    }
    if (o.trace && fclose(o.trace) != 0) {
        fprintf(stderr, "pecos run: --trace-dma %s: cannot write: %s\n", o.trace_path,
                strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    o.trace = NULL;
    if (ran[0] > 0) {
        char glb[128];
        if (o.mem.glb_total)
            snprintf(glb, sizeof glb, "%llu KiB unified%s", (unsigned long long)(o.mem.glb_total >> 10),
                     o.glb_default ? " (the default with a bounded DRAM)" : "");
        else if (mem_cfg_glb_bounded(&o.mem))
            snprintf(glb, sizeof glb, "separate: ifmap %llu, weight %llu, psum %llu KiB (0: unbounded)",
                     (unsigned long long)(o.mem.glb_ifmap >> 10),
                     (unsigned long long)(o.mem.glb_weight >> 10),
                     (unsigned long long)(o.mem.glb_psum >> 10));
        else
            snprintf(glb, sizeof glb, "unbounded (one tile per layer)");
        run_config_t cfg[3];
        for (int d = 0; d < o.ndf; d++) {
            cfg[d] = (run_config_t){.rows = o.rows, .cols = o.cols, .dataflow = df_name[o.dfs[d]],
                                    .dtype = o.dtype, .seed = o.seed,
                                    .from_files = o.ifmap_path != NULL, .dram_bw = o.mem.dram.bw,
                                    .dram_latency = o.mem.dram.latency, .glb_desc = glb};
            if (ran[d] > 0) report_table(stdout, &cfg[d], res + (size_t)d * (size_t)o.nlayers, ran[d]);
        }
        if (o.ndf > 1) report_compare(stdout, cfg, res, o.nlayers, ran, o.ndf);
        if (o.json_path &&
            (o.ndf > 1 ? report_json_compare(o.json_path, cfg, res, o.nlayers, ran, o.ndf)
                       : report_json(o.json_path, &cfg[0], res, ran[0])) != 0) {
            fprintf(stderr, "pecos run: --json %s: cannot write: %s\n", o.json_path,
                    strerror(errno));
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        }
        if (o.csv_path && report_csv(o.csv_path, &cfg[0], res, ran[0]) != 0) {
            fprintf(stderr, "pecos run: --csv %s: cannot write: %s\n", o.csv_path,
                    strerror(errno));
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        }
    }
    if (o.wave_path) printf("waveform: %s (cycles %llu..%llu)\n", o.wave_path,
                            (unsigned long long)o.wave_from, (unsigned long long)o.wave_to);
    if (o.trace) fclose(o.trace);
    free(res);
    return exit_code;
}
