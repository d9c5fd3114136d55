/*
 * prng.h - the engine's pseudo-random generator.
 *
 * xoshiro256** seeded through splitmix64.  It is written here rather than
 * taken from GLib (GRand) or libc so that the sequence for a seed can never
 * change under us with a library upgrade: a trace recorded today must
 * replay byte for byte next year.
 */
#ifndef HWPSIM_SIM_PRNG_H
#define HWPSIM_SIM_PRNG_H

#include <stdint.h>

struct sim_prng {
	uint64_t s[4];
};

void sim_prng_seed(struct sim_prng *p, uint64_t seed);
uint64_t sim_prng_next(struct sim_prng *p);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t sim_prng_below(struct sim_prng *p, uint64_t bound);
/* Uniform in [lo, hi], lo <= hi. */
int64_t sim_prng_range(struct sim_prng *p, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double sim_prng_double(struct sim_prng *p);

#endif
