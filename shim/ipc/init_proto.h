/* What a starting process reports: init and its intermediate to `create`
 * over the sync pipe, init to `start` on its start.sock connection, an
 * exec'd process to its intermediate over a pipe, and each process (or its
 * intermediate) to the supervisor on the process's channel.
 *
 * Every report is one fixed frame of INIT_FRAME_LEN bytes, whatever its
 * kind: the pipes are read by that size, and each write stays below
 * PIPE_BUF so the writers of the sync pipe (the supervisor's helpers, the
 * intermediate, init) never interleave. start.sock crosses builds (a CLI
 * may start a container an older runlock created), so the layout is the
 * first release's: a 4-byte kind, then what the kind carries, then zeros;
 * an error is {kind, errno, message}. What each kind puts where is written
 * once, in init_proto.c, and a byte a kind does not use must be zero.
 *
 * init_encode() and init_decode() are the only code that lays out or
 * reads a frame. The encoder and the helpers beside it are
 * async-signal-safe: init and the supervisor's helpers report with them
 * between fork and execve. Decoding refuses (EPROTO) a length or a count
 * of descriptors that is not the kind's, an unknown kind, a field out of
 * range, a non-zero unused byte, an unterminated message, and (ENOTSUP) a
 * kind the receiver's state does not permit (init_permitted). */
#ifndef RUNLOCK_SHIM_IPC_INIT_PROTO_H
#define RUNLOCK_SHIM_IPC_INIT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define INIT_FRAME_LEN 1024
#define INIT_ERROR_MAX 1016 /* an error's message, its terminator included */

/* The numbers are the first release's (start.sock crosses builds). */
enum init_kind {
	INIT_PID = 1, /* init's intermediate -> create: init's pid */
	INIT_READY,   /* init -> create: set up, waiting for `start` */
	INIT_ERROR,   /* -> create, `start`, an intermediate, the supervisor */
	INIT_HOOKS,   /* init -> create: its environment exists; it waits on
	               * the hook gate while create runs prestart and
	               * createRuntime */
	INIT_HELLO,   /* a process -> the supervisor; fds: its pidfd, then its
	               * seccomp listener when it has one */
	INIT_STARTED, /* an exec'd process's intermediate -> the supervisor: the
	               * process has called execve */
	INIT_EXIT,    /* the same intermediate, after STARTED: its wait status */
	INIT_KIND_END
};

struct init_pid {
	pid_t pid;
};
struct init_hooks {
	pid_t pid; /* init's */
};
struct init_hello {
	pid_t pid; /* the sender's */
};
struct init_started {
	pid_t pid;    /* the process */
	pid_t waiter; /* its intermediate, which waits for it and reports EXIT */
};
struct init_exit {
	int32_t status; /* as waitpid gives it */
};
/* err 0: msg is the whole story (a hook's failure); otherwise msg names
 * what failed and err says why. */
struct init_error {
	int32_t err;
	char msg[INIT_ERROR_MAX];
};

struct init_report {
	uint32_t kind; /* enum init_kind; INIT_READY carries nothing */
	union {
		struct init_pid pid;
		struct init_hooks hooks;
		struct init_hello hello;
		struct init_started started;
		struct init_exit exit;
		struct init_error error;
	} u;
};

/* Who receives, in which state, and what it may then be sent:
 * - create, on the sync pipe. The intermediate's PID and init's own
 *   reports come from two writers and may arrive in either order:
 *   INIT_ST_SYNC (nothing yet): pid, hooks, ready, error;
 *   INIT_ST_SYNC_PID (pid known): hooks, ready, error;
 *   INIT_ST_SYNC_HOOKS (hooks, no PID yet): pid, ready, error;
 *   INIT_ST_SYNC_PID_HOOKS: ready, error;
 *   INIT_ST_SYNC_READY (ready, no pid yet): pid, error.
 * - `start`, on its connection (EOF means execve succeeded):
 *   INIT_ST_START: error.
 * - an exec'd process's intermediate, on its child's pipe (EOF: execve
 *   succeeded): INIT_ST_CHILD: error.
 * - the supervisor, on a process's channel:
 *   INIT_ST_PROC_INIT (init's, before its hello): hello (init's failures go
 *   to create);
 *   INIT_ST_PROC_NEW (an exec'd process's): hello, started, error; started
 *   before hello when the process died before its hello;
 *   INIT_ST_PROC_HELLO: started, error;
 *   INIT_ST_PROC_STARTED: exit.
 * - INIT_ST_DONE: nothing more (after ready with the pid known, an error,
 *   init's hello, an exit). */
enum init_state {
	INIT_ST_SYNC,
	INIT_ST_SYNC_PID,
	INIT_ST_SYNC_HOOKS,
	INIT_ST_SYNC_PID_HOOKS,
	INIT_ST_SYNC_READY,
	INIT_ST_START,
	INIT_ST_CHILD,
	INIT_ST_PROC_INIT,
	INIT_ST_PROC_NEW,
	INIT_ST_PROC_HELLO,
	INIT_ST_PROC_STARTED,
	INIT_ST_DONE,
	INIT_ST_END
};
bool init_permitted(enum init_state st, uint32_t kind);
/* The receiver's state after a permitted kind. */
enum init_state init_next(enum init_state st, uint32_t kind);
const char *init_kind_name(uint32_t kind);

/* m into frame, unused bytes zero (an error's msg cut to fit). Returns 0,
 * or -1 with errno EINVAL for an unknown kind. Async-signal-safe. */
int init_encode(const struct init_report *m, unsigned char frame[INIT_FRAME_LEN]);
/* A frame of len bytes that came with nfds descriptors, for a receiver in
 * state st. */
int init_decode(const void *buf, size_t len, size_t nfds, enum init_state st, struct init_report *m,
                struct rl_error *e);

/* An INIT_ERROR with err and the message what then detail (either may be
 * NULL), cut to fit. Async-signal-safe. */
void init_error_set(struct init_report *m, int err, const char *what, const char *detail);
/* Encode m and write its frame to fd (a pipe or a stream socket; a frame
 * with descriptors goes through wire_send). 0, or -1 with errno.
 * Async-signal-safe. */
int init_send(int fd, const struct init_report *m);

/* Report INIT_ERROR (err, what) on fd and _exit(1): the set-up steps of
 * the supervisor, agent and spawner fail this way before the container
 * runs. Async-signal-safe. */
__attribute__((noreturn)) void init_fail(int fd, int err, const char *what);

#endif
