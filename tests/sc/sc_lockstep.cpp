// sc_lockstep.cpp - the SystemC flavour of a model library against the plain one, in
// lockstep: same seeded random, protocol-legal stimulus into both, every cycle compared.
//
// usage: sc_lockstep [--only sc|plain] DIR NAME CYCLES [SEED]
//   DIR    the library directory (${PECOS_SIM_DIR})
//   NAME   an array variant (ws_int8_4x4: libpecos_sim_ws_int8_4x4.so against
//          libpecos_sim_sc_ws_int8_4x4.so) or a PPU (post_L4: libpecos_post_L4.so against
//          libpecos_post_sc_L4.so)
//   --only steps one of the two models alone and prints its simulated cycles/s (no check)
//
// One sc_module with a clock port (an sc_clock, 10 ns) and an SC_THREAD: the SC model is
// opened in its constructor and bound to the port (vsim_sc_bind / vpost_sc_bind); the thread
// steps the plain model (a function call) and the SC model (one clock period) with the same
// inputs and compares, every cycle: out_valid, the outputs when valid, the counters (arrays),
// vsim_cycle / vpost_cycle, and that no RTL assertion fired. A reset half-way (from the
// running thread) checks the immediate reset path; the one requested by the open runs at the
// first step. At the end one illegal input on purpose must make both report an assertion
// failure in the same step (each model prints it).
// Stimulus rules: tests/test_array_contract.c (ws: weight beats to any bank and column <
// COLS, data beats on either bank), tests/test_array_contract_os.c (os: blocks of 1..40
// beats, in_first/in_last, last beats at least ROWS steps apart, idle steps inside and
// between), tests/test_postproc.c (PPU: a configuration held per segment and drained, windows
// of 1..255 beats with a count on the last, idle steps).
// Prints one PASS line (after the two assertion messages), or one FAIL line with the seed,
// the first differing cycle and the command that reruns it; exit 1.
#include <dlfcn.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <systemc>

#include "vsim_sc.h"

