// sc_port.h - helpers shared by the SystemC shims (vsim_sc.cpp, vpost_sc.cpp): signals typed
// after the ports Verilator generated, and little-endian byte marshalling into and out of
// them. Verilator --sc types a port by its width: bool (1 bit), uint32_t (2..32),
// uint64_t (33..64), sc_dt::sc_bv<W> (wider); the shims never spell these out.
#ifndef PECOS_SC_PORT_H
#define PECOS_SC_PORT_H

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <systemc>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lane packing assumes little-endian");

namespace pecos_sc {

// The value type of a verilated port (sc_in<T> or sc_out<T>, possibly through a reference).
template <typename P> struct port_value;
template <typename T> struct port_value<sc_core::sc_in<T>> {
    using type = T;
};
template <typename T> struct port_value<sc_core::sc_out<T>> {
    using type = T;
};
template <typename P> using port_value_t = typename port_value<std::remove_reference_t<P>>::type;

// The signal that drives or receives a port of type P. Inputs may be written from any
// process of the owner (a reset thread and a step thread), hence SC_MANY_WRITERS.
template <typename P>
using sig_t = sc_core::sc_signal<port_value_t<P>, sc_core::SC_MANY_WRITERS>;

// Writes nbytes little-endian bytes to sig; scratch is a value of the signal's type kept by
// the caller, so that a wide port does not allocate on every write.
template <typename T>
void put_bytes(sc_core::sc_signal<T, sc_core::SC_MANY_WRITERS> &sig, T &scratch,
               const void *src, size_t nbytes)
{
    if constexpr (std::is_integral<T>::value) {
        T v = 0;
        std::memcpy(&v, src, std::min(nbytes, sizeof v));
        (void)scratch;
        sig.write(v);
    } else {
        const auto *s = static_cast<const uint8_t *>(src);
        const int words = (scratch.length() + 31) / 32;
        for (int i = 0; i < words; i++) {
            uint32_t w = 0;
            const size_t at = 4 * (size_t)i;
            if (at < nbytes) std::memcpy(&w, s + at, std::min<size_t>(4, nbytes - at));
            scratch.set_word(i, w);
        }
        sig.write(scratch);
    }
}

// Reads nbytes little-endian bytes from sig.
template <typename S> void get_bytes(const S &sig, void *dst, size_t nbytes)
{
    using T = std::remove_cv_t<std::remove_reference_t<decltype(sig.read())>>;
    if constexpr (std::is_integral<T>::value) {
        const T v = sig.read();
        std::memcpy(dst, &v, std::min(nbytes, sizeof v));
    } else {
        const T &b = sig.read();
        auto *d = static_cast<uint8_t *>(dst);
        const int words = (b.length() + 31) / 32;
        for (int i = 0; i < words && 4 * (size_t)i < nbytes; i++) {
            const uint32_t w = (uint32_t)b.get_word(i);
            std::memcpy(d + 4 * (size_t)i, &w, std::min<size_t>(4, nbytes - 4 * (size_t)i));
        }
    }
}

// The model's clock: a gated copy of the owner's clock (src), with a rising edge only in a
// step. An idle model sees no edge, as in the plain shim, where time is the steps: its
// counters do not run between a host's steps (between two layers, say), so the SC flavour
// counts what the plain one counts.
struct gated_clock {
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> sig;
    sc_core::sc_in<bool> *src = nullptr;
    explicit gated_clock(const char *name) : sig(name) {}
    // One period of src from the current time: the model's rising edge with src's, its
    // falling edge with src's falling edge. From an SC_THREAD.
    void tick()
    {
        sc_core::wait(src->posedge_event());
        sig.write(true);
        sc_core::wait(src->negedge_event());
        sig.write(false);
    }
};

// True if the caller is an SC_THREAD or SC_CTHREAD of a running simulation (may wait()).
inline bool in_thread()
{
    if (!sc_core::sc_is_running()) return false;
    const sc_core::sc_curr_proc_kind k = sc_core::sc_get_current_process_handle().proc_kind();
    return k == sc_core::SC_THREAD_PROC_ || k == sc_core::SC_CTHREAD_PROC_;
}

// True while modules may still be created and ports bound.
inline bool elaborating()
{
    const sc_core::sc_status s = sc_core::sc_get_status();
    return s == sc_core::SC_ELABORATION || s == sc_core::SC_BEFORE_END_OF_ELABORATION;
}

}  // namespace pecos_sc

#endif
