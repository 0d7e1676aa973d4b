/* The filesystem view's handlers: the open, stat, access and readlink
 * families, for x86_64 and i386 (docs/mounts.md). Each resolves the path
 * with fs_lookup(): a path that stays in the rootfs is CONTINUEd there, one
 * into a mount is carried out on behalf and its result injected or
 * written back. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/major.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* The container's ptys: each pinned, when the container opened /dev/ptmx,
 * by an O_PATH of its slave taken from the master (TIOCGPTPEER). A slave
 * is opened through that: it is that very pty, or EIO once its master is
 * closed everywhere; never another pty that took the number since (the
 * host reuses numbers: a host user's terminal). Those whose master is
 * gone (devpts unlinks the slave: no link left) are forgotten here. */
static void forget_closed_ptys(struct fs_view *v)
{
	size_t k = 0;

	for (size_t i = 0; i < v->n_ptys; i++) {
		struct stat st;
		if (fstat(v->pty_obj[i], &st) == 0 && st.st_nlink > 0) {
			v->ptys[k] = v->ptys[i];
			v->pty_obj[k++] = v->pty_obj[i];
		} else {
			close(v->pty_obj[i]);
		}
	}
	v->n_ptys = k;
}

static int pinned_pty(struct fs_view *v, int num)
{
	forget_closed_ptys(v);
	for (size_t i = 0; i < v->n_ptys; i++)
		if (v->ptys[i] == num)
			return v->pty_obj[i];
	return -1;
}

void fs_ptys_release(struct fs_view *v)
{
	for (size_t i = 0; i < v->n_ptys; i++)
		close(v->pty_obj[i]);
	v->n_ptys = 0;
}

int fs_pty_adopt(struct fs_view *v, int slave_fd)
{
	struct stat st;
	char self[32];
	unsigned maj;
	int obj;

	if (fstat(slave_fd, &st) < 0)
		return -errno;
	maj = major(st.st_rdev);
	/* UNIX98 pty slaves: majors 136..143, 256 minors each. */
	if (!S_ISCHR(st.st_mode) || maj < UNIX98_PTY_SLAVE_MAJOR ||
	    maj >= UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT)
		return -ENOTTY;
	forget_closed_ptys(v);
	if (v->n_ptys >= FS_MAX_PTYS)
		return -ENOSPC;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", slave_fd);
	obj = open(self, O_PATH | O_CLOEXEC);
	if (obj < 0)
		return -errno;
	v->ptys[v->n_ptys] = (int)((maj - UNIX98_PTY_SLAVE_MAJOR) * 256 + minor(st.st_rdev));
	v->pty_obj[v->n_ptys++] = obj;
	return 0;
}

/* The container's console is one of its devices: the caller's pty, which
 * lives as long as the container. */
static bool console_pty(const struct fs_view *v, int num)
{
	char host[32];

	snprintf(host, sizeof(host), "/dev/pts/%d", num);
	for (size_t i = 0; i < v->t->n; i++)
		if (v->t->m[i].kind == MNT_DEVICE && v->t->m[i].source &&
		    strcmp(v->t->m[i].source, host) == 0)
			return true;
	return false;
}

/* The directory /dev/pts: an empty one of the supervisor's own in the state
 * directory, which the container can neither reach nor write. Never the
 * placeholder in the container's /dev: the container can rename that away
 * and leave a symlink to any host file in its place, which an open as root
 * there would follow (issue 14). */
#define DEVPTS_VIEW "mnt/pts"

/* The host's /dev/pts/N, N one of the container's ptys, and /dev/ptmx:
 * fixed host paths the container cannot write, opened as the caller (the
 * kernel records the master's opener as the pty's owner and checks the
 * slave's mode against the opener; the agent cannot help, the container's
 * Landlock domain grants nothing in the host's /dev/pts). */
#define DEVPTS_RESOLVE                                                                             \
	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* A creating or writing open of the directory /dev/pts is refused as the
 * host's devpts root (root's, 0755) answers it: the supervisor's stand-in
 * lives on a filesystem that would make an O_TMPFILE file (owned by root,
 * with whatever mode the container asked, in the scratch tree) or write. */
