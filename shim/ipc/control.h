/* The supervisor's control socket, <state dir>/ctl.sock (mode 0600,
 * SOCK_SEQPACKET): what the CLI asks of a running container.
 *
 * One request per connection. The reply is one datagram, except for exec:
 * CTL_R_STARTED once the process has called execve (the pid file may then
 * be written), then CTL_R_EXIT with its wait status. */
#ifndef RUNLOCK_SHIM_IPC_CONTROL_H
#define RUNLOCK_SHIM_IPC_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define CTL_SOCKET "ctl.sock"

enum ctl_op { CTL_PS = 1, CTL_KILL, CTL_EXEC, CTL_QUIT };

#define CTL_F_ALL (1u << 0) /* kill: every container process */
#define CTL_F_TTY (1u << 2) /* exec: fds[0] is the pty slave, not stdin/out/err */

/* exec: the payload is the process JSON (runtime spec "process"); the fds
 * are stdin, stdout, stderr (or the pty slave alone), then preserve_fds
 * more. */
struct ctl_req {
	uint32_t op;
	int32_t sig;
	uint32_t flags;
	int32_t preserve_fds;
};

enum ctl_reply_type { CTL_R_DONE = 1, CTL_R_PIDS, CTL_R_STARTED, CTL_R_EXIT, CTL_R_ERROR };

/* CTL_R_PIDS: count int32 pids follow. CTL_R_STARTED: value is the pid.
 * CTL_R_EXIT: value is the wait status (every exec waits for it; closing
 * the connection before kills the process). CTL_R_ERROR: err and msg. */
struct ctl_reply {
	uint32_t type;
	int32_t err;
	int32_t value;
	uint32_t count;
	char msg[1016];
};

/* Who may connect. The supervisor serves only the runtime's own caller:
 * on accept, the peer (SO_PEERCRED, SO_PEERPIDFD: Linux 6.5) must have the
 * supervisor's uid, the supervisor's root directory (every container
 * process is chrooted) and must not be a member of the container by the
 * membership oracle; anything else, or a check that cannot be made, gets
 * CTL_R_ERROR EPERM "refused: ..." and the connection closes. Container
 * processes run as root too, so the uid alone would admit them. */

/* The CLI's side (shim/ipc/control.c). */

/* Bounds on the CLI's waits: the connect, and each reply but an exec's
 * (that waits for its process, as long as it runs, killable). */
#define CTL_CONNECT_MS 5000
#define CTL_WAIT_MS    30000

#ifdef SO_PEERPIDFD
#define CTL_SO_PEERPIDFD SO_PEERPIDFD
#else
#define CTL_SO_PEERPIDFD 77
#endif

/* Connect to the supervisor of the container whose state directory is
 * dirfd. Returns the socket, or -1 with errno ECONNREFUSED/ENOENT when no
 * supervisor runs (it has exited with its container), EAGAIN when it does
 * not accept in time. */
int ctl_connect(int dirfd);

/* A pidfd of the supervisor at the other end of sock (it made the
 * listening socket), or -1. */
int ctl_peer_pidfd(int sock);

/* Send one request with its payload and fds. */
int ctl_send(int sock, const struct ctl_req *req, const void *payload, size_t len, const int *fds,
             size_t nfds, struct rl_error *e);

/* Receive one reply; pids (may be NULL) receives up to max pids. A
 * CTL_R_ERROR reply is returned as -1 with e set from it. */
int ctl_recv(int sock, struct ctl_reply *rep, pid_t *pids, size_t max, struct rl_error *e);

#endif
