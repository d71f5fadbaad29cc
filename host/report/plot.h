/* plot.h - the network report's plots, drawn by gnuplot (SVG and PNG).
 *
 * plot_network() writes into a directory:
 *   layers.dat       one row per layer (numbers, then the name as a quoted string)
 *   roofline.dat     the layers that appear on the roofline (MACs > 0, DRAM bytes > 0)
 *   roofline.gp      log-log roofline: ops/byte vs ops/cycle, compute and memory roofs
 *   utilization.gp   PE utilization per layer and the MAC-weighted mean
 *   energy.gp        energy per layer stacked by level (DRAM, GLB, RF, MAC) in uJ
 *   *.svg, *.png     what the scripts draw
 * `cd DIR && gnuplot roofline.gp` re-plots. The output depends only on the input.
 */
#ifndef PECOS_PLOT_H
#define PECOS_PLOT_H

#include <stddef.h>
#include <stdint.h>

enum { PLOT_E_DRAM, PLOT_E_GLB, PLOT_E_RF, PLOT_E_MAC, PLOT_E_N }; /* energy_pj[] order */

typedef struct {
    const char *name;          /* layer name (any bytes; shown as text, never interpreted) */
    uint64_t macs;             /* useful MACs */
    uint64_t cycles;           /* simulated cycles */
    uint64_t ideal_cycles;     /* macs / PEs */
    uint64_t roofline_cycles;  /* max(compute, bytes/bw) */
    uint64_t dram_bytes;       /* DRAM bytes moved */
    double utilization;        /* 0..1 */
    double energy_pj[4];       /* dram, glb, rf (PE registers), mac */
} plot_layer_t;

typedef struct {
    const char *title;         /* e.g. "LeNet-5 on 16x16 int8 ws" (NULL: none) */
    int rows, cols;            /* array: peak = rows*cols MACs/cycle = 2*rows*cols ops/cycle */
    double dram_bw;            /* bytes/cycle; 0 = unbounded (no memory roof: said on the plot) */
} plot_cfg_t;

/* Most layers named on the roofline; with more layers, the largest by MACs are named and the
 * key says so. */
#define PLOT_MAX_LABELS 24

/* Writes into dir (created, with its parents, if missing): roofline.{svg,png},
 * utilization.{svg,png}, energy.{svg,png}, the data files (layers.dat, roofline.dat) and the
 * gnuplot scripts (*.gp), then runs gnuplot (found on PATH) on the scripts in dir.
 * Returns 0; PECOS_EPARAM for a bad argument (n < 1, rows/cols < 1, negative bw, NULL);
 * PECOS_EIO when dir cannot be created or written, or gnuplot is missing or fails (or runs
 * longer than 120 s); PECOS_ENOMEM. On failure err holds a one-line reason. */
int plot_network(const char *dir, const plot_cfg_t *cfg, const plot_layer_t *layers, int n,
                 char *err, size_t errlen);

#endif
