/*
 * mce_inject.c - reader for mce-inject's input language (see mce_inject.h).
 *
 * A hand-written scanner and recursive-descent parser of the tool's
 * grammar.  The tool stops at the first error; so does this reader, but it
 * says what it expected instead of bison's bare "syntax error".
 */
#include "sim/mce_inject.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

/* ---- tokens --------------------------------------------------------- */

enum tok {
	T_EOF, T_NUMBER, T_SYMBOL, T_PUNCT,
	/* record starts and the kernel panic-line words */
	K_MCE, K_CPU, K_MACHINE, K_CHECK, K_EXCEPTION,
	/* fields */
	K_STATUS, K_MCGSTATUS, K_BANK, K_TSC, K_TIME, K_SOCKETID, K_APICID,
	K_MCGCAP, K_RIP, K_ADDR, K_MISC, K_PROCESSOR,
	/* flags */
	K_NOBROADCAST, K_HOLD, K_IN_IRQ, K_IN_PROC, K_POLL, K_EXCP,
	K_IRQBROADCAST, K_NMIBROADCAST,
	/* values */
	K_STATUS_BITS, K_MCG_BITS,
};

struct keyword {
	const char *name;
	enum tok tok;
	uint64_t val;
};

static const struct keyword keywords[] = {
	{ "MCE", K_MCE, 0 },
	{ "CPU", K_CPU, 0 },
	{ "MACHINE", K_MACHINE, 0 },
	{ "CHECK", K_CHECK, 0 },
	{ "EXCEPTION", K_EXCEPTION, 0 },
	{ "STATUS", K_STATUS, 0 },
	{ "MCGSTATUS", K_MCGSTATUS, 0 },
	{ "BANK", K_BANK, 0 },
	{ "TSC", K_TSC, 0 },
	{ "TIME", K_TIME, 0 },
	{ "SOCKETID", K_SOCKETID, 0 },
	{ "APICID", K_APICID, 0 },
	{ "MCGCAP", K_MCGCAP, 0 },
	{ "RIP", K_RIP, 0 },
	{ "ADDR", K_ADDR, 0 },
	{ "MISC", K_MISC, 0 },
	{ "PROCESSOR", K_PROCESSOR, 0 },
	{ "NOBROADCAST", K_NOBROADCAST, 0 },
	{ "HOLD", K_HOLD, 0 },
	{ "IN_IRQ", K_IN_IRQ, 0 },
	{ "IN_PROC", K_IN_PROC, 0 },
	{ "POLL", K_POLL, 0 },
	{ "EXCP", K_EXCP, 0 },
	{ "IRQBROADCAST", K_IRQBROADCAST, 0 },
	{ "NMIBROADCAST", K_NMIBROADCAST, 0 },
	/* The tool's CORRECTED etc.: the bits such an error always has. */
	{ "CORRECTED", K_STATUS_BITS, MCI_STATUS_VAL | MCI_STATUS_EN },
	{ "UNCORRECTED", K_STATUS_BITS,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN },
	{ "FATAL", K_STATUS_BITS,
	  MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_PCC },
	{ "VAL", K_STATUS_BITS, MCI_STATUS_VAL },
	{ "OVER", K_STATUS_BITS, MCI_STATUS_OVER },
	{ "UC", K_STATUS_BITS, MCI_STATUS_UC },
	{ "EN", K_STATUS_BITS, MCI_STATUS_EN },
	{ "PCC", K_STATUS_BITS, MCI_STATUS_PCC },
	{ "S", K_STATUS_BITS, MCI_STATUS_S },
	{ "AR", K_STATUS_BITS, MCI_STATUS_AR },
	{ "TES_YELLOW", K_STATUS_BITS, MCI_STATUS_TES_YELLOW },
	/* UCNA is UC without S: it adds nothing to UNCORRECTED. */
	{ "UCNA", K_STATUS_BITS, 0 },
	{ "SRAO", K_STATUS_BITS, MCI_STATUS_S },
	{ "SRAR", K_STATUS_BITS, MCI_STATUS_S | MCI_STATUS_AR },
	/* hwpsim's additions, for files written by hand. */
	{ "MISCV", K_STATUS_BITS, MCI_STATUS_MISCV },
	{ "ADDRV", K_STATUS_BITS, MCI_STATUS_ADDRV },
	{ "RIPV", K_MCG_BITS, MCG_STATUS_RIPV },
	{ "EIPV", K_MCG_BITS, MCG_STATUS_EIPV },
	{ "MCIP", K_MCG_BITS, MCG_STATUS_MCIP },
	{ "LMCES", K_MCG_BITS, MCG_STATUS_LMCES },
	{ "TES_P", K_MCG_BITS, MCG_STATUS_TES_P },
	{ "SEAM_NR", K_MCG_BITS, MCG_STATUS_SEAM_NR },
};

