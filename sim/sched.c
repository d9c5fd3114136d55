/*
 * sched.c - fibers and the deterministic scheduler.
 *
 * The scheduler runs on the host stack.  A fiber runs until it reaches a
 * schedule point and switches back; the scheduler then fires due timers,
 * collects the runnable fibers in id order and asks the strategy which one
 * continues.  That decision is a step: the step counter and the virtual
 * clock advance, and a "pick" line goes into the trace.
 *
 * The loop ends when every fiber is done, when the run is stopped (an
 * error in a scenario, the step budget), or when nothing can run and no
 * timer is pending: with fibers still alive, that is a deadlock.
 *
 * Teardown (sim_free) resumes every fiber that is still alive with its
 * killed flag set, so that its frames unwind (see struct sim_fiber).
 */
#include "sim/sim.h"
#include "sim/lock.h"
#include "sim/trace.h"

#include <stdio.h>
#include <string.h>

/* After this many unwind attempts a fiber is abandoned (see kill_one). */
#define SIM_MAX_KILLS 16

static struct sim *sim_cur;

struct sim *sim_self(void)
{
	return sim_cur;
}

void sim_config_default(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->strategy.kind = SIM_STRAT_RANDOM;
	cfg->strategy.pct_depth = 3;
	cfg->strategy.pct_steps = 1000;
	cfg->step_ns = 1000;
	cfg->max_steps = 10 * 1000 * 1000;
	cfg->stack_size = SIM_STACK_DEFAULT;
	cfg->rwlock_fair = true;
	cfg->trace_level = SIM_TRACE_DIGEST;
}

static void finding_free(gpointer p)
{
	struct sim_finding *fi = p;

	g_free(fi->kind);
	g_free(fi->message);
	g_free(fi->detail);
	g_free(fi);
}

struct sim *sim_new(const struct sim_config *cfg)
{
	struct sim *s = g_new0(struct sim, 1);
	struct sim_config def;

	if (!cfg) {
		sim_config_default(&def);
		cfg = &def;
	}
	s->cfg = *cfg;
	sim_strategy_copy(&s->cfg.strategy, &cfg->strategy);
	if (!s->cfg.stack_size)
		s->cfg.stack_size = SIM_STACK_DEFAULT;
	sim_prng_seed(&s->prng, cfg->seed);
	/*
	 * The strategy draws from its own stream, derived from the same
	 * seed, so replaying a schedule (which draws nothing) leaves every
	 * random number the machine itself uses unchanged.
	 */
	sim_prng_seed(&s->sched_prng, cfg->seed ^ 0x5ced5ced5ced5cedULL);
	s->fibers = g_ptr_array_new();
	s->runq = g_ptr_array_new();
	s->stack_pool = g_ptr_array_new();
	s->timers = g_sequence_new(g_free);
	s->choices = g_array_new(FALSE, FALSE, sizeof(int));
	if (s->cfg.record_decisions) {
		s->decisions = g_array_new(FALSE, FALSE,
					   sizeof(struct sim_decision));
		s->decision_ids = g_array_new(FALSE, FALSE, sizeof(int));
	}
	s->pct_change = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	s->bitwaits = sim_bitwait_table_new();
	s->trace = sim_trace_new(cfg->trace_level);
	s->findings = g_ptr_array_new_with_free_func(finding_free);
	sim_strategy_start(s);
	if (!sim_cur)
		sim_cur = s;
	return s;
}

const char *sim_fiber_label(const struct sim_fiber *f, char *buf, size_t n)
{
	if (!f)
		g_strlcpy(buf, "-", n);
	else
		snprintf(buf, n, "%s#%d", f->name, f->id);
	return buf;
}

static struct sim_stack *stack_get(struct sim *s)
{
	if (s->stack_pool->len)
		return g_ptr_array_steal_index(s->stack_pool,
					       s->stack_pool->len - 1);
	return sim_stack_alloc(s->cfg.stack_size);
}