namespace {

// splitmix64, as common/rng.h.
struct rng {
    uint64_t s;
    uint64_t next()
    {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [lo, hi].
    int64_t range(int64_t lo, int64_t hi)
    {
        return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
    }
};

// Looks up sym in h into *fn; false (and the message in err) if it is missing.
template <typename F> bool sym(void *h, const char *path, const char *name, F *fn, std::string &err)
{
    *fn = reinterpret_cast<F>(dlsym(h, name));
    if (*fn) return true;
    err = std::string(path) + ": no symbol " + name;
    return false;
}

// The vsim.h ABI of one loaded library (bind only in the SC flavour).
struct sim_api {
    vsim_t *(*open)(int);
    void (*info)(const vsim_t *, vsim_info_t *);
    void (*reset)(vsim_t *);
    void (*step)(vsim_t *, const vsim_in_t *, vsim_out_t *);
    uint64_t (*cycle)(const vsim_t *);
    void (*counters)(const vsim_t *, vsim_counters_t *);
    int (*assert_status)(const vsim_t *, uint64_t *);
    void (*close)(vsim_t *);
    int (*bind)(vsim_t *, void *) = nullptr;
};

// The vpost.h ABI of one loaded library.
struct post_api {
    vpost_t *(*open)(const char *);
    int (*lanes)(void);
    int (*latency)(void);
    void (*reset)(vpost_t *);
    void (*config)(vpost_t *, const vpost_cfg_t *);
    void (*step)(vpost_t *, bool, bool, bool, int, const int32_t *, const int32_t *, bool *,
                 int8_t *);
    uint64_t (*cycle)(const vpost_t *);
    int (*assert_status)(const vpost_t *, uint64_t *);
    void (*close)(vpost_t *);
    int (*bind)(vpost_t *, void *) = nullptr;
};

// dlopen()s path (never closed: an SC library's objects live as long as the kernel).
void *load(const std::string &path, std::string &err)
{
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) err = dlerror();
    return h;
}

bool load_sim(const std::string &path, bool sc, sim_api *a, std::string &err)
{
    void *h = load(path, err);
    const char *p = path.c_str();
    return h && sym(h, p, "vsim_open", &a->open, err) && sym(h, p, "vsim_info", &a->info, err) &&
           sym(h, p, "vsim_reset", &a->reset, err) && sym(h, p, "vsim_step", &a->step, err) &&
           sym(h, p, "vsim_cycle", &a->cycle, err) &&
           sym(h, p, "vsim_counters", &a->counters, err) &&
           sym(h, p, "vsim_assert_status", &a->assert_status, err) &&
           sym(h, p, "vsim_close", &a->close, err) &&
           (!sc || sym(h, p, "vsim_sc_bind", &a->bind, err));
}

bool load_post(const std::string &path, bool sc, post_api *a, std::string &err)
{
    void *h = load(path, err);
    const char *p = path.c_str();
    return h && sym(h, p, "vpost_open", &a->open, err) &&
           sym(h, p, "vpost_lanes", &a->lanes, err) &&
           sym(h, p, "vpost_latency", &a->latency, err) &&
           sym(h, p, "vpost_reset", &a->reset, err) &&
           sym(h, p, "vpost_config", &a->config, err) && sym(h, p, "vpost_step", &a->step, err) &&
           sym(h, p, "vpost_cycle", &a->cycle, err) &&
           sym(h, p, "vpost_assert_status", &a->assert_status, err) &&
           sym(h, p, "vpost_close", &a->close, err) &&
           (!sc || sym(h, p, "vpost_sc_bind", &a->bind, err));
}

enum class only_t { both, sc, plain };

struct options {
    std::string name;
    uint64_t cycles;
    uint64_t seed;
    only_t only;
};

// The plain model is stepped inside the SC_THREAD: its eval runs on the thread's stack (the
// SC model's runs in its own SC_METHOD, on the kernel's). SystemC's default 256 KB was enough
// for ws_int8_16x16; the margin is for bigger plain variants (untouched pages cost nothing).
constexpr std::size_t kThreadStack = 16u << 20;

// Prints the simulated speed of one model stepped alone.
void report_speed(const options &o, const char *which, uint64_t cycles, double s)
{
    std::printf("SPEED: %s %s: %" PRIu64 " cycles in %.3f s, %.0f cycles/s\n", which,
                o.name.c_str(), cycles, s, (double)cycles / s);
}

// --- arrays ---------------------------------------------------------------------------------

// The next cycle's inputs, legal for the array's protocol (see the file comment).
struct array_stim {
    int rows, cols, ob; // ob: bytes per operand
    bool os;
    rng g;
    uint8_t w[512], x[512];
    int32_t psum[256];
    // os: block state
    bool open = false, first_pending = false;
    int left = 0;
    int64_t last_tl = INT64_MIN / 2; // step of the last last-beat (none since reset)

    void fill(uint8_t *b, int n)
    {
        for (int i = 0; i < n; i++) b[i] = (uint8_t)g.next();
    }
    void after_reset()
    {
        open = first_pending = false;
        left = 0;
        last_tl = INT64_MIN / 2;
    }
    // Fills in for step number t (vsim_cycle numbering).
    void next(vsim_in_t *in, int64_t t)
    {
        std::memset(in, 0, sizeof *in);
        in->w_data = w;
        in->in_data = x;
        in->in_psum = psum;
        for (int c = 0; c < cols; c++) psum[c] = (int32_t)(uint32_t)g.next();
        if (!os) {
            in->w_valid = g.range(0, 3) == 0;
            in->w_bank = (uint8_t)g.range(0, 1);
            in->w_col = (uint16_t)g.range(0, cols - 1);
            fill(w, rows * ob);
            in->in_valid = g.range(0, 2) != 0;
            in->in_bank = (uint8_t)g.range(0, 1);
            fill(x, rows * ob);
            return;
        }
        fill(x, rows * ob);
        fill(w, cols * ob);
        if (!open && !first_pending) {
            if (g.range(0, 3) == 0) return; // idle between blocks
            first_pending = true;
            left = (int)g.range(1, 40);
        } else if (g.range(0, 3) == 0) {
            return; // idle inside a block (or before its first beat)
        }
        if (left == 1 && t < last_tl + rows) return; // last beats at least Rows steps apart
        in->in_valid = 1;
        in->in_first = first_pending;
        in->in_last = left == 1;
        first_pending = false;
        open = left > 1;
        if (--left == 0) last_tl = t;
    }
};

class array_lockstep : public sc_core::sc_module {
  public:
    sc_core::sc_in<bool> clk;
    int result = 2;     // 0 pass, 1 fail, 2 did not run
    bool ready = false; // the models are open and the thread is registered

