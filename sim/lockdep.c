/*
 * lockdep.c - lock classes, the order graph, cycles and the hierarchy.
 *
 * Classes are interned names, numbered in the order the run first saw
 * them; edges are kept per class in a sorted array so that searches visit
 * them in the same order in every run.  The first observation of each
 * edge is remembered (fiber, both locks, both sites) to explain a cycle.
 */
#include "sim/lockdep.h"
#include "sim/lock.h"

#include <stdio.h>
#include <string.h>

struct ld_edge {
	int to;
	bool counts;		/* can be part of a deadlock (see lockdep.h) */
	char *how;		/* the first observation, one line */
};

struct ld_class {
	int id;
	const char *name;	/* interned */
	GArray *edges;		/* struct ld_edge, sorted by to */
	int rank;		/* 0: none documented */
	const char *rank_source;
};

struct lockdep {
	struct sim *s;
	GPtrArray *classes;		/* struct ld_class, index == id */
	GHashTable *by_name;		/* interned name -> class; lookups */
	GHashTable *reported;		/* problems reported, by key */
};

const struct lockdep_rank lockdep_mm_ranks[] = {
	/* mm/rmap.c, "Lock ordering in mm" */
	{ "i_rwsem", 10, "mm/rmap.c" },
	{ "mmap_lock", 20, "mm/rmap.c" },
	{ "invalidate_lock", 30, "mm/rmap.c" },
	{ "PG_locked", 40, "mm/rmap.c" },
	{ "hugetlb_fault_mutex", 35, "mm/rmap.c (hugetlbfs)" },
	{ "i_mmap_rwsem", 50, "mm/rmap.c" },
	{ "anon_vma->rwsem", 60, "mm/rmap.c" },
	/* memory_failure: anon_vma->rwsem, i_mmap_rwsem -> tasklist_lock
	 * -> pte map lock */
	{ "tasklist_lock", 65, "mm/rmap.c (memory_failure)" },
	{ "page_table_lock", 70, "mm/rmap.c" },
	{ "pte_lock", 70, "mm/rmap.c" },
	{ "swap_lock", 80, "mm/rmap.c" },
	{ "i_pages lock", 90, "mm/rmap.c" },
	{ "lru_lock", 100, "mm/rmap.c" },
};
const size_t lockdep_mm_nr_ranks = G_N_ELEMENTS(lockdep_mm_ranks);

static struct ld_class *class_of(struct lockdep *ld, const char *name)
{
	struct ld_class *c = g_hash_table_lookup(ld->by_name, name);

	if (c)
		return c;
	c = g_new0(struct ld_class, 1);
	c->id = (int)ld->classes->len;
	c->name = name;
	c->edges = g_array_new(FALSE, FALSE, sizeof(struct ld_edge));
	g_ptr_array_add(ld->classes, c);
	g_hash_table_insert(ld->by_name, (gpointer)name, c);
	return c;
}

static struct ld_edge *find_edge(struct ld_class *from, int to, guint *pos)
{
	guint lo = 0, hi = from->edges->len;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;
		struct ld_edge *e = &g_array_index(from->edges, struct ld_edge,
						   mid);

		if (e->to < to)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	if (lo < from->edges->len) {
		struct ld_edge *e = &g_array_index(from->edges, struct ld_edge,
						   lo);

		if (e->to == to)
			return e;
	}
	return NULL;
}

static void site_str(GString *out, const struct sim_site *site)
{
	if (site && site->file)
		g_string_append_printf(out, " at %s:%d", site->file,
				       site->line);
	if (site && site->func)
		g_string_append_printf(out, " (%s)", site->func);
}

static char *describe(struct sim_fiber *f, const struct sim_held_lock *held,
		      const struct sim_held_lock *taken)
{
	GString *s = g_string_new(NULL);
	char buf[96];

	g_string_append_printf(s, "%s holds %s",
			       sim_fiber_label(f, buf, sizeof(buf)), held->cls);
	site_str(s, &held->site);
	g_string_append_printf(s, ", takes %s%s", taken->cls,
			       taken->mode == SIM_SHARED ? " (shared)" : "");
	site_str(s, &taken->site);
	return g_string_free(s, FALSE);
}

