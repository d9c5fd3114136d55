/*
 * machine.c - one simulated machine: set-up, the kernel and signal logs,
 * panic, and the invariant checker.
 *
 * The kernel reaches its VM through globals; mm-model reaches it through
 * mm_machine_cur, which mm_machine_new() and mm_machine_activate() set
 * together with the physical memory (mm_phys_activate()).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "sim/trace.h"
#include "mm-model/machine.h"
#include "mm-model/slab.h"
#include "mm-model/gfp.h"
#include "mm-model/rmap.h"
#include "mm-model/hugetlb.h"

struct mm_machine *mm_machine_cur;

void mm_machine_config_default(struct mm_machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = 64ULL << 20;
	cfg->reserved_bytes = 1ULL << 20;
	cfg->cpus = 1;
	cfg->swap_latency_ns = 100000;		/* 100 us per page */
	cfg->disk_latency_ns = 1000000;		/* 1 ms per page */
	cfg->dirty_expire_ns = 30ULL * 1000000000ULL;
}

static void lruvec_init(struct lruvec *lruvec)
{
	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		INIT_LIST_HEAD(&lruvec->lists[lru]);
		lruvec->nr_pages[lru] = 0;
	}
	spin_lock_init(&lruvec->lru_lock, "lru_lock");
}

/* Objects the "kernel" allocates at boot and keeps (see machine.h). */
#define BOOT_OBJECTS	64

static void boot_kernel_allocations(struct mm_machine *m)
{
	m->boot_cache = kmem_cache_create("kmalloc-256", 256, 0, 0, NULL);
	m->boot_objects = g_ptr_array_new();
	for (int i = 0; i < BOOT_OBJECTS; i++)
		g_ptr_array_add(m->boot_objects,
				kmem_cache_alloc(m->boot_cache, GFP_KERNEL));
}

static void free_boot_kernel_allocations(struct mm_machine *m)
{
	for (guint i = 0; i < m->boot_objects->len; i++)
		kmem_cache_free(m->boot_cache,
				g_ptr_array_index(m->boot_objects, i));
	g_ptr_array_free(m->boot_objects, TRUE);
	kmem_cache_destroy(m->boot_cache);
}

struct mm_machine *mm_machine_new(const struct mm_machine_config *cfg,
				  struct sim *s, struct sim_policy *p,
				  GError **err)
{
	struct mm_phys_config pcfg;
	struct mm_machine *m;
	struct mm_phys *phys;

	mm_phys_config_default(&pcfg);
	pcfg.mem_bytes = cfg->mem_bytes;
	pcfg.reserved_bytes = cfg->reserved_bytes;
	phys = mm_phys_new(&pcfg, err);
	if (!phys)
		return NULL;

	m = g_new0(struct mm_machine, 1);
	m->sim = s;
	m->policy = p;
	m->cfg = *cfg;
	m->phys = phys;
	m->physmem = physmem_new(phys->nr_pages);
	INIT_LIST_HEAD(&m->tasks);
	rwlock_init(&m->tasklist_lock, "tasklist_lock");
	m->next_pid = 1;
	lruvec_init(&m->lruvec);
	INIT_LIST_HEAD(&m->super_blocks);
	INIT_LIST_HEAD(&m->mmlist);
	m->next_mm_id = 1;
	m->next_anon_vma_id = 1;
	m->next_ino = 1;
	m->signals = g_ptr_array_new();
	m->log = g_ptr_array_new_with_free_func(g_free);

	mm_machine_activate(m);
	/* pid 1: the context of kernel work outside any task's fiber. */
	m->init_task = task_create("init", mm_alloc());
	get_task_struct(m->init_task);

	boot_kernel_allocations(m);
	/* hugetlb: the pool is set aside before anything else allocates. */
	hugetlb_init(cfg->hugepages);
	/*
	 * The other layers' boot steps, in a fixed order (they register
	 * their invariant checks here too).
	 */
	swap_setup();
	if (cfg->swap_bytes && swapon(cfg->swap_bytes >> PAGE_SHIFT,
				      cfg->swap_latency_ns) < 0) {
		g_set_error(err, MM_PHYS_ERROR, EINVAL,
			    "cannot set up %" G_GUINT64_FORMAT " bytes of swap",
			    cfg->swap_bytes);
		mm_machine_free(m);
		return NULL;
	}
	return m;
}

static void signal_record_free(struct mm_signal_record *r)
{
	g_free(r->why);
	g_free(r);
}

/*
 * Tear down: every task still alive exits (which releases its mm and
 * with it the pages), then the machine's memory goes.  Other layers'
 * state (file systems, swap devices) is theirs to release before.
 */
