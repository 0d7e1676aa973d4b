#include "shim/agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/cleanup.h"
#include "common/fd.h"
#include "runtime/confine/seccomp_internal.h"
#include "shim/ipc/wire.h"

static pid_t scan_pids[AGENT_MAX_PIDS];

static pid_t self_pid;

static bool excluded(const struct agent_config *c, pid_t pid)
{
	if (self_pid == 0)
		self_pid = getpid(); /* once, not once per scanned pid */
	if (pid == self_pid)
		return true;
	for (int i = 0; i < c->n_exclude; i++)
		if (c->exclude[i] == pid)
			return true;
	return false;
}

/* Whether kill() from here is confined to the domain: the supervisor, our
 * parent, is outside it, so signalling it must be refused. Without that
 * proof a scan would reach every process on the host. */
static bool scope_in_force(void)
{
	return kill(getppid(), 0) < 0 && errno == EPERM;
}

/* Every pid the domain lets us signal (sig 0: only ask), signalling it
 * with sig on the way. Returns the count, or -1 with errno. */
static int scan(const struct agent_config *c, int sig, pid_t spare, pid_t *out, size_t max)
{
	char buf[16384];
	size_t n = 0;

	if (c->proc_fd < 0 || !scope_in_force()) {
		errno = ENOTSUP;
		return -1;
	}
	if (lseek(c->proc_fd, 0, SEEK_SET) < 0)
		return -1;
	for (;;) {
		long len = syscall(SYS_getdents64, c->proc_fd, buf, sizeof(buf));
		if (len < 0)
			return -1;
		if (len == 0)
			break;
		for (long off = 0; off < len;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *end;
			long pid = strtol(d->d_name, &end, 10);
			off += d->d_reclen;
			if (*end || pid <= 0 || excluded(c, (pid_t)pid) || (pid_t)pid == spare)
				continue;
			if (kill((pid_t)pid, sig) < 0)
				continue; /* outside the domain (EPERM), or gone */
			if (out && n < max)
				out[n] = (pid_t)pid;
			n++;
		}
	}
	return (int)(n > max && out ? max : n);
}

static int dir_fd(const struct agent_config *c, int dir)
{
	if (dir == 0)
		return c->dirs[0];
	if (dir > 0 && (size_t)(dir - 1) < c->n_mounts)
		return c->mount_fds[dir - 1];
	return -1;
}

/* Open the object behind an fd of ours anew, through its magic link: the
 * kernel checks the caller's permission on the inode and Landlock the
 * object's path, as for an open by name. mode is what an O_TMPFILE open of
 * a directory gives its file (the umask applies); openat2 refuses a mode
 * with any other open. */
