/*
 * prng.c - xoshiro256** (Blackman and Vigna), seeded by splitmix64.
 */
#include "sim/prng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void sim_prng_seed(struct sim_prng *p, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		p->s[i] = splitmix64(&x);
}

uint64_t sim_prng_next(struct sim_prng *p)
{
	uint64_t *s = p->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sim_prng_below(struct sim_prng *p, uint64_t bound)
{
	/* Reject the top partial range so every value is equally likely. */
	uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
	uint64_t r;

	do
		r = sim_prng_next(p);
	while (r >= limit);
	return r % bound;
}

int64_t sim_prng_range(struct sim_prng *p, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo;

	if (span == UINT64_MAX)
		return (int64_t)sim_prng_next(p);
	return lo + (int64_t)sim_prng_below(p, span + 1);
}

double sim_prng_double(struct sim_prng *p)
{
	return (double)(sim_prng_next(p) >> 11) * 0x1.0p-53;
}
