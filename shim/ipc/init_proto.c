/* The starting processes' one encoder and one decoder
 * (shim/ipc/init_proto.h), and their tables. The encoder runs between fork
 * and execve: no allocation, no stdio, nothing but stores, memcpy and
 * write. */
#include "shim/ipc/init_proto.h"

#include "common/fd.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The layouts, per kind, each the whole frame; the first release's
 * struct init_msg was {int32 type; int32 value; char what[1016]}, and
 * every kind it had keeps its bytes where they were. */
struct wire_value { /* INIT_PID, INIT_HOOKS, INIT_HELLO: a pid; INIT_EXIT */
	uint32_t kind;
	int32_t value;
	unsigned char unused[1016];
};
struct wire_bare { /* INIT_READY */
	uint32_t kind;
	unsigned char unused[1020];
};
struct wire_started {
	uint32_t kind;
	int32_t pid;
	int32_t waiter;
	unsigned char unused[1012];
};
struct wire_error {
	uint32_t kind;
	int32_t err;
	char msg[INIT_ERROR_MAX]; /* terminated; zeros after the terminator */
};
_Static_assert(sizeof(struct wire_value) == INIT_FRAME_LEN, "init frame");
_Static_assert(sizeof(struct wire_bare) == INIT_FRAME_LEN, "init frame");
_Static_assert(sizeof(struct wire_started) == INIT_FRAME_LEN, "init frame");
_Static_assert(sizeof(struct wire_error) == INIT_FRAME_LEN, "init frame");
_Static_assert(INIT_FRAME_LEN <= 4096, "one write below PIPE_BUF");

/* What each receiver may be sent, and where that leaves it (0: stays). */
static const unsigned char permitted[INIT_ST_END][INIT_KIND_END] = {
    [INIT_ST_SYNC] = {[INIT_PID] = 1, [INIT_HOOKS] = 1, [INIT_READY] = 1, [INIT_ERROR] = 1},
    [INIT_ST_SYNC_PID] = {[INIT_HOOKS] = 1, [INIT_READY] = 1, [INIT_ERROR] = 1},
    [INIT_ST_SYNC_HOOKS] = {[INIT_PID] = 1, [INIT_READY] = 1, [INIT_ERROR] = 1},
    [INIT_ST_SYNC_PID_HOOKS] = {[INIT_READY] = 1, [INIT_ERROR] = 1},
    [INIT_ST_SYNC_READY] = {[INIT_PID] = 1, [INIT_ERROR] = 1},
    [INIT_ST_START] = {[INIT_ERROR] = 1},
    [INIT_ST_CHILD] = {[INIT_ERROR] = 1},
    [INIT_ST_PROC_INIT] = {[INIT_HELLO] = 1},
    [INIT_ST_PROC_NEW] = {[INIT_HELLO] = 1, [INIT_STARTED] = 1, [INIT_ERROR] = 1},
    [INIT_ST_PROC_HELLO] = {[INIT_STARTED] = 1, [INIT_ERROR] = 1},
    [INIT_ST_PROC_STARTED] = {[INIT_EXIT] = 1},
    [INIT_ST_DONE] = {0},
};

static const unsigned char next[INIT_ST_END][INIT_KIND_END] = {
    [INIT_ST_SYNC] = {[INIT_PID] = INIT_ST_SYNC_PID,
                      [INIT_HOOKS] = INIT_ST_SYNC_HOOKS,
                      [INIT_READY] = INIT_ST_SYNC_READY},
    [INIT_ST_SYNC_PID] = {[INIT_HOOKS] = INIT_ST_SYNC_PID_HOOKS},
    [INIT_ST_SYNC_HOOKS] = {[INIT_PID] = INIT_ST_SYNC_PID_HOOKS},
    [INIT_ST_PROC_NEW] = {[INIT_HELLO] = INIT_ST_PROC_HELLO, [INIT_STARTED] = INIT_ST_PROC_STARTED},
    [INIT_ST_PROC_HELLO] = {[INIT_STARTED] = INIT_ST_PROC_STARTED},
};

static const char *const names[INIT_KIND_END] = {
    [INIT_PID] = "pid",     [INIT_READY] = "ready", [INIT_ERROR] = "error",
    [INIT_HOOKS] = "hooks", [INIT_HELLO] = "hello", [INIT_STARTED] = "started",
    [INIT_EXIT] = "exit"};

bool init_permitted(enum init_state st, uint32_t kind)
{
	return st < INIT_ST_END && kind > 0 && kind < INIT_KIND_END && permitted[st][kind];
}

enum init_state init_next(enum init_state st, uint32_t kind)
{
	if (!init_permitted(st, kind))
		return INIT_ST_DONE;
	/* Whatever the table does not name ends the exchange: an error, an
	 * exit, init's hello, and ready or pid that completes the pair. */
	return next[st][kind] ? (enum init_state)next[st][kind] : INIT_ST_DONE;
}

const char *init_kind_name(uint32_t kind)
{
	return kind > 0 && kind < INIT_KIND_END ? names[kind] : "unknown";
}

