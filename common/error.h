/* runlock's one error convention.
 *
 * A function that can fail takes a `struct rl_error *` as its last argument,
 * returns -1 (or NULL) on failure and fills it; on success it returns 0 (or a
 * value) and leaves it untouched. Callers add context on the way up with
 * rl_error_prefix(); the CLI prints the final message once, in runc's
 * wording, and writes it to the --log file (see common/log.h).
 *
 * The message buffer is fixed so that filling an error never allocates. */
#ifndef RUNLOCK_COMMON_ERROR_H
#define RUNLOCK_COMMON_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define RL_ERROR_MSG_MAX 2048

struct rl_error {
	int err;                    /* errno value, 0 when none applies */
	char msg[RL_ERROR_MSG_MAX]; /* human-readable, without trailing newline */
};

/* Set *e (when e is not NULL) from a printf format; returns -1. `err` is kept
 * in e->err and is not appended to the message. */
int rl_fail(struct rl_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As rl_fail, and appends ": <strerror(err)>" to the message. */
int rl_fail_errno(struct rl_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "<context>: " to the message already in *e; returns -1. */
int rl_error_prefix(struct rl_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset *e to "no error". */
void rl_error_clear(struct rl_error *e);

#endif
