/* energy.h - the per-access energy table and its text file format.
 *
 * Energies are in pJ. Memory entries are per 32-bit access; an access of b bytes costs
 * b/4 of that (energy taken as proportional to the bits moved). The default table is the
 * 45 nm one of the seeds (Horowitz, ISSCC 2014), except `rf`, which the seeds do not give.
 *
 * File format (--energy-table FILE): one `key value` pair per line, value a non-negative
 * decimal number of pJ; blank lines and lines starting with '#' are ignored; a '#' after the
 * value starts a comment. Keys not in the file keep their default; an unknown key, a
 * missing or malformed or negative value, a repeated key, or a line longer than 255 bytes is
 * an error. Keys:
 *   dram      640    32-bit DRAM access
 *   sram_8k   5      32-bit SRAM access, 8 KiB array
 *   sram_32k  10     32-bit SRAM access, 32 KiB array
 *   sram_1m   100    32-bit SRAM access, 1 MiB array
 *   rf        0.5    32-bit PE register / register-file access (not in the seeds: assumed,
 *                    ~1/10 of the 8 KiB SRAM)
 *   mul_int8 0.2   add_int8 0.03   add_int16 0.05   add_int32 0.1   mul_int32 3.1
 *   mul_fp16 1.1   add_fp16 0.4    mul_fp32 3.7     add_fp32 0.9
 */
#ifndef PECOS_ENERGY_H
#define PECOS_ENERGY_H

#include <stddef.h>
#include <stdint.h>

/* The levels a layer's energy is reported by, in the order the reports print them. */
enum { ENERGY_DRAM, ENERGY_GLB, ENERGY_RF, ENERGY_MAC, ENERGY_N };

typedef struct {
    double dram, sram_8k, sram_32k, sram_1m, rf;
    double mul_int8, add_int8, add_int16, add_int32, mul_int32;
    double mul_fp16, add_fp16, mul_fp32, add_fp32;
} energy_table_t;

/* Fills t with the default (seeds') table. */
void energy_table_default(energy_table_t *t);

/* Parses text (len bytes, need not be NUL-terminated) over the values already in t.
 * Returns 0, or PECOS_EFORMAT with a one-line reason naming the line number in err
 * (the user's bytes shown with control characters as '?'). t is unchanged on error. */
int energy_table_parse(const char *text, size_t len, energy_table_t *t, char *err,
                       size_t errlen);

/* Reads path and parses it over t. Returns 0, PECOS_EIO (cannot read; err says why) or
 * PECOS_EFORMAT. err does not repeat the path: the caller prints it. */
int energy_table_load(const char *path, energy_table_t *t, char *err, size_t errlen);

/* Per-32-bit-access energy of an SRAM of `bytes` capacity, interpolated linearly in
 * log2(capacity) between the table's points (8 KiB, 32 KiB, 1 MiB):
 *   bytes <= 8 KiB:        sram_8k
 *   8 KiB .. 32 KiB:       sram_8k  + (sram_32k - sram_8k)  * (log2(bytes) - 13) / 2
 *   above 32 KiB:          sram_32k + (sram_1m  - sram_32k) * (log2(bytes) - 15) / 5
 * (above 1 MiB the last segment continues). With the default table a 256 KiB GLB costs
 * 64 pJ an access, 128 KiB 46, 64 KiB 28: a GLB size sweep is smooth, not a step at 32 KiB. */
double energy_sram_pj(const energy_table_t *t, uint64_t bytes);

/* Energy of one multiply-accumulate in the array: int8 operands into an int32 accumulator
 * (mul_int8 + add_int32) when fp is 0; bf16/fp16 operands into fp32 (mul_fp16 + add_fp32)
 * otherwise. */
double energy_mac_pj(const energy_table_t *t, int fp);

#endif