    SC_HAS_PROCESS(array_lockstep);
    array_lockstep(sc_core::sc_module_name n, const sim_api *plain, const sim_api *sc,
                   const options &o)
        : sc_module(n), clk("clk"), plain_(plain), sc_(sc), o_(o)
    {
        if (o_.only != only_t::plain) {
            dut_ = sc_->open(0);
            if (!dut_ || sc_->bind(dut_, &clk) != 0) {
                std::printf("FAIL: sc.lockstep %s: cannot open or bind the SC model\n",
                            o_.name.c_str());
                return;
            }
        }
        if (o_.only != only_t::sc && !(ref_ = plain_->open(0))) {
            std::printf("FAIL: sc.lockstep %s: cannot open the plain model\n", o_.name.c_str());
            return;
        }
        SC_THREAD(run);
        set_stack_size(kThreadStack);
        ready = true;
    }
    ~array_lockstep() override
    {
        if (dut_) sc_->close(dut_);
        if (ref_) plain_->close(ref_);
    }

  private:
    const sim_api *plain_, *sc_;
    options o_;
    vsim_t *dut_ = nullptr, *ref_ = nullptr;

    // One FAIL line; ends the simulation.
    void fail(uint64_t cyc, const char *what)
    {
        std::printf("FAIL: sc.lockstep %s seed %" PRIu64 ": cycle %" PRIu64 ": %s (rerun: "
                    "sc_lockstep DIR %s %" PRIu64 " %" PRIu64 ")\n",
                    o_.name.c_str(), o_.seed, cyc, what, o_.name.c_str(), o_.cycles, o_.seed);
        result = 1;
        sc_core::sc_stop();
    }