static void stack_put(struct sim *s, struct sim_stack *st)
{
	/* A small pool: explore starts the same few fibers over and over. */
	if (s->stack_pool->len < 16)
		g_ptr_array_add(s->stack_pool, st);
	else
		sim_stack_free(st);
}

/*
 * The run queue holds exactly the fibers that are NEW or RUNNABLE, sorted
 * by id, so a decision costs a look at the runnable fibers only, however
 * many have come and gone.  Every state change goes through set_state.
 */
static guint runq_find(GPtrArray *q, int id, bool *found)
{
	guint lo = 0, hi = q->len;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;
		struct sim_fiber *m = g_ptr_array_index(q, mid);

		if (m->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < q->len &&
		 ((struct sim_fiber *)g_ptr_array_index(q, lo))->id == id;
	return lo;
}

static bool is_runnable_state(enum sim_fiber_state st)
{
	return st == SIM_FIBER_NEW || st == SIM_FIBER_RUNNABLE;
}

static void set_state(struct sim *s, struct sim_fiber *f,
		      enum sim_fiber_state st)
{
	bool found;
	guint pos = runq_find(s->runq, f->id, &found);

	if (is_runnable_state(st) && !found)
		g_ptr_array_insert(s->runq, (gint)pos, f);
	else if (!is_runnable_state(st) && found)
		g_ptr_array_remove_index(s->runq, pos);
	f->state = st;
}

static void mark_runnable(struct sim *s, struct sim_fiber *f)
{
	set_state(s, f, SIM_FIBER_RUNNABLE);
	f->runnable_since = ++s->runnable_seq;
}

/* Names go into whitespace-separated trace columns: keep them one word. */
static char *clean_name(const char *name)
{
	char *n = g_strdup(name && *name ? name : "fiber");

	for (char *p = n; *p; p++)
		if (g_ascii_isspace(*p) || *p == '#')
			*p = '_';
	return n;
}

struct sim_fiber *sim_spawn(struct sim *s, const char *name,
			    sim_fiber_fn fn, void *arg)
{
	struct sim_fiber *f = g_new0(struct sim_fiber, 1);
	char buf[96];

	f->id = (int)s->fibers->len;
	f->name = clean_name(name);
	f->sim = s;
	f->fn = fn;
	f->arg = arg;
	f->held = g_array_new(FALSE, FALSE, sizeof(struct sim_held_lock));
	g_queue_init(&f->joiners);
	g_ptr_array_add(s->fibers, f);
	s->live++;
	mark_runnable(s, f);
	set_state(s, f, SIM_FIBER_NEW);
	sim_strategy_spawned(s, f);
	sim_trace_event(s, "spawn", "%s", sim_fiber_label(f, buf, sizeof(buf)));
	return f;
}

static void start_timer_fired(struct sim *s, void *data)
{
	struct sim_fiber *f = data;

	f->sleep_timer = NULL;
	sim_wake(s, f);
}

struct sim_fiber *sim_spawn_after(struct sim *s, uint64_t delay_ns,
				  const char *name, sim_fiber_fn fn,
				  void *arg)
{
	struct sim_fiber *f = sim_spawn(s, name, fn, arg);

	/* Parked on its start timer: alive, but not runnable yet. */
	set_state(s, f, SIM_FIBER_BLOCKED);
	f->wait_kind = "start";
	f->sleep_timer = sim_timer_add(s, delay_ns, f->name,
				       start_timer_fired, f);
	return f;
}

struct sim_fiber *sim_current(struct sim *s)
{
	return s ? s->current : NULL;
}

struct sim_fiber *sim_fiber_by_id(struct sim *s, int id)
{
	if (id < 0 || (guint)id >= s->fibers->len)
		return NULL;
	return g_ptr_array_index(s->fibers, id);
}

static void fiber_killed(struct sim_fiber *f);

/* Give the CPU back to the scheduler; returns when picked again. */
static void to_scheduler(struct sim *s, struct sim_fiber *f)
{
	sim_ctx_switch(&f->ctx, &s->sched_ctx);
	if (f->killed)
		fiber_killed(f);
}

/*
 * Ending with locks held is a bug (lockdep: "lock held when returning to
 * user space"): nobody can ever release them.  Not reported for fibers
 * killed at teardown, which end wherever they were.
 */
static void check_exit_locks(struct sim *s, struct sim_fiber *f)
{
	GString *held;
	char buf[96];

	if (f->killed || !f->held->len)
		return;
	held = g_string_new(NULL);
	for (guint i = 0; i < f->held->len; i++) {
		const struct sim_held_lock *hl =
			&g_array_index(f->held, struct sim_held_lock, i);

		g_string_append_printf(held, "%s%s", i ? ", " : "", hl->cls);
		if (hl->site.file)
			g_string_append_printf(held, " (taken at %s:%d)",
					       hl->site.file, hl->site.line);
	}
	sim_finding_add(s, "lock-leak", NULL, "%s ended holding %s",
			sim_fiber_label(f, buf, sizeof(buf)), held->str);
	g_string_free(held, TRUE);
}

static void fiber_exit(struct sim_fiber *f)
{
	struct sim *s = f->sim;
	struct sim_fiber *j;

	check_exit_locks(s, f);
	set_state(s, f, SIM_FIBER_DONE);
	s->live--;
	f->why = (struct sim_why){ "exit", NULL, NULL };
	sim_trace_event(s, "exit", "held %u", f->held->len);
	while ((j = sim_wake_first(s, &f->joiners)))
		;
	/* Never resumed: under ASan this also drops the fiber's fake stack. */
	sim_ctx_exit(&f->ctx, &s->sched_ctx);
}

static void fiber_entry(void *arg)
{
	struct sim_fiber *f = arg;

	f->fn(f->arg);
	fiber_exit(f);
}

/*
 * A fiber killed at teardown: let its owner unwind it (the Lua host raises
 * an error that unwinds to the actor's pcall, after which the fiber
 * returns normally); without an unwinder it just ends here, abandoning
 * its frames.
 */
static void fiber_killed(struct sim_fiber *f)
{
	if (f->unwind && f->kills < SIM_MAX_KILLS)
		f->unwind(f, f->unwind_data);
	fiber_exit(f);
}

static void switch_to(struct sim *s, struct sim_fiber *f)
{
	if (!f->started) {
		f->stack = stack_get(s);
		sim_ctx_make(&f->ctx, f->stack, fiber_entry, f);
		f->started = true;
	}
	set_state(s, f, SIM_FIBER_RUNNABLE);
	s->current = f;
	sim_ctx_switch(&s->sched_ctx, &f->ctx);
	s->current = NULL;
	if (f->state == SIM_FIBER_DONE && f->stack) {
		stack_put(s, f->stack);
		f->stack = NULL;
	}
}

/* Pops and runs every timer whose deadline has come. */
static void fire_due_timers(struct sim *s)
{
	for (;;) {
		GSequenceIter *it = g_sequence_get_begin_iter(s->timers);
		struct sim_timer *t;
		sim_timer_fn fn;
		void *data;

		if (g_sequence_iter_is_end(it))
			return;
		t = g_sequence_get(it);
		if (t->deadline > s->now)
			return;
		fn = t->fn;
		data = t->data;
		sim_trace_event(s, "timer", "%s", t->name ? t->name : "-");
		g_sequence_remove(it);
		fn(s, data);
	}
}

/* The pick line: who runs, among whom, and why the last fiber stopped. */
static void trace_pick(struct sim *s, struct sim_fiber *f, GPtrArray *r,
		       struct sim_fiber *prev)
{
	GString *ids;
	char buf[96];

	if (!sim_trace_on(s->trace))
		return;
	ids = g_string_sized_new(32);
	for (guint i = 0; i < r->len; i++) {
		struct sim_fiber *x = g_ptr_array_index(r, i);

		g_string_append_printf(ids, "%s%d", i ? "," : "", x->id);
	}
	if (prev && prev->why.what)
		sim_trace_event(s, "pick", "#%d of {%s} after %s %s%s%s",
				f->id, ids->str,
				sim_fiber_label(prev, buf, sizeof(buf)),
				prev->why.what, prev->why.obj ? " " : "",
				prev->why.obj ? prev->why.obj : "");
	else
		sim_trace_event(s, "pick", "#%d of {%s}", f->id, ids->str);
	g_string_free(ids, TRUE);
}

static bool idle(struct sim *s)
{
	GSequenceIter *it = g_sequence_get_begin_iter(s->timers);
	struct sim_timer *t;

	if (g_sequence_iter_is_end(it))
		return false;
	t = g_sequence_get(it);
	if (t->deadline > s->now) {
		sim_trace_event(s, "idle", "clock %llu -> %llu",
				(unsigned long long)s->now,
				(unsigned long long)t->deadline);
		s->now = t->deadline;
	}
	fire_due_timers(s);
	return true;
}

static bool fiber_runnable(const struct sim_fiber *f)
{
	return f && (f->state == SIM_FIBER_RUNNABLE ||
		     f->state == SIM_FIBER_NEW);
}

/* The decision as exploration sees it: who could run, who did. */
static void record_decision(struct sim *s, GPtrArray *r,
			    struct sim_fiber *prev, struct sim_fiber *f)
{
	struct sim_decision d = {
		.chosen = f->id,
		.prev = fiber_runnable(prev) ? prev->id : -1,
		.first = s->decision_ids->len,
		.n = r->len,
	};

	for (guint i = 0; i < r->len; i++) {
		struct sim_fiber *x = g_ptr_array_index(r, i);

		g_array_append_val(s->decision_ids, x->id);
	}
	g_array_append_val(s->decisions, d);
}

/* One decision: false when the loop must end. */
static bool sched_step(struct sim *s, struct sim_fiber **prev)
{
	GPtrArray *runnable = s->runq;
	struct sim_fiber *f;

	fire_due_timers(s);
	/*
	 * Idle rounds count against the step budget too: a timer that keeps
	 * re-arming itself while every fiber sleeps must not spin forever.
	 */
	if (s->cfg.max_steps && s->step + s->idle_rounds >= s->cfg.max_steps) {
		sim_finding_add(s, "step-budget", NULL,
				"step budget of %llu steps exhausted with %u "
				"fibers alive (%llu of them idle rounds)",
				(unsigned long long)s->cfg.max_steps, s->live,
				(unsigned long long)s->idle_rounds);
		return false;
	}
	if (!runnable->len) {
		if (idle(s)) {
			s->idle_rounds++;
			return true;
		}
		if (s->live)
			sim_report_deadlock(s);
		return false;
	}
	f = sim_strategy_pick(s, runnable, *prev);
	if (!f)
		return false;
	s->step++;
	s->now += s->cfg.step_ns;
	if (runnable->len > 1) {
		g_array_append_val(s->choices, f->id);
		if (s->decisions)
			record_decision(s, runnable, *prev, f);
	}
	s->current = f;		/* the pick line is the chosen fiber's */
	trace_pick(s, f, runnable, *prev);
	s->current = NULL;
	if (s->cfg.on_pick) {
		s->cfg.on_pick(s, f, runnable, s->cfg.on_pick_data);
		if (s->stopping)
			return false;
	}
	*prev = f;
	switch_to(s, f);
	return true;
}

int sim_run(struct sim *s)
{
	struct sim *saved = sim_cur;
	struct sim_fiber *prev = NULL;

	sim_cur = s;
	s->running = true;
	while (!s->stopping && sched_step(s, &prev))
		;
	s->running = false;
	sim_cur = saved ? saved : s;
	return s->stopping || s->live ? -1 : 0;
}

void sim_stop(struct sim *s, const char *reason)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->stop_reason = g_strdup(reason);
	/*
	 * No switch here: the caller runs on to its next schedule point,
	 * where the scheduler sees the flag.  (A caller that must stop at
	 * once follows with sim_yield.)
	 */
	sim_trace_event(s, "stop", "%s", reason ? reason : "");
}

