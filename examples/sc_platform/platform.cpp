// platform.cpp - a SystemC/TLM-2.0 platform built around pecos_accel, the way a user builds
// one: only the accelerator's public headers (pecos_accel.h, pecos_accel_regs.h) and pecos's
// memory and interconnect (sc_memory.h, sc_bus.h).
//
//   clk (1 ns) --> accel.clk                       bus map
//   cpu.sock ----\                                   0x0000_0000 +256 MiB  dram
//                 +--> bus.targ   bus.init --> dram (bw 16 B/cycle, latency 100, burst 64)
//   accel.mem ---/                          \-> accel.csr  0x4000_0000 +4 KiB
//   accel.irq --> irq signal --> cpu.irq
//
// The cpu thread plays the driver: it places an int8 conv layer in memory, checks the
// identification registers, runs the conv (OP_CONV, WS), a requantize + ReLU + 2x2 max pool
// of its output (OP_POST), a queue of two descriptors (a conv in IS, then a requantize with
// a per-channel bias), and a bad descriptor (dtype 7) that must fail with PECOS_ERR_DTYPE.
// Each result is compared with the driver's own naive reference. One line per job, then
// PASS or FAIL (with the seed); exit status 0 or 1. Usage: platform [seed]
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "pecos_accel.h"
#include "pecos_accel_regs.h"
#include "sc_bus.h"
#include "sc_memory.h"

using sc_core::SC_NS;
using sc_core::sc_time;

// Tensors go to memory as the host holds them: the layouts are little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "this driver copies tensors raw");

namespace {

// --- The platform's address map and the layer -------------------------------------------
const uint64_t kDramBase = 0x0, kDramSize = 256ull << 20;
const uint64_t kCsrBase = 0x40000000, kCsrSize = 4096;
const uint64_t kIfmap = 0x00100000, kWeight = 0x00110000, kBias = 0x00120000;
const uint64_t kOut = 0x00200000, kPostOut = 0x00300000;
const uint64_t kOut2 = 0x00400000, kPostBias2 = 0x00410000, kPost2Out = 0x00500000;
const uint64_t kQueue = 0x00600000;

const int C = 8, H = 10, W = 10, K = 12, R = 3, S = 3, STRIDE = 1, PAD = 1;
const int P = (H + 2 * PAD - R) / STRIDE + 1, Q = (W + 2 * PAD - S) / STRIDE + 1;
const int POOL = 2, PSTRIDE = 2;
const int PP = (P - POOL) / PSTRIDE + 1, PQ = (Q - POOL) / PSTRIDE + 1;
// Requantization of the first OP_POST job (scale = mult * 2^-(31+shift) = 0.75 * 2^-4 = 3/64)
// and of the queued one (0.625 * 2^-4 = 5/128, with a per-channel bias). Scales with few
// significant bits make exact ties (v * scale = n + 1/2) common, so round-half-to-even is
// exercised; the data ranges below keep most results inside int8.
const uint32_t kMult = 0x60000000u, kMult2 = 0x50000000u;
const int kShift = 4, kShift2 = 4;
const int8_t kZp = -5, kZp2 = 3;
const double kIrqTimeoutMs = 10; // 10 M cycles: the jobs take thousands (no global sc_time:
                                  // it would start the kernel before sc_main)

// --- The driver's own references ---------------------------------------------------------
// Naive int32 conv: out[K,P,Q] = bias[k] + sum over c, r, s of w[k,c,r,s] * in[c, ih, iw],
// padded cells 0.
std::vector<int32_t> ref_conv(const std::vector<int8_t> &in, const std::vector<int8_t> &w,
                              const std::vector<int32_t> &bias)
{
    std::vector<int32_t> out((size_t)K * P * Q);
    for (int k = 0; k < K; k++)
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                int32_t acc = bias[k];
                for (int c = 0; c < C; c++)
                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++) {
                            const int ih = p * STRIDE - PAD + r, iw = q * STRIDE - PAD + s;
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            acc += w[((k * C + c) * R + r) * S + s] * in[(c * H + ih) * W + iw];
                        }
                out[(k * P + p) * Q + q] = acc;
            }
    return out;
}

