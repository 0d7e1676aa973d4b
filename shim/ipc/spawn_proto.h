/* The spawner's channel: the supervisor and the spawner (shim/spawner/),
 * SOCK_SEQPACKET, both ends one build (the spawner is forked, not
 * exec'd).
 *
 * The spawner speaks first, once: SPAWN_HELLO with its pidfd. Then the
 * supervisor asks SPAWN_EXEC, one at a time or queued, and the spawner
 * answers each in order with SPAWN_DONE (the process's intermediate is
 * forked; the process reports on its own channel, init_proto.h) or
 * SPAWN_FAILED. spawn_encode()/spawn_decode() are the only code that lays
 * these out or reads them; decoding refuses (EPROTO) a length or a count
 * of descriptors that is not the kind's, an unknown kind, and (ENOTSUP) a
 * kind the receiver's state does not permit (spawn_permitted). */
#ifndef RUNLOCK_SHIM_IPC_SPAWN_PROTO_H
#define RUNLOCK_SHIM_IPC_SPAWN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum spawn_kind {
	SPAWN_HELLO = 1, /* spawner -> supervisor; fd: the spawner's pidfd */
	SPAWN_EXEC,      /* supervisor -> spawner; fds: see spawn_exec_fds() */
	SPAWN_DONE,      /* spawner -> supervisor */
	SPAWN_FAILED,    /* spawner -> supervisor */
	SPAWN_KIND_END
};

struct spawn_hello {
	pid_t pid;
};

/* The process JSON as payload; the fds: the process's channel, then
 * stdin, stdout, stderr (or, with tty, the pty slave alone), then
 * preserve_fds more. */
struct spawn_exec {
	bool tty;
	int32_t preserve_fds;
	const char *process_json; /* decoded: points into the datagram */
	size_t json_len;
};
#define SPAWN_MAX_PRESERVE 60 /* WIRE_MAX_FDS - 4 */

struct spawn_failed {
	int32_t err;
	char msg[1016];
};

struct spawn_msg {
	uint32_t kind; /* enum spawn_kind; SPAWN_DONE carries nothing */
	union {
		struct spawn_hello hello;
		struct spawn_exec exec;
		struct spawn_failed failed;
	} u;
};

/* The descriptors that go with an exec request. */
size_t spawn_exec_fds(const struct spawn_exec *x);

/* Who receives, in which state:
 * - SPAWN_ST_STARTING: the supervisor before the spawner's hello: HELLO.
 * - SPAWN_ST_IDLE: the supervisor with no exec asked: nothing.
 * - SPAWN_ST_ASKED: the supervisor with an exec asked: DONE, FAILED.
 * - SPAWN_ST_SERVING: the spawner: EXEC. */
enum spawn_state {
	SPAWN_ST_STARTING,
	SPAWN_ST_IDLE,
	SPAWN_ST_ASKED,
	SPAWN_ST_SERVING,
	SPAWN_ST_END
};
bool spawn_permitted(enum spawn_state st, uint32_t kind);
const char *spawn_kind_name(uint32_t kind);

#define SPAWN_HEAD_MAX 1024

/* m's fixed part into head (SPAWN_HEAD_MAX bytes); an exec's JSON goes
 * after it in the same datagram. Returns its length, or -1 with e set. */
ssize_t spawn_encode(const struct spawn_msg *m, void *head, struct rl_error *e);
/* A datagram of len bytes that came with nfds descriptors, for a receiver
 * in state st. */
int spawn_decode(const void *buf, size_t len, size_t nfds, enum spawn_state st, struct spawn_msg *m,
                 struct rl_error *e);

#endif
