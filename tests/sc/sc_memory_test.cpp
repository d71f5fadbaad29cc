// sc_memory_test.cpp - pecos_dram and pecos_bus (sim/sc/sc_memory.h, sim/sc/sc_bus.h): data
// through the bus to the right memory at the rebased address, the annotated delays against
// values computed by hand from the timing in sc_memory.h (bandwidth, latency, bursts, channel
// contention, fractional issue times, bw 0, a bus hop), the statistics, sparse storage, and
// every error response. Prints PASS (exit 0) or the first FAIL line (exit 1).
//
//   cpu -+- bus (hop 0) ---- 0: mem0 [0x0000_0000, +2 MiB)   1 MiB  bw 16 lat 100 burst 64 1 ns
//        |                   1: mem1 [0x1000_0000, +64 KiB) 64 KiB  bw 0  lat 20  burst 32 2 ns
//        |                   2: mem2 [1 << 32, +4 GiB)       4 GiB  bw 5  lat 7   burst 48 1 ns
//        +- bus2 (hop 3 ns)  0: mem3 [0x8000, +4 KiB)        4 KiB  bw 0  lat 10  burst 64 1 ns
// (mem0's range is twice its size on purpose: the upper half reaches the memory and is refused
// there.)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "sc_bus.h"
#include "sc_memory.h"

using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::sc_time;

namespace {

const uint64_t kMem1Base = 0x10000000, kMem2Base = 1ull << 32, kMem3Base = 0x8000;

struct cpu : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<cpu> sock, sock2;
    pecos_dram *mem0 = nullptr, *mem1 = nullptr, *mem2 = nullptr;
    pecos_bus *bus = nullptr;
    bool failed = false, finished = false;

    SC_HAS_PROCESS(cpu);
    explicit cpu(sc_core::sc_module_name n) : sc_module(n), sock("sock"), sock2("sock2")
    {
        SC_THREAD(run);
    }

    // Records the first failure (one FAIL line) and returns false.
    bool fail(const std::string &what)
    {
        if (!failed)
            std::printf("FAIL: %s (at %s)\n", what.c_str(),
                        sc_core::sc_time_stamp().to_string().c_str());
        failed = true;
        return false;
    }
    bool expect(const char *what, unsigned long long got, unsigned long long want)
    {
        if (got == want) return true;
        char m[256];
        std::snprintf(m, sizeof m, "%s: got %llu, expected %llu", what, got, want);
        return fail(m);
    }

