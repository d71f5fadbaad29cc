/* cmd_onnx.c - `pecos onnx-test DIR...`; see cmd_onnx.h.
 *
 * A case directory holds model.onnx and test_data_set_<n> directories with input_<i>.pb and
 * output_<i>.pb (the ONNX backend test layout). Each data set runs through the golden
 * interpreter (onnx_exec.h); every output is compared with the expected one: integer
 * dtypes exactly, float ones within |got - exp| <= atol + rtol * |exp| (ONNX backend
 * defaults rtol 1e-3, atol 1e-7; NaN equals NaN).
 */
#define _POSIX_C_SOURCE 200809L
#include "cmd_onnx.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "device.h"
#include "cli.h"
#include "energy.h"
#include "golden_onnx.h"
#include "json_out.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "onnx_map.h"
#include "onnx_rtl.h"
#include "pecos_err.h"
#include "pecos_types.h"
#include "tiling.h"

#define WHO "pecos onnx-test"
#define MAX_SETS 64
#define MAX_TENSORS 32

void cmd_onnx_test_usage(FILE *f)
{
    fputs("usage: pecos onnx-test [options] DIR...\n"
          "Runs ONNX backend test cases (DIR/model.onnx, DIR/test_data_set_*/input_*.pb and\n"
          "output_*.pb) through the golden operators and compares every output with the\n"
          "expected one (integers exactly, floats within atol + rtol*|expected|).\n"
          "options:\n"
          "  --rtol X      relative tolerance for float outputs (default 1e-3)\n"
          "  --atol X      absolute tolerance for float outputs (default 1e-7)\n"
          "  --strict      a case skipped for an unsupported operator counts as a failure\n"
          "  --rtl RxC     also run Conv, ConvInteger, QLinearConv, MatMul, MatMulInteger,\n"
          "                QLinearMatMul and Gemm nodes on the verilated int8 RxC array\n"
          "                (int8/uint8 operands, zero points folded into the bias; Conv,\n"
          "                MatMul, Gemm: integer-valued data) with pecos run's checks\n"
          "                (bit-exact vs golden conv, cycles vs model), QLinear*\n"
          "                requantization on the post-processing unit, and require the\n"
          "                result to equal the golden node output (within 1 at a near-tie\n"
          "                of ONNX's float requantization); MaxPool on int8/uint8 on the PPU\n"
          "  --require-rtl with --rtl: a conv/matmul node that ran on the golden models only\n"
          "                fails the case (the line names the node and the reason)\n"
          "  --dataflow D  ws (default), is or os, for --rtl\n"
          "  --fp-rtl bf16|fp16\n"
          "                with --rtl: also run float32 Conv, Gemm and MatMul nodes that map\n"
          "                on the bf16/fp16 RxC array (operands rounded to nearest even,\n"
          "                fp32 bias and accumulation; bit-exact vs the golden fp conv in\n"
          "                the array's order, cycles vs model) and require every output\n"
          "                within the derived error bound of the golden node output and of\n"
          "                the expected output (docs/ONNX.md)\n"
          "  --inject-fault CYCLE\n"
          "                checker self-test: flip one bit of the first array output at or\n"
          "                after CYCLE of each layer (the case must then FAIL)\n"
          "  --json FILE   write one record per case\n"
          "exit: 0 no case failed, 1 a case failed, 2 bad option, missing directory or a\n"
          "truncated/corrupted .onnx/.pb file\n",
          f);
}

typedef enum { CASE_PASS, CASE_FAIL, CASE_SKIP, CASE_ERROR } case_status_t;

static const char *status_name(case_status_t s)
{
    switch (s) {
    case CASE_PASS: return "PASS";
    case CASE_FAIL: return "FAIL";
    case CASE_SKIP: return "SKIP";
    default: return "ERROR";
    }
}

typedef struct {
    double rtol, atol;
    bool strict;
    const char *json_path;
    int rtl_rows, rtl_cols; /* 0: golden only */
    int df;
    uint64_t fault_cycle;   /* UINT64_MAX: none */
    const char *fp_rtl;     /* "bf16", "fp16" or NULL */
    bool require_rtl;       /* a golden-only conv/matmul node fails the case */
} opts_t;

/* --- the RTL paths (onnx_rtl.h) -------------------------------------------------------- */