void sim_set_quiescent(struct sim *s, bool q)
{
	struct sim_fiber *f = sim_current(s);

	if (f)
		f->quiescent = q;
}

bool sim_others_quiescent(const struct sim *s)
{
	for (guint i = 0; i < s->fibers->len; i++) {
		const struct sim_fiber *f = g_ptr_array_index(s->fibers, i);

		if (f == s->current || f->state == SIM_FIBER_DONE ||
		    f->state == SIM_FIBER_NEW || f->quiescent)
			continue;
		return false;
	}
	return true;
}

void sim_yield(struct sim *s, const char *what, const char *obj,
	       const struct sim_site *site)
{
	struct sim_fiber *f = sim_current(s);

	if (!f)
		return;
	f->why = (struct sim_why){ what, obj, site };
	to_scheduler(s, f);
}

static void unlink_waiter(struct sim_fiber *f)
{
	if (f->wait_q && f->wait_link)
		g_queue_unlink(f->wait_q, f->wait_link);
	f->wait_q = NULL;
	f->wait_link = NULL;
}

void sim_block(struct sim *s, const char *kind, const char *obj,
	       const struct sim_site *site)
{
	struct sim_fiber *f = sim_current(s);

	if (!f)
		g_error("hwpsim: %s %s would block outside a fiber", kind,
			obj ? obj : "");
	if (s->hooks.block)
		s->hooks.block(s, f, kind, obj);
	set_state(s, f, SIM_FIBER_BLOCKED);
	f->wait_kind = kind;
	f->wait_obj = obj;
	if (site)
		f->wait_site = *site;
	else
		memset(&f->wait_site, 0, sizeof(f->wait_site));
	f->why = (struct sim_why){ kind, obj, site };
	sim_trace_event(s, "block", "%s%s%s", kind, obj ? " " : "",
			obj ? obj : "");
	to_scheduler(s, f);
	f->wait_kind = NULL;
	f->wait_obj = NULL;
	f->wait_lock = NULL;
	f->wait_word = NULL;
}

