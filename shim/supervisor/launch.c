/* Starting the supervisor, the agent and the spawner from `create`, and
 * stopping the supervisor from `delete`.
 *
 * Every descriptor made here that the chain passes on sits at or above
 * 3 + preserve_fds, so none lands in the range init hands to its program,
 * and each process closes what it passed on as soon as it has: the caller's
 * stdio and preserved fds end up held by init alone, so the caller's pipes
 * see EOF when the container closes them. */
#include "shim/supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/log.h"
#include "runtime/confine/namespaces.h"
#include "common/proc.h"
#include "shim/agent/agent.h"
#include "shim/ipc/control.h"
#include "shim/ipc/init_proto.h"
#include "shim/spawner/spawner.h"
#include "shim/ipc/wire.h"

static int pair(int sv[2], int base)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	sv[0] = fd_above(sv[0], base);
	sv[1] = fd_above(sv[1], base);
	return sv[0] < 0 || sv[1] < 0 ? -1 : 0;
}

static int listen_ctl(int dirfd, int base)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int sock =
	    fd_above(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), base);
	mode_t old;
	int r;

	if (sock < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/" CTL_SOCKET, dirfd);
	old = umask(0177); /* 0600 from the start: no window for others */
	r = bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (r < 0 || listen(sock, 64) < 0) {
		close(sock);
		return -1;
	}
	return sock;
}

/* The agent: enter the container (network namespace, chroot, Landlock
 * domain), fork the spawner, lock itself down, serve. */
__attribute__((noreturn)) static void agent_boot(struct supervisor_args *a, int agent_sock,
                                                 int spawner_sock, int base)
{
	struct process_plan *p = a->plan;
	struct agent_config ac = {.sock = agent_sock, .n_dirs = 1};
	static int mount_fds[4096];
	struct rl_error e;
	pid_t spawner;

	prctl(PR_SET_NAME, "rl-agent", 0, 0, 0);
	/* Inherited by the spawner and so by every container process. */
	if (p->has_oom_score_adj) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, p->oom_score_adj, strlen(p->oom_score_adj)) < 0)
			init_fail(a->sync_w, errno,
			          errno == EACCES ? "config.json: process.oomScoreAdj: lowering it "
			                            "needs CAP_SYS_RESOURCE, which runlock lacks"
			                          : "write oom_score_adj");
		close(fd);
	}
	/* For listing pids only: Landlock forbids opening anything below it
	 * once the domain is entered, and the agent's filter forbids openat. */
	ac.proc_fd = fd_above(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), base);
	if (p->netns_fd >= 0 && setns(p->netns_fd, CLONE_NEWNET) < 0)
		init_fail(a->sync_w, errno, "join network namespace");
	if (fchdir(p->rootfs_fd) < 0)
		init_fail(a->sync_w, errno, "chdir to rootfs");
	if (chroot(".") < 0)
		init_fail(a->sync_w, errno, "chroot into rootfs");
	if (chdir("/") < 0)
		init_fail(a->sync_w, errno, "chdir to / in rootfs");
	/* Without CAP_SYS_ADMIN, Landlock and every seccomp filter below
	 * need no_new_privs: set here once, inherited by the spawner and
	 * every container process (runtime/init/host.h). */
	if (p->host_nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		init_fail(a->sync_w, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (landlock_enforce(&p->landlock) < 0)
		init_fail(a->sync_w, errno, "landlock_restrict_self");
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	ac.dirs[0] = fd_above(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), base);
	if (ac.dirs[0] < 0)
		init_fail(a->sync_w, errno, "open the container's root");
	/* The sources stay pinned across the chroot: the agent opens beneath
	 * them (Landlock allows what the mount's options allow). */
	for (size_t i = 0; a->mounts && i < a->mounts->n && i < 4096; i++)
		mount_fds[ac.n_mounts++] = a->mounts->m[i].fd;
	ac.mount_fds = mount_fds;
	spawner = fork();
	if (spawner < 0)
		init_fail(a->sync_w, errno, "fork the spawner");
	if (spawner == 0) {
		struct spawner_config sc = {.sock = spawner_sock,
		                            .cfg = a->cfg,
		                            .init = p,
		                            .sync_w = a->sync_w,
		                            .listen_fd = a->listen_fd,
		                            .base_fd = base};
		close(agent_sock);
		if (ac.proc_fd >= 0)
			close(ac.proc_fd);
		close(ac.dirs[0]);
		spawner_run(&sc);
	}
	close(spawner_sock);
	rl_closep(&a->sync_w);
	rl_closep(&a->listen_fd);
	process_plan_close_passed(a->plan);
	rl_closep(&p->landlock.ruleset_fd);
	ac.exclude[ac.n_exclude++] = spawner;
	ac.euid = geteuid();
	ac.egid = getegid();
	ac.umask = umask(022);
	umask(ac.umask);
	if (agent_confine(&e) < 0)
		_exit(1); /* the supervisor sees the agent die and fails closed */
	agent_serve(&ac);
}

static void detach_stdio(struct supervisor_args *a, int base)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int i = 0; i < 3; i++) {
		a->plan->stdio_fds[i] = fcntl(i, F_DUPFD_CLOEXEC, base);
		if (null >= 0)
			dup2(null, i);
	}
	if (null > 2)
		close(null);
}

