/*
 * lockdep.h - the lock-order validator.
 *
 * As the kernel's lockdep: locks are grouped in classes (by name:
 * "tasklist_lock", "i_mmap_rwsem", ...), and every time a fiber takes a
 * lock while holding others, the class order "held -> taken" is an edge
 * of a graph.  An edge that closes a cycle is a possible deadlock - even
 * in a run where the timing was kind - and is reported at once, with the
 * chain of first observations that built the cycle: for each edge, which
 * fiber held what, taken where, when it took what, where.
 *
 * Read locks: a shared acquisition of a reader-preferring rwlock never
 * waits behind a waiting writer (lockdep's recursive read), so an edge
 * into one cannot be part of a deadlock and does not count for cycles.
 * Under fair rwlocks it does: that is seed 002's point.
 *
 * The validator also holds observed orders against a documented
 * hierarchy (a rank per class: mm/rmap.c's comment for the mm locks) and
 * reports sleeping while holding a spinlock.
 *
 * Findings: "lock-order" (a cycle), "lock-hierarchy" (against the
 * documented order), "sleep-in-atomic".  Each distinct problem is
 * reported once per run.
 */
#ifndef HWPSIM_SIM_LOCKDEP_H
#define HWPSIM_SIM_LOCKDEP_H

#include "sim/sim.h"

/* A documented order: classes with lower rank are taken first. */
struct lockdep_rank {
	const char *cls;
	int rank;
	const char *source;	/* where the order is documented */
};

struct lockdep;

/* Attach a validator to an engine (its lock hooks); freed with it. */
struct lockdep *lockdep_attach(struct sim *s);
void lockdep_free(struct lockdep *ld);
/* Add documented ranks (static storage); classes without one are free. */
void lockdep_add_ranks(struct lockdep *ld, const struct lockdep_rank *r,
		       size_t n);
/* The mm hierarchy of Linux 6.1's mm/rmap.c and mm/memory-failure.c. */
extern const struct lockdep_rank lockdep_mm_ranks[];
extern const size_t lockdep_mm_nr_ranks;
/* Edges seen so far ("A -> B" lines, sorted), for reports and pictures. */
GPtrArray *lockdep_edges(struct lockdep *ld);

#endif
