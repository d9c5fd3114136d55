/*
 * sim.h - the deterministic engine: fibers, scheduler, clock, trace.
 *
 * One engine ("struct sim") runs one scenario.  Every simulated context
 * (a task, a kernel worker, a Lua actor) is a fiber with its own C stack.
 * Fibers never run in parallel: a fiber runs until it reaches a schedule
 * point (a lock operation, an explicit preemption point, a wait), hands
 * control back to the scheduler, and the scheduler's strategy picks who
 * runs next.  Each such decision is one "step".
 *
 * Determinism rules this file enforces:
 *  - every choice the scheduler makes comes from the strategy, and every
 *    random strategy draws from the engine's one seeded PRNG;
 *  - fibers are identified by small sequential ids, never by address;
 *  - the set of runnable fibers is always considered in id order;
 *  - virtual time advances only by steps (step_ns each) and by idling to
 *    the next timer, never from the wall clock.
 */
#ifndef HWPSIM_SIM_H
#define HWPSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "sim/prng.h"
#include "sim/context.h"

struct sim;
struct sim_fiber;
struct sim_lock;
struct sim_trace;

/* Where in the source something happened: C call sites or Lua lines. */
struct sim_site {
	const char *func;
	const char *file;	/* static or g_intern_string()ed */
	int line;
};

/* A pointer to a static record of the current C call site. */
#define SIM_HERE							\
	({ static const struct sim_site sim_site__ = {			\
		__func__, __FILE__, __LINE__ }; &sim_site__; })

enum sim_fiber_state {
	SIM_FIBER_NEW,		/* created, never ran */
	SIM_FIBER_RUNNABLE,
	SIM_FIBER_BLOCKED,	/* on a lock, wait queue, bit or timer */
	SIM_FIBER_DONE,
};

/* The scheduling strategies of DESIGN.md. */
enum sim_strategy_kind {
	SIM_STRAT_RUN_TO_BLOCK,	/* keep the current fiber until it blocks */
	SIM_STRAT_RANDOM,	/* uniform among the runnable, seeded */
	SIM_STRAT_PCT,		/* probabilistic concurrency testing */
	SIM_STRAT_REPLAY,	/* follow a recorded choice list */
	SIM_STRAT_DFS,		/* a prefix of choices, then no preemption */
};

struct sim_strategy {
	enum sim_strategy_kind kind;
	unsigned int pct_depth;		/* PCT: bug depth d (>= 1) */
	unsigned int pct_steps;		/* PCT: estimate of steps k */
	GArray *replay;			/* REPLAY, DFS: int fiber ids, owned */
};

/*
 * One scheduling decision that had a choice, recorded when
 * sim_config.record_decisions is set: what systematic exploration needs
 * to know to try the other branches (cli/explore.c).  The runnable ids
 * are decision_ids[first .. first + n), sorted.
 */
struct sim_decision {
	int chosen;
	int prev;		/* the fiber that ran last if still runnable,
				 * else -1: choosing another is a preemption */
	unsigned int first;
	unsigned int n;
};

/*
 * How a fiber entered the scheduler: recorded on the fiber so that the
 * trace line of the next decision says why the decision was taken.
 */
struct sim_why {
	const char *what;	/* "spin_lock", "yield", "exit", ... */
	const char *obj;	/* lock class or object name, may be NULL */
	const struct sim_site *site;
};

/*
 * One lock held by a fiber (the held-lock stack, as lockdep's held_locks).
 * A bit lock has no struct sim_lock: it is named by its word and bit.
 */
struct sim_held_lock {
	struct sim_lock *lock;		/* NULL for a bit lock */
	const unsigned long *word;	/* bit locks */
	int bit;
	const char *cls;		/* class name, interned */
	int mode;			/* enum sim_lock_mode */
	uint64_t step;			/* when it was acquired */
	struct sim_site site;
};

typedef void (*sim_fiber_fn)(void *arg);
typedef void (*sim_unwind_fn)(struct sim_fiber *f, void *data);

struct sim_fiber {
	int id;				/* 0 is the first fiber created */
	char *name;
	enum sim_fiber_state state;
	bool started;			/* has a stack and has run */
	struct sim *sim;

	struct sim_ctx ctx;
	struct sim_stack *stack;

	sim_fiber_fn fn;
	void *arg;

	struct sim_why why;		/* reason of the last schedule point */
	const char *wait_kind;		/* what it blocks on, for reports */
	const char *wait_obj;
	struct sim_lock *wait_lock;	/* lock it waits for, or NULL */
	const unsigned long *wait_word;	/* bit it waits for, or NULL */
	int wait_bit;
	struct sim_site wait_site;
	/*
	 * While blocked, the queue the fiber is linked on and its link (which
	 * lives on the fiber's own stack): teardown unlinks a killed fiber so
	 * no queue is left pointing into a dead stack.
	 */
	GQueue *wait_q;
	GList *wait_link;
	struct sim_timer *sleep_timer;
	uint64_t runnable_since;	/* run-to-block: FIFO among runnable */
	unsigned int kills;		/* teardown attempts */

