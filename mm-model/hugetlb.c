/*
 * hugetlb.c - the hugetlb pool, hugetlbfs files, hugetlb faults, rmap,
 * munmap/exit and fork of hugetlb VMAs (the parts of the kernel's
 * mm/hugetlb.c and fs/hugetlbfs/inode.c the memory-failure handling
 * meets).  See hugetlb.h for the model and what is left out.
 *
 * Lock order, as the kernel's: mmap_lock > hugetlb_fault_mutex > page
 * lock > i_mmap_rwsem > anon_vma->rwsem > pte_lock > hugetlb_lock; the
 * i_pages lock nests inside the page lock and is never held with the
 * PTE lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "mm-model/hugetlb.h"
#include "mm-model/fs_internal.h"
#include "mm-model/rmap.h"

/* ---- per-machine state ------------------------------------------------ */

/* machine -> struct hstate; looked up only, never iterated. */
static GHashTable *hstates;

struct hstate *hstate_cur(void)
{
	if (!hstates || !mm_machine_cur)
		return NULL;
	return g_hash_table_lookup(hstates, mm_machine_cur);
}

static struct hstate *hstate_get(void)
{
	struct hstate *h = hstate_cur();

	VM_BUG_ON(!h);
	return h;
}

static struct physmem *pm(void)
{
	return mm_machine_cur->physmem;
}

static bool hugetlb_check_invariants(struct mm_machine *m, GString *why);

/* ---- the pool ------------------------------------------------------------ */

/* A free page goes on the free list (enqueue_huge_page). */
static void enqueue_huge_page(struct hstate *h, struct page *page)
{
	VM_BUG_ON_PAGE(page_count(page), page);
	list_move(&page->lru, &h->hugepage_freelist);
	h->free_huge_pages++;
	SetHPageFreed(page);
}

/*
 * Boot-time set-up of one pool page (prep_new_huge_page): the compound
 * page gets the hugetlb destructor and joins the pool free.
 */
static void prep_new_huge_page(struct hstate *h, struct page *page)
{
	set_compound_page_dtor(page, HUGETLB_PAGE_DTOR);
	set_page_private(page, 0);
	*raw_hwp_list_head(page) = NULL;
	INIT_LIST_HEAD(&page->lru);
	h->nr_huge_pages++;
	/* The pool holds free huge pages at count 0. */
	set_page_count(page, 0);
	enqueue_huge_page(h, page);
}

void hugetlb_init(unsigned long nr)
{
	struct hstate *h;
	unsigned long i;

	if (!hstates)
		hstates = g_hash_table_new(g_direct_hash, g_direct_equal);
	VM_BUG_ON(hstate_cur());
	h = g_new0(struct hstate, 1);
	h->order = HUGETLB_PAGE_ORDER;
	h->max_huge_pages = nr;
	INIT_LIST_HEAD(&h->hugepage_freelist);
	INIT_LIST_HEAD(&h->hugepage_activelist);
	spin_lock_init(&h->hugetlb_lock, "hugetlb_lock");
	for (i = 0; i < HUGETLB_FAULT_MUTEXES; i++)
		mutex_init(&h->fault_mutex[i], "hugetlb_fault_mutex");
	g_hash_table_insert(hstates, mm_machine_cur, h);
	mm_register_invariant_check("hugetlb", hugetlb_check_invariants);

	for (i = 0; i < nr; i++) {
		struct page *page = alloc_pages(GFP_HIGHUSER_MOVABLE |
						__GFP_COMP | __GFP_NOWARN |
						__GFP_THISNODE,
						HUGETLB_PAGE_ORDER);

		if (!page)
			break;
		spin_lock(&h->hugetlb_lock);
		prep_new_huge_page(h, page);
		spin_unlock(&h->hugetlb_lock);
	}
	if (i < nr)
		printk("HugeTLB: allocating %lu of page size 2.00 MiB failed.  "
		       "Only allocated %lu hugepages.", nr, i);
	if (i)
		printk("HugeTLB: registered 2.00 MiB page size, pre-allocated "
		       "%lu pages", i);
}

/* The raw lists of every huge page still on a pool list. */
static void free_raw_lists(struct list_head *list)
{
	struct page *page;

	list_for_each_entry(page, list, lru)
		free_raw_hwp_pages(page, false);
}

void hugetlb_machine_teardown(void)
{
	struct hstate *h = hstate_cur();

	if (!h)
		return;
	free_raw_lists(&h->hugepage_freelist);
	free_raw_lists(&h->hugepage_activelist);
	/* Pages isolated whole still carry theirs: find them by scanning. */
	for (unsigned long pfn = 0; pfn + HPAGE_PMD_NR <= max_pfn;
	     pfn += HPAGE_PMD_NR) {
		struct page *page = pfn_to_page(pfn);

		if (PageHeadHuge(page))
			free_raw_hwp_pages(page, false);
	}
	sim_lock_destroy(&h->hugetlb_lock);
	for (int i = 0; i < HUGETLB_FAULT_MUTEXES; i++)
		sim_lock_destroy(&h->fault_mutex[i]);
	g_hash_table_remove(hstates, mm_machine_cur);
	g_free(h);
}

static struct page *dequeue_huge_page(struct hstate *h)
{
	struct page *page;

