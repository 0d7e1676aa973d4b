/* The switch of a trapped call for another (redirect.h). */
#include "shim/notify/redirect.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/proc.h"

#define NR_CLOSE_X86_64 3
#define NR_CLOSE_I386   6
#define NR_PRCTL_X86_64 157
#define NR_PRCTL_I386   172
#define PR_NNP          38 /* PR_SET_NO_NEW_PRIVS */
/* Both `syscall` and `int $0x80` are two bytes; the kernel restarts an
 * interrupted call the same way (the i386 vDSO's sysenter returns past an
 * `int $0x80` for this). */
#define SYSCALL_INSN_LEN 2
/* Stops a switch may go through before it gives up (group stops, signals
 * that cannot be blocked). */
#define MAX_STOPS 16

/* Wait for tid's next stop. Returns its status, or -ESRCH once it is gone. */
static int wait_stop(pid_t tid)
{
	int st;

	for (;;) {
		pid_t w = waitpid(tid, &st, __WALL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 || !WIFSTOPPED(st))
			return -ESRCH;
		return st;
	}
}

static void set_call(struct user_regs_struct *g, enum notify_abi abi, uint64_t ip, long nr,
                     const uint64_t *a)
{
	g->rax = (unsigned long long)nr;
	g->orig_rax = (unsigned long long)-1; /* no restart logic on the way out */
	g->rip = ip - SYSCALL_INSN_LEN;
	if (abi == NOTIFY_ABI_I386) {
		g->rbx = (uint32_t)a[0];
		g->rcx = (uint32_t)a[1];
		g->rdx = (uint32_t)a[2];
		g->rsi = (uint32_t)a[3];
		g->rdi = (uint32_t)a[4];
		g->rbp = (uint32_t)a[5];
	} else {
		g->rdi = a[0];
		g->rsi = a[1];
		g->rdx = a[2];
		g->r10 = a[3];
		g->r8 = a[4];
		g->r9 = a[5];
	}
}

/* Run the call set in g to its end, the caller attached and at a stop.
 * *pending collects a signal caught on the way (delivered on detach).
 * Returns its result, or -ESRCH when the caller is gone. */
static long run_call(pid_t tid, struct user_regs_struct *g, int *pending)
{
	bool entered = false;

	if (ptrace(PTRACE_SETREGS, tid, 0, g) < 0)
		return -ESRCH;
	if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
		return -ESRCH;
	for (int i = 0; i < MAX_STOPS; i++) {
		int st = wait_stop(tid);
		if (st < 0)
			return st;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (entered) {
				if (ptrace(PTRACE_GETREGS, tid, 0, g) < 0)
					return -ESRCH;
				return (long)g->rax;
			}
			entered = true;
		} else if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP) {
			*pending = WSTOPSIG(st); /* a signal-delivery stop: held */
		}
		if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
			return -ESRCH;
	}
	return -EINTR;
}

/* Whether thread tid has no_new_privs (NoNewPrivs in its status). */
static bool has_nnp(pid_t tid)
{
	char buf[4096], *p;

	if (proc_read_status(tid, buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "\nNoNewPrivs:");
	return p && atoi(p + 12) == 1;
}

/* Have the caller, attached and at a stop, call
 * prctl(PR_SET_NO_NEW_PRIVS, 1) with its signals held. Returns the call's
 * result, or -ESRCH when the caller is gone. */
static long set_nnp(pid_t tid, enum notify_abi abi, const struct user_regs_struct *at, int *pending)
{
	struct user_regs_struct g = *at;
	uint64_t all = ~0ull, mask = 0, a[6] = {PR_NNP, 1, 0, 0, 0, 0};
	long result;

	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(mask), &mask) < 0 ||
	    ptrace(PTRACE_SETSIGMASK, tid, sizeof(all), &all) < 0)
		return -ESRCH;
	set_call(&g, abi, at->rip, abi == NOTIFY_ABI_I386 ? NR_PRCTL_I386 : NR_PRCTL_X86_64, a);
	result = run_call(tid, &g, pending);
	if (result != -ESRCH && ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) < 0)
		return -ESRCH;
	/* A filter of the caller's own may answer the prctl 0 without
	 * running it: believe the kernel's record, not the return value. */
	if (result == 0 && !has_nnp(tid))
		result = -EPERM;
	return result;
}

