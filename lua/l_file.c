/*
 * l_file.c - files as scenarios see them.
 *
 *   local f  = m:file{ name = "db", fs = "disk" }   -- an inode
 *   local fd = f:open("rw")                         -- an open file
 *   fd:write(0, "record")                           -- pwrite
 *   fd:read(0, 6)                                   -- pread: "record"
 *   fd:fsync()                                      -- true, or nil "EIO"
 *   f:disk(0)                                       -- what the device holds
 *
 * Each open file has its own errseq cursor, so two opens of one file see
 * a writeback error once each (or, under fsync_errors = as_eio, the first
 * to look eats it for both: seed 002).
 */
#include "lua/l_mm.h"

#include <errno.h>
#include <string.h>

struct l_inode {
	struct hwp_ref ref;
	struct inode *inode;
};

struct l_file {
	struct hwp_ref ref;
	struct file *file;
};

static void inode_release(struct hwp_ref *ref)
{
	struct l_inode *li = (struct l_inode *)ref;

	if (li->inode)
		iput(li->inode);
	li->inode = NULL;
}

static void file_release(struct hwp_ref *ref)
{
	struct l_file *lf = (struct l_file *)ref;

	if (lf->file)
		fput(lf->file);
	lf->file = NULL;
}

struct inode *hwp_machine_create_file(struct hwp_machine *hm,
				      const char *name, int kind)
{
	struct super_block *sb = kind == 0 ? hwp_machine_disk_sb(hm) :
					     hwp_machine_tmpfs_sb(hm);

	return fs_create(sb, name);
}

void hwp_push_inode(lua_State *L, struct inode *inode)
{
	struct l_inode *li = lua_newuserdatauv(L, sizeof(*li), 0);

	li->ref.release = inode_release;
	li->inode = inode;
	atomic_inc(&inode->i_count);
	luaL_setmetatable(L, INODE_MT);
	hwp_ref_track(L, &li->ref);
}

struct inode *hwp_check_inode(lua_State *L, int arg)
{
	struct l_inode *li = luaL_checkudata(L, arg, INODE_MT);

	if (!li->inode)
		luaL_error(L, "the file is gone");
	return li->inode;
}

static struct file *check_file(lua_State *L, int arg)
{
	struct l_file *lf = luaL_checkudata(L, arg, FILE_MT);

	if (!lf->file)
		luaL_error(L, "the file is closed");
	return lf->file;
}

static int push_errno(lua_State *L, long err)
{
	lua_pushnil(L);
	switch (-err) {
	case EIO:
		lua_pushliteral(L, "EIO");
		break;
	case EHWPOISON:
		lua_pushliteral(L, "EHWPOISON");
		break;
	default:
		lua_pushstring(L, g_strerror((int)-err));
	}
	return 2;
}

/* f:open("r" | "w" | "rw" [, "direct"]) */
static int i_open(lua_State *L)
{
	struct inode *inode = hwp_check_inode(L, 1);
	static const char *const modes[] = { "r", "w", "rw", NULL };
	static const unsigned int flags[] = { O_RDONLY, O_WRONLY, O_RDWR };
	unsigned int f = flags[luaL_checkoption(L, 2, "rw", modes)];
	struct l_file *lf;

	if (lua_type(L, 3) == LUA_TSTRING) {
		luaL_argcheck(L, !strcmp(lua_tostring(L, 3), "direct"), 3,
			      "the only open option is \"direct\"");
		f |= O_DIRECT;
	}
	lf = lua_newuserdatauv(L, sizeof(*lf), 0);
	lf->ref.release = file_release;
	lf->file = filp_open(inode, f);
	luaL_setmetatable(L, FILE_MT);
	hwp_ref_track(L, &lf->ref);
	return 1;
}

static lua_Integer check_offset(lua_State *L, int arg)
{
	lua_Integer off = luaL_checkinteger(L, arg);

	luaL_argcheck(L, off >= 0, arg, "offset must not be negative");
	return off;
}

static int f_read(lua_State *L)
{
	struct file *file = check_file(L, 1);
	loff_t pos = check_offset(L, 2);
	lua_Integer len = luaL_checkinteger(L, 3);
	luaL_Buffer b;
	ssize_t n;

	luaL_argcheck(L, len >= 0 && len <= (1 << 24), 3,
		      "length must be 0 .. 16 MiB");
	n = vfs_read(file, luaL_buffinitsize(L, &b, (size_t)len),
		     (size_t)len, &pos);
	hwp_machine_changed(L, hwp_machine_of(L), "read(2)");
	if (n < 0)
		return push_errno(L, n);
	luaL_pushresultsize(&b, (size_t)n);
	return 1;
}

