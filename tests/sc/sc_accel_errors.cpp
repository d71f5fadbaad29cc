// sc_accel_errors.cpp - the contract of pecos_accel (sim/sc/pecos_accel.h, pecos_accel_regs.h)
// as a driver sees it: every bad descriptor ends in STATUS.DONE with its PECOS_ERR_* code and
// an interrupt, and a good job runs after it (the module never stops the simulation); the
// register map's access rules; the interrupt mask; the counters and the trace; grouped convs;
// the post-processing modes; the fp array. One case per run, each its own CTest test
// (sc.accel.<case>, tests/sc.cmake). Prints one PASS or FAIL line; exit status 0 or 1.
//
// Usage: sc_accel_errors CASE [SEED]
//
//   clk (1 ns) --> accel.clk                       bus map
//   cpu.sock ----\                                   0x0000_0000 +256 MiB  dram
//                 +--> bus.targ   bus.init --> dram (bw 16 B/cycle, latency 100, burst 64)
//   accel.mem ---/                          \-> accel.csr  0x4000_0000 +4 KiB
//   accel.irq --> irq signal --> cpu.irq
//
// The accelerator is 4x4 ws int8 (GLB 256 KiB, DRAM bw 16, latency 100, 256 MiB) except in
// no_fit (dram_capacity 1 MiB) and fp_array (bf16). Every result is compared with the
// driver's own naive reference.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
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

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "this driver copies tensors raw");

namespace {

// --- The platform's address map -------------------------------------------------------------
const uint64_t kDramBase = 0x0, kDramSize = 256ull << 20;
const uint64_t kCsrBase = 0x40000000, kCsrSize = 4096;
const uint64_t kIfmap = 0x00100000, kWeight = 0x00140000, kBias = 0x00180000;
const uint64_t kOut = 0x00200000, kTrace = 0x00280000, kOut2 = 0x00300000;
const uint64_t kPostIn = 0x00400000, kPostBias = 0x00440000, kPostOut = 0x00480000;
const uint64_t kQueue = 0x00600000;
const uint64_t kUnmapped = 0x80000000; // past the DRAM, in no range of the bus
const int kRows = 4, kCols = 4;
const double kIrqTimeoutMs = 10; // 10 M cycles; the jobs here take thousands

// --- Layers and their naive references --------------------------------------------------------
struct shape {
    int c, h, w, k, r, s, stride, pad, groups;
    int p() const { return (h + 2 * pad - r) / stride + 1; }
    int q() const { return (w + 2 * pad - s) / stride + 1; }
    size_t in_n() const { return (size_t)c * h * w; }
    size_t w_n() const { return (size_t)k * (c / groups) * r * s; }
    size_t out_n() const { return (size_t)k * p() * q(); }
};

// The small layer every case runs after its bad descriptors.
const shape kGood = {4, 6, 6, 8, 3, 3, 1, 1, 1};

// Naive grouped int32 conv: out[k,p,q] = bias[k] + sum over the group's channels c, r, s of
// w[k, c - g*C/G, r, s] * in[c, ih, iw]; padded cells 0.
std::vector<int32_t> ref_conv(const shape &L, const std::vector<int> &in, const std::vector<int> &w,
                              const std::vector<int32_t> &bias)
{
    const int P = L.p(), Q = L.q(), cg = L.c / L.groups, kg = L.k / L.groups;
    std::vector<int32_t> out(L.out_n());
    for (int k = 0; k < L.k; k++)
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                int32_t acc = bias.empty() ? 0 : bias[k];
                const int g = k / kg;
                for (int ci = 0; ci < cg; ci++)
                    for (int r = 0; r < L.r; r++)
                        for (int s = 0; s < L.s; s++) {
                            const int ih = p * L.stride - L.pad + r, iw = q * L.stride - L.pad + s;
                            if (ih < 0 || ih >= L.h || iw < 0 || iw >= L.w) continue;
                            const int c = g * cg + ci;
                            acc += w[((size_t)(k * cg + ci) * L.r + r) * L.s + s] *
                                   in[((size_t)c * L.h + ih) * L.w + iw];
                        }
                out[((size_t)k * P + p) * Q + q] = acc;
            }
    return out;
}

// golden_post.c's arithmetic: RHE(x / 2^n) and RHE(num / den), in sign-magnitude.
int64_t rshift_rhe(int64_t x, int n)
{
    if (n == 0) return x;
    const uint64_t m = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    uint64_t q = m >> n;
    const uint64_t rem = m & ((1ull << n) - 1), half = 1ull << (n - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return x < 0 ? -(int64_t)q : (int64_t)q;
}
int64_t div_rhe(int64_t num, int64_t den)
{
    const int64_t m = num < 0 ? -num : num;
    int64_t q = m / den;
    const int64_t r = m % den;
    if (2 * r > den || (2 * r == den && (q & 1))) q++;
    return num < 0 ? -q : q;
}
int8_t clamp8(int64_t x)
{
    return (int8_t)(x > 127 ? 127 : x < -128 ? -128 : x);
}

// An OP_POST job's parameters.
struct post_job {
    int c, h, w;
    uint32_t flags; // PP_FLAGS
    uint32_t mult;
    int shift;
    int8_t zp;
    int r, s, stride, pad_t, pad_l, pad_b, pad_r;
    bool bias; // a bias at kPostBias (per channel, or per element with BIAS_ELEM)
    int pool() const { return (int)PECOS_PP_POOL(flags); }
    int p() const { return pool() ? (h + pad_t + pad_b - r) / stride + 1 : h; }
    int q() const { return pool() ? (w + pad_l + pad_r - s) / stride + 1 : w; }
};

// The unit's contract (models/golden_post.h): v = in + b (wrapping); rq ? clamp(zp +
// RHE(v * mult / 2^(31+shift))) : clamp(v); relu: max(y, zp); then pooling over the real
// cells of each window: none, max, or avg = clamp(RHE(sum / count)).
std::vector<int8_t> ref_post(const post_job &j, const std::vector<int32_t> &in,
                             const std::vector<int32_t> &b)
{
    const bool elem = j.flags & PECOS_PP_BIAS_ELEM;
    std::vector<int8_t> y(in.size());
    for (size_t i = 0; i < in.size(); i++) {
        const size_t ch = i / ((size_t)j.h * j.w);
        const uint32_t bv = b.empty() ? 0 : (uint32_t)(elem ? b[i] : b[ch]);
        const int32_t v = (int32_t)((uint32_t)in[i] + bv);
        int8_t o = (j.flags & PECOS_PP_RQ_EN)
                       ? clamp8((int64_t)j.zp + rshift_rhe((int64_t)v * j.mult, 31 + j.shift))
                       : clamp8(v);
        if ((j.flags & PECOS_PP_RELU) && o < j.zp) o = j.zp;
        y[i] = o;
    }
    if (!j.pool()) return y;
    const int P = j.p(), Q = j.q();
    std::vector<int8_t> out((size_t)j.c * P * Q);
    for (int c = 0; c < j.c; c++)
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                int n = 0, m = -128;
                int64_t sum = 0;
                for (int i = 0; i < j.r; i++)
                    for (int k = 0; k < j.s; k++) {
                        const int ih = p * j.stride - j.pad_t + i, iw = q * j.stride - j.pad_l + k;
                        if (ih < 0 || ih >= j.h || iw < 0 || iw >= j.w) continue;
                        const int8_t v = y[((size_t)c * j.h + ih) * j.w + iw];
                        n++;
                        sum += v;
                        if (v > m) m = v;
                    }
                out[((size_t)c * P + p) * Q + q] =
                    j.pool() == 1 ? (int8_t)m : clamp8(div_rhe(sum, n));
            }
    return out;
}

