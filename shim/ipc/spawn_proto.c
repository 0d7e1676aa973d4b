/* The spawner channel's one encoder and one decoder
 * (shim/ipc/spawn_proto.h), and its table. */
#include "shim/ipc/spawn_proto.h"

#include <errno.h>
#include <string.h>

struct wire_hello {
	uint32_t kind;
	int32_t pid;
};
struct wire_exec {
	uint32_t kind;
	uint32_t flags; /* WIRE_F_TTY */
	int32_t preserve_fds;
};
#define WIRE_F_TTY (1u << 0)
struct wire_done {
	uint32_t kind;
};
struct wire_failed {
	uint32_t kind;
	int32_t err;
	char msg[1016];
};
_Static_assert(sizeof(struct wire_failed) <= SPAWN_HEAD_MAX, "spawn head");

static const unsigned char permitted[SPAWN_ST_END][SPAWN_KIND_END] = {
    [SPAWN_ST_STARTING] = {[SPAWN_HELLO] = 1},
    [SPAWN_ST_IDLE] = {0},
    [SPAWN_ST_ASKED] = {[SPAWN_DONE] = 1, [SPAWN_FAILED] = 1},
    [SPAWN_ST_SERVING] = {[SPAWN_EXEC] = 1},
};

static const char *const names[SPAWN_KIND_END] = {[SPAWN_HELLO] = "hello",
                                                  [SPAWN_EXEC] = "exec",
                                                  [SPAWN_DONE] = "done",
                                                  [SPAWN_FAILED] = "failed"};

bool spawn_permitted(enum spawn_state st, uint32_t kind)
{
	return st < SPAWN_ST_END && kind > 0 && kind < SPAWN_KIND_END && permitted[st][kind];
}

const char *spawn_kind_name(uint32_t kind)
{
	return kind > 0 && kind < SPAWN_KIND_END ? names[kind] : "unknown";
}

size_t spawn_exec_fds(const struct spawn_exec *x)
{
	return 1 + (x->tty ? 1 : 3) + (size_t)(x->preserve_fds < 0 ? 0 : x->preserve_fds);
}

ssize_t spawn_encode(const struct spawn_msg *m, void *head, struct rl_error *e)
{
	switch (m->kind) {
	case SPAWN_HELLO: {
		struct wire_hello w = {.kind = SPAWN_HELLO, .pid = m->u.hello.pid};
		memcpy(head, &w, sizeof(w));
		return sizeof(w);
	}
	case SPAWN_EXEC: {
		struct wire_exec w = {.kind = SPAWN_EXEC,
		                      .flags = m->u.exec.tty ? WIRE_F_TTY : 0,
		                      .preserve_fds = m->u.exec.preserve_fds};
		if (m->u.exec.preserve_fds < 0 || m->u.exec.preserve_fds > SPAWN_MAX_PRESERVE)
			return rl_fail(e, EINVAL, "exec: preserve_fds %d", m->u.exec.preserve_fds);
		memcpy(head, &w, sizeof(w));
		return sizeof(w);
	}
	case SPAWN_DONE: {
		struct wire_done w = {.kind = SPAWN_DONE};
		memcpy(head, &w, sizeof(w));
		return sizeof(w);
	}
	case SPAWN_FAILED: {
		struct wire_failed w;
		memset(&w, 0, sizeof(w));
		w.kind = SPAWN_FAILED;
		w.err = m->u.failed.err;
		for (size_t i = 0; i + 1 < sizeof(w.msg) && m->u.failed.msg[i]; i++)
			w.msg[i] = m->u.failed.msg[i];
		memcpy(head, &w, sizeof(w));
		return sizeof(w);
	}
	default:
		return rl_fail(e, EINVAL, "spawner message: unknown kind %u", m->kind);
	}
}

int spawn_decode(const void *buf, size_t len, size_t nfds, enum spawn_state st, struct spawn_msg *m,
                 struct rl_error *e)
{
	uint32_t kind;
	bool ok;

	if (len < sizeof(kind))
		return rl_fail(e, EPROTO, "spawner message: %zu bytes", len);
	memcpy(&kind, buf, sizeof(kind));
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	switch (kind) {
	case SPAWN_HELLO: {
		struct wire_hello w;
		ok = len == sizeof(w) && nfds == 1;
		if (ok) {
			memcpy(&w, buf, sizeof(w));
			m->u.hello.pid = w.pid;
			ok = w.pid > 0;
		}
		break;
	}
	case SPAWN_EXEC: {
		struct wire_exec w;
		ok = len > sizeof(w);
		if (ok) {
			memcpy(&w, buf, sizeof(w));
			m->u.exec.tty = (w.flags & WIRE_F_TTY) != 0;
			m->u.exec.preserve_fds = w.preserve_fds;
			m->u.exec.process_json = (const char *)buf + sizeof(w);
			m->u.exec.json_len = len - sizeof(w);
			ok = !(w.flags & ~WIRE_F_TTY) && w.preserve_fds >= 0 &&
			     w.preserve_fds <= SPAWN_MAX_PRESERVE &&
			     nfds == spawn_exec_fds(&m->u.exec);
		}
		break;
	}
	case SPAWN_DONE:
		ok = len == sizeof(struct wire_done) && nfds == 0;
		break;
	case SPAWN_FAILED: {
		struct wire_failed w;
		ok = len == sizeof(w) && nfds == 0;
		if (ok) {
			memcpy(&w, buf, sizeof(w));
			m->u.failed.err = w.err;
			memcpy(m->u.failed.msg, w.msg, sizeof(w.msg));
			m->u.failed.msg[sizeof(m->u.failed.msg) - 1] = '\0';
		}
		break;
	}
	default:
		return rl_fail(e, EPROTO, "spawner message: unknown kind %u", kind);
	}
	if (!ok)
		return rl_fail(e, EPROTO, "spawner message %s: malformed (%zu bytes, %zu fds)",
		               names[kind], len, nfds);
	if (!spawn_permitted(st, kind))
		return rl_fail(e, ENOTSUP, "spawner message %s: not permitted now", names[kind]);
	return 0;
}
