/* The filesystem view's changing calls: mkdir, unlink, rmdir, rename, link,
 * symlink, mknod, chmod, chown, truncate, utimensat, for x86_64 and i386.
 * A path that stays in the rootfs is CONTINUEd (fs_lookup); one into a
 * mount is done by the agent, as the caller, on the parent directory
 * resolved beneath the mount's pinned source, and the errno returned. Two
 * paths (rename, link) must lie in the same mount, else EXDEV, as across
 * real mounts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"

int fs_target_split(const struct fs_view *v, const struct fs_call *c, struct agent_at *at,
                    bool write)
{
	const struct resolved *r = &c->res;
	const struct mnt *m = NULL;
	const char *rel, *slash;
	size_t plen;

	if (r->table_link)
		return -EPERM; /* /dev/fd, /dev/stdin...: part of the view */
	if (r->mount >= 0) {
		m = &v->t->m[r->mount];
		if (write && fs_mount_ro(m))
			return -EROFS;
		if (m->kind == MNT_PROC || m->kind == MNT_DEVPTS)
			return -EACCES;
		if (!(m->flags & MNT_F_DIR) || *r->rel == '\0')
			return -EBUSY; /* the mount point itself */
		rel = r->rel;
		at->dir = r->mount + 1;
		at->resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	} else {
		if (strcmp(r->path, "/") == 0)
			return -EBUSY;
		/* Back in a read-only rootfs on behalf: Landlock refuses the
		 * writes, but has no right for metadata. */
		if (write && v->root_ro)
			return -EROFS;
		rel = r->path;
		at->dir = 0;
		at->resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	}
	slash = strrchr(rel, '/');
	plen = slash ? (size_t)(slash - rel) : 0;
	if (strlen(slash ? slash + 1 : rel) >= sizeof(at->name))
		return -ENAMETOOLONG;
	snprintf(at->name, sizeof(at->name), "%s", slash ? slash + 1 : rel);
	memcpy(at->path, rel, plen);
	at->path[plen] = '\0';
	return 0;
}

/* The name a one-name change of q acts on: its struct agent_at comes
 * first in each of those kinds' structs (shim/ipc/agent_proto.h). */
static struct agent_at *at_of(struct agent_request *q)
{
	return (struct agent_at *)&q->u;
}

/* Resolve (dirfd, path) and split it (fs_target_split) into at, for a
 * change of kind. Returns 0, FS_ROOTFS or -errno. */
static int target_of(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t path, bool follow,
                     uint32_t kind, struct agent_at *at)
{
	int ret = fs_lookup(v, c, dirfd, path, follow ? 0 : RESOLVE_F_NOFOLLOW);

	/* Landlock has no right for metadata: with root.readonly the
	 * mandatory filter used to answer these EROFS whatever the path; for
	 * a path in the rootfs the view says it now. */
	if (ret == FS_ROOTFS && v->root_ro &&
	    (kind == AGENT_CHMOD || kind == AGENT_CHOWN || kind == AGENT_UTIMENS))
		return -EROFS;
	if (ret != 0)
		return ret;
	return fs_target_split(v, c, at, true);
}

/* target_of() for a path already known to lie in the rootfs, split for the
 * agent as one back in it by way of a mount. */
static int rootfs_target(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t path,
                         bool follow, struct agent_at *at)
{
	int ret = fs_lookup(v, c, dirfd, path, FS_LOOKUP_FULL | (follow ? 0 : RESOLVE_F_NOFOLLOW));

	if (ret < 0)
		return ret;
	if (c->res.mount >= 0)
		return -EXDEV; /* moved into a mount since: not the same place */
	return fs_target_split(v, c, at, true);
}

/* The common case: one path, then the op. */
static void one_path(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t path, bool follow,
                     struct agent_request *q, struct notify_answer *a)
{
	int r;

	if (path == 0) {
		a->err = EFAULT;
		return;
	}
	r = target_of(v, c, dirfd, path, follow, q->kind, at_of(q));
	if (fs_lookup_answers(r, a))
		return;
	fs_run_fsop(v, c, q, -1, a);
}

