/* cmd_eval.c - `pecos eval`; see cmd_eval.h and docs/ONNX.md ("pecos eval"). */
#define _POSIX_C_SOURCE 200809L
#include "cmd_eval.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "cli.h"
#include "energy.h"
#include "json_out.h"
#include "npy.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "onnx_rtl.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "pecos_types.h"
#include "tiling.h"

#define WHO "pecos eval"
#define MAX_CLASSES 1000

void cmd_eval_usage(FILE *f)
{
    fputs("usage: pecos eval MODEL.onnx --data X.npy --labels Y.npy [options]\n"
          "Runs every image of X (N images: X is [N, ...] with the model input's shape after\n"
          "its batch dimension of 1, and its dtype) through the model twice: on the RTL (as\n"
          "pecos run --onnx: conv/matmul nodes on the int8 array, each checked bit-exact,\n"
          "QLinear* requantization on the post-processing unit) and on the golden operators;\n"
          "prints the top-1 accuracy of both against Y (N integer labels), their agreement\n"
          "(every image must agree), a confusion matrix, cycles, utilization and energy per\n"
          "image and the RTL share of the MACs.\n"
          "options:\n"
          "  --float-model F.onnx   also the top-1 accuracy of a float model on the same data\n"
          "                         (golden operators, float32 data, double accumulation)\n"
          "  --fp-rtl bf16|fp16     and the float model's nodes on the bf16/fp16 array\n"
          "                         (needs --float-model; operands rounded to nearest even)\n"
          "  --rows N --cols N      the arrays (default 16x16)\n"
          "  --dataflow ws|is|os    (default ws)\n"
          "  --limit N              the first N images only\n"
          "  --require-rtl          a conv/matmul node on the golden models only fails\n"
          "  --json FILE            the report as JSON\n"
          "  --inject-fault CYCLE   checker self-test: flip one bit of the first array output\n"
          "                         at or after CYCLE of each layer (eval must then FAIL)\n"
          "exit: 0 every check passed and RTL == golden on every image, 1 a check failed or\n"
          "an image disagreed, 2 bad option or input\n",
          f);
}

typedef struct {
    const char *model, *data, *labels, *float_model, *json, *fp_rtl;
    int rows, cols, df;
    long limit;
    uint64_t fault_cycle;   /* --inject-fault: UINT64_MAX none */
    bool require_rtl;
} eval_opts_t;

static bool parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) return false;
    *out = x;
    return true;
}

static int parse(int argc, char **argv, eval_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->rows = o->cols = 16;
    o->limit = -1;
    o->fault_cycle = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_eval_usage(stdout);
            return 1;
        }
        if (strcmp(a, "--require-rtl") == 0) {
            o->require_rtl = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (o->model) {
                fprintf(stderr, WHO ": unexpected argument '%s' (one MODEL.onnx)\n", a);
                return -1;
            }
            o->model = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, WHO ": %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        long x;
        if (strcmp(a, "--data") == 0) o->data = v;
        else if (strcmp(a, "--labels") == 0) o->labels = v;
        else if (strcmp(a, "--float-model") == 0) o->float_model = v;
        else if (strcmp(a, "--json") == 0) o->json = v;
        else if (strcmp(a, "--fp-rtl") == 0) {
            if (strcmp(v, "bf16") != 0 && strcmp(v, "fp16") != 0) {
                fprintf(stderr, WHO ": --fp-rtl %s: bf16 or fp16\n", v);
                return -1;
            }
            o->fp_rtl = v;
        } else if (strcmp(a, "--rows") == 0 || strcmp(a, "--cols") == 0) {
            if (!parse_int(v, 1, 256, &x)) {
                fprintf(stderr, WHO ": %s %s: must be 1..256\n", a, v);
                return -1;
            }
            if (a[2] == 'r') o->rows = (int)x;
            else o->cols = (int)x;
        } else if (strcmp(a, "--dataflow") == 0) {
            pecos_df_t df;
            if (pecos_df_parse(v, &df) != 0) {
                fprintf(stderr, WHO ": --dataflow %s: ws, is or os\n", v);
                return -1;
            }
            o->df = df;
        } else if (strcmp(a, "--inject-fault") == 0) {
            if (!parse_int(v, 0, LONG_MAX, &x)) {
                fprintf(stderr, WHO ": --inject-fault %s: must be a cycle number\n", v);
                return -1;
            }
            o->fault_cycle = (uint64_t)x;
        } else if (strcmp(a, "--limit") == 0) {
            if (!parse_int(v, 1, 1L << 30, &x)) {
                fprintf(stderr, WHO ": --limit %s: must be a count >= 1\n", v);
                return -1;
            }
            o->limit = x;
        } else {
            fprintf(stderr, WHO ": unknown option %s (see pecos eval --help)\n", a);
            return -1;
        }
    }
    if (!o->model || !o->data || !o->labels) {
        fprintf(stderr, WHO ": needs MODEL.onnx, --data X.npy and --labels Y.npy (see pecos eval --help)\n");
        return -1;
    }
    if (o->fp_rtl && !o->float_model) {
        fprintf(stderr, WHO ": --fp-rtl runs the float model: give --float-model F.onnx\n");
        return -1;
    }
    return 0;
}

