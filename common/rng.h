/* rng.h - deterministic pseudo-random numbers (splitmix64): the same seed gives the same
 * tensors on every machine. */
#ifndef PECOS_RNG_H
#define PECOS_RNG_H

#include <assert.h>
#include <stdint.h>

typedef struct {
    uint64_t state;
} rng_t;

void rng_seed(rng_t *g, uint64_t seed);

/* Inline: tensors of millions of elements are drawn one call each, and a constant range
 * turns rng_range()'s 64-bit division into a multiplication. */
static inline uint64_t rng_next(rng_t *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi] (inclusive); requires lo <= hi. */
static inline int64_t rng_range(rng_t *g, int64_t lo, int64_t hi)
{
    assert(lo <= hi);
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (span == 0) return (int64_t)rng_next(g); /* full 64-bit range */
    return lo + (int64_t)(rng_next(g) % span);
}

#endif
