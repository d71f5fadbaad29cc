/* mem_model.h - DRAM traffic, GLB footprint, roofline and predicted cycles of a tiled layer.
 *
 * Written from the tiling's definition (models/tiling.h), not from the host's DMA code: the
 * host counts the bytes its DMA engine really moves and checks them against this.
 *
 * Traffic. With the loops nested in the tiling's order, a tensor's tile is loaded again
 * each time the tile sequence moves to a different tile of it; consecutive tiles that need
 * the same one reuse it. In loop terms: a tensor whose innermost relevant loop (counting
 * only loops with more than one trip) has irrelevant non-trivial loops outside it is
 * fetched once per iteration of those. Relevant loops: ifmap (p, c), weights (k, c),
 * partial sums / output (k, p). Per pass:
 *   ifmap   sum over p tiles of C * rows_in(p tile) * W * esz  (halo rows are re-read;
 *           rows_in = the input rows from p0*stride_h - pad_t to
 *           (p0+pt-1)*stride_h - pad_t + dil_h*(R-1), clipped to the image, every g-th with
 *           g = gcd(stride_h, dil_h) for a dilated filter (R > 1), else all of them)
 *   weights K*C*R*S*esz,  output 4*K*P*Q (fused, array_cfg_t: the last c tile's pass
 *           leaves the post-processing unit as int8, K*P*Q; spilled partial sums stay int32),
 *   bias    4*K per p tile (each visit that starts at c = 0 loads its channels' bias).
 *   Visits = tiles when the c loop is outside a non-trivial k or p loop (partial sums
 *   spill: written 4*K*P*Q per c tile, read back for every c tile but the first), else
 *   kn*pn (partial sums stay in the GLB).
 * GLB footprint (both banks of each partition, double buffering):
 *   ifmap 2 * ct * rows_in(largest p tile) * W * esz,  weights 2 * kt * ct * R*S * esz,
 *   psum 2 * (kt * pt * Q * 4 + 4 * kt)  (partial sums and two bias slots).
 * Compulsory traffic: every input row some filter tap reads (with a dilation, rows between
 * taps that no output reads are not compulsory), every weight and bias once, every output
 * once (int32/fp32; fused: int8). Padding is made at lane time and is never traffic.
 *
 * DRAM timing (shared with the host's DMA engine as a contract): one channel, requests
 * served in issue order; a request of b bytes in contiguous runs issued at cycle x starts
 * moving at max(x + latency, channel free) and occupies the channel for
 * sum(ceil(run/burst)*burst) / bw cycles; it is done at the ceiling of that. bw = 0 means
 * unlimited (done at x + latency).
 *
 * Predicted cycles: the exact recurrence of cycle_model.h followed beat by beat (so one psum
 * port's conflicts are included), with every load's arrival as one more constraint and the
 * DMA requests the host's issue rules produce (loads when a bank is free, writebacks after a
 * visit's last output, WS per k group after the group's last output in the visit (fused: its
 * last int8 result, the unit's latency later), spilled sums after their writeback) placed on
 * the channel model in
 * issue order, first in first out as the host's DMA engine serves them (a request issued
 * later never overtakes one issued earlier). Requests are generated tile by tile, not quite
 * in issue order, so the schedule is run again (at most 16 passes, until the issue cycles
 * stop changing) with the channel serving them in the previous pass's issue order. With an
 * instant memory it equals the exact compute model.
 */
#ifndef PECOS_MEM_MODEL_H
#define PECOS_MEM_MODEL_H

#include <stdint.h>

#include "tiling.h"
#include "cycle_model.h"

typedef struct {
    double bw;         /* bytes per cycle; 0 = unlimited */
    uint64_t latency;  /* cycles from request to first byte */
    uint64_t burst;    /* bytes per burst (channel granularity), >= 1 */
} dram_timing_t;

typedef struct {
    /* DRAM traffic of the tiling, bytes */
    uint64_t ifmap_rd, weight_rd, bias_rd, psum_rd, out_wr;
    uint64_t dram_rd, dram_wr;
    uint64_t bus;              /* channel bytes: contiguous runs rounded up to bursts */
    uint64_t compulsory;
    /* GLB partitions the tiling needs, bytes (both banks) */
    uint64_t glb_ifmap, glb_weight, glb_psum;
    uint64_t tiles, visits;
    uint64_t beats;            /* data beats over all tiles (padding lanes included) */
} mem_traffic_t;

typedef struct {
    mem_traffic_t tr;
    uint64_t macs;
    uint64_t compute_cycles;   /* exact, data always in the GLB (cycle_model_tiled; fused:
                                  + the post-processing unit's latency) */
    uint64_t ideal_cycles;     /* ceil(MACs / PEs) */
    uint64_t roofline_cycles;  /* max(ideal, ceil((dram_rd + dram_wr) / bw)) */
    uint64_t predicted_cycles; /* overlap model; == compute_cycles when bw = 0, latency 0 */
    double intensity;          /* operations (2 per MAC) per DRAM byte */
} mem_model_t;

/* Traffic and footprint only of layer L (one group; groups, p, q and name not read) on array
 * a in tiling t (cheap: the tiler calls it per candidate). esz: operand bytes, burst: DRAM
 * burst bytes (for m->bus). Returns 0, PECOS_EPARAM or PECOS_ENOMEM. */
int mem_traffic(const layer_t *L, const array_cfg_t *a, int esz, uint64_t burst,
                const tiling_t *t, mem_traffic_t *m);

/* Everything, for the same inputs and DRAM timing dt. Reentrant: all state is the call's.
 * psum_ports: 2 (a read and a write per cycle) or 1 (shared; the prediction
 * then approximates the port conflicts). Returns 0, PECOS_EPARAM or PECOS_ENOMEM. */
int mem_model_layer(const layer_t *L, const array_cfg_t *a, int esz, const tiling_t *t,
                    const dram_timing_t *dt, int psum_ports, mem_model_t *m);

#endif