    struct res {
        tlm::tlm_response_status st;
        sc_time delay;
        uint64_t addr_after;
    };
    // One b_transport on s: len bytes at addr (data), incoming delay d_in; be: byte-enable
    // pointer, sw: streaming width (0: len).
    res xfer(tlm_utils::simple_initiator_socket<cpu> &s, tlm::tlm_command cmd, uint64_t addr,
             void *data, unsigned len, sc_time d_in = sc_core::SC_ZERO_TIME,
             unsigned char *be = nullptr, unsigned be_len = 0, unsigned sw = 0)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char *>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(sw ? sw : len);
        gp.set_byte_enable_ptr(be);
        gp.set_byte_enable_length(be_len);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = d_in;
        s->b_transport(gp, d);
        return {gp.get_response_status(), d, gp.get_address()};
    }
    unsigned dbg(tlm_utils::simple_initiator_socket<cpu> &s, tlm::tlm_command cmd, uint64_t addr,
                 void *data, unsigned len)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char *>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        return s->transport_dbg(gp);
    }
    // An OK transfer whose returned delay is want_ns (the hand-computed value).
    bool timed(const char *what, tlm::tlm_command cmd, uint64_t addr, void *data, unsigned len,
               sc_time d_in, double want_ns, tlm_utils::simple_initiator_socket<cpu> *s = nullptr)
    {
        res r = xfer(s ? *s : sock, cmd, addr, data, len, d_in);
        if (r.st != tlm::TLM_OK_RESPONSE)
            return fail(std::string(what) + ": response " + tlm_response_string(r.st));
        if (r.addr_after != addr) return fail(std::string(what) + ": address not restored");
        if (r.delay != sc_time(want_ns, SC_NS))
            return fail(std::string(what) + ": delay " + r.delay.to_string() + ", expected " +
                        sc_time(want_ns, SC_NS).to_string());
        return true;
    }
    static std::string tlm_response_string(tlm::tlm_response_status st)
    {
        tlm::tlm_generic_payload gp;
        gp.set_response_status(st);
        return gp.get_response_string();
    }
    // A transfer that must be refused with want and leave the delay alone.
    bool refused(const char *what, tlm::tlm_response_status want, tlm::tlm_command cmd,
                 uint64_t addr, unsigned len, unsigned char *be = nullptr, unsigned sw = 0)
    {
        std::vector<unsigned char> buf(len ? len : 1, 0xee);
        const sc_time d_in(7, SC_NS);
        res r = xfer(sock, cmd, addr, buf.data(), len, d_in, be, be ? len : 0, sw);
        if (r.st != want)
            return fail(std::string(what) + ": response " + tlm_response_string(r.st) +
                        ", expected " + tlm_response_string(want));
        if (r.delay != d_in) return fail(std::string(what) + ": the delay changed");
        if (r.addr_after != addr) return fail(std::string(what) + ": address not restored");
        return true;
    }

    bool data_tests()
    {
        // Patterns through the bus into mem0 and mem1; back through b_transport and the
        // debug path; mem1 holds its bytes at the rebased address.
        std::vector<unsigned char> a(256), b(64), got(256);
        for (unsigned i = 0; i < a.size(); i++)
            a[i] = (unsigned char)(i * 7 + 3);
        for (unsigned i = 0; i < b.size(); i++)
            b[i] = (unsigned char)(0xa5 ^ i);
        // mem0 (bw 16, lat 100, burst 64) at t = 0: 256 B = 4 bursts = 16 cycles after 100.
        if (!timed("mem0 write 256 B at t=0", tlm::TLM_WRITE_COMMAND, 0x0, a.data(), 256,
                   sc_core::SC_ZERO_TIME, 116))
            return false;
        // Back to back (same issue time): 100 B = 2 bursts = 8 cycles, after the channel
        // frees at 116: 124 (without contention it would be 108).
        if (!timed("mem0 read 100 B back to back (contention)", tlm::TLM_READ_COMMAND, 0x0,
                   got.data(), 100, sc_core::SC_ZERO_TIME, 124))
            return false;
        if (std::memcmp(got.data(), a.data(), 100) != 0) return fail("mem0 read data differs");
        wait(sc_time(124, SC_NS)); // t = 124
        // 1 B at 0x40 (one burst, 4 cycles): 124 + 100 + 4 = 228.
        if (!timed("mem0 read 1 B at t=124", tlm::TLM_READ_COMMAND, 0x40, got.data(), 1,
                   sc_core::SC_ZERO_TIME, 104))
            return false;
        if (!expect("mem0 byte 0x40", got[0], a[0x40])) return false;
        // Incoming delay 10: x = 134, start max(234, 228) = 234, + 4 = 238: 114 from now.
        if (!timed("mem0 read 64 B, incoming delay 10 ns", tlm::TLM_READ_COMMAND, 0xc0, got.data(),
                   64, sc_time(10, SC_NS), 114))
            return false;
        if (std::memcmp(got.data(), a.data() + 0xc0, 64) != 0)
            return fail("mem0 read at 0xc0 differs");
        // Untouched bytes read as 0.
        got.assign(16, 0x55);
        if (!timed("mem0 read 16 B never written", tlm::TLM_READ_COMMAND, 0x80000, got.data(), 16,
                   sc_core::SC_ZERO_TIME, 118)) // x 124: max(224, 238) + 4 = 242
            return false;
        for (int i = 0; i < 16; i++)
            if (got[i]) return fail("mem0 unwritten byte is not 0");

        // mem1 (bw 0, lat 20, 2 ns cycles) at t = 124: x = 62 cycles, done 82 = 164 ns.
        if (!timed("mem1 write 64 B (bw 0)", tlm::TLM_WRITE_COMMAND, kMem1Base + 0x100, b.data(),
                   64, sc_core::SC_ZERO_TIME, 40))
            return false;
        // bw 0: no channel, the same again.
        if (!timed("mem1 read 64 B back to back (bw 0: no contention)", tlm::TLM_READ_COMMAND,
                   kMem1Base + 0x100, got.data(), 64, sc_core::SC_ZERO_TIME, 40))
            return false;
        if (std::memcmp(got.data(), b.data(), 64) != 0) return fail("mem1 read data differs");
        // Incoming 1 ns: x = 62.5 cycles, done ceil(82.5) = 83 = 166 ns: 42 from now.
        if (!timed("mem1 read, incoming delay half a cycle", tlm::TLM_READ_COMMAND,
                   kMem1Base + 0x100, got.data(), 8, sc_time(1, SC_NS), 42))
            return false;
        // Rebasing: mem1 itself holds b at 0x100; mem0 at 0x100 still holds a.
        std::vector<unsigned char> m(64);
        {
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_READ_COMMAND);
            gp.set_address(0x100);
            gp.set_data_ptr(m.data());
            gp.set_data_length(64);
            gp.set_streaming_width(64);
            if (!expect("mem1 debug read bytes", mem1->socket.get_base_export()->transport_dbg(gp),
                        64))
                return false;
        }
        if (std::memcmp(m.data(), b.data(), 64) != 0) return fail("mem1 holds b at 0x100: no");
        if (!expect("dbg read via bus (mem0)",
                    dbg(sock, tlm::TLM_READ_COMMAND, 0x100, m.data(), 64), 64))
            return false;
        for (unsigned char c : m)
            if (c) return fail("mem0 at 0x100 is not zeros (a is 256 B at 0)");
        if (!expect("dbg read via bus (mem0 pattern)",
                    dbg(sock, tlm::TLM_READ_COMMAND, 0x0, m.data(), 64), 64))
            return false;
        if (std::memcmp(m.data(), a.data(), 64) != 0) return fail("dbg read of mem0 differs");
        // Debug write then timed read.
        unsigned char w[4] = {1, 2, 3, 4};
        if (!expect("dbg write via bus (mem1)",
                    dbg(sock, tlm::TLM_WRITE_COMMAND, kMem1Base + 0xfffc, w, 4), 4))
            return false;
        unsigned char r4[4] = {};
        if (!expect("dbg read via bus (mem1 end)",
                    dbg(sock, tlm::TLM_READ_COMMAND, kMem1Base + 0xfffc, r4, 4), 4))
            return false;
        if (std::memcmp(r4, w, 4) != 0) return fail("mem1 debug write/read differ");
        return true;
    }

    bool timing_tests()
    {
        // mem2 (bw 5, lat 7, burst 48, 1 ns) at t = 124. 50 B = 2 bursts = 96 B = 19.2 cycles:
        // start 131, chan 150.2, done 151: 27.
        std::vector<unsigned char> d(64, 0x3c), got(64);
        if (!timed("mem2 write 50 B (fractional channel time)", tlm::TLM_WRITE_COMMAND,
                   kMem2Base + 0x1000, d.data(), 50, sc_core::SC_ZERO_TIME, 27))
            return false;
        // Back to back, 10 B = 1 burst = 9.6 cycles: 150.2 + 9.6 = 159.8, done 160: 36 (the
        // channel keeps the fraction; rounding it to 151 would give 37).
        if (!timed("mem2 read 10 B back to back", tlm::TLM_READ_COMMAND, kMem2Base + 0x1000,
                   got.data(), 10, sc_core::SC_ZERO_TIME, 36))
            return false;
        for (int i = 0; i < 10; i++)
            if (got[i] != 0x3c) return fail("mem2 read data differs");
        // Much later (incoming delay 1000 ns): the channel is idle; 48 B: 1124 + 7 + 9.6.
        if (!timed("mem2 read after idle", tlm::TLM_READ_COMMAND, kMem2Base + 0x1000, got.data(),
                   48, sc_time(1000, SC_NS), 1017))
            return false;
        // Sparse: the last 8 bytes of 4 GiB, then the pages in use.
        uint64_t tail = 0x1122334455667788ull, back = 0;
        if (!timed("mem2 write the last 8 B of 4 GiB", tlm::TLM_WRITE_COMMAND,
                   kMem2Base + (4ull << 30) - 8, &tail, 8, sc_time(2000, SC_NS),
                   2017)) // x 2124: 2131 + 9.6, done 2141
            return false;
        if (!expect("dbg read of mem2's last 8 B",
                    dbg(sock, tlm::TLM_READ_COMMAND, kMem2Base + (4ull << 30) - 8, &back, 8), 8))
            return false;
        if (!expect("mem2's last 8 B", back, tail)) return false;
        if (!expect("mem2 pages allocated (4 GiB, two writes)", mem2->pages(), 2)) return false;

        // bus2's hop of 3 ns: mem3 (bw 0, lat 10) sees x = 127, done 137: 13.
        if (!timed("mem3 through bus2 (hop 3 ns)", tlm::TLM_WRITE_COMMAND, kMem3Base + 16, d.data(),
                   16, sc_core::SC_ZERO_TIME, 13, &sock2))
            return false;
        return true;
    }

    bool error_tests()
    {
        using namespace tlm;
        const uint64_t txns0 = mem0->transactions(), txns1 = mem1->transactions();
        if (!refused("unmapped address", TLM_ADDRESS_ERROR_RESPONSE, TLM_READ_COMMAND, 0x08000000,
                     4))
            return false;
        if (!refused("unmapped address above every range", TLM_ADDRESS_ERROR_RESPONSE,
                     TLM_WRITE_COMMAND, 0xffffffffffff0000ull, 4))
            return false;
        if (!refused("crossing the end of mem1's range", TLM_ADDRESS_ERROR_RESPONSE,
                     TLM_WRITE_COMMAND, kMem1Base + 0xfff8, 16))
            return false;
        if (!refused("out of mem0's 1 MiB (in the bus's range)", TLM_ADDRESS_ERROR_RESPONSE,
                     TLM_READ_COMMAND, 0x100000, 4))
            return false;
        if (!refused("crossing the end of mem0's 1 MiB", TLM_ADDRESS_ERROR_RESPONSE,
                     TLM_WRITE_COMMAND, 0xffff0, 32))
            return false;
        unsigned char be[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        if (!refused("byte enables", TLM_BYTE_ENABLE_ERROR_RESPONSE, TLM_WRITE_COMMAND, 0x200, 8,
                     be))
            return false;
        if (!refused("streaming width 4 < length 16", TLM_BURST_ERROR_RESPONSE, TLM_WRITE_COMMAND,
                     0x200, 16, nullptr, 4))
            return false;
        if (!refused("length 0", TLM_GENERIC_ERROR_RESPONSE, TLM_READ_COMMAND, 0x200, 0))
            return false;
        if (!refused("ignore command", TLM_OK_RESPONSE, TLM_IGNORE_COMMAND, kMem1Base + 0x200, 16))
            return false;
        if (!refused("ignore command out of range", TLM_ADDRESS_ERROR_RESPONSE, TLM_IGNORE_COMMAND,
                     0x100000, 16))
            return false;
        // None of these moved data or counted.
        if (!expect("mem0 transactions after the refusals", mem0->transactions(), txns0))
            return false;
        if (!expect("mem1 transactions after the refusals", mem1->transactions(), txns1))
            return false;
        unsigned char z[16];
        if (!expect("mem0 at 0x200 untouched by the refused writes",
                    dbg(sock, TLM_READ_COMMAND, 0x200, z, 16), 16))
            return false;
        for (unsigned char c : z)
            if (c) return fail("a refused write wrote");
        // Debug transport: nothing outside, clipped at the end of a memory.
        if (!expect("dbg unmapped", dbg(sock, TLM_READ_COMMAND, 0x08000000, z, 4), 0)) return false;
        if (!expect("dbg crossing mem1's range",
                    dbg(sock, TLM_READ_COMMAND, kMem1Base + 0xfff8, z, 16), 0))
            return false;
        if (!expect("dbg crossing mem0's end (clipped by the memory)",
                    dbg(sock, TLM_READ_COMMAND, 0xffff8, z, 16), 8))
            return false;
        return true;
    }

    bool stats_tests()
    {
        // mem0: written 256; read 100 + 1 + 64 + 16; 5 transactions; bus 256+128+64+64+64.
        if (!expect("mem0 bytes written", mem0->bytes_written(), 256)) return false;
        if (!expect("mem0 bytes read", mem0->bytes_read(), 181)) return false;
        if (!expect("mem0 transactions", mem0->transactions(), 5)) return false;
        if (!expect("mem0 bus bytes", mem0->bus_bytes(), 576)) return false;
        // mem1: 64 written, 72 read (debug accesses do not count); 3 transactions.
        if (!expect("mem1 bytes written", mem1->bytes_written(), 64)) return false;
        if (!expect("mem1 bytes read", mem1->bytes_read(), 72)) return false;
        if (!expect("mem1 transactions", mem1->transactions(), 3)) return false;
        // The bus refused 3 (2 unmapped, 1 crossing mem1's range) and forwarded 19: mem0 5,
        // mem1 3, mem2 4, and the 7 refusals that only a memory can make.
        if (!expect("bus decode errors", bus->decode_errors(), 3)) return false;
        if (!expect("bus transactions forwarded", bus->forwarded(), 19)) return false;
        return true;
    }

    void run()
    {
        if (data_tests() && timing_tests() && error_tests()) stats_tests();
        finished = true; // no clock: sc_start() returns when this thread ends
    }
};

} // namespace

