/* peercred: a host daemon that authorises by peer credentials, for the
 * tests of connects done on behalf (escape_agent.bats). Static, like the
 * other helpers.
 *
 *   peercred PATH COUNT
 *
 * Binds a stream UNIX socket at PATH (mode 0777, so any uid may connect),
 * listens, and for each of COUNT connections prints "uid=U gid=G" as
 * SO_PEERCRED reports the connecting task, one line, flushed. Exits 0
 * after COUNT connections; 2 on a set-up error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long count;
	int s;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: peercred PATH COUNT\n");
		return 2;
	}
	count = atol(argv[2]);
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(argv[1], 0777) < 0 ||
	    listen(s, 16) < 0) {
		fprintf(stderr, "peercred: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	for (long i = 0; i < count; i++) {
		struct ucred uc;
		socklen_t len = sizeof(uc);
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "peercred: accept: %s\n", strerror(errno));
			return 2;
		}
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
			printf("SO_PEERCRED %s\n", strerror(errno));
		else
			printf("uid=%u gid=%u\n", (unsigned)uc.uid, (unsigned)uc.gid);
		close(c);
	}
	return 0;
}
