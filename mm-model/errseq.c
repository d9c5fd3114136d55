/*
 * errseq.c - error sequence counters (the kernel's lib/errseq.c).
 *
 * An errseq_t is one 32-bit word that lets many observers each learn of
 * an error once, without the recorder knowing who they are:
 *
 *   bits  0..11  the last errno recorded (negated back on report)
 *   bit  12      SEEN: somebody has reported the current value
 *   bits 13..31  a counter, bumped when a new error arrives after the
 *                previous one was seen
 *
 * An observer (an open file) keeps the value it last saw.  A value that
 * differs from the current one means "an error happened since": report
 * it and remember the new value.  The counter is only bumped when an
 * error was seen, so a burst of errors nobody looked at in between costs
 * no counter space and is still reported once to everybody.  An observer
 * that samples before any error was seen starts at 0, so it also hears
 * about the unseen error that was already there.
 *
 * The simulator runs one fiber at a time and these functions never reach
 * a schedule point, so the kernel's compare-and-exchange loops reduce to
 * plain read-modify-write.
 */
#include <errno.h>

#include "mm-model/fs.h"

#define MAX_ERRNO	4095
#define ERRSEQ_SHIFT	12			/* log2(MAX_ERRNO + 1) */
#define ERRSEQ_SEEN	(1U << ERRSEQ_SHIFT)
#define ERRSEQ_CTR_INC	(1U << (ERRSEQ_SHIFT + 1))

/* Record err (negative errno) in *eseq; returns the new value. */
errseq_t errseq_set(errseq_t *eseq, int err)
{
	errseq_t old = READ_ONCE(*eseq);
	errseq_t new;

	/* 0 would clear the error; an out-of-range one does not fit. */
	if (err == 0 || (unsigned int)-err > MAX_ERRNO)
		return old;

	new = (old & ~(errseq_t)(MAX_ERRNO | ERRSEQ_SEEN)) |
	      (errseq_t)-err;
	/* Somebody reported the old error: this is a new one for them. */
	if (old & ERRSEQ_SEEN)
		new += ERRSEQ_CTR_INC;
	WRITE_ONCE(*eseq, new);
	return new;
}

/*
 * The value a new observer starts from: the current one if its error
 * (if any) was already reported, else 0 so the unseen error still
 * reaches this observer.
 */
errseq_t errseq_sample(errseq_t *eseq)
{
	errseq_t old = READ_ONCE(*eseq);

	if (!(old & ERRSEQ_SEEN))
		old = 0;
	return old;
}

/* The error recorded since "since", without marking it seen; or 0. */
int errseq_check(errseq_t *eseq, errseq_t since)
{
	errseq_t cur = READ_ONCE(*eseq);

	if (likely(cur == since))
		return 0;
	return -(int)(cur & MAX_ERRNO);
}

/*
 * Report the error recorded since *since (or 0), mark the current value
 * seen and advance *since to it.  The caller serialises updates of
 * *since (file->f_lock).
 */
int errseq_check_and_advance(errseq_t *eseq, errseq_t *since)
{
	errseq_t old = READ_ONCE(*eseq);
	errseq_t new;

	if (old == *since)
		return 0;
	new = old | ERRSEQ_SEEN;
	if (new != old)
		WRITE_ONCE(*eseq, new);
	*since = new;
	return -(int)(new & MAX_ERRNO);
}
