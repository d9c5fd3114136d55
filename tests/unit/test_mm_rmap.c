/*
 * test_mm_rmap.c - rmap walks and try_to_unmap over real processes, and
 * reclaim of mapped and file pages: hwpoison entries in every mapping
 * (anon after fork, a shared file mapping in two processes), mlocked
 * mappings kept, addresses of a page in a VMA, anon pages swapped out
 * and back in with their content, clean file pages dropped and dirty
 * ones written back.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "mm-model/machine.h"
#include "mm-model/rmap.h"
#include "mm-model/sched.h"
#include "mm-model/swap.h"

static struct sim *rm_sim;
static struct sim_policy *rm_policy;
static struct mm_machine *rm_machine;

static void rm_setup(void)
{
	struct mm_machine_config cfg;
	struct sim_config scfg;
	GError *err = NULL;

	sim_config_default(&scfg);
	rm_sim = sim_new(&scfg);
	rm_policy = sim_policy_new();
	mm_machine_config_default(&cfg);
	cfg.mem_bytes = 16ULL << 20;
	cfg.swap_bytes = 256 * PAGE_SIZE;
	rm_machine = mm_machine_new(&cfg, rm_sim, rm_policy, &err);
	ck_assert_msg(rm_machine != NULL, "machine: %s",
		      err ? err->message : "?");
}

static void rm_teardown(void)
{
	mm_machine_free(rm_machine);
	sim_policy_free(rm_policy);
	sim_free(rm_sim);
	rm_machine = NULL;
}

static void assert_invariants(void)
{
	GString *why = g_string_new(NULL);

	ck_assert_msg(mm_check_invariants(why), "%s", why->str);
	g_string_free(why, TRUE);
}

static struct task_struct *spawn(const char *name)
{
	struct task_struct *t = task_create(name, mm_alloc());

	ck_assert_ptr_nonnull(t);
	return t;
}

static unsigned long map(struct task_struct *t, struct file *file,
			 unsigned long pages, unsigned long flags)
{
	unsigned long addr = do_mmap(t->mm, file, 0, pages * PAGE_SIZE,
				     VM_READ | VM_WRITE, flags, 0);

	ck_assert_msg(!IS_ERR_VALUE(addr), "mmap: %ld", (long)addr);
	return addr;
}

/* Touch addr as the task would; the page comes back referenced. */
static struct page *touch(struct task_struct *t, unsigned long addr,
			  bool write)
{
	vm_fault_t ret = 0;
	struct page *page = follow_page_fault(t, addr, write, &ret);

	ck_assert_msg(page != NULL, "fault at %#lx: %#x", addr, ret);
	return page;
}

static void stamp(struct page *page, char c)
{
	char buf[PAGE_SIZE];

	memset(buf, c, sizeof(buf));
	ck_assert_int_eq(physmem_write(mm_machine_cur->physmem,
				       page_to_pfn(page), 0, buf, sizeof(buf),
				       NULL), 0);
}

static bool holds(struct page *page, char c)
{
	char buf[PAGE_SIZE];

	if (physmem_read(mm_machine_cur->physmem, page_to_pfn(page), 0, buf,
			 sizeof(buf), NULL))
		return false;
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != c)
			return false;
	return true;
}

static bool slot_written(swp_entry_t entry)
{
	GBytes *bytes = swap_slot_content(entry);
	bool ok = bytes && g_bytes_get_size(bytes) == PAGE_SIZE;

	if (bytes)
		g_bytes_unref(bytes);
	return ok;
}

static bool pte_is_hwpoison(struct mm_struct *mm, unsigned long addr,
			    struct page *page)
{
	pte_t pte = mm_pte_peek(mm, addr);
	swp_entry_t e;

	if (!is_swap_pte(pte))
		return false;
	e = pte_to_swp_entry(pte);
	return is_hwpoison_entry(e) && swp_offset_pfn(e) == page_to_pfn(page);
}

static struct file *disk_file(const char *name, char c, bool sync)
{
	static unsigned int minor;
	struct super_block *sb = mount_fs("sda", FS_DISK, 8, ++minor);
	struct inode *inode = fs_create(sb, name);
	struct file *file = filp_open(inode, O_RDWR);
	char buf[PAGE_SIZE];
	loff_t pos = 0;

