/*
 * fs.c - super blocks, inodes, open files and the simulated block device.
 *
 * A file system is a super_block on the current machine's list.  Its
 * device keeps, per inode, what was written back: inode->disk maps a page
 * index to the page's bytes (a GBytes of PAGE_SIZE).  A hole - never
 * written, punched or truncated away - is simply absent and reads as
 * zeros, so sparse files cost nothing.  Content is shared, never copied:
 * writeback stores the frame's GBytes, read-in hands it back to a frame.
 *
 * Inode lifetime: an inode is referenced by its files (and the process
 * model's VMAs through their files).  A disk file stays on its super
 * block, with its page cache, when the last reference goes, as a cached
 * inode of a file that still has a name does.  An unlinked one (i_nlink
 * 0: tmpfs objects made by shmem_file_setup) is evicted then: its pages
 * are truncated and it is freed.
 *
 * Everything here is kept in creation order (lists) or index order
 * (trees); the only hash table is keyed by the machine and only looked
 * up, never walked, so nothing depends on addresses.
 */
#include <errno.h>
#include <string.h>

#include "mm-model/fs_internal.h"
#include "mm-model/hugetlb.h"

/* ---- the fsync_errors switch ---------------------------------------- */

static const char *const fsync_error_modes[] = { "errseq", "as_eio", NULL };

static const struct sim_policy_def fs_policy_defs[] = {
	{ "fsync_errors", fsync_error_modes, "errseq",
	  "writeback errors to fsync: errseq (6.1: each open file sees an "
	  "error once) or as_eio (the AS_EIO flag: the first caller to check "
	  "clears it for everybody, seed 002)" },
};

void fs_policy_register(void)
{
	sim_policy_register(fs_policy_defs, G_N_ELEMENTS(fs_policy_defs));
}

/* ---- the page cache invariants -------------------------------------- */

struct pc_census {
	struct address_space *mapping;
	GString *why;
	unsigned long pages, dirty;
	bool ok;
};

#define pc_fail(c, ...)	do {						\
		(c)->ok = false;					\
		if ((c)->why)						\
			g_string_append_printf((c)->why, __VA_ARGS__);	\
	} while (0)

static gboolean pc_check_page(gpointer key, gpointer value, gpointer data)
{
	struct pc_census *c = data;
	struct page *page = value;
	struct inode *inode = c->mapping->host;

	c->pages++;
	if (PageDirty(page))
		c->dirty++;
	if (page->mapping != c->mapping || page->index != KEY_INDEX(key))
		pc_fail(c, "page cache: pfn %#lx at %s:%lu has mapping/index "
			"of another place (index %lu)\n", page_to_pfn(page),
			inode->name, KEY_INDEX(key), page->index);
	if (PageTail(page) || page_count(page) < 1)
		pc_fail(c, "page cache: pfn %#lx at %s:%lu is a tail or free "
			"page (count %d)\n", page_to_pfn(page), inode->name,
			KEY_INDEX(key), page_count(page));
	if (shmem_mapping(c->mapping) && !PageSwapBacked(page))
		pc_fail(c, "page cache: tmpfs pfn %#lx at %s:%lu is not "
			"swap-backed\n", page_to_pfn(page), inode->name,
			KEY_INDEX(key));
	return FALSE;
}

/*
 * Every page in i_pages points back to its place and is referenced;
 * nrpages counts them; for a disk file nr_dirty counts the dirty ones
 * and the inode is dirty exactly when some are.
 */
static bool fs_check_invariants(struct mm_machine *m, GString *why)
{
	struct super_block *sb;
	struct inode *inode;
	bool ok = true;

	list_for_each_entry(sb, &m->super_blocks, s_list) {
		list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
			struct address_space *mapping = inode->i_mapping;
			struct pc_census c = { mapping, why, 0, 0, true };

			g_tree_foreach(mapping->i_pages, pc_check_page, &c);
			if (c.pages != mapping->nrpages)
				pc_fail(&c, "page cache: %s holds %lu pages, "
					"nrpages says %lu\n", inode->name,
					c.pages, mapping->nrpages);
			if (mapping_can_writeback(mapping) &&
			    (c.dirty != mapping->nr_dirty ||
			     !(inode->i_state & I_DIRTY_PAGES) != !c.dirty))
				pc_fail(&c, "page cache: %s has %lu dirty pages, "
					"nr_dirty %lu, inode %s\n", inode->name,
					c.dirty, mapping->nr_dirty,
					inode->i_state & I_DIRTY_PAGES ?
					"dirty" : "clean");
			ok = ok && c.ok;
		}
	}
	return ok;
}

void fs_init(void)
{
	fs_policy_register();
	mm_register_invariant_check("page cache", fs_check_invariants);
}

bool fs_errors_legacy(void)
{
	const struct sim_policy *p = mm_machine_cur ? mm_machine_cur->policy :
						      NULL;

	return sim_policy_is(p, "fsync_errors", "as_eio");
}

/* ---- per-machine state ---------------------------------------------- */