void sim_block_on(struct sim *s, GQueue *q, GList *link, const char *kind,
		  const char *obj, const struct sim_site *site)
{
	struct sim_fiber *f = sim_current(s);

	if (!f)
		g_error("hwpsim: %s %s would block outside a fiber", kind,
			obj ? obj : "");
	link->prev = link->next = NULL;
	g_queue_push_tail_link(q, link);
	f->wait_q = q;
	f->wait_link = link;
	sim_block(s, kind, obj, site);
}

void sim_wake(struct sim *s, struct sim_fiber *f)
{
	char buf[96];

	if (f->state != SIM_FIBER_BLOCKED)
		return;
	f->wait_q = NULL;
	f->wait_link = NULL;
	mark_runnable(s, f);
	sim_trace_event(s, "wake", "%s", sim_fiber_label(f, buf, sizeof(buf)));
}

struct sim_fiber *sim_wake_first(struct sim *s, GQueue *q)
{
	GList *l = g_queue_pop_head_link(q);
	struct sim_fiber *f;

	if (!l)
		return NULL;
	f = l->data;
	sim_wake(s, f);
	return f;
}

void sim_join(struct sim *s, struct sim_fiber *target)
{
	GList link = { .data = sim_current(s) };

	if (target->state == SIM_FIBER_DONE)
		return;
	if (target == sim_current(s))
		g_error("hwpsim: a fiber cannot join itself");
	sim_block_on(s, &target->joiners, &link, "join", target->name, NULL);
}

