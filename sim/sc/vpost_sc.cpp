// vpost_sc.cpp - the C ABI of sim/vpost.h over pecos_postproc verilated with --sc (a
// SystemC module), plus vpost_sc_bind() (sim/sc/vsim_sc.h). Compiled once per lane count,
// libpecos_post_sc_L<lanes>.so (sim/post.cmake), with the plain unit's RTL and Verilator
// arguments; the two are cycle- and bit-identical (tests/sc/).
//
// Semantics, as sim/sc/vsim_sc.cpp for the array (sim/vpost.h holds for the rest):
// - vpost_open(fst_path) is called during elaboration, normally from the constructor of the
//   owning sc_module: the model becomes its child module "post", with one signal per port
//   except clk_i ("post_<port>"), configuration all zero and a reset pending. Tracing is not
//   supported: a non-NULL fst_path makes it print one line on stderr and return NULL, as
//   does a call outside elaboration.
// - vpost_sc_bind(v, clk) makes clk (a sc_in<bool> of the owner) the unit's clock, gated
//   by the steps like the array's, during
//   elaboration.
// - vpost_step() is called from an SC_THREAD: it writes the beat (only when valid), waits for
//   the rising edge, then the falling edge, and reads the output: one clock period.
// - vpost_reset() from a running SC_THREAD runs at once (rst_ni low over two rising edges,
//   released at the falling edge after them); from anywhere else it is held pending until
//   the next vpost_step(). vpost_cycle() reads 0 from the call on. The configuration is kept.
// - vpost_config() writes the configuration signals: they take effect at the next step.
// - vpost_close() (after the simulation) runs the final blocks and deletes model and signals.
// Assertions go to the thread's VerilatedContext, set to this model's at open (see
// vsim_sc.cpp for the consequence with two models of one library); the SystemC time
// resolution must stay 1 ps.
#include "vsim_sc.h"

#include <cstdio>
#include <memory>
#include <new>

#include "Vpecos_postproc.h"
#include "Vpecos_postproc_pecos_postproc_pkg.h"
#include "sc_port.h"
#include "shim_util.h"
#include "verilated.h"

#ifndef VPOST_LANES
#error "VPOST_LANES must be defined by the build"
#endif

