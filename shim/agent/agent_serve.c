/* The agent's request loop and its membership oracle. Each datagram is
 * decoded by shim/ipc/agent_proto.c for the agent's state (malformed or
 * unknown: EPROTO; not permitted in the state: ENOTSUP) and answered with
 * one reply. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/agent/agent_internal.h"
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
 * with sig on the way. Returns the count, or -1 with errno. The state
 * table already refuses a scan without the scope; checked again here, as
 * kill_container scans without a request. */
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

static void kill_container(const struct agent_config *c)
{
	/* Twice: a fork racing the first pass is caught by the second. */
	for (int i = 0; i < 2; i++)
		scan(c, SIGKILL, 0, NULL, 0);
}

static void reply(const struct agent_config *c, const struct agent_reply *rep, const void *data,
                  size_t dlen, int fd)
{
	static char buf[AGENT_REPLY_MAX + AGENT_MAX_XATTR];
	ssize_t n = agent_reply_encode(rep, data, dlen, buf, sizeof(buf), NULL);

	if (n < 0)
		_exit(1); /* a reply that cannot be laid out: a bug, fail closed */
	wire_send(c->sock, buf, (size_t)n, NULL, 0, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
}

/* Answer one decoded request: rep filled, and the data and fd that go
 * with it. */
static void answer(const struct agent_config *c, const struct agent_request *q, const int *in_fd,
                   size_t nin)
{
	struct agent_reply rep = {.kind = q->kind};
	static int32_t out[AGENT_MAX_PIDS];
	int fd = -1, r;

	if (nin != agent_kind_fds(q->kind)) {
		rep.err = EBADF;
		reply(c, &rep, NULL, 0, -1);
		return;
	}
	switch (q->kind) {
	case AGENT_MEMBERS:
		r = scan(c, 0, 0, scan_pids, AGENT_MAX_PIDS);
		if (r < 0) {
			rep.err = errno;
			break;
		}
		rep.u.members.n_pids = (uint32_t)r;
		for (int i = 0; i < r; i++)
			out[i] = scan_pids[i];
		reply(c, &rep, out, (size_t)r * sizeof(int32_t), -1);
		return;
	case AGENT_SIGNAL:
		r = scan(c, q->u.signal.sig, q->u.signal.spare, NULL, AGENT_MAX_PIDS);
		if (r < 0)
			rep.err = errno;
		else
			rep.u.signal.n_signalled = (uint32_t)r;
		break;
	case AGENT_QUIT:
		_exit(0);
	default:
		rep.err = agent_as_caller(c, q, in_fd, &fd, &rep);
		if (rep.err == 0 && q->kind == AGENT_GETXATTR && q->u.getxattr.size > 0) {
			reply(c, &rep, agent_xattr_buf, rep.u.xattr.size, -1);
			return;
		}
		if (rep.err == 0 && q->kind == AGENT_LISTXATTR && q->u.listxattr.size > 0) {
			reply(c, &rep, agent_xattr_buf, rep.u.xattr.size, -1);
			return;
		}
	}
	reply(c, &rep, NULL, 0, rep.err == 0 ? fd : -1);
	if (fd >= 0)
		close(fd);
}

void agent_serve(const struct agent_config *c)
{
	static char buf[AGENT_REQ_MAX];
	static struct agent_request req;
	/* The state is what the agent can prove when it starts: its parent
	 * (the supervisor) lies outside the domain, so it stays the same. */
	enum agent_state st =
	    c->proc_fd >= 0 && scope_in_force() ? AGENT_ST_SCOPED : AGENT_ST_UNSCOPED;

	for (;;) {
		int in_fd[2] = {-1, -1};
		size_t nin = 0;
		struct rl_error e;
		ssize_t n = wire_recv(c->sock, buf, sizeof(buf), in_fd, 2, &nin);

		if (n == 0 || (n < 0 && errno != EMSGSIZE)) {
			kill_container(c);
			_exit(0);
		}
		if (n < 0 || agent_req_decode(buf, (size_t)n, st, &req, &e) < 0) {
			struct agent_reply rep = {.err = n < 0 ? EPROTO : e.err};
			/* A kind the state refuses was read: say which. */
			if (n >= 0 && e.err == ENOTSUP)
				rep.kind = req.kind;
			reply(c, &rep, NULL, 0, -1);
		} else {
			answer(c, &req, in_fd, nin);
		}
		for (size_t i = 0; i < nin && i < 2; i++)
			close(in_fd[i]);
	}
}