// bf16 and fp32 bit patterns of small integers (exact).
uint16_t bf16_of(int v)
{
    const float f = (float)v;
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return (uint16_t)(u >> 16);
}
uint32_t f32_bits(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

// --- A descriptor: the image of the register block ------------------------------------------
struct desc {
    std::array<uint32_t, PECOS_DESC_WORDS> w{};
    desc()
    {
        set(PECOS_REG_FAULT_LO, 0xffffffffu);
        set(PECOS_REG_FAULT_HI, 0xffffffffu);
    }
    void set(unsigned reg, uint32_t v) { w[(reg - PECOS_REG_DESC) / 4] = v; }
    void set64(unsigned reg_lo, uint64_t v)
    {
        set(reg_lo, (uint32_t)v);
        set(reg_lo + 4, (uint32_t)(v >> 32));
    }
};

desc conv_desc(const shape &L, uint32_t dtype, uint64_t out, uint64_t bias = kBias)
{
    desc d;
    d.set(PECOS_REG_OP, PECOS_OP_CONV);
    d.set(PECOS_REG_DTYPE, dtype);
    d.set(PECOS_REG_DATAFLOW, PECOS_DF_WS);
    d.set(PECOS_REG_C, (uint32_t)L.c), d.set(PECOS_REG_H, (uint32_t)L.h);
    d.set(PECOS_REG_W, (uint32_t)L.w), d.set(PECOS_REG_K, (uint32_t)L.k);
    d.set(PECOS_REG_R, (uint32_t)L.r), d.set(PECOS_REG_S, (uint32_t)L.s);
    d.set(PECOS_REG_STRIDE, (uint32_t)L.stride | (uint32_t)L.stride << 16);
    d.set(PECOS_REG_DIL, 1 | 1 << 16);
    const uint32_t pd = (uint32_t)L.pad;
    d.set(PECOS_REG_PAD, pd | pd << 8 | pd << 16 | pd << 24);
    d.set(PECOS_REG_GROUPS, (uint32_t)L.groups);
    d.set64(PECOS_REG_IFMAP_ADDR_LO, kIfmap);
    d.set64(PECOS_REG_WEIGHT_ADDR_LO, kWeight);
    d.set64(PECOS_REG_BIAS_ADDR_LO, bias);
    d.set64(PECOS_REG_OUT_ADDR_LO, out);
    return d;
}

desc post_desc(const post_job &j)
{
    desc d;
    d.set(PECOS_REG_OP, PECOS_OP_POST);
    d.set(PECOS_REG_C, (uint32_t)j.c), d.set(PECOS_REG_H, (uint32_t)j.h);
    d.set(PECOS_REG_W, (uint32_t)j.w);
    d.set(PECOS_REG_R, (uint32_t)j.r), d.set(PECOS_REG_S, (uint32_t)j.s);
    d.set(PECOS_REG_STRIDE, (uint32_t)j.stride);
    d.set(PECOS_REG_PAD, (uint32_t)j.pad_t | (uint32_t)j.pad_l << 8 | (uint32_t)j.pad_b << 16 |
                             (uint32_t)j.pad_r << 24);
    d.set64(PECOS_REG_IFMAP_ADDR_LO, kPostIn);
    d.set64(PECOS_REG_BIAS_ADDR_LO, j.bias ? kPostBias : 0);
    d.set64(PECOS_REG_OUT_ADDR_LO, kPostOut);
    d.set(PECOS_REG_PP_FLAGS, j.flags);
    d.set(PECOS_REG_PP_MULT, j.mult);
    d.set(PECOS_REG_PP_SHIFT, (uint32_t)j.shift);
    d.set(PECOS_REG_PP_ZP, (uint32_t)(int32_t)j.zp);
    return d;
}

// A plain OP_POST (requantize, no pool) over a small map: the base of the bad OP_POST cases.
const post_job kPost = {6, 5, 5, PECOS_PP_RQ_EN, 0x60000000u, 4, -3, 1, 1, 1, 0, 0, 0, 0, false};

std::vector<unsigned char> image(const std::vector<desc> &q)
{
    std::vector<unsigned char> img;
    for (const desc &d : q)
        for (uint32_t v : d.w)
            for (int b = 0; b < 4; b++)
                img.push_back((unsigned char)(v >> 8 * b));
    return img;
}

const char *resp_name(tlm::tlm_response_status s)
{
    switch (s) {
    case tlm::TLM_OK_RESPONSE: return "OK";
    case tlm::TLM_INCOMPLETE_RESPONSE: return "INCOMPLETE";
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return "GENERIC_ERROR";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "ADDRESS_ERROR";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "COMMAND_ERROR";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "BURST_ERROR";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "BYTE_ENABLE_ERROR";
    }
    return "?";
}

// --- The CPU: an initiator that plays the driver and runs one case -------------------------------
struct cpu : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<cpu> sock;
    sc_core::sc_in<bool> irq;
    pecos_accel *accel = nullptr;
    pecos_dram *dram = nullptr;
    sc_time period;
    std::string name_;
    uint64_t seed = 1;
    uint32_t dtype = PECOS_DTYPE_INT8; // the array's
    std::mt19937_64 rng;
    bool failed = false, finished = false;
    int good_runs = 0;

    SC_HAS_PROCESS(cpu);
    cpu(sc_core::sc_module_name n, sc_time clk_period)
        : sc_module(n), sock("sock"), irq("irq"), period(clk_period)
    {
        SC_THREAD(driver);
    }

    bool fail(const std::string &what)
    {
        if (!failed)
            std::printf("FAIL: sc.accel.%s: %s (seed %llu, cycle %llu; re-run: sc_accel_errors %s "
                        "%llu)\n",
                        name_.c_str(), what.c_str(), (unsigned long long)seed,
                        (unsigned long long)now_cycle(), name_.c_str(), (unsigned long long)seed);
        failed = true;
        return false;
    }
    bool expect(const std::string &what, uint64_t got, uint64_t want)
    {
        if (got == want) return true;
        char m[96];
        std::snprintf(m, sizeof m, ": got %llu (0x%llx), expected %llu (0x%llx)",
                      (unsigned long long)got, (unsigned long long)got, (unsigned long long)want,
                      (unsigned long long)want);
        return fail(what + m);
    }
    bool check(const std::string &what, bool ok) { return ok || fail(what); }
    uint64_t now_cycle() const { return sc_core::sc_time_stamp() / period; }

    // One b_transport; returns its response (no failure recorded). be: byte enables or null.
    tlm::tlm_response_status raw(tlm::tlm_command cmd, uint64_t addr, void *p, unsigned n,
                                 unsigned width, unsigned char *be = nullptr, unsigned be_n = 0)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char *>(p));
        gp.set_data_length(n);
        gp.set_streaming_width(width);
        gp.set_byte_enable_ptr(be);
        gp.set_byte_enable_length(be_n);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = sc_core::SC_ZERO_TIME;
        sock->b_transport(gp, delay);
        wait(delay);
        return gp.get_response_status();
    }
    bool xfer(tlm::tlm_command cmd, uint64_t addr, void *p, size_t n)
    {
        const tlm::tlm_response_status s = raw(cmd, addr, p, (unsigned)n, (unsigned)n);
        if (s == tlm::TLM_OK_RESPONSE) return true;
        char m[160];
        std::snprintf(m, sizeof m, "%s of %zu bytes at 0x%llx: %s",
                      cmd == tlm::TLM_READ_COMMAND ? "read" : "write", n, (unsigned long long)addr,
                      resp_name(s));
        return fail(m);
    }
    bool write_mem(uint64_t a, const void *p, size_t n)
    {
        return xfer(tlm::TLM_WRITE_COMMAND, a, const_cast<void *>(p), n);
    }
    bool read_mem(uint64_t a, void *p, size_t n) { return xfer(tlm::TLM_READ_COMMAND, a, p, n); }
    bool wr(unsigned reg, uint32_t v)
    {
        return xfer(tlm::TLM_WRITE_COMMAND, kCsrBase + reg, &v, 4);
    }
    uint32_t rd(unsigned reg)
    {
        uint32_t v = 0;
        xfer(tlm::TLM_READ_COMMAND, kCsrBase + reg, &v, 4);
        return v;
    }
    uint64_t cnt(int i) { return rd(PECOS_CNT(i)) | (uint64_t)rd(PECOS_CNT(i) + 4) << 32; }
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
    // Waits up to n periods for the interrupt line to reach level.
    bool line_becomes(bool level, int n = 4)
    {
        for (int i = 0; irq.read() != level && i < n; i++)
            wait(period);
        return irq.read() == level;
    }

    bool program(const desc &d)
    {
        for (unsigned i = 0; i < PECOS_DESC_WORDS; i++)
            if (!wr(PECOS_REG_DESC + 4 * i, d.w[i])) return false;
        return true;
    }
    // Writes START and waits for the interrupt; returns STATUS in *status.
    bool start_and_wait(const std::string &job, uint32_t *status)
    {
        if (!line_becomes(false, 16))
            return fail(job + ": the interrupt is still high before START");
        if (!wr(PECOS_REG_CTRL, PECOS_CTRL_START)) return false;
        if (!irq.read()) wait(sc_time(kIrqTimeoutMs, sc_core::SC_MS), irq.posedge_event());
        if (!irq.read()) {
            char m[160];
            std::snprintf(m, sizeof m, ": no interrupt within %g ms (STATUS 0x%08x)", kIrqTimeoutMs,
                          rd(PECOS_REG_STATUS));
            return fail(job + m);
        }
        *status = rd(PECOS_REG_STATUS);
        return !failed;
    }
    // Clears IRQ_STATUS.DONE (W1C), checks it reads 0 and that the line falls.
    bool clear_irq(const std::string &job)
    {
        if (!wr(PECOS_REG_IRQ_STATUS, PECOS_IRQ_DONE) ||
            !expect_reg("IRQ_STATUS after W1C", PECOS_REG_IRQ_STATUS, PECOS_IRQ_DONE, 0))
            return false;
        return line_becomes(false) || fail(job + ": the interrupt line stays high after W1C");
    }
    std::string status_str(uint32_t st)
    {
        char m[200];
        std::snprintf(m, sizeof m, "STATUS 0x%08x (DONE %u BUSY %u OVERRUN %u ERR %u at %u): '%s'",
                      st, !!(st & PECOS_STATUS_DONE), st & PECOS_STATUS_BUSY,
                      !!(st & PECOS_STATUS_OVERRUN), PECOS_STATUS_ERR(st),
                      PECOS_STATUS_ERR_INDEX(st), accel->last_error().c_str());
        return m;
    }
    bool expect_ok_status(const std::string &job, uint32_t st)
    {
        if ((st & PECOS_STATUS_DONE) && !(st & PECOS_STATUS_BUSY) && PECOS_STATUS_ERR(st) == 0)
            return true;
        return fail(job + ": " + status_str(st));
    }

    // A finished job that must have failed with code at descriptor index idx: DONE, not
    // BUSY, the code, the interrupt high and IRQ_STATUS.DONE; then W1C and the line falls.
    bool expect_failed(const std::string &job, uint32_t st, uint32_t code, uint32_t idx = 0)
    {
        if (!(st & PECOS_STATUS_DONE) || (st & PECOS_STATUS_BUSY) || PECOS_STATUS_ERR(st) != code ||
            PECOS_STATUS_ERR_INDEX(st) != idx) {
            char m[64];
            std::snprintf(m, sizeof m, ", expected DONE, ERR %u at %u", code, idx);
            return fail(job + ": " + status_str(st) + m);
        }
        if (!irq.read()) return fail(job + ": the interrupt is low after the failed job");
        if (!expect_reg("IRQ_STATUS after a failed job", PECOS_REG_IRQ_STATUS, PECOS_IRQ_DONE,
                        PECOS_IRQ_DONE))
            return false;
        if (accel->last_error().empty()) return fail(job + ": last_error() is empty");
        std::printf("  %-44s ERR %u at %u: %s\n", job.c_str(), PECOS_STATUS_ERR(st),
                    PECOS_STATUS_ERR_INDEX(st), accel->last_error().c_str());
        return clear_irq(job);
    }

    // --- Tensors --------------------------------------------------------------------------
    // Random operands of L (small integers; for an fp array exact in bf16 and their sums exact
    // in fp32), placed at kIfmap, kWeight, kBias in the array's format; the reference output.
    std::vector<int32_t> place_layer(const shape &L, bool with_bias = true)
    {
        const bool fp = dtype != PECOS_DTYPE_INT8;
        std::vector<int> in(L.in_n()), w(L.w_n());
        std::vector<int32_t> bias(with_bias ? L.k : 0);
        for (auto &v : in)
            v = fp ? (int)(rng() % 9) - 4 : (int)(rng() % 64) - 32;
        for (auto &v : w)
            v = fp ? (int)(rng() % 9) - 4 : (int)(rng() % 16) - 8;
        for (auto &v : bias)
            v = (int32_t)(rng() % 2001) - 1000;
        if (fp) {
            std::vector<uint16_t> in16(in.size()), w16(w.size());
            std::vector<uint32_t> b32(bias.size());
            for (size_t i = 0; i < in.size(); i++)
                in16[i] = bf16_of(in[i]);
            for (size_t i = 0; i < w.size(); i++)
                w16[i] = bf16_of(w[i]);
            for (size_t i = 0; i < bias.size(); i++)
                b32[i] = f32_bits((float)bias[i]);
            write_mem(kIfmap, in16.data(), 2 * in16.size());
            write_mem(kWeight, w16.data(), 2 * w16.size());
            if (with_bias) write_mem(kBias, b32.data(), 4 * b32.size());
        } else {
            std::vector<int8_t> in8(in.begin(), in.end()), w8(w.begin(), w.end());
            write_mem(kIfmap, in8.data(), in8.size());
            write_mem(kWeight, w8.data(), w8.size());
            if (with_bias) write_mem(kBias, bias.data(), 4 * bias.size());
        }
        return ref_conv(L, in, w, bias);
    }
    // Reads L's output at out and compares it with ref (fp: the fp32 of each integer).
    bool check_output(const std::string &job, const shape &L, uint64_t out,
                      const std::vector<int32_t> &ref)
    {
        std::vector<uint32_t> got(ref.size());
        if (!read_mem(out, got.data(), 4 * got.size())) return false;
        const int P = L.p(), Q = L.q();
        for (size_t i = 0; i < ref.size(); i++) {
            const uint32_t want =
                dtype == PECOS_DTYPE_INT8 ? (uint32_t)ref[i] : f32_bits((float)ref[i]);
            if (got[i] != want) {
                char m[200];
                std::snprintf(m, sizeof m,
                              ": first mismatch at [%d,%d,%d] (#%zu): expected 0x%08x, got 0x%08x",
                              (int)(i / ((size_t)P * Q)), (int)(i / Q % P), (int)(i % Q), i, want,
                              got[i]);
                return fail(job + m);
            }
        }
        return true;
    }

    // Runs conv L from the descriptor block (WS unless df says otherwise) and checks it.
    bool run_conv(const std::string &job, const shape &L, uint32_t df = PECOS_DF_WS,
                  uint64_t trace = 0)
    {
        const std::vector<int32_t> ref = place_layer(L);
        desc d = conv_desc(L, dtype, kOut);
        d.set(PECOS_REG_DATAFLOW, df);
        d.set64(PECOS_REG_TRACE_ADDR_LO, trace);
        uint32_t st;
        if (failed || !wr(PECOS_REG_QUEUE_LEN, 0) || !program(d) || !start_and_wait(job, &st) ||
            !expect_ok_status(job, st) ||
            !expect_reg("DONE_COUNT after a good job", PECOS_REG_DONE_COUNT, ~0u, 1) ||
            !check_output(job, L, kOut, ref))
            return false;
        if (!irq.read()) return fail(job + ": the interrupt is low after the job");
        return clear_irq(job);
    }
    // The good small conv after a bad descriptor: the accelerator still works.
    bool good_conv(const std::string &after)
    {
        good_runs++;
        return run_conv("good conv after " + after, kGood);
    }

    // Runs d from the descriptor block: it must fail with code; then a good conv passes.
    bool bad(const std::string &job, const desc &d, uint32_t code)
    {
        uint32_t st;
        return wr(PECOS_REG_QUEUE_LEN, 0) && program(d) && start_and_wait(job, &st) &&
               expect_failed(job, st, code) &&
               expect_reg("DONE_COUNT after a failed job", PECOS_REG_DONE_COUNT, ~0u, 0) &&
               good_conv(job);
    }
    desc good_desc() { return conv_desc(kGood, dtype, kOut); }

    // Places a random int32 map (and bias) for j; returns the reference output.
    std::vector<int8_t> place_post(const post_job &j)
    {
        std::vector<int32_t> in((size_t)j.c * j.h * j.w), b;
        const int span = (j.flags & PECOS_PP_RQ_EN) ? 4000 : 300; // unscaled: near int8
        for (auto &v : in)
            v = (int32_t)(rng() % (2 * span + 1)) - span;
        // a few values at the ends of int32 (the bias add wraps)
        in[0] = INT32_MAX, in[1] = INT32_MIN;
        if (j.bias) {
            b.resize(j.flags & PECOS_PP_BIAS_ELEM ? in.size() : (size_t)j.c);
            for (auto &v : b)
                v = (int32_t)(rng() % 2001) - 1000;
            write_mem(kPostBias, b.data(), 4 * b.size());
        }
        write_mem(kPostIn, in.data(), 4 * in.size());
        return ref_post(j, in, b);
    }
    bool run_post(const std::string &job, const post_job &j)
    {
        const std::vector<int8_t> ref = place_post(j);
        uint32_t st;
        if (failed || !wr(PECOS_REG_QUEUE_LEN, 0) || !program(post_desc(j)) ||
            !start_and_wait(job, &st) || !expect_ok_status(job, st) ||
            !expect(job + ": OUTPUTS", cnt(PECOS_CNT_OUTPUTS), ref.size()))
            return false;
        std::vector<int8_t> got(ref.size());
        if (!read_mem(kPostOut, got.data(), got.size())) return false;
        const int P = j.p(), Q = j.q();
        for (size_t i = 0; i < ref.size(); i++)
            if (got[i] != ref[i]) {
                char m[160];
                std::snprintf(
                    m, sizeof m, ": first mismatch at [%d,%d,%d] (#%zu): expected %d, got %d",
                    (int)(i / ((size_t)P * Q)), (int)(i / Q % P), (int)(i % Q), i, ref[i], got[i]);
                return fail(job + m);
            }
        std::printf("  %-44s %zu results, %llu cycles\n", job.c_str(), ref.size(),
                    (unsigned long long)cnt(PECOS_CNT_CYCLES));
        return clear_irq(job);
    }

    // --- The cases --------------------------------------------------------------------------
    bool c_bad_op();
    bool c_bad_dtype();
    bool c_wrong_dtype();
    bool c_wrong_dataflow();
    bool c_bad_shape_zero();
    bool c_bad_groups();
    bool c_bad_pool();
    bool c_bad_rq();
    bool c_no_fit();
    bool c_addr_wrap();
    bool c_bus_error();
    bool c_queue_error_index();
    bool c_queue_bus_error();
    bool c_overrun();
    bool c_regs_id();
    bool c_regs_access();
    bool c_irq_mask();
    bool c_counters();
    bool c_groups();
    bool c_post_modes();
    bool c_fp_array();

    bool run_case()
    {
        static const std::map<std::string, bool (cpu::*)()> cases = {
            {"bad_op", &cpu::c_bad_op},
            {"bad_dtype", &cpu::c_bad_dtype},
            {"wrong_dtype", &cpu::c_wrong_dtype},
            {"wrong_dataflow", &cpu::c_wrong_dataflow},
            {"bad_shape_zero", &cpu::c_bad_shape_zero},
            {"bad_groups", &cpu::c_bad_groups},
            {"bad_pool", &cpu::c_bad_pool},
            {"bad_rq", &cpu::c_bad_rq},
            {"no_fit", &cpu::c_no_fit},
            {"addr_wrap", &cpu::c_addr_wrap},
            {"bus_error", &cpu::c_bus_error},
            {"queue_error_index", &cpu::c_queue_error_index},
            {"queue_bus_error", &cpu::c_queue_bus_error},
            {"overrun", &cpu::c_overrun},
            {"regs_id", &cpu::c_regs_id},
            {"regs_access", &cpu::c_regs_access},
            {"irq_mask", &cpu::c_irq_mask},
            {"counters", &cpu::c_counters},
            {"groups", &cpu::c_groups},
            {"post_modes", &cpu::c_post_modes},
            {"fp_array", &cpu::c_fp_array},
        };
        const auto it = cases.find(name_);
        if (it == cases.end()) return fail("unknown case");
        rng.seed(seed);
        if (!wr(PECOS_REG_IRQ_EN, PECOS_IRQ_DONE)) return false;
        return (this->*(it->second))() && !failed;
    }
    void driver()
    {
        if (run_case()) finished = true;
        sc_core::sc_stop();
    }
};

