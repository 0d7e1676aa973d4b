/* linux.resources.pids.limit without a pids cgroup (docs/design.md,
 * "Resources: pids").
 *
 * Contract
 * - Only when the bundle sets a limit (> 0) are fork, vfork and clone
 *   trapped, on both ABIs (clone3 already answers ENOSYS in runlock's
 *   mandatory filter, so libc falls back to clone); otherwise nothing is
 *   trapped and nothing here runs.
 * - The container's tasks, threads included, are counted from the
 *   supervisor's own records: a pidfd per task (PIDFD_THREAD), registered
 *   when the process is started (pids_track, from its HELLO), when a new
 *   task is found where a fork let through puts it (the forking process's
 *   children lists, or its threads), or when an unknown task traps a
 *   fork. A task leaves the count when its pidfd hangs up, i.e. once it is
 *   reaped, as the pids cgroup releases a task only then.
 * - A fork is let through (CONTINUE: the decision rests on the flags in a
 *   register, which the kernel uses as the supervisor read them) only while
 *   tasks + reservations < limit, and leaves a reservation until its task is
 *   found or the forking thread is seen past the call. Otherwise it waits up
 *   to PIDS_RETRY_MS for a task to be reaped, then fails with EAGAIN, the
 *   pids cgroup's answer.
 * - pids_tick() runs every PIDS_TICK_MS from the supervisor's loop while
 *   pids_busy() says reservations are outstanding. */
#ifndef RUNLOCK_SHIM_SUPERVISOR_HANDLERS_PIDS_H
#define RUNLOCK_SHIM_SUPERVISOR_HANDLERS_PIDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "shim/notify/notify.h"
#include "shim/supervisor/pids_acct.h"

#define PIDS_TICK_MS  1
#define PIDS_RETRY_MS 50
/* A forking thread that cannot be seen in or past its call (running on
 * a CPU, or /proc unreadable): its reservation is settled after this. */
#define PIDS_GRACE_MS 100

struct pids_state {
	struct pids_acct acct;
	int ep; /* the tasks' pidfds, for their hang-up; -1 without a limit */
	bool have_root;
	dev_t root_dev; /* the container's root (init's), to find a lost child */
	ino_t root_ino;
	/* runlock's own processes in that root, never counted: the agent,
	 * the spawner and its children (the exec waiters). */
	pid_t agent, spawner;
};

extern const struct notify_entry pids_entries[];
extern const size_t n_pids_entries;

/* The bundle's limit, or 0 when none is enforced (absent, 0 or negative). */
int64_t pids_limit_of(const struct oci_config *c);

/* Set up p for the bundle (no limit: p->ep stays -1 and nothing runs). */
void pids_init(struct pids_state *p, const struct oci_config *c);
/* A process runlock started (init or an exec'd one): count it. */
void pids_track(struct pids_state *p, pid_t pid);
/* Whether pids_tick() is needed. */
bool pids_busy(const struct pids_state *p);
void pids_tick(struct pids_state *p);

#endif
