/* sched_setaffinity, trapped for every container: runlock update may set
 * cpus later, and without them the call is CONTINUEd. With
 * linux.resources.cpu.cpus the cpuset cgroup would keep every process's
 * affinity within those CPUs, whatever mask it asks for. Without the cgroup, the supervisor makes
 * the call itself with the mask asked for, intersected with the container's CPUs (the kernel's own
 * rule under a cpuset: EINVAL when nothing is left), so the container cannot widen the affinity
 * init_child.c gave it. Only the caller's own affinity (pid 0) reaches here: runlock's filter
 * answers EPERM for any other pid first (docs/seccomp.md), as the same uid could otherwise act on a
 * host process. The mask is read once from the caller; the supervisor acts on its own copy. */
#include <errno.h>
#include <sched.h>

#include "shim/supervisor/handlers.h"

static void h_sched_setaffinity(struct notify *n, int listener, const struct seccomp_notif *req,
                                enum notify_abi abi, struct notify_answer *a)
{
	struct emul_state *s = n->ctx;
	pid_t target = (pid_t)req->data.args[0];
	uint64_t len = req->data.args[1];
	cpu_set_t want;

	(void)abi;
	if (CPU_COUNT(&s->cpus) == 0) { /* no cpus (yet): the kernel's own call */
		a->kind = ANSWER_CONTINUE;
		return;
	}
	CPU_ZERO(&want);
	if (notify_read_mem(listener, req->id, (pid_t)req->pid, req->data.args[2], &want,
	                    len < sizeof(want) ? (size_t)len : sizeof(want)) < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	if (target != 0) { /* runlock's filter refuses it before the trap */
		a->err = EPERM;
		return;
	}
	CPU_AND(&want, &want, &s->cpus);
	if (CPU_COUNT(&want) == 0) {
		a->err = EINVAL;
		return;
	}
	/* The caller may have died and its tid gone to someone else since
	 * the trap: act only while the notification is still live. */
	if (!notify_id_valid(listener, req->id)) {
		a->err = ESRCH;
		return;
	}
	if (sched_setaffinity((pid_t)req->pid, sizeof(want), &want) < 0) {
		a->err = errno;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

const struct notify_entry cpu_entries[] = {
    {"sched_setaffinity", h_sched_setaffinity},
};
const size_t n_cpu_entries = sizeof(cpu_entries) / sizeof(cpu_entries[0]);
