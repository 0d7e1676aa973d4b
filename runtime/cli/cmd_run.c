/* runlock run: create + start, and in the foreground wait for the container,
 * forwarding signals, and exit with its status. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/console.h"
#include "runtime/lifecycle/container.h"
#include "common/log.h"
#include "common/proc.h"

/* Signals a foreground run passes on to the container's init. SIGCHLD is
 * ours; SIGKILL and SIGSTOP cannot be caught. */
static const int forwarded[] = {SIGHUP,  SIGINT,    SIGQUIT, SIGUSR1,  SIGUSR2, SIGPIPE, SIGALRM,
                                SIGTERM, SIGCONT,   SIGTSTP, SIGTTIN,  SIGTTOU, SIGURG,  SIGXCPU,
                                SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO,   SIGPWR,  SIGSYS};

struct waiter {
	pid_t init;
	int pidfd;
	bool pid_ns; /* init is "pid 1": a signal it does not catch is dropped */
	bool exited;
	int status;
};

/* Reap every child that has exited (we are a subreaper: orphans of the
 * container land here too); note init's status. */
static void reap(struct waiter *w)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0)
			return;
		if (pid == w->init) {
			w->exited = true;
			w->status = status;
		}
	}
}

/* Returns false once init has exited. */
static bool on_signal(int sig, void *ctx)
{
	struct waiter *w = ctx;

	if (sig == SIGCHLD) {
		reap(w);
		return !w->exited;
	}
	if (sig == SIGWINCH)
		return true; /* the console proxy resizes the pty */
	/* runc forwards from the parent pid namespace: pid 1 of the
	 * container gets only what it catches. */
	if (w->pid_ns && proc_init_drops(w->init, sig, true))
		return true;
	syscall(SYS_pidfd_send_signal, w->pidfd, sig, NULL, 0);
	return true;
}

static void wait_plain(int sig_fd, struct waiter *w)
{
	reap(w);
	while (!w->exited) {
		struct signalfd_siginfo si;
		ssize_t n = read(sig_fd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			break;
		on_signal((int)si.ssi_signo, w);
	}
}

/* Init has exited. As a subreaper, everything still below us came from the
 * container (our only child was the intermediate): kill it, as runc does when
 * it destroys the container, and reap it. */
static void kill_leftovers(struct waiter *w)
{
	/* Killed children turn zombie and drop out of the listing; reap them
	 * once all are gone. The kernel's children lists, or all of /proc. */
	if (proc_kill_children() < 0)
		proc_kill_container(getpid(), 0);
	reap(w);
}

int cmd_run(const struct global_opts *g, int argc, char **argv)
{
	struct create_opts o;
	struct created out;
	struct rl_error e;
	struct waiter w = {.pidfd = -1};
	_cleanup_close_ int sig_fd = -1, master = -1;
	sigset_t set, old;
	bool keep;
	int r = cli_parse_create_opts("run", argc, argv, true, &o, &keep);

	if (r != 0)
		return r < 0 ? 1 : 0;
	/* The init double-forks away from us; as a subreaper we still get it
	 * back as a child and can wait for it. */
	if (!o.detach && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		rl_fail_errno(&e, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
		return cli_fail(&e);
	}
	/* Block before create so no signal is lost between init starting and
	 * the wait loop; init resets its mask before exec. */
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGCHLD);
	if (!o.detach) {
		sigprocmask(SIG_BLOCK, &set, &old);
		sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
		if (sig_fd < 0) {
			rl_fail_errno(&e, errno, "signalfd");
			return cli_fail(&e);
		}
	}
	o.keep_master = !o.detach && !o.console_socket;
	if (container_create(g, &o, &out, &e) < 0)
		return cli_fail(&e);
	master = out.pty_master;
	if (container_start(g, o.id, &e) < 0) {
		struct rl_error ignored;
		container_delete(g, o.id, true, &ignored);
		return cli_fail(&e);
	}
	if (o.detach)
		return 0;

	w.init = out.pid;
	w.pid_ns = out.pid_ns;
	w.pidfd = proc_open_verified(out.pid, out.start_time);
	if (master >= 0)
		console_proxy(master, sig_fd, on_signal, &w);
	wait_plain(sig_fd, &w);
	if (w.pidfd >= 0)
		close(w.pidfd);
	/* delete first: it stops the supervisor, also our child, cleanly. */
	if (!keep && container_delete(g, o.id, true, &e) < 0)
		log_warn("delete %s after run: %s", o.id, e.msg);
	kill_leftovers(&w);
	return w.exited ? proc_exit_code(w.status) : 255;
}
