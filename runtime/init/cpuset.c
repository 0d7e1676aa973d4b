/* linux.resources.cpu.cpus and .mems without a cpuset cgroup.
 *
 * cpus becomes every container process's CPU affinity, set between fork
 * and execve (init_child.c); the supervisor traps sched_setaffinity so the
 * container cannot widen it (shim/supervisor/handlers_cpu.c), and children
 * inherit it. The CPUs must be among runlock's own: the cgroup would
 * refuse others too. mems is honoured exactly when it names every memory
 * node that is online (nothing then to restrict); a strict subset would
 * need a memory policy the container could change, and is refused. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int cpuset_build(const struct oci_config *c, struct process_plan *p, struct rl_error *e)
{
	const struct oci_resources *r = c->linux_ ? c->linux_->resources : NULL;

	if (r && r->cpu_cpus && *r->cpu_cpus && build_cpus(r->cpu_cpus, p, e) < 0)
		return -1;
	if (r && r->cpu_mems && *r->cpu_mems && build_mems(r->cpu_mems, e) < 0)
		return -1;
	return 0;
}
