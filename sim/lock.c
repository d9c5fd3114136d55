/*
 * lock.c - spinlocks, rwlocks, mutexes, rw_semaphores and bit locks.
 *
 * The rules every lock follows:
 *  - acquire: schedule point first, then take the lock if it is free for
 *    this mode, else join the FIFO wait queue and block;
 *  - release: give the lock up, hand it to the waiter(s) it is due to
 *    (see hand_off), then schedule point;
 *  - the acquirer pushes a held-lock record (class, mode, step, site) on
 *    its fiber's stack once it holds the lock, and the validator hooks
 *    see every acquire, acquired and release.
 *
 * Outside a fiber (machine set-up, plain C tests) an uncontended lock is
 * taken without any schedule point; a contended one is a bug in the
 * caller and aborts.
 */
#include "sim/lock.h"
#include "sim/trace.h"

#include <string.h>

static const char *const type_names[] = {
	[SIM_SPINLOCK] = "spinlock",
	[SIM_RWLOCK] = "rwlock",
	[SIM_MUTEX] = "mutex",
	[SIM_RWSEM] = "rw_semaphore",
	[SIM_BITLOCK] = "bit lock",
};

/* Operation names, as the kernel spells them, for traces. */
static const char *op_name(const struct sim_lock *l, enum sim_lock_mode m,
			   bool release)
{
	switch (l->type) {
	case SIM_SPINLOCK:
		return release ? "spin_unlock" : "spin_lock";
	case SIM_RWLOCK:
		if (m == SIM_SHARED)
			return release ? "read_unlock" : "read_lock";
		return release ? "write_unlock" : "write_lock";
	case SIM_MUTEX:
		return release ? "mutex_unlock" : "mutex_lock";
	case SIM_RWSEM:
		if (m == SIM_SHARED)
			return release ? "up_read" : "down_read";
		return release ? "up_write" : "down_write";
	case SIM_BITLOCK:
		return release ? "unlock_bit" : "lock_bit";
	}
	return "?";
}

const char *sim_lock_type_name(enum sim_lock_type type)
{
	return type_names[type];
}

void sim_lock_init(struct sim_lock *l, enum sim_lock_type type,
		   const char *cls, const char *name)
{
	memset(l, 0, sizeof(*l));
	l->type = type;
	l->rw_mode = SIM_RW_DEFAULT;
	l->cls = g_intern_string(cls);
	l->name = name ? g_intern_string(name) : l->cls;
	l->owner = SIM_OWNER_NONE;
	g_queue_init(&l->waiters);
}

void sim_lock_destroy(struct sim_lock *l)
{
	/*
	 * Waiter links live on the waiting fibers' stacks; after a torn
	 * down run they are stale and must not be touched.
	 */
	g_queue_init(&l->waiters);
}

bool sim_lock_is_fair(const struct sim_lock *l)
{
	struct sim *s;

	if (l->type == SIM_RWSEM)
		return true;
	if (l->rw_mode != SIM_RW_DEFAULT)
		return l->rw_mode == SIM_RW_FAIR;
	s = sim_self();
	return s ? s->cfg.rwlock_fair : true;
}

static bool find_held(const struct sim_fiber *f, const struct sim_lock *l,
		      const unsigned long *word, int bit, guint *idx)
{
	for (guint i = f->held->len; i-- > 0;) {
		const struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);

		if ((l && hl->lock == l) ||
		    (!l && hl->word == word && hl->bit == bit)) {
			if (idx)
				*idx = i;
			return true;
		}
	}
	return false;
}

bool sim_lock_held_by(const struct sim_lock *l, const struct sim_fiber *f)
{
	return f && find_held(f, l, NULL, 0, NULL);
}

static bool shared_mode(const struct sim_lock *l, enum sim_lock_mode mode)
{
	return mode == SIM_SHARED &&
	       (l->type == SIM_RWLOCK || l->type == SIM_RWSEM);
}

static bool can_take(const struct sim_lock *l, enum sim_lock_mode mode)
{
	if (l->owner != SIM_OWNER_NONE)
		return false;
	if (!shared_mode(l, mode))
		return l->readers == 0 && (l->waiters.head == NULL);
	/* A reader-preferring rwlock lets readers pass waiting writers. */
	return !sim_lock_is_fair(l) || (l->waiters.head == NULL);
}

static void take(struct sim_lock *l, enum sim_lock_mode mode, int owner)
{
	if (shared_mode(l, mode))
		l->readers++;
	else
		l->owner = owner;
	l->acquisitions++;
}

