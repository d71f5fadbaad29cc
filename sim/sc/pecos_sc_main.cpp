// pecos_sc_main.cpp - pecos-sc: `pecos run` with the accelerator as a SystemC/TLM-2.0
// component (what `pecos run --backend sc` runs). The same options as pecos run; the
// platform is built from them:
//
//   driver (runs pecos run) --+                    +--> dram   [0, 1 TiB)
//                             +--> bus (pecos_bus) +
//   pecos_accel.mem ----------+                    +--> pecos_accel.csr [CSR_BASE, +4 KiB)
//   sc_clock clk (1 ns) --> pecos_accel.clk;  pecos_accel.irq --> driver.irq
//
// The DRAM target annotates the memory configuration's latency and bandwidth; the
// accelerator is built with the options' array (rows, cols, dtype, the dataflow's array) and
// memory system.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>

#include <systemc>

#include "pecos_accel.h"
#include "sc_bus.h"
#include "sc_driver.h"
#include "sc_memory.h"

extern "C" {
#include "cli.h"
#include "run_opts.h"
}

namespace {
constexpr uint64_t kDramSize = 1ull << 40;
constexpr uint64_t kCsrBase = 1ull << 44;
}  // namespace

// pecos-sc's own main: SystemC prints its banner when the kernel starts, before sc_main, on
// stderr; pecos's output stays pecos's (the library's main would do the rest the same way).
int main(int argc, char **argv)
{
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char **argv)
{
    if (argc < 2 || std::strcmp(argv[1], "run") != 0) {
        std::fprintf(stderr, "pecos-sc: usage: pecos-sc run OPTIONS (the options of pecos run; "
                             "pecos run --backend sc runs this)\n");
        return PECOS_EXIT_USAGE;
    }
    static run_opts_t o; /* large (layer table): not on the stack */
    const int prc = run_opts_parse(argc - 1, argv + 1, &o);
    if (prc != 0) return prc > 0 ? PECOS_EXIT_PASS : PECOS_EXIT_USAGE;
    o.backend_sc = true;
    if (o.no_build) setenv("PECOS_NO_BUILD", "1", 1); /* the accelerator's models, too */
    // The kernel's "stopped by user" line would be the last line of every report.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);

    pecos_accel_cfg cfg;
    cfg.rows = o.rows;
    cfg.cols = o.cols;
    cfg.dtype = (int)o.dtype;
    cfg.os = o.dfs[0] == DF_OS;
    cfg.dram_bw = o.mem.dram.bw;
    cfg.dram_latency = o.mem.dram.latency;
    cfg.dram_burst = o.mem.dram.burst;
    cfg.dram_capacity = o.mem.dram_capacity;
    cfg.glb_total = o.mem.glb_total;
    cfg.glb_ifmap = o.mem.glb_ifmap;
    cfg.glb_weight = o.mem.glb_weight;
    cfg.glb_psum = o.mem.glb_psum;
    cfg.psum_ports = o.mem.psum_ports;

    const sc_core::sc_time period(1, sc_core::SC_NS);
    sc_core::sc_clock clk("clk", period);
    sc_core::sc_signal<bool> irq("irq");
    pecos_bus bus("bus");
    pecos_dram dram("dram", kDramSize, o.mem.dram.bw, o.mem.dram.latency, o.mem.dram.burst,
                    period);
    std::unique_ptr<pecos_accel> accel;
    try {
        accel = std::make_unique<pecos_accel>("accel", cfg);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "pecos run: --backend sc: %s\n", e.what());
        return PECOS_EXIT_USAGE;
    }
    pecos_driver driver("driver", &o, accel.get(), kCsrBase, 0);
    accel->clk(clk);
    accel->irq(irq);
    driver.irq(irq);
    driver.sock(bus.targ);
    accel->mem(bus.targ);
    bus.init(dram.socket);
    bus.init(accel->csr);
    bus.map(0, 0, kDramSize);
    bus.map(1, kCsrBase, 0x1000);
    sc_core::sc_start();
    // What went through the platform: the proof that the layers ran on the SystemC component.
    std::fprintf(stderr,
                 "pecos-sc: %llu jobs on pecos_accel (%llu accelerator cycles, %.0f ns of "
                 "simulated time), %llu DMA transactions on its TLM socket\n",
                 (unsigned long long)driver.jobs(), (unsigned long long)driver.job_cycles(),
                 sc_core::sc_time_stamp().to_seconds() * 1e9,
                 (unsigned long long)accel->bus_transactions());
    return driver.exit_code();
}
