/* The container path resolver.
 *
 * Resolves a path the way the container would see it if runc had built its
 * mount namespace: relative to a base directory, inside the container root,
 * following symlinks within the root (an absolute target starts again at the
 * container root, never the host's), and noticing at each component whether
 * the path enters a mount destination of the table (shim/mounts/mounts.h). Mounts
 * nest (/dev, then /dev/pts), and one may be a single file (/etc/hosts).
 *
 * resolve() allocates nothing and makes no system call itself: symlinks are
 * read through a callback, so the supervisor can implement it with
 * readlinkat() on pinned descriptors and the tests with a fake.
 *
 * Per component, at canonical path P:
 * 1. a link of the table at P is a symlink, whatever the rootfs holds there;
 * 2. else a mount destination at P is entered, never read as a symlink;
 * 3. else the callback says whether P is a symlink in the current mount.
 * A symlink is followed unless it is the final component, RESOLVE_F_NOFOLLOW
 * is given and no trailing slash asks for a directory. ".." is taken on the
 * canonical path: out of a mount it reaches the parent of the destination,
 * and at "/" it stays there.
 *
 * In a MNT_PROC mount, "self" and "thread-self" at its root name the
 * caller's pid and "<pid>/task/<tid>", without the callback (the host's
 * would name the supervisor). With init_pid, "1" there is the directory
 * of that pid: the canonical path names init's host pid (no symlink: the
 * kernel's /proc/1 is a directory). Symlinks below a pid directory are magic links
 * (cwd, root, exe, fd/N, ns/X, map_files/X, known by name and never read;
 * any other symlink met there is taken as one too): the resolver can stop
 * on one (`magic`) but never goes through one (EXDEV), except `root`, which
 * for every process of the container is the container's root: followed, it
 * is the symlink "/".
 *
 * A component the callback reports missing (ENOENT) is kept as a plain name,
 * so the real call reports it (or creates it, when it is the last); names
 * after it are not read. A ".." out of a missing directory fails with ENOENT,
 * as the kernel's walk would, unless a mount lies below that directory: runc
 * would have created it, so it exists in the container's view (and `crossed`
 * is set, the rootfs alone being no longer what the container sees).
 * Known gap: a ".." after a non-directory of the rootfs or of a bind mount is
 * not noticed (the kernel says ENOTDIR); after a file mount it is. */
#ifndef RUNLOCK_SHIM_MOUNTS_RESOLVE_H
#define RUNLOCK_SHIM_MOUNTS_RESOLVE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "shim/mounts/mounts.h"

#define RESOLVE_MAX_LINKS 40

/* Reads the symlink at `rel` inside mount `mount` (an index in t->m; -1: the
 * container's rootfs, rel then being the container path without its leading
 * '/'). rel "" is the mount's root (never asked: a destination is not read).
 * Returns the target's length, the target copied into buf, NUL-terminated and
 * truncated to size - 1: a return >= size means it did not fit (readlinkat()
 * given the whole buffer returns size then). -EINVAL when the object is not a
 * symlink, -ENOENT when it does not exist, or another -errno, which resolve()
 * returns as is. */
struct resolve_fs {
	int (*readlink)(void *ctx, int mount, const char *rel, char *buf, size_t size);
	void *ctx;
};

#define RESOLVE_F_NOFOLLOW   (1u << 0) /* a final symlink is not followed (O_NOFOLLOW, lstat) */
#define RESOLVE_F_EMPTY_PATH (1u << 1) /* "" names the base itself (AT_EMPTY_PATH) */

struct resolve_req {
	const struct mount_table *t;
	const struct resolve_fs *fs;
	const char *base; /* canonical container path of the starting directory (the caller's
	                     cwd or dirfd); ignored for an absolute path */
	const char *path; /* as the caller passed it */
	unsigned flags;   /* RESOLVE_F_* */
	pid_t pid, tid;   /* the caller's thread group and thread: /proc/self, /proc/thread-self */
	pid_t init_pid;   /* > 0: "1" at a MNT_PROC root names this pid (the container's init) */
};

/* Meaningful on success only. `rel` points into `path`: a copy of the struct
 * still points into the original. */
struct resolved {
	char path[PATH_MAX]; /* canonical container path of the result: "/", or no trailing '/' */
	int mount;       /* index in t->m of the innermost mount holding the result; -1: rootfs */
	const char *rel; /* path below that mount's dest, no leading '/', "" at its root; in the
	                    rootfs path + 1 ("" for "/") */
	bool trailing_slash; /* the result must be a directory: the caller's path ended in '/', "."
	                        or "..", or so did the body of a final symlink followed */
	bool is_link;        /* RESOLVE_F_NOFOLLOW and the final object is a symlink: path names the
	                        link itself (a table link, a magic link or an ordinary one) */
	const struct mnt_link *table_link; /* the final object is this table link, not followed */
	bool magic;   /* the final object is a /proc magic link, neither read nor followed; it
	                 may not exist (fd/N is known by its name) */
	bool crossed; /* a mount was entered, the base lay in one, a table link was used, or a
	                 directory absent from the rootfs was kept for a mount below it. false:
	                 the rootfs alone was involved, the kernel may do the call itself */
};

/* 0, or -errno:
 * ENOENT       empty path without RESOLVE_F_EMPTY_PATH; a relative (or empty)
 *              path with a base that is not absolute; ".." out of a missing
 *              directory (see above); a symlink with an empty target
 * ENAMETOOLONG path >= PATH_MAX bytes, a component > NAME_MAX, a result or
 *              intermediate path that would not fit PATH_MAX, symlink
 *              expansions that would not fit the work buffer (2 * PATH_MAX)
 * ELOOP        more than RESOLVE_MAX_LINKS symlinks followed
 * EXDEV        resolution would go through a /proc magic link (/proc/self/cwd/x)
 * ENOTDIR      a component or ".." after a mount whose destination is a file
 *              (without MNT_F_DIR)
 * EFAULT       path is NULL
 * or an error of the readlink callback other than EINVAL and ENOENT. */
int resolve(const struct resolve_req *r, struct resolved *out);

#endif