typedef struct {
    device_t accel;          /* the int8 array */
    bool fp_on;             /* --fp-rtl: fp is open */
    device_t fp;             /* the bf16/fp16 array */
    const char *fp_name;    /* "bf16" or "fp16" */
    onnx_rtl_t x;           /* the node pipeline (records of one data set) */
} rtl_t;

#define MAX_GOLDEN 8

/* What the RTL did over all data sets of a case. */
typedef struct {
    int runs, golden_runs, fp_runs, fp_golden_runs; /* conv/matmul node runs */
    uint64_t macs_rtl, macs_golden, cycles, fp_cycles, ppu_cycles;
    int64_t diffs;
    int host_rq;
    double fp_ratio;
    char why_not[200], fp_why_not[200];  /* the first golden-only node: why */
    int n_golden;                        /* golden-only nodes of the first data set */
    struct {
        char name[64], op[48], why[200];
    } golden[MAX_GOLDEN];                /* their name, op and reason */
} rtl_acc_t;

/* Adds the records of one data set into A; 0, or 1 with a one-line reason when a node
 * failed a check. */
static int rtl_collect(const onnx_rtl_t *x, rtl_acc_t *A, bool first_set, char *why, size_t len)
{
    const onnx_rtl_totals_t t = onnx_rtl_totals(x);
    for (int i = 0; i < x->n_ran; i++) {
        const onnx_rtl_rec_t *R = &x->rec[x->order[i]];
        if (R->candidate && R->on_array) A->runs++;
        if (R->on_fp) A->fp_runs++;
        if (R->fp_tried && !R->on_fp && A->fp_golden_runs++ == 0)
            snprintf(A->fp_why_not, sizeof A->fp_why_not, "%.30s: %.150s", R->n->op_type, R->fp_why);
        if (!R->candidate || R->on_array || R->on_fp) continue;
        if (A->golden_runs++ == 0) snprintf(A->why_not, sizeof A->why_not, "%.30s: %.150s", R->n->op_type, R->why);
        if (first_set && A->n_golden < MAX_GOLDEN) {
            snprintf(A->golden[A->n_golden].name, sizeof A->golden[0].name, "%s", R->name);
            snprintf(A->golden[A->n_golden].op, sizeof A->golden[0].op, "%.47s", R->n->op_type);
            snprintf(A->golden[A->n_golden].why, sizeof A->golden[0].why, "%s", R->why);
            A->n_golden++;
        }
    }
    A->macs_rtl += t.macs_rtl;
    A->macs_golden += t.macs_golden;
    A->cycles += t.arr_cycles;
    A->fp_cycles += t.fp_cycles;
    A->ppu_cycles += t.ppu_cycles;
    A->diffs += t.diffs;
    A->host_rq += t.host_rq;
    A->fp_ratio = fmax(A->fp_ratio, t.fp_ratio);
    if (t.first_fail) {
        snprintf(why, len, "%s", t.first_fail->fail);
        return 1;
    }
    return 0;
}

typedef struct {
    case_status_t status;
    char reason[2304];
    int data_sets;
    int outputs_checked;
    char paths[768]; /* "golden", "golden+rtl ...", "; fp-rtl ..." */
    rtl_acc_t acc;   /* --rtl: what ran where */
} case_result_t;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Sorted names of dir's subdirectories starting with test_data_set_ (at most MAX_SETS;
 * the caller frees each and the array). Returns the count or -1. */
static int list_sets(const char *dir, char ***names)
{
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **v = calloc(MAX_SETS, sizeof *v);
    int n = 0;
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL && n < MAX_SETS) {
        if (strncmp(e->d_name, "test_data_set_", 14) != 0) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (!is_dir(p)) continue;
        v[n] = strdup(e->d_name);
        if (v[n]) n++;
    }
    closedir(d);
    if (!v) return -1;
    qsort(v, (size_t)n, sizeof *v, cmp_names);
    *names = v;
    return n;
}

static void free_names(char **v, int n)
{
    for (int i = 0; i < n && v; i++) free(v[i]);
    free(v);
}

/* Reads prefix_0.pb, prefix_1.pb, ... from dir until one is missing. Returns the count
 * (>= 0) or a negative code with the file named in err. */