    void run()
    {
        vsim_info_t ia{}, ib{};
        (dut_ ? sc_ : plain_)->info(dut_ ? dut_ : ref_, &ia);
        if (dut_ && ref_) {
            plain_->info(ref_, &ib);
            if (ia.rows != ib.rows || ia.cols != ib.cols || std::strcmp(ia.dtype, ib.dtype) != 0 ||
                std::strcmp(ia.dataflow, ib.dataflow) != 0 || ia.abi_version != ib.abi_version)
                return fail(0, "vsim_info differs");
        }
        array_stim st;
        st.rows = ia.rows;
        st.cols = ia.cols;
        st.ob = std::strcmp(ia.dtype, "int8") == 0 ? 1 : 2;
        st.os = std::strcmp(ia.dataflow, "os") == 0;
        st.g.s = o_.seed;
        int32_t out_ref[256], out_dut[256];
        vsim_out_t oref{0, out_ref}, odut{0, out_dut};
        vsim_in_t in;
        if (o_.only != only_t::both) {
            const auto t0 = std::chrono::steady_clock::now();
            for (uint64_t t = 0; t < o_.cycles; t++) {
                st.next(&in, (int64_t)t);
                if (dut_)
                    sc_->step(dut_, &in, &odut);
                else
                    plain_->step(ref_, &in, &oref);
            }
            const std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
            report_speed(o_, dut_ ? "sc" : "plain", o_.cycles, s.count());
            result = 0;
            sc_core::sc_stop();
            return;
        }
        const uint64_t reset_at = o_.cycles / 2;
        uint64_t outs = 0, t_model = 0;
        char what[256];
        for (uint64_t t = 0; t < o_.cycles; t++, t_model++) {
            if (t == reset_at) { // the immediate path: from the running thread
                plain_->reset(ref_);
                sc_->reset(dut_);
                st.after_reset();
                t_model = 0;
                if (plain_->cycle(ref_) != 0 || sc_->cycle(dut_) != 0)
                    return fail(t, "vsim_cycle not 0 after reset");
            }
            st.next(&in, (int64_t)t_model);
            plain_->step(ref_, &in, &oref);
            sc_->step(dut_, &in, &odut);
            if (oref.out_valid != odut.out_valid) {
                std::snprintf(what, sizeof what, "out_valid plain %d sc %d", oref.out_valid,
                              odut.out_valid);
                return fail(t, what);
            }
            if (oref.out_valid) {
                outs++;
                for (int c = 0; c < st.cols; c++)
                    if (out_ref[c] != out_dut[c]) {
                        std::snprintf(what, sizeof what, "out_psum[%d] plain 0x%08x sc 0x%08x",
                                      c, (unsigned)out_ref[c], (unsigned)out_dut[c]);
                        return fail(t, what);
                    }
            }
            vsim_counters_t ca, cb;
            plain_->counters(ref_, &ca);
            sc_->counters(dut_, &cb);
            if (ca.beats != cb.beats || ca.wbeats != cb.wbeats || ca.busy != cb.busy ||
                ca.macs != cb.macs) {
                std::snprintf(what, sizeof what,
                              "counters plain beats %" PRIu64 " wbeats %" PRIu64 " busy %" PRIu64
                              " macs %" PRIu64 ", sc %" PRIu64 " %" PRIu64 " %" PRIu64
                              " %" PRIu64,
                              ca.beats, ca.wbeats, ca.busy, ca.macs, cb.beats, cb.wbeats,
                              cb.busy, cb.macs);
                return fail(t, what);
            }
            const uint64_t ya = plain_->cycle(ref_), yb = sc_->cycle(dut_);
            if (ya != yb || ya != t_model + 1) {
                std::snprintf(what, sizeof what, "vsim_cycle plain %" PRIu64 " sc %" PRIu64, ya,
                              yb);
                return fail(t, what);
            }
            uint64_t aa = 0, ab = 0;
            if (plain_->assert_status(ref_, &aa) || sc_->assert_status(dut_, &ab))
                return fail(t, "an RTL assertion fired (see above): stimulus not legal");
        }
        if (outs == 0) return fail(o_.cycles, "no output in the whole run: stimulus broken");
        // Assertion parity: after a reset, one illegal beat (ws: a weight column out of range,
        // WsWeightColInRange; os: a beat outside a block, OsBeatInsideBlock) must fire in both
        // models, in the same step.
        plain_->reset(ref_);
        sc_->reset(dut_);
        std::memset(&in, 0, sizeof in);
        in.w_data = st.w;
        in.in_data = st.x;
        in.in_psum = st.psum;
        if (st.os) {
            in.in_valid = 1;
        } else {
            in.w_valid = 1;
            in.w_col = (uint16_t)st.cols;
        }
        std::printf("sc.lockstep %s: an illegal beat on purpose: both models print an assertion "
                    "failure\n", o_.name.c_str());
        std::fflush(stdout);
        plain_->step(ref_, &in, &oref);
        sc_->step(dut_, &in, &odut);
        uint64_t aa = 0, ab = 0;
        const int fa = plain_->assert_status(ref_, &aa), fb = sc_->assert_status(dut_, &ab);
        if (fa != 1 || fb != 1 || aa != ab) {
            std::snprintf(what, sizeof what, "illegal beat: assertion plain %d (cycle %" PRIu64
                          ") sc %d (cycle %" PRIu64 ")", fa, aa, fb, ab);
            return fail(o_.cycles, what);
        }
        std::printf("PASS: sc.lockstep %s seed %" PRIu64 ": %" PRIu64 " cycles compared, %" PRIu64
                    " outputs, reset at cycle %" PRIu64 ", assertion reported alike, SystemC "
                    "time %s\n",
                    o_.name.c_str(), o_.seed, o_.cycles, outs, reset_at,
                    sc_core::sc_time_stamp().to_string().c_str());
        result = 0;
        sc_core::sc_stop();
    }
};

// --- post-processing unit -------------------------------------------------------------------

// The next cycle's beat and the configuration changes: segments of windows under one random
// configuration, each followed by a drain of LAT+2 idle steps (see the file comment).
struct post_stim {
    int lanes, lat;
    rng g;
    vpost_cfg_t cfg{};
    int32_t acc[256], bias[256];
    int windows = 0;     // windows left in the segment
    int wleft = 0;       // beats left in the open window (0: none open)
    int wlen = 0;        // its length
    int drain = 0;       // idle steps left before the next configuration
    bool new_cfg = true; // draw a configuration at the next call

