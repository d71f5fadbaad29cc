// sc_driver.cpp - the driver of pecos-sc (sc_driver.h).
#include "sc_driver.h"

#include <cstring>
#include <vector>

#include "pecos_accel.h"
#include "sc_tiling.h"

extern "C" {
#include "cmd_run.h"
#include "device.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "run_opts.h"
}

using namespace sc_core;

namespace {

constexpr uint64_t kChunk = 4096;  // bytes per transaction of the driver's copies

const char *err_name(unsigned e)
{
    static const char *names[] = {"none", "OP",  "DTYPE", "DATAFLOW", "SHAPE",
                                  "FIT",  "ADDR", "BUS",  "RTL",      "NOMEM"};
    return e < sizeof names / sizeof names[0] ? names[e] : "unknown";
}

// The PAD register of four pads ([7:0] top, [15:8] left, [23:16] bottom, [31:24] right);
// false when one does not fit its byte.
bool pad_reg(int t, int l, int b, int r, uint32_t *w)
{
    if (t > 255 || l > 255 || b > 255 || r > 255) return false;
    *w = (uint32_t)t | (uint32_t)l << 8 | (uint32_t)b << 16 | (uint32_t)r << 24;
    return true;
}

// The layer backend's conv: one layer (one group) through the accelerator.
int sc_conv(void *ctx, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen)
{
    pecos_driver &d = *static_cast<pecos_driver *>(ctx);
    const run_opts *o = d.opts();
    const layer_t *L = job->layer;
    const uint64_t esz = job->esz, n = (uint64_t)L->k * L->p * L->q;
    const uint64_t in_b = (uint64_t)L->c * L->h * L->w * esz,
                   w_b = (uint64_t)L->k * L->c * L->r * L->s * esz;
    std::memset(st, 0, sizeof *st);
    uint32_t pad;
    if (!pad_reg(L->pad_t, L->pad_l, L->pad_b, L->pad_r, &pad) || L->stride_h > 0xffff || L->stride_w > 0xffff || L->dil_h > 0xffff || L->dil_w > 0xffff)
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "layer %s: a pad above 255 or a stride/dilation above 65535 does not "
                          "fit the accelerator's descriptor",
                          L->name);
    d.alloc_reset();
    const uint64_t ia = d.alloc(in_b), wa = d.alloc(w_b), ba = job->bias ? d.alloc(4 * L->k) : 0,
                   oa = d.alloc(4 * n), ta = d.alloc(10 * n);
    if (!d.put(ia, job->ifmap, in_b) || !d.put(wa, job->weights, w_b) ||
        (job->bias && !d.put(ba, job->bias, 4ull * L->k)))
        return pecos_fail(err, errlen, PECOS_ESIM, "layer %s: writing its tensors failed",
                          L->name);
    d.wr(PECOS_REG_QUEUE_LEN, 0);
    d.wr(PECOS_REG_OP, PECOS_OP_CONV);
    d.wr(PECOS_REG_DTYPE, (uint32_t)o->dtype);
    d.wr(PECOS_REG_DATAFLOW, (uint32_t)job->df);
    d.wr(PECOS_REG_C, (uint32_t)L->c);
    d.wr(PECOS_REG_H, (uint32_t)L->h);
    d.wr(PECOS_REG_W, (uint32_t)L->w);
    d.wr(PECOS_REG_K, (uint32_t)L->k);
    d.wr(PECOS_REG_R, (uint32_t)L->r);
    d.wr(PECOS_REG_S, (uint32_t)L->s);
    d.wr(PECOS_REG_STRIDE, (uint32_t)L->stride_h | (uint32_t)L->stride_w << 16);
    d.wr(PECOS_REG_DIL, (uint32_t)L->dil_h | (uint32_t)L->dil_w << 16);
    d.wr(PECOS_REG_PAD, pad);
    d.wr(PECOS_REG_PAD_VALUE, (uint32_t)L->pad_value & 0xffu);
    d.wr(PECOS_REG_GROUPS, 1);
    d.wr64(PECOS_REG_IFMAP_ADDR_LO, ia);
    d.wr64(PECOS_REG_WEIGHT_ADDR_LO, wa);
    d.wr64(PECOS_REG_BIAS_ADDR_LO, ba);
    d.wr64(PECOS_REG_OUT_ADDR_LO, oa);
    d.wr64(PECOS_REG_TRACE_ADDR_LO, ta);
    // The tiler runs in the accelerator; a --tile of the user is forced there too.
    if (o->tile_forced) {
        d.wr(PECOS_REG_TILE, pecos_sc::tile_reg(o->tile));
        d.wr(PECOS_REG_TILE_CT, (uint32_t)o->tile.ct);
    } else {
        d.wr(PECOS_REG_TILE, 0);
        d.wr(PECOS_REG_TILE_CT, 0);
    }
    d.wr64(PECOS_REG_FAULT_LO, job->fault_cycle);
    char what[96];
    std::snprintf(what, sizeof what, "layer %s", L->name);
    int rc = d.start_and_wait(what, err, errlen);
    if (rc != 0) return rc;
    st->cycles = d.cnt(PECOS_CNT_CYCLES);
    st->start_cycle = d.cnt(PECOS_CNT_START_CYCLE);
    st->beats = d.cnt(PECOS_CNT_BEATS);
    st->wbeats = d.cnt(PECOS_CNT_WBEATS);
    st->os_blocks = d.cnt(PECOS_CNT_OS_BLOCKS);
    st->rtl.beats = d.cnt(PECOS_CNT_RTL_BEATS);
    st->rtl.wbeats = d.cnt(PECOS_CNT_RTL_WBEATS);
    st->rtl.busy = d.cnt(PECOS_CNT_RTL_BUSY);
    st->busy_pred = d.cnt(PECOS_CNT_SEQ_BUSY);
    st->rtl.macs = d.cnt(PECOS_CNT_RTL_MACS);
    st->rtl.gated = d.cnt(PECOS_CNT_RTL_GATED);
    st->gated_pred = d.cnt(PECOS_CNT_SEQ_GATED);
    for (int i = 0; i < STALL_N; i++) st->stall[i] = d.cnt(PECOS_CNT_STALL_COMPUTE + i);
    for (int i = 0; i < TENSOR_N; i++) {
        st->dram_rd[i] = d.cnt(PECOS_CNT_DRAM_RD + i);
        st->dram_wr[i] = d.cnt(PECOS_CNT_DRAM_WR + i);
    }
    st->dram_bus = d.cnt(PECOS_CNT_DRAM_BUS);
    st->descs = d.cnt(PECOS_CNT_DESCS);
    for (int i = 0; i < GLB_N; i++) {
        st->glb_rd[i] = d.cnt(PECOS_CNT_GLB_RD + i);
        st->glb_wr[i] = d.cnt(PECOS_CNT_GLB_WR + i);
        st->glb_bank[i] = d.cnt(PECOS_CNT_GLB_BANK + i);
    }
    st->dram_bytes = d.cnt(PECOS_CNT_DRAM_BYTES);
    // The host's checks model the tiling the host's tiler chose: the accelerator's must be it.
    const uint64_t got = d.cnt(PECOS_CNT_TILING), want = pecos_sc::tiling_word(*job->tiling);
    if (got != want)
        return pecos_fail(err, errlen, PECOS_ESIM,
                          "layer %s: the accelerator tiled it as 0x%llx, the host's tiler as "
                          "0x%llx (TILING register)",
                          L->name, (unsigned long long)got, (unsigned long long)want);
    std::vector<uint8_t> tr(10 * n);
    if (!d.get(oa, job->out, 4 * n) || !d.get(ta, tr.data(), tr.size()))
        return pecos_fail(err, errlen, PECOS_ESIM, "layer %s: reading its results failed",
                          L->name);
    std::memcpy(job->out_cycle, tr.data(), 8 * n);
    if (job->out_lane) std::memcpy(job->out_lane, tr.data() + 8 * n, 2 * n);
    return 0;
}

