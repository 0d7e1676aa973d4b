/* notify_floor: the floor under any seccomp-notification supervisor.
 *
 *   notify_floor [-m MODE] [-r ROOT] [-c CPU] PROG [ARGS...]
 *
 * Forks a child that chroots into ROOT (when given), sets no_new_privs,
 * installs a seccomp filter, then execs PROG. MODE chooses the filter:
 *
 *   none         no filter at all: the unconfined baseline
 *   allow        a filter that returns ALLOW for every syscall: what a
 *                classic BPF filter costs without notifications
 *   notify       stat, lstat, newfstatat, statx, open, openat and uname
 *                return SCMP_ACT_NOTIFY (SECCOMP_RET_USER_NOTIF); everything
 *                else ALLOW. The parent receives each notification and answers
 *                it with SECCOMP_USER_NOTIF_FLAG_CONTINUE, nothing else:
 *                the bare kernel round trip a real supervisor cannot beat
 *   notify-sync  as notify, and the listener asks for synchronous wake-ups
 *                (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6): the
 *                kernel then switches straight to the supervisor and back
 *
 * -c CPU pins the supervisor and the child to that one CPU: the round trip
 * then needs no cross-CPU wake-up (on a VM, waking an idle vCPU can cost
 * far more than the notification itself).
 *
 * The filter is raw classic BPF (no libseccomp), so nothing but the
 * architecture check and one comparison per trapped syscall runs in it.
 * The listener fd reaches the parent over a socketpair (SCM_RIGHTS) before
 * PROG runs. A thread answers notifications with blocking
 * SECCOMP_IOCTL_NOTIF_RECV/SEND; the main thread waits for the child and
 * exits with its status. Prints "notify_floor: N notifications" on stderr
 * in the notify modes. Must run as root (chroot) or without -r. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

enum mode { M_NONE, M_ALLOW, M_NOTIFY, M_NOTIFY_SYNC };

static unsigned long long n_notif;

static void die(const char *what)
{
	fprintf(stderr, "notify_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: notify_floor [-m none|allow|notify|notify-sync] [-r ROOT] "
	                "[-c CPU] PROG [ARGS...]\n");
	exit(2);
}

#define TRAP(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, trap)

static int install_filter(enum mode m)
{
	__u32 trap = m == M_ALLOW ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF;
	struct sock_filter insns[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* other ABIs: not measured */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    TRAP(__NR_stat),
	    TRAP(__NR_lstat),
	    TRAP(__NR_newfstatat),
	    TRAP(__NR_statx),
	    TRAP(__NR_open),
	    TRAP(__NR_openat),
	    TRAP(__NR_uname), /* runlock traps it with a uts namespace */
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};
	unsigned int flags = m == M_ALLOW ? 0 : SECCOMP_FILTER_FLAG_NEW_LISTENER;

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void send_fd(int sock, int fd)
{
	char data = 'L';
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		die("sendmsg listener");
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Receive, answer CONTINUE, repeat. Nothing else: this is the floor. */
static void *answer_loop(void *arg)
{
	int fd = *(int *)arg;
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			return NULL; /* the child is gone */
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		/* ENOENT: the caller was killed meanwhile; nothing to answer. */
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
			__atomic_add_fetch(&n_notif, 1, __ATOMIC_RELAXED);
	}
}

int main(int argc, char **argv)
{
	enum mode m = M_NOTIFY;
	const char *root = NULL;
	int opt, sv[2], status, listener = -1;
	pid_t child;
	pthread_t th;

	while ((opt = getopt(argc, argv, "+m:r:c:")) != -1) {
		switch (opt) {
		case 'm':
			if (strcmp(optarg, "none") == 0)
				m = M_NONE;
			else if (strcmp(optarg, "allow") == 0)
				m = M_ALLOW;
			else if (strcmp(optarg, "notify") == 0)
				m = M_NOTIFY;
			else if (strcmp(optarg, "notify-sync") == 0)
				m = M_NOTIFY_SYNC;
			else
				usage();
			break;
		case 'r':
			root = optarg;
			break;
		case 'c': {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(atoi(optarg), &set);
			/* inherited by the child and the answering thread */
			if (sched_setaffinity(0, sizeof(set), &set) < 0)
				die("sched_setaffinity");
			break;
		}
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(sv[0]);
		if (root && (chroot(root) < 0 || chdir("/") < 0))
			die("chroot");
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			die("no_new_privs");
		if (m != M_NONE) {
			int fd = install_filter(m);
			if (fd < 0)
				die("seccomp(SECCOMP_SET_MODE_FILTER)");
			if (m != M_ALLOW) {
				send_fd(sv[1], fd);
				close(fd);
			}
		}
		close(sv[1]);
		execv(argv[optind], argv + optind);
		die("execv");
	}
	close(sv[1]);
	if (m == M_NOTIFY || m == M_NOTIFY_SYNC) {
		listener = recv_fd(sv[0]);
		if (listener < 0) {
			fprintf(stderr, "notify_floor: no listener from the child\n");
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			return 1;
		}
		if (m == M_NOTIFY_SYNC && ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		                                SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) < 0)
			die("SECCOMP_IOCTL_NOTIF_SET_FLAGS(SYNC_WAKE_UP)");
		errno = pthread_create(&th, NULL, answer_loop, &listener);
		if (errno)
			die("pthread_create");
	}
	close(sv[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (listener >= 0)
		fprintf(stderr, "notify_floor: %llu notifications\n",
		        __atomic_load_n(&n_notif, __ATOMIC_RELAXED));
	/* Exiting ends the answering thread, blocked in RECV. */
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
