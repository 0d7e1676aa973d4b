/* The control channel's one encoder and one decoder
 * (shim/ipc/ctl_proto.h), and its tables. */
#include "shim/ipc/ctl_proto.h"

#include <errno.h>
#include <string.h>

/* The layouts, per kind. Every request is 16 bytes and every reply 1032,
 * the first release's sizes (ctl_proto.h says why); a word a kind leaves
 * unused is zero. */
struct wire_bare { /* CTL_PS, CTL_QUIT, CTL_STATS, CTL_UPDATE (its JSON after) */
	uint32_t kind;
	uint32_t unused[3];
};
struct wire_kill {
	uint32_t kind;
	int32_t sig;
	uint32_t flags; /* WIRE_F_ALL */
	uint32_t unused;
};
struct wire_exec {
	uint32_t kind;
	uint32_t unused;
	uint32_t flags; /* WIRE_F_TTY */
	int32_t preserve_fds;
};
#define WIRE_F_ALL (1u << 0)
#define WIRE_F_TTY (1u << 2)

struct wire_reply { /* the fixed part of every reply */
	uint32_t kind;
	int32_t err;           /* CTL_R_ERROR */
	int32_t value;         /* CTL_R_STARTED: the pid; CTL_R_EXIT: the wait status */
	uint32_t count;        /* CTL_R_PIDS */
	char msg[CTL_MSG_MAX]; /* CTL_R_ERROR */
};

/* CTL_R_STATS: in the place of an error's msg (err, value, count zero). */
struct wire_stats {
	uint32_t flags; /* WIRE_S_MEMORY, WIRE_S_PIDS */
	uint32_t unused;
	int64_t mem_limit;
	uint64_t mem_usage, mem_max, mem_failcnt, mem_oom_kill;
	uint64_t pids_current;
	int64_t pids_limit;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
};
#define WIRE_S_MEMORY (1u << 0)
#define WIRE_S_PIDS   (1u << 1)

_Static_assert(sizeof(struct wire_bare) == CTL_REQ_LEN, "request layout");
_Static_assert(sizeof(struct wire_stats) <= CTL_MSG_MAX, "stats layout");
_Static_assert(sizeof(struct wire_kill) == CTL_REQ_LEN, "request layout");
_Static_assert(sizeof(struct wire_exec) == CTL_REQ_LEN, "request layout");
_Static_assert(sizeof(struct wire_reply) == CTL_REPLY_LEN, "reply layout");

/* What the supervisor may be asked on a connection in each state. */
static const unsigned char req_permitted[CTL_ST_END][CTL_KIND_END] = {
    [CTL_ST_OPEN] = {[CTL_PS] = 1,
                     [CTL_KILL] = 1,
                     [CTL_EXEC] = 1,
                     [CTL_QUIT] = 1,
                     [CTL_UPDATE] = 1,
                     [CTL_STATS] = 1},
    [CTL_ST_EXEC] = {0},
};

/* What may answer the CLI in each of its waits. */
static const unsigned char reply_permitted[CTL_AWAIT_END][CTL_R_KIND_END] = {
    [CTL_AWAIT_PIDS] = {[CTL_R_PIDS] = 1, [CTL_R_ERROR] = 1},
    [CTL_AWAIT_DONE] = {[CTL_R_DONE] = 1, [CTL_R_ERROR] = 1},
    [CTL_AWAIT_STARTED] = {[CTL_R_STARTED] = 1, [CTL_R_ERROR] = 1},
    [CTL_AWAIT_EXIT] = {[CTL_R_EXIT] = 1, [CTL_R_ERROR] = 1},
    [CTL_AWAIT_STATS] = {[CTL_R_STATS] = 1, [CTL_R_ERROR] = 1},
};

static const char *const kind_names[CTL_KIND_END] = {
    [CTL_PS] = "ps",     [CTL_KILL] = "kill",     [CTL_EXEC] = "exec",
    [CTL_QUIT] = "quit", [CTL_UPDATE] = "update", [CTL_STATS] = "stats"};
static const char *const reply_names[CTL_R_KIND_END] = {
    [CTL_R_DONE] = "done", [CTL_R_PIDS] = "pids",   [CTL_R_STARTED] = "started",
    [CTL_R_EXIT] = "exit", [CTL_R_ERROR] = "error", [CTL_R_STATS] = "stats"};

bool ctl_req_permitted(enum ctl_state st, uint32_t kind)
{
	return st < CTL_ST_END && kind > 0 && kind < CTL_KIND_END && req_permitted[st][kind];
}

