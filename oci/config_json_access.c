/* Paths for messages and typed, path-aware access to the config.json tree. */
#include "oci/config_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------- */

char *cj_quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t o = 0, i, show = len;
	bool cut = false;

	if (size < 8) {
		if (size)
			dst[0] = '\0';
		return dst;
	}
	if (show > CJ_QUOTE_MAX) {
		show = CJ_QUOTE_MAX;
		/* Do not split a UTF-8 sequence. */
		while (show > 0 && ((unsigned char)s[show] & 0xC0) == 0x80)
			show--;
		cut = true;
	}
	dst[o++] = '"';
	/* Room for the longest escape (6), then '"', "..." and NUL (5). */
	for (i = 0; i < show && o + 11 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		switch (ch) {
		case '"':
		case '\\':
			dst[o++] = '\\';
			dst[o++] = (char)ch;
			break;
		case '\n':
			dst[o++] = '\\';
			dst[o++] = 'n';
			break;
		case '\t':
			dst[o++] = '\\';
			dst[o++] = 't';
			break;
		case '\r':
			dst[o++] = '\\';
			dst[o++] = 'r';
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				o += (size_t)snprintf(dst + o, size - o, "\\u%04x", ch);
			else
				dst[o++] = (char)ch;
		}
	}
	if (i < show)
		cut = true;
	dst[o++] = '"';
	if (cut) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

static bool is_identifier(const char *key, size_t len)
{
	if (len == 0 || len > CJ_QUOTE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = key[i];

		if (ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (i > 0 && ch >= '0' && ch <= '9'))
			continue;
		return false;
	}
	return true;
}

static void path_append(struct cj_path *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void path_append(struct cj_path *p, const char *fmt, ...)
{
	size_t room = sizeof(p->buf) - p->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p->buf + p->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		p->buf[p->len] = '\0';
	else if ((size_t)n >= room)
		p->len = sizeof(p->buf) - 1;
	else
		p->len += (size_t)n;
}

size_t cj_path_push_key(struct cj_path *p, const char *key, size_t key_len)
{
	size_t old = p->len;

	if (is_identifier(key, key_len)) {
		path_append(p, "%s%.*s", p->len ? "." : "", (int)key_len, key);
	} else {
		char q[CJ_QUOTE_BUF];

		path_append(p, "[%s]", cj_quote(q, sizeof(q), key, key_len));
	}
	return old;
}

size_t cj_path_push_index(struct cj_path *p, size_t i)
{
	size_t old = p->len;

	path_append(p, "[%zu]", i);
	return old;
}

void cj_path_pop(struct cj_path *p, size_t old_len)
{
	p->len = old_len;
	p->buf[old_len] = '\0';
}

int cj_vfail_at(struct rl_error *e, const struct cj_path *p, const char *fmt, va_list ap)
{
	char msg[RL_ERROR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p->len)
		return rl_fail(e, EINVAL, "config.json: %s: %s", p->buf, msg);
	return rl_fail(e, EINVAL, "config.json: %s", msg);
}

int cj_fail(struct cj_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cj_vfail_at(c->e, &c->path, fmt, ap);
	va_end(ap);
	return -1;
}

int cj_oom(struct cj_ctx *c)
{
	return rl_fail(c->e, ENOMEM, "config.json: out of memory");
}

/* ---- typed access --------------------------------------------------------- */

const struct cj_node *cj_member(const struct cj_node *obj, const char *key)
{
	size_t len = strlen(key);

	for (const struct cj_node *m = obj->child; m; m = m->next)
		if (m->key_len == len && memcmp(m->key, key, len) == 0)
			return m->type == CJ_NULL ? NULL : m;
	return NULL;
}

int cj_require(struct cj_ctx *c, const struct cj_node *obj, const char *key)
{
	size_t old;

	if (cj_member(obj, key))
		return 0;
	old = cj_path_push_key(&c->path, key, strlen(key));
	cj_fail(c, "required");
	cj_path_pop(&c->path, old);
	return -1;
}

static const char *type_name(enum cj_type t)
{
	switch (t) {
	case CJ_NULL:
		return "null";
	case CJ_FALSE:
	case CJ_TRUE:
		return "a boolean";
	case CJ_NUMBER:
		return "an integer";
	case CJ_STRING:
		return "a string";
	case CJ_OBJECT:
		return "an object";
	case CJ_ARRAY:
		return "an array";
	}
	return "?";
}

int cj_expect(struct cj_ctx *c, const struct cj_node *v, enum cj_type t)
{
	if (v->type == t)
		return 0;
	return cj_fail(c, "expected %s", type_name(t));
}

int cj_to_str(struct cj_ctx *c, const struct cj_node *v, char **out)
{
	char *s;

	if (cj_expect(c, v, CJ_STRING) < 0)
		return -1;
	s = malloc((size_t)v->len + 1);
	if (!s)
		return cj_oom(c);
	memcpy(s, v->text, (size_t)v->len + 1);
	*out = s;
	return 0;
}

/* Reads JSON number text (already well-formed per yajl) as sign and
 * magnitude. 0 on success, -1 if it is not an integer, 1 if the magnitude
 * exceeds 2^64-1. Done by hand because yajl's integer conversion stops at
 * LLONG_MAX while rlimits and seccomp values use the whole uint64 range. */
static int int_text(const struct cj_node *v, bool *neg, uint64_t *mag)
{
	const char *s = v->text;
	size_t i = 0;
	uint64_t m = 0;

	*neg = false;
	if (v->len > 0 && s[0] == '-') {
		*neg = true;
		i = 1;
	}
	if (i == v->len)
		return -1;
	for (; i < v->len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9)
			return -1;
		if (m > (UINT64_MAX - d) / 10) {
			/* Keep scanning: "1e999999..." must be "not an integer". */
			for (; i < v->len; i++)
				if (s[i] < '0' || s[i] > '9')
					return -1;
			return 1;
		}
		m = m * 10 + d;
	}
	*mag = m;
	return 0;
}

