/* array_state.h - the state of one layer's run on the array (inside host/run/): the tile
 * plan, the GLB banks, the two lanes, the tags of the beats in flight. array_map.c fills the
 * plan and the DRAM image, array_run.c runs the cycle loop over it. Nothing outside run/
 * includes this header. */
#ifndef PECOS_ARRAY_STATE_H
#define PECOS_ARRAY_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "array_run.h"
#include "dma.h"

/* One tile of the layer, in run order. */
typedef struct {
    int k0, kt, c0, ct, p0, pt;
    int kgn, cfn;         /* groups and reduction folds (tiling_work(); OS: blocks, 1) */
    uint32_t n;           /* beats per fold: WS pt*Q, IS kt, OS ct*R*S */
    uint32_t npix;        /* output pixels: pt * Q */
    int pgn;              /* OS: pixel groups of Rows pixels (blocks = kgroups * pgn) */
    uint64_t fold0;       /* global index of the tile's first fold */
    int if_load, w_load;  /* which ifmap / weight load it reads */
    int visit;            /* which visit it belongs to */
    int vstart, vend;     /* first / last tile of its visit */
    int rin0, rin;        /* input rows [rin0, rin0 + rin) its ifmap tile holds */
} tile_t;

typedef struct {
    int first, last;      /* tiles */
} span_t;

typedef struct {
    int first, last;      /* tiles */
    int resume;           /* starts at c > 0: partial sums come back from DRAM */
    int prev;             /* earlier visit of the same (k, p), or -1 */
} visit_t;

typedef struct {
    uint32_t fold_local;  /* fold within its tile (tiling_fold() gives kg, cf); OS: block */
    uint32_t beat;        /* WS: pixel j within the tile, IS: channel j; OS: rows received */
    int tile;
    int last_of_visit;
    uint32_t kg;          /* WS/IS: the fold's k group (IS: pixel group) */
    int final;            /* fused: its outputs are the layer's (last c tile, last fold) and
                             go through the post-processing unit */
    int group_end;        /* WS: the last beat of its k group's last fold in the visit's last
                             tile: the group's writeback is due once it is out */
} tag_t;

/* fused: one output vector in the post-processing unit, and where its int8 results go. */
typedef struct {
    uint64_t step;        /* the unit's step it went in */
    size_t b0, bstep;     /* int8 psum bank offset of lane 0, lane to lane */
    int bank, nc;         /* psum bank; lanes that are outputs */
    int visit;            /* the writeback its result releases: visit (-1: none), */
    int kg;               /* k group (WS), or -1: the whole visit */
} ppu_tag_t;

/* A writeback that is due: a visit's outputs (kg -1), or, WS, one k group of them. */
typedef struct {
    int visit, kg;
} wb_t;

/* One lane's position in the run: the data lane (beats of the streamed operand) or the
 * weight lane (columns of the held operand; unused by OS). */
typedef struct {
    uint64_t fold;        /* next fold to issue (global) */
    uint64_t done;        /* folds fully issued */
    int tile;             /* the next fold's tile */
    int tiles_done;       /* tiles whose folds on this lane are all issued */
    uint32_t local;       /* the next fold within its tile (OS: block) */
    uint32_t beat;        /* data: beat dj; weight: column */
    uint64_t key;         /* fold + 1 whose (kg, cf) are below; 0: none yet */
    uint32_t kg, cf;      /* tiling_fold() of that fold, worked out once per fold */
} lane_t;

