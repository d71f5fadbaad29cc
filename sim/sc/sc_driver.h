// sc_driver.h - the driver side of `pecos run --backend sc` (pecos-sc): an SC_THREAD that
// runs the pecos run command, with a layer backend (host/run/backend.h) that sends every
// layer and post-processing job to pecos_accel through the bus, the way driver software
// would: tensors written into system memory, the descriptor registers programmed, START,
// wait for the interrupt, status, counters and results read back. Every check of
// --backend c then runs on what came back.
#ifndef PECOS_SC_DRIVER_H
#define PECOS_SC_DRIVER_H

#include <cstdint>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

extern "C" {
#include "backend.h"
}

struct run_opts;
class pecos_accel;

class pecos_driver : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<pecos_driver> sock;
    sc_core::sc_in<bool> irq;

    // o: the parsed pecos run options (its backend is set to this driver's); accel: for
    // its last_error() text in failure lines; csr_base: the accelerator's registers on the
    // bus; dram_base: where the driver places tensors.
    pecos_driver(sc_core::sc_module_name name, run_opts *o, const pecos_accel *accel,
                 uint64_t csr_base, uint64_t dram_base);

    // The pecos run exit status, once the thread has finished.
    int exit_code() const { return exit_code_; }
    // Jobs sent, and the sum of the accelerator's job cycles.
    uint64_t jobs() const { return jobs_; }
    uint64_t job_cycles() const { return job_cycles_; }

    // Register access and memory through the bus (public for the backend's callbacks).
    uint32_t rd(unsigned off);
    void wr(unsigned off, uint32_t v);
    void wr64(unsigned lo, uint64_t v);
    uint64_t cnt(int i);
    bool put(uint64_t a, const void *src, uint64_t n);
    bool get(uint64_t a, void *dst, uint64_t n);
    // START, wait for the interrupt, clear it; 0, or PECOS_EPARAM / PECOS_ESIM / PECOS_ENOMEM
    // with the reason in err.
    int start_and_wait(const char *what, char *err, size_t errlen);
    // A bump allocator over DRAM for one job: the next free address, 4 KiB aligned.
    uint64_t alloc(uint64_t n);
    void alloc_reset() { next_ = dram_base_; }

    run_opts *opts() const { return o_; }

private:
    void main_thread();
    bool transport(bool write, uint64_t a, void *p, uint64_t n);

    run_opts *o_;
    const pecos_accel *accel_;
    uint64_t csr_base_, dram_base_, next_ = 0;
    layer_backend_t backend_{};
    int exit_code_ = 2;
    uint64_t jobs_ = 0, job_cycles_ = 0;
    sc_core::sc_time pending_ = sc_core::SC_ZERO_TIME;  // annotated delays not yet waited
    std::string bus_err_;
};

#endif
