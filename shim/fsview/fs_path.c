/* Paths as the container sees them: the base a relative one starts from,
 * host paths and container paths, resolving a path through the mount table
 * (fs_lookup, shim/fsview/fs.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/path.h"
#include "common/proc.h"
#include "shim/fsview/fs.h"
#include "shim/notify/notify.h"

int fs_host_mount(const struct fs_view *v, const char *host, bool devices, const char **rest)
{
	int best = -1;
	size_t best_len = 0;

	for (size_t i = 0; v->t && i < v->t->n; i++) {
		const struct mnt *m = &v->t->m[i];
		const char *r;
		size_t len;
		if (!m->source || (!devices && m->kind == MNT_DEVICE))
			continue;
		len = strlen(m->source);
		r = path_below(host, m->source, len);
		if (r && len > best_len) {
			best = (int)i;
			best_len = len;
			if (rest)
				*rest = r;
		}
	}
	return best;
}

/* fs_host_to_container(), saying where host lies: a mount's index, or one
 * of these. */
#define WHERE_ROOTFS  (-1)
#define WHERE_VIRTUAL (-2) /* the /proc listing or a merged directory's snapshot */
static int to_container(const struct fs_view *v, const char *host, char *out, size_t size,
                        int *where)
{
	const char *rest = NULL, *dest = NULL;
	int i = fs_host_mount(v, host, false, &rest), n;

	if (i >= 0)
		dest = v->t->m[i].dest;
	*where = i;
	if (v->proc_view_path[0] && strcmp(host, v->proc_view_path) == 0) {
		dest = "/proc";
		rest = "";
		*where = WHERE_VIRTUAL;
	}
	/* A merged directory's snapshot stands for that directory. */
	for (size_t k = 0; k < v->n_merge; k++)
		if (v->merge[k].snap_path[0] && strcmp(host, v->merge[k].snap_path) == 0) {
			dest = v->merge[k].dir;
			rest = "";
			*where = WHERE_VIRTUAL;
		}
	if (!dest) {
		rest = path_below(host, v->rootfs, v->rootfs_len);
		if (!rest)
			return -ENOENT;
		*where = WHERE_ROOTFS;
		n = snprintf(out, size, "%s", *rest ? rest : "/");
	} else {
		n = snprintf(out, size, "%s%s", dest, rest);
	}
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int fs_host_to_container(const struct fs_view *v, const char *host, char *out, size_t size)
{
	int where;

	return to_container(v, host, out, size, &where);
}

void fs_call_init(struct fs_call *c, int listener, const struct seccomp_notif *req)
{
	c->listener = listener;
	c->req = req;
	c->tid = c->pid = (pid_t)req->pid; /* the notification names the thread */
	c->base_in_rootfs = c->base_kept = false;
	c->path[0] = c->base[0] = c->link[0] = c->base2[0] = '\0';
	memset(&c->res, 0, sizeof(c->res));
}

/* The container path a relative path of c's caller starts from, into
 * c->base: its kept working directory, the kernel's (always inside the
 * root), or descriptor dirfd's object. */
static int base_of(struct fs_view *v, struct fs_call *c, int dirfd)
{
	const char *kept = dirfd == AT_FDCWD ? fs_cwd_get(v, c->tid) : NULL;
	int where, r;

	if (kept) {
		c->base_kept = true;
		return snprintf(c->base, sizeof(c->base), "%s", kept) >= (int)sizeof(c->base)
		           ? -ENAMETOOLONG
		           : 0;
	}
	r = fs_caller_link(c->tid, dirfd, c->link, sizeof(c->link));
	if (r < 0)
		return r;
	if (c->link[0] != '/')
		return -ENOTDIR; /* a pipe, a socket, an anon inode */
	r = to_container(v, c->link, c->base, sizeof(c->base), &where);
	/* A directory is never a device mount: where tells the whole story. */
	c->base_in_rootfs = r == 0 && where == WHERE_ROOTFS;
	return r;
}

static int view_readlink(void *ctx, int mount, const char *rel, char *buf, size_t size)
{
	struct fs_view *v = ctx;
	struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_MAGICLINKS};
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int dir;

	if (mount < 0) {
		dir = v->root_fd;
		how.resolve |= RESOLVE_IN_ROOT;
	} else {
		const struct mnt *m = &v->t->m[mount];
		if (m->fd < 0)
			return -ENOENT; /* a mask has nothing below it */
		dir = m->fd;
		how.resolve |= RESOLVE_BENEATH;
	}
	if (*rel == '\0')
		return -EINVAL;
	fd = fd_openat2(dir, rel, &how);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	n = readlinkat(fd, "", buf, size);
	if (n < 0)
		return errno == ENOENT ? -EINVAL : -errno; /* not a symlink */
	if ((size_t)n < size)
		buf[n] = '\0';
	else
		buf[size - 1] = '\0';
	return (int)n;
}

