/* onnxrun.c - `pecos run --onnx`; see onnxrun.h. */
#define _POSIX_C_SOURCE 200809L
#include "onnxrun.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "accel.h"
#include "cmd_run.h"
#include "golden_onnx.h"
#include "golden_post.h"
#include "npy.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "onnx_map.h"
#include "onnx_rtl.h"
#include "pecos_err.h"
#include "rng.h"
#include "tiling.h"

#define WHO "pecos run"
#define MAX_FEEDS 16

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- inputs and outputs ------------------------------------------------------------------ */

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int golden_to_npy(golden_dtype_t g, npy_dtype_t *d)
{
    switch (g) {
    case GOLDEN_DT_INT8: *d = NPY_INT8; return 0;
    case GOLDEN_DT_UINT8: *d = NPY_UINT8; return 0;
    case GOLDEN_DT_INT32: *d = NPY_INT32; return 0;
    case GOLDEN_DT_INT64: *d = NPY_INT64; return 0;
    case GOLDEN_DT_FLOAT16: *d = NPY_FLOAT16; return 0;
    case GOLDEN_DT_FLOAT: *d = NPY_FLOAT32; return 0;
    case GOLDEN_DT_UINT16: *d = NPY_UINT16; return 0;
    default: return PECOS_EDTYPE;
    }
}

static void dims_str(const int64_t *d, int n, char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    l += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < n && l < len; i++) l += (size_t)snprintf(buf + l, len - l, "%s%lld", i ? "," : "", (long long)d[i]);
    if (l < len) snprintf(buf + l, len - l, "]");
}

/* The graph inputs that are fed (not initializers), in order. */
static int feed_infos(const onnx_model_t *m, const onnx_value_info_t **vi, int max)
{
    int n = 0;
    for (int i = 0; i < m->n_inputs && n < max; i++)
        if (!onnx_model_init(m, m->inputs[i].name)) vi[n++] = &m->inputs[i];
    return n;
}

/* Reads --input into feed 0 after checking it against the model's input vi. Prints. */
static int load_input(const char *path, const onnx_value_info_t *vi, golden_tensor_t *t)
{
    char err[256], a[128], b[128];
    npy_array_t arr;
    golden_dtype_t gd;
    int rc = npy_read(path, &arr, err, sizeof err);
    if (rc) {
        fprintf(stderr, WHO ": --input %s: %s\n", path, err);
        return rc;
    }
    if (onnx_rtl_npy_dtype(arr.dtype, &gd) != 0 || (vi->dtype != GOLDEN_DT_UNDEFINED && gd != vi->dtype)) {
        fprintf(stderr, WHO ": --input %s: dtype %s, the model's input '%.60s' is %s\n", path, npy_dtype_name(arr.dtype),
                vi->name, golden_dtype_name(vi->dtype));
        npy_free(&arr);
        return PECOS_EDTYPE;
    }
    bool same = vi->ndim < 0 || vi->ndim == arr.ndim;
    for (int i = 0; same && vi->ndim >= 0 && i < arr.ndim; i++) same = vi->dims[i] < 0 || vi->dims[i] == arr.shape[i];
    if (!same) {
        dims_str(arr.shape, arr.ndim, a, sizeof a);
        dims_str(vi->dims, vi->ndim, b, sizeof b);
        fprintf(stderr, WHO ": --input %s: shape %s, the model's input '%.60s' is %s\n", path, a, vi->name, b);
        npy_free(&arr);
        return PECOS_ESHAPE;
    }
    if ((rc = golden_tensor_alloc(t, gd, arr.ndim, arr.shape)) != 0) {
        fprintf(stderr, WHO ": --input %s: %s\n", path, pecos_strerror(rc));
        npy_free(&arr);
        return rc;
    }
    memcpy(t->data, arr.data, npy_nbytes(&arr));
    npy_free(&arr);
    return 0;
}

