/*
 * l_task.c - simulated processes as scenarios see them.
 *
 *   local app = m:spawn{ name = "app", sigbus = "catch" }
 *   local buf = app:mmap{ pages = 4, prot = "rw" }     -- private anon
 *   app:write(buf, "dirty")        -- faults in, stamps content
 *   app:read(buf, 5)               -- "dirty"
 *   local child = app:fork{ name = "child" }
 *
 * Accesses go through the kernel's paths: the page fault handler (zero
 * fill, COW, file read-in, swap-in, hwpoison entries) and physical memory,
 * so a fault that ends in a signal delivers it as the kernel would, and
 * the call returns false and the signal's name.  Addresses and sizes are
 * checked here: a bad one is a Lua error at the scenario's line.
 */
#include "lua/l_mm.h"

#include <errno.h>
#include <string.h>

#include "hwpoison/mce.h"
#include "mm-model/hugetlb.h"
#include "mm-model/swap.h"

struct l_task {
	struct hwp_ref ref;
	struct task_struct *t;
};

static void task_release(struct hwp_ref *ref)
{
	struct l_task *lt = (struct l_task *)ref;

	if (lt->t)
		put_task_struct(lt->t);
	lt->t = NULL;
}

void hwp_push_task(lua_State *L, struct task_struct *t)
{
	struct l_task *lt = lua_newuserdatauv(L, sizeof(*lt), 0);

	lt->ref.release = task_release;
	lt->t = t;
	get_task_struct(t);
	luaL_setmetatable(L, TASK_MT);
	hwp_ref_track(L, &lt->ref);
}

struct task_struct *hwp_check_task(lua_State *L, int arg)
{
	struct l_task *lt = luaL_checkudata(L, arg, TASK_MT);

	if (!lt->t)
		luaL_error(L, "the task is gone");
	return lt->t;
}

static struct task_struct *check_live_task(lua_State *L, int arg)
{
	struct task_struct *t = hwp_check_task(L, arg);

	if (!task_alive(t))
		luaL_error(L, "task %s (pid %d) is dead", t->comm, t->pid);
	return t;
}

const char *hwp_si_code_name(int signo, int code)
{
	if (signo != SIGBUS)
		return code == SI_KERNEL ? "KERNEL" : "other";
	switch (code) {
	case BUS_MCEERR_AR:
		return "AR";
	case BUS_MCEERR_AO:
		return "AO";
	case BUS_ADRERR:
		return "ADRERR";
	}
	return "other";
}

static const char *sig_name(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGKILL ? "SIGKILL" :
	       sig == SIGSEGV ? "SIGSEGV" : "signal";
}

/* ---- signal dispositions ----------------------------------------------- */

/*
 * A Lua handler is called with the siginfo as a table; it returns
 * nothing (or true) to go on, false to end the task from the handler.
 */
struct lua_handler {
	lua_State *L;
	int ref;
};

static bool call_lua_handler(struct task_struct *t,
			     const struct kernel_siginfo *info, void *data)
{
	struct lua_handler *h = data;
	lua_State *L = h->L;
	bool go_on;

	lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref);
	lua_createtable(L, 0, 5);
	lua_pushstring(L, sig_name(info->signo));
	lua_setfield(L, -2, "signal");
	lua_pushstring(L, hwp_si_code_name(info->signo, info->code));
	lua_setfield(L, -2, "code");
	lua_pushinteger(L, (lua_Integer)info->addr);
	lua_setfield(L, -2, "addr");
	lua_pushinteger(L, info->addr_lsb);
	lua_setfield(L, -2, "lsb");
	lua_pushstring(L, t->comm);
	lua_setfield(L, -2, "task");
	/* An error in a handler is the scenario's error: let it propagate. */
	lua_call(L, 1, 1);
	go_on = lua_isnil(L, -1) || lua_toboolean(L, -1);
	lua_pop(L, 1);
	return go_on;
}

