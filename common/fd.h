/* Descriptor numbering for what runlock hands down to a container.
 *
 * A container's init receives fds 3 .. 3+preserve_fds-1 from its caller, so
 * every descriptor runlock keeps while the chain of processes that starts it
 * runs must sit above that range, or it could land in a gap of it and be
 * passed to the container. */
#ifndef RUNLOCK_COMMON_FD_H
#define RUNLOCK_COMMON_FD_H

#include <stddef.h>

/* Return fd itself when it is < 0 or >= min; otherwise a close-on-exec
 * duplicate numbered >= min, the original closed (-1 with errno when the
 * duplicate cannot be made, the original closed too). Async-signal-safe. */
int fd_above(int fd, int min);

/* openat2(2), retried while it fails with EAGAIN: with RESOLVE_IN_ROOT or
 * RESOLVE_BENEATH the kernel cannot rule out a ".." escape while a rename
 * or a mount happens anywhere on the system, and asks the caller to try
 * again (seen under load: a create failing with "Resource temporarily
 * unavailable"). Returns the fd, or -1 with errno. Async-signal-safe. */
struct open_how;
int fd_openat2(int dirfd, const char *path, const struct open_how *how);

/* Write all len bytes of buf to fd, retrying short writes and EINTR. 0, or
 * -1 with errno (a write that wrote nothing counts as EIO). Async-signal-safe:
 * init uses it between fork and execve. */
int fd_write_all(int fd, const void *buf, size_t len);

/* The path of our own descriptor fd (readlink of /proc/self/fd/FD) into
 * buf, NUL-terminated. 0, or -errno (-ENAMETOOLONG when it does not fit). */
int fd_path(int fd, char *buf, size_t size);

/* Open the object behind our descriptor fd (an O_PATH one, say) anew
 * through /proc/self/fd, with flags less those that only make sense for a
 * name (O_CREAT, O_EXCL, O_NOFOLLOW, O_TRUNC); close-on-exec. The fd, or
 * -errno. */
int fd_reopen(int fd, int flags);

#endif
