// pecos_accel.h - the accelerator as a SystemC/TLM-2.0 component: the verilated PE array and
// post-processing unit (the same RTL as the C host's models, verilated with --sc and clocked
// by the platform's clock), behind the C host's memory system (tiler, DMA engine, GLB and
// sequencer: host/run/array_run.c) whose DRAM side is this module's initiator socket.
//
// Ports:
//   clk   sc_in<bool>: the accelerator clock (one array cycle per period).
//   csr   TLM-2.0 target socket (base protocol, b_transport and transport_dbg): the registers
//         of pecos_accel_regs.h at offsets from 0 (the interconnect subtracts the base).
//   mem   TLM-2.0 initiator socket (base protocol, b_transport): the DMA's reads and writes
//         of system memory. Each contiguous run of a DMA descriptor is split into
//         transactions of at most one burst (the memory configuration's burst bytes,
//         streaming width = length), issued at the cycle the DMA model completes the
//         descriptor; the annotated delay the target returns is accumulated in
//         bus_delay() but not waited for: the DMA model's timing (the one the C backend
//         has, from the same memory configuration) is the accelerator's. A response other
//         than TLM_OK_RESPONSE stops the job with PECOS_ERR_BUS.
//   irq   sc_out<bool>: high while IRQ_STATUS & IRQ_EN is nonzero.
//
// A job's cycles are clock periods: the array model steps once per rising edge, so
// sc_time_stamp() advances by cycles x period while the job runs. A bad descriptor sets
// STATUS.ERR and raises the interrupt; the module never stops the simulation.
#ifndef PECOS_ACCEL_H
#define PECOS_ACCEL_H

#include <cstdint>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "pecos_accel_regs.h"

// What is built into the accelerator: fixed at elaboration.
struct pecos_accel_cfg {
    int rows = 16, cols = 16;
    int dtype = PECOS_DTYPE_INT8;   // PECOS_DTYPE_*
    bool os = false;                // the output-stationary array (else ws: WS and IS)
    // The memory system (as pecos run's options): DRAM bandwidth (bytes/cycle, 0 unlimited),
    // latency (cycles), burst (bytes), capacity (bytes); GLB: unified bytes, or the three
    // partitions (0 everywhere: unbounded); psum ports (1 or 2).
    double dram_bw = 0;
    uint64_t dram_latency = 0, dram_burst = 64, dram_capacity = 4096ull << 20;
    uint64_t glb_total = 0, glb_ifmap = 0, glb_weight = 0, glb_psum = 0;
    int psum_ports = 2;
};

class pecos_accel : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;
    sc_core::sc_out<bool> irq;
    tlm_utils::simple_target_socket<pecos_accel> csr;
    tlm_utils::simple_initiator_socket<pecos_accel> mem;

    // Loads the SC array variant (libpecos_sim_sc_<ws|os>_<dtype>_<R>x<C>.so) and the SC
    // post-processing unit (libpecos_post_sc_L<cols>.so) from the model directory (pecos's
    // PECOS_SIM_DIR rules; built on first use like the C host's), or throws
    // std::runtime_error with a one-line reason.
    pecos_accel(sc_core::sc_module_name name, const pecos_accel_cfg &cfg);
    ~pecos_accel() override;

    // The one-line reason of the last error (STATUS.ERR), for logs; empty if none.
    const std::string &last_error() const { return err_; }
    // Sum of the delays the memory target annotated on the DMA's transactions.
    sc_core::sc_time bus_delay() const { return bus_delay_; }
    // Transactions issued on the initiator socket.
    uint64_t bus_transactions() const { return bus_txns_; }

    struct impl;

private:
    void csr_b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned csr_transport_dbg(tlm::tlm_generic_payload &gp);
    void sequencer();
    void irq_update();
    void irq_method();
    void reg_write(unsigned off, uint32_t v);

    std::unique_ptr<impl> p_;
    std::string err_;
    sc_core::sc_time bus_delay_ = sc_core::SC_ZERO_TIME;
    uint64_t bus_txns_ = 0;
};

#endif
