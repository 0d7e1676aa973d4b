/* The agent: the part of runlock that lives inside the container's chroot
 * and Landlock domain (docs/design.md, "The picture").
 *
 * It answers the supervisor on one SOCK_SEQPACKET socket, in the typed
 * protocol of shim/ipc/agent_proto.h (one struct per kind, a table of
 * what each state permits):
 * - AGENT_MEMBERS / AGENT_SIGNAL: the membership oracle. With Landlock's
 *   signal scope, kill(pid, 0) from inside the domain succeeds only for the
 *   container's processes (nested domains included), so a scan of every
 *   pid finds, and signals, exactly the container, daemons that setsid() and
 *   double-forked away included. Permitted only in AGENT_ST_SCOPED: the
 *   scope must be proven in force (kill(parent, 0) fails with EPERM), else
 *   ENOTSUP.
 * - AGENT_OPEN: openat2() on a pinned directory with RESOLVE_BENEATH or
 *   RESOLVE_IN_ROOT, as the calling process (fsuid, fsgid, supplementary
 *   groups, effective capabilities), the fd returned with SCM_RIGHTS.
 *   dir 0 is the container's root, dir i+1 the source of mount i. Options:
 *   AGENT_O_REOPEN opens the pinned source itself (a file mount: path
 *   ignored) through /proc/self/fd, so the kernel checks the caller's
 *   permission on the inode and Landlock the path of the object;
 *   AGENT_O_ACCESS checks `access` (R_OK...) on the object (AT_EACCESS, as
 *   the caller's filesystem identity) and returns no fd. A FIFO opened
 *   without O_NONBLOCK would block the agent: it is tried with O_NONBLOCK
 *   (the kernel's permission and Landlock checks run before the FIFO waits
 *   for its peer) and, allowed, returned as an O_PATH fd with the reply's
 *   open.fifo set, for the supervisor to open where waiting harms no one.
 * - AGENT_MKDIR ... AGENT_INOTIFY_ADD: changes as the caller, by name
 *   beneath a pinned directory or on a descriptor sent along.
 * - AGENT_QUIT: exit without touching the container.
 * When the supervisor's end closes (it died), the agent kills the container
 * (fail closed) and exits.
 *
 * Files: agent_serve.c (the request loop, the membership oracle),
 * agent_as_caller.c (taking on the caller's identity), agent_open.c
 * (openat2 as the caller), agent_fsops.c (the changes), agent_confine.c
 * (the agent's own seccomp allowlist), agent_call.c (the supervisor's
 * side). */
#ifndef RUNLOCK_SHIM_AGENT_AGENT_H
#define RUNLOCK_SHIM_AGENT_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "shim/ipc/agent_proto.h"

struct agent_config {
	int sock;                 /* to the supervisor */
	int proc_fd;              /* the host's /proc, opened before chroot; -1 when none */
	int dirs[AGENT_MAX_DIRS]; /* pinned directories; dirs[0] the root */
	int n_dirs;
	const int *mount_fds; /* pinned mount sources: dir i + 1 is mount_fds[i] */
	size_t n_mounts;
	pid_t exclude[4]; /* runlock's own processes in the domain */
	int n_exclude;
	uid_t euid; /* the agent's own, taken back after a connect or bind */
	gid_t egid;
	mode_t umask; /* the agent's own, taken back after each request */
};

/* Serve until AGENT_QUIT or the supervisor is gone. Never returns. */
__attribute__((noreturn)) void agent_serve(const struct agent_config *c);

/* Install the agent's own allowlist (anything else kills it: fail closed).
 * Call after the last fork the agent makes. */
int agent_confine(struct rl_error *e);

/* Where a reply's data and descriptor go. */
struct agent_out {
	pid_t *pids; /* MEMBERS: up to max_pids (NULL: dropped) */
	size_t max_pids;
	void *data; /* GETXATTR, LISTXATTR: up to size bytes (NULL: dropped) */
	size_t size;
	int fd; /* OPEN: the fd received, or -1 */
};

/* The supervisor's side: send q with its agent_kind_fds(q->kind)
 * descriptors (in_fds), receive and check the reply into rep (with
 * members.n_pids trimmed to what out took) and out (may be NULL).
 * Returns 0, or -1 with e set: the agent's errno, or the transport's. */
int agent_call(int sock, const struct agent_request *q, const int *in_fds, size_t n_in,
               struct agent_reply *rep, struct agent_out *out, struct rl_error *e);

/* Send AGENT_QUIT; no reply comes. */
void agent_quit(int sock);

#endif