/* Everything the loop, its phases and the DMA callback share. */
typedef struct {
    const ws_job_t *job;
    simlib_t *sim;
    int rows, cols;
    size_t esz;
    int os, is;           /* the dataflow: DF_OS, DF_IS (else DF_WS) */
    const tiling_t *tl;
    tile_t *tiles;
    int ntiles;
    span_t *ifl, *wl;     /* ifmap and weight loads */
    int nifl, nwl;
    visit_t *vis;
    int nvis;
    uint8_t *glb_if[2], *glb_w[2];
    int32_t *glb_ps[2], *glb_bias[2];
    int8_t *glb_o8[2];     /* fused: the psum banks' int8 results (the unit's) */
    uint64_t bank_bytes[GLB_N];
    uint64_t psum_room;    /* bytes of a psum bank's partial sums (the bias slots apart) */
    int64_t *psum_fold[2]; /* per psum bank: global fold that last wrote [kg][j] */
    uint8_t *if_ready, *w_ready, *vis_ready, *wb_done;
    int *blist, nb;        /* bias loads: the visits that start at c = 0, in order */
    int *vis_b;            /* per visit: its bias load, or -1 */
    uint8_t *b_ready;
    uint64_t addr_if, addr_w, addr_b, addr_o;
    uint64_t addr_o8;     /* fused: the int8 output [K,P,Q] */
    int *crs_c, *crs_dh, *crs_dw; /* reduction lane i of a tile -> (channel, ry*dil_h, sx*dil_w) */
    int rstep;            /* an ifmap tile holds every rstep-th input row (see plan_tiles) */
    ws_stats_t *st;
    /* The cycle loop */
    uint8_t *dram;         /* the DRAM image */
    dma_t dma;
    dma_port_t dport;      /* the DMA's port onto job->port (used only with one) */
    lane_t D, W;           /* data lane, weight lane */
    int next_if, next_w;   /* DMA: next ifmap load, weight load, */
    int next_v;            /* visit to prepare, */
    int next_b;            /* bias load */
    /* Writebacks: WS writes a visit's outputs k group by k group, each as soon as the
     * group's last fold of the visit is out (so the channel does not carry a whole visit's
     * outputs at once, and the last one's tail is one group's); IS and OS the whole visit. */
    wb_t *wbq;             /* the due ones, in the order they became due (a queue) */
    int wbq_head, wbq_len;
    int wb_total, wb_issued; /* writeback descriptors of the layer, issued so far */
    int *wb_left;          /* per visit: its writebacks not done yet */
    tag_t *tags;           /* ring of the beats (OS: blocks) in flight */
    uint32_t tag_cap, tag_head, tag_len;
    int32_t *pin, *pout;   /* the psum lanes into and out of the array */
    uint16_t wcol[256], xvec[256]; /* esz-byte lanes, rows and cols <= 256 */
    uint64_t folds;        /* folds of the layer */
    uint64_t total_outs;   /* outputs the array returns: one per beat (WS, IS), Rows per
                              block (OS) */
    uint64_t received;     /* outputs collected */
    uint64_t os_last;      /* OS: cycle of the previous block's last beat */
    int os_any;            /* OS: a block has been issued */
    int write_pending;     /* an output was collected last cycle: it takes a psum port now */
    uint64_t t;            /* the layer's cycle */
    uint64_t last_progress; /* the last cycle that moved something */
    uint64_t fault_cycle;  /* self-test: the global cycle of the fault still to inject */
    uint64_t stall_limit;  /* cycles without progress that make the run a protocol error */
    vsim_counters_t c0;    /* the RTL's counters before the layer */
    uint64_t owed;         /* busy prediction: outputs the array owes its counter */
    uint8_t *zheld;        /* gated prediction (int8 WS/IS): [bank][row][col] held operand
                              is zero (the RTL's held registers reset to zero) */
    uint16_t *nzheld;      /* [bank][row]: how many of them */
    uint8_t open;          /* busy prediction: an OS block begun, its last beat not seen */
    /* fused: the post-processing unit's vectors in flight (a ring), its lanes, its steps */
    ppu_tag_t ptags[64];
    uint32_t ptag_head, ptag_len;
    int ppu_lat;
    uint64_t ppu_steps;
    int ppu_in;            /* an output vector went into ppu_acc this cycle */
    int ppu_first, ppu_last; /* and the window it opens / closes (pooling; else both 1) */
    /* fused pooling (job->pool_r, WS): per distinct tile height pt, the order its pixels
     * stream in: pix[j] is beat j's tile pixel; the drop pixels no window covers come first,
     * then each window's cells in row-major order, the windows in row-major order; npool
     * windows (the tile's pooled pixels) */
    struct { uint32_t pt, drop, npool, *pix; } perm[2];
    int32_t ppu_acc[256], ppu_zero[256];
    int8_t ppu_out[256];
    char *err;             /* the one-line reason of an error */
    size_t errlen;
} run_t;

static inline int imin(int a, int b) { return a < b ? a : b; }

#endif
