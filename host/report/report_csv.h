/* report_csv.h - the per-layer report as CSV (RFC 4180): one header line, one row per layer,
 * the same numbers as the JSON report (report.h). */
#ifndef PECOS_REPORT_CSV_H
#define PECOS_REPORT_CSV_H

#include "report.h"

/* Writes n layers of res, run under cfg, to path as CSV: the header (column names below, in
 * this order), then one row per layer, lines ending in CRLF. Text fields are quoted when they
 * hold a comma, a double quote, CR or LF or start/end with a space (quotes doubled); numbers
 * are plain (C locale). Columns:
 *   index,name,type,c,h,w,k,r,s,stride,pad,p,q,macs,cycles,model_cycles,ideal_cycles,
 *   roofline_cycles,predicted_cycles,utilization,check,bitexact,cycles_match,counters_ok,
 *   traffic_ok,bounds_ok,mismatches,dram_bytes_read,dram_bytes_written,dram_bus_bytes,
 *   model_dram_bytes,compulsory_dram_bytes,glb_ifmap_bytes_read,glb_ifmap_bytes_written,
 *   glb_weight_bytes_read,glb_weight_bytes_written,glb_psum_bytes_read,
 *   glb_psum_bytes_written,rf_reads,rf_writes,stall_compute,stall_fill_drain,stall_dma,
 *   stall_glb_port,energy_dram_pj,energy_glb_pj,energy_rf_pj,energy_mac_pj,energy_total_pj,
 *   arithmetic_intensity,tiling,tiles,visits,start_cycle,max_abs_err,max_rel_err,
 *   sim_seconds,wall_seconds,sim_cycles_per_second,dataflow,dtype,rows,cols,dram_bw,
 *   dram_latency
 * check is "pass" or "FAIL" (layer_result_ok); utilization is 0..1; the booleans are 0/1.
 * Returns 0 or PECOS_EIO (path cannot be written; nothing else is reported). */
int report_csv(const char *path, const run_config_t *cfg, const layer_result_t *res, int n);

#endif