static void sleep_done(struct sim *s, void *data)
{
	struct sim_fiber *f = data;

	f->sleep_timer = NULL;
	sim_wake(s, f);
}

void sim_sleep(struct sim *s, uint64_t ns, const struct sim_site *site)
{
	struct sim_fiber *f = sim_current(s);

	if (!f)
		return;
	if (!ns) {
		sim_yield(s, "sleep", NULL, site);
		return;
	}
	f->sleep_timer = sim_timer_add(s, ns, f->name, sleep_done, f);
	sim_block(s, "sleep", NULL, site);
}

void sim_waitq_init(struct sim_waitq *wq, const char *name)
{
	g_queue_init(&wq->q);
	wq->name = name;
}

void sim_waitq_wait(struct sim *s, struct sim_waitq *wq,
		    const struct sim_site *site)
{
	GList link = { .data = sim_current(s) };

	sim_block_on(s, &wq->q, &link, "wait", wq->name, site);
}

int sim_waitq_wake(struct sim *s, struct sim_waitq *wq, int nr)
{
	int woken = 0;

	while ((nr < 0 || woken < nr) && sim_wake_first(s, &wq->q))
		woken++;
	return woken;
}

bool sim_waitq_active(const struct sim_waitq *wq)
{
	return wq->q.head != NULL;
}

