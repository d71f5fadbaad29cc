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

#include "energy.h"
#include "fpconv.h"
#include "layer_batch.h"
#include "layer_run.h"
#include "memsys.h"
#include "net_run.h"
#include "npy.h"
#include "onnx_run.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "pecos_types.h"
#include "replay.h"
#include "report.h"
#include "report_csv.h"
#include "rng.h"
#include "run_opts.h"
#include "simlib.h"
#include "wave_view.h"

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
    /* waveforms come from the C backend (pecos-sc -> pecos, --backend dropped) */
    if (n > 3 && strcmp(exe + n - 3, "-sc") == 0) exe[n - 3] = '\0';
    fprintf(stderr, "  re-run with a waveform:");
    shell_word(stderr, exe);
    fputs(" run", stderr);
    for (int i = 1; i < o->argc; i++) {
        const char *a = o->argv[i];
        if (strcmp(a, "--wave") == 0 || strcmp(a, "--wave-from") == 0 ||
            strcmp(a, "--wave-to") == 0 || strcmp(a, "--wave-on-fail") == 0 ||
            strcmp(a, "--backend") == 0) {
            i++;
            continue;
        }
        shell_word(stderr, a);
    }
    fprintf(stderr, " --wave pecos_fail.fst --wave-from %llu --wave-to %llu\n",
            (unsigned long long)from, (unsigned long long)to);
}

