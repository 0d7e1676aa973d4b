/* Small path helpers. */
#ifndef RUNLOCK_COMMON_PATH_H
#define RUNLOCK_COMMON_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Whether s[0..n) is a non-empty run of decimal digits (a pid in /proc). */
bool path_is_number(const char *s, size_t n);

/* Open the directory that holds `path` (its last component excluded; "." for
 * a bare name) with open(2) `flags` | O_DIRECTORY | O_CLOEXEC, and point
 * *base at the last component inside `path`. Returns the fd, or -1 with e
 * naming `what` ("pid file", ...). */
int path_open_parent(const char *path, int flags, const char **base, const char *what,
                     struct rl_error *e);

#endif
