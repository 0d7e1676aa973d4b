/* The container init between fork and execve. Async-signal-safe calls only:
 * everything it needs was prepared by process_plan_build(). */
#include "runtime/init/process.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/ioprio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/caps.h"
#include "shim/ipc/wire.h"

__attribute__((noreturn)) static void fail(int sync_fd, int err, const char *what,
                                           const char *detail)
{
	struct init_report m;

	init_error_set(&m, err, what, detail);
	(void)init_send(sync_fd, &m);
	_exit(127);
}

static int set_caps(const struct process_plan *p)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	data[0].effective = (uint32_t)p->cap_effective;
	data[1].effective = (uint32_t)(p->cap_effective >> 32);
	data[0].permitted = (uint32_t)p->cap_permitted;
	data[1].permitted = (uint32_t)(p->cap_permitted >> 32);
	data[0].inheritable = (uint32_t)p->cap_inheritable;
	data[1].inheritable = (uint32_t)(p->cap_inheritable >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

static void drop_bounding(const struct process_plan *p, int sync_fd)
{
	for (int c = 0; c <= p->last_cap; c++) {
		/* What the set already lacks needs no drop (and no
		 * CAP_SETPCAP). */
		if ((p->cap_bounding & (UINT64_C(1) << c)) ||
		    prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			fail(sync_fd, errno, "drop capability from bounding set", NULL);
	}
}

static void set_identity(const struct process_plan *p, int sync_fd)
{
	/* setgroups needs CAP_SETGID even to set what is there: skipped when
	 * the groups are already the config's (runtime/init/host.c refused a
	 * change it could not make). */
	if (rl_groups_set(p->n_groups, p->groups) < 0)
		fail(sync_fd, errno, "setgroups", NULL);
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		fail(sync_fd, errno, "setresgid", NULL);
	/* Keep the permitted set across the uid change; set_caps() then
	 * chooses exactly what stays. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(sync_fd, errno, "prctl(PR_SET_KEEPCAPS)", NULL);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		fail(sync_fd, errno, "setresuid", NULL);
	if (set_caps(p) < 0)
		fail(sync_fd, errno, "capset", NULL);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(sync_fd, errno, "clear ambient capabilities", NULL);
	for (int c = 0; c <= p->last_cap; c++)
		if ((p->cap_ambient & (UINT64_C(1) << c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			fail(sync_fd, errno, "raise ambient capability", NULL);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		fail(sync_fd, errno, "prctl(PR_SET_KEEPCAPS)", NULL);
}

/* prestart and createRuntime run in `create` at this point: the environment
 * exists (session, terminal, network namespace, rlimits) and the chroot,
 * runlock's pivot_root, has not happened yet, the order the spec gives.
 * Wait for them; the state create then sends is what createContainer
 * hooks read. */
static void await_create_hooks(const struct process_plan *p, int sync_fd, struct hook_state *st)
{
	struct init_report m = {.kind = INIT_HOOKS, .u.hooks.pid = getpid()};

	close(p->hooks.gate_peer_fd);
	(void)init_send(sync_fd, &m);
	if (hooks_recv_state(p->hooks.gate_fd, st) < 0)
		fail(sync_fd, errno, "wait for the createRuntime hooks", NULL);
	close(p->hooks.gate_fd);
}

static void run_create_hooks(const struct process_plan *p, int sync_fd, const struct hook_state *st)
{
	char what[INIT_ERROR_MAX];
	int err = 0;

	if (hooks_run_prepared("createContainer", p->hooks.create_container,
	                       p->hooks.n_create_container, st, what, sizeof(what), &err) < 0)
		fail(sync_fd, err, what, NULL);
}

/* After READY, failures go to `start` on its connection. */
__attribute__((noreturn)) static void start_fail(int conn, int err, const char *what)
{
	struct init_report m;

	init_error_set(&m, err, what, NULL);
	(void)init_send(conn, &m);
	_exit(127);
}

/* `start` sends 'S', or 'H' and the state for the startContainer hooks,
 * which run here: after start, in the container's context, right before
 * execve. */
static void run_start_hooks(const struct process_plan *p, int conn, char req)
{
	struct hook_state st = {0};
	char what[INIT_ERROR_MAX];
	int err = 0;

	if (req == 'H' && hooks_recv_state(conn, &st) < 0)
		start_fail(conn, errno, "receive the state for the startContainer hooks");
	if (p->hooks.n_start_container == 0)
		return;
	if (req != 'H')
		start_fail(conn, EPROTO, "start sent no state for the startContainer hooks");
	if (hooks_run_prepared("startContainer", p->hooks.start_container,
	                       p->hooks.n_start_container, &st, what, sizeof(what), &err) < 0)
		start_fail(conn, err, what);
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL); /* fails harmlessly for KILL, STOP, glibc's own */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* First, while runlock still holds every capability and before any
 * syscall the supervisor emulates: the notify filter, whose listener goes
 * to the supervisor with a pidfd of this process over the channel. Neither
 * sendmsg nor close is trapped, so the listener is out before a trapped
 * call can happen. */
static void hello(const struct process_plan *p, int err_fd)
{
	struct init_report m = {.kind = INIT_HELLO, .u.hello.pid = getpid()};
	unsigned char frame[INIT_FRAME_LEN];
	int fds[2], n = 0;

	if (p->chan_fd < 0)
		return;
	fds[n] = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fds[n] < 0)
		fail(err_fd, errno, "pidfd_open", NULL);
	n++;
	if (p->notify_filter.insns) {
		fds[n] = seccomp_install_listener(&p->notify_filter);
		if (fds[n] < 0)
			fail(err_fd, errno, "install the supervisor's seccomp filter", NULL);
		n++;
	}
	if (init_encode(&m, frame) < 0 ||
	    wire_send(p->chan_fd, frame, sizeof(frame), NULL, 0, fds, (size_t)n) < 0)
		fail(err_fd, errno, "hand the seccomp listener to the supervisor", NULL);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(p->chan_fd);
}

/* The caller's stdio, handed down the chain, is let go of at once: with a
 * terminal an init waiting for `start` must not hold the pipes of the
 * `create` it came from (the shims wait for their EOF). */
static void setup_stdio(const struct process_plan *p, int err_fd)
{
	if (p->terminal) {
		if (ioctl(p->pty_slave_fd, TIOCSCTTY, 0) < 0)
			fail(err_fd, errno, "set controlling terminal", NULL);
		for (int fd = 0; fd < 3; fd++)
			if (dup2(p->pty_slave_fd, fd) < 0)
				fail(err_fd, errno, "dup2 terminal onto stdio", NULL);
	} else {
		for (int fd = 0; fd < 3; fd++)
			if (p->stdio_fds[fd] >= 0 && dup2(p->stdio_fds[fd], fd) < 0)
				fail(err_fd, errno, "dup2 onto stdio", NULL);
	}
	for (int fd = 0; fd < 3; fd++)
		if (p->stdio_fds[fd] > 2)
			close(p->stdio_fds[fd]);
}

/* runlock's own filters go in first, while the process still holds
 * CAP_SYS_ADMIN: every later step (the container hooks included) runs
 * under them, and they deny nothing this bootstrap needs. The bundle's
 * filter, when it must go in here, comes after everything that uses a call
 * an older profile may not know (close_range in prepare_fds): what follows
 * it is prctl, set*id, capset, chdir, umask, signals, accept and execve. */
static void confine(const struct process_plan *p, int err_fd)
{
	bool chdir_done;

	if (seccomp_install(&p->runlock_filter) < 0 || seccomp_install(&p->raw_filter) < 0)
		fail(err_fd, errno, "install runlock's seccomp filter", NULL);
	if (p->filters_early && seccomp_install(&p->bundle_filter) < 0)
		fail(err_fd, errno, "install linux.seccomp filter", NULL);
	/* As runc: the working directory with the runtime's privileges
	 * first (a cwd the user cannot search, /root for uid 1000, still
	 * works), and as the container user only if that was refused.
	 * Without CAP_SYS_PTRACE the supervisor cannot read this (not yet
	 * dumpable) process's trapped chdir: only the try as the container
	 * user then, whose uid is runlock's own (runtime/init/host.c). */
	chdir_done = !p->host_noptrace && chdir(p->cwd) == 0;
	if (!chdir_done && !p->host_noptrace && errno != EACCES && errno != EPERM)
		fail(err_fd, errno, "chdir to cwd set in config.json failed: ", p->cwd);
	drop_bounding(p, err_fd);
	set_identity(p, err_fd);
	/* The spawner's children are not dumpable, and without
	 * CAP_SYS_PTRACE the supervisor could not read their trapped calls
	 * (chdir and execve). From here the process holds only the
	 * container's credentials, and every filter is in (filters_early). */
	if (p->host_noptrace && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		fail(err_fd, errno, "prctl(PR_SET_DUMPABLE)", NULL);
	if (!chdir_done && chdir(p->cwd) < 0)
		fail(err_fd, errno, "chdir to cwd set in config.json failed: ", p->cwd);
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(err_fd, errno, "prctl(PR_SET_NO_NEW_PRIVS)", NULL);
	if (p->has_umask)
		umask(p->umask);
}

/* Close-on-exec from fd onwards, without close_range where the kernel
 * lacks it or a filter refuses it: each descriptor up to the limit. */
static int cloexec_from(int fd)
{
	struct rlimit rl;

	if (syscall(SYS_close_range, fd, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM && errno != EINVAL)
		return -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	for (rlim_t i = (rlim_t)fd; i < rl.rlim_cur && i < (rlim_t)INT_MAX; i++) {
		int flags = fcntl((int)i, F_GETFD);
		if (flags >= 0 && !(flags & FD_CLOEXEC))
			fcntl((int)i, F_SETFD, flags | FD_CLOEXEC);
	}
	return 0;
}

/* Preserved fds stay open across exec; everything else above stdio is
 * closed by exec (our own fds are already close-on-exec). Before the
 * bundle's filter: see confine(). */
static void prepare_fds(const struct process_plan *p, int err_fd)
{
	for (int i = 0; i < p->preserve_fds; i++) {
		int fd = 3 + i;
		if (p->pass_fds) {
			/* The spawner placed them above 3+preserve_fds: no
			 * overlap, and dup2 clears close-on-exec. */
			if (dup2(p->pass_fds[i], fd) < 0)
				fail(err_fd, errno, "dup2 a preserved fd", NULL);
			continue;
		}
		int flags = fcntl(fd, F_GETFD);
		if (flags >= 0)
			fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	}
	if (cloexec_from(3 + p->preserve_fds) < 0)
		fail(err_fd, errno, "close_range", NULL);
	if (p->pty_slave_fd > 2)
		close(p->pty_slave_fd);
}

/* rlimits and linux.resources.cpu (affinity, nice, SCHED_IDLE), inherited
 * by every child; the supervisor keeps the affinity from widening. Set
 * while runlock's capabilities are held: a negative nice needs one. */
static void set_limits(const struct process_plan *p, int fd)
{
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
			fail(fd, errno, "error setting rlimit type ", p->rlimits[i].name);
	if (p->has_cpus && sched_setaffinity(0, sizeof(p->cpus), &p->cpus) < 0)
		fail(fd, errno, "sched_setaffinity (linux.resources.cpu.cpus)", NULL);
	if (p->has_nice && setpriority(PRIO_PROCESS, 0, p->nice) < 0)
		fail(fd, errno, "setpriority (linux.resources.cpu.shares)", NULL);
	if (p->sched_idle &&
	    sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){.sched_priority = 0}) < 0)
		fail(fd, errno, "sched_setscheduler (linux.resources.cpu.idle)", NULL);
	if (p->ioprio && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, p->ioprio) < 0)
		fail(fd, errno, "ioprio_set (linux.resources.blockIO.weight)", NULL);
}

/* The process runs in the container's chroot and Landlock domain from the
 * start: the agent entered both and the spawner, which forked it, a nested
 * Landlock domain of its own (shim/spawner/spawner.c). */
void init_child_run(const struct process_plan *p, int sync_fd, int listen_fd)
{
	struct init_report ready = {.kind = INIT_READY};
	struct hook_state hook_state = {0};
	int conn;
	char req;

	hello(p, sync_fd);
	/* A session of its own, as runc's init: the caller's terminal signals
	 * do not reach it, and it can take a controlling terminal. */
	if (setsid() < 0)
		fail(sync_fd, errno, "setsid", NULL);
	setup_stdio(p, sync_fd);
	set_limits(p, sync_fd);
	if (p->hooks.gate_fd >= 0)
		await_create_hooks(p, sync_fd, &hook_state);
	prepare_fds(p, sync_fd);
	confine(p, sync_fd);
	if (p->reap_orphans && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		fail(sync_fd, errno, "prctl(PR_SET_CHILD_SUBREAPER)", NULL);
	reset_signals();
	/* In the container's chroot, Landlock domain, credentials,
	 * capabilities and runlock's seccomp filter; before the bundle's
	 * filter when it goes in last. */
	if (p->hooks.n_create_container > 0)
		run_create_hooks(p, sync_fd, &hook_state);

	(void)init_send(sync_fd, &ready);
	close(sync_fd);

	/* Wait for `start`. Anything but a well-formed request ends the init. */
	do {
		conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	} while (conn < 0 && errno == EINTR);
	if (conn < 0)
		_exit(127);
	close(listen_fd);
	if (read(conn, &req, 1) != 1 || (req != 'S' && req != 'H'))
		_exit(127);
	/* Before the startContainer hooks, which the runtime spec runs in
	 * the container (runc runs them under the profile too); otherwise as
	 * late as it can be, so the profile only has to allow what the hooks
	 * and execve use. */
	if (!p->filters_early && seccomp_install(&p->bundle_filter) < 0)
		start_fail(conn, errno, "install linux.seccomp filter");
	run_start_hooks(p, conn, req);

	execve(p->exec_path, p->argv, p->envp);
	start_fail(conn, errno, "exec");
}

void exec_child_run(const struct process_plan *p, int err_fd)
{
	hello(p, err_fd);
	/* runc's exec gives a terminal its own session; without one the
	 * process stays in the caller's. */
	if (p->terminal && setsid() < 0)
		fail(err_fd, errno, "setsid", NULL);
	setup_stdio(p, err_fd);
	set_limits(p, err_fd);
	prepare_fds(p, err_fd);
	confine(p, err_fd);
	reset_signals();
	if (!p->filters_early && seccomp_install(&p->bundle_filter) < 0)
		fail(err_fd, errno, "install linux.seccomp filter", NULL);
	execve(p->exec_path, p->argv, p->envp);
	fail(err_fd, errno, "exec: ", p->exec_path);
}