// golden_post.h's requantization: clamp(zp + RHE(v * mult / 2^(31+shift)), -128, 127),
// RHE = round half to even (computed in sign-magnitude); ReLU: max(y, zp).
int8_t ref_requant(int32_t v, uint32_t mult, int shift, int8_t zp, bool relu)
{
    const int64_t prod = (int64_t)v * mult;
    const int n = 31 + shift;
    const uint64_t m = prod < 0 ? 0 - (uint64_t)prod : (uint64_t)prod;
    uint64_t q = m >> n;
    const uint64_t rem = m & ((1ull << n) - 1), half = 1ull << (n - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    int64_t y = zp + (prod < 0 ? -(int64_t)q : (int64_t)q);
    y = y > 127 ? 127 : y < -128 ? -128 : y;
    if (relu && y < zp) y = zp;
    return (int8_t)y;
}

// OP_POST reference on acc [C,h,w] (+ bias [C] if given): requantize (+ ReLU), then max pool
// pool x pool at stride (pool 1: none). Output [C,ph,pw].
std::vector<int8_t> ref_post(const std::vector<int32_t> &acc, const std::vector<int32_t> *bias,
                             int ch, int h, int w, uint32_t mult, int shift, int8_t zp, bool relu,
                             int pool, int stride)
{
    const int ph = (h - pool) / stride + 1, pw = (w - pool) / stride + 1;
    std::vector<int8_t> out((size_t)ch * ph * pw);
    for (int c = 0; c < ch; c++)
        for (int p = 0; p < ph; p++)
            for (int q = 0; q < pw; q++) {
                int8_t m = -128;
                for (int i = 0; i < pool; i++)
                    for (int j = 0; j < pool; j++) {
                        const int32_t v =
                            (int32_t)((uint32_t)acc[(c * h + p * stride + i) * w + q * stride + j] +
                                      (uint32_t)(bias ? (*bias)[c] : 0));
                        const int8_t y = ref_requant(v, mult, shift, zp, relu);
                        if (y > m) m = y;
                    }
                out[(c * ph + p) * pw + q] = m;
            }
    return out;
}

// --- A descriptor: the image of the register block PECOS_REG_DESC .. PECOS_REG_DESC_END ----
struct desc {
    std::array<uint32_t, PECOS_DESC_WORDS> w{};
    desc()
    {
        set(PECOS_REG_FAULT_LO, 0xffffffffu); // no fault injection (the reset value)
        set(PECOS_REG_FAULT_HI, 0xffffffffu);
    }
    void set(unsigned reg, uint32_t v) { w[(reg - PECOS_REG_DESC) / 4] = v; }
    void set64(unsigned reg_lo, uint64_t v)
    {
        set(reg_lo, (uint32_t)v);
        set(reg_lo + 4, (uint32_t)(v >> 32));
    }
};

desc conv_desc(uint32_t dataflow, uint64_t out)
{
    desc d;
    d.set(PECOS_REG_OP, PECOS_OP_CONV);
    d.set(PECOS_REG_DTYPE, PECOS_DTYPE_INT8);
    d.set(PECOS_REG_DATAFLOW, dataflow);
    d.set(PECOS_REG_C, C), d.set(PECOS_REG_H, H), d.set(PECOS_REG_W, W);
    d.set(PECOS_REG_K, K), d.set(PECOS_REG_R, R), d.set(PECOS_REG_S, S);
    d.set(PECOS_REG_STRIDE, STRIDE | STRIDE << 16);
    d.set(PECOS_REG_DIL, 1 | 1 << 16);
    d.set(PECOS_REG_PAD, PAD | PAD << 8 | PAD << 16 | (uint32_t)PAD << 24);
    d.set(PECOS_REG_PAD_VALUE, 0);
    d.set(PECOS_REG_GROUPS, 1);
    d.set64(PECOS_REG_IFMAP_ADDR_LO, kIfmap);
    d.set64(PECOS_REG_WEIGHT_ADDR_LO, kWeight);
    d.set64(PECOS_REG_BIAS_ADDR_LO, kBias);
    d.set64(PECOS_REG_OUT_ADDR_LO, out);
    d.set64(PECOS_REG_TRACE_ADDR_LO, 0); // no trace
    d.set(PECOS_REG_TILE, 0); // the tiler chooses
    d.set(PECOS_REG_TILE_CT, 0);
    return d;
}

// OP_POST over the conv's output [K,P,Q] int32 at in: requantize, optionally ReLU and a
// max pool (pool x pool, stride).
desc post_desc(uint64_t in, uint64_t bias, uint64_t out, uint32_t mult, int shift, int8_t zp,
               bool relu, int pool, int stride)
{
    desc d;
    d.set(PECOS_REG_OP, PECOS_OP_POST);
    d.set(PECOS_REG_DTYPE, PECOS_DTYPE_INT8);
    d.set(PECOS_REG_DATAFLOW, PECOS_DF_WS);
    d.set(PECOS_REG_C, K), d.set(PECOS_REG_H, P), d.set(PECOS_REG_W, Q);
    d.set(PECOS_REG_R, pool), d.set(PECOS_REG_S, pool);
    d.set(PECOS_REG_STRIDE, (uint32_t)stride);
    d.set(PECOS_REG_PAD, 0); // the pooling window's padding
    d.set64(PECOS_REG_IFMAP_ADDR_LO, in);
    d.set64(PECOS_REG_BIAS_ADDR_LO, bias); // 0: none; else per channel [C] int32
    d.set64(PECOS_REG_OUT_ADDR_LO, out);
    d.set(PECOS_REG_PP_FLAGS, PECOS_PP_RQ_EN | (relu ? PECOS_PP_RELU : 0) |
                                  (pool > 1 ? 1u << 4 : 0u)); // [5:4] = 1: max
    d.set(PECOS_REG_PP_MULT, mult);
    d.set(PECOS_REG_PP_SHIFT, (uint32_t)shift);
    d.set(PECOS_REG_PP_ZP, (uint32_t)(int32_t)zp); // sign-extended
    return d;
}

// --- The CPU: an initiator that plays the driver ------------------------------------------
struct cpu : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<cpu> sock;
    sc_core::sc_in<bool> irq;
    pecos_accel *accel = nullptr;
    pecos_dram *dram = nullptr;
    sc_time period;
    uint64_t seed = 1;
    bool failed = false, finished = false;

    SC_HAS_PROCESS(cpu);
    cpu(sc_core::sc_module_name n, sc_time clk_period)
        : sc_module(n), sock("sock"), irq("irq"), period(clk_period)
    {
        SC_THREAD(driver);
    }

    bool fail(const std::string &what)
    {
        if (!failed)
            std::printf("FAIL: %s (seed %llu, cycle %llu)\n", what.c_str(),
                        (unsigned long long)seed, (unsigned long long)now_cycle());
        failed = true;
        return false;
    }
    uint64_t now_cycle() const { return sc_core::sc_time_stamp() / period; }

    // One b_transport of n bytes at addr; waits for the annotated delay (the CPU is loosely
    // timed but keeps no local time offset).
    bool xfer(tlm::tlm_command cmd, uint64_t addr, void *p, unsigned n)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char *>(p));
        gp.set_data_length(n);
        gp.set_streaming_width(n);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = sc_core::SC_ZERO_TIME;
        sock->b_transport(gp, delay);
        if (gp.is_response_error()) {
            char m[160];
            std::snprintf(m, sizeof m, "%s of %u bytes at 0x%llx: %s",
                          cmd == tlm::TLM_READ_COMMAND ? "read" : "write", n,
                          (unsigned long long)addr, gp.get_response_string().c_str());
            return fail(m);
        }
        wait(delay);
        return true;
    }
    bool write_mem(uint64_t addr, const void *p, size_t n)
    {
        return xfer(tlm::TLM_WRITE_COMMAND, addr, const_cast<void *>(p), (unsigned)n);
    }
    bool read_mem(uint64_t addr, void *p, size_t n)
    {
        return xfer(tlm::TLM_READ_COMMAND, addr, p, (unsigned)n);
    }
    // Registers (little-endian 32-bit words).
    bool wr(unsigned reg, uint32_t v)
    {
        unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                              (unsigned char)(v >> 24)};
        return xfer(tlm::TLM_WRITE_COMMAND, kCsrBase + reg, b, 4);
    }
    uint32_t rd(unsigned reg)
    {
        unsigned char b[4] = {};
        xfer(tlm::TLM_READ_COMMAND, kCsrBase + reg, b, 4);
        return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    }
    uint64_t rd64(unsigned reg_lo) { return rd(reg_lo) | (uint64_t)rd(reg_lo + 4) << 32; }
    bool expect_reg(const char *name, unsigned reg, uint32_t mask, uint32_t want)
    {
        const uint32_t v = rd(reg);
        if (failed) return false;
        if ((v & mask) == want) return true;
        char m[160];
        std::snprintf(m, sizeof m, "%s (0x%03x) = 0x%08x, expected 0x%08x under mask 0x%08x", name,
                      reg, v, want, mask);
        return fail(m);
    }

    // Writes d into the descriptor registers.
    bool program(const desc &d)
    {
        for (unsigned i = 0; i < PECOS_DESC_WORDS; i++)
            if (!wr(PECOS_REG_DESC + 4 * i, d.w[i])) return false;
        return true;
    }
    // Writes START and waits for the interrupt; returns STATUS (and fails on a timeout).
    bool start_and_wait(const char *job, uint32_t *status)
    {
        // The line must be low before START (the previous job's interrupt was cleared).
        for (int i = 0; irq.read() && i < 16; i++)
            wait(period);
        if (irq.read())
            return fail(std::string(job) + ": the interrupt is still high before START");
        if (!wr(PECOS_REG_CTRL, PECOS_CTRL_START)) return false;
        if (!irq.read()) wait(sc_time(kIrqTimeoutMs, sc_core::SC_MS), irq.posedge_event());
        if (!irq.read()) {
            char m[160];
            std::snprintf(m, sizeof m, "%s: no interrupt within %g ms (STATUS 0x%08x)", job,
                          kIrqTimeoutMs, rd(PECOS_REG_STATUS));
            return fail(m);
        }
        *status = rd(PECOS_REG_STATUS);
        return !failed;
    }
    // Clears the interrupt (IRQ_STATUS is write-1-to-clear) and checks it reads back 0.
    bool clear_irq()
    {
        return wr(PECOS_REG_IRQ_STATUS, PECOS_IRQ_DONE) &&
               expect_reg("IRQ_STATUS after W1C", PECOS_REG_IRQ_STATUS, PECOS_IRQ_DONE, 0);
    }
    bool expect_ok_status(const char *job, uint32_t st)
    {
        if ((st & PECOS_STATUS_DONE) && !(st & PECOS_STATUS_BUSY) && PECOS_STATUS_ERR(st) == 0)
            return true;
        char m[240];
        std::snprintf(m, sizeof m,
                      "%s: STATUS 0x%08x (DONE %u BUSY %u ERR %u at descriptor %u): %s", job, st,
                      !!(st & PECOS_STATUS_DONE), st & PECOS_STATUS_BUSY, PECOS_STATUS_ERR(st),
                      PECOS_STATUS_ERR_INDEX(st), accel->last_error().c_str());
        return fail(m);
    }
    void job_line(const char *job)
    {
        std::printf("job %-50s cycles %8llu  (sim time %s)\n", job,
                    (unsigned long long)rd64(PECOS_CNT(PECOS_CNT_CYCLES)),
                    sc_core::sc_time_stamp().to_string().c_str());
    }
    template <typename T>
    bool compare(const char *what, const std::vector<T> &got, const std::vector<T> &want, int h,
                 int w)
    {
        for (size_t i = 0; i < want.size(); i++)
            if (got[i] != want[i]) {
                char m[200];
                std::snprintf(m, sizeof m,
                              "%s: first mismatch at [%d,%d,%d] (#%zu): expected %lld, got %lld",
                              what, (int)(i / (h * w)), (int)(i / w % h), (int)(i % w), i,
                              (long long)want[i], (long long)got[i]);
                return fail(m);
            }
        return true;
    }

    bool run_all();
    void driver()
    {
        if (run_all()) finished = true;
        sc_core::sc_stop();
    }
};

