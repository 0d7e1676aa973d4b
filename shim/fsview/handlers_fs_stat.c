/* The filesystem view's stat family and statfs, for x86_64 and i386
 * (docs/mounts.md): a path in a mount is stat'ed on an O_PATH descriptor
 * the view opens (fs_path_fd) and the result written into the caller's
 * buffer in its ABI's layout. */
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"

/* ---- the stat family ----------------------------------------------------- */

enum stat_kind { ST_STAT, ST_STAT64_I386, ST_STAT_I386, ST_STATX };

/* The times of i386's stat structures: 32-bit seconds and nanoseconds. */
struct i386_times {
	uint32_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
};

static struct i386_times times_of(const struct stat *st)
{
	return (struct i386_times){(uint32_t)st->st_atim.tv_sec, (uint32_t)st->st_atim.tv_nsec,
	                           (uint32_t)st->st_mtim.tv_sec, (uint32_t)st->st_mtim.tv_nsec,
	                           (uint32_t)st->st_ctim.tv_sec, (uint32_t)st->st_ctim.tv_nsec};
}

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
	struct i386_times t;
	uint64_t st_ino;
} __attribute__((packed));

_Static_assert(sizeof(struct i386_stat64) == 96, "i386 struct stat64");

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
	o->t = times_of(st);
	o->st_ino = st->st_ino;
}

/* i386's own struct stat (the kernel's compat_stat): 32-bit sizes and
 * times, 16-bit ids and a 16-bit device encoding. */
struct i386_stat {
	uint32_t st_dev;
	uint32_t st_ino;
	uint16_t st_mode;
	uint16_t st_nlink;
	uint16_t st_uid;
	uint16_t st_gid;
	uint32_t st_rdev;
	uint32_t st_size;
	uint32_t st_blksize;
	uint32_t st_blocks;
	struct i386_times t;
	uint32_t unused4;
	uint32_t unused5;
};

_Static_assert(sizeof(struct i386_stat) == 64, "i386 struct stat");

/* An id above 16 bits reads as the overflow id, as the kernel's
 * high2lowuid gives. */
static uint16_t low_id(uint32_t id)
{
	return id > 0xffff ? 65534 : (uint16_t)id;
}