bool ctl_reply_permitted(enum ctl_wait w, uint32_t kind)
{
	return w < CTL_AWAIT_END && kind > 0 && kind < CTL_R_KIND_END && reply_permitted[w][kind];
}

const char *ctl_kind_name(uint32_t kind)
{
	return kind > 0 && kind < CTL_KIND_END ? kind_names[kind] : "unknown";
}

const char *ctl_reply_kind_name(uint32_t kind)
{
	return kind > 0 && kind < CTL_R_KIND_END ? reply_names[kind] : "unknown";
}

int ctl_req_encode(const struct ctl_request *q, unsigned char head[CTL_REQ_LEN], struct rl_error *e)
{
	memset(head, 0, CTL_REQ_LEN);
	switch (q->kind) {
	case CTL_PS:
	case CTL_QUIT:
	case CTL_STATS:
	case CTL_UPDATE: {
		struct wire_bare w = {.kind = q->kind};
		memcpy(head, &w, sizeof(w));
		return 0;
	}
	case CTL_KILL: {
		struct wire_kill w = {.kind = CTL_KILL,
		                      .sig = q->u.kill.sig,
		                      .flags = q->u.kill.all ? WIRE_F_ALL : 0};
		memcpy(head, &w, sizeof(w));
		return 0;
	}
	case CTL_EXEC: {
		struct wire_exec w = {.kind = CTL_EXEC,
		                      .flags = q->u.exec.tty ? WIRE_F_TTY : 0,
		                      .preserve_fds = q->u.exec.preserve_fds};
		if (q->u.exec.preserve_fds < 0)
			return rl_fail(e, EINVAL, "exec: preserve_fds %d", q->u.exec.preserve_fds);
		memcpy(head, &w, sizeof(w));
		return 0;
	}
	default:
		return rl_fail(e, EINVAL, "control request: unknown kind %u", q->kind);
	}
}

int ctl_req_decode(const void *buf, size_t len, enum ctl_state st, struct ctl_request *q,
                   struct rl_error *e)
{
	uint32_t kind;

	if (len < CTL_REQ_LEN)
		return rl_fail(e, EPROTO, "bad request: %zu bytes", len);
	memcpy(&kind, buf, sizeof(kind));
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	switch (kind) {
	case CTL_PS:
	case CTL_QUIT:
	case CTL_STATS: {
		struct wire_bare w;
		memcpy(&w, buf, sizeof(w));
		if (len != CTL_REQ_LEN || w.unused[0] || w.unused[1] || w.unused[2])
			return rl_fail(e, EPROTO, "bad request: malformed %s", kind_names[kind]);
		break;
	}
	case CTL_KILL: {
		struct wire_kill w;
		memcpy(&w, buf, sizeof(w));
		if (len != CTL_REQ_LEN || w.unused || (w.flags & ~WIRE_F_ALL))
			return rl_fail(e, EPROTO, "bad request: malformed kill");
		q->u.kill.sig = w.sig;
		q->u.kill.all = (w.flags & WIRE_F_ALL) != 0;
		break;
	}
	case CTL_EXEC: {
		struct wire_exec w;
		memcpy(&w, buf, sizeof(w));
		if (len == CTL_REQ_LEN || w.unused || (w.flags & ~WIRE_F_TTY) || w.preserve_fds < 0)
			return rl_fail(e, EPROTO, "bad request: malformed exec");
		q->u.exec.tty = (w.flags & WIRE_F_TTY) != 0;
		q->u.exec.preserve_fds = w.preserve_fds;
		q->u.exec.process_json = (const char *)buf + CTL_REQ_LEN;
		q->u.exec.json_len = len - CTL_REQ_LEN;
		break;
	}
	case CTL_UPDATE: {
		struct wire_bare w;
		memcpy(&w, buf, sizeof(w));
		if (len == CTL_REQ_LEN || w.unused[0] || w.unused[1] || w.unused[2])
			return rl_fail(e, EPROTO, "bad request: malformed update");
		q->u.update.resources_json = (const char *)buf + CTL_REQ_LEN;
		q->u.update.json_len = len - CTL_REQ_LEN;
		break;
	}
	default:
		return rl_fail(e, EPROTO, "unknown request %u", kind);
	}
	if (!ctl_req_permitted(st, kind))
		return rl_fail(e, ENOTSUP, "request %s not permitted on this connection now",
		               kind_names[kind]);
	return 0;
}

int ctl_reply_encode(const struct ctl_reply *r, unsigned char head[CTL_REPLY_LEN],
                     struct rl_error *e)
{
	struct wire_reply w;