	list_for_each_entry(page, &h->hugepage_freelist, lru) {
		/* A poisoned free page waits for memory_failure's dissolve. */
		if (PageHWPoison(page))
			continue;
		list_move(&page->lru, &h->hugepage_activelist);
		set_page_refcounted(page);
		ClearHPageFreed(page);
		h->free_huge_pages--;
		return page;
	}
	return NULL;
}

struct page *alloc_huge_page(struct vm_area_struct *vma, unsigned long addr)
{
	struct hstate *h = hstate_cur();
	struct page *page;

	(void)vma;
	(void)addr;
	if (!h)
		return NULL;
	spin_lock(&h->hugetlb_lock);
	page = dequeue_huge_page(h);
	spin_unlock(&h->hugetlb_lock);
	return page;
}

void free_huge_page(struct page *page)
{
	struct hstate *h = hstate_get();

	VM_BUG_ON_PAGE(page_count(page), page);
	VM_BUG_ON_PAGE(compound_mapcount(page), page);
	if (PageAnon(page))
		ClearPageAnonExclusive(page);
	page->mapping = NULL;
	ClearPageDirty(page);
	ClearPageUptodate(page);
	spin_lock(&h->hugetlb_lock);
	ClearHPageMigratable(page);
	enqueue_huge_page(h, page);
	spin_unlock(&h->hugetlb_lock);
}

/*
 * Out of the pool (remove_hugetlb_page): off its list, no longer
 * counted.  The caller holds hugetlb_lock.
 */
static void remove_hugetlb_page(struct hstate *h, struct page *page)
{
	list_del_init(&page->lru);
	if (HPageFreed(page)) {
		h->free_huge_pages--;
		ClearHPageFreed(page);
	}
	h->nr_huge_pages--;
}

/*
 * Give a huge page that left the pool to the buddy allocator
 * (__update_and_free_page): no longer hugetlb, PG_hwpoison moved to the
 * raw error pages, then freed as one order-9 block.  Poisoned pages in
 * the block stay on the free lists with PG_hwpoison, as in 6.1: the
 * allocator drops them when it meets them.
 */
static void update_and_free_page(struct hstate *h, struct page *page)
{
	if (HPageRawHwpUnreliable(page))
		return;		/* which subpages are bad is unknown: leak */
	set_compound_page_dtor(page, COMPOUND_PAGE_DTOR);
	if (PageHWPoison(page))
		hugetlb_clear_page_hwpoison(page);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		page[i].flags &= ~(BIT(PG_locked) | BIT(PG_error) |
				   BIT(PG_referenced) | BIT(PG_dirty) |
				   BIT(PG_active) | BIT(PG_private) |
				   BIT(PG_writeback) | BIT(PG_uptodate));
	set_page_private(page, 0);
	set_page_private(page + SUBPAGE_INDEX_HWPOISON, 0);
	page->mapping = NULL;
	INIT_LIST_HEAD(&page->lru);
	h->nr_dissolved++;
	set_page_refcounted(page);
	__free_pages(page, HUGETLB_PAGE_ORDER);
}

int dissolve_free_huge_page(struct page *page)
{
	struct hstate *h = hstate_cur();
	struct page *head;
	int rc = -EBUSY;

	if (!PageHuge(page) || !h)
		return 0;
	spin_lock(&h->hugetlb_lock);
	if (!PageHuge(page)) {
		spin_unlock(&h->hugetlb_lock);
		return 0;
	}
	head = compound_head(page);
	if (!page_count(head) && HPageFreed(head)) {
		remove_hugetlb_page(h, head);
		if (h->max_huge_pages)
			h->max_huge_pages--;
		spin_unlock(&h->hugetlb_lock);
		update_and_free_page(h, head);
		return 0;
	}
	spin_unlock(&h->hugetlb_lock);
	return rc;
}

void hugetlb_isolate_hwpoisoned(struct page *head)
{
	struct hstate *h = hstate_get();

	spin_lock(&h->hugetlb_lock);
	if (!list_empty(&head->lru)) {
		if (!page_count(head))
			set_page_refcounted(head);
		remove_hugetlb_page(h, head);
		if (h->max_huge_pages)
			h->max_huge_pages--;
		h->nr_isolated++;
	}
	spin_unlock(&h->hugetlb_lock);
}

/* ---- raw hwpoison records ----------------------------------------------- */

bool hugetlb_raw_hwp_contains(struct page *hpage, struct page *page)
{
	for (struct raw_hwp_page *p = *raw_hwp_list_head(hpage); p; p = p->next)
		if (p->page == page)
			return true;
	return false;
}

bool hugetlb_raw_hwp_add(struct page *hpage, struct page *page)
{
	struct raw_hwp_page **head = raw_hwp_list_head(hpage);
	struct raw_hwp_page *p;

	if (hugetlb_raw_hwp_contains(hpage, page))
		return false;
	p = g_new0(struct raw_hwp_page, 1);
	p->page = page;
	p->next = *head;
	*head = p;
	return true;
}

unsigned long hugetlb_raw_hwp_count(struct page *hpage)
{
	unsigned long n = 0;

	for (struct raw_hwp_page *p = *raw_hwp_list_head(hpage); p; p = p->next)
		n++;
	return n;
}

