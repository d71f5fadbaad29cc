/* onnx_run.c - `pecos run --onnx`; see onnx_run.h. */
#define _POSIX_C_SOURCE 200809L
#include "onnx_run.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "device.h"
#include "errlist.h"
#include "golden_onnx.h"
#include "golden_post.h"
#include "json_out.h"
#include "npy.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "onnx_map.h"
#include "onnx_rtl.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "pecos_types.h"
#include "rng.h"
#include "tiling.h"

#define MAX_FEEDS 16

/* The state of one `--onnx` run across its phases (model, inputs, open, run, reports). */
typedef struct {
    const layer_run_cfg_t *run;
    const onnx_run_opts_t *o;
    const char *df_name;
    onnx_model_t m;
    golden_tensor_t feeds[MAX_FEEDS], outs[MAX_FEEDS], exp[MAX_FEEDS];
    const onnx_value_info_t *vi[MAX_FEEDS]; /* the fed graph inputs */
    int want, nfeeds, nexp;  /* inputs the model takes, fed, expected outputs read */
    bool have_outs, device_opened;
    device_t acc;
    onnx_rtl_t c;            /* the RTL hook's records */
    char src[1200];          /* where the inputs came from */
    double wall;             /* seconds the graph took */
    bool *pass;              /* the caller's: false when a check failed */
    errlist_t e;             /* the errors: their reasons (the caller's buffer), the first code */
} ox_run_t;

/* rc as an error of the user's input (exit status 2, as always here): the codes of a failed
 * run (ESIM, ENOMEM) become EPARAM. */