/* The single fed input of m (printed error and NULL if it has none or several). */
static const onnx_value_info_t *the_input(const onnx_model_t *m, const char *path)
{
    const onnx_value_info_t *vi = NULL;
    int n = 0;
    for (int i = 0; i < m->n_inputs; i++)
        if (!onnx_model_init(m, m->inputs[i].name)) {
            vi = &m->inputs[i];
            n++;
        }
    if (n != 1) {
        fprintf(stderr, WHO ": %s: the model takes %d inputs; eval feeds one\n", path, n);
        return NULL;
    }
    return vi;
}

/* Whether image tensors of X ([N, rest...], dtype gd) feed vi ([1 or ?, rest...]). */
static bool fits(const onnx_value_info_t *vi, const npy_array_t *x, golden_dtype_t gd, const char *mpath,
                 const char *xpath)
{
    if (vi->dtype != GOLDEN_DT_UNDEFINED && vi->dtype != gd) {
        fprintf(stderr, WHO ": --data %s: dtype %s, the input '%.60s' of %s is %s\n", xpath, npy_dtype_name(x->dtype),
                vi->name, mpath, golden_dtype_name(vi->dtype));
        return false;
    }
    bool ok = vi->ndim < 0 || (vi->ndim == x->ndim && (vi->dims[0] == 1 || vi->dims[0] < 0));
    for (int i = 1; ok && vi->ndim >= 0 && i < x->ndim; i++) ok = vi->dims[i] < 0 || vi->dims[i] == x->shape[i];
    if (!ok) {
        fprintf(stderr, WHO ": --data %s: images of shape [N,...] that match the input '%.60s' of %s after a batch of 1 expected\n",
                xpath, vi->name, mpath);
        return false;
    }
    return true;
}

/* Top-1 class of output t (its flat elements; the first of equal maxima). */
static int argmax(const golden_tensor_t *t)
{
    int best = 0;
    for (int64_t i = 1; i < t->count; i++)
        if (golden_tensor_get(t, i) > golden_tensor_get(t, best)) best = (int)i;
    return best;
}

/* Label i of Y (an integer .npy array). */
static int64_t label_at(const npy_array_t *y, long i)
{
    switch (y->dtype) {
    case NPY_INT8: return ((const int8_t *)y->data)[i];
    case NPY_UINT8: return ((const uint8_t *)y->data)[i];
    case NPY_UINT16: return ((const uint16_t *)y->data)[i];
    case NPY_INT32: return ((const int32_t *)y->data)[i];
    case NPY_INT64: return ((const int64_t *)y->data)[i];
    default: return -1;
    }
}

typedef struct {
    onnx_model_t m;
    bool loaded;
    int n_out;
    golden_tensor_t *outs;
} model_t;

static int load_model(const char *path, model_t *M)
{
    char err[512];
    if (onnx_model_read(path, &M->m, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": %s: %s\n", path, err);
        return PECOS_EFORMAT;
    }
    M->loaded = true;
    const onnx_node_t *uns = onnx_exec_first_unsupported(&M->m);
    if (uns) {
        fprintf(stderr, WHO ": %s: unsupported operator %s%s%.60s (node '%.60s')\n", path, uns->domain,
                uns->domain[0] ? "." : "", uns->op_type, uns->name);
        return PECOS_ENOTSUP;
    }
    if (M->m.n_outputs < 1) {
        fprintf(stderr, WHO ": %s: the model has no output\n", path);
        return PECOS_EFORMAT;
    }
    M->n_out = M->m.n_outputs;
    M->outs = calloc((size_t)M->n_out, sizeof *M->outs);
    return M->outs ? 0 : PECOS_ENOMEM;
}

