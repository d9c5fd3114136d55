/*
 * l_mca.c - machine checks for scenarios.
 *
 *   m:inject{ kind = "srao" | "srao-llc" | "srar" | "srar-ifetch" |
 *                    "ucna" | "ce" | "fatal",
 *             pfn = n | task = t, addr = a,   -- where (a task's page)
 *             line = l, cpu = n, bank = b, lsb = 6 | 12, count = n (ce),
 *             via_cmci = bool (srao), mcacod = c, ip = ip,
 *             ripv = true (srar: false leaves MCG_STATUS EIPV alone),
 *             context = "user" | "kernel" | "kernel-recov" | "copyin",
 *             wait = true }
 *        -> { severity, message, action, outcome, cpu, bank, ... }
 *      The hardware error happens (sim/mca: the line is poisoned, the
 *      bank filled, #MC or CMCI signaled) and the kernel handles it as it
 *      would: do_machine_check() / the CMCI poll, then the task work of
 *      the interrupted task (for SRAR: the given task, as current, in
 *      user mode).  With wait (the default) the kernel's workers (the
 *      decode chain, memory_failure) finish before the call returns.
 *   m:inject_file(path [, { task = t, addr = a | pfn = n }])
 *        -> { {file, line, cpu, bank, severity, message, action,
 *              outcome}, ... }
 *      Every record of an mce-inject file, injected as the kernel's
 *      injector does; addr/pfn relocate the records' ADDR (keeping the
 *      offset in the page), task is current for user-mode records.
 *   m:mce_log()               every record the handler graded
 *   m:severity_coverage()     { {message, severity, hits}, ... } in rule
 *                             order (the severities-coverage file)
 *   m:on_mce(fn)              fn(record) for each logged record, in a
 *                             daemon fiber after the kernel handled it
 *   m:on_memory_failure(fn)   fn{pfn, type, result, flags} per action
 *   m:ce_count(pfn)           corrected errors seen on the page
 *   m:mce_poll()              the poll timer: machine_check_poll on all
 *   m:mce_config{ fake_panic = bool, ce_threshold = n }
 *   m:poison{ pfn = n | task = t, addr = a, line = l }
 *                             a latent error: the line goes bad and
 *                             nothing reports it until it is scrubbed
 *                             or consumed (a load raises SRAR then)
 */
#include "lua/l_mm.h"

#include <errno.h>
#include <string.h>

#include "hwpoison/mce.h"
#include "hwpoison/memory-failure.h"

#define MCA_RUN_KEY "hwp.mca.run"

/* ---- daemons ---------------------------------------------------------- */

struct mca_daemon {
	struct hwp_ctx *ctx;
	int fn_ref;
	bool mf;			/* memory-failure events, else mce */
	GQueue q;			/* struct mca_event * */
	struct hwp_actor *actor;	/* while it drains */
};

struct mca_event {
	unsigned int seq;		/* mce: the log entry */
	struct mf_event mf;
};

/* A run's subscriptions (a userdata in the registry, freed by __gc). */
struct mca_run {
	GPtrArray *daemons;
};

static int run_gc(lua_State *L)
{
	struct mca_run *r = lua_touserdata(L, 1);

	if (!r->daemons)
		return 0;
	for (guint i = 0; i < r->daemons->len; i++) {
		struct mca_daemon *d = g_ptr_array_index(r->daemons, i);

		g_queue_clear_full(&d->q, g_free);
		g_free(d);
	}
	g_ptr_array_free(r->daemons, TRUE);
	r->daemons = NULL;
	return 0;
}

static struct mca_run *mca_run(lua_State *L)
{
	struct mca_run *r;

	if (lua_getfield(L, LUA_REGISTRYINDEX, MCA_RUN_KEY) == LUA_TUSERDATA) {
		r = lua_touserdata(L, -1);
		lua_pop(L, 1);
		return r;
	}
	lua_pop(L, 1);
	r = lua_newuserdatauv(L, sizeof(*r), 0);
	r->daemons = g_ptr_array_new();
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, run_gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, MCA_RUN_KEY);
	return r;
}

static void push_entry(lua_State *L, const struct mce_log_entry *e);