/* Random data for the model's input vi from the seed. Prints. */
static int random_input(const onnx_value_info_t *vi, int idx, uint64_t seed, golden_tensor_t *t)
{
    if (vi->ndim < 0 || vi->dtype == GOLDEN_DT_UNDEFINED) {
        fprintf(stderr, WHO ": the model's input '%.60s' has no known type and shape: give --input X.npy\n", vi->name);
        return PECOS_ESHAPE;
    }
    for (int i = 0; i < vi->ndim; i++)
        if (vi->dims[i] < 0) {
            fprintf(stderr, WHO ": the model's input '%.60s' has a symbolic dimension: give --input X.npy\n", vi->name);
            return PECOS_ESHAPE;
        }
    int rc = golden_tensor_alloc(t, vi->dtype, vi->ndim, vi->dims);
    if (rc) {
        fprintf(stderr, WHO ": the model's input '%.60s': %s\n", vi->name, pecos_strerror(rc));
        return rc;
    }
    rng_t g;
    rng_seed(&g, seed * 0x100000001b3ULL + 0x0a7e + (uint64_t)idx);
    for (int64_t i = 0; i < t->count; i++) {
        double v;
        switch (t->dtype) {
        case GOLDEN_DT_INT8: v = rng_range(&g, -128, 127); break;
        case GOLDEN_DT_UINT8: v = rng_range(&g, 0, 255); break;
        case GOLDEN_DT_FLOAT:
        case GOLDEN_DT_FLOAT16:
        case GOLDEN_DT_DOUBLE: v = (double)(rng_next(&g) >> 40) / 8388608.0 - 1.0; break;
        default: v = rng_range(&g, -128, 127); break;
        }
        golden_tensor_set(t, i, v);
    }
    return 0;
}

/* --- reports ----------------------------------------------------------------------------- */

static const char *check_str(const onnx_rtl_rec_t *R)
{
    if (!R->on_array && !R->has_post) return "-";
    return R->ok ? "PASS" : "FAIL";
}

static void summary(FILE *f, const onnx_rtl_t *c, const char *model, const lrun_cfg_t *run, const char *df_name,
                    const char *src)
{
    const onnx_rtl_totals_t t = onnx_rtl_totals(c);
    fprintf(f, "pecos run --onnx %s: %dx%d %s int8 array, %d nodes (input: %s)\n", model, run->rows, run->cols,
            df_name, t.nodes, src);
    fprintf(f, "%-20s %-14s %-10s %11s %10s %9s %9s %6s\n", "node", "op", "where", "MACs", "array cyc",
            "ppu cyc", "diffs", "check");
    for (int i = 0; i < c->n_ran; i++) {
        const onnx_rtl_rec_t *R = &c->rec[c->order[i]];
        char d[32] = "-";
        if (R->outputs) snprintf(d, sizeof d, "%lld/%lld", (long long)R->diffs, (long long)R->outputs);
        fprintf(f, "%-20.20s %-14.14s %-10s %11llu %10llu %9llu %9s %6s\n", R->name, R->n->op_type, R->where,
                (unsigned long long)R->macs, (unsigned long long)(R->on_array ? R->arr.cycles : 0),
                (unsigned long long)R->post.cycles, d, check_str(R));
    }
    fprintf(f, "%-20s %-14s %-10s %11llu %10llu %9llu %9lld %6s\n", "total", "", "", (unsigned long long)t.macs,
            (unsigned long long)t.arr_cycles, (unsigned long long)t.ppu_cycles, (long long)t.diffs,
            t.pass ? "PASS" : "FAIL");
    for (int i = 0; i < c->n_ran; i++) {
        const onnx_rtl_rec_t *R = &c->rec[c->order[i]];
        if (R->why[0]) fprintf(f, "note: %s (%s): %s\n", R->name, R->n->op_type, R->why);
        if (!R->ok) fprintf(f, "FAIL %s\n", R->fail);
    }
    fprintf(f, "conv/matmul nodes: %d on the RTL, %d golden only; MACs: %llu on the RTL, %llu golden only "
               "(RTL share %.1f%%); %d nodes on the PPU (%d requantized on the host)\n",
            t.rtl_nodes, t.golden_nodes, (unsigned long long)t.macs_rtl, (unsigned long long)t.macs_golden,
            100.0 * onnx_rtl_share(&t), t.ppu_nodes, t.host_rq);
}

