/*
 * l_machine.c - the simulated machine as scenarios see it.
 *
 *   local m = hwp.machine{ memory = "64M", cpus = 2, swap = "16M",
 *                          disk_latency = "100us", check = true,
 *                          hugepages = 4, policy = { ... } }
 *
 * hugepages = N sets N 2 MiB hugetlb pages aside at boot (the pool that
 * MAP_HUGETLB mappings and hugetlbfs files draw from); m:hugepages()
 * reports the pool, m:hugepage(pfn) one huge page.
 *
 * One machine per scenario.  Its methods (m:spawn, m:file, m:page, ...)
 * and the task and file objects they return (l_task.c, l_file.c) do what
 * a program or an administrator does - write a file, mmap it, fork,
 * mlock, reclaim - and reach every page state through the kernel's own
 * paths, never by setting flags.
 *
 * With check = true (the default) the invariant checker runs after every
 * operation that changes the machine, and a violation is a finding of
 * kind "invariant" that fails the scenario.
 */
#include "lua/l_mm.h"

#include <errno.h>
#include <string.h>

#include "mm-model/hugetlb.h"
#include "mm-model/page_dump.h"
#include "mm-model/swap.h"

/* "64M", "1G", "4096K", "16384" (bytes): false if it is none of those. */
static bool parse_size(lua_State *L, int idx, uint64_t *out)
{
	static const struct { char suffix; uint64_t mult; } units[] = {
		{ 'K', 1ULL << 10 }, { 'M', 1ULL << 20 },
		{ 'G', 1ULL << 30 }, { 'T', 1ULL << 40 },
	};
	const char *s;
	char *end;

	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Integer n = lua_tointeger(L, idx);

		*out = (uint64_t)n;
		return lua_isinteger(L, idx) && n >= 0;
	}
	if (lua_type(L, idx) != LUA_TSTRING)
		return false;
	s = lua_tostring(L, idx);
	*out = g_ascii_strtoull(s, &end, 10);
	if (end == s || *s == '-')
		return false;
	if (!*end)
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
		if (g_ascii_toupper(*end) == units[i].suffix &&
		    (!end[1] || !g_ascii_strcasecmp(end + 1, "iB") ||
		     !g_ascii_strcasecmp(end + 1, "B"))) {
			*out *= units[i].mult;
			return true;
		}
	return false;
}

uint64_t hwp_check_size(lua_State *L, int arg)
{
	uint64_t v = 0;

	if (!parse_size(L, arg, &v))
		luaL_argerror(L, arg, lua_pushfstring(L, "bad size %s (e.g. "
				"\"64M\", \"1G\", 4096)", luaL_tolstring(L, arg,
								      NULL)));
	return v;
}

/* Optional field of the options table at idx, as a size. */
static uint64_t opt_size(lua_State *L, int idx, const char *field,
			 uint64_t def)
{
	uint64_t v = def;

	if (lua_getfield(L, idx, field) != LUA_TNIL &&
	    !parse_size(L, -1, &v))
		luaL_error(L, "hwp.machine: bad %s %s (e.g. \"64M\", \"1G\")",
			   field, luaL_tolstring(L, -1, NULL));
	lua_pop(L, 1);
	return v;
}

/* Optional duration field ("100us", ns). */
static uint64_t opt_duration(lua_State *L, int idx, const char *field,
			     uint64_t def)
{
	uint64_t v = def;

	if (lua_getfield(L, idx, field) != LUA_TNIL)
		v = hwp_check_duration(L, lua_gettop(L));
	lua_pop(L, 1);
	return v;
}

void hwp_ref_track(lua_State *L, struct hwp_ref *ref)
{
	g_ptr_array_add(hwp_ctx(L)->refs, ref);
}

void hwp_ref_untrack(lua_State *L, struct hwp_ref *ref)
{
	g_ptr_array_remove(hwp_ctx(L)->refs, ref);
}

