// vsim_sc.cpp - the C ABI of sim/vsim.h over one array variant verilated with --sc (a
// SystemC module), plus vsim_sc_bind() (sim/sc/vsim_sc.h). Compiled once per SC variant,
// libpecos_sim_sc_<variant>.so (cmake/variant.cmake), with the same RTL and Verilator
// arguments as the plain variant; the two are cycle- and bit-identical (tests/sc/).
//
// Semantics (the calling side is SystemC; sim/vsim.h holds for everything not said here):
// - vsim_open(trace_enable) is called during elaboration, normally from the constructor of
//   the sc_module that owns the model. It creates the verilated model as a child module
//   named "array" and one signal per port except clk_i (named "array_<port>", typed after
//   the generated port), binds them, and requests a reset (pending, see below). Outside
//   elaboration it prints one line on stderr and returns NULL. Tracing is not supported:
//   trace_enable is ignored and vsim_trace_open() returns -1.
// - vsim_sc_bind(v, clk) makes clk (a sc_in<bool> of the owner) the model's clock: clk_i is a
//   copy of it gated by the steps (an idle model sees no edge, as with the plain shim), during
//   elaboration. Every other call needs it to have been made.
// - vsim_step() must be called from an SC_THREAD (or SC_CTHREAD) of a running simulation: it
//   writes the inputs to the signals (a beat's fields only when its valid is 1, as the plain
//   shim), waits for the rising edge of the clock (the model samples them), then for the
//   falling edge, and reads the outputs: one step is one clock period of SystemC time.
// - vsim_reset() holds rst_ni low and drops both valids. Called from a running SC_THREAD it
//   runs the reset at once (rst_ni low for two rising edges, released at the falling edge
//   after the second); called elsewhere (elaboration, sc_main between sc_start() calls, an
//   SC_METHOD) it only marks it pending, and the next vsim_step() runs it before its own
//   cycle. Either way vsim_cycle() reads 0 from the call on, and counts steps after it.
// - vsim_counters() reads the cnt_*_o signals; vsim_assert_status() reports the first
//   failed RTL assertion like the plain shim (the context's gotError()).
// - vsim_close() (after the simulation, e.g. from the owner's destructor) runs the model's
//   final blocks and deletes the model and its signals.
// Verilator reports a failed assertion through the thread's VerilatedContext, which this
// shim sets to the model's own at open: with two models of the same library in one process,
// an assertion of either is credited to the one opened last (as with the plain shim).
// Time: the model's timeprecision is 1 ps, SystemC's default resolution; a program that
// changes sc_set_time_resolution() must keep it at 1 ps.
#include "vsim_sc.h"

#include <cstdio>
#include <memory>
#include <new>

#include "Vpecos_top.h"
#include "sc_port.h"
#include "shim_util.h"
#include "verilated.h"

#ifndef VSIM_ROWS
#error "VSIM_ROWS must be defined by the build"
#endif
#ifndef VSIM_COLS
#error "VSIM_COLS must be defined by the build"
#endif
#ifndef VSIM_DW
#error "VSIM_DW (operand width in bits) must be defined by the build"
#endif
#ifndef VSIM_DTYPE
#error "VSIM_DTYPE must be defined by the build"
#endif
#ifndef VSIM_DATAFLOW
#error "VSIM_DATAFLOW must be defined by the build"
#endif
#ifndef VSIM_OS
#error "VSIM_OS (1 for the output-stationary array, else 0) must be defined by the build"
#endif