    void after_reset()
    {
        windows = wleft = drain = 0;
        new_cfg = true;
    }
    // True at a segment boundary (no window open, pipeline drained).
    bool idle_point() const { return windows == 0 && wleft == 0 && drain == 0; }

    // Returns true if *cfg_out is a new configuration to apply before the step.
    bool next(bool *valid, bool *first, bool *last, int *count, vpost_cfg_t *cfg_out)
    {
        *valid = *first = *last = false;
        *count = 0;
        bool changed = false;
        for (int l = 0; l < lanes; l++) {
            acc[l] = (int32_t)(uint32_t)g.next();
            if (g.range(0, 1)) acc[l] >>= g.range(0, 31); // small values too
            bias[l] = (int32_t)g.range(-100000, 100000);
        }
        if (drain > 0) {
            drain--;
            return false;
        }
        if (windows == 0 && wleft == 0) {
            if (!new_cfg) {
                drain = lat + 2;
                new_cfg = true;
                return false;
            }
            cfg.mult = (uint32_t)g.next() & 0x7FFFFFFFu;
            cfg.shift = (int)g.range(0, 32);
            cfg.zp = (int8_t)g.range(-128, 127);
            cfg.rq_en = g.range(0, 3) != 0;
            cfg.relu_en = g.range(0, 1) != 0;
            cfg.pool_mode = (int)g.range(0, 2);
            *cfg_out = cfg;
            changed = true;
            new_cfg = false;
            windows = (int)g.range(1, 30);
        }
        if (g.range(0, 3) == 0) return changed; // idle step
        if (cfg.pool_mode == 0) {
            *valid = true;
            *first = g.range(0, 1);
            *last = g.range(0, 1);
            *count = (int)g.range(0, 255);
            windows--;
            return changed;
        }
        if (wleft == 0) {
            wlen = g.range(0, 15) == 0 ? (int)g.range(1, 255) : (int)g.range(1, 6);
            wleft = wlen;
            *first = true;
        }
        *valid = true;
        *last = --wleft == 0;
        if (*last) {
            *count = g.range(0, 1) ? wlen : (int)g.range(1, 255);
            windows--;
        }
        return changed;
    }
};

class post_lockstep : public sc_core::sc_module {
  public:
    sc_core::sc_in<bool> clk;
    int result = 2;     // 0 pass, 1 fail, 2 did not run
    bool ready = false; // the models are open and the thread is registered

    SC_HAS_PROCESS(post_lockstep);
    post_lockstep(sc_core::sc_module_name n, const post_api *plain, const post_api *sc,
                  const options &o)
        : sc_module(n), clk("clk"), plain_(plain), sc_(sc), o_(o)
    {
        if (o_.only != only_t::plain) {
            dut_ = sc_->open(nullptr);
            if (!dut_ || sc_->bind(dut_, &clk) != 0) {
                std::printf("FAIL: sc.lockstep %s: cannot open or bind the SC model\n",
                            o_.name.c_str());
                return;
            }
        }
        if (o_.only != only_t::sc && !(ref_ = plain_->open(nullptr))) {
            std::printf("FAIL: sc.lockstep %s: cannot open the plain model\n", o_.name.c_str());
            return;
        }
        SC_THREAD(run);
        set_stack_size(kThreadStack);
        ready = true;
    }
    ~post_lockstep() override
    {
        if (dut_) sc_->close(dut_);
        if (ref_) plain_->close(ref_);
    }

  private:
    const post_api *plain_, *sc_;
    options o_;
    vpost_t *dut_ = nullptr, *ref_ = nullptr;

