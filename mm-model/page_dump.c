/*
 * page_dump.c - kpageflags, page-types formatting and dump_page().
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm-model/internal.h"
#include "mm-model/page_dump.h"

#define KPF_BIT(name)		(1ULL << KPF_##name)
#define KPF_HACKERS_BITS	(0xffffULL << 32)
#define KPF_COMPOUND_BITS	(KPF_BIT(COMPOUND_HEAD) | KPF_BIT(COMPOUND_TAIL))

/*
 * page-types' names: the letter it prints, a colon, the long name.  Bits
 * without a name print nothing at all (not even '_').
 */
static const char *const kpf_names[64] = {
	[KPF_LOCKED]		= "L:locked",
	[KPF_ERROR]		= "E:error",
	[KPF_REFERENCED]	= "R:referenced",
	[KPF_UPTODATE]		= "U:uptodate",
	[KPF_DIRTY]		= "D:dirty",
	[KPF_LRU]		= "l:lru",
	[KPF_ACTIVE]		= "A:active",
	[KPF_SLAB]		= "S:slab",
	[KPF_WRITEBACK]		= "W:writeback",
	[KPF_RECLAIM]		= "I:reclaim",
	[KPF_BUDDY]		= "B:buddy",
	[KPF_MMAP]		= "M:mmap",
	[KPF_ANON]		= "a:anonymous",
	[KPF_SWAPCACHE]		= "s:swapcache",
	[KPF_SWAPBACKED]	= "b:swapbacked",
	[KPF_COMPOUND_HEAD]	= "H:compound_head",
	[KPF_COMPOUND_TAIL]	= "T:compound_tail",
	[KPF_HUGE]		= "G:huge",
	[KPF_UNEVICTABLE]	= "u:unevictable",
	[KPF_HWPOISON]		= "X:hwpoison",
	[KPF_NOPAGE]		= "n:nopage",
	[KPF_KSM]		= "x:ksm",
	[KPF_THP]		= "t:thp",
	[KPF_OFFLINE]		= "o:offline",
	[KPF_ZERO_PAGE]		= "z:zero_page",
	[KPF_IDLE]		= "i:idle_page",
	[KPF_PGTABLE]		= "g:pgtable",
	[KPF_RESERVED]		= "r:reserved",
	[KPF_MLOCKED]		= "m:mlocked",
	[KPF_MAPPEDTODISK]	= "d:mappedtodisk",
	[KPF_PRIVATE]		= "P:private",
	[KPF_PRIVATE_2]		= "p:private_2",
	[KPF_OWNER_PRIVATE]	= "O:owner_private",
	[KPF_ARCH]		= "h:arch",
	[KPF_UNCACHED]		= "c:uncached",
	[KPF_SOFTDIRTY]		= "f:softdirty",
	[KPF_ARCH_2]		= "H:arch_2",
	[KPF_ANON_EXCLUSIVE]	= "d:anon_exclusive",
	[KPF_READAHEAD]		= "I:readahead",
	[KPF_SLOB_FREE]		= "P:slob_free",
	[KPF_SLUB_FROZEN]	= "A:slub_frozen",
	[KPF_SLUB_DEBUG]	= "E:slub_debug",
	[KPF_FILE]		= "F:file",
	[KPF_SWAP]		= "w:swap",
	[KPF_MMAP_EXCLUSIVE]	= "1:mmap_exclusive",
};

/* ---- /proc/kpageflags ------------------------------------------------- */

static inline u64 kpf_copy_bit(u64 kflags, int ubit, int kbit)
{
	return ((kflags >> kbit) & 1) << ubit;
}

/* Bits computed from page state rather than copied from page->flags. */
static u64 kpf_derived(struct page *page)
{
	u64 u = 0;

	/* Slab reuses the map count word: ask only non-slab pages. */
	if (!PageSlab(page) && page_mapped(page))
		u |= KPF_BIT(MMAP);
	if (PageAnon(page))
		u |= KPF_BIT(ANON);
	if (PageKsm(page))
		u |= KPF_BIT(KSM);

	if (PageHead(page))
		u |= KPF_BIT(COMPOUND_HEAD);
	if (PageTail(page))
		u |= KPF_BIT(COMPOUND_TAIL);
	if (PageHuge(page)) {
		u |= KPF_BIT(HUGE);
	} else if (PageTransCompound(page)) {
		/* Only LRU or anonymous compound pages are THPs. */
		struct page *head = compound_head(page);

		if (PageLRU(head) || PageAnon(head))
			u |= KPF_BIT(THP);
	} else if (is_zero_pfn(page_to_pfn(page))) {
		u |= KPF_BIT(ZERO_PAGE);
	}

	/* Every page of a free block is buddy, not only its first. */
	if (PageBuddy(page))
		u |= KPF_BIT(BUDDY);
	else if (page_count(page) == 0 && is_free_buddy_page(page))
		u |= KPF_BIT(BUDDY);

	if (PageOffline(page))
		u |= KPF_BIT(OFFLINE);
	if (PageTable(page))
		u |= KPF_BIT(PGTABLE);
	if (PageTail(page) && PageSlab(compound_head(page)))
		u |= KPF_BIT(SLAB);
	if (PageSwapCache(page))
		u |= KPF_BIT(SWAPCACHE);
	return u;
}