bool cpu::run_all()
{
    // The layer, from the seed.
    std::mt19937_64 rng(seed);
    std::vector<int8_t> in((size_t)C * H * W), w((size_t)K * C * R * S);
    std::vector<int32_t> bias(K), pbias(K);
    for (auto &v : in)
        v = (int8_t)((int)(rng() % 64) - 32); // -32..31
    for (auto &v : w)
        v = (int8_t)((int)(rng() % 16) - 8); // -8..7
    for (auto &v : bias)
        v = (int32_t)(rng() % 2001) - 1000; // -1000..1000
    for (auto &v : pbias)
        v = (int32_t)(rng() % 401) - 200;
    if (!write_mem(kIfmap, in.data(), in.size()) || !write_mem(kWeight, w.data(), w.size()) ||
        !write_mem(kBias, bias.data(), bias.size() * 4) ||
        !write_mem(kPostBias2, pbias.data(), pbias.size() * 4))
        return false;
    const std::vector<int32_t> conv_ref = ref_conv(in, w, bias);
    const std::vector<int8_t> post_ref =
        ref_post(conv_ref, nullptr, K, P, Q, kMult, kShift, kZp, true, POOL, PSTRIDE);
    const std::vector<int8_t> post2_ref =
        ref_post(conv_ref, &pbias, K, P, Q, kMult2, kShift2, kZp2, false, 1, 1);

    // Identification: what was built is what we configured.
    const uint32_t hw1 = rd(PECOS_REG_HWCFG1);
    if (!expect_reg("ID", PECOS_REG_ID, ~0u, PECOS_ACCEL_ID_VALUE) ||
        !expect_reg("VERSION", PECOS_REG_VERSION, ~0u, PECOS_ACCEL_VERSION_VALUE) ||
        !expect_reg("HWCFG0 (rows, cols)", PECOS_REG_HWCFG0, ~0u, 4u | 4u << 16) ||
        !expect_reg("HWCFG1 (dtype, array)", PECOS_REG_HWCFG1, 0xffu, PECOS_DTYPE_INT8 | 0u << 4) ||
        !expect_reg("GLB_KIB", PECOS_REG_GLB_KIB, ~0u, 256) ||
        !expect_reg("STATUS (idle)", PECOS_REG_STATUS, PECOS_STATUS_BUSY, 0))
        return false;
    std::printf("pecos_accel: id 0x%08x, 4x4 ws int8, PPU %u lanes, latency %u, GLB 256 KiB\n",
                PECOS_ACCEL_ID_VALUE, hw1 >> 16, (hw1 >> 8) & 0xff);
    if (!wr(PECOS_REG_IRQ_EN, PECOS_IRQ_DONE) || !wr(PECOS_REG_QUEUE_LEN, 0)) return false;

    // Job 1: the conv (WS).
    uint32_t st;
    if (!program(conv_desc(PECOS_DF_WS, kOut)) || !start_and_wait("conv", &st) ||
        !expect_ok_status("conv", st))
        return false;
    job_line("1 conv 8x10x10 * 12x8x3x3 pad 1 -> int32 (WS)");
    if (!clear_irq()) return false;
    std::vector<int32_t> out((size_t)K * P * Q);
    if (!read_mem(kOut, out.data(), out.size() * 4) ||
        !compare("conv output [K,P,Q]", out, conv_ref, P, Q))
        return false;

    // Job 2: requantize + ReLU + 2x2 max pool of that output.
    if (!program(post_desc(kOut, 0, kPostOut, kMult, kShift, kZp, true, POOL, PSTRIDE)) ||
        !start_and_wait("post", &st) || !expect_ok_status("post", st))
        return false;
    job_line("2 post 12x10x10 int32 rq+relu+maxpool 2/2 -> int8");
    if (!clear_irq()) return false;
    std::vector<int8_t> pout((size_t)K * PP * PQ);
    if (!read_mem(kPostOut, pout.data(), pout.size()) ||
        !compare("post output [C,P,Q]", pout, post_ref, PP, PQ))
        return false;

    // Jobs 3-4: a queue of two descriptors (the conv in IS, then a requantization of its
    // output with a per-channel bias); one interrupt after both.
    const desc q[2] = {conv_desc(PECOS_DF_IS, kOut2),
                       post_desc(kOut2, kPostBias2, kPost2Out, kMult2, kShift2, kZp2, false, 1, 1)};
    std::vector<unsigned char> img;
    for (const desc &d : q)
        for (uint32_t v : d.w)
            for (int b = 0; b < 4; b++)
                img.push_back((unsigned char)(v >> 8 * b));
    if (!write_mem(kQueue, img.data(), img.size()) ||
        !wr(PECOS_REG_QUEUE_ADDR_LO, (uint32_t)kQueue) ||
        !wr(PECOS_REG_QUEUE_ADDR_HI, (uint32_t)(kQueue >> 32)) || !wr(PECOS_REG_QUEUE_LEN, 2) ||
        !start_and_wait("queue", &st) || !expect_ok_status("queue", st) ||
        !expect_reg("DONE_COUNT after the queue", PECOS_REG_DONE_COUNT, ~0u, 2))
        return false;
    job_line("3-4 queue: conv (IS) + post rq+bias -> int8");
    if (!clear_irq()) return false;
    std::vector<int32_t> out2((size_t)K * P * Q);
    std::vector<int8_t> p2out((size_t)K * P * Q);
    if (!read_mem(kOut2, out2.data(), out2.size() * 4) ||
        !compare("queued conv output (IS)", out2, conv_ref, P, Q) ||
        !read_mem(kPost2Out, p2out.data(), p2out.size()) ||
        !compare("queued post output", p2out, post2_ref, P, Q))
        return false;

    // Job 5: a bad descriptor (dtype 7) must fail with ERR_DTYPE and still interrupt.
    desc bad = conv_desc(PECOS_DF_WS, kOut);
    bad.set(PECOS_REG_DTYPE, 7);
    if (!wr(PECOS_REG_QUEUE_LEN, 0) || !program(bad) || !start_and_wait("bad descriptor", &st))
        return false;
    if (PECOS_STATUS_ERR(st) != PECOS_ERR_DTYPE || (st & PECOS_STATUS_BUSY)) {
        char m[120];
        std::snprintf(m, sizeof m,
                      "bad descriptor (dtype 7): STATUS 0x%08x, ERR %u, expected ERR %d", st,
                      PECOS_STATUS_ERR(st), PECOS_ERR_DTYPE);
        return fail(m);
    }
    std::printf("job %-50s ERR %u (%s)\n", "5 bad descriptor (dtype 7)", PECOS_STATUS_ERR(st),
                accel->last_error().c_str());
    if (!clear_irq()) return false;

    std::printf("bus: %llu accelerator transactions, annotated delay %s; dram: %llu B read, "
                "%llu B written, %llu transactions\n",
                (unsigned long long)accel->bus_transactions(),
                accel->bus_delay().to_string().c_str(), (unsigned long long)dram->bytes_read(),
                (unsigned long long)dram->bytes_written(),
                (unsigned long long)dram->transactions());
    return true;
}

} // namespace

