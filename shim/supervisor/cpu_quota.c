/* linux.resources.cpu.quota/period by stopping and continuing the
 * container (cpu_quota.h has the contract, docs/resources.md the
 * measurements).
 *
 * Why signals: runlock creates no cgroup, and nothing else can hold a
 * group of processes to a share of CPU time. SIGSTOP cannot be caught or
 * ignored, so a container cannot escape a throttle; SIGCONT is sent only
 * to the processes the throttle itself stopped. */
#include "shim/supervisor/cpu_quota.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/proc.h"
#include "runtime/init/process.h"
#include "runtime/state/state.h"
#include "shim/supervisor/supervisor.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t ticks_ns(uint64_t ticks)
{
	static long hz;

	if (hz <= 0)
		hz = sysconf(_SC_CLK_TCK);
	return (int64_t)ticks * (1000000000 / (hz > 0 ? hz : 100));
}

static bool enabled(const struct cpu_quota *q)
{
	return q->quota_us > 0;
}

static int64_t tick_ns(const struct cpu_quota *q)
{
	int64_t t = (int64_t)q->period_us * 1000 / 10;

	return t > CQ_TICK_MAX_NS ? CQ_TICK_MAX_NS : t < CQ_TICK_MIN_NS ? CQ_TICK_MIN_NS : t;
}

static void set_limit(struct cpu_quota *q, int64_t quota_us, uint64_t period_us)
{
	q->quota_us = quota_us > 0 ? quota_us : 0;
	q->period_us = period_us ? period_us : CQ_DEFAULT_PERIOD_US;
	cq_bucket_set(&q->b, q->quota_us * 1000, (int64_t)q->period_us * 1000, now_ns());
	q->next_sample = 0;
	q->next_refresh = 0;
	q->rate = 0;
	/* Whatever the members used before the limit is not charged. */
	q->baseline = true;
}

void cpu_quota_init(struct cpu_quota *q, const struct oci_config *c)
{
	const struct oci_resources *r = c && c->linux_ ? c->linux_->resources : NULL;

	memset(q, 0, sizeof(*q));
	q->period_us = CQ_DEFAULT_PERIOD_US;
	if (r && r->has_cpu_quota && r->cpu_quota > 0)
		set_limit(q, r->cpu_quota, r->has_cpu_period ? r->cpu_period : 0);
	else if (r && r->has_cpu_period && r->cpu_period)
		q->period_us = r->cpu_period;
}

static void values_after(const struct cpu_quota *q, const struct oci_resources *r, int64_t *quota,
                         uint64_t *period)
{
	*quota = r->has_cpu_quota ? r->cpu_quota : q->quota_us;
	*period = r->has_cpu_period && r->cpu_period ? r->cpu_period : q->period_us;
}

int cpu_quota_check(const struct cpu_quota *q, const struct oci_resources *r, struct rl_error *e)
{
	int64_t quota;
	uint64_t period;

	if (!r->has_cpu_quota && !r->has_cpu_period)
		return 0;
	values_after(q, r, &quota, &period);
	return cpu_quota_validate(quota, period, e);
}

/* ---- the members ---- */

static void task_forget(struct cpu_quota *q, size_t i)
{
	rl_closep(&q->t[i].dirfd);
	q->t[i] = q->t[--q->n];
}

static struct cq_task *task_find(struct cpu_quota *q, pid_t pid)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->t[i].pid == pid)
			return &q->t[i];
	return NULL;
}

/* Read what task t used so far; false when it is gone (or a zombie: its
 * last values are then final). */
