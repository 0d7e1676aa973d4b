/* AGENT_OPEN: openat2 on a pinned directory, already as the caller
 * (agent_as_caller.c took on its identity). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "shim/agent/agent_internal.h"

int agent_dir_fd(const struct agent_config *c, int dir)
{
	if (dir == 0)
		return c->dirs[0];
	if (dir > 0 && (size_t)(dir - 1) < c->n_mounts)
		return c->mount_fds[dir - 1];
	return -1;
}

void agent_back_to_root(const struct agent_config *c)
{
	if (fchdir(c->dirs[0]) < 0)
		_exit(1);
}

/* Open the object behind an fd of ours anew, through its magic link: the
 * kernel checks the caller's permission on the inode and Landlock the
 * object's path, as for an open by name. mode is what an O_TMPFILE open of
 * a directory gives its file (the umask applies); openat2 refuses a mode
 * with any other open. */
int agent_reopen(const struct agent_config *c, int obj, int flags, mode_t mode)
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
	return agent_reopen(c, obj, flags, 0);
}

int agent_open_dir(const struct agent_config *c, const struct agent_open *o)
{
	int dfd = agent_dir_fd(c, o->dir);

	if (o->options & AGENT_O_MAGIC) {
		/* /proc/PID/fd/N and the like: the kernel checks ptrace access
		 * to PID (Landlock: only the container's processes) and the
		 * object's path. */
		dfd = c->proc_fd;
		if (o->path[0] < '1' || o->path[0] > '9')
			return -EINVAL;
	} else if (!(o->options & AGENT_O_REOPEN) &&
	           !(o->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))) {
		return -EINVAL;
	}
	return dfd < 0 ? -EINVAL : dfd;
}

/* Device nodes met on behalf: none in a nodev mount (EACCES, as the
 * kernel's), and elsewhere only those the container's /dev has (EPERM, as
 * runc's devices cgroup answers); runlock creates no cgroup to say so. */
static int device_refused(const struct agent_open *o, const struct stat *st)
{
	uint64_t key;

	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		return 0;
	if (o->options & AGENT_O_NODEV)
		return EACCES;
	if (!(o->options & AGENT_O_DEVLIST))
		return 0;
	key = (uint64_t)(st->st_mode & S_IFMT) << 32 | (uint32_t)st->st_rdev;
	for (uint32_t i = 0; i < o->n_devs && i < AGENT_MAX_DEVS; i++)
		if (o->devs[i] == key)
			return 0;
	return EPERM;
}

/* The open proper, already as the caller. The object is pinned by an
 * O_PATH fd first and opened through it, so what was checked (a FIFO or
 * not) is what is opened, whatever the container renames meanwhile. */
int agent_do_open(const struct agent_config *c, const struct agent_open *o, int dfd, int *fd,
                  uint32_t *fifo)
{
	int flags = o->flags | O_CLOEXEC, err;
	_cleanup_close_ int obj = -1;
	struct stat st;

	if (o->options & AGENT_O_REOPEN) {
		obj = reopen(c, dfd, O_PATH | O_CLOEXEC);
	} else if ((flags & O_CREAT) && !(o->options & AGENT_O_ACCESS)) {
		/* It may not exist yet: created here, never waited on. */
		struct open_how how = {.flags = (uint64_t)(uint32_t)(flags | O_NONBLOCK),
		                       .mode = o->mode,
		                       .resolve = o->resolve};
		obj = fd_openat2(dfd, o->path, &how);
		if (obj < 0 && errno == ENXIO) { /* an existing FIFO without a reader */
			how.flags = O_PATH | O_CLOEXEC;
			how.mode = 0;
			obj = fd_openat2(dfd, o->path, &how);
		}
		if (obj < 0 || fstat(obj, &st) < 0)
			return errno;
		if ((err = device_refused(o, &st)) != 0)
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
		                       .resolve = o->resolve};
		obj = fd_openat2(dfd, o->path, &how);
	}
	if (obj < 0)
		return errno;
	if (o->options & AGENT_O_ACCESS)
		return syscall(SYS_faccessat2, obj, "", o->access, AT_EMPTY_PATH | AT_EACCESS) < 0
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
	if ((err = device_refused(o, &st)) != 0)
		return err;
	if (S_ISFIFO(st.st_mode) && !(flags & O_NONBLOCK) && (flags & O_ACCMODE) != O_RDWR)
		goto fifo;
	*fd = agent_reopen(c, obj, flags, o->mode);
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
	*fifo = 1;
	*fd = obj;
	obj = -1;
	return 0;
}