static int f_write(lua_State *L)
{
	struct file *file = check_file(L, 1);
	loff_t pos = check_offset(L, 2);
	size_t len;
	const char *data = luaL_checklstring(L, 3, &len);
	ssize_t n = vfs_write(file, data, len, &pos);

	hwp_machine_changed(L, hwp_machine_of(L), "write(2)");
	if (n < 0)
		return push_errno(L, n);
	lua_pushinteger(L, n);
	return 1;
}

static int f_fsync(lua_State *L)
{
	int ret = vfs_fsync(check_file(L, 1));

	hwp_machine_changed(L, hwp_machine_of(L), "fsync");
	if (ret)
		return push_errno(L, ret);
	lua_pushboolean(L, 1);
	return 1;
}

static int f_close(lua_State *L)
{
	struct l_file *lf = luaL_checkudata(L, 1, FILE_MT);

	if (lf->file) {
		hwp_ref_untrack(L, &lf->ref);
		file_release(&lf->ref);
	}
	return 0;
}

static int i_truncate(lua_State *L)
{
	int ret = vfs_truncate(hwp_check_inode(L, 1), check_offset(L, 2));

	hwp_machine_changed(L, hwp_machine_of(L), "truncate");
	if (ret)
		return push_errno(L, ret);
	lua_pushboolean(L, 1);
	return 1;
}

static int i_punch(lua_State *L)
{
	int ret = vfs_punch_hole(hwp_check_inode(L, 1), check_offset(L, 2),
				 check_offset(L, 3));

	hwp_machine_changed(L, hwp_machine_of(L), "punch hole");
	if (ret)
		return push_errno(L, ret);
	lua_pushboolean(L, 1);
	return 1;
}

static int i_size(lua_State *L)
{
	lua_pushinteger(L, hwp_check_inode(L, 1)->i_size);
	return 1;
}

static int i_cached(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)hwp_check_inode(L, 1)->i_data.nrpages);
	return 1;
}

/* f:disk(index): the page's bytes on the device, or nil for a hole. */
static int i_disk(lua_State *L)
{
	struct inode *inode = hwp_check_inode(L, 1);
	lua_Integer index = luaL_checkinteger(L, 2);
	GBytes *b;
	gsize len;
	const char *data;

	luaL_argcheck(L, index >= 0, 2, "index must not be negative");
	b = g_tree_lookup(inode->disk, GSIZE_TO_POINTER((gsize)index));
	if (!b) {
		lua_pushnil(L);
		return 1;
	}
	data = g_bytes_get_data(b, &len);
	/* Trailing zeros are the page's unwritten rest: leave them out. */
	while (len && !data[len - 1])
		len--;
	lua_pushlstring(L, data, len);
	return 1;
}

static int i_name(lua_State *L)
{
	lua_pushstring(L, hwp_check_inode(L, 1)->name);
	return 1;
}

static int i_tostring(lua_State *L)
{
	struct inode *inode = hwp_check_inode(L, 1);

	lua_pushfstring(L, "file %s (ino %I)", inode->name,
			(lua_Integer)inode->i_ino);
	return 1;
}

static int i_gc(lua_State *L)
{
	struct l_inode *li = luaL_checkudata(L, 1, INODE_MT);

	if (li->inode) {
		hwp_ref_untrack(L, &li->ref);
		inode_release(&li->ref);
	}
	return 0;
}

static int f_tostring(lua_State *L)
{
	struct l_file *lf = luaL_checkudata(L, 1, FILE_MT);

	if (!lf->file)
		lua_pushliteral(L, "open file (closed)");
	else
		lua_pushfstring(L, "open file %s", lf->file->f_inode->name);
	return 1;
}

static const luaL_Reg inode_methods[] = {
	{ "open", i_open },
	{ "truncate", i_truncate },
	{ "punch", i_punch },
	{ "size", i_size },
	{ "cached", i_cached },
	{ "disk", i_disk },
	{ "name", i_name },
	{ NULL, NULL },
};

static const luaL_Reg file_methods[] = {
	{ "read", f_read },
	{ "write", f_write },
	{ "fsync", f_fsync },
	{ "close", f_close },
	{ NULL, NULL },
};

int hwp_open_file(lua_State *L)
{
	hwp_new_class(L, INODE_MT, inode_methods, i_tostring, i_gc);
	hwp_new_class(L, FILE_MT, file_methods, f_tostring, f_close);
	return 0;
}
