/*
 * context.c - stacks and context switching for fibers.
 */
#include "sim/context.h"

#include <glib.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(lo, hi) 0
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

#ifdef SIM_CTX_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define STACK_UNPOISON(lo, size) ASAN_UNPOISON_MEMORY_REGION(lo, size)
#else
#define STACK_UNPOISON(lo, size) ((void)(lo), (void)(size))
#endif

static void ctx_prepare(struct sim_ctx *ctx, struct sim_stack *st,
			void (*fn)(void *), void *arg);

static size_t page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

struct sim_stack *sim_stack_alloc(size_t size)
{
	size_t ps = page_size();
	struct sim_stack *st = g_new0(struct sim_stack, 1);
	char *base;

	size = (size + ps - 1) & ~(ps - 1);
	base = mmap(NULL, size + ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		g_error("hwpsim: cannot map a %zu byte fiber stack", size);
	/* The lowest page stays inaccessible: a stack overflow faults. */
	if (mprotect(base, ps, PROT_NONE) != 0)
		g_error("hwpsim: cannot protect a fiber stack guard page");
	st->base = base;
	st->size = size;
	st->vg_id = VALGRIND_STACK_REGISTER(base + ps, base + ps + size);
	return st;
}

void sim_stack_free(struct sim_stack *st)
{
	if (!st)
		return;
	VALGRIND_STACK_DEREGISTER(st->vg_id);
	/* Frames abandoned on it must not haunt a later mapping there. */
	STACK_UNPOISON((char *)st->base + page_size(), st->size);
	munmap(st->base, st->size + page_size());
	g_free(st);
}

#ifdef SIM_CTX_ASM
/*
 * sim_ctx_switch(from, to): System V x86-64.  The frame it leaves on the
 * old stack, from the saved stack pointer upwards:
 *   +0 x87 control word, +8 MXCSR, +16 r15 r14 r13 r12 rbx rbp, +64 return
 * sim_ctx_trampoline is where a new context first "returns" to: r12 holds
 * the function and r13 its argument.
 */
#ifdef SIM_CTX_ASAN
#define CTX_SWITCH "ctx_switch_raw"	/* wrapped by sim_ctx_switch below */
#else
#define CTX_SWITCH "sim_ctx_switch"
#endif
__asm__(
	".text\n"
	".globl " CTX_SWITCH "\n"
	".type " CTX_SWITCH ",@function\n"
	CTX_SWITCH ":\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $16, %rsp\n"
	"	stmxcsr 8(%rsp)\n"
	"	fnstcw (%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq (%rsi), %rsp\n"
	"	ldmxcsr 8(%rsp)\n"
	"	fldcw (%rsp)\n"
	"	addq $16, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size " CTX_SWITCH ", .-" CTX_SWITCH "\n"
	".globl sim_ctx_trampoline\n"
	".hidden sim_ctx_trampoline\n"
	".type sim_ctx_trampoline,@function\n"
	"sim_ctx_trampoline:\n"
	"	movq %r13, %rdi\n"
	"	callq *%r12\n"
	"	ud2\n"
	".size sim_ctx_trampoline, .-sim_ctx_trampoline\n");

void sim_ctx_trampoline(void);
#ifdef SIM_CTX_ASAN
void ctx_switch_raw(struct sim_ctx *from, struct sim_ctx *to);
#endif

static void ctx_prepare(struct sim_ctx *ctx, struct sim_stack *st,
			void (*fn)(void *), void *arg)
{
	char *top = (char *)st->base + page_size() + st->size;
	uint64_t *sp;

	/* Align so the trampoline starts with rsp % 16 == 0: its call then
	 * enters fn with the ABI's alignment. */
	top = (char *)((uintptr_t)(top - 64) & ~(uintptr_t)15);
	sp = (uint64_t *)(top - 72);
	sp[0] = 0x037f;			/* x87 control word: default */
	sp[1] = 0x1f80;			/* MXCSR: default */
	sp[2] = 0;			/* r15 */
	sp[3] = 0;			/* r14 */
	sp[4] = (uint64_t)(uintptr_t)arg;	/* r13 */
	sp[5] = (uint64_t)(uintptr_t)fn;	/* r12 */
	sp[6] = 0;			/* rbx */
	sp[7] = 0;			/* rbp */
	sp[8] = (uint64_t)(uintptr_t)sim_ctx_trampoline;
	ctx->sp = sp;
}
#else
/* makecontext passes int arguments only: split the pointers. */
static void ctx_entry(unsigned int fhi, unsigned int flo, unsigned int ahi,
		      unsigned int alo)
{
	void (*fn)(void *) = (void (*)(void *))(((uintptr_t)fhi << 32) | flo);
	void *arg = (void *)(((uintptr_t)ahi << 32) | alo);

	fn(arg);
	g_error("hwpsim: fiber function returned");
}

static void ctx_prepare(struct sim_ctx *ctx, struct sim_stack *st,
			void (*fn)(void *), void *arg)
{
	uintptr_t f = (uintptr_t)fn, a = (uintptr_t)arg;

	getcontext(&ctx->uc);
	ctx->uc.uc_stack.ss_sp = (char *)st->base + page_size();
	ctx->uc.uc_stack.ss_size = st->size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, (void (*)(void))ctx_entry, 4,
		    (unsigned int)(f >> 32), (unsigned int)f,
		    (unsigned int)(a >> 32), (unsigned int)a);
}

