/*
 * l_lock.c - sim locks for scenarios.
 *
 *   hwp.spinlock(class [, name])      :lock() :unlock() :trylock()
 *   hwp.mutex(class [, name])         :lock() :unlock() :trylock()
 *   hwp.rwlock(class [, name [, mode]])  mode "fair" | "reader-preferring"
 *       :read_lock() :read_unlock() :write_lock() :write_unlock()
 *       :read_trylock() :write_trylock()
 *   hwp.rwsem(class [, name])
 *       :down_read() :up_read() :down_write() :up_write()
 *       :down_read_trylock() :down_write_trylock()
 *   every lock: :class() :name() :type() :held() (by the caller)
 *       :owner() (fiber id or nil) :readers() :waiters()
 *
 *   hwp.bits(name)    a word of bits: :lock(bit [, class]) :unlock(bit)
 *       :trylock(bit) :wait(bit) (until clear) :set(bit) :clear(bit)
 *       (clears and wakes waiters) :test(bit)
 *
 * The site of each operation is the scenario line that called it.  Lock
 * userdata are anchored in the registry for the whole run: a blocked
 * fiber's wait-queue entry points into them.
 */
#include "lua/ctx.h"
#include "sim/lock.h"

#include <string.h>

#define LOCK_MT "hwp.lock"
#define BITS_MT "hwp.bits"

struct l_bits {
	unsigned long word;
	const char *name;
};

static void anchor(lua_State *L)
{
	lua_pushvalue(L, -1);
	luaL_ref(L, LUA_REGISTRYINDEX);
}

static int new_lock(lua_State *L, enum sim_lock_type type)
{
	const char *cls = luaL_checkstring(L, 1);
	const char *name = luaL_optstring(L, 2, NULL);
	struct sim_lock *l = lua_newuserdatauv(L, sizeof(*l), 0);

	sim_lock_init(l, type, cls, name);
	if (type == SIM_RWLOCK && !lua_isnoneornil(L, 3)) {
		static const char *const modes[] = { "fair",
						     "reader-preferring",
						     NULL };

		l->rw_mode = luaL_checkoption(L, 3, NULL, modes) == 0 ?
			     SIM_RW_FAIR : SIM_RW_READER_PREF;
	}
	luaL_setmetatable(L, LOCK_MT);
	anchor(L);
	return 1;
}

static int l_spinlock(lua_State *L) { return new_lock(L, SIM_SPINLOCK); }
static int l_mutex(lua_State *L) { return new_lock(L, SIM_MUTEX); }
static int l_rwlock(lua_State *L) { return new_lock(L, SIM_RWLOCK); }
static int l_rwsem(lua_State *L) { return new_lock(L, SIM_RWSEM); }

static struct sim_lock *check_lock(lua_State *L)
{
	return luaL_checkudata(L, 1, LOCK_MT);
}

/* The operations each lock type has, as a bitmask of types. */
#define T(x) (1u << (x))
#define EXCL_TYPES (T(SIM_SPINLOCK) | T(SIM_MUTEX))

struct lock_op {
	const char *name;
	unsigned int types;
	enum sim_lock_mode mode;
	enum { OP_ACQUIRE, OP_TRY, OP_RELEASE } kind;
};

static const struct lock_op lock_ops[] = {
	{ "lock", EXCL_TYPES, SIM_EXCL, OP_ACQUIRE },
	{ "trylock", EXCL_TYPES, SIM_EXCL, OP_TRY },
	{ "unlock", EXCL_TYPES, SIM_EXCL, OP_RELEASE },
	{ "read_lock", T(SIM_RWLOCK), SIM_SHARED, OP_ACQUIRE },
	{ "read_trylock", T(SIM_RWLOCK), SIM_SHARED, OP_TRY },
	{ "read_unlock", T(SIM_RWLOCK), SIM_SHARED, OP_RELEASE },
	{ "write_lock", T(SIM_RWLOCK), SIM_EXCL, OP_ACQUIRE },
	{ "write_trylock", T(SIM_RWLOCK), SIM_EXCL, OP_TRY },
	{ "write_unlock", T(SIM_RWLOCK), SIM_EXCL, OP_RELEASE },
	{ "down_read", T(SIM_RWSEM), SIM_SHARED, OP_ACQUIRE },
	{ "down_read_trylock", T(SIM_RWSEM), SIM_SHARED, OP_TRY },
	{ "up_read", T(SIM_RWSEM), SIM_SHARED, OP_RELEASE },
	{ "down_write", T(SIM_RWSEM), SIM_EXCL, OP_ACQUIRE },
	{ "down_write_trylock", T(SIM_RWSEM), SIM_EXCL, OP_TRY },
	{ "up_write", T(SIM_RWSEM), SIM_EXCL, OP_RELEASE },
};

