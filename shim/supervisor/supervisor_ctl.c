/* The supervisor's answers on its control socket: ps, kill, exec, quit. */
#include "shim/supervisor/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/ipc/control.h"
#include "shim/ipc/spawn_proto.h"
#include "shim/spawner/spawner.h"
#include "common/log.h"
#include "common/proc.h"
#include "shim/ipc/wire.h"

int sv_reply(int fd, const struct ctl_reply *r, const int32_t *pids)
{
	unsigned char head[CTL_REPLY_LEN];
	size_t n = r->kind == CTL_R_PIDS ? r->u.pids.n_pids : 0;

	if (ctl_reply_encode(r, head, NULL) < 0)
		return -1;
	return wire_send(fd, head, sizeof(head), pids, n * sizeof(int32_t), NULL, 0);
}

int sv_reply_done(int fd)
{
	struct ctl_reply r = {.kind = CTL_R_DONE};
	return sv_reply(fd, &r, NULL);
}

int sv_reply_error(int fd, int err, const char *msg)
{
	struct ctl_reply r = {.kind = CTL_R_ERROR, .u.error.err = err};

	/* Cut to fit, as the old snprintf did. */
	if (msg)
		memcpy(r.u.error.msg, msg, strnlen(msg, sizeof(r.u.error.msg) - 1));
	return sv_reply(fd, &r, NULL);
}

int sv_reply_started(int fd, pid_t pid)
{
	struct ctl_reply r = {.kind = CTL_R_STARTED, .u.started.pid = pid};
	return sv_reply(fd, &r, NULL);
}

int sv_reply_exit(int fd, int status)
{
	struct ctl_reply r = {.kind = CTL_R_EXIT, .u.exit.status = status};
	return sv_reply(fd, &r, NULL);
}

void sv_client_close(struct supervisor *s, struct sv_client *c)
{
	for (struct sv_proc *p = s->procs; p; p = p->next)
		if (p->client == c)
			p->client = NULL;
	for (struct sv_spawn *sp = s->spawns; sp; sp = sp->next)
		if (sp->client == c)
			sp->client = NULL;
	sv_watch_del(s, c->fd);
	close(c->fd);
	free(c);
}

static struct sv_proc *init_of(struct supervisor *s)
{
	for (struct sv_proc *p = s->procs; p; p = p->next)
		if (p->is_init)
			return p;
	return NULL;
}

/* The agent and the spawner: chrooted, so shares_our_root already refuses
 * them; named here so that holds without the chroot too. */
static bool is_runlock_helper(struct supervisor *s, pid_t pid)
{
	return pid > 0 && (pid == s->agent_pid || pid == s->spawner_pid);
}

/* The live numbers of what the supervisor enforces (runlock events). */
static void do_stats(struct supervisor *s, struct sv_client *c)
{
	const struct mem_state *m = &s->emul.mem;
	struct pids_state *p = &s->emul.pids;
	struct ctl_reply r = {.kind = CTL_R_STATS};
	struct cq_stats q = cpu_quota_stats(s);

	r.u.stats.memory = m->on;
	r.u.stats.mem_limit = m->limit;
	r.u.stats.mem_usage = m->usage > 0 ? (uint64_t)m->usage : 0;
	r.u.stats.mem_max = m->max_usage > 0 ? (uint64_t)m->max_usage : 0;
	r.u.stats.mem_failcnt = m->failcnt;
	r.u.stats.mem_oom_kill = m->oom_kills;
	r.u.stats.pids = p->ep >= 0;
	if (p->ep >= 0) {
		pids_tick(p);
		r.u.stats.pids_current = pids_acct_current(&p->acct);
		r.u.stats.pids_limit = p->acct.limit;
	}
	r.u.stats.cpu_periods = q.periods;
	r.u.stats.cpu_throttled_periods = q.throttled_periods;
	r.u.stats.cpu_throttled_ns = q.throttled_time_ns;
	sv_reply(c->fd, &r, NULL);
}