void hwp_release_refs(struct hwp_ctx *ctx)
{
	/* In the order they were taken: the run decides it, nothing else. */
	for (guint i = 0; i < ctx->refs->len; i++) {
		struct hwp_ref *ref = g_ptr_array_index(ctx->refs, i);

		ref->release(ref);
	}
	g_ptr_array_set_size(ctx->refs, 0);
}

struct super_block *hwp_machine_disk_sb(struct hwp_machine *hm)
{
	/* SCSI disk major 8: hwpoison-inject's device filter sees 8:1. */
	if (!hm->disk_sb)
		hm->disk_sb = mount_fs("sda1", FS_DISK, 8, 1);
	return hm->disk_sb;
}

struct super_block *hwp_machine_tmpfs_sb(struct hwp_machine *hm)
{
	if (!hm->tmpfs_sb)
		hm->tmpfs_sb = mount_fs("tmpfs", FS_TMPFS, 0, 20);
	return hm->tmpfs_sb;
}

struct hwp_machine *hwp_machine_of(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	struct hwp_machine *hm;

	if (!ctx->machine)
		luaL_error(L, "no machine: call hwp.machine{} first");
	lua_getfield(L, LUA_REGISTRYINDEX, "hwp.machine.current");
	hm = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return hm;
}

struct hwp_machine *hwp_check_machine(lua_State *L, int arg)
{
	struct hwp_machine *hm = luaL_checkudata(L, arg, MACHINE_MT);

	if (!hm->m)
		luaL_error(L, "the machine is gone");
	return hm;
}

/*
 * After an operation that changed the machine: make the invariant
 * checker's verdict a finding, so a broken invariant fails the scenario
 * at the step it broke, not at the end.
 */
void hwp_machine_changed(lua_State *L, struct hwp_machine *hm,
			 const char *what)
{
	GString *why;
	char *where;

	if (!hm->m)
		return;
	/* The tasks the scenario drives now return to user mode. */
	mm_deliver_pending_signals();
	if (!hm->check)
		return;
	/*
	 * Another fiber stopped inside a machine operation (a fault that
	 * has allocated a page table but not installed it yet) leaves the
	 * machine between two consistent states: check once none is.
	 */
	if (!sim_others_quiescent(hwp_ctx(L)->sim)) {
		hm->check_deferred = true;
		return;
	}
	hm->check_deferred = false;
	why = g_string_new(NULL);
	if (!mm_check_invariants(why)) {
		where = hwp_where(L, 1);
		sim_finding_add(hwp_ctx(L)->sim, "invariant", why->str,
				"%s%s%s: the model's invariants broke",
				where ? where : "", where ? " after " : "",
				what);
		g_free(where);
	}
	g_string_free(why, TRUE);
}

void hwp_machine_final_check(struct hwp_ctx *ctx)
{
	struct hwp_machine *hm = ctx->hmachine;
	GString *why;

	if (!hm || !hm->m || !hm->check || !hm->check_deferred)
		return;
	hm->check_deferred = false;
	why = g_string_new(NULL);
	if (!mm_check_invariants(why))
		sim_finding_add(ctx->sim, "invariant", why->str,
				"at the end of the run: the model's "
				"invariants broke");
	g_string_free(why, TRUE);
}

