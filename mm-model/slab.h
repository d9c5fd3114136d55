/*
 * slab.h - a tiny slab allocator: kernel objects on PageSlab pages.
 *
 * Enough of SLUB's shape for the rest of the model to allocate its
 * kernel objects (anon_vma, vm_area_struct, ...) the way the kernel does,
 * and for those allocations to occupy physical pages that show up as
 * slab in /proc/kpageflags and that memory_failure() finds as "kernel
 * slab page".
 *
 * A slab is 2^order physical pages (a compound page when order > 0) with
 * PG_slab on the first.  Its bookkeeping overlays struct page like the
 * kernel's struct slab.  The objects themselves live in host memory, one
 * aligned buffer per slab standing in for the pages' kernel virtual
 * address: simulated physical memory holds data only where sim/ models
 * it, and kernel objects are not part of that.
 *
 * Policy, all deterministic: objects come from the first partial slab,
 * lowest free object first after a fresh slab, last freed first after
 * that; a slab whose last object is freed goes straight back to the page
 * allocator.
 */
#ifndef HWPSIM_MM_SLAB_H
#define HWPSIM_MM_SLAB_H

#include "mm-model/gfp.h"

struct kmem_cache {
	char *name;
	unsigned int object_size;	/* as asked for */
	unsigned int size;		/* per object, with alignment */
	unsigned int align;
	unsigned int order;		/* pages per slab: 2^order */
	unsigned int num;		/* objects per slab */
	unsigned int offset;		/* first object's offset in a slab */
	unsigned long flags;
	void (*ctor)(void *object);

	/* Guards the lists and every slab's freelist and inuse. */
	struct sim_lock list_lock;
	struct list_head slabs_partial;	/* some objects free */
	struct list_head slabs_full;
	unsigned long nr_slabs;
	unsigned long nr_active;	/* objects handed out */
};

/* struct page, seen as a slab (the kernel's struct slab). */
struct slab {
	unsigned long __page_flags;
	struct list_head slab_list;	/* on slabs_partial or slabs_full */
	struct kmem_cache *slab_cache;
	void *freelist;			/* first free object, chained */
	void *s_mem;			/* the slab's host buffer */
	unsigned int __page_type;	/* page->_mapcount: stays -1 (0) */
	atomic_t __page_refcount;
	unsigned int inuse;		/* objects handed out */
	unsigned int __unused;
};

#define SLAB_MATCH(pg, sl)						\
	static_assert(offsetof(struct page, pg) == offsetof(struct slab, sl), \
		      "struct slab overlays struct page")
SLAB_MATCH(flags, __page_flags);
SLAB_MATCH(lru, slab_list);
SLAB_MATCH(mapping, slab_cache);
SLAB_MATCH(index, freelist);
SLAB_MATCH(private, s_mem);
SLAB_MATCH(_mapcount, __page_type);
SLAB_MATCH(_refcount, __page_refcount);
SLAB_MATCH(memcg_data, inuse);
#undef SLAB_MATCH
static_assert(sizeof(struct slab) <= sizeof(struct page), "slab fits page");

#define slab_page(s)	((struct page *)(s))
#define page_slab(p)	((struct slab *)(p))

#define SLAB_HWCACHE_ALIGN	0x00002000UL
#define SLAB_PANIC		0x00040000UL
#define SLAB_ACCOUNT		0x04000000UL

/* NULL if size is 0 or larger than an order-3 slab can hold. */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *));
/* Frees every slab; objects still allocated are gone with them. */
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *object);

static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

#endif
