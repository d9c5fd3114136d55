/*
 * test_hwpoison.c - memory_failure() and its handlers, from C.
 *
 * Each test puts a page in one state through the model's own paths,
 * calls memory_failure() (or unpoison / soft offline) and checks what the
 * kernel would: the return value, the action_result row, the page's
 * flags and references, the PTEs, the signals, the mapping's error, and
 * the model's invariants.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "mm_proc_fixture.h"
#include "hwpoison/memory-failure.h"
#include "mm-model/fs.h"
#include "mm-model/gfp.h"
#include "mm-model/migrate.h"

static void setup(void)
{
	px_setup();
	hwpoison_policy_register();
	fs_policy_register();
}

static const struct mf_event *last_event(void)
{
	struct hwpoison_state *hs = hwpoison_state();

	ck_assert_uint_gt(hs->events->len, 0);
	return &g_array_index(hs->events, struct mf_event, hs->events->len - 1);
}

static void assert_last(unsigned long pfn, enum mf_action_page_type type,
			enum mf_result result)
{
	const struct mf_event *ev = last_event();

	ck_assert_uint_eq(ev->pfn, pfn);
	ck_assert_msg(ev->type == type, "type %s, expected %s",
		      mf_action_page_type_name(ev->type),
		      mf_action_page_type_name(type));
	ck_assert_msg(ev->result == result, "result %s, expected %s",
		      mf_result_name(ev->result), mf_result_name(result));
}

static bool log_has(const char *needle)
{
	for (guint i = 0; i < px_m->log->len; i++)
		if (strstr(g_ptr_array_index(px_m->log, i), needle))
			return true;
	return false;
}

static unsigned long free_pfn(void)
{
	struct page *p = alloc_page(GFP_KERNEL);
	unsigned long pfn = page_to_pfn(p);

	__free_page(p);
	ck_assert(is_free_buddy_page(pfn_to_page(pfn)));
	return pfn;
}

START_TEST(free_page_taken_off_buddy)
{
	unsigned long pfn = free_pfn(), free0 = nr_free_pages();
	struct page *p = pfn_to_page(pfn);

	ck_assert_int_eq(memory_failure(pfn, MF_SW_SIMULATED), 0);
	assert_last(pfn, MF_MSG_BUDDY, MF_RECOVERED);
	ck_assert(PageHWPoison(p));
	ck_assert(!is_free_buddy_page(p));
	ck_assert_int_eq(page_count(p), 1);
	ck_assert_uint_eq(nr_free_pages(), free0 - 1);
	ck_assert_int_eq(hwpoison_state()->num_poisoned_pages, 1);
	ck_assert(log_has("recovery action for free buddy page: Recovered"));
	/* Never handed out again. */
	for (int i = 0; i < 4096; i++) {
		struct page *q = alloc_page(GFP_KERNEL);

		ck_assert_ptr_nonnull(q);
		ck_assert_ptr_ne(q, p);
	}
	px_assert_invariants();
}
END_TEST

START_TEST(already_poisoned)
{
	unsigned long pfn = free_pfn();

	ck_assert_int_eq(memory_failure(pfn, 0), 0);
	ck_assert_int_eq(memory_failure(pfn, 0), -EHWPOISON);
	ck_assert(log_has("already hardware poisoned"));
	ck_assert_uint_eq(hwpoison_state()->events->len, 1);
}
END_TEST

START_TEST(reserved_page_is_unhandlable)
{
	ck_assert_int_eq(memory_failure(8, MF_SW_SIMULATED), -EBUSY);
	assert_last(8, MF_MSG_UNKNOWN, MF_IGNORED);
	ck_assert(log_has("unhandlable page"));
}
END_TEST

START_TEST(table_kernel_rows_with_reference)
{
	struct page *p = pfn_to_page(9);

	get_page(p);
	ck_assert_int_eq(memory_failure(9, MF_COUNT_INCREASED), -EBUSY);
	assert_last(9, MF_MSG_KERNEL, MF_IGNORED);
}
END_TEST