// The layer backend's post: one map through the accelerator's post-processing unit.
int sc_post(void *ctx, const device_post_job_t *job, device_post_res_t *res, char *err,
            size_t errlen)
{
    pecos_driver &d = *static_cast<pecos_driver *>(ctx);
    const device_post_t *pp = job->pp;
    const double t0 = pecos_now();
    const uint64_t in_n = (uint64_t)pp->c * pp->h * pp->w,
                   out_n = (uint64_t)pp->c * job->P * job->Q;
    const uint64_t b_n = job->b ? (job->b_per_elem ? in_n : (uint64_t)pp->c) : 0;
    uint32_t pad;
    if (!pad_reg(pp->pad_t, pp->pad_l, pp->pad_b, pp->pad_r, &pad))
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "%s: a pooling pad above 255 does not fit the accelerator's "
                          "descriptor",
                          pp->name);
    d.alloc_reset();
    const uint64_t ia = d.alloc(4 * in_n), ba = b_n ? d.alloc(4 * b_n) : 0,
                   oa = d.alloc(out_n), ta = d.alloc(8 * out_n);
    if (!d.put(ia, job->in, 4 * in_n) || (b_n && !d.put(ba, job->b, 4 * b_n)))
        return pecos_fail(err, errlen, PECOS_ESIM, "%s: writing its map failed", pp->name);
    d.wr(PECOS_REG_QUEUE_LEN, 0);
    d.wr(PECOS_REG_OP, PECOS_OP_POST);
    d.wr(PECOS_REG_C, (uint32_t)pp->c);
    d.wr(PECOS_REG_H, (uint32_t)pp->h);
    d.wr(PECOS_REG_W, (uint32_t)pp->w);
    d.wr(PECOS_REG_R, (uint32_t)pp->r);
    d.wr(PECOS_REG_S, (uint32_t)pp->s);
    d.wr(PECOS_REG_STRIDE, (uint32_t)pp->stride);
    d.wr(PECOS_REG_PAD, pad);
    d.wr(PECOS_REG_PP_FLAGS, (pp->rq_en ? PECOS_PP_RQ_EN : 0) | (pp->relu ? PECOS_PP_RELU : 0) |
                                 (job->b_per_elem ? PECOS_PP_BIAS_ELEM : 0) |
                                 (uint32_t)pp->pool << 4);
    d.wr(PECOS_REG_PP_MULT, pp->mult);
    d.wr(PECOS_REG_PP_SHIFT, (uint32_t)pp->shift);
    d.wr(PECOS_REG_PP_ZP, (uint32_t)(uint8_t)pp->zp);
    d.wr64(PECOS_REG_IFMAP_ADDR_LO, ia);
    d.wr64(PECOS_REG_BIAS_ADDR_LO, ba);
    d.wr64(PECOS_REG_OUT_ADDR_LO, oa);
    d.wr64(PECOS_REG_TRACE_ADDR_LO, ta);
    const int rc = d.start_and_wait(pp->name, err, errlen);
    if (rc != 0) return rc;
    res->cycles = d.cnt(PECOS_CNT_CYCLES);
    res->beats = d.cnt(PECOS_CNT_BEATS);
    res->glb_rd = d.cnt(PECOS_CNT_GLB_RD);
    res->glb_wr = d.cnt(PECOS_CNT_GLB_WR);
    res->outputs = d.cnt(PECOS_CNT_OUTPUTS);
    res->latency = (int)(d.rd(PECOS_REG_HWCFG1) >> 8 & 0xff);
    if (!d.get(oa, job->y, out_n) || !d.get(ta, job->ocyc, 8 * out_n))
        return pecos_fail(err, errlen, PECOS_ESIM, "%s: reading its results failed", pp->name);
    res->sim_seconds = pecos_now() - t0;
    return 0;
}

}  // namespace