/* Runs and checks one layer; fills res. quiet: the --wave-on-fail re-run (no FAIL lines,
 * re-run hook, DMA trace or --out). --batch: L is the stacked layer of the images of
 * o->image[idx] (layer_batch.h); the files and the random data are per image ([N][C,H,W],
 * [N][K,P,Q]). Returns 0, or a negative code for an error that ends the run (the message is
 * printed). */
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
    int rc = PECOS_ENOMEM;

    const int nb = o->batch;
    const layer_t *I = nb > 1 ? &o->image[idx] : L; /* one image's layer */
    layer_batch_t bt;
    if (nb > 1 && layer_batch_layer(I, nb, &bt) != 0) goto out_oom; /* validate_batch made it */
    const size_t img_n = (size_t)nb * I->c * I->h * I->w; /* the images' inputs, [N][C,H,W] */
    if (o->ifmap_path) {
        const int64_t ishape[4] = {nb, I->c, I->h, I->w}, wshape[4] = {L->k, L->c, L->r, L->s};
        if ((rc = load_operand("--ifmap", o->ifmap_path, o->dtype, 4, ishape, &ifmap)) != 0 ||
            (rc = load_operand("--weights", o->weights_path, o->dtype, 4, wshape, &weights)) != 0 ||
            (o->bias_path && (rc = load_bias(o->bias_path, o->dtype, L->k, &bias_v)) != 0))
            goto out_free;
    } else {
        rng_t g;
        rng_seed(&g, o->seed * 0x100000001b3ULL + (uint64_t)idx);
        rc = PECOS_ENOMEM;
        ifmap = malloc(img_n * esz);
        weights = malloc(w_n * esz);
        bias_v = malloc(sizeof(int32_t) * (size_t)L->k);
        if (!ifmap || !weights || !bias_v) goto out_oom;
        if (fp) {
            for (size_t i = 0; i < img_n; i++)
                ((uint16_t *)ifmap)[i] = fp_f32_to_16x(fmt, rng_unit(&g));
            for (size_t i = 0; i < w_n; i++)
                ((uint16_t *)weights)[i] = fp_f32_to_16x(fmt, rng_unit(&g));
            for (int i = 0; i < L->k; i++) bias_v[i] = (int32_t)fp_f32_bits(rng_unit(&g));
        } else {
            for (size_t i = 0; i < img_n; i++) ((int8_t *)ifmap)[i] = (int8_t)rng_range(&g, -128, 127);
            for (size_t i = 0; i < w_n; i++) ((int8_t *)weights)[i] = (int8_t)rng_range(&g, -128, 127);
            for (int i = 0; i < L->k; i++) bias_v[i] = (int32_t)rng_range(&g, -(1 << 20), 1 << 20);
        }
    }
    if (nb > 1) { /* [N][C,H,W] -> the stacked [C][N*Hs][W] */
        void *xs = malloc(in_n * esz + 1);
        rc = PECOS_ENOMEM;
        if (!xs) goto out_oom;
        layer_batch_stack(&bt, I, ifmap, esz, xs);
        free(ifmap);
        ifmap = xs;
    }
    rc = PECOS_ENOMEM;
    if (!(out = calloc(out_n, sizeof *out))) goto out_oom;
    const pecos_dtype_t dt = o->dtype;
    const layer_run_cfg_t lc = {.rows = o->rows, .cols = o->cols, .dtype = dt, .mem = o->mem,
                           .etab = &o->etab, .tile_forced = o->tile_forced, .tile = o->tile,
                           .fault_cycle = o->fault_cycle, .trace = quiet ? NULL : o->trace,
                           .seed = o->seed, .who = "pecos run", .log = quiet ? NULL : stderr,
                           .rerun = quiet ? NULL : print_rerun, .rerun_ctx = (void *)o,
                           .backend = o->backend};
    if ((rc = layer_run(&lc, sim, df, L, ifmap, weights, bias_v, out, res)) != 0) goto out_free;

    if (nb > 1) /* the images' MACs, not those of the rows between them */
        layer_batch_counts(&lc, res, layer_macs(I) * (uint64_t)nb);
    if (o->out_path && !quiet) {
        const size_t img_out = (size_t)nb * I->k * I->p * I->q;
        if (nb > 1) { /* the stacked [K][N*Ps][Q] -> [N][K,P,Q] */
            int32_t *cm = malloc(sizeof *cm * img_out + 1), *y = malloc(sizeof *y * img_out + 1);
            if (cm && y) {
                layer_batch_unstack(&bt, I, out, sizeof *out, cm);
                layer_batch_transpose(cm, I->k, nb, (size_t)I->p * I->q, sizeof *cm, y);
            }
            free(cm);
            free(out);
            out = y;
            rc = PECOS_ENOMEM;
            if (!cm || !y) goto out_oom;
        }
        npy_array_t y = {.dtype = fp ? NPY_FLOAT32 : NPY_INT32, .ndim = 4,
                         .shape = {nb, I->k, I->p, I->q}, .count = (int64_t)img_out, .data = out};
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
                               .quiet = true, .layers = bad + 1, .bad = &r2, .bad_index = &bad2,
                               .fuse_ppu = o->fuse_ppu, .batch = o->batch};
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
                           .rerun = print_rerun, .rerun_ctx = o, .backend = o->backend};
    if (o->onnx_path) {
        const onnx_run_opts_t xo = {.model = o->onnx_path, .input_path = o->input_path,
                                   .out_path = o->out_path, .json_path = o->json_path,
                                   .wave_path = o->wave_path, .wave_from = o->wave_from,
                                   .wave_to = o->wave_to, .replay_dir = o->replay_dir,
                                   .batch = o->batch, .require_rtl = o->require_rtl,
                                   .fuse_ppu = o->fuse_ppu};
        rc = onnx_run(&lc, o->dfs[0], &xo, &pass, err, sizeof err);
    } else {
        layer_result_t bad;
        int bad_index = -1;
        const net_run_opts_t no = {.network = o->network_path, .ifmap_path = o->ifmap_path,
                                  .out_path = o->out_path, .json_path = o->json_path,
                                  .csv_path = o->csv_path, .plot_dir = o->plot_dir,
                                  .wave_path = o->wave_path, .wave_from = o->wave_from,
                                  .wave_to = o->wave_to, .replay_dir = o->replay_dir,
                                  .progress = isatty(2) != 0, .fuse_ppu = o->fuse_ppu,
                                  .batch = o->batch, .jobs = o->jobs,
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
    if (!o->backend && open_array(o, df, &sim) != 0) {
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
    if (sim && replay_detach(sim, err, sizeof err) != 0) {
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
                                .from_files = o->ifmap_path != NULL, .batch = o->batch,
                                .dram_bw = o->mem.dram.bw,
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

/* --backend sc in pecos: the same command line goes to pecos-sc, next to this executable
 * (the SystemC platform links SystemC; pecos does not). Returns only on failure: a
 * PECOS_EXIT_* code (message printed). */
static int exec_sc(int argc, char **argv)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "pecos run: --backend sc: cannot find the pecos executable's directory\n");
        return PECOS_EXIT_USAGE;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash || (size_t)(slash - exe) + sizeof "/pecos-sc" > sizeof exe) return PECOS_EXIT_USAGE;
    strcpy(slash, "/pecos-sc");
    char *args[argc + 2];
    args[0] = exe;
    for (int i = 0; i < argc; i++) args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    fflush(NULL);
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1); /* pecos's output stays pecos's */
    execv(exe, args);
    fprintf(stderr, "pecos run: --backend sc: cannot run %s (%s): it is built where SystemC is "
                    "installed (sh scripts/setup.sh installs libsystemc-dev; then rebuild)\n",
            exe, strerror(errno));
    return PECOS_EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
    static run_opts_t o; /* large (layer table): not on the stack */
    const int prc = run_opts_parse(argc, argv, &o);
    if (prc != 0) return prc > 0 ? PECOS_EXIT_PASS : PECOS_EXIT_USAGE;
    if (o.backend_sc) return exec_sc(argc, argv);
    return cmd_run_opts(&o);
}

int cmd_run_opts(run_opts_t *o)
{
    int exit_code;
    if ((exit_code = run_setup(o)) != PECOS_EXIT_PASS) return exit_code;
    if (o->onnx_path || o->network_path) return run_model(o);

    layer_result_t *res = calloc((size_t)o->nlayers * (size_t)o->ndf, sizeof *res);
    if (!res) {
        fprintf(stderr, "pecos run: out of memory\n");
        if (o->trace) fclose(o->trace);
        return PECOS_EXIT_FAIL;
    }
    int ran[3] = {0, 0, 0};
    for (int d = 0; d < o->ndf; d++)
        if (run_dataflow(o, d, res, ran, &exit_code)) break;
    if (o->trace && fclose(o->trace) != 0) {
        fprintf(stderr, "pecos run: --trace-dma %s: cannot write: %s\n", o->trace_path,
                strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    o->trace = NULL;
    if (ran[0] > 0) exit_code = report_layers(o, res, ran, exit_code);
    if (o->wave_path) printf("waveform: %s (cycles %llu..%llu)\n", o->wave_path,
                            (unsigned long long)o->wave_from, (unsigned long long)o->wave_to);
    free(res);
    return exit_code;
}