/* The number as written, cut short for a message. */
#define NUM_SHOW 40
#define NUM_ARGS(v)                                                                                \
	(int)((v)->len > NUM_SHOW ? NUM_SHOW : (v)->len), (v)->text,                               \
	    (v)->len > NUM_SHOW ? "..." : ""

int cj_to_u64(struct cj_ctx *c, const struct cj_node *v, uint64_t max, uint64_t *out)
{
	bool neg;
	uint64_t mag = 0;
	int r;

	if (v->type != CJ_NUMBER)
		return cj_fail(c, "expected an integer");
	r = int_text(v, &neg, &mag);
	if (r < 0)
		return cj_fail(c, "%.*s%s is not an integer", NUM_ARGS(v));
	if (r > 0 || (neg && mag != 0) || mag > max)
		return cj_fail(c, "%.*s%s is out of range (0..%" PRIu64 ")", NUM_ARGS(v), max);
	*out = mag;
	return 0;
}

int cj_to_i64(struct cj_ctx *c, const struct cj_node *v, int64_t min, int64_t max, int64_t *out)
{
	bool neg;
	uint64_t mag = 0;
	int64_t val;
	int r;

	if (v->type != CJ_NUMBER)
		return cj_fail(c, "expected an integer");
	r = int_text(v, &neg, &mag);
	if (r < 0)
		return cj_fail(c, "%.*s%s is not an integer", NUM_ARGS(v));
	if (r > 0)
		goto range;
	if (neg && mag != 0) {
		/* -(min + 1) + 1 is |min| without overflowing int64. */
		if (min >= 0 || mag > (uint64_t)(-(min + 1)) + 1)
			goto range;
		val = -(int64_t)(mag - 1) - 1;
	} else {
		if (max < 0 || mag > (uint64_t)max)
			goto range;
		val = (int64_t)mag;
	}
	if (val < min)
		goto range;
	*out = val;
	return 0;
range:
	return cj_fail(c, "%.*s%s is out of range (%" PRId64 "..%" PRId64 ")", NUM_ARGS(v), min,
	               max);
}

/* Runs `body` with the path extended by `key`, for a present member. */
#define WITH_KEY(c, key, body)                                                                     \
	({                                                                                         \
		size_t _old = cj_path_push_key(&(c)->path, key, strlen(key));                      \
		int _r = (body);                                                                   \
		cj_path_pop(&(c)->path, _old);                                                     \
		_r;                                                                                \
	})

int cj_get_str(struct cj_ctx *c, const struct cj_node *obj, const char *key, char **out)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return 0;
	return WITH_KEY(c, key, cj_to_str(c, v, out));
}

static int to_bool(struct cj_ctx *c, const struct cj_node *v, bool *out)
{
	if (v->type != CJ_TRUE && v->type != CJ_FALSE)
		return cj_fail(c, "expected a boolean");
	*out = v->type == CJ_TRUE;
	return 0;
}

int cj_get_bool(struct cj_ctx *c, const struct cj_node *obj, const char *key, bool *out)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return 0;
	return WITH_KEY(c, key, to_bool(c, v, out));
}

