/*
 * trace.h - the step-numbered record of a run.
 *
 * One line per scheduling decision and per event, each starting with the
 * step number, the virtual time and the fiber.  The text is what a
 * developer reads when chasing a race; its SHA-256 is what reports carry
 * and what the determinism test compares.  The digest is kept even when
 * the text is not (explore runs thousands of schedules).
 *
 * A trace file is also a schedule: `pick` lines name the fiber chosen at
 * each decision that had a choice, and the header names the seed and
 * strategy, so a trace file can be replayed.
 */
#ifndef HWPSIM_SIM_TRACE_H
#define HWPSIM_SIM_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct sim;
struct sim_fiber;

enum sim_trace_level {
	SIM_TRACE_DIGEST,	/* no text kept, digest only */
	SIM_TRACE_FULL,		/* every line kept in memory */
	SIM_TRACE_OFF,		/* nothing: exploration, which replays the
				 * one schedule whose trace it needs */
};

struct sim_trace {
	enum sim_trace_level level;
	GString *text;
	GChecksum *sum;
	uint64_t lines;
};

struct sim_trace *sim_trace_new(enum sim_trace_level level);
void sim_trace_free(struct sim_trace *t);
/* A header line ("# key: value"), part of the digest. */
void sim_trace_header(struct sim_trace *t, const char *key,
		      const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* An event at the engine's current step, by its current fiber. */
void sim_trace_event(struct sim *s, const char *kind, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
void sim_trace_eventv(struct sim *s, const char *kind, const char *fmt,
		      va_list ap) G_GNUC_PRINTF(3, 0);
/* Is anything recorded?  Lets callers skip formatting a line. */
static inline bool sim_trace_on(const struct sim_trace *t)
{
	return t && t->level != SIM_TRACE_OFF;
}
/* "sha256:<hex>" of all lines so far ("off" if none are); caller frees. */
char *sim_trace_digest(struct sim_trace *t);
const char *sim_trace_text(const struct sim_trace *t);

/* Read the pick list back from a trace file's text (replay). */
GArray *sim_trace_parse_picks(const char *text, const char *file,
			      GError **err);

#endif