static void do_ps(struct supervisor *s, struct sv_client *c)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ int32_t *out = NULL;
	struct ctl_reply r = {.kind = CTL_R_PIDS};
	struct rl_error e;
	size_t n;

	if (sv_members(s, &pids, &n, &e) < 0) {
		sv_reply_error(c->fd, e.err, e.msg);
		return;
	}
	if (n > WIRE_MAX_MSG / sizeof(int32_t) - 512)
		n = WIRE_MAX_MSG / sizeof(int32_t) - 512;
	out = calloc(n + 1, sizeof(int32_t));
	if (!out) {
		sv_reply_error(c->fd, ENOMEM, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = pids[i];
	r.u.pids.n_pids = (uint32_t)n;
	sv_reply(c->fd, &r, out);
}

/* Whether init, as pid 1 of the pid namespace asked for, drops sig sent
 * from outside (runc's kill comes from the parent namespace): it gets only
 * the signals it catches, and SIGKILL and SIGSTOP. */
static bool init_drops(struct supervisor *s, const struct sv_proc *init, int sig)
{
	return s->pid_ns && init && !init->exited && init->pidfd >= 0 &&
	       proc_init_drops(init->pid, sig, true);
}

static void do_kill(struct supervisor *s, struct sv_client *c, const struct ctl_kill *req)
{
	struct sv_proc *init = init_of(s);
	bool dropped;

	if (req->sig < 0 || req->sig >= NSIG) {
		sv_reply_error(c->fd, EINVAL, "invalid signal");
		return;
	}
	dropped = init_drops(s, init, req->sig);
	if (req->all)
		sv_signal_all_but(s, req->sig, dropped ? init->pid : 0);
	if (!init || init->exited || init->pidfd < 0) {
		if (req->all)
			sv_reply_done(c->fd);
		else
			sv_reply_error(c->fd, ESRCH, "container not running");
		return;
	}
	if (dropped) {
		log_debug("kill: init %d does not catch signal %d: dropped, as pid 1",
		          (int)init->pid, req->sig);
		sv_reply_done(c->fd);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, init->pidfd, req->sig, NULL, 0) < 0 && !req->all) {
		char msg[128];
		snprintf(msg, sizeof(msg), "kill container init %d: %s", (int)init->pid,
		         strerror(errno));
		sv_reply_error(c->fd, errno, msg);
		return;
	}
	sv_reply_done(c->fd);
}

int64_t sv_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Hand the request to the spawner; its verdict comes back through the
 * supervisor's loop (sv_spawn_answered), never waited for here: the
 * container can stop the spawner (docs/design.md, "Bounded waits"). */
static void do_exec(struct supervisor *s, struct sv_client *c, const struct ctl_exec *req, int *fds,
                    size_t nfds)
{
	struct spawn_msg sr = {.kind = SPAWN_EXEC,
	                       .u.exec = {.tty = req->tty, .preserve_fds = req->preserve_fds}};
	char head[SPAWN_HEAD_MAX];
	ssize_t hlen = spawn_encode(&sr, head, NULL);
	int out[WIRE_MAX_FDS];
	int chan[2];
	struct sv_spawn *sp, **tail;
	struct sv_proc *init = init_of(s);

	if (!init || init->exited) {
		sv_reply_error(c->fd, ESRCH, "cannot exec in a stopped container");
		return;
	}
	if (s->n_spawns >= SV_MAX_SPAWNS) {
		sv_reply_error(c->fd, EAGAIN,
		               "exec: too many exec requests waiting for the container");
		return;
	}
	sp = calloc(1, sizeof(*sp));
	if (!sp) {
		sv_reply_error(c->fd, ENOMEM, "out of memory");
		return;
	}
	if (nfds + 1 > WIRE_MAX_FDS || hlen < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
		free(sp);
		sv_reply_error(c->fd, EMFILE, "exec: cannot make a channel");
		return;
	}
	/* exec -t: its pty is one of the container's, named in /dev/pts as
	 * runc's would be in the container's devpts. */
	if (req->tty && nfds > 0 && fs_pty_adopt(&s->emul.fs, fds[0]) < 0)
		log_debug("exec: its pty is not named in the container's /dev/pts");
	out[0] = chan[1];
	for (size_t i = 0; i < nfds; i++)
		out[1 + i] = fds[i];
	/* Stopped by the container (kill -STOP -1 reaches it): it goes on. */
	syscall(SYS_pidfd_send_signal, s->spawner_pidfd, SIGCONT, NULL, 0);
	if (wire_send(s->spawner_sock, head, (size_t)hlen, req->process_json, req->json_len, out,
	              nfds + 1) < 0) {
		int err = errno;
		close(chan[0]);
		close(chan[1]);
		free(sp);
		sv_reply_error(c->fd, err,
		               err == EAGAIN ? "exec: the container's spawner does not answer"
		                             : "exec: the spawner is gone");
		return;
	}
	close(chan[1]);
	sp->client = c;
	sp->chan = chan[0];
	sp->deadline = sv_now_ms() + SV_SPAWN_WAIT_MS;
	for (tail = &s->spawns; *tail; tail = &(*tail)->next)
		;
	*tail = sp;
	s->n_spawns++;
}