static void free_outs(model_t *M)
{
    for (int i = 0; M->outs && i < M->n_out; i++) golden_tensor_free(&M->outs[i]);
}

static void free_model(model_t *M)
{
    free_outs(M);
    free(M->outs);
    if (M->loaded) onnx_model_free(&M->m);
}

/* Runs M on feed (hook x or none); *pred = top-1 of output 0. Prints a run error. */
static int run_one(model_t *M, const char *path, onnx_rtl_t *x, const golden_tensor_t *feed, long img, int *pred)
{
    char err[512];
    free_outs(M);
    const onnx_exec_opts_t xo = {.hook = onnx_rtl_hook, .ctx = x};
    if (x) onnx_rtl_reset(x);
    int rc = onnx_exec_run(&M->m, x ? &xo : NULL, feed, 1, M->outs, err, sizeof err);
    if (rc) {
        if (!x || !x->printed || rc == PECOS_ENOMEM) fprintf(stderr, WHO ": %s: image %ld: %s\n", path, img, err);
        return rc;
    }
    *pred = argmax(&M->outs[0]);
    return 0;
}

typedef struct {
    uint64_t cycles, arr_cycles, ppu_cycles, macs_rtl, macs_golden;
    double energy_pj;
    int64_t diffs;
} sums_t;

static void add(sums_t *s, const onnx_rtl_totals_t *t)
{
    s->cycles += t->arr_cycles + t->fp_cycles + t->ppu_cycles;
    s->arr_cycles += t->arr_cycles + t->fp_cycles;
    s->ppu_cycles += t->ppu_cycles;
    s->macs_rtl += t->macs_rtl;
    s->macs_golden += t->macs_golden;
    s->energy_pj += t->energy_pj;
    s->diffs += t->diffs;
}

static double pct(long a, long n) { return n ? 100.0 * (double)a / (double)n : 0; }

/* Everything one `pecos eval` holds between its phases. */
typedef struct {
    eval_opts_t o;
    model_t Q, F;                    /* the quantized model, the --float-model */
    npy_array_t X, Y;                /* --data, --labels */
    bool x_read, y_read, a8_open, afp_open;
    golden_dtype_t xd;               /* the dtype of X's images */
    long n;                          /* images to run (--limit) */
    energy_table_t etab;
    device_t a8, afp;                 /* the int8 array, the --fp-rtl array */
    onnx_rtl_t xq, xf;               /* their ONNX hooks */
    long *conf;                      /* confusion matrix [label][RTL top-1] */
    int classes, golden_only;
    long ok_rtl, ok_gold, ok_float, ok_fp, agree, fp_agree, failed;
    long first_disagree, first_failed;
    char first_fail[400];
    sums_t sq, sf;                   /* totals of the int8 and the fp array */
    double wall;
} eval_t;

/* Reads the models, --data and --labels and checks they fit together. Returns 0 or -1
 * (message printed). */
