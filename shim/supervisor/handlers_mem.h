/* linux.resources.memory.limit without a memory cgroup (docs/resources.md,
 * "Memory").
 *
 * Contract
 * - Only when the bundle sets a limit (> 0) at create does anything here
 *   run: the traps below are compiled into the filter and the sampler
 *   ticks. A container created without one has neither, and runlock
 *   update cannot give it one (resources_update.c refuses).
 * - The sampler (mem_sample, every MEM_TICK_MS from the supervisor's
 *   loop) is the backstop: usage is the sum over the container's
 *   processes of their anonymous resident memory (/proc/PID/statm
 *   resident - shared). Above the limit it is confirmed with Pss_Anon
 *   (/proc/PID/smaps_rollup: pages shared copy-on-write after a fork count
 *   once); still above, the process with the most is killed (SIGKILL, as
 *   the kernel's OOM killer would), failcnt and oom_kills count it. Init
 *   killed: the container exits 137.
 * - The traps refuse, with ENOMEM, a call that would commit more than is
 *   left: mmap/mmap2 of anonymous writable memory (not MAP_NORESERVE,
 *   MAP_ANONYMOUS set) of at least MEM_TRAP_MIN bytes, mremap growing to
 *   at least MEM_TRAP_MIN, brk growth (past the break learnt from the
 *   process's first brk since its exec), mprotect adding PROT_WRITE to at
 *   least MEM_TRAP_MIN. Reservations (PROT_NONE, MAP_NORESERVE) are never
 *   charged. A call is refused when usage + charged + len > limit; else
 *   len is charged and the call CONTINUEs: the decision rests on scalar
 *   arguments (lengths, flags, prot) and the supervisor's own records, which
 *   the kernel uses as the supervisor read them. The charge is cleared by
 *   each sample, which measures what was really touched.
 * - What is not counted: file-backed and shared memory (tmpfs, memfd,
 *   MAP_SHARED|MAP_ANONYMOUS), kernel memory, swapped-out pages. */
#ifndef RUNLOCK_SHIM_SUPERVISOR_HANDLERS_MEM_H
#define RUNLOCK_SHIM_SUPERVISOR_HANDLERS_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/config.h"
#include "shim/notify/notify.h"

#define MEM_TICK_MS   10
#define MEM_TRAP_MIN  (64 * 1024)
#define MEM_BRK_SLOTS 256

struct mem_brk {
	pid_t pid;      /* its process (tgid); 0: empty */
	uint64_t start; /* its start_brk when learnt: another after an exec */
	uint64_t brk;   /* the last break it asked for and was let through */
};

struct mem_state {
	bool on;       /* a limit was set at create: traps and sampler */
	int64_t limit; /* bytes; -1: none (runlock update may lift it) */
	int64_t usage, max_usage;
	int64_t charged; /* let through since the last sample */
	uint64_t failcnt, oom_kills;
	int64_t next_ms; /* the next sample, CLOCK_MONOTONIC ms */
	uint64_t samples;
	int victim_fd; /* a pidfd of the last process killed, until it has exited */
	struct mem_brk brks[MEM_BRK_SLOTS];
	unsigned next_slot;
};

extern const struct notify_entry mem_entries[];
extern const size_t n_mem_entries;
/* The argument conditions of mem_entries, entry by entry. */
extern const struct trap_cond mem_conds[][TRAP_MAX_CONDS];

/* The bundle's limit, or 0 when none is enforced (absent, 0 or negative). */
int64_t mem_limit_of(const struct oci_config *c);

void mem_init(struct mem_state *m, const struct oci_config *c);
/* ms until the next sample is due (0: now), -1 when none is. */
int mem_due_in(const struct mem_state *m, int64_t now);
/* Measure the container (its processes: pids), kill the largest if it is
 * over the limit. Returns the pid killed, or 0. */
pid_t mem_sample(struct mem_state *m, const pid_t *pids, size_t n, int64_t now);
/* The anonymous resident bytes of pid (statm), 0 when gone. */
int64_t mem_of_process(pid_t pid);

#endif