static void fill_held(struct sim_held_lock *hl, struct sim *s,
		      struct sim_lock *l, const unsigned long *word, int bit,
		      const char *cls, enum sim_lock_mode mode,
		      const struct sim_site *site)
{
	memset(hl, 0, sizeof(*hl));
	hl->lock = l;
	hl->word = word;
	hl->bit = bit;
	hl->cls = cls;
	hl->mode = mode;
	hl->step = s ? s->step : 0;
	if (site)
		hl->site = *site;
}

static void trace_site(struct sim *s, const char *kind, const char *op,
		       const char *cls, const struct sim_site *site)
{
	if (site && site->file)
		sim_trace_event(s, kind, "%s %s at %s:%d", op, cls,
				site->file, site->line);
	else
		sim_trace_event(s, kind, "%s %s", op, cls);
}

/* Record the acquisition on the fiber that now holds the lock. */
static void held_push(struct sim *s, struct sim_fiber *f,
		      const struct sim_held_lock *hl, const char *op)
{
	if (!f)
		return;
	g_array_append_val(f->held, *hl);
	if (s->hooks.acquired)
		s->hooks.acquired(s, f, hl);
	trace_site(s, "acquired", op, hl->cls, &hl->site);
}

static void wait_for_lock(struct sim *s, struct sim_fiber *f,
			  struct sim_lock *l, enum sim_lock_mode mode,
			  const struct sim_site *site)
{
	struct sim_lock_waiter w = { .f = f, .mode = mode };

	w.link.data = &w;
	l->contentions++;
	f->wait_lock = l;
	sim_block_on(s, &l->waiters, &w.link, op_name(l, mode, false),
		     l->cls, site);
	/* hand_off() made us the holder before waking us. */
}

void sim_lock_acquire(struct sim_lock *l, enum sim_lock_mode mode,
		      const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);
	const char *op = op_name(l, mode, false);
	struct sim_held_lock hl;

	fill_held(&hl, s, l, NULL, 0, l->cls, mode, site);
	if (f) {
		if (s->hooks.acquire)
			s->hooks.acquire(s, f, &hl);
		sim_yield(s, op, l->cls, site);
	}
	if (can_take(l, mode)) {
		take(l, mode, f ? f->id : SIM_OWNER_HOST);
	} else {
		if (!f)
			g_error("hwpsim: %s %s would block outside a fiber",
				op, l->cls);
		wait_for_lock(s, f, l, mode, site);
	}
	hl.step = s ? s->step : 0;
	held_push(s, f, &hl, op);
}

bool sim_lock_try(struct sim_lock *l, enum sim_lock_mode mode,
		  const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);
	const char *op = op_name(l, mode, false);
	struct sim_held_lock hl;

	if (f)
		sim_yield(s, op, l->cls, site);
	if (!can_take(l, mode)) {
		if (s)
			sim_trace_event(s, "trylock", "%s %s failed", op,
					l->cls);
		return false;
	}
	take(l, mode, f ? f->id : SIM_OWNER_HOST);
	fill_held(&hl, s, l, NULL, 0, l->cls, mode, site);
	held_push(s, f, &hl, op);
	return true;
}

/*
 * Whom a free lock goes to.  Fair locks serve the queue in order: a
 * writer at the head gets it alone, readers at the head get it together
 * up to the first writer.  A reader-preferring rwlock serves every
 * waiting reader first (they only wait while a writer holds it), and a
 * writer only once no reader wants in.
 */
static void hand_off(struct sim *s, struct sim_lock *l)
{
	bool fair = sim_lock_is_fair(l);
	GList *it, *next;

	if (l->owner != SIM_OWNER_NONE || (l->waiters.head == NULL))
		return;
	for (it = l->waiters.head; it; it = next) {
		struct sim_lock_waiter *w = it->data;

		next = it->next;
		if (!shared_mode(l, w->mode))
			continue;
		if (fair && it != l->waiters.head)
			break;
		g_queue_unlink(&l->waiters, it);
		take(l, SIM_SHARED, w->f->id);
		sim_wake(s, w->f);
		if (fair)
			next = l->waiters.head;
	}
	if (l->readers == 0 && !(l->waiters.head == NULL)) {
		/* The link lives on the waiter's stack: never free it. */
		struct sim_lock_waiter *w =
			g_queue_pop_head_link(&l->waiters)->data;

		take(l, SIM_EXCL, w->f->id);
		sim_wake(s, w->f);
	}
}

/* Does f hold l in mode?  *idx: where on its held-lock stack. */
static bool held_as(const struct sim_fiber *f, const struct sim_lock *l,
		    enum sim_lock_mode mode, guint *idx)
{
	return find_held(f, l, NULL, 0, idx) &&
	       g_array_index(f->held, struct sim_held_lock, *idx).mode ==
		       (int)mode;
}

