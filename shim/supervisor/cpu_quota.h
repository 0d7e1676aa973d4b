/* linux.resources.cpu.quota and cpu.period without a cpu cgroup
 * (docs/resources.md, "CPU time").
 *
 * Contract
 * - With quota > 0 the supervisor samples the container's CPU time on a
 *   tick (cpu_quota_timeout says when; the loop calls cpu_quota_tick
 *   after every wake-up, and it does nothing before that time): for each
 *   member (sv_members, listed again at most every CQ_REFRESH_MS and
 *   before every stop), its process CPU clock (every thread, live and
 *   exited) plus the CPU time of the children it waited for (cutime and
 *   cstime), minus what was already counted for such a child while it was
 *   a member. Per member the values never go backwards; a member seen for
 *   the first time is charged from 0 (its whole life), except those that
 *   ran before the limit was set.
 * - cpu_bucket.h decides. When the period's quota is used up every member
 *   gets SIGSTOP (those already stopped are left alone and never
 *   continued by us); when a period frees it, those we stopped get
 *   SIGCONT, unless the container is paused: the continuation holds the
 *   state directory's lock (shared, never waited for: a busy lock is
 *   tried again a millisecond later) and reads the recorded status, so it
 *   can never overlap `runlock pause` or `resume`, which hold it
 *   exclusively. A paused container is left to `resume`.
 * - Without a limit (quota <= 0, the default) nothing here runs and
 *   cpu_quota_timeout leaves the loop's timeout alone. */
#ifndef RUNLOCK_SHIM_SUPERVISOR_CPU_QUOTA_H
#define RUNLOCK_SHIM_SUPERVISOR_CPU_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"
#include "shim/supervisor/cpu_bucket.h"

#define CQ_DEFAULT_PERIOD_US 100000 /* runc's */
#define CQ_TICK_MAX_NS       10000000
#define CQ_TICK_MIN_NS       1000000
#define CQ_IDLE_MAX_NS       100000000 /* the tick, backed off while idle */
#define CQ_REFRESH_MS        100       /* the member list, between stops */
#define CQ_CREDIT_MS         1000

struct cq_task {
	pid_t pid, ppid;
	uint64_t start_time;
	int dirfd;         /* /proc/PID: names this process only (signals too) */
	int64_t self_ns;   /* its CPU clock, as last read */
	int64_t kids_ns;   /* cutime + cstime, as last read */
	int64_t credit_ns; /* counted for its dead children, not yet in kids_ns */
	int64_t credit_at; /* ms: when the credit was last given */
	bool stopped;      /* SIGSTOPped by the quota (to continue) */
	bool listed;       /* in the latest member list */
};

struct cpu_quota {
	struct cq_bucket b;
	int64_t quota_us;
	uint64_t period_us;
	struct cq_task *t;
	size_t n, cap;
	int64_t next_sample; /* ns, CLOCK_MONOTONIC; 0: now */
	int64_t last_sample;
	int64_t next_refresh; /* ms */
	int64_t wait_ns;      /* from the last sample to the next */
	double rate;          /* CPUs the container used at the last sample */
	bool baseline;        /* the next sample only records where members are */
	bool continue_wanted; /* continue as soon as the lock is free */
};

struct supervisor;

/* The bundle's limit (none when quota is absent or <= 0). */
void cpu_quota_init(struct cpu_quota *q, const struct oci_config *c);
/* runlock update: the values a request gives (has_cpu_quota, has_cpu_period;
 * what it leaves out keeps its value). Checked by cpu_quota_check first. */
void cpu_quota_update(struct supervisor *s, const struct oci_resources *r);
/* The values after r, checked as the cgroup would: a period of 1 ms to
 * 1 s, a quota of at least 1 ms (or <= 0: none). 0 or -1 with *e. */
int cpu_quota_check(const struct cpu_quota *q, const struct oci_resources *r, struct rl_error *e);
/* The poll(2) timeout in ms: `timeout` (-1: none), or sooner when a
 * sample is due. */
int cpu_quota_timeout(struct supervisor *s, int timeout);
/* Sample, stop or continue, if it is time to. */
void cpu_quota_tick(struct supervisor *s);
/* The throttling counters so far. */
struct cq_stats cpu_quota_stats(const struct supervisor *s);

#endif
