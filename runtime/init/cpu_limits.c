/* linux.resources.cpu without a cgroup: where the container's processes
 * run (cpus, mems) and at what priority (shares, idle).
 *
 * cpus becomes every container process's CPU affinity, set between fork
 * and execve (init_child.c); the supervisor traps sched_setaffinity so the
 * container cannot widen it (shim/supervisor/handlers_cpu.c), and children
 * inherit it. The CPUs must be among runlock's own: the cgroup would
 * refuse others too. mems is honoured exactly when it names every memory
 * node that is online (nothing then to restrict); a strict subset would
 * need a memory policy the container could change, and is refused.
 *
 * shares (a weight against other cgroups) becomes the nice value whose
 * scheduler weight is nearest (1024 is nice 0, as both scales put it),
 * and idle 1 SCHED_IDLE: the kernel's weights for single threads, not
 * for the group (docs/resources.md says what differs). The container
 * cannot raise its priority back without CAP_SYS_NICE or an RLIMIT_NICE
 * above 0, as the kernel rules for any process.
 *
 * quota and period are only checked here; the supervisor enforces them
 * (shim/supervisor/cpu_quota.c). */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/proc.h"
#include "oci/cpu_list.h"
#include "runtime/init/process.h"

#define FIELD_CPUS "linux.resources.cpu.cpus"
#define FIELD_MEMS "linux.resources.cpu.mems"

static int build_cpus(const char *list, struct process_plan *p, struct rl_error *e)
{
	cpu_set_t own, extra;
	char a[256], b[256];

	if (cpu_list_parse(list, FIELD_CPUS, &p->cpus, e) < 0)
		return -1;
	if (sched_getaffinity(0, sizeof(own), &own) < 0)
		return rl_fail_errno(e, errno, "sched_getaffinity");
	CPU_AND(&extra, &p->cpus, &own);
	CPU_XOR(&extra, &extra, &p->cpus);
	if (CPU_COUNT(&extra) > 0)
		return rl_fail(e, EINVAL,
		               "config.json: " FIELD_CPUS ": CPUs %s are not available (runlock "
		               "may run on %s)",
		               cpu_list_format(&extra, a, sizeof(a)),
		               cpu_list_format(&own, b, sizeof(b)));
	p->has_cpus = true;
	return 0;
}

static int build_mems(const char *list, struct rl_error *e)
{
	cpu_set_t want, online;
	char buf[256] = "0";
	int fd = open("/sys/devices/system/node/online", O_RDONLY | O_CLOEXEC);
	struct rl_error ignored;

	if (cpu_list_parse(list, FIELD_MEMS, &want, e) < 0)
		return -1;
	if (fd >= 0) { /* without NUMA support there is node 0 alone */
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
	}
	if (cpu_list_parse(buf, "node/online", &online, &ignored) < 0)
		return rl_fail(e, EIO, "config.json: " FIELD_MEMS ": cannot read the online nodes");
	if (!CPU_EQUAL(&want, &online))
		return rl_fail(e, ENOTSUP,
		               "config.json: " FIELD_MEMS ": \"%s\" is not every online memory "
		               "node (%s): runlock creates no cpuset and cannot bind memory to a "
		               "subset",
		               list, buf);
	return 0;
}

/* The kernel's weight of each nice value, -20 to 19 (sched_prio_to_weight). */
static const unsigned nice_weight[40] = {
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
    3906,  3121,  2501,  1991,  1586,  1277,  1024,  820,   655,   526,   423,  335,  272,  215,
    172,   137,   110,   87,    70,    56,    45,    36,    29,    23,    18,   15,
};

int cpu_shares_nice(uint64_t shares)
{
	int best = 0;

	/* Nearest on a log scale: compare ratios, not differences. */
	for (int i = 1; i < 40; i++) {
		double r_best = (double)shares / nice_weight[best];
		double r_i = (double)shares / nice_weight[i];
		if ((r_i < 1 ? 1 / r_i : r_i) < (r_best < 1 ? 1 / r_best : r_best))
			best = i;
	}
	return best - 20;
}

int cpu_quota_validate(int64_t quota, uint64_t period, struct rl_error *e)
{
	if (period < 1000 || period > 1000000)
		return rl_fail(e, EINVAL,
		               "linux.resources.cpu.period: %" PRIu64
		               " (expected 1000 to 1000000 microseconds)",
		               period);
	if (quota > 0 && quota < 1000)
		return rl_fail(e, EINVAL,
		               "linux.resources.cpu.quota: %" PRId64
		               " (expected at least 1000 microseconds, or -1)",
		               quota);
	return 0;
}

int cpu_limits_build(const struct oci_config *c, struct process_plan *p, struct rl_error *e)
{
	const struct oci_resources *r = c->linux_ ? c->linux_->resources : NULL;

	if (!r)
		return 0;
	if (r->cpu_cpus && *r->cpu_cpus && build_cpus(r->cpu_cpus, p, e) < 0)
		return -1;
	if (r->cpu_mems && *r->cpu_mems && build_mems(r->cpu_mems, e) < 0)
		return -1;
	if (r->has_cpu_shares && r->cpu_shares > 0) {
		p->has_nice = true;
		p->nice = cpu_shares_nice(r->cpu_shares);
		if (p->nice < 0 && !proc_self_has_cap(CAP_SYS_NICE))
			return rl_fail(
			    e, EPERM,
			    "config.json: linux.resources.cpu.shares: %" PRIu64
			    " maps to nice %d, which needs CAP_SYS_NICE (runlock lacks it)",
			    r->cpu_shares, p->nice);
	}
	/* Enforced by the supervisor (shim/supervisor/cpu_quota.c). */
	if ((r->has_cpu_quota || r->has_cpu_period) &&
	    cpu_quota_validate(r->has_cpu_quota ? r->cpu_quota : -1,
	                       r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000, e) < 0)
		return -1;
	if (r->has_cpu_idle && r->cpu_idle != 0) {
		if (r->cpu_idle != 1)
			return rl_fail(e, EINVAL,
			               "config.json: linux.resources.cpu.idle: %" PRId64
			               " (expected 0 or 1)",
			               r->cpu_idle);
		p->sched_idle = true;
	}
	return 0;
}
