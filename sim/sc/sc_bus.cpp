// sc_bus.cpp - pecos_bus (see sc_bus.h).
#include "sc_bus.h"

#include <cstdio>
#include <string>

pecos_bus::pecos_bus(sc_core::sc_module_name name, sc_core::sc_time hop_delay)
    : sc_core::sc_module(name), targ("targ"), init("init"), hop_(hop_delay)
{
    targ.register_b_transport(this, &pecos_bus::b_transport);
    targ.register_transport_dbg(this, &pecos_bus::transport_dbg);
    targ.register_get_direct_mem_ptr(this, &pecos_bus::get_direct_mem_ptr);
}

void pecos_bus::map(unsigned target_index, uint64_t base, uint64_t size)
{
    char msg[200];
    if (size == 0 || base + size - 1 < base) {
        std::snprintf(msg, sizeof msg, "%s: map(%u, 0x%llx, 0x%llx): empty or past 2^64", name(),
                      target_index, (unsigned long long)base, (unsigned long long)size);
        SC_REPORT_ERROR("pecos_bus", msg);
        return;
    }
    for (const range &r : map_)
        if (base <= r.base + r.size - 1 && r.base <= base + size - 1) {
            std::snprintf(msg, sizeof msg,
                          "%s: map(%u, 0x%llx, 0x%llx) overlaps target %u at 0x%llx", name(),
                          target_index, (unsigned long long)base, (unsigned long long)size,
                          r.target, (unsigned long long)r.base);
            SC_REPORT_ERROR("pecos_bus", msg);
            return;
        }
    map_.push_back({target_index, base, size});
}

void pecos_bus::end_of_elaboration()
{
    for (const range &r : map_)
        if (r.target >= (unsigned)init.size()) {
            char msg[160];
            std::snprintf(msg, sizeof msg, "%s: target %u (at 0x%llx) is mapped but only %d bound",
                          name(), r.target, (unsigned long long)r.base, (int)init.size());
            SC_REPORT_ERROR("pecos_bus", msg);
        }
}

const pecos_bus::range *pecos_bus::decode(uint64_t addr, uint64_t len)
{
    for (const range &r : map_)
        if (addr >= r.base && addr - r.base < r.size)
            return len <= r.size - (addr - r.base) && r.target < (unsigned)init.size() ? &r
                                                                                       : nullptr;
    return nullptr;
}

void pecos_bus::b_transport(int, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
{
    const uint64_t addr = gp.get_address();
    const range *r = decode(addr, gp.get_data_length());
    if (!r) {
        dec_err_++;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    fwd_++;
    delay += hop_;
    gp.set_address(addr - r->base);
    init[r->target]->b_transport(gp, delay);
    gp.set_address(addr);
}

unsigned pecos_bus::transport_dbg(int, tlm::tlm_generic_payload &gp)
{
    const uint64_t addr = gp.get_address();
    const range *r = decode(addr, gp.get_data_length());
    if (!r) return 0;
    gp.set_address(addr - r->base);
    const unsigned n = init[r->target]->transport_dbg(gp);
    gp.set_address(addr);
    return n;
}

bool pecos_bus::get_direct_mem_ptr(int, tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi)
{
    dmi.allow_none();
    return false;
}
