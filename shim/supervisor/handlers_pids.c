/* fork, vfork, clone under linux.resources.pids.limit: count the
 * container's tasks from pidfds, let a fork through while it fits, EAGAIN
 * otherwise (handlers_pids.h). */
#include "shim/supervisor/handlers_pids.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/proc.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pids_limit_of(const struct oci_config *c)
{
	const struct oci_resources *r = c && c->linux_ ? c->linux_->resources : NULL;

	return r && r->has_pids_limit && r->pids_limit > 0 ? r->pids_limit : 0;
}

void pids_init(struct pids_state *p, const struct oci_config *c)
{
	int64_t limit = pids_limit_of(c);

	memset(p, 0, sizeof(*p));
	p->ep = -1;
	pids_acct_init(&p->acct, limit);
	if (limit > 0) {
		struct rlimit rl;
		p->ep = epoll_create1(EPOLL_CLOEXEC);
		/* A descriptor per task: allow as many as the hard limit lets. */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
}

/* ---- the records -------------------------------------------------------- */

static void forget(struct pids_state *p, pid_t tid)
{
	int fd = pids_acct_remove(&p->acct, tid);

	if (fd >= 0)
		close(fd); /* leaves the epoll set with it */
}

/* Reaped tasks leave the count. */
static void harvest(struct pids_state *p)
{
	struct epoll_event ev[64];
	int n;

	do {
		n = epoll_wait(p->ep, ev, 64, 0);
		for (int i = 0; i < n; i++) {
			pid_t tid = (pid_t)(ev[i].data.u64 & 0xffffffffu);
			int fd = (int)(ev[i].data.u64 >> 32);
			const struct pids_task *t = pids_acct_find(&p->acct, tid);
			if (t && t->fd == fd)
				forget(p, tid);
		}
	} while (n == 64);
}

/* Count task tid of process tgid. Returns 1 when it is new, 0 when known
 * already, -1 when it cannot be (gone, or no descriptor left). */
static int track(struct pids_state *p, pid_t tid, pid_t tgid)
{
	struct epoll_event ev = {.events = 0};
	int fd;

	if (pids_acct_find(&p->acct, tid))
		return 0;
	/* A thread's own pidfd: it hangs up when that thread is released
	 * (a leader's once the process is reaped). Before Linux 6.9 only a
	 * process's pidfd can be had. */
	fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_pidfd_open, tid, 0);
	if (fd < 0)
		return -1;
	ev.data.u64 = (uint64_t)(uint32_t)tid | (uint64_t)(uint32_t)fd << 32;
	/* events 0: the hang-up alone, once the task is reaped. */
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ||
	    pids_acct_add(&p->acct, tid, tgid, fd)) {
		close(fd);
		return -1;
	}
	return 1;
}

static void read_root(struct pids_state *p, pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	if (!p->have_root && stat(path, &st) == 0) {
		p->root_dev = st.st_dev;
		p->root_ino = st.st_ino;
		p->have_root = true;
	}
}

void pids_track(struct pids_state *p, pid_t pid)
{
	if (p->ep < 0)
		return;
	read_root(p, pid);
	harvest(p);
	if (track(p, pid, pid) < 0)
		log_debug("pids: cannot count process %d: %s", (int)pid, strerror(errno));
}

bool pids_busy(const struct pids_state *p)
{
	return p->ep >= 0 && p->acct.n_resv > 0;
}

/* ---- finding the task a fork made --------------------------------------- */

struct child_walk {
	struct pids_state *p;
	bool check_root;
	size_t found;
};

/* A listed child: tracked unless known (or, with check_root, outside the
 * container's root). */
static void track_child(pid_t pid, void *ctx)
{
	struct child_walk *w = ctx;
	struct pids_state *p = w->p;

	if (pids_acct_find(&p->acct, pid))
		return;
	if (w->check_root) {
		char root[64];
		struct stat st;
		snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
		if (!p->have_root || stat(root, &st) < 0 || st.st_dev != p->root_dev ||
		    st.st_ino != p->root_ino)
			return;
	}
	w->found += track(p, pid, pid) == 1;
}

/* Track the pids listed in a children file; only those in the container's
 * root when `check_root`. Returns how many were new; *listed says whether
 * the file could be read (its thread lives). */
