/* The arithmetic behind linux.resources.cpu.quota/period (cpu_quota.c),
 * kept free of system calls so that it can be tested alone.
 *
 * Contract
 * - Time is in nanoseconds of CLOCK_MONOTONIC; CPU time in nanoseconds.
 * - Periods are period_ns long, the first starting when the limit is set.
 *   Each period grants quota_ns of CPU time. What a period used beyond
 *   its grant is carried into the next as debt (a token bucket without
 *   savings: unused time is not carried), so that over many periods the
 *   container's share is quota/period even though usage is only seen at
 *   each sample.
 * - cq_bucket_charge() adds the CPU time used since the previous charge,
 *   closes the periods that ended by `now`, and says whether the
 *   container may run: false once the current period's usage, debt
 *   included, reaches the quota.
 * - The caller stops or continues the container and says so
 *   (cq_bucket_stopped, cq_bucket_continued), which keeps the counters the
 *   cpu cgroup keeps: periods with CPU use, periods in which the container
 *   was throttled, and the time it spent throttled.
 * - quota_ns <= 0: no limit; charging always says run. */
#ifndef RUNLOCK_SHIM_SUPERVISOR_CPU_BUCKET_H
#define RUNLOCK_SHIM_SUPERVISOR_CPU_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

/* cpu.stat's nr_periods, nr_throttled, throttled_usec (here in ns). */
struct cq_stats {
	uint64_t periods;
	uint64_t throttled_periods;
	uint64_t throttled_time_ns;
};

struct cq_bucket {
	int64_t quota_ns;  /* <= 0: no limit */
	int64_t period_ns; /* > 0 */
	int64_t used_ns;   /* charged to the current period, debt included */
	int64_t period_start;
	bool active;       /* CPU was used in the current period */
	bool throttled_in; /* the current period had the container stopped */
	bool throttled;    /* the container is stopped now */
	int64_t throttled_since;
	struct cq_stats stats;
};

/* A new limit from `now`: a fresh period, no debt; the counters and the
 * throttled state stay (the caller continues the container if needed). */
void cq_bucket_set(struct cq_bucket *b, int64_t quota_ns, int64_t period_ns, int64_t now);
/* Charge cpu_ns used up to `now`; returns whether the container may run. */
bool cq_bucket_charge(struct cq_bucket *b, int64_t now, int64_t cpu_ns);
void cq_bucket_stopped(struct cq_bucket *b, int64_t now);
void cq_bucket_continued(struct cq_bucket *b, int64_t now);
/* The counters, the time of a throttling still going on included. */
struct cq_stats cq_bucket_stats(const struct cq_bucket *b, int64_t now);
/* How long (ns) until the next sample is due: while running, the time the
 * rest of the quota lasts at `rate` CPUs (the rate seen at the last
 * sample), within [min_ns, tick_ns]; while stopped, the end of the period. */
int64_t cq_bucket_wait(const struct cq_bucket *b, int64_t now, double rate, int64_t min_ns,
                       int64_t tick_ns);

#endif