static void ctx_switch_raw(struct sim_ctx *from, struct sim_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}
#ifndef SIM_CTX_ASAN
void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to)
{
	ctx_switch_raw(from, to);
}
#endif
#endif

#ifndef SIM_CTX_ASAN
void sim_ctx_make(struct sim_ctx *ctx, struct sim_stack *st,
		  void (*fn)(void *), void *arg)
{
	ctx_prepare(ctx, st, fn, arg);
}

void sim_ctx_exit(struct sim_ctx *from, struct sim_ctx *to)
{
	sim_ctx_switch(from, to);
	g_error("hwpsim: a finished context was resumed");
}
#else
/*
 * AddressSanitizer: each switch is bracketed by start_switch_fiber (the
 * stack about to run) and finish_switch_fiber (on arrival, which also
 * tells the bounds of the stack just left - how the host stack's bounds
 * are learnt, on the first switch into a fiber).  A context that will
 * never run again passes no fake-stack slot, so ASan frees its fake stack.
 */
static struct sim_ctx *asan_leaving;	/* the context being switched from */

static void asan_arrived(void *fake_stack)
{
	struct sim_ctx *from = asan_leaving;
	const void *lo = NULL;
	size_t size = 0;

	__sanitizer_finish_switch_fiber(fake_stack, &lo, &size);
	if (from) {
		from->stack_lo = lo;
		from->stack_size = size;
	}
	asan_leaving = NULL;
}

/* Where a new context starts: arrive, then run its function. */
static void asan_entry(void *p)
{
	struct sim_ctx *ctx = p;

	asan_arrived(NULL);
	ctx->fn(ctx->arg);
	g_error("hwpsim: a context's function returned");
}

void sim_ctx_make(struct sim_ctx *ctx, struct sim_stack *st,
		  void (*fn)(void *), void *arg)
{
	ctx->stack_lo = (char *)st->base + page_size();
	ctx->stack_size = st->size;
	ctx->fake_stack = NULL;
	ctx->fn = fn;
	ctx->arg = arg;
	/* A pooled stack still has the shadow of the frames of its last
	 * fiber, if that one ended without unwinding them. */
	STACK_UNPOISON(ctx->stack_lo, ctx->stack_size);
	ctx_prepare(ctx, st, asan_entry, ctx);
}

void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to)
{
	asan_leaving = from;
	__sanitizer_start_switch_fiber(&from->fake_stack, to->stack_lo,
				       to->stack_size);
	ctx_switch_raw(from, to);
	asan_arrived(from->fake_stack);
}

void sim_ctx_exit(struct sim_ctx *from, struct sim_ctx *to)
{
	asan_leaving = NULL;
	__sanitizer_start_switch_fiber(NULL, to->stack_lo, to->stack_size);
	ctx_switch_raw(from, to);
	g_error("hwpsim: a finished context was resumed");
}
#endif