static void apply_policy_table(lua_State *L, int idx)
{
	if (lua_getfield(L, idx, "policy") == LUA_TTABLE) {
		lua_getglobal(L, "hwp");
		lua_getfield(L, -1, "policy");
		lua_pushvalue(L, -3);
		lua_call(L, 1, 0);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static int l_machine(lua_State *L)
{
	struct hwp_ctx *ctx = hwp_ctx(L);
	struct mm_machine_config cfg;
	struct hwp_machine *hm;
	GError *err = NULL;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (ctx->machine)
		return luaL_error(L, "one machine per scenario");
	mm_machine_config_default(&cfg);
	cfg.mem_bytes = opt_size(L, 1, "memory", cfg.mem_bytes);
	cfg.reserved_bytes = opt_size(L, 1, "reserved", cfg.reserved_bytes);
	cfg.swap_bytes = opt_size(L, 1, "swap", cfg.swap_bytes);
	cfg.disk_latency_ns = opt_duration(L, 1, "disk_latency",
					   cfg.disk_latency_ns);
	cfg.swap_latency_ns = opt_duration(L, 1, "swap_latency",
					   cfg.swap_latency_ns);
	cfg.dirty_expire_ns = opt_duration(L, 1, "dirty_expire",
					   cfg.dirty_expire_ns);
	if (lua_getfield(L, 1, "cpus") != LUA_TNIL)
		cfg.cpus = (unsigned int)luaL_checkinteger(L, -1);
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "hugepages") != LUA_TNIL) {
		lua_Integer n = luaL_checkinteger(L, -1);

		if (n < 0)
			return luaL_error(L, "hwp.machine: hugepages must not "
					  "be negative");
		cfg.hugepages = (unsigned long)n;
	}
	lua_pop(L, 1);
	apply_policy_table(L, 1);

	hm = lua_newuserdatauv(L, sizeof(*hm), 0);
	memset(hm, 0, sizeof(*hm));
	luaL_setmetatable(L, MACHINE_MT);
	hm->check = true;
	if (lua_getfield(L, 1, "check") != LUA_TNIL)
		hm->check = lua_toboolean(L, -1);
	lua_pop(L, 1);
	hm->m = mm_machine_new(&cfg, ctx->sim, ctx->policy, &err);
	if (!hm->m) {
		lua_pushfstring(L, "hwp.machine: %s", err->message);
		g_error_free(err);
		return lua_error(L);
	}
	ctx->machine = hm->m;
	ctx->hmachine = hm;
	/* Anchored for the run; tasks and files find it here. */
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, "hwp.machine.current");
	return 1;
}

/* m:spawn{ name = "app", sigbus = "catch" | "ignore" | "default" | fn,
 *          mce_kill = "early" | "late" | "default", important = bool } */
static int m_spawn(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);
	const char *name;
	struct task_struct *t;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "name");
	name = luaL_optstring(L, -1, "task");
	t = task_create(name, mm_alloc());
	lua_pop(L, 1);
	hwp_push_task(L, t);
	hwp_task_configure(L, lua_gettop(L), 2);
	hwp_machine_changed(L, hm, "spawn");
	return 1;
}

/*
 * m:file{ name = "data", fs = "disk" | "tmpfs" | "hugetlbfs" }
 * A hugetlbfs file holds 2 MiB huge pages from the pool: it is written
 * through mappings (write(2) is EINVAL, as in 6.1) and read with read(2).
 */
static int m_file(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);
	static const char *const kinds[] = { "disk", "tmpfs", "hugetlbfs",
					     NULL };
	const char *name;
	int kind;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "name");
	name = luaL_optstring(L, -1, "file");
	lua_getfield(L, 2, "fs");
	kind = luaL_checkoption(L, -1, "disk", kinds);
	if (kind == 2) {
		hwp_push_inode(L, fs_create(hugetlbfs_kern_mount(), name));
		return 1;
	}
	hwp_push_inode(L, hwp_machine_create_file(hm, name, kind));
	return 1;
}

/*
 * m:shm{ name = "seg", pages = n, huge = false }: a SysV shared memory
 * segment (shmget), which is what the kernel makes it: a file on the
 * internal tmpfs mount (hugetlbfs for SHM_HUGETLB, pages then counting
 * 2 MiB).  Attach it with t:mmap{ file = seg, shared = true } (shmat).
 */
static int m_shm(lua_State *L)
{
	const char *name;
	lua_Integer pages;
	bool huge;
	struct file *f;

	hwp_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "name");
	name = luaL_optstring(L, -1, "SYSV00000000");
	lua_getfield(L, 2, "pages");
	pages = luaL_optinteger(L, -1, 1);
	lua_getfield(L, 2, "huge");
	huge = lua_toboolean(L, -1);
	lua_pop(L, 3);
	luaL_argcheck(L, pages > 0 && pages < (1LL << 30), 2,
		      "shm: pages must be positive");
	f = huge ? hugetlb_file_setup(name, (loff_t)pages * HPAGE_PMD_NR *
						    PAGE_SIZE) :
		   shmem_file_setup(name, (loff_t)pages * PAGE_SIZE);
	if (!f)
		return luaL_error(L, "shm: cannot create segment %s", name);
	hwp_push_inode(L, f->f_inode);
	fput(f);
	return 1;
}