static int write_json(const char *path, const onnx_rtl_t *c, const char *model, const lrun_cfg_t *run,
                      const char *df_name, const char *src, int64_t exp_n, int64_t exp_bad, double wall,
                      bool require_rtl)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    const onnx_rtl_totals_t t = onnx_rtl_totals(c);
    fputs("{\n  \"model\": ", f);
    onnx_rtl_json_str(f, model);
    fprintf(f, ",\n  \"config\": {\"rows\": %d, \"cols\": %d, \"dataflow\": \"%s\", \"dtype\": \"int8\", \"seed\": %llu, "
               "\"require_rtl\": %s, \"input\": ",
            run->rows, run->cols, df_name, (unsigned long long)run->seed, require_rtl ? "true" : "false");
    onnx_rtl_json_str(f, src);
    fputs("},\n  \"nodes\": ", f);
    onnx_rtl_json_nodes(f, c);
    fputs(",\n  \"total\": ", f);
    onnx_rtl_json_totals(f, &t);
    fprintf(f, ",\n  \"wall_seconds\": %.3f,\n  \"expected\": ", wall);
    if (exp_n >= 0)
        fprintf(f, "{\"elements\": %lld, \"differ\": %lld}\n}\n", (long long)exp_n, (long long)exp_bad);
    else
        fputs("null\n}\n", f);
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

/* Elements of got that differ from exp (integers exactly, floats beyond 1e-7 + 1e-3|exp|,
 * as pecos onnx-test); -1 if dtype or shape differ. */
static int64_t count_differ(const golden_tensor_t *got, const golden_tensor_t *exp)
{
    if (got->dtype != exp->dtype || got->ndim != exp->ndim || got->count != exp->count) return -1;
    for (int i = 0; i < got->ndim; i++)
        if (got->dims[i] != exp->dims[i]) return -1;
    int64_t bad = 0;
    const bool isint = golden_dtype_is_int(got->dtype);
    for (int64_t i = 0; i < got->count; i++) {
        const double g = golden_tensor_get(got, i), e = golden_tensor_get(exp, i);
        if (isint ? g != e : !(fabs(g - e) <= 1e-7 + 1e-3 * fabs(e) || (isnan(g) && isnan(e)))) bad++;
    }
    return bad;
}

