/* The filesystem view's handlers: the open, stat, access and readlink
 * families, for x86_64 and i386 (docs/mounts.md). Each resolves the path
 * with fs_lookup(): a path that stays in the rootfs is CONTINUEd there, one
 * into a mount is carried out on behalf and its result injected or
 * written back. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/fs.h"
#include "shim/handlers.h"

static struct fs_view *view_of(struct notify *n)
{
	return &((struct emul_state *)n->ctx)->fs;
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* Kinds that are read-only whatever the options say. */
static bool always_ro(const struct mnt *m)
{
	return m->kind == MNT_SYSFS || m->kind == MNT_CGROUP || m->kind == MNT_MASK;
}

static int reopen_pinned(int fd, int flags)
{
	char self[32];
	int r;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	r = open(self, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC)) | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

static bool own_pty(const struct fs_view *v, int num)
{
	char host[32];

	for (size_t i = 0; i < v->n_ptys; i++)
		if (v->ptys[i] == num)
			return true;
	/* The container's console is one of its devices. */
	snprintf(host, sizeof(host), "/dev/pts/%d", num);
	for (size_t i = 0; i < v->t->n; i++)
		if (v->t->m[i].kind == MNT_DEVICE && v->t->m[i].source &&
		    strcmp(v->t->m[i].source, host) == 0)
			return true;
	return false;
}