static int read_tensors(const char *dir, const char *prefix, golden_tensor_t *t, int max,
                        char *err, size_t errlen)
{
    int n = 0;
    for (; n < max; n++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/%s_%d.pb", dir, prefix, n);
        if (!is_file(p)) break;
        char why[512];
        int rc = onnx_tensor_read(p, &t[n], NULL, 0, why, sizeof why);
        if (rc) {
            snprintf(err, errlen, "%s: %s", p, why);
            for (int i = 0; i < n; i++) golden_tensor_free(&t[i]);
            return rc;
        }
    }
    return n;
}

/* Compares got with exp; on the first difference writes why and returns false. */
static bool outputs_match(const opts_t *o, const char *name, const golden_tensor_t *got,
                          const golden_tensor_t *exp, char *why, size_t len)
{
    char a[96], b[96];
    if (got->dtype != exp->dtype) {
        snprintf(why, len, "output '%s': dtype %s, expected %s", name, golden_dtype_name(got->dtype), golden_dtype_name(exp->dtype));
        return false;
    }
    bool same_shape = got->ndim == exp->ndim;
    for (int i = 0; same_shape && i < got->ndim; i++) same_shape = got->dims[i] == exp->dims[i];
    if (!same_shape) {
        snprintf(why, len, "output '%s': shape %s, expected %s", name, golden_tensor_shape_str(got, a, sizeof a),
                 golden_tensor_shape_str(exp, b, sizeof b));
        return false;
    }
    const bool isint = golden_dtype_is_int(got->dtype);
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < got->count; i++) {
        bool ok;
        if (isint) {
            ok = golden_tensor_get_i64(got, i) == golden_tensor_get_i64(exp, i);
        } else {
            double g = golden_tensor_get(got, i), e = golden_tensor_get(exp, i);
            if (isnan(e) || isnan(g)) ok = isnan(e) && isnan(g);
            else if (isinf(e) || isinf(g)) ok = g == e;
            else ok = fabs(g - e) <= o->atol + o->rtol * fabs(e);
        }
        if (!ok) {
            if (first < 0) first = i;
            bad++;
        }
    }
    if (bad) {
        if (isint)
            snprintf(why, len, "output '%s': %lld of %lld elements differ, first at flat index %lld: got %lld, expected %lld (exact)",
                     name, (long long)bad, (long long)got->count, (long long)first, (long long)golden_tensor_get_i64(got, first),
                     (long long)golden_tensor_get_i64(exp, first));
        else
            snprintf(why, len, "output '%s': %lld of %lld elements differ, first at flat index %lld: got %.9g, expected %.9g (rtol %g, atol %g)",
                     name, (long long)bad, (long long)got->count, (long long)first, golden_tensor_get(got, first),
                     golden_tensor_get(exp, first), o->rtol, o->atol);
        return false;
    }
    return true;
}

/* Runs data set `set` (the first one of the case: first) of model m in case dir into *r:
 * the golden operators (and the RTL with rtl), then the outputs against the expected ones. */
