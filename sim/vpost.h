/* vpost.h - C ABI over one verilated post-processing unit (rtl/pecos_postproc.sv).
 *
 * Each lane count is its own shared library, ${PECOS_SIM_DIR}/libpecos_post_L<Lanes>.so
 * (sim/post.cmake), exporting only these symbols; the host dlopen()s the one it needs
 * (host/dev/postlib.c). The model is an owned object: nothing here is static.
 *
 * Contract (see rtl/pecos_postproc.sv): one vpost_step() is one clock cycle. A window's
 * result comes out of the step vpost_latency() steps after the step that presented the
 * window's last beat (with pool_mode 0 every beat is a window), in window order; out_valid
 * is false in every other step. No back-pressure.
 */
#ifndef PECOS_VPOST_H
#define PECOS_VPOST_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VPOST_ABI_VERSION 1

/* The build of a library defines VPOST_API as default visibility; all else is hidden. */
#ifndef VPOST_API
#define VPOST_API
#endif

typedef struct vpost vpost_t;

/* The configuration; hold it constant while a layer streams (until its last output). */
typedef struct {
    uint32_t mult; /* Q31 multiplier (31 bits used): scale = mult * 2^-(31+shift) */
    int shift;     /* 0..32 (6 bits used) */
    int8_t zp;     /* output zero point */
    bool rq_en;    /* false: bypass requantization (only saturate to int8) */
    bool relu_en;  /* y = max(y, zp) */
    int pool_mode; /* 0 none (every beat is a window), 1 max, 2 avg (2 bits used) */
} vpost_cfg_t;

/* Creates a model, reset, configuration all zero. fst_path: NULL, or an FST file that
 * receives every cycle until vpost_close(). Returns NULL on failure (out of memory, or the
 * dump cannot be opened). The caller owns it and frees it with vpost_close(). */
VPOST_API vpost_t *vpost_open(const char *fst_path_or_null);
/* VPOST_ABI_VERSION of the library. */
VPOST_API int vpost_abi_version(void);
/* Lanes the library was built with. */
VPOST_API int vpost_lanes(void);
/* LAT: steps from a window's last beat to its result (9, read from the RTL). */
VPOST_API int vpost_latency(void);
/* Applies reset for two cycles (the pipeline empties); keeps the configuration. The cycle
 * counter restarts at 0. */
VPOST_API void vpost_reset(vpost_t *v);
/* Sets the configuration inputs (they take effect in the next step). */
VPOST_API void vpost_config(vpost_t *v, const vpost_cfg_t *cfg);
/* One clock cycle. valid/first/last/count: the beat's flags (count is the avg divisor,
 * 0..255, used on a last beat); acc and bias: vpost_lanes() int32 each, read only when valid
 * (bias may be NULL for zeros). After the rising edge *out_valid says whether a result left;
 * then out (vpost_lanes() int8, caller-owned) receives it; out is untouched otherwise. */
VPOST_API void vpost_step(vpost_t *v, bool valid, bool first, bool last, int count,
                          const int32_t *acc, const int32_t *bias, bool *out_valid, int8_t *out);
/* Steps since the last reset. */
VPOST_API uint64_t vpost_cycle(const vpost_t *v);
/* RTL assertions (the unit is verilated with --assert): returns 1 if one failed since
 * vpost_open, with *cycle the vpost_cycle() of the step in which the first fired; else 0.
 * The model prints the failure (its PECOS_ASSERT name) on stdout once. Optional symbol. */
VPOST_API int vpost_assert_status(const vpost_t *v, uint64_t *cycle);
/* Finishes the model, closes the dump and frees; NULL is allowed. */
VPOST_API void vpost_close(vpost_t *v);

#ifdef __cplusplus
}
#endif

#endif