struct token {
	enum tok tok;
	uint64_t val;
	unsigned int line;
	char text[64];		/* as written, for messages and symbols */
};

struct parser {
	const char *name;
	const char *p, *end;
	unsigned int line;
	struct token t;		/* the lookahead */
	char *err;
	GArray *recs;
};

static bool fail(struct parser *ps, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (ps->err)
		return false;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ps->err = g_strdup_printf("%s:%u: %s", ps->name, line, msg);
	g_free(msg);
	return false;
}

/* The token for messages: 'word', or "end of file". */
static const char *shown(const struct token *t, char *buf, size_t len)
{
	if (t->tok == T_EOF)
		return "end of file";
	g_snprintf(buf, len, "'%s'", t->text);
	return buf;
}

static void copy_text(struct token *t, const char *s, size_t n)
{
	if (n >= sizeof(t->text))
		n = sizeof(t->text) - 1;
	memcpy(t->text, s, n);
	t->text[n] = '\0';
}

static const struct keyword *lookup(const char *word)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++)
		if (!strcasecmp(keywords[i].name, word))
			return &keywords[i];
	return NULL;
}

static bool is_word_char(int c)
{
	return c == '_' || isalnum(c);
}

/* A C number literal: 0x hex, 0 octal, decimal; no suffixes. */
static bool scan_number(struct parser *ps, const char *s, size_t n)
{
	const char *digits = s;
	unsigned int base = 10;
	uint64_t v = 0;

	if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits += 2;
	} else if (n > 1 && s[0] == '0') {
		base = 8;
		digits += 1;
	}
	if (digits == s + n)
		return fail(ps, ps->line, "invalid number '%s'", ps->t.text);
	for (const char *q = digits; q < s + n; q++) {
		int d = g_ascii_xdigit_value(*q);

		if (d < 0 || (unsigned int)d >= base)
			return fail(ps, ps->line, "invalid number '%s'",
				    ps->t.text);
		if (v > (UINT64_MAX - d) / base)
			return fail(ps, ps->line, "number '%s' out of range",
				    ps->t.text);
		v = v * base + d;
	}
	ps->t.val = v;
	return true;
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->p++;
		} else if (c == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else {
			break;
		}
	}
}

/* Read the next token into ps->t; false (with the error set) if bad. */
static bool next(struct parser *ps)
{
	struct token *t = &ps->t;
	const char *s;
	size_t n;

	skip_blanks(ps);
	memset(t, 0, sizeof(*t));
	t->line = ps->line;
	if (ps->p >= ps->end) {
		t->tok = T_EOF;
		return true;
	}
	s = ps->p;
	if (strchr(":{}<>|", *s)) {
		t->tok = T_PUNCT;
		copy_text(t, s, 1);
		ps->p++;
		return true;
	}
	if (!is_word_char((unsigned char)*s))
		return fail(ps, ps->line, "unrecognized character '%c'", *s);
	for (n = 0; s + n < ps->end && is_word_char((unsigned char)s[n]); n++)
		;
	ps->p += n;
	copy_text(t, s, n);
	if (isdigit((unsigned char)*s)) {
		t->tok = T_NUMBER;
		return scan_number(ps, s, n);
	}
	const struct keyword *k = lookup(t->text);

	t->tok = k ? k->tok : T_SYMBOL;
	t->val = k ? k->val : 0;
	return true;
}

static bool is_punct(const struct token *t, char c)
{
	return t->tok == T_PUNCT && t->text[0] == c;
}

static bool expect_number(struct parser *ps, const char *after, uint64_t *v)
{
	char buf[80];

	if (!next(ps))
		return false;
	if (ps->t.tok != T_NUMBER)
		return fail(ps, ps->t.line, "expected a number after %s, got %s",
			    after, shown(&ps->t, buf, sizeof(buf)));
	*v = ps->t.val;
	return next(ps);
}

