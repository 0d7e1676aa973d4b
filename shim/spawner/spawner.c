#include "shim/spawner/spawner.h"

#include <errno.h>
#include <sys/resource.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/ioprio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "runtime/init/host.h"
#include "shim/ipc/init_proto.h"
#include "shim/ipc/spawn_proto.h"
#include "shim/ipc/wire.h"

/* pidfds of the processes forked here. Without a pid namespace there is no
 * signal scope and so no membership oracle: when the supervisor dies,
 * these are what the spawner can still kill (fail closed). */
#define TRACK_MAX 1024
static int tracked[TRACK_MAX];
static size_t n_tracked;
/* The intermediate writes its child's pid here. */
static int track_w = -1;

static void track(int track_r)
{
	int32_t pid = 0;
	ssize_t n;
	int fd;

	do {
		n = read(track_r, &pid, sizeof(pid));
	} while (n < 0 && errno == EINTR);
	close(track_r);
	if (n != (ssize_t)sizeof(pid) || pid <= 0)
		return;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return;
	/* Drop the ones that have exited to make room. */
	for (size_t i = 0; i < n_tracked;) {
		struct pollfd p = {.fd = tracked[i], .events = POLLIN};
		if (poll(&p, 1, 0) == 1) {
			close(tracked[i]);
			tracked[i] = tracked[--n_tracked];
		} else {
			i++;
		}
	}
	if (n_tracked < TRACK_MAX)
		tracked[n_tracked++] = fd;
	else
		close(fd);
}

/* A pipe for the next intermediate; returns the read end. */
static int track_pipe(int base)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	track_w = fd_above(p[1], base);
	return fd_above(p[0], base);
}

static void report_child(pid_t child)
{
	int32_t pid = child;

	if (track_w >= 0 && write(track_w, &pid, sizeof(pid)) < 0)
		_exit(1);
	if (track_w >= 0)
		close(track_w);
	track_w = -1;
}

/* A report on the process's channel (SOCK_SEQPACKET: one datagram). */
static void report(int chan, const struct init_report *m)
{
	unsigned char frame[INIT_FRAME_LEN];

	if (init_encode(m, frame) == 0)
		wire_send(chan, frame, sizeof(frame), NULL, 0, NULL, 0);
}

static void report_error(int chan, int err, const char *what)
{
	struct init_report m;

	init_error_set(&m, err, what, NULL);
	report(chan, &m);
}

/* The intermediate of init: fork it and report its pid to create. */
static void spawn_init(struct spawner_config *c)
{
	int track_r = track_pipe(c->base_fd);
	pid_t mid = fork();
	int status;

	if (mid < 0) {
		struct init_report m;
		init_error_set(&m, errno, "fork", NULL);
		if (init_send(c->sync_w, &m) < 0)
			_exit(1);
		return;
	}
	if (mid == 0) {
		struct init_report m = {.kind = INIT_PID};
		pid_t init = fork();
		if (init == 0)
			init_child_run(c->init, c->sync_w, c->listen_fd);
		report_child(init);
		if (init < 0)
			init_error_set(&m, errno, "fork init", NULL);
		else
			m.u.pid.pid = init;
		if (init_send(c->sync_w, &m) < 0)
			_exit(1);
		_exit(0);
	}
	rl_closep(&track_w);
	if (track_r >= 0)
		track(track_r);
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
}

