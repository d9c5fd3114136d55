/*
 * test_mm_fault.c - mmap, faults and unmapping of anonymous memory:
 * zero-fill and the zero page, content through physmem, page tables as
 * PageTable frames, munmap (whole and split) giving every page back,
 * mlock, MADV_DONTNEED, SIGSEGV, and the memory-error paths of the fault
 * handler (hwpoison entry, poisoned present page).
 */
#include "mm_proc_fixture.h"

START_TEST(test_anon_write_fault)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 4, 0);
	struct vm_area_struct *vma = vma_lookup(a->mm, addr);
	struct pte_table *t;
	struct page *page;

	ck_assert_uint_eq(addr, TASK_UNMAPPED_BASE);
	ck_assert_uint_eq(vma->vm_end - vma->vm_start, 4 * PAGE_SIZE);
	ck_assert_uint_eq(get_mm_rss(a->mm), 0);

	ck_assert_uint_eq(px_write(a, addr + 100, "hello"), 0);
	px_assert_reads(a, addr + 100, "hello");
	page = px_page_at(a, addr);
	ck_assert_ptr_nonnull(page);
	ck_assert(PageAnon(page));
	ck_assert(PageSwapBacked(page));
	ck_assert_int_eq(page_mapcount(page), 1);
	ck_assert_ptr_eq(page_anon_vma(page), vma->anon_vma);
	ck_assert_uint_eq(page->index, addr >> PAGE_SHIFT);
	ck_assert(pte_write(mm_pte_peek(a->mm, addr)));
	ck_assert(pte_dirty(mm_pte_peek(a->mm, addr)));
	ck_assert_uint_eq(get_mm_counter(a->mm, MM_ANONPAGES), 1);

	/* The PTE table is a real frame, a PageTable owned by the mm. */
	t = pte_table_lookup(a->mm, addr);
	ck_assert_ptr_nonnull(t);
	ck_assert(PageTable(t->page));
	ck_assert_ptr_eq(t->page->pt_mm, a->mm);
	ck_assert_ptr_eq(t->page->ptl, &t->ptl);
	ck_assert_uint_eq(global_zone_page_state(NR_PAGETABLE), 1);
	ck_assert_uint_eq(t->nr_used, 1);
	px_assert_invariants();
}
END_TEST

START_TEST(test_read_maps_zero_page)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 2, 0);
	unsigned long before = nr_free_pages();
	char buf[8] = "xxxxxxx";

	ck_assert_uint_eq(px_read(a, addr, buf, sizeof(buf)), 0);
	ck_assert_int_eq(buf[0], 0);
	ck_assert(is_zero_pfn(pte_pfn(mm_pte_peek(a->mm, addr))));
	ck_assert(!pte_write(mm_pte_peek(a->mm, addr)));
	ck_assert_uint_eq(get_mm_rss(a->mm), 0);
	/* Only the PTE table was allocated. */
	ck_assert_uint_eq(nr_free_pages(), before - 1);
	px_assert_invariants();

	/* The first write replaces the zero page with a page of its own. */
	ck_assert_uint_eq(px_write(a, addr + 8, "w"), 0);
	ck_assert(!is_zero_pfn(pte_pfn(mm_pte_peek(a->mm, addr))));
	ck_assert_uint_eq(get_mm_counter(a->mm, MM_ANONPAGES), 1);
	ck_assert_uint_eq(px_read(a, addr, buf, 8), 0);
	ck_assert_int_eq(buf[0], 0);
	px_assert_reads(a, addr + 8, "w");
	px_assert_invariants();
}
END_TEST

