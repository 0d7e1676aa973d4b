/* Stopping a container's supervisor from `delete` (the CLI's side of
 * CTL_QUIT): ask it to kill what is left and exit, and make sure it has. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/proc.h"
#include "runtime/lifecycle/container.h"
#include "shim/ipc/control.h"
#include "shim/ipc/wire.h"

static pid_t pidfd_pid(int pidfd)
{
	char path[64], buf[512], *at;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	at = strstr(buf, "\nPid:");
	return at ? (pid_t)atoi(at + 5) : -1;
}

/* pidfds of pid's children (the supervisor's: the agent; the agent's: the
 * spawner), read before anyone is killed and reparented. */
static size_t children_of(pid_t pid, int *out, size_t max)
{
	char path[64], buf[512], *p, *end;
	_cleanup_close_ int fd = -1;
	size_t k = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; k < max; p = end) {
		long c = strtol(p, &end, 10);
		int pidfd;
		if (end == p)
			break;
		pidfd = c > 0 ? (int)syscall(SYS_pidfd_open, (pid_t)c, 0) : -1;
		if (pidfd >= 0)
			out[k++] = pidfd;
	}
	return k;
}

/* The supervisor did not quit when asked: kill it. Its agent, seeing its
 * end close, kills the container and exits; whatever of the agent and the
 * spawner is still there after a grace period is killed too. */
static void kill_supervisor(int pidfd)
{
	int helpers[8];
	size_t n = 0;
	pid_t pid = pidfd_pid(pidfd);

	if (pid > 0) {
		n = children_of(pid, helpers, 4);
		for (size_t i = 0, m = n; i < m && n < 8; i++) {
			pid_t agent = pidfd_pid(helpers[i]);
			if (agent > 0)
				n += children_of(agent, helpers + n, 8 - n);
		}
	}
	log_error("the container's supervisor did not quit: killing it");
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	proc_wait_exit(pidfd, 2000);
	for (size_t i = 0; i < n; i++)
		if (proc_wait_exit(helpers[i], i == 0 ? 2000 : 0) < 0)
			syscall(SYS_pidfd_send_signal, helpers[i], SIGKILL, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		proc_wait_exit(helpers[i], 2000);
		close(helpers[i]);
	}
}

void supervisor_quit(int dirfd)
{
	_cleanup_close_ int sock = ctl_connect(dirfd);
	_cleanup_close_ int pidfd = -1;
	struct ctl_request req = {.kind = CTL_QUIT};
	struct ctl_reply rep;
	struct rl_error e;

	if (sock < 0)
		return;
	pidfd = ctl_peer_pidfd(sock);
	/* The reply comes once everything is killed (within 10 s: the
	 * supervisor's own waits are shorter); EOF once it exits. */
	if (ctl_send(sock, &req, NULL, 0, &e) == 0) {
		struct pollfd pfd = {.fd = sock, .events = POLLIN};
		char c;
		if (poll(&pfd, 1, 10000) > 0 &&
		    ctl_recv(sock, CTL_AWAIT_DONE, &rep, NULL, 0, &e) == 0)
			while (poll(&pfd, 1, 5000) > 0 && recv(sock, &c, 1, 0) > 0)
				;
	}
	/* Nothing the container does may keep delete from finishing. */
	if (pidfd >= 0 && proc_wait_exit(pidfd, 2000) < 0)
		kill_supervisor(pidfd);
}