u64 stable_page_flags(struct page *page)
{
	u64 k, u;

	if (!page)
		return KPF_BIT(NOPAGE);
	k = page->flags;
	u = kpf_derived(page);

	u |= kpf_copy_bit(k, KPF_LOCKED, PG_locked);
	u |= kpf_copy_bit(k, KPF_SLAB, PG_slab);
	u |= kpf_copy_bit(k, KPF_ERROR, PG_error);
	u |= kpf_copy_bit(k, KPF_DIRTY, PG_dirty);
	u |= kpf_copy_bit(k, KPF_UPTODATE, PG_uptodate);
	u |= kpf_copy_bit(k, KPF_WRITEBACK, PG_writeback);
	u |= kpf_copy_bit(k, KPF_LRU, PG_lru);
	u |= kpf_copy_bit(k, KPF_REFERENCED, PG_referenced);
	u |= kpf_copy_bit(k, KPF_ACTIVE, PG_active);
	u |= kpf_copy_bit(k, KPF_RECLAIM, PG_reclaim);
	u |= kpf_copy_bit(k, KPF_SWAPBACKED, PG_swapbacked);
	u |= kpf_copy_bit(k, KPF_UNEVICTABLE, PG_unevictable);
	u |= kpf_copy_bit(k, KPF_MLOCKED, PG_mlocked);
	u |= kpf_copy_bit(k, KPF_HWPOISON, PG_hwpoison);
	u |= kpf_copy_bit(k, KPF_RESERVED, PG_reserved);
	u |= kpf_copy_bit(k, KPF_MAPPEDTODISK, PG_mappedtodisk);
	u |= kpf_copy_bit(k, KPF_PRIVATE, PG_private);
	u |= kpf_copy_bit(k, KPF_PRIVATE_2, PG_private_2);
	u |= kpf_copy_bit(k, KPF_OWNER_PRIVATE, PG_owner_priv_1);
	u |= kpf_copy_bit(k, KPF_ARCH, PG_arch_1);
	u |= kpf_copy_bit(k, KPF_ARCH_2, PG_arch_2);
	return u;
}

u64 kpageflags_pfn(unsigned long pfn)
{
	return stable_page_flags(pfn_valid(pfn) ? pfn_to_page(pfn) : NULL);
}

u64 kpagecount(struct page *page)
{
	if (!page || PageSlab(page) || page_has_type(page))
		return 0;
	return (u64)page_mapcount(page);
}

/* ---- page-types ------------------------------------------------------- */

/* Split overloaded bits into their second meanings (page-types -r). */
static u64 expand_overloaded_flags(u64 flags)
{
	if ((flags & KPF_BIT(ANON)) && (flags & KPF_BIT(MAPPEDTODISK)))
		flags ^= KPF_BIT(MAPPEDTODISK) | KPF_BIT(ANON_EXCLUSIVE);
	if (flags & KPF_BIT(SLAB)) {
		if (flags & KPF_BIT(PRIVATE))
			flags ^= KPF_BIT(PRIVATE) | KPF_BIT(SLOB_FREE);
		if (flags & KPF_BIT(ACTIVE))
			flags ^= KPF_BIT(ACTIVE) | KPF_BIT(SLUB_FROZEN);
		if (flags & KPF_BIT(ERROR))
			flags ^= KPF_BIT(ERROR) | KPF_BIT(SLUB_DEBUG);
	}
	/* Reclaim without writeback is the read path's readahead mark. */
	if ((flags & (KPF_BIT(RECLAIM) | KPF_BIT(WRITEBACK))) ==
	    KPF_BIT(RECLAIM))
		flags ^= KPF_BIT(RECLAIM) | KPF_BIT(READAHEAD);
	return flags;
}

/* What page-types shows without -r. */
static u64 well_known_flags(u64 flags)
{
	flags &= ~KPF_HACKERS_BITS;
	if ((flags & KPF_COMPOUND_BITS) && !(flags & KPF_BIT(HUGE)))
		flags &= ~KPF_COMPOUND_BITS;
	return flags;
}

u64 page_types_flags(u64 kpageflags, bool raw)
{
	return raw ? expand_overloaded_flags(kpageflags) :
		     well_known_flags(kpageflags);
}