	GArray *held;			/* struct sim_held_lock */
	GQueue joiners;			/* fibers waiting for this one */

	/* PCT priority: larger runs first. */
	int64_t prio;

	/*
	 * Waiting at a point where it holds no half-done work: a scenario
	 * actor in hwp.yield/sleep/join, a kernel thread in its idle sleep.
	 * A fiber stopped anywhere else may be in the middle of a machine
	 * operation, and the machine's invariants need not hold then.
	 */
	bool quiescent;

	/*
	 * Teardown: a fiber still blocked or runnable when the engine
	 * stops is resumed with killed set; the schedule point then calls
	 * unwind, which must not return (the Lua host raises an error on
	 * the fiber's Lua thread so its frames unwind to its pcall).
	 */
	bool killed;
	sim_unwind_fn unwind;
	void *unwind_data;

	void *user;			/* owner's data (the Lua host's actor) */
};

/* Something the engine found that a scenario must answer for. */
struct sim_finding {
	char *kind;		/* "deadlock", "step-budget", "replay", ... */
	char *message;		/* one line */
	char *detail;		/* several lines, may be NULL */
	uint64_t step;
};

typedef void (*sim_timer_fn)(struct sim *s, void *data);

struct sim_timer {
	uint64_t deadline;
	uint64_t seq;		/* breaks ties: insertion order */
	sim_timer_fn fn;
	void *data;
	const char *name;
	GSequenceIter *it;
};

/*
 * Hooks a lock validator plugs in (issue 6); all may be NULL.  acquire is
 * called before a fiber tries a lock (so an order inversion is reported
 * even when the lock is free), acquired once it holds it, release when it
 * lets go, block when a fiber is about to sleep for any reason (sleeping
 * with a spinlock held is a bug).
 */
struct sim_lock_hooks {
	void (*acquire)(struct sim *s, struct sim_fiber *f,
			const struct sim_held_lock *hl);
	void (*acquired)(struct sim *s, struct sim_fiber *f,
			 const struct sim_held_lock *hl);
	void (*release)(struct sim *s, struct sim_fiber *f,
			const struct sim_held_lock *hl);
	void (*block)(struct sim *s, struct sim_fiber *f,
		      const char *kind, const char *obj);
	void *data;
};

struct sim_config {
	uint64_t seed;
	struct sim_strategy strategy;
	uint64_t step_ns;	/* virtual time each step costs */
	uint64_t max_steps;	/* 0: unlimited */
	size_t stack_size;	/* per fiber; 0 for the default */
	bool rwlock_fair;	/* default rwlock mode: fair (FIFO) */
	int trace_level;	/* enum sim_trace_level */
	bool record_decisions;	/* fill sim.decisions (exploration) */
	/*
	 * Called at every decision, after the pick line is traced and
	 * before next runs (step-by-step replay); may call sim_stop().
	 */
	void (*on_pick)(struct sim *s, struct sim_fiber *next,
			GPtrArray *runnable, void *data);
	void *on_pick_data;
};

struct sim {
	struct sim_config cfg;
	struct sim_prng prng;		/* the machine's one PRNG */
	struct sim_prng sched_prng;	/* the strategy's, seeded from it */

	GPtrArray *fibers;		/* all fibers, index == id */
	GPtrArray *runq;		/* runnable fibers, sorted by id */
	struct sim_fiber *current;	/* NULL in the scheduler */
	struct sim_ctx sched_ctx;
	GPtrArray *stack_pool;		/* struct sim_stack, for reuse */
	unsigned int live;		/* fibers not DONE */

	uint64_t step;
	uint64_t now;			/* virtual ns */
	uint64_t runnable_seq;		/* stamps runnable_since */
	uint64_t idle_rounds;		/* clock jumps with nothing runnable */
	GSequence *timers;		/* struct sim_timer by deadline,seq */
	uint64_t timer_seq;

	GArray *choices;		/* fiber ids picked where n > 1 */
	GArray *decisions;		/* struct sim_decision, or NULL */
	GArray *decision_ids;		/* int: their runnable sets */
	guint replay_pos;
	GArray *pct_change;		/* PCT change points (steps), sorted */
	int64_t pct_next_low;		/* PCT: next lowered priority */

	GHashTable *bitwaits;		/* (word,bit) -> GQueue of fibers */

	struct sim_trace *trace;
	GPtrArray *findings;		/* struct sim_finding */
	struct sim_lock_hooks hooks;

	bool running;
	bool stopping;
	char *stop_reason;
};

