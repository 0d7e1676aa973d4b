#include "shim/ipc/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int wire_send(int sock, const void *head, size_t hlen, const void *payload, size_t plen,
              const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * WIRE_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov[2] = {{.iov_base = (void *)head, .iov_len = hlen},
	                       {.iov_base = (void *)payload, .iov_len = plen}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = plen > 0 ? 2 : 1};
	ssize_t n;

	if (nfds > WIRE_MAX_FDS) {
		errno = E2BIG;
		return -1;
	}
	if (nfds > 0) {
		struct cmsghdr *c;
		memset(u.buf, 0, sizeof(u.buf));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != hlen + plen) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

void wire_close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

unsigned long wire_timeouts;

int wire_set_timeouts(int sock, int recv_ms, int send_ms)
{
	struct timeval r = {.tv_sec = recv_ms / 1000, .tv_usec = (recv_ms % 1000) * 1000};
	struct timeval s = {.tv_sec = send_ms / 1000, .tv_usec = (send_ms % 1000) * 1000};

	if (recv_ms > 0 && setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof(r)) < 0)
		return -1;
	if (send_ms > 0 && setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof(s)) < 0)
		return -1;
	return 0;
}

ssize_t wire_recv(int sock, void *buf, size_t cap, int *fds, size_t maxfds, size_t *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * WIRE_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	size_t got = 0;
	ssize_t n;

	if (nfds)
		*nfds = 0;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		int fl = fcntl(sock, F_GETFL);
		/* On a blocking socket this is SO_RCVTIMEO running out: the
		 * peer is stuck. Its late answer must never be read as the
		 * answer to a later request, so the conversation ends here. */
		if (fl >= 0 && !(fl & O_NONBLOCK)) {
			shutdown(sock, SHUT_RDWR);
			wire_timeouts++;
			errno = ETIMEDOUT;
		}
		return -1;
	}
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k;
		int *in;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		in = (int *)CMSG_DATA(c);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, &in[i], sizeof(fd));
			if (fds && got < maxfds)
				fds[got++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (fds)
			wire_close_fds(fds, got);
		errno = EMSGSIZE;
		return -1;
	}
	if (nfds)
		*nfds = got;
	return n;
}
