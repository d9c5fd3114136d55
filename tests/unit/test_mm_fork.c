/*
 * test_mm_fork.c - fork: copied VMAs and anon_vmas, COW in both
 * directions, map and reference counts, hwpoison entries inherited, a COW
 * copy consuming poison, exit of either side, VM_DONTCOPY, and the time a
 * fork of 100,000 mapped pages takes (printed, not asserted).
 */
#include <stdio.h>
#include <time.h>

#include "mm_proc_fixture.h"

START_TEST(test_fork_cow)
{
	struct task_struct *p = px_spawn("parent"), *c;
	unsigned long addr = px_mmap_anon(p, 2, 0);
	struct page *page, *cpage;
	struct vm_area_struct *pvma, *cvma;

	px_write(p, addr, "parent");
	page = px_page_at(p, addr);
	c = task_fork(p, "child");
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_ne(c->mm, p->mm);
	ck_assert_int_eq(c->mm->map_count, 1);

	/* Shared, read-only on both sides, one more mapping and ref. */
	ck_assert_ptr_eq(px_page_at(c, addr), page);
	ck_assert_int_eq(page_mapcount(page), 2);
	ck_assert_int_eq(page_count(page), 2);
	ck_assert(!pte_write(mm_pte_peek(p->mm, addr)));
	ck_assert(!pte_write(mm_pte_peek(c->mm, addr)));
	ck_assert(!PageAnonExclusive(page));
	ck_assert_uint_eq(get_mm_counter(c->mm, MM_ANONPAGES), 1);

	/* The child's VMA is chained to the parent's anon_vma too. */
	pvma = vma_lookup(p->mm, addr);
	cvma = vma_lookup(c->mm, addr);
	ck_assert_ptr_ne(cvma->anon_vma, pvma->anon_vma);
	ck_assert_ptr_eq(cvma->anon_vma->root, pvma->anon_vma);
	ck_assert_ptr_eq(cvma->anon_vma->parent, pvma->anon_vma);
	ck_assert_uint_gt(cvma->anon_vma->id, pvma->anon_vma->id);
	px_assert_invariants();

	px_assert_reads(c, addr, "parent");
	ck_assert_uint_eq(px_write(c, addr, "child"), 0);
	cpage = px_page_at(c, addr);
	ck_assert_ptr_ne(cpage, page);
	ck_assert_ptr_eq(page_anon_vma(cpage), cvma->anon_vma);
	px_assert_reads(c, addr, "child");
	px_assert_reads(p, addr, "parent");
	ck_assert_int_eq(page_mapcount(page), 1);
	ck_assert_int_eq(page_mapcount(cpage), 1);
	px_assert_invariants();

	/* The parent is the last user: it writes in place. */
	ck_assert_uint_eq(px_write(p, addr, "again"), 0);
	ck_assert_ptr_eq(px_page_at(p, addr), page);
	ck_assert(PageAnonExclusive(page));
	px_assert_reads(c, addr, "child");
	px_assert_invariants();
}
END_TEST

START_TEST(test_fork_parent_writes_first)
{
	struct task_struct *p = px_spawn("parent"), *c;
	unsigned long addr = px_mmap_anon(p, 1, 0);
	struct page *page;

	px_write(p, addr, "orig");
	page = px_page_at(p, addr);
	c = task_fork(p, "child");
	px_write(p, addr, "new");
	ck_assert_ptr_ne(px_page_at(p, addr), page);
	ck_assert_ptr_eq(px_page_at(c, addr), page);
	px_assert_reads(c, addr, "orig");
	/* Now the child is alone on the old page and reuses it. */
	px_write(c, addr, "mine");
	ck_assert_ptr_eq(px_page_at(c, addr), page);
	px_assert_reads(p, addr, "new");
	px_assert_invariants();
}
END_TEST

START_TEST(test_fork_exit_frees)
{
	struct task_struct *p = px_spawn("parent"), *c;
	unsigned long addr = px_mmap_anon(p, 32, 0);
	unsigned long before;

	for (int i = 0; i < 32; i++)
		px_write(p, addr + i * PAGE_SIZE, "p");
	before = nr_free_pages();
	c = task_fork(p, "child");
	for (int i = 0; i < 16; i++)
		px_write(c, addr + i * PAGE_SIZE, "c");
	/* One PTE table, 16 copies. */
	ck_assert_uint_eq(nr_free_pages(), before - 17);
	do_exit(c, 0);
	ck_assert_uint_eq(nr_free_pages(), before);
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(page_mapcount(px_page_at(p, addr +
							   i * PAGE_SIZE)), 1);
	px_assert_invariants();

	/* The other way round: the parent goes first. */
	c = task_fork(p, "child2");
	do_exit(p, 0);
	px_assert_reads(c, addr + 31 * PAGE_SIZE, "p");
	px_write(c, addr, "still here");
	px_assert_invariants();
}
END_TEST