static bool catch_handler(struct task_struct *t,
			  const struct kernel_siginfo *info, void *data)
{
	(void)t;
	(void)info;
	(void)data;
	return true;
}

static void set_sigbus(lua_State *L, struct task_struct *t, int idx)
{
	static const char *const modes[] = { "default", "ignore", "catch",
					     NULL };

	if (lua_isfunction(L, idx)) {
		struct lua_handler *h = lua_newuserdatauv(L, sizeof(*h), 0);

		/* Anchored for the run; the handler keeps the closure. */
		lua_pushvalue(L, -1);
		luaL_ref(L, LUA_REGISTRYINDEX);
		lua_pop(L, 1);
		h->L = hwp_ctx(L)->L;
		lua_pushvalue(L, idx);
		h->ref = luaL_ref(L, LUA_REGISTRYINDEX);
		task_set_sigaction(t, SIGBUS, MM_SIG_HANDLER, call_lua_handler,
				   h);
		return;
	}
	switch (luaL_checkoption(L, idx, NULL, modes)) {
	case 0:
		task_set_sigaction(t, SIGBUS, MM_SIG_DFL, NULL, NULL);
		break;
	case 1:
		task_set_sigaction(t, SIGBUS, MM_SIG_IGN, NULL, NULL);
		break;
	case 2:
		task_set_sigaction(t, SIGBUS, MM_SIG_HANDLER, catch_handler,
				   NULL);
		break;
	}
}

static void set_mce_kill(lua_State *L, struct task_struct *t, int idx)
{
	static const char *const modes[] = { "late", "early", "default",
					     NULL };
	static const unsigned long prctl_mode[] = {
		PR_MCE_KILL_LATE, PR_MCE_KILL_EARLY, PR_MCE_KILL_DEFAULT,
	};
	int i = luaL_checkoption(L, idx, NULL, modes);

	if (i == 2)
		task_prctl_mce_kill(t, PR_MCE_KILL_CLEAR, 0);
	else
		task_prctl_mce_kill(t, PR_MCE_KILL_SET, prctl_mode[i]);
}

void hwp_task_configure(lua_State *L, int task_idx, int opts)
{
	struct task_struct *t = hwp_check_task(L, task_idx);

	if (lua_getfield(L, opts, "sigbus") != LUA_TNIL)
		set_sigbus(L, t, lua_gettop(L));
	lua_pop(L, 1);
	if (lua_getfield(L, opts, "mce_kill") != LUA_TNIL)
		set_mce_kill(L, t, lua_gettop(L));
	lua_pop(L, 1);
	if (lua_getfield(L, opts, "important") != LUA_TNIL) {
		if (lua_toboolean(L, -1))
			t->flags |= PF_MCE_IMPORTANT;
		else
			t->flags &= ~PF_MCE_IMPORTANT;
	}
	lua_pop(L, 1);
}

static int t_sigaction(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);

	luaL_argcheck(L, !strcmp(luaL_checkstring(L, 2), "SIGBUS"), 2,
		      "only SIGBUS dispositions are modelled");
	set_sigbus(L, t, 3);
	return 0;
}

static int t_mce_kill(lua_State *L)
{
	set_mce_kill(L, check_live_task(L, 1), 2);
	return 0;
}

/* ---- address space ------------------------------------------------------ */

static unsigned long check_addr(lua_State *L, int arg)
{
	lua_Integer a = luaL_checkinteger(L, arg);

	luaL_argcheck(L, a > 0 && !((unsigned long)a & ~PAGE_MASK), arg,
		      "address must be a positive multiple of the page size");
	return (unsigned long)a;
}

static unsigned long check_pages(lua_State *L, int arg)
{
	lua_Integer n = luaL_checkinteger(L, arg);

	luaL_argcheck(L, n > 0 && n < (1LL << 36), arg,
		      "page count must be positive");
	return (unsigned long)n;
}