pecos_driver::pecos_driver(sc_module_name name, run_opts *o, const pecos_accel *accel,
                           uint64_t csr_base, uint64_t dram_base)
    : sc_module(name), sock("sock"), irq("irq"), o_(o), accel_(accel), csr_base_(csr_base),
      dram_base_(dram_base), next_(dram_base)
{
    backend_.name = "sc";
    backend_.ctx = this;
    backend_.conv = sc_conv;
    backend_.post = sc_post;
    o->backend = &backend_;
    SC_HAS_PROCESS(pecos_driver);
    SC_THREAD(main_thread);
    set_stack_size(256 << 20);  // the whole pecos run command runs on this thread
}

void pecos_driver::main_thread()
{
    exit_code_ = cmd_run_opts(o_);
    sc_stop();
}

bool pecos_driver::transport(bool write, uint64_t a, void *p, uint64_t n)
{
    tlm::tlm_generic_payload gp;
    sc_time delay = SC_ZERO_TIME;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(a);
    gp.set_data_ptr(static_cast<unsigned char *>(p));
    gp.set_data_length((unsigned)n);
    gp.set_streaming_width((unsigned)n);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sock->b_transport(gp, delay);
    pending_ += delay;
    return gp.get_response_status() == tlm::TLM_OK_RESPONSE;
}