static void push_mf_event(lua_State *L, const struct mf_event *ev)
{
	lua_createtable(L, 0, 5);
	lua_pushinteger(L, (lua_Integer)ev->pfn);
	lua_setfield(L, -2, "pfn");
	lua_pushstring(L, mf_action_page_type_name(ev->type));
	lua_setfield(L, -2, "type");
	lua_pushstring(L, mf_result_name(ev->result));
	lua_setfield(L, -2, "result");
	lua_pushinteger(L, ev->flags);
	lua_setfield(L, -2, "flags");
	lua_pushboolean(L, ev->flags & MF_ACTION_REQUIRED);
	lua_setfield(L, -2, "action_required");
}

/* The daemon's body: runs in its own fiber, under the actor's pcall. */
static int daemon_loop(lua_State *T)
{
	struct mca_daemon *d = lua_touserdata(T, lua_upvalueindex(1));
	struct mca_event *ev;

	while ((ev = g_queue_pop_head(&d->q))) {
		struct mce_state *ms = mce_state_peek();

		lua_rawgeti(T, LUA_REGISTRYINDEX, d->fn_ref);
		if (d->mf) {
			push_mf_event(T, &ev->mf);
		} else if (ms && ev->seq && ev->seq <= ms->log->len) {
			push_entry(T, g_ptr_array_index(ms->log, ev->seq - 1));
		} else {
			lua_pushnil(T);
		}
		g_free(ev);
		lua_call(T, 1, 0);
	}
	d->actor = NULL;
	return 0;
}

/* Queue an event and make sure a daemon fiber will drain it. */
static void daemon_post(struct mca_daemon *d, struct mca_event *ev)
{
	struct hwp_ctx *ctx = d->ctx;

	if (ctx->sim->stopping || !ctx->L) {
		g_free(ev);
		return;
	}
	g_queue_push_tail(&d->q, ev);
	if (d->actor)
		return;
	d->actor = hwp_actor_new(ctx, ctx->L, d->mf ? "memory-failure-daemon"
						    : "mcelog-daemon",
				 0, false, 0, NULL);
	lua_pushlightuserdata(d->actor->T, d);
	lua_pushcclosure(d->actor->T, daemon_loop, 1);
}

static void on_mce_event(const struct mce_log_entry *e, void *data)
{
	struct mca_run *r = data;

	for (guint i = 0; i < r->daemons->len; i++) {
		struct mca_daemon *d = g_ptr_array_index(r->daemons, i);
		struct mca_event *ev;

		if (d->mf)
			continue;
		ev = g_new0(struct mca_event, 1);
		ev->seq = e->seq;
		daemon_post(d, ev);
	}
}

static void on_mf_event(const struct mf_event *mf, void *data)
{
	struct mca_run *r = data;

	for (guint i = 0; i < r->daemons->len; i++) {
		struct mca_daemon *d = g_ptr_array_index(r->daemons, i);
		struct mca_event *ev;

		if (!d->mf)
			continue;
		ev = g_new0(struct mca_event, 1);
		ev->mf = *mf;
		daemon_post(d, ev);
	}
}

static int subscribe(lua_State *L, bool mf)
{
	struct mca_run *r;
	struct mca_daemon *d;

	hwp_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	r = mca_run(L);
	d = g_new0(struct mca_daemon, 1);
	d->ctx = hwp_ctx(L);
	d->mf = mf;
	g_queue_init(&d->q);
	lua_pushvalue(L, 2);
	d->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	g_ptr_array_add(r->daemons, d);
	if (mf) {
		struct hwpoison_state *hs = hwpoison_attach();

		hs->mf_event_hook = on_mf_event;
		hs->mf_event_data = r;
	} else {
		mce_set_event_hook(on_mce_event, r);
	}
	return 0;
}

static int m_on_mce(lua_State *L)
{
	return subscribe(L, false);
}

static int m_on_memory_failure(lua_State *L)
{
	return subscribe(L, true);
}

/* ---- records ----------------------------------------------------------- */

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, k);
}

