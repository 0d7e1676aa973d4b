/* ctlpeer: the peers of the supervisor's control socket and of a stalled
 * UNIX listener, for tests/integration/security/escape_control.bats and
 * tests/integration/wedge.bats.
 *
 *   ctlpeer ctl PATH [ROOT]   connect to the control socket PATH (a
 *                             container's <state>/ctl.sock), chrooted into
 *                             ROOT first when given (the directory of PATH
 *                             is held open and reached as the cwd), send a
 *                             `ps` request and print the reply:
 *                             "pids N" or "error ERRNO MESSAGE"
 *   ctlpeer listen0 PATH READYFILE   a stream socket at PATH with
 *                             listen(0) that never accepts; writes "ready"
 *                             to READYFILE, exits after 60 s
 *   ctlpeer connect PATH SECONDS     connect a stream socket to PATH,
 *                             print "connected" or "connect: ERRNAME", and
 *                             hold the connection SECONDS
 *
 * Exit status 0 when the exchange happened as printed, 1 on a setup error. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* shim/ipc/control.h's wire format (helpers build without the project's
 * headers). */
struct ctl_req {
	uint32_t op;
	int32_t sig;
	uint32_t flags;
	int32_t preserve_fds;
};
struct ctl_reply {
	uint32_t type;
	int32_t err;
	int32_t value;
	uint32_t count;
	char msg[1016];
};
#define CTL_PS      1
#define CTL_R_PIDS  2
#define CTL_R_ERROR 5

static int die(const char *what)
{
	perror(what);
	return 1;
}

static const char *errname(int err)
{
	switch (err) {
	case EAGAIN:
		return "EAGAIN";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case EINTR:
		return "EINTR";
	default:
		return strerror(err);
	}
}

static int ctl(const char *path, const char *root)
{
	static char buf[256 * 1024];
	struct ctl_req req = {.op = CTL_PS};
	struct ctl_reply rep;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[4096];
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (sock < 0)
		return die("socket");
	snprintf(dir, sizeof(dir), "%s", path);
	if (root) {
		/* The socket's directory stays the cwd, outside the new root:
		 * the peer is a process in the container's chroot. */
		if (chdir(dirname(dir)) < 0 || chroot(root) < 0)
			return die("chdir/chroot");
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", "ctl.sock");
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	}
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("connect: %s\n", errname(errno));
		return 0;
	}
	/* A refused peer finds the connection closed with the refusal
	 * queued: the send fails (EPIPE), the reply is still there. */
	(void)send(sock, &req, sizeof(req), MSG_NOSIGNAL);
	n = recv(sock, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(rep)) {
		printf("recv: %s\n", n < 0 ? errname(errno) : "EOF");
		return 0;
	}
	memcpy(&rep, buf, sizeof(rep));
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.type == CTL_R_ERROR)
		printf("error %s %s\n", errname(rep.err), rep.msg);
	else if (rep.type == CTL_R_PIDS)
		printf("pids %u\n", rep.count);
	else
		printf("reply %u\n", rep.type);
	return 0;
}

static int listen0(const char *path, const char *ready)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char tmp[4096];
	int sock = socket(AF_UNIX, SOCK_STREAM, 0);
	FILE *f;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(sock, 0) < 0)
		return die("listen0");
	snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
	f = fopen(tmp, "w");
	if (!f || fputs("ready\n", f) < 0 || fclose(f) != 0 || rename(tmp, ready) < 0)
		return die("ready file");
	sleep(60);
	return 0;
}

static int connect_hold(const char *path, int seconds)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sock = socket(AF_UNIX, SOCK_STREAM, 0);

	if (sock < 0)
		return die("socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		printf("connect: %s\n", errname(errno));
	else
		printf("connected\n");
	fflush(stdout);
	sleep((unsigned)seconds);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "ctl") == 0)
		return ctl(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc == 4 && strcmp(argv[1], "listen0") == 0)
		return listen0(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "connect") == 0)
		return connect_hold(argv[2], atoi(argv[3]));
	fprintf(stderr,
	        "usage: ctlpeer ctl PATH [ROOT] | listen0 PATH READY | connect PATH SECONDS\n");
	return 1;
}
