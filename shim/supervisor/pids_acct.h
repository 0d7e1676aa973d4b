/* The bookkeeping behind linux.resources.pids.limit (handlers_pids.c),
 * kept free of system calls so that it can be tested alone.
 *
 * Contract
 * - The container's live tasks (threads included, as the pids cgroup
 *   counts them) are a set of tids, each with the descriptor that proves
 *   its liveness (a pidfd, owned by the set: pids_acct_free closes them;
 *   pids_acct_remove hands one back to the caller).
 * - A reservation stands for a fork the supervisor let through (CONTINUE)
 *   whose new task it has not seen yet: the forking thread, the clone
 *   flags and syscall number it trapped with, and when it was made.
 * - pids_acct_current() = tasks + reservations; pids_acct_room() says
 *   whether one more fits under the limit (limit <= 0: no limit). The
 *   pids cgroup refuses a fork once current >= limit, so does this.
 * - A reservation is released only for its own forking thread
 *   (pids_acct_release_tid): when a new task is found where that thread's
 *   fork puts it, or when the fork is known to be over without one. */
#ifndef RUNLOCK_SHIM_SUPERVISOR_PIDS_ACCT_H
#define RUNLOCK_SHIM_SUPERVISOR_PIDS_ACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pids_task {
	pid_t tid;  /* 0: empty; -1: removed (a tombstone) */
	pid_t tgid; /* its process */
	int fd;
};

struct pids_resv {
	pid_t tid, tgid; /* the thread that forks, its process */
	uint64_t flags;  /* clone flags (fork: SIGCHLD, vfork: CLONE_VFORK|CLONE_VM|SIGCHLD) */
	int nr;          /* the trapped syscall's number, in its ABI */
	int64_t since;   /* ms, CLOCK_MONOTONIC */
};

struct pids_acct {
	int64_t limit; /* <= 0: none */
	struct pids_task *slots;
	size_t cap, live, dead; /* slots; tasks in them; tombstones */
	struct pids_resv *resv; /* oldest first */
	size_t n_resv, cap_resv;
};

void pids_acct_init(struct pids_acct *a, int64_t limit);
/* Close every task's descriptor and free the tables. */
void pids_acct_free(struct pids_acct *a);

size_t pids_acct_current(const struct pids_acct *a);
bool pids_acct_room(const struct pids_acct *a);

/* The record of a known task, or NULL. */
const struct pids_task *pids_acct_find(const struct pids_acct *a, pid_t tid);
/* Add a task (tid > 0). Returns 0; 1 when tid was known already (its
 * record is kept, fd is not taken); -1 when out of memory. */
int pids_acct_add(struct pids_acct *a, pid_t tid, pid_t tgid, int fd);
/* Forget a task; returns its descriptor (the caller closes it), or -1
 * when tid was not known. */
int pids_acct_remove(struct pids_acct *a, pid_t tid);

/* A fork let through by thread tid. Returns 0, -1 when out of memory. */
int pids_acct_reserve(struct pids_acct *a, pid_t tid, pid_t tgid, uint64_t flags, int nr,
                      int64_t now);
/* Release the oldest reservation of thread tid. Returns whether it had one. */
bool pids_acct_release_tid(struct pids_acct *a, pid_t tid);
/* How many reservations thread tid holds. */
size_t pids_acct_held(const struct pids_acct *a, pid_t tid);
/* Release reservation i (0 <= i < n_resv); the order of the rest stays. */
void pids_acct_release(struct pids_acct *a, size_t i);

#endif