/* Is `to` reachable from `from` over counting edges?  Fills path. */
static bool reaches(struct lockdep *ld, int from, int to, guint8 *seen,
		    GArray *path)
{
	struct ld_class *c = g_ptr_array_index(ld->classes, from);

	if (from == to)
		return true;
	seen[from] = 1;
	for (guint i = 0; i < c->edges->len; i++) {
		struct ld_edge *e = &g_array_index(c->edges, struct ld_edge, i);

		if (!e->counts || seen[e->to])
			continue;
		g_array_append_val(path, from);
		if (reaches(ld, e->to, to, seen, path))
			return true;
		g_array_set_size(path, path->len - 1);
	}
	return false;
}

static bool first_report(struct lockdep *ld, char *key)
{
	if (g_hash_table_contains(ld->reported, key)) {
		g_free(key);
		return false;
	}
	g_hash_table_add(ld->reported, key);
	return true;
}

/* The new edge a -> b closes a cycle b -> ... -> a -> b: say so. */
static void report_cycle(struct lockdep *ld, struct ld_class *a,
			 struct ld_class *b, const char *how)
{
	guint8 *seen = g_new0(guint8, ld->classes->len);
	GArray *path = g_array_new(FALSE, FALSE, sizeof(int));
	GString *msg = g_string_new("possible circular locking dependency: ");
	GString *detail = g_string_new(NULL);

	if (!reaches(ld, b->id, a->id, seen, path))
		goto out;
	g_array_append_val(path, a->id);
	/* path: b, ..., a; the cycle closes with the new edge a -> b. */
	for (guint i = 0; i < path->len; i++) {
		struct ld_class *c = g_ptr_array_index(ld->classes,
			g_array_index(path, int, i));

		g_string_append_printf(msg, "%s -> ", c->name);
		if (i + 1 < path->len) {
			struct ld_edge *e = find_edge(c, g_array_index(path,
							int, i + 1), NULL);

			g_string_append_printf(detail, "  earlier: %s\n",
					       e->how);
		}
	}
	g_string_append(msg, b->name);
	g_string_append_printf(detail, "  now:     %s\n", how);
	if (first_report(ld, g_strdup(msg->str)))
		sim_finding_add(ld->s, "lock-order", detail->str, "%s",
				msg->str);
out:
	g_string_free(msg, TRUE);
	g_string_free(detail, TRUE);
	g_array_free(path, TRUE);
	g_free(seen);
}

static void check_rank(struct lockdep *ld, struct ld_class *held,
		       struct ld_class *taken, const char *how)
{
	char *key;

	if (!held->rank || !taken->rank || held->rank <= taken->rank)
		return;
	key = g_strdup_printf("%s>%s", held->name, taken->name);
	if (first_report(ld, key))
		sim_finding_add(ld->s, "lock-hierarchy", how,
				"%s taken while holding %s, against the order "
				"documented in %s", taken->name, held->name,
				taken->rank_source);
}

/*
 * A reader-preferring rwlock taken shared never queues behind a waiting
 * writer, so waiting for it cannot close a deadlock with other readers.
 */
static bool edge_counts(const struct sim_held_lock *taken)
{
	return !(taken->lock && taken->lock->type == SIM_RWLOCK &&
		 taken->mode == SIM_SHARED && !sim_lock_is_fair(taken->lock));
}

static void add_edge(struct lockdep *ld, struct sim_fiber *f,
		     const struct sim_held_lock *held,
		     const struct sim_held_lock *taken)
{
	struct ld_class *a = class_of(ld, held->cls);
	struct ld_class *b = class_of(ld, taken->cls);
	struct ld_edge e = { .to = b->id, .counts = edge_counts(taken) };
	struct ld_edge *old;
	guint pos;

	/* Same class twice (two pages' PG_locked): not an order. */
	if (a == b)
		return;
	old = find_edge(a, b->id, &pos);
	if (old) {
		if (!old->counts && e.counts) {
			/* Seen before only as a harmless read: now it counts. */
			old->counts = true;
			report_cycle(ld, a, b, old->how);
		}
		return;
	}
	e.how = describe(f, held, taken);
	g_array_insert_val(a->edges, pos, e);
	check_rank(ld, a, b, e.how);
	if (e.counts)
		report_cycle(ld, a, b, e.how);
}