static size_t track_children_file(struct pids_state *p, const char *path, bool check_root,
                                  bool *listed)
{
	struct child_walk w = {p, check_root, 0};

	*listed = proc_each_child_listed(AT_FDCWD, path, track_child, &w) == 0;
	return w.found;
}

/* Every thread of process tgid: tracked when `threads`, or their children
 * lists read (filtered by root when `check_root`). Returns how many tasks
 * were new; -1 when the process is gone. */
static long scan_process(struct pids_state *p, pid_t tgid, bool threads, bool check_root)
{
	char path[96];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	long found = 0;
	bool listed;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)tgid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);
		if (tid <= 0)
			continue;
		if (threads) {
			found += track(p, (pid_t)tid, tgid) == 1;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/children", (int)tgid, tid);
		found += (long)track_children_file(p, path, check_root, &listed);
	}
	return found;
}

/* The last resort when a forking process is gone before its child was
 * seen (the child went to a subreaper): every host process in the
 * container's root, with its threads, but runlock's own. Costs a walk of
 * /proc. A process recorded already is skipped: its threads were found
 * where their clone put them. */
static void scan_all(struct pids_state *p)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d || !p->have_root)
		return;
	while ((de = readdir(d))) {
		char path[64];
		struct stat st;
		struct proc_stat pst;
		long pid = strtol(de->d_name, NULL, 10);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/root", pid);
		if (stat(path, &st) < 0 || st.st_dev != p->root_dev || st.st_ino != p->root_ino)
			continue;
		if (pid == p->agent || pid == p->spawner || pids_acct_find(&p->acct, (pid_t)pid))
			continue;
		if (proc_read_stat((pid_t)pid, &pst) < 0 || pst.ppid == p->spawner)
			continue;
		scan_process(p, (pid_t)pid, true, false);
	}
}

enum call_state { IN_CALL, PAST_CALL, GONE, UNSEEN };

/* Where thread tid of tgid is with respect to syscall nr. */
static enum call_state call_state(pid_t tid, pid_t tgid, int nr)
{
	char path[96], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)tgid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? GONE : UNSEEN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return errno == ESRCH ? GONE : UNSEEN;
	buf[n] = '\0';
	if (strncmp(buf, "running", 7) == 0)
		return UNSEEN; /* on a CPU: in the call or not, who knows */
	/* -1: not in a system call (stopped, or exiting) */
	if (buf[0] == '-')
		return GONE;
	return atoi(buf) == nr ? IN_CALL : PAST_CALL;
}

