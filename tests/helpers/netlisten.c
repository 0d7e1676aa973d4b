/* netlisten: a live listener on the host, for the confinement tests: a
 * denial is only worth asserting against something that would answer.
 *
 *   netlisten tcp READYFILE        TCP on 127.0.0.1, kernel-chosen port
 *   netlisten udp READYFILE        UDP on 127.0.0.1, kernel-chosen port
 *   netlisten abstract NAME READYFILE   AF_UNIX stream on "\0NAME"
 *   netlisten unix PATH READYFILE       AF_UNIX stream bound to PATH
 *   netlisten unixgram PATH READYFILE   AF_UNIX datagram bound to PATH
 *
 * Once listening it writes the port (tcp, udp) or "ready" (abstract) to
 * READYFILE, atomically (temporary file + rename), then prints one line per
 * event on stdout: "accepted" for each connection (closed at once),
 * "received N" for each datagram. It exits by itself after 60 seconds, so a
 * test that forgets it leaves nothing running for long. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

/* One datagram, reported; -1 on an error other than EINTR. */
static int recv_one(int fd)
{
	char buf[2048];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0) {
		die("netlisten: recv");
		return -1;
	}
	printf("received %zd\n", n);
	return 0;
}

static int write_ready(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return die("netlisten: ready file");
	fprintf(f, "%s\n", text);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		return die("netlisten: ready file");
	return 0;
}

static int inet_listener(int type, const char *ready)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char port[16];
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return die("netlisten: socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return die("netlisten: bind");
	if (type == SOCK_STREAM && listen(fd, 64) < 0)
		return die("netlisten: listen");
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return die("netlisten: getsockname");
	snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
	if (write_ready(ready, port) != 0)
		return 1;
	for (;;) {
		if (type == SOCK_STREAM) {
			int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0 && errno == EINTR)
				continue;
			if (c < 0)
				return die("netlisten: accept");
			printf("accepted\n");
			close(c);
		} else if (recv_one(fd) < 0) {
			return 1;
		}
	}
}

static int unix_listener(const char *name, const char *ready, bool abstract, int type)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	size_t at = abstract ? 1 : 0;

	if (fd < 0)
		return die("netlisten: socket");
	if (len + 1 > sizeof(sa.sun_path)) {
		fprintf(stderr, "netlisten: name too long\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + at, name, len);
	if (bind(fd, (struct sockaddr *)&sa,
	         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + at + len)) < 0)
		return die("netlisten: bind");
	if (type == SOCK_STREAM && listen(fd, 64) < 0)
		return die("netlisten: listen");
	if (write_ready(ready, "ready") != 0)
		return 1;
	for (;;) {
		if (type == SOCK_DGRAM) {
			if (recv_one(fd) < 0)
				return 1;
			continue;
		}
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0)
			return die("netlisten: accept");
		printf("accepted\n");
		close(c);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(60);
	if (argc == 3 && strcmp(argv[1], "tcp") == 0)
		return inet_listener(SOCK_STREAM, argv[2]);
	if (argc == 3 && strcmp(argv[1], "udp") == 0)
		return inet_listener(SOCK_DGRAM, argv[2]);
	if (argc == 4 && strcmp(argv[1], "abstract") == 0)
		return unix_listener(argv[2], argv[3], true, SOCK_STREAM);
	if (argc == 4 && strcmp(argv[1], "unix") == 0)
		return unix_listener(argv[2], argv[3], false, SOCK_STREAM);
	if (argc == 4 && strcmp(argv[1], "unixgram") == 0)
		return unix_listener(argv[2], argv[3], false, SOCK_DGRAM);
	fprintf(stderr,
	        "usage: netlisten tcp|udp READYFILE | netlisten abstract|unix|unixgram NAME "
	        "READYFILE\n");
	return 2;
}
