/*
 * test_sim_prng.c - the engine's PRNG (sim/prng.h).
 *
 * The golden values below were computed independently of sim/prng.c (a
 * separate implementation of splitmix64 + xoshiro256** from the published
 * reference algorithms; splitmix64(0) gives 0xe220a8397b1dcdaf as in the
 * reference).  They must never change: recorded traces depend on them.
 */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/prng.h"

START_TEST(test_prng_golden_seed1)
{
	struct sim_prng p;

	sim_prng_seed(&p, 1);
	ck_assert_uint_eq(sim_prng_next(&p), 0xb3f2af6d0fc710c5ULL);
	ck_assert_uint_eq(sim_prng_next(&p), 0x853b559647364ceaULL);
	ck_assert_uint_eq(sim_prng_next(&p), 0x92f89756082a4514ULL);
}
END_TEST

START_TEST(test_prng_golden_other_seeds)
{
	struct sim_prng p;

	sim_prng_seed(&p, 0);
	ck_assert_uint_eq(sim_prng_next(&p), 0x99ec5f36cb75f2b4ULL);
	ck_assert_uint_eq(sim_prng_next(&p), 0xbf6e1f784956452aULL);
	ck_assert_uint_eq(sim_prng_next(&p), 0x1a5f849d4933e6e0ULL);

	sim_prng_seed(&p, 42);
	ck_assert_uint_eq(sim_prng_next(&p), 0x15780b2e0c2ec716ULL);
	ck_assert_uint_eq(sim_prng_next(&p), 0x6104d9866d113a7eULL);
	ck_assert_uint_eq(sim_prng_next(&p), 0xae17533239e499a1ULL);
}
END_TEST

START_TEST(test_prng_same_seed_same_sequence)
{
	struct sim_prng a, b;

	sim_prng_seed(&a, 12345);
	sim_prng_seed(&b, 12345);
	for (int i = 0; i < 10000; i++)
		ck_assert_uint_eq(sim_prng_next(&a), sim_prng_next(&b));

	/* Re-seeding restarts the sequence. */
	uint64_t first[8];
	sim_prng_seed(&a, 777);
	for (int i = 0; i < 8; i++)
		first[i] = sim_prng_next(&a);
	sim_prng_seed(&a, 777);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(sim_prng_next(&a), first[i]);
}
END_TEST

START_TEST(test_prng_different_seeds_differ)
{
	/* Neighbouring seeds must give unrelated sequences. */
	for (uint64_t seed = 0; seed < 50; seed++) {
		struct sim_prng a, b;
		int same = 0;

		sim_prng_seed(&a, seed);
		sim_prng_seed(&b, seed + 1);
		for (int i = 0; i < 64; i++)
			if (sim_prng_next(&a) == sim_prng_next(&b))
				same++;
		ck_assert_int_eq(same, 0);
	}
}
END_TEST

START_TEST(test_prng_below_range_and_uniform)
{
	enum { N = 10, DRAWS = 100000 };
	struct sim_prng p;
	unsigned long count[N] = { 0 };
	double expect = (double)DRAWS / N, chi2 = 0;

	sim_prng_seed(&p, 99);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t v = sim_prng_below(&p, N);

		ck_assert_uint_lt(v, N);
		count[v]++;
	}
	for (int i = 0; i < N; i++)
		chi2 += (count[i] - expect) * (count[i] - expect) / expect;
	/* 9 degrees of freedom: p = 0.001 at 27.9.  Loose bound. */
	ck_assert_msg(chi2 < 40.0, "chi-square %.2f too large", chi2);
}
END_TEST