static bool expect_punct(struct parser *ps, char c, const char *where)
{
	char buf[80];

	if (!is_punct(&ps->t, c))
		return fail(ps, ps->t.line, "expected '%c' %s, got %s", c, where,
			    shown(&ps->t, buf, sizeof(buf)));
	return next(ps);
}

static bool expect_word(struct parser *ps, enum tok tok, const char *word)
{
	char buf[80];

	if (ps->t.tok != tok)
		return fail(ps, ps->t.line, "expected %s, got %s", word,
			    shown(&ps->t, buf, sizeof(buf)));
	return next(ps);
}

/* ---- the grammar ------------------------------------------------------ */

/*
 * A list of values OR-ed together: words of one kind and numbers, with an
 * optional '|' between them.  May be empty, as in the tool.
 */
static bool value_list(struct parser *ps, enum tok kind, uint64_t *out)
{
	uint64_t v = 0;

	if (!next(ps))
		return false;
	for (;;) {
		if (ps->t.tok == kind || ps->t.tok == T_NUMBER)
			v |= ps->t.val;
		else if (!is_punct(&ps->t, '|'))
			break;
		if (!next(ps))
			return false;
	}
	*out = v;
	return true;
}

/* RIP ip | RIP cs:ip | RIP cs:<ip>{symbol} */
static bool rip(struct parser *ps, struct mce_inject_record *r)
{
	uint64_t first, ip;

	if (!expect_number(ps, "RIP", &first))
		return false;
	if (!is_punct(&ps->t, ':')) {
		r->m.ip = first;
		return true;
	}
	r->m.cs = (uint8_t)first;
	if (!next(ps))
		return false;
	if (ps->t.tok == T_NUMBER) {
		r->m.ip = ps->t.val;
		return next(ps);
	}
	if (!expect_punct(ps, '<', "or a number after RIP cs:"))
		return false;
	if (ps->t.tok != T_NUMBER)
		return fail(ps, ps->t.line, "expected a number after RIP cs:<");
	ip = ps->t.val;
	if (!next(ps) || !expect_punct(ps, '>', "after RIP cs:<ip") ||
	    !expect_punct(ps, '{', "after RIP cs:<ip>"))
		return false;
	if (ps->t.tok != T_SYMBOL)
		return fail(ps, ps->t.line, "expected a symbol name in RIP {}");
	g_strlcpy(r->symbol, ps->t.text, sizeof(r->symbol));
	r->m.ip = ip;
	return next(ps) && expect_punct(ps, '}', "after the RIP symbol");
}

static bool number_field(struct parser *ps, struct mce_inject_record *r)
{
	enum tok tok = ps->t.tok;
	char kw[64];
	uint64_t v;

	g_strlcpy(kw, ps->t.text, sizeof(kw));
	if (!expect_number(ps, kw, &v))
		return false;
	switch (tok) {
	case K_BANK:	r->m.bank = (uint8_t)v; break;
	case K_TSC:	r->m.tsc = v; break;
	case K_TIME:	r->m.time = v; break;
	case K_SOCKETID: r->m.socketid = (uint32_t)v; break;
	case K_APICID:	r->m.apicid = (uint32_t)v; break;
	case K_MCGCAP:	r->m.mcgcap = v; break;
	case K_ADDR:
		r->m.addr = v;
		r->m.status |= MCI_STATUS_ADDRV;
		break;
	case K_MISC:
		r->m.misc = v;
		r->m.status |= MCI_STATUS_MISCV;
		break;
	default:	break;
	}
	return true;
}

static bool processor(struct parser *ps, struct mce_inject_record *r)
{
	uint64_t vendor, cpuid;

	if (!expect_number(ps, "PROCESSOR", &vendor) ||
	    !expect_punct(ps, ':', "after PROCESSOR vendor"))
		return false;
	if (ps->t.tok != T_NUMBER)
		return fail(ps, ps->t.line, "expected a number after PROCESSOR vendor:");
	cpuid = ps->t.val;
	r->m.cpuvendor = (uint8_t)vendor;
	r->m.cpuid = (uint32_t)cpuid;
	return next(ps);
}