#define ARG(i) (c->req->data.args[i])
/* A handler: the entry makes its call's struct fs_call and runs the body
 * (name##_call) with the view v and the call c. */
#define HANDLER(name)                                                                              \
	static void name##_call(struct fs_view *v, struct fs_call *c, enum notify_abi abi,         \
	                        struct notify_answer *a);                                          \
	static void name(struct notify *n, int listener, const struct seccomp_notif *req,          \
	                 enum notify_abi abi, struct notify_answer *a)                             \
	{                                                                                          \
		struct fs_call call;                                                               \
		fs_call_init(&call, listener, req);                                                \
		name##_call(view_of(n), &call, abi, a);                                            \
	}                                                                                          \
	static void name##_call(struct fs_view *v __attribute__((unused)), struct fs_call *c,      \
	                        enum notify_abi abi __attribute__((unused)),                       \
	                        struct notify_answer *a)

HANDLER(h_mkdir)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_MKDIR);
	(void)abi;
	q->u.mkdir.mode = (uint32_t)ARG(1);
	one_path(v, c, AT_FDCWD, ARG(0), false, q, a);
}

HANDLER(h_mkdirat)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_MKDIR);
	(void)abi;
	q->u.mkdir.mode = (uint32_t)ARG(2);
	one_path(v, c, (int)ARG(0), ARG(1), false, q, a);
}

HANDLER(h_unlink)
{
	(void)abi;
	one_path(v, c, AT_FDCWD, ARG(0), false, fs_fsop_fresh(c, AGENT_UNLINK), a);
}

HANDLER(h_rmdir)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_UNLINK);
	(void)abi;
	q->u.unlink.flags = AT_REMOVEDIR;
	one_path(v, c, AT_FDCWD, ARG(0), false, q, a);
}

HANDLER(h_unlinkat)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_UNLINK);
	(void)abi;
	q->u.unlink.flags = (int32_t)ARG(2);
	one_path(v, c, (int)ARG(0), ARG(1), false, q, a);
}

static void mknod_at(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t path, uint32_t mode,
                     struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_MKNOD);
	q->u.mknod.mode = mode;
	one_path(v, c, dirfd, path, false, q, a);
}

HANDLER(h_mknod)
{
	(void)abi;
	mknod_at(v, c, AT_FDCWD, ARG(0), (uint32_t)ARG(1), a);
}

HANDLER(h_mknodat)
{
	(void)abi;
	mknod_at(v, c, (int)ARG(0), ARG(1), (uint32_t)ARG(2), a);
}

static void chmod_at(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t path, uint32_t mode,
                     int flags, struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_CHMOD);
	q->u.chmod.mode = mode;
	q->u.chmod.flags = flags;
	one_path(v, c, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), q, a);
}

HANDLER(h_chmod)
{
	(void)abi;
	chmod_at(v, c, AT_FDCWD, ARG(0), (uint32_t)ARG(1), 0, a);
}

HANDLER(h_fchmodat)
{
	(void)abi;
	chmod_at(v, c, (int)ARG(0), ARG(1), (uint32_t)ARG(2), 0, a);
}

HANDLER(h_fchmodat2)
{
	(void)abi;
	if (ARG(3) & AT_EMPTY_PATH) {
		fs_fd_chmod(v, c, (int)ARG(0), (uint32_t)ARG(2), a);
		return;
	}
	chmod_at(v, c, (int)ARG(0), ARG(1), (uint32_t)ARG(2), (int)ARG(3), a);
}

static void chown_at(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t path, uint64_t uid,
                     uint64_t gid, int flags, struct notify_answer *a)
{
	struct agent_request *q;
	if (flags & AT_EMPTY_PATH) {
		fs_fd_chown(v, c, dirfd, (uint32_t)uid, (uint32_t)gid, a);
		return;
	}
	q = fs_fsop_fresh(c, AGENT_CHOWN);
	q->u.chown.uid = (uint32_t)uid;
	q->u.chown.gid = (uint32_t)gid;
	q->u.chown.flags = flags;
	one_path(v, c, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), q, a);
}