static void on_acquire(struct sim *s, struct sim_fiber *f,
		       const struct sim_held_lock *hl)
{
	struct lockdep *ld = s->hooks.data;

	for (guint i = 0; i < f->held->len; i++)
		add_edge(ld, f, &g_array_index(f->held, struct sim_held_lock,
					       i), hl);
}

static bool is_spinning(const struct sim_held_lock *hl)
{
	return hl->lock && (hl->lock->type == SIM_SPINLOCK ||
			    hl->lock->type == SIM_RWLOCK);
}

/* Sleeping (not spinning) with a spinlock or rwlock_t held is a bug. */
static void on_block(struct sim *s, struct sim_fiber *f, const char *kind,
		     const char *obj)
{
	struct lockdep *ld = s->hooks.data;
	struct sim_lock *w = f->wait_lock;
	char buf[96];

	if (w && (w->type == SIM_SPINLOCK || w->type == SIM_RWLOCK))
		return;		/* spinning for a lock, not sleeping */
	for (guint i = 0; i < f->held->len; i++) {
		const struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);
		GString *d;
		char *key;

		if (!is_spinning(hl))
			continue;
		key = g_strdup_printf("sleep %s %s", kind, hl->cls);
		if (!first_report(ld, key))
			return;
		d = g_string_new(NULL);
		g_string_append_printf(d, "  %s took %s",
				       sim_fiber_label(f, buf, sizeof(buf)),
				       hl->cls);
		site_str(d, &hl->site);
		sim_finding_add(s, "sleep-in-atomic", d->str,
				"%s sleeps (%s %s) while holding %s",
				sim_fiber_label(f, buf, sizeof(buf)), kind,
				obj ? obj : "", hl->cls);
		g_string_free(d, TRUE);
		return;
	}
}

struct lockdep *lockdep_attach(struct sim *s)
{
	struct lockdep *ld = g_new0(struct lockdep, 1);

	ld->s = s;
	ld->classes = g_ptr_array_new();
	ld->by_name = g_hash_table_new(g_direct_hash, g_direct_equal);
	ld->reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     NULL);
	s->hooks.acquire = on_acquire;
	s->hooks.block = on_block;
	s->hooks.data = ld;
	return ld;
}

void lockdep_add_ranks(struct lockdep *ld, const struct lockdep_rank *r,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ld_class *c = class_of(ld, g_intern_string(r[i].cls));

		c->rank = r[i].rank;
		c->rank_source = r[i].source;
	}
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *lockdep_edges(struct lockdep *ld)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < ld->classes->len; i++) {
		struct ld_class *c = g_ptr_array_index(ld->classes, i);

		for (guint j = 0; j < c->edges->len; j++) {
			struct ld_edge *e = &g_array_index(c->edges,
							   struct ld_edge, j);
			struct ld_class *t = g_ptr_array_index(ld->classes,
							       e->to);

			g_ptr_array_add(out, g_strdup_printf("%s -> %s%s",
					c->name, t->name,
					e->counts ? "" : " (read)"));
		}
	}
	g_ptr_array_sort(out, cmp_str);
	return out;
}

void lockdep_free(struct lockdep *ld)
{
	if (!ld)
		return;
	for (guint i = 0; i < ld->classes->len; i++) {
		struct ld_class *c = g_ptr_array_index(ld->classes, i);

		for (guint j = 0; j < c->edges->len; j++)
			g_free(g_array_index(c->edges, struct ld_edge, j).how);
		g_array_free(c->edges, TRUE);
		g_free(c);
	}
	g_ptr_array_free(ld->classes, TRUE);
	g_hash_table_destroy(ld->by_name);
	g_hash_table_destroy(ld->reported);
	g_free(ld);
}
