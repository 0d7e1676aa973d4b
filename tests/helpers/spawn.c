/* spawn: start a program in the background without a shell's help (busybox
 * sh's `&` needs /dev/null, which a container may lack).
 *
 *   spawn [-s] [-d] PROG [ARGS...]
 *
 * Forks; the child runs PROG with the same stdio while spawn itself exits 0
 * at once. -s: the child calls setsid() first. -d: double fork, so PROG is
 * not even a child of spawn's parent and is reparented to the nearest
 * subreaper. Prints the pid of PROG on stdout; exits 127 when PROG cannot be
 * executed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: spawn [-s] [-d] PROG [ARGS...]\n");
	exit(2);
}

/* In the process that is to become PROG: report the pid, then exec; the
 * close-on-exec pipe tells the parent whether exec worked. */
static void run(char **argv, int do_setsid, int report_fd)
{
	pid_t me = getpid();
	int err;

	if (do_setsid && setsid() < 0) {
		fprintf(stderr, "spawn: setsid: %s\n", strerror(errno));
		_exit(127);
	}
	if (write(report_fd, &me, sizeof(me)) != (ssize_t)sizeof(me))
		_exit(127);
	execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "spawn: exec %s: %s\n", argv[0], strerror(err));
	if (write(report_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int main(int argc, char **argv)
{
	int do_setsid = 0, do_double = 0, opt, pfd[2];
	pid_t child, prog = -1;

	while ((opt = getopt(argc, argv, "+sd")) != -1) {
		switch (opt) {
		case 's':
			do_setsid = 1;
			break;
		case 'd':
			do_double = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("spawn: pipe");
		return 1;
	}

	child = fork();
	if (child < 0) {
		perror("spawn: fork");
		return 1;
	}
	if (child == 0) {
		close(pfd[0]);
		if (do_double) {
			pid_t grandchild = fork();

			if (grandchild < 0)
				_exit(127);
			if (grandchild > 0)
				_exit(0);
		}
		run(argv + optind, do_setsid, pfd[1]);
	}
	close(pfd[1]);
	if (read(pfd[0], &prog, sizeof(prog)) != (ssize_t)sizeof(prog)) {
		fprintf(stderr, "spawn: %s did not start\n", argv[optind]);
		return 127;
	}
	{
		int err;

		if (read(pfd[0], &err, sizeof(err)) > 0)
			return 127;
	}
	if (do_double)
		waitpid(child, NULL, 0);
	printf("%ld\n", (long)prog);
	return fflush(stdout) == 0 ? 0 : 1;
}
