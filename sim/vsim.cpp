// vsim.cpp - the C ABI of sim/vsim.h over one verilated array variant (pecos_array_ws, or
// pecos_array_os when VSIM_OS is 1: its ports differ, see vsim.h).
// Compiled once per variant against that variant's Vpecos_top (see CMakeLists.txt).
#include "vsim.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>

#include "Vpecos_top.h"
#include "shim_util.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

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

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lane packing assumes little-endian");

struct vsim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vpecos_top> top;
#if VM_TRACE
    std::unique_ptr<VerilatedFstC> fst;
#endif
    uint64_t cycle = 0;
    uint64_t trace_from = 0, trace_to = 0;
    bool trace_enabled = false;
    bool assert_failed = false;  // an RTL assertion fired (sticky until vsim_close)
    uint64_t assert_cycle = 0;   // the vsim_cycle() when it fired
};

namespace {

// Dumps time t when a trace is open and the cycle is in its window. A variant built without
// tracing (the default; --wave loads the _trace twin) compiles this away.
inline void dump(vsim *v, uint64_t t)
{
#if VM_TRACE
    if (v->fst && v->cycle >= v->trace_from && v->cycle <= v->trace_to) v->fst->dump(t);
#else
    (void)v;
    (void)t;
#endif
}

}  // namespace

extern "C" {

vsim_t *vsim_open(int trace_enable)
{
    auto v = new (std::nothrow) vsim;
    if (!v) return nullptr;
    v->ctx = std::make_unique<VerilatedContext>();
    // The model is single-threaded: no idle pool thread per model (Verilator 5 gives the
    // context one per CPU by default). The host forks worker processes (--jobs), which
    // copy only the forking thread.
    v->ctx->threads(1);
    // A failed assertion ($error, $stop) must not abort the host: vsim_assert_status reports it.
    v->ctx->fatalOnError(false);
    v->trace_enabled = VM_TRACE && trace_enable != 0;
    if (v->trace_enabled) v->ctx->traceEverOn(true);
    v->top = std::make_unique<Vpecos_top>(v->ctx.get(), "pecos");
    vsim_reset(v);
    return v;
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
    Vpecos_top *t = v->top.get();
#if !VSIM_OS
    t->w_valid_i = 0;
#endif
    t->in_valid_i = 0;
    t->clk_i = 0;
    t->rst_ni = 0;
    t->eval();
    for (int i = 0; i < 2; i++) {
        t->clk_i = 1;
        t->eval();
        t->clk_i = 0;
        t->eval();
    }
    t->rst_ni = 1;
    t->eval();
    pecos_shim::check_assert(v);
    v->cycle = 0;
}

void vsim_step(vsim_t *v, const vsim_in_t *in, vsim_out_t *out)
{
    Vpecos_top *t = v->top.get();
#if VSIM_OS
    t->in_valid_i = in->in_valid;
    if (in->in_valid) {
        t->in_first_i = in->in_first;
        t->in_last_i = in->in_last;
        pecos_shim::put_bytes(t->in_data_i, in->in_data, VSIM_ROWS * VSIM_DW / 8);
        pecos_shim::put_bytes(t->w_data_i, in->w_data, VSIM_COLS * VSIM_DW / 8);
        if (in->in_first) pecos_shim::put_bytes(t->in_psum_i, in->in_psum, VSIM_COLS * sizeof(int32_t));
    }
#else
    t->w_valid_i = in->w_valid;
    if (in->w_valid) {
        t->w_bank_i = in->w_bank;
        t->w_col_i = in->w_col;
        pecos_shim::put_bytes(t->w_data_i, in->w_data, VSIM_ROWS * VSIM_DW / 8);
    }
    t->in_valid_i = in->in_valid;
    if (in->in_valid) {
        t->in_bank_i = in->in_bank;
        pecos_shim::put_bytes(t->in_data_i, in->in_data, VSIM_ROWS * VSIM_DW / 8);
        pecos_shim::put_bytes(t->in_psum_i, in->in_psum, VSIM_COLS * sizeof(int32_t));
    }
#endif
    t->clk_i = 0;
    t->eval();
    dump(v, FST_START(v->cycle));
    t->clk_i = 1;
    t->eval();
    dump(v, FST_RISE(v->cycle));
    pecos_shim::check_assert(v);
    out->out_valid = t->out_valid_o;
    if (t->out_valid_o) pecos_shim::get_bytes(t->out_psum_o, out->out_psum, VSIM_COLS * sizeof(int32_t));
    v->cycle++;
}

uint64_t vsim_cycle(const vsim_t *v) { return v->cycle; }

int vsim_assert_status(const vsim_t *v, uint64_t *cycle)
{
    return pecos_shim::assert_status(v, cycle);
}

void vsim_counters(const vsim_t *v, vsim_counters_t *c)
{
    const Vpecos_top *t = v->top.get();
    c->beats = t->cnt_beats_o;
    c->wbeats = t->cnt_wbeats_o;
    c->busy = t->cnt_busy_o;
    c->macs = t->cnt_macs_o;
    c->gated = t->cnt_gated_o;
}

int vsim_trace_open(vsim_t *v, const char *path, uint64_t from, uint64_t to)
{
#if VM_TRACE
    if (!v->trace_enabled || v->fst) return -1;
    auto fst = std::make_unique<VerilatedFstC>();
    fst->set_time_resolution(FST_RESOLUTION);
    v->top->trace(fst.get(), 99);
    fst->open(path);
    if (!fst->isOpen()) return -1;
    v->fst = std::move(fst);
    v->trace_from = from;
    v->trace_to = to;
    return 0;
#else
    (void)v;
    (void)path;
    (void)from;
    (void)to;
    return -1;
#endif
}

void vsim_trace_close(vsim_t *v)
{
#if VM_TRACE
    if (!v->fst) return;
    v->fst->close();
    v->fst.reset();
#else
    (void)v;
#endif
}

void vsim_close(vsim_t *v)
{
    if (!v) return;
    vsim_trace_close(v);
    v->top->final();
    pecos_shim::write_coverage(v->ctx.get(), "vsim_" VSIM_DATAFLOW "_" VSIM_DTYPE);
    delete v;
}

}  // extern "C"