void mm_machine_free(struct mm_machine *m)
{
	struct task_struct *t;

	if (!m)
		return;
	mm_machine_activate(m);
	for (;;) {
		struct task_struct *victim = NULL;

		list_for_each_entry(t, &m->tasks, tasks) {
			if (task_alive(t)) {
				victim = t;
				break;
			}
		}
		if (!victim)
			break;
		do_exit(victim, 0);
	}
	put_task_struct(m->init_task);
	/* The other layers' state, while the allocator is still there. */
	fs_machine_teardown();
	hugetlb_machine_teardown();
	swap_machine_teardown();
	free_boot_kernel_allocations(m);
	if (m->hwpoison && m->hwpoison_free)
		m->hwpoison_free(m->hwpoison);
	m->hwpoison = NULL;

	for (guint i = 0; i < m->signals->len; i++)
		signal_record_free(g_ptr_array_index(m->signals, i));
	g_ptr_array_free(m->signals, TRUE);
	g_ptr_array_free(m->log, TRUE);
	g_free(m->panic_msg);
	sim_lock_destroy(&m->tasklist_lock);
	sim_lock_destroy(&m->lruvec.lru_lock);
	physmem_free(m->physmem);
	mm_phys_free(m->phys);
	if (mm_machine_cur == m)
		mm_machine_cur = NULL;
	g_free(m);
}

void mm_machine_activate(struct mm_machine *m)
{
	mm_machine_cur = m;
	mm_phys_activate(m ? m->phys : NULL);
}

/* ---- logs --------------------------------------------------------------- */

static void log_line(struct mm_machine *m, char *line)
{
	g_ptr_array_add(m->log, line);
	if (m->sim)
		sim_trace_event(m->sim, "printk", "%s", line);
}

void printk(const char *fmt, ...)
{
	struct mm_machine *m = mm_machine_cur;
	va_list ap;
	char *line;
	size_t n;

	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* Kernel format strings end in "\n"; a log line does not. */
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (!m) {
		g_free(line);
		return;
	}
	log_line(m, line);
}

void panic(const char *fmt, ...)
{
	struct mm_machine *m = mm_machine_cur;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_strchomp(msg);
	if (!m || m->panicked) {
		g_free(msg);
		return;
	}
	m->panicked = true;
	m->panic_msg = msg;
	log_line(m, g_strdup_printf("Kernel panic - not syncing: %s", msg));
	if (m->sim) {
		sim_finding_add(m->sim, "panic", NULL, "%s", msg);
		sim_stop(m->sim, "panic");
		/*
		 * panic() does not return: the calling fiber stops here, and
		 * is unwound when the engine tears the run down.  (Outside a
		 * fiber - plain C tests - it returns, with m->panicked set.)
		 */
		if (sim_current(m->sim))
			sim_yield(m->sim, "panic", NULL, NULL);
	}
}

struct mm_signal_record *mm_log_signal(struct task_struct *tsk,
				       const struct kernel_siginfo *info,
				       bool forced, bool killed,
				       const char *why)
{
	struct mm_machine *m = mm_machine_cur;
	struct mm_signal_record *r = g_new0(struct mm_signal_record, 1);

	r->pid = tsk->pid;
	g_strlcpy(r->comm, tsk->comm, sizeof(r->comm));
	r->signo = info->signo;
	r->code = info->code;
	r->addr = info->addr;
	r->addr_lsb = info->addr_lsb;
	r->forced = forced;
	r->killed = killed;
	r->step = m->sim ? m->sim->step : 0;
	r->why = g_strdup(why ? why : "signal");
	g_ptr_array_add(m->signals, r);
	if (m->sim)
		sim_trace_event(m->sim, "signal",
				"%s pid %d %s: sig %d code %d addr %#lx lsb %d "
				"(%s)", forced ? "force" : "send", tsk->pid,
				tsk->comm, info->signo, info->code, info->addr,
				info->addr_lsb, r->why);
	return r;
}

/* ---- the invariant checker ---------------------------------------------- */

int mm_page_cache_refs(struct page *page)
{
	struct page *head = compound_head(page);

	if (PageSwapCache(head))
		return 1;
	if (!PageAnon(head) && head->mapping && !PageSlab(head))
		return 1;
	return 0;
}

/*
 * What walking every page table found: mappings per pfn, and the tables
 * themselves.  Keyed by pfn in ordered maps so violations are reported in
 * pfn order, the same every run.
 */
struct pt_census {
	GTree *mapcount;		/* pfn -> expected PTE mappings */
	unsigned long nr_tables;	/* PTE tables with a frame */
	bool ok;
};