static int reopen_mode(const struct agent_config *c, int obj, int flags, mode_t mode)
{
	struct open_how how = {.flags =
	                           (uint64_t)(uint32_t)(flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW))};
	char self[32];

	if (c->proc_fd < 0) {
		errno = ENOENT;
		return -1;
	}
	if ((flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode & 07777;
	snprintf(self, sizeof(self), "self/fd/%d", obj);
	return fd_openat2(c->proc_fd, self, &how);
}

static int reopen(const struct agent_config *c, int obj, int flags)
{
	return reopen_mode(c, obj, flags, 0);
}

/* Device nodes met on behalf: none in a nodev mount (EACCES, as the
 * kernel's), and elsewhere only those the container's /dev has (EPERM, as
 * runc's devices cgroup answers); runlock creates no cgroup to say so. */
static int device_refused(const struct agent_req *r, const struct stat *st)
{
	uint64_t key;

	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		return 0;
	if (r->options & AGENT_O_NODEV)
		return EACCES;
	if (!(r->options & AGENT_O_DEVLIST))
		return 0;
	key = (uint64_t)(st->st_mode & S_IFMT) << 32 | (uint32_t)st->st_rdev;
	for (uint32_t i = 0; i < r->n_devs && i < AGENT_MAX_DEVS; i++)
		if (r->devs[i] == key)
			return 0;
	return EPERM;
}

/* The open proper, already as the caller. The object is pinned by an
 * O_PATH fd first and opened through it, so what was checked (a FIFO or
 * not) is what is opened, whatever the container renames meanwhile. */
static int do_open(const struct agent_config *c, struct agent_req *r, int dfd, int *fd,
                   uint32_t *rflags)
{
	int flags = r->flags | O_CLOEXEC, err;
	_cleanup_close_ int obj = -1;
	struct stat st;

	if (r->options & AGENT_O_REOPEN) {
		obj = reopen(c, dfd, O_PATH | O_CLOEXEC);
	} else if ((flags & O_CREAT) && !(r->options & AGENT_O_ACCESS)) {
		/* It may not exist yet: created here, never waited on. */
		struct open_how how = {.flags = (uint64_t)(uint32_t)(flags | O_NONBLOCK),
		                       .mode = r->mode,
		                       .resolve = r->resolve};
		obj = fd_openat2(dfd, r->path, &how);
		if (obj < 0 && errno == ENXIO) { /* an existing FIFO without a reader */
			how.flags = O_PATH | O_CLOEXEC;
			how.mode = 0;
			obj = fd_openat2(dfd, r->path, &how);
		}
		if (obj < 0 || fstat(obj, &st) < 0)
			return errno;
		if ((err = device_refused(r, &st)) != 0)
			return err;
		if (!S_ISFIFO(st.st_mode) || (flags & O_NONBLOCK)) {
			int fl = fcntl(obj, F_GETFL);
			if (!(flags & O_NONBLOCK) && fl >= 0)
				fcntl(obj, F_SETFL, fl & ~O_NONBLOCK);
			*fd = obj;
			obj = -1;
			return 0;
		}
		goto fifo;
	} else {
		struct open_how how = {.flags = O_PATH | O_CLOEXEC | (uint64_t)(flags & O_NOFOLLOW),
		                       .resolve = r->resolve};
		obj = fd_openat2(dfd, r->path, &how);
	}
	if (obj < 0)
		return errno;
	if (r->options & AGENT_O_ACCESS)
		return syscall(SYS_faccessat2, obj, "", r->access, AT_EMPTY_PATH | AT_EACCESS) < 0
		           ? errno
		           : 0;
	if (flags & O_PATH) {
		*fd = obj;
		obj = -1;
		return 0;
	}
	if (fstat(obj, &st) < 0)
		return errno;
	if (S_ISLNK(st.st_mode))
		return ELOOP;
	if ((err = device_refused(r, &st)) != 0)
		return err;
	if (S_ISFIFO(st.st_mode) && !(flags & O_NONBLOCK) && (flags & O_ACCMODE) != O_RDWR)
		goto fifo;
	*fd = reopen_mode(c, obj, flags, r->mode);
	return *fd < 0 ? errno : 0;
fifo:
	/* Waiting for the peer here would stall every other request: try
	 * without waiting (the permission and Landlock checks come before
	 * the wait) and leave the wait to the supervisor. */
	{
		int probe = reopen(c, obj, flags | O_NONBLOCK);
		if (probe < 0 && errno != ENXIO)
			return errno;
		if (probe >= 0)
			close(probe);
	}
	*rflags |= AGENT_R_FIFO;
	*fd = obj;
	obj = -1;
	return 0;
}

/* The parent directory of an FSOP's object, beneath pinned directory dir. */
static int parent_of(const struct agent_config *c, int dir, const char *path, uint64_t resolve)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = resolve};
	int dfd = dir_fd(c, dir);

	if (dfd < 0)
		return -1;
	return fd_openat2(dfd, *path ? path : ".", &how);
}