int onnxrun(const lrun_cfg_t *run, int df, const onnxrun_opts_t *o)
{
    static const char *const df_names[3] = {"ws", "is", "os"};
    const char *df_name = df_names[df];
    char err[1024], src[1200], dir[1024];
    onnx_model_t m;
    golden_tensor_t feeds[MAX_FEEDS], outs[MAX_FEEDS], exp[MAX_FEEDS];
    const onnx_value_info_t *vi[MAX_FEEDS];
    int nfeeds = 0, nexp = 0, exit_code = PECOS_EXIT_PASS, rc;
    bool have_outs = false, accel_opened = false;
    accel_t acc;
    onnx_rtl_t c;
    memset(&c, 0, sizeof c);
    memset(&acc, 0, sizeof acc);
    memset(feeds, 0, sizeof feeds);
    memset(outs, 0, sizeof outs);
    memset(exp, 0, sizeof exp);

    if (run->dtype != PECOS_INT8) {
        fprintf(stderr, WHO ": --onnx runs on the int8 array only (--dtype %s)\n", pecos_dtype_name(run->dtype));
        return PECOS_EXIT_USAGE;
    }
    if ((rc = onnx_model_read(o->model, &m, err, sizeof err)) != 0) {
        fprintf(stderr, WHO ": --onnx %s: %s\n", o->model, err);
        return PECOS_EXIT_USAGE;
    }
    const onnx_node_t *uns = onnx_exec_first_unsupported(&m);
    if (uns) {
        fprintf(stderr, WHO ": --onnx %s: unsupported operator %s%s%.60s (node '%.60s')\n", o->model, uns->domain,
                uns->domain[0] ? "." : "", uns->op_type, uns->name);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    if (m.n_outputs > MAX_FEEDS) {
        fprintf(stderr, WHO ": --onnx %s: more than %d graph outputs\n", o->model, MAX_FEEDS);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    const int want = onnx_exec_n_feeds(&m);
    if (want > MAX_FEEDS || feed_infos(&m, vi, MAX_FEEDS) != want) {
        fprintf(stderr, WHO ": --onnx %s: more than %d graph inputs\n", o->model, MAX_FEEDS);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    snprintf(dir, sizeof dir, "%s", o->model);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");

    /* The inputs: --input, the model directory's test data set, or random */
    char p0[1100];
    snprintf(p0, sizeof p0, "%s/test_data_set_0/input_0.pb", dir);
    if (o->input_path) {
        if (want != 1) {
            fprintf(stderr, WHO ": --input %s: the model takes %d inputs, --input feeds one\n", o->input_path, want);
            exit_code = PECOS_EXIT_USAGE;
            goto out;
        }
        if (load_input(o->input_path, vi[0], &feeds[0]) != 0) {
            exit_code = PECOS_EXIT_USAGE;
            goto out;
        }
        nfeeds = 1;
        snprintf(src, sizeof src, "%s", o->input_path);
    } else if (want > 0 && is_file(p0)) {
        for (; nfeeds < want; nfeeds++) {
            char p[1100];
            snprintf(p, sizeof p, "%s/test_data_set_0/input_%d.pb", dir, nfeeds);
            if ((rc = onnx_tensor_read(p, &feeds[nfeeds], NULL, 0, err, sizeof err)) != 0) {
                fprintf(stderr, WHO ": %s: %s\n", p, is_file(p) ? err : "missing (the model takes more inputs)");
                exit_code = PECOS_EXIT_USAGE;
                goto out;
            }
        }
        for (; nexp < m.n_outputs; nexp++) {
            char p[1100];
            snprintf(p, sizeof p, "%s/test_data_set_0/output_%d.pb", dir, nexp);
            if (!is_file(p)) break;
            if ((rc = onnx_tensor_read(p, &exp[nexp], NULL, 0, err, sizeof err)) != 0) {
                fprintf(stderr, WHO ": %s: %s\n", p, err);
                exit_code = PECOS_EXIT_USAGE;
                goto out;
            }
        }
        snprintf(src, sizeof src, "%s/test_data_set_0", dir);
    } else {
        for (; nfeeds < want; nfeeds++)
            if (random_input(vi[nfeeds], nfeeds, run->seed, &feeds[nfeeds]) != 0) {
                exit_code = PECOS_EXIT_USAGE;
                goto out;
            }
        snprintf(src, sizeof src, "random, seed %llu", (unsigned long long)run->seed);
    }

    if (onnx_rtl_init(&c, m.n_nodes) != 0) {
        fprintf(stderr, WHO ": out of memory\n");
        exit_code = PECOS_EXIT_FAIL;
        goto out;
    }
    if (accel_open(&acc, run, df, o->wave_path != NULL, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    accel_opened = true;
    c.i8 = &acc;
    c.write_back = true;
    if (o->wave_path && simlib_trace_open(acc.sim, o->wave_path, o->wave_from, o->wave_to) != 0) {
        fprintf(stderr, WHO ": --wave %s: cannot open the FST file\n", o->wave_path);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    const double t0 = now_seconds();
    const onnx_exec_opts_t xo = {.hook = onnx_rtl_hook, .ctx = &c};
    rc = onnx_exec_run(&m, &xo, feeds, nfeeds, outs, err, sizeof err);
    const double wall = now_seconds() - t0;
    if (o->wave_path) simlib_trace_close(acc.sim);
    if (rc) {
        if (!c.printed || rc == PECOS_ENOMEM) fprintf(stderr, WHO ": --onnx %s: %s\n", o->model, err);
        exit_code = rc == PECOS_ESIM || rc == PECOS_ENOMEM ? PECOS_EXIT_FAIL : PECOS_EXIT_USAGE;
        if (c.n_ran > 0 && exit_code == PECOS_EXIT_FAIL) summary(stdout, &c, o->model, run, df_name, src);
        goto out;
    }
    have_outs = true;
    const onnx_rtl_totals_t t = onnx_rtl_totals(&c);
    summary(stdout, &c, o->model, run, df_name, src);
    if (o->require_rtl && t.golden_nodes) {
        onnx_rtl_print_golden(stdout, &c, "FAIL --require-rtl");
        exit_code = PECOS_EXIT_FAIL;
    }
    printf("RTL vs the golden ONNX operators: %lld outputs compared, %lld differ (by at most %d; a QLinear* "
           "requantization may differ by 1 at a near-tie)\n",
           (long long)t.outputs, (long long)t.diffs, t.max_diff);
    if (!t.pass) exit_code = PECOS_EXIT_FAIL;
    int64_t exp_n = -1, exp_bad = 0;
    for (int i = 0; i < nexp; i++) {
        const int64_t bad = count_differ(&outs[i], &exp[i]);
        char a[128], b[128];
        if (bad < 0) {
            golden_tensor_shape_str(&outs[i], a, sizeof a);
            golden_tensor_shape_str(&exp[i], b, sizeof b);
            printf("FAIL output '%s': %s %s, expected %s %s\n", m.outputs[i].name, golden_dtype_name(outs[i].dtype), a,
                   golden_dtype_name(exp[i].dtype), b);
            exit_code = PECOS_EXIT_FAIL;
            continue;
        }
        exp_n = (exp_n < 0 ? 0 : exp_n) + outs[i].count;
        exp_bad += bad;
        /* With no near-tie difference the RTL's run is the golden run: it must match. */
        const bool fail = bad > 0 && t.diffs == 0;
        printf("%soutput '%s': %lld of %lld elements differ from the expected output_%d.pb%s\n", fail ? "FAIL " : "",
               m.outputs[i].name, (long long)bad, (long long)outs[i].count, i,
               bad && !fail ? " (after near-tie differences upstream)" : "");
        if (fail) exit_code = PECOS_EXIT_FAIL;
    }
    printf("cycles %llu (array %llu + post-processing %llu); array energy %.1f nJ; wall %.2f s; %s\n",
           (unsigned long long)(t.arr_cycles + t.ppu_cycles), (unsigned long long)t.arr_cycles,
           (unsigned long long)t.ppu_cycles, t.energy_pj * 1e-3, wall, exit_code == PECOS_EXIT_PASS ? "PASS" : "FAIL");
    if (o->json_path &&
        write_json(o->json_path, &c, o->model, run, df_name, src, exp_n, exp_bad, wall, o->require_rtl) != 0) {
        fprintf(stderr, WHO ": --json %s: cannot write: %s\n", o->json_path, strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    if (o->out_path && m.n_outputs > 0) {
        npy_array_t y = {.ndim = outs[0].ndim, .count = outs[0].count, .data = outs[0].data};
        for (int i = 0; i < outs[0].ndim; i++) y.shape[i] = outs[0].dims[i];
        if (golden_to_npy(outs[0].dtype, &y.dtype) != 0) {
            fprintf(stderr, WHO ": --out %s: the output's dtype %s has no .npy type here\n", o->out_path,
                    golden_dtype_name(outs[0].dtype));
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        } else if (npy_write(o->out_path, &y) != 0) {
            fprintf(stderr, WHO ": --out %s: cannot write: %s\n", o->out_path, strerror(errno));
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        }
    }
    if (o->wave_path)
        printf("waveform: %s (cycles %llu..%llu)\n", o->wave_path, (unsigned long long)o->wave_from,
               (unsigned long long)o->wave_to);
out:
    if (accel_opened) accel_close(&acc);
    for (int i = 0; i < MAX_FEEDS; i++) {
        golden_tensor_free(&feeds[i]);
        golden_tensor_free(&exp[i]);
        if (have_outs) golden_tensor_free(&outs[i]);
    }
    onnx_rtl_free(&c);
    onnx_model_free(&m);
    return exit_code;
}
