// pecos_accel.cpp - the accelerator module (pecos_accel.h): registers, sequencer, DMA port.
//
// The sequencer is an SC_THREAD. A job runs the C host's array runner (host/run/array_run.c:
// tiler, DMA engine, GLB, the cycle loop) on the array verilated with --sc, whose every step
// waits for the clock; the DMA's tensor port (tensor_port_t) turns the runner's DRAM moves
// into transactions on the initiator socket. The post-processing job reads its map through
// the socket, runs device_post_exec() on the --sc unit, and writes the results back.
#include "pecos_accel.h"
#include "sc_tiling.h"

#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

extern "C" {
#include "array_run.h"
#include "device.h"
#include "layer.h"
#include "pecos_err.h"
#include "postlib.h"
#include "simlib.h"
#include "tiler.h"
}

using namespace sc_core;

namespace {

constexpr unsigned kRegWords = PECOS_REG_CNT_END / 4;

// The descriptor block's words, by register offset.
struct desc_view {
    const uint32_t *w;  // PECOS_DESC_WORDS words
    uint32_t at(unsigned off) const { return w[(off - PECOS_REG_DESC) / 4]; }
    uint64_t at64(unsigned lo) const { return at(lo) | (uint64_t)at(lo + 4) << 32; }
};

}  // namespace

struct pecos_accel::impl {
    pecos_accel *self;
    pecos_accel_cfg cfg;
    mem_cfg_t mem{};
    simlib_t *sim = nullptr;
    postlib_t *post = nullptr;
    uint32_t regs[kRegWords] = {};  // the descriptor block and the control registers
    uint64_t cnt[PECOS_CNT_N] = {};
    bool busy = false;
    uint32_t status = 0, irq_en = 0, irq_status = 0, done_count = 0;
    sc_event start_ev;
    sc_event irq_ev;  // irq_method re-evaluates the interrupt line

    // One job's tensor areas in system memory (the DMA's port): base per TENSOR_*.
    uint64_t base[TENSOR_N] = {};
    bool has_bias = false;
    bool bus_failed = false;

    // Moves n bytes between system address a and buf in bursts; false on a failed response.
    bool bus(bool write, uint64_t a, void *buf, uint64_t n)
    {
        const uint64_t chunk = mem.dram.burst ? mem.dram.burst : 64;
        uint8_t *p = static_cast<uint8_t *>(buf);
        while (n) {
            const uint64_t len = n < chunk ? n : chunk;
            tlm::tlm_generic_payload gp;
            sc_time delay = SC_ZERO_TIME;
            gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            gp.set_address(a);
            gp.set_data_ptr(p);
            gp.set_data_length((unsigned)len);
            gp.set_streaming_width((unsigned)len);
            gp.set_byte_enable_ptr(nullptr);
            gp.set_dmi_allowed(false);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            self->mem->b_transport(gp, delay);
            self->bus_delay_ += delay;
            self->bus_txns_++;
            if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
                bus_failed = true;
                self->err_ = "transaction at 0x" + hex(a) + " failed: " + gp.get_response_string();
                return false;
            }
            a += len;
            p += len;
            n -= len;
        }
        return true;
    }

    static std::string hex(uint64_t v)
    {
        char b[32];
        std::snprintf(b, sizeof b, "%llx", (unsigned long long)v);
        return b;
    }

    static int port_read(void *ctx, int tensor, uint64_t off, void *dst, uint64_t n)
    {
        impl *m = static_cast<impl *>(ctx);
        if (tensor == TENSOR_BIAS && !m->has_bias) {
            std::memset(dst, 0, n);
            return 0;
        }
        return m->bus(false, m->base[tensor] + off, dst, n) ? 0 : -1;
    }

    static int port_write(void *ctx, int tensor, uint64_t off, const void *src, uint64_t n)
    {
        impl *m = static_cast<impl *>(ctx);
        return m->bus(true, m->base[tensor] + off, const_cast<void *>(src), n) ? 0 : -1;
    }

    int fail(int code, const std::string &why)
    {
        self->err_ = why;
        return code;
    }

    int run_desc(const desc_view &d);
    int run_conv(const desc_view &d);
    int run_conv_group(const desc_view &d, const layer_t &L, int g, const tiling_t *force);
    int run_post(const desc_view &d);
    void run_jobs();
};

