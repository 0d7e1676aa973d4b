/* What the control requests act on, below the event loop and the control
 * handlers alike: the epoll watches, the container's members, signalling
 * them, and the supervisor's own exit. */
#include "shim/supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/log.h"
#include "common/proc.h"
#include "shim/agent/agent.h"
#include "shim/ipc/wire.h"

int sv_watch_add(struct supervisor *s, int fd, uint32_t events, struct sv_watch *w)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

void sv_watch_del(struct supervisor *s, int fd)
{
	epoll_ctl(s->ep, EPOLL_CTL_DEL, fd, NULL);
}

static bool is_zombie(pid_t pid)
{
	struct proc_stat st;

	return proc_read_stat(pid, &st) < 0 || st.state == 'Z' || st.state == 'X';
}

static bool is_waiter(struct supervisor *s, pid_t pid)
{
	for (struct sv_proc *p = s->procs; p; p = p->next)
		if (p->waiter == pid)
			return true;
	return false;
}

int sv_members(struct supervisor *s, pid_t **pids, size_t *n, struct rl_error *e)
{
	_cleanup_free_ pid_t *v = NULL;
	size_t count = 0;

	*pids = NULL;
	*n = 0;
	if (s->scoped) {
		static struct agent_request req = {.kind = AGENT_MEMBERS};
		struct agent_reply rep;
		struct agent_out out = {.max_pids = AGENT_MAX_PIDS};
		v = calloc(AGENT_MAX_PIDS, sizeof(pid_t));
		if (!v)
			return rl_fail(e, ENOMEM, "out of memory");
		out.pids = v;
		if (agent_call(s->agent_sock, &req, NULL, 0, &rep, &out, e) < 0)
			return -1;
		for (uint32_t i = 0; i < rep.u.members.n_pids; i++)
			if (!is_zombie(v[i]) && !is_waiter(s, v[i]))
				v[count++] = v[i];
	} else {
		/* No signal scope: the processes runlock started and their
		 * descendants (docs/design.md, "Container processes"). */
		for (struct sv_proc *p = s->procs; p; p = p->next) {
			_cleanup_free_ struct proc_member *m = NULL;
			size_t k;
			pid_t *bigger;
			if (p->exited || p->pid <= 0)
				continue;
			if (proc_list_container(p->pid, p->start_time, &m, &k) < 0)
				continue;
			bigger = realloc(v, (count + k + 1) * sizeof(pid_t));
			if (!bigger)
				return rl_fail(e, ENOMEM, "out of memory");
			v = bigger;
			for (size_t i = 0; i < k; i++)
				v[count++] = m[i].pid;
		}
	}
	*pids = steal_ptr(&v);
	*n = count;
	return 0;
}

int sv_list_members(void *ctx, pid_t **pids, size_t *n)
{
	return sv_members(ctx, pids, n, NULL);
}

void sv_signal_all(struct supervisor *s, int sig)
{
	sv_signal_all_but(s, sig, 0);
}

void sv_signal_all_but(struct supervisor *s, int sig, pid_t spare)
{
	if (s->scoped) {
		/* Repeated for SIGKILL until nobody is left: a fork racing one
		 * pass is caught by the next. */
		for (int pass = 0; pass < 200; pass++) {
			static struct agent_request req = {.kind = AGENT_SIGNAL};
			struct agent_reply rep;
			_cleanup_free_ pid_t *left = NULL;
			size_t n;
			req.u.signal.sig = sig;
			req.u.signal.spare = spare;
			if (agent_call(s->agent_sock, &req, NULL, 0, &rep, NULL, NULL) < 0)
				break;
			if (sig != SIGKILL)
				return;
			if (sv_members(s, &left, &n, NULL) < 0 || n == 0)
				return;
			usleep(1000);
		}
		if (sig != SIGKILL)
			return;
		/* The agent is gone: fall through to what we know. */
	}
	for (struct sv_proc *p = s->procs; p; p = p->next) {
		if (p->exited || p->pid <= 0 || p->pid == spare)
			continue;
		if (sig == SIGKILL)
			proc_kill_container(p->pid, p->start_time);
		else
			proc_signal_container(p->pid, p->start_time, sig);
		if (p->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0);
	}
}

void sv_watch_state_dir(struct supervisor *s, int base)
{
	char path[64];
	int root = openat(s->dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

	s->dir_watch = -1;
	if (root < 0)
		return;
	s->dir_watch = fd_above(inotify_init1(IN_NONBLOCK | IN_CLOEXEC), base);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", root);
	/* The directory's own DELETE_SELF comes only once the last reference
	 * goes, and ours is open: its parent sees the name go. */
	if (s->dir_watch >= 0 && inotify_add_watch(s->dir_watch, path,
	                                           IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF |
	                                               IN_MOVE_SELF | IN_ONLYDIR) < 0)
		rl_closep(&s->dir_watch);
	close(root);
	if (s->dir_watch >= 0) {
		s->w_state_dir = (struct sv_watch){W_STATE_DIR, NULL};
		if (sv_watch_add(s, s->dir_watch, EPOLLIN, &s->w_state_dir) < 0)
			rl_closep(&s->dir_watch);
	}
}

void sv_state_dir_event(struct supervisor *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct stat st;

	while (read(s->dir_watch, buf, sizeof(buf)) > 0)
		;
	/* A removed directory has no link left; one renamed or untouched
	 * (another container's came or went) has. */
	if (fstat(s->dirfd, &st) < 0 || st.st_nlink > 0)
		return;
	log_error("the state directory was removed without delete: killing the container");
	sv_signal_all(s, SIGKILL);
	for (struct sv_proc *p = s->procs; p; p = p->next)
		if (p->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
	supervisor_exit(s, 0);
}

void supervisor_exit(struct supervisor *s, int code)
{
	/* The agent and spawner quit quietly when asked; killed, they are
	 * gone anyway. */
	if (s->agent_sock >= 0)
		agent_quit(s->agent_sock);
	if (s->spawner_pidfd >= 0)
		syscall(SYS_pidfd_send_signal, s->spawner_pidfd, SIGKILL, NULL, 0);
	/* Asked to quit (delete), the container is dead already: an agent
	 * stuck in an on-behalf call must not outlive it. On a failure the
	 * agent is left to see our end close and kill the container. */
	if (code == 0 && s->agent_pidfd >= 0)
		syscall(SYS_pidfd_send_signal, s->agent_pidfd, SIGKILL, NULL, 0);
	_exit(code);
}
