/* The calling thread's effective and permitted capability sets, as two
 * 64-bit masks, by the raw capget/capset calls: per thread (libcap's
 * process-wide helpers are not what a thread taking on a caller's
 * identity for one call needs). Both return 0, or -1 with errno. */
#ifndef RUNLOCK_COMMON_CAPS_H
#define RUNLOCK_COMMON_CAPS_H

#include <stdint.h>

int rl_caps_get(uint64_t *eff, uint64_t *perm);
/* Inheritable becomes empty. */
int rl_caps_set(uint64_t eff, uint64_t perm);

#endif