char *page_flag_name(u64 flags, char *buf)
{
	size_t j = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(kpf_names); i++) {
		if (!kpf_names[i])
			continue;
		buf[j++] = (flags >> i) & 1 ? kpf_names[i][0] : '_';
	}
	buf[j] = '\0';
	return buf;
}

void page_flag_longname(u64 flags, GString *out)
{
	bool first = true;

	for (unsigned int i = 0; i < ARRAY_SIZE(kpf_names); i++) {
		if (!kpf_names[i] || !((flags >> i) & 1))
			continue;
		if (!first)
			g_string_append_c(out, ',');
		g_string_append(out, kpf_names[i] + 2);
		first = false;
	}
}

static void append_names(GString *out, u64 flags, bool with_long)
{
	char buf[KPF_NAME_LEN + 1];

	g_string_append(out, page_flag_name(flags, buf));
	if (with_long) {
		g_string_append_c(out, '\t');
		page_flag_longname(flags, out);
	}
	g_string_append_c(out, '\n');
}

void page_types_line(GString *out, unsigned long pfn, bool raw)
{
	u64 flags = page_types_flags(kpageflags_pfn(pfn), raw);

	g_string_append_printf(out, "%lx\t", pfn);
	append_names(out, flags, true);
}

/* A run of pages with equal flags, as page-types -l coalesces them. */
struct pt_run {
	unsigned long start;
	unsigned long count;
	u64 flags;
};

static void pt_run_flush(GString *out, struct pt_run *run, unsigned int opts)
{
	if (!run->count)
		return;
	g_string_append_printf(out, "%lx\t%lx\t", run->start, run->count);
	append_names(out, run->flags, opts & PT_LONG);
	run->count = 0;
}

struct pt_count {
	u64 flags;
	unsigned long pages;
};

static int pt_count_cmp(const void *a, const void *b)
{
	const struct pt_count *x = a, *y = b;

	return (x->flags > y->flags) - (x->flags < y->flags);
}

static void pt_summary(GString *out, GHashTable *counts, unsigned long total)
{
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(struct pt_count));
	GHashTableIter it;
	gpointer key, value;
	char buf[KPF_NAME_LEN + 1];

	g_hash_table_iter_init(&it, counts);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct pt_count row = { *(u64 *)key, *(unsigned long *)value };

		g_array_append_val(rows, row);
	}
	/* Hash order must not leak into the output. */
	g_array_sort(rows, pt_count_cmp);

	g_string_append(out, "             flags\tpage-count       MB"
			"  symbolic-flags\t\t\tlong-symbolic-flags\n");
	for (guint i = 0; i < rows->len; i++) {
		struct pt_count *row = &g_array_index(rows, struct pt_count, i);

		g_string_append_printf(out, "0x%016llx\t%10lu %8lu  %s\t",
				       (unsigned long long)row->flags,
				       row->pages,
				       (row->pages * PAGE_SIZE) >> 20,
				       page_flag_name(row->flags, buf));
		page_flag_longname(row->flags, out);
		g_string_append_c(out, '\n');
	}
	g_string_append_printf(out, "             total\t%10lu %8lu\n", total,
			       (total * PAGE_SIZE) >> 20);
	g_array_free(rows, TRUE);
}

static void pt_count_page(GHashTable *counts, u64 flags)
{
	unsigned long *n = g_hash_table_lookup(counts, &flags);

	if (!n) {
		u64 *key = g_new(u64, 1);

		*key = flags;
		n = g_new0(unsigned long, 1);
		g_hash_table_insert(counts, key, n);
	}
	(*n)++;
}

void page_types_dump(GString *out, unsigned long start, unsigned long nr,
		     unsigned int opts)
{
	GHashTable *counts = g_hash_table_new_full(g_int64_hash,
						   g_int64_equal,
						   g_free, g_free);
	unsigned long end = start + MIN(nr, max_pfn > start ?
					    max_pfn - start : 0);
	bool list = opts & (PT_LIST | PT_LIST_EACH);
	struct pt_run run = { 0 };

	if (opts & PT_LIST_EACH)
		g_string_append(out, (opts & PT_LONG) ?
				"offset\tflags\tlong-flags\n" :
				"offset\tflags\n");
	else if (opts & PT_LIST)
		g_string_append(out, (opts & PT_LONG) ?
				"offset\tlen\tflags\tlong-flags\n" :
				"offset\tlen\tflags\n");

	for (unsigned long pfn = start; pfn < end; pfn++) {
		u64 flags = page_types_flags(kpageflags_pfn(pfn),
					     opts & PT_RAW);

		if (opts & PT_LIST_EACH) {
			g_string_append_printf(out, "%lx\t", pfn);
			append_names(out, flags, opts & PT_LONG);
		} else if (opts & PT_LIST) {
			if (run.count && run.flags == flags &&
			    run.start + run.count == pfn) {
				run.count++;
			} else {
				pt_run_flush(out, &run, opts);
				run.start = pfn;
				run.count = 1;
				run.flags = flags;
			}
		}
		if (opts & PT_SUMMARY)
			pt_count_page(counts, flags);
	}
	pt_run_flush(out, &run, opts);

	if (opts & PT_SUMMARY) {
		if (list)
			g_string_append(out, "\n\n");
		pt_summary(out, counts, end > start ? end - start : 0);
	}
	g_hash_table_destroy(counts);
}

