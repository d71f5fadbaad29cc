/* vsim_sc.h - the SystemC flavour of the model libraries (issue #15): the extra symbol that
 * connects a model to the clock of the SystemC module that owns it.
 *
 * ${PECOS_SIM_DIR}/libpecos_sim_sc_<variant>.so implements sim/vsim.h and
 * libpecos_post_sc_L<lanes>.so implements sim/vpost.h over the same RTL verilated with
 * `--sc` (sim/sc/vsim_sc.cpp, sim/sc/vpost_sc.cpp); each also exports the *_sc_bind function
 * below. The calls keep their C ABI, but their timing is SystemC's:
 *   - vsim_open / vpost_open are called during elaboration (typically from the constructor
 *     of the sc_module that owns the model): the verilated model becomes a child module of
 *     the caller ("array" / "post") and its ports are bound to signals created with it.
 *   - vsim_sc_bind / vpost_sc_bind bind the model's clk_i to a clock port of the owner; call
 *     it right after the open, still during elaboration (an unbound model fails elaboration).
 *   - vsim_step / vpost_step are called from an SC_THREAD (they wait()): one step takes
 *     exactly one clock period of SystemC time (inputs sampled at the next rising edge,
 *     outputs read at the falling edge that follows).
 *   - a reset requested outside a running SC_THREAD (e.g. by the open) is held pending and
 *     runs at the next step.
 * Tracing is not supported: vsim_trace_open() returns -1 and vpost_open() with a dump path
 * returns NULL. The library links libsystemc.so dynamically, so that the program that loads
 * it (and is itself linked with libsystemc.so) shares one SystemC kernel with it.
 */
#ifndef PECOS_VSIM_SC_H
#define PECOS_VSIM_SC_H

#include "vpost.h"
#include "vsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Binds the array's clock input to clk, a `sc_core::sc_in<bool> *` (a port of the owning
 * module: port-to-port binding, so clk itself may still be unbound). Call during
 * elaboration, once per model. Returns 0, or -1 if v or clk is NULL, the model's clock is
 * already bound, or elaboration is over. */
VSIM_API int vsim_sc_bind(vsim_t *v, void *clk);

/* The same for the post-processing unit. */
VPOST_API int vpost_sc_bind(vpost_t *v, void *clk);

#ifdef __cplusplus
}
#endif

#endif
