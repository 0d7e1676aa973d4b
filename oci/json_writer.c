/* A small yajl writer shared by the spec and features documents. */
#include "oci/json_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void jw_str(struct jw *w, const char *s)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_string(w->g, (const unsigned char *)s, strlen(s));
}

void jw_bool(struct jw *w, bool b)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_bool(w->g, b);
}

void jw_int(struct jw *w, long long v)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_integer(w->g, v);
}

void jw_u64(struct jw *w, unsigned long long v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%llu", v);

	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_number(w->g, num, (size_t)n);
}

void jw_map_open(struct jw *w)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_map_open(w->g);
}

void jw_map_close(struct jw *w)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_map_close(w->g);
}

void jw_arr_open(struct jw *w)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_array_open(w->g);
}

void jw_arr_close(struct jw *w)
{
	if (w->st == yajl_gen_status_ok)
		w->st = yajl_gen_array_close(w->g);
}

/* "key": ["a", "b", ...] from a NULL-terminated list. */
void jw_strv(struct jw *w, const char *key, const char *const *v)
{
	jw_str(w, key);
	jw_arr_open(w);
	for (; *v; v++)
		jw_str(w, *v);
	jw_arr_close(w);
}

void jw_gen_freep(yajl_gen *g)
{
	if (*g)
		yajl_gen_free(*g);
}

/* Copy the generated text out, writing yajl's beautified empty containers
 * ("[\n  ]") as "[]" the way runc prints them, and make sure it ends with a
 * newline. yajl escapes control characters inside strings, so a raw newline
 * after a bracket can only be layout, never string content. */
int jw_finish(struct jw *w, char **json, size_t *len, struct rl_error *e)
{
	const unsigned char *buf;
	size_t n, i, o = 0;
	char *out;

	if (w->st != yajl_gen_status_ok)
		return rl_fail(e, EINVAL, "generating JSON: yajl generator status %d", (int)w->st);
	if (yajl_gen_get_buf(w->g, &buf, &n) != yajl_gen_status_ok)
		return rl_fail(e, EINVAL, "reading generated JSON");
	out = malloc(n + 2);
	if (!out)
		return rl_fail(e, ENOMEM, "allocating JSON document");
	for (i = 0; i < n; i++) {
		out[o++] = (char)buf[i];
		if ((buf[i] == '[' || buf[i] == '{') && i + 1 < n && buf[i + 1] == '\n') {
			char close = buf[i] == '[' ? ']' : '}';
			size_t j = i + 1;

			while (j < n && (buf[j] == '\n' || buf[j] == ' ' || buf[j] == '\t'))
				j++;
			if (j < n && buf[j] == close) {
				out[o++] = close;
				i = j;
			}
		}
	}
	if (o == 0 || out[o - 1] != '\n')
		out[o++] = '\n';
	out[o] = '\0';
	*json = out;
	*len = o;
	return 0;
}
