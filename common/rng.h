/* rng.h - deterministic pseudo-random numbers (splitmix64): the same seed gives the same
 * tensors on every machine. */
#ifndef PECOS_RNG_H
#define PECOS_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} rng_t;

void rng_seed(rng_t *g, uint64_t seed);
uint64_t rng_next(rng_t *g);
/* Uniform integer in [lo, hi] (inclusive); requires lo <= hi. */
int64_t rng_range(rng_t *g, int64_t lo, int64_t hi);

#endif
