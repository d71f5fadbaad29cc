// vpost.cpp - the C ABI of sim/vpost.h over one verilated pecos_postproc.
// Compiled once per lane count against that build's Vpecos_postproc (see sim/post.cmake).
#include "vpost.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

#include "Vpecos_postproc.h"
#include "Vpecos_postproc_pecos_postproc_pkg.h"
#include "shim_util.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#ifndef VPOST_LANES
#error "VPOST_LANES must be defined by the build"
#endif

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lane packing assumes little-endian");

struct vpost {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vpecos_postproc> top;
    std::unique_ptr<VerilatedFstC> fst;
    uint64_t cycle = 0;
    bool assert_failed = false;  // an RTL assertion fired (sticky until vpost_close)
    uint64_t assert_cycle = 0;
    uint64_t time = 0;  // dump time stamps, two per cycle (shim_util.h's ticks), never restarted
};

namespace {

void half_cycle(vpost *v, int clk)
{
    v->top->clk_i = clk;
    v->top->eval();
    if (v->fst) v->fst->dump(v->time);
    v->time += FST_TICKS_PER_CYCLE / 2;
}

}  // namespace

extern "C" {

vpost_t *vpost_open(const char *fst_path_or_null)
{
    auto v = new (std::nothrow) vpost;
    if (!v) return nullptr;
    v->ctx = std::make_unique<VerilatedContext>();
    // The model is single-threaded: no idle pool thread per model (Verilator 5 gives the
    // context one per CPU by default). The host forks worker processes (--jobs), which
    // copy only the forking thread.
    v->ctx->threads(1);
    v->ctx->fatalOnError(false);  // a failed assertion is reported, not an abort
    if (fst_path_or_null) v->ctx->traceEverOn(true);
    v->top = std::make_unique<Vpecos_postproc>(v->ctx.get(), "pecos_post");
    Vpecos_postproc *t = v->top.get();
    t->rq_mult_i = 0;
    t->rq_shift_i = 0;
    t->rq_zp_i = 0;
    t->rq_en_i = 0;
    t->relu_en_i = 0;
    t->pool_mode_i = 0;
    t->in_first_i = 0;
    t->in_last_i = 0;
    t->in_count_i = 0;
    if (fst_path_or_null) {
        auto fst = std::make_unique<VerilatedFstC>();
        fst->set_time_resolution(FST_RESOLUTION);
        t->trace(fst.get(), 99);
        fst->open(fst_path_or_null);
        if (!fst->isOpen()) {
            t->final();
            delete v;
            return nullptr;
        }
        v->fst = std::move(fst);
    }
    vpost_reset(v);
    return v;
}

int vpost_abi_version(void) { return VPOST_ABI_VERSION; }

int vpost_lanes(void) { return VPOST_LANES; }

int vpost_latency(void) { return (int)Vpecos_postproc_pecos_postproc_pkg::Lat; }

void vpost_reset(vpost_t *v)
{
    Vpecos_postproc *t = v->top.get();
    t->in_valid_i = 0;
    t->rst_ni = 0;
    half_cycle(v, 0);
    for (int i = 0; i < 2; i++) {
        half_cycle(v, 1);
        half_cycle(v, 0);
    }
    t->rst_ni = 1;
    t->eval();
    pecos_shim::check_assert(v);
    v->cycle = 0;
}

void vpost_config(vpost_t *v, const vpost_cfg_t *cfg)
{
    Vpecos_postproc *t = v->top.get();
    t->rq_mult_i = cfg->mult & 0x7FFFFFFFu;
    t->rq_shift_i = (uint8_t)(cfg->shift & 0x3F);
    t->rq_zp_i = (uint8_t)cfg->zp;
    t->rq_en_i = cfg->rq_en;
    t->relu_en_i = cfg->relu_en;
    t->pool_mode_i = (uint8_t)(cfg->pool_mode & 3);
}

void vpost_step(vpost_t *v, bool valid, bool first, bool last, int count, const int32_t *acc,
                const int32_t *bias, bool *out_valid, int8_t *out)
{
    Vpecos_postproc *t = v->top.get();
    static const int32_t zeros[VPOST_LANES] = {0};
    t->in_valid_i = valid;
    if (valid) {
        t->in_first_i = first;
        t->in_last_i = last;
        t->in_count_i = (uint8_t)count;
        pecos_shim::put_bytes(t->in_acc_i, acc, VPOST_LANES * sizeof(int32_t));
        pecos_shim::put_bytes(t->in_bias_i, bias ? bias : zeros, VPOST_LANES * sizeof(int32_t));
    }
    half_cycle(v, 0);
    half_cycle(v, 1);
    pecos_shim::check_assert(v);
    *out_valid = t->out_valid_o;
    if (t->out_valid_o) pecos_shim::get_bytes(t->out_data_o, out, VPOST_LANES);
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
    if (v->fst) v->fst->close();
    pecos_shim::write_coverage(v->ctx.get(), "vpost");
    delete v;
}

}  // extern "C"
