/* What runlock needs from the host it runs on, checked at `create`.
 *
 * runlock is meant for hosts where runc cannot run: inside a container or a
 * CI job, as root with a reduced capability set (Docker's and Podman's
 * defaults have no CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_RESOURCE), under
 * the outer runtime's seccomp profile. Everything the container's
 * confinement or emulation needs from that host is checked here, before
 * any process is started, so that a missing piece is refused with a
 * message naming the capability or the system call and the config field
 * that needs it, never found later nor worked around with less
 * confinement (docs/security.md, "What runlock needs from its host"). */
#ifndef RUNLOCK_RUNTIME_HOST_H
#define RUNLOCK_RUNTIME_HOST_H

#include "common/error.h"
#include "oci/config.h"
#include "runtime/init/process.h"

/* Check the runtime's own capabilities against the config (after
 * process_plan_build) and probe, in a short-lived child, the system calls
 * every container needs (Landlock, seccomp filters, pidfds) under the
 * seccomp filter this process runs under. Without CAP_SYS_ADMIN the plan
 * gets no_new_privs (Landlock and seccomp filters need one or the other),
 * whatever process.noNewPrivileges says. 0, or -1 with *e. */
int host_check(const struct oci_config *c, struct process_plan *p, struct rl_error *e);

/* Once the notify filter is compiled, when the supervisor emulates
 * anything: what it needs from the host (user notification, pidfd_getfd,
 * ptrace; without CAP_SYS_PTRACE, a container user of runlock's own uid
 * and gid). 0, or -1 with *e. */
int host_check_view(struct process_plan *p, struct rl_error *e);

/* The capabilities an exec'd process asks for (process.capabilities of
 * `exec --process`, or --cap), against the runtime's permitted set; the
 * same words as host_check. 0, or -1 with *e. */
int host_check_caps(const struct process_plan *p, struct rl_error *e);

#endif