static bool bad_name(const char *n)
{
	return n[0] == '\0' || strchr(n, '/') || strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

/* A change on a descriptor, already as the caller. */
static int do_fd_fsop(struct agent_req *r, int fd)
{
	r->name[sizeof(r->name) - 1] = '\0';
	switch (r->fsop) {
	case FSOP_FCHMOD:
		return fchmod(fd, r->mode) < 0 ? errno : 0;
	case FSOP_FCHOWN:
		return fchown(fd, r->uid, r->gid) < 0 ? errno : 0;
	case FSOP_FUTIMENS: {
		struct timespec ts[2] = {{r->times[0], r->times[1]}, {r->times[2], r->times[3]}};
		return futimens(fd, r->has_times ? ts : NULL) < 0 ? errno : 0;
	}
	case FSOP_FSETXATTR:
		if (r->length < 0 || (size_t)r->length > sizeof(r->path2))
			return E2BIG;
		return fsetxattr(fd, r->name, r->path2, (size_t)r->length, r->flags) < 0 ? errno
		                                                                         : 0;
	case FSOP_FREMOVEXATTR:
		return fremovexattr(fd, r->name) < 0 ? errno : 0;
	default:
		return EINVAL;
	}
}

/* After a call made from the host's /proc as the working directory (the
 * chroot has no path to a mount's source): back to the root, or die (fail
 * closed: never left outside the root). */
static void back_to_root(const struct agent_config *c)
{
	if (fchdir(c->dirs[0]) < 0)
		_exit(1);
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
static int do_sock_fsop(const struct agent_config *c, struct agent_req *r, int sock)
{
	_cleanup_close_ int d = -1, obj = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ret, err = 0;

	r->name[sizeof(r->name) - 1] = '\0';
	if (c->proc_fd < 0 || !(r->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)))
		return EINVAL;
	if (r->fsop == FSOP_CONNECT && (r->options & AGENT_O_REOPEN)) {
		/* the pinned source itself (a socket bound as a file mount) */
		if (dir_fd(c, r->dir) < 0)
			return EINVAL;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "self/fd/%d", dir_fd(c, r->dir));
		goto go;
	}
	if (bad_name(r->name))
		return EINVAL;
	d = parent_of(c, r->dir, r->path, r->resolve);
	if (d < 0)
		return errno;
	if (r->fsop == FSOP_CONNECT) {
		struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		                       .resolve = r->resolve};
		obj = fd_openat2(d, r->name, &how);
		if (obj < 0)
			return errno;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "self/fd/%d", obj);
	} else if (snprintf(sa.sun_path, sizeof(sa.sun_path), "self/fd/%d/%s", d, r->name) >=
	           (int)sizeof(sa.sun_path)) {
		return ENAMETOOLONG;
	}