static int open_devpts(struct fs_view *v, const struct resolved *r, int flags)
{
	int fd;

	if (strcmp(r->rel, "ptmx") == 0) {
		unsigned int num;
		fd = open("/dev/ptmx", flags | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (!(flags & O_PATH) && ioctl(fd, TIOCGPTN, &num) == 0 && v->n_ptys < FS_MAX_PTYS)
			v->ptys[v->n_ptys++] = (int)num;
		return fd;
	}
	if (*r->rel == '\0') {
		/* The directory: its placeholder under /dev, never the host's
		 * list of every pty. */
		int dev = mount_table_find(v->t, "/dev", 4);
		if (dev < 0 || v->t->m[dev].fd < 0)
			return -ENOENT;
		fd = openat(v->t->m[dev].fd, "pts", (flags & ~O_CREAT) | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	{
		char *end, host[32];
		long num = strtol(r->rel, &end, 10);
		if (*end || end == r->rel || num < 0 || !own_pty(v, (int)num))
			return -ENOENT;
		snprintf(host, sizeof(host), "/dev/pts/%ld", num);
		fd = open(host, (flags & ~O_CREAT) | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
}

/* Open r (a path in the emulated view) for the caller. */
static int open_in_view(struct fs_view *v, const struct seccomp_notif *req,
                        const struct resolved *r, int flags, mode_t mode, bool *fifo)
{
	const struct mnt *m;

	*fifo = false;
	if (r->table_link)
		return (flags & O_PATH) ? -EOPNOTSUPP : -ELOOP; /* a link, not followed */
	if (r->mount < 0) /* back in the rootfs by way of a mount */
		return fs_agent_open(v, (pid_t)req->pid, FS_AGENT_ROOT, r->path, flags, mode, -1,
		                     fifo);
	m = &v->t->m[r->mount];
	if (wants_write(flags) && ((m->flags & MNT_F_RO) || always_ro(m)))
		return -EROFS;
	switch (m->kind) {
	case MNT_PROC:
		return fs_proc_open(v, (pid_t)req->pid, (pid_t)req->pid, r, flags);
	case MNT_MASK:
		if (*r->rel != '\0')
			return -ENOENT;
		return reopen_pinned(m->fd, flags);
	case MNT_DEVPTS:
		return open_devpts(v, r, flags);
	default:
		return fs_agent_open(v, (pid_t)req->pid, r->mount, r->rel, flags, mode, -1, fifo);
	}
}

/* ---- FIFOs: wait for the peer off the event loop ------------------------- */

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
	int fd = reopen_pinned(j->obj, j->flags);

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
	unsigned rf = 0;
	bool fifo;
	int r, fd;

	if ((flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL)))
		rf |= RESOLVE_F_NOFOLLOW;
	r = fs_lookup(v, listener, req, dirfd, path, rf, &v->res);
	if (r == FS_ROOTFS) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (r < 0) {
		a->err = -r;
		return;
	}
	if (v->res.trailing_slash && (flags & O_CREAT)) {
		a->err = EISDIR;
		return;
	}
	if (v->res.trailing_slash)
		flags |= O_DIRECTORY;
	fd = open_in_view(v, req, &v->res, flags, mode, &fifo);
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
	int r;

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
		/* RESOLVE_* in the rootfs: the kernel's own; into a mount they
		 * are not emulated. */
		r = fs_lookup(v, listener, req, (int)req->data.args[0], req->data.args[1], 0,
		              &v->res);
		if (r == FS_ROOTFS)
			a->kind = ANSWER_CONTINUE;
		else
			a->err = r < 0 ? -r : EXDEV;
		return;
	}
	answer_open(n, listener, req, (int)req->data.args[0], req->data.args[1], (int)how.flags,
	            (mode_t)how.mode, a);
}

/* ---- the stat family ----------------------------------------------------- */

enum stat_kind { ST_STAT, ST_STAT64_I386, ST_STATX };

/* struct stat64 of the i386 ABI (arch/x86/include/uapi/asm/stat.h). */
struct i386_stat64 {
	uint64_t st_dev;
	uint32_t pad0;
	uint32_t st_ino32;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint32_t pad3;
	int64_t st_size;
	uint32_t st_blksize;
	uint64_t st_blocks;
	uint32_t st_atime_;
	uint32_t st_atime_nsec;
	uint32_t st_mtime_;
	uint32_t st_mtime_nsec;
	uint32_t st_ctime_;
	uint32_t st_ctime_nsec;
	uint64_t st_ino;
} __attribute__((packed));

_Static_assert(sizeof(struct i386_stat64) == 96, "i386 struct stat64");

/* An O_PATH fd of r for a stat; -errno. */
static int path_fd(struct fs_view *v, const struct seccomp_notif *req, const struct resolved *r,
                   bool nofollow)
{
	const struct mnt *m;
	bool fifo;
	int flags = O_PATH | (nofollow ? O_NOFOLLOW : 0);

	if (r->mount < 0)
		return open_in_view(v, req, r, flags, 0, &fifo);
	m = &v->t->m[r->mount];
	if (m->kind == MNT_PROC && r->magic && nofollow) {
		/* The link itself, of a member. */
		int fd;
		if (!fs_is_member(v, (pid_t)atoi(r->rel)) && atoi(r->rel) != (int)req->pid)
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
		int fd = open_in_view(v, req, r, flags, 0, &fifo);
		return fd;
	}
}

static void fill_i386(const struct stat *st, struct i386_stat64 *o)
{
	memset(o, 0, sizeof(*o));
	o->st_dev = st->st_dev;
	o->st_ino32 = (uint32_t)st->st_ino;
	o->st_mode = st->st_mode;
	o->st_nlink = (uint32_t)st->st_nlink;
	o->st_uid = st->st_uid;
	o->st_gid = st->st_gid;
	o->st_rdev = st->st_rdev;
	o->st_size = st->st_size;
	o->st_blksize = (uint32_t)st->st_blksize;
	o->st_blocks = (uint64_t)st->st_blocks;
	o->st_atime_ = (uint32_t)st->st_atim.tv_sec;
	o->st_atime_nsec = (uint32_t)st->st_atim.tv_nsec;
	o->st_mtime_ = (uint32_t)st->st_mtim.tv_sec;
	o->st_mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	o->st_ctime_ = (uint32_t)st->st_ctim.tv_sec;
	o->st_ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
	o->st_ino = st->st_ino;
}

/* A table link has no object behind it: lstat shows a symlink. */
static void link_stat(const struct fs_view *v, const struct mnt_link *l, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	fstat(v->root_fd, st);
	st->st_mode = S_IFLNK | 0777;
	st->st_nlink = 1;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_size = (off_t)strlen(l->target);
	st->st_blocks = 0;
	st->st_ino = 0;
}

static void answer_stat(struct notify *n, int listener, const struct seccomp_notif *req, int dirfd,
                        uint64_t path, uint64_t buf, int at_flags, unsigned xmask,
                        enum stat_kind kind, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	bool nofollow = (at_flags & AT_SYMLINK_NOFOLLOW) != 0;
	unsigned rf = nofollow ? RESOLVE_F_NOFOLLOW : 0;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (at_flags & AT_EMPTY_PATH) {
		char c;
		/* fstat of an fd: the kernel has it right, whatever the fd. */
		if (notify_read_mem(listener, req->id, (pid_t)req->pid, path, &c, 1) == 0 &&
		    c == '\0') {
			a->kind = ANSWER_CONTINUE;
			return;
		}
		rf |= RESOLVE_F_EMPTY_PATH;
	}
	r = fs_lookup(v, listener, req, dirfd, path, rf, &v->res);
	if (r == FS_ROOTFS) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (r < 0) {
		a->err = -r;
		return;
	}
	if (v->res.table_link) {
		link_stat(v, v->res.table_link, &st);
	} else {
		fd = path_fd(v, req, &v->res, nofollow);
		if (fd < 0) {
			a->err = -fd;
			return;
		}
		if (v->res.trailing_slash && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
			a->err = ENOTDIR;
			return;
		}
	}
	if (kind == ST_STATX) {
		struct statx sx;
		if (v->res.table_link) {
			memset(&sx, 0, sizeof(sx));
			sx.stx_mask = STATX_BASIC_STATS;
			sx.stx_mode = (uint16_t)st.st_mode;
			sx.stx_nlink = 1;
			sx.stx_size = (uint64_t)st.st_size;
			sx.stx_dev_major = major(st.st_dev);
			sx.stx_dev_minor = minor(st.st_dev);
		} else if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, xmask, &sx) < 0) {
			a->err = errno;
			return;
		}
		r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &sx, sizeof(sx));
	} else {
		if (!v->res.table_link && fstat(fd, &st) < 0) {
			a->err = errno;
			return;
		}
		if (kind == ST_STAT64_I386) {
			struct i386_stat64 o;
			fill_i386(&st, &o);
			r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &o,
			                     sizeof(o));
		} else {
			r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &st,
			                     sizeof(st));
		}
	}
	if (r < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

static enum stat_kind stat_kind_of(enum notify_abi abi)
{
	return abi == NOTIFY_ABI_I386 ? ST_STAT64_I386 : ST_STAT;
}

/* "stat" and "lstat" name x86_64's calls and, on i386, the old ones with
 * struct __old_kernel_stat, which are not emulated: CONTINUE there (the
 * rootfs's answer; no security decision is taken on a stat). */
static void h_stat(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	if (abi == NOTIFY_ABI_I386) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	answer_stat(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1], 0, 0, ST_STAT,
	            a);
}

