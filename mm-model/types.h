/*
 * types.h - the small kernel vocabulary mm-model is written in.
 *
 * Kernel code spells counters atomic_t, bit numbers test_bit(), offsets
 * pgoff_t and assertions VM_BUG_ON_PAGE().  The simulator runs on one OS
 * thread and switches fibers only at schedule points, so none of these
 * needs a real atomic instruction: an "atomic" operation here is atomic
 * because nothing can run in the middle of it.  Keeping the kernel's
 * names lets code move between hwpsim and the kernel unchanged.
 */
#ifndef HWPSIM_MM_TYPES_BASE_H
#define HWPSIM_MM_TYPES_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

typedef unsigned long pgoff_t;

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))

#define BITS_PER_LONG		64
#define BIT(nr)			(1UL << (nr))

#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef container_of
#define container_of(ptr, type, member) ({				\
	const __typeof__(((type *)0)->member) *mptr__ = (ptr);		\
	(type *)((char *)mptr__ - offsetof(type, member)); })
#endif

/* ---- counters ------------------------------------------------------
 *
 * Two counter types.  atomic_t holds its value.  atomic_mapcount_t holds
 * the complement of its value (~v): it is the type of page->_mapcount,
 * whose resting value is -1, so that an all-zero struct page - what an
 * untouched anonymous mapping reads as - is a page with _mapcount -1 (see
 * mm_types.h).  The atomic_*() operations take either type, through
 * _Generic, and always deal in the real value: atomic_read() of a zeroed
 * _mapcount is -1, as kernel code expects.
 */

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	int complement;		/* ~value */
} atomic_mapcount_t;

typedef struct {
	long counter;
} atomic_long_t;

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC_LONG_INIT(i)	{ (i) }

/* The value of either type, and storing one. */
#define ATOMIC_GET_atomic_t(v)			((v)->counter)
#define ATOMIC_PUT_atomic_t(v, i)		((v)->counter = (i))
#define ATOMIC_GET_atomic_mapcount_t(v)		(~(v)->complement)
#define ATOMIC_PUT_atomic_mapcount_t(v, i)	((v)->complement = ~(i))

