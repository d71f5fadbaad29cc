// sc_tiling.h - a tiling_t (models/tiling.h) in pecos_accel's registers (pecos_accel_regs.h):
// the order code of TILE[26:24] and the TILING counter's word. One encoding, shared by the
// accelerator (pecos_accel.cpp) and pecos-sc's driver (sc_driver.cpp).
#ifndef PECOS_SC_TILING_H
#define PECOS_SC_TILING_H

#include <cstdint>
#include <cstring>

extern "C" {
#include "tiling.h"
}

namespace pecos_sc {

// PECOS_ORDER_KCP .. PECOS_ORDER_PCK: the loop nest, outermost first.
inline const int (&tile_orders())[6][3]
{
    static const int orders[6][3] = {{TILE_K, TILE_C, TILE_P}, {TILE_K, TILE_P, TILE_C},
                                     {TILE_C, TILE_K, TILE_P}, {TILE_C, TILE_P, TILE_K},
                                     {TILE_P, TILE_K, TILE_C}, {TILE_P, TILE_C, TILE_K}};
    return orders;
}

// The PECOS_ORDER_* code of a loop nest (0 for one that is not a permutation).
inline uint32_t order_code(const int order[3])
{
    for (uint32_t i = 0; i < 6; i++)
        if (!std::memcmp(tile_orders()[i], order, sizeof tile_orders()[i])) return i;
    return 0;
}

// The TILE register forcing t's kt, pt and order (TILE_CT holds ct).
inline uint32_t tile_reg(const tiling_t &t)
{
    return (uint32_t)(t.kt & 0xfff) | (uint32_t)(t.pt & 0xfff) << 12 | order_code(t.order) << 24;
}

// The TILING counter: TILE's fields, [27] cf_major, [63:32] ct.
inline uint64_t tiling_word(const tiling_t &t)
{
    return tile_reg(t) | (uint64_t)(t.cf_major ? 1 : 0) << 27 | (uint64_t)(uint32_t)t.ct << 32;
}

}  // namespace pecos_sc

#endif
