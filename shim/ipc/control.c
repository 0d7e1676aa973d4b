/* The CLI's side of the supervisor's control socket (shim/ipc/control.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim/ipc/control.h"
#include "shim/ipc/wire.h"

int ctl_connect(int dirfd)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" CTL_SOCKET, dirfd);
	/* Bounded both ways: the connect (a full backlog), each reply (the
	 * supervisor bounds its own waits, this is the net under them). */
	if (wire_set_timeouts(sock, CTL_WAIT_MS, CTL_CONNECT_MS) < 0 ||
	    connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;
		close(sock);
		errno = saved;
		return -1;
	}
	return sock;
}

int ctl_peer_pidfd(int sock)
{
	int pidfd = -1;
	socklen_t len = sizeof(pidfd);

	if (getsockopt(sock, SOL_SOCKET, CTL_SO_PEERPIDFD, &pidfd, &len) < 0)
		return -1;
	return pidfd;
}

int ctl_send(int sock, const struct ctl_request *q, const int *fds, size_t nfds, struct rl_error *e)
{
	unsigned char head[CTL_REQ_LEN];
	const void *payload = q->kind == CTL_EXEC     ? q->u.exec.process_json
	                      : q->kind == CTL_UPDATE ? q->u.update.resources_json
	                                              : NULL;
	size_t len = q->kind == CTL_EXEC     ? q->u.exec.json_len
	             : q->kind == CTL_UPDATE ? q->u.update.json_len
	                                     : 0;

	if (CTL_REQ_LEN + len > WIRE_MAX_MSG)
		return rl_fail(e, E2BIG, "request of %zu bytes is too large", len);
	if (ctl_req_encode(q, head, e) < 0)
		return -1;
	if (wire_send(sock, head, sizeof(head), payload, len, fds, nfds) < 0)
		return rl_fail_errno(e, errno, "send to the container's supervisor");
	return 0;
}

int ctl_recv(int sock, enum ctl_wait w, struct ctl_reply *rep, pid_t *pids, size_t max,
             struct rl_error *e)
{
	static char buf[WIRE_MAX_MSG];
	ssize_t n = wire_recv(sock, buf, sizeof(buf), NULL, 0, NULL);
	const void *data;

	if (n < 0 && errno == ETIMEDOUT)
		return rl_fail(e, ETIMEDOUT, "the container's supervisor did not answer in %d s",
		               CTL_WAIT_MS / 1000);
	if (n < 0)
		return rl_fail_errno(e, errno, "receive from the container's supervisor");
	if (n == 0)
		return rl_fail(e, EPIPE, "the container's supervisor has exited");
	if (ctl_reply_decode(buf, (size_t)n, w, rep, &data, e) < 0)
		return -1;
	if (rep->kind == CTL_R_ERROR)
		return rl_fail(e, rep->u.error.err, "%s", rep->u.error.msg);
	if (rep->kind == CTL_R_PIDS) {
		size_t have = rep->u.pids.n_pids;
		if (have > max || !pids)
			have = pids ? max : 0;
		for (size_t i = 0; i < have; i++) {
			int32_t v;
			memcpy(&v, (const char *)data + i * sizeof(v), sizeof(v));
			pids[i] = v;
		}
		rep->u.pids.n_pids = (uint32_t)have;
	}
	return 0;
}