static int lock_op(lua_State *L)
{
	const struct lock_op *op = lua_touserdata(L, lua_upvalueindex(1));
	struct sim_lock *l = check_lock(L);
	struct sim_site site;

	if (!(op->types & T(l->type)))
		return luaL_error(L, "a %s has no %s()",
				  sim_lock_type_name(l->type), op->name);
	hwp_lua_site(L, &site);
	switch (op->kind) {
	case OP_ACQUIRE:
		if (!sim_current(hwp_ctx(L)->sim) &&
		    l->owner != SIM_OWNER_NONE)
			return luaL_error(L, "%s of %s would block outside "
					  "an actor", op->name, l->cls);
		sim_lock_acquire(l, op->mode, &site);
		return 0;
	case OP_TRY:
		lua_pushboolean(L, sim_lock_try(l, op->mode, &site));
		return 1;
	case OP_RELEASE:
		/* Misuse from a scenario is the scenario's error, raised at
		 * its line; the engine's finding is for model code. */
		if (!sim_lock_release_ok(l, op->mode))
			return luaL_error(L, "%s of %s, which the caller does "
					  "not hold", op->name, l->cls);
		sim_lock_release(l, op->mode, &site);
		return 0;
	}
	return 0;
}

static int lock_class(lua_State *L)
{
	lua_pushstring(L, check_lock(L)->cls);
	return 1;
}

static int lock_name(lua_State *L)
{
	lua_pushstring(L, check_lock(L)->name);
	return 1;
}

static int lock_type(lua_State *L)
{
	lua_pushstring(L, sim_lock_type_name(check_lock(L)->type));
	return 1;
}

static int lock_held(lua_State *L)
{
	struct sim_lock *l = check_lock(L);

	lua_pushboolean(L, sim_lock_held_by(l,
				sim_current(hwp_ctx(L)->sim)));
	return 1;
}

static int lock_owner(lua_State *L)
{
	struct sim_lock *l = check_lock(L);

	if (l->owner >= 0)
		lua_pushinteger(L, l->owner);
	else
		lua_pushnil(L);
	return 1;
}

static int lock_readers(lua_State *L)
{
	lua_pushinteger(L, check_lock(L)->readers);
	return 1;
}

static int lock_waiters(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)g_queue_get_length(
				   &check_lock(L)->waiters));
	return 1;
}

static int lock_tostring(lua_State *L)
{
	struct sim_lock *l = check_lock(L);

	if (l->name != l->cls)
		lua_pushfstring(L, "%s %s (%s)", sim_lock_type_name(l->type),
				l->name, l->cls);
	else
		lua_pushfstring(L, "%s %s", sim_lock_type_name(l->type),
				l->cls);
	return 1;
}

static const luaL_Reg lock_methods[] = {
	{ "class", lock_class },
	{ "name", lock_name },
	{ "type", lock_type },
	{ "held", lock_held },
	{ "owner", lock_owner },
	{ "readers", lock_readers },
	{ "waiters", lock_waiters },
	{ NULL, NULL },
};

/* ---- bit words ---------------------------------------------------------- */

static int l_bits(lua_State *L)
{
	struct l_bits *b = lua_newuserdatauv(L, sizeof(*b), 0);

	b->word = 0;
	b->name = g_intern_string(luaL_checkstring(L, 1));
	luaL_setmetatable(L, BITS_MT);
	anchor(L);
	return 1;
}

