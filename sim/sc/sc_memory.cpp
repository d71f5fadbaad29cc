// sc_memory.cpp - pecos_dram (see sc_memory.h for the timing and the responses).
#include "sc_memory.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

using sc_core::sc_time;

pecos_dram::pecos_dram(sc_core::sc_module_name name, uint64_t size_bytes, double bw_bytes_per_cycle,
                       uint64_t latency_cycles, uint64_t burst_bytes, sc_time clock_period)
    : sc_core::sc_module(name), socket("socket"), size_(size_bytes), bw_(bw_bytes_per_cycle),
      latency_(latency_cycles), burst_(burst_bytes), period_(clock_period)
{
    if (size_ == 0 || !(bw_ >= 0) || burst_ == 0 || period_ == sc_core::SC_ZERO_TIME)
        SC_REPORT_ERROR("pecos_dram", (std::string(this->name()) +
                                       ": size, burst and clock period must be > 0, bw >= 0")
                                          .c_str());
    socket.register_b_transport(this, &pecos_dram::b_transport);
    socket.register_transport_dbg(this, &pecos_dram::transport_dbg);
}

pecos_dram::~pecos_dram() = default;

void pecos_dram::read_bytes(uint64_t addr, unsigned char *p, uint64_t n) const
{
    while (n) {
        const uint64_t off = addr % page_bytes, k = std::min(n, page_bytes - off);
        const auto it = pages_.find(addr / page_bytes);
        if (it == pages_.end())
            std::memset(p, 0, k);
        else
            std::memcpy(p, it->second.get() + off, k);
        addr += k, p += k, n -= k;
    }
}

void pecos_dram::write_bytes(uint64_t addr, const unsigned char *p, uint64_t n)
{
    while (n) {
        const uint64_t off = addr % page_bytes, k = std::min(n, page_bytes - off);
        auto &page = pages_[addr / page_bytes];
        if (!page) page.reset(new unsigned char[page_bytes]()); // zeroed
        std::memcpy(page.get() + off, p, k);
        addr += k, p += k, n -= k;
    }
}

void pecos_dram::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    const uint64_t addr = gp.get_address(), len = gp.get_data_length();
    if (addr >= size_ || len > size_ - addr) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (gp.get_streaming_width() < len) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (len == 0) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const tlm::tlm_command cmd = gp.get_command();
    if (cmd == tlm::TLM_IGNORE_COMMAND) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }

    // Timing: dma_issue()'s formula for one run of len bytes issued at cycle x.
    const sc_time now = sc_core::sc_time_stamp();
    const double x = (double)(now + delay).value() / (double)period_.value();
    const uint64_t bus = (len + burst_ - 1) / burst_ * burst_;
    double done;
    if (bw_ > 0) {
        double start = x + (double)latency_;
        if (chan_ > start) start = chan_;
        start += (double)bus / bw_;
        chan_ = start;
        done = std::ceil(start);
    } else {
        done = std::ceil(x + (double)latency_);
    }
    delay = sc_time::from_value((uint64_t)done * period_.value()) - now;

    if (cmd == tlm::TLM_READ_COMMAND) {
        read_bytes(addr, gp.get_data_ptr(), len);
        rd_bytes_ += len;
    } else {
        write_bytes(addr, gp.get_data_ptr(), len);
        wr_bytes_ += len;
    }
    txns_++;
    bus_bytes_ += bus;
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned pecos_dram::transport_dbg(tlm::tlm_generic_payload &gp)
{
    const uint64_t addr = gp.get_address();
    if (addr >= size_ || gp.get_command() == tlm::TLM_IGNORE_COMMAND) return 0;
    const uint64_t n = std::min<uint64_t>(gp.get_data_length(), size_ - addr);
    if (gp.get_command() == tlm::TLM_READ_COMMAND)
        read_bytes(addr, gp.get_data_ptr(), n);
    else
        write_bytes(addr, gp.get_data_ptr(), n);
    return (unsigned)n;
}