bool cpu::c_bad_op()
{
    desc d = good_desc();
    d.set(PECOS_REG_OP, 9);
    if (!bad("OP 9", d, PECOS_ERR_OP)) return false;
    d.set(PECOS_REG_OP, 0);
    return bad("OP 0", d, PECOS_ERR_OP);
}

bool cpu::c_bad_dtype()
{
    desc d = good_desc();
    d.set(PECOS_REG_DTYPE, 7);
    return bad("DTYPE 7", d, PECOS_ERR_DTYPE);
}

bool cpu::c_wrong_dtype()
{
    desc d = good_desc();
    d.set(PECOS_REG_DTYPE, PECOS_DTYPE_BF16);
    if (!bad("DTYPE bf16 on the int8 array", d, PECOS_ERR_DTYPE)) return false;
    d.set(PECOS_REG_DTYPE, PECOS_DTYPE_FP16);
    return bad("DTYPE fp16 on the int8 array", d, PECOS_ERR_DTYPE);
}

bool cpu::c_wrong_dataflow()
{
    desc d = good_desc();
    d.set(PECOS_REG_DATAFLOW, PECOS_DF_OS);
    if (!bad("DATAFLOW OS on the ws array", d, PECOS_ERR_DATAFLOW)) return false;
    d.set(PECOS_REG_DATAFLOW, 5);
    if (!bad("DATAFLOW 5", d, PECOS_ERR_DATAFLOW)) return false;
    // IS is the ws array's too
    return run_conv("the good conv in IS", kGood, PECOS_DF_IS);
}