/* The flag words, which take no value. */
static void flag(struct mce_inject_record *r, enum tok tok)
{
	switch (tok) {
	case K_NOBROADCAST:	r->flags |= MCE_INJ_NOBROADCAST; break;
	case K_HOLD:		r->flags |= MCE_INJ_HOLD; break;
	case K_IN_IRQ:	MCJ_CTX_SET(r->m.inject_flags, MCJ_CTX_IRQ); break;
	case K_IN_PROC:	MCJ_CTX_SET(r->m.inject_flags, MCJ_CTX_PROCESS); break;
	case K_POLL:
		r->flags |= MCE_INJ_RAISE_MODE;
		r->m.inject_flags &= ~MCJ_EXCEPTION;
		break;
	case K_EXCP:
		r->flags |= MCE_INJ_RAISE_MODE;
		r->m.inject_flags |= MCJ_EXCEPTION;
		break;
	case K_IRQBROADCAST:
		r->flags |= MCE_INJ_IRQBROADCAST;
		r->m.inject_flags |= MCJ_IRQ_BROADCAST;
		break;
	case K_NMIBROADCAST:
		r->flags |= MCE_INJ_NMIBROADCAST;
		r->m.inject_flags |= MCJ_NMI_BROADCAST;
		break;
	default:
		break;
	}
}

/* One field; false at the end of the record (or on an error). */
static bool field(struct parser *ps, struct mce_inject_record *r, bool *more)
{
	*more = true;
	switch (ps->t.tok) {
	case K_STATUS:
		return value_list(ps, K_STATUS_BITS, &r->m.status);
	case K_MCGSTATUS:
		return value_list(ps, K_MCG_BITS, &r->m.mcgstatus);
	case K_RIP:
		return rip(ps, r);
	case K_PROCESSOR:
		return processor(ps, r);
	case K_BANK: case K_TSC: case K_TIME: case K_SOCKETID: case K_APICID:
	case K_MCGCAP: case K_ADDR: case K_MISC:
		return number_field(ps, r);
	case K_NOBROADCAST: case K_HOLD: case K_IN_IRQ: case K_IN_PROC:
	case K_POLL: case K_EXCP: case K_IRQBROADCAST: case K_NMIBROADCAST:
		flag(r, ps->t.tok);
		return next(ps);
	default:
		*more = false;
		return true;
	}
}

/* CPU n : MACHINE CHECK EXCEPTION : mcgstatus BANK b : status */
static bool panic_line(struct parser *ps, struct mce_inject_record *r)
{
	if (!next(ps) || !expect_word(ps, K_MACHINE, "MACHINE after CPU n:") ||
	    !expect_word(ps, K_CHECK, "CHECK") ||
	    !expect_word(ps, K_EXCEPTION, "EXCEPTION") ||
	    !expect_punct(ps, ':', "after MACHINE CHECK EXCEPTION"))
		return false;
	if (ps->t.tok != T_NUMBER)
		return fail(ps, ps->t.line, "expected the MCG status number");
	r->m.mcgstatus = ps->t.val;
	if (!next(ps) || !expect_word(ps, K_BANK, "BANK"))
		return false;
	if (ps->t.tok != T_NUMBER)
		return fail(ps, ps->t.line, "expected a number after BANK");
	r->m.bank = (uint8_t)ps->t.val;
	if (!next(ps) || !expect_punct(ps, ':', "after BANK n"))
		return false;
	if (ps->t.tok != T_NUMBER)
		return fail(ps, ps->t.line, "expected the status number");
	r->m.status = ps->t.val;
	return next(ps);
}

/* MCE | CPU n [bank] | the panic line */
static bool record_start(struct parser *ps, struct mce_inject_record *r,
			 bool *complete)
{
	char buf[80];
	uint64_t cpu;

	r->line = ps->t.line;
	if (ps->t.tok == K_MCE)
		return next(ps);
	if (ps->t.tok != K_CPU)
		return fail(ps, ps->t.line,
			    "expected CPU or MCE to start a record, got %s",
			    shown(&ps->t, buf, sizeof(buf)));
	if (!expect_number(ps, "CPU", &cpu))
		return false;
	/* The tool's panic-line form sets cpu only; extcpu is what counts. */
	r->m.cpu = (uint8_t)cpu;
	r->m.extcpu = (uint32_t)cpu;
	if (ps->t.tok == T_NUMBER) {
		r->m.bank = (uint8_t)ps->t.val;
		return next(ps);
	}
	if (is_punct(&ps->t, ':')) {
		*complete = true;
		return panic_line(ps, r);
	}
	return true;
}