static void run_data_set(const opts_t *o, rtl_t *rtl, const onnx_model_t *m, const char *dir, const char *set,
                         bool first, case_result_t *r)
{
    char sdir[1024], why[512];
    int rc;
    snprintf(sdir, sizeof sdir, "%s/%s", dir, set);
    golden_tensor_t in[MAX_TENSORS], exp[MAX_TENSORS], got[MAX_TENSORS];
    int nin = read_tensors(sdir, "input", in, MAX_TENSORS, r->reason, sizeof r->reason);
    if (nin < 0) {
        r->status = CASE_ERROR;
        return;
    }
    int nexp = read_tensors(sdir, "output", exp, MAX_TENSORS, r->reason, sizeof r->reason);
    if (nexp < 0) {
        for (int i = 0; i < nin; i++) golden_tensor_free(&in[i]);
        r->status = CASE_ERROR;
        return;
    }
    if (nexp != m->n_outputs || m->n_outputs > MAX_TENSORS) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: %d output_*.pb files, the model has %d outputs", sdir, nexp, m->n_outputs);
    } else {
        const onnx_exec_opts_t xo = {.hook = onnx_rtl_hook, .ctx = rtl ? &rtl->x : NULL};
        if (rtl) {
            onnx_rtl_reset(&rtl->x);
            rtl->x.m = m;
            rtl->x.exp = exp;
            rtl->x.n_exp = nexp;
        }
        rc = onnx_exec_run(m, rtl ? &xo : NULL, in, nin, got, why, sizeof why);
        if (rc == 0 && rtl && rtl_collect(&rtl->x, &r->acc, first, why, sizeof why)) {
            r->status = CASE_FAIL;
            snprintf(r->reason, sizeof r->reason, "%s: %s", set, why);
            for (int i = 0; i < m->n_outputs; i++) golden_tensor_free(&got[i]);
        } else if (rc == PECOS_ENOTSUP) {
            r->status = CASE_SKIP;
            snprintf(r->reason, sizeof r->reason, "%s", why);
        } else if (rc) {
            r->status = CASE_FAIL;
            snprintf(r->reason, sizeof r->reason, "%s: %s", set, why);
        } else {
            for (int i = 0; i < nexp && r->status == CASE_PASS; i++) {
                if (!outputs_match(o, m->outputs[i].name, &got[i], &exp[i], why, sizeof why)) {
                    r->status = CASE_FAIL;
                    snprintf(r->reason, sizeof r->reason, "%s: %s", set, why);
                }
                r->outputs_checked++;
            }
            for (int i = 0; i < m->n_outputs; i++) golden_tensor_free(&got[i]);
        }
    }
    for (int i = 0; i < nin; i++) golden_tensor_free(&in[i]);
    for (int i = 0; i < nexp; i++) golden_tensor_free(&exp[i]);
    if (r->status == CASE_PASS) r->data_sets++;
}

/* Describes the paths a passing case took with the RTL (r->paths) and fails it under
 * --require-rtl when a node ran on the golden models only. */
static void describe_rtl_paths(const opts_t *o, const rtl_t *rtl, case_result_t *r)
{
    const rtl_acc_t *A = &r->acc;
    const uint64_t all = A->macs_rtl + A->macs_golden;
    if (A->runs)
        snprintf(r->paths, sizeof r->paths, "golden+rtl (%d node run%s, %llu cycles)", A->runs, A->runs == 1 ? "" : "s",
                 (unsigned long long)A->cycles);
    size_t l = strlen(r->paths);
    if (A->golden_runs)
        snprintf(r->paths + l, sizeof r->paths - l, "; golden only for %.150s", A->why_not);
    l = strlen(r->paths);
    if (A->fp_runs)
        snprintf(r->paths + l, sizeof r->paths - l, "; fp-rtl %s (%d node run%s, %llu cycles, max |err|/bound %.3g)",
                 rtl->fp_name, A->fp_runs, A->fp_runs == 1 ? "" : "s", (unsigned long long)A->fp_cycles,
                 A->fp_ratio);
    l = strlen(r->paths);
    if (A->fp_golden_runs)
        snprintf(r->paths + l, sizeof r->paths - l, "; fp-rtl golden only for %.150s", A->fp_why_not);
    l = strlen(r->paths);
    if (all)
        snprintf(r->paths + l, sizeof r->paths - l, "; RTL MACs %.1f%%", 100.0 * (double)A->macs_rtl / (double)all);
    if (o->require_rtl && A->golden_runs) {
        r->status = CASE_FAIL;
        snprintf(r->reason, sizeof r->reason, "--require-rtl: node '%s' (%s) ran on the golden models only: %s",
                 A->golden[0].name, A->golden[0].op, A->golden[0].why);
    }
}

