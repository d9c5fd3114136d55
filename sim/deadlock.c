/*
 * deadlock.c - what to say when nothing can run.
 *
 * The scheduler calls sim_report_deadlock() when fibers are alive, none is
 * runnable and no timer is pending.  The report is a finding of kind
 * "deadlock" whose message is the wait-for cycle ("a#1 -> b#2 -> a#1")
 * and whose detail lists, for every blocked fiber, what it waits for,
 * where, and the locks it holds with where it took them.
 *
 * Wait-for edges: a fiber blocked on a lock waits for every fiber whose
 * held-lock stack contains that lock (for a bit lock, that word and bit);
 * the cycle is found by a depth-first search over all of them.
 * A fiber blocked on something else (a wait queue, a join) has no lock
 * edge; if no cycle exists the report says so and still lists everybody.
 */
#include "sim/sim.h"
#include "sim/lock.h"

#include <string.h>

static bool holds(const struct sim_fiber *f, const struct sim_fiber *w)
{
	for (guint i = 0; i < f->held->len; i++) {
		const struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);

		if (w->wait_lock && hl->lock == w->wait_lock)
			return true;
		if (w->wait_word && hl->word == w->wait_word &&
		    hl->bit == w->wait_bit)
			return true;
	}
	return false;
}

/*
 * Does f hold what w waits for?  That may be w itself: taking a lock it
 * already holds (lockdep's recursive locking) is a cycle of one.
 */
static bool waits_on(struct sim_fiber *w, struct sim_fiber *f)
{
	if (w->state != SIM_FIBER_BLOCKED || (!w->wait_lock && !w->wait_word))
		return false;
	return f->state != SIM_FIBER_DONE && holds(f, w);
}

enum { WHITE, GREY, BLACK };

/*
 * Depth-first search over every wait-for edge (a shared lock has several
 * holders, and the cycle may run through any of them), in id order so the
 * cycle reported is always the same one.  path holds the fibers on the
 * current branch; on success it is trimmed to the cycle.
 */
static bool dfs(struct sim *s, struct sim_fiber *w, guint8 *color,
		GPtrArray *path)
{
	color[w->id] = GREY;
	g_ptr_array_add(path, w);
	for (guint i = 0; i < s->fibers->len; i++) {
		struct sim_fiber *f = g_ptr_array_index(s->fibers, i);

		if (!waits_on(w, f))
			continue;
		if (color[f->id] == GREY) {
			guint at = 0;

			while (g_ptr_array_index(path, at) != f)
				at++;
			g_ptr_array_remove_range(path, 0, at);
			return true;
		}
		if (color[f->id] == WHITE && dfs(s, f, color, path))
			return true;
	}
	color[w->id] = BLACK;
	g_ptr_array_remove_index(path, path->len - 1);
	return false;
}

static bool find_cycle(struct sim *s, GPtrArray *cycle)
{
	guint8 *color = g_new0(guint8, s->fibers->len);
	bool found = false;

	for (guint i = 0; i < s->fibers->len && !found; i++) {
		g_ptr_array_set_size(cycle, 0);
		if (color[i] == WHITE)
			found = dfs(s, g_ptr_array_index(s->fibers, i), color,
				    cycle);
	}
	g_free(color);
	return found;
}

static void describe_site(GString *out, const struct sim_site *site)
{
	if (site && site->file)
		g_string_append_printf(out, " at %s:%d", site->file,
				       site->line);
	if (site && site->func)
		g_string_append_printf(out, " (%s)", site->func);
}

static void describe_fiber(GString *out, struct sim_fiber *f)
{
	char buf[96];

	g_string_append_printf(out, "%s: %s %s",
			       sim_fiber_label(f, buf, sizeof(buf)),
			       f->wait_kind ? f->wait_kind : "blocked",
			       f->wait_obj ? f->wait_obj : "");
	describe_site(out, &f->wait_site);
	if (f->wait_lock && f->wait_lock->owner >= 0) {
		struct sim_fiber *o = sim_fiber_by_id(f->sim,
						      f->wait_lock->owner);

		if (o)
			g_string_append_printf(out, ", held by %s%s",
				sim_fiber_label(o, buf, sizeof(buf)),
				o->state == SIM_FIBER_DONE ? " (ended)" : "");
	}
	g_string_append_c(out, '\n');
	for (guint i = 0; i < f->held->len; i++) {
		const struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);

		g_string_append_printf(out, "    holds %s (%s) since step %llu",
				       hl->cls,
				       hl->mode == SIM_SHARED ? "shared" :
								 "exclusive",
				       (unsigned long long)hl->step);
		describe_site(out, &hl->site);
		g_string_append_c(out, '\n');
	}
}

void sim_report_deadlock(struct sim *s)
{
	GPtrArray *cycle = g_ptr_array_new();
	GString *msg = g_string_new(NULL);
	GString *detail = g_string_new(NULL);
	bool found = false;
	char buf[96];

	found = find_cycle(s, cycle);
	if (found) {
		g_string_truncate(msg, 0);
		for (guint i = 0; i < cycle->len; i++) {
			struct sim_fiber *f = g_ptr_array_index(cycle, i);

			g_string_append_printf(msg, "%s waits for %s -> ",
				sim_fiber_label(f, buf, sizeof(buf)),
				f->wait_obj ? f->wait_obj : "?");
		}
		g_string_append(msg, sim_fiber_label(
			g_ptr_array_index(cycle, 0), buf, sizeof(buf)));
	} else {
		g_string_append_printf(msg, "%u fiber%s blocked, no lock "
				       "cycle (a wait nobody will end)",
				       s->live, s->live == 1 ? "" : "s");
	}
	for (guint i = 0; i < s->fibers->len; i++) {
		struct sim_fiber *f = g_ptr_array_index(s->fibers, i);

		if (f->state == SIM_FIBER_BLOCKED)
			describe_fiber(detail, f);
	}
	sim_finding_add(s, "deadlock", detail->str, "%s", msg->str);
	g_string_free(msg, TRUE);
	g_string_free(detail, TRUE);
	g_ptr_array_free(cycle, TRUE);
}
