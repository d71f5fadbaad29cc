// sc_memory.h - pecos_dram: system memory as a TLM-2.0 target (base protocol, b_transport and
// transport_dbg), with the C host's DRAM timing (host/mem/dma.h) as annotated delays.
//
// Storage is sparse: 64 KiB pages allocated on the first write that touches them; bytes never
// written read as 0, so a 4 GiB memory costs nothing until it is used.
//
// Timing (b_transport). One channel, times in cycles of clock_period:
//   x     = sc_time_stamp() + the incoming delay, in cycles (a real number);
//   bus   = the transaction's length rounded up to whole bursts of burst_bytes;
//   start = max(x + latency, chan) + bus / bw;   chan = start   (the channel is free from then)
//   done  = ceil(start)                          (the data is there at that clock edge)
//   bw 0 (unlimited): done = ceil(x + latency), the channel plays no part.
// The delay returned is done - sc_time_stamp() (never less than the incoming one). This is
// dma_issue()'s formula with one transaction as one descriptor of one run: two requests
// issued at the same x share the channel (the second starts when the first ends), so an
// initiator that issues back to back sees the contention. The channel-free time is state of
// the memory: initiators with different local time offsets are served in call order.
//
// Responses: address + length outside [0, size) TLM_ADDRESS_ERROR_RESPONSE; a byte-enable
// pointer TLM_BYTE_ENABLE_ERROR_RESPONSE; streaming width < length TLM_BURST_ERROR_RESPONSE;
// length 0 TLM_GENERIC_ERROR_RESPONSE; TLM_IGNORE_COMMAND (in range) TLM_OK_RESPONSE without
// data, timing or statistics. A failed transaction moves no data and leaves the delay alone.
// DMI is not offered.
//
// transport_dbg: reads or writes without timing or statistics (loaders, debuggers, checkers);
// byte enables and streaming width are ignored; it returns the bytes moved (those of the
// transaction that lie in [0, size), 0 for TLM_IGNORE_COMMAND).
#ifndef PECOS_SC_MEMORY_H
#define PECOS_SC_MEMORY_H

#include <cstdint>
#include <memory>
#include <unordered_map>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

class pecos_dram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<pecos_dram> socket;

    // size_bytes: capacity (> 0); bw_bytes_per_cycle: channel bandwidth (0: unlimited);
    // latency_cycles: request to first byte; burst_bytes: channel granularity (>= 1);
    // clock_period: the cycle the timing counts in (> 0). Bad values are SC_REPORT_ERROR.
    pecos_dram(sc_core::sc_module_name name, uint64_t size_bytes, double bw_bytes_per_cycle,
               uint64_t latency_cycles, uint64_t burst_bytes, sc_core::sc_time clock_period);
    ~pecos_dram() override;

    uint64_t size() const { return size_; }
    // Statistics of the b_transport reads and writes that succeeded.
    uint64_t bytes_read() const { return rd_bytes_; }
    uint64_t bytes_written() const { return wr_bytes_; }
    uint64_t transactions() const { return txns_; }
    uint64_t bus_bytes() const { return bus_bytes_; } // lengths rounded up to bursts
    // Pages of storage allocated so far (64 KiB each).
    uint64_t pages() const { return pages_.size(); }
    // The cycle from which the channel is free (0 before the first timed request).
    double channel_free_cycle() const { return chan_; }

    static constexpr uint64_t page_bytes = 64 * 1024;

private:
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned transport_dbg(tlm::tlm_generic_payload &gp);
    // Copies n bytes at addr (in range) to or from p; reads of absent pages give zeros.
    void read_bytes(uint64_t addr, unsigned char *p, uint64_t n) const;
    void write_bytes(uint64_t addr, const unsigned char *p, uint64_t n);

    const uint64_t size_;
    const double bw_;
    const uint64_t latency_, burst_;
    const sc_core::sc_time period_;
    double chan_ = 0; // cycle from which the channel is free
    std::unordered_map<uint64_t, std::unique_ptr<unsigned char[]>> pages_; // page index -> bytes
    uint64_t rd_bytes_ = 0, wr_bytes_ = 0, txns_ = 0, bus_bytes_ = 0;
};

#endif
