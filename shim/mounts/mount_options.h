/* Reading a config.json mount's options for the mount table. */
#ifndef RUNLOCK_SHIM_MOUNTS_MOUNT_OPTIONS_H
#define RUNLOCK_SHIM_MOUNTS_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "oci/config.h"
#include "shim/mounts/mounts.h"

/* Whether option opt is present, word for word. */
bool mount_has_opt(const struct oci_mount *m, const char *opt);
/* The value of the last key=value option, or NULL. */
const char *mount_opt_value(const struct oci_mount *m, const char *key);
/* Refuse (naming mounts[i] and the option) any option the view neither
 * honours nor can ignore safely for a mount of type type (docs/mounts.md,
 * "Mount options"). 0 or -1 with e. */
int mount_check_options(const struct oci_mount *m, const char *type, size_t i, struct rl_error *e);
/* The MNT_F_* flags the options ask for. */
unsigned mount_flags(const struct oci_mount *m);
/* s as a number in base, at most max, into *out. 0 or -1. */
int mount_parse_num(const char *s, int base, unsigned long max, unsigned long *out);

#endif