static bool record(struct parser *ps)
{
	struct mce_inject_record r;
	bool more = true, complete = false;
	unsigned int nr = 0;
	char buf[80];

	memset(&r, 0, sizeof(r));
	if (!record_start(ps, &r, &complete))
		return false;
	/* The panic-line form is complete by itself. */
	nr = complete;
	while (more) {
		if (!field(ps, &r, &more))
			return false;
		nr += more;
	}
	if (!nr)
		return fail(ps, ps->t.line,
			    "expected a field (STATUS, MCGSTATUS, BANK, ADDR, MISC, RIP, ...) after the record start, got %s",
			    shown(&ps->t, buf, sizeof(buf)));
	if (ps->t.tok != T_EOF && ps->t.tok != K_CPU && ps->t.tok != K_MCE)
		return fail(ps, ps->t.line,
			    "expected a field or a new record (CPU, MCE), got %s",
			    shown(&ps->t, buf, sizeof(buf)));
	g_array_append_val(ps->recs, r);
	return true;
}

int mce_inject_parse(const char *name, const char *text, size_t len,
		     struct mce_inject_file **out, char **err)
{
	struct parser ps = {
		.name = name, .p = text, .end = text + len, .line = 1,
		.recs = g_array_new(FALSE, TRUE,
				    sizeof(struct mce_inject_record)),
	};
	struct mce_inject_file *f;
	bool ok = next(&ps);

	while (ok && ps.t.tok != T_EOF)
		ok = record(&ps);
	if (!ok) {
		g_array_free(ps.recs, TRUE);
		if (err)
			*err = ps.err;
		else
			g_free(ps.err);
		*out = NULL;
		return -EINVAL;
	}
	f = g_new0(struct mce_inject_file, 1);
	f->name = g_strdup(name);
	f->nr = ps.recs->len;
	f->recs = (struct mce_inject_record *)(void *)
		  g_array_free(ps.recs, FALSE);
	*out = f;
	return 0;
}

int mce_inject_load(const char *path, struct mce_inject_file **out,
		    char **err)
{
	GError *gerr = NULL;
	gchar *text;
	gsize len;
	int ret;

	*out = NULL;
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		ret = gerr->domain == G_FILE_ERROR &&
		      gerr->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
		if (err)
			*err = g_strdup_printf("%s: %s", path, gerr->message);
		g_error_free(gerr);
		return ret;
	}
	ret = mce_inject_parse(path, text, len, out, err);
	g_free(text);
	return ret;
}

void mce_inject_file_free(struct mce_inject_file *f)
{
	if (!f)
		return;
	g_free(f->name);
	g_free(f->recs);
	g_free(f);
}

bool mce_inject_raise_exception(const struct mce_inject_record *r)
{
	if (r->flags & MCE_INJ_RAISE_MODE)
		return r->m.inject_flags & MCJ_EXCEPTION;
	return r->m.status & MCI_STATUS_UC;
}

bool mce_inject_broadcast(const struct mce_inject_record *r)
{
	return (r->m.status & MCI_STATUS_UC) &&
	       !(r->flags & MCE_INJ_NOBROADCAST);
}

char *mce_inject_dump(const struct mce_inject_record *r)
{
	const struct mce *m = &r->m;

	return g_strdup_printf("CPU %u\nBANK %u\nTSC 0x%" G_GINT64_MODIFIER "x\n"
			       "RIP 0x%02x:0x%" G_GINT64_MODIFIER "x\n"
			       "MISC 0x%" G_GINT64_MODIFIER "x\n"
			       "ADDR 0x%" G_GINT64_MODIFIER "x\n"
			       "STATUS 0x%" G_GINT64_MODIFIER "x\n"
			       "MCGSTATUS 0x%" G_GINT64_MODIFIER "x\n",
			       m->extcpu, m->bank, (guint64)m->tsc, m->cs,
			       (guint64)m->ip, (guint64)m->misc,
			       (guint64)m->addr, (guint64)m->status,
			       (guint64)m->mcgstatus);
}