static struct sv_spawn *spawn_pop(struct supervisor *s)
{
	struct sv_spawn *sp = s->spawns;

	if (sp) {
		s->spawns = sp->next;
		s->n_spawns--;
	}
	return sp;
}

void sv_spawn_fail_all(struct supervisor *s, int err, const char *msg)
{
	struct sv_spawn *sp;

	while ((sp = spawn_pop(s))) {
		if (sp->client) {
			sv_reply_error(sp->client->fd, err, msg);
			sv_client_close(s, sp->client);
		}
		close(sp->chan);
		free(sp);
	}
}

void sv_spawn_answered(struct supervisor *s, const struct spawn_msg *m)
{
	_cleanup_free_ struct sv_spawn *sp = spawn_pop(s);
	struct sv_client *c;
	struct sv_proc *p;

	if (!sp)
		return; /* nothing asked: ignored */
	c = sp->client;
	if (m->kind == SPAWN_FAILED) {
		char msg[1100];
		snprintf(msg, sizeof(msg), "exec failed: %.*s", (int)sizeof(m->u.failed.msg) - 1,
		         m->u.failed.msg);
		close(sp->chan);
		if (c) {
			sv_reply_error(c->fd, m->u.failed.err, msg);
			sv_client_close(s, c);
		}
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		/* Its channel closes: the process dies before it runs. */
		close(sp->chan);
		if (c) {
			sv_reply_error(c->fd, ENOMEM, "out of memory");
			sv_client_close(s, c);
		}
		return;
	}
	p->chan = sp->chan;
	p->chan_st = INIT_ST_PROC_NEW;
	p->pidfd = p->listener = p->waiter_pidfd = -1;
	p->client = c;
	p->abandoned = !c;
	p->w_pid = (struct sv_watch){W_PID, p};
	p->w_chan = (struct sv_watch){W_CHAN, p};
	p->next = s->procs;
	s->procs = p;
	sv_watch_add(s, p->chan, EPOLLIN, &p->w_chan);
}

/* Whether pid's root directory is ours. Every container process, and the
 * agent and the spawner, are chrooted into the rootfs (runlock refuses to
 * run without CAP_SYS_CHROOT); the runtime's caller is not. */