unsigned long free_raw_hwp_pages(struct page *hpage, bool move_flag)
{
	struct raw_hwp_page **head = raw_hwp_list_head(hpage);
	struct raw_hwp_page *p = *head, *next;
	unsigned long count = 0;

	if (HPageRawHwpUnreliable(hpage))
		return 0;
	for (; p; p = next) {
		next = p->next;
		if (move_flag)
			SetPageHWPoison(p->page);
		g_free(p);
		count++;
	}
	*head = NULL;
	return count;
}

void hugetlb_clear_page_hwpoison(struct page *hpage)
{
	if (HPageRawHwpUnreliable(hpage))
		return;
	ClearPageHWPoison(hpage);
	free_raw_hwp_pages(hpage, true);
}

bool hugetlb_subpage_hwpoisoned(struct page *page)
{
	struct page *head = compound_head(page);

	if (!PageHuge(head))
		return PageHWPoison(page);
	if (hugetlb_raw_hwp_contains(head, page))
		return true;
	if (page != head)
		return PageHWPoison(page);
	/*
	 * The head's PG_hwpoison stands for the whole huge page; it is the
	 * head frame's own only when no raw record names another subpage
	 * (hugetlb_poison=whole records none: every subpage carries it).
	 */
	return PageHWPoison(head) && !*raw_hwp_list_head(head);
}

/* ---- hugetlbfs ------------------------------------------------------------ */

struct super_block *hugetlbfs_mount(const char *id, unsigned int minor)
{
	return mount_fs(id, FS_HUGETLBFS, 0, minor);
}

struct super_block *hugetlbfs_kern_mount(void)
{
	struct hstate *h = hstate_cur();

	if (!h)
		return NULL;
	if (!h->mnt)
		h->mnt = hugetlbfs_mount("hugetlbfs", 2);
	return h->mnt;
}

struct file *hugetlb_file_setup(const char *name, loff_t size)
{
	struct super_block *sb = hugetlbfs_kern_mount();
	struct inode *inode;
	struct file *file;

	if (size < 0 || !sb)
		return NULL;
	inode = fs_create(sb, name);
	inode->i_nlink = 0;
	i_size_write(inode, (size + (loff_t)HPAGE_SIZE - 1) &
			    ~((loff_t)HPAGE_SIZE - 1));
	file = filp_open(inode, O_RDWR);
	iput(inode);
	return file;
}

struct page *hugetlbfs_find_page(struct inode *inode, pgoff_t idx)
{
	return find_get_page(inode->i_mapping, idx);
}

ssize_t hugetlbfs_read(struct file *file, void *buf, size_t count,
		       loff_t *pos)
{
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	loff_t p = *pos, end = MIN(p + (loff_t)count, i_size_read(inode));
	ssize_t done = 0;

	while (p < end) {
		pgoff_t idx = (pgoff_t)p >> HPAGE_SHIFT;
		unsigned long off = (unsigned long)p & ~HPAGE_MASK;
		size_t n = (size_t)MIN((loff_t)(HPAGE_SIZE - off), end - p);
		struct page *page = find_lock_page(mapping, idx);

		if (!page) {
			memset((char *)buf + done, 0, n);
		} else {
			unlock_page(page);
			if (PageHWPoison(page)) {
				put_page(page);
				if (!done)
					done = -EIO;
				break;
			}
			for (size_t c = 0; c < n;) {
				unsigned long o = off + c;
				unsigned int in = (unsigned int)(o & ~PAGE_MASK);
				size_t k = MIN(PAGE_SIZE - in, n - c);
				unsigned int bad = 0;

				if (physmem_read(pm(), page_to_pfn(page) +
						 (o >> PAGE_SHIFT), in,
						 (char *)buf + done + c, k,
						 &bad)) {
					fs_copy_failed(page + (o >> PAGE_SHIFT),
						       bad);
					put_page(page);
					return done + (ssize_t)c ?
					       done + (ssize_t)c : -EIO;
				}
				c += k;
			}
			put_page(page);
		}
		done += (ssize_t)n;
		p += (loff_t)n;
	}
	if (done > 0)
		*pos = p;
	return done;
}

/* Unmap huge-page indexes [start, end) of mapping from every VMA. */
static void hugetlb_vmdelete_list(struct address_space *mapping,
				  pgoff_t start, pgoff_t end)
{
	struct vm_area_struct *vma;
	pgoff_t first = start << HUGETLB_PAGE_ORDER;
	pgoff_t last = end == ~0UL ? ~0UL : (end << HUGETLB_PAGE_ORDER) - 1;

	vma_interval_tree_foreach(vma, mapping, first, last) {
		unsigned long v_start, v_end;
		pgoff_t from = MAX(first, vma->vm_pgoff);
		pgoff_t to = MIN(last, vma->vm_pgoff + vma_pages(vma) - 1);

		v_start = vma->vm_start + ((from - vma->vm_pgoff) << PAGE_SHIFT);
		v_end = vma->vm_start + ((to - vma->vm_pgoff + 1) << PAGE_SHIFT);
		unmap_hugepage_range(vma, v_start, v_end);
	}
}

/* Take a locked huge page out of its file (remove_huge_page). */
static void remove_huge_page(struct page *page)
{
	struct address_space *mapping = page->mapping;

	spin_lock(&mapping->i_pages_lock);
	g_tree_remove(mapping->i_pages, INDEX_KEY(page->index));
	mapping->nrpages--;
	page->mapping = NULL;
	spin_unlock(&mapping->i_pages_lock);
	ClearPageDirty(page);
}