static int eval_load(eval_t *e)
{
    const eval_opts_t *o = &e->o;
    char err[512];
    if (load_model(o->model, &e->Q) != 0) return -1;
    if (o->float_model && load_model(o->float_model, &e->F) != 0) return -1;
    if (npy_read(o->data, &e->X, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": --data %s: %s\n", o->data, err);
        return -1;
    }
    e->x_read = true;
    golden_dtype_t yd;
    if (onnx_rtl_npy_dtype(e->X.dtype, &e->xd) != 0 || e->X.ndim < 1 || e->X.shape[0] < 1) {
        fprintf(stderr, WHO ": --data %s: %s array of rank %d: [N, ...] images expected\n", o->data,
                npy_dtype_name(e->X.dtype), e->X.ndim);
        return -1;
    }
    const onnx_value_info_t *vq = the_input(&e->Q.m, o->model), *vf = NULL;
    if (!vq || !fits(vq, &e->X, e->xd, o->model, o->data)) return -1;
    if (o->float_model && (!(vf = the_input(&e->F.m, o->float_model)) ||
                           !fits(vf, &e->X, e->xd, o->float_model, o->data)))
        return -1;
    if (npy_read(o->labels, &e->Y, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": --labels %s: %s\n", o->labels, err);
        return -1;
    }
    e->y_read = true;
    if (onnx_rtl_npy_dtype(e->Y.dtype, &yd) != 0 || !golden_dtype_is_int(yd) || e->Y.ndim != 1 ||
        e->Y.shape[0] != e->X.shape[0]) {
        fprintf(stderr, WHO ": --labels %s: %lld integer labels expected (one per image of --data)\n",
                o->labels, (long long)e->X.shape[0]);
        return -1;
    }
    e->n = o->limit > 0 && o->limit < e->X.shape[0] ? o->limit : (long)e->X.shape[0];
    return 0;
}

/* Opens the int8 array (and the --fp-rtl one) and their ONNX hooks. Returns 0 or -1
 * (message printed). */
static int eval_open_arrays(eval_t *e)
{
    const eval_opts_t *o = &e->o;
    char err[512];
    energy_table_default(&e->etab);
    layer_run_cfg_t lc = {.rows = o->rows, .cols = o->cols, .dtype = PECOS_INT8, .etab = &e->etab, .log = stderr,
                     .fault_cycle = o->fault_cycle, .who = WHO};
    lc.mem.dram.burst = 64;
    lc.mem.dram_capacity = 4096ull << 20;
    lc.mem.psum_ports = 2;
    if (device_open(&e->a8, &lc, o->df, 0, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": --rows %d --cols %d: %s\n", o->rows, o->cols, err);
        return -1;
    }
    e->a8_open = true;
    if (o->fp_rtl) {
        layer_run_cfg_t fc = lc;
        pecos_dtype_parse(o->fp_rtl, &fc.dtype); /* bf16 or fp16: checked by parse_opts */
        if (device_open(&e->afp, &fc, o->df, 0, err, sizeof err) != 0) {
            fprintf(stderr, WHO ": --fp-rtl %s --rows %d --cols %d: %s\n", o->fp_rtl, o->rows, o->cols, err);
            return -1;
        }
        e->afp_open = true;
    }
    if (onnx_rtl_init(&e->xq, e->Q.m.n_nodes) != 0 || (o->fp_rtl && onnx_rtl_init(&e->xf, e->F.m.n_nodes) != 0)) {
        fprintf(stderr, WHO ": out of memory\n");
        return -1;
    }
    e->xq.i8 = &e->a8;
    e->xq.write_back = true;
    if (o->fp_rtl) {
        e->xf.fp = &e->afp;
        e->xf.fmt = strcmp(o->fp_rtl, "bf16") == 0 ? FP_BF16 : FP_FP16;
        e->xf.write_back = true;
    }
    return 0;
}

/* Counts the checks of one run of the RTL path (x, totals t) on image i. */
static void eval_count_checks(eval_t *e, onnx_rtl_t *x, const onnx_rtl_totals_t *t, long i)
{
    if (i == 0 && t->golden_nodes) {
        e->golden_only += t->golden_nodes;
        onnx_rtl_print_golden(stdout, x, e->o.require_rtl ? "FAIL --require-rtl" : "note");
    }
    if (!t->pass && e->failed++ == 0) {
        e->first_failed = i;
        snprintf(e->first_fail, sizeof e->first_fail, "%s", t->first_fail->fail);
    }
}

/* Runs image i (in feed) on the golden path, the RTL and the float model(s) and counts it.
 * Returns PECOS_EXIT_PASS, or the exit code that ends the run (message printed). */
