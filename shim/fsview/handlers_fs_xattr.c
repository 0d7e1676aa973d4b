/* The path xattr calls and inotify_add_watch in the filesystem view.
 *
 * Like the other path calls, a path that stays in the rootfs is CONTINUEd
 * (fs_lookup). One into a mount names an object the chroot cannot reach:
 * the view opens it (O_PATH, as the caller: the agent for bind mounts and
 * tmpfs; a symlink's own inode for the l- forms) and the agent, as the
 * caller, makes the call on it (AGENT_GETXATTR ... AGENT_INOTIFY_ADD), so the
 * kernel checks the caller's permission on the object. Values and lists
 * come back through the agent and are written into the caller's buffer.
 * A watch is added to the supervisor's copy of the caller's inotify
 * descriptor (pidfd_getfd: the same instance), so its events reach the
 * caller.
 *
 * Read-only mounts (ro binds, /proc, /sys, masks) answer EROFS to set and
 * remove; with root.readonly so does the rootfs (Landlock has no right for
 * xattrs). Values set through the view are limited to 4096 bytes (E2BIG
 * beyond). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"

static char value[AGENT_MAX_XATTR];

enum xop { X_GET, X_LIST, X_SET, X_REMOVE };

static bool read_only(const struct fs_view *v, const struct resolved *r)
{
	if (r->mount < 0)
		return v->root_ro;
	return fs_mount_ro(&v->t->m[r->mount]) || v->t->m[r->mount].kind == MNT_PROC;
}

/* xattr call op on (AT_FDCWD, path). args: name, value/list, size, flags as
 * the syscall has them. */
static void answer_xattr(struct notify *n, int listener, const struct seccomp_notif *req,
                         enum xop op, bool follow, struct notify_answer *a)
{
	static const enum agent_kind kinds[] = {AGENT_GETXATTR, AGENT_LISTXATTR, AGENT_SETXATTR,
	                                        AGENT_REMOVEXATTR};
	struct fs_view *v = view_of(n);
	struct fs_call call;
	struct agent_request *q;
	struct agent_reply rep = {0};
	uint64_t buf = op == X_LIST ? req->data.args[1] : req->data.args[2];
	size_t size = (size_t)(op == X_LIST ? req->data.args[2] : req->data.args[3]);
	_cleanup_close_ int obj = -1;
	uint32_t got;
	int r;

	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, AT_FDCWD, req->data.args[0], follow ? 0 : RESOLVE_F_NOFOLLOW);

	if (r == FS_ROOTFS && v->root_ro && (op == X_SET || op == X_REMOVE))
		r = -EROFS;
	if (fs_lookup_answers(r, a))
		return;
	a->kind = ANSWER_ERRNO;
	if ((op == X_SET || op == X_REMOVE) && read_only(v, &call.res)) {
		a->err = EROFS;
		return;
	}
	/* First: the open uses the agent request too. */
	obj = fs_path_fd(v, &call, &call.res, !follow);
	if (obj < 0) {
		a->err = -obj;
		return;
	}
	q = fs_fsop_fresh(&call, kinds[op]);
	r = 0;
	if (op == X_GET)
		r = fs_xattr_name(&call, req->data.args[1], q->u.getxattr.name);
	else if (op == X_SET)
		r = fs_xattr_name(&call, req->data.args[1], q->u.setxattr.name);
	else if (op == X_REMOVE)
		r = fs_xattr_name(&call, req->data.args[1], q->u.removexattr.name);
	if (r < 0) {
		a->err = -r;
		return;
	}
	if (size > AGENT_MAX_XATTR)
		size = AGENT_MAX_XATTR; /* the kernel's limit too */
	if (op == X_SET) {
		struct agent_setxattr *x = &q->u.setxattr;
		if (size > sizeof(x->value)) {
			a->err = E2BIG;
			return;
		}
		if (size &&
		    notify_read_mem(listener, req->id, (pid_t)req->pid, buf, x->value, size) < 0) {
			a->err = EFAULT;
			return;
		}
		x->size = (uint32_t)size;
		x->flags = (int32_t)req->data.args[4];
	} else if (op == X_GET) {
		q->u.getxattr.size = (uint32_t)size;
	} else if (op == X_LIST) {
		q->u.listxattr.size = (uint32_t)size;
	}
	r = fs_fsop_call(v, &call, q, &obj, 1, value, sizeof(value), &rep);
	if (r < 0) {
		a->err = -r;
		return;
	}
	got = (op == X_GET || op == X_LIST) ? rep.u.xattr.size : 0;
	if ((op == X_GET || op == X_LIST) && size > 0 && got > 0 &&
	    notify_write_mem(listener, req->id, (pid_t)req->pid, buf, value, got) < 0) {
		a->err = EFAULT;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = (op == X_GET || op == X_LIST) ? (int64_t)got : 0;
}

#define HANDLER(name, op, follow)                                                                  \
	static void name(struct notify *n, int listener, const struct seccomp_notif *req,          \
	                 enum notify_abi abi, struct notify_answer *a)                             \
	{                                                                                          \
		(void)abi;                                                                         \
		answer_xattr(n, listener, req, op, follow, a);                                     \
	}

HANDLER(h_getxattr, X_GET, true)
HANDLER(h_lgetxattr, X_GET, false)
HANDLER(h_listxattr, X_LIST, true)
HANDLER(h_llistxattr, X_LIST, false)
HANDLER(h_setxattr, X_SET, true)
HANDLER(h_lsetxattr, X_SET, false)
HANDLER(h_removexattr, X_REMOVE, true)
HANDLER(h_lremovexattr, X_REMOVE, false)

/* inotify_add_watch(fd, path, mask) */
static void h_inotify_add_watch(struct notify *n, int listener, const struct seccomp_notif *req,
                                enum notify_abi abi, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	struct agent_request *q;
	struct agent_reply rep;
	uint32_t mask = (uint32_t)req->data.args[2];
	_cleanup_close_ int ino = -1, obj = -1;
	int r;

	(void)abi;
	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, AT_FDCWD, req->data.args[1],
	              (mask & IN_DONT_FOLLOW) ? RESOLVE_F_NOFOLLOW : 0);
	if (fs_lookup_answers(r, a))
		return;
	a->kind = ANSWER_ERRNO;
	ino = fs_fd_copy(listener, req, (int)req->data.args[0]);
	if (ino < 0) {
		a->err = -ino;
		return;
	}
	obj = fs_path_fd(v, &call, &call.res, (mask & IN_DONT_FOLLOW) != 0);
	if (obj < 0) {
		a->err = -obj;
		return;
	}
	q = fs_fsop_fresh(&call, AGENT_INOTIFY_ADD);
	q->u.inotify_add.mask = mask;
	r = fs_fsop_call(v, &call, q, (const int[]){ino, obj}, 2, NULL, 0, &rep);
	if (r < 0) {
		a->err = -r;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = rep.u.inotify_add.wd;
}

const struct notify_entry fs_xattr_entries[] = {
    {"getxattr", h_getxattr},
    {"lgetxattr", h_lgetxattr},
    {"listxattr", h_listxattr},
    {"llistxattr", h_llistxattr},
    {"setxattr", h_setxattr},
    {"lsetxattr", h_lsetxattr},
    {"removexattr", h_removexattr},
    {"lremovexattr", h_lremovexattr},
    {"inotify_add_watch", h_inotify_add_watch},
};
const size_t n_fs_xattr_entries = sizeof(fs_xattr_entries) / sizeof(fs_xattr_entries[0]);