static int check_bit(lua_State *L, struct l_bits **b)
{
	lua_Integer bit;

	*b = luaL_checkudata(L, 1, BITS_MT);
	bit = luaL_checkinteger(L, 2);
	luaL_argcheck(L, bit >= 0 && bit < (lua_Integer)(8 * sizeof(long)),
		      2, "bit out of range");
	return (int)bit;
}

static const char *bit_class(lua_State *L, struct l_bits *b, int bit)
{
	if (lua_type(L, 3) == LUA_TSTRING)
		return g_intern_string(lua_tostring(L, 3));
	return g_intern_string(lua_pushfstring(L, "%s.bit%d", b->name, bit));
}

static int bits_lock(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);
	struct sim_site site;

	if (!sim_current(hwp_ctx(L)->sim) && (b->word & (1UL << bit)))
		return luaL_error(L, "lock of %s bit %d would block outside "
				  "an actor", b->name, bit);
	sim_bit_lock(&b->word, bit, bit_class(L, b, bit),
		     hwp_lua_site(L, &site));
	return 0;
}

static int bits_trylock(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);
	struct sim_site site;

	lua_pushboolean(L, sim_bit_trylock(&b->word, bit, bit_class(L, b, bit),
					   hwp_lua_site(L, &site)));
	return 1;
}

static int bits_unlock(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);
	struct sim_site site;

	if (!sim_bit_release_ok(&b->word, bit))
		return luaL_error(L, "unlock of %s bit %d, which the caller "
				  "does not hold", b->name, bit);
	sim_bit_unlock(&b->word, bit, bit_class(L, b, bit),
		       hwp_lua_site(L, &site));
	return 0;
}

static int bits_wait(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);
	struct sim_site site;

	if (!sim_current(hwp_ctx(L)->sim) && (b->word & (1UL << bit)))
		return luaL_error(L, "wait on %s bit %d would block outside "
				  "an actor", b->name, bit);
	sim_wait_on_bit(&b->word, bit, bit_class(L, b, bit),
			hwp_lua_site(L, &site));
	return 0;
}

static int bits_set(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);

	b->word |= 1UL << bit;
	return 0;
}

static int bits_clear(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);

	b->word &= ~(1UL << bit);
	sim_wake_up_bit(&b->word, bit);
	return 0;
}

static int bits_test(lua_State *L)
{
	struct l_bits *b;
	int bit = check_bit(L, &b);

	lua_pushboolean(L, (b->word >> bit) & 1);
	return 1;
}

static int bits_tostring(lua_State *L)
{
	struct l_bits *b = luaL_checkudata(L, 1, BITS_MT);

	lua_pushfstring(L, "bits %s", b->name);
	return 1;
}

static const luaL_Reg bits_methods[] = {
	{ "lock", bits_lock },
	{ "trylock", bits_trylock },
	{ "unlock", bits_unlock },
	{ "wait", bits_wait },
	{ "set", bits_set },
	{ "clear", bits_clear },
	{ "test", bits_test },
	{ NULL, NULL },
};

static const luaL_Reg lock_ctors[] = {
	{ "spinlock", l_spinlock },
	{ "mutex", l_mutex },
	{ "rwlock", l_rwlock },
	{ "rwsem", l_rwsem },
	{ "bits", l_bits },
	{ NULL, NULL },
};

int hwp_open_lock(lua_State *L)
{
	hwp_new_class(L, LOCK_MT, lock_methods, lock_tostring, NULL);
	/* The lock operations: one closure each over its lock_ops entry. */
	luaL_getmetatable(L, LOCK_MT);
	lua_getfield(L, -1, "__index");
	for (size_t i = 0; i < G_N_ELEMENTS(lock_ops); i++) {
		lua_pushlightuserdata(L, (void *)&lock_ops[i]);
		lua_pushcclosure(L, lock_op, 1);
		lua_setfield(L, -2, lock_ops[i].name);
	}
	lua_pop(L, 2);
	hwp_new_class(L, BITS_MT, bits_methods, bits_tostring, NULL);

	luaL_setfuncs(L, lock_ctors, 0);
	return 1;
}
