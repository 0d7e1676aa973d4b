/* Strict JSON reader for config.json: yajl callbacks building an arena tree. */
#include "oci/config_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "common/cleanup.h"

/* ---- arena: the tree is freed in one sweep, without recursion ---------- */

#define CHUNK_SIZE ((size_t)64 * 1024)
#define BIG_ALLOC  (CHUNK_SIZE / 4)

struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct cj_doc {
	struct chunk *chunks; /* the head is the one being filled */
	struct cj_node *root;
};

static void *arena_alloc(struct cj_doc *d, size_t size)
{
	struct chunk *c = d->chunks;
	void *p;

	size = (size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	if (size > BIG_ALLOC) {
		/* Own chunk, linked behind the head so the head keeps filling. */
		struct chunk *big = malloc(sizeof(*big) + size);

		if (!big)
			return NULL;
		big->used = big->size = size;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			big->next = NULL;
			d->chunks = big;
		}
		return big->data;
	}
	if (!c || c->size - c->used < size) {
		c = malloc(sizeof(*c) + CHUNK_SIZE);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = CHUNK_SIZE;
		c->next = d->chunks;
		d->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

void cj_free(struct cj_doc *d)
{
	struct chunk *c, *next;

	if (!d)
		return;
	for (c = d->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(d);
}

const struct cj_node *cj_root(const struct cj_doc *d)
{
	return d->root;
}

/* ---- strict parse: yajl callbacks building the tree --------------------- */

struct builder {
	struct cj_doc *doc;
	struct rl_error *e;
	struct cj_node *stack[OCI_CONFIG_MAX_DEPTH]; /* open containers */
	struct cj_node *last[OCI_CONFIG_MAX_DEPTH];  /* their last child */
	size_t depth;
	const char *key; /* member name waiting for its value */
	uint32_t key_len;
};

/* The path of the open container, plus the slot about to be filled. */
static void builder_path(const struct builder *b, struct cj_path *p, bool with_slot)
{
	p->len = 0;
	p->buf[0] = '\0';
	for (size_t i = 1; i < b->depth; i++) {
		const struct cj_node *n = b->stack[i];

		if (b->stack[i - 1]->type == CJ_OBJECT)
			cj_path_push_key(p, n->key, n->key_len);
		else
			cj_path_push_index(p, n->idx);
	}
	if (with_slot && b->depth > 0) {
		const struct cj_node *parent = b->stack[b->depth - 1];

		if (parent->type == CJ_OBJECT)
			cj_path_push_key(p, b->key, b->key_len);
		else
			cj_path_push_index(p, parent->n);
	}
}

/* Returns 0, the value that makes yajl stop with client_canceled. */
static int builder_fail(struct builder *b, bool with_slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int builder_fail(struct builder *b, bool with_slot, const char *fmt, ...)
{
	struct cj_path p;
	va_list ap;

	builder_path(b, &p, with_slot);
	va_start(ap, fmt);
	cj_vfail_at(b->e, &p, fmt, ap);
	va_end(ap);
	return 0;
}

static int builder_oom(struct builder *b)
{
	rl_fail(b->e, ENOMEM, "config.json: out of memory");
	return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
 * yajl checks only the shape of multi-byte sequences, and its "\u" decoder
 * can produce lone surrogates. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char ch = s[i];
		size_t need;
		uint32_t cp, min;

		if (ch < 0x80) {
			i++;
			continue;
		}
		if (ch >= 0xC2 && ch <= 0xDF) {
			need = 1;
			cp = ch & 0x1Fu;
			min = 0x80;
		} else if ((ch & 0xF0) == 0xE0) {
			need = 2;
			cp = ch & 0x0Fu;
			min = 0x800;
		} else if (ch >= 0xF0 && ch <= 0xF4) {
			need = 3;
			cp = ch & 0x07u;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

static char *arena_strndup(struct cj_doc *d, const void *s, size_t len)
{
	char *p = arena_alloc(d, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static struct cj_node *add_value(struct builder *b, enum cj_type t)
{
	struct cj_node *n = arena_alloc(b->doc, sizeof(*n));
	struct cj_node *parent;

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->type = t;
	if (b->depth == 0) {
		b->doc->root = n;
		return n;
	}
	parent = b->stack[b->depth - 1];
	if (parent->type == CJ_OBJECT) {
		n->key = b->key;
		n->key_len = b->key_len;
		b->key = NULL;
	}
	n->idx = parent->n;
	if (b->last[b->depth - 1])
		b->last[b->depth - 1]->next = n;
	else
		parent->child = n;
	b->last[b->depth - 1] = n;
	parent->n++;
	return n;
}

static int add_scalar(struct builder *b, enum cj_type t)
{
	return add_value(b, t) ? 1 : builder_oom(b);
}

static int cb_null(void *ctx)
{
	return add_scalar(ctx, CJ_NULL);
}

static int cb_boolean(void *ctx, int v)
{
	return add_scalar(ctx, v ? CJ_TRUE : CJ_FALSE);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct builder *b = ctx;
	struct cj_node *n = add_value(b, CJ_NUMBER);

	if (!n || !(n->text = arena_strndup(b->doc, s, len)))
		return builder_oom(b);
	n->len = (uint32_t)len;
	return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	struct cj_node *n;

	if (memchr(s, '\0', len))
		return builder_fail(b, true, "contains a NUL character");
	if (!utf8_valid(s, len))
		return builder_fail(b, true, "is not valid UTF-8");
	n = add_value(b, CJ_STRING);
	if (!n || !(n->text = arena_strndup(b->doc, s, len)))
		return builder_oom(b);
	n->len = (uint32_t)len;
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	char q[CJ_QUOTE_BUF];

	if (memchr(s, '\0', len))
		return builder_fail(b, false, "key %s contains a NUL character",
		                    cj_quote(q, sizeof(q), (const char *)s, len));
	if (!utf8_valid(s, len))
		return builder_fail(b, false, "a key is not valid UTF-8");
	b->key = arena_strndup(b->doc, s, len);
	if (!b->key)
		return builder_oom(b);
	b->key_len = (uint32_t)len;
	return 1;
}

static int open_container(struct builder *b, enum cj_type t)
{
	struct cj_node *n;

	/* yajl's own parser keeps a heap stack, so refusing here, on the
	 * way in, is enough to bound every recursion on the tree later. */
	if (b->depth >= OCI_CONFIG_MAX_DEPTH) {
		rl_fail(b->e, EINVAL, "config.json: nesting deeper than %d levels",
		        OCI_CONFIG_MAX_DEPTH);
		return 0;
	}
	n = add_value(b, t);
	if (!n)
		return builder_oom(b);
	b->stack[b->depth] = n;
	b->last[b->depth] = NULL;
	b->depth++;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, CJ_OBJECT);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, CJ_ARRAY);
}

static int cb_end_array(void *ctx)
{
	struct builder *b = ctx;

	b->depth--;
	return 1;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct cj_node *a = *(const struct cj_node *const *)pa;
	const struct cj_node *b = *(const struct cj_node *const *)pb;
	int r;

	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	r = memcmp(a->key, b->key, a->key_len);
	if (r)
		return r;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sorting keeps this O(n log n): an 8 MiB object has ~10^6 members. */
static int cb_end_map(void *ctx)
{
	struct builder *b = ctx;
	const struct cj_node *obj = b->stack[b->depth - 1];
	const struct cj_node *small[32] = {NULL};
	_cleanup_free_ const struct cj_node **heap = NULL;
	const struct cj_node **v = small;
	size_t i = 0;

	if (obj->n > 1) {
		if (obj->n > sizeof(small) / sizeof(small[0])) {
			heap = malloc(obj->n * sizeof(*heap));
			if (!heap)
				return builder_oom(b);
			v = heap;
		}
		for (const struct cj_node *m = obj->child; m; m = m->next)
			v[i++] = m;
		qsort(v, i, sizeof(*v), key_cmp);
		for (i = 1; i < obj->n; i++) {
			if (v[i]->key_len == v[i - 1]->key_len &&
			    memcmp(v[i]->key, v[i - 1]->key, v[i]->key_len) == 0) {
				char q[CJ_QUOTE_BUF];

				return builder_fail(
				    b, false, "duplicate key %s",
				    cj_quote(q, sizeof(q), v[i]->key, v[i]->key_len));
			}
		}
	}
	b->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end_map,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end_array,
};

static void yajl_failure(yajl_handle h, const char *buf, size_t len, size_t at, struct rl_error *e)
{
	unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)buf, len);
	size_t n;

	if (!msg) {
		rl_fail(e, EINVAL, "config.json: invalid JSON (at byte %zu)", at);
		return;
	}
	/* One line: yajl ends its message with ".\n" or "\n". */
	for (unsigned char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = strlen((char *)msg);
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	rl_fail(e, EINVAL, "config.json: invalid JSON: %s (at byte %zu)", (char *)msg, at);
	yajl_free_error(h, msg);
}

int cj_parse(const char *buf, size_t len, struct cj_doc **out, struct rl_error *e)
{
	struct builder b = {.e = e};
	const char *nul;
	yajl_handle h;
	yajl_status st;
	size_t at;
	bool blank = true;

	if (len > OCI_CONFIG_MAX_BYTES)
		return rl_fail(e, EFBIG,
		               "config.json: document is %zu bytes, larger than the %u-byte limit",
		               len, OCI_CONFIG_MAX_BYTES);
	for (size_t i = 0; i < len && blank; i++)
		blank = buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r';
	if (blank)
		return rl_fail(e, EINVAL, "config.json: invalid JSON: empty document");
	nul = memchr(buf, '\0', len);
	if (nul)
		return rl_fail(e, EINVAL, "config.json: invalid JSON: NUL byte at offset %zu",
		               (size_t)(nul - buf));

	b.doc = calloc(1, sizeof(*b.doc));
	if (!b.doc)
		return rl_fail(e, ENOMEM, "config.json: out of memory");
	h = yajl_alloc(&callbacks, NULL, &b);
	if (!h) {
		cj_free(b.doc);
		return rl_fail(e, ENOMEM, "config.json: out of memory");
	}
	/* Defaults are what we want: strings validated, no comments, no
	 * trailing garbage, one value, no partial values. */
	st = yajl_parse(h, (const unsigned char *)buf, len);
	at = yajl_get_bytes_consumed(h);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		at = len;
	}
	if (st == yajl_status_error)
		yajl_failure(h, buf, len, at, e);
	yajl_free(h);
	if (st == yajl_status_ok && !b.doc->root) {
		/* Not expected with yajl's defaults; a NULL root must not escape. */
		rl_fail(e, EINVAL, "config.json: invalid JSON: empty document");
		st = yajl_status_error;
	}
	if (st != yajl_status_ok) {
		cj_free(b.doc);
		return -1;
	}
	*out = b.doc;
	return 0;
}