/* The intermediate of an exec'd process. */
__attribute__((noreturn)) static void run_intermediate(struct process_plan *p, int chan)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	unsigned char frame[INIT_FRAME_LEN];
	struct init_report m;
	struct rl_error e;
	int errp[2], status;
	pid_t child;
	ssize_t n;

	sigaction(SIGCHLD, &sa, NULL);
	if (pipe2(errp, O_CLOEXEC) < 0) {
		report_error(chan, errno, "pipe");
		_exit(1);
	}
	errp[0] = fd_above(errp[0], 3 + p->preserve_fds);
	errp[1] = fd_above(errp[1], 3 + p->preserve_fds);
	child = fork();
	if (child < 0) {
		report_error(chan, errno, "fork");
		_exit(1);
	}
	if (child == 0) {
		close(errp[0]);
		exec_child_run(p, errp[1]);
	}
	report_child(child);
	close(errp[1]);
	/* The process has its stdio and preserved fds; a waiter that kept
	 * them would hold the caller's pipes open while it is stopped (a
	 * container process may stop it: it shares their signal scope), and
	 * the caller would never see EOF. */
	process_plan_close_stdio(p);
	do {
		n = read(errp[0], frame, sizeof(frame));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(frame)) {
		/* The child failed before execve: its error, checked, goes on. */
		if (init_decode(frame, sizeof(frame), 0, INIT_ST_CHILD, &m, &e) < 0)
			init_error_set(&m, e.err, e.msg, NULL);
		report(chan, &m);
		waitpid(child, &status, 0);
		_exit(0);
	}
	/* The supervisor leaves this waiter out of the container's list; a
	 * signal to the container's processes (kill --all, pause) is not for
	 * it either. */
	m = (struct init_report){.kind = INIT_STARTED,
	                         .u.started = {.pid = child, .waiter = getpid()}};
	report(chan, &m);
	sa.sa_handler = SIG_IGN;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGCHLD)
			sigaction(sig, &sa, NULL);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 255 << 8;
			break;
		}
	}
	m = (struct init_report){.kind = INIT_EXIT, .u.exit.status = status};
	report(chan, &m);
	_exit(0);
}

static int plan_exec(struct spawner_config *c, const struct spawn_exec *r, struct process_plan *p,
                     struct rl_error *e)
{
	struct oci_process *proc = NULL;
	struct oci_config tmp;
	int rootfd, ret;

	if (oci_process_parse(r->process_json, r->json_len, &proc, e) < 0)
		return -1;
	tmp = *c->cfg;
	tmp.process = proc;
	ret = oci_config_validate(&tmp, e);
	if (ret == 0 && proc->terminal != r->tty)
		ret = rl_fail(e, EINVAL, "process.terminal does not match --tty");
	rootfd = ret == 0 ? open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (ret == 0 && rootfd < 0)
		ret = rl_fail_errno(e, errno, "open the container's root");
	if (ret == 0)
		ret = process_plan_build(&tmp, fd_above(rootfd, 3 + r->preserve_fds),
		                         r->preserve_fds, p, e);
	if (ret == 0) {
		/* Same confinement as init: its filters, borrowed. */
		p->runlock_filter = c->init->runlock_filter;
		p->raw_filter = c->init->raw_filter;
		p->bundle_filter = c->init->bundle_filter;
		p->notify_filter = c->init->notify_filter;
		p->host_nnp = c->init->host_nnp;
		p->host_noptrace = c->init->host_noptrace;
		p->filters_early = !p->no_new_privs || p->host_noptrace;
		ret = host_check_caps(p, e);
		/* argv and cwd are borrowed from proc: keep it with the plan
		 * until the fork is done. */
	}
	if (ret < 0)
		oci_process_free(proc);
	else
		p->owned_process = proc;
	return ret;
}

static void release_exec_plan(struct process_plan *p)
{
	memset(&p->runlock_filter, 0, sizeof(p->runlock_filter));
	memset(&p->raw_filter, 0, sizeof(p->raw_filter));
	memset(&p->bundle_filter, 0, sizeof(p->bundle_filter));
	memset(&p->notify_filter, 0, sizeof(p->notify_filter));
	oci_process_free(p->owned_process);
	p->owned_process = NULL;
	process_plan_free(p);
}

/* Send m to the supervisor. */
static void tell(const struct spawner_config *c, const struct spawn_msg *m, const int *fds,
                 size_t nfds)
{
	char head[SPAWN_HEAD_MAX];
	ssize_t n = spawn_encode(m, head, NULL);

	if (n > 0)
		wire_send(c->sock, head, (size_t)n, NULL, 0, fds, nfds);
}