START_TEST(test_munmap_gives_pages_back)
{
	struct task_struct *a = px_spawn("app");
	unsigned long before = nr_free_pages();
	unsigned long addr = px_mmap_anon(a, 600, 0);	/* two PTE tables */

	for (int i = 0; i < 600; i++)
		ck_assert_uint_eq(px_write(a, addr + i * PAGE_SIZE, "p"), 0);
	ck_assert_uint_eq(get_mm_counter(a->mm, MM_ANONPAGES), 600);
	ck_assert_uint_eq(mm_nr_pgtables(a->mm), 2);
	ck_assert_uint_eq(nr_free_pages(), before - 602);
	px_assert_invariants();

	ck_assert_int_eq(do_munmap(a->mm, addr, 600 * PAGE_SIZE), 0);
	ck_assert_uint_eq(nr_free_pages(), before);
	ck_assert_uint_eq(get_mm_rss(a->mm), 0);
	ck_assert_uint_eq(mm_nr_pgtables(a->mm), 0);
	ck_assert_int_eq(a->mm->map_count, 0);
	ck_assert_uint_eq(a->mm->total_vm, 0);
	px_assert_invariants();
}
END_TEST

START_TEST(test_munmap_splits)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 4, 0);
	char s[2] = "0";
	struct vm_area_struct *lo, *hi;

	for (int i = 0; i < 4; i++) {
		s[0] = (char)('0' + i);
		px_write(a, addr + i * PAGE_SIZE, s);
	}
	ck_assert_int_eq(do_munmap(a->mm, addr + PAGE_SIZE, 2 * PAGE_SIZE), 0);
	ck_assert_int_eq(a->mm->map_count, 2);
	lo = vma_lookup(a->mm, addr);
	hi = vma_lookup(a->mm, addr + 3 * PAGE_SIZE);
	ck_assert_ptr_nonnull(lo);
	ck_assert_ptr_nonnull(hi);
	ck_assert_ptr_null(vma_lookup(a->mm, addr + PAGE_SIZE));
	ck_assert_uint_eq(hi->vm_pgoff, (addr >> PAGE_SHIFT) + 3);
	px_assert_reads(a, addr, "0");
	px_assert_reads(a, addr + 3 * PAGE_SIZE, "3");
	ck_assert_uint_eq(get_mm_counter(a->mm, MM_ANONPAGES), 2);
	/* The table still serves the two pages left. */
	ck_assert_uint_eq(mm_nr_pgtables(a->mm), 1);
	px_assert_invariants();

	/* A new mapping fills the hole first (first fit). */
	ck_assert_uint_eq(px_mmap_anon(a, 2, 0), addr + PAGE_SIZE);
	px_assert_invariants();
}
END_TEST

START_TEST(test_mlock)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 8, VM_LOCKED);
	unsigned long b;

	/* VM_LOCKED populates, and every page is mlocked. */
	ck_assert_uint_eq(get_mm_counter(a->mm, MM_ANONPAGES), 8);
	ck_assert_uint_eq(a->mm->locked_vm, 8);
	for (int i = 0; i < 8; i++)
		ck_assert(PageMlocked(px_page_at(a, addr + i * PAGE_SIZE)));
	px_assert_invariants();

	/* mlock on part of a mapping: split, populate, lock. */
	b = px_mmap_anon(a, 4, 0);
	px_write(a, b, "first");
	ck_assert(!PageMlocked(px_page_at(a, b)));
	ck_assert_int_eq(do_mlock(a->mm, b, 2 * PAGE_SIZE, true), 0);
	ck_assert(PageMlocked(px_page_at(a, b)));
	ck_assert(PageMlocked(px_page_at(a, b + PAGE_SIZE)));
	ck_assert_ptr_null(px_page_at(a, b + 2 * PAGE_SIZE));
	ck_assert_uint_eq(a->mm->locked_vm, 10);
	ck_assert_int_eq(a->mm->map_count, 3);
	px_assert_reads(a, b, "first");

	ck_assert_int_eq(do_mlock(a->mm, b, 2 * PAGE_SIZE, false), 0);
	ck_assert(!PageMlocked(px_page_at(a, b)));
	ck_assert_uint_eq(a->mm->locked_vm, 8);
	ck_assert_int_eq(do_mlock(a->mm, b + 8 * PAGE_SIZE, PAGE_SIZE, true),
			 -ENOMEM);
	/* DONTNEED refuses locked memory. */
	ck_assert_int_eq(do_madvise_dontneed(a->mm, addr, PAGE_SIZE), -EINVAL);
	px_assert_invariants();

	/* Unmapping a locked range munlocks and frees. */
	ck_assert_int_eq(do_munmap(a->mm, addr, 8 * PAGE_SIZE), 0);
	ck_assert_uint_eq(a->mm->locked_vm, 0);
	px_assert_invariants();
}
END_TEST