uint32_t pecos_driver::rd(unsigned off)
{
    uint32_t v = 0;
    if (!transport(false, csr_base_ + off, &v, 4))
        SC_REPORT_ERROR("pecos_driver", "register read failed");
    return v;
}

void pecos_driver::wr(unsigned off, uint32_t v)
{
    if (!transport(true, csr_base_ + off, &v, 4))
        SC_REPORT_ERROR("pecos_driver", "register write failed");
}

void pecos_driver::wr64(unsigned lo, uint64_t v)
{
    wr(lo, (uint32_t)v);
    wr(lo + 4, (uint32_t)(v >> 32));
}

uint64_t pecos_driver::cnt(int i)
{
    return rd(PECOS_CNT(i)) | (uint64_t)rd(PECOS_CNT(i) + 4) << 32;
}

bool pecos_driver::put(uint64_t a, const void *src, uint64_t n)
{
    const uint8_t *p = static_cast<const uint8_t *>(src);
    for (uint64_t i = 0; i < n; i += kChunk)
        if (!transport(true, a + i, const_cast<uint8_t *>(p + i), n - i < kChunk ? n - i : kChunk))
            return false;
    return true;
}

bool pecos_driver::get(uint64_t a, void *dst, uint64_t n)
{
    uint8_t *p = static_cast<uint8_t *>(dst);
    for (uint64_t i = 0; i < n; i += kChunk)
        if (!transport(false, a + i, p + i, n - i < kChunk ? n - i : kChunk)) return false;
    return true;
}

uint64_t pecos_driver::alloc(uint64_t n)
{
    const uint64_t a = next_;
    next_ = (next_ + n + 4095) & ~(uint64_t)4095;
    return a;
}

int pecos_driver::start_and_wait(const char *what, char *err, size_t errlen)
{
    wait(pending_);  // the driver's own accesses take the time the bus annotated
    pending_ = SC_ZERO_TIME;
    wr(PECOS_REG_IRQ_EN, PECOS_IRQ_DONE);
    wr(PECOS_REG_CTRL, PECOS_CTRL_START);
    while (!irq.read()) wait(irq.posedge_event());
    const uint32_t status = rd(PECOS_REG_STATUS);
    wr(PECOS_REG_IRQ_STATUS, PECOS_IRQ_DONE);
    jobs_++;
    job_cycles_ += cnt(PECOS_CNT_CYCLES);
    const unsigned e = PECOS_STATUS_ERR(status);
    if (!(status & PECOS_STATUS_DONE) || e == PECOS_ERR_NONE) {
        if (status & PECOS_STATUS_DONE) return 0;
        return pecos_fail(err, errlen, PECOS_ESIM, "%s: the accelerator interrupted without DONE",
                          what);
    }
    const int code = e == PECOS_ERR_FIT ? PECOS_EPARAM : e == PECOS_ERR_NOMEM ? PECOS_ENOMEM
                                                                              : PECOS_ESIM;
    return pecos_fail(err, errlen, code, "%s: the accelerator stopped with %s: %s", what,
                      err_name(e), accel_->last_error().c_str());
}
