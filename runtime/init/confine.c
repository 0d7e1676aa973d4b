/* The confinement of a container, decided in the parent: how its namespaces
 * map onto runlock's mechanisms, its Landlock ruleset, its seccomp filters.
 * init_child.c applies the result. */
#include <errno.h>

#include "runtime/confine/namespaces.h"
#include "runtime/init/host.h"
#include "runtime/init/process.h"

int confine_build(const struct oci_config *c, const struct trap_rule *trapped, size_t n_trapped,
                  struct process_plan *p, struct rl_error *e)
{
	if (ns_check(c, e) < 0)
		return -1;
	if (ns_net_mode(c) == NET_JOIN) {
		p->netns_fd = ns_open_netns(c, e);
		if (p->netns_fd < 0)
			return -1;
	}
	if (host_check(c, p, e) < 0 || cpu_limits_build(c, p, e) < 0 ||
	    io_limits_build(c, p, e) < 0)
		return -1;
	if (seccomp_compile_runlock(c, &p->runlock_filter, e) < 0 ||
	    seccomp_compile_raw(c, &p->raw_filter, e) < 0 ||
	    seccomp_compile_notify(trapped, n_trapped, &p->notify_filter, e) < 0)
		return -1;
	if (c->linux_ && c->linux_->seccomp &&
	    seccomp_compile_bundle(c->linux_->seccomp, &p->bundle_filter, e) < 0)
		return -1;
	if (host_check_view(p, e) < 0 || landlock_build(c, p->rootfs_fd, &p->landlock, e) < 0)
		return -1;
	/* Installing a filter needs no_new_privs or CAP_SYS_ADMIN. runlock's
	 * own filters always go in right after Landlock, while init holds its
	 * capabilities. Without no_new_privs the bundle's filter must too,
	 * before the identity switch (as runc does), and its profile must
	 * then allow that switch. */
	p->filters_early = !p->no_new_privs || p->host_noptrace;
	/* In a pid namespace orphans are reparented to its init. A child
	 * subreaper (kept across execve) gets the same: a daemon that setsid()s
	 * and double-forks stays init's descendant, so kill --all finds it. */
	p->reap_orphans = ns_requested(c, "pid");
	return 0;
}