pecos_accel::pecos_accel(sc_module_name name, const pecos_accel_cfg &cfg)
    : sc_module(name), clk("clk"), irq("irq"), csr("csr"), mem("mem"), p_(new impl)
{
    p_->self = this;
    p_->cfg = cfg;
    mem_cfg_t &m = p_->mem;
    m.dram.bw = cfg.dram_bw;
    m.dram.latency = cfg.dram_latency;
    m.dram.burst = cfg.dram_burst ? cfg.dram_burst : 64;
    m.dram_capacity = cfg.dram_capacity;
    m.glb_total = cfg.glb_total;
    m.glb_ifmap = cfg.glb_ifmap;
    m.glb_weight = cfg.glb_weight;
    m.glb_psum = cfg.glb_psum;
    m.psum_ports = cfg.psum_ports;
    if (cfg.dtype < 0 || cfg.dtype > 2)
        throw std::runtime_error("pecos_accel: dtype " + std::to_string(cfg.dtype) + " unknown");
    char err[1024];
    const pecos_df_t df = cfg.os ? DF_OS : DF_WS;
    if (simlib_open_sc(&p_->sim, df, (pecos_dtype_t)cfg.dtype, cfg.rows, cfg.cols, &clk, stderr,
                       err, sizeof err) != 0)
        throw std::runtime_error(std::string("pecos_accel: ") + err);
    if (postlib_open_sc(&p_->post, cfg.cols, &clk, stderr, err, sizeof err) != 0) {
        simlib_close(p_->sim);
        throw std::runtime_error(std::string("pecos_accel: ") + err);
    }
    p_->regs[(PECOS_REG_FAULT_LO - 0) / 4] = 0xffffffffu;
    p_->regs[(PECOS_REG_FAULT_HI - 0) / 4] = 0xffffffffu;
    csr.register_b_transport(this, &pecos_accel::csr_b_transport);
    csr.register_transport_dbg(this, &pecos_accel::csr_transport_dbg);
    SC_HAS_PROCESS(pecos_accel);
    SC_METHOD(irq_method);
    sensitive << p_->irq_ev;
    dont_initialize();
    SC_THREAD(sequencer);
    // The C host's runner and its golden-free bookkeeping run on this thread's stack.
    set_stack_size(16 << 20);
}

pecos_accel::~pecos_accel()
{
    simlib_close(p_->sim);
    postlib_close(p_->post);
}

// The interrupt line has one driver, irq_method; the register writes (the initiator's
// thread) and the sequencer (its own thread) only tell it to look again.
void pecos_accel::irq_update() { p_->irq_ev.notify(SC_ZERO_TIME); }

void pecos_accel::irq_method() { irq.write((p_->irq_status & p_->irq_en) != 0); }

// Register reads: the identification words, control and status, the descriptor block and
// the counters.
static bool reg_read(const pecos_accel::impl &m, unsigned off, uint32_t &v)
{
    const pecos_accel_cfg &c = m.cfg;
    if (off >= PECOS_REG_CNT && off < PECOS_REG_CNT_END) {
        const uint64_t x = m.cnt[(off - PECOS_REG_CNT) / 8];
        v = (off & 4) ? (uint32_t)(x >> 32) : (uint32_t)x;
        return true;
    }
    if (off >= PECOS_REG_DESC && off < PECOS_REG_DESC_END) {
        v = m.regs[off / 4];
        return true;
    }
    switch (off) {
    case PECOS_REG_ID: v = PECOS_ACCEL_ID_VALUE; return true;
    case PECOS_REG_VERSION: v = PECOS_ACCEL_VERSION_VALUE; return true;
    case PECOS_REG_HWCFG0: v = (uint32_t)c.rows | (uint32_t)c.cols << 16; return true;
    case PECOS_REG_HWCFG1:
        v = (uint32_t)c.dtype | (c.os ? PECOS_DF_OS : PECOS_DF_WS) << 4 |
            (uint32_t)postlib_latency(m.post) << 8 | (uint32_t)postlib_lanes(m.post) << 16;
        return true;
    case PECOS_REG_GLB_KIB: v = (uint32_t)(m.mem.glb_total >> 10); return true;
    case PECOS_REG_CTRL: v = 0; return true;
    case PECOS_REG_STATUS: v = m.status | (m.busy ? PECOS_STATUS_BUSY : 0); return true;
    case PECOS_REG_IRQ_EN: v = m.irq_en; return true;
    case PECOS_REG_IRQ_STATUS: v = m.irq_status; return true;
    case PECOS_REG_QUEUE_ADDR_LO:
    case PECOS_REG_QUEUE_ADDR_HI:
    case PECOS_REG_QUEUE_LEN: v = m.regs[off / 4]; return true;
    case PECOS_REG_DONE_COUNT: v = m.done_count; return true;
    default: return false;
    }
}