static int input_error(int rc)
{
    return rc == PECOS_ESIM || rc == PECOS_ENOMEM || rc >= 0 ? PECOS_EPARAM : rc;
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

/* Reads --input into feed 0 after checking it against the model's input vi. Returns 0 or a
 * negative code (recorded). */
static int load_input(ox_run_t *s, const char *path, const onnx_value_info_t *vi, golden_tensor_t *t)
{
    char err[256], a[128], b[128];
    npy_array_t arr;
    golden_dtype_t gd;
    int rc = npy_read(path, &arr, err, sizeof err);
    if (rc) return errlist_add(&s->e, input_error(rc), "--input %s: %s", path, err);
    if (onnx_rtl_npy_dtype(arr.dtype, &gd) != 0 || (vi->dtype != GOLDEN_DT_UNDEFINED && gd != vi->dtype)) {
        errlist_add(&s->e, PECOS_EDTYPE, "--input %s: dtype %s, the model's input '%.60s' is %s", path,
                    npy_dtype_name(arr.dtype), vi->name, golden_dtype_name(vi->dtype));
        npy_free(&arr);
        return PECOS_EDTYPE;
    }
    const int nb = s->o->batch > 1 ? s->o->batch : 0;
    if (nb && (arr.ndim < 1 || arr.shape[0] != nb)) {
        dims_str(arr.shape, arr.ndim, a, sizeof a);
        errlist_add(&s->e, PECOS_ESHAPE, "--input %s: shape %s, --batch %d needs %d images along the first dimension",
                    path, a, nb, nb);
        npy_free(&arr);
        return PECOS_ESHAPE;
    }
    bool same = vi->ndim < 0 || vi->ndim == arr.ndim;
    for (int i = 0; same && vi->ndim >= 0 && i < arr.ndim; i++)
        same = vi->dims[i] < 0 || vi->dims[i] == arr.shape[i] || (i == 0 && nb && vi->dims[0] == 1);
    if (!same) {
        dims_str(arr.shape, arr.ndim, a, sizeof a);
        dims_str(vi->dims, vi->ndim, b, sizeof b);
        errlist_add(&s->e, PECOS_ESHAPE, "--input %s: shape %s, the model's input '%.60s' is %s", path, a, vi->name, b);
        npy_free(&arr);
        return PECOS_ESHAPE;
    }
    if ((rc = golden_tensor_alloc(t, gd, arr.ndim, arr.shape)) != 0) {
        errlist_add(&s->e, input_error(rc), "--input %s: %s", path, pecos_strerror(rc));
        npy_free(&arr);
        return rc;
    }
    memcpy(t->data, arr.data, npy_nbytes(&arr));
    npy_free(&arr);
    return 0;
}

/* Random data for the model's input vi from the seed. Returns 0 or a negative code
 * (recorded). */
static int random_input(ox_run_t *s, const onnx_value_info_t *vi, int idx, golden_tensor_t *t)
{
    if (vi->ndim < 0 || vi->dtype == GOLDEN_DT_UNDEFINED)
        return errlist_add(&s->e, PECOS_ESHAPE, "the model's input '%.60s' has no known type and shape: give --input X.npy", vi->name);
    const int nb = s->o->batch > 1 ? s->o->batch : 0;
    int64_t dims[GOLDEN_MAX_DIMS];
    for (int i = 0; i < vi->ndim; i++) {
        dims[i] = vi->dims[i];
        if (i == 0 && nb && (dims[0] < 0 || dims[0] == 1)) dims[0] = nb;
        if (dims[i] < 0)
            return errlist_add(&s->e, PECOS_ESHAPE, "the model's input '%.60s' has a symbolic dimension: give --input X.npy%s",
                               vi->name, i == 0 ? " or --batch N" : "");
    }
    if (nb && (vi->ndim < 1 || dims[0] != nb))
        return errlist_add(&s->e, PECOS_ESHAPE, "--batch %d: the model's input '%.60s' has a fixed first dimension of %lld",
                           nb, vi->name, vi->ndim < 1 ? 0LL : (long long)dims[0]);
    int rc = golden_tensor_alloc(t, vi->dtype, vi->ndim, dims);
    if (rc) return errlist_add(&s->e, input_error(rc), "the model's input '%.60s': %s", vi->name, pecos_strerror(rc));
    rng_t g;
    rng_seed(&g, s->run->seed * 0x100000001b3ULL + 0x0a7e + (uint64_t)idx);
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
    if (!R->on_array && !R->has_post && !R->pooled) return "-";
    return R->ok ? "PASS" : "FAIL";
}

static void summary(FILE *f, const onnx_rtl_t *c, const char *model, const layer_run_cfg_t *run, const char *df_name,
                    const char *src, int nb)
{
    const onnx_rtl_totals_t t = onnx_rtl_totals(c);
    char b[48] = "";
    if (nb > 1) snprintf(b, sizeof b, ", batch of %d images", nb);
    fprintf(f, "pecos run --onnx %s: %dx%d %s int8 array, %d nodes%s (input: %s)\n", model, run->rows, run->cols,
            df_name, t.nodes, b, src);
    fprintf(f, "%-20s %-14s %-10s %11s %10s %9s %9s %6s\n", "node", "op", "where", "MACs", "array cyc",
            "ppu cyc", "diffs", "check");
    for (int i = 0; i < c->n_ran; i++) {
        const onnx_rtl_rec_t *R = &c->rec[c->order[i]];
        char d[32] = "-";
        if (R->outputs) snprintf(d, sizeof d, "%lld/%lld", (long long)R->diffs, (long long)R->outputs);
        fprintf(f, "%-20.20s %-14.14s %-10s %11llu %10llu %9llu %9s %6s\n", R->name, R->n->op_type,
                R->fused || R->pooled ? "fused" : R->where,
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
               "(RTL share %.1f%%); %d nodes on the PPU (%d requantized on the host, %d fused on the "
               "array's writeback path); DRAM %llu bytes\n",
            t.rtl_nodes, t.golden_nodes, (unsigned long long)t.macs_rtl, (unsigned long long)t.macs_golden,
            100.0 * onnx_rtl_share(&t), t.ppu_nodes, t.host_rq, t.fused_nodes, (unsigned long long)t.dram_bytes);
}

static int write_json(const char *path, const onnx_rtl_t *c, const char *model, const layer_run_cfg_t *run,
                      const char *df_name, const char *src, int64_t exp_n, int64_t exp_bad, double wall,
                      bool require_rtl, int nb)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    const onnx_rtl_totals_t t = onnx_rtl_totals(c);
    fputs("{\n  \"model\": ", f);
    json_str(f, model);
    fprintf(f, ",\n  \"config\": {\"rows\": %d, \"cols\": %d, \"dataflow\": \"%s\", \"dtype\": \"int8\", \"seed\": %llu, "
               "\"require_rtl\": %s, \"batch\": %d, \"fuse_ppu\": %s, \"input\": ",
            run->rows, run->cols, df_name, (unsigned long long)run->seed, require_rtl ? "true" : "false",
            nb > 1 ? nb : 1, c->fuse ? "true" : "false");
    json_str(f, src);
    fputs("},\n  \"nodes\": ", f);
    onnx_rtl_json_nodes(f, c);
    fputs(",\n  \"total\": ", f);
    onnx_rtl_json_totals(f, &t);
    const int n = nb > 1 ? nb : 1;
    fprintf(f, ",\n  \"per_image\": {\"cycles\": %.17g, \"energy_pj\": %.17g},\n  \"wall_seconds\": %.3f,\n  \"expected\": ",
            (double)(t.arr_cycles + t.ppu_cycles) / n, t.energy_pj / n, wall);
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

/* The model: read, every operator supported, at most MAX_FEEDS inputs and outputs. Returns
 * 0 or a negative code (recorded). */
static int ox_model(ox_run_t *s)
{
    const onnx_run_opts_t *o = s->o;
    const onnx_model_t *m = &s->m;
    char err[1024];
    int rc;
    if (s->run->dtype != PECOS_INT8)
        return errlist_add(&s->e, PECOS_EDTYPE, "--onnx runs on the int8 array only (--dtype %s)",
                           pecos_dtype_name(s->run->dtype));
    if ((rc = onnx_model_read(o->model, &s->m, err, sizeof err)) != 0)
        return errlist_add(&s->e, input_error(rc), "--onnx %s: %s", o->model, err);
    const onnx_node_t *uns = onnx_exec_first_unsupported(m);
    if (uns)
        return errlist_add(&s->e, PECOS_ENOTSUP, "--onnx %s: unsupported operator %s%s%.60s (node '%.60s')", o->model,
                           uns->domain, uns->domain[0] ? "." : "", uns->op_type, uns->name);
    if (m->n_outputs > MAX_FEEDS)
        return errlist_add(&s->e, PECOS_ENOTSUP, "--onnx %s: more than %d graph outputs", o->model, MAX_FEEDS);
    s->want = onnx_exec_n_feeds(m);
    if (s->want > MAX_FEEDS || feed_infos(m, s->vi, MAX_FEEDS) != s->want)
        return errlist_add(&s->e, PECOS_ENOTSUP, "--onnx %s: more than %d graph inputs", o->model, MAX_FEEDS);
    return 0;
}

/* --batch N of a test data set made for one image: t (read from path, first dimension 1)
 * becomes N copies of itself along the first dimension, so that every image of the batch
 * is checked against the expected output. Returns 0 or a negative code (recorded). */
static int repeat_batch(ox_run_t *s, golden_tensor_t *t, const char *path)
{
    const int nb = s->o->batch;
    if (t->ndim < 1 || t->dims[0] != 1)
        return errlist_add(&s->e, PECOS_ESHAPE, "--batch %d: %s: its first dimension is not 1 (a test data set for one image)",
                           nb, path);
    golden_tensor_t r;
    int64_t dims[GOLDEN_MAX_DIMS];
    memcpy(dims, t->dims, sizeof dims);
    dims[0] = nb;
    int rc = golden_tensor_alloc(&r, t->dtype, t->ndim, dims);
    if (rc) return errlist_add(&s->e, input_error(rc), "--batch %d: %s: %s", nb, path, pecos_strerror(rc));
    const size_t one = (size_t)t->count * golden_dtype_size(t->dtype);
    for (int i = 0; i < nb; i++) memcpy((char *)r.data + (size_t)i * one, t->data, one);
    golden_tensor_free(t);
    *t = r;
    return 0;
}

/* The model directory's test data set: every input, and the expected outputs there are.
 * Returns 0 or a negative code (recorded). */
static int ox_test_data(ox_run_t *s, const char *dir)
{
    char err[1024];
    for (; s->nfeeds < s->want; s->nfeeds++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/test_data_set_0/input_%d.pb", dir, s->nfeeds);
        int rc = onnx_tensor_read(p, &s->feeds[s->nfeeds], NULL, 0, err, sizeof err);
        if (rc != 0)
            return errlist_add(&s->e, input_error(rc), "%s: %s", p,
                               is_file(p) ? err : "missing (the model takes more inputs)");
        if (s->o->batch > 1 && repeat_batch(s, &s->feeds[s->nfeeds], p) != 0) return s->e.rc;
    }
    for (; s->nexp < s->m.n_outputs; s->nexp++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/test_data_set_0/output_%d.pb", dir, s->nexp);
        if (!is_file(p)) break;
        int rc = onnx_tensor_read(p, &s->exp[s->nexp], NULL, 0, err, sizeof err);
        if (rc != 0) return errlist_add(&s->e, input_error(rc), "%s: %s", p, err);
        if (s->o->batch > 1 && repeat_batch(s, &s->exp[s->nexp], p) != 0) return s->e.rc;
    }
    if (s->o->batch > 1)
        snprintf(s->src, sizeof s->src, "%s/test_data_set_0, %d copies", dir, s->o->batch);
    else
        snprintf(s->src, sizeof s->src, "%s/test_data_set_0", dir);
    return 0;
}

/* The inputs: --input, the model directory's test data set, or random from the seed.
 * Returns 0 or a negative code (recorded). */
static int ox_inputs(ox_run_t *s)
{
    const onnx_run_opts_t *o = s->o;
    char dir[1024], p0[1100];
    snprintf(dir, sizeof dir, "%s", o->model);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    snprintf(p0, sizeof p0, "%s/test_data_set_0/input_0.pb", dir);
    if (o->input_path) {
        if (s->want != 1)
            return errlist_add(&s->e, PECOS_EPARAM, "--input %s: the model takes %d inputs, --input feeds one",
                               o->input_path, s->want);
        if (load_input(s, o->input_path, s->vi[0], &s->feeds[0]) != 0) return s->e.rc;
        s->nfeeds = 1;
        snprintf(s->src, sizeof s->src, "%s", o->input_path);
    } else if (s->want > 0 && is_file(p0)) {
        return ox_test_data(s, dir);
    } else {
        for (; s->nfeeds < s->want; s->nfeeds++)
            if (random_input(s, s->vi[s->nfeeds], s->nfeeds, &s->feeds[s->nfeeds]) != 0) return s->e.rc;
        snprintf(s->src, sizeof s->src, "random, seed %llu", (unsigned long long)s->run->seed);
    }
    return 0;
}

/* The RTL hook's records and the array (with its waveform, if asked for). Returns 0 or a
 * negative code (recorded). */
static int ox_open(ox_run_t *s, int df)
{
    const onnx_run_opts_t *o = s->o;
    device_t *acc = &s->acc;
    char err[1024];
    int rc;
    if (onnx_rtl_init(&s->c, s->m.n_nodes) != 0) return errlist_add(&s->e, PECOS_ENOMEM, "out of memory");
    if ((rc = device_open_wave(acc, s->run, df, o->wave_path, o->wave_from, o->wave_to, err,
                               sizeof err)) != 0)
        return errlist_add(&s->e, input_error(rc), "%s", err);
    s->device_opened = true;
    if (o->replay_dir && (rc = device_replay(acc, o->replay_dir, err, sizeof err)) != 0)
        return errlist_add(&s->e, input_error(rc), "--replay-dump: %s", err);
    s->c.i8 = acc;
    s->c.write_back = true;
    s->c.fuse = o->fuse_ppu;
    s->c.graph = &s->m;
    return 0;
}

/* Runs the graph with the RTL hook. Returns 0 or a negative code (recorded; its reason stays
 * out when the array's runner printed it); after a failed run the nodes that ran are
 * summed up on stdout. */
static int ox_exec(ox_run_t *s)
{
    const onnx_run_opts_t *o = s->o;
    char err[1024];
    const double t0 = pecos_now();
    const onnx_exec_opts_t xo = {.hook = onnx_rtl_hook, .ctx = &s->c};
    int rc = onnx_exec_run(&s->m, &xo, s->feeds, s->nfeeds, s->outs, err, sizeof err);
    s->wall = pecos_now() - t0;
    if (o->wave_path) simlib_trace_close(s->acc.sim);
    if (!rc) {
        s->have_outs = true;
        return 0;
    }
    if (!s->c.printed || rc == PECOS_ENOMEM) errlist_add(&s->e, rc, "--onnx %s: %s", o->model, err);
    else if (!s->e.rc) s->e.rc = rc;
    if (s->c.n_ran > 0 && (rc == PECOS_ESIM || rc == PECOS_ENOMEM))
        summary(stdout, &s->c, o->model, s->run, s->df_name, s->src, o->batch);
    return rc;
}

/* The graph outputs against the expected ones (test data set): one line each on stdout;
 * clears *pass on a mismatch. *exp_n: elements compared (-1: none), *exp_bad: differ. */
static void ox_expected(ox_run_t *s, const onnx_rtl_totals_t *t, int64_t *exp_n, int64_t *exp_bad)
{
    const golden_tensor_t *outs = s->outs, *exp = s->exp;
    *exp_n = -1;
    *exp_bad = 0;
    for (int i = 0; i < s->nexp; i++) {
        const int64_t bad = count_differ(&outs[i], &exp[i]);
        char a[128], b[128];
        if (bad < 0) {
            golden_tensor_shape_str(&outs[i], a, sizeof a);
            golden_tensor_shape_str(&exp[i], b, sizeof b);
            printf("FAIL output '%s': %s %s, expected %s %s\n", s->m.outputs[i].name, golden_dtype_name(outs[i].dtype), a,
                   golden_dtype_name(exp[i].dtype), b);
            *s->pass = false;
            continue;
        }
        *exp_n = (*exp_n < 0 ? 0 : *exp_n) + outs[i].count;
        *exp_bad += bad;
        /* With no near-tie difference the RTL's run is the golden run: it must match. */
        const bool fail = bad > 0 && t->diffs == 0;
        printf("%soutput '%s': %lld of %lld elements differ from the expected output_%d.pb%s\n", fail ? "FAIL " : "",
               s->m.outputs[i].name, (long long)bad, (long long)outs[i].count, i,
               bad && !fail ? " (after near-tie differences upstream)" : "");
        if (fail) *s->pass = false;
    }
}

/* The first graph output as --out .npy. Returns 0 or a negative code (recorded). */
static int ox_write_out(ox_run_t *s)
{
    const onnx_run_opts_t *o = s->o;
    const golden_tensor_t *y0 = &s->outs[0];
    npy_array_t y = {.ndim = y0->ndim, .count = y0->count, .data = y0->data};
    for (int i = 0; i < y0->ndim; i++) y.shape[i] = y0->dims[i];
    if (golden_to_npy(y0->dtype, &y.dtype) != 0)
        return errlist_add(&s->e, PECOS_EDTYPE, "--out %s: the output's dtype %s has no .npy type here", o->out_path,
                           golden_dtype_name(y0->dtype));
    if (npy_write(o->out_path, &y) != 0)
        return errlist_add(&s->e, PECOS_EIO, "--out %s: cannot write: %s", o->out_path, strerror(errno));
    return 0;
}

/* The reports of a graph that ran: the table and the checks on stdout, --json, --out. */
static void ox_reports(ox_run_t *s)
{
    const onnx_run_opts_t *o = s->o;
    const onnx_rtl_totals_t t = onnx_rtl_totals(&s->c);
    int64_t exp_n, exp_bad;
    summary(stdout, &s->c, o->model, s->run, s->df_name, s->src, o->batch);
    if (o->require_rtl && t.golden_nodes) {
        onnx_rtl_print_golden(stdout, &s->c, "FAIL --require-rtl");
        *s->pass = false;
    }
    printf("RTL vs the golden ONNX operators: %lld outputs compared, %lld differ (by at most %d; a QLinear* "
           "requantization may differ by 1 at a near-tie)\n",
           (long long)t.outputs, (long long)t.diffs, t.max_diff);
    if (!t.pass) *s->pass = false;
    ox_expected(s, &t, &exp_n, &exp_bad);
    char per[96] = "";
    if (o->batch > 1)
        snprintf(per, sizeof per, " (per image: %.1f cycles, %.1f nJ)",
                 (double)(t.arr_cycles + t.ppu_cycles) / o->batch, t.energy_pj * 1e-3 / o->batch);
    printf("cycles %llu (array %llu + post-processing %llu); array energy %.1f nJ%s; wall %.2f s; %s\n",
           (unsigned long long)(t.arr_cycles + t.ppu_cycles), (unsigned long long)t.arr_cycles,
           (unsigned long long)t.ppu_cycles, t.energy_pj * 1e-3, per, s->wall, *s->pass ? "PASS" : "FAIL");
    if (o->json_path &&
        write_json(o->json_path, &s->c, o->model, s->run, s->df_name, s->src, exp_n, exp_bad, s->wall, o->require_rtl,
                   o->batch) != 0)
        errlist_add(&s->e, PECOS_EIO, "--json %s: cannot write: %s", o->json_path, strerror(errno));
    if (o->out_path && s->m.n_outputs > 0) ox_write_out(s);
    if (o->wave_path)
        printf("waveform: %s (cycles %llu..%llu)\n", o->wave_path, (unsigned long long)o->wave_from,
               (unsigned long long)o->wave_to);
}

int onnx_run(const layer_run_cfg_t *run, int df, const onnx_run_opts_t *o, bool *pass, char *err, size_t errlen)
{
    ox_run_t st, *s = &st;
    memset(s, 0, sizeof *s);
    s->run = run;
    s->o = o;
    s->df_name = pecos_df_name((pecos_df_t)df);
    s->pass = pass;
    errlist_init(&s->e, err, errlen, run->who);
    *pass = true;
    if (ox_model(s) == 0 && ox_inputs(s) == 0 && ox_open(s, df) == 0 && ox_exec(s) == 0) ox_reports(s);
    if (s->device_opened) {
        char rerr[1024];
        const int rrc = device_replay_end(&s->acc, rerr, sizeof rerr);
        if (rrc != 0) errlist_add(&s->e, rrc, "--replay-dump: %s", rerr);
        device_close(&s->acc);
    }
    for (int i = 0; i < MAX_FEEDS; i++) {
        golden_tensor_free(&s->feeds[i]);
        golden_tensor_free(&s->exp[i]);
        if (s->have_outs) golden_tensor_free(&s->outs[i]);
    }
    onnx_rtl_free(&s->c);
    onnx_model_free(&s->m);
    return s->e.rc;
}
