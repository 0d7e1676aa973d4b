/* pause and resume without a cgroup freezer: SIGSTOP and SIGCONT to every
 * process of the container (container_processes).
 *
 * A signal is not a freezer: a process can fork between being listed and
 * being stopped. pause therefore repeats the listing until one pass finds
 * every member stopped and no member that the previous such pass did not
 * see. A process stopped at pass k cannot fork afterwards, and whatever it
 * forked before stopping already exists when pass k+1 lists, so an equal
 * set means nothing is left running. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/lifecycle/container.h"
#include "common/proc.h"

/* How long pause waits for every process to reach the stopped state (a
 * process in uninterruptible sleep stops only when it leaves it). */
#define PAUSE_TIMEOUT_MS 5000
/* Between passes: long enough for the signalled processes to be scheduled
 * and stop, short enough that a fork storm is caught quickly. */
#define PAUSE_PASS_DELAY_NS 1000000L

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool signal_member(const struct proc_member *m, int sig)
{
	_cleanup_close_ int fd = proc_open_verified(m->pid, m->start_time);

	return fd >= 0 && syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0;
}

/* A vfork parent waits in uninterruptible sleep until its child execs or
 * exits; with the child stopped it never reaches 'T', yet it can run nothing
 * either, and the SIGSTOP we sent stops it the moment it returns. */
static bool in_vfork_wait(pid_t pid)
{
	char path[64], wchan[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, wchan, sizeof(wchan) - 1);
	if (n <= 0)
		return false;
	wchan[n] = '\0';
	return strcmp(wchan, "wait_for_vfork_done") == 0 || strcmp(wchan, "kernel_clone") == 0 ||
	       strcmp(wchan, "_do_fork") == 0 || strcmp(wchan, "do_fork") == 0;
}

/* Whether member m is stopped (or gone: then it no longer counts). */
static bool is_stopped(const struct proc_member *m)
{
	struct proc_stat st;

	if (proc_read_stat(m->pid, &st) < 0 || st.start_time != m->start_time || st.state == 'Z' ||
	    st.state == 'X')
		return true;
	/* 't': stopped under a tracer, which (inside the container) is stopped
	 * itself. */
	return st.state == 'T' || st.state == 't' || (st.state == 'D' && in_vfork_wait(m->pid));
}

static bool same_members(const struct proc_member *a, size_t na, const struct proc_member *b,
                         size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t k = 0; k < nb && !found; k++)
			found = a[i].pid == b[k].pid && a[i].start_time == b[k].start_time;
		if (!found)
			return false;
	}
	return true;
}

/* SIGCONT every member (which also drops a SIGSTOP still pending), pass
 * after pass while one read stopped: one listed in a moment of reparenting
 * would otherwise stay stopped for good. */
static void continue_all(const struct container_state *s)
{
	for (int pass = 0; pass < 50; pass++) {
		_cleanup_free_ struct proc_member *m = NULL;
		size_t n = 0, stopped = 0;

		if (container_processes(s, &m, &n, NULL) < 0)
			return;
		for (size_t i = 0; i < n; i++) {
			struct proc_stat st;
			if (proc_read_stat(m[i].pid, &st) == 0 &&
			    st.start_time == m[i].start_time && st.state == 'T')
				stopped++;
			signal_member(&m[i], SIGCONT);
		}
		if (stopped == 0)
			return;
	}
}

static int stop_all(const struct container_state *s, struct rl_error *e)
{
	_cleanup_free_ struct proc_member *prev = NULL;
	size_t n_prev = 0;
	bool prev_all_stopped = false;
	int64_t deadline = now_ms() + PAUSE_TIMEOUT_MS;

	for (;;) {
		_cleanup_free_ struct proc_member *m = NULL;
		struct timespec delay = {0, PAUSE_PASS_DELAY_NS};
		size_t n, running = 0;
		pid_t straggler = 0; /* the first one still running, for the error */

		if (container_processes(s, &m, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (is_stopped(&m[i]))
				continue;
			signal_member(&m[i], SIGSTOP);
			if (!straggler)
				straggler = m[i].pid;
			running++;
		}
		if (running == 0) {
			if (prev_all_stopped && same_members(m, n, prev, n_prev))
				return 0;
			prev_all_stopped = true;
		} else {
			prev_all_stopped = false;
		}
		free(prev);
		prev = steal_ptr(&m);
		n_prev = n;
		if (now_ms() > deadline)
			return rl_fail(e, ETIMEDOUT,
			               "unable to freeze: %zu process(es) (pid %d first) did "
			               "not stop within %d ms",
			               running, (int)straggler, PAUSE_TIMEOUT_MS);
		/* The confirming pass needs no delay: nothing is left to stop. */
		if (running > 0)
			nanosleep(&delay, NULL);
	}
}

int container_pause(const struct global_opts *g, const char *id, struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r = -1;

	if (container_open_locked(g, id, &d, &s, e) < 0)
		return -1;
	/* runc pauses created containers too; anything else is "not running". */
	if (s.status != STATUS_RUNNING && s.status != STATUS_CREATED) {
		rl_fail(e, EINVAL, "container not running");
		goto out;
	}
	if (stop_all(&s, e) < 0) {
		/* Leave it as we found it. */
		continue_all(&s);
		goto out;
	}
	s.status = STATUS_PAUSED;
	if (state_write(&d, &s, e) < 0) {
		continue_all(&s);
		goto out;
	}
	r = 0;
out:
	state_free(&s);
	state_dir_close(&d);
	return r;
}

int container_resume(const struct global_opts *g, const char *id, struct rl_error *e)
{
	struct container_dir d;
	struct container_state s;
	int r = -1;

	if (container_open_locked(g, id, &d, &s, e) < 0)
		return -1;
	if (s.status != STATUS_PAUSED) {
		rl_fail(e, EINVAL, "container not paused");
		goto out;
	}
	/* Continue first, then record: should the write fail, a container
	 * that runs but reads paused is mended by another resume. */
	continue_all(&s);
	/* start.sock exists until start has run the user program. */
	s.status = faccessat(d.fd, "start.sock", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? STATUS_CREATED
	                                                                         : STATUS_RUNNING;
	if (state_write(&d, &s, e) < 0)
		goto out;
	r = 0;
out:
	state_free(&s);
	state_dir_close(&d);
	return r;
}