    void fail(uint64_t cyc, const char *what)
    {
        std::printf("FAIL: sc.lockstep %s seed %" PRIu64 ": cycle %" PRIu64 ": %s (rerun: "
                    "sc_lockstep DIR %s %" PRIu64 " %" PRIu64 ")\n",
                    o_.name.c_str(), o_.seed, cyc, what, o_.name.c_str(), o_.cycles, o_.seed);
        result = 1;
        sc_core::sc_stop();
    }

    void run()
    {
        const post_api *any = dut_ ? sc_ : plain_;
        if (dut_ && ref_ &&
            (sc_->lanes() != plain_->lanes() || sc_->latency() != plain_->latency()))
            return fail(0, "vpost_lanes or vpost_latency differs");
        post_stim st;
        st.lanes = any->lanes();
        st.lat = any->latency();
        st.g.s = o_.seed;
        int8_t out_ref[256], out_dut[256];
        bool valid, first, last, vref = false, vdut = false;
        int count;
        vpost_cfg_t cfg;
        if (o_.only != only_t::both) {
            const auto t0 = std::chrono::steady_clock::now();
            for (uint64_t t = 0; t < o_.cycles; t++) {
                const bool c = st.next(&valid, &first, &last, &count, &cfg);
                if (dut_) {
                    if (c) sc_->config(dut_, &cfg);
                    sc_->step(dut_, valid, first, last, count, st.acc, st.bias, &vdut, out_dut);
                } else {
                    if (c) plain_->config(ref_, &cfg);
                    plain_->step(ref_, valid, first, last, count, st.acc, st.bias, &vref,
                                 out_ref);
                }
            }
            const std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
            report_speed(o_, dut_ ? "sc" : "plain", o_.cycles, s.count());
            result = 0;
            sc_core::sc_stop();
            return;
        }
        bool reset_done = false;
        uint64_t outs = 0, t_model = 0, reset_at = 0;
        char what[256];
        for (uint64_t t = 0; t < o_.cycles; t++, t_model++) {
            if (!reset_done && t >= o_.cycles / 2 && st.idle_point()) {
                plain_->reset(ref_);
                sc_->reset(dut_);
                st.after_reset();
                reset_done = true;
                reset_at = t;
                t_model = 0;
                if (plain_->cycle(ref_) != 0 || sc_->cycle(dut_) != 0)
                    return fail(t, "vpost_cycle not 0 after reset");
            }
            if (st.next(&valid, &first, &last, &count, &cfg)) {
                plain_->config(ref_, &cfg);
                sc_->config(dut_, &cfg);
            }
            // Odd cycles without bias: the NULL path.
            const int32_t *bias = (t & 1) ? nullptr : st.bias;
            plain_->step(ref_, valid, first, last, count, st.acc, bias, &vref, out_ref);
            sc_->step(dut_, valid, first, last, count, st.acc, bias, &vdut, out_dut);
            if (vref != vdut) {
                std::snprintf(what, sizeof what, "out_valid plain %d sc %d", vref, vdut);
                return fail(t, what);
            }
            if (vref) {
                outs++;
                for (int l = 0; l < st.lanes; l++)
                    if (out_ref[l] != out_dut[l]) {
                        std::snprintf(what, sizeof what, "out[%d] plain %d sc %d", l, out_ref[l],
                                      out_dut[l]);
                        return fail(t, what);
                    }
            }
            const uint64_t ya = plain_->cycle(ref_), yb = sc_->cycle(dut_);
            if (ya != yb || ya != t_model + 1) {
                std::snprintf(what, sizeof what, "vpost_cycle plain %" PRIu64 " sc %" PRIu64, ya,
                              yb);
                return fail(t, what);
            }
            uint64_t aa = 0, ab = 0;
            if (plain_->assert_status(ref_, &aa) || sc_->assert_status(dut_, &ab))
                return fail(t, "an RTL assertion fired (see above): stimulus not legal");
        }
        if (outs == 0) return fail(o_.cycles, "no output in the whole run: stimulus broken");
        if (!reset_done) return fail(o_.cycles, "the run never reached a reset point");
        // Assertion parity: the reserved pool mode 3 (PostPoolModeNotReserved) must fire in
        // both models, in the same step.
        std::printf("sc.lockstep %s: a reserved pool mode on purpose: both models print an "
                    "assertion failure\n", o_.name.c_str());
        std::fflush(stdout);
        cfg = st.cfg;
        cfg.pool_mode = 3;
        plain_->config(ref_, &cfg);
        sc_->config(dut_, &cfg);
        plain_->step(ref_, false, false, false, 0, st.acc, st.bias, &vref, out_ref);
        sc_->step(dut_, false, false, false, 0, st.acc, st.bias, &vdut, out_dut);
        uint64_t aa = 0, ab = 0;
        const int fa = plain_->assert_status(ref_, &aa), fb = sc_->assert_status(dut_, &ab);
        if (fa != 1 || fb != 1 || aa != ab) {
            std::snprintf(what, sizeof what, "reserved pool mode: assertion plain %d (cycle %"
                          PRIu64 ") sc %d (cycle %" PRIu64 ")", fa, aa, fb, ab);
            return fail(o_.cycles, what);
        }
        std::printf("PASS: sc.lockstep %s seed %" PRIu64 ": %" PRIu64 " cycles compared, %" PRIu64
                    " outputs, reset at cycle %" PRIu64 ", assertion reported alike\n",
                    o_.name.c_str(), o_.seed, o_.cycles, outs, reset_at);
        result = 0;
        sc_core::sc_stop();
    }
};

int usage()
{
    std::fprintf(stderr, "usage: sc_lockstep [--only sc|plain] DIR NAME CYCLES [SEED]\n"
                         "  NAME: an array variant (ws_int8_4x4) or a PPU (post_L4)\n");
    return 2;
}

}  // namespace