static void h_lstat(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	if (abi == NOTIFY_ABI_I386) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	answer_stat(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1],
	            AT_SYMLINK_NOFOLLOW, 0, ST_STAT, a);
}

/* i386 stat64, lstat64 */
static void h_stat64(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	answer_stat(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1], 0, 0,
	            stat_kind_of(abi), a);
}

static void h_lstat64(struct notify *n, int listener, const struct seccomp_notif *req,
                      enum notify_abi abi, struct notify_answer *a)
{
	answer_stat(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1],
	            AT_SYMLINK_NOFOLLOW, 0, stat_kind_of(abi), a);
}

/* x86_64 newfstatat / i386 fstatat64 */
static void h_fstatat(struct notify *n, int listener, const struct seccomp_notif *req,
                      enum notify_abi abi, struct notify_answer *a)
{
	answer_stat(n, listener, req, (int)req->data.args[0], req->data.args[1], req->data.args[2],
	            (int)req->data.args[3], 0, stat_kind_of(abi), a);
}

static void h_statx(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_stat(n, listener, req, (int)req->data.args[0], req->data.args[1], req->data.args[4],
	            (int)req->data.args[2], (unsigned)req->data.args[3], ST_STATX, a);
}

/* ---- statfs, statfs64 ------------------------------------------------------ */