START_TEST(anon_dirty_late_kill)
{
	struct task_struct *t = px_spawn("app");
	unsigned long a = px_mmap_anon(t, 1, 0);
	struct page *p;
	unsigned long pfn;
	char buf[8];

	ck_assert_uint_eq(px_write(t, a, "data"), 0);
	p = px_page_at(t, a);
	pfn = page_to_pfn(p);
	ck_assert_int_eq(memory_failure(pfn, 0), 0);
	assert_last(pfn, MF_MSG_DIRTY_LRU, MF_RECOVERED);
	/* Late kill: a hwpoison entry, no signal yet. */
	ck_assert(is_hwpoison_entry(pte_to_swp_entry(mm_pte_peek(t->mm, a))));
	ck_assert_uint_eq(px_m->signals->len, 0);
	ck_assert(!page_mapped(p));
	ck_assert(!PageLRU(p));
	/*
	 * The access: the fault path sends SIGBUS AR with the address and
	 * lsb 12 itself (and, with no handler, the task dies of it).
	 */
	ck_assert_uint_eq(px_read(t, a, buf, 1), VM_FAULT_HWPOISON);
	ck_assert_int_eq(px_last_signal()->signo, SIGBUS);
	ck_assert_int_eq(px_last_signal()->code, BUS_MCEERR_AR);
	ck_assert_uint_eq(px_last_signal()->addr, a);
	ck_assert_int_eq(px_last_signal()->addr_lsb, PAGE_SHIFT);
	px_assert_invariants();
}
END_TEST

START_TEST(anon_early_kill_sends_ao)
{
	struct task_struct *t = px_spawn("early");
	unsigned long a = px_mmap_anon(t, 1, 0);
	unsigned long pfn;

	task_set_sigaction(t, SIGBUS, MM_SIG_HANDLER, NULL, NULL);
	ck_assert_int_eq(task_prctl_mce_kill(t, PR_MCE_KILL_SET,
					     PR_MCE_KILL_EARLY), 0);
	ck_assert_uint_eq(px_write(t, a, "data"), 0);
	pfn = page_to_pfn(px_page_at(t, a));
	ck_assert_int_eq(memory_failure(pfn, 0), 0);
	ck_assert_int_eq(px_last_signal()->signo, SIGBUS);
	ck_assert_int_eq(px_last_signal()->code, BUS_MCEERR_AO);
	ck_assert_uint_eq(px_last_signal()->addr, a);
	ck_assert(task_alive(t));
}
END_TEST

START_TEST(sysctl_early_kill_policy)
{
	struct task_struct *t = px_spawn("plain");
	unsigned long a = px_mmap_anon(t, 1, 0);

	ck_assert(sim_policy_set(px_pol, "early_kill", "1", false, NULL));
	ck_assert_uint_eq(px_write(t, a, "data"), 0);
	get_task_struct(t);	/* to look at it after its death */
	ck_assert_int_eq(memory_failure(page_to_pfn(px_page_at(t, a)), 0), 0);
	/* No handler: the AO signal's default action kills. */
	ck_assert(!task_alive(t));
	ck_assert_int_eq(t->exit_code, SIGBUS);
	put_task_struct(t);
}
END_TEST

START_TEST(handler_only_policy)
{
	struct task_struct *with = px_spawn("with");
	struct task_struct *without = px_spawn("without");
	unsigned long a = px_mmap_anon(with, 1, 0);
	unsigned long b = px_mmap_anon(without, 1, 0);

	ck_assert(sim_policy_set(px_pol, "early_kill_sigbus_handlers", "on",
				 false, NULL));
	ck_assert(sim_policy_set(px_pol, "early_kill", "1", false, NULL));
	task_set_sigaction(with, SIGBUS, MM_SIG_HANDLER, NULL, NULL);
	ck_assert_uint_eq(px_write(with, a, "x"), 0);
	ck_assert_uint_eq(px_write(without, b, "x"), 0);
	memory_failure(page_to_pfn(px_page_at(with, a)), 0);
	memory_failure(page_to_pfn(px_page_at(without, b)), 0);
	/* Only the handler was told; the sysctl did not matter. */
	ck_assert_uint_eq(px_m->signals->len, 1);
	ck_assert_int_eq(px_last_signal()->pid, with->pid);
	ck_assert(task_alive(without));
}
END_TEST