/*
 * remove_inode_hugepages(): every huge page of [start, end) (huge-page
 * indexes, end ~0: to the end) leaves the file: unmapped everywhere
 * under the fault mutex, then out of the cache, losing the cache's
 * reference (memory_failure's pin on a poisoned page stays).
 */
static void remove_inode_hugepages(struct inode *inode, pgoff_t start,
				   pgoff_t end)
{
	struct address_space *mapping = inode->i_mapping;
	struct hstate *h = hstate_cur();

	for (;;) {
		pgoff_t idx = start;
		struct page *page = NULL;
		struct sim_lock *fm;

		if (end != ~0UL && start >= end)
			break;
		if (!find_get_pages_range(mapping, &idx,
					  end == ~0UL ? ~0UL : end - 1, 1,
					  &page))
			break;
		start = page->index + 1;
		fm = h ? &h->fault_mutex[(inode->i_ino ^ page->index) %
					 HUGETLB_FAULT_MUTEXES] : NULL;
		if (fm)
			mutex_lock(fm);
		if (page_mapped(page)) {
			i_mmap_lock_write(mapping);
			hugetlb_vmdelete_list(mapping, page->index,
					      page->index + 1);
			i_mmap_unlock_write(mapping);
		}
		lock_page(page);
		if (page->mapping == mapping) {
			remove_huge_page(page);
			put_page(page);		/* the cache's */
		}
		unlock_page(page);
		if (fm)
			mutex_unlock(fm);
		put_page(page);
	}
}

int hugetlbfs_truncate(struct inode *inode, loff_t size)
{
	if (size < 0 || (size & ~HPAGE_MASK))
		return -EINVAL;
	down_write(&inode->i_rwsem);
	i_size_write(inode, size);
	/* Private mappings beyond the end go too (hugetlb_vmtruncate). */
	i_mmap_lock_write(inode->i_mapping);
	hugetlb_vmdelete_list(inode->i_mapping, (pgoff_t)size >> HPAGE_SHIFT,
			      ~0UL);
	i_mmap_unlock_write(inode->i_mapping);
	remove_inode_hugepages(inode, (pgoff_t)size >> HPAGE_SHIFT, ~0UL);
	up_write(&inode->i_rwsem);
	return 0;
}

int hugetlbfs_punch_hole(struct inode *inode, loff_t offset, loff_t len)
{
	loff_t hstart = (offset + (loff_t)HPAGE_SIZE - 1) & HPAGE_MASK;
	loff_t hend = (offset + len) & HPAGE_MASK;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (hstart >= hend)
		return 0;
	down_write(&inode->i_rwsem);
	remove_inode_hugepages(inode, (pgoff_t)hstart >> HPAGE_SHIFT,
			       (pgoff_t)hend >> HPAGE_SHIFT);
	up_write(&inode->i_rwsem);
	return 0;
}

void hugetlbfs_evict_inode(struct inode *inode)
{
	remove_inode_hugepages(inode, 0, ~0UL);
}

/* Put a new, locked huge page in the file (huge_add_to_page_cache). */
static int huge_add_to_page_cache(struct page *page,
				  struct address_space *mapping, pgoff_t idx)
{
	int err = 0;

	spin_lock(&mapping->i_pages_lock);
	if (g_tree_lookup(mapping->i_pages, INDEX_KEY(idx))) {
		err = -EEXIST;
	} else {
		get_page(page);
		page->mapping = mapping;
		page->index = idx;
		g_tree_insert(mapping->i_pages, INDEX_KEY(idx), page);
		mapping->nrpages++;
	}
	spin_unlock(&mapping->i_pages_lock);
	/* Dirty, so nothing generic ever drops it from the file. */
	if (!err)
		SetPageDirty(page);
	return err;
}

/* ---- mmap ------------------------------------------------------------------- */

int hugetlb_mmap_prepare(struct file **filep, unsigned long addr,
			 unsigned long *len, pgoff_t pgoff)
{
	if (!hstate_cur())
		return -ENOMEM;
	if (addr & ~HPAGE_MASK)
		return -EINVAL;
	*len = (*len + HPAGE_SIZE - 1) & HPAGE_MASK;
	if (!*len)
		return -ENOMEM;
	if (*filep) {
		if (!is_file_hugepages(*filep))
			return -EINVAL;
		/* hugetlbfs_file_mmap: the offset must be huge aligned. */
		if (pgoff & (HPAGE_PMD_NR - 1))
			return -EINVAL;
		get_file(*filep);
		return 0;
	}
	*filep = hugetlb_file_setup("anon_hugepage", (loff_t)*len);
	return *filep ? 0 : -ENOMEM;
}

void hugetlb_vma_mapped(struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	loff_t end = (loff_t)(vma->vm_pgoff << PAGE_SHIFT) +
		     (loff_t)(vma->vm_end - vma->vm_start);

	if ((vma->vm_flags & VM_WRITE) && i_size_read(inode) < end)
		i_size_write(inode, end);
}

/* ---- page tables at PMD level ---------------------------------------------- */

