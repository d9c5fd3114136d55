/*
 * clock.c - the virtual clock and its timers.
 *
 * Time is virtual nanoseconds.  It advances by cfg.step_ns with every
 * scheduling step and, when no fiber can run, jumps straight to the next
 * timer.  Timers are kept in a GSequence ordered by (deadline, seq); seq
 * is the insertion order, so two timers due at once fire in the order
 * they were armed.
 *
 * A timer pointer is valid until the timer fires or is cancelled.
 */
#include "sim/sim.h"

static gint timer_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct sim_timer *x = a, *y = b;

	(void)unused;
	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

uint64_t sim_now(const struct sim *s)
{
	return s->now;
}

struct sim_timer *sim_timer_add(struct sim *s, uint64_t delay_ns,
				const char *name, sim_timer_fn fn, void *data)
{
	struct sim_timer *t = g_new0(struct sim_timer, 1);

	t->deadline = s->now + delay_ns;
	t->seq = s->timer_seq++;
	t->fn = fn;
	t->data = data;
	t->name = g_intern_string(name ? name : "timer");
	t->it = g_sequence_insert_sorted(s->timers, t, timer_cmp, NULL);
	return t;
}

void sim_timer_cancel(struct sim *s, struct sim_timer *t)
{
	(void)s;
	g_sequence_remove(t->it);	/* frees t */
}

unsigned int sim_timers_pending(const struct sim *s)
{
	return (unsigned int)g_sequence_get_length(s->timers);
}
