/*
 * memory-failure.h - the kernel's memory-failure handling, on mm-model.
 *
 * memory_failure(pfn, flags) is what the machine-check handler (or the
 * injector) calls when a page frame holds corrupted data.  It marks the
 * page PG_hwpoison, takes a reference, looks at what the page is used for
 * (the page-state table: kernel, slab, free, clean or dirty page cache,
 * swap cache, anon, mlocked, huge...) and does what can be done: drop a
 * clean copy, take the page out of its file, unmap it and leave hwpoison
 * entries, and signal the processes that map it - now (early kill,
 * BUS_MCEERR_AO) or when they touch it (late kill, BUS_MCEERR_AR from the
 * fault path).  Each call ends in one action_result line:
 *
 *	Memory failure: 0x1234: recovery action for dirty LRU page: Recovered
 *
 * The run's policy switches (policy.c) choose between 6.1's behaviour and
 * the historical and proposed ones of the seeds.
 */
#ifndef HWPSIM_HWPOISON_MEMORY_FAILURE_H
#define HWPSIM_HWPOISON_MEMORY_FAILURE_H

#include <glib.h>
#include <stdint.h>

#include "mm-model/machine.h"

/* memory_failure() flags (include/linux/mm.h). */
enum mf_flags {
	MF_COUNT_INCREASED = 1 << 0,
	MF_ACTION_REQUIRED = 1 << 1,
	MF_MUST_KILL = 1 << 2,
	MF_SOFT_OFFLINE = 1 << 3,
	MF_UNPOISON = 1 << 4,
	MF_SW_SIMULATED = 1 << 5,
	MF_NO_RETRY = 1 << 6,
};

enum mf_result {
	MF_IGNORED,	/* error: cannot be handled */
	MF_FAILED,	/* error: handling failed */
	MF_DELAYED,	/* will be handled later */
	MF_RECOVERED,	/* successfully recovered */
};

enum mf_action_page_type {
	MF_MSG_KERNEL,
	MF_MSG_KERNEL_HIGH_ORDER,
	MF_MSG_SLAB,
	MF_MSG_DIFFERENT_COMPOUND,
	MF_MSG_HUGE,
	MF_MSG_FREE_HUGE,
	MF_MSG_UNMAP_FAILED,
	MF_MSG_DIRTY_SWAPCACHE,
	MF_MSG_CLEAN_SWAPCACHE,
	MF_MSG_DIRTY_MLOCKED_LRU,
	MF_MSG_CLEAN_MLOCKED_LRU,
	MF_MSG_DIRTY_UNEVICTABLE_LRU,
	MF_MSG_CLEAN_UNEVICTABLE_LRU,
	MF_MSG_DIRTY_LRU,
	MF_MSG_CLEAN_LRU,
	MF_MSG_TRUNCATED_LRU,
	MF_MSG_BUDDY,
	MF_MSG_DAX,
	MF_MSG_UNSPLIT_THP,
	MF_MSG_UNKNOWN,
	MF_MSG_NR,
};

/* One action_result(): what the report lists per poisoned page. */
struct mf_event {
	unsigned long pfn;
	enum mf_action_page_type type;
	enum mf_result result;
	uint64_t step;
	unsigned int flags;	/* the memory_failure() flags */
};

/*
 * hwpoison's state on a machine: the kernel keeps these as globals
 * (num_poisoned_pages, the hwpoison filter, the per-cpu queue).
 */
struct hwpoison_state {
	long num_poisoned_pages;
	bool hw_memory_failure;		/* a real (not injected) error seen */
	struct sim_lock mf_mutex;	/* mutex "mf_mutex" */
	GArray *events;			/* struct mf_event */
	unsigned int handler_hits[MF_MSG_NR];

	/* hwpoison-inject's filter (debugfs corrupt-filter-*). */
	bool filter_enable;
	unsigned int filter_dev_major;	/* ~0U: any */
	unsigned int filter_dev_minor;
	uint64_t filter_flags_mask;
	uint64_t filter_flags_value;

	/* memory_failure_queue(): the work a kernel worker drains. */
	GQueue queue;			/* struct mf_queued */
	struct sim_fiber *worker;
	unsigned long queue_overflows;

	/* printk ratelimit for memory-failure lines (policy). */
	bool rl_started;
	uint64_t rl_begin;
	unsigned int rl_printed;
	unsigned long rl_missed;
	unsigned long rl_suppressed_total;

	/* Within one memory_failure() call (see the dirty_pagecache policy). */
	bool important_mapper;

	/* The machine-check handler's state (mce.c), freed with this. */
	struct mce_state *mce;
	/* Told of every action_result() (the Lua memory-failure daemon). */
	void (*mf_event_hook)(const struct mf_event *ev, void *data);
	void *mf_event_data;
};

/* Attach hwpoison to the current machine (once), and find it. */
struct hwpoison_state *hwpoison_attach(void);
struct hwpoison_state *hwpoison_state(void);
void hwpoison_policy_register(void);

int memory_failure(unsigned long pfn, int flags);
void memory_failure_queue(unsigned long pfn, int flags);
int unpoison_memory(unsigned long pfn);
int soft_offline_page(unsigned long pfn, int flags);
void shake_page(struct page *p);
int hwpoison_filter(struct page *p);

const char *mf_action_page_type_name(enum mf_action_page_type t);
const char *mf_result_name(enum mf_result r);

/* A memory-failure log line, ratelimited when the policy says so. */
void mf_printk(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