int init_encode(const struct init_report *m, unsigned char frame[INIT_FRAME_LEN])
{
	int32_t value;

	memset(frame, 0, INIT_FRAME_LEN);
	switch (m->kind) {
	case INIT_READY:
		break;
	case INIT_PID:
	case INIT_HOOKS:
	case INIT_HELLO:
	case INIT_EXIT:
		value = m->kind == INIT_PID     ? m->u.pid.pid
		        : m->kind == INIT_HOOKS ? m->u.hooks.pid
		        : m->kind == INIT_HELLO ? m->u.hello.pid
		                                : m->u.exit.status;
		memcpy(frame + offsetof(struct wire_value, value), &value, sizeof(value));
		break;
	case INIT_STARTED:
		value = m->u.started.pid;
		memcpy(frame + offsetof(struct wire_started, pid), &value, sizeof(value));
		value = m->u.started.waiter;
		memcpy(frame + offsetof(struct wire_started, waiter), &value, sizeof(value));
		break;
	case INIT_ERROR: {
		size_t n = 0;
		value = m->u.error.err;
		memcpy(frame + offsetof(struct wire_error, err), &value, sizeof(value));
		while (n + 1 < INIT_ERROR_MAX && m->u.error.msg[n])
			n++;
		memcpy(frame + offsetof(struct wire_error, msg), m->u.error.msg, n);
		break;
	}
	default:
		errno = EINVAL;
		return -1;
	}
	memcpy(frame, &m->kind, sizeof(m->kind));
	return 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int init_decode(const void *buf, size_t len, size_t nfds, enum init_state st, struct init_report *m,
                struct rl_error *e)
{
	uint32_t kind;
	bool ok;

	if (len < sizeof(kind))
		return rl_fail(e, EPROTO, "init report: %zu bytes", len);
	memcpy(&kind, buf, sizeof(kind));
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	if (kind == 0 || kind >= INIT_KIND_END)
		return rl_fail(e, EPROTO, "init report: unknown kind %u", kind);
	ok = len == INIT_FRAME_LEN && (kind == INIT_HELLO ? nfds == 1 || nfds == 2 : nfds == 0);
	if (ok) {
		switch (kind) {
		case INIT_READY: {
			struct wire_bare w;
			memcpy(&w, buf, sizeof(w));
			ok = all_zero(w.unused, sizeof(w.unused));
			break;
		}
		case INIT_PID:
		case INIT_HOOKS:
		case INIT_HELLO:
		case INIT_EXIT: {
			struct wire_value w;
			memcpy(&w, buf, sizeof(w));
			ok = all_zero(w.unused, sizeof(w.unused));
			if (kind == INIT_EXIT) {
				m->u.exit.status = w.value;
				ok = ok && w.value >= 0 && w.value <= 0xffff;
				break;
			}
			ok = ok && w.value > 0;
			if (kind == INIT_PID)
				m->u.pid.pid = w.value;
			else if (kind == INIT_HOOKS)
				m->u.hooks.pid = w.value;
			else
				m->u.hello.pid = w.value;
			break;
		}
		case INIT_STARTED: {
			struct wire_started w;
			memcpy(&w, buf, sizeof(w));
			m->u.started.pid = w.pid;
			m->u.started.waiter = w.waiter;
			ok = w.pid > 0 && w.waiter > 0 && all_zero(w.unused, sizeof(w.unused));
			break;
		}
		case INIT_ERROR: {
			struct wire_error w;
			size_t n;
			memcpy(&w, buf, sizeof(w));
			n = strnlen(w.msg, sizeof(w.msg));
			ok = w.err >= 0 && w.err < 4096 && n < sizeof(w.msg) &&
			     all_zero((const unsigned char *)w.msg + n, sizeof(w.msg) - n);
			m->u.error.err = w.err;
			memcpy(m->u.error.msg, w.msg, sizeof(w.msg));
			m->u.error.msg[sizeof(m->u.error.msg) - 1] = '\0';
			break;
		}
		}
	}
	if (!ok)
		return rl_fail(e, EPROTO, "init report %s: malformed (%zu bytes, %zu fds)",
		               names[kind], len, nfds);
	if (!init_permitted(st, kind))
		return rl_fail(e, ENOTSUP, "init report %s: not permitted now", names[kind]);
	return 0;
}

void init_error_set(struct init_report *m, int err, const char *what, const char *detail)
{
	size_t n = 0;

	m->kind = INIT_ERROR;
	m->u.error.err = err;
	for (; what && *what && n + 1 < INIT_ERROR_MAX; what++)
		m->u.error.msg[n++] = *what;
	for (; detail && *detail && n + 1 < INIT_ERROR_MAX; detail++)
		m->u.error.msg[n++] = *detail;
	m->u.error.msg[n] = '\0';
}

int init_send(int fd, const struct init_report *m)
{
	unsigned char frame[INIT_FRAME_LEN];

	if (init_encode(m, frame) < 0)
		return -1;
	return fd_write_all(fd, frame, sizeof(frame)); /* write(2) alone: async-signal-safe */
}

void init_fail(int fd, int err, const char *what)
{
	struct init_report m;

	init_error_set(&m, err, what, NULL);
	(void)init_send(fd, &m);
	_exit(1);
}
