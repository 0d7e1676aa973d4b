/* Metadata changes on a descriptor: fchmod, fchown, fsetxattr,
 * fremovexattr, and the descriptor forms of utimensat, fchownat and
 * fchmodat2 (a NULL path, AT_EMPTY_PATH).
 *
 * Landlock has no right for metadata, and the view hands the container
 * descriptors of host objects (a read-only bind's files, the host's
 * /dev/null), so the kernel alone would let it chmod them. The supervisor
 * takes its own copy of the caller's descriptor (pidfd_getfd: the same open
 * file, whatever the number names a moment later), finds where the object
 * lies, and refuses (EROFS in a read-only mount, EPERM on a device node or
 * anything the view opens itself), or has the agent make the change on that
 * copy as the caller. Never CONTINUE: another thread could dup2 a different
 * descriptor onto the number between the check and the call.
 *
 * With root.readonly the mandatory filter answers every one of these EROFS
 * before it gets here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"

/* 0 when the object behind fd may have its metadata changed by the
 * container (it lies in the rootfs or a writable mount), else -errno. */
static int may_change(const struct fs_view *v, int fd)
{
	char host[PATH_MAX];
	const struct mnt *best;
	int r = fd_path(fd, host, sizeof(host)), i;

	if (r < 0)
		return r;
	if (host[0] != '/')
		return 0; /* a pipe or socket of its own */
	i = fs_host_mount(v, host, true, NULL);
	if (v->proc_view_path[0] && strcmp(host, v->proc_view_path) == 0)
		return -EPERM;
	if (i < 0) {
		size_t len = v->rootfs_len;
		if (strncmp(host, v->rootfs, len) == 0 && (host[len] == '\0' || host[len] == '/'))
			return v->root_ro ? -EROFS : 0;
		return -EPERM; /* an object outside the view (a --preserve-fds fd): as Landlock */
	}
	best = &v->t->m[i];
	switch (best->kind) {
	case MNT_BIND:
	case MNT_TMPFS:
	case MNT_MQUEUE:
		return (best->flags & MNT_F_RO) ? -EROFS : 0;
	case MNT_DEVICE:
	case MNT_DEVPTS:
	case MNT_PROC:
		return -EPERM;
	default:
		return -EROFS;
	}
}

static void on_fd(struct fs_view *v, struct fs_call *c, int fd, struct agent_request *q,
                  struct notify_answer *a)
{
	_cleanup_close_ int copy = fs_fd_copy(c->listener, c->req, fd);
	int r;

	if (copy < 0) {
		a->err = -copy;
		return;
	}
	r = may_change(v, copy);
	if (r < 0) {
		a->err = -r;
		return;
	}
	fs_run_fsop(v, c, q, copy, a);
}

void fs_fd_chmod(struct fs_view *v, struct fs_call *c, int fd, uint32_t mode,
                 struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_FCHMOD);
	q->u.fchmod.mode = mode;
	on_fd(v, c, fd, q, a);
}

void fs_fd_chown(struct fs_view *v, struct fs_call *c, int fd, uint32_t uid, uint32_t gid,
                 struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_FCHOWN);
	q->u.fchown.uid = uid;
	q->u.fchown.gid = gid;
	on_fd(v, c, fd, q, a);
}

void fs_fd_utimens(struct fs_view *v, struct fs_call *c, int fd, const int64_t *times,
                   struct notify_answer *a)
{
	struct agent_request *q = fs_fsop_fresh(c, AGENT_FUTIMENS);
	if (times) {
		memcpy(q->u.futimens.times.t, times, sizeof(q->u.futimens.times.t));
		q->u.futimens.times.set = 1;
	}
	on_fd(v, c, fd, q, a);
}

#define ARG(i) (req->data.args[i])

static void h_fchmod(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	struct fs_call call;

	(void)abi;
	fs_call_init(&call, listener, req);
	fs_fd_chmod(view_of(n), &call, (int)ARG(0), (uint32_t)ARG(1), a);
}

/* x86_64 fchown and i386 fchown32; i386's 16-bit fchown takes 16-bit ids,
 * where 0xffff means "unchanged". */
static void h_fchown(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	uint32_t uid = (uint32_t)ARG(1), gid = (uint32_t)ARG(2);
	struct fs_call call;

	if (abi == NOTIFY_ABI_I386) {
		uid = fs_id16(uid);
		gid = fs_id16(gid);
	}
	fs_call_init(&call, listener, req);
	fs_fd_chown(view_of(n), &call, (int)ARG(0), uid, gid, a);
}

static void h_fchown32(struct notify *n, int listener, const struct seccomp_notif *req,
                       enum notify_abi abi, struct notify_answer *a)
{
	struct fs_call call;

	(void)abi;
	fs_call_init(&call, listener, req);
	fs_fd_chown(view_of(n), &call, (int)ARG(0), (uint32_t)ARG(1), (uint32_t)ARG(2), a);
}

/* fsetxattr and fremovexattr: c started for the call, its request of
 * kind with the attribute name read from the caller. NULL, answered in a,
 * when the name is refused. */
static struct agent_request *xattr_on_fd(struct fs_call *c, const struct seccomp_notif *req,
                                         int listener, enum agent_kind kind,
                                         struct notify_answer *a)
{
	struct agent_request *q;
	int r;

	fs_call_init(c, listener, req);
	q = fs_fsop_fresh(c, kind);
	r = fs_xattr_name(c, ARG(1),
	                  kind == AGENT_FSETXATTR ? q->u.fsetxattr.name : q->u.fremovexattr.name);
	if (r < 0) {
		a->err = -r;
		return NULL;
	}
	return q;
}

static void h_fsetxattr(struct notify *n, int listener, const struct seccomp_notif *req,
                        enum notify_abi abi, struct notify_answer *a)
{
	struct fs_call call;
	struct agent_request *q;
	struct agent_setxattr *x;

	(void)abi;
	q = xattr_on_fd(&call, req, listener, AGENT_FSETXATTR, a);
	if (!q)
		return;
	x = &q->u.fsetxattr;
	if (ARG(3) > sizeof(x->value)) {
		a->err = E2BIG;
		return;
	}
	x->size = (uint32_t)ARG(3);
	x->flags = (int32_t)ARG(4);
	if (x->size &&
	    notify_read_mem(listener, req->id, (pid_t)req->pid, ARG(2), x->value, x->size) < 0) {
		a->err = EFAULT;
		return;
	}
	on_fd(view_of(n), &call, (int)ARG(0), q, a);
}

static void h_fremovexattr(struct notify *n, int listener, const struct seccomp_notif *req,
                           enum notify_abi abi, struct notify_answer *a)
{
	struct fs_call call;
	struct agent_request *q;

	(void)abi;
	q = xattr_on_fd(&call, req, listener, AGENT_FREMOVEXATTR, a);
	if (q)
		on_fd(view_of(n), &call, (int)ARG(0), q, a);
}

const struct notify_entry fs_fd_entries[] = {
    {"fchmod", h_fchmod},
    {"fchown", h_fchown},
    {"fchown32", h_fchown32},
    {"fsetxattr", h_fsetxattr},
    {"fremovexattr", h_fremovexattr},
};
const size_t n_fs_fd_entries = sizeof(fs_fd_entries) / sizeof(fs_fd_entries[0]);