int sc_main(int argc, char *argv[])
{
    options o{};
    o.only = only_t::both;
    int a = 1;
    if (a + 1 < argc && std::strcmp(argv[a], "--only") == 0) {
        if (std::strcmp(argv[a + 1], "sc") == 0)
            o.only = only_t::sc;
        else if (std::strcmp(argv[a + 1], "plain") == 0)
            o.only = only_t::plain;
        else
            return usage();
        a += 2;
    }
    if (argc - a < 3 || argc - a > 4) return usage();
    const std::string dir = argv[a];
    o.name = argv[a + 1];
    o.cycles = std::strtoull(argv[a + 2], nullptr, 10);
    o.seed = argc - a == 4 ? std::strtoull(argv[a + 3], nullptr, 10) : 20260115;
    if (o.cycles == 0) return usage();

    // No "stopped by user" note (CTest sets SYSTEMC_DISABLE_COPYRIGHT_MESSAGE: no banner).
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
    std::string err;
    sc_core::sc_clock clock("clock", sc_core::sc_time(10, sc_core::SC_NS));
    int rc;
    if (o.name.rfind("post_L", 0) == 0) {
        const std::string lanes = o.name.substr(6);
        post_api plain, sc;
        if (!load_post(dir + "/libpecos_post_L" + lanes + ".so", false, &plain, err) ||
            !load_post(dir + "/libpecos_post_sc_L" + lanes + ".so", true, &sc, err)) {
            std::printf("FAIL: sc.lockstep %s: %s\n", o.name.c_str(), err.c_str());
            return 1;
        }
        auto *top = new post_lockstep("lockstep", &plain, &sc, o);
        top->clk(clock);
        if (top->ready) sc_core::sc_start();
        rc = top->ready ? top->result : 1;
        delete top;
    } else {
        sim_api plain, sc;
        if (!load_sim(dir + "/libpecos_sim_" + o.name + ".so", false, &plain, err) ||
            !load_sim(dir + "/libpecos_sim_sc_" + o.name + ".so", true, &sc, err)) {
            std::printf("FAIL: sc.lockstep %s: %s\n", o.name.c_str(), err.c_str());
            return 1;
        }
        auto *top = new array_lockstep("lockstep", &plain, &sc, o);
        top->clk(clock);
        if (top->ready) sc_core::sc_start();
        rc = top->ready ? top->result : 1;
        delete top;
    }
    if (rc == 2) std::printf("FAIL: sc.lockstep %s: the test did not run\n", o.name.c_str());
    return rc == 0 ? 0 : 1;
}