static unsigned long opt_field_int(lua_State *L, int t, const char *k,
				   unsigned long def)
{
	unsigned long v = def;

	if (lua_getfield(L, t, k) != LUA_TNIL) {
		lua_Integer i = luaL_checkinteger(L, -1);

		if (i < 0)
			luaL_error(L, "mmap: %s must not be negative", k);
		v = (unsigned long)i;
	}
	lua_pop(L, 1);
	return v;
}

static bool opt_field_bool(lua_State *L, int t, const char *k, bool def)
{
	bool v = def;

	if (lua_getfield(L, t, k) != LUA_TNIL)
		v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

static unsigned long parse_prot(lua_State *L, int t)
{
	const char *p;
	unsigned long prot = 0;

	lua_getfield(L, t, "prot");
	p = luaL_optstring(L, -1, "rw");
	for (; *p; p++) {
		switch (*p) {
		case 'r':
			prot |= VM_READ;
			break;
		case 'w':
			prot |= VM_WRITE;
			break;
		case 'x':
			prot |= VM_EXEC;
			break;
		default:
			luaL_error(L, "mmap: bad prot '%s' (letters r, w, x)",
				   lua_tostring(L, -1));
		}
	}
	lua_pop(L, 1);
	return prot;
}

/*
 * app:mmap{ pages = N, prot = "rw", shared = false, locked = false,
 *           file = f (an inode), offset = pages, addr = hint,
 *           huge = false }
 * Without file: anonymous memory (shared anonymous is shmem).
 * huge = true is MAP_HUGETLB: anonymous memory from the hugetlb pool.
 * For a huge mapping - huge = true, or a file on hugetlbfs - pages and
 * offset count 2 MiB huge pages, not 4 KiB ones (app:munmap's count
 * too, when addr is in a hugetlb mapping).
 */
static int t_mmap(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);
	unsigned long pages, prot, flags = 0, addr, ret;
	struct file *file = NULL;
	pgoff_t off;

	luaL_checktype(L, 2, LUA_TTABLE);
	pages = opt_field_int(L, 2, "pages", 1);
	luaL_argcheck(L, pages > 0, 2, "mmap: pages must be positive");
	prot = parse_prot(L, 2);
	if (opt_field_bool(L, 2, "shared", false))
		flags |= VM_SHARED;
	if (opt_field_bool(L, 2, "locked", false))
		flags |= VM_LOCKED;
	off = opt_field_int(L, 2, "offset", 0);
	addr = opt_field_int(L, 2, "addr", 0);
	if (opt_field_bool(L, 2, "huge", false))
		flags |= VM_HUGETLB;
	if (lua_getfield(L, 2, "file") != LUA_TNIL)
		file = filp_open(hwp_check_inode(L, lua_gettop(L)),
				 (prot & VM_WRITE) ? O_RDWR : O_RDONLY);
	lua_pop(L, 1);
	if ((flags & VM_HUGETLB) || is_file_hugepages(file)) {
		luaL_argcheck(L, pages < (1UL << 27), 2,
			      "mmap: too many huge pages");
		pages <<= HUGETLB_PAGE_ORDER;
		off <<= HUGETLB_PAGE_ORDER;
	}
	ret = do_mmap(t->mm, file, addr, pages << PAGE_SHIFT, prot, flags,
		      off);
	if (file)
		fput(file);	/* the VMA holds its own reference */
	if (IS_ERR_VALUE(ret))
		return luaL_error(L, "mmap failed: %s",
				  g_strerror(-(int)ret));
	hwp_machine_changed(L, hwp_machine_of(L), "mmap");
	lua_pushinteger(L, (lua_Integer)ret);
	return 1;
}

static int t_munmap(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);
	unsigned long addr = check_addr(L, 2);
	unsigned long pages = check_pages(L, 3);
	struct vm_area_struct *vma;
	int ret;

	/* In a hugetlb mapping the count is of 2 MiB pages. */
	mmap_read_lock(t->mm);
	vma = vma_lookup(t->mm, addr);
	if (vma && is_vm_hugetlb_page(vma))
		pages <<= HUGETLB_PAGE_ORDER;
	mmap_read_unlock(t->mm);
	ret = do_munmap(t->mm, addr, pages << PAGE_SHIFT);
	if (ret)
		return luaL_error(L, "munmap failed: %s", g_strerror(-ret));
	hwp_machine_changed(L, hwp_machine_of(L), "munmap");
	return 0;
}