go:
	if (fchdir(c->proc_fd) < 0)
		return errno;
	if (r->fsop == FSOP_CONNECT) {
		ret = bounded_connect(sock, &sa);
	} else {
		ret = bind(sock, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (ret < 0)
		err = errno;
	back_to_root(c);
	return err;
}

static char xattr_buf[AGENT_MAX_XATTR];

/* An xattr call or an inotify watch on the object of descriptor obj,
 * reached as "self/fd/N" from the host's /proc (the calls take no
 * descriptor that O_PATH serves, and the chroot has no path to a mount's
 * source): following that magic link lands on the object itself, a
 * symlink's own inode included. The kernel checks the caller's permission
 * on the object. *count gets the value's or list's size, or the watch. */
static int do_object_fsop(const struct agent_config *c, struct agent_req *r, int obj, int ino,
                          uint32_t *count)
{
	char at[32];
	size_t len = r->length < 0 ? 0 : (size_t)r->length;
	ssize_t ret;
	int err = 0;

	r->name[sizeof(r->name) - 1] = '\0';
	if (c->proc_fd < 0 || obj < 0 || (r->fsop == FSOP_INOTIFY_ADD && ino < 0))
		return EBADF;
	if (len > AGENT_MAX_XATTR || (r->fsop == FSOP_SETXATTR && len > sizeof(r->path2)))
		return E2BIG;
	snprintf(at, sizeof(at), "self/fd/%d", obj);
	if (fchdir(c->proc_fd) < 0)
		return errno;
	switch (r->fsop) {
	case FSOP_GETXATTR:
		ret = getxattr(at, r->name, len ? xattr_buf : NULL, len);
		break;
	case FSOP_LISTXATTR:
		ret = listxattr(at, len ? xattr_buf : NULL, len);
		break;
	case FSOP_SETXATTR:
		ret = setxattr(at, r->name, r->path2, len, r->flags);
		break;
	case FSOP_REMOVEXATTR:
		ret = removexattr(at, r->name);
		break;
	default: /* FSOP_INOTIFY_ADD: the link is the object, follow it */
		ret = inotify_add_watch(ino, at, r->mode & ~(uint32_t)IN_DONT_FOLLOW);
		break;
	}
	if (ret < 0)
		err = errno;
	else
		*count = (uint32_t)ret;
	back_to_root(c);
	return err;
}

/* A change to the object named r->name in parent directory d (chmod, chown,
 * truncate, utimes), already as the caller. The view resolved every symlink
 * in container terms before asking, so the agent follows none: d may lie
 * outside the chroot (a mount's source), where a symlink's ".." would walk
 * the host's tree, and Landlock has no right for metadata to stop it. The
 * name is pinned without following anything and the change made on that
 * object. A symlink found where the call follows one means the object was
 * swapped since the view looked: ELOOP, as do_open answers, an errno these
 * calls may return (EAGAIN would invite callers to spin; none expects it).
 * lchown and AT_SYMLINK_NOFOLLOW act on the link itself. */
static int do_name_fsop(const struct agent_config *c, const struct agent_req *r, int d)
{
	struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	                       .resolve =
	                           RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	bool nofollow = r->fsop != FSOP_TRUNCATE && (r->flags & AT_SYMLINK_NOFOLLOW);
	_cleanup_close_ int obj = fd_openat2(d, r->name, &how), f = -1;
	struct stat st;
	char at[32];

	if (obj < 0 || fstat(obj, &st) < 0)
		return errno;
	if (S_ISLNK(st.st_mode) && !nofollow)
		return ELOOP;
	switch (r->fsop) {
	case FSOP_CHMOD:
		/* The kernel has no mode for a link (fchmodat2's answer). */
		if (S_ISLNK(st.st_mode))
			return EOPNOTSUPP;
		/* O_PATH serves no fchmod: the object through its magic link
		 * below the host's /proc, which lands on it and nowhere else. */
		if (c->proc_fd < 0)
			return EOPNOTSUPP;
		snprintf(at, sizeof(at), "self/fd/%d", obj);
		return fchmodat(c->proc_fd, at, r->mode, 0) < 0 ? errno : 0;
	case FSOP_CHOWN:
		return fchownat(obj, "", r->uid, r->gid, AT_EMPTY_PATH) < 0 ? errno : 0;
	case FSOP_UTIMENS: {
		struct timespec ts[2] = {{r->times[0], r->times[1]}, {r->times[2], r->times[3]}};
		return utimensat(obj, "", r->has_times ? ts : NULL, AT_EMPTY_PATH) < 0 ? errno : 0;
	}
	default: /* FSOP_TRUNCATE */
		/* truncate(2) opens nothing: a device or FIFO is never opened
		 * for it (an open has effects of its own), as the kernel's. */
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		if (!S_ISREG(st.st_mode))
			return EINVAL;
		f = reopen(c, obj, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
		if (f < 0)
			return errno;
		return ftruncate(f, r->length) < 0 ? errno : 0;
	}
}

/* A change on behalf, already as the caller. */
static int do_fsop(const struct agent_config *c, struct agent_req *r, const int *in_fd,
                   uint32_t *count)
{
	_cleanup_close_ int d = -1, d2 = -1;
	uint64_t res = r->resolve;

	if (r->fsop >= FSOP_GETXATTR && r->fsop <= FSOP_REMOVEXATTR)
		return do_object_fsop(c, r, in_fd[0], -1, count);
	if (r->fsop == FSOP_INOTIFY_ADD)
		return do_object_fsop(c, r, in_fd[1], in_fd[0], count);
	if (r->fsop == FSOP_CONNECT || r->fsop == FSOP_BIND)
		return in_fd[0] < 0 ? EBADF : do_sock_fsop(c, r, in_fd[0]);
	if (r->fsop >= FSOP_FCHMOD)
		return in_fd[0] < 0 ? EBADF : do_fd_fsop(r, in_fd[0]);

	if (!(res & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)))
		return EINVAL;
	r->name[sizeof(r->name) - 1] = r->name2[sizeof(r->name2) - 1] = '\0';
	r->path2[sizeof(r->path2) - 1] = '\0';
	if (bad_name(r->name))
		return EINVAL;
	d = parent_of(c, r->dir, r->path, res);
	if (d < 0)
		return errno;
	switch (r->fsop) {
	case FSOP_MKDIR:
		return mkdirat(d, r->name, r->mode) < 0 ? errno : 0;
	case FSOP_UNLINK:
		return unlinkat(d, r->name, r->flags & AT_REMOVEDIR) < 0 ? errno : 0;
	case FSOP_SYMLINK:
		return symlinkat(r->path2, d, r->name) < 0 ? errno : 0;
	case FSOP_MKNOD:
		if (!S_ISFIFO(r->mode) && !S_ISSOCK(r->mode) && !S_ISREG(r->mode))
			return EPERM;
		return mknodat(d, r->name, r->mode, 0) < 0 ? errno : 0;
	case FSOP_CHMOD:
	case FSOP_CHOWN:
	case FSOP_TRUNCATE:
	case FSOP_UTIMENS:
		return do_name_fsop(c, r, d);
	case FSOP_RENAME:
	case FSOP_LINK:
		if (bad_name(r->name2))
			return EINVAL;
		d2 = parent_of(c, r->dir2, r->path2, res);
		if (d2 < 0)
			return errno;
		if (r->fsop == FSOP_LINK)
			return linkat(d, r->name, d2, r->name2, 0) < 0 ? errno : 0;
		return syscall(SYS_renameat2, d, r->name, d2, r->name2, r->flags) < 0 ? errno : 0;
	default:
		return EINVAL;
	}
}

/* connect and bind on behalf run with the caller's euid and egid, not only
 * its filesystem identity: the listener's SO_PEERCRED reports the
 * connecting task's euid and egid (a daemon that authorises by peer uid
 * would otherwise grant root), and a socket file bound is the caller's.
 * Only the effective ids change, on this thread (the agent has no other;
 * raw calls: glibc's setxid broadcast would be for threads), so the real
 * and saved ids stay the agent's and the way back needs no capability; a
 * container process of that uid cannot signal the agent meanwhile (kill
 * matches the target's real or saved uid). A new euid clears the
 * effective capabilities: ours again, for setfsuid and the caller's set
 * that open_as applies next. Returns 0 or -1 with errno. */
static int peer_ids_take(const struct agent_req *r, uint64_t perm)
{
	if (syscall(SYS_setresgid, -1, r->egid, -1) < 0 ||
	    syscall(SYS_setresuid, -1, r->euid, -1) < 0)
		return -1;
	/* A change of euid sets the dumpable flag to fs.suid_dumpable: the
	 * agent stays as launch made it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	return rl_caps_set(perm, perm);
}

/* Back to the agent's own euid and egid, or die: an agent left with a
 * container process's identity would do every later request as it
 * (fail closed: the supervisor sees the agent gone and kills the
 * container). */
static void peer_ids_drop(const struct agent_config *c)
{
	if (syscall(SYS_setresuid, -1, c->euid, -1) < 0 ||
	    syscall(SYS_setresgid, -1, c->egid, -1) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(1);
}

/* Take on the caller's filesystem identity, open, and come back. The
 * order matters: a non-zero fsuid clears the filesystem capabilities, so
 * the caller's effective set is applied last. */
static int open_as(const struct agent_config *c, struct agent_req *r, const int *in_fd, int *fd,
                   uint32_t *rflags)
{
	uint64_t eff, perm;
	gid_t groups[AGENT_MAX_GROUPS];
	int err = 0, dfd = dir_fd(c, r->dir);
	bool as_peer = r->op == AGENT_FSOP && (r->fsop == FSOP_CONNECT || r->fsop == FSOP_BIND);

	if (r->op == AGENT_FSOP) {
		dfd = 0; /* do_fsop checks its own */
	} else if (r->options & AGENT_O_MAGIC) {
		/* /proc/PID/fd/N and the like: the kernel checks ptrace access
		 * to PID (Landlock: only the container's processes) and the
		 * object's path. */
		dfd = c->proc_fd;
		if (r->path[0] < '1' || r->path[0] > '9')
			return EINVAL;
	} else if (!(r->options & AGENT_O_REOPEN) &&
	           !(r->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))) {
		return EINVAL;
	}
	if (dfd < 0 || r->n_groups > AGENT_MAX_GROUPS)
		return EINVAL;
	r->path[sizeof(r->path) - 1] = '\0';
	if (rl_caps_get(&eff, &perm) < 0)
		return errno;
	for (uint32_t i = 0; i < r->n_groups; i++)
		groups[i] = r->groups[i];
	if (as_peer && peer_ids_take(r, perm) < 0)
		err = errno;
	syscall(SYS_setfsgid, r->fsgid);
	syscall(SYS_setfsuid, r->fsuid);
	if (!err && (rl_groups_set(r->n_groups, groups) < 0 ||
	             rl_caps_set(r->cap_effective & perm, perm) < 0))
		err = errno;
	/* Created objects get the caller's umask (or its parent's default
	 * ACL, which the kernel applies instead), as if it made them. */
	if (r->umask & AGENT_UMASK_SET)
		umask((mode_t)(r->umask & 0777));
	if (!err)
		err = r->op == AGENT_FSOP ? do_fsop(c, r, in_fd, rflags)
		                          : do_open(c, r, dfd, fd, rflags);
	umask(c->umask);
	if (as_peer)
		peer_ids_drop(c);
	syscall(SYS_setfsuid, c->euid);
	syscall(SYS_setfsgid, c->egid);
	rl_groups_set(0, NULL);
	if (rl_caps_set(eff, perm) < 0)
		_exit(1); /* cannot get our own authority back: fail closed */
	return err;
}

static void kill_container(const struct agent_config *c)
{
	/* Twice: a fork racing the first pass is caught by the second. */
	for (int i = 0; i < 2; i++)
		scan(c, SIGKILL, 0, NULL, 0);
}

void agent_serve(const struct agent_config *c)
{
	static struct agent_req req;

	for (;;) {
		struct agent_reply rep = {0};
		int fd = -1, r, in_fd[2] = {-1, -1};
		size_t nin = 0;
		ssize_t n = wire_recv(c->sock, &req, sizeof(req), in_fd, 2, &nin);

		if (n == 0 || (n < 0 && errno != EMSGSIZE)) {
			kill_container(c);
			_exit(0);
		}
		if (n != (ssize_t)sizeof(req)) {
			rep.err = EPROTO;
			wire_send(c->sock, &rep, sizeof(rep), NULL, 0, NULL, 0);
			continue;
		}
		switch (req.op) {
		case AGENT_MEMBERS:
		case AGENT_SIGNAL:
			r = scan(c, req.op == AGENT_SIGNAL ? req.sig : 0,
			         req.op == AGENT_SIGNAL ? req.spare : 0,
			         req.op == AGENT_MEMBERS ? scan_pids : NULL, AGENT_MAX_PIDS);
			if (r < 0)
				rep.err = errno;
			else
				rep.count = (uint32_t)r;
			break;
		case AGENT_OPEN:
		case AGENT_FSOP:
			rep.err = open_as(c, &req, in_fd, &fd, &rep.count);
			break;
		case AGENT_QUIT:
			_exit(0);
		default:
			rep.err = EPROTO;
		}
		if (req.op == AGENT_MEMBERS && rep.err == 0) {
			int32_t out[AGENT_MAX_PIDS];
			for (uint32_t i = 0; i < rep.count; i++)
				out[i] = scan_pids[i];
			wire_send(c->sock, &rep, sizeof(rep), out, rep.count * sizeof(int32_t),
			          NULL, 0);
		} else if (req.op == AGENT_FSOP && rep.err == 0 && req.length > 0 &&
		           (req.fsop == FSOP_GETXATTR || req.fsop == FSOP_LISTXATTR)) {
			wire_send(c->sock, &rep, sizeof(rep), xattr_buf, rep.count, NULL, 0);
		} else {
			wire_send(c->sock, &rep, sizeof(rep), NULL, 0, fd >= 0 ? &fd : NULL,
			          fd >= 0 ? 1 : 0);
		}
		if (fd >= 0)
			close(fd);
		for (size_t i = 0; i < nin && i < 2; i++)
			close(in_fd[i]);
	}
}

/* What agent_serve() and its libc need, and nothing else: no exec, no fork,
 * no socket, no ptrace, no namespace or mount call. */
static const char *const allowed[] = {
    "read",
    "write",
    "recvmsg",
    "sendmsg",
    "close",
    "lseek",
    "getdents64",
    "kill",
    "getpid",
    "getppid",
    "openat2",
    "faccessat2",
    "fcntl",
    "mkdirat",
    "unlinkat",
    "symlinkat",
    "mknodat",
    "fchmodat",
    "fchownat",
    "ftruncate",
    "utimensat",
    "renameat2",
    "linkat",
    "fchmod",
    "fchown",
    "fsetxattr",
    "fremovexattr",
    "getxattr",
    "listxattr",
    "setxattr",
    "removexattr",
    "inotify_add_watch",
    "connect",
    "getsockopt",
    "setsockopt",
    "bind",
    "fchdir",
    "setfsuid",
    "setfsgid",
    "umask",
    "setresuid", /* connect and bind as the caller (peer_ids_take) */
    "setresgid",
    "setgroups",
    "getgroups", /* rl_groups_set: no setgroups when nothing changes */
    "capget",
    "capset",
    "exit",
    "exit_group",
    "rt_sigreturn",
    "rt_sigprocmask",
    "brk",
    "mmap",
    "munmap",
    "mprotect",
    "madvise",
    "futex",
    "restart_syscall",
    "fstat",
    "newfstatat",
    "getrandom",
    /* the sanitizer runtime's own (the sanitized build runs this too) */
    "sigaltstack",
    "gettid",
    "sched_yield",
    "clock_gettime",
    "prlimit64",
};

int agent_confine(struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	int r;

	/* Not the kill-the-thread default: the whole agent must go, so the
	 * supervisor sees it and fails closed. */
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return rl_fail(e, EINVAL, "agent: seccomp_init");
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			return rl_fail_errno(e, -r, "agent: allow %s", allowed[i]);
	}
	/* prctl only to stay not dumpable after an euid change. */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
	                     SCMP_A0(SCMP_CMP_EQ, PR_SET_DUMPABLE), SCMP_A1(SCMP_CMP_EQ, 0));
	if (r < 0)
		return rl_fail_errno(e, -r, "agent: allow prctl");
	r = seccomp_load(ctx);
	if (r < 0)
		return rl_fail_errno(e, -r, "agent: install its seccomp filter");
	return 0;
}

