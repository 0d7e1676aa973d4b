/* The token bucket of the CPU quota (cpu_bucket.h). */
#include "shim/supervisor/cpu_bucket.h"

void cq_bucket_set(struct cq_bucket *b, int64_t quota_ns, int64_t period_ns, int64_t now)
{
	b->quota_ns = quota_ns;
	b->period_ns = period_ns > 0 ? period_ns : 100000000;
	b->used_ns = 0;
	b->period_start = now;
	b->active = false;
	b->throttled_in = b->throttled;
}

bool cq_bucket_charge(struct cq_bucket *b, int64_t now, int64_t cpu_ns)
{
	int64_t k;

	if (cpu_ns > 0) {
		b->used_ns += cpu_ns;
		b->active = true;
	}
	if (b->quota_ns <= 0)
		return true;
	k = now > b->period_start ? (now - b->period_start) / b->period_ns : 0;
	if (k > 0) {
		/* The period that ends; the k-1 after it passed whole, with
		 * the container stopped or idle. */
		b->stats.periods += b->active ? 1 : 0;
		b->stats.throttled_periods += b->throttled_in ? 1 : 0;
		if (k > 1 && b->throttled) {
			b->stats.periods += (uint64_t)(k - 1);
			b->stats.throttled_periods += (uint64_t)(k - 1);
		}
		/* Each period pays quota_ns of the debt. */
		if (b->used_ns / b->quota_ns < k)
			b->used_ns = 0;
		else
			b->used_ns -= k * b->quota_ns;
		b->period_start += k * b->period_ns;
		b->active = b->used_ns > 0;
		b->throttled_in = b->throttled && b->used_ns >= b->quota_ns;
	}
	return b->used_ns < b->quota_ns;
}

void cq_bucket_stopped(struct cq_bucket *b, int64_t now)
{
	if (b->throttled)
		return;
	b->throttled = true;
	b->throttled_in = true;
	b->throttled_since = now;
}

void cq_bucket_continued(struct cq_bucket *b, int64_t now)
{
	if (!b->throttled)
		return;
	b->throttled = false;
	if (now > b->throttled_since)
		b->stats.throttled_time_ns += (uint64_t)(now - b->throttled_since);
}

struct cq_stats cq_bucket_stats(const struct cq_bucket *b, int64_t now)
{
	struct cq_stats st = b->stats;

	if (b->throttled && now > b->throttled_since)
		st.throttled_time_ns += (uint64_t)(now - b->throttled_since);
	return st;
}

int64_t cq_bucket_wait(const struct cq_bucket *b, int64_t now, double rate, int64_t min_ns,
                       int64_t tick_ns)
{
	int64_t w;

	if (b->throttled) {
		w = b->period_start + b->period_ns - now;
		return w < min_ns ? min_ns : w;
	}
	w = tick_ns;
	if (b->quota_ns > 0 && rate > 0.01) {
		double left = (double)(b->quota_ns - b->used_ns) / rate;
		if (left < (double)w)
			w = (int64_t)left;
	}
	return w < min_ns ? min_ns : w;
}
