/* Which processes belong to a container, and what they use: the answers
 * behind ps, pause, resume and events.
 *
 * The container's supervisor answers membership (with a pid namespace, the
 * agent's Landlock oracle; otherwise the processes runlock started and
 * their descendants). Once the supervisor has exited with its container,
 * the /proc test of proc_list_container finds what init left behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/lifecycle/container.h"
#include "common/proc.h"
#include "shim/ipc/control.h"
#include "shim/ipc/wire.h"

/* 1 when no supervisor answers. */
static int ask_supervisor(const struct container_state *s, struct proc_member **out, size_t *n,
                          struct rl_error *e)
{
	struct container_dir d;
	struct ctl_request req = {.kind = CTL_PS};
	struct ctl_reply rep;
	_cleanup_close_ int sock = -1;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ struct proc_member *m = NULL;
	size_t k = 0;

	if (!s->root || state_dir_open(s->root, s->id, false, false, &d, NULL) < 0)
		return 1;
	sock = ctl_connect(d.fd);
	state_dir_close(&d);
	if (sock < 0)
		return 1;
	pids = calloc(WIRE_MAX_MSG / sizeof(int32_t), sizeof(pid_t));
	if (!pids)
		return rl_fail(e, ENOMEM, "out of memory");
	if (ctl_send(sock, &req, NULL, 0, e) < 0 ||
	    ctl_recv(sock, CTL_AWAIT_PIDS, &rep, pids, WIRE_MAX_MSG / sizeof(int32_t), e) < 0)
		return rl_error_prefix(e, "unable to get all container pids");
	m = calloc(rep.u.pids.n_pids + 1, sizeof(*m));
	if (!m)
		return rl_fail(e, ENOMEM, "out of memory");
	for (uint32_t i = 0; i < rep.u.pids.n_pids; i++) {
		struct proc_stat st;
		/* Gone since: left out, like a zombie. */
		if (proc_read_stat(pids[i], &st) < 0)
			continue;
		m[k].pid = pids[i];
		m[k].start_time = st.start_time;
		k++;
	}
	*out = steal_ptr(&m);
	*n = k;
	return 0;
}

int container_processes(const struct container_state *s, struct proc_member **out, size_t *n,
                        struct rl_error *e)
{
	int r = ask_supervisor(s, out, n, e);

	if (r <= 0)
		return r;
	/* A stopped container's pid reads 0 (state_refresh): only what it left
	 * in its rootfs remains to be found, as delete does. */
	pid_t init_pid = s->status == STATUS_STOPPED ? 0 : s->pid;

	if (s->start_time == 0 && init_pid == 0) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (proc_list_container(init_pid, s->start_time, out, n) < 0)
		return rl_fail_errno(e, errno, "unable to get all container pids");
	return 0;
}

/* VmRSS of pid in bytes; 0 when it has none (a kernel thread, a process that
 * is exiting) or is gone. */
static uint64_t rss_bytes(pid_t pid)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long kb;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			return (uint64_t)kb * 1024;
	return 0;
}

static uint64_t ticks_to_ns(uint64_t ticks, long hz)
{
	/* Split so that a long-lived container cannot overflow 64 bits. */
	return ticks / (uint64_t)hz * 1000000000ull +
	       ticks % (uint64_t)hz * 1000000000ull / (uint64_t)hz;
}

/* The limit the supervisor enforces (handlers_pids.h), from the config
 * `create` kept in the state directory; 0 when none or unreadable. */
static uint64_t pids_limit(const struct container_state *s)
{
	struct container_dir d;
	_cleanup_free_ char *raw = NULL;
	_cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
	const struct oci_resources *r;
	size_t len;
	int rc;

	if (!s->root || state_dir_open(s->root, s->id, false, false, &d, NULL) < 0)
		return 0;
	rc = oci_json_file_read(d.fd, "config.json", &raw, &len, NULL);
	state_dir_close(&d);
	if (rc < 0 || oci_config_parse(raw, len, &cfg, NULL) < 0)
		return 0;
	r = cfg->linux_ ? cfg->linux_->resources : NULL;
	return r && r->has_pids_limit && r->pids_limit > 0 ? (uint64_t)r->pids_limit : 0;
}

/* The supervisor's live numbers (CTL_STATS); -1 when none answers (gone,
 * or a build before the request). */
static int ask_stats(const struct container_state *s, struct ctl_stats *st)
{
	struct container_dir d;
	struct ctl_request req = {.kind = CTL_STATS};
	struct ctl_reply rep;
	_cleanup_close_ int sock = -1;

	if (!s->root || state_dir_open(s->root, s->id, false, false, &d, NULL) < 0)
		return -1;
	sock = ctl_connect(d.fd);
	state_dir_close(&d);
	if (sock < 0 || ctl_send(sock, &req, NULL, 0, NULL) < 0 ||
	    ctl_recv(sock, CTL_AWAIT_STATS, &rep, NULL, 0, NULL) < 0 || rep.kind != CTL_R_STATS)
		return -1;
	*st = rep.u.stats;
	return 0;
}

uint64_t container_oom_kills(const struct container_state *s)
{
	struct container_dir d;
	uint64_t n;

	if (!s->root || state_dir_open(s->root, s->id, false, false, &d, NULL) < 0)
		return 0;
	n = state_read_oom_kills(&d);
	state_dir_close(&d);
	return n;
}

int container_stats(const struct container_state *s, struct container_stats *out,
                    struct rl_error *e)
{
	struct ctl_stats live;
	_cleanup_free_ struct proc_member *m = NULL;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t utime = 0, stime = 0;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (hz <= 0)
		hz = 100;
	if (container_processes(s, &m, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct proc_stat st;
		/* A pid that now names another process is not counted. */
		if (proc_read_stat(m[i].pid, &st) < 0 || st.start_time != m[i].start_time ||
		    st.state == 'Z' || st.state == 'X')
			continue;
		out->pids += st.num_threads ? st.num_threads : 1;
		utime += st.utime;
		stime += st.stime;
		out->memory_rss += rss_bytes(m[i].pid);
	}
	out->memory_usage = out->memory_rss;
	if (ask_stats(s, &live) == 0) {
		out->pids_limit = live.pids && live.pids_limit > 0 ? (uint64_t)live.pids_limit : 0;
		out->cpu_periods = live.cpu_periods;
		out->cpu_throttled_periods = live.cpu_throttled_periods;
		out->cpu_throttled_ns = live.cpu_throttled_ns;
		if (live.memory) {
			out->memory_held = true;
			out->memory_usage = live.mem_usage;
			out->memory_limit = live.mem_limit > 0 ? (uint64_t)live.mem_limit : 0;
			out->memory_max = live.mem_max;
			out->memory_failcnt = live.mem_failcnt;
			out->oom_kill = live.mem_oom_kill;
		}
	} else {
		out->pids_limit = pids_limit(s);
	}
	out->cpu_user_ns = ticks_to_ns(utime, hz);
	out->cpu_kernel_ns = ticks_to_ns(stime, hz);
	return 0;
}