/* machine -> struct fs_machine; looked up only, never iterated. */
static GHashTable *fs_machines;

struct fs_machine *fs_machine(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct fs_machine *fsm;

	if (!fs_machines)
		fs_machines = g_hash_table_new(g_direct_hash, g_direct_equal);
	fsm = g_hash_table_lookup(fs_machines, m);
	if (!fsm) {
		fsm = g_new0(struct fs_machine, 1);
		fsm->m = m;
		g_queue_init(&fsm->inflight);
		g_hash_table_insert(fs_machines, m, fsm);
	}
	return fsm;
}

gint fs_index_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	pgoff_t x = KEY_INDEX(a), y = KEY_INDEX(b);

	(void)unused;
	return x < y ? -1 : x > y;
}

/* ---- super blocks --------------------------------------------------- */

struct super_block *mount_fs(const char *id, enum fs_type type,
			     unsigned int major, unsigned int minor)
{
	struct mm_machine *m = mm_machine_cur;
	struct super_block *sb = g_new0(struct super_block, 1);

	fs_init();
	sb->s_dev = MKDEV(major, minor);
	g_strlcpy(sb->s_id, id, sizeof(sb->s_id));
	sb->type = type;
	/* tmpfs and hugetlbfs have no device: nothing to wait for. */
	sb->wb_latency_ns = type == FS_DISK ? m->cfg.disk_latency_ns : 0;
	sb->dirty_expire_ns = m->cfg.dirty_expire_ns;
	INIT_LIST_HEAD(&sb->s_inodes);
	list_add_tail(&sb->s_list, &m->super_blocks);
	return sb;
}

static const struct address_space_operations *fs_aops(enum fs_type type)
{
	switch (type) {
	case FS_DISK:
		return &disk_aops;
	case FS_TMPFS:
		return &shmem_aops;
	case FS_HUGETLBFS:
		return &hugetlbfs_aops;
	}
	return &disk_aops;
}

static void address_space_init_once(struct address_space *mapping,
				    struct inode *host,
				    const struct address_space_operations *a)
{
	mapping->host = host;
	mapping->i_pages = g_tree_new_full(fs_index_cmp, NULL, NULL, NULL);
	spin_lock_init(&mapping->i_pages_lock, "i_pages lock");
	INIT_LIST_HEAD(&mapping->i_mmap);
	init_rwsem(&mapping->i_mmap_rwsem, "i_mmap_rwsem");
	init_rwsem(&mapping->invalidate_lock, "mapping.invalidate_lock");
	mapping->a_ops = a;
}

static unsigned long get_next_ino(void)
{
	struct mm_machine *m = mm_machine_cur;

	/* Inode 0 means "none" to user space: start at 1. */
	if (!m->next_ino)
		m->next_ino = 1;
	return m->next_ino++;
}

struct inode *fs_create(struct super_block *sb, const char *name)
{
	struct inode *inode = g_new0(struct inode, 1);

	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0644;
	inode->i_sb = sb;
	inode->i_mapping = &inode->i_data;
	address_space_init_once(&inode->i_data, inode, fs_aops(sb->type));
	init_rwsem(&inode->i_rwsem, "i_rwsem");
	inode->disk = g_tree_new_full(fs_index_cmp, NULL, NULL,
				      (GDestroyNotify)g_bytes_unref);
	inode->name = g_strdup(name);
	inode->i_nlink = 1;
	atomic_set(&inode->i_count, 1);
	list_add_tail(&inode->i_sb_list, &sb->s_inodes);
	return inode;
}

/* Free what the inode owns; its page cache must be empty. */
static void destroy_inode(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;

	list_del(&inode->i_sb_list);
	sim_lock_destroy(&mapping->i_pages_lock);
	sim_lock_destroy(&mapping->i_mmap_rwsem);
	sim_lock_destroy(&mapping->invalidate_lock);
	sim_lock_destroy(&inode->i_rwsem);
	g_tree_destroy(mapping->i_pages);
	g_tree_destroy(inode->disk);
	g_free(inode->name);
	g_free(inode);
}

/* The last reference to an unlinked inode went: drop it for good. */
void fs_inode_evict(struct inode *inode)
{
	/* hugetlbfs_evict_inode(): huge pages leave their own way. */
	if (inode->i_sb->type == FS_HUGETLBFS)
		hugetlbfs_evict_inode(inode);
	truncate_inode_pages(inode->i_mapping, 0);
	VM_BUG_ON(inode->i_mapping->nrpages);
	destroy_inode(inode);
}

void iput(struct inode *inode)
{
	if (!inode)
		return;
	VM_BUG_ON(atomic_read(&inode->i_count) <= 0);
	if (atomic_dec_and_test(&inode->i_count) && !inode->i_nlink)
		fs_inode_evict(inode);
}

/* ---- open files ----------------------------------------------------- */

struct file *filp_open(struct inode *inode, unsigned int flags)
{
	struct file *file = g_new0(struct file, 1);