START_TEST(test_fork_hwpoison_entry)
{
	struct task_struct *p = px_spawn("parent"), *c;
	unsigned long addr = px_mmap_anon(p, 2, 0);
	char buf[4];

	px_write(p, addr, "lost");
	px_write(p, addr + PAGE_SIZE, "kept");
	px_replace_with_hwpoison(p, addr);
	c = task_fork(p, "child");
	ck_assert(is_hwpoison_entry(pte_to_swp_entry(mm_pte_peek(c->mm,
								 addr))));
	px_assert_invariants();
	px_assert_reads(c, addr + PAGE_SIZE, "kept");
	get_task_struct(c);
	ck_assert_uint_eq(px_read(c, addr, buf, 4), VM_FAULT_HWPOISON);
	ck_assert_int_eq(px_last_signal()->pid, c->pid);
	ck_assert_int_eq(px_last_signal()->addr_lsb, 12);
	ck_assert(!task_alive(c));
	ck_assert(task_alive(p));
	put_task_struct(c);
	px_assert_invariants();
}
END_TEST

START_TEST(test_cow_consumes_poison)
{
	struct task_struct *p = px_spawn("parent"), *c;
	unsigned long addr = px_mmap_anon(p, 1, 0);
	struct page *page;

	px_write(p, addr, "shared");
	page = px_page_at(p, addr);
	c = task_fork(p, "child");
	/* A bad line in the shared frame; nobody has noticed yet. */
	physmem_poison_line(px_m->physmem, page_to_pfn(page), 10);
	get_task_struct(c);
	ck_assert_uint_eq(px_write(c, addr, "boom"), VM_FAULT_HWPOISON);
	ck_assert_int_eq(px_last_signal()->code, BUS_MCEERR_AR);
	ck_assert(!task_alive(c));
	/* Nothing was mapped: the parent still has its page, alone. */
	ck_assert_ptr_eq(px_page_at(p, addr), page);
	ck_assert_int_eq(page_mapcount(page), 1);
	put_task_struct(c);
	px_assert_invariants();
}
END_TEST

START_TEST(test_fork_dontcopy_and_mlock)
{
	struct task_struct *p = px_spawn("parent"), *c;
	unsigned long a = px_mmap_anon(p, 1, 0);
	unsigned long b = px_mmap_anon(p, 1, VM_LOCKED);

	px_write(p, a, "private");
	vma_lookup(p->mm, a)->vm_flags |= VM_DONTCOPY;
	c = task_fork(p, "child");
	ck_assert_ptr_null(vma_lookup(c->mm, a));
	ck_assert_int_eq(c->mm->map_count, 1);
	ck_assert_uint_eq(c->mm->total_vm, 1);
	/* mlock is not inherited. */
	ck_assert_uint_eq(vma_lookup(c->mm, b)->vm_flags & VM_LOCKED, 0);
	ck_assert_uint_eq(c->mm->locked_vm, 0);
	px_assert_invariants();
}
END_TEST

#define BIG_PAGES	100000UL

START_TEST(test_fork_100k_pages)
{
	struct task_struct *p, *c;
	unsigned long addr, before;
	struct timespec t0, t1;
	double secs;

	px_teardown();
	px_machine_up(1ULL << 30);
	p = px_spawn("big");
	addr = px_mmap_anon(p, BIG_PAGES, 0);
	before = nr_free_pages();
	mm_populate(p->mm, addr, BIG_PAGES * PAGE_SIZE);
	ck_assert_uint_eq(get_mm_counter(p->mm, MM_ANONPAGES), BIG_PAGES);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = task_fork(p, "child");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("fork of %lu mapped pages: %.3f s\n", BIG_PAGES, secs);

	ck_assert_uint_eq(get_mm_counter(c->mm, MM_ANONPAGES), BIG_PAGES);
	ck_assert_int_eq(page_mapcount(px_page_at(c, addr +
					(BIG_PAGES - 1) * PAGE_SIZE)), 2);
	px_assert_invariants();
	do_exit(c, 0);
	do_exit(p, 0);
	ck_assert_uint_eq(nr_free_pages(), before);
	px_assert_invariants();
}
END_TEST

Suite *suite_mm_fork(void)
{
	Suite *s = suite_create("mm_fork");
	TCase *tc = tcase_create("fork");

	tcase_add_checked_fixture(tc, px_setup, px_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fork_cow);
	tcase_add_test(tc, test_fork_parent_writes_first);
	tcase_add_test(tc, test_fork_exit_frees);
	tcase_add_test(tc, test_fork_hwpoison_entry);
	tcase_add_test(tc, test_cow_consumes_poison);
	tcase_add_test(tc, test_fork_dontcopy_and_mlock);
	tcase_add_test(tc, test_fork_100k_pages);
	suite_add_tcase(s, tc);
	return s;
}