static int eval_image(eval_t *e, const golden_tensor_t *feed, long i)
{
    const eval_opts_t *o = &e->o;
    int pg, pr, pf = -1, pfp = -1;
    const int64_t label = label_at(&e->Y, i);
    if (run_one(&e->Q, o->model, NULL, feed, i, &pg) != 0) return PECOS_EXIT_USAGE;
    if (i == 0) {
        e->classes = (int)e->Q.outs[0].count;
        if (e->classes < 2 || e->classes > MAX_CLASSES ||
            !(e->conf = calloc((size_t)e->classes * e->classes, sizeof *e->conf))) {
            fprintf(stderr, WHO ": %s: output 0 has %d elements: 2..%d class scores expected\n", o->model,
                    e->classes, MAX_CLASSES);
            return PECOS_EXIT_USAGE;
        }
    }
    if (label < 0 || label >= e->classes) {
        fprintf(stderr, WHO ": --labels %s: label %lld of image %ld is not a class 0..%d\n", o->labels,
                (long long)label, i, e->classes - 1);
        return PECOS_EXIT_USAGE;
    }
    const int rc = run_one(&e->Q, o->model, &e->xq, feed, i, &pr);
    if (rc) return pecos_exit_code(rc, true);
    const onnx_rtl_totals_t t = onnx_rtl_totals(&e->xq);
    add(&e->sq, &t);
    eval_count_checks(e, &e->xq, &t, i);
    if (o->float_model && run_one(&e->F, o->float_model, NULL, feed, i, &pf) != 0) return PECOS_EXIT_USAGE;
    if (o->fp_rtl) {
        const int frc = run_one(&e->F, o->float_model, &e->xf, feed, i, &pfp);
        if (frc) return pecos_exit_code(frc, true);
        const onnx_rtl_totals_t tf = onnx_rtl_totals(&e->xf);
        add(&e->sf, &tf);
        eval_count_checks(e, &e->xf, &tf, i);
        e->ok_fp += pfp == label;
        e->fp_agree += pfp == pf;
    }
    e->ok_gold += pg == label;
    e->ok_rtl += pr == label;
    e->ok_float += pf == label;
    if (pr == pg) e->agree++;
    else if (e->first_disagree < 0) e->first_disagree = i;
    e->conf[(size_t)label * e->classes + pr]++;
    return PECOS_EXIT_PASS;
}

/* Runs every image; sets the wall time. Returns PECOS_EXIT_PASS, or the exit code that
 * ended the run (message printed). */
static int eval_images(eval_t *e)
{
    const npy_array_t *X = &e->X;
    golden_tensor_t feed = {0};
    int64_t fdims[GOLDEN_MAX_DIMS];
    fdims[0] = 1;
    for (int i = 1; i < X->ndim; i++) fdims[i] = X->shape[i];
    if (X->ndim > GOLDEN_MAX_DIMS || golden_tensor_alloc(&feed, e->xd, X->ndim, fdims) != 0) {
        fprintf(stderr, WHO ": --data %s: cannot hold one image\n", e->o.data);
        return PECOS_EXIT_USAGE;
    }
    const size_t img_bytes = npy_nbytes(X) / (size_t)X->shape[0];
    const bool tty = isatty(2) != 0;
    int exit_code = PECOS_EXIT_PASS;
    e->first_disagree = e->first_failed = -1;
    const double t0 = pecos_now();
    for (long i = 0; i < e->n; i++) {
        memcpy(feed.data, (const char *)X->data + (size_t)i * img_bytes, img_bytes);
        if ((exit_code = eval_image(e, &feed, i)) != PECOS_EXIT_PASS) break;
        if (tty && (i % 8 == 7 || i + 1 == e->n))
            fprintf(stderr, "\r" WHO ": %ld/%ld images, RTL top-1 %.1f%%, agreement %.1f%%", i + 1, e->n,
                    pct(e->ok_rtl, i + 1), pct(e->agree, i + 1));
    }
    if (tty) fputc('\n', stderr);
    golden_tensor_free(&feed);
    e->wall = pecos_now() - t0;
    return exit_code;
}

/* The RTL's share of the conv/matmul MACs of the int8 path (1 with none). */
static double mac_share(const sums_t *sq)
{
    const uint64_t all = sq->macs_rtl + sq->macs_golden;
    return all ? (double)sq->macs_rtl / (double)all : 1;
}

/* The int8 array's utilization: its MACs over its cycles times its PEs. */
static double utilization(const eval_t *e)
{
    const sums_t *sq = &e->sq;
    return sq->arr_cycles ? (double)sq->macs_rtl / ((double)sq->arr_cycles * e->o.rows * e->o.cols) : 0;
}

