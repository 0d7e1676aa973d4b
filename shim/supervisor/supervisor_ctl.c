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
#include "shim/spawner/spawner.h"
#include "common/log.h"
#include "common/proc.h"
#include "shim/ipc/wire.h"

int sv_reply(int fd, int type, int err, int value, const char *msg)
{
	struct ctl_reply r = {.type = (uint32_t)type, .err = err, .value = value};

	if (msg)
		snprintf(r.msg, sizeof(r.msg), "%s", msg);
	return wire_send(fd, &r, sizeof(r), NULL, 0, NULL, 0);
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

static void do_ps(struct supervisor *s, struct sv_client *c)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ int32_t *out = NULL;
	struct ctl_reply r = {.type = CTL_R_PIDS};
	struct rl_error e;
	size_t n;

	if (sv_members(s, &pids, &n, &e) < 0) {
		sv_reply(c->fd, CTL_R_ERROR, e.err, 0, e.msg);
		return;
	}
	if (n > WIRE_MAX_MSG / sizeof(int32_t) - 512)
		n = WIRE_MAX_MSG / sizeof(int32_t) - 512;
	out = calloc(n + 1, sizeof(int32_t));
	if (!out) {
		sv_reply(c->fd, CTL_R_ERROR, ENOMEM, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = pids[i];
	r.count = (uint32_t)n;
	wire_send(c->fd, &r, sizeof(r), out, n * sizeof(int32_t), NULL, 0);
}

/* Whether init, as pid 1 of the pid namespace asked for, drops sig sent
 * from outside (runc's kill comes from the parent namespace): it gets only
 * the signals it catches, and SIGKILL and SIGSTOP. */
static bool init_drops(struct supervisor *s, const struct sv_proc *init, int sig)
{
	return s->pid_ns && init && !init->exited && init->pidfd >= 0 &&
	       proc_init_drops(init->pid, sig, true);
}

static void do_kill(struct supervisor *s, struct sv_client *c, const struct ctl_req *req)
{
	struct sv_proc *init = init_of(s);
	bool dropped;

	if (req->sig < 0 || req->sig >= NSIG) {
		sv_reply(c->fd, CTL_R_ERROR, EINVAL, 0, "invalid signal");
		return;
	}
	dropped = init_drops(s, init, req->sig);
	if (req->flags & CTL_F_ALL)
		sv_signal_all_but(s, req->sig, dropped ? init->pid : 0);
	if (!init || init->exited || init->pidfd < 0) {
		if (req->flags & CTL_F_ALL)
			sv_reply(c->fd, CTL_R_DONE, 0, 0, NULL);
		else
			sv_reply(c->fd, CTL_R_ERROR, ESRCH, 0, "container not running");
		return;
	}
	if (dropped) {
		log_debug("kill: init %d does not catch signal %d: dropped, as pid 1",
		          (int)init->pid, req->sig);
		sv_reply(c->fd, CTL_R_DONE, 0, 0, NULL);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, init->pidfd, req->sig, NULL, 0) < 0 &&
	    !(req->flags & CTL_F_ALL)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "kill container init %d: %s", (int)init->pid,
		         strerror(errno));
		sv_reply(c->fd, CTL_R_ERROR, errno, 0, msg);
		return;
	}
	sv_reply(c->fd, CTL_R_DONE, 0, 0, NULL);
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
static void do_exec(struct supervisor *s, struct sv_client *c, const char *buf, size_t len,
                    int *fds, size_t nfds)
{
	const struct ctl_req *req = (const void *)buf;
	struct spawn_req sr = {.flags = req->flags, .preserve_fds = req->preserve_fds};
	int out[WIRE_MAX_FDS];
	int chan[2];
	struct sv_spawn *sp, **tail;
	struct sv_proc *init = init_of(s);

	if (!init || init->exited) {
		sv_reply(c->fd, CTL_R_ERROR, ESRCH, 0, "cannot exec in a stopped container");
		return;
	}
	if (s->n_spawns >= SV_MAX_SPAWNS) {
		sv_reply(c->fd, CTL_R_ERROR, EAGAIN, 0,
		         "exec: too many exec requests waiting for the container");
		return;
	}
	sp = calloc(1, sizeof(*sp));
	if (!sp) {
		sv_reply(c->fd, CTL_R_ERROR, ENOMEM, 0, "out of memory");
		return;
	}
	if (nfds + 1 > WIRE_MAX_FDS ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
		free(sp);
		sv_reply(c->fd, CTL_R_ERROR, EMFILE, 0, "exec: cannot make a channel");
		return;
	}
	/* exec -t: its pty is one of the container's, named in /dev/pts as
	 * runc's would be in the container's devpts. */
	if ((req->flags & CTL_F_TTY) && nfds > 0 && fs_pty_adopt(&s->emul.fs, fds[0]) < 0)
		log_debug("exec: its pty is not named in the container's /dev/pts");
	out[0] = chan[1];
	for (size_t i = 0; i < nfds; i++)
		out[1 + i] = fds[i];
	/* Stopped by the container (kill -STOP -1 reaches it): it goes on. */
	syscall(SYS_pidfd_send_signal, s->spawner_pidfd, SIGCONT, NULL, 0);
	if (wire_send(s->spawner_sock, &sr, sizeof(sr), buf + sizeof(*req), len - sizeof(*req), out,
	              nfds + 1) < 0) {
		int err = errno;
		close(chan[0]);
		close(chan[1]);
		free(sp);
		sv_reply(c->fd, CTL_R_ERROR, err, 0,
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
			sv_reply(sp->client->fd, CTL_R_ERROR, err, 0, msg);
			sv_client_close(s, sp->client);
		}
		close(sp->chan);
		free(sp);
	}
}

void sv_spawn_answered(struct supervisor *s, const struct init_msg *m)
{
	_cleanup_free_ struct sv_spawn *sp = spawn_pop(s);
	struct sv_client *c;
	struct sv_proc *p;

	if (!sp)
		return; /* nothing asked: ignored */
	c = sp->client;
	if (m->type == CTL_R_ERROR) {
		char msg[1100];
		snprintf(msg, sizeof(msg), "exec failed: %.*s", (int)sizeof(m->what) - 1, m->what);
		close(sp->chan);
		if (c) {
			sv_reply(c->fd, CTL_R_ERROR, m->value, 0, msg);
			sv_client_close(s, c);
		}
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		/* Its channel closes: the process dies before it runs. */
		close(sp->chan);
		if (c) {
			sv_reply(c->fd, CTL_R_ERROR, ENOMEM, 0, "out of memory");
			sv_client_close(s, c);
		}
		return;
	}
	p->chan = sp->chan;
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
	sv_reply(fd, CTL_R_ERROR, EPERM, 0, msg);
	return false;
}

void sv_client_ready(struct supervisor *s, struct sv_client *c)
{
	static char buf[WIRE_MAX_MSG];
	int fds[WIRE_MAX_FDS];
	size_t nfds = 0;
	struct ctl_req req;
	ssize_t n = wire_recv(c->fd, buf, sizeof(buf), fds, WIRE_MAX_FDS, &nfds);

	if (n < (ssize_t)sizeof(req)) {
		wire_close_fds(fds, nfds);
		if (n < 0 && errno == EINTR)
			return;
		if (n > 0)
			sv_reply(c->fd, CTL_R_ERROR, EPROTO, 0, "bad request");
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
	memcpy(&req, buf, sizeof(req));
	switch (req.op) {
	case CTL_PS:
		do_ps(s, c);
		break;
	case CTL_KILL:
		do_kill(s, c, &req);
		break;
	case CTL_EXEC:
		do_exec(s, c, buf, (size_t)n, fds, nfds);
		wire_close_fds(fds, nfds);
		return; /* the client waits for the process */
	case CTL_QUIT:
		sv_signal_all(s, SIGKILL);
		sv_reply(c->fd, CTL_R_DONE, 0, 0, NULL);
		supervisor_exit(s, 0);
	default:
		sv_reply(c->fd, CTL_R_ERROR, EPROTO, 0, "unknown request");
	}
	wire_close_fds(fds, nfds);
	sv_client_close(s, c);
}