/* x86_64 chown/lchown; on i386 these names are the 16-bit calls. */
HANDLER(h_chown)
{
	bool i386 = abi == NOTIFY_ABI_I386;
	chown_at(v, c, AT_FDCWD, ARG(0), i386 ? fs_id16(ARG(1)) : ARG(1),
	         i386 ? fs_id16(ARG(2)) : ARG(2), 0, a);
}

HANDLER(h_lchown)
{
	bool i386 = abi == NOTIFY_ABI_I386;
	chown_at(v, c, AT_FDCWD, ARG(0), i386 ? fs_id16(ARG(1)) : ARG(1),
	         i386 ? fs_id16(ARG(2)) : ARG(2), AT_SYMLINK_NOFOLLOW, a);
}

HANDLER(h_chown32)
{
	(void)abi;
	chown_at(v, c, AT_FDCWD, ARG(0), ARG(1), ARG(2), 0, a);
}

HANDLER(h_lchown32)
{
	(void)abi;
	chown_at(v, c, AT_FDCWD, ARG(0), ARG(1), ARG(2), AT_SYMLINK_NOFOLLOW, a);
}

HANDLER(h_fchownat)
{
	(void)abi;
	chown_at(v, c, (int)ARG(0), ARG(1), ARG(2), ARG(3), (int)ARG(4), a);
}

/* truncate(path, length): a long, 32 bits on i386. */
HANDLER(h_truncate)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_TRUNCATE);
	q->u.truncate.length = abi == NOTIFY_ABI_I386 ? (int64_t)(int32_t)ARG(1) : (int64_t)ARG(1);
	if (q->u.truncate.length < 0) {
		a->err = EINVAL;
		return;
	}
	one_path(v, c, AT_FDCWD, ARG(0), true, q, a);
}

/* i386 truncate64(path, low, high): the length in two registers. */
HANDLER(h_truncate64)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_TRUNCATE);
	(void)abi;
	q->u.truncate.length =
	    (int64_t)((uint64_t)(uint32_t)ARG(1) | (uint64_t)(uint32_t)ARG(2) << 32);
	if (q->u.truncate.length < 0) {
		a->err = EINVAL;
		return;
	}
	one_path(v, c, AT_FDCWD, ARG(0), true, q, a);
}

/* utimensat(dirfd, path, times, flags): struct timespec is 2 x 64 bits on
 * x86_64 and for i386's utimensat_time64, 2 x 32 bits for i386's utimensat. */
static void utimens(struct fs_view *v, struct fs_call *c, bool narrow, struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_UTIMENS);
	struct agent_times *times = &q->u.utimens.times;
	int flags = (int)ARG(3);

	q->u.utimens.flags = flags;
	if (ARG(2)) {
		if (narrow) {
			int32_t t[4];
			if (notify_read_mem(c->listener, c->req->id, c->tid, ARG(2), t, sizeof(t)) <
			    0) {
				a->err = EFAULT;
				return;
			}
			for (int i = 0; i < 4; i++)
				times->t[i] = t[i];
		} else if (notify_read_mem(c->listener, c->req->id, c->tid, ARG(2), times->t,
		                           sizeof(times->t)) < 0) {
			a->err = EFAULT;
			return;
		}
		times->set = 1;
	}
	if (ARG(1) == 0 || (flags & AT_EMPTY_PATH)) { /* futimens: the descriptor's object */
		int64_t t[4];
		memcpy(t, times->t, sizeof(t));
		fs_fd_utimens(v, c, (int)ARG(0), times->set ? t : NULL, a);
		return;
	}
	one_path(v, c, (int)ARG(0), ARG(1), !(flags & AT_SYMLINK_NOFOLLOW), q, a);
}

HANDLER(h_utimensat)
{
	utimens(v, c, abi == NOTIFY_ABI_I386, a);
}

HANDLER(h_utimensat_time64)
{
	(void)abi;
	utimens(v, c, false, a);
}

/* utime(path, {actime, modtime}), utimes(path, timeval[2]) and
 * futimesat(dirfd, path, timeval[2]): the old forms, as utimensat. time_t
 * and the timeval's fields are longs: 32 bits on i386. */
