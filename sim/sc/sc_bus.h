// sc_bus.h - pecos_bus: a simple TLM-2.0 interconnect (base protocol, b_transport and
// transport_dbg) between any number of initiators and the targets of an address map.
//
// Initiators bind to targ (a multi-passthrough socket: bind as many as you like); targets are
// bound to init in order, the first bound being target 0. map(i, base, size) gives target i
// the range [base, base + size) (a target may have several ranges; ranges must not overlap).
// A transaction goes to the range holding its address: the address is rebased (minus base)
// for the target and restored on return. An address in no range, or a transaction that runs
// past the end of its range, gets TLM_ADDRESS_ERROR_RESPONSE (transport_dbg: 0 bytes) and
// reaches no target. Each forwarded b_transport adds the bus's hop delay (constructor; zero
// by default) to the annotated delay before the target sees it; transport_dbg has no timing.
// The bus decodes, it does not arbitrate: contention is the targets' business (pecos_dram's
// channel). DMI is not offered.
#ifndef PECOS_SC_BUS_H
#define PECOS_SC_BUS_H

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

class pecos_bus : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<pecos_bus> targ;
    tlm_utils::multi_passthrough_initiator_socket<pecos_bus> init;

    explicit pecos_bus(sc_core::sc_module_name name,
                       sc_core::sc_time hop_delay = sc_core::SC_ZERO_TIME);

    // Adds [base, base + size) for the target bound at init index target_index. size 0, a
    // range past 2^64 or overlapping another, or (at end of elaboration) an index with no
    // target bound are SC_REPORT_ERROR.
    void map(unsigned target_index, uint64_t base, uint64_t size);

    // Transactions forwarded, and those refused with TLM_ADDRESS_ERROR_RESPONSE (b_transport).
    uint64_t forwarded() const { return fwd_; }
    uint64_t decode_errors() const { return dec_err_; }

private:
    struct range {
        unsigned target;
        uint64_t base, size;
    };

    void b_transport(int id, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload &gp);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload &gp, tlm::tlm_dmi &dmi);
    void end_of_elaboration() override;
    // The range holding [addr, addr + len) entirely, if its target is bound, or nullptr.
    const range *decode(uint64_t addr, uint64_t len); // not const: init.size() is not

    const sc_core::sc_time hop_;
    std::vector<range> map_;
    uint64_t fwd_ = 0, dec_err_ = 0;
};

#endif