void pecos_accel::csr_b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    (void)delay;  // registers answer at once
    const uint64_t a = gp.get_address();
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (gp.get_data_length() != 4 || gp.get_streaming_width() < 4) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (a % 4 || a >= PECOS_REG_CNT_END) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    impl &m = *p_;
    const unsigned off = (unsigned)a;
    uint32_t v = 0;
    if (gp.is_read()) {
        if (!reg_read(m, off, v)) {
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        std::memcpy(gp.get_data_ptr(), &v, 4);
    } else if (gp.is_write()) {
        std::memcpy(&v, gp.get_data_ptr(), 4);
        uint32_t cur;
        if (!reg_read(m, off, cur)) {
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        reg_write(off, v);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

// Register writes: the descriptor block and the queue are plain storage; CTRL.START starts
// the sequencer; IRQ_STATUS is write-one-to-clear; the rest is read-only.
void pecos_accel::reg_write(unsigned off, uint32_t v)
{
    impl &m = *p_;
    if ((off >= PECOS_REG_DESC && off < PECOS_REG_DESC_END) || off == PECOS_REG_QUEUE_ADDR_LO ||
        off == PECOS_REG_QUEUE_ADDR_HI || off == PECOS_REG_QUEUE_LEN) {
        m.regs[off / 4] = v;
        return;
    }
    switch (off) {
    case PECOS_REG_CTRL:
        if (!(v & PECOS_CTRL_START)) return;
        if (m.busy) {
            m.status |= PECOS_STATUS_OVERRUN;
            return;
        }
        m.busy = true;
        m.status = 0;
        m.done_count = 0;
        err_.clear();
        m.start_ev.notify(SC_ZERO_TIME);
        return;
    case PECOS_REG_IRQ_EN:
        m.irq_en = v & PECOS_IRQ_DONE;
        irq_update();
        return;
    case PECOS_REG_IRQ_STATUS:
        m.irq_status &= ~v;
        irq_update();
        return;
    default: return;
    }
}

// Debug reads of the registers, without side effects; debug writes are not supported.
unsigned pecos_accel::csr_transport_dbg(tlm::tlm_generic_payload &gp)
{
    const uint64_t a = gp.get_address();
    const unsigned n = gp.get_data_length();
    if (!gp.is_read() || a % 4 || n % 4) return 0;
    unsigned done = 0;
    for (; done < n && a + done < PECOS_REG_CNT_END; done += 4) {
        uint32_t v = 0;
        if (!reg_read(*p_, (unsigned)(a + done), v)) v = 0;
        std::memcpy(gp.get_data_ptr() + done, &v, 4);
    }
    return done;
}

void pecos_accel::sequencer()
{
    for (;;) {
        wait(p_->start_ev);
        p_->run_jobs();
        irq_update();
    }
}

// Runs QUEUE_LEN descriptors from memory, or the descriptor block; sets STATUS, DONE_COUNT
// and IRQ_STATUS at the end (at the first failure: its code and index).
void pecos_accel::impl::run_jobs()
{
    const uint32_t n = regs[PECOS_REG_QUEUE_LEN / 4];
    const uint64_t qa = regs[PECOS_REG_QUEUE_ADDR_LO / 4] |
                        (uint64_t)regs[PECOS_REG_QUEUE_ADDR_HI / 4] << 32;
    int code = PECOS_ERR_NONE;
    uint32_t idx = 0;
    for (; idx < (n ? n : 1); idx++) {
        uint32_t words[PECOS_DESC_WORDS];
        if (n) {
            bus_failed = false;
            if (!bus(false, qa + (uint64_t)idx * sizeof words, words, sizeof words)) {
                code = PECOS_ERR_BUS;
                break;
            }
        } else {
            std::memcpy(words, &regs[PECOS_REG_DESC / 4], sizeof words);
        }
        try {
            code = run_desc(desc_view{words});
        } catch (const std::bad_alloc &) {  // a vector for a huge map: not the simulation's end
            code = fail(PECOS_ERR_NOMEM, "descriptor " + std::to_string(idx) +
                                             ": out of host memory for its buffers");
        }
        if (code != PECOS_ERR_NONE) break;
        done_count++;
    }
    status = PECOS_STATUS_DONE | (status & PECOS_STATUS_OVERRUN) | (uint32_t)code << 8 |
             (code ? (idx & 0xffffu) << 16 : 0);
    busy = false;
    irq_status |= PECOS_IRQ_DONE;
}

int pecos_accel::impl::run_desc(const desc_view &d)
{
    std::memset(cnt, 0, sizeof cnt);
    bus_failed = false;
    switch (d.at(PECOS_REG_OP)) {
    case PECOS_OP_CONV: return run_conv(d);
    case PECOS_OP_POST: return run_post(d);
    default: return fail(PECOS_ERR_OP, "OP " + std::to_string(d.at(PECOS_REG_OP)) + " unknown");
    }
}

// The layer of an OP_CONV descriptor, and its checks against this array.
int pecos_accel::impl::run_conv(const desc_view &d)
{
    const uint32_t dt = d.at(PECOS_REG_DTYPE), df = d.at(PECOS_REG_DATAFLOW);
    if (dt != (uint32_t)cfg.dtype)
        return fail(PECOS_ERR_DTYPE, "DTYPE " + std::to_string(dt) + " on the " +
                                         pecos_dtype_name((pecos_dtype_t)cfg.dtype) + " array");
    if (df > PECOS_DF_OS || (df == PECOS_DF_OS) != cfg.os)
        return fail(PECOS_ERR_DATAFLOW, "DATAFLOW " + std::to_string(df) + " on the " +
                                            (cfg.os ? "os" : "ws") + " array");
    layer_t L{};
    std::snprintf(L.name, sizeof L.name, "job%u", done_count);
    L.type = LAYER_CONV;
    const uint32_t c = d.at(PECOS_REG_C), h = d.at(PECOS_REG_H), w = d.at(PECOS_REG_W),
                   k = d.at(PECOS_REG_K), r = d.at(PECOS_REG_R), s = d.at(PECOS_REG_S),
                   g = d.at(PECOS_REG_GROUPS);
    const uint32_t st = d.at(PECOS_REG_STRIDE), dil = d.at(PECOS_REG_DIL),
                   pad = d.at(PECOS_REG_PAD);
    const uint32_t big = 1u << 24;
    if (c >= big || h >= big || w >= big || k >= big || r >= big || s >= big || g >= big)
        return fail(PECOS_ERR_SHAPE, "a shape field is 2^24 or more");
    L.c = (int)c, L.h = (int)h, L.w = (int)w, L.k = (int)k, L.r = (int)r, L.s = (int)s;
    L.groups = (int)g;
    L.stride_h = (int)(st & 0xffff), L.stride_w = (int)(st >> 16);
    L.dil_h = (int)(dil & 0xffff), L.dil_w = (int)(dil >> 16);
    L.pad_t = (int)(pad & 0xff), L.pad_l = (int)(pad >> 8 & 0xff);
    L.pad_b = (int)(pad >> 16 & 0xff), L.pad_r = (int)(pad >> 24);
    L.pad_value = (int)(int8_t)(d.at(PECOS_REG_PAD_VALUE) & 0xff);
    char why[512];
    if (layer_check(&L, why, sizeof why) != 0 || layer_out_hw(&L, &L.p, &L.q) != 0)
        return fail(PECOS_ERR_SHAPE, why);
    if (L.pad_value != 0 && cfg.dtype != PECOS_DTYPE_INT8)
        return fail(PECOS_ERR_SHAPE, "a nonzero pad value on an fp array");
    tiling_t force{};
    const uint32_t tile = d.at(PECOS_REG_TILE);
    if (tile) {
        force.kt = (int)(tile & 0xfff);
        force.pt = (int)(tile >> 12 & 0xfff);
        force.ct = (int)d.at(PECOS_REG_TILE_CT);
        const uint32_t ord = tile >> 24 & 7;
        if (ord > 5) return fail(PECOS_ERR_FIT, "TILE order " + std::to_string(ord) + " unknown");
        std::memcpy(force.order, pecos_sc::tile_orders()[ord], sizeof force.order);
    }
    const uint64_t esz = pecos_dtype_bytes((pecos_dtype_t)cfg.dtype);
    const uint64_t in_b = (uint64_t)L.c * L.h * L.w * esz,
                   w_b = (uint64_t)L.k * (L.c / L.groups) * L.r * L.s * esz,
                   out_b = 4ull * L.k * L.p * L.q;
    const uint64_t areas[5][2] = {{d.at64(PECOS_REG_IFMAP_ADDR_LO), in_b},
                                  {d.at64(PECOS_REG_WEIGHT_ADDR_LO), w_b},
                                  {d.at64(PECOS_REG_BIAS_ADDR_LO), 4ull * L.k},
                                  {d.at64(PECOS_REG_OUT_ADDR_LO), out_b},
                                  {d.at64(PECOS_REG_TRACE_ADDR_LO), 10ull * L.k * L.p * L.q}};
    for (const auto &a : areas)
        if (a[0] + a[1] < a[0]) return fail(PECOS_ERR_ADDR, "a tensor area wraps around 2^64");
    for (int gi = 0; gi < L.groups; gi++) {
        const int rc = run_conv_group(d, L, gi, tile ? &force : nullptr);
        if (rc != PECOS_ERR_NONE) return rc;
    }
    return PECOS_ERR_NONE;
}

// Group gi of L as a layer of its own (C/G -> K/G channels, the group's slices of the
// tensors), run on the array; its counters are added into the registers.
int pecos_accel::impl::run_conv_group(const desc_view &d, const layer_t &L0, int gi,
                                      const tiling_t *force)
{
    layer_t L = L0;
    const int G = L0.groups;
    L.c /= G;
    L.k /= G;
    L.groups = 1;
    const pecos_df_t df = (pecos_df_t)d.at(PECOS_REG_DATAFLOW);
    const int esz = pecos_dtype_bytes((pecos_dtype_t)cfg.dtype);
    char err[1024];
    // The group's DRAM image against the capacity before the tiler and the per-output
    // buffers below: a huge layer is refused, not allocated (array_run_conv()'s words).
    const uint64_t need = array_dram_bytes(&L, (size_t)esz);
    if (need > mem.dram_capacity)
        return fail(PECOS_ERR_FIT, std::string("layer ") + L.name + " needs " +
                                       std::to_string(need) +
                                       " bytes of DRAM for its tensors; --dram-mib allows " +
                                       std::to_string(mem.dram_capacity));
    tiling_t tl;
    int rc = force ? tiler_force(&L, cfg.rows, cfg.cols, df, esz, &mem, force, &tl, err, sizeof err)
                   : tiler_choose(&L, cfg.rows, cfg.cols, df, esz, &mem, &tl, err, sizeof err);
    if (rc != 0) return fail(PECOS_ERR_FIT, err);
    const uint64_t pq = (uint64_t)L.p * L.q, n = (uint64_t)L.k * pq;
    base[TENSOR_IFMAP] = d.at64(PECOS_REG_IFMAP_ADDR_LO) + (uint64_t)gi * L.c * L.h * L.w * esz;
    base[TENSOR_WEIGHT] = d.at64(PECOS_REG_WEIGHT_ADDR_LO) + (uint64_t)gi * L.k * L.c * L.r * L.s * esz;
    base[TENSOR_BIAS] = d.at64(PECOS_REG_BIAS_ADDR_LO) + 4ull * gi * L.k;
    base[TENSOR_PSUM] = base[TENSOR_OUT] = d.at64(PECOS_REG_OUT_ADDR_LO) + 4 * n * gi;
    has_bias = d.at64(PECOS_REG_BIAS_ADDR_LO) != 0;
    std::vector<uint64_t> ocyc(n);
    std::vector<uint16_t> olane(n);
    const tensor_port_t port = {port_read, port_write, this};
    ws_job_t job{};
    job.layer = &L;
    job.df = df;
    job.esz = (size_t)esz;
    job.out_cycle = ocyc.data();
    job.out_lane = olane.data();
    job.fault_cycle = d.at64(PECOS_REG_FAULT_LO);
    job.tiling = &tl;
    job.mem = &mem;
    job.port = &port;
    ws_stats_t st;
    rc = array_run_conv(sim, &job, &st, err, sizeof err);
    if (rc == PECOS_ESIM) simlib_reset(sim);  // stopped midway: beats may be in flight
    if (rc == PECOS_EPARAM) return fail(PECOS_ERR_FIT, err);
    if (rc == PECOS_ENOMEM) return fail(PECOS_ERR_NOMEM, err);
    if (rc != 0) return bus_failed ? PECOS_ERR_BUS : fail(PECOS_ERR_RTL, err);
    // The counters: sums over the groups; the first group's start cycle.
    if (gi == 0) cnt[PECOS_CNT_START_CYCLE] = st.start_cycle;
    cnt[PECOS_CNT_CYCLES] += st.cycles;
    cnt[PECOS_CNT_BEATS] += st.beats;
    cnt[PECOS_CNT_WBEATS] += st.wbeats;
    cnt[PECOS_CNT_OS_BLOCKS] += st.os_blocks;
    cnt[PECOS_CNT_RTL_BEATS] += st.rtl.beats;
    cnt[PECOS_CNT_RTL_WBEATS] += st.rtl.wbeats;
    cnt[PECOS_CNT_RTL_BUSY] += st.rtl.busy;
    cnt[PECOS_CNT_SEQ_BUSY] += st.busy_pred;
    cnt[PECOS_CNT_RTL_MACS] += st.rtl.macs;
    cnt[PECOS_CNT_RTL_GATED] += st.rtl.gated;
    cnt[PECOS_CNT_SEQ_GATED] += st.gated_pred;
    for (int i = 0; i < STALL_N; i++) cnt[PECOS_CNT_STALL_COMPUTE + i] += st.stall[i];
    for (int i = 0; i < TENSOR_N; i++) {
        cnt[PECOS_CNT_DRAM_RD + i] += st.dram_rd[i];
        cnt[PECOS_CNT_DRAM_WR + i] += st.dram_wr[i];
    }
    cnt[PECOS_CNT_DRAM_BUS] += st.dram_bus;
    cnt[PECOS_CNT_DESCS] += st.descs;
    for (int i = 0; i < GLB_N; i++) {
        cnt[PECOS_CNT_GLB_RD + i] += st.glb_rd[i];
        cnt[PECOS_CNT_GLB_WR + i] += st.glb_wr[i];
        if (st.glb_bank[i] > cnt[PECOS_CNT_GLB_BANK + i]) cnt[PECOS_CNT_GLB_BANK + i] = st.glb_bank[i];
    }
    if (st.dram_bytes > cnt[PECOS_CNT_DRAM_BYTES]) cnt[PECOS_CNT_DRAM_BYTES] = st.dram_bytes;
    cnt[PECOS_CNT_TILING] = pecos_sc::tiling_word(tl);
    const uint64_t tr = d.at64(PECOS_REG_TRACE_ADDR_LO);
    if (tr) {  // group gi's outputs follow the earlier groups' in both arrays
        const uint64_t all = n * G;
        if (!bus(true, tr + 8 * n * gi, ocyc.data(), 8 * n) ||
            !bus(true, tr + 8 * all + 2 * n * gi, olane.data(), 2 * n))
            return PECOS_ERR_BUS;
    }
    return PECOS_ERR_NONE;
}

// An OP_POST descriptor: the map comes in through the socket, goes through the unit, and
// its int8 results go out.
int pecos_accel::impl::run_post(const desc_view &d)
{
    device_post_t pp{};
    std::snprintf(pp.name, sizeof pp.name, "job%u", done_count);
    const uint32_t c = d.at(PECOS_REG_C), h = d.at(PECOS_REG_H), w = d.at(PECOS_REG_W);
    if (c >= (1u << 24) || h >= (1u << 16) || w >= (1u << 16) || !c || !h || !w)
        return fail(PECOS_ERR_SHAPE, "C, H, W must be 1..2^24, 1..65535, 1..65535");
    pp.c = (int)c, pp.h = (int)h, pp.w = (int)w;
    const uint32_t fl = d.at(PECOS_REG_PP_FLAGS), pad = d.at(PECOS_REG_PAD);
    pp.rq_en = fl & PECOS_PP_RQ_EN;
    pp.relu = fl & PECOS_PP_RELU;
    const bool b_elem = fl & PECOS_PP_BIAS_ELEM;
    if (PECOS_PP_POOL(fl) > 2) return fail(PECOS_ERR_SHAPE, "pool mode 3 unknown");
    pp.pool = (device_pool_t)PECOS_PP_POOL(fl);
    pp.mult = d.at(PECOS_REG_PP_MULT);
    pp.shift = (int)d.at(PECOS_REG_PP_SHIFT);
    pp.zp = (int8_t)(d.at(PECOS_REG_PP_ZP) & 0xff);
    pp.r = (int)(d.at(PECOS_REG_R) & 0xffff);
    pp.s = (int)(d.at(PECOS_REG_S) & 0xffff);
    pp.stride = (int)(d.at(PECOS_REG_STRIDE) & 0xffff);
    pp.pad_t = (int)(pad & 0xff), pp.pad_l = (int)(pad >> 8 & 0xff);
    pp.pad_b = (int)(pad >> 16 & 0xff), pp.pad_r = (int)(pad >> 24);
    int P, Q;
    char err[1024];
    if (device_post_check(&pp, &P, &Q, err, sizeof err) != 0) return fail(PECOS_ERR_SHAPE, err);
    const uint64_t plane = (uint64_t)h * w, in_n = c * plane, out_n = (uint64_t)c * P * Q;
    const uint64_t ia = d.at64(PECOS_REG_IFMAP_ADDR_LO), ba = d.at64(PECOS_REG_BIAS_ADDR_LO),
                   oa = d.at64(PECOS_REG_OUT_ADDR_LO), tr = d.at64(PECOS_REG_TRACE_ADDR_LO);
    const uint64_t areas[4][2] = {{ia, 4 * in_n},
                                  {ba, ba ? 4 * (b_elem ? in_n : c) : 0},
                                  {oa, out_n},
                                  {tr, tr ? 8 * out_n : 0}};
    for (const auto &a : areas)
        if (a[0] + a[1] < a[0]) return fail(PECOS_ERR_ADDR, "a tensor area wraps around 2^64");
    std::vector<int32_t> in(in_n), b(ba ? (b_elem ? in_n : c) : 0);
    std::vector<int8_t> y(out_n);
    std::vector<uint64_t> ocyc(out_n);
    if (!bus(false, ia, in.data(), 4 * in_n) || (ba && !bus(false, ba, b.data(), 4 * b.size())))
        return PECOS_ERR_BUS;
    const device_post_job_t job = {&pp, P, Q, in.data(), ba ? b.data() : nullptr, b_elem,
                                   y.data(), ocyc.data()};
    device_post_res_t res{};
    cnt[PECOS_CNT_START_CYCLE] = postlib_cycle(post);
    const int rc = device_post_exec(post, &job, &res, err, sizeof err);
    if (rc == PECOS_ENOMEM) return fail(PECOS_ERR_NOMEM, err);
    if (rc != 0) return fail(PECOS_ERR_RTL, err);
    cnt[PECOS_CNT_CYCLES] = res.cycles;
    cnt[PECOS_CNT_BEATS] = res.beats;
    cnt[PECOS_CNT_GLB_RD] = res.glb_rd;
    cnt[PECOS_CNT_GLB_WR] = res.glb_wr;
    cnt[PECOS_CNT_OUTPUTS] = res.outputs;
    if (!bus(true, oa, y.data(), out_n) || (tr && !bus(true, tr, ocyc.data(), 8 * out_n)))
        return PECOS_ERR_BUS;
    return PECOS_ERR_NONE;
}
