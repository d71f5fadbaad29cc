/* pecos_types.h - the enums every layer of pecos shares: operand dtype and dataflow.
 *
 * A dtype or dataflow is parsed from its name once, where the user gives it (the command
 * line, a topology or spec file); everything below works on the enum. The names are the
 * ones the command line, the reports and the variant names use.
 */
#ifndef PECOS_TYPES_H
#define PECOS_TYPES_H

#include <stdbool.h>
#include <stddef.h>

/* Operand types of the array: int8 (int32 accumulators), bf16 and fp16 (fp32 sums). */
typedef enum { PECOS_INT8 = 0, PECOS_BF16 = 1, PECOS_FP16 = 2, PECOS_DTYPE_N } pecos_dtype_t;

/* Dataflows. WS: each PE holds a weight (row = reduction lane, column = output channel),
 * output pixels stream, partial sums flow down. IS: each PE holds an input (row = reduction
 * lane, column = output pixel), output channels stream, partial sums flow down. OS: each PE
 * owns an output (row = output pixel, column = output channel) and accumulates the whole
 * reduction in place; inputs stream from the left, weights from the top. */
typedef enum { DF_WS = 0, DF_IS = 1, DF_OS = 2, DF_N } pecos_df_t;

/* "int8", "bf16", "fp16"; "?" for a value out of range. */
const char *pecos_dtype_name(pecos_dtype_t dt);
/* Parses a dtype name. Returns 0, or PECOS_EDTYPE for an unknown name (*dt untouched). */
int pecos_dtype_parse(const char *name, pecos_dtype_t *dt);
/* Bytes of one operand element: 1 for int8, 2 for bf16 and fp16. */
size_t pecos_dtype_bytes(pecos_dtype_t dt);
/* bf16 or fp16. */
bool pecos_dtype_is_fp(pecos_dtype_t dt);

/* "ws", "is", "os"; "?" for a value out of range. */
const char *pecos_df_name(pecos_df_t df);
/* Parses a dataflow name. Returns 0, or PECOS_EPARAM for an unknown name (*df untouched). */
int pecos_df_parse(const char *name, pecos_df_t *df);
/* The array that runs df: "ws" (the held-operand array, WS and IS) or "os". */
const char *pecos_df_array(pecos_df_t df);

#endif