static gpointer pmd_key(unsigned long addr)
{
	return GSIZE_TO_POINTER(addr >> PMD_SHIFT);
}

/* huge_pte_offset(): the PMD-level table of addr, or NULL. */
static struct pte_table *huge_pte_offset(struct mm_struct *mm,
					 unsigned long addr)
{
	struct pte_table *t = pte_table_lookup(mm, addr);

	if (t && t->page)
		return NULL;	/* a PTE table: not a hugetlb range */
	return t;
}

/* huge_pte_alloc(): a frameless table for the huge entry at addr. */
static struct pte_table *huge_pte_alloc(struct mm_struct *mm,
					unsigned long addr)
{
	struct pte_table *t = pte_table_lookup(mm, addr), *new;

	if (t)
		return t->page ? NULL : t;
	new = g_new0(struct pte_table, 1);
	new->addr = addr & PMD_MASK;
	spin_lock_init(&new->ptl, "pte_lock");
	spin_lock(&mm->page_table_lock);
	t = pte_table_lookup(mm, addr);
	if (!t) {
		g_tree_insert(mm->pgtables, pmd_key(addr), new);
		t = new;
		new = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (new) {
		sim_lock_destroy(&new->ptl);
		g_free(new);
	}
	return t->page ? NULL : t;
}

static pte_t make_huge_pte(struct page *page, bool writable)
{
	pte_t entry = pte_mkyoung(mk_pte(page, writable));

	if (writable)
		entry = pte_mkdirty(entry);
	return __pte(pte_val(entry) | _PAGE_PSE);
}

static bool is_hugetlb_entry_hwpoisoned(pte_t pte)
{
	return is_swap_pte(pte) && is_hwpoison_entry(pte_to_swp_entry(pte));
}

/* ---- rmap of huge pages ------------------------------------------------------- */

/* hugepage_add_new_anon_rmap(): a new anonymous huge page, mapped once. */
static void hugepage_add_new_anon_rmap(struct page *page,
				       struct vm_area_struct *vma,
				       unsigned long address)
{
	atomic_set(compound_mapcount_ptr(page), 0);
	page->mapping = (struct address_space *)
		((unsigned long)vma->anon_vma | PAGE_MAPPING_ANON);
	page->index = vma_hugecache_offset(vma, address);
	SetPageAnonExclusive(page);
}

/* One more PMD mapping of a huge page (page_dup_file_rmap(page, true)). */
static void hugepage_dup_rmap(struct page *page)
{
	atomic_inc(compound_mapcount_ptr(page));
}

static void hugepage_remove_rmap(struct page *page)
{
	atomic_add_negative(-1, compound_mapcount_ptr(page));
}

bool hugetlb_page_mapped_in_vma(struct page *page, struct vm_area_struct *vma)
{
	struct page *head = compound_head(page);
	unsigned long addr = page_address_in_vma(head, vma);
	pte_t pte;

	if (IS_ERR_VALUE(addr) || !is_vm_hugetlb_page(vma))
		return false;
	pte = mm_pte_peek(vma->vm_mm, addr);
	return pte_present(pte) && pte_pfn(pte) == page_to_pfn(head);
}

/* ---- faults -------------------------------------------------------------------- */

static struct sim_lock *fault_mutex(struct hstate *h,
				    struct address_space *mapping,
				    pgoff_t idx)
{
	return &h->fault_mutex[(mapping->host->i_ino ^ idx) %
			       HUGETLB_FAULT_MUTEXES];
}

static void clear_huge_page(struct page *page)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		physmem_clear_page(pm(), page_to_pfn(page) + i);
}

/* 0, or the offset (in subpages) of the first poisoned source frame + 1. */
static unsigned long copy_huge_page(struct page *dst, struct page *src)
{
	unsigned int bad = 0;

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		if (physmem_copy_page(pm(), page_to_pfn(dst) + i,
				      page_to_pfn(src) + i, &bad))
			return i + 1;
	return 0;
}

#define HWPOISON_LARGE	(VM_FAULT_HWPOISON_LARGE | VM_FAULT_SET_HINDEX(0))

/*
 * A write to a read-only present entry (hugetlb_wp): an exclusive
 * anonymous page is made writable in place; anything else is copied to
 * a new anonymous huge page.  Called with the fault mutex, not the PTE
 * lock; old_pte is the entry the fault saw.
 */