/* struct statfs64 of the i386 ABI (packed to 4: 84 bytes). */
struct i386_statfs64 {
	uint32_t f_type;
	uint32_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	uint32_t f_namelen;
	uint32_t f_frsize;
	uint32_t f_flags;
	uint32_t f_spare[4];
} __attribute__((packed));

_Static_assert(sizeof(struct i386_statfs64) == 84, "i386 struct statfs64");

static void answer_statfs(struct notify *n, int listener, const struct seccomp_notif *req,
                          uint64_t path, uint64_t buf, bool i386, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	_cleanup_close_ int fd = -1;
	struct statfs sf;
	int r = fs_lookup(v, listener, req, AT_FDCWD, path, 0, &v->res);

	if (r == FS_ROOTFS) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (r < 0) {
		a->err = -r;
		return;
	}
	if (v->res.table_link) {
		a->err = ENOENT;
		return;
	}
	fd = path_fd(v, req, &v->res, false);
	if (fd < 0) {
		a->err = -fd;
		return;
	}
	if (fstatfs(fd, &sf) < 0) {
		a->err = errno;
		return;
	}
	if (v->res.mount >= 0 && (v->t->m[v->res.mount].flags & MNT_F_RO))
		sf.f_flags |= ST_RDONLY;
	if (i386) {
		struct i386_statfs64 o;
		memset(&o, 0, sizeof(o));
		o.f_type = (uint32_t)sf.f_type;
		o.f_bsize = (uint32_t)sf.f_bsize;
		o.f_blocks = sf.f_blocks;
		o.f_bfree = sf.f_bfree;
		o.f_bavail = sf.f_bavail;
		o.f_files = sf.f_files;
		o.f_ffree = sf.f_ffree;
		memcpy(o.f_fsid, &sf.f_fsid, sizeof(o.f_fsid));
		o.f_namelen = (uint32_t)sf.f_namelen;
		o.f_frsize = (uint32_t)sf.f_frsize;
		o.f_flags = (uint32_t)sf.f_flags;
		r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &o, sizeof(o));
	} else {
		r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &sf, sizeof(sf));
	}
	if (r < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

/* x86_64 statfs; i386's own statfs (32-bit fields) is not emulated. */
static void h_statfs(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	if (abi == NOTIFY_ABI_I386) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	answer_statfs(n, listener, req, req->data.args[0], req->data.args[1], false, a);
}

/* i386 statfs64(path, size, buf) */
static void h_statfs64(struct notify *n, int listener, const struct seccomp_notif *req,
                       enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	if (req->data.args[1] != sizeof(struct i386_statfs64)) {
		a->err = EINVAL;
		return;
	}
	answer_statfs(n, listener, req, req->data.args[0], req->data.args[2], true, a);
}

/* ---- access, faccessat, faccessat2 --------------------------------------- */

static void answer_access(struct notify *n, int listener, const struct seccomp_notif *req,
                          int dirfd, uint64_t path, int mode, int at_flags, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	const struct mnt *m;
	unsigned rf = (at_flags & AT_SYMLINK_NOFOLLOW) ? RESOLVE_F_NOFOLLOW : 0;
	int r = fs_lookup(v, listener, req, dirfd, path, rf, &v->res);
	bool fifo;

	if (r == FS_ROOTFS) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (r < 0) {
		a->err = -r;
		return;
	}
	if (v->res.table_link) {
		a->kind = ANSWER_VALUE;
		a->val = 0;
		return;
	}
	m = v->res.mount >= 0 ? &v->t->m[v->res.mount] : NULL;
	if (!m) {
		r = fs_agent_open(v, (pid_t)req->pid, FS_AGENT_ROOT, v->res.path,
		                  (rf ? O_NOFOLLOW : 0), 0, mode, &fifo);
		if (r < 0)
			a->err = -r;
		else {
			a->kind = ANSWER_VALUE;
			a->val = 0;
		}
		return;
	}
	if ((mode & W_OK) && ((m->flags & MNT_F_RO) || always_ro(m))) {
		a->err = EROFS;
		return;
	}
	if (m->kind == MNT_PROC || m->kind == MNT_MASK || m->kind == MNT_DEVPTS) {
		_cleanup_close_ int fd = path_fd(v, req, &v->res, rf != 0);
		if (fd < 0) {
			a->err = -fd;
			return;
		}
		if ((mode & W_OK) && m->kind != MNT_DEVPTS) {
			a->err = EACCES;
			return;
		}
	} else {
		r = fs_agent_open(v, (pid_t)req->pid, v->res.mount, v->res.rel,
		                  (rf ? O_NOFOLLOW : 0), 0, mode, &fifo);
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
	const struct resolved *res = &v->res;
	char *target = v->link;
	int r = fs_lookup(v, listener, req, dirfd, path, RESOLVE_F_NOFOLLOW, &v->res);
	size_t len;

	if (r == FS_ROOTFS) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (r < 0) {
		a->err = -r;
		return;
	}
	if ((int64_t)size <= 0) {
		a->err = EINVAL;
		return;
	}
	if (res->table_link) {
		snprintf(target, PATH_MAX, "%s", res->table_link->target);
	} else if (res->mount >= 0 && v->t->m[res->mount].kind == MNT_PROC && res->magic) {
		if (!fs_is_member(v, (pid_t)atoi(res->rel)) && atoi(res->rel) != (int)req->pid) {
			a->err = ENOENT;
			return;
		}
		r = fs_proc_readlink(v, res, target, PATH_MAX);
		if (r < 0) {
			a->err = -r;
			return;
		}
	} else if (!res->is_link) {
		a->err = EINVAL;
		return;
	} else if (res->mount < 0) {
		_cleanup_close_ int fd = path_fd(v, req, res, true);
		ssize_t got = fd < 0 ? -1 : readlinkat(fd, "", target, PATH_MAX - 1);
		if (got < 0) {
			a->err = fd < 0 ? -fd : errno;
			return;
		}
		target[got] = '\0';
	} else if (v->t->m[res->mount].kind == MNT_PROC && strcmp(res->rel, "self") == 0) {
		snprintf(target, PATH_MAX, "%d", (int)req->pid);
	} else if (v->t->m[res->mount].kind == MNT_PROC && strcmp(res->rel, "thread-self") == 0) {
		snprintf(target, PATH_MAX, "%d/task/%d", (int)req->pid, (int)req->pid);
	} else {
		_cleanup_close_ int fd = path_fd(v, req, res, true);
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
    {"open", h_open},           {"openat", h_openat},
    {"openat2", h_openat2},     {"creat", h_creat},
    {"stat", h_stat},           {"lstat", h_lstat},
    {"newfstatat", h_fstatat},  {"stat64", h_stat64},
    {"lstat64", h_lstat64},     {"fstatat64", h_fstatat},
    {"statx", h_statx},         {"statfs", h_statfs},
    {"statfs64", h_statfs64},   {"access", h_access},
    {"faccessat", h_faccessat}, {"faccessat2", h_faccessat2},
    {"readlink", h_readlink},   {"readlinkat", h_readlinkat},
};
const size_t n_fs_entries = sizeof(fs_entries) / sizeof(fs_entries[0]);