/* A file with one page in the cache, optionally written back. */
static struct page *cache_page(struct inode **ip, bool clean)
{
	struct super_block *sb = mount_fs("sda1", FS_DISK, 8, 1);
	struct inode *inode = fs_create(sb, "f");
	struct file *f = filp_open(inode, O_RDWR);
	loff_t pos = 0;
	struct page *p;

	ck_assert_int_eq(vfs_write(f, "contents", 8, &pos), 8);
	if (clean)
		ck_assert_int_eq(vfs_fsync(f), 0);
	p = find_get_page(inode->i_mapping, 0);
	ck_assert_ptr_nonnull(p);
	put_page(p);
	fput(f);
	*ip = inode;
	return p;
}

START_TEST(clean_pagecache_truncated)
{
	struct inode *inode;
	struct page *p = cache_page(&inode, true);
	unsigned long pfn = page_to_pfn(p);

	ck_assert_int_eq(memory_failure(pfn, 0), 0);
	assert_last(pfn, MF_MSG_CLEAN_LRU, MF_RECOVERED);
	ck_assert_ptr_null(find_get_page(inode->i_mapping, 0));
	ck_assert_int_eq(page_count(p), 1);	/* memory_failure's only */
	ck_assert_int_eq(inode->i_mapping->wb_err, 0);
	px_assert_invariants();
}
END_TEST

START_TEST(dirty_pagecache_sets_error)
{
	struct inode *inode;
	struct page *p = cache_page(&inode, false);
	unsigned long pfn = page_to_pfn(p);
	struct file *f = filp_open(inode, O_RDWR);

	ck_assert_int_eq(memory_failure(pfn, 0), 0);
	assert_last(pfn, MF_MSG_DIRTY_LRU, MF_RECOVERED);
	ck_assert(PageError(p));
	ck_assert_ptr_null(find_get_page(inode->i_mapping, 0));
	ck_assert(log_has("dirty page cache of regular file dev 8:1"));
	ck_assert_int_eq(vfs_fsync(f), -EIO);
	ck_assert_int_eq(vfs_fsync(f), 0);
	fput(f);
	px_assert_invariants();
}
END_TEST

START_TEST(dirty_pagecache_panic_policy)
{
	struct inode *inode;
	struct page *p = cache_page(&inode, false);

	ck_assert(sim_policy_set(px_pol, "dirty_pagecache", "panic", false,
				 NULL));
	memory_failure(page_to_pfn(p), 0);
	ck_assert(px_m->panicked);
	ck_assert_ptr_nonnull(strstr(px_m->panic_msg, "dirty page cache"));
}
END_TEST

START_TEST(recovery_zero_panics)
{
	ck_assert(sim_policy_set(px_pol, "recovery", "0", false, NULL));
	memory_failure(free_pfn(), 0);
	ck_assert(px_m->panicked);
	ck_assert(log_has("Kernel panic - not syncing: Memory failure on page"));
}
END_TEST

START_TEST(unpoison_injected_free_page)
{
	unsigned long pfn = free_pfn(), free0 = nr_free_pages();

	ck_assert_int_eq(memory_failure(pfn, MF_SW_SIMULATED), 0);
	ck_assert_int_eq(unpoison_memory(pfn), 0);
	ck_assert(!PageHWPoison(pfn_to_page(pfn)));
	ck_assert_uint_eq(nr_free_pages(), free0);
	ck_assert_int_eq(hwpoison_state()->num_poisoned_pages, 0);
	/* Once a hardware error was seen, unpoison is refused. */
	pfn = free_pfn();
	ck_assert_int_eq(memory_failure(pfn, 0), 0);
	ck_assert_int_eq(unpoison_memory(pfn), -EOPNOTSUPP);
	px_assert_invariants();
}
END_TEST

