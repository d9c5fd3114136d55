/*
 * chunk_cache.c - compile each Lua source once per process.
 *
 * Every scenario run is a fresh Lua state, and `hwpsim explore` runs one
 * scenario thousands of times: compiling the embedded libraries and the
 * scenario again each time was most of a short run's cost.  A chunk is
 * compiled from text the first time, dumped to bytecode (with its debug
 * information, so error messages keep their file and line), and later
 * loads of the same name and the same text load the bytecode.  Only
 * bytecode made here by this process is ever loaded: the text must match
 * byte for byte.
 */
#include <string.h>

#include "lua/ctx.h"

struct cached_chunk {
	GBytes *source;
	GByteArray *code;
};

static GHashTable *cache;	/* chunk name -> struct cached_chunk */

static void cached_free(gpointer p)
{
	struct cached_chunk *c = p;

	g_bytes_unref(c->source);
	g_byte_array_unref(c->code);
	g_free(c);
}

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	(void)L;
	g_byte_array_append(ud, p, (guint)sz);
	return 0;
}

static struct cached_chunk *lookup(const char *name, const char *src,
				   size_t len)
{
	struct cached_chunk *c;
	gsize have;
	const char *data;

	if (!cache)
		return NULL;
	c = g_hash_table_lookup(cache, name);
	if (!c)
		return NULL;
	data = g_bytes_get_data(c->source, &have);
	return have == len && !memcmp(data, src, len) ? c : NULL;
}

int hwp_load_cached(lua_State *L, const char *src, size_t len,
		    const char *name)
{
	struct cached_chunk *c = lookup(name, src, len);
	int st;

	if (c)
		return luaL_loadbufferx(L, (const char *)c->code->data,
					c->code->len, name, "b");
	st = luaL_loadbufferx(L, src, len, name, "t");
	if (st != LUA_OK)
		return st;
	if (!cache)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      cached_free);
	c = g_new0(struct cached_chunk, 1);
	c->source = g_bytes_new(src, len);
	c->code = g_byte_array_new();
	lua_dump(L, dump_writer, c->code, 0);
	g_hash_table_replace(cache, g_strdup(name), c);
	return LUA_OK;
}

int hwp_load_file_cached(lua_State *L, const char *path)
{
	char *text = NULL, *name;
	gsize len;
	GError *err = NULL;
	int st;

	if (!g_file_get_contents(path, &text, &len, &err)) {
		lua_pushfstring(L, "cannot open %s: %s", path, err->message);
		g_error_free(err);
		return LUA_ERRFILE;
	}
	/* As luaL_loadfile: a first line starting with '#' is a comment. */
	if (text[0] == '#') {
		char *t = g_strconcat("--", text, NULL);

		g_free(text);
		text = t;
		len += 2;
	}
	name = g_strconcat("@", path, NULL);
	st = hwp_load_cached(L, text, len, name);
	g_free(name);
	g_free(text);
	return st;
}

void hwp_chunk_cache_clear(void)
{
	if (cache)
		g_hash_table_destroy(cache);
	cache = NULL;
}