static int range_op(lua_State *L, const char *what,
		    int (*op)(struct mm_struct *, unsigned long, size_t))
{
	struct task_struct *t = check_live_task(L, 1);
	unsigned long addr = check_addr(L, 2);
	unsigned long pages = check_pages(L, 3);
	int ret = op(t->mm, addr, pages << PAGE_SHIFT);

	hwp_machine_changed(L, hwp_machine_of(L), what);
	if (ret) {
		lua_pushnil(L);
		lua_pushstring(L, ret == -EIO ? "EIO" : g_strerror(-ret));
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

static int do_mlock_on(struct mm_struct *mm, unsigned long a, size_t l)
{
	return do_mlock(mm, a, l, true);
}

static int do_mlock_off(struct mm_struct *mm, unsigned long a, size_t l)
{
	return do_mlock(mm, a, l, false);
}

static int t_mlock(lua_State *L) { return range_op(L, "mlock", do_mlock_on); }
static int t_munlock(lua_State *L)
{
	return range_op(L, "munlock", do_mlock_off);
}
static int t_msync(lua_State *L) { return range_op(L, "msync", do_msync); }
static int t_dontneed(lua_State *L)
{
	return range_op(L, "madvise", do_madvise_dontneed);
}

/*
 * One user access of len bytes at addr, within one page.  Returns 0, or
 * the signal that ended it (the fault path has sent it already).
 */
static int access_page(lua_State *L, struct task_struct *t,
		       unsigned long addr, void *buf, size_t len, bool write)
{
	struct physmem *pm = mm_machine_cur->physmem;
	unsigned int off = (unsigned int)(addr & ~PAGE_MASK), bad = 0;
	vm_fault_t fault = 0;
	struct page *page;
	int ret;

	page = follow_page_fault(t, addr, write, &fault);
	if (!page)
		return (fault & VM_FAULT_SIGSEGV) ? SIGSEGV : SIGBUS;
	if (write)
		ret = physmem_write(pm, page_to_pfn(page), off, buf, len, &bad);
	else
		ret = physmem_read(pm, page_to_pfn(page), off, buf, len, &bad);
	put_page(page);
	if (ret == -EHWPOISON) {
		/*
		 * The load (or the read-for-ownership of a partial store)
		 * consumed a poisoned line: the CPU raises SRAR 0x134 in user
		 * mode, the handler grades it and kill_me_maybe() runs
		 * memory_failure(pfn, MF_ACTION_REQUIRED) for this task as
		 * current, which sends it SIGBUS BUS_MCEERR_AR.
		 */
		(void)L;
		mce_user_consume(t, page_to_pfn(page), bad, false);
		return SIGBUS;
	}
	return 0;
}

static int access(lua_State *L, struct task_struct *t, unsigned long addr,
		  char *buf, size_t len, bool write)
{
	while (len) {
		size_t chunk = PAGE_SIZE - (addr & ~PAGE_MASK);
		int sig;

		if (chunk > len)
			chunk = len;
		sig = access_page(L, t, addr, buf, chunk, write);
		if (sig)
			return sig;
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * After each user access the task "returns to user mode", where signals
 * queued for it while it was busy take effect, as in the kernel.
 */
static void back_to_user(struct task_struct *t)
{
	if (task_alive(t))
		exit_to_user_mode(t);
}

static int push_signal_result(lua_State *L, int sig)
{
	hwp_machine_changed(L, hwp_machine_of(L), "access");
	lua_pushboolean(L, 0);
	lua_pushstring(L, sig_name(sig));
	return 2;
}

/* app:write(addr, data): true, or false and the signal it got. */
static int t_write(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);
	lua_Integer addr = luaL_checkinteger(L, 2);
	size_t len;
	const char *data = luaL_checklstring(L, 3, &len);
	char *copy;
	int sig;

	luaL_argcheck(L, addr > 0, 2, "address must be positive");
	copy = g_memdup2(data, len);
	sig = access(L, t, (unsigned long)addr, copy, len, true);
	g_free(copy);
	back_to_user(t);
	if (sig)
		return push_signal_result(L, sig);
	hwp_machine_changed(L, hwp_machine_of(L), "write");
	lua_pushboolean(L, 1);
	return 1;
}

/* app:read(addr, len): the bytes, or nil and the signal it got. */
static int t_read(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);
	lua_Integer addr = luaL_checkinteger(L, 2);
	lua_Integer len = luaL_checkinteger(L, 3);
	luaL_Buffer b;
	int sig;

	luaL_argcheck(L, addr > 0, 2, "address must be positive");
	luaL_argcheck(L, len >= 0 && len <= (1 << 24), 3,
		      "length must be 0 .. 16 MiB");
	sig = access(L, t, (unsigned long)addr,
		     luaL_buffinitsize(L, &b, (size_t)len), (size_t)len,
		     false);
	back_to_user(t);
	if (sig) {
		hwp_machine_changed(L, hwp_machine_of(L), "read");
		lua_pushnil(L);
		lua_pushstring(L, sig_name(sig));
		return 2;
	}
	luaL_pushresultsize(&b, (size_t)len);
	hwp_machine_changed(L, hwp_machine_of(L), "read");
	return 1;
}

/*
 * app:pfn(addr): the frame mapped at addr, or nil if none is present (in
 * a hugetlb mapping: the head pfn plus the 4 KiB subpage index of addr).
 */
static int t_pfn(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);
	lua_Integer addr = luaL_checkinteger(L, 2);
	pte_t pte;

	if (!t->mm) {
		lua_pushnil(L);
		return 1;
	}
	pte = mm_pte_peek(t->mm, (unsigned long)addr & PAGE_MASK);
	if (pte_present(pte) && (pte_val(pte) & _PAGE_PSE))
		/* A huge mapping: the head's pfn plus the subpage index. */
		lua_pushinteger(L, (lua_Integer)(pte_pfn(pte) +
			(((unsigned long)addr & ~PMD_MASK) >> PAGE_SHIFT)));
	else if (pte_present(pte))
		lua_pushinteger(L, (lua_Integer)pte_pfn(pte));
	else
		lua_pushnil(L);
	return 1;
}

/* app:pte(addr): "none", "present", "swap", "hwpoison" or "migration". */
static int t_pte(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);
	lua_Integer addr = luaL_checkinteger(L, 2);
	pte_t pte = t->mm ? mm_pte_peek(t->mm, (unsigned long)addr & PAGE_MASK)
			  : __pte(0);
	swp_entry_t e;

	if (pte_none(pte)) {
		lua_pushliteral(L, "none");
	} else if (pte_present(pte)) {
		lua_pushliteral(L, "present");
	} else {
		e = pte_to_swp_entry(pte);
		lua_pushstring(L, is_hwpoison_entry(e) ? "hwpoison" :
				  is_migration_entry(e) ? "migration" :
				  "swap");
	}
	return 1;
}

