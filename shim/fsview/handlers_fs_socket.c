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
#include <netinet/in.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"

static void answer_sock(struct notify *n, int listener, const struct seccomp_notif *req,
                        enum agent_kind op, int fd, uint64_t addr, uint64_t len,
                        struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	const struct resolved *res = &call.res;
	struct sockaddr_un sa;
	struct agent_request *q;
	struct agent_at *at;
	_cleanup_close_ int copy = -1;
	size_t plen;
	int r;

	/* CONTINUE: TCP, UDP and abstract addresses are Landlock's and the
	 * abstract scope's; a named UNIX address the kernel resolves from the
	 * root or the working directory, both inside the root, however it is
	 * rewritten after the check. */
	a->kind = ANSWER_CONTINUE;
	if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(sa))
		return; /* not a named UNIX address: the kernel's */
	memset(&sa, 0, sizeof(sa));
	if (notify_read_mem(listener, req->id, (pid_t)req->pid, addr, &sa, (size_t)len) < 0) {
		a->kind = ANSWER_ERRNO;
		a->err = EFAULT;
		return;
	}
	if (sa.sun_family != AF_UNIX || sa.sun_path[0] == '\0')
		return;
	plen = strnlen(sa.sun_path, (size_t)len - offsetof(struct sockaddr_un, sun_path));
	fs_call_init(&call, listener, req);
	memcpy(call.path, sa.sun_path, plen);
	call.path[plen] = '\0';
	a->kind = ANSWER_ERRNO;
	/* bind creates the name (a final symlink is not followed). */
	r = fs_lookup_path(v, &call, AT_FDCWD, op == AGENT_BIND ? RESOLVE_F_NOFOLLOW : 0);
	if (fs_lookup_answers(r, a))
		return;
	q = fs_fsop_fresh(&call, op);
	at = op == AGENT_CONNECT ? &q->u.connect.at : &q->u.bind.at;
	if (op == AGENT_CONNECT && res->mount >= 0 &&
	    (!(v->t->m[res->mount].flags & MNT_F_DIR) || *res->rel == '\0')) {
		/* A socket bound as a file mount: its pinned source. */
		at->dir = res->mount + 1;
		at->resolve = RESOLVE_BENEATH;
		snprintf(at->name, sizeof(at->name), ".");
		q->u.connect.pinned_source = 1;
	} else {
		r = fs_target_split(v, &call, at, op == AGENT_BIND);
		if (r < 0) {
			a->err = -r;
			return;
		}
		if (res->mount >= 0 && v->t->m[res->mount].kind != MNT_BIND &&
		    v->t->m[res->mount].kind != MNT_TMPFS) {
			a->err = ECONNREFUSED;
			return;
		}
	}
	copy = fs_fd_copy(listener, req, fd);
	if (copy < 0) {
		a->err = -copy;
		return;
	}
	fs_run_fsop(v, &call, q, copy, a);
}

static void h_connect(struct notify *n, int listener, const struct seccomp_notif *req,
                      enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_sock(n, listener, req, AGENT_CONNECT, (int)req->data.args[0], req->data.args[1],
	            req->data.args[2], a);
}

static void h_bind(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_sock(n, listener, req, AGENT_BIND, (int)req->data.args[0], req->data.args[1],
	            req->data.args[2], a);
}

/* i386 socketcall(call, args): SYS_BIND and SYS_CONNECT as above, their
 * three arguments read from the caller's array; any other call is the
 * kernel's. The array may change after it is read: a CONTINUEd call then
 * does what the caller could do itself, in the chroot and under Landlock. */
#define SOCKETCALL_BIND    2
#define SOCKETCALL_CONNECT 3
static void h_socketcall(struct notify *n, int listener, const struct seccomp_notif *req,
                         enum notify_abi abi, struct notify_answer *a)
{
	uint32_t args[3];
	uint64_t call = req->data.args[0];

	(void)abi;
	/* CONTINUE: any other call, sendto and sendmsg to a named socket
	 * too, resolves its path from the root or the working directory,
	 * both inside the root (the CONTINUE invariant). */
	a->kind = ANSWER_CONTINUE;
	if (call != SOCKETCALL_BIND && call != SOCKETCALL_CONNECT)
		return;
	if (notify_read_mem(listener, req->id, (pid_t)req->pid, req->data.args[1], args,
	                    sizeof(args)) < 0) {
		a->kind = ANSWER_ERRNO;
		a->err = EFAULT;
		return;
	}
	answer_sock(n, listener, req, call == SOCKETCALL_BIND ? AGENT_BIND : AGENT_CONNECT,
	            (int)args[0], args[1], args[2], a);
}

/* listen(fd, backlog) in a container without network. listen() on an
 * unbound TCP socket binds it to an ephemeral port, and Landlock's bind
 * rule never sees that bind: the host could connect to the container. The
 * supervisor makes the call itself on its copy of the caller's socket (the
 * same open file), after checking that copy is bound (a port Landlock
 * allowed) or not a TCP socket: never CONTINUE, since another thread could
 * swap the descriptor for an unbound one after the check. */
static void h_listen(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	_cleanup_close_ int copy = fs_fd_copy(listener, req, (int)req->data.args[0]);

	(void)n;
	(void)abi;
	a->kind = ANSWER_ERRNO;
	if (copy < 0) {
		a->err = -copy;
		return;
	}
	if (getsockname(copy, (struct sockaddr *)&ss, &len) < 0) {
		a->err = errno;
		return;
	}
	if ((ss.ss_family == AF_INET && ((struct sockaddr_in *)&ss)->sin_port == 0) ||
	    (ss.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&ss)->sin6_port == 0)) {
		a->err = EACCES; /* the bind Landlock would refuse */
		return;
	}
	if (listen(copy, (int)req->data.args[1]) < 0) {
		a->err = errno;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

const struct notify_entry fs_listen_entries[] = {
    {"listen", h_listen},
};
const size_t n_fs_listen_entries = sizeof(fs_listen_entries) / sizeof(fs_listen_entries[0]);

const struct notify_entry fs_socket_entries[] = {
    {"connect", h_connect},
    {"bind", h_bind},
    {"socketcall", h_socketcall},
};
const size_t n_fs_socket_entries = sizeof(fs_socket_entries) / sizeof(fs_socket_entries[0]);