START_TEST(test_madvise_dontneed)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 2, 0);
	unsigned long before;
	char buf[8];

	px_write(a, addr, "gone");
	before = nr_free_pages();
	ck_assert_int_eq(do_madvise_dontneed(a->mm, addr, PAGE_SIZE), 0);
	ck_assert_uint_eq(nr_free_pages(), before + 1);
	ck_assert_uint_eq(get_mm_rss(a->mm), 0);
	ck_assert_uint_eq(px_read(a, addr, buf, 5), 0);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(do_madvise_dontneed(a->mm, addr, 4 * PAGE_SIZE),
			 -ENOMEM);
	px_assert_invariants();
}
END_TEST

START_TEST(test_segv)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = do_mmap(a->mm, NULL, 0, PAGE_SIZE, VM_READ, 0, 0);
	char buf[4];

	ck_assert_uint_eq(px_read(a, addr, buf, 4), 0);
	/* A store to a read-only mapping, then to nothing at all. */
	get_task_struct(a);
	ck_assert_uint_eq(px_write(a, addr, "x"), VM_FAULT_SIGSEGV);
	ck_assert_int_eq(px_last_signal()->signo, SIGSEGV);
	ck_assert(!task_alive(a));
	put_task_struct(a);

	a = px_spawn("b");
	/* A hugetlb mapping at an address that is not 2 MiB aligned. */
	ck_assert_uint_eq(do_mmap(a->mm, NULL, 0x201000, PAGE_SIZE, VM_READ,
				  VM_HUGETLB, 0),
			  (unsigned long)-EINVAL);
	ck_assert_uint_eq(px_read(a, 0x1000, buf, 4), VM_FAULT_SIGSEGV);
	ck_assert_uint_eq(px_last_signal()->addr, 0x1000);
}
END_TEST

START_TEST(test_fixed_address_replaces)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 4, 0);
	unsigned long again;

	px_write(a, addr + PAGE_SIZE, "old");
	again = do_mmap(a->mm, NULL, addr + PAGE_SIZE, PAGE_SIZE,
			VM_READ | VM_WRITE, 0, 0);
	ck_assert_uint_eq(again, addr + PAGE_SIZE);
	ck_assert_int_eq(a->mm->map_count, 3);
	px_assert_reads(a, again, "");
	px_assert_invariants();
}
END_TEST

/* ---- memory errors -------------------------------------------------------- */

START_TEST(test_hwpoison_entry_sigbus)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 2, 0);
	struct mm_signal_record *r;
	char buf[4];

	px_write(a, addr, "data");
	px_replace_with_hwpoison(a, addr);
	ck_assert(is_hwpoison_entry(pte_to_swp_entry(mm_pte_peek(a->mm,
								 addr))));
	ck_assert_uint_eq(get_mm_rss(a->mm), 0);
	px_assert_invariants();

	/* The other page still works. */
	ck_assert_uint_eq(px_write(a, addr + PAGE_SIZE, "ok"), 0);

	get_task_struct(a);
	ck_assert_uint_eq(px_read(a, addr + 0x123, buf, 4), VM_FAULT_HWPOISON);
	r = px_last_signal();
	ck_assert_int_eq(r->signo, SIGBUS);
	ck_assert_int_eq(r->code, BUS_MCEERR_AR);
	ck_assert_uint_eq(r->addr, addr + 0x123);
	ck_assert_int_eq(r->addr_lsb, 12);
	ck_assert(r->forced);
	ck_assert(r->killed);
	ck_assert(!task_alive(a));
	put_task_struct(a);
	px_assert_invariants();
}
END_TEST