/* 0 or -EOVERFLOW, as the kernel's cp_compat_stat. */
static int fill_i386_old(const struct stat *st, struct i386_stat *o)
{
	memset(o, 0, sizeof(*o));
	if (major(st->st_dev) > 255 || minor(st->st_dev) > 255 || major(st->st_rdev) > 255 ||
	    minor(st->st_rdev) > 255 || st->st_ino > UINT32_MAX || st->st_nlink > 0xffff ||
	    st->st_size > INT32_MAX)
		return -EOVERFLOW;
	o->st_dev = (uint32_t)(major(st->st_dev) << 8 | minor(st->st_dev));
	o->st_ino = (uint32_t)st->st_ino;
	o->st_mode = (uint16_t)st->st_mode;
	o->st_nlink = (uint16_t)st->st_nlink;
	o->st_uid = low_id(st->st_uid);
	o->st_gid = low_id(st->st_gid);
	o->st_rdev = (uint32_t)(major(st->st_rdev) << 8 | minor(st->st_rdev));
	o->st_size = (uint32_t)st->st_size;
	o->st_blksize = (uint32_t)st->st_blksize;
	o->st_blocks = (uint32_t)st->st_blocks;
	o->t = times_of(st);
	return 0;
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
	struct fs_call call;
	const struct resolved *res = &call.res;
	bool nofollow = (at_flags & AT_SYMLINK_NOFOLLOW) != 0;
	unsigned rf = nofollow ? RESOLVE_F_NOFOLLOW : 0;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	bool own_fd = false;

	if (at_flags & AT_EMPTY_PATH) {
		char c;
		/* fstat of an fd: the supervisor's copy of it, never the
		 * kernel's call (another thread could turn the "" into a name
		 * after the check, resolved from a descriptor it swapped). */
		if (dirfd != AT_FDCWD &&
		    notify_read_mem(listener, req->id, (pid_t)req->pid, path, &c, 1) == 0 &&
		    c == '\0') {
			fd = fs_fd_copy(listener, req, dirfd);
			if (fd < 0) {
				a->err = -fd;
				return;
			}
			own_fd = true;
		}
		rf |= RESOLVE_F_EMPTY_PATH;
	}
	fs_call_init(&call, listener, req); /* nothing resolved: an own_fd has no res */
	r = own_fd ? 0 : fs_lookup(v, &call, dirfd, path, rf);
	if (fs_lookup_answers(r, a))
		return;
	if (own_fd) {
		/* the copy is the object */
	} else if (res->table_link) {
		link_stat(v, res->table_link, &st);
	} else {
		fd = fs_path_fd(v, &call, res, nofollow);
		if (fd < 0) {
			a->err = -fd;
			return;
		}
		if (res->trailing_slash && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
			a->err = ENOTDIR;
			return;
		}
	}
	if (kind == ST_STATX) {
		struct statx sx;
		if (res->table_link) {
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
		if (!res->table_link && fstat(fd, &st) < 0) {
			a->err = errno;
			return;
		}
		if (kind == ST_STAT64_I386) {
			struct i386_stat64 o;
			fill_i386(&st, &o);
			r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &o,
			                     sizeof(o));
		} else if (kind == ST_STAT_I386) {
			struct i386_stat o;
			if ((r = fill_i386_old(&st, &o)) < 0) {
				a->err = -r;
				return;
			}
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

/* "stat" and "lstat" name x86_64's calls and, on i386, its own older ones
 * with 32-bit fields (struct i386_stat). */
static void h_stat(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	answer_stat(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1], 0, 0,
	            abi == NOTIFY_ABI_I386 ? ST_STAT_I386 : ST_STAT, a);
}

static void h_lstat(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	answer_stat(n, listener, req, AT_FDCWD, req->data.args[0], req->data.args[1],
	            AT_SYMLINK_NOFOLLOW, 0, abi == NOTIFY_ABI_I386 ? ST_STAT_I386 : ST_STAT, a);
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

/* i386's own struct statfs (the kernel's compat_statfs): 32-bit counts. */
struct i386_statfs {
	uint32_t f_type;
	uint32_t f_bsize;
	uint32_t f_blocks;
	uint32_t f_bfree;
	uint32_t f_bavail;
	uint32_t f_files;
	uint32_t f_ffree;
	int32_t f_fsid[2];
	uint32_t f_namelen;
	uint32_t f_frsize;
	uint32_t f_flags;
	uint32_t f_spare[4];
};

_Static_assert(sizeof(struct i386_statfs) == 64, "i386 struct statfs");

enum statfs_kind { SF_NATIVE, SF_I386_64, SF_I386 };

/* 0 or -EOVERFLOW, as the kernel's put_compat_statfs (a count of all ones
 * means "unknown" and passes). */
static int fill_i386_statfs(const struct statfs *sf, struct i386_statfs *o)
{
	const uint64_t c[] = {sf->f_blocks, sf->f_bfree, sf->f_bavail, sf->f_files, sf->f_ffree};

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (c[i] > UINT32_MAX && c[i] != UINT64_MAX)
			return -EOVERFLOW;
	o->f_type = (uint32_t)sf->f_type;
	o->f_bsize = (uint32_t)sf->f_bsize;
	o->f_blocks = (uint32_t)sf->f_blocks;
	o->f_bfree = (uint32_t)sf->f_bfree;
	o->f_bavail = (uint32_t)sf->f_bavail;
	o->f_files = (uint32_t)sf->f_files;
	o->f_ffree = (uint32_t)sf->f_ffree;
	memcpy(o->f_fsid, &sf->f_fsid, sizeof(o->f_fsid));
	o->f_namelen = (uint32_t)sf->f_namelen;
	o->f_frsize = (uint32_t)sf->f_frsize;
	o->f_flags = (uint32_t)sf->f_flags;
	return 0;
}

static void answer_statfs(struct notify *n, int listener, const struct seccomp_notif *req,
                          uint64_t path, uint64_t buf, enum statfs_kind kind,
                          struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	_cleanup_close_ int fd = -1;
	struct statfs sf;
	int r;

	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, AT_FDCWD, path, 0);
	if (fs_lookup_answers(r, a))
		return;
	if (call.res.table_link) {
		a->err = ENOENT;
		return;
	}
	fd = fs_path_fd(v, &call, &call.res, false);
	if (fd < 0) {
		a->err = -fd;
		return;
	}
	if (fstatfs(fd, &sf) < 0) {
		a->err = errno;
		return;
	}
	if (call.res.mount >= 0 && (v->t->m[call.res.mount].flags & MNT_F_RO))
		sf.f_flags |= ST_RDONLY;
	if (kind == SF_I386) {
		struct i386_statfs o;
		if ((r = fill_i386_statfs(&sf, &o)) < 0) {
			a->err = -r;
			return;
		}
		r = notify_write_mem(listener, req->id, (pid_t)req->pid, buf, &o, sizeof(o));
	} else if (kind == SF_I386_64) {
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

/* x86_64 statfs; i386's own, with 32-bit counts */
static void h_statfs(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	answer_statfs(n, listener, req, req->data.args[0], req->data.args[1],
	              abi == NOTIFY_ABI_I386 ? SF_I386 : SF_NATIVE, a);
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
	answer_statfs(n, listener, req, req->data.args[0], req->data.args[2], SF_I386_64, a);
}

const struct notify_entry fs_stat_entries[] = {
    {"stat", h_stat},     {"lstat", h_lstat},     {"newfstatat", h_fstatat},
    {"stat64", h_stat64}, {"lstat64", h_lstat64}, {"fstatat64", h_fstatat},
    {"statx", h_statx},   {"statfs", h_statfs},   {"statfs64", h_statfs64},
};
const size_t n_fs_stat_entries = sizeof(fs_stat_entries) / sizeof(fs_stat_entries[0]);
