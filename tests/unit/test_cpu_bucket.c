/* The CPU quota's token bucket (shim/supervisor/cpu_bucket.h): debt carried
 * across periods, the long-run share, and cpu.stat's counters. */
#include "shim/supervisor/cpu_bucket.h"
#include "tests/unit/unit.h"

#define MS 1000000LL

static void test_throttle_and_release(void)
{
	struct cq_bucket b = {0};
	struct cq_stats st;

	cq_bucket_set(&b, 50 * MS, 100 * MS, 0);
	CHECK(cq_bucket_charge(&b, 10 * MS, 10 * MS));
	/* 60 ms used by 60 ms: over the quota, stop. */
	CHECK(!cq_bucket_charge(&b, 60 * MS, 50 * MS));
	cq_bucket_stopped(&b, 60 * MS);
	/* Still in the period: stays stopped. */
	CHECK(!cq_bucket_charge(&b, 90 * MS, 0));
	/* The next period pays 50 of the 60: 10 ms of debt, under the quota. */
	CHECK(cq_bucket_charge(&b, 101 * MS, 0));
	CHECK_INT_EQ(b.used_ns, 10 * MS);
	cq_bucket_continued(&b, 101 * MS);
	st = cq_bucket_stats(&b, 101 * MS);
	CHECK_UINT_EQ(st.periods, 1);
	CHECK_UINT_EQ(st.throttled_periods, 1);
	CHECK_UINT_EQ(st.throttled_time_ns, 41 * MS);
}

/* A big overshoot (a coarse sample) keeps the container stopped for as
 * many periods as it owes, then no longer: the share over time is
 * quota/period. */
static void test_debt_spans_periods(void)
{
	struct cq_bucket b = {0};
	int64_t t = 0, used = 0, runs = 0;

	cq_bucket_set(&b, 10 * MS, 100 * MS, 0);
	/* One sample sees 35 ms at once. */
	CHECK(!cq_bucket_charge(&b, 40 * MS, 35 * MS));
	cq_bucket_stopped(&b, 40 * MS);
	CHECK(!cq_bucket_charge(&b, 100 * MS, 0)); /* owes 25 */
	CHECK(!cq_bucket_charge(&b, 200 * MS, 0)); /* owes 15 */
	CHECK(cq_bucket_charge(&b, 300 * MS, 0));  /* owes 5 */
	cq_bucket_continued(&b, 300 * MS);
	/* A busy container sampled every 10 ms over 100 periods. */
	cq_bucket_set(&b, 10 * MS, 100 * MS, 0);
	for (t = 10 * MS; t <= 10000 * MS; t += 10 * MS) {
		int64_t d = b.throttled ? 0 : 10 * MS;
		used += d;
		if (cq_bucket_charge(&b, t, d)) {
			cq_bucket_continued(&b, t);
			runs++;
		} else {
			cq_bucket_stopped(&b, t);
		}
	}
	/* 10% of 10 s, within one sample. */
	CHECK(used >= 990 * MS && used <= 1010 * MS);
	CHECK(runs > 0);
}

/* quota above the period: a share of several CPUs. */
static void test_multi_cpu(void)
{
	struct cq_bucket b = {0};

	cq_bucket_set(&b, 150 * MS, 100 * MS, 0);
	CHECK(cq_bucket_charge(&b, 50 * MS, 100 * MS)); /* two CPUs for 50 ms */
	CHECK(!cq_bucket_charge(&b, 75 * MS, 50 * MS));
	cq_bucket_stopped(&b, 75 * MS);
	CHECK(cq_bucket_charge(&b, 100 * MS, 0));
	CHECK_INT_EQ(b.used_ns, 0);
}

/* Idle periods count in no counter and leave no savings; no limit never
 * stops. */
static void test_idle_and_unlimited(void)
{
	struct cq_bucket b = {0};
	struct cq_stats st;

	cq_bucket_set(&b, 20 * MS, 100 * MS, 0);
	CHECK(cq_bucket_charge(&b, 1000 * MS, 0));
	st = cq_bucket_stats(&b, 1000 * MS);
	CHECK_UINT_EQ(st.periods, 0);
	/* No carry of unused time: 20 ms is the most a period grants. */
	CHECK(!cq_bucket_charge(&b, 1010 * MS, 20 * MS));
	cq_bucket_set(&b, 0, 100 * MS, 0);
	CHECK(cq_bucket_charge(&b, 10 * MS, 1000 * MS));
	CHECK_INT_EQ(cq_bucket_wait(&b, 10 * MS, 1.0, MS, 10 * MS), 10 * MS);
}

static void test_wait(void)
{
	struct cq_bucket b = {0};

	cq_bucket_set(&b, 50 * MS, 100 * MS, 0);
	/* 20 ms left at 2 CPUs: 10 ms; at 4 CPUs 5 ms; idle: the tick. */
	CHECK(cq_bucket_charge(&b, 15 * MS, 30 * MS));
	CHECK_INT_EQ(cq_bucket_wait(&b, 15 * MS, 2.0, MS, 10 * MS), 10 * MS);
	CHECK_INT_EQ(cq_bucket_wait(&b, 15 * MS, 4.0, MS, 10 * MS), 5 * MS);
	CHECK_INT_EQ(cq_bucket_wait(&b, 15 * MS, 0.0, MS, 10 * MS), 10 * MS);
	/* Stopped: until the period ends. */
	cq_bucket_stopped(&b, 15 * MS);
	CHECK_INT_EQ(cq_bucket_wait(&b, 15 * MS, 2.0, MS, 10 * MS), 85 * MS);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_throttle_and_release);
	RUN(test_debt_spans_periods);
	RUN(test_multi_cpu);
	RUN(test_idle_and_unlimited);
	RUN(test_wait);
	return unit_summary(argv[0]);
}