int agent_call(int sock, const struct agent_req *req, struct agent_reply *rep, pid_t *pids,
               size_t max_pids, int *fd, struct rl_error *e)
{
	static int32_t buf[AGENT_MAX_PIDS + 4];
	int fds[1] = {-1};
	size_t nfds = 0;
	ssize_t n;

	if (fd)
		*fd = -1;
	if (wire_send(sock, req, sizeof(*req), NULL, 0, NULL, 0) < 0)
		return rl_fail_errno(e, errno, "agent: send");
	n = wire_recv(sock, buf, sizeof(buf), fds, 1, &nfds);
	if (n < 0)
		return rl_fail_errno(e, errno, "agent: receive");
	if (n < (ssize_t)sizeof(*rep)) {
		wire_close_fds(fds, nfds);
		return rl_fail(e, EPIPE, "agent: gone");
	}
	memcpy(rep, buf, sizeof(*rep));
	if (rep->err) {
		wire_close_fds(fds, nfds);
		return rl_fail_errno(e, rep->err, "agent");
	}
	if (pids) {
		size_t have = ((size_t)n - sizeof(*rep)) / sizeof(int32_t);
		int32_t *p = buf + sizeof(*rep) / sizeof(int32_t);
		if (have > max_pids)
			have = max_pids;
		for (size_t i = 0; i < have; i++)
			pids[i] = p[i];
		rep->count = (uint32_t)have;
	}
	if (fd && nfds > 0)
		*fd = fds[0];
	else
		wire_close_fds(fds, nfds);
	return 0;
}