static void serve_exec(struct spawner_config *c, const char *buf, size_t n, int *fds, size_t nfds)
{
	struct spawn_msg req, rep = {.kind = SPAWN_DONE};
	const struct spawn_exec *r = &req.u.exec;
	struct process_plan plan;
	struct rl_error e;
	bool tty;
	pid_t mid;
	int track_r;

	memset(&plan, 0, sizeof(plan));
	plan.rootfs_fd = plan.pty_slave_fd = plan.netns_fd = plan.landlock.ruleset_fd = -1;
	if (spawn_decode(buf, n, nfds, SPAWN_ST_SERVING, &req, &e) < 0)
		goto fail;
	tty = r->tty;
	/* Every fd the child will place must sit above the range it fills. */
	for (size_t i = 0; i < nfds; i++)
		fds[i] = fd_above(fds[i], 3 + r->preserve_fds);
	if (plan_exec(c, r, &plan, &e) < 0)
		goto fail;
	plan.chan_fd = fds[0];
	if (tty) {
		plan.pty_slave_fd = fds[1];
		fds[1] = -1;
	} else {
		for (int i = 0; i < 3; i++)
			plan.stdio_fds[i] = fds[1 + i];
	}
	plan.pass_fds = fds + (tty ? 2 : 4);
	track_r = track_pipe(c->base_fd);
	mid = fork();
	if (mid == 0)
		run_intermediate(&plan, fds[0]);
	rl_closep(&track_w);
	if (track_r >= 0)
		track(track_r);
	if (mid < 0) {
		rl_fail_errno(&e, errno, "fork");
		goto fail;
	}
	plan.chan_fd = -1;
	plan.stdio_fds[0] = plan.stdio_fds[1] = plan.stdio_fds[2] = -1;
	release_exec_plan(&plan);
	wire_close_fds(fds, nfds);
	tell(c, &rep, NULL, 0);
	return;
fail:
	release_exec_plan(&plan);
	wire_close_fds(fds, nfds);
	rep.kind = SPAWN_FAILED;
	rep.u.failed.err = e.err;
	memcpy(rep.u.failed.msg, e.msg, sizeof(rep.u.failed.msg) - 1);
	rep.u.failed.msg[sizeof(rep.u.failed.msg) - 1] = '\0';
	tell(c, &rep, NULL, 0);
}

void spawner_run(struct spawner_config *c)
{
	static char buf[WIRE_MAX_MSG];
	struct sigaction sa = {.sa_handler = SIG_IGN};
	int fds[WIRE_MAX_FDS];
	struct spawn_msg hello = {.kind = SPAWN_HELLO, .u.hello.pid = getpid()};
	int self;

	prctl(PR_SET_NAME, "rl-spawner", 0, 0, 0);
	/* A nested domain: the container below cannot signal the agent. */
	if (landlock_enforce(&c->init->landlock) < 0)
		init_fail(c->sync_w, errno, "landlock_restrict_self");
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (self >= 0) {
		tell(c, &hello, &self, 1);
		close(self);
	}
	spawn_init(c);
	/* exec'd processes inherit the container's CPU placement and priority
	 * from the spawner, which runlock update changes with the members. */
	if ((c->init->has_cpus &&
	     sched_setaffinity(0, sizeof(c->init->cpus), &c->init->cpus) < 0) ||
	    (c->init->has_nice && setpriority(PRIO_PROCESS, 0, c->init->nice) < 0) ||
	    (c->init->sched_idle &&
	     sched_setscheduler(0, SCHED_IDLE, &(struct sched_param){.sched_priority = 0}) < 0) ||
	    (c->init->ioprio &&
	     syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, c->init->ioprio) < 0))
		init_fail(c->sync_w, errno, "the spawner's CPU placement and priority");
	rl_closep(&c->sync_w);
	rl_closep(&c->listen_fd);
	process_plan_close_passed(c->init);
	/* Intermediates are reaped by the kernel; each resets this. */
	sigaction(SIGCHLD, &sa, NULL);
	for (;;) {
		size_t nfds = 0;
		ssize_t n = wire_recv(c->sock, buf, sizeof(buf), fds, WIRE_MAX_FDS, &nfds);
		if (n == 0 || (n < 0 && errno != EMSGSIZE && errno != EINTR)) {
			/* The supervisor is gone. The agent kills the container
			 * when it has the oracle; these go in any case. */
			for (size_t i = 0; i < n_tracked; i++)
				syscall(SYS_pidfd_send_signal, tracked[i], SIGKILL, NULL, 0);
			_exit(0);
		}
		if (n < 0)
			continue;
		serve_exec(c, buf, (size_t)n, fds, nfds);
	}
}