	memset(buf, c, sizeof(buf));
	ck_assert_int_eq(vfs_write(file, buf, sizeof(buf), &pos), PAGE_SIZE);
	if (sync)
		ck_assert_int_eq(vfs_fsync(file), 0);
	return file;
}

/* ---- addresses ---------------------------------------------------------- */

START_TEST(test_page_address_in_vma)
{
	struct task_struct *a = spawn("a"), *b = spawn("b");
	unsigned long addr = map(a, NULL, 4, 0);
	unsigned long other = map(b, NULL, 4, 0);
	struct page *page = touch(a, addr + 2 * PAGE_SIZE, true);
	struct vm_area_struct *vma, *bvma;

	touch(b, other, true);
	mmap_read_lock(a->mm);
	vma = find_vma(a->mm, addr);
	ck_assert_uint_eq(vma_address(page, vma), addr + 2 * PAGE_SIZE);
	ck_assert_uint_eq(page_address_in_vma(page, vma),
			  addr + 2 * PAGE_SIZE);
	mmap_read_unlock(a->mm);
	mmap_read_lock(b->mm);
	bvma = find_vma(b->mm, other);
	/* Another family's anon_vma: not this VMA's page. */
	ck_assert_uint_eq(page_address_in_vma(page, bvma), -EFAULT);
	mmap_read_unlock(b->mm);
	put_page(page);
}
END_TEST

struct visit_log {
	int n;
	struct mm_struct *mm[4];
	unsigned long addr[4];
};

static bool log_visit(struct page *page, struct vm_area_struct *vma,
		      unsigned long addr, void *arg)
{
	struct visit_log *log = arg;

	(void)page;
	if (log->n < 4) {
		log->mm[log->n] = vma->vm_mm;
		log->addr[log->n] = addr;
	}
	log->n++;
	return true;
}

START_TEST(test_rmap_walk_anon_after_fork)
{
	struct task_struct *parent = spawn("parent"), *child;
	unsigned long addr = map(parent, NULL, 1, 0);
	struct page *page = touch(parent, addr, true);
	struct visit_log log = { 0 };
	struct rmap_walk_control rwc = { .arg = &log, .rmap_one = log_visit };

	child = task_fork(parent, "child");
	ck_assert_ptr_nonnull(child);
	ck_assert_int_eq(page_mapcount(page), 2);
	ck_assert(trylock_page(page));
	rmap_walk(page, &rwc);
	unlock_page(page);
	ck_assert_int_eq(log.n, 2);
	ck_assert_ptr_eq(log.mm[0], parent->mm);
	ck_assert_ptr_eq(log.mm[1], child->mm);
	ck_assert_uint_eq(log.addr[0], addr);
	ck_assert_uint_eq(log.addr[1], addr);
	put_page(page);
}
END_TEST

/* ---- try_to_unmap ------------------------------------------------------- */

START_TEST(test_unmap_hwpoison_anon_after_fork)
{
	struct task_struct *parent = spawn("parent"), *child;
	unsigned long addr = map(parent, NULL, 1, 0);
	struct page *page = touch(parent, addr, true);

	stamp(page, 'x');
	child = task_fork(parent, "child");
	ck_assert_int_eq(page_mapcount(page), 2);
	ck_assert_int_eq(get_mm_counter(child->mm, MM_ANONPAGES), 1);

	ck_assert(trylock_page(page));
	SetPageHWPoison(page);
	try_to_unmap(page, TTU_IGNORE_MLOCK);
	ck_assert(!page_mapped(page));
	ck_assert(pte_is_hwpoison(parent->mm, addr, page));
	ck_assert(pte_is_hwpoison(child->mm, addr, page));
	ck_assert_int_eq(get_mm_counter(parent->mm, MM_ANONPAGES), 0);
	ck_assert_int_eq(get_mm_counter(child->mm, MM_ANONPAGES), 0);
	/* The kernel does not count hwpoison entries as swap. */
	ck_assert_int_eq(get_mm_counter(parent->mm, MM_SWAPENTS), 0);
	ck_assert_int_eq(get_mm_counter(child->mm, MM_SWAPENTS), 0);
	ck_assert_int_eq(page_count(page), 1);
	unlock_page(page);
	assert_invariants();
	put_page(page);
}
END_TEST

