/*
 * test_mm_task.c - tasks and signals: creation and the task list,
 * threads, exit, prctl(PR_MCE_KILL), SIGBUS delivery by disposition
 * (default kills the group, handlers see the siginfo, forced signals
 * override ignore and block), `current` inside a fiber, and signals to a
 * task running elsewhere waiting for its return to user mode.
 */
#include "mm_proc_fixture.h"

/* ---- creation, threads, exit --------------------------------------------- */

START_TEST(test_task_create)
{
	struct task_struct *a = px_spawn("a"), *b = px_spawn("b");
	struct task_struct *p;
	int n = 0;

	ck_assert_int_eq(px_m->init_task->pid, 1);
	ck_assert_str_eq(px_m->init_task->comm, "init");
	ck_assert_int_eq(a->pid, 2);
	ck_assert_int_eq(b->pid, 3);
	ck_assert_ptr_eq(find_task_by_pid(3), b);
	ck_assert_ptr_null(find_task_by_pid(99));
	ck_assert_ptr_eq(a->mm->owner, a);
	/* Outside any fiber, current is the init task. */
	ck_assert_ptr_eq(current, px_m->init_task);
	for_each_process(p)
		n++;
	ck_assert_int_eq(n, 3);
	px_assert_invariants();
}
END_TEST

START_TEST(test_threads_share_and_die_together)
{
	struct task_struct *a = px_spawn("app");
	struct task_struct *t1 = task_clone_thread(a, "worker1");
	struct task_struct *t2 = task_clone_thread(t1, "worker2");
	struct task_struct *t;
	pid_t seen[4];
	int n = 0;

	ck_assert_ptr_eq(t1->mm, a->mm);
	ck_assert_ptr_eq(t2->group_leader, a);
	ck_assert_int_eq(t2->tgid, a->pid);
	ck_assert_int_eq(atomic_read(&a->mm->mm_users), 3);
	for_each_thread(t2, t)
		seen[n++] = t->pid;
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(seen[0], a->pid);	/* the leader first */
	ck_assert_int_eq(seen[2], t2->pid);

	/* One thread exits: the others go on. */
	get_task_struct(t1);
	do_exit(t1, 0);
	ck_assert(!task_alive(t1));
	ck_assert(task_alive(a));
	ck_assert_ptr_null(find_task_by_pid(t1->pid));
	put_task_struct(t1);

	/* A fatal signal to one kills the whole group. */
	get_task_struct(a);
	get_task_struct(t2);
	send_sig_mceerr(BUS_MCEERR_AO, 0x1000, PAGE_SHIFT, t2);
	ck_assert(!task_alive(a));
	ck_assert(!task_alive(t2));
	ck_assert_int_eq(a->exit_code, SIGBUS);
	ck_assert_ptr_null(a->mm);
	ck_assert_ptr_null(find_task_by_pid(a->pid));
	put_task_struct(a);
	put_task_struct(t2);
	px_assert_invariants();
}
END_TEST

START_TEST(test_zombie_leader)
{
	struct task_struct *a = px_spawn("app");
	struct task_struct *t1 = task_clone_thread(a, "worker");

	get_task_struct(a);
	do_exit(a, 0);
	/* The leader stays listed until its last thread is gone. */
	ck_assert(!task_alive(a));
	ck_assert_ptr_eq(find_task_by_pid(a->pid), a);
	ck_assert(t1->mm != NULL);
	do_exit(t1, 0);
	ck_assert_ptr_null(find_task_by_pid(a->pid));
	put_task_struct(a);
}
END_TEST

START_TEST(test_exit_releases_memory)
{
	unsigned long before = nr_free_pages();
	struct task_struct *a = px_spawn("app");
	unsigned long addr = px_mmap_anon(a, 16, 0);

	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(px_write(a, addr + i * PAGE_SIZE, "x"), 0);
	ck_assert_uint_lt(nr_free_pages(), before);
	do_exit(a, 0);
	ck_assert_uint_eq(nr_free_pages(), before);
	ck_assert_uint_eq(global_zone_page_state(NR_PAGETABLE), 0);
	px_assert_invariants();
}
END_TEST

/* ---- prctl ----------------------------------------------------------------- */

