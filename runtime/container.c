/* start, kill, delete and state loading. create lives in container_create.c. */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/proc.h"

/* How long delete waits for a SIGKILLed init to be gone. */
#define KILL_WAIT_MS 10000

int container_load(const struct global_opts *g, const char *id, struct container_state *s,
		   struct rl_error *e)
{
	struct container_dir d;
	int r;

	if (state_dir_open(g->root, id, false, true, &d, e) < 0)
		return -1;
	r = state_read(&d, s, e);
	state_dir_close(&d);
	if (r == 0)
		state_refresh(s);
	return r;
}

/* Open the container locked, with its state read and refreshed. */
static int open_locked(const struct global_opts *g, const char *id, struct container_dir *d,
		       struct container_state *s, struct rl_error *e)
{
	if (state_dir_open(g->root, id, true, true, d, e) < 0)
		return -1;
	if (state_read(d, s, e) < 0) {
		state_dir_close(d);
		return -1;
	}
	state_refresh(s);
	return 0;
}

/* Ask the waiting init to exec. Returns once execve has succeeded (the
 * connection closes on exec) or with the errno it failed with. */
static int handshake_start(int dirfd, struct rl_error *e)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int err = 0;
	ssize_t n;

	if (sock < 0)
		return rl_fail_errno(e, errno, "start socket");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/start.sock", dirfd);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return rl_fail(e, ESRCH, "cannot start a container that has stopped");
	if (send(sock, "S", 1, MSG_NOSIGNAL) != 1)
		return rl_fail(e, ESRCH, "cannot start a container that has stopped");
	do {
		n = read(sock, &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(err))
		return rl_fail_errno(e, err, "unable to start container process: exec");
	return 0;
}

int container_start(const struct global_opts *g, const char *id, struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r = -1;

	if (open_locked(g, id, &d, &s, e) < 0)
		return -1;
	switch (s.status) {
	case STATUS_CREATED:
		break;
	case STATUS_STOPPED:
		rl_fail(e, EINVAL, "cannot start a container that has stopped");
		goto out;
	case STATUS_PAUSED:
		rl_fail(e, EINVAL, "cannot start a paused container");
		goto out;
	default:
		rl_fail(e, EINVAL, "cannot start an already running container");
		goto out;
	}
	if (handshake_start(d.fd, e) < 0)
		goto out;
	unlinkat(d.fd, "start.sock", 0);
	s.status = STATUS_RUNNING;
	r = state_write(&d, &s, e);
out:
	state_free(&s);
	state_dir_close(&d);
	return r;
}

static int signal_init(const struct container_state *s, int sig, struct rl_error *e)
{
	_cleanup_close_ int pidfd = proc_open_verified(s->pid, s->start_time);

	if (pidfd < 0)
		return rl_fail(e, ESRCH, "container not running");
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return rl_fail_errno(e, errno, "kill container init %d", (int)s->pid);
	return 0;
}

/* Until the supervisor keeps the container's process list, `--all` reaches
 * init and every process still in init's session. */
static void signal_all(const struct container_state *s, int sig)
{
	proc_signal_session(s->pid, s->start_time, sig);
}

int container_kill(const struct global_opts *g, const char *id, int sig, bool all,
		   struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r = 0;

	if (open_locked(g, id, &d, &s, e) < 0)
		return -1;
	if (s.status == STATUS_STOPPED) {
		if (!all)
			r = rl_fail(e, ESRCH, "container not running");
	} else {
		r = signal_init(&s, sig, e);
		if (all) {
			signal_all(&s, sig);
			r = 0;
		}
	}
	state_free(&s);
	state_dir_close(&d);
	return r;
}

/* SIGKILL init and its session, and wait until init is gone. */
static int kill_and_wait(const struct container_state *s, struct rl_error *e)
{
	_cleanup_close_ int pidfd = proc_open_verified(s->pid, s->start_time);

	if (pidfd < 0)
		return 0; /* already gone */
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	signal_all(s, SIGKILL);
	if (proc_wait_exit(pidfd, KILL_WAIT_MS) < 0)
		return rl_fail_errno(e, errno, "container init %d did not exit after SIGKILL",
				     (int)s->pid);
	return 0;
}

int container_delete(const struct global_opts *g, const char *id, bool force, struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	pid_t init_pid;
	int r = -1;

	if (state_dir_open(g->root, id, true, false, &d, e) < 0)
		return -1;
	if (faccessat(d.fd, "state.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		/* Left by a create that was killed: nothing runs, only --force
		 * may clean it up. */
		if (force)
			r = state_dir_remove(&d, e);
		else
			rl_fail(e, ENOENT, "container does not exist");
		state_dir_close(&d);
		return r;
	}
	if (state_read(&d, &s, e) < 0) {
		state_dir_close(&d);
		return -1;
	}
	init_pid = s.pid;
	state_refresh(&s);
	switch (s.status) {
	case STATUS_STOPPED:
		/* Init is gone; what it left in its session goes with it. */
		if (init_pid > 0)
			proc_signal_session(init_pid, s.start_time, SIGKILL);
		break;
	case STATUS_CREATED:
		if (kill_and_wait(&s, e) < 0)
			goto out;
		break;
	default:
		if (!force) {
			rl_fail(e, EBUSY, "cannot delete container %s that is not stopped: %s", id,
				state_status_name(s.status));
			goto out;
		}
		if (kill_and_wait(&s, e) < 0)
			goto out;
		break;
	}
	r = state_dir_remove(&d, e);
out:
	state_free(&s);
	state_dir_close(&d);
	return r;
}
