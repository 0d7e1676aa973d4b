/* Have a trapped thread make another system call in place of the one it
 * trapped on (docs/mounts.md, "Programs and working directories in
 * mounts").
 *
 * A seccomp answer can only fail the caller's call, give it a value or let
 * it run. It cannot turn execve(path) into execveat(fd, "", AT_EMPTY_PATH),
 * and under chroot no path reaches a mount's source. So, for that moment only, the supervisor
 * attaches to the calling thread with ptrace: PTRACE_SEIZE and PTRACE_INTERRUPT while the thread
 * still waits for its answer; the descriptor injected (close-on-exec); the answer (an error, which
 * the caller sees only if the switch does not happen); the interrupt's stop, on the way back to
 * user mode before any instruction of the caller runs; the new call's number and arguments in the
 *   registers with the instruction pointer back on the system call
 *   instruction (as the kernel restarts a call); PTRACE_DETACH.
 * The new call then runs as the caller's own, through every seccomp filter,
 * Landlock, the chroot and the caller's credentials: nothing is decided
 * here, the switch only names the object the view resolved.
 *
 * With close_after the supervisor stays attached through the new call
 * (PTRACE_SYSCALL, the caller's signals blocked meanwhile with
 * PTRACE_SETSIGMASK, a signal caught at the stop delivered on detach), has
 * the caller close the injected descriptor, and leaves it the first call's
 * result.
 *
 * Needs ptrace permission over the caller (root, or CAP_SYS_PTRACE); a
 * caller already traced (strace inside the container) cannot be attached:
 * its call fails with EPERM. */
#ifndef RUNLOCK_SHIM_NOTIFY_REDIRECT_H
#define RUNLOCK_SHIM_NOTIFY_REDIRECT_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "shim/notify/notify.h"

struct redirect {
	long nr;          /* the new call, in the caller's ABI */
	uint64_t args[6]; /* its arguments */
	int fd;           /* >= 0: injected first (the supervisor's copy is closed) */
	int fd_arg;       /* the argument that gets the injected number */
	bool close_after; /* close the injected descriptor once the call returned */
	/* Have the caller set no_new_privs before the new call: an exec whose
	 * descriptor or name another thread may swap after the switch then
	 * gains no privilege from a set-id program of a nosuid mount. */
	bool nnp_first;
	/* At the stop, before the registers are set: may write the caller's
	 * memory below sp (notify_write_mem with listener -1) and change
	 * args. -errno: the caller's call fails with it instead. NULL:
	 * nothing to do. */
	int (*prepare)(void *ctx, pid_t tid, uint64_t sp, struct redirect *r);
	void *ctx;
};

/* Answer req by the switch r. a is set to ANSWER_PENDING when the
 * notification was answered here (whatever became of the switch), or to
 * the error to answer with when the caller could not be attached. */
void redirect_answer(int listener, const struct seccomp_notif *req, enum notify_abi abi,
                     struct redirect *r, struct notify_answer *a);

#endif
