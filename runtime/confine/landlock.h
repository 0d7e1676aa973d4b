/* The container's Landlock domain.
 *
 * The ruleset is built in the parent (it needs path fds and may allocate)
 * and only enforced in the child with landlock_restrict_self(), one
 * async-signal-safe system call. Rules are attached to inodes, so building
 * them before chroot and enforcing after is equivalent.
 *
 * The kernel headers of Debian 12 predate most of Landlock's ABI; the
 * constants runlock needs are defined here with an RL_ prefix. */
#ifndef RUNLOCK_RUNTIME_CONFINE_LANDLOCK_H
#define RUNLOCK_RUNTIME_CONFINE_LANDLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"

#define RL_LL_FS_EXECUTE     (UINT64_C(1) << 0)
#define RL_LL_FS_WRITE_FILE  (UINT64_C(1) << 1)
#define RL_LL_FS_READ_FILE   (UINT64_C(1) << 2)
#define RL_LL_FS_READ_DIR    (UINT64_C(1) << 3)
#define RL_LL_FS_REMOVE_DIR  (UINT64_C(1) << 4)
#define RL_LL_FS_REMOVE_FILE (UINT64_C(1) << 5)
#define RL_LL_FS_MAKE_CHAR   (UINT64_C(1) << 6)
#define RL_LL_FS_MAKE_DIR    (UINT64_C(1) << 7)
#define RL_LL_FS_MAKE_REG    (UINT64_C(1) << 8)
#define RL_LL_FS_MAKE_SOCK   (UINT64_C(1) << 9)
#define RL_LL_FS_MAKE_FIFO   (UINT64_C(1) << 10)
#define RL_LL_FS_MAKE_BLOCK  (UINT64_C(1) << 11)
#define RL_LL_FS_MAKE_SYM    (UINT64_C(1) << 12)
#define RL_LL_FS_REFER       (UINT64_C(1) << 13) /* ABI 2 */
#define RL_LL_FS_TRUNCATE    (UINT64_C(1) << 14) /* ABI 3 */
#define RL_LL_FS_IOCTL_DEV   (UINT64_C(1) << 15) /* ABI 5 */

#define RL_LL_NET_BIND_TCP    (UINT64_C(1) << 0) /* ABI 4 */
#define RL_LL_NET_CONNECT_TCP (UINT64_C(1) << 1) /* ABI 4 */

#define RL_LL_SCOPE_ABSTRACT_UNIX (UINT64_C(1) << 0) /* ABI 6 */
#define RL_LL_SCOPE_SIGNAL        (UINT64_C(1) << 1) /* ABI 6 */

#define RL_LL_RESTRICT_LOG_NEW_EXEC_ON (1U << 1) /* ABI 7 */

/* Annotations (documented in docs/security.md). */
#define ANNOT_LANDLOCK_DOWNGRADE "io.github.runlock.landlock.allow-downgrade"
#define ANNOT_TCP_CONNECT        "io.github.runlock.network.tcp-connect"
#define ANNOT_TCP_BIND           "io.github.runlock.network.tcp-bind"

struct landlock_domain {
	int ruleset_fd;          /* close-on-exec; -1 when none */
	uint32_t restrict_flags; /* for landlock_restrict_self */
	int abi;
	uint64_t scoped; /* RL_LL_SCOPE_* in force (absent when downgraded) */
};

/* Environment variable capping the ABI runlock uses (docs/security.md). */
#define LANDLOCK_ABI_MAX_ENV "RUNLOCK_LANDLOCK_ABI_MAX"

/* The kernel's Landlock ABI version (capped by $RUNLOCK_LANDLOCK_ABI_MAX),
 * or 0 when Landlock is unavailable. */
int landlock_abi(void);

/* Build the ruleset for a container: rootfs_fd (read + execute, and the
 * write rights unless root.readonly), bind-mount sources by their options,
 * the host device nodes a container may use, TCP ports from the network
 * annotations, and the signal / abstract-socket scopes for the pid / ipc
 * namespaces. Refuses, naming the feature and the ABI that provides it, when
 * the kernel cannot express what the config needs, unless the downgrade
 * annotation is "true" (then each loss is logged as a warning). */
int landlock_build(const struct oci_config *c, int rootfs_fd, struct landlock_domain *d,
                   struct rl_error *e);

/* Child side: enforce on the calling thread. Async-signal-safe. */
int landlock_enforce(const struct landlock_domain *d);

/* Rules for the mount table's sources (shim/mounts/mounts.h), by kind and
 * options: binds and tmpfs read (+ write unless ro, - execute when
 * noexec), device nodes read/write/ioctl, masks, sysfs and cgroup read.
 * /proc and /dev/pts get none: the supervisor opens them. Reachable only
 * through descriptors the supervisor hands out: the chroot holds none of
 * these paths. */
struct mount_table;
int landlock_add_table(struct landlock_domain *d, const struct mount_table *t, struct rl_error *e);

void landlock_domain_release(struct landlock_domain *d);

#endif
