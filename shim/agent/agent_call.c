/* The supervisor's side of the agent channel: one request, one reply,
 * both laid out and checked by shim/ipc/agent_proto.c. */
#include <errno.h>
#include <string.h>

#include "shim/agent/agent.h"
#include "shim/ipc/wire.h"

int agent_call(int sock, const struct agent_request *q, const int *in_fds, size_t n_in,
               struct agent_reply *rep, struct agent_out *out, struct rl_error *e)
{
	static char buf[AGENT_REQ_MAX];
	static char rbuf[AGENT_REPLY_MAX + AGENT_MAX_XATTR];
	int fds[1] = {-1};
	size_t nfds = 0, dlen;
	const void *data;
	ssize_t n;

	if (out)
		out->fd = -1;
	if (n_in != agent_kind_fds(q->kind))
		return rl_fail(e, EINVAL, "agent: %s takes %zu descriptors, not %zu",
		               agent_kind_name(q->kind), agent_kind_fds(q->kind), n_in);
	n = agent_req_encode(q, buf, sizeof(buf), e);
	if (n < 0)
		return -1;
	if (wire_send(sock, buf, (size_t)n, NULL, 0, n_in ? in_fds : NULL, n_in) < 0)
		return rl_fail_errno(e, errno, "agent: send");
	n = wire_recv(sock, rbuf, sizeof(rbuf), fds, 1, &nfds);
	if (n < 0)
		return rl_fail_errno(e, errno, "agent: receive");
	if (n == 0) {
		wire_close_fds(fds, nfds);
		return rl_fail(e, EPIPE, "agent: gone");
	}
	if (agent_reply_decode(rbuf, (size_t)n, q->kind, rep, &data, &dlen, e) < 0) {
		wire_close_fds(fds, nfds);
		return -1;
	}
	if (rep->err) {
		wire_close_fds(fds, nfds);
		return rl_fail_errno(e, rep->err, "agent");
	}
	if (q->kind == AGENT_MEMBERS) {
		size_t have = rep->u.members.n_pids;
		if (!out || !out->pids)
			have = 0;
		else if (have > out->max_pids)
			have = out->max_pids;
		for (size_t i = 0; i < have; i++) {
			int32_t v;
			memcpy(&v, (const char *)data + i * sizeof(v), sizeof(v));
			out->pids[i] = v;
		}
		rep->u.members.n_pids = (uint32_t)have;
	}
	if (out && out->data && dlen > 0)
		memcpy(out->data, data, dlen < out->size ? dlen : out->size);
	if (out && q->kind == AGENT_OPEN && nfds > 0)
		out->fd = fds[0];
	else
		wire_close_fds(fds, nfds);
	return 0;
}

void agent_quit(int sock)
{
	struct agent_request q = {.kind = AGENT_QUIT};
	char buf[16];
	ssize_t n = agent_req_encode(&q, buf, sizeof(buf), NULL);

	if (n > 0)
		wire_send(sock, buf, (size_t)n, NULL, 0, NULL, 0);
}
