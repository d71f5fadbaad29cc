/* replay.h - records the exact per-cycle lane stimulus and outputs of an array model into a
 * text dump, for a second simulator (dv/tb_replay_ws.sv, dv/tb_replay_os.sv under Icarus).
 *
 * replay_attach() attaches a recorder to a simlib_t as its observer: every simlib call goes
 * on working unchanged, and every simlib_step() and simlib_reset() is appended to the dump.
 * Format (one line each, hex fields, MSB first, lane 0 in the low bits as on the RTL ports;
 * data fields are 0 when their valid is 0):
 *   # pecos replay DATAFLOW DTYPE ROWS COLS          (first line)
 *   R                                                (a reset, as vsim_reset applies it)
 *   ws: S w_valid w_bank w_col w_data in_valid in_bank in_data in_psum out_valid out_psum
 *   os: S in_valid in_first in_last in_data w_data in_psum out_valid out_psum
 * out_psum is 0 when out_valid is 0. The dump is complete after replay_detach().
 *
 * replay_attach_post() does the same for a post-processing unit (dv/tb_replay_post.sv):
 *   # pecos replay post LANES                       (first line)
 *   R                                               (a reset, as vpost_reset applies it)
 *   C mult shift zp rq_en relu_en pool_mode         (a configuration, as vpost_config)
 *   S valid first last count acc bias out_valid out_data
 * acc and bias are LANES int32, out_data LANES int8; first, last, count, acc and bias are 0
 * when valid is 0, out_data when out_valid is 0.
 */
#ifndef PECOS_REPLAY_H
#define PECOS_REPLAY_H

#include <stddef.h>

#include "postlib.h"
#include "simlib.h"

/* Starts recording s (already open) into path (created or truncated). Returns 0, or
 * PECOS_EIO / PECOS_ENOMEM with a one-line reason in err. */
int replay_attach(simlib_t *s, const char *path, char *err, size_t errlen);
/* Stops recording, restores s and closes the dump. Returns 0, or PECOS_EIO if the dump could
 * not be written completely (reason in err). A no-op returning 0 if s is not recorded. */
int replay_detach(simlib_t *s, char *err, size_t errlen);

/* replay_attach() and replay_detach() of a post-processing unit. */
int replay_attach_post(postlib_t *p, const char *path, char *err, size_t errlen);
int replay_detach_post(postlib_t *p, char *err, size_t errlen);

#endif
