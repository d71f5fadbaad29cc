#include "rng.h"

void rng_seed(rng_t *g, uint64_t seed) { g->state = seed; }