START_TEST(test_unmap_hwpoison_shared_file)
{
	struct task_struct *a = spawn("a"), *b = spawn("b");
	struct file *file = disk_file("shared", 's', true);
	unsigned long aa = map(a, file, 1, VM_SHARED);
	unsigned long ba = map(b, file, 1, VM_SHARED);
	struct page *pa = touch(a, aa, false);
	struct page *pb = touch(b, ba, false);

	ck_assert_ptr_eq(pa, pb);
	ck_assert_int_eq(page_mapcount(pa), 2);
	ck_assert(trylock_page(pa));
	SetPageHWPoison(pa);
	try_to_unmap(pa, TTU_IGNORE_MLOCK);
	ck_assert(!page_mapped(pa));
	ck_assert(pte_is_hwpoison(a->mm, aa, pa));
	ck_assert(pte_is_hwpoison(b->mm, ba, pa));
	ck_assert_int_eq(get_mm_counter(a->mm, MM_FILEPAGES), 0);
	ck_assert_int_eq(get_mm_counter(b->mm, MM_FILEPAGES), 0);
	unlock_page(pa);
	put_page(pa);
	put_page(pb);
	fput(file);
}
END_TEST

/* Without TTU_IGNORE_HWPOISON a clean file page just goes: refault. */
START_TEST(test_unmap_file_page_clears_ptes)
{
	struct task_struct *a = spawn("a");
	struct file *file = disk_file("plain", 'p', true);
	unsigned long addr = map(a, file, 1, VM_SHARED);
	struct page *page = touch(a, addr, false);

	ck_assert(trylock_page(page));
	try_to_unmap(page, 0);
	ck_assert(!page_mapped(page));
	ck_assert(pte_none(mm_pte_peek(a->mm, addr)));
	unlock_page(page);
	put_page(page);
	fput(file);
}
END_TEST

/* An anon page with no swap slot cannot lose its PTE. */
START_TEST(test_unmap_anon_without_swap_stays)
{
	struct task_struct *a = spawn("a");
	unsigned long addr = map(a, NULL, 1, 0);
	struct page *page = touch(a, addr, true);

	ck_assert(trylock_page(page));
	try_to_unmap(page, 0);
	ck_assert(page_mapped(page));
	ck_assert(pte_present(mm_pte_peek(a->mm, addr)));
	unlock_page(page);
	put_page(page);
}
END_TEST

START_TEST(test_unmap_keeps_mlocked_mapping)
{
	struct task_struct *a = spawn("a");
	unsigned long addr = map(a, NULL, 1, VM_LOCKED);
	struct page *page = touch(a, addr, true);

	ck_assert(PageMlocked(page));
	ck_assert(trylock_page(page));
	SetPageHWPoison(page);
	try_to_unmap(page, 0);
	ck_assert(page_mapped(page));
	ck_assert(pte_present(mm_pte_peek(a->mm, addr)));
	/* memory_failure's flags: the mlock does not protect it. */
	try_to_unmap(page, TTU_IGNORE_MLOCK);
	ck_assert(!page_mapped(page));
	ck_assert(pte_is_hwpoison(a->mm, addr, page));
	/*
	 * The refused unmap re-mlocked the page (6.1's "restore the mlock
	 * which got missed"), so mlock_count over-counts and PG_mlocked may
	 * stay until the page is freed: 6.1 tolerates that, and so does the
	 * model.  What matters is that no mapping is left.
	 */
	unlock_page(page);
	put_page(page);
}
END_TEST

/* ---- reclaim of mapped and file pages ------------------------------------ */

/* Reclaim until the PTE at addr is no longer present (a few rounds:
 * the first sees the young PTE from the fault). */
static bool reclaim_until_unmapped(struct task_struct *t, unsigned long addr)
{
	for (int round = 0; round < 8; round++) {
		try_to_free_pages(SWAP_CLUSTER_MAX);
		if (!pte_present(mm_pte_peek(t->mm, addr)))
			return true;
	}
	return false;
}

