/* The changes the agent makes as the caller (AGENT_MKDIR ...
 * AGENT_INOTIFY_ADD): by name beneath a pinned directory, on a descriptor
 * sent along, on a socket (connect, bind), on an object reached through
 * the host's /proc (xattrs, inotify watches). agent_as_caller.c has taken
 * on the caller's identity. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "shim/agent/agent_internal.h"

char agent_xattr_buf[AGENT_MAX_XATTR];

/* The parent directory of a change's object, beneath pinned directory dir. */
static int parent_of(const struct agent_config *c, const struct agent_at *at)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = at->resolve};
	int dfd = agent_dir_fd(c, at->dir);

	if (dfd < 0)
		return -1;
	return fd_openat2(dfd, *at->path ? at->path : ".", &how);
}

static bool bad_name(const char *n)
{
	return n[0] == '\0' || strchr(n, '/') || strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

static bool beneath(const struct agent_at *at)
{
	return (at->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) != 0;
}

/* utimensat on the object of O_PATH descriptor fd itself. */
static int utimens_obj(int fd, const struct agent_times *t)
{
	struct timespec ts[2] = {{t->t[0], t->t[1]}, {t->t[2], t->t[3]}};
	return utimensat(fd, "", t->set ? ts : NULL, AT_EMPTY_PATH) < 0 ? errno : 0;
}

/* A change on a descriptor. */
static int fd_fsop(const struct agent_request *q, int fd)
{
	switch (q->kind) {
	case AGENT_FCHMOD:
		return fchmod(fd, q->u.fchmod.mode) < 0 ? errno : 0;
	case AGENT_FCHOWN:
		return fchown(fd, q->u.fchown.uid, q->u.fchown.gid) < 0 ? errno : 0;
	case AGENT_FUTIMENS: {
		const struct agent_times *t = &q->u.futimens.times;
		struct timespec ts[2] = {{t->t[0], t->t[1]}, {t->t[2], t->t[3]}};
		return futimens(fd, t->set ? ts : NULL) < 0 ? errno : 0;
	}
	case AGENT_FSETXATTR: {
		const struct agent_setxattr *x = &q->u.fsetxattr;
		return fsetxattr(fd, x->name, x->value, x->size, x->flags) < 0 ? errno : 0;
	}
	case AGENT_FREMOVEXATTR:
		return fremovexattr(fd, q->u.fremovexattr.name) < 0 ? errno : 0;
	default:
		return EINVAL;
	}
}

/* A stream connect waits while the listener's backlog is full, and the
 * container decides both ends (listen(0), never accept): the agent serves
 * one request at a time and the supervisor waits for it, so the wait is
 * bounded by SO_SNDTIMEO, the kernel's own limit for it. Running out, the
 * kernel answers EAGAIN, as to a socket with a send timeout of its own. The
 * caller's timeout is restored; a shorter one of its own stays in force. */
#define AGENT_CONNECT_WAIT_MS 1000

static int bounded_connect(int sock, const struct sockaddr_un *sa)
{
	struct timeval was = {0}, bound = {.tv_usec = AGENT_CONNECT_WAIT_MS * 1000};
	socklen_t len = sizeof(was);
	bool set = false;
	int ret, err;

	bound.tv_sec = bound.tv_usec / 1000000;
	bound.tv_usec %= 1000000;
	if (getsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &was, &len) == 0 &&
	    ((was.tv_sec == 0 && was.tv_usec == 0) || was.tv_sec > bound.tv_sec ||
	     (was.tv_sec == bound.tv_sec && was.tv_usec > bound.tv_usec)))
		set = setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof(bound)) == 0;
	if (!set && was.tv_sec == 0 && was.tv_usec == 0 && !(fcntl(sock, F_GETFL) & O_NONBLOCK))
		return errno = EAGAIN, -1; /* unbounded: never wait */
	ret = connect(sock, (const struct sockaddr *)sa, sizeof(*sa));
	err = errno;
	if (set)
		setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &was, sizeof(was));
	errno = err;
	return ret;
}

/* connect or bind the container's socket to a name beneath a pinned
 * directory. sun_path cannot name a descriptor and the chroot holds no path
 * to the mount's source, so the name is reached relative to the host's
 * /proc as the working directory: "self/fd/N" (the object, or its parent
 * directory for bind). The kernel checks the caller's permission (write on
 * the socket, or on the directory) as for a connect by name. */
static int sock_fsop(const struct agent_config *c, const struct agent_request *q, int sock)
{
	const bool connecting = q->kind == AGENT_CONNECT;
	const struct agent_at *at = connecting ? &q->u.connect.at : &q->u.bind.at;
	_cleanup_close_ int d = -1, obj = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ret, err = 0;

	if (c->proc_fd < 0 || !beneath(at))
		return EINVAL;
	if (connecting && q->u.connect.pinned_source) {
		/* the pinned source itself (a socket bound as a file mount) */
		if (agent_dir_fd(c, at->dir) < 0)
			return EINVAL;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "self/fd/%d", agent_dir_fd(c, at->dir));
		goto go;
	}
	if (bad_name(at->name))
		return EINVAL;
	d = parent_of(c, at);
	if (d < 0)
		return errno;
	if (connecting) {
		struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		                       .resolve = at->resolve};
		obj = fd_openat2(d, at->name, &how);
		if (obj < 0)
			return errno;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "self/fd/%d", obj);
	} else if (snprintf(sa.sun_path, sizeof(sa.sun_path), "self/fd/%d/%s", d, at->name) >=
	           (int)sizeof(sa.sun_path)) {
		return ENAMETOOLONG;
	}