static bool shares_our_root(pid_t pid)
{
	char at[64];
	struct stat ours, theirs;

	snprintf(at, sizeof(at), "/proc/%d/root", (int)pid);
	if (stat("/", &ours) < 0 || stat(at, &theirs) < 0)
		return false;
	return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

bool sv_peer_allowed(struct supervisor *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	_cleanup_close_ int pidfd = -1;
	_cleanup_free_ pid_t *members = NULL;
	char msg[160];
	size_t n = 0;
	bool member = false;
	struct rl_error e;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred)) {
		snprintf(msg, sizeof(msg), "refused: no peer credentials: %s", strerror(errno));
		goto refuse;
	}
	if (cred.uid != geteuid()) {
		snprintf(msg, sizeof(msg), "refused: peer uid %u is not the runtime's",
		         (unsigned)cred.uid);
		goto refuse;
	}
	/* The peer as it connected (Linux 6.5): its pid cannot be reused while
	 * this pidfd shows it alive, so the checks below, made by pid, are
	 * about the peer itself. No pidfd, no answer (fail closed). */
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, CTL_SO_PEERPIDFD, &pidfd, &len) < 0 && errno == ENOPROTOOPT)
		/* Before Linux 6.5: a pidfd of the pid it connected with. Its
		 * pid could have been reused between the connect and here
		 * (docs/security.md says so); the checks below still apply. */
		pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
	if (pidfd < 0) {
		pidfd = -1;
		snprintf(msg, sizeof(msg), "refused: no pidfd for peer %d: %s", (int)cred.pid,
		         strerror(errno));
		goto refuse;
	}
	/* A container process that reached the socket (through a bind mount, a
	 * race, an on-behalf connect by the agent): it runs as root, so its uid
	 * says nothing. Two tests, either enough to refuse: its root directory
	 * is the container's (the chroot; needs no cooperation from the
	 * container), and the membership oracle knows it (a member that left
	 * the chroot with CAP_SYS_CHROOT stays in the Landlock domain). */
	if (!shares_our_root(cred.pid))
		goto inside;
	if (sv_members(s, &members, &n, &e) < 0) {
		snprintf(msg, sizeof(msg), "refused: cannot tell the container's members: %.80s",
		         e.msg);
		goto refuse;
	}
	for (size_t i = 0; i < n; i++)
		if (members[i] == cred.pid)
			member = true;
	if (member || is_runlock_helper(s, cred.pid))
		goto inside;
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		snprintf(msg, sizeof(msg), "refused: peer %d has exited", (int)cred.pid);
		goto refuse;
	}
	return true;
inside:
	snprintf(msg, sizeof(msg), "refused: peer %d runs inside the container", (int)cred.pid);
refuse:
	log_debug("control socket: %s", msg);
	sv_reply_error(fd, EPERM, msg);
	return false;
}

void sv_client_ready(struct supervisor *s, struct sv_client *c)
{
	static char buf[WIRE_MAX_MSG];
	int fds[WIRE_MAX_FDS];
	size_t nfds = 0;
	struct ctl_request req;
	struct rl_error e;
	ssize_t n = wire_recv(c->fd, buf, sizeof(buf), fds, WIRE_MAX_FDS, &nfds);

	if (n < 0 && errno == EINTR) {
		wire_close_fds(fds, nfds);
		return;
	}
	if (n <= 0 || ctl_req_decode(buf, (size_t)n, c->st, &req, &e) < 0) {
		wire_close_fds(fds, nfds);
		if (n > 0) {
			log_debug("control socket: %s", e.msg);
			sv_reply_error(c->fd, e.err, e.msg);
		}
		/* An exec whose command went away before the exit: the process
		 * goes with it (its stand-in was killed, say, by SIGKILL). */
		for (struct sv_proc *p = s->procs; p; p = p->next) {
			if (p->client != c || p->exited)
				continue;
			if (p->pidfd >= 0)
				syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
			else
				p->abandoned = true; /* killed once its HELLO names it */
		}
		sv_client_close(s, c);
		return;
	}
	/* One request per connection: what follows is only its hang-up. */
	switch (req.kind) {
	case CTL_PS:
		do_ps(s, c);
		break;
	case CTL_STATS:
		do_stats(s, c);
		break;
	case CTL_KILL:
		do_kill(s, c, &req.u.kill);
		break;
	case CTL_UPDATE: {
		struct rl_error ue;
		if (sv_update_resources(s, req.u.update.resources_json, req.u.update.json_len,
		                        &ue) < 0)
			sv_reply_error(c->fd, ue.err, ue.msg);
		else
			sv_reply_done(c->fd);
		break;
	}
	case CTL_EXEC:
		c->st = CTL_ST_EXEC;
		do_exec(s, c, &req.u.exec, fds, nfds);
		wire_close_fds(fds, nfds);
		return; /* the client waits for the process */
	default:        /* CTL_QUIT: the decoder knows no other */
		sv_signal_all(s, SIGKILL);
		sv_reply_done(c->fd);
		supervisor_exit(s, 0);
	}
	wire_close_fds(fds, nfds);
	sv_client_close(s, c);
}
