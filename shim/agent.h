/* The agent: the part of runlock that lives inside the container's chroot
 * and Landlock domain (DESIGN, "Process model").
 *
 * It answers the supervisor on one SOCK_SEQPACKET socket:
 * - AGENT_MEMBERS / AGENT_SIGNAL: the membership oracle. With Landlock's
 *   signal scope, kill(pid, 0) from inside the domain succeeds only for the
 *   container's processes (nested domains included), so a scan of every pid
 *   finds, and signals, exactly the container, daemons that setsid() and
 *   double-forked away included. The scan is refused (ENOTSUP) unless the
 *   scope is proven in force: kill(parent, 0) must fail with EPERM.
 * - AGENT_OPEN: openat2() on a pinned directory with RESOLVE_BENEATH or
 *   RESOLVE_IN_ROOT, as the calling process (fsuid, fsgid, supplementary
 *   groups, effective capabilities), the fd returned with SCM_RIGHTS.
 * - AGENT_QUIT: exit without touching the container.
 * When the supervisor's end closes (it died), the agent kills the container
 * (fail closed) and exits. */
#ifndef RUNLOCK_SHIM_AGENT_H
#define RUNLOCK_SHIM_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum agent_op { AGENT_MEMBERS = 1, AGENT_SIGNAL, AGENT_OPEN, AGENT_QUIT };

#define AGENT_MAX_GROUPS 64
#define AGENT_MAX_DIRS   16
#define AGENT_MAX_PIDS   32768

struct agent_req {
	uint32_t op;
	int32_t sig; /* AGENT_SIGNAL */
	/* AGENT_OPEN */
	int32_t dir; /* index into the pinned directories; 0 is the container's root */
	int32_t flags;
	uint32_t mode;
	uint64_t resolve;
	uint32_t fsuid, fsgid;
	uint32_t n_groups;
	uint32_t groups[AGENT_MAX_GROUPS];
	uint64_t cap_effective;
	char path[4096];
};

/* AGENT_MEMBERS: count pids follow as int32; AGENT_SIGNAL: count signalled;
 * AGENT_OPEN: the fd rides along. err is an errno, 0 for success. */
struct agent_reply {
	int32_t err;
	uint32_t count;
};

struct agent_config {
	int sock;                 /* to the supervisor */
	int proc_fd;              /* the host's /proc, opened before chroot; -1 when none */
	int dirs[AGENT_MAX_DIRS]; /* pinned directories; dirs[0] the root */
	int n_dirs;
	pid_t exclude[4]; /* runlock's own processes in the domain */
	int n_exclude;
};

/* Serve until AGENT_QUIT or the supervisor is gone. Never returns. */
__attribute__((noreturn)) void agent_serve(const struct agent_config *c);

/* Install the agent's own allowlist (anything else kills it: fail closed).
 * Call after the last fork the agent makes. */
int agent_confine(struct rl_error *e);

/* The supervisor's side: one request, one reply; fds/pids out as the op
 * gives. pids may be NULL. Returns 0, or -1 with e set (the agent's errno
 * or the transport's). */
int agent_call(int sock, const struct agent_req *req, struct agent_reply *rep, pid_t *pids,
               size_t max_pids, int *fd, struct rl_error *e);

#endif
