/*
 * machine.h - one simulated machine's kernel state.
 *
 * The kernel keeps its VM in globals (the task list, swap_info[], the
 * node's lruvec); so does mm-model, through the current machine,
 * mm_machine_cur: everything kernel-shaped code reaches without an
 * argument hangs off it.  A machine owns its physical memory (mm_phys:
 * struct pages and the buddy allocator; physmem: contents and poison), its
 * tasks, file systems, swap devices and LRU, and records what happened:
 * the signal log and the kernel log (printk lines, as dmesg shows them).
 *
 * The engine (struct sim) runs the machine's fibers; the policy holds the
 * run's switches (sysctls such as vm.memory_failure_early_kill and the
 * seeds' proposals), read by the layers at the point they decide.
 */
#ifndef HWPSIM_MM_MACHINE_H
#define HWPSIM_MM_MACHINE_H

#include <glib.h>

#include "sim/physmem.h"
#include "sim/policy.h"
#include "sim/sim.h"
#include "mm-model/fs.h"
#include "mm-model/memory.h"
#include "mm-model/sched.h"
#include "mm-model/swap.h"

struct mm_machine_config {
	uint64_t mem_bytes;		/* RAM */
	uint64_t reserved_bytes;	/* kernel low memory and image */
	unsigned int cpus;
	uint64_t swap_bytes;		/* 0: no swap device */
	uint64_t swap_latency_ns;
	uint64_t disk_latency_ns;	/* writeback of one page */
	uint64_t dirty_expire_ns;	/* flusher age */
	unsigned long hugepages;	/* 2 MiB hugetlb pool set aside at boot */
};

/* One signal sent, for reports and expectations. */
struct mm_signal_record {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	int signo;
	int code;		/* si_code */
	unsigned long addr;	/* si_addr */
	short addr_lsb;		/* si_addr_lsb */
	bool forced;
	bool killed;		/* the signal ended the task */
	uint64_t step;
	char *why;		/* "memory_failure", "page fault", ... */
};

struct mm_machine {
	struct sim *sim;
	struct sim_policy *policy;
	struct mm_machine_config cfg;
	struct mm_phys *phys;
	struct physmem *physmem;

	struct list_head tasks;		/* every task, creation order */
	struct sim_lock tasklist_lock;	/* rwlock "tasklist_lock" */
	pid_t next_pid;
	struct task_struct *init_task;	/* pid 1, the kernel's context */
	/*
	 * `current` for code run on behalf of a task from another fiber
	 * (the machine-check task work of hwpoison/mce.c): get_current()
	 * returns current_task while current_fiber is the running fiber.
	 */
	struct task_struct *current_task;
	struct sim_fiber *current_fiber;

	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	unsigned int nr_swapfiles;
	struct lruvec lruvec;
	struct list_head super_blocks;
	struct list_head mmlist;
	unsigned long next_mm_id;
	unsigned long next_anon_vma_id;
	unsigned long next_ino;

	/*
	 * The memory-failure layer's state (hwpoison/), opaque here; freed
	 * with hwpoison_free by mm_machine_free.
	 */
	void *hwpoison;
	void (*hwpoison_free)(void *state);

	/*
	 * The kernel's own allocations from boot: slab pages exist on every
	 * machine, as on a real one, so memory errors can hit them.
	 */
	struct kmem_cache *boot_cache;
	GPtrArray *boot_objects;

	GPtrArray *signals;		/* struct mm_signal_record */
	GPtrArray *log;			/* char *, kernel log lines */
	bool panicked;
	char *panic_msg;
};

extern struct mm_machine *mm_machine_cur;

void mm_machine_config_default(struct mm_machine_config *cfg);
/* Build a machine on engine s with policy p; makes it current. */
struct mm_machine *mm_machine_new(const struct mm_machine_config *cfg,
				  struct sim *s, struct sim_policy *p,
				  GError **err);
void mm_machine_free(struct mm_machine *m);
void mm_machine_activate(struct mm_machine *m);

/* The kernel log: a line in the machine's log and in the trace. */
void printk(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define pr_err(...)	printk(__VA_ARGS__)
#define pr_info(...)	printk(__VA_ARGS__)
#define pr_warn(...)	printk(__VA_ARGS__)
/* panic(): the machine stops; the scenario sees m->panicked. */
void panic(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * The signal log (sched.c calls it for every signal sent).  Returns the
 * record, which stays valid as long as the machine: a signal acted on
 * later (pending) sets its killed there.
 */
struct mm_signal_record *mm_log_signal(struct task_struct *tsk,
				       const struct kernel_siginfo *info,
				       bool forced, bool killed,
				       const char *why);

/*
 * The invariant checker: refcounts and mapcounts against the page tables,
 * LRU membership against PG_lru, free lists (no mapped or poisoned page,
 * buddy structure), page cache and swap cache back-pointers, rmap
 * reachability of every mapped page.  Returns true when all hold; else
 * appends one line per violation to why.
 */
bool mm_check_invariants(GString *why);

/*
 * Extension points of the checker.  Each layer adds its checks here: a
 * function that appends one line per violation to why and returns false
 * if it found any.  The built-in checks (page tables, map and reference
 * counts, rmap reachability, rss, free lists) run first, then these in
 * registration order - register from code that runs in the same order
 * every run (mm_machine_new() or a layer's init), never from a hash walk.
 * The page-cache, swap-cache and LRU checks belong to their layers.
 */
typedef bool (*mm_invariant_fn)(struct mm_machine *m, GString *why);
void mm_register_invariant_check(const char *name, mm_invariant_fn fn);

/*
 * The references on a mapped page that are not its mappings: the page
 * cache's or the swap cache's one.  mm_check_invariants() requires
 * page_count() >= page_mapcount() + this.
 */
int mm_page_cache_refs(struct page *page);

#endif