/* m:hugepages(): the pool, { total, free, dissolved, isolated }. */
static int m_hugepages(lua_State *L)
{
	struct hstate *h;

	hwp_check_machine(L, 1);
	h = hstate_cur();
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, h ? (lua_Integer)h->nr_huge_pages : 0);
	lua_setfield(L, -2, "total");
	lua_pushinteger(L, h ? (lua_Integer)h->free_huge_pages : 0);
	lua_setfield(L, -2, "free");
	lua_pushinteger(L, h ? (lua_Integer)h->nr_dissolved : 0);
	lua_setfield(L, -2, "dissolved");
	lua_pushinteger(L, h ? (lua_Integer)h->nr_isolated : 0);
	lua_setfield(L, -2, "isolated");
	return 1;
}

static unsigned long check_pfn(lua_State *L, int arg);

/*
 * m:hugepage(pfn): the hugetlb page holding pfn, or nil if pfn is not in
 * one (any more): { head = pfn, hwpoison = head's PG_hwpoison,
 * poisoned_subpages = how many of the 512 carry PG_hwpoison, raw = {the
 * raw error pfns, newest first}, count, mapcount (PMD mappings),
 * free = on the pool's free list }.
 */
static int m_hugepage(lua_State *L)
{
	struct page *page, *head;
	lua_Integer n = 0, i = 0;

	hwp_check_machine(L, 1);
	page = pfn_to_page((unsigned long)check_pfn(L, 2));
	if (!PageHuge(page)) {
		lua_pushnil(L);
		return 1;
	}
	head = compound_head(page);
	lua_createtable(L, 0, 7);
	lua_pushinteger(L, (lua_Integer)page_to_pfn(head));
	lua_setfield(L, -2, "head");
	lua_pushboolean(L, PageHWPoison(head));
	lua_setfield(L, -2, "hwpoison");
	for (unsigned long k = 0; k < HPAGE_PMD_NR; k++)
		n += PageHWPoison(head + k) ? 1 : 0;
	lua_pushinteger(L, n);
	lua_setfield(L, -2, "poisoned_subpages");
	lua_newtable(L);
	for (struct raw_hwp_page *r = *raw_hwp_list_head(head); r; r = r->next) {
		lua_pushinteger(L, (lua_Integer)page_to_pfn(r->page));
		lua_rawseti(L, -2, ++i);
	}
	lua_setfield(L, -2, "raw");
	lua_pushinteger(L, page_count(head));
	lua_setfield(L, -2, "count");
	lua_pushinteger(L, compound_mapcount(head));
	lua_setfield(L, -2, "mapcount");
	lua_pushboolean(L, HPageFreed(head));
	lua_setfield(L, -2, "free");
	return 1;
}

static void push_flag_names(lua_State *L, struct page *page)
{
	GString *s = g_string_new(NULL);
	gchar **names;
	int n = 0;

	page_flag_longname(page_types_flags(stable_page_flags(page), true), s);
	names = g_strsplit(s->str, ",", -1);
	lua_newtable(L);
	for (int i = 0; names[i]; i++) {
		if (!names[i][0])
			continue;
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, ++n);
	}
	g_strfreev(names);
	g_string_free(s, TRUE);
}

static unsigned long check_pfn(lua_State *L, int arg)
{
	lua_Integer pfn = luaL_checkinteger(L, arg);

	luaL_argcheck(L, pfn >= 0 && pfn_valid((unsigned long)pfn), arg,
		      lua_pushfstring(L, "pfn %I is beyond memory (%I pages)",
				      pfn, (lua_Integer)max_pfn));
	return (unsigned long)pfn;
}