/* Engine lifecycle. */
void sim_config_default(struct sim_config *cfg);
struct sim *sim_new(const struct sim_config *cfg);
/*
 * End every fiber still alive (unwinding them, see struct sim_fiber).
 * sim_free does it too; call it first when what the fibers use (a
 * machine) must go before the engine does.
 */
void sim_kill_all(struct sim *s);
void sim_free(struct sim *s);
int sim_run(struct sim *s);	/* returns 0, or -1 if stopped early */
void sim_stop(struct sim *s, const char *reason);

/* The engine running now (one OS thread: at most one is current). */
struct sim *sim_self(void);

/* Fibers. */
struct sim_fiber *sim_spawn(struct sim *s, const char *name,
			    sim_fiber_fn fn, void *arg);
/* A fiber that starts once delay_ns of virtual time have passed. */
struct sim_fiber *sim_spawn_after(struct sim *s, uint64_t delay_ns,
				  const char *name, sim_fiber_fn fn,
				  void *arg);
struct sim_fiber *sim_current(struct sim *s);
struct sim_fiber *sim_fiber_by_id(struct sim *s, int id);
void sim_join(struct sim *s, struct sim_fiber *f);

/*
 * Schedule points.  sim_yield() is an explicit preemption point: the
 * strategy may run another fiber before this one continues.  Outside a
 * fiber (plain C tests, machine set-up) schedule points do nothing.
 */
void sim_yield(struct sim *s, const char *what, const char *obj,
	       const struct sim_site *site);
void sim_sleep(struct sim *s, uint64_t ns, const struct sim_site *site);

/*
 * Blocking, for the primitives built on the engine: mark the current
 * fiber blocked on kind/obj and give up the CPU; returns once another
 * party called sim_wake() on it.
 */
void sim_block(struct sim *s, const char *kind, const char *obj,
	       const struct sim_site *site);
/* Link the current fiber at the tail of q (link on its stack) and block. */
void sim_block_on(struct sim *s, GQueue *q, GList *link, const char *kind,
		  const char *obj, const struct sim_site *site);
/* Pop the first fiber linked on q with sim_block_on and wake it. */
struct sim_fiber *sim_wake_first(struct sim *s, GQueue *q);
void sim_wake(struct sim *s, struct sim_fiber *f);

/* Wait queues: FIFO lists of blocked fibers. */
struct sim_waitq {
	GQueue q;
	const char *name;
};
void sim_waitq_init(struct sim_waitq *wq, const char *name);
void sim_waitq_wait(struct sim *s, struct sim_waitq *wq,
		    const struct sim_site *site);
int sim_waitq_wake(struct sim *s, struct sim_waitq *wq, int nr);
bool sim_waitq_active(const struct sim_waitq *wq);

/* Virtual clock and timers.  Timer callbacks run in the scheduler and must
 * not block; they may spawn or wake fibers. */
uint64_t sim_now(const struct sim *s);
struct sim_timer *sim_timer_add(struct sim *s, uint64_t delay_ns,
				const char *name, sim_timer_fn fn, void *data);
void sim_timer_cancel(struct sim *s, struct sim_timer *t);
unsigned int sim_timers_pending(const struct sim *s);

/*
 * Quiescence (see sim_fiber.quiescent): mark the current fiber around an
 * idle wait; ask whether every other fiber is quiescent, not started or
 * done - whether a global invariant can be checked now.
 */
void sim_set_quiescent(struct sim *s, bool q);
bool sim_others_quiescent(const struct sim *s);

/* Findings. */
void sim_finding_add(struct sim *s, const char *kind, const char *detail,
		     const char *fmt, ...) G_GNUC_PRINTF(4, 5);
unsigned int sim_findings_count(const struct sim *s, const char *kind);

/* Strategies. */
int sim_strategy_parse(const char *spec, struct sim_strategy *out,
		       GError **err);
char *sim_strategy_describe(const struct sim_strategy *st);
void sim_strategy_clear(struct sim_strategy *st);
void sim_strategy_copy(struct sim_strategy *dst,
		       const struct sim_strategy *src);

/* A fiber's label in traces and reports: "name#id". */
const char *sim_fiber_label(const struct sim_fiber *f, char *buf, size_t n);

/* Internal to sim/: the strategy's choice among runnable fibers. */
struct sim_fiber *sim_strategy_pick(struct sim *s, GPtrArray *runnable,
				    struct sim_fiber *prev);
void sim_strategy_start(struct sim *s);
/* Internal: let go of what a killed fiber held (lock.c). */
void sim_lock_drop_held(struct sim_fiber *f);
/* Internal: nothing can run and fibers are alive - say why (deadlock.c). */
void sim_report_deadlock(struct sim *s);
void sim_strategy_spawned(struct sim *s, struct sim_fiber *f);

#endif
