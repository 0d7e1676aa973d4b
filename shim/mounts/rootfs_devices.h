/* Device nodes the image carries in its rootfs, against
 * linux.resources.devices.
 *
 * An open in the rootfs is the kernel's (the view CONTINUEs it: chroot and
 * Landlock bound it), and Landlock does not tell device files from others,
 * so no device rule could hold there at open time. The container cannot
 * make device nodes (Landlock and seccomp deny it), so the nodes it can
 * reach in its rootfs are those of the image, fixed at create: create
 * checks them all and refuses a node the rules deny (read or write),
 * naming it. Nodes under a mount destination are shadowed by the mount
 * and are not reachable. Host mounts below the rootfs directory are
 * walked too: the container reaches them through its rootfs.
 *
 * Cost: one getdents walk of the image (about 2 us per entry measured
 * here, so some 20 ms for a 10,000-entry Debian image); docs/resources.md. */
#ifndef RUNLOCK_SHIM_MOUNTS_ROOTFS_DEVICES_H
#define RUNLOCK_SHIM_MOUNTS_ROOTFS_DEVICES_H

#include "common/error.h"
#include "oci/device_rules.h"
#include "shim/mounts/mounts.h"

/* Walk the tree at rootfs_fd (symlinks not followed). 0, or -1 with *e:
 * EPERM naming the first denied node, or the walk's error. */
int rootfs_devices_check(int rootfs_fd, const struct mount_table *t, const struct dev_rules *r,
                         struct rl_error *e);

#endif