/* m:page(pfn): what the kernel knows of the frame. */
static int m_page(lua_State *L)
{
	struct page *page;

	hwp_check_machine(L, 1);
	page = pfn_to_page(check_pfn(L, 2));
	lua_createtable(L, 0, 8);
	push_flag_names(L, page);
	lua_setfield(L, -2, "flags");
	lua_pushinteger(L, page_count(page));
	lua_setfield(L, -2, "count");
	/* A typed page (buddy, page table) reuses the mapcount word. */
	lua_pushinteger(L, page_has_type(page) ? 0 : page_mapcount(page));
	lua_setfield(L, -2, "mapcount");
	lua_pushstring(L, PageAnon(page) ? "anon" :
			  PageSwapCache(page) ? "swap" :
			  page_mapping(page) ? "file" : "none");
	lua_setfield(L, -2, "mapping");
	lua_pushinteger(L, (lua_Integer)page->index);
	lua_setfield(L, -2, "index");
	lua_pushboolean(L, PageHWPoison(page));
	lua_setfield(L, -2, "hwpoison");
	return 1;
}

static bool has_flag(lua_State *L, int list, const char *flags)
{
	bool all = true;

	for (lua_Integer i = 1; lua_rawgeti(L, list, i) != LUA_TNIL; i++) {
		char *want = g_strdup_printf(",%s,", lua_tostring(L, -1));

		lua_pop(L, 1);
		all = all && strstr(flags, want);
		g_free(want);
	}
	lua_pop(L, 1);
	return all;
}

static bool lacks_flags(lua_State *L, int list, const char *flags)
{
	for (lua_Integer i = 1; lua_rawgeti(L, list, i) != LUA_TNIL; i++) {
		char *no = g_strdup_printf(",%s,", lua_tostring(L, -1));
		bool hit = strstr(flags, no) != NULL;

		lua_pop(L, 1);
		g_free(no);
		if (hit) {
			lua_pop(L, 1);
			return false;
		}
	}
	lua_pop(L, 1);
	return true;
}

/*
 * m:find_pfn{ has = {"slab"}, lacks = {"buddy"}, from = pfn }: the first
 * pfn (from `from` up) whose kpageflags names include all of has and
 * none of lacks, or nil.  How a scenario finds a kernel page.
 */
static int m_find_pfn(lua_State *L)
{
	GString *names = g_string_new(NULL);
	unsigned long from;

	hwp_check_machine(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "has");
	lua_getfield(L, 2, "lacks");
	lua_getfield(L, 2, "from");
	from = (unsigned long)luaL_optinteger(L, -1, 0);
	for (unsigned long pfn = from; pfn < max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);

		g_string_assign(names, ",");
		page_flag_longname(page_types_flags(stable_page_flags(page),
						    true), names);
		g_string_append_c(names, ',');
		if ((!lua_istable(L, 3) || has_flag(L, 3, names->str)) &&
		    (!lua_istable(L, 4) || lacks_flags(L, 4, names->str))) {
			g_string_free(names, TRUE);
			lua_pushinteger(L, (lua_Integer)pfn);
			return 1;
		}
	}
	g_string_free(names, TRUE);
	lua_pushnil(L);
	return 1;
}

/* m:dump(pfn [, n]): page-types lines, for a scenario's print. */
static int m_dump(lua_State *L)
{
	unsigned long pfn;
	lua_Integer n;
	GString *out = g_string_new(NULL);

	hwp_check_machine(L, 1);
	pfn = check_pfn(L, 2);
	n = luaL_optinteger(L, 3, 1);
	luaL_argcheck(L, n > 0 && pfn + (unsigned long)n <= max_pfn, 3,
		      "range beyond memory");
	page_types_dump(out, pfn, (unsigned long)n, PT_RAW | PT_LIST_EACH);
	lua_pushlstring(L, out->str, out->len);
	g_string_free(out, TRUE);
	return 1;
}

static int m_check(lua_State *L)
{
	GString *why = g_string_new(NULL);
	bool ok;

	hwp_check_machine(L, 1);
	ok = mm_check_invariants(why);
	lua_pushboolean(L, ok);
	lua_pushstring(L, why->str);
	g_string_free(why, TRUE);
	return 2;
}