/* app:pgtable_pfn(addr): the frame of the PTE table mapping addr. */
static int t_pgtable_pfn(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);
	lua_Integer addr = luaL_checkinteger(L, 2);
	struct pte_table *pt = t->mm ? pte_table_lookup(t->mm,
						(unsigned long)addr) : NULL;

	if (pt && pt->page)
		lua_pushinteger(L, (lua_Integer)page_to_pfn(pt->page));
	else
		lua_pushnil(L);
	return 1;
}

static int t_fork(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);
	const char *name = t->comm;
	struct task_struct *child;

	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "name");
		name = luaL_optstring(L, -1, t->comm);
	}
	child = task_fork(t, name);
	if (!child)
		return luaL_error(L, "fork of %s failed", t->comm);
	hwp_push_task(L, child);
	if (lua_istable(L, 2))
		hwp_task_configure(L, lua_gettop(L), 2);
	hwp_machine_changed(L, hwp_machine_of(L), "fork");
	return 1;
}

static int t_thread(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);
	const char *name = t->comm;

	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "name");
		name = luaL_optstring(L, -1, t->comm);
	}
	hwp_push_task(L, task_clone_thread(t, name));
	if (lua_istable(L, 2))
		hwp_task_configure(L, lua_gettop(L), 2);
	return 1;
}