static gint ulong_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	gsize x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);

	(void)unused;
	return (x > y) - (x < y);
}

static void census_add(struct pt_census *c, unsigned long pfn)
{
	gpointer key = GSIZE_TO_POINTER(pfn);
	gsize n = GPOINTER_TO_SIZE(g_tree_lookup(c->mapcount, key));

	g_tree_insert(c->mapcount, key, GSIZE_TO_POINTER(n + 1));
}

static bool vma_has_anon_vma(struct vm_area_struct *vma, struct anon_vma *av)
{
	struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == av)
			return true;
	return false;
}

/* One present PTE: the page it maps must be reachable back through rmap. */
static void check_present_pte(struct pt_census *c, struct mm_struct *mm,
			      struct vm_area_struct *vma, unsigned long addr,
			      pte_t pte, long *rss, GString *why)
{
	unsigned long pfn = pte_pfn(pte);
	struct page *page;

	if (!pfn_valid(pfn)) {
		c->ok = mm_complain(why, "mm %lu: PTE at %#lx maps pfn %#lx "
				 "beyond memory", mm->id, addr, pfn);
		return;
	}
	page = vm_normal_page(vma, addr, pte);
	if (!page)
		return;
	census_add(c, pfn);
	rss[mm_counter(page)]++;
	if (page_ref_count(compound_head(page)) <= 0 || PageBuddy(page) ||
	    is_free_buddy_page(page)) {
		c->ok = mm_complain(why, "mm %lu: PTE at %#lx maps free pfn %#lx",
				 mm->id, addr, pfn);
		return;
	}
	if (PageTable(page) || PageSlab(page))
		c->ok = mm_complain(why, "mm %lu: PTE at %#lx maps kernel pfn "
				 "%#lx", mm->id, addr, pfn);
	if (PageAnon(page)) {
		if (!PageKsm(page) &&
		    !vma_has_anon_vma(vma, page_anon_vma(page)))
			c->ok = mm_complain(why, "mm %lu: anon pfn %#lx at %#lx: "
					 "its anon_vma is not chained to the "
					 "VMA", mm->id, pfn, addr);
		else if (page->index != linear_page_index(vma, addr))
			c->ok = mm_complain(why, "mm %lu: anon pfn %#lx at %#lx: "
					 "index %#lx, expected %#lx", mm->id,
					 pfn, addr, page->index,
					 linear_page_index(vma, addr));
	} else if (page->mapping && vma->vm_file) {
		if (page->mapping != vma->vm_file->f_mapping ||
		    page->index != linear_page_index(vma, addr))
			c->ok = mm_complain(why, "mm %lu: file pfn %#lx at %#lx "
					 "is not the file's page %#lx", mm->id,
					 pfn, addr,
					 linear_page_index(vma, addr));
	}
}

static void check_swap_pte(struct pt_census *c, struct mm_struct *mm,
			   unsigned long addr, pte_t pte, long *rss,
			   GString *why)
{
	swp_entry_t entry = pte_to_swp_entry(pte);
	unsigned long pfn;

	if (!non_swap_entry(entry)) {
		rss[MM_SWAPENTS]++;
		return;
	}
	pfn = swp_offset_pfn(entry);
	if (is_hwpoison_entry(entry)) {
		if (!pfn_valid(pfn) || !PageHWPoison(pfn_to_page(pfn)))
			c->ok = mm_complain(why, "mm %lu: hwpoison entry at %#lx "
					 "for pfn %#lx, which is not "
					 "PageHWPoison", mm->id, addr, pfn);
	} else if (is_migration_entry(entry) && pfn_valid(pfn)) {
		/* The page under migration keeps its rss. */
		rss[mm_counter(pfn_to_page(pfn))]++;
	} else {
		c->ok = mm_complain(why, "mm %lu: bad swap-type PTE %#lx at %#lx",
				 mm->id, pte_val(pte), addr);
	}
}

static void check_table(struct pt_census *c, struct mm_struct *mm,
			struct pte_table *t, long *rss, GString *why)
{
	unsigned int used = 0;

