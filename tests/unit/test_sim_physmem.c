/*
 * test_sim_physmem.c - frame contents and cache-line poison.
 */
#include <check.h>
#include <string.h>

#include "sim/physmem.h"

START_TEST(unwritten_frames_read_zero)
{
	struct physmem *pm = physmem_new(16);
	char buf[64];

	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_eq(physmem_read(pm, 3, 100, buf, sizeof(buf), NULL), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	physmem_free(pm);
}
END_TEST

START_TEST(write_then_read_back)
{
	struct physmem *pm = physmem_new(16);
	char buf[8] = { 0 };

	ck_assert_int_eq(physmem_write(pm, 2, 4090, "dirty!", 6, NULL), 0);
	ck_assert_int_eq(physmem_read(pm, 2, 4090, buf, 6, NULL), 0);
	ck_assert_str_eq(buf, "dirty!");
	/* Other frames are untouched. */
	ck_assert_int_eq(physmem_read(pm, 1, 4090, buf, 6, NULL), 0);
	ck_assert_int_eq(buf[0], 0);
	physmem_free(pm);
}
END_TEST

START_TEST(copy_shares_and_is_independent)
{
	struct physmem *pm = physmem_new(16);
	char buf[6] = { 0 };

	physmem_write(pm, 1, 0, "hello", 5, NULL);
	ck_assert_int_eq(physmem_copy_page(pm, 7, 1, NULL), 0);
	physmem_write(pm, 1, 0, "HELLO", 5, NULL);
	physmem_read(pm, 7, 0, buf, 5, NULL);
	ck_assert_str_eq(buf, "hello");
	physmem_clear_page(pm, 7);
	physmem_read(pm, 7, 0, buf, 5, NULL);
	ck_assert_int_eq(buf[0], 0);
	physmem_free(pm);
}
END_TEST

START_TEST(poison_is_consumed_by_touching_reads)
{
	struct physmem *pm = physmem_new(16);
	unsigned int bad = 0;
	char buf[256];
	GBytes *b;

	physmem_write(pm, 5, 0, "data", 4, NULL);
	physmem_poison_line(pm, 5, 3);		/* bytes 192..255 */
	ck_assert(physmem_page_poisoned(pm, 5));
	ck_assert_uint_eq(physmem_nr_poisoned_pages(pm), 1);
	/* A read that misses the line is fine. */
	ck_assert_int_eq(physmem_read(pm, 5, 0, buf, 192, NULL), 0);
	/* One that touches it consumes the poison at its first byte. */
	ck_assert_int_eq(physmem_read(pm, 5, 100, buf, 150, &bad),
			 -EHWPOISON);
	ck_assert_uint_eq(bad, 192);
	ck_assert_int_eq(physmem_read(pm, 5, 200, buf, 8, &bad), -EHWPOISON);
	ck_assert_uint_eq(bad, 200);
	/* Whole-page copies consume it too. */
	ck_assert_int_eq(physmem_copy_page(pm, 6, 5, &bad), -EHWPOISON);
	ck_assert_int_eq(physmem_get_page(pm, 5, &b, NULL), -EHWPOISON);
	ck_assert_ptr_null(b);
	physmem_free(pm);
}
END_TEST

START_TEST(partial_writes_consume_full_line_writes_do_not)
{
	struct physmem *pm = physmem_new(16);
	char line[64];
	unsigned int bad;

	memset(line, 'x', sizeof(line));
	physmem_poison_line(pm, 4, 1);		/* bytes 64..127 */
	ck_assert_int_eq(physmem_write(pm, 4, 70, "ab", 2, &bad),
			 -EHWPOISON);
	ck_assert_uint_eq(bad, 70);
	/* A store of the whole line replaces it: the poison is gone. */
	ck_assert_int_eq(physmem_write(pm, 4, 64, line, 64, NULL), 0);
	ck_assert(!physmem_page_poisoned(pm, 4));
	physmem_free(pm);
}
END_TEST

START_TEST(unpoison_and_counts)
{
	struct physmem *pm = physmem_new(16);

	physmem_poison_line(pm, 9, 0);
	physmem_poison_line(pm, 9, 63);
	physmem_poison_line(pm, 10, 5);
	ck_assert_uint_eq(physmem_nr_poisoned_pages(pm), 2);
	ck_assert_uint_eq(physmem_poison_mask(pm, 9), (1ULL << 63) | 1ULL);
	physmem_unpoison_page(pm, 9);
	ck_assert(!physmem_page_poisoned(pm, 9));
	ck_assert_uint_eq(physmem_nr_poisoned_pages(pm), 1);
	physmem_free(pm);
}
END_TEST

Suite *suite_sim_physmem(void)
{
	Suite *s = suite_create("sim_physmem");
	TCase *tc = tcase_create("physmem");

	tcase_add_test(tc, unwritten_frames_read_zero);
	tcase_add_test(tc, write_then_read_back);
	tcase_add_test(tc, copy_shares_and_is_independent);
	tcase_add_test(tc, poison_is_consumed_by_touching_reads);
	tcase_add_test(tc, partial_writes_consume_full_line_writes_do_not);
	tcase_add_test(tc, unpoison_and_counts);
	suite_add_tcase(s, tc);
	return s;
}
