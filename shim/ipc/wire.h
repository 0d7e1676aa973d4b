/* Messages with descriptors over SOCK_SEQPACKET sockets: the one transport
 * between the CLI, the supervisor, the agent, the spawner and each process
 * being started. A message is one datagram (a fixed header the caller
 * defines, then an optional payload) and up to WIRE_MAX_FDS descriptors
 * passed with SCM_RIGHTS. */
#ifndef RUNLOCK_SHIM_IPC_WIRE_H
#define RUNLOCK_SHIM_IPC_WIRE_H

#include <stddef.h>
#include <sys/types.h>

#define WIRE_MAX_FDS 64
/* A datagram may carry a process.json of this size at most. */
#define WIRE_MAX_MSG (256 * 1024)

/* Send head (and payload when plen > 0) as one datagram with nfds fds.
 * Returns 0, or -1 with errno. Async-signal-safe: the spawned children use
 * it between fork and execve. */
int wire_send(int sock, const void *head, size_t hlen, const void *payload, size_t plen,
              const int *fds, size_t nfds);

/* Receive one datagram into buf (cap bytes). Received fds (close-on-exec)
 * are stored in fds (room for maxfds); any beyond maxfds are closed, as is
 * everything when the datagram was truncated (then -1, EMSGSIZE). Returns
 * the datagram's length, 0 at end of stream, or -1 with errno (ETIMEDOUT:
 * see wire_set_timeouts). */
ssize_t wire_recv(int sock, void *buf, size_t cap, int *fds, size_t maxfds, size_t *nfds);

/* Bound the waits on a blocking socket (0: leave that direction as it
 * is). A send that runs out fails with EAGAIN and nothing sent. A receive
 * that runs out (wire_recv: -1, ETIMEDOUT) shuts the socket down for good,
 * since a late reply would otherwise answer the next request, and counts
 * in wire_timeouts: its owner then treats the peer as dead. */
int wire_set_timeouts(int sock, int recv_ms, int send_ms);
extern unsigned long wire_timeouts;

/* Close n fds and set them to -1. */
void wire_close_fds(int *fds, size_t n);

#endif
