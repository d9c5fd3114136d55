/*
 * context.h - machine contexts and fiber stacks.
 *
 * On x86-64 a context is just a saved stack pointer: the switch pushes the
 * callee-saved registers (and the x87/SSE control words) on the old stack
 * and pops them from the new one.  That costs a few nanoseconds, against
 * the system call swapcontext() makes to save the signal mask, which
 * matters when `hwpsim explore` runs millions of schedule points.  Other
 * architectures fall back to ucontext.
 *
 * Every stack is registered with Valgrind so memcheck follows the switches
 * instead of reporting them as wild stack-pointer changes.  Under
 * AddressSanitizer every switch is announced to it instead
 * (__sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber), so
 * that it knows which stack is running when it unwinds, reports or
 * handles a longjmp.  Stacks have a PROT_NONE guard page below them: an
 * overflow faults at once.
 */
#ifndef HWPSIM_SIM_CONTEXT_H
#define HWPSIM_SIM_CONTEXT_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_CTX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_CTX_ASAN 1
#endif
#endif

#ifdef SIM_CTX_ASAN
/* What ASan is told of a context: its stack, and its fake stack. */
#define SIM_CTX_ASAN_FIELDS						\
	const void *stack_lo;	/* 0 for the host stack until learnt */	\
	size_t stack_size;						\
	void *fake_stack;	/* ASan's, while switched away */	\
	void (*fn)(void *);	/* what a new context runs */		\
	void *arg;
#else
#define SIM_CTX_ASAN_FIELDS
#endif

#if defined(__x86_64__)
#define SIM_CTX_ASM 1
struct sim_ctx {
	void *sp;
	SIM_CTX_ASAN_FIELDS
};
#else
#include <ucontext.h>
struct sim_ctx {
	ucontext_t uc;
	SIM_CTX_ASAN_FIELDS
};
#endif

struct sim_stack {
	void *base;		/* start of the mapping, the guard page */
	size_t size;		/* usable size above the guard */
	unsigned int vg_id;	/* Valgrind's stack id */
};

#define SIM_STACK_DEFAULT (512 * 1024)

struct sim_stack *sim_stack_alloc(size_t size);
void sim_stack_free(struct sim_stack *st);

/*
 * Prepare ctx so that switching to it calls fn(arg) on stack st.  fn must
 * never return: it ends by switching away for the last time.
 */
void sim_ctx_make(struct sim_ctx *ctx, struct sim_stack *st,
		  void (*fn)(void *), void *arg);
/* Save the running context in from and resume to. */
void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to);
/*
 * The last switch away from a context whose stack is done with (a fiber
 * that ended): the same switch, but from is never resumed, which ASan
 * must know to drop what it keeps for that stack.
 */
__attribute__((noreturn))
void sim_ctx_exit(struct sim_ctx *from, struct sim_ctx *to);

#endif
