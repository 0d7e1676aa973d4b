/* Running one hook. Shared by the CLI and the container's init, so only
 * async-signal-safe calls are made here: no allocation, no stdio, no locks.
 *
 * The hook gets a session (and so a process group) of its own, stdin holding
 * the whole state document, and stdout/stderr on pipes of ours: nothing it
 * leaves behind can hold runlock's own stdout or stderr (a caller reading
 * them to EOF would hang). Its output is read while it runs, into bounded
 * buffers. Once the hook itself has exited, the pipes are drained without
 * waiting for EOF, since a background child may keep them open forever. */
#include "hooks/hooks.h"

#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* An upper bound on what is drained after the hook has exited. */
#define DRAIN_MAX (1024 * 1024)

static char *const empty_env[] = {NULL};

void hook_cmd_init(struct hook_cmd *c, const struct oci_hook *h)
{
	c->path = h->path;
	c->argv_default[0] = h->path;
	c->argv_default[1] = NULL;
	/* Go's exec (runc) runs {path} when args is empty. */
	c->argv = h->n_args > 0 ? h->args : c->argv_default;
	c->envp = h->n_env > 0 ? h->env : empty_env;
	c->timeout_s = h->has_timeout ? h->timeout : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* stdin already holding the whole document, so the hook may read it at its
 * pace, or not at all, and we never block or take SIGPIPE writing it: a pipe
 * grown to fit, or a memfd when the pipe cannot grow that far. */
static int make_stdin(const char *in, size_t len)
{
	int p[2], fd;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	if ((size_t)fcntl(p[1], F_GETPIPE_SZ) >= len ||
	    (len <= INT_MAX && fcntl(p[1], F_SETPIPE_SZ, (int)len) >= 0)) {
		if (fd_write_all(p[1], in, len) == 0) {
			close(p[1]);
			/* Blocking for the hook, as any stdin pipe would be. */
			fcntl(p[0], F_SETFL, 0);
			return p[0];
		}
	}
	close(p[0]);
	close(p[1]);
	fd = memfd_create("hook-state", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fd_write_all(fd, in, len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The hook's side of the fork. fds: stdin, stdout, stderr, exec-error. */
__attribute__((noreturn)) static void hook_child(const struct hook_cmd *c, int fds[4])
{
	int err;

	setsid();
	/* Any of our pipes may have landed on 0..2 (a caller may run us with
	 * stdio closed): lift them all above 2 before dup2 onto 0..2. */
	for (int i = 0; i < 4; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
			goto fail;
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			goto fail;
	/* A blocked or ignored signal would be inherited across execve (the
	 * foreground `run` blocks the ones it forwards). */
	reset_signals();
	/* Only stdio crosses into the hook; the exec-error pipe closes on
	 * success and tells the parent that execve went through. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		goto fail;
	execve(c->path, c->argv, c->envp);
fail:
	err = errno;
	if (fds[3] >= 0)
		fd_write_all(fds[3], (const char *)&err, sizeof(err));
	_exit(127);
}

static void keep_output(struct hook_output *o, const char *data, size_t n)
{
	size_t room = sizeof(o->buf) - o->len;

	if (n > room) {
		o->cut = true;
		n = room;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
}

/* Read what is available on *fd into o; closes it at EOF or error.
 * Returns the bytes read. */
static size_t read_output(int *fd, struct hook_output *o)
{
	char chunk[4096];
	ssize_t n;

	do {
		n = read(*fd, chunk, sizeof(chunk));
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		keep_output(o, chunk, (size_t)n);
		return (size_t)n;
	}
	if (n == 0 || errno != EAGAIN)
		close_fd(fd);
	return 0;
}

static void read_exec_error(int *fd, struct hook_result *r)
{
	int err;
	ssize_t n;

	do {
		n = read(*fd, &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n == (ssize_t)sizeof(err)) {
		r->err = err;
		r->err_what = "exec";
	}
	close_fd(fd);
}

static void kill_hook(pid_t pid)
{
	/* The group first: the hook is its session's leader, and until we reap
	 * it its pid (hence its group id) cannot be reused. */
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

/* Wait for the hook to exit, reading its output and the exec result, and
 * kill it at the deadline. fds: pidfd, stdout, stderr, exec-error. Returns
 * true when it has already reaped the hook (the fallback without pidfd). */
static bool supervise(const struct hook_cmd *c, pid_t pid, int fds[4], struct hook_result *r)
{
	int64_t deadline = 0;

	if (c->timeout_s > 0)
		deadline = now_ms() + (c->timeout_s > INT32_MAX ? INT32_MAX : c->timeout_s) * 1000;
	for (;;) {
		struct pollfd pf[4];
		int wait_ms = -1, n;

		for (int i = 0; i < 4; i++)
			pf[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		if (deadline) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				r->timed_out = true;
				kill_hook(pid);
				return false;
			}
			wait_ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		/* Without a pidfd (old kernel, or a seccomp profile that denies
		 * pidfd_open in the init), poll for the exit. */
		if (fds[0] < 0 && (wait_ms < 0 || wait_ms > 50))
			wait_ms = 50;
		n = poll(pf, 4, wait_ms);
		if (n < 0 && errno != EINTR) {
			kill_hook(pid);
			return false;
		}
		if (n <= 0) {
			if (fds[0] < 0 && waitpid(pid, &r->status, WNOHANG) == pid)
				return true;
			continue;
		}
		if (pf[3].revents)
			read_exec_error(&fds[3], r);
		if (pf[1].revents)
			read_output(&fds[1], &r->out);
		if (pf[2].revents)
			read_output(&fds[2], &r->errout);
		if (pf[0].revents)
			return false;
	}
}

int hook_exec(const struct hook_cmd *c, const char *in, size_t in_len, struct hook_result *r)
{
	int child[4] = {-1, -1, -1, -1}, ours[4] = {-1, -1, -1, -1};
	size_t drained = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	child[0] = make_stdin(in, in_len);
	if (child[0] < 0) {
		r->err = errno;
		r->err_what = "stdin";
		return -1;
	}
	for (int i = 1; i < 4; i++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			r->err = errno;
			r->err_what = "pipe";
			goto fail;
		}
		ours[i] = p[0];
		child[i] = p[1];
	}
	pid = fork();
	if (pid < 0) {
		r->err = errno;
		r->err_what = "fork";
		goto fail;
	}
	if (pid == 0)
		hook_child(c, child);
	for (int i = 0; i < 4; i++)
		close_fd(&child[i]);
	ours[0] = (int)syscall(SYS_pidfd_open, pid, 0);
	if (!supervise(c, pid, ours, r)) {
		while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
			;
	}
	/* Whatever the hook wrote before it exited is in the pipes now; what a
	 * leftover child writes later is not waited for. */
	if (ours[3] >= 0) {
		fcntl(ours[3], F_SETFL, O_NONBLOCK);
		read_exec_error(&ours[3], r);
	}
	for (int i = 1; i <= 2; i++) {
		if (ours[i] < 0)
			continue;
		fcntl(ours[i], F_SETFL, O_NONBLOCK);
		while (ours[i] >= 0 && drained < DRAIN_MAX) {
			size_t got = read_output(&ours[i], i == 1 ? &r->out : &r->errout);
			if (got == 0)
				break;
			drained += got;
		}
	}
	for (int i = 0; i < 4; i++)
		if (ours[i] >= 0)
			close(ours[i]);
	if (r->err)
		return -1;
	return !r->timed_out && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0 ? 0 : -1;
fail:
	for (int i = 0; i < 4; i++) {
		close_fd(&child[i]);
		close_fd(&ours[i]);
	}
	return -1;
}

/* ---- the message --------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t size, n;
};

static void sb_mem(struct sbuf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len && b->n + 1 < b->size; i++)
		b->p[b->n++] = s[i];
	b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_mem(b, s, strlen(s));
}

static void sb_num(struct sbuf *b, unsigned long long v)
{
	char digits[24];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_mem(b, digits + i, sizeof(digits) - i);
}

static void sb_output(struct sbuf *b, const char *label, const struct hook_output *o)
{
	size_t len = o->len;

	/* A final newline is how every tool ends its output; keep the message
	 * on one line where it can. */
	while (len > 0 && (o->buf[len - 1] == '\n' || o->buf[len - 1] == '\r'))
		len--;
	sb_str(b, label);
	sb_mem(b, o->buf, len);
	if (o->cut)
		sb_str(b, "...");
}

void hook_describe(const char *kind, size_t index, const struct hook_cmd *c,
                   const struct hook_result *r, char *buf, size_t size)
{
	struct sbuf b = {.p = buf, .size = size, .n = 0};

	if (size == 0)
		return;
	buf[0] = '\0';
	sb_str(&b, "error running ");
	sb_str(&b, kind);
	sb_str(&b, " hook #");
	sb_num(&b, index);
	sb_str(&b, " (");
	sb_str(&b, c->path);
	sb_str(&b, "): ");
	if (r->err) {
		sb_str(&b, r->err_what ? r->err_what : "run");
		return;
	}
	if (r->timed_out) {
		sb_str(&b, "hook ran past specified timeout of ");
		sb_num(&b, (unsigned long long)c->timeout_s);
		sb_str(&b, "s and was killed");
	} else if (WIFEXITED(r->status)) {
		sb_str(&b, "exit status ");
		sb_num(&b, (unsigned long long)WEXITSTATUS(r->status));
	} else if (WIFSIGNALED(r->status)) {
		sb_str(&b, "killed by signal ");
		sb_num(&b, (unsigned long long)WTERMSIG(r->status));
	} else {
		sb_str(&b, "wait status ");
		sb_num(&b, (unsigned long long)(unsigned)r->status);
	}
	sb_output(&b, ", stdout: ", &r->out);
	sb_output(&b, ", stderr: ", &r->errout);
}