START_TEST(test_prng_below_small_and_large_bounds)
{
	struct sim_prng p;
	bool seen[3] = { false, false, false };

	sim_prng_seed(&p, 5);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(sim_prng_below(&p, 1), 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t v = sim_prng_below(&p, 3);

		ck_assert_uint_lt(v, 3);
		seen[v] = true;
	}
	ck_assert(seen[0] && seen[1] && seen[2]);

	/* A bound just above 2^63 (the rejection path matters here). */
	uint64_t big = (UINT64_C(1) << 63) + 12345;
	int high = 0;

	for (int i = 0; i < 4000; i++) {
		uint64_t v = sim_prng_below(&p, big);

		ck_assert_uint_lt(v, big);
		if (v >= (UINT64_C(1) << 62))
			high++;
	}
	/* P(v >= 2^62) is about 1/2 for this bound. */
	ck_assert_int_gt(high, 1700);
	ck_assert_int_lt(high, 2300);

	/* The largest bound. */
	for (int i = 0; i < 100; i++)
		ck_assert_uint_lt(sim_prng_below(&p, UINT64_MAX), UINT64_MAX);
}
END_TEST

START_TEST(test_prng_range_inclusive)
{
	struct sim_prng p;
	bool lo_hit = false, hi_hit = false;
	long count[7] = { 0 };

	sim_prng_seed(&p, 7);
	for (int i = 0; i < 20000; i++) {
		int64_t v = sim_prng_range(&p, -3, 3);

		ck_assert_int_ge(v, -3);
		ck_assert_int_le(v, 3);
		count[v + 3]++;
		if (v == -3)
			lo_hit = true;
		if (v == 3)
			hi_hit = true;
	}
	ck_assert(lo_hit);
	ck_assert(hi_hit);
	for (int i = 0; i < 7; i++) {
		/* about 2857 each */
		ck_assert_int_gt(count[i], 2400);
		ck_assert_int_lt(count[i], 3300);
	}

	/* Degenerate and extreme ranges. */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(sim_prng_range(&p, 42, 42), 42);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(sim_prng_range(&p, INT64_MIN, INT64_MIN),
				 INT64_MIN);
	bool neg = false, pos = false;
	for (int i = 0; i < 200; i++) {
		int64_t v = sim_prng_range(&p, INT64_MIN, INT64_MAX);

		if (v < 0)
			neg = true;
		else
			pos = true;
	}
	ck_assert(neg && pos);
	/* Near the top of the signed range. */
	bool top = false;
	for (int i = 0; i < 200; i++) {
		int64_t v = sim_prng_range(&p, INT64_MAX - 1, INT64_MAX);

		ck_assert_int_ge(v, INT64_MAX - 1);
		if (v == INT64_MAX)
			top = true;
	}
	ck_assert(top);
}
END_TEST

START_TEST(test_prng_double_unit_interval)
{
	struct sim_prng p;
	double sum = 0, min = 1, max = 0;
	int bins[10] = { 0 };

	sim_prng_seed(&p, 3);
	for (int i = 0; i < 100000; i++) {
		double d = sim_prng_double(&p);

		ck_assert(d >= 0.0);
		ck_assert(d < 1.0);
		sum += d;
		if (d < min)
			min = d;
		if (d > max)
			max = d;
		bins[(int)(d * 10)]++;
	}
	ck_assert(fabs(sum / 100000 - 0.5) < 0.01);
	ck_assert(min < 0.001);
	ck_assert(max > 0.999);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_gt(bins[i], 9400);
		ck_assert_int_lt(bins[i], 10600);
	}
}
END_TEST

START_TEST(test_prng_double_from_next)
{
	/* The same seed gives the same doubles. */
	struct sim_prng a, b;

	sim_prng_seed(&a, 1);
	sim_prng_seed(&b, 1);
	for (int i = 0; i < 100; i++)
		ck_assert(sim_prng_double(&a) == sim_prng_double(&b));
}
END_TEST

Suite *suite_sim_prng(void)
{
	Suite *s = suite_create("sim_prng");
	TCase *tc = tcase_create("prng");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_prng_golden_seed1);
	tcase_add_test(tc, test_prng_golden_other_seeds);
	tcase_add_test(tc, test_prng_same_seed_same_sequence);
	tcase_add_test(tc, test_prng_different_seeds_differ);
	tcase_add_test(tc, test_prng_below_range_and_uniform);
	tcase_add_test(tc, test_prng_below_small_and_large_bounds);
	tcase_add_test(tc, test_prng_range_inclusive);
	tcase_add_test(tc, test_prng_double_unit_interval);
	tcase_add_test(tc, test_prng_double_from_next);
	suite_add_tcase(s, tc);
	return s;
}