static int devpts_dir_refusal(pid_t tid, int flags)
{
	struct fs_caller c;

	if (flags & O_PATH)
		return 0; /* open(2) keeps only O_PATH's own flags */
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_CREAT))
			return -EINVAL;
		/* Search and write on the directory first: only its owner,
		 * root, or CAP_DAC_OVERRIDE gets as far as devpts' missing
		 * tmpfile operation. */
		if (fs_caller_read(tid, &c) < 0)
			return -ESRCH;
		if (c.fsuid != 0 && !(c.cap_eff & (1ULL << CAP_DAC_OVERRIDE)))
			return -EACCES;
		return -EOPNOTSUPP;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (wants_write(flags))
		return -EISDIR;
	return 0;
}

static int devpts_dir(struct fs_view *v, pid_t tid, int flags)
{
	int refused = devpts_dir_refusal(tid, flags);

	if (refused < 0)
		return refused;
	if (mkdirat(v->state_fd, "mnt", 0711) < 0 && errno != EEXIST)
		return -errno;
	if (mkdirat(v->state_fd, DEVPTS_VIEW, 0755) < 0 && errno != EEXIST)
		return -errno;
	{
		int fd =
		    openat(v->state_fd, DEVPTS_VIEW, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
}

/* fd, when it is a character device (of major want, unless 0); else
 * closed and -ENOENT. */
static int char_dev_or_close(int fd, unsigned want)
{
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && (!want || major(st.st_rdev) == want))
		return fd;
	close(fd);
	return -ENOENT;
}

static int open_devpts(struct fs_view *v, pid_t tid, const struct resolved *r, int flags)
{
	const struct mnt *m = &v->t->m[r->mount];
	int fd;

	flags &= ~O_CREAT;
	if (strcmp(r->rel, "ptmx") == 0) {
		unsigned int num;
		int obj;
		fd = char_dev_or_close(fs_open_as_caller(tid, AT_FDCWD, "/dev/ptmx", flags, 0),
		                       TTYAUX_MAJOR);
		if (fd < 0 || (flags & O_PATH))
			return fd;
		forget_closed_ptys(v);
		if (v->n_ptys >= FS_MAX_PTYS) {
			close(fd);
			return -ENOSPC; /* as the kernel says when no pty is left */
		}
		if (ioctl(fd, TIOCGPTN, &num) < 0 ||
		    (obj = ioctl(fd, TIOCGPTPEER, O_PATH | O_CLOEXEC)) < 0) {
			close(fd);
			return -EIO;
		}
		v->ptys[v->n_ptys] = (int)num;
		v->pty_obj[v->n_ptys++] = obj;
		return fd;
	}
	if (*r->rel == '\0')
		return devpts_dir(v, tid, flags);
	{
		char *end, self[48];
		long num = strtol(r->rel, &end, 10);
		int obj;
		if (*end || end == r->rel || num < 0 || num > INT_MAX)
			return -ENOENT;
		obj = pinned_pty(v, (int)num);
		if (obj >= 0) {
			/* The link names the pinned slave: never O_NOFOLLOW'd,
			 * the container's path had no symlink there. */
			snprintf(self, sizeof(self), "/proc/self/fd/%d", obj);
			return char_dev_or_close(
			    fs_open_as_caller(tid, AT_FDCWD, self, flags & ~O_NOFOLLOW, 0), 0);
		}
		if (!console_pty(v, (int)num))
			return -ENOENT;
		return char_dev_or_close(
		    fs_open_as_caller(tid, m->fd, r->rel, flags, DEVPTS_RESOLVE), 0);
	}
}

/* A device node every user may open as asked (/dev/null, zero, full,
 * random, urandom, tty are 0666): the supervisor opens it itself, without
 * the agent's round trip and the caller's credentials. Landlock grants the
 * container these nodes anyway. */
static bool open_for_all(const struct mnt *m, int flags)
{
	struct stat st;
	unsigned need = (flags & O_ACCMODE) == O_RDONLY   ? 4
	                : (flags & O_ACCMODE) == O_WRONLY ? 2
	                                                  : 6;

	if (flags & O_PATH)
		need = 0;
	if ((flags & O_CREAT) || fstat(m->fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	return (st.st_mode & need) == need;
}

int fs_open_resolved(struct fs_view *v, struct fs_call *c, const struct resolved *r, int flags,
                     mode_t mode, bool *fifo)
{
	const struct mnt *m;

	*fifo = false;
	if (r->table_link)
		return (flags & O_PATH) ? -EOPNOTSUPP : -ELOOP; /* a link, not followed */
	if (r->mount < 0) { /* back in the rootfs by way of a mount */
		int fd = fs_agent_open(v, c, FS_AGENT_ROOT, r->path, flags, mode, -1, fifo);
		int k;
		/* A directory the rootfs lacks, above a mount point: runc would
		 * have made it; the view shows its snapshot. */
		if (fd == -ENOENT && (k = fs_merge_find(v, r->path)) >= 0)
			return wants_write(flags) ? -EROFS : fs_merge_open(v, c, k, flags);
		return fd;
	}
	m = &v->t->m[r->mount];
	if (wants_write(flags) && fs_mount_ro(m))
		return -EROFS;
	switch (m->kind) {
	case MNT_PROC:
		return fs_proc_open(v, c, r, flags, fifo);
	case MNT_MASK:
		if (*r->rel != '\0')
			return -ENOENT;
		return fd_reopen(m->fd, flags);
	case MNT_DEVPTS:
		return open_devpts(v, c->tid, r, flags);
	case MNT_DEVICE: {
		int denied = fs_device_check(v, m->fd, flags);
		if (denied < 0)
			return denied;
		if (open_for_all(m, flags))
			return fd_reopen(m->fd, flags);
		return fs_agent_open(v, c, r->mount, r->rel, flags, mode, -1, fifo);
	}
	default:
		return fs_agent_open(v, c, r->mount, r->rel, flags, mode, -1, fifo);
	}
}

/* ---- FIFOs: wait for the peer off the event loop ------------------------- */

/* The wait outlives the handler and its struct fs_call: the job holds its
 * own copies of what it needs (the listener, the call's id). */

/* A wait ends when the peer comes, or with the supervisor (delete); one
 * whose caller was killed meanwhile waits on. So they are capped: beyond
 * this, an open that would wait fails with EAGAIN. */
#define FIFO_WAITS_MAX 64
static int fifo_waits;

struct fifo_job {
	int listener; /* our own duplicate */
	uint64_t id;
	int obj; /* O_PATH of the FIFO */
	int flags;
};

static void *fifo_wait(void *arg)
{
	struct fifo_job *j = arg;
	struct notify_answer a = {.kind = ANSWER_ERRNO};
	int fd = fd_reopen(j->obj, j->flags);

	if (fd < 0) {
		a.err = -fd;
	} else {
		a.kind = ANSWER_FD;
		a.fd = fd;
		a.fd_flags = (j->flags & O_CLOEXEC) ? O_CLOEXEC : 0;
	}
	notify_respond(j->listener, j->id, &a);
	close(j->obj);
	close(j->listener);
	free(j);
	__atomic_sub_fetch(&fifo_waits, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void answer_fifo(int listener, const struct seccomp_notif *req, int obj, int flags,
                        struct notify_answer *a)
{
	struct fifo_job *j;
	pthread_attr_t attr;
	pthread_t t;

	if (__atomic_add_fetch(&fifo_waits, 1, __ATOMIC_RELAXED) > FIFO_WAITS_MAX ||
	    !(j = malloc(sizeof(*j)))) {
		__atomic_sub_fetch(&fifo_waits, 1, __ATOMIC_RELAXED);
		close(obj);
		a->err = EAGAIN;
		return;
	}
	j->listener = fcntl(listener, F_DUPFD_CLOEXEC, 3);
	j->id = req->id;
	j->obj = obj;
	j->flags = flags;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (j->listener < 0 || pthread_create(&t, &attr, fifo_wait, j) != 0) {
		if (j->listener >= 0)
			close(j->listener);
		close(obj);
		free(j);
		__atomic_sub_fetch(&fifo_waits, 1, __ATOMIC_RELAXED);
		a->err = EAGAIN;
	} else {
		a->kind = ANSWER_PENDING;
	}
	pthread_attr_destroy(&attr);
}

/* ---- open, openat, openat2, creat ------------------------------------------ */

static void answer_open(struct notify *n, int listener, const struct seccomp_notif *req, int dirfd,
                        uint64_t path, int flags, mode_t mode, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	unsigned rf = 0;
	bool fifo;
	int r, fd;

	if ((flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL)))
		rf |= RESOLVE_F_NOFOLLOW;
	/* opendir() of a directory holding mount points its tree lacks. */
	if ((flags & O_DIRECTORY) && v->n_merge > 0)
		rf |= FS_LOOKUP_FULL;
	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, dirfd, path, rf);
	if (r >= 0 && (rf & FS_LOOKUP_FULL)) {
		int k = fs_merge_find(v, call.res.path);
		if (k >= 0 && !wants_write(flags)) {
			fd = fs_merge_open(v, &call, k, flags);
			if (fd < 0) {
				a->err = -fd;
				return;
			}
			a->kind = ANSWER_FD;
			a->fd = fd;
			a->fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
			return;
		}
	}
	if (fs_lookup_answers(r, a))
		return;
	if (call.res.trailing_slash && (flags & O_CREAT)) {
		a->err = EISDIR;
		return;
	}
	if (call.res.trailing_slash)
		flags |= O_DIRECTORY;
	fd = fs_open_resolved(v, &call, &call.res, flags, mode, &fifo);
	if (fd < 0) {
		a->err = -fd;
		return;
	}
	if (fifo) {
		answer_fifo(listener, req, fd, flags, a);
		return;
	}
	a->kind = ANSWER_FD;
	a->fd = fd;
	a->fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
}

static void h_open(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_open(n, listener, req, AT_FDCWD, req->data.args[0], (int)req->data.args[1],
	            (mode_t)req->data.args[2], a);
}

static void h_creat(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_open(n, listener, req, AT_FDCWD, req->data.args[0], O_CREAT | O_WRONLY | O_TRUNC,
	            (mode_t)req->data.args[1], a);
}

static void h_openat(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_open(n, listener, req, (int)req->data.args[0], req->data.args[1],
	            (int)req->data.args[2], (mode_t)req->data.args[3], a);
}

static void h_openat2(struct notify *n, int listener, const struct seccomp_notif *req,
                      enum notify_abi abi, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct open_how how;

	(void)abi;
	if (req->data.args[3] < sizeof(how)) {
		a->err = EINVAL;
		return;
	}
	if (notify_read_mem(listener, req->id, (pid_t)req->pid, req->data.args[2], &how,
	                    sizeof(how)) < 0) {
		a->err = EFAULT;
		return;
	}
	if (how.resolve != 0) {
		struct fs_call call;
		int r;
		/* RESOLVE_* in the rootfs from the root or the working
		 * directory: the kernel's own (CONTINUE: it resolves inside the
		 * root whatever the path says by then). Into a mount they are
		 * not emulated (EXDEV); relative to a descriptor, which another
		 * thread could swap, ENOSYS, so that callers fall back to
		 * openat, which the view carries out. */
		if ((int)req->data.args[0] != AT_FDCWD) {
			a->err = ENOSYS;
			return;
		}
		fs_call_init(&call, listener, req);
		r = fs_lookup(v, &call, AT_FDCWD, req->data.args[1], 0);
		if (r == FS_ROOTFS)
			a->kind = ANSWER_CONTINUE;
		else
			a->err = r < 0 ? -r : EXDEV;
		return;
	}
	answer_open(n, listener, req, (int)req->data.args[0], req->data.args[1], (int)how.flags,
	            (mode_t)how.mode, a);
}

/* An O_PATH fd of r for a stat; -errno. */
int fs_path_fd(struct fs_view *v, struct fs_call *c, const struct resolved *r, bool nofollow)
{
	const struct mnt *m;
	bool fifo;
	int flags = O_PATH | (nofollow ? O_NOFOLLOW : 0);

	if (r->mount < 0)
		return fs_open_resolved(v, c, r, flags, 0, &fifo);
	m = &v->t->m[r->mount];
	if (m->kind == MNT_PROC && r->magic && nofollow) {
		/* The link itself, of a member. */
		int fd;
		if (!fs_is_member(v, c, (pid_t)atoi(r->rel)) && atoi(r->rel) != (int)c->tid)
			return -ENOENT;
		fd = openat(m->fd, r->rel, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (m->kind == MNT_PROC && r->is_link && nofollow) {
		/* /proc/self, /proc/thread-self: the host's own link says
		 * "self" of the supervisor, but its stat is a link's all the
		 * same. */
		int fd = openat(m->fd, "self", O_PATH | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	{
		int fd = fs_open_resolved(v, c, r, flags, 0, &fifo);
		return fd;
	}
}

/* ---- access, faccessat, faccessat2 --------------------------------------- */

/* The kernel's permission check of the object at fd for the caller, by
 * its mode bits: the fsuid, fsgid and groups, CAP_DAC_OVERRIDE (read and
 * write; execute when some x bit is set) and CAP_DAC_READ_SEARCH (read).
 * access(2) on /proc and /dev/pts, whose objects the supervisor holds. */
static bool caller_may(const struct seccomp_notif *req, int fd, int mode)
{
	struct fs_caller c;
	struct stat st;
	unsigned bits;
	bool dac_override, read_search;

	if (mode == F_OK)
		return true;
	if (fstat(fd, &st) < 0 || fs_caller_read((pid_t)req->pid, &c) < 0)
		return false;
	dac_override = c.cap_eff & (1ull << CAP_DAC_OVERRIDE);
	read_search = c.cap_eff & (1ull << CAP_DAC_READ_SEARCH);
	if (c.fsuid == st.st_uid)
		bits = (st.st_mode >> 6) & 7;
	else {
		bool in = c.fsgid == st.st_gid;
		for (uint32_t i = 0; i < c.n_groups && !in; i++)
			in = c.groups[i] == st.st_gid;
		bits = in ? (st.st_mode >> 3) & 7 : st.st_mode & 7;
	}
	if ((mode & R_OK) && !(bits & 4) && !dac_override && !read_search)
		return false;
	if ((mode & W_OK) && !(bits & 2) && !dac_override)
		return false;
	if ((mode & X_OK) && !(bits & 1) &&
	    !(dac_override && (S_ISDIR(st.st_mode) || (st.st_mode & 0111))))
		return false;
	return true;
}

static void answer_access(struct notify *n, int listener, const struct seccomp_notif *req,
                          int dirfd, uint64_t path, int mode, int at_flags, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	const struct resolved *res = &call.res;
	const struct mnt *m;
	unsigned rf = (at_flags & AT_SYMLINK_NOFOLLOW) ? RESOLVE_F_NOFOLLOW : 0;
	bool fifo;
	int r;

	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, dirfd, path, rf);
	if (fs_lookup_answers(r, a))
		return;
	if (res->table_link) {
		a->kind = ANSWER_VALUE;
		a->val = 0;
		return;
	}
	m = res->mount >= 0 ? &v->t->m[res->mount] : NULL;
	if (!m) {
		r = fs_agent_open(v, &call, FS_AGENT_ROOT, res->path, (rf ? O_NOFOLLOW : 0), 0,
		                  mode, &fifo);
		if (r < 0)
			a->err = -r;
		else {
			a->kind = ANSWER_VALUE;
			a->val = 0;
		}
		return;
	}
	if ((mode & W_OK) && fs_mount_ro(m)) {
		a->err = EROFS;
		return;
	}
	if (m->kind == MNT_PROC || m->kind == MNT_MASK || m->kind == MNT_DEVPTS) {
		_cleanup_close_ int fd = fs_path_fd(v, &call, res, rf != 0);
		if (fd < 0) {
			a->err = -fd;
			return;
		}
		if ((mode & W_OK) && m->kind != MNT_DEVPTS) {
			a->err = EACCES;
			return;
		}
		if (!caller_may(req, fd, mode)) {
			a->err = EACCES;
			return;
		}
	} else {
		r = fs_agent_open(v, &call, res->mount, res->rel, (rf ? O_NOFOLLOW : 0), 0, mode,
		                  &fifo);
		if (r < 0) {
			a->err = -r;
			return;
		}
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

static void h_access(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_access(n, listener, req, AT_FDCWD, req->data.args[0], (int)req->data.args[1], 0, a);
}

static void h_faccessat(struct notify *n, int listener, const struct seccomp_notif *req,
                        enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_access(n, listener, req, (int)req->data.args[0], req->data.args[1],
	              (int)req->data.args[2], 0, a);
}

static void h_faccessat2(struct notify *n, int listener, const struct seccomp_notif *req,
                         enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_access(n, listener, req, (int)req->data.args[0], req->data.args[1],
	              (int)req->data.args[2], (int)req->data.args[3], a);
}

/* ---- readlink, readlinkat -------------------------------------------------- */

static void answer_readlink(struct notify *n, int listener, const struct seccomp_notif *req,
                            int dirfd, uint64_t path, uint64_t buf, uint64_t size,
                            struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	const struct resolved *res = &call.res;
	char *target = call.link;
	size_t len;
	int r;

	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, dirfd, path, RESOLVE_F_NOFOLLOW);
	if (fs_lookup_answers(r, a))
		return;
	if ((int64_t)size <= 0) {
		a->err = EINVAL;
		return;
	}
	if (res->table_link) {
		snprintf(target, PATH_MAX, "%s", res->table_link->target);
	} else if (res->mount >= 0 && v->t->m[res->mount].kind == MNT_PROC && res->magic) {
		if (!fs_is_member(v, &call, (pid_t)atoi(res->rel)) &&
		    atoi(res->rel) != (int)req->pid) {
			a->err = ENOENT;
			return;
		}
		r = fs_proc_readlink(v, &call, res, target, PATH_MAX);
		if (r < 0) {
			a->err = -r;
			return;
		}
	} else if (!res->is_link) {
		a->err = EINVAL;
		return;
	} else if (res->mount < 0) {
		_cleanup_close_ int fd = fs_path_fd(v, &call, res, true);
		ssize_t got = fd < 0 ? -1 : readlinkat(fd, "", target, PATH_MAX - 1);
		if (got < 0) {
			a->err = fd < 0 ? -fd : errno;
			return;
		}
		target[got] = '\0';
	} else if (v->t->m[res->mount].kind == MNT_PROC && strcmp(res->rel, "self") == 0) {
		/* The lookup of a path naming "self" took the thread group. */
		snprintf(target, PATH_MAX, "%d", (int)call.pid);
	} else if (v->t->m[res->mount].kind == MNT_PROC && strcmp(res->rel, "thread-self") == 0) {
		snprintf(target, PATH_MAX, "%d/task/%d", (int)call.pid, (int)req->pid);
	} else {
		_cleanup_close_ int fd = fs_path_fd(v, &call, res, true);
		ssize_t got;
		if (fd < 0) {
			a->err = -fd;
			return;
		}
		got = readlinkat(fd, "", target, PATH_MAX - 1);
		if (got < 0) {
			a->err = errno == ENOENT ? EINVAL : errno;
			return;
		}
		target[got] = '\0';
	}
	len = strlen(target);
	if (len > size)
		len = (size_t)size;
	if (notify_write_mem(listener, req->id, (pid_t)req->pid, buf, target, len) < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = (int64_t)len;
}

static void h_readlink(struct notify *n, int listener, const struct seccomp_notif *req,
                       enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_readlink(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1],
	                req->data.args[2], a);
}

static void h_readlinkat(struct notify *n, int listener, const struct seccomp_notif *req,
                         enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_readlink(n, listener, req, (int)req->data.args[0], req->data.args[1],
	                req->data.args[2], req->data.args[3], a);
}

/* Names per ABI: the x86_64 and i386 calls of one kind share a handler
 * where their arguments agree. The i386 stat/lstat/fstatat64 use struct
 * stat64; its old stat/lstat (struct __old_kernel_stat) are not trapped. */
const struct notify_entry fs_entries[] = {
    {"open", h_open},
    {"openat", h_openat},
    {"openat2", h_openat2},
    {"creat", h_creat},
    {"access", h_access},
    {"faccessat", h_faccessat},
    {"faccessat2", h_faccessat2},
    {"readlink", h_readlink},
    {"readlinkat", h_readlinkat},
};
const size_t n_fs_entries = sizeof(fs_entries) / sizeof(fs_entries[0]);