void sim_finding_add(struct sim *s, const char *kind, const char *detail,
		     const char *fmt, ...)
{
	struct sim_finding *fi = g_new0(struct sim_finding, 1);
	va_list ap;

	va_start(ap, fmt);
	fi->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fi->kind = g_strdup(kind);
	fi->detail = g_strdup(detail);
	fi->step = s->step;
	g_ptr_array_add(s->findings, fi);
	sim_trace_event(s, "finding", "%s: %s", kind, fi->message);
}

unsigned int sim_findings_count(const struct sim *s, const char *kind)
{
	unsigned int n = 0;

	for (guint i = 0; i < s->findings->len; i++) {
		struct sim_finding *fi = g_ptr_array_index(s->findings, i);

		if (!kind || !strcmp(fi->kind, kind))
			n++;
	}
	return n;
}

/* Resume a live fiber with killed set until it ends (see fiber_killed). */
static void kill_one(struct sim *s, struct sim_fiber *f)
{
	if (!f->started) {
		/* Never ran: nothing on a stack to unwind. */
		if (f->sleep_timer)
			sim_timer_cancel(s, f->sleep_timer);
		f->sleep_timer = NULL;
		set_state(s, f, SIM_FIBER_DONE);
		s->live--;
		return;
	}
	f->killed = true;
	while (f->state != SIM_FIBER_DONE) {
		unlink_waiter(f);
		if (f->sleep_timer) {
			sim_timer_cancel(s, f->sleep_timer);
			f->sleep_timer = NULL;
		}
		set_state(s, f, SIM_FIBER_RUNNABLE);
		f->kills++;
		switch_to(s, f);
	}
	sim_lock_drop_held(f);
}

static void fiber_free(struct sim_fiber *f)
{
	sim_stack_free(f->stack);
	g_array_free(f->held, TRUE);
	g_free(f->name);
	g_free(f);
}

void sim_kill_all(struct sim *s)
{
	struct sim *saved = sim_cur;

	sim_cur = s;
	s->stopping = true;
	for (guint i = 0; i < s->fibers->len; i++) {
		struct sim_fiber *f = g_ptr_array_index(s->fibers, i);

		if (f->state != SIM_FIBER_DONE)
			kill_one(s, f);
	}
	sim_cur = saved;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	sim_kill_all(s);
	if (sim_cur == s)
		sim_cur = NULL;
	for (guint i = 0; i < s->fibers->len; i++)
		fiber_free(g_ptr_array_index(s->fibers, i));
	g_ptr_array_free(s->fibers, TRUE);
	g_ptr_array_free(s->runq, TRUE);
	for (guint i = 0; i < s->stack_pool->len; i++)
		sim_stack_free(g_ptr_array_index(s->stack_pool, i));
	g_ptr_array_free(s->stack_pool, TRUE);
	g_sequence_free(s->timers);
	g_array_free(s->choices, TRUE);
	if (s->decisions) {
		g_array_free(s->decisions, TRUE);
		g_array_free(s->decision_ids, TRUE);
	}
	g_array_free(s->pct_change, TRUE);
	g_hash_table_destroy(s->bitwaits);
	sim_trace_free(s->trace);
	g_ptr_array_free(s->findings, TRUE);
	sim_strategy_clear(&s->cfg.strategy);
	g_free(s->stop_reason);
	g_free(s);
}