static vm_fault_t hugetlb_wp(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long haddr, struct pte_table *t,
			     pte_t old_pte)
{
	struct page *old_page = pfn_to_page(pte_pfn(old_pte)), *new_page;
	vm_fault_t ret = 0;

	(void)mm;
	if (vma->vm_flags & VM_MAYSHARE) {
		spin_lock(&t->ptl);
		if (pte_same(t->pmd_huge, old_pte))
			t->pmd_huge = pte_mkdirty(pte_mkwrite(old_pte));
		spin_unlock(&t->ptl);
		return 0;
	}
	if (PageAnon(old_page) &&
	    (PageAnonExclusive(old_page) ||
	     (compound_mapcount(old_page) == 1 &&
	      page_count(old_page) == 1))) {
		spin_lock(&t->ptl);
		if (pte_same(t->pmd_huge, old_pte)) {
			SetPageAnonExclusive(old_page);
			old_page->mapping = (struct address_space *)
				((unsigned long)vma->anon_vma |
				 PAGE_MAPPING_ANON);
			t->pmd_huge = pte_mkyoung(pte_mkdirty(
					pte_mkwrite(old_pte)));
		}
		spin_unlock(&t->ptl);
		return 0;
	}
	get_page(old_page);
	if (anon_vma_prepare(vma)) {
		put_page(old_page);
		return VM_FAULT_OOM;
	}
	new_page = alloc_huge_page(vma, haddr);
	if (!new_page) {
		put_page(old_page);
		return VM_FAULT_SIGBUS;
	}
	if (copy_huge_page(new_page, old_page)) {
		/* The copy consumed poison (copy_mc): the fault fails. */
		put_page(new_page);
		put_page(old_page);
		return HWPOISON_LARGE;
	}
	__SetPageUptodate(new_page);
	spin_lock(&t->ptl);
	if (pte_same(t->pmd_huge, old_pte)) {
		hugepage_remove_rmap(old_page);
		hugepage_add_new_anon_rmap(new_page, vma, haddr);
		t->pmd_huge = make_huge_pte(new_page, true);
		SetHPageMigratable(new_page);
		/* The replaced mapping's reference. */
		put_page(old_page);
		new_page = NULL;
	}
	spin_unlock(&t->ptl);
	if (new_page)
		put_page(new_page);
	put_page(old_page);
	return ret;
}

/* The entry is none: find the page in the file or make one. */
static vm_fault_t hugetlb_no_page(struct mm_struct *mm,
				  struct vm_area_struct *vma,
				  struct address_space *mapping, pgoff_t idx,
				  unsigned long haddr, struct pte_table *t,
				  unsigned int flags)
{
	struct inode *inode = mapping->host;
	bool anon_rmap = false, new_page = false;
	bool write = flags & FAULT_FLAG_WRITE;
	vm_fault_t ret = 0;
	struct page *page;
	pte_t entry;

	if (idx >= (pgoff_t)(i_size_read(inode) >> HPAGE_SHIFT))
		return VM_FAULT_SIGBUS;
	page = find_lock_page(mapping, idx);
	if (!page) {
		if (!(vma->vm_flags & VM_MAYSHARE) && anon_vma_prepare(vma))
			return VM_FAULT_OOM;
		page = alloc_huge_page(vma, haddr);
		if (!page)
			return VM_FAULT_SIGBUS;	/* no reservations: -ENOSPC */
		clear_huge_page(page);
		__SetPageUptodate(page);
		new_page = true;
		trylock_page(page);
		if (vma->vm_flags & VM_MAYSHARE) {
			if (huge_add_to_page_cache(page, mapping, idx)) {
				/* Somebody else added one: retry the fault. */
				unlock_page(page);
				put_page(page);
				return 0;
			}
		} else {
			anon_rmap = true;
		}
	} else if (unlikely(PageHWPoison(page))) {
		/*
		 * An error hit the page after this mapping was made but
		 * before it was faulted in: no hwpoison entry to find.
		 */
		ret = HWPOISON_LARGE;
		goto backout_unlocked;
	}

	spin_lock(&t->ptl);
	if (!pte_none(t->pmd_huge)) {
		spin_unlock(&t->ptl);
		goto backout_unlocked;
	}
	if (anon_rmap)
		hugepage_add_new_anon_rmap(page, vma, haddr);
	else
		hugepage_dup_rmap(page);
	entry = make_huge_pte(page, (vma->vm_flags & VM_WRITE) &&
				    ((vma->vm_flags & VM_SHARED) ||
				     (anon_rmap && write)));
	t->pmd_huge = entry;
	spin_unlock(&t->ptl);
	if (new_page)
		SetHPageMigratable(page);
	unlock_page(page);
	/* A private write of the file's page copies it now. */
	if (write && !(vma->vm_flags & VM_SHARED) && !anon_rmap)
		ret = hugetlb_wp(mm, vma, haddr, t, entry);
	return ret;

backout_unlocked:
	unlock_page(page);
	put_page(page);
	return ret;
}

vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long address, unsigned int flags)
{
	struct hstate *h = hstate_cur();
	unsigned long haddr = address & HPAGE_MASK;
	struct address_space *mapping;
	struct sim_lock *fm;
	struct pte_table *t;
	vm_fault_t ret = 0;
	pgoff_t idx;
	pte_t entry;

	if (!h || !vma->vm_file)
		return VM_FAULT_SIGBUS;
	t = huge_pte_offset(mm, haddr);
	if (t) {
		entry = t->pmd_huge;
		if (is_hugetlb_entry_hwpoisoned(entry))
			return HWPOISON_LARGE;
	}
	t = huge_pte_alloc(mm, haddr);
	if (!t)
		return VM_FAULT_OOM;
	mapping = vma->vm_file->f_mapping;
	idx = vma_hugecache_offset(vma, haddr);
	fm = fault_mutex(h, mapping, idx);
	mutex_lock(fm);
	entry = t->pmd_huge;
	if (pte_none(entry)) {
		ret = hugetlb_no_page(mm, vma, mapping, idx, haddr, t, flags);
	} else if (is_hugetlb_entry_hwpoisoned(entry)) {
		ret = HWPOISON_LARGE;
	} else if (!pte_present(entry)) {
		ret = VM_FAULT_SIGBUS;
	} else if ((flags & FAULT_FLAG_WRITE) && !pte_write(entry)) {
		ret = hugetlb_wp(mm, vma, haddr, t, entry);
	} else {
		spin_lock(&t->ptl);
		if (pte_same(t->pmd_huge, entry)) {
			entry = pte_mkyoung(entry);
			if (flags & FAULT_FLAG_WRITE)
				entry = pte_mkdirty(entry);
			t->pmd_huge = entry;
		}
		spin_unlock(&t->ptl);
	}
	mutex_unlock(fm);
	return ret;
}