/* Prints the report of the run (exit_code: its verdict so far) to stdout. */
static void eval_print(const eval_t *e, int exit_code)
{
    const eval_opts_t *o = &e->o;
    const sums_t *sq = &e->sq, *sf = &e->sf;
    const long n = e->n;
    const int classes = e->classes;
    const double share = mac_share(sq), util = utilization(e);
    printf("pecos eval %s: %ld images, %d classes, %dx%d %s int8 array\n", o->model, n, classes, o->rows, o->cols,
           pecos_df_name((pecos_df_t)o->df));
    printf("top-1 accuracy: RTL %.2f%% (%ld), golden %.2f%% (%ld)", pct(e->ok_rtl, n), e->ok_rtl,
           pct(e->ok_gold, n), e->ok_gold);
    if (o->float_model) printf(", float model %.2f%% (%ld)", pct(e->ok_float, n), e->ok_float);
    if (o->fp_rtl) printf(", float model on the %s array %.2f%% (%ld)", o->fp_rtl, pct(e->ok_fp, n), e->ok_fp);
    printf("\nRTL == golden: %ld of %ld images (%.2f%%)%s; %lld output elements differ (near-ties of the float requantization)\n",
           e->agree, n, pct(e->agree, n), e->agree == n ? "" : " FAIL", (long long)sq->diffs);
    if (e->first_disagree >= 0)
        printf("FAIL image %ld: the RTL's top-1 differs from the golden path's\n", e->first_disagree);
    if (o->fp_rtl)
        printf("%s array == float model: %ld of %ld images (%.2f%%)\n", o->fp_rtl, e->fp_agree, n, pct(e->fp_agree, n));
    printf("per image: %.0f cycles (array %.0f + post-processing %.0f), utilization %.1f%%, array energy %.2f nJ; "
           "RTL share of the conv/matmul MACs %.1f%%\n",
           (double)sq->cycles / n, (double)sq->arr_cycles / n, (double)sq->ppu_cycles / n, 100 * util,
           sq->energy_pj / n * 1e-3, 100 * share);
    if (o->fp_rtl)
        printf("float model on the %s array, per image: %.0f cycles, array energy %.2f nJ; RTL share of its "
               "conv/matmul MACs %.1f%%\n",
               o->fp_rtl, (double)sf->cycles / n, sf->energy_pj / n * 1e-3,
               sf->macs_rtl + sf->macs_golden ? 100.0 * (double)sf->macs_rtl / (double)(sf->macs_rtl + sf->macs_golden) : 100.0);
    printf("confusion matrix (rows: label, columns: RTL top-1):\n      ");
    for (int c = 0; c < classes && classes <= 32; c++) printf(" %5d", c);
    for (int r = 0; r < classes && classes <= 32; r++) {
        printf("\n%5d ", r);
        for (int c = 0; c < classes; c++) printf(" %5ld", e->conf[(size_t)r * classes + c]);
    }
    if (classes > 32) printf("(%d classes: in the JSON report only)", classes);
    printf("\n");
    if (e->failed) printf("FAIL image %ld: %s (%ld images failed a check)\n", e->first_failed, e->first_fail, e->failed);
    printf("wall %.2f s; %s\n", e->wall, exit_code == PECOS_EXIT_PASS ? "PASS" : "FAIL");
}

/* Writes the --json report. Returns exit_code, lowered to PECOS_EXIT_USAGE when the file
 * cannot be written (message printed). */
