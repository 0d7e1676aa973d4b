/* The CLI's transport to the supervisor's control socket,
 * <state dir>/ctl.sock; the messages are shim/ipc/ctl_proto.h's. */
#ifndef RUNLOCK_SHIM_IPC_CONTROL_H
#define RUNLOCK_SHIM_IPC_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "shim/ipc/ctl_proto.h"

#define CTL_SOCKET "ctl.sock"

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

/* Send one request (exec's JSON with it) and its fds. */
int ctl_send(int sock, const struct ctl_request *q, const int *fds, size_t nfds,
             struct rl_error *e);

/* Receive one reply, as a CLI waiting as w (ctl_reply_permitted); pids
 * (may be NULL) receives up to max pids, rep->u.pids.n_pids trimmed to
 * what it took. A CTL_R_ERROR reply is returned as -1 with e set from
 * it. */
int ctl_recv(int sock, enum ctl_wait w, struct ctl_reply *rep, pid_t *pids, size_t max,
             struct rl_error *e);

#endif