/* Every operation, for type T, named pfx_op. */
#define ATOMIC_OPS(T, pfx)						\
static inline int pfx##_read(const T *v)				\
{ return ATOMIC_GET_##T(v); }						\
static inline void pfx##_set(T *v, int i)				\
{ ATOMIC_PUT_##T(v, i); }						\
static inline int pfx##_add_return(int i, T *v)				\
{ int n = ATOMIC_GET_##T(v) + i; ATOMIC_PUT_##T(v, n); return n; }	\
static inline void pfx##_add(int i, T *v)				\
{ pfx##_add_return(i, v); }						\
static inline void pfx##_sub(int i, T *v)				\
{ pfx##_add_return(-i, v); }						\
static inline int pfx##_sub_return(int i, T *v)				\
{ return pfx##_add_return(-i, v); }					\
static inline void pfx##_inc(T *v)					\
{ pfx##_add_return(1, v); }						\
static inline void pfx##_dec(T *v)					\
{ pfx##_add_return(-1, v); }						\
static inline int pfx##_inc_return(T *v)				\
{ return pfx##_add_return(1, v); }					\
static inline int pfx##_dec_return(T *v)				\
{ return pfx##_add_return(-1, v); }					\
static inline bool pfx##_inc_and_test(T *v)				\
{ return pfx##_add_return(1, v) == 0; }					\
static inline bool pfx##_dec_and_test(T *v)				\
{ return pfx##_add_return(-1, v) == 0; }				\
static inline bool pfx##_sub_and_test(int i, T *v)			\
{ return pfx##_add_return(-i, v) == 0; }				\
static inline bool pfx##_add_negative(int i, T *v)			\
{ return pfx##_add_return(i, v) < 0; }					\
/* Add a unless the value is u; true if it added. */			\
static inline bool pfx##_add_unless(T *v, int a, int u)			\
{									\
	if (ATOMIC_GET_##T(v) == u)					\
		return false;						\
	pfx##_add_return(a, v);						\
	return true;							\
}									\
static inline int pfx##_cmpxchg(T *v, int old, int new)			\
{									\
	int cur = ATOMIC_GET_##T(v);					\
									\
	if (cur == old)							\
		ATOMIC_PUT_##T(v, new);					\
	return cur;							\
}

ATOMIC_OPS(atomic_t, atomic_val)
ATOMIC_OPS(atomic_mapcount_t, atomic_cpl)

#define __ATOMIC_PICK(v, op)						\
	_Generic((v),							\
		 atomic_t *: atomic_val_##op,			\
		 const atomic_t *: atomic_val_##op,			\
		 atomic_mapcount_t *: atomic_cpl_##op,		\
		 const atomic_mapcount_t *: atomic_cpl_##op)

#define atomic_read(v)			__ATOMIC_PICK(v, read)(v)
#define atomic_set(v, i)		__ATOMIC_PICK(v, set)(v, i)
#define atomic_add(i, v)		__ATOMIC_PICK(v, add)(i, v)
#define atomic_sub(i, v)		__ATOMIC_PICK(v, sub)(i, v)
#define atomic_inc(v)			__ATOMIC_PICK(v, inc)(v)
#define atomic_dec(v)			__ATOMIC_PICK(v, dec)(v)
#define atomic_add_return(i, v)		__ATOMIC_PICK(v, add_return)(i, v)
#define atomic_sub_return(i, v)		__ATOMIC_PICK(v, sub_return)(i, v)
#define atomic_inc_return(v)		__ATOMIC_PICK(v, inc_return)(v)
#define atomic_dec_return(v)		__ATOMIC_PICK(v, dec_return)(v)
#define atomic_inc_and_test(v)		__ATOMIC_PICK(v, inc_and_test)(v)
#define atomic_dec_and_test(v)		__ATOMIC_PICK(v, dec_and_test)(v)
#define atomic_sub_and_test(i, v)	__ATOMIC_PICK(v, sub_and_test)(i, v)
#define atomic_add_negative(i, v)	__ATOMIC_PICK(v, add_negative)(i, v)
#define atomic_add_unless(v, a, u)	__ATOMIC_PICK(v, add_unless)(v, a, u)
#define atomic_cmpxchg(v, o, n)		__ATOMIC_PICK(v, cmpxchg)(v, o, n)

static inline long atomic_long_read(const atomic_long_t *v)
{
	return v->counter;
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	v->counter = i;
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	v->counter += i;
}

static inline void atomic_long_sub(long i, atomic_long_t *v)
{
	v->counter -= i;
}

static inline void atomic_long_inc(atomic_long_t *v)	{ v->counter++; }
static inline void atomic_long_dec(atomic_long_t *v)	{ v->counter--; }

/* ---- bit operations on an unsigned long word ------------------------ */

static inline bool test_bit(long nr, const unsigned long *addr)
{
	return (*addr >> nr) & 1UL;
}
static inline void set_bit(long nr, unsigned long *addr)
{
	*addr |= BIT(nr);
}

static inline void clear_bit(long nr, unsigned long *addr)
{
	*addr &= ~BIT(nr);
}

/* The non-atomic forms: the same here (see the top of this file). */
static inline void __set_bit(long nr, unsigned long *addr)
{
	*addr |= BIT(nr);
}

static inline void __clear_bit(long nr, unsigned long *addr)
{
	*addr &= ~BIT(nr);
}

static inline bool test_and_set_bit(long nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	*addr |= BIT(nr);
	return old;
}
static inline bool test_and_clear_bit(long nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	*addr &= ~BIT(nr);
	return old;
}

/* ---- assertions ---------------------------------------------------- */

struct page;

/*
 * BUG() in the model means the model itself (or the algorithm under
 * test) broke an invariant the kernel would also have crashed on.  It
 * prints a kernel-style report, with the page when there is one, and
 * aborts: a unit test sees a failed test, a scenario run an error.
 */
__attribute__((noreturn))
void mm_bug(const char *file, int line, const char *cond);
__attribute__((noreturn))
void mm_bug_page(const struct page *page, const char *cond,
		 const char *file, int line);

#define BUG()			mm_bug(__FILE__, __LINE__, NULL)
#define BUG_ON(c)							\
	do {								\
		if (unlikely(c))					\
			mm_bug(__FILE__, __LINE__, #c);			\
	} while (0)
#define VM_BUG_ON(c)		BUG_ON(c)
#define VM_BUG_ON_PAGE(c, page)						\
	do {								\
		if (unlikely(c))					\
			mm_bug_page((page), #c, __FILE__, __LINE__);	\
	} while (0)

/*
 * The page-flag policy checks (a flag modified on a tail page that only
 * lives on heads, ...).  The kernel compiles them in with
 * CONFIG_DEBUG_VM_PGFLAGS; the model keeps them on unless a build
 * defines MM_DEBUG_PGFLAGS to 0.
 */
#ifndef MM_DEBUG_PGFLAGS
#define MM_DEBUG_PGFLAGS 1
#endif
#if MM_DEBUG_PGFLAGS
#define VM_BUG_ON_PGFLAGS(c, page)	VM_BUG_ON_PAGE(c, page)
#else
#define VM_BUG_ON_PGFLAGS(c, page)	do { (void)(page); } while (0)
#endif

#endif
