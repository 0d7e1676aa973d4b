#include "common/proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* The text of file name beneath dir (or a path when dir is AT_FDCWD),
 * NUL-terminated; -1 with errno. */
static int read_text(int dir, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	if (n <= 0) {
		errno = n < 0 ? errno : ESRCH;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

int proc_parse_stat(char *buf, struct proc_stat *st)
{
	unsigned long long fields[20];
	/* comm may contain spaces and parentheses: the fields start after the
	 * last ')'. */
	char *p = strrchr(buf, ')');

	if (!p || p[1] != ' ' || !p[2]) {
		errno = EINVAL;
		return -1;
	}
	st->state = p[2];
	p += 3;
	/* fields 4..22: ppid pgrp session tty_nr tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime priority nice num_threads
	 * itrealvalue starttime */
	for (int i = 0; i < 19; i++) {
		char *end;
		errno = 0;
		fields[i] = strtoull(p, &end, 10);
		if (end == p || errno) {
			errno = EINVAL;
			return -1;
		}
		p = end;
		while (*p == ' ')
			p++;
	}
	st->ppid = (pid_t)fields[0];
	st->session = (pid_t)fields[2];
	st->utime = fields[10];
	st->stime = fields[11];
	st->cutime = fields[12];
	st->cstime = fields[13];
	st->num_threads = fields[16];
	st->start_time = fields[18];
	return 0;
}

int proc_read_stat(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return -1;
	return proc_parse_stat(buf, st);
}

int proc_read_stat_at(int dir, struct proc_stat *st)
{
	char buf[1024];

	if (read_text(dir, "stat", buf, sizeof(buf)) < 0)
		return -1;
	return proc_parse_stat(buf, st);
}

int proc_read_file(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return read_text(AT_FDCWD, path, buf, size);
}

int proc_read_status(pid_t pid, char *buf, size_t size)
{
	return proc_read_file(pid, "status", buf, size);
}

uint64_t proc_boot_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	/* The kernel divides nanoseconds of CLOCK_BOOTTIME by NSEC_PER_SEC /
	 * USER_HZ, rounding down. */
	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * (uint64_t)hz +
	       (uint64_t)ts.tv_nsec / (1000000000ULL / (uint64_t)hz);
}

int proc_open_verified(pid_t pid, uint64_t start_time)
{
	struct proc_stat st;
	int fd;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	if (proc_read_stat(pid, &st) < 0 || st.start_time != start_time || st.state == 'Z' ||
	    st.state == 'X') {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

bool proc_is_alive(pid_t pid, uint64_t start_time)
{
	struct proc_stat st;

	if (pid <= 0 || proc_read_stat(pid, &st) < 0)
		return false;
	return st.start_time == start_time && st.state != 'Z' && st.state != 'X';
}

int proc_wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	for (;;) {
		int r = poll(&pfd, 1, timeout_ms);
		if (r > 0)
			return 0;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

struct proc_entry {
	pid_t pid, ppid;
	uint64_t start_time;
	bool member;
};

/* One pass over /proc: every live process started at or after not_before,
 * marked a member when it is init or a child of init. */
static int scan_proc(pid_t init_pid, uint64_t not_before, struct proc_entry **out, size_t *count)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc");
	struct dirent *de;
	struct proc_entry *v = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct proc_stat st;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (proc_read_stat((pid_t)pid, &st) < 0 || st.state == 'Z' || st.state == 'X' ||
		    st.start_time < not_before)
			continue;
		if (n == cap) {
			struct proc_entry *bigger =
			    realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!bigger) {
				free(v);
				errno = ENOMEM;
				return -1;
			}
			v = bigger;
		}
		v[n].pid = (pid_t)pid;
		v[n].ppid = st.ppid;
		v[n].start_time = st.start_time;
		v[n].member = init_pid > 0 && (pid == init_pid || st.ppid == init_pid);
		n++;
	}
	*out = v;
	*count = n;
	return 0;
}

int proc_list_container(pid_t init_pid, uint64_t not_before, struct proc_member **out,
                        size_t *count)
{
	struct proc_entry *v = NULL;
	struct proc_member *m;
	size_t n = 0, k = 0;
	bool grew = true;

	*out = NULL;
	*count = 0;
	if (init_pid <= 0)
		return 0; /* without init, nothing tells this container's processes apart */
	if (scan_proc(init_pid, not_before, &v, &n) < 0)
		return -1;
	/* Close the descendant relation over the snapshot. */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (v[i].member)
				continue;
			for (size_t j = 0; j < n; j++)
				if (v[j].member && v[j].pid == v[i].ppid) {
					v[i].member = grew = true;
					break;
				}
		}
	}
	m = calloc(n ? n : 1, sizeof(*m));
	if (!m) {
		free(v);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].member)
			m[k++] =
			    (struct proc_member){.pid = v[i].pid, .start_time = v[i].start_time};
	free(v);
	*out = m;
	*count = k;
	return 0;
}

