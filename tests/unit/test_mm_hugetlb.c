/*
 * test_mm_hugetlb.c - the hugetlb pool, faults, fork, munmap, hugetlbfs
 * and the hugetlb invariant check (mm-model/hugetlb.c).
 */
#include "tests/unit/mm_proc_fixture.h"

#include "mm-model/hugetlb.h"

#define HUGEPAGES	4

static void hx_setup(void)
{
	px_machine_up_huge(64ULL << 20, HUGEPAGES);
}

static unsigned long hx_mmap(struct task_struct *t, unsigned long huge_pages,
			     unsigned long flags)
{
	unsigned long addr = do_mmap(t->mm, NULL, 0, huge_pages * HPAGE_SIZE,
				     VM_READ | VM_WRITE, flags | VM_HUGETLB,
				     0);

	ck_assert_msg(!IS_ERR_VALUE(addr), "mmap: %ld", (long)addr);
	return addr;
}

static struct page *hx_head_at(struct task_struct *t, unsigned long addr)
{
	pte_t pte = mm_pte_peek(t->mm, addr);

	if (!pte_present(pte))
		return NULL;
	ck_assert(pte_val(pte) & _PAGE_PSE);
	return pfn_to_page(pte_pfn(pte));
}

START_TEST(test_pool_boot)
{
	struct hstate *h = hstate_cur();
	struct page *page;
	unsigned long n = 0;

	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->nr_huge_pages, HUGEPAGES);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	list_for_each_entry(page, &h->hugepage_freelist, lru) {
		n++;
		ck_assert(PageHeadHuge(page));
		ck_assert_uint_eq(compound_order(page), HUGETLB_PAGE_ORDER);
		ck_assert_int_eq(page_count(page), 0);
		ck_assert(HPageFreed(page));
		ck_assert(PageHuge(page + 511));
		ck_assert_uint_eq(page_to_pfn(page) % HPAGE_PMD_NR, 0);
		ck_assert(!is_free_buddy_page(page + 100));
	}
	ck_assert_uint_eq(n, HUGEPAGES);
	px_assert_invariants();
}
END_TEST