int sc_main(int argc, char *argv[])
{
    const uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
    const sc_time period(1, SC_NS);

    pecos_accel_cfg cfg;
    cfg.rows = 4, cfg.cols = 4;
    cfg.dtype = PECOS_DTYPE_INT8;
    cfg.os = false; // ws array: WS and IS
    cfg.dram_bw = 16, cfg.dram_latency = 100, cfg.dram_burst = 64;
    cfg.dram_capacity = kDramSize;
    cfg.glb_total = 256 << 10;

    sc_core::sc_clock clk("clk", period);
    sc_core::sc_signal<bool> irq("irq");
    cpu cpu0("cpu", period);
    pecos_bus bus("bus");
    pecos_dram dram("dram", kDramSize, 16, 100, 64, period);
    std::unique_ptr<pecos_accel> accel;
    try {
        accel.reset(new pecos_accel("accel", cfg));
    } catch (const std::exception &e) {
        std::printf("FAIL: pecos_accel: %s (seed %llu)\n", e.what(), (unsigned long long)seed);
        return 1;
    }

    cpu0.seed = seed;
    cpu0.accel = accel.get();
    cpu0.dram = &dram;
    cpu0.irq(irq);
    accel->clk(clk);
    accel->irq(irq);
    cpu0.sock.bind(bus.targ);
    accel->mem.bind(bus.targ);
    bus.init.bind(dram.socket); // target 0
    bus.init.bind(accel->csr); // target 1
    bus.map(0, kDramBase, kDramSize);
    bus.map(1, kCsrBase, kCsrSize);

    sc_core::sc_start();
    if (cpu0.failed) return 1;
    if (!cpu0.finished) {
        std::printf("FAIL: the driver did not finish (seed %llu)\n", (unsigned long long)seed);
        return 1;
    }
    std::printf("PASS: sc_platform, 5 jobs, %llu cycles (seed %llu)\n",
                (unsigned long long)(sc_core::sc_time_stamp() / period), (unsigned long long)seed);
    return 0;
}
