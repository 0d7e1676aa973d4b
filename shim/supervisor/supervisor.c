/* The supervisor's event loop: processes, notifications, fail-closed. */
#include "shim/supervisor/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/proc.h"
#include "runtime/state/state.h"
#include "shim/agent/agent.h"
#include "shim/ipc/control.h"
#include "shim/ipc/wire.h"

/* PIDFD_GET_INFO (Linux 6.13; the exit status from 6.15), absent from
 * older headers. */
struct sv_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define SV_PIDFD_GET_INFO  _IOWR(0xFF, 11, struct sv_pidfd_info)
#define SV_PIDFD_INFO_EXIT (1ULL << 3)

/* Close a refused peer's connection so that it reads the refusal: a UNIX
 * socket closed with unread data makes the peer's read fail with
 * ECONNRESET, the reply lost. Its request is awaited a moment (bounded:
 * the supervisor waits on nobody) and discarded first. */
static void close_refused(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[4096];

	shutdown(fd, SHUT_WR);
	if (poll(&p, 1, 20) > 0)
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	close(fd);
}

static void report_exit(struct supervisor *s, struct sv_proc *p, int status);

static void proc_forget_listener(struct supervisor *s, struct sv_proc *p)
{
	if (p->listener < 0)
		return;
	sv_watch_del(s, p->listener);
	close(p->listener);
	p->listener = -1;
}