START_TEST(test_anon_fault_munmap)
{
	struct task_struct *t = px_spawn("app");
	struct hstate *h = hstate_cur();
	unsigned long a = hx_mmap(t, 2, 0);
	struct page *head;
	char buf[8] = { 0 };

	ck_assert_uint_eq(a % HPAGE_SIZE, 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	ck_assert_uint_eq(px_write(t, a + HPAGE_SIZE + 5 * PAGE_SIZE + 1,
				   "huge"), 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 1);
	head = hx_head_at(t, a + HPAGE_SIZE);
	ck_assert_ptr_nonnull(head);
	ck_assert(PageAnon(head));
	ck_assert(PageAnonExclusive(head));
	ck_assert_int_eq(compound_mapcount(head), 1);
	ck_assert_int_eq(page_count(head), 1);
	ck_assert_uint_eq(page_to_pgoff(head),
			  linear_page_index(vma_lookup(t->mm, a),
					    a + HPAGE_SIZE));
	px_assert_reads(t, a + HPAGE_SIZE + 5 * PAGE_SIZE + 1, "huge");
	/* The first huge page was never touched. */
	ck_assert_ptr_null(hx_head_at(t, a));
	ck_assert_uint_eq(px_read(t, a + 17, buf, 4), 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 2);
	px_assert_invariants();

	ck_assert_int_eq(do_munmap(t->mm, a, 2 * HPAGE_SIZE), 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	ck_assert(HPageFreed(head));
	ck_assert_ptr_null(head->mapping);
	ck_assert_uint_eq(mm_nr_pgtables(t->mm), 0);
	px_assert_invariants();
	do_exit(t, 0);
}
END_TEST

START_TEST(test_misaligned_and_pool_empty)
{
	struct task_struct *t = px_spawn("app");
	unsigned long a;

	ck_assert_uint_eq(do_mmap(t->mm, NULL, PAGE_SIZE * 3, HPAGE_SIZE,
				  VM_READ, VM_HUGETLB, 0),
			  (unsigned long)-EINVAL);
	a = hx_mmap(t, HUGEPAGES + 1, 0);
	for (unsigned long i = 0; i < HUGEPAGES; i++)
		ck_assert_uint_eq(px_write(t, a + i * HPAGE_SIZE, "x"), 0);
	get_task_struct(t);
	ck_assert_uint_eq(px_write(t, a + HUGEPAGES * HPAGE_SIZE, "x"),
			  VM_FAULT_SIGBUS);
	ck_assert_int_eq(px_last_signal()->signo, SIGBUS);
	put_task_struct(t);
	px_assert_invariants();
}
END_TEST

START_TEST(test_fork_private_cow)
{
	struct task_struct *p = px_spawn("parent"), *c;
	struct hstate *h = hstate_cur();
	unsigned long a = hx_mmap(p, 1, 0);
	struct page *head;

	ck_assert_uint_eq(px_write(p, a + 64, "parent"), 0);
	head = hx_head_at(p, a);
	c = task_fork(p, "child");
	ck_assert_ptr_eq(hx_head_at(c, a), head);
	ck_assert_int_eq(compound_mapcount(head), 2);
	ck_assert_int_eq(page_count(head), 2);
	ck_assert(!PageAnonExclusive(head));
	ck_assert(!pte_write(mm_pte_peek(p->mm, a)));
	px_assert_invariants();

	ck_assert_uint_eq(px_write(c, a + 64, "child"), 0);
	ck_assert_ptr_ne(hx_head_at(c, a), head);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 2);
	px_assert_reads(p, a + 64, "parent");
	px_assert_reads(c, a + 64, "child");
	ck_assert_int_eq(compound_mapcount(head), 1);
	/* The parent is alone now: its write reuses the page. */
	ck_assert_uint_eq(px_write(p, a + 64, "again"), 0);
	ck_assert_ptr_eq(hx_head_at(p, a), head);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 2);
	px_assert_invariants();
	do_exit(c, 0);
	do_exit(p, 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	px_assert_invariants();
}
END_TEST

START_TEST(test_fork_shared)
{
	struct task_struct *p = px_spawn("parent"), *c;
	struct hstate *h = hstate_cur();
	unsigned long a = hx_mmap(p, 1, VM_SHARED);

	ck_assert_uint_eq(px_write(p, a, "one"), 0);
	c = task_fork(p, "child");
	ck_assert_uint_eq(px_write(c, a, "two"), 0);
	px_assert_reads(p, a, "two");
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 1);
	/* The page cache of the unlinked file holds one more reference. */
	ck_assert_int_eq(page_count(hx_head_at(p, a)), 3);
	do_exit(c, 0);
	do_exit(p, 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	px_assert_invariants();
}
END_TEST

START_TEST(test_hugetlbfs_file)
{
	struct inode *inode = fs_create(hugetlbfs_kern_mount(), "f");
	struct task_struct *t = px_spawn("app");
	struct hstate *h = hstate_cur();
	struct file *file = filp_open(inode, O_RDWR);
	char buf[16] = { 0 };
	loff_t pos = HPAGE_SIZE + 10;
	unsigned long a;

	a = do_mmap(t->mm, file, 0, 2 * HPAGE_SIZE, VM_READ | VM_WRITE,
		    VM_SHARED, 0);
	ck_assert(!IS_ERR_VALUE(a));
	ck_assert_int_eq(i_size_read(inode), 2 * HPAGE_SIZE);
	ck_assert_uint_eq(px_write(t, a + HPAGE_SIZE + 10, "hello"), 0);
	ck_assert_uint_eq(inode->i_mapping->nrpages, 1);
	ck_assert_int_eq(vfs_read(file, buf, 6, &pos), 6);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(vfs_write(file, "x", 1, NULL), -EINVAL);
	ck_assert_int_eq(do_munmap(t->mm, a, 2 * HPAGE_SIZE), 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 1);
	/* Misaligned file offset. */
	ck_assert_uint_eq(do_mmap(t->mm, file, 0, HPAGE_SIZE, VM_READ,
				  VM_SHARED, 1),
			  (unsigned long)-EINVAL);
	ck_assert_int_eq(vfs_truncate(inode, 4096), -EINVAL);
	ck_assert_int_eq(vfs_truncate(inode, 0), 0);
	ck_assert_uint_eq(inode->i_mapping->nrpages, 0);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	fput(file);
	px_assert_invariants();
}
END_TEST

START_TEST(test_unlinked_file_evicted)
{
	struct hstate *h = hstate_cur();
	struct file *f = hugetlb_file_setup("seg", 3 * PAGE_SIZE);
	struct task_struct *t = px_spawn("app");
	unsigned long a;

	ck_assert_int_eq(i_size_read(f->f_inode), HPAGE_SIZE);
	a = do_mmap(t->mm, f, 0, HPAGE_SIZE, VM_READ | VM_WRITE, VM_SHARED, 0);
	ck_assert(!IS_ERR_VALUE(a));
	ck_assert_uint_eq(px_write(t, a, "shm"), 0);
	fput(f);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 1);
	do_exit(t, 0);
	/* The last reference went with the VMA: the segment is gone. */
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES);
	px_assert_invariants();
}
END_TEST