go:
	if (fchdir(c->proc_fd) < 0)
		return errno;
	if (connecting)
		ret = bounded_connect(sock, &sa);
	else
		ret = bind(sock, (struct sockaddr *)&sa, sizeof(sa));
	if (ret < 0)
		err = errno;
	agent_back_to_root(c);
	return err;
}

/* An xattr call or an inotify watch on the object of descriptor obj,
 * reached as "self/fd/N" from the host's /proc (the calls take no
 * descriptor that O_PATH serves, and the chroot has no path to a mount's
 * source): following that magic link lands on the object itself, a
 * symlink's own inode included. The kernel checks the caller's permission
 * on the object. The value's or list's size, or the watch, into rep. */
static int object_fsop(const struct agent_config *c, const struct agent_request *q, int obj,
                       int ino, struct agent_reply *rep)
{
	char at[32];
	ssize_t ret;
	int err = 0;

	if (c->proc_fd < 0 || obj < 0 || (q->kind == AGENT_INOTIFY_ADD && ino < 0))
		return EBADF;
	if ((q->kind == AGENT_GETXATTR && q->u.getxattr.size > AGENT_MAX_XATTR) ||
	    (q->kind == AGENT_LISTXATTR && q->u.listxattr.size > AGENT_MAX_XATTR))
		return E2BIG;
	snprintf(at, sizeof(at), "self/fd/%d", obj);
	if (fchdir(c->proc_fd) < 0)
		return errno;
	switch (q->kind) {
	case AGENT_GETXATTR: {
		size_t len = q->u.getxattr.size;
		ret = getxattr(at, q->u.getxattr.name, len ? agent_xattr_buf : NULL, len);
		if (ret >= 0)
			rep->u.xattr.size = (uint32_t)ret;
		break;
	}
	case AGENT_LISTXATTR: {
		size_t len = q->u.listxattr.size;
		ret = listxattr(at, len ? agent_xattr_buf : NULL, len);
		if (ret >= 0)
			rep->u.xattr.size = (uint32_t)ret;
		break;
	}
	case AGENT_SETXATTR: {
		const struct agent_setxattr *x = &q->u.setxattr;
		ret = setxattr(at, x->name, x->value, x->size, x->flags);
		break;
	}
	case AGENT_REMOVEXATTR:
		ret = removexattr(at, q->u.removexattr.name);
		break;
	default: /* AGENT_INOTIFY_ADD: the link is the object, follow it */
		ret = inotify_add_watch(ino, at, q->u.inotify_add.mask & ~(uint32_t)IN_DONT_FOLLOW);
		if (ret >= 0)
			rep->u.inotify_add.wd = (int32_t)ret;
		break;
	}
	if (ret < 0)
		err = errno;
	agent_back_to_root(c);
	return err;
}

/* Whether a change by name acts on a final symlink itself. */
static bool name_nofollow(const struct agent_request *q)
{
	switch (q->kind) {
	case AGENT_CHMOD:
		return q->u.chmod.flags & AT_SYMLINK_NOFOLLOW;
	case AGENT_CHOWN:
		return q->u.chown.flags & AT_SYMLINK_NOFOLLOW;
	case AGENT_UTIMENS:
		return q->u.utimens.flags & AT_SYMLINK_NOFOLLOW;
	default: /* AGENT_TRUNCATE */
		return false;
	}
}

/* A change to the object named name in parent directory d (chmod, chown,
 * truncate, utimes), already as the caller. The view resolved every symlink
 * in container terms before asking, so the agent follows none: d may lie
 * outside the chroot (a mount's source), where a symlink's ".." would walk
 * the host's tree, and Landlock has no right for metadata to stop it. The
 * name is pinned without following anything and the change made on that
 * object. A symlink found where the call follows one means the object was
 * swapped since the view looked: ELOOP, as agent_do_open answers, an errno
 * these calls may return (EAGAIN would invite callers to spin; none
 * expects it). lchown and AT_SYMLINK_NOFOLLOW act on the link itself. */