/* The common case in one system call: a path that, joined to its base,
 * the kernel resolves inside the root without meeting a symlink
 * (RESOLVE_NO_SYMLINKS), and whose lexical walk never enters a mount
 * destination or a table link. Without symlinks the lexical walk is the
 * kernel's walk, so nothing of the view lies on it: the rootfs alone
 * answers. 1: so; 0: take the resolver. The walk's buffers are call's. */
static int rootfs_only(const struct fs_view *v, struct fs_call *call, const char *base,
                       const char *path, unsigned flags)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
	                       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
	char *joined = call->link, *canon = call->base2;
	size_t len = 0;
	bool under_mount = false;
	const char *p;
	int fd, n;

	if (*path == '\0')
		return 0;
	n = path[0] == '/' ? snprintf(joined, PATH_MAX, "%s", path)
	                   : snprintf(joined, PATH_MAX, "%s/%s", base, path);
	if (n < 0 || n >= PATH_MAX)
		return 0;
	/* Lexical walk: each prefix it reaches, popped ones included. */
	for (p = joined; *p;) {
		const char *c;
		size_t cl;
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		cl = (size_t)(p - c);
		if (cl == 0 || (cl == 1 && c[0] == '.'))
			continue;
		if (cl == 2 && c[0] == '.' && c[1] == '.') {
			while (len > 0 && canon[--len] != '/')
				;
			continue;
		}
		if (len + 1 + cl >= PATH_MAX)
			return 0;
		canon[len++] = '/';
		memcpy(canon + len, c, cl);
		len += cl;
		if (mount_table_find(v->t, canon, len) >= 0 || mount_table_link(v->t, canon, len))
			return 0;
		if (!under_mount && mount_table_has_below(v->t, canon, len))
			under_mount = true;
	}
	if (flags & RESOLVE_F_NOFOLLOW)
		how.flags |= O_NOFOLLOW;
	fd = fd_openat2(v->root_fd, joined, &how);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* Missing, or not a directory: the kernel says the same, unless a
	 * directory the rootfs lacks holds a mount (the view has it). */
	return (errno == ENOENT || errno == ENOTDIR) && !under_mount;
}

int fs_lookup(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t addr, unsigned flags)
{
	int ret = fs_read_path(c->listener, c->req, addr, c->path);

	if (ret < 0)
		return ret;
	return fs_lookup_path(v, c, dirfd, flags);
}

int fs_lookup_path(struct fs_view *v, struct fs_call *c, int dirfd, unsigned flags)
{
	struct resolve_fs fs = {.readlink = view_readlink, .ctx = v};
	struct resolve_req r = {.t = v->t,
	                        .fs = &fs,
	                        .base = "/",
	                        .path = c->path,
	                        .flags = flags,
	                        .pid = c->tid,
	                        .init_pid = v->init_pid};
	struct resolved *out = &c->res;
	int ret;

	r.tid = c->tid;
	/* /proc/self names the thread group: a thread other than the leader
	 * would otherwise see its tid there. */
	if (strstr(c->path, "self"))
		r.pid = fs_thread_group(r.tid);
	c->pid = r.pid;
	c->base_in_rootfs = c->base_kept = false;
	if (c->path[0] != '/') {
		ret = base_of(v, c, dirfd);
		/* A directory outside the container's view (a --preserve-fds
		 * fd from the host): nothing can be done on behalf there, and
		 * the kernel may not start a lookup outside the root. */
		if (ret == -ENOENT)
			return -EACCES;
		if (ret < 0)
			return ret;
		r.base = c->base;
	}
	/* The CONTINUE invariant (docs/security.md): the kernel may run the
	 * call itself only when it resolves the path from the caller's root
	 * or working directory, which are both inside the root, so whatever
	 * the path's memory says by then the chroot bounds it. A descriptor
	 * can be swapped after the check (dup2, close, SCM_RIGHTS, another
	 * thread) for one outside the root, and a kept working directory is
	 * not where the kernel would start: both are done on behalf. */
	if (!(flags & FS_LOOKUP_FULL) && dirfd == AT_FDCWD && !c->base_kept &&
	    (c->path[0] == '/' || c->base_in_rootfs) && rootfs_only(v, c, r.base, c->path, flags))
		return FS_ROOTFS;
	r.flags &= ~FS_LOOKUP_FULL;
	ret = resolve(&r, out);
	if (ret < 0)
		return ret;
	if (dirfd != AT_FDCWD || (c->path[0] != '/' && !c->base_in_rootfs))
		out->crossed = true;
	/* The chroot shortcut, in this one place. */
	if (!out->crossed)
		return FS_ROOTFS;
	return 0;
}
