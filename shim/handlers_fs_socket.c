/* connect and bind of named UNIX sockets in the filesystem view.
 *
 * Landlock before ABI 9 does not govern connecting to a named UNIX socket,
 * and the chroot holds no path into a mount: a socket inside a bind mount
 * (a host daemon's socket bound into the container, say) is reached on
 * behalf. The supervisor takes its own copy of the caller's socket
 * (pidfd_getfd) and the agent, as the caller, connects or binds that copy
 * to the object beneath the mount's pinned source (docs/mounts.md). Any
 * other address (TCP, abstract, a path in the rootfs) is CONTINUEd: the
 * kernel decides it inside the chroot and Landlock's rules, and an address
 * rewritten after the check reaches no further. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/fs.h"
#include "shim/handlers.h"

static struct fs_view *view_of(struct notify *n)
{
	return &((struct emul_state *)n->ctx)->fs;
}

static void answer_sock(struct notify *n, int listener, const struct seccomp_notif *req,
                        enum agent_fsop op, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct sockaddr_un sa;
	uint64_t len = req->data.args[2];
	struct agent_req *q = &v->areq;
	_cleanup_close_ int copy = -1;
	size_t plen;
	int r;

	a->kind = ANSWER_CONTINUE;
	if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(sa))
		return; /* not a named UNIX address: the kernel's */
	memset(&sa, 0, sizeof(sa));
	if (notify_read_mem(listener, req->id, (pid_t)req->pid, req->data.args[1], &sa,
	                    (size_t)len) < 0) {
		a->kind = ANSWER_ERRNO;
		a->err = EFAULT;
		return;
	}
	if (sa.sun_family != AF_UNIX || sa.sun_path[0] == '\0')
		return;
	plen = strnlen(sa.sun_path, (size_t)len - offsetof(struct sockaddr_un, sun_path));
	memcpy(v->path, sa.sun_path, plen);
	v->path[plen] = '\0';
	a->kind = ANSWER_ERRNO;
	/* bind creates the name (a final symlink is not followed). */
	r = fs_lookup_path(v, req, AT_FDCWD, op == FSOP_BIND ? RESOLVE_F_NOFOLLOW : 0, &v->res);
	if (fs_lookup_answers(r, a))
		return;
	memset(q, 0, offsetof(struct agent_req, name));
	q->name[0] = q->path[0] = '\0';
	q->fsop = op;
	if (op == FSOP_CONNECT && v->res.mount >= 0 &&
	    (!(v->t->m[v->res.mount].flags & MNT_F_DIR) || *v->res.rel == '\0')) {
		/* A socket bound as a file mount: its pinned source. */
		q->dir = v->res.mount + 1;
		q->options = AGENT_O_REOPEN;
		q->resolve = RESOLVE_BENEATH;
		snprintf(q->name, sizeof(q->name), ".");
	} else {
		r = fs_target_split(v, q, false, op == FSOP_BIND);
		if (r < 0) {
			a->err = -r;
			return;
		}
		if (v->res.mount >= 0 && v->t->m[v->res.mount].kind != MNT_BIND &&
		    v->t->m[v->res.mount].kind != MNT_TMPFS) {
			a->err = ECONNREFUSED;
			return;
		}
	}
	copy = fs_fd_copy(listener, req, (int)req->data.args[0]);
	if (copy < 0) {
		a->err = -copy;
		return;
	}
	fs_run_fsop(v, req, q, copy, a);
}

static void h_connect(struct notify *n, int listener, const struct seccomp_notif *req,
                      enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_sock(n, listener, req, FSOP_CONNECT, a);
}

static void h_bind(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_sock(n, listener, req, FSOP_BIND, a);
}

/* i386's connect and bind through socketcall are left to the kernel (the
 * chroot's answer: no path into a mount). */
const struct notify_entry fs_socket_entries[] = {
    {"connect", h_connect},
    {"bind", h_bind},
};
const size_t n_fs_socket_entries = sizeof(fs_socket_entries) / sizeof(fs_socket_entries[0]);