struct page *hugetlb_follow_page(struct vm_area_struct *vma,
				 unsigned long addr, bool write,
				 vm_fault_t *fault)
{
	struct pte_table *t = huge_pte_offset(vma->vm_mm, addr);
	struct page *head, *page = NULL;

	*fault = 0;
	if (!t)
		return NULL;
	spin_lock(&t->ptl);
	if (pte_present(t->pmd_huge) && (!write || pte_write(t->pmd_huge))) {
		head = pfn_to_page(pte_pfn(t->pmd_huge));
		page = head + ((addr & ~HPAGE_MASK) >> PAGE_SHIFT);
		if (hugetlb_subpage_hwpoisoned(page)) {
			*fault = HWPOISON_LARGE;
			page = NULL;
		} else {
			t->pmd_huge = pte_mkyoung(write ?
					pte_mkdirty(t->pmd_huge) :
					t->pmd_huge);
			get_page(head);
		}
	} else if (is_hugetlb_entry_hwpoisoned(t->pmd_huge)) {
		*fault = HWPOISON_LARGE;
	}
	spin_unlock(&t->ptl);
	return page;
}

/* ---- munmap, exit, truncation ------------------------------------------------ */

void unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	GPtrArray *pages = g_ptr_array_new();

	start = MAX(start & HPAGE_MASK, vma->vm_start);
	end = MIN(end, vma->vm_end);
	for (unsigned long addr = start; addr < end; addr += HPAGE_SIZE) {
		struct pte_table *t = huge_pte_offset(mm, addr);
		pte_t entry;

		if (!t)
			continue;
		spin_lock(&t->ptl);
		entry = t->pmd_huge;
		t->pmd_huge = __pte(0);
		if (pte_present(entry)) {
			struct page *page = pfn_to_page(pte_pfn(entry));

			if (pte_dirty(entry))
				SetPageDirty(page);
			hugepage_remove_rmap(page);
			g_ptr_array_add(pages, page);
		}
		/* A hwpoison entry just goes: the page is not ours. */
		spin_unlock(&t->ptl);
	}
	/* As the mmu_gather: references dropped after the PTE locks. */
	for (guint i = 0; i < pages->len; i++)
		put_page(g_ptr_array_index(pages, i));
	g_ptr_array_free(pages, TRUE);
}

/* ---- fork ------------------------------------------------------------------------ */

int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma)
{
	bool cow = is_cow_mapping(src_vma->vm_flags);

	for (unsigned long addr = src_vma->vm_start; addr < src_vma->vm_end;
	     addr += HPAGE_SIZE) {
		struct pte_table *st = huge_pte_offset(src, addr), *dt;
		pte_t entry;

		if (!st || pte_none(st->pmd_huge))
			continue;
		dt = huge_pte_alloc(dst, addr);
		if (!dt)
			return -ENOMEM;
		spin_lock(&dt->ptl);
		spin_lock(&st->ptl);
		entry = st->pmd_huge;
		if (pte_present(entry)) {
			struct page *page = pfn_to_page(pte_pfn(entry));

			get_page(page);
			hugepage_dup_rmap(page);
			if (cow) {
				/* Shared until one side writes. */
				if (PageAnon(page))
					ClearPageAnonExclusive(page);
				entry = pte_wrprotect(entry);
				st->pmd_huge = entry;
			}
		}
		/* hwpoison entries are copied as they are. */
		dt->pmd_huge = entry;
		spin_unlock(&st->ptl);
		spin_unlock(&dt->ptl);
	}
	(void)dst_vma;
	return 0;
}

/* ---- invariants -------------------------------------------------------------------- */

static gint ulong_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	gsize x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);

	(void)unused;
	return (x > y) - (x < y);
}

struct huge_census {
	GTree *maps;		/* head pfn -> PMD mappings */
	GString *why;
	bool ok;
	struct mm_struct *mm;
};

