/* recvtty: a console-socket receiver for the integration tests, like runc's
 * contrib/cmd/recvtty.
 *
 *   recvtty SOCKET OUTFILE [INPUT_STRING]
 *
 * Binds and listens on the AF_UNIX path SOCKET, accepts one connection and
 * receives exactly one message that carries one descriptor (SCM_RIGHTS) and
 * the pty's name in its payload. The name goes to OUTFILE.name, the master's
 * window size ("rows cols") to OUTFILE.winsize and its pty number (TIOCGPTN)
 * to OUTFILE.ptn. INPUT_STRING, with "\n" "\r" "\t" "\\" escapes expanded, is
 * written to the master; then everything read from the master is copied to
 * OUTFILE until the slave side is closed (EIO or EOF). Exits 0 on success and
 * 1 on any error or protocol violation (no descriptor, more than one, not a
 * pty master, a second message on the connection). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define MAX_FDS 16

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("recvtty: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("write: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

static void write_file(const char *base, const char *suffix, const char *content)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s%s", base, suffix) >= (int)sizeof(path))
		die("path too long: %s%s", base, suffix);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	write_all(fd, content, strlen(content));
	close(fd);
}

/* Expand \n \r \t \\ in place. */
static size_t unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r;
			continue;
		}
		r++;
		switch (*r) {
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case '\\':
			*w++ = '\\';
			break;
		default:
			*w++ = '\\';
			*w++ = *r;
			break;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* Receive the one message; returns the master fd and fills name. */
static int receive_master(int conn, char *name, size_t name_size)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = name, .iov_len = name_size - 1};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	int fds[MAX_FDS];
	size_t nfds = 0;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	do {
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die("recvmsg: %s", strerror(errno));
	if (n == 0 && msg.msg_controllen == 0)
		die("peer closed the connection without sending a message");
	name[n] = '\0';
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))
		die("message truncated (flags 0x%x)", (unsigned)msg.msg_flags);

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t count;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			die("unexpected control message level %d type %d", c->cmsg_level,
			    c->cmsg_type);
		count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count && nfds < MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (nfds == 0)
		die("message carried no file descriptor");
	if (nfds > 1)
		die("message carried %zu file descriptors, expected 1", nfds);
	if (strlen(name) != (size_t)n)
		die("pty name contains a NUL byte");
	return fds[0];
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char name[4096], info[64], buf[4096];
	struct winsize ws;
	unsigned int ptn;
	int lsock, conn, master, out;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: recvtty SOCKET OUTFILE [INPUT_STRING]\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path))
		die("socket path too long: %s", argv[1]);
	strcpy(addr.sun_path, argv[1]);

	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die("open %s: %s", argv[2], strerror(errno));

	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0)
		die("socket: %s", strerror(errno));
	if (bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind %s: %s", argv[1], strerror(errno));
	if (listen(lsock, 1) < 0)
		die("listen: %s", strerror(errno));

	do {
		conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	} while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die("accept: %s", strerror(errno));
	close(lsock);
	unlink(argv[1]);

	master = receive_master(conn, name, sizeof(name));

	/* Exactly one message: anything more on the connection is a violation. */
	{
		char extra;
		ssize_t n;

		do {
			n = recv(conn, &extra, 1, MSG_DONTWAIT);
		} while (n < 0 && errno == EINTR);
		if (n > 0)
			die("unexpected data after the first message");
	}
	close(conn);

	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		die("received descriptor is not a pty master: TIOCGPTN: %s", strerror(errno));

	write_file(argv[2], ".name", name);
	snprintf(info, sizeof(info), "%u", ptn);
	write_file(argv[2], ".ptn", info);
	if (ioctl(master, TIOCGWINSZ, &ws) < 0)
		die("TIOCGWINSZ: %s", strerror(errno));
	snprintf(info, sizeof(info), "%u %u", (unsigned)ws.ws_row, (unsigned)ws.ws_col);
	write_file(argv[2], ".winsize", info);

	if (argc == 4) {
		size_t len = unescape(argv[3]);

		write_all(master, argv[3], len);
	}

	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (n < 0 && errno == EIO))
			break;
		if (n < 0)
			die("read from master: %s", strerror(errno));
		write_all(out, buf, (size_t)n);
	}
	if (close(out) < 0)
		die("close %s: %s", argv[2], strerror(errno));
	return 0;
}