bool cpu::c_bad_shape_zero()
{
    const struct {
        const char *what;
        unsigned reg;
        uint32_t v;
    } z[] = {{"C 0", PECOS_REG_C, 0},
             {"H 0", PECOS_REG_H, 0},
             {"K 0", PECOS_REG_K, 0},
             {"R 0", PECOS_REG_R, 0},
             {"STRIDE 0", PECOS_REG_STRIDE, 0},
             {"C 2^24", PECOS_REG_C, 1u << 24},
             {"R 9 > H 6 + pads 2", PECOS_REG_R, 9}};
    for (const auto &c : z) {
        desc d = good_desc();
        d.set(c.reg, c.v);
        if (!bad(c.what, d, PECOS_ERR_SHAPE)) return false;
    }
    desc d = good_desc();
    d.set(PECOS_REG_PAD_VALUE, 0x80); // -128: valid on an int8 array
    d.set(PECOS_REG_C, 0);
    return bad("C 0 (pad value -128)", d, PECOS_ERR_SHAPE);
}

bool cpu::c_bad_groups()
{
    desc d = good_desc(); // C 4, K 8
    d.set(PECOS_REG_GROUPS, 3);
    if (!bad("GROUPS 3 with C 4", d, PECOS_ERR_SHAPE)) return false;
    d.set(PECOS_REG_GROUPS, 0);
    if (!bad("GROUPS 0", d, PECOS_ERR_SHAPE)) return false;
    d.set(PECOS_REG_C, 8), d.set(PECOS_REG_K, 6), d.set(PECOS_REG_GROUPS, 4);
    return bad("GROUPS 4 with K 6", d, PECOS_ERR_SHAPE);
}

