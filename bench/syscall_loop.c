/* syscall_loop: time one system call in a tight loop and print ns per call.
 *
 *   syscall_loop [-t MS] TEST...
 *
 * TEST is one of
 *   getpid          getpid(2), never trapped by runlock
 *   uname           uname(2) into a struct utsname (trapped by runlock when
 *                   the bundle asks for a uts namespace: its supervisor
 *                   writes the answer into the caller's buffer)
 *   stat:PATH       stat(2) of PATH (glibc issues newfstatat)
 *   open:PATH       openat(PATH, O_RDONLY) + close(2), counted as one call
 *
 * For each TEST it runs a short warm-up, then batches of doubling size until
 * at least MS milliseconds (default 300) have been spent in timed batches,
 * and prints one line:
 *
 *   TEST NS_PER_CALL CALLS
 *
 * Any failing call aborts with exit status 1 and a message on stderr: a
 * benchmark of a call that fails measures the error path, not the call.
 * Built static, so it also runs inside the busybox rootfs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

enum kind { K_GETPID, K_UNAME, K_STAT, K_OPEN };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *test, const char *what)
{
	fprintf(stderr, "syscall_loop: %s: %s: %s\n", test, what, strerror(errno));
	exit(1);
}

/* Returns the time taken by n calls. */
static uint64_t batch(enum kind k, const char *path, const char *test, uint64_t n)
{
	struct stat st;
	struct utsname u;
	uint64_t t0 = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		switch (k) {
		case K_GETPID:
			/* The raw call: glibc has not cached the pid since 2.25,
			 * but this leaves no doubt. */
			syscall(SYS_getpid);
			break;
		case K_UNAME:
			if (uname(&u) < 0)
				die(test, "uname");
			break;
		case K_STAT:
			if (stat(path, &st) < 0)
				die(test, "stat");
			break;
		case K_OPEN: {
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				die(test, "open");
			close(fd);
			break;
		}
		}
	}
	return now_ns() - t0;
}

static const char usage[] = "usage: syscall_loop [-t MS] getpid|uname|stat:PATH|open:PATH...\n";

int main(int argc, char **argv)
{
	long ms = 300;
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't' && atol(optarg) > 0) {
			ms = atol(optarg);
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		const char *test = argv[i], *path = NULL;
		enum kind k;
		uint64_t budget = (uint64_t)ms * 1000000u, spent = 0, calls = 0, n = 64;

		if (strcmp(test, "getpid") == 0) {
			k = K_GETPID;
		} else if (strcmp(test, "uname") == 0) {
			k = K_UNAME;
		} else if (strncmp(test, "stat:", 5) == 0 && test[5]) {
			k = K_STAT;
			path = test + 5;
		} else if (strncmp(test, "open:", 5) == 0 && test[5]) {
			k = K_OPEN;
			path = test + 5;
		} else {
			fprintf(stderr, "syscall_loop: unknown test %s\n", test);
			return 2;
		}
		batch(k, path, test, 256); /* warm-up: caches, page faults */
		while (spent < budget) {
			spent += batch(k, path, test, n);
			calls += n;
			if (n < (UINT64_C(1) << 24))
				n *= 2;
		}
		printf("%s %.1f %llu\n", test, (double)spent / (double)calls,
		       (unsigned long long)calls);
		fflush(stdout);
	}
	return 0;
}