static void utimes_at(struct fs_view *v, struct fs_call *c, enum notify_abi abi, int dirfd,
                      uint64_t path, uint64_t times, bool timeval, struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_UTIMENS);
	int64_t t[4] = {0};

	if (times) {
		bool narrow = abi == NOTIFY_ABI_I386;
		size_t w = narrow ? 4 : 8, count = timeval ? 4 : 2;
		unsigned char raw[32];
		if (notify_read_mem(c->listener, c->req->id, c->tid, times, raw, w * count) < 0) {
			a->err = EFAULT;
			return;
		}
		for (size_t i = 0; i < count; i++) {
			int64_t x;
			if (narrow) {
				int32_t y;
				memcpy(&y, raw + i * w, 4);
				x = y;
			} else {
				memcpy(&x, raw + i * w, 8);
			}
			if (timeval)
				t[i] = x;
			else
				t[2 * i] = x; /* utimbuf: seconds only */
		}
		if (timeval) {
			if (t[1] < 0 || t[1] >= 1000000 || t[3] < 0 || t[3] >= 1000000) {
				a->err = EINVAL;
				return;
			}
			t[1] *= 1000;
			t[3] *= 1000;
		}
		memcpy(q->u.utimens.times.t, t, sizeof(t));
		q->u.utimens.times.set = 1;
	}
	if (path == 0) { /* futimesat(fd, NULL, ...): the descriptor's object */
		fs_fd_utimens(v, c, dirfd, times ? t : NULL, a);
		return;
	}
	one_path(v, c, dirfd, path, true, q, a);
}

HANDLER(h_utime)
{
	utimes_at(v, c, abi, AT_FDCWD, ARG(0), ARG(1), false, a);
}

HANDLER(h_utimes)
{
	utimes_at(v, c, abi, AT_FDCWD, ARG(0), ARG(1), true, a);
}

HANDLER(h_futimesat)
{
	utimes_at(v, c, abi, (int)ARG(0), ARG(1), ARG(2), true, a);
}

/* symlink(target, linkpath): the target is a string, never resolved. */
static void symlink_at(struct fs_view *v, struct fs_call *c, uint64_t target, int dirfd,
                       uint64_t path, struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_SYMLINK);
	/* Read into the request (c's buffers are the lookup's). */
	int r = fs_read_path(c->listener, c->req, target, q->u.symlink.target);

	if (r < 0) {
		a->err = -r;
		return;
	}
	r = target_of(v, c, dirfd, path, false, q->kind, &q->u.symlink.at);
	if (fs_lookup_answers(r, a))
		return;
	fs_run_fsop(v, c, q, -1, a);
}

HANDLER(h_symlink)
{
	(void)abi;
	symlink_at(v, c, ARG(0), AT_FDCWD, ARG(1), a);
}

HANDLER(h_symlinkat)
{
	(void)abi;
	symlink_at(v, c, ARG(0), (int)ARG(1), ARG(2), a);
}

/* rename and link: both ends in the rootfs, the kernel's; both in one
 * mount, the agent's; otherwise EXDEV. */
static void two_paths(struct fs_view *v, struct fs_call *c, enum agent_kind kind, int odir,
                      uint64_t opath, int ndir, uint64_t npath, int flags, struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, kind);
	struct agent_at *from = kind == AGENT_LINK ? &q->u.link.from : &q->u.rename.from;
	struct agent_at *to = kind == AGENT_LINK ? &q->u.link.to : &q->u.rename.to;
	bool follow = kind == AGENT_LINK && (flags & AT_SYMLINK_FOLLOW);
	int r1, r2;

	if (kind == AGENT_RENAME)
		q->u.rename.flags = flags;
	r1 = target_of(v, c, odir, opath, follow, kind, from);
	if (r1 < 0) {
		a->err = -r1;
		return;
	}
	r2 = target_of(v, c, ndir, npath, false, kind, to);
	if (r2 < 0) {
		a->err = -r2;
		return;
	}
	if (r1 == FS_ROOTFS && r2 == FS_ROOTFS) {
		/* CONTINUE: both paths resolved by the kernel from the root or
		 * the working directory, both inside the root. */
		a->kind = ANSWER_CONTINUE;
		return;
	}
	/* One end in the rootfs, the other back in it on behalf (a
	 * descriptor's or kept directory's path): both on behalf, in the
	 * root. */
	if (r1 == FS_ROOTFS && r2 == 0 && to->dir == 0)
		r1 = rootfs_target(v, c, odir, opath, follow, from);
	else if (r2 == FS_ROOTFS && r1 == 0 && from->dir == 0)
		r2 = rootfs_target(v, c, ndir, npath, false, to);
	if (r1 < 0 || r2 < 0) {
		a->err = r1 < 0 ? -r1 : -r2;
		return;
	}
	if (r1 == FS_ROOTFS || r2 == FS_ROOTFS || from->dir != to->dir) {
		a->err = EXDEV;
		return;
	}
	fs_run_fsop(v, c, q, -1, a);
}