void supervisor_boot(struct supervisor_args *a)
{
	struct process_plan *p = a->plan;
	int base = 3 + p->preserve_fds;
	int ag[2], sp[2], ic[2];
	struct sigaction sa = {.sa_handler = SIG_IGN};
	struct supervisor s;
	struct rl_error e;
	pid_t agent;

	memset(&s, 0, sizeof(s));
	s.cfg = a->cfg;
	setsid();
	prctl(PR_SET_NAME, "rl-supervisor", 0, 0, 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
			sigaction(sig, &sa, NULL);
	{
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	detach_stdio(a, base);
	s.dirfd = fd_above(a->dirfd, base);
	s.ctl_fd = listen_ctl(s.dirfd, base);
	if (s.ctl_fd < 0)
		init_fail(a->sync_w, errno, "listen on the control socket");
	if (pair(ag, base) < 0 || pair(sp, base) < 0 || pair(ic, base) < 0)
		init_fail(a->sync_w, errno, "socketpair");
	p->chan_fd = ic[1];
	s.pid_ns = ns_requested(a->cfg, "pid");
	/* Not pid_ns alone: with the downgrade annotation on an old kernel a
	 * pid namespace runs without the scope, and then without the oracle. */
	s.scoped = (p->landlock.scoped & RL_LL_SCOPE_SIGNAL) != 0;
	agent = fork();
	if (agent < 0)
		init_fail(a->sync_w, errno, "fork the agent");
	if (agent == 0) {
		close(ag[0]);
		close(sp[0]);
		close(ic[0]);
		close(s.ctl_fd);
		close(s.dirfd);
		if (a->mounts && a->mounts->scratch_fd > 0)
			close(a->mounts->scratch_fd); /* the supervisor's alone */
		agent_boot(a, ag[1], sp[1], base);
	}
	close(ag[1]);
	close(sp[1]);
	/* While the agent, spawner and init start: not on their way. */
	handlers_init_state(a->cfg, &s.emul);
	cpu_quota_init(&s.quota, a->cfg);
	if (a->mounts) {
		int r =
		    fs_view_init(&s.emul.fs, a->mounts, a->rootfs, a->mounts->scratch_fd, ag[0]);
		if (r < 0)
			init_fail(a->sync_w, -r, "the container's filesystem view");
		s.emul.fs.root_ro = a->cfg->root && a->cfg->root->readonly;
		if (dev_rules_build(a->cfg, &s.emul.fs.dev_rules, &e) < 0)
			init_fail(a->sync_w, e.err, e.msg);
		s.emul.fs.list_members = sv_list_members;
		s.emul.fs.members_ctx = &s;
	}
	{
		struct notify_set sets[HANDLERS_MAX_SETS];
		size_t n = handlers_select(a->cfg, &s.emul, sets, HANDLERS_MAX_SETS);
		if (notify_init(&s.notify, sets, n, &e) < 0)
			init_fail(a->sync_w, e.err, e.msg);
	}
	rl_closep(&a->sync_w);
	rl_closep(&a->listen_fd);
	process_plan_close_passed(a->plan);
	landlock_domain_release(&p->landlock);
	s.agent_sock = ag[0];
	s.spawner_sock = sp[0];
	s.agent_pid = agent;
	s.agent_pidfd = (int)syscall(SYS_pidfd_open, agent, 0);
	s.spawner_pidfd = -1;
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0 || s.agent_pidfd < 0)
		supervisor_exit(&s, 1);
	/* The spawner's first word is its pidfd, before it forks init: read
	 * it here, so every later message on its socket is a reply. EOF means
	 * the agent or the spawner failed (and told create). */
	{
		char buf[SPAWN_HEAD_MAX];
		struct spawn_msg m;
		size_t nfds = 0;
		ssize_t n = wire_recv(s.spawner_sock, buf, sizeof(buf), &s.spawner_pidfd, 1, &nfds);
		if (n <= 0 || spawn_decode(buf, (size_t)n, nfds, SPAWN_ST_STARTING, &m, &e) < 0) {
			if (nfds)
				rl_closep(&s.spawner_pidfd);
			supervisor_exit(&s, 1);
		}
		s.spawner_pid = m.u.hello.pid;
	}
	s.emul.pids.agent = agent;
	s.emul.pids.spawner = s.spawner_pid;
	/* From here on the container runs and can stop or block either
	 * helper: no wait for them is unbounded. An agent that does not
	 * answer in time counts as dead (supervisor_run); the spawner is
	 * never waited for in place (sv_spawn_answered). */
	if (wire_set_timeouts(s.agent_sock, SV_AGENT_WAIT_MS, SV_SEND_WAIT_MS) < 0 ||
	    wire_set_timeouts(s.spawner_sock, 0, SV_SEND_WAIT_MS) < 0)
		supervisor_exit(&s, 1);
	s.timeouts_seen = wire_timeouts;
	/* init's channel: its HELLO brings the pidfd and listener. */
	{
		struct sv_proc *init = calloc(1, sizeof(*init));
		if (!init)
			supervisor_exit(&s, 1);
		init->is_init = true;
		init->chan = ic[0];
		init->chan_st = INIT_ST_PROC_INIT;
		init->pidfd = init->listener = init->waiter_pidfd = -1;
		init->w_pid = (struct sv_watch){W_PID, init};
		init->w_chan = (struct sv_watch){W_CHAN, init};
		s.procs = init;
		sv_watch_add(&s, init->chan, EPOLLIN, &init->w_chan);
	}
	s.w_ctl = (struct sv_watch){W_CTL, NULL};
	s.w_agent = (struct sv_watch){W_AGENT, NULL};
	s.w_spawner = (struct sv_watch){W_SPAWNER, NULL};
	sv_watch_add(&s, s.ctl_fd, EPOLLIN, &s.w_ctl);
	sv_watch_add(&s, s.agent_pidfd, EPOLLIN, &s.w_agent);
	sv_watch_add(&s, s.spawner_sock, EPOLLIN, &s.w_spawner);
	sv_watch_state_dir(&s, base);
	supervisor_run(&s);
}

/* The pid behind a pidfd, from its fdinfo; -1 once it has exited. */