	ihold(inode);
	file->f_inode = inode;
	file->f_mapping = inode->i_mapping;
	file->f_flags = flags;
	/* Errors nobody has seen yet are this file's to report too. */
	file->f_wb_err = filemap_sample_wb_err(inode->i_mapping);
	atomic_set(&file->f_count, 1);
	spin_lock_init(&file->f_lock, "f_lock");
	return file;
}

void fput(struct file *file)
{
	if (!file)
		return;
	VM_BUG_ON(atomic_read(&file->f_count) <= 0);
	if (!atomic_dec_and_test(&file->f_count))
		return;
	sim_lock_destroy(&file->f_lock);
	iput(file->f_inode);
	g_free(file);
}

/* ---- the device ----------------------------------------------------- */

GBytes *fs_disk_lookup(struct inode *inode, pgoff_t index)
{
	return g_tree_lookup(inode->disk, INDEX_KEY(index));
}

/* Store a page's bytes (the tree takes its own reference); NULL: hole. */
void fs_disk_store(struct inode *inode, pgoff_t index, GBytes *bytes)
{
	if (!bytes) {
		g_tree_remove(inode->disk, INDEX_KEY(index));
		return;
	}
	g_tree_replace(inode->disk, INDEX_KEY(index), g_bytes_ref(bytes));
}

static gboolean collect_from(gpointer key, gpointer value, gpointer data)
{
	(void)value;
	g_array_append_val((GArray *)data, key);
	return FALSE;
}

/* Drop every device page at index and beyond (truncate). */
void fs_disk_drop_from(struct inode *inode, pgoff_t index)
{
	GArray *keys = g_array_new(FALSE, FALSE, sizeof(gpointer));

	g_tree_foreach(inode->disk, collect_from, keys);
	for (guint i = 0; i < keys->len; i++) {
		gpointer k = g_array_index(keys, gpointer, i);

		if (KEY_INDEX(k) >= index)
			g_tree_remove(inode->disk, k);
	}
	g_array_free(keys, TRUE);
}

void fs_disk_zero(struct inode *inode, pgoff_t index, unsigned int off,
		  unsigned int len)
{
	GBytes *old = fs_disk_lookup(inode, index);
	guint8 *buf;

	if (!old || !len)
		return;
	VM_BUG_ON(off + len > PAGE_SIZE);
	buf = g_memdup2(g_bytes_get_data(old, NULL), PAGE_SIZE);
	memset(buf + off, 0, len);
	g_tree_replace(inode->disk, INDEX_KEY(index),
		       g_bytes_new_take(buf, PAGE_SIZE));
}

/*
 * ->read_folio of disk files: the device's bytes into the locked page's
 * frame (zeros for a hole).  The read takes the device's latency inside
 * a fiber; the page stays locked meanwhile, so others wait on it.
 */
static int disk_read_folio(struct file *file, struct page *page)
{
	struct inode *inode = page->mapping->host;

	(void)file;
	if (fs_in_fiber() && inode->i_sb->wb_latency_ns)
		sim_sleep(fs_sim(), inode->i_sb->wb_latency_ns, SIM_HERE);
	physmem_set_page(fs_physmem(), page_to_pfn(page),
			 fs_disk_lookup(inode, page->index));
	SetPageUptodate(page);
	return 0;
}

const struct address_space_operations disk_aops = {
	.writepage = disk_writepage,
	.dirty_folio = filemap_dirty_folio,
	.read_folio = disk_read_folio,
	.error_remove_page = generic_error_remove_page,
	.migrate_folio = filemap_migrate_folio,
};

/* ---- teardown ------------------------------------------------------- */

/*
 * Take every page out of a mapping without locks or waits: the machine
 * is going away, fibers that held page locks were killed, writes in
 * flight were forgotten.  Each page loses the cache's reference.
 */
static void drop_all_pages(struct address_space *mapping)
{
	GTreeNode *node;

	while ((node = g_tree_node_first(mapping->i_pages))) {
		struct page *page = g_tree_node_value(node);

		g_tree_remove(mapping->i_pages, INDEX_KEY(page->index));
		mapping->nrpages--;
		page->flags &= ~(BIT(PG_locked) | BIT(PG_writeback) |
				 BIT(PG_dirty));
		page->mapping = NULL;
		put_page(page);
	}
	mapping->nr_dirty = 0;
}

void fs_machine_teardown(void)
{
	struct mm_machine *m = mm_machine_cur;
	struct super_block *sb, *nsb;
	struct fs_machine *fsm;

	if (!m)
		return;
	fsm = fs_machines ? g_hash_table_lookup(fs_machines, m) : NULL;
	if (fsm)
		wb_forget_inflight(fsm);
	list_for_each_entry_safe(sb, nsb, &m->super_blocks, s_list) {
		struct inode *inode, *ninode;

		list_for_each_entry_safe(inode, ninode, &sb->s_inodes,
					 i_sb_list) {
			drop_all_pages(inode->i_mapping);
			destroy_inode(inode);
		}
		list_del(&sb->s_list);
		g_free(sb);
	}
	if (fsm) {
		g_hash_table_remove(fs_machines, m);
		g_free(fsm);
	}
}
