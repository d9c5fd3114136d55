/*
 * slab.c - the tiny slab allocator (see slab.h).
 *
 * A slab's host buffer is 2^order * 4 KiB, aligned to its own size, and
 * starts with a pointer back to its struct slab; rounding an object's
 * address down to its cache's slab size finds that pointer.
 * Free objects are chained through their first word.
 */
#include <stdlib.h>
#include <string.h>

#include "mm-model/slab.h"

/* The largest slab: 8 pages. */
#define SLAB_MAX_ORDER	3
/* Objects a slab should hold at least, if the order allows. */
#define SLAB_MIN_OBJECTS 8

static size_t slab_bytes(const struct kmem_cache *s)
{
	return PAGE_SIZE << s->order;
}

/* Choose the smallest order holding SLAB_MIN_OBJECTS, else the largest. */
static bool calculate_sizes(struct kmem_cache *s)
{
	unsigned int align = MAX(s->align, (unsigned int)sizeof(void *));

	if (s->flags & SLAB_HWCACHE_ALIGN)
		align = MAX(align, 64u);
	s->size = (MAX(s->object_size, (unsigned int)sizeof(void *)) +
		   align - 1) & ~(align - 1);
	s->offset = (sizeof(struct slab *) + align - 1) & ~(align - 1);
	for (s->order = 0; s->order <= SLAB_MAX_ORDER; s->order++) {
		s->num = (slab_bytes(s) - s->offset) / s->size;
		if (s->num >= SLAB_MIN_OBJECTS)
			return true;
	}
	s->order = SLAB_MAX_ORDER;
	s->num = (slab_bytes(s) - s->offset) / s->size;
	return s->num > 0;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s;

	if (!size || (align & (align - 1)))
		return NULL;
	s = g_new0(struct kmem_cache, 1);
	s->name = g_strdup(name);
	s->object_size = size;
	s->align = align;
	s->flags = flags;
	s->ctor = ctor;
	if (!calculate_sizes(s)) {
		g_free(s->name);
		g_free(s);
		return NULL;
	}
	spin_lock_init(&s->list_lock, "&n->list_lock");
	INIT_LIST_HEAD(&s->slabs_partial);
	INIT_LIST_HEAD(&s->slabs_full);
	return s;
}

/* The slab of an object of cache s (the kernel's virt_to_slab()). */
static struct slab *obj_to_slab(struct kmem_cache *s, const void *object)
{
	uintptr_t base = (uintptr_t)object & ~(uintptr_t)(slab_bytes(s) - 1);

	return *(struct slab **)base;
}

static void *slab_object(struct kmem_cache *s, struct slab *slab,
			 unsigned int idx)
{
	return (char *)slab->s_mem + s->offset + (size_t)idx * s->size;
}

/* A new slab from the page allocator, all objects free, not listed. */
static struct slab *allocate_slab(struct kmem_cache *s, gfp_t gfp)
{
	gfp_t page_gfp = gfp & ~__GFP_ZERO;
	struct page *page;
	struct slab *slab;
	void **link;

	if (s->order)
		page_gfp |= __GFP_COMP;
	page = alloc_pages(page_gfp, s->order);
	if (!page)
		return NULL;
	slab = page_slab(page);
	__SetPageSlab(page);
	slab->slab_cache = s;
	slab->s_mem = aligned_alloc(slab_bytes(s), slab_bytes(s));
	if (!slab->s_mem)
		g_error("slab %s: out of host memory", s->name);
	*(struct slab **)slab->s_mem = slab;
	slab->inuse = 0;

	link = &slab->freelist;
	for (unsigned int i = 0; i < s->num; i++) {
		void *obj = slab_object(s, slab, i);

		*link = obj;
		link = (void **)obj;
	}
	*link = NULL;

	s->nr_slabs++;
	__mod_node_page_state(page_pgdat(page), NR_SLAB_UNRECLAIMABLE_B,
			      (long)slab_bytes(s));
	return slab;
}

/* Back to the page allocator; the slab is off the lists and empty. */
static void discard_slab(struct kmem_cache *s, struct slab *slab)
{
	struct page *page = slab_page(slab);

	VM_BUG_ON_PAGE(slab->inuse, page);
	free(slab->s_mem);
	slab->s_mem = NULL;
	slab->freelist = NULL;
	slab->slab_cache = NULL;
	__ClearPageSlab(page);
	s->nr_slabs--;
	__mod_node_page_state(page_pgdat(page), NR_SLAB_UNRECLAIMABLE_B,
			      -(long)slab_bytes(s));
	__free_pages(page, s->order);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	struct slab *slab;
	void *obj;

	spin_lock(&s->list_lock);
	slab = list_first_entry_or_null(&s->slabs_partial, struct slab,
					slab_list);
	if (!slab) {
		/* Page allocation happens outside list_lock, as in SLUB. */
		spin_unlock(&s->list_lock);
		slab = allocate_slab(s, gfp);
		if (!slab)
			return NULL;
		spin_lock(&s->list_lock);
		list_add(&slab->slab_list, &s->slabs_partial);
	}
	obj = slab->freelist;
	slab->freelist = *(void **)obj;
	slab->inuse++;
	s->nr_active++;
	if (slab->inuse == s->num)
		list_move(&slab->slab_list, &s->slabs_full);
	spin_unlock(&s->list_lock);

	if (gfp & __GFP_ZERO)
		memset(obj, 0, s->object_size);
	else if (s->ctor)
		s->ctor(obj);
	return obj;
}

void kmem_cache_free(struct kmem_cache *s, void *object)
{
	struct slab *slab;
	bool empty;

	if (!object)
		return;
	slab = obj_to_slab(s, object);
	BUG_ON(!slab || slab->slab_cache != s || slab->s_mem == NULL);

	spin_lock(&s->list_lock);
	if (slab->inuse == s->num)
		list_move(&slab->slab_list, &s->slabs_partial);
	*(void **)object = slab->freelist;
	slab->freelist = object;
	slab->inuse--;
	s->nr_active--;
	empty = slab->inuse == 0;
	if (empty)
		list_del(&slab->slab_list);
	spin_unlock(&s->list_lock);

	if (empty)
		discard_slab(s, slab);
}

static void destroy_list(struct kmem_cache *s, struct list_head *list)
{
	struct slab *slab, *next;

	list_for_each_entry_safe(slab, next, list, slab_list) {
		list_del(&slab->slab_list);
		s->nr_active -= slab->inuse;
		slab->inuse = 0;
		discard_slab(s, slab);
	}
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	destroy_list(s, &s->slabs_partial);
	destroy_list(s, &s->slabs_full);
	sim_lock_destroy(&s->list_lock);
	g_free(s->name);
	g_free(s);
}
