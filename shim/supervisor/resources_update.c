/* runlock update: new limits for a running container (CTL_UPDATE).
 *
 * The request carries a linux.resources object. It is checked whole
 * before anything changes (never half-applied): what runlock does not
 * enforce is refused as create refuses it (or, with the container's
 * ignore-unsupported annotation, logged), cpus, mems, shares and idle are
 * checked as at create (runtime/init/cpu_limits.c), quota and period
 * against the values they leave unchanged. Then the new values
 * go to every thread of every process of the container and to the
 * spawner, whose exec'd processes inherit them, and the supervisor's own
 * records (the sched_setaffinity trap's CPUs, the ioprio_set trap's level,
 * the device rules, the pids limit, the memory limit of a container
 * created with one, the CPU quota) change.
 * Members are listed twice, so a process forked while the first pass ran
 * (with the old values, copied from its parent) gets the new ones. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ioprio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "oci/device_rules.h"
#include "runtime/init/process.h"
#include "shim/supervisor/supervisor.h"

static void resources_freep(struct oci_resources **r)
{
	if (*r)
		oci_resources_free(*r);
}

struct change {
	struct process_plan plan; /* has_cpus/cpus, has_nice/nice, sched_idle */
	bool set_idle;            /* idle given: SCHED_IDLE on or off */
	struct dev_rules *rules;  /* NULL: the device rules stay */
};

static void apply_task(const struct change *ch, pid_t tid)
{
	if (ch->plan.has_cpus)
		sched_setaffinity(tid, sizeof(ch->plan.cpus), &ch->plan.cpus);
	if (ch->plan.has_nice)
		setpriority(PRIO_PROCESS, (id_t)tid, ch->plan.nice);
	if (ch->set_idle)
		sched_setscheduler(tid, ch->plan.sched_idle ? SCHED_IDLE : SCHED_OTHER,
		                   &(struct sched_param){.sched_priority = 0});
	if (ch->plan.ioprio)
		syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, ch->plan.ioprio);
}

/* Every thread of pid (gone ones are skipped: they need nothing). */
static void apply_process(const struct change *ch, pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *t;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((t = readdir(d)))
		if (t->d_name[0] >= '1' && t->d_name[0] <= '9')
			apply_task(ch, (pid_t)atoi(t->d_name));
	closedir(d);
}

static int check(struct supervisor *s, const struct oci_resources *r, struct change *ch,
                 struct rl_error *e)
{
	const char *ignore = oci_config_annotation(s->cfg, ANNOT_RESOURCES_IGNORE);
	struct oci_linux l = s->cfg->linux_ ? *s->cfg->linux_ : (struct oci_linux){0};
	struct oci_config c = *s->cfg;

	if (r->n_unsupported > 0 && !(ignore && strcmp(ignore, "true") == 0))
		return rl_fail(e, ENOTSUP,
		               "%s: runlock creates no cgroup and cannot enforce this limit "
		               "(annotation %s=true runs without it)",
		               r->unsupported[0], ANNOT_RESOURCES_IGNORE);
	/* The traps exist only in the filter of a container created with a
	 * memory limit: the sampler alone could not refuse a call. */
	if (r->has_memory_limit && r->memory_limit > 0 && !s->emul.mem.on)
		return rl_fail(e, ENOTSUP,
		               "linux.resources.memory.limit: the container was created without "
		               "a memory limit; runlock update can only change one set at create");
	/* Forks are trapped only in a container created with a limit
	 * (handlers_select): without the trap there is no count to hold a
	 * new limit against. */
	if (r->has_pids_limit && r->pids_limit > 0 && s->emul.pids.ep < 0)
		return rl_fail(e, ENOTSUP,
		               "linux.resources.pids.limit: the container was created without a "
		               "pids limit, so its forks are not counted (set one at create)");
	for (size_t i = 0; i < r->n_unsupported; i++)
		log_warn("%s: not enforced (no cgroup), ignored as %s=true asks", r->unsupported[i],
		         ANNOT_RESOURCES_IGNORE);
	/* The same checks as create's, on a config holding the new values. */
	l.resources = (struct oci_resources *)r;
	c.linux_ = &l;
	memset(&ch->plan, 0, sizeof(ch->plan));
	if (cpu_limits_build(&c, &ch->plan, e) < 0 || io_limits_build(&c, &ch->plan, e) < 0 ||
	    cpu_quota_check(&s->quota, r, e) < 0)
		return -1;
	ch->set_idle = r->has_cpu_idle;
	if (r->n_devices > 0) {
		ch->rules = malloc(sizeof(*ch->rules));
		if (!ch->rules)
			return rl_fail(e, ENOMEM, "out of memory");
		if (dev_rules_build(&c, ch->rules, e) < 0)
			return -1;
	}
	return 0;
}

int sv_update_resources(struct supervisor *s, const char *json, size_t len, struct rl_error *e)
{
	_cleanup_(resources_freep) struct oci_resources *r = NULL;
	struct change ch = {0};
	int rc = -1;

	if (oci_resources_parse(json, len, &r, e) < 0 || check(s, r, &ch, e) < 0)
		goto out;
	/* The trap and the rules first: from here a new process or a
	 * widening call meets the new values. */
	if (ch.plan.has_cpus)
		s->emul.cpus = ch.plan.cpus;
	if (ch.plan.ioprio)
		s->emul.io_level = IOPRIO_PRIO_DATA(ch.plan.ioprio);
	if (ch.rules)
		s->emul.fs.dev_rules = *ch.rules;
	/* As the pids cgroup: a limit below the count ends no task, it
	 * refuses the next fork; -1 lifts it (0 leaves it, as in runc). */
	if (r->has_pids_limit && r->pids_limit != 0 && s->emul.pids.ep >= 0)
		s->emul.pids.acct.limit = r->pids_limit > 0 ? r->pids_limit : 0;
	/* A new memory limit holds from the next trapped call and sample;
	 * -1 lifts it (the traps stay, answering CONTINUE). */
	if (s->emul.mem.on && r->has_memory_limit && (r->memory_limit > 0 || r->memory_limit == -1))
		s->emul.mem.limit = r->memory_limit;
	/* Sampling only: the next tick applies it. */
	cpu_quota_update(s, r);
	if (s->spawner_pid > 0)
		apply_task(&ch, s->spawner_pid);
	for (int pass = 0; pass < 2; pass++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n;
		if (sv_members(s, &pids, &n, e) < 0)
			goto out;
		for (size_t i = 0; i < n; i++)
			apply_process(&ch, pids[i]);
	}
	rc = 0;
out:
	free(ch.rules);
	return rc;
}
