#include "common/error.h"

#include <stdio.h>
#include <string.h>

static void vformat(struct rl_error *e, int err, int with_errno, const char *fmt, va_list ap)
{
	int n;

	e->err = err;
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (n < 0) {
		e->msg[0] = '\0';
		n = 0;
	}
	if (with_errno && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(err));
}

int rl_fail(struct rl_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vformat(e, err, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int rl_fail_errno(struct rl_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vformat(e, err, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int rl_error_prefix(struct rl_error *e, const char *fmt, ...)
{
	char ctx[RL_ERROR_MSG_MAX];
	char old[RL_ERROR_MSG_MAX];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	/* Truncation is acceptable here; the start of the message matters most. */
	size_t n = strnlen(ctx, sizeof(e->msg) - 1);
	memcpy(e->msg, ctx, n);
	if (n + 2 < sizeof(e->msg)) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
	}
	size_t rest = strnlen(old, sizeof(e->msg) - 1 - n);
	memcpy(e->msg + n, old, rest);
	e->msg[n + rest] = '\0';
	return -1;
}

void rl_error_clear(struct rl_error *e)
{
	e->err = 0;
	e->msg[0] = '\0';
}