START_TEST(test_prctl_mce_kill)
{
	struct task_struct *a = px_spawn("app");

	ck_assert_int_eq(task_prctl_mce_kill_get(a), PR_MCE_KILL_DEFAULT);
	ck_assert_int_eq(task_prctl_mce_kill(a, PR_MCE_KILL_SET,
					     PR_MCE_KILL_EARLY), 0);
	ck_assert_uint_eq(a->flags & (PF_MCE_PROCESS | PF_MCE_EARLY),
			  PF_MCE_PROCESS | PF_MCE_EARLY);
	ck_assert_int_eq(task_prctl_mce_kill_get(a), PR_MCE_KILL_EARLY);
	ck_assert_int_eq(task_prctl_mce_kill(a, PR_MCE_KILL_SET,
					     PR_MCE_KILL_LATE), 0);
	ck_assert_int_eq(task_prctl_mce_kill_get(a), PR_MCE_KILL_LATE);
	ck_assert_uint_eq(a->flags & PF_MCE_EARLY, 0);
	ck_assert_int_eq(task_prctl_mce_kill(a, PR_MCE_KILL_SET,
					     PR_MCE_KILL_DEFAULT), 0);
	ck_assert_uint_eq(a->flags & (PF_MCE_PROCESS | PF_MCE_EARLY), 0);
	/* A bad mode fails, but PF_MCE_PROCESS was already set (sys.c). */
	ck_assert_int_eq(task_prctl_mce_kill(a, PR_MCE_KILL_SET, 7), -EINVAL);
	ck_assert_uint_eq(a->flags & PF_MCE_PROCESS, PF_MCE_PROCESS);
	ck_assert_int_eq(task_prctl_mce_kill(a, PR_MCE_KILL_CLEAR, 1),
			 -EINVAL);
	ck_assert_int_eq(task_prctl_mce_kill(a, PR_MCE_KILL_CLEAR, 0), 0);
	ck_assert_uint_eq(a->flags & PF_MCE_PROCESS, 0);
	ck_assert_int_eq(task_prctl_mce_kill(a, 9, 0), -EINVAL);

	/* Threads and children inherit the policy. */
	task_prctl_mce_kill(a, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY);
	ck_assert_int_eq(task_prctl_mce_kill_get(task_clone_thread(a, "t")),
			 PR_MCE_KILL_EARLY);
	ck_assert_int_eq(task_prctl_mce_kill_get(task_fork(a, "child")),
			 PR_MCE_KILL_EARLY);
}
END_TEST

/* ---- signals ----------------------------------------------------------------- */

static int handled;

static bool record_handler(struct task_struct *tsk,
			   const struct kernel_siginfo *info, void *data)
{
	(void)tsk;
	(void)info;
	handled++;
	return data == NULL;	/* data set: "exit from the handler" */
}

START_TEST(test_default_sigbus_kills)
{
	struct task_struct *a = px_spawn("app");
	struct mm_signal_record *r;

	get_task_struct(a);
	ck_assert_int_eq(send_sig_mceerr(BUS_MCEERR_AO, 0x7000, 12, a), 0);
	ck_assert(!task_alive(a));
	ck_assert_int_eq(a->exit_code, SIGBUS);
	ck_assert_uint_eq(a->nr_sigbus, 1);
	r = px_last_signal();
	ck_assert_int_eq(r->pid, a->pid);
	ck_assert_int_eq(r->signo, SIGBUS);
	ck_assert_int_eq(r->code, BUS_MCEERR_AO);
	ck_assert_uint_eq(r->addr, 0x7000);
	ck_assert_int_eq(r->addr_lsb, 12);
	ck_assert(r->killed);
	ck_assert(!r->forced);
	ck_assert_str_eq(r->why, "memory_failure");
	/* A dead task gets nothing more. */
	ck_assert_int_eq(send_sig_mceerr(BUS_MCEERR_AO, 0x7000, 12, a),
			 -ESRCH);
	put_task_struct(a);
}
END_TEST