/* Runs one case directory into *r; rtl (or NULL) adds the RTL path. */
static void run_case(const opts_t *o, rtl_t *rtl, const char *dir, case_result_t *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->paths, sizeof r->paths, "golden");
    char path[1024];
    if (!is_dir(dir)) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: not a directory", dir);
        return;
    }
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    onnx_model_t m;
    char why[512];
    int rc = onnx_model_read(path, &m, why, sizeof why);
    if (rc) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: %s", path, why);
        return;
    }
    const onnx_node_t *uns = onnx_exec_first_unsupported(&m);
    if (uns) {
        r->status = CASE_SKIP;
        snprintf(r->reason, sizeof r->reason, "unsupported op %s%s%s", uns->domain, uns->domain[0] ? "." : "", uns->op_type);
        onnx_model_free(&m);
        return;
    }
    char **sets = NULL;
    int nsets = list_sets(dir, &sets);
    if (nsets <= 0) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: no test_data_set_* directory", dir);
        free_names(sets, nsets);
        onnx_model_free(&m);
        return;
    }
    if (rtl && onnx_rtl_init(&rtl->x, m.n_nodes) != 0) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: out of memory", dir);
        free_names(sets, nsets);
        onnx_model_free(&m);
        return;
    }
    r->status = CASE_PASS;
    for (int s = 0; s < nsets && r->status == CASE_PASS; s++)
        run_data_set(o, rtl, &m, dir, sets[s], s == 0, r);
    free_names(sets, nsets);
    onnx_model_free(&m);
    if (rtl && r->status == CASE_PASS) describe_rtl_paths(o, rtl, r);
    if (rtl) {
        onnx_rtl_free(&rtl->x);
        rtl->x.m = NULL;
        rtl->x.exp = NULL;
        rtl->x.n_exp = 0;
    }
}

/* A short name for a case: its last two path components ("node/test_conv"). */
static const char *case_name(const char *dir, char *buf, size_t len)
{
    snprintf(buf, len, "%s", dir);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
    char *last = strrchr(buf, '/');
    if (!last) return buf;
    *last = '\0';
    char *prev = strrchr(buf, '/');
    *last = '/';
    return prev ? prev + 1 : buf;
}

/* Parses the options before the first case directory into *o; *first_dir is the index of
 * that directory (argc: none). Returns 0, 1 for --help (usage printed) or -1 (message
 * printed). */
static int onnx_test_parse(int argc, char **argv, opts_t *o, int *first_dir)
{
    *first_dir = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_onnx_test_usage(stdout);
            return 1;
        }
        if (strcmp(a, "--strict") == 0) {
            o->strict = true;
            continue;
        }
        if (strcmp(a, "--require-rtl") == 0) {
            o->require_rtl = true;
            continue;
        }
        if (strcmp(a, "--inject-fault") == 0) {
            char *end;
            errno = 0;
            unsigned long long c = i + 1 < argc ? strtoull(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || errno || end == argv[i + 1] || *end || argv[i + 1][0] == '-') {
                fprintf(stderr, WHO ": --inject-fault %s: must be a cycle number\n", i + 1 < argc ? argv[i + 1] : "");
                return -1;
            }
            o->fault_cycle = c;
            i++;
            continue;
        }
        if (strcmp(a, "--fp-rtl") == 0) {
            if (i + 1 >= argc || (strcmp(argv[i + 1], "bf16") != 0 && strcmp(argv[i + 1], "fp16") != 0)) {
                fprintf(stderr, WHO ": --fp-rtl %s: bf16 or fp16\n", i + 1 < argc ? argv[i + 1] : "");
                return -1;
            }
            o->fp_rtl = argv[++i];
            continue;
        }
        if (strcmp(a, "--rtl") == 0 || strcmp(a, "--dataflow") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, WHO ": %s needs a value\n", a);
                return -1;
            }
            const char *v = argv[++i];
            pecos_df_t df;
            if (a[2] == 'r') {
                char tail;
                if (sscanf(v, "%dx%d%c", &o->rtl_rows, &o->rtl_cols, &tail) != 2 || o->rtl_rows < 1 ||
                    o->rtl_cols < 1 || o->rtl_rows > 256 || o->rtl_cols > 256) {
                    fprintf(stderr, WHO ": --rtl %s: expected ROWSxCOLS, e.g. 4x4\n", v);
                    return -1;
                }
            } else if (pecos_df_parse(v, &df) == 0) {
                o->df = df;
            } else {
                fprintf(stderr, WHO ": --dataflow %s: ws, is or os\n", v);
                return -1;
            }
            continue;
        }
        if (strcmp(a, "--rtol") == 0 || strcmp(a, "--atol") == 0 || strcmp(a, "--json") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, WHO ": %s needs a value\n", a);
                return -1;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--json") == 0) {
                o->json_path = v;
                continue;
            }
            char *end;
            errno = 0;
            double x = strtod(v, &end);
            if (errno || end == v || *end || !(x >= 0) || isinf(x)) {
                fprintf(stderr, WHO ": %s %s: must be a number >= 0\n", a, v);
                return -1;
            }
            if (a[2] == 'r') o->rtol = x;
            else o->atol = x;
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, WHO ": unknown option %s (see pecos onnx-test --help)\n", a);
            return -1;
        }
        *first_dir = i;
        break;
    }
    if (*first_dir >= argc) {
        fprintf(stderr, WHO ": no case directory given (see pecos onnx-test --help)\n");
        return -1;
    }
    return 0;
}

