/*
 * trace.c - step-numbered trace lines, their digest, and reading picks back.
 *
 * Line format (whitespace-separated columns, the last one free text):
 *
 *	<step> <virtual ns> <fiber label> <kind> <text>
 *
 * e.g.	    12         12000 writer#2         pick     #2 of {1,2} ...
 *
 * Header lines start with '#'.  A "pick" line's text starts with
 * "#<id> of {<runnable ids>}"; the picks with more than one runnable id
 * are the schedule that `replay` follows.
 */
#include "sim/trace.h"
#include "sim/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_trace *sim_trace_new(enum sim_trace_level level)
{
	struct sim_trace *t = g_new0(struct sim_trace, 1);

	t->level = level;
	if (level == SIM_TRACE_FULL)
		t->text = g_string_sized_new(4096);
	t->sum = g_checksum_new(G_CHECKSUM_SHA256);
	return t;
}

void sim_trace_free(struct sim_trace *t)
{
	if (!t)
		return;
	if (t->text)
		g_string_free(t->text, TRUE);
	g_checksum_free(t->sum);
	g_free(t);
}

static void add_line(struct sim_trace *t, const char *line, gsize len)
{
	g_checksum_update(t->sum, (const guchar *)line, (gssize)len);
	if (t->text)
		g_string_append_len(t->text, line, (gssize)len);
	t->lines++;
}

void sim_trace_header(struct sim_trace *t, const char *key,
		      const char *fmt, ...)
{
	GString *line;
	va_list ap;

	if (!sim_trace_on(t))
		return;
	line = g_string_new("# ");
	g_string_append_printf(line, "%s: ", key);
	va_start(ap, fmt);
	g_string_append_vprintf(line, fmt, ap);
	va_end(ap);
	g_string_append_c(line, '\n');
	add_line(t, line->str, line->len);
	g_string_free(line, TRUE);
}

void sim_trace_eventv(struct sim *s, const char *kind, const char *fmt,
		      va_list ap)
{
	char label[96];
	GString *line;

	if (!s || !sim_trace_on(s->trace))
		return;
	line = g_string_sized_new(96);
	g_string_append_printf(line, "%6llu %12llu %-16s %-8s ",
			       (unsigned long long)s->step,
			       (unsigned long long)s->now,
			       sim_fiber_label(s->current, label, sizeof(label)),
			       kind);
	g_string_append_vprintf(line, fmt, ap);
	/* One event, one line: fold any newline the text carries. */
	for (gsize i = 0; i < line->len; i++)
		if (line->str[i] == '\n')
			line->str[i] = ' ';
	g_string_append_c(line, '\n');
	add_line(s->trace, line->str, line->len);
	g_string_free(line, TRUE);
}

void sim_trace_event(struct sim *s, const char *kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_trace_eventv(s, kind, fmt, ap);
	va_end(ap);
}

char *sim_trace_digest(struct sim_trace *t)
{
	GChecksum *copy;
	char *d;

	if (!sim_trace_on(t))
		return g_strdup("off");
	copy = g_checksum_copy(t->sum);
	d = g_strconcat("sha256:", g_checksum_get_string(copy), NULL);

	g_checksum_free(copy);
	return d;
}

const char *sim_trace_text(const struct sim_trace *t)
{
	return t->text ? t->text->str : NULL;
}

/* "#<id> of {a,b,c}": the chosen id and how many were runnable. */
static bool parse_pick(const char *text, int *id, unsigned int *nrun)
{
	char *end;
	long v;
	const char *p;

	if (*text != '#')
		return false;
	errno = 0;
	v = strtol(text + 1, &end, 10);
	if (errno || end == text + 1 || v < 0 || v > G_MAXINT ||
	    strncmp(end, " of {", 5))
		return false;
	*id = (int)v;
	*nrun = 1;
	for (p = end + 5; *p && *p != '}'; p++) {
		if (*p == ',')
			(*nrun)++;
		else if (!g_ascii_isdigit(*p))
			return false;
	}
	return *p == '}';
}

GArray *sim_trace_parse_picks(const char *text, const char *file,
			      GError **err)
{
	GArray *picks = g_array_new(FALSE, FALSE, sizeof(int));
	gchar **lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i]; i++) {
		char kind[16];
		int off = 0, id;
		unsigned int nrun;

		if (!lines[i][0] || lines[i][0] == '#')
			continue;
		if (sscanf(lines[i], "%*u %*u %*s %15s %n", kind, &off) < 1 ||
		    !off || strcmp(kind, "pick"))
			continue;
		if (!parse_pick(lines[i] + off, &id, &nrun)) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s:%u: malformed pick line: expected "
				    "'#<fiber> of {<ids>}'", file, i + 1);
			g_array_free(picks, TRUE);
			picks = NULL;
			break;
		}
		if (nrun > 1)
			g_array_append_val(picks, id);
	}
	g_strfreev(lines);
	return picks;
}
