/*
 * mm_proc_fixture.h - a machine with processes, for the task, fault and
 * fork tests (test_mm_task.c, test_mm_fault.c, test_mm_fork.c).
 *
 * User accesses go the way the Lua binding's task:read/task:write do:
 * follow_page_fault() for the page, then physmem for the bytes.
 */
#ifndef HWPSIM_TEST_MM_PROC_FIXTURE_H
#define HWPSIM_TEST_MM_PROC_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <string.h>

#include "sim/physmem.h"
#include "sim/policy.h"
#include "sim/sim.h"
#include "mm-model/gfp.h"
#include "mm-model/machine.h"
#include "mm-model/rmap.h"

static struct sim *px_sim;
static struct sim_policy *px_pol;
static struct mm_machine *px_m;

/* A machine of bytes with that many 2 MiB hugetlb pages set aside. */
static inline void px_machine_up_huge(uint64_t bytes, unsigned long hugepages)
{
	struct mm_machine_config mc;
	GError *err = NULL;

	px_sim = sim_new(NULL);
	px_pol = sim_policy_new();
	mm_machine_config_default(&mc);
	mc.mem_bytes = bytes;
	mc.hugepages = hugepages;
	px_m = mm_machine_new(&mc, px_sim, px_pol, &err);
	ck_assert_msg(px_m != NULL, "machine: %s", err ? err->message : "?");
}

static inline void px_machine_up(uint64_t bytes)
{
	px_machine_up_huge(bytes, 0);
}

static inline void px_setup(void)
{
	px_machine_up(64ULL << 20);
}

static inline void px_teardown(void)
{
	mm_machine_free(px_m);
	sim_free(px_sim);
	sim_policy_free(px_pol);
	px_m = NULL;
	px_sim = NULL;
	px_pol = NULL;
}

#define px_assert_invariants()						\
	do {								\
		GString *why__ = g_string_new(NULL);			\
		ck_assert_msg(mm_check_invariants(why__),		\
			      "invariants:\n%s", why__->str);		\
		g_string_free(why__, TRUE);				\
	} while (0)

static inline struct task_struct *px_spawn(const char *comm)
{
	return task_create(comm, mm_alloc());
}

static inline unsigned long px_mmap_anon(struct task_struct *t,
					 unsigned long pages,
					 unsigned long flags)
{
	unsigned long addr = do_mmap(t->mm, NULL, 0, pages * PAGE_SIZE,
				     VM_READ | VM_WRITE, flags, 0);

	ck_assert_msg(!IS_ERR_VALUE(addr), "mmap: %ld", (long)addr);
	return addr;
}

/* A store from user space; returns the fault's error bits (0: done). */
static inline vm_fault_t px_write(struct task_struct *t, unsigned long addr,
				  const char *s)
{
	vm_fault_t ret;
	struct page *page = follow_page_fault(t, addr, true, &ret);
	int err;

	if (!page)
		return ret;
	err = physmem_write(px_m->physmem, page_to_pfn(page),
			    (unsigned int)(addr & ~PAGE_MASK), s, strlen(s) + 1,
			    NULL);
	put_page(page);
	ck_assert_int_eq(err, 0);
	return 0;
}

/* A load of len bytes into buf; returns the fault's error bits. */
static inline vm_fault_t px_read(struct task_struct *t, unsigned long addr,
				 char *buf, size_t len)
{
	vm_fault_t ret;
	struct page *page = follow_page_fault(t, addr, false, &ret);
	int err;

	if (!page)
		return ret;
	err = physmem_read(px_m->physmem, page_to_pfn(page),
			   (unsigned int)(addr & ~PAGE_MASK), buf, len, NULL);
	put_page(page);
	if (err)
		return VM_FAULT_HWPOISON;
	return 0;
}

static inline void px_assert_reads(struct task_struct *t, unsigned long addr,
				   const char *want)
{
	char buf[128] = { 0 };

	ck_assert_uint_eq(px_read(t, addr, buf, strlen(want) + 1), 0);
	ck_assert_str_eq(buf, want);
}

/* The page a present PTE maps, or NULL. */
static inline struct page *px_page_at(struct task_struct *t,
				      unsigned long addr)
{
	pte_t pte = mm_pte_peek(t->mm, addr);

	if (!pte_present(pte))
		return NULL;
	return pfn_to_page(pte_pfn(pte));
}

/*
 * What try_to_unmap() does to a poisoned page's mapping: a hwpoison
 * entry in place of the PTE (the test stands in for memory_failure).
 */
static inline void px_replace_with_hwpoison(struct task_struct *t,
					    unsigned long addr)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct sim_lock *ptl;
	pte_t *pte = pte_offset_map_lock(mm, addr, &ptl);
	struct page *page = pfn_to_page(pte_pfn(*pte));

	SetPageHWPoison(page);
	ptep_get_and_clear(mm, addr, pte);
	set_pte_at(mm, addr, pte, swp_entry_to_pte(make_hwpoison_entry(page)));
	dec_mm_counter(mm, mm_counter(page));
	page_remove_rmap(page, vma);
	pte_unmap_unlock(pte, ptl);
	put_page(page);
}

/* The last signal logged. */
static inline struct mm_signal_record *px_last_signal(void)
{
	ck_assert_uint_gt(px_m->signals->len, 0);
	return g_ptr_array_index(px_m->signals, px_m->signals->len - 1);
}

#endif