static int eval_write_json(const eval_t *e, int exit_code)
{
    const eval_opts_t *o = &e->o;
    const sums_t *sq = &e->sq, *sf = &e->sf;
    const long n = e->n;
    const int classes = e->classes;
    const double share = mac_share(sq), util = utilization(e);
    FILE *f = fopen(o->json, "w");
    if (!f) {
        fprintf(stderr, WHO ": --json %s: cannot write: %s\n", o->json, strerror(errno));
        return exit_code == PECOS_EXIT_PASS ? PECOS_EXIT_USAGE : exit_code;
    }
    fputs("{\n  \"model\": ", f);
    json_str(f, o->model);
    fputs(", \"float_model\": ", f);
    if (o->float_model) json_str(f, o->float_model);
    else fputs("null", f);
    fputs(", \"data\": ", f);
    json_str(f, o->data);
    fprintf(f, ",\n  \"config\": {\"rows\": %d, \"cols\": %d, \"dataflow\": \"%s\", \"fp_rtl\": %s%s%s, "
               "\"require_rtl\": %s},\n",
            o->rows, o->cols, pecos_df_name((pecos_df_t)o->df), o->fp_rtl ? "\"" : "", o->fp_rtl ? o->fp_rtl : "null",
            o->fp_rtl ? "\"" : "", o->require_rtl ? "true" : "false");
    fprintf(f, "  \"images\": %ld, \"classes\": %d,\n  \"accuracy\": {\"rtl\": %.6f, \"golden\": %.6f, "
               "\"float\": ",
            n, classes, (double)e->ok_rtl / n, (double)e->ok_gold / n);
    if (o->float_model) fprintf(f, "%.6f", (double)e->ok_float / n);
    else fputs("null", f);
    fputs(", \"fp_rtl\": ", f);
    if (o->fp_rtl) fprintf(f, "%.6f", (double)e->ok_fp / n);
    else fputs("null", f);
    fprintf(f, "},\n  \"agreement\": %.6f, \"disagreements\": %ld, \"output_diffs\": %lld, \"failed_images\": %ld,\n",
            (double)e->agree / n, n - e->agree, (long long)sq->diffs, e->failed);
    fprintf(f, "  \"per_image\": {\"cycles\": %.1f, \"array_cycles\": %.1f, \"ppu_cycles\": %.1f, "
               "\"utilization\": %.6f, \"energy_pj\": %.1f",
            (double)sq->cycles / n, (double)sq->arr_cycles / n, (double)sq->ppu_cycles / n, util, sq->energy_pj / n);
    if (o->fp_rtl)
        fprintf(f, ", \"fp_cycles\": %.1f, \"fp_energy_pj\": %.1f", (double)sf->cycles / n, sf->energy_pj / n);
    fprintf(f, "},\n  \"total_cycles\": %llu, \"rtl_macs\": %llu, \"golden_only_macs\": %llu, "
               "\"rtl_mac_share\": %.6f, \"golden_only_nodes\": %d,\n  \"confusion\": [",
            (unsigned long long)(sq->cycles + sf->cycles), (unsigned long long)sq->macs_rtl,
            (unsigned long long)sq->macs_golden, share, e->golden_only);
    for (int r = 0; r < classes; r++) {
        fputs(r ? ",\n    [" : "\n    [", f);
        for (int c = 0; c < classes; c++) fprintf(f, "%s%ld", c ? ", " : "", e->conf[(size_t)r * classes + c]);
        fputc(']', f);
    }
    fprintf(f, "],\n  \"wall_seconds\": %.3f, \"pass\": %s\n}\n", e->wall, exit_code == PECOS_EXIT_PASS ? "true" : "false");
    if (fclose(f) != 0) {
        fprintf(stderr, WHO ": --json %s: cannot write\n", o->json);
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    return exit_code;
}

int cmd_eval(int argc, char **argv)
{
    static eval_t e; /* the arrays and the energy table: not on the stack */
    memset(&e, 0, sizeof e);
    int prc = parse(argc, argv, &e.o);
    if (prc) return prc > 0 ? PECOS_EXIT_PASS : PECOS_EXIT_USAGE;
    int exit_code = PECOS_EXIT_USAGE;
    if (eval_load(&e) != 0 || eval_open_arrays(&e) != 0) goto out;
    if ((exit_code = eval_images(&e)) != PECOS_EXIT_PASS) goto out;
    if (e.failed || e.agree != e.n || (e.o.require_rtl && e.golden_only))
        exit_code = pecos_exit_code(0, false);
    eval_print(&e, exit_code);
    if (e.o.json) exit_code = eval_write_json(&e, exit_code);
out:
    free(e.conf);
    onnx_rtl_free(&e.xq);
    onnx_rtl_free(&e.xf);
    if (e.a8_open) device_close(&e.a8);
    if (e.afp_open) device_close(&e.afp);
    if (e.x_read) npy_free(&e.X);
    if (e.y_read) npy_free(&e.Y);
    free_model(&e.Q);
    free_model(&e.F);
    return exit_code;
}