static int t_exit(lua_State *L)
{
	struct task_struct *t = check_live_task(L, 1);

	do_exit(t, (int)luaL_optinteger(L, 2, 0));
	hwp_machine_changed(L, hwp_machine_of(L), "exit");
	return 0;
}

static int t_alive(lua_State *L)
{
	lua_pushboolean(L, task_alive(hwp_check_task(L, 1)));
	return 1;
}

/* The signal that killed it ("SIGBUS", "SIGKILL"), or nil. */
static int t_killed_by(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);

	if (task_alive(t) || t->exit_code <= 0)
		lua_pushnil(L);
	else
		lua_pushstring(L, sig_name(t->exit_code));
	return 1;
}

/* Every signal the machine logged for this task. */
static int t_signals(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);
	GPtrArray *log = hwp_machine_of(L)->m->signals;
	int n = 0;

	lua_newtable(L);
	for (guint i = 0; i < log->len; i++) {
		const struct mm_signal_record *r = g_ptr_array_index(log, i);

		if (r->pid != t->pid)
			continue;
		hwp_push_signal_record(L, r);
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

static int t_pid(lua_State *L)
{
	lua_pushinteger(L, hwp_check_task(L, 1)->pid);
	return 1;
}

static int t_name(lua_State *L)
{
	lua_pushstring(L, hwp_check_task(L, 1)->comm);
	return 1;
}

static int t_rss(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);

	if (!t->mm) {
		lua_pushinteger(L, 0);
		return 1;
	}
	lua_pushinteger(L, (lua_Integer)(get_mm_counter(t->mm, MM_ANONPAGES) +
					 get_mm_counter(t->mm, MM_FILEPAGES) +
					 get_mm_counter(t->mm,
							MM_SHMEMPAGES)));
	return 1;
}

static int t_tostring(lua_State *L)
{
	struct task_struct *t = hwp_check_task(L, 1);

	lua_pushfstring(L, "task %s (pid %d)", t->comm, t->pid);
	return 1;
}

static int t_gc(lua_State *L)
{
	struct l_task *lt = luaL_checkudata(L, 1, TASK_MT);

	if (lt->t) {
		hwp_ref_untrack(L, &lt->ref);
		task_release(&lt->ref);
	}
	return 0;
}

static const luaL_Reg task_methods[] = {
	{ "mmap", t_mmap },
	{ "munmap", t_munmap },
	{ "mlock", t_mlock },
	{ "munlock", t_munlock },
	{ "msync", t_msync },
	{ "madvise_dontneed", t_dontneed },
	{ "write", t_write },
	{ "read", t_read },
	{ "pfn", t_pfn },
	{ "pte", t_pte },
	{ "pgtable_pfn", t_pgtable_pfn },
	{ "fork", t_fork },
	{ "thread", t_thread },
	{ "exit", t_exit },
	{ "alive", t_alive },
	{ "killed_by", t_killed_by },
	{ "signals", t_signals },
	{ "sigaction", t_sigaction },
	{ "mce_kill", t_mce_kill },
	{ "pid", t_pid },
	{ "name", t_name },
	{ "rss", t_rss },
	{ NULL, NULL },
};

int hwp_open_task(lua_State *L)
{
	hwp_new_class(L, TASK_MT, task_methods, t_tostring, t_gc);
	return 0;
}
