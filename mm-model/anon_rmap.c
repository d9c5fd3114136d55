/*
 * anon_rmap.c - the anon_vma side of reverse mapping (mm/rmap.c): the
 * life of anon_vmas and their chains, and adding and removing a page's
 * mappings.
 *
 * An anon_vma collects the VMAs in which an anonymous page may be mapped.
 * Each VMA is linked to every anon_vma it may share pages with through an
 * anon_vma_chain (avc): in vma->anon_vma_chain (same_vma) and in the
 * anon_vma's list of VMAs (rb).  A fork links the child VMA to all of the
 * parent VMA's anon_vmas and gives it a new anon_vma of its own, child of
 * the parent's; every anon_vma of such a family shares the root's rwsem.
 *
 * Lifetime: an anon_vma holds one reference while any VMA is linked to it
 * (dropped in unlink_anon_vmas when its list becomes empty), and every
 * non-root anon_vma holds one on its root, whose lock it uses.  Pages
 * point at an anon_vma without a reference, as in the kernel: rmap
 * walkers check page_mapped() before trusting page->mapping.
 *
 * Ids come from the machine's counter in creation order, for reports.
 */
#include <errno.h>

#include "mm-model/machine.h"
#include "mm-model/rmap.h"

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *av = g_new0(struct anon_vma, 1);

	av->root = av;
	av->parent = av;
	init_rwsem(&av->rwsem, "anon_vma->rwsem");
	atomic_set(&av->refcount, 1);
	INIT_LIST_HEAD(&av->rb_root);
	av->id = mm_machine_cur->next_anon_vma_id++;
	return av;
}

static bool rwsem_is_locked(const struct sim_lock *l)
{
	return l->owner != SIM_OWNER_NONE || l->readers > 0;
}

static void anon_vma_free(struct anon_vma *av)
{
	VM_BUG_ON(atomic_read(&av->refcount));
	/*
	 * A walker (page_lock_anon_vma_read) may have found this anon_vma
	 * through a page and hold the root's lock while it sees its
	 * page_mapped() check fail.  Wait for it, as the kernel does,
	 * before the lock goes away.
	 */
	if (rwsem_is_locked(&av->root->rwsem)) {
		anon_vma_lock_write(av);
		anon_vma_unlock_write(av);
	}
	sim_lock_destroy(&av->rwsem);
	g_free(av);
}

static void __put_anon_vma(struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	anon_vma_free(av);
	if (root != av && atomic_dec_and_test(&root->refcount))
		anon_vma_free(root);
}

void put_anon_vma(struct anon_vma *av)
{
	if (atomic_dec_and_test(&av->refcount))
		__put_anon_vma(av);
}

static struct anon_vma_chain *anon_vma_chain_alloc(void)
{
	return g_new0(struct anon_vma_chain, 1);
}

static void anon_vma_chain_free(struct anon_vma_chain *avc)
{
	g_free(avc);
}

/* Link vma and av through avc; the caller holds av's root lock. */
static void anon_vma_chain_link(struct vm_area_struct *vma,
				struct anon_vma_chain *avc,
				struct anon_vma *av)
{
	avc->vma = vma;
	avc->anon_vma = av;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	/* Walks visit VMAs in the order they were linked. */
	list_add_tail(&avc->rb, &av->rb_root);
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	if (likely(vma->anon_vma))
		return 0;
	avc = anon_vma_chain_alloc();
	av = anon_vma_alloc();
	anon_vma_lock_write(av);
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma)) {
		vma->anon_vma = av;
		anon_vma_chain_link(vma, avc, av);
		av->degree++;
		avc = NULL;
		av = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (av) {
		/* Somebody else prepared it meanwhile. */
		anon_vma_unlock_write(av);
		atomic_set(&av->refcount, 0);
		anon_vma_free(av);
		anon_vma_chain_free(avc);
	} else {
		anon_vma_unlock_write(vma->anon_vma);
	}
	return 0;
}

/*
 * Take the root lock of av, switching from the one held (if another).
 * Every anon_vma on one VMA's chain has the same root in practice; the
 * switch is kept for the general case, as in the kernel.
 */
static struct anon_vma *lock_anon_vma_root(struct anon_vma *root,
					   struct anon_vma *av)
{
	struct anon_vma *new_root = av->root;

	if (new_root != root) {
		if (root)
			up_write(&root->rwsem);
		root = new_root;
		down_write(&root->rwsem);
	}
	return root;
}

static void unlock_anon_vma_root(struct anon_vma *root)
{
	if (root)
		up_write(&root->rwsem);
}

