/* The messages a starting process sends: init and its intermediate to
 * `create` over the sync pipe, an exec'd process to the spawner, and each
 * process to the supervisor on its channel. */
#ifndef RUNLOCK_SHIM_IPC_INIT_MSG_H
#define RUNLOCK_SHIM_IPC_INIT_MSG_H

#include <stdint.h>

/* Messages from the init to `create` over the sync pipe, each one write()
 * smaller than PIPE_BUF so the two writers (intermediate and init) never
 * interleave. */
enum init_msg_type {
	INIT_MSG_PID = 1,
	INIT_MSG_READY,
	INIT_MSG_ERROR,
	INIT_MSG_HOOKS,
	/* On the channel to the supervisor (plan.chan_fd): */
	INIT_MSG_HELLO,   /* value: pid; fds: the process's pidfd, then its listener */
	INIT_MSG_STARTED, /* exec: value: the pid, which has called execve */
	INIT_MSG_EXIT,    /* foreground exec: value: the wait status */
};

/* INIT_MSG_HOOKS: init's environment exists (value: its pid); it waits on
 * the hook gate while create runs prestart and createRuntime. The same
 * message carries a failure back to `start` on the start connection. */
struct init_msg {
	int32_t type;
	int32_t value; /* pid for INIT_MSG_PID/HOOKS; errno for INIT_MSG_ERROR, 0 when
	                  `what` is the whole message (a hook's failure) */
	char what[1016];
};

/* Report INIT_MSG_ERROR (err, what) on fd and _exit(1): the set-up steps of
 * the supervisor, agent and spawner fail this way before the container
 * runs. Async-signal-safe. */
__attribute__((noreturn)) void init_msg_fail(int fd, int err, const char *what);

#endif