/* Opens the --rtl array (and the --fp-rtl one) into *rtl, or checks that no option needs
 * them. Returns 0 or -1 (message printed, nothing left open). */
static int onnx_test_open_rtl(const opts_t *o, energy_table_t *etab, rtl_t *rtl)
{
    if (o->rtl_rows) {
        energy_table_default(etab);
        layer_run_cfg_t lc = {.rows = o->rtl_rows, .cols = o->rtl_cols, .dtype = PECOS_INT8, .etab = etab, .log = stderr,
                         .fault_cycle = o->fault_cycle, .who = WHO};
        lc.mem.dram.burst = 64;
        lc.mem.dram_capacity = 4096ull << 20;
        lc.mem.psum_ports = 2;
        char err[512];
        if (device_open(&rtl->accel, &lc, o->df, 0, err, sizeof err) != 0) {
            fprintf(stderr, WHO ": --rtl %dx%d: %s\n", o->rtl_rows, o->rtl_cols, err);
            return -1;
        }
        if (o->fp_rtl) {
            layer_run_cfg_t fc = lc;
            pecos_dtype_parse(o->fp_rtl, &fc.dtype); /* bf16 or fp16: checked by parse_opts */
            if (device_open(&rtl->fp, &fc, o->df, 0, err, sizeof err) != 0) {
                fprintf(stderr, WHO ": --fp-rtl %s --rtl %dx%d: %s\n", o->fp_rtl, o->rtl_rows, o->rtl_cols, err);
                device_close(&rtl->accel);
                return -1;
            }
            rtl->fp_on = true;
            rtl->x.fp = &rtl->fp;
            rtl->x.fmt = strcmp(o->fp_rtl, "bf16") == 0 ? FP_BF16 : FP_FP16;
            rtl->fp_name = o->fp_rtl;
        }
        rtl->x.i8 = &rtl->accel;
    } else if (o->fp_rtl) {
        fprintf(stderr, WHO ": --fp-rtl needs --rtl RxC (the array size)\n");
        return -1;
    } else if (o->require_rtl) {
        fprintf(stderr, WHO ": --require-rtl needs --rtl RxC (the array size)\n");
        return -1;
    }
    return 0;
}

/* The counts of the summary line. */
typedef struct {
    int pass, fail, skip, err;
} onnx_test_counts_t;

/* Prints the line of case `name` (its error to stderr) and counts it. */
static void print_case(const char *name, const case_result_t *r, onnx_test_counts_t *n)
{
    switch (r->status) {
    case CASE_PASS:
        n->pass++;
        printf("PASS %s (%d data set%s, %d output%s, path: %s)\n", name, r->data_sets, r->data_sets == 1 ? "" : "s",
               r->outputs_checked, r->outputs_checked == 1 ? "" : "s", r->paths);
        break;
    case CASE_SKIP:
        n->skip++;
        printf("SKIP %s (%s)\n", name, r->reason);
        break;
    case CASE_FAIL:
        n->fail++;
        printf("FAIL %s: %s\n", name, r->reason);
        break;
    default:
        n->err++;
        fprintf(stderr, WHO ": %s\n", r->reason);
        printf("ERROR %s\n", name);
        break;
    }
}

