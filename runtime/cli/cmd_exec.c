/* runlock exec: run a new process in a running container, through its
 * supervisor (shim/ipc/control.h), in the same chroot, Landlock domain,
 * filters and emulation as init. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/console.h"
#include "runtime/lifecycle/container.h"
#include "runtime/lifecycle/exec_process.h"
#include "common/proc.h"
#include "runtime/state/state.h"
#include "shim/ipc/control.h"

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_user(const char *s, struct exec_opts *o)
{
	char buf[64];
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (parse_u32(colon + 1, &o->gid) < 0)
			return -1;
		o->has_gid = true;
	}
	if (parse_u32(buf, &o->uid) < 0)
		return -1;
	o->has_user = true;
	return 0;
}

/* A usage error has been printed: -1. */
#define usage_error(...) (cli_usage_error("exec", __VA_ARGS__), -1)

static int parse_opts(int argc, char **argv, struct exec_opts *o, const char **id)
{
	static const struct option opts[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'},
	    {"console-socket", required_argument, NULL, 'C'},
	    {"tty", no_argument, NULL, 't'},
	    {"env", required_argument, NULL, 'e'},
	    {"cwd", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"additional-gids", required_argument, NULL, 'g'},
	    {"cap", required_argument, NULL, 'c'},
	    {"no-new-privs", no_argument, NULL, 'N'},
	    {"preserve-fds", required_argument, NULL, 'F'},
	    {"process-label", required_argument, NULL, 'l'},
	    {"apparmor", required_argument, NULL, 'a'},
	    {"ignore-paused", no_argument, NULL, 'I'},
	    {"cgroup", required_argument, NULL, 'G'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:dte:u:g:c:h", opts, NULL)) != -1) {
		uint32_t v;
		switch (c) {
		case 'p':
			o->process_file = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'P':
			o->pid_file = optarg;
			break;
		case 'C':
			o->console_socket = optarg;
			break;
		case 't':
			o->tty = true;
			break;
		case 'w':
			o->cwd = optarg;
			break;
		case 'N':
			o->no_new_privs = true;
			break;
		case 'I':
			o->ignore_paused = true;
			break;
		case 'l':
		case 'a':
		case 'G':
			break; /* accepted, as for create */
		case 'e':
			if (o->n_env == EXEC_MAX_LIST)
				return usage_error("too many --env");
			o->env[o->n_env++] = optarg;
			break;
		case 'c':
			if (o->n_caps == EXEC_MAX_LIST)
				return usage_error("too many --cap");
			o->caps[o->n_caps++] = optarg;
			break;
		case 'g':
			if (o->n_gids == EXEC_MAX_LIST || parse_u32(optarg, &v) < 0)
				return usage_error("invalid --additional-gids %s", optarg);
			o->gids[o->n_gids++] = v;
			break;
		case 'u':
			if (parse_user(optarg, o) < 0)
				return usage_error("invalid --user %s: want UID[:GID]", optarg);
			break;
		case 'F':
			if (parse_u32(optarg, &v) < 0 || v > 32)
				return usage_error("invalid --preserve-fds %s", optarg);
			o->preserve_fds = (int)v;
			break;
		case 'h':
			cli_help("exec");
			return 1;
		default:
			return usage_error("flag provided but not defined: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("requires at least 1 argument (container id), got 0");
	*id = argv[optind++];
	o->args = argv + optind;
	o->n_args = argc - optind;
	/* runc: "exec failed: process args cannot be empty", exit 255. */
	if (!o->process_file && o->n_args == 0)
		return -2;
	return 0;
}

/* The process JSON, from --process or from the container's config, with
 * what exec itself needs of it: the terminal flag and the user (who owns
 * the terminal). */
static int build_process(int dirfd, const struct exec_opts *o, char **json, size_t *len,
                         bool *terminal, uint32_t *uid, struct rl_error *e)
{
	_cleanup_config_ struct oci_config *cfg = NULL;
	struct oci_process *p = NULL;

	if (o->process_file) {
		/* Any file runc would read: a pipe too (`-p /dev/fd/63`). */
		if (oci_json_stream_read(o->process_file, json, len, e) < 0)
			return -1;
	} else {
		if (oci_config_load(dirfd, &cfg, e) < 0 ||
		    exec_process_json(cfg, o, json, len, terminal, e) < 0)
			return -1;
	}
	if (oci_process_parse(*json, *len, &p, e) < 0)
		return o->process_file ? rl_error_prefix(e, "process file %s", o->process_file)
		                       : -1;
	*terminal = p->terminal;
	*uid = p->user.uid;
	oci_process_free(p);
	return 0;
}

/* runc exits 255 on every exec failure past the command line, with the
 * message prefixed "exec failed: " (the supervisor's own already is). */
static int exec_fail(struct rl_error *e)
{
	if (strncmp(e->msg, "exec failed: ", 13) != 0)
		rl_error_prefix(e, "exec failed");
	cli_fail(e);
	return 255;
}

static void stop_new_process(pid_t pid)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGSTOP, NULL, 0);
}

/* ctx: the process's pidfd. */
static bool forward(int sig, void *ctx)
{
	if (sig != SIGWINCH && sig != SIGCHLD)
		syscall(SYS_pidfd_send_signal, *(int *)ctx, sig, NULL, 0);
	return true;
}

/* Forward signals until the supervisor reports the exit; *status is the
 * process's wait status. */
static int wait_exit(int sock, int sig_fd, int master, int *pidfd, int *status, struct rl_error *e)
{
	struct ctl_reply rep;

	if (master >= 0)
		console_proxy(master, sig_fd, forward, pidfd); /* until the pty hangs up */
	for (;;) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
		                      {.fd = sig_fd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return rl_fail_errno(e, errno, "poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				forward((int)si.ssi_signo, pidfd);
		}
		if (p[0].revents) {
			if (ctl_recv(sock, CTL_AWAIT_EXIT, &rep, NULL, 0, e) < 0)
				return -1;
			*status = rep.u.exit.status; /* the one reply permitted */
			return 0;
		}
	}
}

/* Signals that end `exec` while no process exists yet to forward them to. */
static bool ends_wait(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
}

#define EXEC_MAX_PENDING 32

/* Wait for the supervisor's STARTED (the process's pid) while keeping the
 * signals: runc's exec forwards what arrives before its process exists once
 * it does, and is ended by SIGTERM or SIGINT at any time. Those end this
 * wait (returned as the signal number; closing the connection makes the
 * supervisor kill the process if it starts); the others are kept in
 * pending[] for the process. Returns 0 with the reply, the signal, or -1. */
static int wait_started(int sock, int sig_fd, struct ctl_reply *rep, int *pending, size_t *np,
                        struct rl_error *e)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
		                      {.fd = sig_fd, .events = POLLIN}};
		if (poll(p, sig_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return rl_fail_errno(e, errno, "poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			int sig;
			if (read(sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			sig = (int)si.ssi_signo;
			if (ends_wait(sig))
				return sig;
			if (sig != SIGWINCH && sig != SIGCHLD && *np < EXEC_MAX_PENDING)
				pending[(*np)++] = sig;
			continue;
		}
		if (p[0].revents)
			return ctl_recv(sock, CTL_AWAIT_STARTED, rep, NULL, 0, e);
	}
}

/* Die the way the process died, so whoever reaps us reads its status. */
__attribute__((noreturn)) static void mirror_exit(int status)
{
	if (WIFSIGNALED(status)) {
		struct rlimit no_core = {0, 0};
		sigset_t all;
		int sig = WTERMSIG(status);
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		kill(getpid(), sig);
		_exit(128 + sig);
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
}

/* Keep fds[0..n) (moved above stdio when they are not), stdio on /dev/null,
 * and close every other descriptor. */
static void keep_only(int *fds, size_t n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	unsigned next = 3;

	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0 && fds[i] < 3)
			fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
	if (null < 0)
		_exit(255);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	/* Close the gaps between the kept ones, lowest first. */
	for (;;) {
		unsigned lowest = ~0U;
		for (size_t i = 0; i < n; i++)
			if (fds[i] >= 0 && (unsigned)fds[i] >= next && (unsigned)fds[i] < lowest)
				lowest = (unsigned)fds[i];
		if (lowest == ~0U) {
			syscall(SYS_close_range, next, ~0U, 0);
			return;
		}
		if (lowest > next)
			syscall(SYS_close_range, next, lowest - 1, 0);
		next = lowest + 1;
	}
}

/* `exec --detach`: the process's reaper is the subreaper above the
 * container's supervisor, but conmon (one per exec) and containerd's shim
 * wait for the pid in the pid file as *their* child. So a stand-in forked
 * here, in the caller's tree, takes that place, and the pid file names it:
 * it forwards signals to the process and exits as the process exits, with
 * its status; if the stand-in is killed, the supervisor kills the process.
 * It holds its connection, the signalfd and a pidfd of the process, and
 * nothing of the caller's: a caller waiting for EOF on a pipe it passed
 * must not wait for the stand-in. Returns the stand-in's pid. */
static pid_t fork_stand_in(int sock, int sig_fd, pid_t target, struct rl_error *e)
{
	pid_t pid = fork();

	if (pid < 0)
		return rl_fail_errno(e, errno, "fork");
	if (pid == 0) {
		int keep[3] = {sock, sig_fd, (int)syscall(SYS_pidfd_open, target, 0)};
		struct rl_error ignored;
		int status = 255 << 8;

		keep_only(keep, 3);
		if (wait_exit(keep[0], keep[1], -1, &keep[2], &status, &ignored) < 0)
			_exit(255);
		mirror_exit(status);
	}
	return pid;
}

int cmd_exec(const struct global_opts *g, int argc, char **argv)
{
	struct exec_opts o;
	struct rl_error e;
	struct container_dir d;
	struct container_state s;
	struct pty_pair pty = {.master = -1, .slave = -1};
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int sock = -1, sig_fd = -1;
	struct ctl_request req = {.kind = CTL_EXEC};
	struct ctl_reply rep;
	_cleanup_close_ int pidfd = -1;
	int fds[3 + 32 + 1], nfds = 0, r = -1, status = 0;
	int pending[EXEC_MAX_PENDING];
	size_t n_pending = 0;
	size_t len = 0;
	bool terminal = false, paused = false;
	uint32_t uid = 0;
	const char *id = NULL;
	sigset_t set;

	r = parse_opts(argc, argv, &o, &id);
	if (r == -2) {
		rl_fail(&e, EINVAL, "process args cannot be empty");
		return exec_fail(&e);
	}
	if (r != 0)
		return r < 0 ? 1 : 0;
	r = -1;
	if (container_open_locked(g, id, &d, &s, &e) < 0)
		return exec_fail(&e);
	if (s.status == STATUS_STOPPED) {
		rl_fail(&e, EINVAL, "cannot exec in a stopped container");
		goto out;
	}
	paused = s.status == STATUS_PAUSED;
	if (paused && !o.ignore_paused) {
		rl_fail(&e, EINVAL, "cannot exec in a paused container");
		goto out;
	}
	if (build_process(d.fd, &o, &json, &len, &terminal, &uid, &e) < 0)
		goto out;
	if (console_check(terminal, o.detach, o.console_socket, &e) < 0)
		goto out;
	sock = ctl_connect(d.fd);
	if (sock < 0) {
		rl_fail(&e, ESRCH, "container not running");
		goto out;
	}
	/* The container's lock is not needed while the process runs. */
	state_dir_close(&d);
	if (terminal) {
		if (console_open_pty(0, 0, &pty, &e) < 0 || console_set_owner(&pty, uid, &e) < 0)
			goto out;
		if (o.console_socket && console_send_master(o.console_socket, &pty, &e) < 0)
			goto out;
		fds[nfds++] = pty.slave;
		req.u.exec.tty = true;
	} else {
		for (int i = 0; i < 3; i++)
			fds[nfds++] = i;
	}
	for (int i = 0; i < o.preserve_fds; i++)
		fds[nfds++] = 3 + i;
	req.u.exec.preserve_fds = o.preserve_fds;
	{
		sigfillset(&set);
		sigdelset(&set, SIGKILL);
		sigdelset(&set, SIGSTOP);
		sigdelset(&set, SIGSEGV);
		sigdelset(&set, SIGBUS);
		sigdelset(&set, SIGFPE);
		sigdelset(&set, SIGILL);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	}
	req.u.exec.process_json = json;
	req.u.exec.json_len = len;
	if (ctl_send(sock, &req, fds, (size_t)nfds, &e) < 0)
		goto out;
	rl_closep(&pty.slave);
	r = wait_started(sock, sig_fd, &rep, pending, &n_pending, &e);
	if (r > 0) {
		/* As if killed by it, before the process ran: the supervisor
		 * sees the connection close and kills it if it starts. */
		rl_closep(&sock);
		mirror_exit(W_EXITCODE(0, r));
	}
	if (r < 0)
		goto out;
	r = -1;
	/* --ignore-paused: the new process joins the pause, as it would join
	 * runc's frozen cgroup; `resume` continues it with the others. Unlike
	 * a freezer, it may run for a moment before the stop lands. */
	if (paused)
		stop_new_process(rep.u.started.pid);
	if (o.detach) {
		pid_t stand_in;
		rl_closep(&pty.master);
		stand_in = fork_stand_in(sock, sig_fd, rep.u.started.pid, &e);
		if (stand_in < 0)
			goto out;
		if (o.pid_file && state_write_pid_file(o.pid_file, stand_in, &e) < 0) {
			kill(stand_in, SIGKILL);
			goto out;
		}
		r = 0;
		goto out;
	}
	if (o.pid_file && state_write_pid_file(o.pid_file, rep.u.started.pid, &e) < 0)
		goto out;
	pidfd = (int)syscall(SYS_pidfd_open, rep.u.started.pid, 0);
	for (size_t i = 0; i < n_pending; i++)
		forward(pending[i], &pidfd);
	if (o.console_socket)
		rl_closep(&pty.master);
	if (wait_exit(sock, sig_fd, pty.master, &pidfd, &status, &e) == 0)
		r = proc_exit_code(status);
out:
	rl_closep(&pty.master);
	rl_closep(&pty.slave);
	if (d.fd >= 0)
		state_dir_close(&d);
	state_free(&s);
	if (r < 0)
		return exec_fail(&e);
	return r;
}