HANDLER(h_rename)
{
	(void)abi;
	two_paths(v, c, AGENT_RENAME, AT_FDCWD, ARG(0), AT_FDCWD, ARG(1), 0, a);
}

HANDLER(h_renameat)
{
	(void)abi;
	two_paths(v, c, AGENT_RENAME, (int)ARG(0), ARG(1), (int)ARG(2), ARG(3), 0, a);
}

HANDLER(h_renameat2)
{
	(void)abi;
	two_paths(v, c, AGENT_RENAME, (int)ARG(0), ARG(1), (int)ARG(2), ARG(3), (int)ARG(4), a);
}

HANDLER(h_link)
{
	(void)abi;
	two_paths(v, c, AGENT_LINK, AT_FDCWD, ARG(0), AT_FDCWD, ARG(1), 0, a);
}

HANDLER(h_linkat)
{
	(void)abi;
	if (ARG(4) & AT_EMPTY_PATH) {
		/* linkat(fd, "", newdirfd, newpath): CONTINUE only for a new
		 * path the kernel resolves from the root or the working
		 * directory, inside the root, and a descriptor of the rootfs;
		 * Landlock's MAKE_REG and REFER rights bound the link if
		 * another thread swaps the descriptor. */
		if ((int)ARG(2) != AT_FDCWD ||
		    fs_caller_link(c->tid, (int)ARG(0), c->link, sizeof(c->link)) < 0 ||
		    fs_host_mount(v, c->link, true, NULL) >= 0 ||
		    fs_host_to_container(v, c->link, c->base, sizeof(c->base)) < 0)
			a->err = EXDEV;
		else
			a->kind = ANSWER_CONTINUE;
		return;
	}
	two_paths(v, c, AGENT_LINK, (int)ARG(0), ARG(1), (int)ARG(2), ARG(3), (int)ARG(4), a);
}

const struct notify_entry fs_modify_entries[] = {
    {"mkdir", h_mkdir},
    {"mkdirat", h_mkdirat},
    {"rmdir", h_rmdir},
    {"unlink", h_unlink},
    {"unlinkat", h_unlinkat},
    {"mknod", h_mknod},
    {"mknodat", h_mknodat},
    {"chmod", h_chmod},
    {"fchmodat", h_fchmodat},
    {"fchmodat2", h_fchmodat2},
    {"chown", h_chown},
    {"lchown", h_lchown},
    {"chown32", h_chown32},
    {"lchown32", h_lchown32},
    {"fchownat", h_fchownat},
    {"truncate", h_truncate},
    {"truncate64", h_truncate64},
    {"utimensat", h_utimensat},
    {"utimensat_time64", h_utimensat_time64},
    {"utime", h_utime},
    {"utimes", h_utimes},
    {"futimesat", h_futimesat},
    {"symlink", h_symlink},
    {"symlinkat", h_symlinkat},
    {"rename", h_rename},
    {"renameat", h_renameat},
    {"renameat2", h_renameat2},
    {"link", h_link},
    {"linkat", h_linkat},
};
const size_t n_fs_modify_entries = sizeof(fs_modify_entries) / sizeof(fs_modify_entries[0]);