static void push_entry(lua_State *L, const struct mce_log_entry *e)
{
	lua_createtable(L, 0, 20);
	set_int(L, "seq", e->seq);
	set_int(L, "cpu", e->m.extcpu);
	set_int(L, "bank", e->m.bank);
	set_int(L, "status", (lua_Integer)e->m.status);
	set_int(L, "addr", (lua_Integer)e->m.addr);
	set_int(L, "misc", (lua_Integer)e->m.misc);
	set_int(L, "mcgstatus", (lua_Integer)e->m.mcgstatus);
	set_int(L, "ip", (lua_Integer)e->m.ip);
	set_int(L, "cs", e->m.cs);
	set_str(L, "severity", mce_severity_name(e->m.severity));
	set_str(L, "message", e->msg);
	set_str(L, "action", mce_action_name(e->action));
	set_str(L, "outcome", e->outcome);
	lua_pushboolean(L, e->exception);
	lua_setfield(L, -2, "exception");
	lua_pushboolean(L, e->logged);
	lua_setfield(L, -2, "logged");
	lua_pushboolean(L, !(e->m.status & MCI_STATUS_UC));
	lua_setfield(L, -2, "corrected");
	set_int(L, "pid", e->pid);
	set_int(L, "step", (lua_Integer)e->step);
	if (e->usable_addr)
		set_int(L, "pfn", (lua_Integer)e->pfn);
	if (!(e->m.status & MCI_STATUS_UC) && e->usable_addr) {
		set_int(L, "ce_count", (lua_Integer)e->ce_count);
		lua_pushboolean(L, e->ce_threshold);
		lua_setfield(L, -2, "ce_threshold");
	}
}

static void push_result(lua_State *L, const struct mce_result *r,
			unsigned int cpu, unsigned int bank)
{
	if (r->entry)
		push_entry(L, r->entry);
	else
		lua_createtable(L, 0, 8);
	set_int(L, "cpu", cpu);
	set_int(L, "bank", bank);
	set_str(L, "severity", r->severity >= 0 ?
			       mce_severity_name(r->severity) : NULL);
	set_str(L, "message", r->msg);
	set_str(L, "action", r->action);
	set_str(L, "outcome", r->outcome);
	lua_pushboolean(L, mm_machine_cur->panicked);
	lua_setfield(L, -2, "panicked");
}

