/* start, kill, delete and state loading. create lives in container_create.c. */
#include "runtime/lifecycle/container.h"

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
#include "hooks/hooks.h"
#include "common/proc.h"
#include "runtime/init/process.h"
#include "shim/ipc/control.h"
#include "shim/ipc/init_proto.h"

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
	if (r == 0) {
		s->root = g->root;
		state_refresh(s);
	}
	return r;
}

int container_open_locked(const struct global_opts *g, const char *id, struct container_dir *d,
                          struct container_state *s, struct rl_error *e)
{
	if (state_dir_open(g->root, id, true, true, d, e) < 0)
		return -1;
	if (state_read(d, s, e) < 0) {
		state_dir_close(d);
		return -1;
	}
	s->root = g->root;
	state_refresh(s);
	return 0;
}

/* Ask the waiting init to exec: 'S', or 'H' and the state document for its
 * startContainer hooks (hook_state; NULL when it has none). Returns once
 * execve has succeeded (the connection closes on exec) or with init's
 * INIT_ERROR (shim/ipc/init_proto.h); *init_failed then says init is
 * exiting. */
static int handshake_start(int dirfd, const char *hook_state, size_t len, bool *init_failed,
                           struct rl_error *e)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	unsigned char frame[INIT_FRAME_LEN];
	struct init_report m;
	size_t got = 0;

	*init_failed = false;
	if (sock < 0)
		return rl_fail_errno(e, errno, "start socket");
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/start.sock", dirfd);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return rl_fail(e, ESRCH, "cannot start a container that has stopped");
	if (send(sock, hook_state ? "H" : "S", 1, MSG_NOSIGNAL) != 1)
		return rl_fail(e, ESRCH, "cannot start a container that has stopped");
	if (hook_state && hooks_send_state(sock, hook_state, len, e) < 0)
		return -1;
	while (got < sizeof(frame)) {
		ssize_t n = read(sock, frame + got, sizeof(frame) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return 0;
	*init_failed = true;
	if (got != sizeof(frame))
		return rl_fail(e, EPROTO,
		               "unable to start container process: short reply "
		               "from init");
	if (init_decode(frame, got, 0, INIT_ST_START, &m, e) < 0)
		return rl_error_prefix(e, "unable to start container process");
	if (m.u.error.err == 0)
		return rl_fail(e, 0, "unable to start container process: %s", m.u.error.msg);
	return rl_fail_errno(e, m.u.error.err, "unable to start container process: %s",
	                     m.u.error.msg);
}

static int kill_and_wait(const struct container_state *s, struct rl_error *e);

/* poststart, with the container running; a failure stops it (runc's rule). */
static int run_poststart(const struct oci_hooks *h, const struct container_state *s,
                         struct rl_error *e)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (hooks_count(h, HOOK_POSTSTART) == 0)
		return 0;
	if (hooks_state_json(s, STATUS_RUNNING, &json, &len, e) < 0 ||
	    hooks_run(h, HOOK_POSTSTART, json, len, e) < 0) {
		kill_and_wait(s, NULL);
		return -1;
	}
	return 0;
}

