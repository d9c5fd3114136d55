/*
 * bench_mm.c - the mm-model's costs (`make bench`).
 *
 * The figures the mm-model issue asks for: struct page at most 64 bytes,
 * a 64 GiB machine set up in under a second with at most 1.5 GiB
 * resident, fork of a process with 100,000 mapped pages in under a
 * second.  Printed, never asserted: the wall clock is the host's.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mm-model/machine.h"
#include "mm-model/mm.h"
#include "mm-model/sched.h"
#include "sim/policy.h"
#include "sim/sim.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size of this process, in MiB (from /proc/self/statm). */
static double rss_mib(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (double)resident * (double)sysconf(_SC_PAGESIZE) /
	       (1024.0 * 1024.0);
}

static struct mm_machine *machine(struct sim *s, struct sim_policy *p,
				  uint64_t bytes)
{
	struct mm_machine_config cfg;
	struct mm_machine *m;
	GError *err = NULL;

	mm_machine_config_default(&cfg);
	cfg.mem_bytes = bytes;
	m = mm_machine_new(&cfg, s, p, &err);
	if (!m) {
		fprintf(stderr, "bench-mm: %s\n", err->message);
		exit(1);
	}
	return m;
}

static void bench_setup(const char *what, uint64_t bytes)
{
	struct sim *s = sim_new(NULL);
	struct sim_policy *p = sim_policy_new();
	double r0 = rss_mib(), t0 = now_s(), t1, r1;
	struct mm_machine *m = machine(s, p, bytes);

	t1 = now_s();
	r1 = rss_mib();
	printf("  %-36s %8.3f s  %8.1f MiB resident added  (%lu free pages)\n",
	       what, t1 - t0, r1 - r0, nr_free_pages());
	mm_machine_free(m);
	sim_policy_free(p);
	sim_free(s);
}

static void bench_fork(unsigned long pages)
{
	struct sim *s = sim_new(NULL);
	struct sim_policy *p = sim_policy_new();
	struct mm_machine *m = machine(s, p, 2ULL << 30);
	struct task_struct *parent = task_create("parent", mm_alloc());
	struct task_struct *child;
	unsigned long addr;
	double t0, t_fault, t_fork;
	vm_fault_t ret;

	addr = do_mmap(parent->mm, NULL, 0, pages << PAGE_SHIFT,
		       VM_READ | VM_WRITE, 0, 0);
	t0 = now_s();
	for (unsigned long i = 0; i < pages; i++) {
		struct page *pg = follow_page_fault(parent, addr +
						    (i << PAGE_SHIFT), true,
						    &ret);

		if (!pg) {
			fprintf(stderr, "bench-mm: fault failed at page %lu\n",
				i);
			exit(1);
		}
		put_page(pg);
	}
	t_fault = now_s() - t0;
	t0 = now_s();
	child = task_fork(parent, "child");
	t_fork = now_s() - t0;
	printf("  %-36s %8.3f s  (%lu pages faulted in %.3f s, %.0f ns "
	       "each)\n", "fork of 100,000 mapped pages", t_fork, pages,
	       t_fault, t_fault * 1e9 / (double)pages);
	do_exit(child, 0);
	do_exit(parent, 0);
	mm_machine_free(m);
	sim_policy_free(p);
	sim_free(s);
}

int main(void)
{
	printf("hwpsim mm-model benchmark (figures only, wall clock of this "
	       "host)\n");
	printf("  %-36s %8zu bytes\n", "sizeof(struct page)",
	       sizeof(struct page));
	bench_setup("set-up of a 16 MiB machine", 16ULL << 20);
	bench_setup("set-up of a 64 GiB machine", 64ULL << 30);
	bench_fork(100000);
	return 0;
}
