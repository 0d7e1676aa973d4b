/* ioprio_set, trapped for every container: with
 * linux.resources.blockIO.weight the container's processes run at a
 * best-effort I/O level (runtime/init/io_limits.c), and the kernel lets
 * any process move its own best-effort level up or down, so the blkio
 * cgroup's weight would not hold. The supervisor lets through only what
 * does not rise above the container's level: a best-effort level at or
 * below it, or the idle class. A higher level, the realtime class, and
 * the class "none" (which derives the level from nice, up to 0) get
 * EPERM, as a cgroup-bound process could not escape its weight either.
 * Without a weight (yet: runlock update may set one) the call is
 * CONTINUEd. Only the caller's own priority (IOPRIO_WHO_PROCESS of 0 or
 * of a task of the caller) reaches here with effect: runlock's filter
 * answers EPERM for other pids and for IOPRIO_WHO_USER first
 * (docs/seccomp.md); a process group could hold host processes, so
 * IOPRIO_WHO_PGRP under a weight is EPERM too. The decision reads only
 * registers and the supervisor's own state, so CONTINUE is race-free. */
#include <errno.h>
#include <linux/ioprio.h>

#include "shim/supervisor/handlers.h"

static void h_ioprio_set(struct notify *n, int listener, const struct seccomp_notif *req,
                         enum notify_abi abi, struct notify_answer *a)
{
	const struct emul_state *s = n->ctx;
	int which = (int)req->data.args[0];
	unsigned prio = (unsigned)req->data.args[2];
	unsigned class = IOPRIO_PRIO_CLASS(prio), level = IOPRIO_PRIO_DATA(prio);

	(void)listener;
	(void)abi;
	if (s->io_level < 0) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	if (which == IOPRIO_WHO_PROCESS &&
	    (class == IOPRIO_CLASS_IDLE ||
	     (class == IOPRIO_CLASS_BE && level >= (unsigned)s->io_level))) {
		a->kind = ANSWER_CONTINUE;
		return;
	}
	a->err = EPERM;
}

const struct notify_entry io_entries[] = {
    {"ioprio_set", h_ioprio_set},
};
const size_t n_io_entries = sizeof(io_entries) / sizeof(io_entries[0]);