/* Outside a fiber only the lock itself can say (set-up code). */
static bool host_holds(const struct sim_lock *l, enum sim_lock_mode mode)
{
	return shared_mode(l, mode) ? l->readers > 0 :
				      l->owner == SIM_OWNER_HOST;
}

bool sim_lock_release_ok(const struct sim_lock *l, enum sim_lock_mode mode)
{
	struct sim_fiber *f = sim_current(sim_self());
	guint idx;

	return f ? held_as(f, l, mode, &idx) : host_holds(l, mode);
}

bool sim_bit_release_ok(const unsigned long *word, int bit)
{
	struct sim_fiber *f = sim_current(sim_self());

	if (!(*word & (1UL << bit)))
		return false;
	return !f || find_held(f, NULL, word, bit, NULL);
}

static bool release_misuse(struct sim *s, struct sim_lock *l,
			   enum sim_lock_mode mode, struct sim_fiber *f,
			   const struct sim_site *site)
{
	char buf[96];

	if (s)
		sim_finding_add(s, "lock-misuse", NULL,
				"%s of %s not held by %s%s%s:%d",
				op_name(l, mode, true), l->cls,
				sim_fiber_label(f, buf, sizeof(buf)),
				site && site->file ? " at " : "",
				site && site->file ? site->file : "",
				site ? site->line : 0);
	return false;
}

bool sim_lock_release(struct sim_lock *l, enum sim_lock_mode mode,
		      const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);
	const char *op = op_name(l, mode, true);
	guint idx = 0;

	if (f ? !held_as(f, l, mode, &idx) : !host_holds(l, mode))
		return release_misuse(s, l, mode, f, site);
	if (f) {
		struct sim_held_lock hl =
			g_array_index(f->held, struct sim_held_lock, idx);

		g_array_remove_index(f->held, idx);
		if (s->hooks.release)
			s->hooks.release(s, f, &hl);
	}
	if (shared_mode(l, mode))
		l->readers--;
	else
		l->owner = SIM_OWNER_NONE;
	trace_site(s, "release", op, l->cls, site);
	hand_off(s, l);
	if (f)
		sim_yield(s, op, l->cls, site);
	return true;
}

/*
 * Teardown of a killed fiber: what it held is let go without a trace,
 * hooks or hand-off.  Every other fiber is being killed too (the waiters
 * unlink themselves), and the machine's own teardown, which runs after,
 * must find its locks free - a deadlocked run ends with locks held.
 */
void sim_lock_drop_held(struct sim_fiber *f)
{
	for (guint i = f->held->len; i-- > 0;) {
		struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);

		if (!hl->lock)
			*(unsigned long *)hl->word &= ~(1UL << hl->bit);
		else if (shared_mode(hl->lock, hl->mode))
			hl->lock->readers--;
		else
			hl->lock->owner = SIM_OWNER_NONE;
	}
	g_array_set_size(f->held, 0);
}

/* ---- bit locks and bit waits ------------------------------------------ */

/*
 * Waiters on a bit, keyed by (word, bit).  A waiter that wants the bit as
 * a lock is exclusive; one that waits for the bit to clear is not.
 */
struct bit_waiter {
	struct sim_fiber *f;
	bool exclusive;
	GList link;
};

struct bitwait_key {
	const unsigned long *word;
	int bit;
};

static guint bitwait_hash(gconstpointer k)
{
	const struct bitwait_key *bk = k;

	/* Only ever used for lookups: the table's order never shows. */
	return g_direct_hash(bk->word) ^ (guint)bk->bit;
}

static gboolean bitwait_equal(gconstpointer a, gconstpointer b)
{
	const struct bitwait_key *x = a, *y = b;

	return x->word == y->word && x->bit == y->bit;
}

static void bitwait_queue_free(gpointer p)
{
	g_queue_free(p);
}

GHashTable *sim_bitwait_table_new(void)
{
	return g_hash_table_new_full(bitwait_hash, bitwait_equal, g_free,
				     bitwait_queue_free);
}

static GQueue *bit_queue(struct sim *s, const unsigned long *word, int bit,
			 bool create)
{
	struct bitwait_key key = { word, bit };
	GQueue *q = g_hash_table_lookup(s->bitwaits, &key);

	if (!q && create) {
		struct bitwait_key *k = g_new(struct bitwait_key, 1);

		*k = key;
		q = g_queue_new();
		g_hash_table_insert(s->bitwaits, k, q);
	}
	return q;
}