static void proc_free(struct supervisor *s, struct sv_proc *p)
{
	struct sv_proc **pp;

	for (pp = &s->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	proc_forget_listener(s, p);
	if (p->pidfd >= 0) {
		sv_watch_del(s, p->pidfd);
		close(p->pidfd);
	}
	if (p->chan >= 0) {
		sv_watch_del(s, p->chan);
		close(p->chan);
	}
	rl_closep(&p->waiter_pidfd);
	if (p->client)
		sv_client_close(s, p->client);
	free(p);
}

/* init has exited: state.json says stopped, then its status goes to
 * <state>/exit, so whoever sees the exit file sees the final state file.
 * The CLI holds the directory's lock while it waits on us, so the lock is
 * only tried: a status read derives `stopped` from the dead init anyway
 * (state_refresh), this only keeps the file itself true. */
static void record_exit(struct supervisor *s, int status)
{
	struct container_dir d = {.fd = s->dirfd, .root_fd = -1};
	struct container_state st;
	char num[32];
	int n = snprintf(num, sizeof(num), "%d\n", status);

	if (flock(s->dirfd, LOCK_EX | LOCK_NB) == 0) {
		if (state_read(&d, &st, NULL) == 0) {
			if (st.status != STATUS_STOPPED) {
				st.status = STATUS_STOPPED;
				state_write(&d, &st, NULL);
			}
			state_free(&st);
		}
		flock(s->dirfd, LOCK_UN);
	}
	state_write_file_atomic(s->dirfd, "exit", num, (size_t)n, 0644, NULL);
}

/* p's pidfd fired: readable once the process has exited, hung up once it
 * is reaped, when the kernel has its wait status for us. Returns 1 with
 * *status; 0 when it is not reaped yet (the watch now waits for the
 * hang-up only); -1 when reaped and the kernel keeps no status (before
 * Linux 6.15). */
static int reaped_status(struct supervisor *s, struct sv_proc *p, uint32_t events, int *status)
{
	struct sv_pidfd_info info = {.mask = SV_PIDFD_INFO_EXIT};

	if (ioctl(p->pidfd, SV_PIDFD_GET_INFO, &info) == 0 && (info.mask & SV_PIDFD_INFO_EXIT)) {
		*status = info.exit_code;
		return 1;
	}
	if (!(events & EPOLLHUP)) {
		struct epoll_event ev = {.events = 0, .data.ptr = &p->w_pid};
		epoll_ctl(s->ep, EPOLL_CTL_MOD, p->pidfd, &ev);
		return 0;
	}
	return -1;
}

static void drop_pidfd(struct supervisor *s, struct sv_proc *p)
{
	sv_watch_del(s, p->pidfd);
	rl_closep(&p->pidfd);
}

/* An exec'd process's record goes once nothing of it is left to watch. */
static void release_if_done(struct supervisor *s, struct sv_proc *p)
{
	if (!p->is_init && p->chan < 0 && p->listener < 0 && (p->pidfd < 0 || p->exited))
		proc_free(s, p);
}

static void init_event(struct supervisor *s, struct sv_proc *p, uint32_t events)
{
	int status, r;

	if (!p->exited) {
		p->exited = true;
		/* As the kernel does when a pid namespace's init dies. */
		if (s->pid_ns)
			sv_signal_all(s, SIGKILL);
		log_debug("container init %d exited", (int)p->pid);
	}
	r = reaped_status(s, p, events, &status);
	if (r == 0)
		return;
	if (r > 0)
		record_exit(s, status);
	drop_pidfd(s, p);
}

/* The exec command waiting on p learns its status, once. */
static void report_exit(struct supervisor *s, struct sv_proc *p, int status)
{
	if (!p->client)
		return;
	sv_reply_exit(p->client->fd, status);
	sv_client_close(s, p->client);
	p->client = NULL;
}

static void pid_event(struct supervisor *s, struct sv_proc *p, uint32_t events)
{
	if (p->is_init) {
		init_event(s, p, events);
		return;
	}
	p->exited = true;
	if (p->client && p->chan >= 0) {
		/* The waiter's STARTED and EXIT may still be queued on the
		 * channel: they must reach the client first, in order. The
		 * pidfd waits until the channel closes. */
		if (!p->pid_parked) {
			sv_watch_del(s, p->pidfd);
			p->pid_parked = true;
			p->parked_since = sv_now_ms();
			/* The waiter is in the container's signal scope: if it
			 * was stopped, the report would never come. */
			if (p->waiter_pidfd >= 0)
				syscall(SYS_pidfd_send_signal, p->waiter_pidfd, SIGCONT, NULL, 0);
		}
		return;
	}
	if (p->client) {
		/* Its waiter normally reports the status; if the waiter was
		 * killed, the kernel keeps it for us once the process is
		 * reaped. */
		int status, r = reaped_status(s, p, events, &status);
		if (r == 0)
			return;
		report_exit(s, p, r > 0 ? status : 255 << 8);
	}
	drop_pidfd(s, p);
	release_if_done(s, p);
}

/* A report on a process's channel. */
static void chan_event(struct supervisor *s, struct sv_proc *p)
{
	unsigned char frame[INIT_FRAME_LEN];
	struct init_report m;
	struct rl_error e;
	int fds[2] = {-1, -1};
	size_t nfds = 0;
	ssize_t n = wire_recv(p->chan, frame, sizeof(frame), fds, 2, &nfds);

	if (n <= 0) {
		wire_close_fds(fds, nfds);
		if (n < 0 && errno == EINTR)
			return;
		/* EOF: the process has exec'd or died, its waiter is done. */
		sv_watch_del(s, p->chan);
		close(p->chan);
		p->chan = -1;
		if (p->pid_parked && p->pidfd >= 0) {
			p->pid_parked = false;
			sv_watch_add(s, p->pidfd, EPOLLIN, &p->w_pid);
		}
		if (p->client && !p->started) {
			sv_reply_error(p->client->fd, EPIPE,
			               "exec failed: the process exited before it started");
			sv_client_close(s, p->client);
			p->client = NULL;
		}
		release_if_done(s, p);
		return;
	}
	if (init_decode(frame, (size_t)n, nfds, p->chan_st, &m, &e) < 0) {
		wire_close_fds(fds, nfds);
		log_debug("channel of %d: %s: ignored", (int)p->pid, e.msg);
		return;
	}
	p->chan_st = init_next(p->chan_st, m.kind);
	switch (m.kind) {
	case INIT_HELLO: {
		struct proc_stat st;
		p->pid = m.u.hello.pid;
		p->pidfd = fds[0];
		if (p->is_init && s->pid_ns && s->emul.init_pidfd < 0) {
			/* pid 1 of the container (handlers_signal.c, /proc/1). */
			s->emul.init_pidfd = fcntl(p->pidfd, F_DUPFD_CLOEXEC, 3);
			if (s->emul.init_pidfd >= 0) {
				s->emul.init_pid = p->pid;
				s->emul.fs.init_pid = p->pid;
			}
		}
		if (proc_read_stat(p->pid, &st) == 0)
			p->start_time = st.start_time;
		/* Before its listener is polled: counted before it can fork. */
		pids_track(&s->emul.pids, p->pid);
		sv_watch_add(s, p->pidfd, EPOLLIN, &p->w_pid);
		/* Its exec command went away before it could be named. */
		if (p->abandoned)
			syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
		if (nfds > 1) {
			p->listener = fds[1];
			if (!notify_listener_setup(p->listener))
				log_debug("seccomp listener of %d: no synchronous wake-up: %s",
				          (int)p->pid, strerror(errno));
			/* Not in epoll: supervisor_run polls listeners itself. */
		}
		return;
	}
	case INIT_STARTED:
		p->started = true;
		p->waiter = m.u.started.waiter;
		/* The waiter is the process's parent and waits for it: alive
		 * now, so the pidfd is its. */
		if (p->waiter_pidfd < 0)
			p->waiter_pidfd = (int)syscall(SYS_pidfd_open, p->waiter, 0);
		if (p->client)
			sv_reply_started(p->client->fd, m.u.started.pid);
		return;
	case INIT_EXIT:
		report_exit(s, p, m.u.exit.status);
		return;
	case INIT_ERROR:
		if (p->client) {
			char msg[1100];
			if (m.u.error.err)
				snprintf(msg, sizeof(msg),
				         "exec failed: unable to start container "
				         "process: %s: %s",
				         m.u.error.msg, strerror(m.u.error.err));
			else
				snprintf(msg, sizeof(msg), "exec failed: %s", m.u.error.msg);
			sv_reply_error(p->client->fd, m.u.error.err, msg);
			sv_client_close(s, p->client);
			p->client = NULL;
		}
		return;
	default:
		return;
	}
}

static void listener_event(struct supervisor *s, struct sv_proc *p, uint32_t events)
{
	if (events & EPOLLIN) {
		if (notify_handle_one(&s->notify, p->listener) == 0)
			return;
	}
	/* Hung up: no process uses the filter any more. */
	proc_forget_listener(s, p);
	release_if_done(s, p);
}

/* The spawner's socket outside a request (nothing but its end is
 * expected there). Either helper's death kills the container (fail
 * closed). */
static void spawner_event(struct supervisor *s)
{
	char buf[SPAWN_HEAD_MAX];
	struct spawn_msg m;
	struct rl_error e;
	int fds[1];
	size_t nfds = 0;
	ssize_t n = wire_recv(s->spawner_sock, buf, sizeof(buf), fds, 1, &nfds);

	if (n < 0 && errno == EINTR)
		return;
	if (n > 0) {
		wire_close_fds(fds, nfds);
		if (spawn_decode(buf, (size_t)n, nfds, s->spawns ? SPAWN_ST_ASKED : SPAWN_ST_IDLE,
		                 &m, &e) < 0) {
			log_debug("%s: ignored", e.msg);
			return;
		}
		sv_spawn_answered(s, &m);
		return;
	}
	if (n <= 0) {
		log_error("the spawner has exited: killing the container");
		sv_spawn_fail_all(s, EPIPE, "exec: the spawner is gone");
		sv_signal_all(s, SIGKILL);
		supervisor_exit(s, 1);
	}
}

/* The listeners are waited on with poll(2), beside the epoll descriptor
 * that holds everything else: a notification's synchronous wake-up
 * (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) reaches a poll() waiter, and is lost
 * on the way through an epoll instance (measured: the round trip of a
 * trapped call halves). Returns the number of entries in fds. */
#define SV_MAX_LISTENERS 256
static size_t poll_set(struct supervisor *s, struct pollfd *fds, struct sv_proc **procs)
{
	size_t n = 1;

	fds[0] = (struct pollfd){.fd = s->ep, .events = POLLIN};
	for (struct sv_proc *p = s->procs; p && n < SV_MAX_LISTENERS + 1; p = p->next)
		if (p->listener >= 0) {
			procs[n] = p;
			fds[n++] = (struct pollfd){.fd = p->listener, .events = POLLIN};
		}
	return n;
}

/* Whether something is awaited from a helper the container can stop. */
static bool awaiting(struct supervisor *s)
{
	if (s->spawns)
		return true;
	for (struct sv_proc *p = s->procs; p; p = p->next)
		if (p->pid_parked)
			return true;
	return false;
}

/* Every SV_TICK_MS while awaiting(): keep the helpers going, and give up on
 * those that do not answer in time. */
static void tick(struct supervisor *s)
{
	int64_t now = sv_now_ms();

	if (s->spawns) {
		syscall(SYS_pidfd_send_signal, s->spawner_pidfd, SIGCONT, NULL, 0);
		if (now >= s->spawns->deadline) {
			/* Its answers can no longer be matched to the requests,
			 * and it forks every process: fail closed. */
			log_error("the spawner does not answer: killing the container");
			sv_spawn_fail_all(s, ETIMEDOUT,
			                  "exec: the container's spawner does not answer");
			sv_signal_all(s, SIGKILL);
			supervisor_exit(s, 1);
		}
	}
	for (struct sv_proc *p = s->procs; p; p = p->next) {
		if (!p->pid_parked || p->waiter_pidfd < 0)
			continue;
		/* A waiter kept from reporting is killed: its child, a zombie,
		 * goes to the subreaper, whose reaping gives us the status
		 * (pid_event, once the channel closes). */
		syscall(SYS_pidfd_send_signal, p->waiter_pidfd,
		        now - p->parked_since >= SV_WAITER_WAIT_MS ? SIGKILL : SIGCONT, NULL, 0);
	}
}

/* The memory sampler, when it is due (handlers_mem.h). */
static void mem_tick(struct supervisor *s)
{
	int64_t now = sv_now_ms();
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (mem_due_in(&s->emul.mem, now) != 0)
		return;
	if (sv_members(s, &pids, &n, NULL) < 0)
		n = 0;
	if (mem_sample(&s->emul.mem, pids, n, now) > 0) {
		/* For `runlock state`, which reads it without asking us. */
		char num[32];
		int len =
		    snprintf(num, sizeof(num), "%llu", (unsigned long long)s->emul.mem.oom_kills);
		state_write_file_atomic(s->dirfd, STATE_OOM_FILE, num, (size_t)len, 0644, NULL);
	}
}

void supervisor_run(struct supervisor *s)
{
	for (;;) {
		struct pollfd fds[SV_MAX_LISTENERS + 1];
		struct sv_proc *procs[SV_MAX_LISTENERS + 1];
		struct epoll_event ev[16];
		size_t np = poll_set(s, fds, procs);
		bool waiting = awaiting(s), counting = pids_busy(&s->emul.pids);
		int mem_due = mem_due_in(&s->emul.mem, sv_now_ms());
		int n, timeout = counting ? PIDS_TICK_MS : waiting ? SV_TICK_MS : -1;

		/* An agent request ran out of time (wire_set_timeouts): its
		 * socket is shut; the agent counts as dead (fail closed). */
		if (wire_timeouts != s->timeouts_seen) {
			log_error("the agent does not answer: killing the container");
			s->scoped = false;
			rl_closep(&s->agent_sock);
			sv_signal_all(s, SIGKILL);
			supervisor_exit(s, 1);
		}
		/* In-flight forks under a pids limit are settled every
		 * PIDS_TICK_MS, the helpers' waits every SV_TICK_MS. */
		/* Under a memory limit, the sampler every MEM_TICK_MS. */
		if (mem_due >= 0 && (timeout < 0 || mem_due < timeout))
			timeout = mem_due;
		n = poll(fds, np, cpu_quota_timeout(s, timeout));
		cpu_quota_tick(s);
		if (waiting)
			tick(s);
		if (counting)
			pids_tick(&s->emul.pids);
		if (mem_due >= 0)
			mem_tick(s);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			supervisor_exit(s, 1);
		/* Listeners first: only their own process's record can go. */
		for (size_t i = 1; i < np; i++)
			if (fds[i].revents)
				listener_event(
				    s, procs[i],
				    ((fds[i].revents & POLLIN) ? EPOLLIN : 0) |
				        ((fds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
				             ? EPOLLHUP
				             : 0));
		if (!(fds[0].revents & POLLIN))
			continue;
		n = epoll_wait(s->ep, ev, 16, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			supervisor_exit(s, 1);
		for (int i = 0; i < n; i++) {
			struct sv_watch *w = ev[i].data.ptr;
			enum sv_kind kind = w->kind; /* w may be freed by its handler */
			switch (kind) {
			case W_CTL: {
				int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
				struct sv_client *c;
				if (fd < 0)
					break;
				/* A reply is never waited on: a client that does
				 * not read is the client's problem. */
				if (wire_set_timeouts(fd, 0, SV_SEND_WAIT_MS) < 0 ||
				    !sv_peer_allowed(s, fd)) {
					close_refused(fd);
					break;
				}
				c = calloc(1, sizeof(*c));
				if (!c) {
					close(fd);
					break;
				}
				c->fd = fd;
				c->w = (struct sv_watch){W_CLIENT, c};
				sv_watch_add(s, fd, EPOLLIN, &c->w);
				break;
			}
			case W_CLIENT:
				sv_client_ready(s, w->obj);
				break;
			case W_AGENT:
				log_error("the agent has exited: killing the container");
				s->scoped = false;
				rl_closep(&s->agent_sock);
				sv_signal_all(s, SIGKILL);
				supervisor_exit(s, 1);
			case W_SPAWNER:
				spawner_event(s);
				break;
			case W_PID:
				pid_event(s, w->obj, ev[i].events);
				break;
			case W_CHAN:
				chan_event(s, w->obj);
				break;
			case W_STATE_DIR:
				sv_state_dir_event(s);
				break;
			}
			/* Entries after a freed object may point at it: take
			 * them on the next round. */
			if (kind == W_PID || kind == W_CHAN || kind == W_CLIENT)
				break;
		}
	}
}
