/* linux.resources.devices as runc's devices cgroup applies them, without a
 * cgroup: the rules are folded into one list of exceptions to a default
 * (allow or deny), which the filesystem view consults at every device open
 * it carries out and create consults for the device nodes of the rootfs.
 *
 * Semantics (runc's, which are the kernel's cgroup v1 devices semantics):
 * the list starts as deny-all; the config's rules apply in order, then
 * runc's defaults (mknod of any device; rwm on null, zero, full, random,
 * urandom, tty, the ptys 136:* and ptmx 5:2; a default whose path
 * linux.devices also lists is left out). A rule of type "a" resets the
 * list to allow-all or deny-all; another rule adds its access to the
 * exception with the same type, major and minor, or takes it away when it
 * goes the default's way. Under deny-all an access is allowed when one
 * matching exception has every letter asked; under allow-all it is denied
 * when a matching exception has any. Access letters other than r, w, m are
 * ignored, as runc does. */
#ifndef RUNLOCK_OCI_DEVICE_RULES_H
#define RUNLOCK_OCI_DEVICE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"

#define DEV_ACC_R 1u
#define DEV_ACC_W 2u
#define DEV_ACC_M 4u

/* Distinct (type, major, minor) exceptions a config may leave. */
#define DEV_RULES_MAX 256

struct dev_exception {
	char type;     /* 'c' or 'b' */
	int64_t major; /* -1: any */
	int64_t minor; /* -1: any */
	unsigned access;
};

struct dev_rules {
	bool default_allow;
	unsigned n;
	struct dev_exception ex[DEV_RULES_MAX];
};

/* Fold c's rules and runc's defaults into r. -1 with *e (naming the
 * field) when more than DEV_RULES_MAX exceptions would remain. */
int dev_rules_build(const struct oci_config *c, struct dev_rules *r, struct rl_error *e);

/* Whether access (DEV_ACC_*) to the device of type 'c' or 'b' with these
 * numbers is allowed. Any other type is not a device: allowed. */
bool dev_rules_allow(const struct dev_rules *r, char type, uint32_t major, uint32_t minor,
                     unsigned access);

/* The access an open with these flags asks of a device: O_RDONLY r,
 * O_WRONLY w, O_RDWR rw; O_PATH nothing (the kernel checks none). */
unsigned dev_access_of_open(int flags);

#endif