bool cpu::c_bad_pool()
{
    post_job j = kPost;
    j.c = 4, j.h = 16, j.w = 16;
    j.flags |= 1u << 4, j.r = 16, j.s = 16, j.stride = 1; // max, 256 cells
    if (!bad("OP_POST max pool 16x16 (256 cells)", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j.flags = (j.flags & ~0x30u) | 2u << 4; // avg
    if (!bad("OP_POST avg pool 16x16 (256 cells)", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j.flags |= 3u << 4; // mode 3
    j.r = j.s = 2;
    if (!bad("OP_POST pool mode 3", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j.flags = kPost.flags | 1u << 4, j.stride = 0;
    if (!bad("OP_POST pool stride 0", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j.stride = 1, j.pad_t = 2; // a pad as large as the window
    if (!bad("OP_POST pool pad 2 on a 2x2 window", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j = kPost, j.c = 0;
    if (!bad("OP_POST C 0", post_desc(j), PECOS_ERR_SHAPE)) return false;
    // 255 cells is the unit's limit and runs
    j = kPost, j.c = 5, j.h = 15, j.w = 17, j.flags |= 1u << 4, j.r = 15, j.s = 17;
    return run_post("OP_POST max pool 15x17 (255 cells)", j);
}

bool cpu::c_bad_rq()
{
    post_job j = kPost;
    j.mult = 0x80000000u;
    if (!bad("OP_POST RQ_EN mult 2^31", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j.mult = 0xffffffffu;
    if (!bad("OP_POST RQ_EN mult 2^32-1", post_desc(j), PECOS_ERR_SHAPE)) return false;
    j = kPost, j.shift = 33;
    if (!bad("OP_POST RQ_EN shift 33", post_desc(j), PECOS_ERR_SHAPE)) return false;
    // without RQ_EN the multiplier is not used
    j = kPost, j.flags = 0, j.mult = 0x80000000u;
    return run_post("OP_POST without RQ_EN, mult 2^31", j);
}

// Runs with dram_capacity 1 MiB.
bool cpu::c_no_fit()
{
    // 1x128x128 -> 16x128x128 int32: 1 MiB of output alone
    const shape big = {1, 128, 128, 16, 1, 1, 1, 0, 1};
    if (!bad("a layer needing more than 1 MiB of DRAM", conv_desc(big, dtype, kOut), PECOS_ERR_FIT))
        return false;
    // a layer that fits, with a forced tiling whose tiles do not fit the 256 KiB GLB
    const shape mid = {64, 32, 32, 64, 3, 3, 1, 1, 1};
    desc d = conv_desc(mid, dtype, kOut);
    d.set(PECOS_REG_TILE, 64u | 32u << 12 | (uint32_t)PECOS_ORDER_KCP << 24);
    d.set(PECOS_REG_TILE_CT, 64);
    if (!bad("forced TILE k=64,p=32,c=64 (whole layer)", d, PECOS_ERR_FIT)) return false;
    d.set(PECOS_REG_TILE, 6u | 1u << 12); // kt 6: not a multiple of cols 4
    d.set(PECOS_REG_TILE_CT, 1);
    if (!bad("forced TILE k=6", d, PECOS_ERR_FIT)) return false;
    d.set(PECOS_REG_TILE, 4u | 1u << 12 | 6u << 24); // order 6
    if (!bad("forced TILE order 6", d, PECOS_ERR_FIT)) return false;
    // a layer far beyond any capacity (2^36 outputs; its tiles fit the GLB): refused, not
    // allocated
    const shape huge = {1, 1 << 22, 4096, 4, 1, 1, 1, 0, 1};
    if (!bad("a layer of 2^36 outputs", conv_desc(huge, dtype, kOut), PECOS_ERR_FIT)) return false;
#ifndef __SANITIZE_ADDRESS__ // ASan aborts on a request this size instead of failing it
    // an OP_POST map of 2^56 int32 values: the module's buffers cannot be allocated
    post_job hp = kPost;
    hp.c = (1 << 24) - 1, hp.h = hp.w = 65535, hp.flags = 0;
    if (!bad("OP_POST of ~2^56 values (host memory)", post_desc(hp), PECOS_ERR_NOMEM)) return false;
#endif
    // a forced tiling that fits runs and is the one used
    desc g = good_desc();
    g.set(PECOS_REG_TILE, 4u | 2u << 12 | (uint32_t)PECOS_ORDER_PKC << 24);
    g.set(PECOS_REG_TILE_CT, 2);
    const std::vector<int32_t> ref = place_layer(kGood);
    uint32_t st;
    if (!program(g) || !start_and_wait("forced TILE k=4,p=2,c=2,order PKC", &st) ||
        !expect_ok_status("forced TILE", st) || !check_output("forced TILE", kGood, kOut, ref))
        return false;
    const uint64_t t = cnt(PECOS_CNT_TILING);
    return expect("TILING.kt", t & 0xfff, 4) && expect("TILING.pt", t >> 12 & 0xfff, 2) &&
           expect("TILING.order", t >> 24 & 7, PECOS_ORDER_PKC) &&
           expect("TILING.ct", t >> 32, 2) && clear_irq("forced TILE");
}

bool cpu::c_addr_wrap()
{
    const uint64_t top = ~0ull - 15; // 2^64 - 16
    const unsigned regs[] = {PECOS_REG_IFMAP_ADDR_LO, PECOS_REG_WEIGHT_ADDR_LO,
                             PECOS_REG_BIAS_ADDR_LO, PECOS_REG_OUT_ADDR_LO,
                             PECOS_REG_TRACE_ADDR_LO};
    const char *names[] = {"IFMAP_ADDR", "WEIGHT_ADDR", "BIAS_ADDR", "OUT_ADDR", "TRACE_ADDR"};
    for (int i = 0; i < 5; i++) {
        desc d = good_desc();
        d.set64(regs[i], top);
        if (!bad(std::string(names[i]) + " 2^64-16", d, PECOS_ERR_ADDR)) return false;
    }
    const unsigned pregs[] = {PECOS_REG_IFMAP_ADDR_LO, PECOS_REG_BIAS_ADDR_LO,
                              PECOS_REG_OUT_ADDR_LO, PECOS_REG_TRACE_ADDR_LO};
    const char *pnames[] = {"IFMAP_ADDR", "BIAS_ADDR", "OUT_ADDR", "TRACE_ADDR"};
    for (int i = 0; i < 4; i++) {
        desc d = post_desc(kPost);
        d.set64(pregs[i], top);
        if (!bad(std::string("OP_POST ") + pnames[i] + " 2^64-16", d, PECOS_ERR_ADDR)) return false;
    }
    return true;
}

bool cpu::c_bus_error()
{
    desc d = good_desc();
    d.set64(PECOS_REG_OUT_ADDR_LO, kUnmapped);
    if (!bad("OUT_ADDR unmapped", d, PECOS_ERR_BUS)) return false;
    d = good_desc();
    d.set64(PECOS_REG_IFMAP_ADDR_LO, kUnmapped);
    if (!bad("IFMAP_ADDR unmapped", d, PECOS_ERR_BUS)) return false;
    d = good_desc();
    d.set64(PECOS_REG_WEIGHT_ADDR_LO, kDramSize - 16); // runs past the end of the DRAM
    if (!bad("weights across the end of the DRAM", d, PECOS_ERR_BUS)) return false;
    d = good_desc();
    d.set64(PECOS_REG_TRACE_ADDR_LO, kUnmapped);
    if (!bad("TRACE_ADDR unmapped", d, PECOS_ERR_BUS)) return false;
    d = good_desc();
    d.set64(PECOS_REG_OUT_ADDR_LO, kCsrBase); // the registers refuse bursts
    if (!bad("OUT_ADDR on the accelerator's registers", d, PECOS_ERR_BUS)) return false;
    // A multi-tile layer whose output straddles the end of the DRAM: the first k tile's
    // writebacks succeed, a later one fails while the array has beats in flight.
    const shape L = {4, 8, 8, 8, 3, 3, 1, 1, 1};
    place_layer(L);
    d = conv_desc(L, dtype, kDramSize - 4ull * L.out_n() / 2);
    d.set(PECOS_REG_TILE, 4u | 2u << 12 | (uint32_t)PECOS_ORDER_KPC << 24);
    d.set(PECOS_REG_TILE_CT, 4);
    if (!bad("output straddling the end of the DRAM (mid-run)", d, PECOS_ERR_BUS)) return false;
    // OP_POST
    desc p = post_desc(kPost);
    p.set64(PECOS_REG_IFMAP_ADDR_LO, kUnmapped);
    if (!bad("OP_POST IFMAP_ADDR unmapped", p, PECOS_ERR_BUS)) return false;
    p = post_desc(kPost);
    p.set64(PECOS_REG_OUT_ADDR_LO, kUnmapped);
    return bad("OP_POST OUT_ADDR unmapped", p, PECOS_ERR_BUS);
}

bool cpu::c_queue_error_index()
{
    const std::vector<int32_t> ref = place_layer(kGood);
    desc bad_d = conv_desc(kGood, dtype, kOut2);
    bad_d.set(PECOS_REG_DTYPE, 7);
    const std::vector<unsigned char> img =
        image({conv_desc(kGood, dtype, kOut), bad_d, conv_desc(kGood, dtype, kOut2)});
    uint32_t st;
    if (!write_mem(kQueue, img.data(), img.size()) ||
        !wr(PECOS_REG_QUEUE_ADDR_LO, (uint32_t)kQueue) || !wr(PECOS_REG_QUEUE_ADDR_HI, 0) ||
        !wr(PECOS_REG_QUEUE_LEN, 3) || !start_and_wait("queue of 3, the second bad", &st) ||
        !expect_failed("queue of 3, the second bad", st, PECOS_ERR_DTYPE, 1) ||
        !expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 1) ||
        !check_output("the queue's first descriptor", kGood, kOut, ref))
        return false;
    // the third never ran: its output area is untouched (zeros)
    std::vector<uint32_t> o2(kGood.out_n());
    if (!read_mem(kOut2, o2.data(), 4 * o2.size())) return false;
    for (uint32_t v : o2)
        if (v) return fail("the queue's third descriptor wrote its output after the failure");
    // the third bad instead: index 2
    const std::vector<unsigned char> img2 =
        image({conv_desc(kGood, dtype, kOut), conv_desc(kGood, dtype, kOut2), bad_d});
    if (!write_mem(kQueue, img2.data(), img2.size()) ||
        !start_and_wait("queue of 3, the third bad", &st) ||
        !expect_failed("queue of 3, the third bad", st, PECOS_ERR_DTYPE, 2) ||
        !expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 2) ||
        !check_output("the queue's second descriptor", kGood, kOut2, ref))
        return false;
    return good_conv("the queues");
}

bool cpu::c_queue_bus_error()
{
    uint32_t st;
    if (!wr(PECOS_REG_QUEUE_ADDR_LO, (uint32_t)kUnmapped) || !wr(PECOS_REG_QUEUE_ADDR_HI, 0) ||
        !wr(PECOS_REG_QUEUE_LEN, 2) || !start_and_wait("queue at an unmapped address", &st) ||
        !expect_failed("queue at an unmapped address", st, PECOS_ERR_BUS, 0) ||
        !expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 0))
        return false;
    // a queue whose second entry runs past the end of the DRAM: index 1
    const std::vector<unsigned char> img = image({good_desc()});
    const uint64_t qa = kDramSize - img.size();
    place_layer(kGood);
    if (!write_mem(qa, img.data(), img.size()) || !wr(PECOS_REG_QUEUE_ADDR_LO, (uint32_t)qa) ||
        !start_and_wait("queue running past the end of the DRAM", &st) ||
        !expect_failed("queue running past the end of the DRAM", st, PECOS_ERR_BUS, 1) ||
        !expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 1))
        return false;
    return good_conv("the queue bus errors");
}

bool cpu::c_overrun()
{
    const std::vector<int32_t> ref = place_layer(kGood);
    uint32_t st;
    if (!wr(PECOS_REG_QUEUE_LEN, 0) || !program(good_desc()) ||
        !wr(PECOS_REG_CTRL, PECOS_CTRL_START))
        return false;
    wait(20 * period);
    if (!expect_reg("STATUS while running", PECOS_REG_STATUS, PECOS_STATUS_BUSY | PECOS_STATUS_DONE,
                    PECOS_STATUS_BUSY) ||
        !wr(PECOS_REG_CTRL, PECOS_CTRL_START) ||
        !expect_reg("STATUS after START while busy", PECOS_REG_STATUS,
                    PECOS_STATUS_BUSY | PECOS_STATUS_OVERRUN | PECOS_STATUS_DONE,
                    PECOS_STATUS_BUSY | PECOS_STATUS_OVERRUN))
        return false;
    // a descriptor written while busy must not change the running job
    if (!wr(PECOS_REG_C, 0)) return false;
    if (!irq.read()) wait(sc_time(kIrqTimeoutMs, sc_core::SC_MS), irq.posedge_event());
    if (!irq.read()) return fail("the running job did not finish after the overrun");
    st = rd(PECOS_REG_STATUS);
    if (!expect_ok_status("the job during which START was ignored", st)) return false;
    if (!(st & PECOS_STATUS_OVERRUN))
        return fail("OVERRUN cleared at the end of the job: " + status_str(st));
    if (!expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 1) ||
        !check_output("the job during which START was ignored", kGood, kOut, ref) ||
        !clear_irq("overrun"))
        return false;
    // the ignored START did not start a second job
    wait(100 * period);
    if (!expect_reg("STATUS after the job", PECOS_REG_STATUS, PECOS_STATUS_BUSY, 0) ||
        !expect_reg("IRQ_STATUS after the job", PECOS_REG_IRQ_STATUS, ~0u, 0))
        return false;
    // the next START clears OVERRUN
    if (!wr(PECOS_REG_C, (uint32_t)kGood.c) || !wr(PECOS_REG_CTRL, PECOS_CTRL_START) ||
        !expect_reg("STATUS after the next START", PECOS_REG_STATUS,
                    PECOS_STATUS_OVERRUN | PECOS_STATUS_DONE, 0))
        return false;
    if (!irq.read()) wait(sc_time(kIrqTimeoutMs, sc_core::SC_MS), irq.posedge_event());
    st = rd(PECOS_REG_STATUS);
    if (!expect_ok_status("the next job", st)) return false;
    if (st & PECOS_STATUS_OVERRUN)
        return fail("OVERRUN still set after the next START: " + status_str(st));
    return clear_irq("the next job") && good_conv("the overrun");
}

bool cpu::c_regs_id()
{
    const uint32_t hw1 = rd(PECOS_REG_HWCFG1);
    if (!expect_reg("ID", PECOS_REG_ID, ~0u, PECOS_ACCEL_ID_VALUE) ||
        !expect_reg("VERSION", PECOS_REG_VERSION, ~0u, PECOS_ACCEL_VERSION_VALUE) ||
        !expect_reg("HWCFG0", PECOS_REG_HWCFG0, ~0u, (uint32_t)kRows | (uint32_t)kCols << 16) ||
        !expect("HWCFG1.dtype", hw1 & 0xf, PECOS_DTYPE_INT8) ||
        !expect("HWCFG1.array", hw1 >> 4 & 0xf, 0) ||
        !check("HWCFG1.latency nonzero", (hw1 >> 8 & 0xff) != 0) ||
        !expect("HWCFG1.lanes", hw1 >> 16, kCols) ||
        !expect_reg("GLB_KIB", PECOS_REG_GLB_KIB, ~0u, 256) ||
        !expect_reg("STATUS at reset", PECOS_REG_STATUS, ~0u, 0) ||
        !expect_reg("IRQ_STATUS at reset", PECOS_REG_IRQ_STATUS, ~0u, 0) ||
        !expect_reg("DONE_COUNT at reset", PECOS_REG_DONE_COUNT, ~0u, 0) ||
        !expect_reg("CTRL reads 0", PECOS_REG_CTRL, ~0u, 0))
        return false;
    for (int i = 0; i < PECOS_CNT_N; i++)
        if (!expect("counter " + std::to_string(i) + " at reset", cnt(i), 0)) return false;
    // transport_dbg reads the same words without side effects
    uint32_t dbg[4] = {};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(kCsrBase + PECOS_REG_ID);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(dbg));
    gp.set_data_length(16);
    gp.set_streaming_width(16);
    if (!expect("transport_dbg bytes", sock->transport_dbg(gp), 16) ||
        !expect("transport_dbg ID", dbg[0], PECOS_ACCEL_ID_VALUE) ||
        !expect("transport_dbg VERSION", dbg[1], PECOS_ACCEL_VERSION_VALUE) ||
        !expect("transport_dbg HWCFG0", dbg[2], (uint32_t)kRows | (uint32_t)kCols << 16) ||
        !expect("transport_dbg HWCFG1", dbg[3], hw1))
        return false;
    std::printf("  ID 0x%08x VERSION %u HWCFG0 0x%08x HWCFG1 0x%08x (PPU latency %u, %u lanes)\n",
                rd(PECOS_REG_ID), rd(PECOS_REG_VERSION), rd(PECOS_REG_HWCFG0), hw1, hw1 >> 8 & 0xff,
                hw1 >> 16);
    return true;
}

bool cpu::c_regs_access()
{
    uint32_t v = 0;
    uint64_t v2 = 0;
    unsigned char be[4] = {0xff, 0xff, 0xff, 0xff};
    const auto want = [&](const char *what, tlm::tlm_response_status got,
                          tlm::tlm_response_status w) {
        if (got == w) return true;
        return fail(std::string(what) + ": " + resp_name(got) + ", expected " + resp_name(w));
    };
    using tlm::TLM_READ_COMMAND;
    using tlm::TLM_WRITE_COMMAND;
    const uint64_t id = kCsrBase + PECOS_REG_ID;
    // the reset value of FAULT, before anything writes it
    if (!expect_reg("FAULT_LO at reset", PECOS_REG_FAULT_LO, ~0u, 0xffffffffu) ||
        !expect_reg("FAULT_HI at reset", PECOS_REG_FAULT_HI, ~0u, 0xffffffffu))
        return false;
    if (!want("2-byte read", raw(TLM_READ_COMMAND, id, &v, 2, 2), tlm::TLM_BURST_ERROR_RESPONSE) ||
        !want("2-byte write", raw(TLM_WRITE_COMMAND, kCsrBase + PECOS_REG_C, &v, 2, 2),
              tlm::TLM_BURST_ERROR_RESPONSE) ||
        !want("8-byte read", raw(TLM_READ_COMMAND, id, &v2, 8, 8), tlm::TLM_BURST_ERROR_RESPONSE) ||
        !want("4-byte read of streaming width 2", raw(TLM_READ_COMMAND, id, &v, 4, 2),
              tlm::TLM_BURST_ERROR_RESPONSE) ||
        !want("unaligned read (0x102)", raw(TLM_READ_COMMAND, kCsrBase + 0x102, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("unaligned write (0x101)", raw(TLM_WRITE_COMMAND, kCsrBase + 0x101, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read past the map (0x400)", raw(TLM_READ_COMMAND, kCsrBase + 0x400, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read at PECOS_REG_CNT_END",
              raw(TLM_READ_COMMAND, kCsrBase + PECOS_REG_CNT_END, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read of the gap 0x014", raw(TLM_READ_COMMAND, kCsrBase + 0x014, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read of the gap 0x040", raw(TLM_READ_COMMAND, kCsrBase + 0x040, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read of the gap 0x0fc", raw(TLM_READ_COMMAND, kCsrBase + 0x0fc, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read of the gap 0x180", raw(TLM_READ_COMMAND, kCsrBase + 0x180, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("write of the gap 0x1fc", raw(TLM_WRITE_COMMAND, kCsrBase + 0x1fc, &v, 4, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE) ||
        !want("read with byte enables", raw(TLM_READ_COMMAND, id, &v, 4, 4, be, 4),
              tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE) ||
        !want("write with byte enables",
              raw(TLM_WRITE_COMMAND, kCsrBase + PECOS_REG_C, &v, 4, 4, be, 4),
              tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE))
        return false;
    // read-only registers: the write is accepted and ignored
    const unsigned ro[] = {
        PECOS_REG_ID,         PECOS_REG_VERSION,           PECOS_REG_HWCFG0,
        PECOS_REG_HWCFG1,     PECOS_REG_GLB_KIB,           PECOS_REG_STATUS,
        PECOS_REG_DONE_COUNT, PECOS_CNT(PECOS_CNT_CYCLES), PECOS_CNT(PECOS_CNT_TILING) + 4};
    for (unsigned r : ro) {
        const uint32_t before = rd(r);
        char what[64];
        std::snprintf(what, sizeof what, "write to read-only 0x%03x", r);
        v = ~before;
        if (!want(what, raw(TLM_WRITE_COMMAND, kCsrBase + r, &v, 4, 4), tlm::TLM_OK_RESPONSE) ||
            !expect(std::string(what) + " changed it", rd(r), before))
            return false;
    }
    // CTRL without START, IRQ_EN's one bit, IRQ_STATUS W1C of nothing
    if (!wr(PECOS_REG_CTRL, 0xfffffffeu) ||
        !expect_reg("STATUS after CTRL 0xfffffffe", PECOS_REG_STATUS, ~0u, 0) ||
        !wr(PECOS_REG_IRQ_EN, 0xffffffffu) ||
        !expect_reg("IRQ_EN after writing all ones", PECOS_REG_IRQ_EN, ~0u, 1) ||
        !wr(PECOS_REG_IRQ_STATUS, 0xffffffffu) ||
        !expect_reg("IRQ_STATUS", PECOS_REG_IRQ_STATUS, ~0u, 0) ||
        !check("the interrupt is low with nothing done", line_becomes(false)))
        return false;
    // the descriptor block and the queue registers read back what was written
    std::vector<uint32_t> pat(PECOS_DESC_WORDS);
    for (unsigned i = 0; i < PECOS_DESC_WORDS; i++) {
        pat[i] = (uint32_t)(rng() >> 7);
        if (!wr(PECOS_REG_DESC + 4 * i, pat[i])) return false;
    }
    const uint32_t qlo = 0x89abcdefu, qhi = 0x01234567u, qn = 0xfedc;
    if (!wr(PECOS_REG_QUEUE_ADDR_LO, qlo) || !wr(PECOS_REG_QUEUE_ADDR_HI, qhi) ||
        !wr(PECOS_REG_QUEUE_LEN, qn))
        return false;
    for (unsigned i = 0; i < PECOS_DESC_WORDS; i++) {
        char what[64];
        std::snprintf(what, sizeof what, "descriptor word 0x%03x read back",
                      PECOS_REG_DESC + 4 * i);
        if (!expect(what, rd(PECOS_REG_DESC + 4 * i), pat[i])) return false;
    }
    if (!expect_reg("QUEUE_ADDR_LO", PECOS_REG_QUEUE_ADDR_LO, ~0u, qlo) ||
        !expect_reg("QUEUE_ADDR_HI", PECOS_REG_QUEUE_ADDR_HI, ~0u, qhi) ||
        !expect_reg("QUEUE_LEN", PECOS_REG_QUEUE_LEN, ~0u, qn))
        return false;
    // transport_dbg: reads without side effects, refuses writes
    uint32_t dbg[2] = {};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(kCsrBase + PECOS_REG_QUEUE_ADDR_LO);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(dbg));
    gp.set_data_length(8);
    gp.set_streaming_width(8);
    if (!expect("transport_dbg read bytes", sock->transport_dbg(gp), 8) ||
        !expect("transport_dbg QUEUE_ADDR_LO", dbg[0], qlo) ||
        !expect("transport_dbg QUEUE_ADDR_HI", dbg[1], qhi))
        return false;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(kCsrBase + PECOS_REG_C);
    dbg[0] = 0x55;
    if (!expect("transport_dbg write bytes", sock->transport_dbg(gp), 0) ||
        !expect("C after a debug write", rd(PECOS_REG_C), pat[(PECOS_REG_C - PECOS_REG_DESC) / 4]))
        return false;
    // and the accelerator still runs a job (with FAULT back to never)
    return good_conv("the register accesses");
}

bool cpu::c_irq_mask()
{
    const std::vector<int32_t> ref = place_layer(kGood);
    if (!wr(PECOS_REG_IRQ_EN, 0) || !wr(PECOS_REG_QUEUE_LEN, 0) || !program(good_desc()) ||
        !wr(PECOS_REG_CTRL, PECOS_CTRL_START))
        return false;
    uint32_t st = 0;
    for (int i = 0; i < 100000 && !((st = rd(PECOS_REG_STATUS)) & PECOS_STATUS_DONE); i++) {
        if (irq.read()) return fail("the interrupt rose with IRQ_EN 0");
        wait(50 * period);
    }
    if (!expect_ok_status("the job with IRQ_EN 0", st) ||
        !check_output("the job with IRQ_EN 0", kGood, kOut, ref) ||
        !expect_reg("IRQ_STATUS after the job", PECOS_REG_IRQ_STATUS, ~0u, PECOS_IRQ_DONE))
        return false;
    wait(10 * period);
    if (irq.read()) return fail("the interrupt is high with IRQ_EN 0 and IRQ_STATUS.DONE set");
    if (!wr(PECOS_REG_IRQ_EN, PECOS_IRQ_DONE)) return false;
    if (!line_becomes(true))
        return fail("enabling IRQ_EN with DONE pending did not raise the line");
    if (!wr(PECOS_REG_IRQ_EN, 0)) return false;
    if (!line_becomes(false)) return fail("disabling IRQ_EN did not lower the line");
    if (!expect_reg("IRQ_STATUS is kept while masked", PECOS_REG_IRQ_STATUS, ~0u, PECOS_IRQ_DONE) ||
        !wr(PECOS_REG_IRQ_EN, PECOS_IRQ_DONE))
        return false;
    if (!line_becomes(true)) return fail("re-enabling IRQ_EN did not raise the line");
    if (!wr(PECOS_REG_IRQ_STATUS, 0)) return false; // writing 0 clears nothing
    wait(4 * period);
    if (!irq.read()) return fail("IRQ_STATUS write of 0 lowered the line");
    if (!clear_irq("the masked job")) return false;
    return good_conv("the masked job");
}

bool cpu::c_counters()
{
    // A conv with a trace, WS
    const shape &L = kGood;
    const std::vector<int32_t> ref = place_layer(L);
    desc d = conv_desc(L, dtype, kOut);
    d.set64(PECOS_REG_TRACE_ADDR_LO, kTrace);
    uint32_t st;
    const uint64_t t0 = now_cycle();
    if (!wr(PECOS_REG_QUEUE_LEN, 0) || !program(d) || !start_and_wait("conv with trace", &st) ||
        !expect_ok_status("conv with trace", st))
        return false;
    const uint64_t t1 = now_cycle();
    std::vector<uint64_t> c(PECOS_CNT_N);
    for (int i = 0; i < PECOS_CNT_N; i++)
        c[i] = cnt(i);
    const uint64_t cyc = c[PECOS_CNT_CYCLES];
    uint64_t stalls = 0, rd_sum = 0, wr_sum = 0;
    for (int i = 0; i < 4; i++)
        stalls += c[PECOS_CNT_STALL_COMPUTE + i];
    for (int i = 0; i < 5; i++)
        rd_sum += c[PECOS_CNT_DRAM_RD + i], wr_sum += c[PECOS_CNT_DRAM_WR + i];
    const uint64_t out_b = 4 * L.out_n();
    const uint64_t tl = c[PECOS_CNT_TILING];
    std::printf(
        "  conv %dx%dx%d * %dx%dx%dx%d: %llu cycles (%llu .. %llu), beats %llu, wbeats %llu,"
        " DRAM rd %llu wr %llu bus %llu, descs %llu, tiling 0x%llx\n",
        L.c, L.h, L.w, L.k, L.c, L.r, L.s, (unsigned long long)cyc,
        (unsigned long long)c[PECOS_CNT_START_CYCLE],
        (unsigned long long)(c[PECOS_CNT_START_CYCLE] + cyc),
        (unsigned long long)c[PECOS_CNT_BEATS], (unsigned long long)c[PECOS_CNT_WBEATS],
        (unsigned long long)rd_sum, (unsigned long long)wr_sum,
        (unsigned long long)c[PECOS_CNT_DRAM_BUS], (unsigned long long)c[PECOS_CNT_DESCS],
        (unsigned long long)tl);
    if (!check("CYCLES > 0", cyc > 0) ||
        !check("the job took at least CYCLES clock periods of simulated time", t1 - t0 >= cyc) ||
        !expect("STALL_* sum", stalls, cyc) ||
        !check("STALL_COMPUTE > 0", c[PECOS_CNT_STALL_COMPUTE] > 0) ||
        !check("BEATS > 0", c[PECOS_CNT_BEATS] > 0) ||
        !expect("STALL_COMPUTE (a data beat a cycle)", c[PECOS_CNT_STALL_COMPUTE],
                c[PECOS_CNT_BEATS]) ||
        !expect("RTL_BEATS", c[PECOS_CNT_RTL_BEATS], c[PECOS_CNT_BEATS]) ||
        !expect("RTL_WBEATS", c[PECOS_CNT_RTL_WBEATS], c[PECOS_CNT_WBEATS]) ||
        !expect("RTL_MACS (beats x rows x cols)", c[PECOS_CNT_RTL_MACS],
                c[PECOS_CNT_BEATS] * kRows * kCols) ||
        !check("RTL_BUSY <= CYCLES", c[PECOS_CNT_RTL_BUSY] <= cyc) ||
        !check("SEQ_BUSY == RTL_BUSY", c[PECOS_CNT_SEQ_BUSY] == c[PECOS_CNT_RTL_BUSY]) ||
        !expect("OS_BLOCKS (ws)", c[PECOS_CNT_OS_BLOCKS], 0) ||
        !check("DRAM_RD.ifmap >= the ifmap", c[PECOS_CNT_DRAM_RD + 0] >= L.in_n()) ||
        !check("DRAM_RD.weight >= the weights", c[PECOS_CNT_DRAM_RD + 1] >= L.w_n()) ||
        !check("DRAM_WR >= the output", wr_sum >= out_b) ||
        !check("DRAM_BUS >= the bytes moved", c[PECOS_CNT_DRAM_BUS] >= rd_sum + wr_sum) ||
        !check("DESCS > 0", c[PECOS_CNT_DESCS] > 0) ||
        !check("GLB_RD > 0",
               c[PECOS_CNT_GLB_RD] + c[PECOS_CNT_GLB_RD + 1] + c[PECOS_CNT_GLB_RD + 2] > 0) ||
        !check("GLB_WR > 0",
               c[PECOS_CNT_GLB_WR] + c[PECOS_CNT_GLB_WR + 1] + c[PECOS_CNT_GLB_WR + 2] > 0) ||
        !check("DRAM_BYTES >= the tensors",
               c[PECOS_CNT_DRAM_BYTES] >= L.in_n() + L.w_n() + 4ull * L.k + out_b) ||
        !check("TILING kt, pt, ct >= 1",
               (tl & 0xfff) >= 1 && (tl >> 12 & 0xfff) >= 1 && (tl >> 32) >= 1) ||
        !check("TILING kt <= K, pt <= P, ct <= C", (tl & 0xfff) <= (uint64_t)L.k &&
                                                       (tl >> 12 & 0xfff) <= (uint64_t)L.p() &&
                                                       (tl >> 32) <= (uint64_t)L.c) ||
        !check("TILING order <= 5", (tl >> 24 & 7) <= 5) ||
        !expect("OUTPUTS (conv)", c[PECOS_CNT_OUTPUTS], 0) ||
        !expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 1) ||
        !check("bus_transactions() > 0", accel->bus_transactions() > 0) ||
        !check("bus_delay() > 0", accel->bus_delay() > sc_core::SC_ZERO_TIME) ||
        !check_output("conv with trace", L, kOut, ref))
        return false;
    // The trace: per output its cycle, within the job; then its lane: WS column k mod cols.
    const size_t n = L.out_n();
    std::vector<uint64_t> oc(n);
    std::vector<uint16_t> ol(n);
    if (!read_mem(kTrace, oc.data(), 8 * n) || !read_mem(kTrace + 8 * n, ol.data(), 2 * n))
        return false;
    const uint64_t c0 = c[PECOS_CNT_START_CYCLE];
    uint64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        const int k = (int)(i / ((size_t)L.p() * L.q()));
        char m[160];
        std::snprintf(m, sizeof m,
                      "trace of output #%zu (k %d): cycle %llu lane %u (job %llu .. %llu)", i, k,
                      (unsigned long long)oc[i], ol[i], (unsigned long long)c0,
                      (unsigned long long)(c0 + cyc));
        if (oc[i] < c0 || oc[i] > c0 + cyc || ol[i] != k % kCols) return fail(m);
        if (oc[i] > last) last = oc[i];
    }
    if (!check("the trace's last output is in the job's last cycles",
               last + 2 * (kRows + kCols) + 1000 >= c0 + cyc) ||
        !clear_irq("conv with trace"))
        return false;
    // A second job's START_CYCLE is past the first's end
    const uint64_t end1 = c0 + cyc;
    if (!run_conv("a second conv", L)) return false;
    if (!check("the second job's START_CYCLE is after the first's end",
               cnt(PECOS_CNT_START_CYCLE) >= end1))
        return false;
    // OP_POST: outputs, beats (window cells, channels in groups of lanes), GLB bytes, trace
    post_job j = kPost; // 6x5x5, no pool
    const std::vector<int8_t> pref = place_post(j);
    desc p = post_desc(j);
    p.set64(PECOS_REG_TRACE_ADDR_LO, kTrace);
    if (!program(p) || !start_and_wait("post with trace", &st) ||
        !expect_ok_status("post with trace", st))
        return false;
    const uint64_t pc = cnt(PECOS_CNT_CYCLES), ps = cnt(PECOS_CNT_START_CYCLE);
    const size_t pn = (size_t)j.c * j.h * j.w;
    const uint64_t groups = (uint64_t)(j.c + kCols - 1) / kCols;
    if (!expect("post OUTPUTS", cnt(PECOS_CNT_OUTPUTS), pn) ||
        !expect("post BEATS", cnt(PECOS_CNT_BEATS), groups * j.h * j.w) ||
        !expect("post GLB_RD (4 bytes per real lane)", cnt(PECOS_CNT_GLB_RD), 4ull * pn) ||
        !expect("post GLB_WR (1 byte per result)", cnt(PECOS_CNT_GLB_WR), pn) ||
        !check("post CYCLES >= BEATS", pc >= cnt(PECOS_CNT_BEATS)))
        return false;
    std::vector<uint64_t> poc(pn);
    if (!read_mem(kTrace, poc.data(), 8 * pn)) return false;
    for (size_t i = 0; i < pn; i++)
        if (poc[i] < ps || poc[i] > ps + pc) {
            char m[120];
            std::snprintf(m, sizeof m, "post trace #%zu: cycle %llu outside the job %llu .. %llu",
                          i, (unsigned long long)poc[i], (unsigned long long)ps,
                          (unsigned long long)(ps + pc));
            return fail(m);
        }
    std::vector<int8_t> got(pn);
    if (!read_mem(kPostOut, got.data(), pn)) return false;
    if (got != pref) return fail("post with trace: output differs from the reference");
    return clear_irq("post with trace");
}

bool cpu::c_groups()
{
    const shape g2 = {8, 6, 6, 8, 3, 3, 1, 1, 2};
    const shape dw = {4, 7, 7, 4, 3, 3, 2, 1, 4};  // depthwise, stride 2
    const shape g4 = {8, 5, 5, 12, 1, 1, 1, 0, 4}; // 2 -> 3 channels per group, 1x1
    if (!run_conv("grouped conv, GROUPS 2", g2) ||
        !run_conv("grouped conv, GROUPS 2 (IS)", g2, PECOS_DF_IS) ||
        !run_conv("depthwise conv, GROUPS 4, stride 2", dw) || !run_conv("1x1 conv, GROUPS 4", g4))
        return false;
    // the counters sum over the groups: every cycle is still one of the stalls
    uint64_t stalls = 0;
    for (int i = 0; i < 4; i++)
        stalls += cnt(PECOS_CNT_STALL_COMPUTE + i);
    if (!expect("STALL_* sum over the groups", stalls, cnt(PECOS_CNT_CYCLES)) ||
        !expect("RTL_BEATS over the groups", cnt(PECOS_CNT_RTL_BEATS), cnt(PECOS_CNT_BEATS)))
        return false;
    // the grouped trace: group g's outputs follow the earlier groups'
    const std::vector<int32_t> ref = place_layer(g2);
    desc d = conv_desc(g2, dtype, kOut);
    d.set64(PECOS_REG_TRACE_ADDR_LO, kTrace);
    uint32_t st;
    if (!program(d) || !start_and_wait("grouped conv with trace", &st) ||
        !expect_ok_status("grouped conv with trace", st) ||
        !check_output("grouped conv with trace", g2, kOut, ref))
        return false;
    const size_t n = g2.out_n();
    std::vector<uint64_t> oc(n);
    std::vector<uint16_t> ol(n);
    if (!read_mem(kTrace, oc.data(), 8 * n) || !read_mem(kTrace + 8 * n, ol.data(), 2 * n))
        return false;
    const size_t half = n / 2;
    uint64_t max0 = 0, min1 = ~0ull;
    for (size_t i = 0; i < n; i++) {
        if (!oc[i]) return fail("grouped trace: output #" + std::to_string(i) + " has cycle 0");
        if (i < half && oc[i] > max0) max0 = oc[i];
        if (i >= half && oc[i] < min1) min1 = oc[i];
        const int kl = (int)(i / ((size_t)g2.p() * g2.q())) % (g2.k / g2.groups);
        if (ol[i] != kl % kCols) return fail("grouped trace: lane of output #" + std::to_string(i));
    }
    if (!check("grouped trace: group 1 runs after group 0", min1 > max0)) return false;
    return clear_irq("grouped conv with trace");
}

bool cpu::c_post_modes()
{
    const uint32_t rq = PECOS_PP_RQ_EN, relu = PECOS_PP_RELU, elem = PECOS_PP_BIAS_ELEM;
    const uint32_t mx = 1u << 4, avg = 2u << 4;
    // c h w flags mult shift zp r s stride pads(t l b r) bias
    const post_job jobs[] = {
        {6, 7, 7, rq | relu, 0x60000000u, 4, -5, 1, 1, 1, 0, 0, 0, 0,
         true},                                                       // none, per-channel bias
        {6, 7, 7, rq, 0x50000000u, 3, 3, 1, 1, 1, 0, 0, 0, 0, false}, // none, no bias
        {6, 7, 7, rq | elem, 0x40000000u, 2, 0, 1, 1, 1, 0, 0, 0, 0,
         true}, // none, per-element bias
        {5, 8, 8, rq | relu | mx, 0x60000000u, 4, -5, 2, 2, 2, 0, 0, 0, 0, false}, // max 2x2/2
        {5, 7, 7, rq | mx | elem, 0x70000000u, 5, 1, 3, 3, 2, 1, 1, 1, 1, true}, // max 3x3/2 pad 1
        {6, 8, 8, rq | avg, 0x60000000u, 4, 2, 2, 2, 2, 0, 0, 0, 0, true},       // avg 2x2/2
        {4, 7, 6, rq | avg | elem, 0x55555555u, 3, -7, 3, 3, 2, 1, 1, 1, 0, true}, // avg 3x3/2 pad
        {4, 6, 6, avg, 0, 0, 0, 3, 2, 1, 0, 1, 2, 1, false},        // avg, no rq (clamp)
        {3, 5, 5, mx | relu, 0, 0, -20, 2, 3, 1, 1, 0, 1, 2, true}, // max 2x3, relu, no rq
    };
    const char *names[] = {"none rq+relu, bias [C]",
                           "none rq",
                           "none rq, bias [C,H,W]",
                           "max 2x2/2 rq+relu",
                           "max 3x3/2 pad 1 rq, bias [C,H,W]",
                           "avg 2x2/2 rq, bias [C]",
                           "avg 3x3/2 pads 1,1,1,0 rq, bias [C,H,W]",
                           "avg 3x2/1 pads, no rq",
                           "max 2x3/1 pads relu no rq, bias [C]"};
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
        if (!run_post(std::string("OP_POST ") + names[i], jobs[i])) return false;
    // a conv, then its post-processing from the conv's output
    const std::vector<int32_t> cref = place_layer(kGood);
    post_job j = {kGood.k, kGood.p(), kGood.q(), rq | relu | mx, 0x60000000u, 4, -5, 2, 2, 2, 0,
                  0,       0,         0,         false};
    desc p = post_desc(j);
    p.set64(PECOS_REG_IFMAP_ADDR_LO, kOut);
    const std::vector<unsigned char> img = image({conv_desc(kGood, dtype, kOut), p});
    const std::vector<int8_t> pref = ref_post(j, cref, {});
    uint32_t st;
    if (!write_mem(kQueue, img.data(), img.size()) ||
        !wr(PECOS_REG_QUEUE_ADDR_LO, (uint32_t)kQueue) || !wr(PECOS_REG_QUEUE_ADDR_HI, 0) ||
        !wr(PECOS_REG_QUEUE_LEN, 2) ||
        !start_and_wait("queue: conv, then rq+relu+maxpool of it", &st) ||
        !expect_ok_status("queue: conv + post", st) ||
        !expect_reg("DONE_COUNT", PECOS_REG_DONE_COUNT, ~0u, 2))
        return false;
    std::vector<int8_t> got(pref.size());
    if (!read_mem(kPostOut, got.data(), got.size())) return false;
    if (got != pref) return fail("queue: conv + post: the post output differs from the reference");
    return clear_irq("queue: conv + post");
}

// Runs on a bf16 ws 4x4 array.
bool cpu::c_fp_array()
{
    if (!expect("HWCFG1.dtype", rd(PECOS_REG_HWCFG1) & 0xf, PECOS_DTYPE_BF16)) return false;
    if (!run_conv("bf16 conv", kGood) || !run_conv("bf16 conv (IS)", kGood, PECOS_DF_IS) ||
        !run_conv("bf16 grouped conv", {8, 5, 5, 8, 3, 3, 1, 1, 2}))
        return false;
    desc d = good_desc();
    d.set(PECOS_REG_DTYPE, PECOS_DTYPE_INT8);
    if (!bad("DTYPE int8 on the bf16 array", d, PECOS_ERR_DTYPE)) return false;
    d.set(PECOS_REG_DTYPE, PECOS_DTYPE_FP16);
    if (!bad("DTYPE fp16 on the bf16 array", d, PECOS_ERR_DTYPE)) return false;
    d = good_desc();
    d.set(PECOS_REG_PAD_VALUE, 1);
    return bad("a nonzero PAD_VALUE on the fp array", d, PECOS_ERR_SHAPE);
}

} // namespace

int sc_main(int argc, char *argv[])
{
    if (argc < 2) {
        std::printf("usage: sc_accel_errors CASE [SEED]\n");
        return 2;
    }
    const std::string name = argv[1];
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1;
    const sc_time period(1, SC_NS);

    pecos_accel_cfg cfg;
    cfg.rows = kRows, cfg.cols = kCols;
    cfg.dtype = name == "fp_array" ? PECOS_DTYPE_BF16 : PECOS_DTYPE_INT8;
    cfg.os = false;
    cfg.dram_bw = 16, cfg.dram_latency = 100, cfg.dram_burst = 64;
    cfg.dram_capacity = name == "no_fit" ? 1ull << 20 : kDramSize;
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
        std::printf("FAIL: sc.accel.%s: pecos_accel: %s (seed %llu)\n", name.c_str(), e.what(),
                    (unsigned long long)seed);
        return 1;
    }
    cpu0.name_ = name;
    cpu0.seed = seed;
    cpu0.dtype = (uint32_t)cfg.dtype;
    cpu0.accel = accel.get();
    cpu0.dram = &dram;
    cpu0.irq(irq);
    accel->clk(clk);
    accel->irq(irq);
    cpu0.sock.bind(bus.targ);
    accel->mem.bind(bus.targ);
    bus.init.bind(dram.socket); // target 0
    bus.init.bind(accel->csr);  // target 1
    bus.map(0, kDramBase, kDramSize);
    bus.map(1, kCsrBase, kCsrSize);

    sc_core::sc_start();
    if (cpu0.failed) return 1;
    if (!cpu0.finished) {
        std::printf("FAIL: sc.accel.%s: the driver did not finish (seed %llu)\n", name.c_str(),
                    (unsigned long long)seed);
        return 1;
    }
    std::printf("PASS: sc.accel.%s (%d good convs after bad descriptors, %llu cycles, seed %llu)\n",
                name.c_str(), cpu0.good_runs,
                (unsigned long long)(sc_core::sc_time_stamp() / period), (unsigned long long)seed);
    return 0;
}
