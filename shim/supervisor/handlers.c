/* The list of what the supervisor emulates for a bundle, and helpers the
 * handlers share. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "oci/cpu_list.h"
#include "runtime/init/process.h"
#include "runtime/confine/namespaces.h"
#include "shim/supervisor/handlers.h"

/* conds: trapped only under conditions (one list per entry); NULL: always. */
static void add_set_if(struct notify_set *out, size_t max, size_t *n,
                       const struct notify_entry *set, size_t count, void *ctx,
                       const struct trap_cond (*conds)[TRAP_MAX_CONDS])
{
	if (*n < max)
		out[(*n)++] =
		    (struct notify_set){.entries = set, .count = count, .ctx = ctx, .conds = conds};
}

static void add_set(struct notify_set *out, size_t max, size_t *n, const struct notify_entry *set,
                    size_t count, void *ctx)
{
	add_set_if(out, max, n, set, count, ctx, NULL);
}

size_t handlers_select(const struct oci_config *c, struct emul_state *s, struct notify_set *out,
                       size_t max)
{
	struct fs_view *fs = s ? &s->fs : NULL;
	size_t n = 0;

	if (ns_requested(c, "uts"))
		add_set(out, max, &n, uts_entries, n_uts_entries, s);
	if (ns_requested(c, "pid"))
		add_set(out, max, &n, signal_entries, n_signal_entries, s);
	/* Only under a limit: forks cost nothing otherwise. */
	if (pids_limit_of(c) > 0)
		add_set(out, max, &n, pids_entries, n_pids_entries, s ? &s->pids : NULL);
	/* Only under a limit set at create: the calls that commit memory. */
	if (mem_limit_of(c) > 0)
		add_set_if(out, max, &n, mem_entries, n_mem_entries, s ? &s->mem : NULL, mem_conds);
	/* runc's defaults give every container /dev, /dev/pts, /dev/shm and
	 * /dev/mqueue: there is always a mount table to emulate. */
	add_set(out, max, &n, fs_entries, n_fs_entries, fs);
	add_set(out, max, &n, fs_stat_entries, n_fs_stat_entries, fs);
	add_set(out, max, &n, fs_modify_entries, n_fs_modify_entries, fs);
	add_set(out, max, &n, fs_fd_entries, n_fs_fd_entries, fs);
	add_set(out, max, &n, fs_socket_entries, n_fs_socket_entries, fs);
	if (ns_net_mode(c) == NET_NONE)
		add_set(out, max, &n, fs_listen_entries, n_fs_listen_entries, fs);
	add_set(out, max, &n, fs_exec_entries, n_fs_exec_entries, fs);
	add_set(out, max, &n, fs_xattr_entries, n_fs_xattr_entries, fs);
	/* Always: runlock update may set cpus later (without cpus the
	 * handler CONTINUEs). The call is rare. */
	add_set(out, max, &n, cpu_entries, n_cpu_entries, s);
	/* Always, for the same reason (blockIO.weight): without a weight the
	 * handler CONTINUEs. */
	add_set(out, max, &n, io_entries, n_io_entries, s);
	return n;
}

size_t handlers_trapped(const struct oci_config *c, struct trap_rule *rules, size_t max)
{
	struct notify_set sets[HANDLERS_MAX_SETS];
	size_t n_sets = handlers_select(c, NULL, sets, HANDLERS_MAX_SETS), n = 0;

	for (size_t k = 0; k < n_sets; k++)
		for (size_t i = 0; i < sets[k].count && n < max; i++) {
			rules[n].name = sets[k].entries[i].name;
			memset(rules[n].conds, 0, sizeof(rules[n].conds));
			if (sets[k].conds)
				memcpy(rules[n].conds, sets[k].conds[i], sizeof(rules[n].conds));
			n++;
		}
	return n;
}

void handlers_init_state(const struct oci_config *c, struct emul_state *s)
{
	struct utsname host;

	memset(s, 0, sizeof(*s));
	s->init_pidfd = -1;
	s->io_level = io_level_of(c);
	pids_init(&s->pids, c);
	mem_init(&s->mem, c);
	/* A new uts namespace starts as a copy of its parent's. */
	if (uname(&host) == 0) {
		snprintf(s->hostname, sizeof(s->hostname), "%s", host.nodename);
		snprintf(s->domainname, sizeof(s->domainname), "%s", host.domainname);
	}
	if (c->hostname)
		snprintf(s->hostname, sizeof(s->hostname), "%s", c->hostname);
	if (c->domainname)
		snprintf(s->domainname, sizeof(s->domainname), "%s", c->domainname);
	/* Checked at create (runtime/init/cpuset.c). */
	if (c->linux_ && c->linux_->resources && c->linux_->resources->cpu_cpus) {
		struct rl_error e;
		if (cpu_list_parse(c->linux_->resources->cpu_cpus, "cpus", &s->cpus, &e) < 0)
			CPU_ZERO(&s->cpus);
	}
}
