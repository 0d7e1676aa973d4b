/* The JSON layer under the config.json parser (internal to oci/).
 *
 * cj_parse reads a document with yajl's callback parser into an immutable
 * tree and refuses, before any typed conversion sees it: documents over
 * OCI_CONFIG_MAX_BYTES, raw NUL bytes, nesting deeper than
 * OCI_CONFIG_MAX_DEPTH, invalid JSON, strings or keys that contain NUL or are
 * not strict UTF-8 (overlong forms and surrogates included), and duplicate
 * keys in any object, ignored ones included. The callback parser is used
 * rather than yajl_tree because yajl_tree hides string lengths (so "\u0000"
 * would silently truncate), keeps duplicate keys and recurses on free.
 *
 * The cj_get_* accessors convert one member of an object to a C value and,
 * on a type or range problem, fail with "config.json: <json path>: <problem>",
 * the path being kept in a struct cj_ctx as the caller descends. A member that
 * is absent or JSON null is "absent": the output is left untouched. */
#ifndef RUNLOCK_OCI_CONFIG_JSON_H
#define RUNLOCK_OCI_CONFIG_JSON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"

enum cj_type { CJ_NULL, CJ_FALSE, CJ_TRUE, CJ_NUMBER, CJ_STRING, CJ_OBJECT, CJ_ARRAY };

/* Lengths are 32-bit: a document never exceeds OCI_CONFIG_MAX_BYTES. */
struct cj_node {
	const char *key;       /* member name when the parent is an object */
	const char *text;      /* string value, or a number's source text */
	struct cj_node *child; /* first element/member of an array/object */
	struct cj_node *next;  /* next sibling */
	uint32_t key_len;
	uint32_t len; /* of text */
	uint32_t n;   /* number of children */
	uint32_t idx; /* position in the parent */
	enum cj_type type;
};

struct cj_doc;

int cj_parse(const char *buf, size_t len, struct cj_doc **out, struct rl_error *e);
const struct cj_node *cj_root(const struct cj_doc *d);
void cj_free(struct cj_doc *d);
static inline void cj_freep(struct cj_doc **d)
{
	cj_free(*d);
}

/* ---- JSON paths for messages: process.args[0], annotations["a.b"] -------- */

#define CJ_PATH_MAX 1024

struct cj_path {
	char buf[CJ_PATH_MAX];
	size_t len;
};

/* Both return the previous length, to hand to cj_path_pop. A path that would
 * not fit is cut short; messages stay readable. */
size_t cj_path_push_key(struct cj_path *p, const char *key, size_t key_len);
size_t cj_path_push_index(struct cj_path *p, size_t i);
void cj_path_pop(struct cj_path *p, size_t old_len);

/* Writes `s` as a double-quoted, escaped, possibly shortened string for an
 * error message; returns dst. */
char *cj_quote(char *dst, size_t size, const char *s, size_t len);
#define CJ_QUOTE_MAX 96
#define CJ_QUOTE_BUF (CJ_QUOTE_MAX * 6 + 16)

/* Fill *e with "config.json: <path>: <message>"; returns -1. */
int cj_vfail_at(struct rl_error *e, const struct cj_path *p, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* ---- typed access ---------------------------------------------------- */

struct cj_ctx {
	struct rl_error *e;
	struct cj_path path;
};

/* Fail with "config.json: <path>: <message>" (no path part at the top). */
int cj_fail(struct cj_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cj_oom(struct cj_ctx *c);

/* The member's value, NULL when absent or null. */
const struct cj_node *cj_member(const struct cj_node *obj, const char *key);

/* Fail with "<path>.key: required" when the member is absent or null. */
int cj_require(struct cj_ctx *c, const struct cj_node *obj, const char *key);

/* Check the type of `v` (at the current path). */
int cj_expect(struct cj_ctx *c, const struct cj_node *v, enum cj_type t);

/* Value conversions at the current path. */
int cj_to_str(struct cj_ctx *c, const struct cj_node *v, char **out);
int cj_to_u64(struct cj_ctx *c, const struct cj_node *v, uint64_t max, uint64_t *out);
int cj_to_i64(struct cj_ctx *c, const struct cj_node *v, int64_t min, int64_t max, int64_t *out);

/* Member conversions. For numbers, `has` NULL means the member is required
 * ("<path>: required"): the C struct has no way to say it was absent. */
int cj_get_str(struct cj_ctx *c, const struct cj_node *obj, const char *key, char **out);
int cj_get_bool(struct cj_ctx *c, const struct cj_node *obj, const char *key, bool *out);
int cj_get_u64(struct cj_ctx *c, const struct cj_node *obj, const char *key, uint64_t max,
               bool *has, uint64_t *out);
int cj_get_u32(struct cj_ctx *c, const struct cj_node *obj, const char *key, bool *has,
               uint32_t *out);
int cj_get_i64(struct cj_ctx *c, const struct cj_node *obj, const char *key, int64_t min,
               int64_t max, bool *has, int64_t *out);
/* An array of strings, stored NULL-terminated and counted. */
int cj_get_strv(struct cj_ctx *c, const struct cj_node *obj, const char *key, char ***out,
                size_t *n);
/* An object whose values are all strings, in document order. */
int cj_get_kv(struct cj_ctx *c, const struct cj_node *obj, const char *key, struct oci_kv **out,
              size_t *n);
/* Release what cj_get_strv / cj_get_kv produced, also when partial. */
void cj_strv_free(char **v, size_t n);
void cj_kv_free(struct oci_kv *kv, size_t n);

/* An object / array member, type-checked; *out NULL when absent. */
int cj_get_object(struct cj_ctx *c, const struct cj_node *obj, const char *key,
                  const struct cj_node **out);
int cj_get_array(struct cj_ctx *c, const struct cj_node *obj, const char *key,
                 const struct cj_node **out);

/* Parse an array of objects element by element: allocates *out (n zeroed
 * elements of `size`) and calls fn(c, element_node, element) with the path
 * set to key[i]. *out and *n are set even on failure, so that a partial
 * result is released by the owner's free function. Use CJ_GET_OBJECTS. */
typedef int (*cj_elem_fn)(struct cj_ctx *c, const struct cj_node *v, void *elem);
int cj_get_objects(struct cj_ctx *c, const struct cj_node *obj, const char *key, size_t size,
                   cj_elem_fn fn, void **out, size_t *n);
#define CJ_GET_OBJECTS(c, obj, key, fn, arr, n)                                                    \
	({                                                                                         \
		void *_cj_p = NULL;                                                                \
		int _cj_r = cj_get_objects(c, obj, key, sizeof(**(arr)), fn, &_cj_p, n);           \
		*(arr) = _cj_p;                                                                    \
		_cj_r;                                                                             \
	})

/* Run fn(c, member_node, out) with the path set to key, when the member is
 * present; checks it is an object first. */
typedef int (*cj_obj_fn)(struct cj_ctx *c, const struct cj_node *v, void *out);
int cj_with_object(struct cj_ctx *c, const struct cj_node *obj, const char *key, cj_obj_fn fn,
                   void *out);

#endif