int container_start(const struct global_opts *g, const char *id, struct rl_error *e)
{
	_cleanup_config_ struct oci_config *cfg = NULL;
	_cleanup_free_ char *hook_state = NULL;
	struct container_dir d;
	struct container_state s;
	size_t hook_state_len = 0;
	bool init_failed;
	int r = -1;

	if (container_open_locked(g, id, &d, &s, e) < 0)
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
	if (hooks_load_config(d.fd, &cfg, e) < 0)
		goto out;
	/* startContainer sees the container as created: its program has not
	 * been executed yet (runc passes the same). */
	if (cfg && hooks_count(cfg->hooks, HOOK_START_CONTAINER) > 0 &&
	    hooks_state_json(&s, STATUS_CREATED, &hook_state, &hook_state_len, e) < 0)
		goto out;
	if (handshake_start(d.fd, hook_state, hook_state_len, &init_failed, e) < 0) {
		/* init is exiting: return only once it is gone (and whatever it
		 * started with it), so the container reads stopped. */
		if (init_failed)
			kill_and_wait(&s, NULL);
		goto out;
	}
	unlinkat(d.fd, "start.sock", 0);
	s.status = STATUS_RUNNING;
	if (state_write(&d, &s, e) < 0)
		goto out;
	r = run_poststart(cfg ? cfg->hooks : NULL, &s, e);
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
 * init's descendants (docs/design.md, "Container processes"). */
static void signal_all(const struct container_state *s, int sig)
{
	/* Before init: its descendants are found through init, and once init
	 * dies they are reparented out of sight. */
	if (sig == SIGKILL)
		proc_kill_container(s->pid, s->start_time);
	else
		proc_signal_container(s->pid, s->start_time, sig);
}

/* Through the supervisor, which reaches every process of the container.
 * Returns 1 when no supervisor answers (it has exited with its container). */
static int kill_via_supervisor(int dirfd, int sig, bool all, struct rl_error *e)
{
	_cleanup_close_ int sock = ctl_connect(dirfd);
	struct ctl_request req = {.kind = CTL_KILL, .u.kill = {.sig = sig, .all = all}};
	struct ctl_reply rep;

	if (sock < 0)
		return 1;
	if (ctl_send(sock, &req, NULL, 0, e) < 0 ||
	    ctl_recv(sock, CTL_AWAIT_DONE, &rep, NULL, 0, e) < 0)
		return -1;
	return 0;
}

int container_kill(const struct global_opts *g, const char *id, int sig, bool all,
                   struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r;

	if (container_open_locked(g, id, &d, &s, e) < 0)
		return -1;
	if (s.status == STATUS_STOPPED && !all) {
		r = rl_fail(e, ESRCH, "container not running");
	} else {
		r = kill_via_supervisor(d.fd, sig, all, e);
		/* No supervisor (it exits only with its container): what is left
		 * is init's tree, if anything. */
		if (r > 0 && s.status == STATUS_STOPPED)
			r = 0;
		else if (r > 0) {
			if (all)
				signal_all(&s, sig);
			r = signal_init(&s, sig, e);
			if (all)
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
	signal_all(s, SIGKILL);
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (proc_wait_exit(pidfd, KILL_WAIT_MS) < 0)
		return rl_fail_errno(e, errno, "container init %d did not exit after SIGKILL",
		                     (int)s->pid);
	return 0;
}

int container_delete(const struct global_opts *g, const char *id, bool force, struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r = -1;

	if (state_dir_open(g->root, id, true, false, &d, e) < 0)
		return -1;
	if (faccessat(d.fd, "state.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		supervisor_quit(d.fd);
		/* Left by a create that was killed: nothing runs, only --force
		 * may clean it up. */
		if (force) {
			container_scratch_remove(d.root_fd, id);
			r = state_dir_remove(&d, e);
		} else
			rl_fail(e, ENOENT, "container does not exist");
		state_dir_close(&d);
		return r;
	}
	if (state_read(&d, &s, e) < 0) {
		state_dir_close(&d);
		return -1;
	}
	state_refresh(&s);
	switch (s.status) {
	case STATUS_STOPPED:
		/* Init is gone, and with it the only way to tell this container's
		 * leftover processes from anyone else's until the supervisor
		 * keeps the process list. */
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
	/* The supervisor kills what is left of the container (with a pid
	 * namespace, every process of its Landlock domain) and exits. */
	supervisor_quit(d.fd);
	/* Stopped now; poststop runs before the directory (and the config
	 * copy it reads) goes. Its failures are warnings (runtime spec). */
	hooks_poststop_from_dir(d.fd, &s);
	container_scratch_remove(d.root_fd, id);
	r = state_dir_remove(&d, e);
out:
	state_free(&s);
	state_dir_close(&d);
	return r;
}

int container_update(const struct global_opts *g, const char *id, const char *resources_json,
                     size_t len, struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r;

	if (container_open_locked(g, id, &d, &s, e) < 0)
		return -1;
	if (s.status == STATUS_STOPPED) {
		r = rl_fail(e, ESRCH, "container %s is not running", id);
	} else {
		_cleanup_close_ int sock = ctl_connect(d.fd);
		struct ctl_request req = {.kind = CTL_UPDATE, .u.update = {resources_json, len}};
		struct ctl_reply rep;

		if (sock < 0)
			r = rl_fail(e, ESRCH, "container %s is not running", id);
		else
			r = ctl_send(sock, &req, NULL, 0, e) < 0 ||
			            ctl_recv(sock, CTL_AWAIT_DONE, &rep, NULL, 0, e) < 0
			        ? -1
			        : 0;
	}
	state_free(&s);
	state_dir_close(&d);
	return r;
}