static bool task_read(struct cq_task *t, int64_t *self, int64_t *kids, char *state)
{
	struct proc_stat st;
	struct timespec ts;
	clockid_t clk;
	bool have_clock = clock_getcpuclockid(t->pid, &clk) == 0 && clock_gettime(clk, &ts) == 0;

	/* The stat read through the directory descriptor fails once this
	 * process is gone, so a clock read before it was this process's
	 * even if the pid has been reused since. */
	if (proc_read_stat_at(t->dirfd, &st) < 0 || st.start_time != t->start_time)
		return false;
	*state = st.state;
	if (st.state == 'Z' || st.state == 'X')
		return false;
	*self = have_clock ? (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec
	                   : ticks_ns(st.utime + st.stime);
	*kids = ticks_ns(st.cutime + st.cstime);
	t->ppid = st.ppid;
	return true;
}

/* A new member: pinned by its /proc directory. */
static struct cq_task *task_add(struct cpu_quota *q, pid_t pid)
{
	char path[32];
	struct proc_stat st;
	struct cq_task *t;
	int fd;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct cq_task *v = realloc(q->t, cap * sizeof(*v));
		if (!v)
			return NULL;
		q->t = v;
		q->cap = cap;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (proc_read_stat_at(fd, &st) < 0 || st.state == 'Z' || st.state == 'X') {
		close(fd);
		return NULL;
	}
	t = &q->t[q->n++];
	*t =
	    (struct cq_task){.pid = pid, .ppid = st.ppid, .start_time = st.start_time, .dirfd = fd};
	return t;
}

/* A growing list of pids, each once. */
struct pid_list {
	pid_t *v;
	size_t n, cap;
	bool oom;
};

static void pid_list_add(pid_t pid, void *ctx)
{
	struct pid_list *l = ctx;

	for (size_t k = 0; k < l->n; k++)
		if (l->v[k] == pid)
			return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		pid_t *w = realloc(l->v, cap * sizeof(*w));
		if (!w) {
			l->oom = true;
			return;
		}
		l->v = w;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
}

/* Without a signal scope sv_members closes the descendant relation over
 * a scan of all of /proc; the children lists of the processes runlock
 * started give the same tree for the cost of the container's size.
 * Members as a list of pids, malloc'd. */
static int list_tree(struct supervisor *s, pid_t **out, size_t *count)
{
	struct pid_list l = {0};

	for (struct sv_proc *p = s->procs; p; p = p->next) {
		struct proc_stat st;
		if (!p->exited && p->pid > 0 && proc_read_stat(p->pid, &st) == 0 &&
		    st.start_time == p->start_time)
			pid_list_add(p->pid, &l);
	}
	/* Breadth first: l grows behind i, every thread's children list. */
	for (size_t i = 0; i < l.n && !l.oom; i++) {
		char path[64];
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *t;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)l.v[i]);
		d = opendir(path);
		while (d && (t = readdir(d))) {
			if (t->d_name[0] < '1' || t->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "%.20s/children", t->d_name);
			proc_each_child_listed(dirfd(d), path, pid_list_add, &l);
		}
	}
	*out = l.v;
	*count = l.n;
	return 0;
}

/* List the members again: new ones are added (charged from 0 unless this
 * is the baseline), the others marked. */
static void refresh(struct supervisor *s, bool baseline)
{
	struct cpu_quota *q = &s->quota;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if ((s->scoped ? sv_members(s, &pids, &n, NULL) : list_tree(s, &pids, &n)) < 0)
		return;
	for (size_t i = 0; i < q->n; i++)
		q->t[i].listed = false;
	for (size_t i = 0; i < n; i++) {
		struct cq_task *t = task_find(q, pids[i]);
		if (!t)
			t = task_add(q, pids[i]);
		/* Charged from here when the limit is new (known ones too:
		 * their values may be from an earlier limit); otherwise a new
		 * member's clock started at 0, all of it is charged. */
		if (t && baseline) {
			char st;
			int64_t self, kids;
			if (task_read(t, &self, &kids, &st)) {
				t->self_ns = self;
				t->kids_ns = kids;
				t->credit_ns = 0;
			}
		}
		if (t)
			t->listed = true;
	}
	/* One that left the list alive (reparented out of the container's
	 * reach without a pid namespace) is no longer ours to charge. A dead
	 * one is left to sample(), which credits its parent. */
	for (size_t i = q->n; i-- > 0;) {
		struct cq_task *t = &q->t[i];
		int64_t self, kids;
		char st;
		if (!t->listed && !t->stopped && task_read(t, &self, &kids, &st))
			task_forget(q, i);
	}
	q->next_refresh = now_ns() / 1000000 + CQ_REFRESH_MS;
}

/* CPU time used since the previous sample, over every member. */
static int64_t sample(struct cpu_quota *q)
{
	int64_t used = 0, now_ms = now_ns() / 1000000;

	for (size_t i = q->n; i-- > 0;) {
		struct cq_task *t = &q->t[i];
		int64_t self, kids, d;
		char st;

		if (!task_read(t, &self, &kids, &st)) {
			/* Gone: its parent's cutime will include all of it,
			 * what we counted too. */
			struct cq_task *parent = task_find(q, t->ppid);
			if (parent) {
				parent->credit_ns += t->self_ns + t->kids_ns;
				parent->credit_at = now_ms;
			}
			task_forget(q, i);
			continue;
		}
		if (self > t->self_ns) {
			used += self - t->self_ns;
			t->self_ns = self;
		}
		if (t->credit_ns && now_ms - t->credit_at > CQ_CREDIT_MS)
			t->credit_ns = 0; /* reaped by someone else */
		if (kids > t->kids_ns) {
			d = kids - t->kids_ns;
			t->kids_ns = kids;
			if (t->credit_ns >= d) {
				t->credit_ns -= d;
				d = 0;
			} else {
				d -= t->credit_ns;
				t->credit_ns = 0;
			}
			used += d;
		}
	}
	return used;
}

/* ---- stopping and continuing ---- */

static void stop_members(struct supervisor *s)
{
	struct cpu_quota *q = &s->quota;

	/* The members known, then those the list adds: a child forked by a
	 * member before it stopped is listed then (listing costs an agent
	 * round trip and a scan of /proc: once per stop is enough). */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			refresh(s, false);
		for (size_t i = 0; i < q->n; i++) {
			struct cq_task *t = &q->t[i];
			struct proc_stat st;
			if (t->stopped || proc_read_stat_at(t->dirfd, &st) < 0)
				continue;
			/* Stopped by the container itself (or paused): not
			 * ours to continue. */
			if (st.state == 'T' || st.state == 't' || st.state == 'Z')
				continue;
			if (syscall(SYS_pidfd_send_signal, t->dirfd, SIGSTOP, NULL, 0) == 0)
				t->stopped = true;
		}
	}
}

