/* The container init between fork and execve. Async-signal-safe calls only:
 * everything it needs was prepared by process_plan_build(). */
#include "runtime/process.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void copy_str(char *dst, size_t size, const char *a, const char *b)
{
	size_t n = 0;

	for (; a && *a && n + 1 < size; a++)
		dst[n++] = *a;
	for (; b && *b && n + 1 < size; b++)
		dst[n++] = *b;
	dst[n] = '\0';
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

__attribute__((noreturn)) static void fail(int sync_fd, int err, const char *what,
                                           const char *detail)
{
	struct init_msg m = {.type = INIT_MSG_ERROR, .value = err};

	copy_str(m.what, sizeof(m.what), what, detail);
	write_all(sync_fd, &m, sizeof(m));
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
		if (p->cap_bounding & (UINT64_C(1) << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			fail(sync_fd, errno, "drop capability from bounding set", NULL);
	}
}

static void set_identity(const struct process_plan *p, int sync_fd)
{
	if (setgroups(p->n_groups, p->groups) < 0)
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
	struct init_msg m = {.type = INIT_MSG_HOOKS, .value = getpid()};

	close(p->hooks.gate_peer_fd);
	write_all(sync_fd, &m, sizeof(m));
	if (hooks_recv_state(p->hooks.gate_fd, st) < 0)
		fail(sync_fd, errno, "wait for the createRuntime hooks", NULL);
	close(p->hooks.gate_fd);
}

static void run_create_hooks(const struct process_plan *p, int sync_fd, const struct hook_state *st)
{
	char what[sizeof(((struct init_msg *)0)->what)];
	int err = 0;

	if (hooks_run_prepared("createContainer", p->hooks.create_container,
	                       p->hooks.n_create_container, st, what, sizeof(what), &err) < 0)
		fail(sync_fd, err, what, NULL);
}

/* After READY, failures go to `start` on its connection. */
__attribute__((noreturn)) static void start_fail(int conn, int err, const char *what)
{
	struct init_msg m = {.type = INIT_MSG_ERROR, .value = err};

	copy_str(m.what, sizeof(m.what), what, NULL);
	write_all(conn, &m, sizeof(m));
	_exit(127);
}

/* `start` sends 'S', or 'H' and the state for the startContainer hooks,
 * which run here: after start, in the container's context, right before
 * execve. */
static void run_start_hooks(const struct process_plan *p, int conn, char req)
{
	struct hook_state st = {0};
	char what[sizeof(((struct init_msg *)0)->what)];
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

void init_child_run(const struct process_plan *p, int sync_fd, int listen_fd)
{
	struct init_msg ready = {.type = INIT_MSG_READY};
	struct hook_state hook_state = {0};
	int conn;
	char req;

	/* A session of its own, as runc's init: the caller's terminal signals
	 * do not reach it, and it can take a controlling terminal. */
	if (setsid() < 0)
		fail(sync_fd, errno, "setsid", NULL);
	if (p->terminal) {
		if (ioctl(p->pty_slave_fd, TIOCSCTTY, 0) < 0)
			fail(sync_fd, errno, "set controlling terminal", NULL);
		for (int fd = 0; fd < 3; fd++)
			if (dup2(p->pty_slave_fd, fd) < 0)
				fail(sync_fd, errno, "dup2 terminal onto stdio", NULL);
	}
	/* Joining needs CAP_SYS_ADMIN and the host's view of the path. */
	if (p->netns_fd >= 0 && setns(p->netns_fd, CLONE_NEWNET) < 0)
		fail(sync_fd, errno, "join network namespace", NULL);
	if (p->has_oom_score_adj) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, p->oom_score_adj, strlen(p->oom_score_adj)) < 0)
			fail(sync_fd, errno, "write oom_score_adj", NULL);
		close(fd);
	}
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].lim) < 0)
			fail(sync_fd, errno, "error setting rlimit type ", p->rlimits[i].name);
	if (p->hooks.gate_fd >= 0)
		await_create_hooks(p, sync_fd, &hook_state);
	if (fchdir(p->rootfs_fd) < 0)
		fail(sync_fd, errno, "chdir to rootfs", NULL);
	if (chroot(".") < 0)
		fail(sync_fd, errno, "chroot into rootfs", NULL);
	if (chdir("/") < 0)
		fail(sync_fd, errno, "chdir to / in rootfs", NULL);
	/* Every process forked from here on, the user program included, is in
	 * the container's Landlock domain. */
	if (landlock_enforce(&p->landlock) < 0)
		fail(sync_fd, errno, "landlock_restrict_self", NULL);
	/* runlock's own filters go in at once, while init still holds
	 * CAP_SYS_ADMIN: the container hooks and every later step run under
	 * them, and they deny nothing this bootstrap needs. */
	if (seccomp_install(&p->runlock_filter) < 0 || seccomp_install(&p->raw_filter) < 0)
		fail(sync_fd, errno, "install runlock's seccomp filter", NULL);
	if (p->filters_early && seccomp_install(&p->bundle_filter) < 0)
		fail(sync_fd, errno, "install linux.seccomp filter", NULL);
	drop_bounding(p, sync_fd);
	set_identity(p, sync_fd);
	/* As the container user, so permissions on the path apply. */
	if (chdir(p->cwd) < 0)
		fail(sync_fd, errno, "chdir to cwd set in config.json failed: ", p->cwd);
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(sync_fd, errno, "prctl(PR_SET_NO_NEW_PRIVS)", NULL);
	if (p->has_umask)
		umask(p->umask);
	if (p->reap_orphans && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		fail(sync_fd, errno, "prctl(PR_SET_CHILD_SUBREAPER)", NULL);
	reset_signals();
	/* Preserved fds stay open across exec; everything else above stdio is
	 * closed by exec (our own fds are already close-on-exec). */
	for (int fd = 3; fd < 3 + p->preserve_fds; fd++) {
		int flags = fcntl(fd, F_GETFD);
		if (flags >= 0)
			fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	}
	if (syscall(SYS_close_range, 3 + p->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail(sync_fd, errno, "close_range", NULL);
	if (p->pty_slave_fd > 2)
		close(p->pty_slave_fd);
	/* In the container's chroot, Landlock domain, credentials,
	 * capabilities and runlock's seccomp filter; before the bundle's
	 * filter when it goes in last. */
	if (p->hooks.n_create_container > 0)
		run_create_hooks(p, sync_fd, &hook_state);

	write_all(sync_fd, &ready, sizeof(ready));
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
	run_start_hooks(p, conn, req);
	/* Last, so the bundle's profile only has to allow execve itself. */
	if (!p->filters_early && seccomp_install(&p->bundle_filter) < 0)
		start_fail(conn, errno, "install linux.seccomp filter");

	execve(p->exec_path, p->argv, p->envp);
	start_fail(conn, errno, "exec");
}