/* Writes the JSON object of case dir (first: the first of the list) to jf. */
static void write_case_json(FILE *jf, const opts_t *o, bool rtl, const char *dir, bool first,
                            const case_result_t *r)
{
    fprintf(jf, "%s\n  {\"case\": ", first ? "" : ",");
    json_str(jf, dir);
    fprintf(jf, ", \"status\": \"%s\", \"data_sets\": %d, \"outputs\": %d, \"paths\": ", status_name(r->status),
            r->data_sets, r->outputs_checked);
    json_str(jf, r->paths);
    if (rtl) {
        const rtl_acc_t *A = &r->acc;
        const uint64_t all = A->macs_rtl + A->macs_golden;
        fprintf(jf, ", \"rtl\": {\"node_runs\": %d, \"golden_only_node_runs\": %d, \"rtl_macs\": %llu, "
                    "\"golden_only_macs\": %llu, \"rtl_mac_share\": %.6f, \"array_cycles\": %llu, "
                    "\"ppu_cycles\": %llu, \"host_requant_nodes\": %d, \"near_tie_diffs\": %lld, \"golden_only\": [",
                A->runs + A->fp_runs, A->golden_runs, (unsigned long long)A->macs_rtl,
                (unsigned long long)A->macs_golden, all ? (double)A->macs_rtl / (double)all : 1.0,
                (unsigned long long)A->cycles, (unsigned long long)A->ppu_cycles, A->host_rq, (long long)A->diffs);
        for (int g = 0; g < A->n_golden; g++) {
            fputs(g ? ", {\"node\": " : "{\"node\": ", jf);
            json_str(jf, A->golden[g].name);
            fputs(", \"op\": ", jf);
            json_str(jf, A->golden[g].op);
            fputs(", \"why\": ", jf);
            json_str(jf, A->golden[g].why);
            fputc('}', jf);
        }
        fputs("]}", jf);
    }
    if (o->fp_rtl)
        fprintf(jf, ", \"fp_rtl\": {\"dtype\": \"%s\", \"nodes\": %d, \"max_err_over_bound\": %.6g}", o->fp_rtl,
                r->acc.fp_runs, r->acc.fp_ratio);
    fputs(", \"reason\": ", jf);
    json_str(jf, r->reason);
    fputs("}", jf);
}

static void close_rtl(rtl_t *rp)
{
    if (rp) device_close(&rp->accel);
    if (rp && rp->fp_on) device_close(&rp->fp);
}

int cmd_onnx_test(int argc, char **argv)
{
    opts_t o = {.rtol = 1e-3, .atol = 1e-7, .fault_cycle = UINT64_MAX};
    int first_dir;
    const int prc = onnx_test_parse(argc, argv, &o, &first_dir);
    if (prc) return prc > 0 ? PECOS_EXIT_PASS : PECOS_EXIT_USAGE;
    static energy_table_t etab;
    static rtl_t rtl;
    if (onnx_test_open_rtl(&o, &etab, &rtl) != 0) return PECOS_EXIT_USAGE;
    rtl_t *rp = o.rtl_rows ? &rtl : NULL;
    FILE *jf = NULL;
    if (o.json_path) {
        jf = fopen(o.json_path, "w");
        if (!jf) {
            fprintf(stderr, WHO ": --json %s: cannot write: %s\n", o.json_path, strerror(errno));
            close_rtl(rp);
            return PECOS_EXIT_USAGE;
        }
        fputs("{\"cases\": [", jf);
    }
    onnx_test_counts_t n = {0, 0, 0, 0};
    for (int i = first_dir; i < argc; i++) {
        case_result_t r;
        run_case(&o, rp, argv[i], &r);
        for (char *c = r.reason; *c; c++) /* one line, whatever the file's names hold */
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
        char nb[512];
        const char *name = case_name(argv[i], nb, sizeof nb);
        if (r.status == CASE_SKIP && o.strict) r.status = CASE_FAIL;
        print_case(name, &r, &n);
        if (jf) write_case_json(jf, &o, rp != NULL, argv[i], i == first_dir, &r);
    }
    printf("onnx-test: %d passed, %d failed, %d skipped, %d bad input (of %d)\n", n.pass, n.fail, n.skip, n.err,
           argc - first_dir);
    if (jf) {
        fprintf(jf, "\n], \"passed\": %d, \"failed\": %d, \"skipped\": %d, \"bad_input\": %d}\n", n.pass, n.fail,
                n.skip, n.err);
        if (fclose(jf) != 0) {
            fprintf(stderr, WHO ": --json %s: cannot write\n", o.json_path);
            return PECOS_EXIT_USAGE;
        }
    }
    close_rtl(rp);
    if (n.err) return PECOS_EXIT_USAGE;
    return n.fail ? PECOS_EXIT_FAIL : PECOS_EXIT_PASS;
}