int cj_get_u64(struct cj_ctx *c, const struct cj_node *obj, const char *key, uint64_t max,
               bool *has, uint64_t *out)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return has ? 0 : cj_require(c, obj, key);
	if (WITH_KEY(c, key, cj_to_u64(c, v, max, out)) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

int cj_get_u32(struct cj_ctx *c, const struct cj_node *obj, const char *key, bool *has,
               uint32_t *out)
{
	uint64_t v = 0;
	bool present = false;

	if (cj_get_u64(c, obj, key, UINT32_MAX, has ? &present : NULL, &v) < 0)
		return -1;
	if (has && !present)
		return 0;
	if (has)
		*has = true;
	*out = (uint32_t)v;
	return 0;
}

int cj_get_i64(struct cj_ctx *c, const struct cj_node *obj, const char *key, int64_t min,
               int64_t max, bool *has, int64_t *out)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return has ? 0 : cj_require(c, obj, key);
	if (WITH_KEY(c, key, cj_to_i64(c, v, min, max, out)) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

static int to_strv(struct cj_ctx *c, const struct cj_node *v, char ***out, size_t *n)
{
	char **arr;
	size_t i = 0;

	if (cj_expect(c, v, CJ_ARRAY) < 0)
		return -1;
	arr = calloc((size_t)v->n + 1, sizeof(*arr));
	if (!arr)
		return cj_oom(c);
	*out = arr;
	*n = v->n;
	for (const struct cj_node *el = v->child; el; el = el->next, i++) {
		size_t old = cj_path_push_index(&c->path, i);
		int r = cj_to_str(c, el, &arr[i]);

		cj_path_pop(&c->path, old);
		if (r < 0)
			return -1;
	}
	return 0;
}

int cj_get_strv(struct cj_ctx *c, const struct cj_node *obj, const char *key, char ***out,
                size_t *n)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return 0;
	return WITH_KEY(c, key, to_strv(c, v, out, n));
}

static int to_kv(struct cj_ctx *c, const struct cj_node *v, struct oci_kv **out, size_t *n)
{
	struct oci_kv *arr;
	size_t i = 0;

	if (cj_expect(c, v, CJ_OBJECT) < 0)
		return -1;
	if (v->n == 0)
		return 0;
	arr = calloc(v->n, sizeof(*arr));
	if (!arr)
		return cj_oom(c);
	*out = arr;
	*n = v->n;
	for (const struct cj_node *m = v->child; m; m = m->next, i++) {
		size_t old = cj_path_push_key(&c->path, m->key, m->key_len);
		int r = cj_to_str(c, m, &arr[i].value);

		cj_path_pop(&c->path, old);
		if (r < 0)
			return -1;
		arr[i].key = strdup(m->key);
		if (!arr[i].key)
			return cj_oom(c);
	}
	return 0;
}

void cj_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cj_kv_free(struct oci_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int cj_get_kv(struct cj_ctx *c, const struct cj_node *obj, const char *key, struct oci_kv **out,
              size_t *n)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return 0;
	return WITH_KEY(c, key, to_kv(c, v, out, n));
}

static int get_typed(struct cj_ctx *c, const struct cj_node *obj, const char *key, enum cj_type t,
                     const struct cj_node **out)
{
	const struct cj_node *v = cj_member(obj, key);

	*out = NULL;
	if (!v)
		return 0;
	if (WITH_KEY(c, key, cj_expect(c, v, t)) < 0)
		return -1;
	*out = v;
	return 0;
}

int cj_get_object(struct cj_ctx *c, const struct cj_node *obj, const char *key,
                  const struct cj_node **out)
{
	return get_typed(c, obj, key, CJ_OBJECT, out);
}

int cj_get_array(struct cj_ctx *c, const struct cj_node *obj, const char *key,
                 const struct cj_node **out)
{
	return get_typed(c, obj, key, CJ_ARRAY, out);
}

static int to_objects(struct cj_ctx *c, const struct cj_node *v, size_t size, cj_elem_fn fn,
                      void **out, size_t *n)
{
	char *arr;
	size_t i = 0;

	if (cj_expect(c, v, CJ_ARRAY) < 0)
		return -1;
	if (v->n == 0)
		return 0;
	arr = calloc(v->n, size);
	if (!arr)
		return cj_oom(c);
	*out = arr;
	*n = v->n;
	for (const struct cj_node *el = v->child; el; el = el->next, i++) {
		size_t old = cj_path_push_index(&c->path, i);
		int r = cj_expect(c, el, CJ_OBJECT);

		if (r == 0)
			r = fn(c, el, arr + i * size);
		cj_path_pop(&c->path, old);
		if (r < 0)
			return -1;
	}
	return 0;
}

int cj_get_objects(struct cj_ctx *c, const struct cj_node *obj, const char *key, size_t size,
                   cj_elem_fn fn, void **out, size_t *n)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return 0;
	return WITH_KEY(c, key, to_objects(c, v, size, fn, out, n));
}

static int to_object(struct cj_ctx *c, const struct cj_node *v, cj_obj_fn fn, void *out)
{
	if (cj_expect(c, v, CJ_OBJECT) < 0)
		return -1;
	return fn(c, v, out);
}

int cj_with_object(struct cj_ctx *c, const struct cj_node *obj, const char *key, cj_obj_fn fn,
                   void *out)
{
	const struct cj_node *v = cj_member(obj, key);

	if (!v)
		return 0;
	return WITH_KEY(c, key, to_object(c, v, fn, out));
}