/* Whether `runlock pause` has the container: read under the lock. */
static bool recorded_paused(struct supervisor *s)
{
	struct container_dir d = {.fd = s->dirfd, .root_fd = -1};
	struct container_state st;
	bool paused;

	if (state_read(&d, &st, NULL) < 0)
		return false;
	paused = st.status == STATUS_PAUSED;
	state_free(&st);
	return paused;
}

/* Continue what the throttle stopped; false when the state directory's
 * lock is taken (a CLI command is at work: try again soon). */
static bool continue_members(struct supervisor *s)
{
	struct cpu_quota *q = &s->quota;
	bool paused;

	if (flock(s->dirfd, LOCK_SH | LOCK_NB) < 0)
		return false;
	/* pause and resume hold the lock exclusively from their first
	 * signal to the status they write: with ours held, the status is
	 * the truth and neither can start before we are done. */
	paused = recorded_paused(s);
	for (size_t i = q->n; i-- > 0;) {
		struct cq_task *t = &q->t[i];
		if (!t->stopped)
			continue;
		t->stopped = false;
		if (!paused)
			syscall(SYS_pidfd_send_signal, t->dirfd, SIGCONT, NULL, 0);
		if (!t->listed)
			task_forget(q, i);
	}
	flock(s->dirfd, LOCK_UN);
	if (paused)
		log_debug("cpu quota: the container is paused: left to resume");
	return true;
}

void cpu_quota_update(struct supervisor *s, const struct oci_resources *r)
{
	struct cpu_quota *q = &s->quota;
	int64_t quota;
	uint64_t period;

	if (!r->has_cpu_quota && !r->has_cpu_period)
		return;
	values_after(q, r, &quota, &period);
	set_limit(q, quota, period);
	/* A throttled container runs again from the new limit's first
	 * period (at once; with the lock free, the CLI's update done). */
	if (q->b.throttled)
		q->continue_wanted = true;
	else if (!enabled(q))
		while (q->n) /* nothing to continue: let go of the members */
			task_forget(q, q->n - 1);
}

int cpu_quota_timeout(struct supervisor *s, int timeout)
{
	struct cpu_quota *q = &s->quota;
	int64_t now, w;
	int ms;

	if (!enabled(q) && !q->b.throttled)
		return timeout;
	/* A continuation waiting for the lock comes back after
	 * CQ_TICK_MIN_NS, like a sample: never a busy loop. */
	now = now_ns();
	w = q->next_sample > now ? q->next_sample - now : 0;
	ms = (int)((w + 999999) / 1000000);
	return timeout < 0 || ms < timeout ? ms : timeout;
}

void cpu_quota_tick(struct supervisor *s)
{
	struct cpu_quota *q = &s->quota;
	int64_t now, used, w;
	bool run;

	if (!enabled(q) && !q->b.throttled)
		return;
	now = now_ns();
	if (now < q->next_sample)
		return;
	/* Sample before listing again: a member that died since is still
	 * known, and its parent is credited with what it was charged. */
	if (q->baseline) {
		refresh(s, true);
		used = 0;
		q->baseline = false;
	} else {
		used = sample(q);
		if (now_ns() / 1000000 >= q->next_refresh)
			refresh(s, false);
	}
	if (now > q->last_sample && q->last_sample)
		q->rate = (double)used / (double)(now - q->last_sample);
	q->last_sample = now;
	run = !enabled(q) || cq_bucket_charge(&q->b, now, used);
	if (run && (q->b.throttled || q->continue_wanted)) {
		if (continue_members(s)) {
			cq_bucket_continued(&q->b, now);
			q->continue_wanted = false;
			if (!enabled(q))
				while (q->n)
					task_forget(q, q->n - 1);
		} else {
			q->continue_wanted = true;
		}
	} else if (!run) {
		/* Also while throttled: a process exec'd or forked since. */
		stop_members(s);
		cq_bucket_stopped(&q->b, now);
	}
	w = cq_bucket_wait(&q->b, now, q->rate, CQ_TICK_MIN_NS, tick_ns(q));
	/* Idle: each wake-up costs more than the sample (about 80 us of the
	 * supervisor's time on a VM here), so the tick backs off, doubling
	 * to CQ_IDLE_MAX_NS. A burst after idling is seen that much later;
	 * the debt it leaves keeps the share over the next periods. */
	if (used == 0 && !q->b.throttled) {
		int64_t idle = q->wait_ns * 2;
		w = idle > CQ_IDLE_MAX_NS ? CQ_IDLE_MAX_NS : idle > w ? idle : w;
	}
	q->wait_ns = w;
	q->next_sample = now + w;
	if (q->continue_wanted)
		q->next_sample = now + CQ_TICK_MIN_NS;
}

struct cq_stats cpu_quota_stats(const struct supervisor *s)
{
	return cq_bucket_stats(&s->quota.b, now_ns());
}
