/*
 * pgtable.c - PTE tables: allocation, the split PTE lock, setting and
 * clearing entries, and freeing tables nobody needs.
 *
 * An mm's tables are kept in mm->pgtables, ordered by PMD index, so every
 * walk visits them in address order.  Each table has its own frame from
 * the buddy allocator (PageTable, pt_mm, ptl: what a memory error on a
 * page-table page finds) and its own lock of class "pte_lock".
 *
 * Installing a table follows __pte_alloc(): allocate outside any lock,
 * then install under mm->page_table_lock unless somebody was faster.
 * Tables go away only in free_pgtables(), whose callers have already made
 * the range unreachable: no VMA covers it any more, so neither a fault
 * (mmap_lock) nor an rmap walk (which starts from a VMA) can look there.
 */
#include <errno.h>

#include "mm-model/machine.h"
#include "mm-model/gfp.h"

pte_t mk_pte(struct page *page, bool writable)
{
	return pfn_pte(page_to_pfn(page), writable);
}

static gpointer pmd_key(unsigned long addr)
{
	return GSIZE_TO_POINTER(addr >> PMD_SHIFT);
}

struct pte_table *pte_table_lookup(struct mm_struct *mm, unsigned long addr)
{
	return g_tree_lookup(mm->pgtables, pmd_key(addr));
}

/* The table a PTE pointer lives in, from its index (no tree lookup). */
static struct pte_table *ptep_table(pte_t *ptep, unsigned long addr)
{
	pte_t *first = ptep - pte_index(addr);

	return (struct pte_table *)((char *)first -
				    offsetof(struct pte_table, ptes));
}

static struct pte_table *pte_table_alloc(struct mm_struct *mm,
					 unsigned long addr)
{
	struct page *page = alloc_pgtable_page(GFP_PGTABLE_USER);
	struct pte_table *t;

	if (!page)
		return NULL;
	t = g_new0(struct pte_table, 1);
	t->addr = addr & PMD_MASK;
	t->page = page;
	spin_lock_init(&t->ptl, "pte_lock");
	page->pt_mm = mm;
	page->ptl = &t->ptl;
	return t;
}

static void pte_table_free(struct pte_table *t)
{
	if (t->page) {
		t->page->pt_mm = NULL;
		t->page->ptl = NULL;
		free_pgtable_page(t->page);
	}
	sim_lock_destroy(&t->ptl);
	g_free(t);
}

pte_t *pte_offset_map_lock(struct mm_struct *mm, unsigned long addr,
			   struct sim_lock **ptlp)
{
	struct pte_table *t = pte_table_lookup(mm, addr);

	/* A huge mapping has no PTEs: the hugetlb code handles it. */
	if (!t || !t->page)
		return NULL;
	spin_lock(&t->ptl);
	*ptlp = &t->ptl;
	return &t->ptes[pte_index(addr)];
}

/* __pte_alloc(): make sure a table covers addr. */
static int __pte_alloc(struct mm_struct *mm, unsigned long addr)
{
	struct pte_table *new = pte_table_alloc(mm, addr);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (!pte_table_lookup(mm, addr)) {
		g_tree_insert(mm->pgtables, pmd_key(addr), new);
		new = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (new)	/* another fault installed one meanwhile */
		pte_table_free(new);
	return 0;
}

pte_t *pte_alloc_map_lock(struct mm_struct *mm, unsigned long addr,
			  struct sim_lock **ptlp)
{
	if (!pte_table_lookup(mm, addr) && __pte_alloc(mm, addr))
		return NULL;
	return pte_offset_map_lock(mm, addr, ptlp);
}

void pte_unmap_unlock(pte_t *pte, struct sim_lock *ptl)
{
	(void)pte;
	spin_unlock(ptl);
}

/* Keep nr_used, the count of entries that are not none, up to date. */
static void account_pte(struct pte_table *t, pte_t old, pte_t new)
{
	if (pte_none(old) && !pte_none(new))
		t->nr_used++;
	else if (!pte_none(old) && pte_none(new))
		t->nr_used--;
}

void set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		pte_t pte)
{
	(void)mm;
	account_pte(ptep_table(ptep, addr), *ptep, pte);
	*ptep = pte;
}

pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
			 pte_t *ptep)
{
	pte_t old = *ptep;

	(void)mm;
	account_pte(ptep_table(ptep, addr), old, __pte(0));
	*ptep = __pte(0);
	return old;
}

pte_t mm_pte_peek(struct mm_struct *mm, unsigned long addr)
{
	struct pte_table *t = pte_table_lookup(mm, addr);

	if (!t)
		return __pte(0);
	if (!t->page)
		return t->pmd_huge;
	return t->ptes[pte_index(addr)];
}

unsigned long mm_nr_pgtables(struct mm_struct *mm)
{
	return (unsigned long)g_tree_nnodes(mm->pgtables);
}

/* Does any VMA of mm overlap [start, end)? */
static bool range_has_vma(struct mm_struct *mm, unsigned long start,
			  unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end;
}

struct collect_tables {
	struct mm_struct *mm;
	unsigned long start, end;
	GPtrArray *victims;
};

static gboolean collect_one(gpointer key, gpointer value, gpointer data)
{
	struct collect_tables *c = data;
	struct pte_table *t = value;

	(void)key;
	if (t->addr >= c->end)
		return TRUE;		/* past the range: stop */
	if (t->addr + PMD_SIZE > c->start &&
	    !range_has_vma(c->mm, t->addr, t->addr + PMD_SIZE))
		g_ptr_array_add(c->victims, t);
	return FALSE;
}

/*
 * Free the tables of [start, end) (rounded out to whole tables) that no
 * VMA overlaps any more.  Their entries must all be none by now: the
 * caller zapped the range before removing the VMAs.
 */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end)
{
	struct collect_tables c = {
		mm, start & PMD_MASK, (end + PMD_SIZE - 1) & PMD_MASK,
		g_ptr_array_new(),
	};

	g_tree_foreach(mm->pgtables, collect_one, &c);
	spin_lock(&mm->page_table_lock);
	for (guint i = 0; i < c.victims->len; i++) {
		struct pte_table *t = g_ptr_array_index(c.victims, i);

		VM_BUG_ON(t->nr_used != 0);
		g_tree_remove(mm->pgtables, pmd_key(t->addr));
	}
	spin_unlock(&mm->page_table_lock);
	for (guint i = 0; i < c.victims->len; i++)
		pte_table_free(g_ptr_array_index(c.victims, i));
	g_ptr_array_free(c.victims, TRUE);
}
