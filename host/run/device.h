/* device.h - the accelerator as a callable device: one int8 or bf16/fp16 convolution (any
 * group count, strides, dilations, asymmetric padding, an int8 pad value) on the verilated
 * PE array, and the post-processing unit (bias, requantize, ReLU, pooling, residual add) on
 * its own verilated model. Every call runs on the RTL and is checked against the golden
 * models (see layer_run.h and golden_post.h); the network runner and the ONNX path are built on
 * it.
 *
 * Mapping of what the array cannot run at once:
 * - groups: each group is its own layer on the array (C/G -> K/G channels, the group's slice
 *   of the ifmap, weights and output; nothing is expanded into dense zeros), then the whole
 *   output is checked once more against the grouped golden conv.
 * Everything else goes to the array's mapper as it is (layer_t, models/layer.h): strides and
 * dilations are the addresses the lanes read, the four pads and the pad value what a padded
 * lane carries (made at lane time: padding is never moved from DRAM).
 */
#ifndef PECOS_DEVICE_H
#define PECOS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "layer_run.h"
#include "postlib.h"
#include "simlib.h"

/* The device: what device_open() was given, and the models it drives. Besides the models it
 * holds one piece of state that lasts across calls: run.fault_cycle, the checker's self-test
 * fault, is one flipped output per run, so the first call whose outputs show it sets it to
 * UINT64_MAX (none left) for the calls after it. Error and FAIL lines of every call go to
 * run.log, prefixed with run.who. */
typedef struct {
    layer_run_cfg_t run;   /* array, memory system, energy, checks, log; run.fault_cycle is
                         consumed as said above */
    pecos_df_t df;    /* DF_WS, DF_IS or DF_OS */
    simlib_t *sim;    /* the array variant */
    postlib_t *post;  /* the post-processing unit (lanes = cols), opened on first use; NULL
                         until then */
    const char *replay_dir; /* device_replay()'s DIR, or NULL */
} device_t;

/* Opens the array variant for run->rows x run->cols, run->dtype and dataflow df
 * (trace_enable: a wave will be opened on a.sim; an on-demand build reports to run->log).
 * Returns 0, or PECOS_ENOSIM with a one-line reason in err. */
int device_open(device_t *a, const layer_run_cfg_t *run, pecos_df_t df, int trace_enable,
               char *err, size_t errlen);
/* device_open() with the array's waveform dumped to wave over cycles [from, to] (wave NULL:
 * none). Returns 0, device_open()'s error, or PECOS_EIO ("--wave F: cannot open the FST
 * file" in err; nothing left open). */
int device_open_wave(device_t *a, const layer_run_cfg_t *run, pecos_df_t df, const char *wave,
                     uint64_t from, uint64_t to, char *err, size_t errlen);
/* --replay-dump DIR (replay.h): records the array's every cycle to DIR/<dataflow>.replay
 * from now on, and the post-processing unit's to DIR/post.replay from when it opens. Returns
 * 0, or PECOS_EIO / PECOS_ENOMEM / PECOS_EPARAM (a backend: the dumps come from --backend c)
 * with the reason in err. */
int device_replay(device_t *a, const char *dir, char *err, size_t errlen);
/* Starts the post-processing unit's dump on a->post, just opened (device_post() calls it);
 * 0 without device_replay(). Errors as device_replay(). */
int device_replay_post(device_t *a, char *err, size_t errlen);
/* Completes the dumps of device_replay() (call before device_close()). Returns 0, or
 * PECOS_EIO if one could not be written (reason in err). A no-op without device_replay(). */
