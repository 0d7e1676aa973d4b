/* hookrec: an OCI hook that records how it was run, for the hooks suite.
 * Static, so the same binary runs as a runtime hook on the host and as a
 * container hook inside the busybox rootfs.
 *
 *   hookrec KIND OUTDIR [ACTION ARG]...
 *
 * Writes, in OUTDIR:
 *   KIND.argv   argv[0], argv[1], ... one per line (argv[0] as the runtime
 *               gave it: a shell script could not show it)
 *   KIND.env    the environment exactly as received, one entry per line
 *   KIND.stdin  everything read from stdin (the state document)
 *   KIND.info   time=<CLOCK_REALTIME ns> root=<dev>:<ino of "/"> uid=<uid>
 *               gid=<gid> pid=<pid>, one per line
 * and appends "KIND" to OUTDIR/order. Then prints "KIND out" on stdout and
 * "KIND err" on stderr and runs the actions in order:
 *   exit N       exit with status N (default 0)
 *   sleep S      sleep S seconds
 *   spawn S      fork a child that keeps stdout/stderr open and sleeps S
 *                seconds; its pid goes to OUTDIR/KIND.child */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void put(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static int open_out(const char *dir, const char *kind, const char *ext, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s%s", dir, kind, ext);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
	if (fd < 0) {
		fprintf(stderr, "hookrec: %s: %s\n", path, strerror(errno));
		exit(125);
	}
	return fd;
}

static void record(const char *dir, const char *kind, int argc, char **argv)
{
	char buf[65536], line[512];
	struct timespec ts;
	struct stat root;
	ssize_t n;
	int fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	fd = open_out(dir, kind, ".argv", O_TRUNC);
	for (int i = 0; i < argc; i++) {
		put(fd, argv[i]);
		put(fd, "\n");
	}
	close(fd);
	fd = open_out(dir, kind, ".env", O_TRUNC);
	for (char **e = environ; *e; e++) {
		put(fd, *e);
		put(fd, "\n");
	}
	close(fd);
	fd = open_out(dir, kind, ".stdin", O_TRUNC);
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			exit(125);
	close(fd);
	if (stat("/", &root) < 0)
		memset(&root, 0, sizeof(root));
	fd = open_out(dir, kind, ".info", O_TRUNC);
	snprintf(line, sizeof(line), "time=%lld%09ld\nroot=%llu:%llu\nuid=%d\ngid=%d\npid=%d\n",
	         (long long)ts.tv_sec, ts.tv_nsec, (unsigned long long)root.st_dev,
	         (unsigned long long)root.st_ino, (int)getuid(), (int)getgid(), (int)getpid());
	put(fd, line);
	close(fd);
	fd = open_out(dir, "order", "", O_APPEND);
	snprintf(line, sizeof(line), "%s\n", kind);
	put(fd, line);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *kind, *dir;
	char line[128];

	if (argc < 3 || (argc - 3) % 2 != 0) {
		fprintf(stderr, "usage: hookrec KIND OUTDIR [exit N | sleep S | spawn S]...\n");
		return 2;
	}
	kind = argv[1];
	dir = argv[2];
	/* The files are shared by hooks running as different users. */
	umask(0);
	record(dir, kind, argc, argv);
	snprintf(line, sizeof(line), "%s out\n", kind);
	put(1, line);
	snprintf(line, sizeof(line), "%s err\n", kind);
	put(2, line);
	for (int i = 3; i + 1 < argc; i += 2) {
		int v = atoi(argv[i + 1]);
		if (strcmp(argv[i], "exit") == 0)
			return v;
		if (strcmp(argv[i], "sleep") == 0) {
			sleep((unsigned)v);
		} else if (strcmp(argv[i], "spawn") == 0) {
			pid_t pid = fork();
			if (pid == 0) {
				sleep((unsigned)v);
				_exit(0);
			}
			if (pid > 0) {
				int fd = open_out(dir, kind, ".child", O_TRUNC);
				snprintf(line, sizeof(line), "%d\n", (int)pid);
				put(fd, line);
				close(fd);
			}
		} else {
			fprintf(stderr, "hookrec: unknown action %s\n", argv[i]);
			return 2;
		}
	}
	return 0;
}