START_TEST(test_handler_records_siginfo)
{
	struct task_struct *a = px_spawn("app");
	struct kernel_siginfo *si;

	handled = 0;
	task_set_sigaction(a, SIGBUS, MM_SIG_HANDLER, record_handler, NULL);
	send_sig_mceerr(BUS_MCEERR_AO, 0x7008, 12, a);
	mm_fault_error(a, 0x9010, VM_FAULT_HWPOISON);
	mm_fault_error(a, 0x200000, VM_FAULT_HWPOISON_LARGE);
	ck_assert(task_alive(a));
	ck_assert_int_eq(handled, 3);
	ck_assert_uint_eq(a->delivered->len, 3);
	si = &g_array_index(a->delivered, struct kernel_siginfo, 0);
	ck_assert_int_eq(si->code, BUS_MCEERR_AO);
	ck_assert_uint_eq(si->addr, 0x7008);
	si = &g_array_index(a->delivered, struct kernel_siginfo, 1);
	ck_assert_int_eq(si->signo, SIGBUS);
	ck_assert_int_eq(si->code, BUS_MCEERR_AR);
	ck_assert_uint_eq(si->addr, 0x9010);
	ck_assert_int_eq(si->addr_lsb, 12);
	si = &g_array_index(a->delivered, struct kernel_siginfo, 2);
	ck_assert_int_eq(si->addr_lsb, 21);
	ck_assert(px_last_signal()->forced);
	ck_assert_str_eq(px_last_signal()->why, "page fault");

	/* A handler that exits ends the process, with exit code 0. */
	task_set_sigaction(a, SIGBUS, MM_SIG_HANDLER, record_handler, a);
	get_task_struct(a);
	send_sig_mceerr(BUS_MCEERR_AO, 0x7008, 12, a);
	ck_assert(!task_alive(a));
	ck_assert_int_eq(a->exit_code, 0);
	put_task_struct(a);
}
END_TEST

START_TEST(test_ignored_sigbus_reset_by_force)
{
	struct task_struct *a = px_spawn("app");

	task_set_sigaction(a, SIGBUS, MM_SIG_IGN, NULL, NULL);
	send_sig_mceerr(BUS_MCEERR_AO, 0x7000, 12, a);
	ck_assert(task_alive(a));
	ck_assert(!px_last_signal()->killed);
	ck_assert_uint_eq(a->nr_sigbus, 1);

	/* The consumed error is forced: ignoring it is not an option. */
	get_task_struct(a);
	mm_fault_error(a, 0x7000, VM_FAULT_HWPOISON);
	ck_assert(!task_alive(a));
	ck_assert_int_eq(a->exit_code, SIGBUS);
	ck_assert(px_last_signal()->forced);
	ck_assert(px_last_signal()->killed);
	ck_assert_int_eq(a->sighand->action[SIGBUS].disp, MM_SIG_DFL);
	put_task_struct(a);
}
END_TEST

START_TEST(test_blocked_sigbus)
{
	struct task_struct *a = px_spawn("app");

	handled = 0;
	task_set_sigaction(a, SIGBUS, MM_SIG_HANDLER, record_handler, NULL);
	task_block_signal(a, SIGBUS, true);
	send_sig_mceerr(BUS_MCEERR_AO, 0x7000, 12, a);
	ck_assert_int_eq(handled, 0);
	ck_assert_uint_eq(a->pending->len, 1);
	task_block_signal(a, SIGBUS, false);
	ck_assert_int_eq(handled, 1);
	ck_assert_uint_eq(a->pending->len, 0);

	/* A forced signal unblocks it and is delivered at once. */
	task_block_signal(a, SIGBUS, true);
	mm_fault_error(a, 0x7000, VM_FAULT_HWPOISON);
	ck_assert_int_eq(handled, 2);
	ck_assert_uint_eq(a->blocked, 0);
	ck_assert(task_alive(a));
}
END_TEST

START_TEST(test_sigkill_cannot_be_caught)
{
	struct task_struct *a = px_spawn("app");
	struct kernel_siginfo info = { 0 };

	task_set_sigaction(a, SIGKILL, MM_SIG_IGN, NULL, NULL);
	task_block_signal(a, SIGKILL, true);
	get_task_struct(a);
	send_sig_info(SIGKILL, &info, a);
	ck_assert(!task_alive(a));
	ck_assert_int_eq(a->exit_code, SIGKILL);
	put_task_struct(a);
}
END_TEST