int device_replay_end(device_t *a, char *err, size_t errlen);
void device_close(device_t *a);
/* Writes one line to a->run.log (nothing without one): the calls' error and FAIL lines. */
void device_say(const device_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Output size of cv (ONNX Conv formula); 0 or PECOS_EPARAM. */
int device_conv_out(const layer_t *cv, int *p, int *q);

/* Whether cv maps onto the array: every valid convolution does (groups, strides,
 * dilations, pads, pad value); if not, a short reason in why. */
bool device_conv_maps(const layer_t *cv, char *why, size_t whylen);

/* Runs cv on the array: x [C,H,W] int8, w [K,C/groups,R,S] int8, bias [K] int32 or NULL;
 * writes y [K,P,Q] int32 (caller-allocated) and res (all groups merged; res->layer is the
 * whole layer with groups folded into its name). Padded cells hold cv->pad_value. Returns 0
 * when it ran (res says whether every check passed), PECOS_ENOTSUP (a is not an int8 array;
 * nothing written), PECOS_EPARAM (invalid or does not fit; written to a->run.log), PECOS_ESIM or
 * PECOS_ENOMEM. */
int device_conv_i8(device_t *a, const layer_t *cv, const int8_t *x, const int8_t *w,
                  const int32_t *bias, int32_t *y, layer_result_t *res);

/* Runs cv on the fp array of a (opened with run.dtype PECOS_BF16 or PECOS_FP16): x [C,H,W] and
 * w [K,C/groups,R,S] are bf16/fp16 bit patterns of a->run.dtype, bias [K] fp32 or NULL;
 * writes y [K,P,Q] fp32 (caller-allocated) and res (groups merged; every group checked
 * bit-exact by layer_run against the golden fp conv in the array's accumulation order,
 * padded cells +0 operands, and cycles against the model). Returns 0 when it ran,
 * PECOS_ENOTSUP (a is not an fp array; nothing written), PECOS_EPARAM (invalid, a nonzero
 * cv->pad_value, or does not fit; written to a->run.log), PECOS_ESIM or PECOS_ENOMEM. */
int device_conv_fp(device_t *a, const layer_t *cv, const uint16_t *x, const uint16_t *w,
                  const float *bias, float *y, layer_result_t *res);

/* --- The post-processing unit (rtl/pecos_postproc.sv) ------------------------------------ */

typedef enum { ACCEL_POOL_NONE = 0, ACCEL_POOL_MAX = 1, ACCEL_POOL_AVG = 2 } device_pool_t;

typedef struct {
    char name[64];
    int c, h, w;         /* the input map */
    /* per element: v = in + b; y = rq_en ? clamp(zp + RHE(v * mult / 2^(31+shift)))
     * : clamp(v) to int8; relu: y = max(y, zp); then pooling over windows of y */
    bool rq_en;
    uint32_t mult;       /* Q31, from golden_quant_multiplier() */
    int shift;
    int8_t zp;
    bool relu;
    device_pool_t pool;   /* NONE: one output per input element */
    int r, s, stride, pad_t, pad_l, pad_b, pad_r; /* pool window; padded cells are skipped */
} device_post_t;

typedef struct device_post_res {
    uint64_t cycles;     /* PPU cycles: first beat to last result */
    uint64_t model_cycles; /* beats + the unit's latency (one beat a cycle, no gaps) */
    uint64_t beats;      /* window elements fed */
    uint64_t outputs;    /* int8 results */
    uint64_t glb_rd, glb_wr; /* bytes: 4 per int32 operand read (8 with a per-element b), 1 per result */
    uint64_t mismatches; /* against the golden post-processing */
    int bad_c, bad_p, bad_q;
    int expected, got;
    uint64_t bad_cycle;
    bool ok;             /* bit-exact and cycles == model_cycles */
    int latency;         /* the unit's LAT (what its model says) */
    double sim_seconds;
} device_post_res_t;

/* One map for the post-processing unit, as device_post() hands it to the unit (or to a
 * backend, backend.h): pp checked, P x Q its output size. */
typedef struct device_post_job {
    const device_post_t *pp;
    int P, Q;
    const int32_t *in, *b; /* as device_post() takes them */
    bool b_per_elem;
    int8_t *y;           /* [C,P,Q], written */
    uint64_t *ocyc;      /* [C,P,Q], written: the unit's cycle each result left */
} device_post_job_t;

/* Runs job on the open unit pl: feeds every window and drains, writes y and ocyc, and fills
 * res's cycles, beats, outputs, GLB bytes, latency and sim_seconds. Returns 0, PECOS_ESIM
 * (an RTL assertion, or results missing; the reason in err) or PECOS_ENOMEM. */
int device_post_exec(postlib_t *pl, const device_post_job_t *job, device_post_res_t *res,
                     char *err, size_t errlen);

/* Output size of pp's pooling (pp itself when pool is NONE); 0 or PECOS_EPARAM. */
int device_post_out(const device_post_t *pp, int *p, int *q);
/* Whether the unit can run pp (window, pooling cells, requantization range): 0 with its
 * output size in *P, *Q, or PECOS_EPARAM with a one-line reason in err. */
int device_post_check(const device_post_t *pp, int *P, int *Q, char *err, size_t errlen);

/* device_conv_i8() with the post-processing unit on the array's writeback path (--fuse-ppu):
 * pp (requantize, ReLU; c, h, w not read) is applied to every output as it leaves the array,
 * and only the int8 results y8 [K,P,Q] go to DRAM. pp may pool (device_fuse_pool_ok): y8 is
 * then the pooled map [K,P/r,Q/s]. The array adds the bias, so
 * y8 is what device_post(pp, y, bias) would give. y still receives the accumulators (tapped
 * at the array's edge) and is checked as by device_conv_i8(); y8 is checked against the
 * golden chain (res->fused). The unit opens on first use. Returns as device_conv_i8(), and
 * PECOS_EPARAM for a backend (the fused path runs on --backend c), a pooling pp or one out of
 * the unit's range. */
int device_conv_i8_fused(device_t *a, const layer_t *cv, const int8_t *x, const int8_t *w,
                        const int32_t *bias, const device_post_t *pp, int32_t *y, int8_t *y8,
                        layer_result_t *res);

/* Whether device_conv_i8_fused() can pool pp's windows on cv (a WS array, an ungrouped layer,
 * max or avg windows as large as their stride, unpadded, within the map); if not, why.
 * Whether the tiling allows it shows when the layer runs (PECOS_EPARAM, the reason written):
 * every tile must hold whole windows, its rows starting at a multiple of the window's. */
bool device_fuse_pool_ok(const device_t *a, const layer_t *cv, const device_post_t *pp, char *why,
                         size_t whylen);

/* Adds the unit's result r of one more call into d (cycles, beats, outputs, GLB bytes,
 * mismatches, seconds summed; the first mismatch kept; ok only if both are). */
void device_post_res_add(device_post_res_t *d, const device_post_res_t *r);

/* The unit's share of a fused layer (res->fused of device_conv_i8_fused()) as a
 * device_post() result: no cycles of its own (it works while the array does; its latency is
 * in the array's cycles) and no GLB reads (its operands come from the array's edge). */
device_post_res_t device_fused_post_res(const layer_fused_res_t *f);

/* Opens the post-processing unit of a (lanes = the array's columns) if it is not open, with
 * its --replay-dump. Returns 0, or PECOS_ENOSIM / the dump's code (the line written). */
int device_post_open(device_t *a);

/* Runs pp on the post-processing unit (lanes = the array's columns; channels in groups of
 * lanes, one beat per window cell): in [C,H,W] int32; b NULL, per channel [C]
 * (b_per_elem false) or per element [C,H,W]; writes y [C,P,Q] int8 and res, checked against
 * the golden post-processing. Returns 0 when it ran (res->ok says whether it matched),
 * PECOS_EPARAM (a window of more than 255 cells, a scale out of range), PECOS_ESIM,
 * PECOS_ENOSIM or PECOS_ENOMEM, each with its line written to a->run.log. */
int device_post(device_t *a, const device_post_t *pp, const int32_t *in, const int32_t *b,
               bool b_per_elem, int8_t *y, device_post_res_t *res);

/* What the unit must give for pp on in and b (as device_post() takes them): the golden
 * post-processing (golden_post_map) into y [C,P,Q]. The check of device_post() compares
 * against it; the network runner's golden pass (net_run.h, --jobs) chains it. Returns 0,
 * PECOS_ENOMEM or the golden model's code. */
int device_post_golden(const device_post_t *pp, const int32_t *in, const int32_t *b,
                       bool b_per_elem, int8_t *y);

#endif