START_TEST(test_reclaim_swaps_out_anon_and_back)
{
	struct task_struct *a = spawn("a");
	unsigned long addr = map(a, NULL, 1, 0);
	struct page *page = touch(a, addr, true);
	unsigned long pfn = page_to_pfn(page);
	pte_t pte;

	stamp(page, 'z');
	put_page(page);
	ck_assert(reclaim_until_unmapped(a, addr));
	pte = mm_pte_peek(a->mm, addr);
	ck_assert(is_swap_pte(pte));
	ck_assert(!non_swap_entry(pte_to_swp_entry(pte)));
	ck_assert_int_eq(get_mm_counter(a->mm, MM_ANONPAGES), 0);
	ck_assert_int_eq(get_mm_counter(a->mm, MM_SWAPENTS), 1);
	ck_assert_int_eq(swp_swapcount(pte_to_swp_entry(pte)), 1);
	assert_invariants();

	/* Written out: the frame is freed once clean (another round). */
	try_to_free_pages(SWAP_CLUSTER_MAX);
	ck_assert(slot_written(pte_to_swp_entry(pte)));
	ck_assert_int_eq(page_count(pfn_to_page(pfn)), 0);

	page = touch(a, addr, false);
	ck_assert(holds(page, 'z'));
	ck_assert_int_eq(get_mm_counter(a->mm, MM_ANONPAGES), 1);
	ck_assert_int_eq(get_mm_counter(a->mm, MM_SWAPENTS), 0);
	assert_invariants();
	put_page(page);
}
END_TEST

START_TEST(test_reclaim_drops_clean_file_page)
{
	struct file *file = disk_file("clean", 'c', true);
	struct address_space *mapping = file->f_mapping;
	char buf[PAGE_SIZE];
	loff_t pos = 0;

	ck_assert_uint_eq(mapping->nrpages, 1);
	try_to_free_pages(SWAP_CLUSTER_MAX);
	ck_assert_uint_eq(mapping->nrpages, 0);
	ck_assert_ptr_null(find_get_page(mapping, 0));
	ck_assert_int_eq(vfs_read(file, buf, sizeof(buf), &pos), PAGE_SIZE);
	ck_assert_int_eq(buf[0], 'c');
	ck_assert_int_eq(buf[PAGE_SIZE - 1], 'c');
	assert_invariants();
	fput(file);
}
END_TEST

START_TEST(test_reclaim_writes_back_dirty_file_page)
{
	struct file *file = disk_file("dirty", 'd', false);
	struct address_space *mapping = file->f_mapping;
	char buf[PAGE_SIZE];
	loff_t pos = 0;
	struct page *page;

	page = find_get_page(mapping, 0);
	ck_assert_ptr_nonnull(page);
	ck_assert(PageDirty(page));
	put_page(page);
	/* First round writes it, a later one frees it. */
	for (int round = 0; round < 4 && mapping->nrpages; round++)
		try_to_free_pages(SWAP_CLUSTER_MAX);
	ck_assert_uint_eq(mapping->nrpages, 0);
	ck_assert_int_eq(vfs_read(file, buf, sizeof(buf), &pos), PAGE_SIZE);
	ck_assert_int_eq(buf[0], 'd');
	assert_invariants();
	fput(file);
}
END_TEST

Suite *suite_mm_rmap(void)
{
	Suite *s = suite_create("mm_rmap");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, rm_setup, rm_teardown);
	tcase_add_test(tc, test_page_address_in_vma);
	tcase_add_test(tc, test_rmap_walk_anon_after_fork);
	suite_add_tcase(s, tc);

	tc = tcase_create("try_to_unmap");
	tcase_add_checked_fixture(tc, rm_setup, rm_teardown);
	tcase_add_test(tc, test_unmap_hwpoison_anon_after_fork);
	tcase_add_test(tc, test_unmap_hwpoison_shared_file);
	tcase_add_test(tc, test_unmap_file_page_clears_ptes);
	tcase_add_test(tc, test_unmap_anon_without_swap_stays);
	tcase_add_test(tc, test_unmap_keeps_mlocked_mapping);
	suite_add_tcase(s, tc);

	tc = tcase_create("reclaim");
	tcase_add_checked_fixture(tc, rm_setup, rm_teardown);
	tcase_add_test(tc, test_reclaim_swaps_out_anon_and_back);
	tcase_add_test(tc, test_reclaim_drops_clean_file_page);
	tcase_add_test(tc, test_reclaim_writes_back_dirty_file_page);
	suite_add_tcase(s, tc);
	return s;
}
