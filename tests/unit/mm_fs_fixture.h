/*
 * mm_fs_fixture.h - a machine with a disk file system, for the file and
 * writeback tests (test_mm_file.c, test_mm_writeback.c).
 *
 * The engine runs with step_ns 0, so virtual time moves only when a
 * timer is due: writeback latencies can be checked to the nanosecond.
 */
#ifndef HWPSIM_TEST_MM_FS_FIXTURE_H
#define HWPSIM_TEST_MM_FS_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <string.h>

#include "sim/physmem.h"
#include "sim/policy.h"
#include "sim/sim.h"
#include "mm-model/fs.h"
#include "mm-model/machine.h"

#define FX_LATENCY	5000000ULL		/* 5 ms per page write */
#define FX_EXPIRE	3000000000ULL		/* 3 s dirty expiry */

static struct sim *fx_sim;
static struct sim_policy *fx_pol;
static struct mm_machine *fx_m;
static struct super_block *fx_sb;

static void fx_setup(void)
{
	struct mm_machine_config mc;
	struct sim_config sc;
	GError *err = NULL;

	sim_config_default(&sc);
	sc.step_ns = 0;
	sc.strategy.kind = SIM_STRAT_RUN_TO_BLOCK;
	fx_sim = sim_new(&sc);
	fs_policy_register();
	fx_pol = sim_policy_new();
	mm_machine_config_default(&mc);
	mc.mem_bytes = 32ULL << 20;
	mc.swap_bytes = 0;
	mc.disk_latency_ns = FX_LATENCY;
	mc.dirty_expire_ns = FX_EXPIRE;
	fx_m = mm_machine_new(&mc, fx_sim, fx_pol, &err);
	ck_assert_msg(fx_m != NULL, "machine: %s", err ? err->message : "?");
	fx_sb = mount_fs("sda1", FS_DISK, 8, 1);
}

static void fx_teardown(void)
{
	GString *why = g_string_new(NULL);

	/* Every test leaves a consistent machine behind. */
	ck_assert_msg(mm_check_invariants(why), "invariants: %s", why->str);
	g_string_free(why, TRUE);
	/* Until mm_machine_free() does it (idempotent). */
	fs_machine_teardown();
	mm_machine_free(fx_m);
	sim_free(fx_sim);
	sim_policy_free(fx_pol);
	fx_m = NULL;
	fx_sim = NULL;
	fx_pol = NULL;
	fx_sb = NULL;
}

/* A new file on the disk fs, opened read-write; the file holds the inode. */
static inline struct file *fx_open_new(const char *name)
{
	struct inode *inode = fs_create(fx_sb, name);
	struct file *f = filp_open(inode, O_RDWR);

	iput(inode);
	return f;
}

static inline void fx_pwrite_str(struct file *f, loff_t pos, const char *s)
{
	loff_t p = pos;

	ck_assert_int_eq(vfs_write(f, s, strlen(s), &p), (ssize_t)strlen(s));
}

/* What the device holds at byte pos of inode (a hole reads 0). */
static inline char fx_disk_byte(struct inode *inode, loff_t pos)
{
	GBytes *b = g_tree_lookup(inode->disk,
				  GSIZE_TO_POINTER((gsize)(pos >> PAGE_SHIFT)));

	if (!b)
		return 0;
	return ((const char *)g_bytes_get_data(b, NULL))[pos & ~PAGE_MASK];
}

static inline bool fx_disk_has(struct inode *inode, pgoff_t index)
{
	return g_tree_lookup(inode->disk, GSIZE_TO_POINTER((gsize)index));
}

#endif