/* New tasks where reservation r's fork puts them. */
static long discover(struct pids_state *p, const struct pids_resv *r)
{
	char path[96];
	size_t found;
	bool listed;

	if (r->flags & CLONE_THREAD)
		return scan_process(p, r->tgid, true, false);
	if (r->flags & CLONE_PARENT) {
		/* A sibling: among the children of the forker's parent,
		 * which may be outside the container. */
		struct proc_stat st;
		if (proc_read_stat(r->tgid, &st) < 0 || st.ppid <= 0)
			return -1;
		return scan_process(p, st.ppid, false, true);
	}
	/* A child joins the children list of the thread that forked it: while
	 * that thread lives, that list is the one place to read. Once it is
	 * gone its children have passed to another thread of the process. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)r->tgid, (int)r->tid);
	found = track_children_file(p, path, false, &listed);
	if (listed)
		return (long)found;
	return scan_process(p, r->tgid, false, false);
}

/* Record the tasks r's fork made; release one of r->tid's reservations
 * for each. Returns how many (-1: the process is gone). */
static long found_for(struct pids_state *p, const struct pids_resv *r)
{
	long found = discover(p, r);

	for (long i = 0; i < found; i++)
		if (!pids_acct_release_tid(&p->acct, r->tid))
			break;
	return found;
}

/* Settle what can be settled of thread r->tid's reservations. */
static void settle_thread(struct pids_state *p, const struct pids_resv *r, bool *scanned)
{
	enum call_state cs;
	long found = found_for(p, r);

	/* The usual case: the task is there. */
	if (found > 0)
		return;
	cs = call_state(r->tid, r->tgid, r->nr);
	if (cs == UNSEEN && now_ms() - r->since >= PIDS_GRACE_MS)
		cs = PAST_CALL;
	if (cs == IN_CALL || cs == UNSEEN)
		return;
	/* Looked at again after the state: a fork seen over has its task
	 * listed by now, if the task lives. */
	found = found_for(p, r);
	if (found > 0)
		return;
	if ((cs == GONE || found < 0) && !*scanned) {
		/* Its child may have gone to a subreaper outside. */
		scan_all(p);
		*scanned = true;
	}
	pids_acct_release_tid(&p->acct, r->tid);
}

/* Thread tid traps a fork again: its earlier forks are over. Whatever
 * they made is recorded (each looked for where its own flags put it),
 * then all its reservations go. */
static void settle_past(struct pids_state *p, pid_t tid)
{
	struct pids_resv mine[16];
	size_t k = 0;

	for (size_t i = 0; i < p->acct.n_resv && k < 16; i++)
		if (p->acct.resv[i].tid == tid)
			mine[k++] = p->acct.resv[i];
	for (size_t i = 0; i < k; i++)
		discover(p, &mine[i]);
	while (pids_acct_release_tid(&p->acct, tid))
		;
}

static void settle(struct pids_state *p)
{
	size_t n = p->acct.n_resv;
	struct pids_resv copy[64];
	bool scanned = false;

	harvest(p);
	/* Snapshot: settling moves the array. The oldest first. */
	if (n > 64)
		n = 64;
	memcpy(copy, p->acct.resv, n * sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		if (pids_acct_held(&p->acct, copy[i].tid))
			settle_thread(p, &copy[i], &scanned);
}

void pids_tick(struct pids_state *p)
{
	if (pids_busy(p))
		settle(p);
}

/* ---- the handlers --------------------------------------------------------- */

static void decide(struct notify *n, int listener, const struct seccomp_notif *req, uint64_t flags,
                   struct notify_answer *a)
{
	struct pids_state *p = n->ctx;
	pid_t tid = (pid_t)req->pid;
	const struct pids_task *t;
	int64_t deadline = now_ms() + PIDS_RETRY_MS;
	pid_t tgid;

	harvest(p);
	t = pids_acct_find(&p->acct, tid);
	if (!t) {
		/* A task forked by one whose fork is not settled yet. Its pidfd
		 * names the caller if the notification is still pending once
		 * it is open. */
		char status[2048];
		const char *line;
		tgid = tid;
		if (proc_read_status(tid, status, sizeof(status)) == 0 &&
		    (line = strstr(status, "\nTgid:")))
			tgid = (pid_t)atoi(line + 6);
		if (track(p, tid, tgid) < 0 || !notify_id_valid(listener, req->id)) {
			forget(p, tid);
			a->err = EAGAIN;
			return;
		}
	} else {
		tgid = t->tgid;
	}
	settle_past(p, tid);
	for (;;) {
		struct epoll_event ev;
		harvest(p);
		if (p->acct.n_resv)
			settle(p);
		if (pids_acct_room(&p->acct))
			break;
		if (now_ms() >= deadline || !notify_id_valid(listener, req->id)) {
			a->err = EAGAIN;
			return;
		}
		/* Woken at once by a task being reaped. */
		epoll_wait(p->ep, &ev, 1, PIDS_TICK_MS);
	}
	if (pids_acct_reserve(&p->acct, tid, tgid, flags, req->data.nr, now_ms()) < 0) {
		a->err = EAGAIN;
		return;
	}
	/* CONTINUE: the decision rests on the clone flags alone, scalar
	 * arguments the kernel uses as the supervisor read them; the
	 * kernel's own checks (the mandatory filter's namespace flags,
	 * RLIMIT_NPROC) still apply. */
	a->kind = ANSWER_CONTINUE;
}

static void h_fork(struct notify *n, int listener, const struct seccomp_notif *req,
                   enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	decide(n, listener, req, SIGCHLD, a);
}

static void h_vfork(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	decide(n, listener, req, CLONE_VFORK | CLONE_VM | SIGCHLD, a);
}

static void h_clone(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	/* The flags are the first argument on both ABIs; i386's are 32 bits. */
	uint64_t flags = req->data.args[0];

	if (abi == NOTIFY_ABI_I386)
		flags &= 0xffffffffu;
	decide(n, listener, req, flags, a);
}

const struct notify_entry pids_entries[] = {
    {"fork", h_fork},
    {"vfork", h_vfork},
    {"clone", h_clone},
};
const size_t n_pids_entries = sizeof(pids_entries) / sizeof(pids_entries[0]);
