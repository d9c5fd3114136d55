/*
 * lock.h - simulated kernel locks.
 *
 * Every operation is a schedule point: before an acquire the strategy may
 * run somebody else, and after a release it may run the fiber that was
 * just handed the lock.  A fiber that cannot take a lock blocks on the
 * lock's FIFO wait queue; release hands the lock directly to the waiter(s)
 * at the head, as the kernel's queued spinlocks and mutex handoff do, so
 * the outcome never depends on who "wins a race" outside the strategy.
 *
 * Each lock belongs to a class named as in the kernel ("tasklist_lock",
 * "i_mmap_rwsem", "anon_vma->rwsem", ...): the lock-order validator works
 * on classes, as lockdep does, not on lock instances.
 *
 * rwlocks come in two flavours (a machine-wide switch, overridable per
 * lock):
 *   reader-preferring: a reader gets the lock whenever no writer holds it,
 *       even while writers wait - the rwlock_t Nick Piggin's 2009 review
 *       relied on;
 *   fair (FIFO): once a writer waits, new readers queue behind it - what
 *       the review warns about ("if rwlocks ever become FIFO"), and what
 *       queued rwlocks do for tasks today.
 * rw_semaphores are always fair.
 *
 * Bit locks and bit waits (PG_locked, PG_writeback) live in a caller's
 * word; waiters are kept in a table keyed by (word, bit).
 */
#ifndef HWPSIM_SIM_LOCK_H
#define HWPSIM_SIM_LOCK_H

#include "sim/sim.h"

enum sim_lock_type {
	SIM_SPINLOCK,
	SIM_RWLOCK,
	SIM_MUTEX,
	SIM_RWSEM,
	SIM_BITLOCK,
};

enum sim_lock_mode {
	SIM_EXCL,		/* spin_lock, write_lock, mutex, down_write */
	SIM_SHARED,		/* read_lock, down_read */
};

enum sim_rw_mode {
	SIM_RW_DEFAULT,		/* the engine's cfg.rwlock_fair */
	SIM_RW_READER_PREF,
	SIM_RW_FAIR,
};

struct sim_lock {
	enum sim_lock_type type;
	enum sim_rw_mode rw_mode;
	const char *cls;	/* class name, g_intern_string()ed */
	const char *name;	/* instance name for reports, may == cls */
	int owner;		/* fiber id of the exclusive holder, or -1 */
	int readers;		/* shared holders */
	GQueue waiters;		/* struct sim_lock_waiter, FIFO */
	uint64_t acquisitions;
	uint64_t contentions;
};

/* A blocked acquirer; lives on the waiting fiber's stack. */
struct sim_lock_waiter {
	struct sim_fiber *f;
	enum sim_lock_mode mode;
	GList link;		/* in sim_lock.waiters, data == this */
};

#define SIM_OWNER_NONE	(-1)
#define SIM_OWNER_HOST	(-2)	/* taken outside any fiber (set-up code) */

void sim_lock_init(struct sim_lock *l, enum sim_lock_type type,
		   const char *cls, const char *name);
/* Called when a lock's memory goes away: it must be free. */
void sim_lock_destroy(struct sim_lock *l);
bool sim_lock_is_fair(const struct sim_lock *l);
bool sim_lock_held_by(const struct sim_lock *l, const struct sim_fiber *f);
/* Whether the running context may release l in mode (it holds it so). */
bool sim_lock_release_ok(const struct sim_lock *l, enum sim_lock_mode mode);
/* Whether the running context holds the bit lock. */
bool sim_bit_release_ok(const unsigned long *word, int bit);
const char *sim_lock_type_name(enum sim_lock_type type);

/* The primitive every flavour is built on. */
void sim_lock_acquire(struct sim_lock *l, enum sim_lock_mode mode,
		      const struct sim_site *site);
bool sim_lock_try(struct sim_lock *l, enum sim_lock_mode mode,
		  const struct sim_site *site);
/* False (and a "lock-misuse" finding) when the caller does not hold it. */
bool sim_lock_release(struct sim_lock *l, enum sim_lock_mode mode,
		      const struct sim_site *site);

/* Kernel-shaped names. */
#define spin_lock_init(l, cls)	sim_lock_init((l), SIM_SPINLOCK, (cls), NULL)
#define spin_lock(l)		sim_lock_acquire((l), SIM_EXCL, SIM_HERE)
#define spin_trylock(l)		sim_lock_try((l), SIM_EXCL, SIM_HERE)
#define spin_unlock(l)		sim_lock_release((l), SIM_EXCL, SIM_HERE)
#define rwlock_init(l, cls)	sim_lock_init((l), SIM_RWLOCK, (cls), NULL)
#define read_lock(l)		sim_lock_acquire((l), SIM_SHARED, SIM_HERE)
#define read_unlock(l)		sim_lock_release((l), SIM_SHARED, SIM_HERE)
#define write_lock(l)		sim_lock_acquire((l), SIM_EXCL, SIM_HERE)
#define write_unlock(l)		sim_lock_release((l), SIM_EXCL, SIM_HERE)
#define mutex_init(l, cls)	sim_lock_init((l), SIM_MUTEX, (cls), NULL)
#define mutex_lock(l)		sim_lock_acquire((l), SIM_EXCL, SIM_HERE)
#define mutex_trylock(l)	sim_lock_try((l), SIM_EXCL, SIM_HERE)
#define mutex_unlock(l)		sim_lock_release((l), SIM_EXCL, SIM_HERE)
#define init_rwsem(l, cls)	sim_lock_init((l), SIM_RWSEM, (cls), NULL)
#define down_read(l)		sim_lock_acquire((l), SIM_SHARED, SIM_HERE)
#define down_read_trylock(l)	sim_lock_try((l), SIM_SHARED, SIM_HERE)
#define up_read(l)		sim_lock_release((l), SIM_SHARED, SIM_HERE)
#define down_write(l)		sim_lock_acquire((l), SIM_EXCL, SIM_HERE)
#define down_write_trylock(l)	sim_lock_try((l), SIM_EXCL, SIM_HERE)
#define up_write(l)		sim_lock_release((l), SIM_EXCL, SIM_HERE)

/*
 * Bit locks and bit waits on a word owned by the caller (page->flags).
 * cls names the lock class for the validator ("PG_locked").
 */
void sim_bit_lock(unsigned long *word, int bit, const char *cls,
		  const struct sim_site *site);
bool sim_bit_trylock(unsigned long *word, int bit, const char *cls,
		     const struct sim_site *site);
bool sim_bit_unlock(unsigned long *word, int bit, const char *cls,
		    const struct sim_site *site);
/* Sleep until bit is clear (wait_on_page_writeback). */
void sim_wait_on_bit(unsigned long *word, int bit, const char *what,
		     const struct sim_site *site);
/* Wake everybody waiting on (word, bit); call after clearing the bit. */
void sim_wake_up_bit(unsigned long *word, int bit);
bool sim_bit_has_waiters(unsigned long *word, int bit);

/* For the engine: the (word, bit) -> waiters table of struct sim. */
GHashTable *sim_bitwait_table_new(void);

#endif