// A signal for port NAME of the model, "array_NAME", with a scratch value for wide writes.
#define VSIM_SIG(name)                                                                \
    pecos_sc::sig_t<decltype(Vpecos_top::name)> name{"array_" #name};                 \
    pecos_sc::port_value_t<decltype(Vpecos_top::name)> name##_buf {}

struct vsim {
    std::unique_ptr<VerilatedContext> ctx;  // outlives top
    VSIM_SIG(rst_ni);
    VSIM_SIG(in_valid_i);
    VSIM_SIG(in_data_i);
    VSIM_SIG(w_data_i);
    VSIM_SIG(in_psum_i);
#if VSIM_OS
    VSIM_SIG(in_first_i);
    VSIM_SIG(in_last_i);
#else
    VSIM_SIG(w_valid_i);
    VSIM_SIG(w_bank_i);
    VSIM_SIG(w_col_i);
    VSIM_SIG(in_bank_i);
#endif
    VSIM_SIG(out_valid_o);
    VSIM_SIG(out_psum_o);
    VSIM_SIG(cnt_beats_o);
    VSIM_SIG(cnt_wbeats_o);
    VSIM_SIG(cnt_busy_o);
    VSIM_SIG(cnt_macs_o);
    VSIM_SIG(cnt_gated_o);
    pecos_sc::gated_clock clk{"array_gclk"}; // clk_i: the owner's clock, gated by the steps
    std::unique_ptr<Vpecos_top> top;  // declared last: deleted before the signals it binds
    uint64_t cycle = 0;
    bool clk_bound = false;
    bool reset_pending = false;  // rst_ni is low; the next vsim_step runs the reset
    bool assert_failed = false;  // an RTL assertion fired (sticky until vsim_close)
    uint64_t assert_cycle = 0;   // the vsim_cycle() when it fired
};

namespace {

// Holds the model in reset: rst_ni low, no beat.
void hold_reset(vsim *v)
{
    v->rst_ni.write(false);
    v->in_valid_i.write(false);
#if !VSIM_OS
    v->w_valid_i.write(false);
#endif
}

// The reset sequence, from an SC_THREAD: rst_ni low over two rising edges, released at the
// falling edge after them (the plain shim's order: the next step's edge sees it high).
void run_reset(vsim *v)
{
    hold_reset(v);
    v->clk.tick();
    v->clk.tick();
    v->rst_ni.write(true);
    v->reset_pending = false;
    pecos_shim::check_assert(v);
    v->cycle = 0;
}

}  // namespace

extern "C" {

vsim_t *vsim_open(int trace_enable)
{
    (void)trace_enable;
    if (!pecos_sc::elaborating()) {
        std::fprintf(stderr, "vsim_open: the SystemC model (%s %s %dx%d) must be opened during "
                     "elaboration\n", VSIM_DATAFLOW, VSIM_DTYPE, VSIM_ROWS, VSIM_COLS);
        return nullptr;
    }
    auto ctx = std::make_unique<VerilatedContext>();
    // A failed assertion ($error, $stop) must not abort the host: vsim_assert_status reports it.
    ctx->fatalOnError(false);
    // The SC model's constructor takes no context: it uses the thread's.
    Verilated::threadContextp(ctx.get());
    auto v = new (std::nothrow) vsim;
    if (!v) return nullptr;
    v->ctx = std::move(ctx);
    v->top = std::make_unique<Vpecos_top>("array");
    Vpecos_top *t = v->top.get();
    t->clk_i(v->clk.sig);
    t->rst_ni(v->rst_ni);
    t->in_valid_i(v->in_valid_i);
    t->in_data_i(v->in_data_i);
    t->w_data_i(v->w_data_i);
    t->in_psum_i(v->in_psum_i);
#if VSIM_OS
    t->in_first_i(v->in_first_i);
    t->in_last_i(v->in_last_i);
#else
    t->w_valid_i(v->w_valid_i);
    t->w_bank_i(v->w_bank_i);
    t->w_col_i(v->w_col_i);
    t->in_bank_i(v->in_bank_i);
#endif
    t->out_valid_o(v->out_valid_o);
    t->out_psum_o(v->out_psum_o);
    t->cnt_beats_o(v->cnt_beats_o);
    t->cnt_wbeats_o(v->cnt_wbeats_o);
    t->cnt_busy_o(v->cnt_busy_o);
    t->cnt_macs_o(v->cnt_macs_o);
    t->cnt_gated_o(v->cnt_gated_o);
    vsim_reset(v);
    return v;
}

int vsim_sc_bind(vsim_t *v, void *clk)
{
    if (!v || !clk || v->clk_bound || !pecos_sc::elaborating()) return -1;
    v->clk.src = static_cast<sc_core::sc_in<bool> *>(clk);
    v->clk_bound = true;
    return 0;
}

void vsim_info(const vsim_t *, vsim_info_t *info)
{
    info->abi_version = VSIM_ABI_VERSION;
    info->rows = VSIM_ROWS;
    info->cols = VSIM_COLS;
    info->dtype = VSIM_DTYPE;
    info->dataflow = VSIM_DATAFLOW;
}

void vsim_reset(vsim_t *v)
{
    if (pecos_sc::in_thread()) {
        run_reset(v);
        return;
    }
    hold_reset(v);
    v->reset_pending = true;
    v->cycle = 0;
}

void vsim_step(vsim_t *v, const vsim_in_t *in, vsim_out_t *out)
{
    if (v->reset_pending) run_reset(v);
#if VSIM_OS
    v->in_valid_i.write(in->in_valid);
    if (in->in_valid) {
        v->in_first_i.write(in->in_first);
        v->in_last_i.write(in->in_last);
        pecos_sc::put_bytes(v->in_data_i, v->in_data_i_buf, in->in_data, VSIM_ROWS * VSIM_DW / 8);
        pecos_sc::put_bytes(v->w_data_i, v->w_data_i_buf, in->w_data, VSIM_COLS * VSIM_DW / 8);
        if (in->in_first)
            pecos_sc::put_bytes(v->in_psum_i, v->in_psum_i_buf, in->in_psum,
                                VSIM_COLS * sizeof(int32_t));
    }
#else
    v->w_valid_i.write(in->w_valid);
    if (in->w_valid) {
        v->w_bank_i.write(in->w_bank);
        v->w_col_i.write(in->w_col);
        pecos_sc::put_bytes(v->w_data_i, v->w_data_i_buf, in->w_data, VSIM_ROWS * VSIM_DW / 8);
    }
    v->in_valid_i.write(in->in_valid);
    if (in->in_valid) {
        v->in_bank_i.write(in->in_bank);
        pecos_sc::put_bytes(v->in_data_i, v->in_data_i_buf, in->in_data, VSIM_ROWS * VSIM_DW / 8);
        pecos_sc::put_bytes(v->in_psum_i, v->in_psum_i_buf, in->in_psum,
                            VSIM_COLS * sizeof(int32_t));
    }
#endif
    v->clk.tick();
    pecos_shim::check_assert(v);
    out->out_valid = v->out_valid_o.read();
    if (out->out_valid)
        pecos_sc::get_bytes(v->out_psum_o, out->out_psum, VSIM_COLS * sizeof(int32_t));
    v->cycle++;
}

uint64_t vsim_cycle(const vsim_t *v) { return v->cycle; }

int vsim_assert_status(const vsim_t *v, uint64_t *cycle)
{
    return pecos_shim::assert_status(v, cycle);
}

void vsim_counters(const vsim_t *v, vsim_counters_t *c)
{
    c->beats = v->cnt_beats_o.read();
    c->wbeats = v->cnt_wbeats_o.read();
    c->busy = v->cnt_busy_o.read();
    c->macs = v->cnt_macs_o.read();
    c->gated = v->cnt_gated_o.read();
}

int vsim_trace_open(vsim_t *v, const char *path, uint64_t from, uint64_t to)
{
    (void)v;
    (void)path;
    (void)from;
    (void)to;
    return -1;
}

void vsim_trace_close(vsim_t *v) { (void)v; }

void vsim_close(vsim_t *v)
{
    if (!v) return;
    v->top->final();
    delete v;
}

}  // extern "C"
