/* A small yajl writer: the first failure sticks and is checked once, by
 * jw_finish(), so building a document needs no error check per call. Shared
 * by the `spec` and `features` documents. */
#ifndef RUNLOCK_OCI_JSON_WRITER_H
#define RUNLOCK_OCI_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "common/error.h"

struct jw {
	yajl_gen g;
	yajl_gen_status st;
};

void jw_str(struct jw *w, const char *s);
void jw_bool(struct jw *w, bool b);
void jw_int(struct jw *w, long long v);
/* yajl's integers are signed: a uint64 is written as number text. */
void jw_u64(struct jw *w, unsigned long long v);
void jw_map_open(struct jw *w);
void jw_map_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);

/* "key": ["a", "b", ...] from a NULL-terminated list. */
void jw_strv(struct jw *w, const char *key, const char *const *v);

/* Copy the document out (caller frees): empty containers written "[]" and
 * "{}" as runc prints them, ending with a newline. */
int jw_finish(struct jw *w, char **json, size_t *len, struct rl_error *e);

/* For __attribute__((cleanup)) on a yajl_gen. */
void jw_gen_freep(yajl_gen *g);

#endif