int proc_signal_container(pid_t init_pid, uint64_t not_before, int sig)
{
	_cleanup_free_ struct proc_member *m = NULL;
	size_t n;
	int count = 0;

	if (proc_list_container(init_pid, not_before, &m, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int fd;
		/* The callers signal init themselves, through its verified pidfd. */
		if (init_pid > 0 && m[i].pid == init_pid)
			continue;
		fd = proc_open_verified(m[i].pid, m[i].start_time);
		if (fd < 0)
			continue;
		if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
			count++;
		close(fd);
	}
	return count;
}

/* Repeat pass (the count it signalled; -1: it cannot look) until one
 * finds nobody left, 100 passes at most, 1 ms apart: a fork racing one pass
 * is caught by the next. -1 when the first pass could not look. */
static int until_none_left(int (*pass)(void *), void *ctx)
{
	const struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};

	for (int i = 0; i < 100; i++) {
		int n = pass(ctx);
		if (n < 0 && i == 0)
			return -1;
		if (n <= 0)
			return 0;
		nanosleep(&ms, NULL);
	}
	return 0;
}

struct container_ref {
	pid_t init_pid;
	uint64_t not_before;
};

static int kill_members(void *ctx)
{
	const struct container_ref *c = ctx;

	return proc_signal_container(c->init_pid, c->not_before, SIGKILL);
}

void proc_kill_container(pid_t init_pid, uint64_t not_before)
{
	struct container_ref c = {init_pid, not_before};

	until_none_left(kill_members, &c);
}

int proc_each_child_listed(int dir, const char *path, void (*fn)(pid_t, void *), void *ctx)
{
	char buf[8192], *p, *end;
	_cleanup_close_ int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (p = buf;; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p || pid <= 0)
			break;
		fn((pid_t)pid, ctx);
	}
	return 0;
}

/* Kill a live child; *ctx counts them. */
static void kill_child(pid_t pid, void *ctx)
{
	struct proc_stat st;
	int pfd;

	/* Our child: its pid is not reused before we reap it. */
	if (proc_read_stat(pid, &st) < 0 || st.state == 'Z')
		return;
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return;
	if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) == 0)
		++*(int *)ctx;
	close(pfd);
}

/* Kill the live pids listed in one children file; their count. */
static int kill_listed(int dir, const char *children)
{
	int alive = 0;

	return proc_each_child_listed(dir, children, kill_child, &alive) < 0 ? -1 : alive;
}

/* One pass over the children lists of our threads. */
static int kill_children(void *ctx)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int alive = 0;

	(void)ctx;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char children[NAME_MAX + 16];
		int k;
		if (e->d_name[0] == '.')
			continue;
		snprintf(children, sizeof(children), "%s/children", e->d_name);
		k = kill_listed(dirfd(d), children);
		if (k < 0 && atoi(e->d_name) == getpid())
			return -1; /* no children lists in this kernel */
		if (k > 0)
			alive += k; /* (another thread may have just exited) */
	}
	return alive;
}

int proc_kill_children(void)
{
	return until_none_left(kill_children, NULL);
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int proc_parse_signal(const char *s)
{
	const char *name = s;
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (*end || errno || n <= 0 || n >= NSIG)
			return -1;
		return (int)n;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(name, signal_names[i].name) == 0)
			return signal_names[i].sig;
	/* RTMIN+n / RTMAX-n, as runc accepts them. */
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = strncasecmp(name, "RTMIN", 5) == 0;
		const char *rest = name + 5;
		long off = 0;
		if (*rest) {
			if ((min && *rest != '+') || (!min && *rest != '-'))
				return -1;
			errno = 0;
			off = strtol(rest + 1, &end, 10);
			if (*end || errno || off < 0)
				return -1;
		}
		n = min ? SIGRTMIN + off : SIGRTMAX - off;
		if (n < SIGRTMIN || n > SIGRTMAX)
			return -1;
		return (int)n;
	}
	return -1;
}

bool proc_self_has_cap(int cap)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (caps) {
		cap_get_flag(caps, (cap_value_t)cap, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	return v == CAP_SET;
}

int proc_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* A signal mask line of /proc status ("SigCgt:\t0000000000004002"). */
static bool mask_has(const char *status, const char *key, int sig)
{
	const char *p = strstr(status, key);

	if (!p)
		return false;
	return (strtoull(p + strlen(key), NULL, 16) >> (sig - 1)) & 1;
}

bool proc_init_drops(pid_t pid, int sig, bool from_parent)
{
	char buf[4096];

	if (sig <= 0 || sig >= NSIG || pid <= 0)
		return false;
	if (from_parent && (sig == SIGKILL || sig == SIGSTOP))
		return false;
	if (proc_read_status(pid, buf, sizeof(buf)) < 0)
		return false;
	/* An ignored signal is dropped by the kernel anyway; a caught one
	 * is delivered. */
	return !mask_has(buf, "\nSigCgt:", sig);
}
