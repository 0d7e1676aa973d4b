/* linux.resources.memory.limit: sample the container's anonymous memory,
 * kill the largest process over the limit, refuse with ENOMEM the calls that
 * would commit more than is left (handlers_mem.h). */
#include "shim/supervisor/handlers_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"

/* i386's old mmap (90) takes its arguments in memory: never charged, the
 * sampler sees what it maps. */
#define I386_NR_OLD_MMAP 90

int64_t mem_limit_of(const struct oci_config *c)
{
	const struct oci_resources *r = c && c->linux_ ? c->linux_->resources : NULL;

	return r && r->has_memory_limit && r->memory_limit > 0 ? r->memory_limit : 0;
}

void mem_init(struct mem_state *m, const struct oci_config *c)
{
	int64_t limit = mem_limit_of(c);

	memset(m, 0, sizeof(*m));
	m->on = limit > 0;
	m->victim_fd = -1;
	m->limit = limit > 0 ? limit : -1;
}

int mem_due_in(const struct mem_state *m, int64_t now)
{
	if (!m->on)
		return -1;
	return m->next_ms <= now ? 0 : (int)(m->next_ms - now);
}

/* ---- the sampler --------------------------------------------------------- */

static int64_t page_size(void)
{
	static int64_t ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

int64_t mem_of_process(pid_t pid)
{
	char buf[256];
	unsigned long long size, resident, shared;

	if (proc_read_file(pid, "statm", buf, sizeof(buf)) < 0)
		return 0;
	/* resident - shared: RssAnon (shared = RssFile + RssShmem). */
	if (sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3 || shared > resident)
		return 0;
	return (int64_t)(resident - shared) * page_size();
}

/* Pss_Anon of pid (bytes): a page shared copy-on-write by k processes
 * counts 1/k in each. Before Linux 5.10 smaps_rollup has no Pss_Anon:
 * Anonymous (its Rss) then. -1 when it cannot be read. */
static int64_t pss_anon(pid_t pid)
{
	char buf[4096];
	const char *line;

	if (proc_read_file(pid, "smaps_rollup", buf, sizeof(buf)) < 0)
		return -1;
	line = strstr(buf, "\nPss_Anon:");
	if (!line)
		line = strstr(buf, "\nAnonymous:");
	if (!line)
		return -1;
	line = strchr(line, ':') + 1;
	return strtoll(line, NULL, 10) * 1024;
}

/* Whether the victim of the last kill has exited: until then, no second
 * kill for memory that is being freed. */
static bool victim_gone(struct mem_state *m)
{
	struct pollfd p = {.fd = m->victim_fd, .events = POLLIN};

	if (m->victim_fd < 0)
		return true;
	if (poll(&p, 1, 0) == 0)
		return false;
	close(m->victim_fd);
	m->victim_fd = -1;
	return true;
}

static pid_t kill_largest(struct mem_state *m, const pid_t *pids, size_t n, int64_t statm_sum)
{
	int64_t total = 0, most = -1;
	pid_t victim = 0;
	int fd;

	/* Confirm with Pss_Anon: after a fork, pages still shared count once
	 * (statm counts them in each process). */
	for (size_t i = 0; i < n; i++) {
		int64_t v = pss_anon(pids[i]);
		if (v < 0)
			v = mem_of_process(pids[i]);
		total += v;
		if (v > most) {
			most = v;
			victim = pids[i];
		}
	}
	m->usage = total;
	if (total > m->max_usage)
		m->max_usage = total;
	if (total <= m->limit || victim <= 0)
		return 0;
	fd = (int)syscall(SYS_pidfd_open, victim, 0);
	if (fd < 0)
		return 0;
	/* The pidfd names the process measured, unless the pid was reused in
	 * between; a new process that small would not be the largest. */
	if (mem_of_process(victim) <= 0 ||
	    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0) {
		close(fd);
		return 0;
	}
	m->victim_fd = fd;
	/* Its memory is as good as free: the calls the other processes make
	 * until the next sample are judged without it. */
	m->usage -= most;
	m->failcnt++;
	m->oom_kills++;
	log_warn("memory: the container uses %lld bytes (statm %lld), over its limit of %lld: "
	         "killed process %d (%lld bytes)",
	         (long long)total, (long long)statm_sum, (long long)m->limit, (int)victim,
	         (long long)most);
	return victim;
}

pid_t mem_sample(struct mem_state *m, const pid_t *pids, size_t n, int64_t now)
{
	int64_t sum = 0;
	pid_t killed = 0;

	if (!m->on)
		return 0;
	for (size_t i = 0; i < n; i++)
		sum += mem_of_process(pids[i]);
	m->usage = sum;
	if (m->limit > 0 && sum > m->limit) {
		/* Over: confirmed (and the peak recorded) by kill_largest;
		 * while the last victim is still dying, its memory is in the
		 * sum but not worth a second kill, nor a peak. */
		if (victim_gone(m))
			killed = kill_largest(m, pids, n, sum);
	} else if (sum > m->max_usage) {
		m->max_usage = sum;
	}
	m->charged = 0;
	m->samples++;
	m->next_ms = now + MEM_TICK_MS;
	return killed;
}

/* ---- the traps ------------------------------------------------------------ */

/* Let len more through, or refuse (ENOMEM, counted). */
static bool charge(struct mem_state *m, uint64_t len)
{
	if (m->limit > 0 && (uint64_t)(m->usage + m->charged) + len > (uint64_t)m->limit) {
		m->failcnt++;
		return false;
	}
	m->charged += (int64_t)len;
	return true;
}

static uint64_t arg(const struct seccomp_notif *req, enum notify_abi abi, int i)
{
	uint64_t v = req->data.args[i];

	return abi == NOTIFY_ABI_I386 ? v & 0xffffffffu : v;
}

static uint64_t page_up(uint64_t len)
{
	uint64_t ps = (uint64_t)page_size();

	return (len + ps - 1) & ~(ps - 1);
}

/* The decisions below read only scalar arguments (lengths, prot, flags,
 * the requested break) and the supervisor's records: the kernel acts on
 * the registers the supervisor read, so CONTINUE is race-free. */
static void let_or_refuse(struct notify *n, uint64_t len, struct notify_answer *a)
{
	if (charge(n->ctx, page_up(len))) {
		a->kind = ANSWER_CONTINUE;
	} else {
		a->kind = ANSWER_ERRNO;
		a->err = ENOMEM;
	}
}

static void h_mmap(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	uint64_t prot = arg(req, abi, 2), flags = arg(req, abi, 3);

	(void)listener;
	a->kind = ANSWER_CONTINUE;
	if (abi == NOTIFY_ABI_I386 && req->data.nr == I386_NR_OLD_MMAP)
		return;
	/* A reservation (PROT_NONE, MAP_NORESERVE) or a file: not charged. */
	if (!(flags & MAP_ANONYMOUS) || (flags & MAP_NORESERVE) || !(prot & PROT_WRITE))
		return;
	let_or_refuse(n, arg(req, abi, 1), a);
}

static void h_mremap(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	uint64_t old_len = arg(req, abi, 1), new_len = arg(req, abi, 2);

	(void)listener;
	a->kind = ANSWER_CONTINUE;
	if (new_len > old_len)
		let_or_refuse(n, new_len - old_len, a);
}

static void h_mprotect(struct notify *n, int listener, const struct seccomp_notif *req,
                       enum notify_abi abi, struct notify_answer *a)
{
	(void)listener;
	a->kind = ANSWER_CONTINUE;
	if (arg(req, abi, 2) & PROT_WRITE)
		let_or_refuse(n, arg(req, abi, 1), a);
}

/* ---- brk: each process's last break -------------------------------------- */

/* start_brk (field 47 of /proc/PID/stat), 0 when unknown. */
static uint64_t start_brk(pid_t tid)
{
	char buf[1024], *p;

	if (proc_read_file(tid, "stat", buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* p + 2 is field 3 (state): field 47 is 44 fields on. */
	p += 2;
	for (int f = 3; f < 47 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

static pid_t tgid_of(pid_t tid)
{
	char status[2048];
	const char *line;

	if (proc_read_status(tid, status, sizeof(status)) == 0 &&
	    (line = strstr(status, "\nTgid:")))
		return (pid_t)atoi(line + 6);
	return tid;
}

/* The break record of tid's process (found by tid, then by its tgid);
 * *fresh when there was none. */
static struct mem_brk *brk_slot(struct mem_state *m, pid_t tid, bool *fresh)
{
	pid_t tgid;
	struct mem_brk *s;

	*fresh = false;
	for (unsigned i = 0; i < MEM_BRK_SLOTS; i++)
		if (m->brks[i].pid == tid)
			return &m->brks[i];
	tgid = tgid_of(tid);
	for (unsigned i = 0; tgid != tid && i < MEM_BRK_SLOTS; i++)
		if (m->brks[i].pid == tgid)
			return &m->brks[i];
	/* Round robin: a forgotten process is learnt again. */
	s = &m->brks[m->next_slot++ % MEM_BRK_SLOTS];
	memset(s, 0, sizeof(*s));
	s->pid = tgid;
	*fresh = true;
	return s;
}

static void h_brk(struct notify *n, int listener, const struct seccomp_notif *req,
                  enum notify_abi abi, struct notify_answer *a)
{
	struct mem_state *m = n->ctx;
	uint64_t want = arg(req, abi, 0), start;
	struct mem_brk *s;
	bool fresh;

	(void)listener;
	a->kind = ANSWER_CONTINUE;
	if (want == 0)
		return; /* a query */
	s = brk_slot(m, (pid_t)req->pid, &fresh);
	/* A process seen for the first time (a forked child inherits its
	 * parent's break, unknown here), or one that has exec'd since (a new
	 * heap: its start_brk moved): its break is learnt from this call,
	 * uncharged; the sampler sees what it touches. */
	start = start_brk((pid_t)req->pid);
	if (fresh || start != s->start) {
		s->start = start;
		s->brk = want;
		return;
	}
	if (want > s->brk && !charge(m, page_up(want - s->brk))) {
		/* The kernel answers a refused brk with the old break, which
		 * the supervisor may not know exactly (a call it let through
		 * may have failed): 0 is below any request, so glibc and musl
		 * fail the call (ENOMEM) and glibc reads the break again on
		 * its next sbrk. */
		a->kind = ANSWER_VALUE;
		a->val = 0;
		return;
	}
	s->brk = want;
}

const struct notify_entry mem_entries[] = {
    {"mmap", h_mmap},         {"mmap2", h_mmap}, {"mremap", h_mremap},
    {"mprotect", h_mprotect}, {"brk", h_brk},
};
const size_t n_mem_entries = sizeof(mem_entries) / sizeof(mem_entries[0]);

/* Only calls that commit at least MEM_TRAP_MIN bytes of anonymous
 * writable memory reach the supervisor: smaller ones are the sampler's. */
#define MMAP_CONDS                                                                                 \
	{                                                                                          \
		{1, TRAP_GE, 0, MEM_TRAP_MIN}, {2, TRAP_MASKED_EQ, PROT_WRITE, PROT_WRITE},        \
		{                                                                                  \
			3, TRAP_MASKED_EQ, MAP_ANONYMOUS | MAP_NORESERVE, MAP_ANONYMOUS            \
		}                                                                                  \
	}
const struct trap_cond mem_conds[][TRAP_MAX_CONDS] = {
    MMAP_CONDS,
    MMAP_CONDS,
    {{2, TRAP_GE, 0, MEM_TRAP_MIN}},
    {{1, TRAP_GE, 0, MEM_TRAP_MIN}, {2, TRAP_MASKED_EQ, PROT_WRITE, PROT_WRITE}},
    {{0, TRAP_NE, 0, 0}},
};