/* The caller, attached and at a stop right after its trapped call: make
 * the switch. Returns with the caller detached (or gone). */
static void switch_call(const struct seccomp_notif *req, enum notify_abi abi, struct redirect *r,
                        int remote, int first_sig)
{
	pid_t tid = (pid_t)req->pid;
	struct user_regs_struct g, saved;
	uint64_t all = ~0ull, mask = 0;
	int pending = first_sig, err;
	bool ok;

	if (ptrace(PTRACE_GETREGS, tid, 0, &g) < 0)
		return;
	saved = g;
	/* Not where the trapped call returns (a signal frame came first):
	 * the caller keeps the notification's answer. */
	ok = g.rip == req->data.instruction_pointer;
	if (ok && r->prepare && (err = r->prepare(r->ctx, tid, g.rsp, r)) < 0) {
		ok = false;
		saved.rax = (unsigned long long)(long)err;
	}
	if (ok && r->nnp_first) {
		long res = set_nnp(tid, abi, &saved, &pending);
		if (res == -ESRCH)
			return;
		if (res != 0) {
			ok = false;
			saved.rax = (unsigned long long)(long)-EPERM;
		}
	}
	if (ok) {
		if (remote >= 0)
			r->args[r->fd_arg] = (uint64_t)remote;
		set_call(&g, abi, saved.rip, r->nr, r->args);
		if (!r->close_after) {
			ptrace(PTRACE_SETREGS, tid, 0, &g);
			ptrace(PTRACE_DETACH, tid, 0, pending);
			return;
		}
	} else if (remote < 0) {
		ptrace(PTRACE_SETREGS, tid, 0, &saved);
		ptrace(PTRACE_DETACH, tid, 0, pending);
		return;
	}
	/* The caller makes calls for us from here: its signals wait. */
	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(mask), &mask) < 0 ||
	    ptrace(PTRACE_SETSIGMASK, tid, sizeof(all), &all) < 0) {
		ptrace(PTRACE_DETACH, tid, 0, pending);
		return;
	}
	if (ok) {
		long result = run_call(tid, &g, &pending);
		if (result == -ESRCH)
			return;
		saved.rax = (unsigned long long)result;
	}
	/* The injected descriptor goes, whether the switch happened or not. */
	if (remote >= 0) {
		uint64_t a[6] = {(uint64_t)remote};
		g = saved;
		set_call(&g, abi, saved.rip,
		         abi == NOTIFY_ABI_I386 ? NR_CLOSE_I386 : NR_CLOSE_X86_64, a);
		if (run_call(tid, &g, &pending) == -ESRCH)
			return;
	}
	/* Back where the trapped call returned, with its result. */
	ptrace(PTRACE_SETREGS, tid, 0, &saved);
	ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask);
	ptrace(PTRACE_DETACH, tid, 0, pending);
}

void redirect_answer(int listener, const struct seccomp_notif *req, enum notify_abi abi,
                     struct redirect *r, struct notify_answer *a)
{
	pid_t tid = (pid_t)req->pid;
	struct notify_answer fail = {.kind = ANSWER_ERRNO, .err = EPERM};
	_cleanup_close_ int fd = r->fd;
	int remote = -1, st, sig = 0;

	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD) < 0) {
		a->kind = ANSWER_ERRNO;
		a->err = errno == ESRCH ? ESRCH : EPERM;
		return;
	}
	a->kind = ANSWER_PENDING;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		return; /* gone */
	if (fd >= 0) {
		struct seccomp_notif_addfd add = {
		    .id = req->id, .srcfd = (uint32_t)fd, .newfd_flags = O_CLOEXEC};
		remote = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		if (remote < 0)
			fail.err = errno == EMFILE ? EMFILE : EPERM;
	}
	/* The caller sees this only when the switch does not happen. */
	notify_respond(listener, req->id, &fail);
	st = wait_stop(tid);
	if (st < 0)
		return;
	if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP)
		sig = WSTOPSIG(st);
	if (fd >= 0 && remote < 0) {
		ptrace(PTRACE_DETACH, tid, 0, sig);
		return;
	}
	switch_call(req, abi, r, remote, sig);
}