// A signal for port NAME of the model, "post_NAME", with a scratch value for wide writes.
#define VPOST_SIG(name)                                                               \
    pecos_sc::sig_t<decltype(Vpecos_postproc::name)> name{"post_" #name};             \
    pecos_sc::port_value_t<decltype(Vpecos_postproc::name)> name##_buf {}

struct vpost {
    std::unique_ptr<VerilatedContext> ctx;  // outlives top
    VPOST_SIG(rst_ni);
    VPOST_SIG(rq_mult_i);
    VPOST_SIG(rq_shift_i);
    VPOST_SIG(rq_zp_i);
    VPOST_SIG(rq_en_i);
    VPOST_SIG(relu_en_i);
    VPOST_SIG(pool_mode_i);
    VPOST_SIG(in_valid_i);
    VPOST_SIG(in_first_i);
    VPOST_SIG(in_last_i);
    VPOST_SIG(in_count_i);
    VPOST_SIG(in_acc_i);
    VPOST_SIG(in_bias_i);
    VPOST_SIG(out_valid_o);
    VPOST_SIG(out_data_o);
    pecos_sc::gated_clock clk{"post_gclk"}; // clk_i: the owner's clock, gated by the steps
    std::unique_ptr<Vpecos_postproc> top;  // declared last: deleted before its signals
    uint64_t cycle = 0;
    bool clk_bound = false;
    bool reset_pending = false;  // rst_ni is low; the next vpost_step runs the reset
    bool assert_failed = false;  // an RTL assertion fired (sticky until vpost_close)
    uint64_t assert_cycle = 0;
};

namespace {

// The reset sequence, from an SC_THREAD (see vsim_sc.cpp).
void run_reset(vpost *v)
{
    v->rst_ni.write(false);
    v->in_valid_i.write(false);
    v->clk.tick();
    v->clk.tick();
    v->rst_ni.write(true);
    v->reset_pending = false;
    pecos_shim::check_assert(v);
    v->cycle = 0;
}

}  // namespace

extern "C" {

vpost_t *vpost_open(const char *fst_path_or_null)
{
    if (fst_path_or_null) {
        std::fprintf(stderr, "vpost_open: the SystemC post-processing model (%d lanes) cannot "
                     "trace (asked for %s)\n", VPOST_LANES, fst_path_or_null);
        return nullptr;
    }
    if (!pecos_sc::elaborating()) {
        std::fprintf(stderr, "vpost_open: the SystemC post-processing model (%d lanes) must be "
                     "opened during elaboration\n", VPOST_LANES);
        return nullptr;
    }
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->fatalOnError(false);  // a failed assertion is reported, not an abort
    Verilated::threadContextp(ctx.get());  // the SC model's constructor takes the thread's
    auto v = new (std::nothrow) vpost;
    if (!v) return nullptr;
    v->ctx = std::move(ctx);
    v->top = std::make_unique<Vpecos_postproc>("post");
    Vpecos_postproc *t = v->top.get();
    t->clk_i(v->clk.sig);
    t->rst_ni(v->rst_ni);
    t->rq_mult_i(v->rq_mult_i);
    t->rq_shift_i(v->rq_shift_i);
    t->rq_zp_i(v->rq_zp_i);
    t->rq_en_i(v->rq_en_i);
    t->relu_en_i(v->relu_en_i);
    t->pool_mode_i(v->pool_mode_i);
    t->in_valid_i(v->in_valid_i);
    t->in_first_i(v->in_first_i);
    t->in_last_i(v->in_last_i);
    t->in_count_i(v->in_count_i);
    t->in_acc_i(v->in_acc_i);
    t->in_bias_i(v->in_bias_i);
    t->out_valid_o(v->out_valid_o);
    t->out_data_o(v->out_data_o);
    vpost_reset(v);
    return v;
}

int vpost_sc_bind(vpost_t *v, void *clk)
{
    if (!v || !clk || v->clk_bound || !pecos_sc::elaborating()) return -1;
    v->clk.src = static_cast<sc_core::sc_in<bool> *>(clk);
    v->clk_bound = true;
    return 0;
}

int vpost_abi_version(void) { return VPOST_ABI_VERSION; }

int vpost_lanes(void) { return VPOST_LANES; }

int vpost_latency(void) { return (int)Vpecos_postproc_pecos_postproc_pkg::Lat; }

void vpost_reset(vpost_t *v)
{
    if (pecos_sc::in_thread()) {
        run_reset(v);
        return;
    }
    v->rst_ni.write(false);
    v->in_valid_i.write(false);
    v->reset_pending = true;
    v->cycle = 0;
}

void vpost_config(vpost_t *v, const vpost_cfg_t *cfg)
{
    v->rq_mult_i.write(cfg->mult & 0x7FFFFFFFu);
    v->rq_shift_i.write((uint8_t)(cfg->shift & 0x3F));
    v->rq_zp_i.write((uint8_t)cfg->zp);
    v->rq_en_i.write(cfg->rq_en);
    v->relu_en_i.write(cfg->relu_en);
    v->pool_mode_i.write((uint8_t)(cfg->pool_mode & 3));
}

void vpost_step(vpost_t *v, bool valid, bool first, bool last, int count, const int32_t *acc,
                const int32_t *bias, bool *out_valid, int8_t *out)
{
    static const int32_t zeros[VPOST_LANES] = {0};
    if (v->reset_pending) run_reset(v);
    v->in_valid_i.write(valid);
    if (valid) {
        v->in_first_i.write(first);
        v->in_last_i.write(last);
        v->in_count_i.write((uint8_t)count);
        pecos_sc::put_bytes(v->in_acc_i, v->in_acc_i_buf, acc, VPOST_LANES * sizeof(int32_t));
        pecos_sc::put_bytes(v->in_bias_i, v->in_bias_i_buf, bias ? bias : zeros,
                            VPOST_LANES * sizeof(int32_t));
    }
    v->clk.tick();
    pecos_shim::check_assert(v);
    *out_valid = v->out_valid_o.read();
    if (*out_valid) pecos_sc::get_bytes(v->out_data_o, out, VPOST_LANES);
    v->cycle++;
}

uint64_t vpost_cycle(const vpost_t *v) { return v->cycle; }

int vpost_assert_status(const vpost_t *v, uint64_t *cycle)
{
    return pecos_shim::assert_status(v, cycle);
}

void vpost_close(vpost_t *v)
{
    if (!v) return;
    v->top->final();
    delete v;
}

}  // extern "C"
