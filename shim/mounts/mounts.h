/* The container's mount table: what runc's mount namespace would hold,
 * kept by the supervisor and never mounted (principle 1, docs/design.md).
 *
 * Built once at create from config.json `mounts`, the defaults runc adds
 * when they are absent (/dev, /dev/pts, /dev/shm, /dev/mqueue), the device
 * nodes of /dev and linux.devices, maskedPaths and readonlyPaths.
 *
 * Contract
 * - Destinations are canonical container paths: absolute, no "." or ".."
 *   component, no repeated or trailing slash, never "/" itself.
 * - Entries are sorted by destination (strcmp), so mount_table_find() is a
 *   binary search and a mount's submounts ("/dev" then "/dev/pts") follow
 *   it. A later config mount on the same destination, or on a directory
 *   above earlier ones, replaces or hides them, as a later mount would: the
 *   table holds only what is visible.
 * - A destination is resolved through the rootfs's symlinks when the table
 *   is built (as runc's securejoin does), inside the root, so a mount at
 *   /var/run/x lands on /run/x when the image has /var/run -> /run. A mount
 *   already in the table is entered, not read through (runc mounts in
 *   order): what the image holds beneath /proc cannot move a mask. Symlinks
 *   inside other mounts are not followed for destinations. A proc or sysfs
 *   destination that is a symlink or not a directory is refused, as runc
 *   refuses it.
 * - Nothing the image can influence is opened by a host path: maskedPaths
 *   and readonlyPaths are opened beneath the rootfs or their mount's pinned
 *   source with RESOLVE_IN_ROOT, so an image symlink can move an entry
 *   within the container's tree but never pin a host object outside the
 *   rootfs and the mount sources (MNT_F_INNER: no Landlock rule of its own).
 * - Every directory kind carries MNT_F_DIR (the resolver refuses to walk
 *   below a destination without it: ENOTDIR).
 * - Each entry's source is pinned by an O_PATH descriptor (`fd`) opened at
 *   create, so renaming or replacing the source path on the host later
 *   changes nothing the container sees. -1 for kinds without a host source
 *   (MNT_MASK). */
#ifndef RUNLOCK_SHIM_MOUNTS_MOUNTS_H
#define RUNLOCK_SHIM_MOUNTS_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"

enum mnt_kind {
	MNT_BIND,   /* a host file or directory (bind, rbind) */
	MNT_TMPFS,  /* a scratch directory of the scratch tree (tmpfs, shm) */
	MNT_PROC,   /* the host's /proc, filtered to the container's processes */
	MNT_SYSFS,  /* the host's /sys, read-only */
	MNT_DEVPTS, /* the container's ptys */
	MNT_MQUEUE, /* POSIX message queues: see docs/mounts.md */
	MNT_CGROUP, /* see docs/mounts.md */
	MNT_DEVICE, /* one host device node on a file destination (/dev/null, ...) */
	MNT_MASK,   /* maskedPaths: an empty file or an empty read-only directory */
};

#define MNT_F_RO     (1u << 0)
#define MNT_F_NOEXEC (1u << 1)
#define MNT_F_NOSUID (1u << 2)
#define MNT_F_NODEV  (1u << 3)
#define MNT_F_DIR    (1u << 4) /* the destination is a directory */
/* The object lies beneath the rootfs or another entry's source (a
 * readonlyPaths entry): their Landlock rule covers it, it gets none of its
 * own, so no entry derived from the image's tree ever adds a rule. */
#define MNT_F_INNER (1u << 5)

struct mnt {
	char *dest;      /* canonical container path */
	size_t dest_len; /* strlen(dest) */
	enum mnt_kind kind;
	unsigned flags; /* MNT_F_* */
	char *source;   /* host path of the source; NULL for MNT_MASK */
	int fd;         /* pinned O_PATH descriptor of the source; -1 for MNT_MASK */
	unsigned seq;   /* when it was mounted: config.json's order, then what runc
	                 * adds, readonlyPaths, maskedPaths (mountinfo's order) */
};

/* A symbolic link the table itself provides (/dev/fd -> /proc/self/fd,
 * /dev/stdin -> /proc/self/fd/0, /dev/ptmx -> pts/ptmx, ...): it exists in
 * the container's view whatever the rootfs holds at that path. */
struct mnt_link {
	char *path;   /* canonical container path */
	char *target; /* as readlink(2) returns it */
};

struct mount_table {
	struct mnt *m; /* sorted by dest */
	size_t n;
	struct mnt_link *links; /* sorted by path */
	size_t n_links;
	/* The container's scratch tree (<root>/@scratch/<id>, never inside its
	 * state directory): the scratch directories, masks and the supervisor's
	 * /proc listing live there. 0 when none (a descriptor the table keeps
	 * is never below 3, and a zeroed table must free cleanly). */
	int scratch_fd;
};

/* Index of the entry whose destination is exactly path[0..len), or -1. */
int mount_table_find(const struct mount_table *t, const char *path, size_t len);

/* The table's own symlink at exactly path[0..len), or NULL. */
const struct mnt_link *mount_table_link(const struct mount_table *t, const char *path, size_t len);

/* Whether some entry lies strictly below path[0..len) (path "" is the
 * root): a directory holding mount points. */
bool mount_table_has_below(const struct mount_table *t, const char *path, size_t len);

void mount_table_free(struct mount_table *t);

/* Build the table for config c (shim/mounts/mounts_build.c): rootfs is the host
 * path of the container's root, scratch_fd its scratch tree (scratch
 * directories go to <scratch>/mnt/; the table keeps a duplicate as
 * t->scratch_fd), console the host path of the container's pty slave or
 * NULL, and every descriptor kept is at or above base_fd. Errors name the
 * config field. On failure nothing is kept open; what was made under the
 * scratch tree goes with it. */
int mount_table_build(const struct oci_config *c, const char *rootfs, int scratch_fd,
                      const char *console, int base_fd, struct mount_table *t, struct rl_error *e);

#endif