int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *pavc;
	struct anon_vma *root = NULL;

	/* Oldest first, so dst's chain ends up in src's order. */
	list_for_each_entry_reverse(pavc, &src->anon_vma_chain, same_vma) {
		struct anon_vma_chain *avc = anon_vma_chain_alloc();
		struct anon_vma *av = pavc->anon_vma;

		root = lock_anon_vma_root(root, av);
		anon_vma_chain_link(dst, avc, av);
	}
	if (dst->anon_vma)
		dst->anon_vma->degree++;
	unlock_anon_vma_root(root);
	return 0;
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;
	int err;

	if (!pvma->anon_vma)
		return 0;
	/* The copy of the parent's pointer: the child gets its own. */
	vma->anon_vma = NULL;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	err = anon_vma_clone(vma, pvma);
	if (err)
		return err;

	av = anon_vma_alloc();
	avc = anon_vma_chain_alloc();
	av->root = pvma->anon_vma->root;
	av->parent = pvma->anon_vma;
	/* The root lives as long as any anon_vma that uses its lock. */
	get_anon_vma(av->root);
	vma->anon_vma = av;
	av->degree++;
	anon_vma_lock_write(av);
	anon_vma_chain_link(vma, avc, av);
	av->parent->degree++;
	anon_vma_unlock_write(av);
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	struct anon_vma *root = NULL;

	/*
	 * First pass, under the root lock: take vma off every anon_vma.
	 * Chains to anon_vmas that other VMAs still use go away here; those
	 * whose last VMA this was stay on vma's chain for the second pass.
	 */
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *av = avc->anon_vma;

		root = lock_anon_vma_root(root, av);
		list_del(&avc->rb);
		if (list_empty(&av->rb_root)) {
			av->parent->degree--;
			continue;
		}
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
	}
	if (vma->anon_vma) {
		vma->anon_vma->degree--;
		vma->anon_vma = NULL;
	}
	unlock_anon_vma_root(root);

	/* Second pass, unlocked: drop the anon_vmas nobody links to. */
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *av = avc->anon_vma;

		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
		put_anon_vma(av);
	}
}

/* ---- page mappings ------------------------------------------------------ */

/*
 * Make page anonymous in vma at address.  A page that already is keeps
 * its anon_vma; one that is not exclusive to this VMA gets the root, the
 * anon_vma every VMA that may map it is chained to.
 */
static void __page_set_anon_rmap(struct page *page, struct vm_area_struct *vma,
				 unsigned long address, bool exclusive)
{
	struct anon_vma *av = vma->anon_vma;

	BUG_ON(!av);
	if (!PageAnon(page)) {
		if (!exclusive)
			av = av->root;
		page->mapping = (struct address_space *)
			((unsigned long)av | PAGE_MAPPING_ANON);
		page->index = linear_page_index(vma, address);
	}
	if (exclusive)
		SetPageAnonExclusive(page);
}

/*
 * mlock_vma_page() / munlock_vma_page() (mm/internal.h): a page mapped
 * into or out of a VM_LOCKED VMA gains or loses an mlock.  Whole-PMD
 * mappings of compound pages are the hugetlb code's business.
 */
static void mlock_vma_page(struct page *page, struct vm_area_struct *vma)
{
	if (unlikely(vma->vm_flags & VM_LOCKED) && !PageTransCompound(page))
		mlock_page(page);
}

static void munlock_vma_page(struct page *page, struct vm_area_struct *vma)
{
	if (unlikely(vma->vm_flags & VM_LOCKED) && !PageTransCompound(page))
		munlock_page(page);
}

void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma,
			    unsigned long address)
{
	VM_BUG_ON_PAGE(PageCompound(page), page);
	__SetPageSwapBacked(page);
	atomic_set(&page->_mapcount, 0);
	__page_set_anon_rmap(page, vma, address, true);
}

void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma,
			unsigned long address)
{
	bool first = atomic_inc_and_test(&page->_mapcount);

	if (!PageKsm(page)) {
		if (first)
			__page_set_anon_rmap(page, vma, address, false);
		else
			VM_BUG_ON_PAGE(page->index !=
				       linear_page_index(vma, address), page);
	}
	mlock_vma_page(page, vma);
}

void page_add_file_rmap(struct page *page, struct vm_area_struct *vma)
{
	VM_BUG_ON_PAGE(PageAnon(page), page);
	atomic_inc(&page->_mapcount);
	mlock_vma_page(page, vma);
}

void page_remove_rmap(struct page *page, struct vm_area_struct *vma)
{
	/* The last mapping gone leaves the page as it was: still anon (or
	 * file), on its LRU, for whoever holds the remaining references. */
	atomic_add_negative(-1, &page->_mapcount);
	munlock_vma_page(page, vma);
}