	memset(&w, 0, sizeof(w));
	w.kind = r->kind;
	switch (r->kind) {
	case CTL_R_DONE:
		break;
	case CTL_R_PIDS:
		w.count = r->u.pids.n_pids;
		break;
	case CTL_R_STARTED:
		w.value = r->u.started.pid;
		break;
	case CTL_R_EXIT:
		w.value = r->u.exit.status;
		break;
	case CTL_R_ERROR: {
		size_t n = strnlen(r->u.error.msg, sizeof(w.msg) - 1);
		w.err = r->u.error.err;
		memcpy(w.msg, r->u.error.msg, n);
		break;
	}
	case CTL_R_STATS: {
		const struct ctl_stats *st = &r->u.stats;
		struct wire_stats ws = {.flags = (st->memory ? WIRE_S_MEMORY : 0) |
		                                 (st->pids ? WIRE_S_PIDS : 0),
		                        .mem_limit = st->mem_limit,
		                        .mem_usage = st->mem_usage,
		                        .mem_max = st->mem_max,
		                        .mem_failcnt = st->mem_failcnt,
		                        .mem_oom_kill = st->mem_oom_kill,
		                        .pids_current = st->pids_current,
		                        .pids_limit = st->pids_limit,
		                        .cpu_periods = st->cpu_periods,
		                        .cpu_throttled_periods = st->cpu_throttled_periods,
		                        .cpu_throttled_ns = st->cpu_throttled_ns};
		memcpy(w.msg, &ws, sizeof(ws));
		break;
	}
	default:
		return rl_fail(e, EINVAL, "control reply: unknown kind %u", r->kind);
	}
	memcpy(head, &w, sizeof(w));
	return 0;
}

int ctl_reply_decode(const void *buf, size_t len, enum ctl_wait w, struct ctl_reply *r,
                     const void **pids, struct rl_error *e)
{
	struct wire_reply m;
	size_t want = CTL_REPLY_LEN;
	bool ok;

	if (pids)
		*pids = NULL;
	if (len < CTL_REPLY_LEN)
		return rl_fail(e, EPROTO, "the supervisor's reply has %zu bytes", len);
	memcpy(&m, buf, sizeof(m));
	memset(r, 0, sizeof(*r));
	r->kind = m.kind;
	switch (m.kind) {
	case CTL_R_DONE:
		ok = !m.err && !m.value && !m.count;
		break;
	case CTL_R_PIDS:
		ok = !m.err && !m.value;
		want += (size_t)m.count * sizeof(int32_t);
		r->u.pids.n_pids = m.count;
		if (pids)
			*pids = (const char *)buf + CTL_REPLY_LEN;
		break;
	case CTL_R_STARTED:
		ok = !m.err && !m.count && m.value > 0;
		r->u.started.pid = m.value;
		break;
	case CTL_R_EXIT:
		ok = !m.err && !m.count;
		r->u.exit.status = m.value;
		break;
	case CTL_R_ERROR:
		ok = !m.value && !m.count;
		r->u.error.err = m.err;
		memcpy(r->u.error.msg, m.msg, sizeof(m.msg));
		r->u.error.msg[sizeof(r->u.error.msg) - 1] = '\0';
		break;
	case CTL_R_STATS: {
		struct wire_stats ws;
		memcpy(&ws, m.msg, sizeof(ws));
		ok = !m.err && !m.value && !m.count && !ws.unused &&
		     !(ws.flags & ~(WIRE_S_MEMORY | WIRE_S_PIDS));
		r->u.stats = (struct ctl_stats){.memory = (ws.flags & WIRE_S_MEMORY) != 0,
		                                .mem_limit = ws.mem_limit,
		                                .mem_usage = ws.mem_usage,
		                                .mem_max = ws.mem_max,
		                                .mem_failcnt = ws.mem_failcnt,
		                                .mem_oom_kill = ws.mem_oom_kill,
		                                .pids = (ws.flags & WIRE_S_PIDS) != 0,
		                                .pids_current = ws.pids_current,
		                                .pids_limit = ws.pids_limit,
		                                .cpu_periods = ws.cpu_periods,
		                                .cpu_throttled_periods = ws.cpu_throttled_periods,
		                                .cpu_throttled_ns = ws.cpu_throttled_ns};
		break;
	}
	default:
		return rl_fail(e, EPROTO, "the supervisor sent an unknown reply %u", m.kind);
	}
	if (!ok || len != want)
		return rl_fail(e, EPROTO, "the supervisor's %s reply is malformed",
		               reply_names[m.kind]);
	if (!ctl_reply_permitted(w, m.kind))
		return rl_fail(e, ENOTSUP, "the supervisor replied %s out of turn",
		               reply_names[m.kind]);
	return 0;
}