int sc_main(int, char *[])
{
    using namespace sc_core;
    sc_report_handler::set_actions("pecos_bus", SC_ERROR, SC_THROW);

    cpu c("cpu");
    pecos_bus bus("bus"), bus2("bus2", sc_time(3, SC_NS));
    pecos_dram mem0("mem0", 1 << 20, 16, 100, 64, sc_time(1, SC_NS));
    pecos_dram mem1("mem1", 64 << 10, 0, 20, 32, sc_time(2, SC_NS));
    pecos_dram mem2("mem2", 4ull << 30, 5, 7, 48, sc_time(1, SC_NS));
    pecos_dram mem3("mem3", 4 << 10, 0, 10, 64, sc_time(1, SC_NS));
    c.mem0 = &mem0, c.mem1 = &mem1, c.mem2 = &mem2, c.bus = &bus;
    c.sock.bind(bus.targ);
    c.sock2.bind(bus2.targ);
    bus.init.bind(mem0.socket);
    bus.init.bind(mem1.socket);
    bus.init.bind(mem2.socket);
    bus2.init.bind(mem3.socket);
    bus.map(0, 0x0, 2 << 20);
    bus.map(1, kMem1Base, 64 << 10);
    bus.map(2, kMem2Base, 4ull << 30);
    bus2.map(0, kMem3Base, 4 << 10);

    // map() refuses overlaps and empty ranges.
    int refused = 0;
    try {
        bus.map(1, kMem1Base + 0x8000, 0x10000);
    } catch (const sc_core::sc_report &) {
        refused++;
    }
    try {
        bus.map(1, 0x20000000, 0);
    } catch (const sc_core::sc_report &) {
        refused++;
    }
    if (refused != 2) {
        std::printf("FAIL: bus.map accepted an overlapping or empty range (%d of 2 refused)\n",
                    refused);
        return 1;
    }

    sc_core::sc_start();
    if (c.failed) return 1;
    if (!c.finished) {
        std::printf("FAIL: the test thread did not finish (at %s)\n",
                    sc_time_stamp().to_string().c_str());
        return 1;
    }
    std::printf("PASS: sc_memory_test (pecos_dram timing, data, sparse storage, statistics; "
                "pecos_bus decode, rebasing, hop delay, every error response)\n");
    return 0;
}
