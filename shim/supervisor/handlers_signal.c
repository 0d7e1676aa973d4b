/* Signals to the container's init, for a container that asked for a pid
 * namespace (docs/security.md, "Namespaces"). runc's init is pid 1 of its
 * namespace; runlock's has a host pid. Two things follow:
 *
 * - pid 1 names init: kill(1, sig) (and tkill, tgkill, rt_sigqueueinfo,
 *   rt_tgsigqueueinfo with 1) is switched (shim/redirect.h) for the same
 *   call on init's host pid, made by the caller itself: the kernel checks
 *   its permission, Landlock's signal scope and fills si_pid as for any of
 *   its signals.
 * - the kernel gives pid 1 only the signals it catches when they come from
 *   inside its namespace (SIGKILL and SIGSTOP included): a signal init does
 *   not catch is answered 0 and not sent, once the caller's permission is
 *   checked as the kernel would (EPERM first).
 *
 * Anything else (another target, a process group, -1) runs as the caller's
 * own call (CONTINUE): the arguments are registers, nothing the caller can
 * change after the look, and the kernel's own checks decide. Not covered:
 * kill(0 or -pgrp, sig) and kill(-1, sig) reach init as on the host, and
 * pidfd_send_signal is not looked at. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>

#include "common/proc.h"
#include "shim/notify/redirect.h"
#include "shim/supervisor/handlers.h"

static struct emul_state *state_of(struct notify *n)
{
	return n->ctx;
}

/* init has a pid and has not exited (its pidfd is not readable yet). */
static bool init_alive(const struct emul_state *s)
{
	struct pollfd p = {.fd = s->init_pidfd, .events = POLLIN};

	return s->init_pid > 0 && s->init_pidfd >= 0 && poll(&p, 1, 0) == 0;
}

/* Real and saved uid ("Uid:" real, effective, saved, fs) of pid. */
static int uids_of(pid_t pid, uid_t *real, uid_t *eff, uid_t *saved, uint64_t *cap_eff)
{
	char buf[4096], *p;

	if (proc_read_status(pid, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p + 5, "%u %u %u", real, eff, saved) != 3)
		return -1;
	p = strstr(buf, "\nCapEff:");
	*cap_eff = p ? strtoull(p + 8, NULL, 16) : 0;
	return 0;
}

/* The kernel's check_kill_permission for a signal from tid to init:
 * the same thread group, a uid match (kill_ok_by_cred), CAP_KILL, or
 * SIGCONT within the session. */
static bool may_signal(pid_t tid, pid_t init, int sig)
{
	uid_t cr, ce, cs, tr, te, ts;
	uint64_t ccap, tcap;
	struct proc_stat a, b;

	if (fs_thread_group(tid) == init)
		return true;
	if (uids_of(tid, &cr, &ce, &cs, &ccap) < 0 || uids_of(init, &tr, &te, &ts, &tcap) < 0)
		return false;
	if (ce == ts || ce == tr || cr == ts || cr == tr || (ccap & (1ULL << CAP_KILL)))
		return true;
	return sig == SIGCONT && proc_read_stat(tid, &a) == 0 && proc_read_stat(init, &b) == 0 &&
	       a.session == b.session;
}

/* The call's arguments: which hold the thread group, the thread (-1: none)
 * and the signal. */
static void answer_signal(struct notify *n, int listener, const struct seccomp_notif *req,
                          enum notify_abi abi, int tgid_arg, int tid_arg, int sig_arg,
                          struct notify_answer *a)
{
	const struct emul_state *s = state_of(n);
	pid_t tgid = tgid_arg >= 0 ? (pid_t)(int32_t)req->data.args[tgid_arg] : 0;
	pid_t tid = tid_arg >= 0 ? (pid_t)(int32_t)req->data.args[tid_arg] : 0;
	int sig = (int)(int32_t)req->data.args[sig_arg];
	pid_t init = s->init_pid;
	bool renamed = false, to_init;

	if (!init_alive(s)) {
		/* No init (gone, or not yet named): nothing to protect, and
		 * pid 1 names no one. */
		if (tgid == 1 || tid == 1) {
			a->err = ESRCH;
			return;
		}
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (tgid == 1 || tid == 1) {
		renamed = true;
		tgid = tgid == 1 ? init : tgid;
		tid = tid == 1 ? init : tid;
	}
	to_init = tgid_arg >= 0 ? tgid == init : fs_thread_group(tid) == init;
	if (!to_init) {
		if (renamed) {
			/* tgkill(X, 1, sig): init's thread is not in X. */
			a->err = ESRCH;
			return;
		}
		/* SAFETY: the target and signal are registers the caller
		 * cannot change after this look; the kernel checks the
		 * caller's permission and Landlock's scope itself. */
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (sig < 0 || sig >= NSIG) {
		a->err = EINVAL;
		return;
	}
	if (sig != 0 && proc_init_drops(init, sig, false)) {
		/* As pid 1's: permission first, then dropped. */
		if (!may_signal((pid_t)req->pid, init, sig)) {
			a->err = EPERM;
			return;
		}
		a->kind = ANSWER_VALUE;
		a->val = 0;
		return;
	}
	if (!renamed) {
		/* SAFETY: as above; init catches sig, the kernel delivers. */
		a->kind = ANSWER_CONTINUE;
		return;
	}
	{
		/* The same call on init's host pid, made by the caller (the
		 * switch comes back here with init's pid, and goes on). */
		struct redirect rd = {.nr = req->data.nr, .fd = -1};
		memcpy(rd.args, req->data.args, sizeof(rd.args));
		if (tgid_arg >= 0)
			rd.args[tgid_arg] = (uint64_t)tgid;
		if (tid_arg >= 0)
			rd.args[tid_arg] = (uint64_t)tid;
		redirect_answer(listener, req, abi, &rd, a);
	}
}

static void h_kill(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	answer_signal(n, listener, req, abi, 0, -1, 1, a); /* kill(pid, sig) */
}

static void h_tkill(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	answer_signal(n, listener, req, abi, -1, 0, 1, a); /* tkill(tid, sig) */
}

static void h_tgkill(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	answer_signal(n, listener, req, abi, 0, 1, 2, a); /* tgkill(tgid, tid, sig) */
}

static void h_rt_sigqueueinfo(struct notify *n, int listener, const struct seccomp_notif *req,
                              enum notify_abi abi, struct notify_answer *a)
{
	answer_signal(n, listener, req, abi, 0, -1, 1, a); /* (tgid, sig, info) */
}

static void h_rt_tgsigqueueinfo(struct notify *n, int listener, const struct seccomp_notif *req,
                                enum notify_abi abi, struct notify_answer *a)
{
	answer_signal(n, listener, req, abi, 0, 1, 2, a); /* (tgid, tid, sig, info) */
}

const struct notify_entry signal_entries[] = {
    {"kill", h_kill},
    {"tkill", h_tkill},
    {"tgkill", h_tgkill},
    {"rt_sigqueueinfo", h_rt_sigqueueinfo},
    {"rt_tgsigqueueinfo", h_rt_tgsigqueueinfo},
};
const size_t n_signal_entries = sizeof(signal_entries) / sizeof(signal_entries[0]);