static int m_reclaim(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);
	lua_Integer n = luaL_optinteger(L, 2, 32);

	luaL_argcheck(L, n > 0, 2, "must reclaim at least one page");
	lua_pushinteger(L, (lua_Integer)try_to_free_pages((unsigned long)n));
	hwp_machine_changed(L, hm, "reclaim");
	return 1;
}

static int m_free_pages(lua_State *L)
{
	hwp_check_machine(L, 1);
	lua_pushinteger(L, (lua_Integer)nr_free_pages());
	return 1;
}

static int m_log(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);

	lua_createtable(L, (int)hm->m->log->len, 0);
	for (guint i = 0; i < hm->m->log->len; i++) {
		lua_pushstring(L, g_ptr_array_index(hm->m->log, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

void hwp_push_signal_record(lua_State *L, const struct mm_signal_record *r)
{
	lua_createtable(L, 0, 9);
	lua_pushinteger(L, r->pid);
	lua_setfield(L, -2, "pid");
	lua_pushstring(L, r->comm);
	lua_setfield(L, -2, "task");
	lua_pushstring(L, r->signo == SIGBUS ? "SIGBUS" :
			  r->signo == SIGKILL ? "SIGKILL" :
			  r->signo == SIGSEGV ? "SIGSEGV" : "other");
	lua_setfield(L, -2, "signal");
	lua_pushstring(L, hwp_si_code_name(r->signo, r->code));
	lua_setfield(L, -2, "code");
	lua_pushinteger(L, (lua_Integer)r->addr);
	lua_setfield(L, -2, "addr");
	lua_pushinteger(L, r->addr_lsb);
	lua_setfield(L, -2, "lsb");
	lua_pushboolean(L, r->killed);
	lua_setfield(L, -2, "killed");
	lua_pushboolean(L, r->forced);
	lua_setfield(L, -2, "forced");
	lua_pushstring(L, r->why ? r->why : "");
	lua_setfield(L, -2, "why");
}

static int m_signals(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);

	lua_createtable(L, (int)hm->m->signals->len, 0);
	for (guint i = 0; i < hm->m->signals->len; i++) {
		hwp_push_signal_record(L, g_ptr_array_index(hm->m->signals,
							    i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int m_panicked(lua_State *L)
{
	struct hwp_machine *hm = hwp_check_machine(L, 1);

	lua_pushboolean(L, hm->m->panicked);
	if (hm->m->panic_msg)
		lua_pushstring(L, hm->m->panic_msg);
	else
		lua_pushnil(L);
	return 2;
}

static int m_tostring(lua_State *L)
{
	struct hwp_machine *hm = luaL_checkudata(L, 1, MACHINE_MT);

	if (!hm->m)
		lua_pushliteral(L, "machine (gone)");
	else
		lua_pushfstring(L, "machine %I MiB",
				(lua_Integer)(hm->m->cfg.mem_bytes >> 20));
	return 1;
}

static const luaL_Reg machine_methods[] = {
	{ "spawn", m_spawn },
	{ "file", m_file },
	{ "shm", m_shm },
	{ "hugepages", m_hugepages },
	{ "hugepage", m_hugepage },
	{ "page", m_page },
	{ "dump", m_dump },
	{ "find_pfn", m_find_pfn },
	{ "check", m_check },
	{ "reclaim", m_reclaim },
	{ "free_pages", m_free_pages },
	{ "log", m_log },
	{ "signals", m_signals },
	{ "panicked", m_panicked },
	{ NULL, NULL },
};

void hwp_add_methods(lua_State *L, const char *mt, const luaL_Reg *m)
{
	luaL_getmetatable(L, mt);
	lua_getfield(L, -1, "__index");
	luaL_setfuncs(L, m, 0);
	lua_pop(L, 2);
}

int hwp_open_machine(lua_State *L)
{
	hwp_new_class(L, MACHINE_MT, machine_methods, m_tostring, NULL);
	lua_pushcfunction(L, l_machine);
	lua_setfield(L, -2, "machine");
	return 1;
}