	if (t->page) {
		c->nr_tables++;
		if (!PageTable(t->page) || t->page->pt_mm != mm)
			c->ok = mm_complain(why, "mm %lu: PTE table for %#lx: pfn "
					 "%#lx is not its PageTable frame",
					 mm->id, t->addr,
					 page_to_pfn(t->page));
	}
	for (unsigned int i = 0; i < PTRS_PER_PTE; i++) {
		unsigned long addr = t->addr + ((unsigned long)i << PAGE_SHIFT);
		pte_t pte = t->ptes[i];
		struct vm_area_struct *vma;

		if (pte_none(pte))
			continue;
		used++;
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			c->ok = mm_complain(why, "mm %lu: PTE %#lx at %#lx outside "
					 "any VMA", mm->id, pte_val(pte), addr);
			continue;
		}
		if (pte_present(pte))
			check_present_pte(c, mm, vma, addr, pte, rss, why);
		else
			check_swap_pte(c, mm, addr, pte, rss, why);
	}
	if (used != t->nr_used)
		c->ok = mm_complain(why, "mm %lu: PTE table for %#lx counts %u "
				 "entries, has %u", mm->id, t->addr,
				 t->nr_used, used);
}

struct table_walk {
	struct pt_census *c;
	struct mm_struct *mm;
	long *rss;
	GString *why;
};

static gboolean table_walk_one(gpointer key, gpointer value, gpointer data)
{
	struct table_walk *w = data;

	(void)key;
	check_table(w->c, w->mm, value, w->rss, w->why);
	return FALSE;
}

static const char *const rss_names[NR_MM_COUNTERS] = {
	"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
};

static void check_mm(struct pt_census *c, struct mm_struct *mm, GString *why)
{
	long rss[NR_MM_COUNTERS] = { 0 };
	struct table_walk w = { c, mm, rss, why };

	g_tree_foreach(mm->pgtables, table_walk_one, &w);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i] != mm->rss_stat[i])
			c->ok = mm_complain(why, "mm %lu: %s is %ld, page tables "
					 "hold %ld", mm->id, rss_names[i],
					 mm->rss_stat[i], rss[i]);
}

/* Every user page's map and reference counts against the census. */
static bool check_page_counts(struct pt_census *c, GString *why)
{
	bool ok = true;

	for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);
		gsize want;
		int have;

		if (page_has_type(page) || PageSlab(page) || PageTail(page) ||
		    PageHead(page))
			continue;
		want = GPOINTER_TO_SIZE(g_tree_lookup(c->mapcount,
						      GSIZE_TO_POINTER(pfn)));
		have = page_mapcount(page);
		if ((gsize)have != want) {
			ok = mm_complain(why, "pfn %#lx: mapcount %d, page tables "
				      "map it %zu times", pfn, have,
				      (size_t)want);
			continue;
		}
		if (want && page_count(page) <
			    have + mm_page_cache_refs(page))
			ok = mm_complain(why, "pfn %#lx: refcount %d below "
				      "mapcount %d + %d cache reference",
				      pfn, page_count(page), have,
				      mm_page_cache_refs(page));
	}
	return ok;
}

struct mm_invariant_check {
	const char *name;
	mm_invariant_fn fn;
};

static GArray *extra_checks;	/* struct mm_invariant_check */

void mm_register_invariant_check(const char *name, mm_invariant_fn fn)
{
	struct mm_invariant_check chk = { g_intern_string(name), fn };

	if (!extra_checks)
		extra_checks = g_array_new(FALSE, FALSE, sizeof(chk));
	for (guint i = 0; i < extra_checks->len; i++)
		if (g_array_index(extra_checks, struct mm_invariant_check,
				  i).fn == fn)
			return;
	g_array_append_val(extra_checks, chk);
}

bool mm_check_invariants(GString *why)
{
	struct mm_machine *m = mm_machine_cur;
	struct zone *zone = &NODE_DATA(0)->node_zones[ZONE_NORMAL];
	struct pt_census c = { .ok = true };
	struct mm_struct *mm;
	unsigned long nr_pagetable;

	c.mapcount = g_tree_new_full(ulong_cmp, NULL, NULL, NULL);
	list_for_each_entry(mm, &m->mmlist, mmlist)
		check_mm(&c, mm, why);
	if (!check_page_counts(&c, why))
		c.ok = false;
	/*
	 * User PTE tables are the only page-table pages the model has
	 * (hugetlb PMD sharing, when it comes, must keep this so).
	 */
	nr_pagetable = zone_page_state(zone, NR_PAGETABLE);
	if (nr_pagetable != c.nr_tables)
		c.ok = mm_complain(why, "NR_PAGETABLE is %lu, mms hold %lu PTE "
				"tables", nr_pagetable, c.nr_tables);
	if (!zone_free_lists_valid(zone, why))
		c.ok = false;
	g_tree_destroy(c.mapcount);

	for (guint i = 0; extra_checks && i < extra_checks->len; i++) {
		struct mm_invariant_check *chk =
			&g_array_index(extra_checks, struct mm_invariant_check,
				       i);

		if (!chk->fn(m, why))
			c.ok = false;
	}
	return c.ok;
}