/* ---- dump_page ---------------------------------------------------------- */

/* page->flags bit names, as the kernel's %pGp prints them. */
static const char *const pageflag_names[NR_PAGEFLAGS] = {
	[PG_locked] = "locked",		[PG_referenced] = "referenced",
	[PG_uptodate] = "uptodate",	[PG_dirty] = "dirty",
	[PG_lru] = "lru",		[PG_active] = "active",
	[PG_workingset] = "workingset",	[PG_waiters] = "waiters",
	[PG_error] = "error",		[PG_slab] = "slab",
	[PG_owner_priv_1] = "owner_priv_1", [PG_arch_1] = "arch_1",
	[PG_reserved] = "reserved",	[PG_private] = "private",
	[PG_private_2] = "private_2",	[PG_writeback] = "writeback",
	[PG_head] = "head",		[PG_mappedtodisk] = "mappedtodisk",
	[PG_reclaim] = "reclaim",	[PG_swapbacked] = "swapbacked",
	[PG_unevictable] = "unevictable", [PG_mlocked] = "mlocked",
	[PG_hwpoison] = "hwpoison",	[PG_arch_2] = "arch_2",
};

static void append_bits(GString *out, unsigned long flags)
{
	bool first = true;

	for (unsigned int i = 0; i < NR_PAGEFLAGS; i++) {
		if (!((flags >> i) & 1))
			continue;
		g_string_append_printf(out, "%s%s", first ? "" : "|",
				       pageflag_names[i]);
		first = false;
	}
}

static const char *mapping_kind(struct page *head)
{
	unsigned long mapping = (unsigned long)head->mapping;

	if (PageSlab(head))
		return "slab";
	if (!mapping)
		return "(null)";
	switch (mapping & PAGE_MAPPING_FLAGS) {
	case PAGE_MAPPING_ANON:
		return "anon";
	case PAGE_MAPPING_KSM:
		return "ksm";
	case PAGE_MAPPING_MOVABLE:
		return "movable";
	default:
		return "file";
	}
}

/*
 * Numbers are printed as the kernel's printk prints %#lx ("0x0" too);
 * no addresses, so the text is the same on every run.  Flags are the
 * head page's, as in the kernel.
 */
void dump_page_str(GString *out, struct page *page, const char *reason)
{
	struct page *head = compound_head(page);
	int mapcount = PageSlab(head) ? 0 : page_mapcount(page);

	g_string_append_printf(out, "page: pfn:0x%lx refcount:%d mapcount:%d "
			       "mapping:%s index:0x%lx\n", page_to_pfn(page),
			       page_ref_count(head), mapcount,
			       mapping_kind(head), head->index);
	if (PageCompound(page))
		g_string_append_printf(out, "head: pfn:0x%lx order:%u "
				       "compound_mapcount:%d "
				       "compound_pincount:%d\n",
				       page_to_pfn(head), compound_order(head),
				       head_compound_mapcount(head),
				       atomic_read(compound_pincount_ptr(head)));
	g_string_append_printf(out, "flags: 0x%lx(", head->flags);
	append_bits(out, head->flags);
	g_string_append(out, ")\n");
	if (page_has_type(page)) {
		g_string_append_printf(out, "page_type: 0x%x(%s%s%s%s)\n",
				       page_type_raw(page),
				       PageBuddy(page) ? "buddy" : "",
				       PageOffline(page) ? "offline" : "",
				       PageTable(page) ? "table" : "",
				       PageGuard(page) ? "guard" : "");
	}
	if (reason)
		g_string_append_printf(out, "page dumped because: %s\n",
				       reason);
}

void dump_page(struct page *page, const char *reason)
{
	GString *out = g_string_new(NULL);

	dump_page_str(out, page, reason);
	fputs(out->str, stderr);
	g_string_free(out, TRUE);
}

/* ---- BUG ---------------------------------------------------------------- */

void mm_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "kernel BUG at %s:%d!%s%s\n", file, line,
		cond ? " " : "", cond ? cond : "");
	fflush(stderr);
	abort();
}

void mm_bug_page(const struct page *page, const char *cond, const char *file,
		 int line)
{
	dump_page((struct page *)page, cond);
	mm_bug(file, line, cond);
}