START_TEST(test_dissolve)
{
	struct hstate *h = hstate_cur();
	struct task_struct *t = px_spawn("app");
	unsigned long a = hx_mmap(t, 1, 0), free_before;
	struct page *used, *victim;

	ck_assert_uint_eq(px_write(t, a, "x"), 0);
	used = hx_head_at(t, a);
	ck_assert_int_eq(dissolve_free_huge_page(used + 3), -EBUSY);
	victim = list_first_entry(&h->hugepage_freelist, struct page, lru);
	/* A raw error page survives the dissolve as PG_hwpoison. */
	SetPageHWPoison(victim);
	ck_assert(hugetlb_raw_hwp_add(victim, victim + 9));
	ck_assert(!hugetlb_raw_hwp_add(victim, victim + 9));
	free_before = nr_free_pages();
	ck_assert_int_eq(dissolve_free_huge_page(victim + 5), 0);
	ck_assert(!PageHuge(victim));
	ck_assert(!PageHWPoison(victim));
	ck_assert(PageHWPoison(victim + 9));
	ck_assert_uint_eq(nr_free_pages() - free_before, HPAGE_PMD_NR);
	ck_assert(take_page_off_buddy(victim + 9));
	ck_assert_uint_eq(h->nr_huge_pages, HUGEPAGES - 1);
	ck_assert_uint_eq(h->free_huge_pages, HUGEPAGES - 2);
	/* Not hugetlb any more: nothing to dissolve. */
	ck_assert_int_eq(dissolve_free_huge_page(victim), 0);
	px_assert_invariants();
}
END_TEST

/* The checker must notice a broken map count: tests that can fail. */
START_TEST(test_invariant_catches_mapcount)
{
	struct task_struct *t = px_spawn("app");
	unsigned long a = hx_mmap(t, 1, 0);
	GString *why = g_string_new(NULL);
	struct page *head;

	ck_assert_uint_eq(px_write(t, a, "x"), 0);
	head = hx_head_at(t, a);
	atomic_inc(compound_mapcount_ptr(head));
	ck_assert(!mm_check_invariants(why));
	ck_assert_ptr_nonnull(strstr(why->str, "compound_mapcount 2"));
	atomic_dec(compound_mapcount_ptr(head));
	g_string_truncate(why, 0);
	hstate_cur()->free_huge_pages++;
	ck_assert(!mm_check_invariants(why));
	ck_assert_ptr_nonnull(strstr(why->str, "free_huge_pages"));
	hstate_cur()->free_huge_pages--;
	g_string_free(why, TRUE);
	px_assert_invariants();
}
END_TEST

Suite *suite_mm_hugetlb(void)
{
	Suite *s = suite_create("mm_hugetlb");
	TCase *tc = tcase_create("hugetlb");

	tcase_add_checked_fixture(tc, hx_setup, px_teardown);
	tcase_add_test(tc, test_pool_boot);
	tcase_add_test(tc, test_anon_fault_munmap);
	tcase_add_test(tc, test_misaligned_and_pool_empty);
	tcase_add_test(tc, test_fork_private_cow);
	tcase_add_test(tc, test_fork_shared);
	tcase_add_test(tc, test_hugetlbfs_file);
	tcase_add_test(tc, test_unlinked_file_evicted);
	tcase_add_test(tc, test_dissolve);
	tcase_add_test(tc, test_invariant_catches_mapcount);
	suite_add_tcase(s, tc);
	return s;
}
