/* The calling thread's effective and permitted capability sets, as two
 * 64-bit masks, by the raw capget/capset calls: per thread (libcap's
 * process-wide helpers are not what a thread taking on a caller's
 * identity for one call needs). Both return 0, or -1 with errno. */
#ifndef RUNLOCK_COMMON_CAPS_H
#define RUNLOCK_COMMON_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int rl_caps_get(uint64_t *eff, uint64_t *perm);
/* Inheritable becomes empty. */
int rl_caps_set(uint64_t eff, uint64_t perm);

/* Whether the calling thread's supplementary groups are g[0..n) as a set
 * (raw getgroups; at most 256 groups compared, more count as different). */
bool rl_groups_equal(size_t n, const gid_t *g);
/* setgroups on the calling thread only when the groups differ: setgroups
 * needs CAP_SETGID even to set what is there, which runlock lacks when run
 * with a reduced capability set. Async-signal-safe; 0 or -1 with errno. */
int rl_groups_set(size_t n, const gid_t *g);

#endif
