/*
 * policy.c - the memory-failure switches, from sysctl and from the seeds.
 *
 * Each is a named run-time switch (sim/policy.h): a scenario sets it with
 * hwp.policy{}, the command line with --set, and every report records
 * the value it had.  The defaults are Linux 6.1's behaviour.
 */
#include "hwpoison/memory-failure.h"
#include "hwpoison/mce.h"

static const char *const zero_one[] = { "0", "1", NULL };
static const char *const off_on[] = { "off", "on", NULL };
static const char *const nesting[] = { "6.1", "2009-v3", NULL };
static const char *const dirty_modes[] = { "recover", "panic",
					    "panic-important", NULL };
static const char *const huge_modes[] = { "raw", "whole", NULL };

static const struct sim_policy_def hwpoison_defs[] = {
	{ "early_kill", zero_one, "0",
	  "vm.memory_failure_early_kill: 1 signals every process mapping a "
	  "poisoned page at once (BUS_MCEERR_AO); 0 only when it touches "
	  "the page (BUS_MCEERR_AR)" },
	{ "recovery", zero_one, "1",
	  "vm.memory_failure_recovery: 0 panics on any memory failure" },
	{ "early_kill_sigbus_handlers", off_on, "off",
	  "seed 000: early kill exactly the processes that installed a "
	  "SIGBUS handler; the others are killed late" },
	{ "collect_procs_nesting", nesting, "6.1",
	  "seed 002: 2009-v3 takes tasklist_lock outside i_mmap_rwsem for "
	  "file pages (and inside anon_vma->rwsem for anon pages); 6.1 "
	  "takes it inside both" },
	{ "mf_mutex", off_on, "on",
	  "seed 002: on, memory_failure() calls are serialised by mf_mutex "
	  "(6.1; added in 2021); off, they run concurrently, as in 2009, "
	  "and only the page lock orders them" },
	{ "dirty_pagecache", dirty_modes, "recover",
	  "seed 003: on an error in dirty page cache, recover (6.1), panic "
	  "(vm.memory_failure_dirty_panic), or panic only when a task "
	  "marked important maps the page" },
	{ "hugetlb_poison", huge_modes, "raw",
	  "seed 004: poison only the raw error page of a hugepage (6.1) or "
	  "every subpage (the 2010 design)" },
	{ "printk_ratelimit", off_on, "off",
	  "ratelimit memory-failure log lines (burst 10 per 5 s of virtual "
	  "time), counting the suppressed ones" },
};

void hwpoison_policy_register(void)
{
	sim_policy_register(hwpoison_defs, G_N_ELEMENTS(hwpoison_defs));
	mce_policy_register();
}