START_TEST(soft_offline_moves_anon)
{
	struct task_struct *t = px_spawn("app");
	unsigned long a = px_mmap_anon(t, 1, 0);
	struct page *old;

	ck_assert_uint_eq(px_write(t, a, "payload"), 0);
	old = px_page_at(t, a);
	ck_assert_int_eq(soft_offline_page(page_to_pfn(old), 0), 0);
	ck_assert_ptr_ne(px_page_at(t, a), old);
	px_assert_reads(t, a, "payload");
	ck_assert(PageHWPoison(old));
	ck_assert_int_eq(page_count(old), 1);
	ck_assert_uint_eq(px_m->signals->len, 0);
	px_assert_invariants();
}
END_TEST

START_TEST(migrate_fails_on_poisoned_frame)
{
	struct task_struct *t = px_spawn("app");
	unsigned long a = px_mmap_anon(t, 1, 0);
	struct page *p;

	ck_assert_uint_eq(px_write(t, a, "payload"), 0);
	p = px_page_at(t, a);
	physmem_poison_line(px_m->physmem, page_to_pfn(p), 0);
	get_page(p);
	ck_assert_int_eq(migrate_page_to(p, NULL), -EHWPOISON);
	/* The old page is back where it was, still mapped. */
	ck_assert_ptr_eq(px_page_at(t, a), p);
	ck_assert(PageLRU(p));
	px_assert_invariants();
}
END_TEST

START_TEST(filter_by_device)
{
	struct inode *inode;
	struct page *p = cache_page(&inode, true);
	struct hwpoison_state *hs = hwpoison_state();

	hs->filter_enable = true;
	hs->filter_dev_major = 3;	/* not sda */
	ck_assert_int_eq(memory_failure(page_to_pfn(p), MF_SW_SIMULATED),
			 -EOPNOTSUPP);
	ck_assert(!PageHWPoison(p));
	hs->filter_dev_major = 8;
	ck_assert_int_eq(memory_failure(page_to_pfn(p), MF_SW_SIMULATED), 0);
	ck_assert(PageHWPoison(p));
}
END_TEST

START_TEST(ratelimit_suppresses_and_counts)
{
	struct hwpoison_state *hs = hwpoison_state();
	guint lines0;

	ck_assert(sim_policy_set(px_pol, "printk_ratelimit", "on", false,
				 NULL));
	lines0 = px_m->log->len;
	for (int i = 0; i < 50; i++)
		mf_printk("line %d", i);
	ck_assert_uint_eq(px_m->log->len - lines0, 10);
	ck_assert_uint_eq(hs->rl_suppressed_total, 40);
}
END_TEST

Suite *suite_hwpoison(void)
{
	Suite *s = suite_create("hwpoison");
	TCase *tc = tcase_create("memory_failure");

	tcase_add_checked_fixture(tc, setup, px_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, free_page_taken_off_buddy);
	tcase_add_test(tc, already_poisoned);
	tcase_add_test(tc, reserved_page_is_unhandlable);
	tcase_add_test(tc, table_kernel_rows_with_reference);
	tcase_add_test(tc, anon_dirty_late_kill);
	tcase_add_test(tc, anon_early_kill_sends_ao);
	tcase_add_test(tc, sysctl_early_kill_policy);
	tcase_add_test(tc, handler_only_policy);
	tcase_add_test(tc, clean_pagecache_truncated);
	tcase_add_test(tc, dirty_pagecache_sets_error);
	tcase_add_test(tc, dirty_pagecache_panic_policy);
	tcase_add_test(tc, recovery_zero_panics);
	tcase_add_test(tc, unpoison_injected_free_page);
	tcase_add_test(tc, soft_offline_moves_anon);
	tcase_add_test(tc, migrate_fails_on_poisoned_frame);
	tcase_add_test(tc, filter_by_device);
	tcase_add_test(tc, ratelimit_suppresses_and_counts);
	suite_add_tcase(s, tc);
	return s;
}
