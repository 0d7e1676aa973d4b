/* Small path helpers. */
#ifndef RUNLOCK_COMMON_PATH_H
#define RUNLOCK_COMMON_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* The lexically canonical form of absolute path in: no "." or empty
 * components, ".." removes the previous one (at the root it stays there),
 * no trailing slash; the root is "/". 0, or -1 when it does not fit in
 * size bytes. Symlinks are not followed: the mount table, the fs view's
 * resolver and the process plan all compare paths in this form. */
int path_canonical(const char *in, char *out, size_t size);

/* When p is dir (len bytes, canonical) itself or below it: the part of p
 * after dir ("" or "/..."); NULL otherwise. The root holds every path. */
const char *path_below(const char *p, const char *dir, size_t len);

/* Whether s[0..n) is a non-empty run of decimal digits (a pid in /proc). */
bool path_is_number(const char *s, size_t n);

/* Open the directory that holds `path` (its last component excluded; "." for
 * a bare name) with open(2) `flags` | O_DIRECTORY | O_CLOEXEC, and point
 * *base at the last component inside `path`. Returns the fd, or -1 with e
 * naming `what` ("pid file", ...). */
int path_open_parent(const char *path, int flags, const char **base, const char *what,
                     struct rl_error *e);

#endif