static int name_meta_fsop(const struct agent_config *c, const struct agent_request *q, int d,
                          const char *name)
{
	struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	                       .resolve =
	                           RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	bool nofollow = name_nofollow(q);
	_cleanup_close_ int obj = fd_openat2(d, name, &how), f = -1;
	struct stat st;
	char at[32];

	if (obj < 0 || fstat(obj, &st) < 0)
		return errno;
	if (S_ISLNK(st.st_mode) && !nofollow)
		return ELOOP;
	switch (q->kind) {
	case AGENT_CHMOD:
		/* The kernel has no mode for a link (fchmodat2's answer). */
		if (S_ISLNK(st.st_mode))
			return EOPNOTSUPP;
		/* O_PATH serves no fchmod: the object through its magic link
		 * below the host's /proc, which lands on it and nowhere else. */
		if (c->proc_fd < 0)
			return EOPNOTSUPP;
		snprintf(at, sizeof(at), "self/fd/%d", obj);
		return fchmodat(c->proc_fd, at, q->u.chmod.mode, 0) < 0 ? errno : 0;
	case AGENT_CHOWN:
		return fchownat(obj, "", q->u.chown.uid, q->u.chown.gid, AT_EMPTY_PATH) < 0 ? errno
		                                                                            : 0;
	case AGENT_UTIMENS:
		return utimens_obj(obj, &q->u.utimens.times);
	default: /* AGENT_TRUNCATE */
		/* truncate(2) opens nothing: a device or FIFO is never opened
		 * for it (an open has effects of its own), as the kernel's. */
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		if (!S_ISREG(st.st_mode))
			return EINVAL;
		f = agent_reopen(c, obj, O_WRONLY | O_CLOEXEC | O_NONBLOCK, 0);
		if (f < 0)
			return errno;
		return ftruncate(f, q->u.truncate.length) < 0 ? errno : 0;
	}
}

/* RENAME and LINK: two names, each beneath its pinned directory (the
 * view asks only for two in the same one). */
static int two_names_fsop(const struct agent_config *c, const struct agent_request *q)
{
	const struct agent_at *from = q->kind == AGENT_RENAME ? &q->u.rename.from : &q->u.link.from;
	const struct agent_at *to = q->kind == AGENT_RENAME ? &q->u.rename.to : &q->u.link.to;
	_cleanup_close_ int d = -1, d2 = -1;

	if (!beneath(from) || !beneath(to))
		return EINVAL;
	if (bad_name(from->name))
		return EINVAL;
	d = parent_of(c, from);
	if (d < 0)
		return errno;
	if (bad_name(to->name))
		return EINVAL;
	d2 = parent_of(c, to);
	if (d2 < 0)
		return errno;
	if (q->kind == AGENT_LINK)
		return linkat(d, from->name, d2, to->name, 0) < 0 ? errno : 0;
	return syscall(SYS_renameat2, d, from->name, d2, to->name, q->u.rename.flags) < 0 ? errno
	                                                                                  : 0;
}

/* A change by name in the parent directory of q's struct agent_at. */
static int name_fsop(const struct agent_config *c, const struct agent_request *q)
{
	const struct agent_at *at = (const struct agent_at *)&q->u; /* first in each struct */
	_cleanup_close_ int d = -1;

	if (q->kind == AGENT_RENAME || q->kind == AGENT_LINK)
		return two_names_fsop(c, q);
	if (!beneath(at))
		return EINVAL;
	if (bad_name(at->name))
		return EINVAL;
	d = parent_of(c, at);
	if (d < 0)
		return errno;
	switch (q->kind) {
	case AGENT_MKDIR:
		return mkdirat(d, at->name, q->u.mkdir.mode) < 0 ? errno : 0;
	case AGENT_UNLINK:
		return unlinkat(d, at->name, q->u.unlink.flags & AT_REMOVEDIR) < 0 ? errno : 0;
	case AGENT_SYMLINK:
		return symlinkat(q->u.symlink.target, d, at->name) < 0 ? errno : 0;
	case AGENT_MKNOD: {
		mode_t mode = q->u.mknod.mode;
		if (!S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISREG(mode))
			return EPERM;
		return mknodat(d, at->name, mode, 0) < 0 ? errno : 0;
	}
	case AGENT_CHMOD:
	case AGENT_CHOWN:
	case AGENT_TRUNCATE:
	case AGENT_UTIMENS:
		return name_meta_fsop(c, q, d, at->name);
	default:
		return EINVAL;
	}
}

int agent_do_fsop(const struct agent_config *c, const struct agent_request *q, const int *in_fd,
                  struct agent_reply *rep)
{
	switch (q->kind) {
	case AGENT_GETXATTR:
	case AGENT_LISTXATTR:
	case AGENT_SETXATTR:
	case AGENT_REMOVEXATTR:
		return object_fsop(c, q, in_fd[0], -1, rep);
	case AGENT_INOTIFY_ADD:
		return object_fsop(c, q, in_fd[1], in_fd[0], rep);
	case AGENT_CONNECT:
	case AGENT_BIND:
		return in_fd[0] < 0 ? EBADF : sock_fsop(c, q, in_fd[0]);
	case AGENT_FCHMOD:
	case AGENT_FCHOWN:
	case AGENT_FUTIMENS:
	case AGENT_FSETXATTR:
	case AGENT_FREMOVEXATTR:
		return in_fd[0] < 0 ? EBADF : fd_fsop(q, in_fd[0]);
	default:
		return name_fsop(c, q);
	}
}
