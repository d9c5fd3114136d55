/*
 * physmem.c - frame contents and cache-line poison.
 *
 * A frame that was never written, or was cleared, has no entry and reads
 * as zeros.  An entry holds the frame's bytes (NULL: zeros) and a 64-bit
 * mask of poisoned lines.  Bytes are immutable GBytes: a write builds a
 * new one, a copy takes a reference.
 */
#include "sim/physmem.h"

#include <string.h>

struct frame {
	GBytes *bytes;		/* PHYSMEM_PAGE_SIZE bytes, or NULL */
	uint64_t poison;	/* bit n: line n is poisoned */
};

struct physmem {
	unsigned long nr_pages;
	GHashTable *frames;	/* pfn -> struct frame; lookups only */
	unsigned long nr_poisoned;
};

static void frame_free(gpointer p)
{
	struct frame *f = p;

	if (f->bytes)
		g_bytes_unref(f->bytes);
	g_free(f);
}

struct physmem *physmem_new(unsigned long nr_pages)
{
	struct physmem *pm = g_new0(struct physmem, 1);

	pm->nr_pages = nr_pages;
	pm->frames = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					   NULL, frame_free);
	return pm;
}

void physmem_free(struct physmem *pm)
{
	if (!pm)
		return;
	g_hash_table_destroy(pm->frames);
	g_free(pm);
}

unsigned long physmem_nr_pages(const struct physmem *pm)
{
	return pm->nr_pages;
}

static struct frame *lookup(const struct physmem *pm, unsigned long pfn)
{
	return g_hash_table_lookup(pm->frames, GSIZE_TO_POINTER(pfn));
}

static struct frame *get(struct physmem *pm, unsigned long pfn)
{
	struct frame *f = lookup(pm, pfn);

	g_assert(pfn < pm->nr_pages);
	if (!f) {
		f = g_new0(struct frame, 1);
		g_hash_table_insert(pm->frames, GSIZE_TO_POINTER(pfn), f);
	}
	return f;
}

/* Drop an entry that holds nothing: zeros and no poison. */
static void tidy(struct physmem *pm, unsigned long pfn, struct frame *f)
{
	if (!f->bytes && !f->poison)
		g_hash_table_remove(pm->frames, GSIZE_TO_POINTER(pfn));
}

static uint64_t line_mask(unsigned int off, size_t len)
{
	unsigned int first = off / PHYSMEM_LINE_SIZE;
	unsigned int last = (unsigned int)((off + len - 1) / PHYSMEM_LINE_SIZE);
	uint64_t m = 0;

	for (unsigned int l = first; l <= last; l++)
		m |= 1ULL << l;
	return m;
}

/* The first poisoned byte an access of mask touches, or -1. */
static int first_bad(const struct frame *f, uint64_t mask, unsigned int off)
{
	uint64_t hit = f ? f->poison & mask : 0;
	unsigned int at;

	if (!hit)
		return -1;
	at = (unsigned int)__builtin_ctzll(hit) * PHYSMEM_LINE_SIZE;
	return (int)(at > off ? at : off);
}

int physmem_read(struct physmem *pm, unsigned long pfn, unsigned int off,
		 void *buf, size_t len, unsigned int *bad_off)
{
	const struct frame *f = lookup(pm, pfn);
	int bad;

	g_assert(off + len <= PHYSMEM_PAGE_SIZE);
	if (!len)
		return 0;
	bad = first_bad(f, line_mask(off, len), off);
	if (bad >= 0) {
		if (bad_off)
			*bad_off = (unsigned int)bad;
		return -EHWPOISON;
	}
	if (f && f->bytes)
		memcpy(buf, (const char *)g_bytes_get_data(f->bytes, NULL) + off,
		       len);
	else
		memset(buf, 0, len);
	return 0;
}

