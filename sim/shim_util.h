// shim_util.h - what every model shim shares (sim/vsim.cpp, sim/vpost.cpp, sim/vfma.cpp and
// the SystemC twins in sim/sc/): the RTL assertion plumbing, the lane packing of the plain
// models, and the coverage counts of coverage builds.
#ifndef PECOS_SHIM_UTIL_H
#define PECOS_SHIM_UTIL_H

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <unistd.h>

#include "fst_time.h"
#include "verilated.h"

namespace pecos_shim {

// Coverage builds (scripts/coverage.sh verilates with --coverage, which defines VM_COVERAGE):
// the model's counts go to $PECOS_COVERAGE_DIR/<name>_<pid>_<n>.dat when it is closed.
inline void write_coverage(VerilatedContext *ctx, const char *name)
{
#if VM_COVERAGE
    const char *dir = std::getenv("PECOS_COVERAGE_DIR");
    if (!dir || !*dir) return;
    static std::atomic<int> seq{0};
    char path[4096];
    std::snprintf(path, sizeof path, "%s/%s_%ld_%d.dat", dir, name, (long)getpid(), seq++);
    ctx->coveragep()->write(path);
#else
    (void)ctx;
    (void)name;
#endif
}

// Records the first failed RTL assertion of model v ($error sets its context's gotError();
// with fatalOnError off it does not abort) at v->cycle, and switches assertions off so that
// the model prints it only once. V has ctx (a VerilatedContext pointer), cycle,
// assert_failed and assert_cycle.
template <typename V> inline void check_assert(V *v)
{
    if (VL_LIKELY(!v->ctx->gotError()) || v->assert_failed) return;
    v->assert_failed = true;
    v->assert_cycle = v->cycle;
    v->ctx->assertOn(false);
    std::fflush(stdout);
}

// The vsim_assert_status()/vpost_assert_status() answer: 1 and the cycle if one failed.
template <typename V> inline int assert_status(const V *v, uint64_t *cycle)
{
    if (!v->assert_failed) return 0;
    *cycle = v->assert_cycle;
    return 1;
}

// Copies nbytes little-endian bytes into / out of a verilated signal of any width (the plain
// models' ports: an integer up to 64 bits, a VlWide above).
template <typename T> inline void put_bytes(T &sig, const void *src, size_t nbytes)
{
    if constexpr (std::is_integral<T>::value) {
        T v = 0;
        std::memcpy(&v, src, nbytes);
        sig = v;
    } else {
        std::memcpy(&sig.m_storage[0], src, nbytes);
    }
}

template <typename T> inline void get_bytes(const T &sig, void *dst, size_t nbytes)
{
    if constexpr (std::is_integral<T>::value) {
        T v = sig;
        std::memcpy(dst, &v, nbytes);
    } else {
        std::memcpy(dst, &sig.m_storage[0], nbytes);
    }
}

}  // namespace pecos_shim

#endif
