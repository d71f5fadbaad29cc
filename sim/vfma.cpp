// vfma.cpp - the C ABI of sim/vfma.h over one verilated pecos_fma.
// Compiled once per format against that format's Vpecos_fma (see sim/fma.cmake).
#include "vfma.h"

#include <memory>
#include <new>

#include "Vpecos_fma.h"
#include "shim_util.h"
#include "verilated.h"

#ifndef VFMA_FMT
#error "VFMA_FMT must be defined by the build"
#endif
#ifndef VFMA_FTZ
#error "VFMA_FTZ must be defined by the build"
#endif

struct vfma {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vpecos_fma> top;
    uint64_t cycle = 0;
};

namespace {

constexpr int kLatency = 2;

// One clock cycle: the inputs already applied are sampled at the rising edge; the outputs
// after that edge are then readable.
void tick(vfma *v)
{
    Vpecos_fma *t = v->top.get();
    t->clk_i = 0;
    t->eval();
    t->clk_i = 1;
    t->eval();
    v->cycle++;
}

void reset(vfma *v)
{
    Vpecos_fma *t = v->top.get();
    t->valid_i = 0;
    t->a_i = 0;
    t->b_i = 0;
    t->c_i = 0;
    t->clk_i = 0;
    t->rst_ni = 0;
    t->eval();
    for (int i = 0; i < 2; i++) tick(v);
    t->rst_ni = 1;
    t->eval();
    v->cycle = 0;
}

}  // namespace

extern "C" {

vfma_t *vfma_open(void)
{
    auto v = new (std::nothrow) vfma;
    if (!v) return nullptr;
    v->ctx = std::make_unique<VerilatedContext>();
    // The model is single-threaded: no idle pool thread per model (Verilator 5 gives the
    // context one per CPU by default). The host forks worker processes (--jobs), which
    // copy only the forking thread.
    v->ctx->threads(1);
    v->top = std::make_unique<Vpecos_fma>(v->ctx.get(), "fma");
    reset(v);
    return v;
}

int vfma_run(vfma_t *v, const uint16_t *a, const uint16_t *b, const uint32_t *c, uint32_t *y,
             size_t n)
{
    Vpecos_fma *t = v->top.get();
    size_t got = 0;
    int rc = 0;
    // Cycle k presents triple k's operands and triple k-1's addend; after its edge, stage 1
    // must hold triple k and the result register triple k-1.
    for (size_t k = 0; k < n + kLatency - 1; k++) {
        const bool in = k < n;
        t->valid_i = in;
        if (in) {
            t->a_i = a[k];
            t->b_i = b[k];
        }
        if (k >= 1) t->c_i = c[k - 1];
        tick(v);
        if (t->prod_valid_o != in) rc = -1;
        if (t->valid_o) {
            if (k < 1 || got != k - 1 || got >= n) {
                rc = -1;
            } else {
                y[got++] = t->y_o;
            }
        } else if (k >= 1) {
            rc = -1;
        }
    }
    // The pipeline must drain: no result may follow the last one.
    t->valid_i = 0;
    tick(v);
    if (t->valid_o || t->prod_valid_o) rc = -1;
    if (got != n) rc = -1;
    return rc;
}

int vfma_latency(void) { return kLatency; }

int vfma_fmt(void) { return VFMA_FMT; }

int vfma_ftz(void) { return VFMA_FTZ; }

void vfma_close(vfma_t *v)
{
    if (!v) return;
    v->top->final();
    pecos_shim::write_coverage(v->ctx.get(), "vfma");
    delete v;
}

}  // extern "C"