static void bit_queue_gc(struct sim *s, const unsigned long *word, int bit)
{
	struct bitwait_key key = { word, bit };
	GQueue *q = g_hash_table_lookup(s->bitwaits, &key);

	if (q && g_queue_is_empty(q))
		g_hash_table_remove(s->bitwaits, &key);
}

static bool test_and_set(unsigned long *word, int bit)
{
	unsigned long mask = 1UL << bit;
	bool was = *word & mask;

	*word |= mask;
	return was;
}

static void bit_wait(struct sim *s, struct sim_fiber *f, unsigned long *word,
		     int bit, bool exclusive, const char *what,
		     const struct sim_site *site)
{
	struct bit_waiter w = { .f = f, .exclusive = exclusive };

	w.link.data = &w;
	f->wait_word = word;
	f->wait_bit = bit;
	sim_block_on(s, bit_queue(s, word, bit, true), &w.link, what, what,
		     site);
	bit_queue_gc(s, word, bit);
}

void sim_bit_lock(unsigned long *word, int bit, const char *cls,
		  const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);
	struct sim_held_lock hl;

	cls = g_intern_string(cls);
	fill_held(&hl, s, NULL, word, bit, cls, SIM_EXCL, site);
	if (f) {
		if (s->hooks.acquire)
			s->hooks.acquire(s, f, &hl);
		sim_yield(s, "lock_bit", cls, site);
	}
	if (test_and_set(word, bit)) {
		if (!f)
			g_error("hwpsim: lock of %s would block outside a "
				"fiber", cls);
		/* Woken only by a hand-off: the bit is ours when we run. */
		bit_wait(s, f, word, bit, true, cls, site);
	}
	hl.step = s ? s->step : 0;
	held_push(s, f, &hl, "lock_bit");
}

bool sim_bit_trylock(unsigned long *word, int bit, const char *cls,
		     const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);
	struct sim_held_lock hl;

	cls = g_intern_string(cls);
	if (f)
		sim_yield(s, "trylock_bit", cls, site);
	if (test_and_set(word, bit))
		return false;
	fill_held(&hl, s, NULL, word, bit, cls, SIM_EXCL, site);
	held_push(s, f, &hl, "lock_bit");
	return true;
}

bool sim_bit_unlock(unsigned long *word, int bit, const char *cls,
		    const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);
	guint idx;

	cls = g_intern_string(cls);
	if (!sim_bit_release_ok(word, bit) ||
	    (f && !find_held(f, NULL, word, bit, &idx))) {
		if (s)
			sim_finding_add(s, "lock-misuse", NULL,
					"unlock of %s not held", cls);
		return false;
	}
	if (f) {
		struct sim_held_lock hl =
			g_array_index(f->held, struct sim_held_lock, idx);

		g_array_remove_index(f->held, idx);
		if (s->hooks.release)
			s->hooks.release(s, f, &hl);
	}
	*word &= ~(1UL << bit);
	if (s)
		trace_site(s, "release", "unlock_bit", cls, site);
	sim_wake_up_bit(word, bit);
	if (f)
		sim_yield(s, "unlock_bit", cls, site);
	return true;
}

void sim_wait_on_bit(unsigned long *word, int bit, const char *what,
		     const struct sim_site *site)
{
	struct sim *s = sim_self();
	struct sim_fiber *f = sim_current(s);

	what = g_intern_string(what);
	if (f)
		sim_yield(s, "wait_on_bit", what, site);
	while (*word & (1UL << bit)) {
		if (!f)
			g_error("hwpsim: wait for %s would block outside a "
				"fiber", what);
		bit_wait(s, f, word, bit, false, what, site);
	}
}

/*
 * Wake everybody waiting for the bit to clear; if it is clear, hand it to
 * the first fiber that wants it as a lock.  Both stay in queue order.
 */
void sim_wake_up_bit(unsigned long *word, int bit)
{
	struct sim *s = sim_self();
	GQueue *q = s ? bit_queue(s, word, bit, false) : NULL;
	GList *it, *next;

	if (!q)
		return;
	for (it = q->head; it; it = next) {
		struct bit_waiter *w = it->data;

		next = it->next;
		if (w->exclusive) {
			if (*word & (1UL << bit))
				continue;
			*word |= 1UL << bit;
		}
		g_queue_unlink(q, it);
		sim_wake(s, w->f);
	}
}

bool sim_bit_has_waiters(unsigned long *word, int bit)
{
	struct sim *s = sim_self();
	GQueue *q = s ? bit_queue(s, word, bit, false) : NULL;

	return q && !g_queue_is_empty(q);
}