int agent_call_with_fd(int sock, const struct agent_req *req, int in_fd, struct agent_reply *rep,
                       struct rl_error *e)
{
	return agent_call_data(sock, req, &in_fd, 1, rep, NULL, 0, e);
}

int agent_call_data(int sock, const struct agent_req *req, const int *in_fds, size_t n_in,
                    struct agent_reply *rep, void *out, size_t size, struct rl_error *e)
{
	static char buf[sizeof(struct agent_reply) + AGENT_MAX_XATTR];
	ssize_t n;
	size_t have;

	if (wire_send(sock, req, sizeof(*req), NULL, 0, in_fds, n_in) < 0)
		return rl_fail_errno(e, errno, "agent: send");
	n = wire_recv(sock, buf, sizeof(buf), NULL, 0, NULL);
	if (n < 0)
		return rl_fail_errno(e, errno, "agent: receive");
	if (n < (ssize_t)sizeof(*rep))
		return rl_fail(e, EPIPE, "agent: gone");
	memcpy(rep, buf, sizeof(*rep));
	if (rep->err)
		return rl_fail_errno(e, rep->err, "agent");
	have = (size_t)n - sizeof(*rep);
	if (out && have > 0)
		memcpy(out, buf + sizeof(*rep), have < size ? have : size);
	return 0;
}
