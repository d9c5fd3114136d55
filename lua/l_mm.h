/*
 * l_mm.h - what the machine, task and file bindings share.
 */
#ifndef HWPSIM_LUA_L_MM_H
#define HWPSIM_LUA_L_MM_H

#include "lua/ctx.h"
#include "mm-model/fs.h"
#include "mm-model/machine.h"
#include "mm-model/sched.h"

#define MACHINE_MT	"hwp.machine"
#define TASK_MT		"hwp.task"
#define INODE_MT	"hwp.inode"
#define FILE_MT		"hwp.file"

struct hwp_machine {
	struct mm_machine *m;	/* NULL once the run freed it */
	bool check;		/* run the invariant checker after changes */
	bool check_deferred;	/* a change happened while another fiber
				 * was mid-operation: check when none is */
	struct super_block *disk_sb;	/* "sda1", mounted on first use */
	struct super_block *tmpfs_sb;	/* "tmpfs", likewise */
};

/*
 * A machine object (task, inode, open file) a Lua value holds a
 * reference on.  Every one is tracked in the run's context, so the host
 * can drop them all before it frees the machine (Lua's own finalizers run
 * only at lua_close, too late); release then clears the userdata, and its
 * __gc finds nothing left to do.
 */
struct hwp_ref {
	void (*release)(struct hwp_ref *ref);
};
void hwp_ref_track(lua_State *L, struct hwp_ref *ref);
void hwp_ref_untrack(lua_State *L, struct hwp_ref *ref);

struct hwp_machine *hwp_check_machine(lua_State *L, int arg);
/* The scenario's machine, or a Lua error if it has none. */
struct hwp_machine *hwp_machine_of(lua_State *L);
void hwp_machine_changed(lua_State *L, struct hwp_machine *hm,
			 const char *what);
uint64_t hwp_check_size(lua_State *L, int arg);
struct super_block *hwp_machine_disk_sb(struct hwp_machine *hm);
struct super_block *hwp_machine_tmpfs_sb(struct hwp_machine *hm);

void hwp_push_task(lua_State *L, struct task_struct *t);
struct task_struct *hwp_check_task(lua_State *L, int arg);
/* Apply sigbus/mce_kill/important fields of the table at opts. */
void hwp_task_configure(lua_State *L, int task_idx, int opts);

struct inode *hwp_machine_create_file(struct hwp_machine *hm,
				      const char *name, int kind);
void hwp_push_inode(lua_State *L, struct inode *inode);
struct inode *hwp_check_inode(lua_State *L, int arg);

void hwp_push_signal_record(lua_State *L, const struct mm_signal_record *r);
const char *hwp_si_code_name(int signo, int code);

/* Add methods to a class another file made (machine, task, ...). */
void hwp_add_methods(lua_State *L, const char *mt, const luaL_Reg *m);

int hwp_open_machine(lua_State *L);
int hwp_open_task(lua_State *L);
int hwp_open_file(lua_State *L);
int hwp_open_hwpoison(lua_State *L);

#endif