static int m_mce_log(lua_State *L)
{
	struct mce_state *ms;

	hwp_check_machine(L, 1);
	ms = mce_attach();
	lua_createtable(L, (int)ms->log->len, 0);
	for (guint i = 0; i < ms->log->len; i++) {
		push_entry(L, g_ptr_array_index(ms->log, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int m_severity_coverage(lua_State *L)
{
	const char *msg;
	unsigned long hits;
	int sev;

	hwp_check_machine(L, 1);
	mce_attach();
	lua_createtable(L, (int)mce_severity_nr_rules(), 0);
	for (unsigned int i = 0; mce_severity_rule(i, &msg, &sev, &hits);
	     i++) {
		lua_createtable(L, 0, 3);
		set_str(L, "message", msg);
		set_str(L, "severity", mce_severity_name(sev));
		set_int(L, "hits", (lua_Integer)hits);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int m_ce_count(lua_State *L)
{
	lua_Integer pfn;

	hwp_check_machine(L, 1);
	pfn = luaL_checkinteger(L, 2);
	luaL_argcheck(L, pfn >= 0, 2, "pfn must not be negative");
	mce_attach();
	lua_pushinteger(L, (lua_Integer)mce_ce_count((unsigned long)pfn));
	return 1;
}

static int m_mce_poll(lua_State *L)
{
	hwp_check_machine(L, 1);
	mce_poll_all();
	mce_flush();
	hwp_machine_changed(L, hwp_machine_of(L), "mce poll");
	return 0;
}

static int m_mce_config(lua_State *L)
{
	struct mce_state *ms;

	hwp_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	ms = mce_attach();
	if (lua_getfield(L, 2, "fake_panic") != LUA_TNIL)
		mce_set_fake_panic(lua_toboolean(L, -1));
	lua_pop(L, 1);
	if (lua_getfield(L, 2, "ce_threshold") != LUA_TNIL) {
		lua_Integer n = luaL_checkinteger(L, -1);

		luaL_argcheck(L, n >= 0, 2, "ce_threshold must not be "
			      "negative");
		ms->ce_threshold = (unsigned long)n;
	}
	lua_pop(L, 1);
	return 0;
}

/* ---- injection ------------------------------------------------------------ */

static const char *const kinds[] = {
	"srao", "srao-llc", "srar", "srar-ifetch", "ucna", "ce", "fatal", NULL,
};
static const enum mca_source kind_source[] = {
	MCA_SRC_PATROL_SCRUB, MCA_SRC_LLC_WRITEBACK, MCA_SRC_DATA_LOAD,
	MCA_SRC_INSTR_FETCH, MCA_SRC_UCNA, MCA_SRC_CORRECTED, MCA_SRC_FATAL,
};

static const char *const contexts[] = {
	"user", "kernel", "kernel-recov", "copyin", NULL,
};

static bool opt_int(lua_State *L, int t, const char *k, lua_Integer *out)
{
	bool have = lua_getfield(L, t, k) != LUA_TNIL;

	if (have)
		*out = luaL_checkinteger(L, -1);
	lua_pop(L, 1);
	return have;
}

static bool opt_bool(lua_State *L, int t, const char *k, bool def)
{
	bool v = def;

	if (lua_getfield(L, t, k) != LUA_TNIL)
		v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

static struct task_struct *opt_task(lua_State *L, int t)
{
	struct task_struct *task = NULL;

	if (lua_getfield(L, t, "task") != LUA_TNIL)
		task = hwp_check_task(L, lua_gettop(L));
	lua_pop(L, 1);
	return task;
}

/* The frame mapped at a task's address, or a Lua error. */
static unsigned long task_pfn(lua_State *L, struct task_struct *t,
			      unsigned long addr)
{
	pte_t pte;

	if (!t->mm)
		luaL_error(L, "inject: task %s has no memory", t->comm);
	pte = mm_pte_peek(t->mm, addr & PAGE_MASK);
	if (!pte_present(pte))
		luaL_error(L, "inject: %s has no page present at %p (write "
			   "it first)", t->comm, (void *)addr);
	return pte_pfn(pte);
}

static int m_inject(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);
	struct mca_error e;
	struct mce_context ctx = { 0 };
	struct mce_mark mk;
	struct mce_result r;
	struct mce_state *ms;
	struct mca_report rep = { 0 };
	struct task_struct *task;
	lua_Integer v, count = 1, addr = 0;
	bool have_addr, have_pfn, user;
	unsigned long pfn = 0;
	unsigned int line = 0;
	int kind, cx, ret = 0;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "kind");
	kind = luaL_checkoption(L, -1, NULL, kinds);
	lua_pop(L, 1);
	ms = mce_attach();
	memset(&e, 0, sizeof(e));
	e.source = kind_source[kind];
	task = opt_task(L, 2);
	have_addr = opt_int(L, 2, "addr", &addr);
	have_pfn = opt_int(L, 2, "pfn", &v);
	if (have_pfn) {
		luaL_argcheck(L, v >= 0 && pfn_valid((unsigned long)v), 2,
			      "inject: pfn beyond memory");
		pfn = (unsigned long)v;
		if (have_addr)
			line = (unsigned int)((addr & ~PAGE_MASK) /
					      PHYSMEM_LINE_SIZE);
	} else if (task && have_addr) {
		pfn = task_pfn(L, task, (unsigned long)addr);
		line = (unsigned int)((addr & ~PAGE_MASK) / PHYSMEM_LINE_SIZE);
	} else if (e.source != MCA_SRC_FATAL) {
		return luaL_error(L, "inject: say where: pfn = n, or task = t "
				  "and addr = a");
	}
	if (opt_int(L, 2, "line", &v)) {
		luaL_argcheck(L, v >= 0 && v < PHYSMEM_LINES, 2,
			      "inject: line is 0 .. 63");
		line = (unsigned int)v;
	}
	e.addr = ((uint64_t)pfn << PAGE_SHIFT) + line * PHYSMEM_LINE_SIZE;
	if (opt_int(L, 2, "cpu", &v)) {
		luaL_argcheck(L, v >= 0 && v < mca_nr_cpus(ms->mca), 2,
			      "inject: no such cpu");
		e.cpu = (unsigned int)v;
	} else if (task) {
		e.cpu = (unsigned int)task->pid % mca_nr_cpus(ms->mca);
	}
	if (opt_int(L, 2, "bank", &v)) {
		luaL_argcheck(L, v >= 0 && v < mca_nr_banks(ms->mca), 2,
			      "inject: no such bank");
		e.bank_given = true;
		e.bank = (unsigned int)v;
	}
	if (opt_int(L, 2, "lsb", &v)) {
		luaL_argcheck(L, v == MCI_MISC_LSB_LINE ||
			      v == MCI_MISC_LSB_PAGE, 2,
			      "inject: lsb is 6 (a line) or 12 (a page)");
		e.lsb = (unsigned int)v;
	}
	if (opt_int(L, 2, "mcacod", &v))
		e.mcacod = (uint16_t)v;
	e.via_cmci = opt_bool(L, 2, "via_cmci", false);
	if (opt_int(L, 2, "count", &v)) {
		luaL_argcheck(L, v >= 1 && v <= 100000, 2,
			      "inject: count is 1 .. 100000");
		count = v;
	}
	/* The interrupted context: a task in user mode, or the kernel. */
	lua_getfield(L, 2, "context");
	cx = luaL_checkoption(L, -1, task ? "user" : "kernel", contexts);
	lua_pop(L, 1);
	user = cx == 0;
	if (user && !task)
		return luaL_error(L, "inject: context \"user\" needs task = t");
	ctx.task = task ? task : current;
	switch (cx) {
	case 0:
		e.cs = MCE_USER_CS;
		e.ip = MCE_USER_IP;
		break;
	case 1:
		e.cs = MCE_KERNEL_CS;
		e.ip = e.source == MCA_SRC_DATA_LOAD ? MCE_KIP_COPY_USER
						     : MCE_KIP_IDLE;
		break;
	case 2:
		e.cs = MCE_KERNEL_CS;
		e.ip = MCE_KIP_COPY_MC;
		break;
	case 3:
		/* copy_from_user() loading the user's page at addr. */
		if (!task || !have_addr)
			return luaL_error(L, "inject: context \"copyin\" "
					  "needs task = t and addr = a");
		e.cs = MCE_KERNEL_CS;
		e.ip = MCE_KIP_COPY_USER;
		ctx.copy_from_user = true;
		ctx.user_addr = (uint64_t)addr;
		break;
	}
	if (opt_int(L, 2, "ip", &v))
		e.ip = (uint64_t)v;
	/* A restartable SRAR (RIPV|EIPV) unless ripv = false. */
	ctx.ripv = opt_bool(L, 2, "ripv", true);
	mce_mark(&mk);
	for (lua_Integer i = 0; i < count && !ret && !hm->m->panicked; i++) {
		ms->fake_panicked = 0;
		ret = mce_raise(&e, &ctx, &rep);
	}
	if (ret)
		return luaL_error(L, "inject: the hardware refused: %s",
				  g_strerror(-ret));
	if (opt_bool(L, 2, "wait", true))
		mce_flush();
	hwp_machine_changed(L, hm, "inject");
	mce_result_get(&mk, rep.cpu, rep.bank, &r);
	push_result(L, &r, rep.cpu, rep.bank);
	g_free(r.outcome);
	return 1;
}

/* The mce-inject file: beside the scenario, or as given. */
static char *find_inject_file(lua_State *L, const char *path)
{
	char *dir, *p;

	if (g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
	    g_path_is_absolute(path))
		return g_strdup(path);
	dir = g_path_get_dirname(hwp_ctx(L)->file);
	p = g_build_filename(dir, path, NULL);
	g_free(dir);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	g_free(p);
	return g_strdup(path);
}

static int m_inject_file(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);
	const char *arg = luaL_checkstring(L, 2);
	struct mce_inject_file *f = NULL;
	struct mce_context ctx = { 0 };
	struct task_struct *task = NULL;
	bool reloc = false;
	uint64_t base = 0;
	lua_Integer v;
	char *path, *err = NULL;
	int ret;

	if (lua_istable(L, 3)) {
		task = opt_task(L, 3);
		if (opt_int(L, 3, "pfn", &v)) {
			luaL_argcheck(L, v >= 0 && pfn_valid((unsigned long)v),
				      3, "pfn beyond memory");
			base = (uint64_t)v << PAGE_SHIFT;
			reloc = true;
		} else if (opt_int(L, 3, "addr", &v)) {
			if (!task)
				return luaL_error(L, "inject_file: addr needs "
						  "task = t");
			base = (uint64_t)task_pfn(L, task, (unsigned long)v)
			       << PAGE_SHIFT;
			reloc = true;
		}
	}
	path = find_inject_file(L, arg);
	ret = mce_inject_load(path, &f, &err);
	g_free(path);
	if (ret) {
		lua_pushstring(L, err);
		g_free(err);
		return lua_error(L);
	}
	mce_attach();
	ctx.task = task ? task : current;
	lua_createtable(L, (int)f->nr, 0);
	for (unsigned int i = 0; i < f->nr; i++) {
		struct mce_inject_record rec = f->recs[i];
		struct mce_mark mk;
		struct mce_result r;

		if (hm->m->panicked)
			break;
		if (reloc && (rec.m.status & MCI_STATUS_ADDRV))
			rec.m.addr = base + (rec.m.addr & ~PAGE_MASK);
		mce_mark(&mk);
		ret = mce_inject_record(&rec, &ctx, NULL);
		if (ret) {
			mce_inject_file_free(f);
			return luaL_error(L, "%s:%u: CPU %u or bank %u does "
					  "not exist on this machine", arg,
					  rec.line, rec.m.extcpu, rec.m.bank);
		}
		mce_flush();
		mce_result_get(&mk, rec.m.extcpu, rec.m.bank, &r);
		push_result(L, &r, rec.m.extcpu, rec.m.bank);
		g_free(r.outcome);
		set_str(L, "file", arg);
		set_int(L, "line", rec.line);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	mce_inject_file_free(f);
	hwp_machine_changed(L, hm, "inject_file");
	return 1;
}

static int m_poison(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);
	struct task_struct *task;
	unsigned long pfn;
	unsigned int line = 0;
	lua_Integer v, addr = 0;

	luaL_checktype(L, 2, LUA_TTABLE);
	mce_attach();
	task = opt_task(L, 2);
	if (opt_int(L, 2, "pfn", &v)) {
		luaL_argcheck(L, v >= 0 && pfn_valid((unsigned long)v), 2,
			      "poison: pfn beyond memory");
		pfn = (unsigned long)v;
	} else if (task && opt_int(L, 2, "addr", &addr)) {
		pfn = task_pfn(L, task, (unsigned long)addr);
		line = (unsigned int)((addr & ~PAGE_MASK) / PHYSMEM_LINE_SIZE);
	} else {
		return luaL_error(L, "poison: say where: pfn = n, or task = t "
				  "and addr = a");
	}
	if (opt_int(L, 2, "line", &v)) {
		luaL_argcheck(L, v >= 0 && v < PHYSMEM_LINES, 2,
			      "poison: line is 0 .. 63");
		line = (unsigned int)v;
	}
	physmem_poison_line(hm->m->physmem, pfn, line);
	lua_pushinteger(L, (lua_Integer)pfn);
	return 1;
}

static const luaL_Reg machine_methods[] = {
	{ "poison", m_poison },
	{ "inject", m_inject },
	{ "inject_file", m_inject_file },
	{ "mce_log", m_mce_log },
	{ "severity_coverage", m_severity_coverage },
	{ "on_mce", m_on_mce },
	{ "on_memory_failure", m_on_memory_failure },
	{ "ce_count", m_ce_count },
	{ "mce_poll", m_mce_poll },
	{ "mce_config", m_mce_config },
	{ NULL, NULL },
};

/* Add the methods to the machine class l_machine.c made. */
int hwp_open_mca(lua_State *L)
{
	hwp_add_methods(L, MACHINE_MT, machine_methods);
	return 0;
}