static bool survive(struct task_struct *tsk, const struct kernel_siginfo *i,
		    void *data)
{
	(void)tsk;
	(void)i;
	(void)data;
	return true;
}

START_TEST(test_hwpoison_entry_handler_and_munmap)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 1, 0);
	unsigned long before;
	struct kernel_siginfo *si;

	task_set_sigaction(a, SIGBUS, MM_SIG_HANDLER, survive, NULL);
	px_write(a, addr, "data");
	px_replace_with_hwpoison(a, addr);
	ck_assert_uint_eq(px_write(a, addr + 8, "again"), VM_FAULT_HWPOISON);
	ck_assert(task_alive(a));
	si = &g_array_index(a->delivered, struct kernel_siginfo, 0);
	ck_assert_int_eq(si->code, BUS_MCEERR_AR);
	ck_assert_uint_eq(si->addr, addr + 8);
	ck_assert_int_eq(si->addr_lsb, 12);
	/* Touching it again faults again. */
	ck_assert_uint_eq(px_write(a, addr, "x"), VM_FAULT_HWPOISON);
	ck_assert_uint_eq(a->delivered->len, 2);

	/* Unmapping drops the entry; the PTE table goes too. */
	before = nr_free_pages();
	ck_assert_int_eq(do_munmap(a->mm, addr, PAGE_SIZE), 0);
	ck_assert_uint_eq(nr_free_pages(), before + 1);
	ck_assert_uint_eq(mm_nr_pgtables(a->mm), 0);
	px_assert_invariants();
}
END_TEST

START_TEST(test_present_poisoned_page)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 1, 0);
	char buf[4];

	px_write(a, addr, "data");
	/* memory_failure marked it but could not unmap it. */
	SetPageHWPoison(px_page_at(a, addr));
	get_task_struct(a);
	ck_assert_uint_eq(px_read(a, addr, buf, 4), VM_FAULT_HWPOISON);
	ck_assert_int_eq(px_last_signal()->code, BUS_MCEERR_AR);
	ck_assert(!task_alive(a));
	put_task_struct(a);
}
END_TEST

START_TEST(test_invariants_catch_breakage)
{
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 1, 0);
	GString *why = g_string_new(NULL);
	struct page *page;

	px_write(a, addr, "data");
	page = px_page_at(a, addr);
	atomic_inc(&page->_mapcount);
	ck_assert(!mm_check_invariants(why));
	ck_assert_msg(strstr(why->str, "mapcount 2") != NULL, "%s", why->str);
	atomic_dec(&page->_mapcount);
	g_string_truncate(why, 0);
	a->mm->rss_stat[MM_ANONPAGES]++;
	ck_assert(!mm_check_invariants(why));
	ck_assert_msg(strstr(why->str, "MM_ANONPAGES") != NULL, "%s",
		      why->str);
	a->mm->rss_stat[MM_ANONPAGES]--;
	g_string_free(why, TRUE);
	px_assert_invariants();
}
END_TEST

Suite *suite_mm_fault(void)
{
	Suite *s = suite_create("mm_fault");
	TCase *tc = tcase_create("fault");

	tcase_add_checked_fixture(tc, px_setup, px_teardown);
	tcase_add_test(tc, test_anon_write_fault);
	tcase_add_test(tc, test_read_maps_zero_page);
	tcase_add_test(tc, test_munmap_gives_pages_back);
	tcase_add_test(tc, test_munmap_splits);
	tcase_add_test(tc, test_mlock);
	tcase_add_test(tc, test_madvise_dontneed);
	tcase_add_test(tc, test_segv);
	tcase_add_test(tc, test_fixed_address_replaces);
	tcase_add_test(tc, test_hwpoison_entry_sigbus);
	tcase_add_test(tc, test_hwpoison_entry_handler_and_munmap);
	tcase_add_test(tc, test_present_poisoned_page);
	tcase_add_test(tc, test_invariants_catch_breakage);
	suite_add_tcase(s, tc);
	return s;
}