static gboolean census_table(gpointer key, gpointer value, gpointer data)
{
	struct huge_census *c = data;
	struct pte_table *t = value;
	struct vm_area_struct *vma;
	pte_t e = t->pmd_huge;

	(void)key;
	if (t->page || pte_none(e))
		return FALSE;
	vma = vma_lookup(c->mm, t->addr);
	if (!vma || !is_vm_hugetlb_page(vma))
		c->ok = mm_complain(c->why, "hugetlb: mm %lu: PMD entry %#lx at "
				 "%#lx outside any hugetlb VMA", c->mm->id,
				 pte_val(e), t->addr);
	if (pte_present(e)) {
		unsigned long pfn = pte_pfn(e);
		gpointer k = GSIZE_TO_POINTER(pfn);
		struct page *page;

		if (!pfn_valid(pfn) || !PageHeadHuge(pfn_to_page(pfn))) {
			c->ok = mm_complain(c->why, "hugetlb: mm %lu: PMD at %#lx "
					 "maps pfn %#lx, not a huge page head",
					 c->mm->id, t->addr, pfn);
			return FALSE;
		}
		page = pfn_to_page(pfn);
		if (vma && PageAnon(page) &&
		    page->index != vma_hugecache_offset(vma, t->addr))
			c->ok = mm_complain(c->why, "hugetlb: mm %lu: anon huge "
					 "pfn %#lx at %#lx has index %#lx",
					 c->mm->id, pfn, t->addr, page->index);
		g_tree_insert(c->maps, k, GSIZE_TO_POINTER(
			GPOINTER_TO_SIZE(g_tree_lookup(c->maps, k)) + 1));
	} else if (!is_hugetlb_entry_hwpoisoned(e)) {
		c->ok = mm_complain(c->why, "hugetlb: mm %lu: bad PMD entry %#lx "
				 "at %#lx", c->mm->id, pte_val(e), t->addr);
	} else if (swp_offset_pfn(pte_to_swp_entry(e)) & (HPAGE_PMD_NR - 1)) {
		c->ok = mm_complain(c->why, "hugetlb: mm %lu: hwpoison PMD entry "
				 "at %#lx is not for a huge page head",
				 c->mm->id, t->addr);
	}
	return FALSE;
}

/* Compound structure and counts of one pool page. */
static void check_pool_page(struct huge_census *c, struct page *page,
			    bool free)
{
	unsigned long pfn = page_to_pfn(page);
	gsize maps = GPOINTER_TO_SIZE(g_tree_lookup(c->maps,
						    GSIZE_TO_POINTER(pfn)));

	if (!PageHeadHuge(page) || compound_order(page) != HUGETLB_PAGE_ORDER) {
		c->ok = mm_complain(c->why, "hugetlb: pool pfn %#lx is not an "
				 "order-9 hugetlb head", pfn);
		return;
	}
	for (unsigned long i = 1; i < HPAGE_PMD_NR; i++)
		if (compound_head(&page[i]) != page) {
			c->ok = mm_complain(c->why, "hugetlb: pfn %#lx: tail %lu "
					 "points elsewhere", pfn, i);
			break;
		}
	if (free != !!HPageFreed(page))
		c->ok = mm_complain(c->why, "hugetlb: pfn %#lx on the %s list, "
				 "HPageFreed %d", pfn, free ? "free" : "active",
				 HPageFreed(page));
	if (free && (page_count(page) || compound_mapcount(page)))
		c->ok = mm_complain(c->why, "hugetlb: free pfn %#lx has count %d "
				 "mapcount %d", pfn, page_count(page),
				 compound_mapcount(page));
	if ((gsize)compound_mapcount(page) != maps)
		c->ok = mm_complain(c->why, "hugetlb: pfn %#lx: compound_mapcount "
				 "%d, page tables map it %zu times", pfn,
				 compound_mapcount(page), (size_t)maps);
	if (!free && page_count(page) < compound_mapcount(page) +
					 (page->mapping && !PageAnon(page)))
		c->ok = mm_complain(c->why, "hugetlb: pfn %#lx: count %d below "
				 "mapcount %d + cache", pfn, page_count(page),
				 compound_mapcount(page));
	if (maps)
		g_tree_remove(c->maps, GSIZE_TO_POINTER(pfn));
}

static gboolean report_stray(gpointer key, gpointer value, gpointer data)
{
	struct huge_census *c = data;

	c->ok = mm_complain(c->why, "hugetlb: pfn %#lx mapped %zu times at PMD "
			 "level but not in the pool", GPOINTER_TO_SIZE(key),
			 (size_t)GPOINTER_TO_SIZE(value));
	return FALSE;
}

static bool hugetlb_check_invariants(struct mm_machine *m, GString *why)
{
	struct hstate *h = hstate_cur();
	struct huge_census c = { .why = why, .ok = true };
	unsigned long nfree = 0, nused = 0;
	struct mm_struct *mm;
	struct page *page;

	if (!h)
		return true;
	c.maps = g_tree_new_full(ulong_cmp, NULL, NULL, NULL);
	list_for_each_entry(mm, &m->mmlist, mmlist) {
		c.mm = mm;
		g_tree_foreach(mm->pgtables, census_table, &c);
	}
	list_for_each_entry(page, &h->hugepage_freelist, lru) {
		nfree++;
		check_pool_page(&c, page, true);
	}
	list_for_each_entry(page, &h->hugepage_activelist, lru) {
		nused++;
		check_pool_page(&c, page, false);
	}
	/* Mapped heads that left the pool (isolated whole) still count. */
	g_tree_foreach(c.maps, report_stray, &c);
	if (nfree != h->free_huge_pages)
		c.ok = mm_complain(why, "hugetlb: %lu pages on the free list, "
				"free_huge_pages %lu", nfree,
				h->free_huge_pages);
	if (nfree + nused != h->nr_huge_pages)
		c.ok = mm_complain(why, "hugetlb: %lu pages in the pool lists, "
				"nr_huge_pages %lu", nfree + nused,
				h->nr_huge_pages);
	g_tree_destroy(c.maps);
	return c.ok;
}