/* Lines a write covers only partly must be read first: consumption. */
static uint64_t partial_lines(unsigned int off, size_t len)
{
	uint64_t m = 0;
	size_t end = off + len;

	if (off % PHYSMEM_LINE_SIZE)
		m |= 1ULL << (off / PHYSMEM_LINE_SIZE);
	if (end % PHYSMEM_LINE_SIZE)
		m |= 1ULL << ((end - 1) / PHYSMEM_LINE_SIZE);
	return m;
}

int physmem_write(struct physmem *pm, unsigned long pfn, unsigned int off,
		  const void *buf, size_t len, unsigned int *bad_off)
{
	struct frame *f;
	char *data;
	int bad;

	g_assert(off + len <= PHYSMEM_PAGE_SIZE);
	if (!len)
		return 0;
	bad = first_bad(lookup(pm, pfn), partial_lines(off, len), off);
	if (bad >= 0) {
		if (bad_off)
			*bad_off = (unsigned int)bad;
		return -EHWPOISON;
	}
	f = get(pm, pfn);
	data = g_malloc0(PHYSMEM_PAGE_SIZE);
	if (f->bytes)
		memcpy(data, g_bytes_get_data(f->bytes, NULL),
		       PHYSMEM_PAGE_SIZE);
	memcpy(data + off, buf, len);
	if (f->bytes)
		g_bytes_unref(f->bytes);
	f->bytes = g_bytes_new_take(data, PHYSMEM_PAGE_SIZE);
	/* Whole lines written are fresh data: their poison is gone, as
	 * a full-line store overwrites the line without reading it. */
	f->poison &= ~(line_mask(off, len) & ~partial_lines(off, len));
	return 0;
}

int physmem_get_page(struct physmem *pm, unsigned long pfn, GBytes **out,
		     unsigned int *bad_off)
{
	const struct frame *f = lookup(pm, pfn);
	int bad = first_bad(f, ~0ULL, 0);

	*out = NULL;
	if (bad >= 0) {
		if (bad_off)
			*bad_off = (unsigned int)bad;
		return -EHWPOISON;
	}
	if (f && f->bytes)
		*out = g_bytes_ref(f->bytes);
	return 0;
}

void physmem_set_page(struct physmem *pm, unsigned long pfn, GBytes *bytes)
{
	struct frame *f = get(pm, pfn);

	g_assert(!bytes || g_bytes_get_size(bytes) == PHYSMEM_PAGE_SIZE);
	if (f->bytes)
		g_bytes_unref(f->bytes);
	f->bytes = bytes ? g_bytes_ref(bytes) : NULL;
	tidy(pm, pfn, f);
}

int physmem_copy_page(struct physmem *pm, unsigned long dst,
		      unsigned long src, unsigned int *bad_off)
{
	GBytes *b;
	int ret = physmem_get_page(pm, src, &b, bad_off);

	if (ret)
		return ret;
	physmem_set_page(pm, dst, b);
	if (b)
		g_bytes_unref(b);
	return 0;
}

void physmem_clear_page(struct physmem *pm, unsigned long pfn)
{
	physmem_set_page(pm, pfn, NULL);
}

void physmem_poison_line(struct physmem *pm, unsigned long pfn,
			 unsigned int line)
{
	struct frame *f = get(pm, pfn);

	g_assert(line < PHYSMEM_LINES);
	if (!f->poison)
		pm->nr_poisoned++;
	f->poison |= 1ULL << line;
}

void physmem_unpoison_page(struct physmem *pm, unsigned long pfn)
{
	struct frame *f = lookup(pm, pfn);

	if (!f || !f->poison)
		return;
	f->poison = 0;
	pm->nr_poisoned--;
	tidy(pm, pfn, f);
}

bool physmem_page_poisoned(const struct physmem *pm, unsigned long pfn)
{
	const struct frame *f = lookup(pm, pfn);

	return f && f->poison;
}

uint64_t physmem_poison_mask(const struct physmem *pm, unsigned long pfn)
{
	const struct frame *f = lookup(pm, pfn);

	return f ? f->poison : 0;
}

unsigned long physmem_nr_poisoned_pages(const struct physmem *pm)
{
	return pm->nr_poisoned;
}
