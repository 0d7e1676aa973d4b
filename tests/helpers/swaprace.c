/* swaprace: race a change by name against a rename that swaps the object
 * for a symlink, for the tests of the agent's changes on behalf
 * (escape_agent.bats). Static, so it runs inside the busybox rootfs.
 *
 *   swaprace swap A B SECONDS    renameat2(A, B, RENAME_EXCHANGE) in a
 *                                loop for SECONDS (or until killed)
 *   swaprace OP PATH TRIES       OP on PATH TRIES times (at most 20 s):
 *                                chmod (04777), chown (1000:1000),
 *                                utime (2001-01-01), truncate (0 bytes)
 *
 * Prints "ok=N" then the errnos seen ("ENOENT=123 ..."), one line; exits 0,
 * 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: swaprace swap A B SECONDS | swaprace chmod|chown|utime|truncate "
	                "PATH TRIES\n");
	return 2;
}

static int once(const char *op, const char *path)
{
	static const struct timespec ts[2] = {{.tv_sec = 978307200}, {.tv_sec = 978307200}};

	if (strcmp(op, "chmod") == 0)
		return chmod(path, 04777);
	if (strcmp(op, "chown") == 0)
		return chown(path, 1000, 1000);
	if (strcmp(op, "utime") == 0)
		return utimensat(AT_FDCWD, path, ts, 0);
	return truncate(path, 0);
}

int main(int argc, char **argv)
{
	long tries, ok = 0, errs[4096] = {0};
	time_t end;

	if (argc == 5 && strcmp(argv[1], "swap") == 0) {
		end = time(NULL) + atol(argv[4]);
		while (time(NULL) < end)
			for (int i = 0; i < 1000; i++)
				if (syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3],
				            RENAME_EXCHANGE) == 0)
					ok++;
		printf("ok=%ld\n", ok);
		return 0;
	}
	if (argc != 4 || (strcmp(argv[1], "chmod") != 0 && strcmp(argv[1], "chown") != 0 &&
	                  strcmp(argv[1], "utime") != 0 && strcmp(argv[1], "truncate") != 0))
		return usage();
	tries = atol(argv[3]);
	end = time(NULL) + 20;
	for (long i = 0; i < tries && (i % 256 || time(NULL) < end); i++) {
		if (once(argv[1], argv[2]) == 0)
			ok++;
		else if (errno > 0 && errno < 4096)
			errs[errno]++;
	}
	printf("ok=%ld", ok);
	for (int e = 1; e < 4096; e++)
		if (errs[e])
			printf(" %s=%ld", strerrorname_np(e) ? strerrorname_np(e) : "E?", errs[e]);
	printf("\n");
	return 0;
}