START_TEST(test_fault_error_codes)
{
	struct task_struct *a = px_spawn("a"), *b = px_spawn("b");

	get_task_struct(a);
	get_task_struct(b);
	mm_fault_error(a, 0x1234, VM_FAULT_SIGBUS);
	ck_assert_int_eq(px_last_signal()->signo, SIGBUS);
	ck_assert_int_eq(px_last_signal()->code, BUS_ADRERR);
	ck_assert_uint_eq(px_last_signal()->addr, 0x1234);
	ck_assert(!task_alive(a));
	mm_fault_error(b, 0x5678, VM_FAULT_SIGSEGV);
	ck_assert_int_eq(px_last_signal()->signo, SIGSEGV);
	ck_assert_int_eq(b->exit_code, SIGSEGV);
	put_task_struct(a);
	put_task_struct(b);
}
END_TEST

/* ---- fibers: current and deferred delivery ----------------------------------- */

struct fiber_arg {
	struct task_struct *tsk;
	struct task_struct *seen;
	bool alive_before_return;
};

static void consume_fiber(void *p)
{
	struct fiber_arg *arg = p;

	arg->seen = current;
	/* The consumed error, in the task's own context. */
	force_sig_mceerr(BUS_MCEERR_AR, 0x4000, PAGE_SHIFT);
}

START_TEST(test_current_in_fiber)
{
	struct task_struct *a = px_spawn("app");
	struct fiber_arg arg = { .tsk = a };

	handled = 0;
	task_set_sigaction(a, SIGBUS, MM_SIG_HANDLER, record_handler, NULL);
	a->fiber = sim_spawn(px_sim, "app", consume_fiber, &arg);
	sim_run(px_sim);
	ck_assert_ptr_eq(arg.seen, a);
	ck_assert_int_eq(handled, 1);
	ck_assert_int_eq(g_array_index(a->delivered, struct kernel_siginfo,
				       0).code, BUS_MCEERR_AR);
	a->fiber = NULL;
}
END_TEST

static void busy_fiber(void *p)
{
	struct fiber_arg *arg = p;

	/* Another fiber runs meanwhile and sends the signal. */
	sim_sleep(px_sim, 1000, SIM_HERE);
	arg->alive_before_return = task_alive(arg->tsk);
	exit_to_user_mode(arg->tsk);
}

static void killer_fiber(void *p)
{
	struct fiber_arg *arg = p;

	send_sig_mceerr(BUS_MCEERR_AO, 0x4000, PAGE_SHIFT, arg->tsk);
}

START_TEST(test_signal_waits_for_return_to_user)
{
	struct task_struct *a = px_spawn("app");
	struct fiber_arg arg = { .tsk = a };
	struct sim_config sc;

	/* Run the busy fiber first, then the killer, then the busy one. */
	sim_free(px_sim);
	sim_config_default(&sc);
	sc.strategy.kind = SIM_STRAT_RUN_TO_BLOCK;
	px_sim = sim_new(&sc);
	px_m->sim = px_sim;
	get_task_struct(a);
	a->fiber = sim_spawn(px_sim, "app", busy_fiber, &arg);
	sim_spawn(px_sim, "mf", killer_fiber, &arg);
	sim_run(px_sim);
	ck_assert(arg.alive_before_return);
	ck_assert(!task_alive(a));
	ck_assert_int_eq(a->exit_code, SIGBUS);
	a->fiber = NULL;
	put_task_struct(a);
}
END_TEST

Suite *suite_mm_task(void)
{
	Suite *s = suite_create("mm_task");
	TCase *tc = tcase_create("task");

	tcase_add_checked_fixture(tc, px_setup, px_teardown);
	tcase_add_test(tc, test_task_create);
	tcase_add_test(tc, test_threads_share_and_die_together);
	tcase_add_test(tc, test_zombie_leader);
	tcase_add_test(tc, test_exit_releases_memory);
	tcase_add_test(tc, test_prctl_mce_kill);
	tcase_add_test(tc, test_default_sigbus_kills);
	tcase_add_test(tc, test_handler_records_siginfo);
	tcase_add_test(tc, test_ignored_sigbus_reset_by_force);
	tcase_add_test(tc, test_blocked_sigbus);
	tcase_add_test(tc, test_sigkill_cannot_be_caught);
	tcase_add_test(tc, test_fault_error_codes);
	tcase_add_test(tc, test_current_in_fiber);
	tcase_add_test(tc, test_signal_waits_for_return_to_user);
	suite_add_tcase(s, tc);
	return s;
}
