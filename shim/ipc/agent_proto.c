/* The agent channel's one encoder and one decoder (shim/ipc/agent_proto.h).
 *
 * A request is [kind][struct agent_caller, for as-caller kinds][the
 * kind's struct]; FSETXATTR and SETXATTR send only size bytes of their
 * value. A reply is [kind][err] and, on success, the kind's result and
 * data. */
#include "shim/ipc/agent_proto.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* Per kind: its name, the size of its struct (what follows kind and the
 * caller), whether it acts as the caller, the descriptors sent along, the
 * size of its reply's result. */
struct kind_info {
	const char *name;
	size_t body;
	bool as_caller;
	unsigned char fds;
	unsigned char result;
};

#define U(m)   sizeof(((struct agent_request *)0)->u.m)
#define RES(m) sizeof(((struct agent_reply *)0)->u.m)
static const struct kind_info kinds[AGENT_KIND_END] = {
    [AGENT_MEMBERS] = {"members", 0, false, 0, RES(members)},
    [AGENT_SIGNAL] = {"signal", U(signal), false, 0, RES(signal)},
    [AGENT_QUIT] = {"quit", 0, false, 0, 0},
    [AGENT_OPEN] = {"open", U(open), true, 0, RES(open)},
    [AGENT_MKDIR] = {"mkdir", U(mkdir), true, 0, 0},
    [AGENT_UNLINK] = {"unlink", U(unlink), true, 0, 0},
    [AGENT_SYMLINK] = {"symlink", U(symlink), true, 0, 0},
    [AGENT_MKNOD] = {"mknod", U(mknod), true, 0, 0},
    [AGENT_CHMOD] = {"chmod", U(chmod), true, 0, 0},
    [AGENT_CHOWN] = {"chown", U(chown), true, 0, 0},
    [AGENT_TRUNCATE] = {"truncate", U(truncate), true, 0, 0},
    [AGENT_UTIMENS] = {"utimens", U(utimens), true, 0, 0},
    [AGENT_RENAME] = {"rename", U(rename), true, 0, 0},
    [AGENT_LINK] = {"link", U(link), true, 0, 0},
    [AGENT_FCHMOD] = {"fchmod", U(fchmod), true, 1, 0},
    [AGENT_FCHOWN] = {"fchown", U(fchown), true, 1, 0},
    [AGENT_FUTIMENS] = {"futimens", U(futimens), true, 1, 0},
    [AGENT_FSETXATTR] = {"fsetxattr", U(fsetxattr), true, 1, 0},
    [AGENT_FREMOVEXATTR] = {"fremovexattr", U(fremovexattr), true, 1, 0},
    [AGENT_CONNECT] = {"connect", U(connect), true, 1, 0},
    [AGENT_BIND] = {"bind", U(bind), true, 1, 0},
    [AGENT_GETXATTR] = {"getxattr", U(getxattr), true, 1, RES(xattr)},
    [AGENT_LISTXATTR] = {"listxattr", U(listxattr), true, 1, RES(xattr)},
    [AGENT_SETXATTR] = {"setxattr", U(setxattr), true, 1, 0},
    [AGENT_REMOVEXATTR] = {"removexattr", U(removexattr), true, 1, 0},
    [AGENT_INOTIFY_ADD] = {"inotify_add", U(inotify_add), true, 2, RES(inotify_add)},
};
#undef U
#undef RES

/* What the agent may be asked in each of its states (agent_proto.h).
 * One row per state, one column per kind: 1 permitted, 0 refused. */
#define ALL_BUT_ORACLE                                                                             \
	[AGENT_QUIT] = 1, [AGENT_OPEN] = 1, [AGENT_MKDIR] = 1, [AGENT_UNLINK] = 1,                 \
	[AGENT_SYMLINK] = 1, [AGENT_MKNOD] = 1, [AGENT_CHMOD] = 1, [AGENT_CHOWN] = 1,              \
	[AGENT_TRUNCATE] = 1, [AGENT_UTIMENS] = 1, [AGENT_RENAME] = 1, [AGENT_LINK] = 1,           \
	[AGENT_FCHMOD] = 1, [AGENT_FCHOWN] = 1, [AGENT_FUTIMENS] = 1, [AGENT_FSETXATTR] = 1,       \
	[AGENT_FREMOVEXATTR] = 1, [AGENT_CONNECT] = 1, [AGENT_BIND] = 1, [AGENT_GETXATTR] = 1,     \
	[AGENT_LISTXATTR] = 1, [AGENT_SETXATTR] = 1, [AGENT_REMOVEXATTR] = 1,                      \
	[AGENT_INOTIFY_ADD] = 1
static const unsigned char permitted[AGENT_ST_END][AGENT_KIND_END] = {
    [AGENT_ST_SCOPED] = {[AGENT_MEMBERS] = 1, [AGENT_SIGNAL] = 1, ALL_BUT_ORACLE},
    [AGENT_ST_UNSCOPED] = {ALL_BUT_ORACLE},
};
#undef ALL_BUT_ORACLE

static bool known(uint32_t kind)
{
	return kind > 0 && kind < AGENT_KIND_END;
}

size_t agent_kind_fds(uint32_t kind)
{
	return known(kind) ? kinds[kind].fds : 0;
}

bool agent_acts_as_caller(uint32_t kind)
{
	return known(kind) && kinds[kind].as_caller;
}

const char *agent_kind_name(uint32_t kind)
{
	return known(kind) ? kinds[kind].name : "unknown";
}

bool agent_permitted(enum agent_state st, uint32_t kind)
{
	return st < AGENT_ST_END && known(kind) && permitted[st][kind];
}

const char *agent_state_name(enum agent_state st)
{
	return st == AGENT_ST_SCOPED ? "scoped" : st == AGENT_ST_UNSCOPED ? "unscoped" : "unknown";
}

static bool is_setxattr(uint32_t kind)
{
	return kind == AGENT_FSETXATTR || kind == AGENT_SETXATTR;
}

/* The body's bytes on the wire: all of its struct, but a value's unused
 * tail. */
static size_t body_len(uint32_t kind, const void *body)
{
	if (is_setxattr(kind)) {
		const struct agent_setxattr *x = body;
		return offsetof(struct agent_setxattr, value) + x->size;
	}
	return kinds[kind].body;
}

static const void *body_of(const struct agent_request *q)
{
	return &q->u;
}

ssize_t agent_req_encode(const struct agent_request *q, void *buf, size_t cap, struct rl_error *e)
{
	char *p = buf;
	size_t len, blen;

	if (!known(q->kind))
		return rl_fail(e, EINVAL, "agent request: unknown kind %u", q->kind);
	if (is_setxattr(q->kind) && q->u.setxattr.size > AGENT_MAX_SET_XATTR)
		return rl_fail(e, E2BIG, "agent request: xattr value of %u bytes",
		               q->u.setxattr.size);
	blen = body_len(q->kind, body_of(q));
	len = sizeof(q->kind) + (kinds[q->kind].as_caller ? sizeof(q->caller) : 0) + blen;
	if (len > cap)
		return rl_fail(e, EMSGSIZE, "agent request: %zu bytes", len);
	memcpy(p, &q->kind, sizeof(q->kind));
	p += sizeof(q->kind);
	if (kinds[q->kind].as_caller) {
		memcpy(p, &q->caller, sizeof(q->caller));
		p += sizeof(q->caller);
	}
	memcpy(p, body_of(q), blen);
	return (ssize_t)len;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

#define STR_OK(s) terminated((s), sizeof(s))

static bool at_ok(const struct agent_at *at)
{
	return STR_OK(at->path) && STR_OK(at->name);
}

/* Every string ends inside its array, every count is in bounds. */
static bool fields_ok(const struct agent_request *q)
{
	if (kinds[q->kind].as_caller && q->caller.n_groups > AGENT_MAX_GROUPS)
		return false;
	switch (q->kind) {
	case AGENT_OPEN:
		return STR_OK(q->u.open.path) && q->u.open.n_devs <= AGENT_MAX_DEVS;
	case AGENT_MKDIR:
	case AGENT_UNLINK:
	case AGENT_MKNOD:
	case AGENT_CHMOD:
	case AGENT_CHOWN:
	case AGENT_TRUNCATE:
	case AGENT_UTIMENS:
	case AGENT_CONNECT:
	case AGENT_BIND:
		/* struct agent_at first in each of these */
		return at_ok((const struct agent_at *)body_of(q));
	case AGENT_SYMLINK:
		return at_ok(&q->u.symlink.at) && STR_OK(q->u.symlink.target);
	case AGENT_RENAME:
		return at_ok(&q->u.rename.from) && at_ok(&q->u.rename.to);
	case AGENT_LINK:
		return at_ok(&q->u.link.from) && at_ok(&q->u.link.to);
	case AGENT_FSETXATTR:
	case AGENT_SETXATTR:
		return STR_OK(q->u.setxattr.name);
	case AGENT_FREMOVEXATTR:
	case AGENT_REMOVEXATTR:
		return STR_OK(q->u.removexattr.name);
	case AGENT_GETXATTR:
		return STR_OK(q->u.getxattr.name);
	default:
		return true;
	}
}

int agent_req_decode(const void *buf, size_t len, enum agent_state st, struct agent_request *q,
                     struct rl_error *e)
{
	const char *p = buf;
	size_t head, want;
	uint32_t kind;

	if (len < sizeof(kind))
		return rl_fail(e, EPROTO, "agent request: %zu bytes, no kind", len);
	memcpy(&kind, p, sizeof(kind));
	if (!known(kind))
		return rl_fail(e, EPROTO, "agent request: unknown kind %u", kind);
	head = sizeof(kind) + (kinds[kind].as_caller ? sizeof(q->caller) : 0);
	want = head + kinds[kind].body;
	if (is_setxattr(kind)) {
		struct agent_setxattr x;
		size_t fixed = offsetof(struct agent_setxattr, value);
		if (len < head + fixed)
			return rl_fail(e, EPROTO, "agent request %s: %zu bytes", kinds[kind].name,
			               len);
		memcpy(&x.size, p + head + offsetof(struct agent_setxattr, size), sizeof(x.size));
		if (x.size > AGENT_MAX_SET_XATTR)
			return rl_fail(e, EPROTO, "agent request %s: a value of %u bytes",
			               kinds[kind].name, x.size);
		want = head + fixed + x.size;
	}
	if (len != want)
		return rl_fail(e, EPROTO, "agent request %s: %zu bytes, not %zu", kinds[kind].name,
		               len, want);
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	if (kinds[kind].as_caller)
		memcpy(&q->caller, p + sizeof(kind), sizeof(q->caller));
	memcpy(&q->u, p + head, len - head);
	if (!fields_ok(q))
		return rl_fail(e, EPROTO, "agent request %s: a string or count out of bounds",
		               kinds[kind].name);
	if (!agent_permitted(st, kind))
		return rl_fail(e, ENOTSUP, "agent request %s: not permitted while %s",
		               kinds[kind].name, agent_state_name(st));
	return 0;
}

ssize_t agent_reply_encode(const struct agent_reply *r, const void *data, size_t dlen, void *buf,
                           size_t cap, struct rl_error *e)
{
	char *p = buf;
	size_t res = r->err == 0 && known(r->kind) ? kinds[r->kind].result : 0;
	size_t len = sizeof(r->kind) + sizeof(r->err) + res + (r->err == 0 ? dlen : 0);

	if (len > cap)
		return rl_fail(e, EMSGSIZE, "agent reply: %zu bytes", len);
	memcpy(p, &r->kind, sizeof(r->kind));
	memcpy(p + sizeof(r->kind), &r->err, sizeof(r->err));
	p += sizeof(r->kind) + sizeof(r->err);
	if (r->err != 0)
		return (ssize_t)(p - (char *)buf);
	memcpy(p, &r->u, res);
	if (dlen)
		memcpy(p + res, data, dlen);
	return (ssize_t)len;
}

int agent_reply_decode(const void *buf, size_t len, uint32_t kind, struct agent_reply *r,
                       const void **data, size_t *dlen, struct rl_error *e)
{
	const char *p = buf;
	size_t head = sizeof(r->kind) + sizeof(r->err), res, extra;

	if (data)
		*data = NULL;
	if (dlen)
		*dlen = 0;
	if (!known(kind))
		return rl_fail(e, EINVAL, "agent reply: unknown kind %u asked", kind);
	if (len < head)
		return rl_fail(e, EPROTO, "agent reply: %zu bytes", len);
	memset(r, 0, sizeof(*r));
	memcpy(&r->kind, p, sizeof(r->kind));
	memcpy(&r->err, p + sizeof(r->kind), sizeof(r->err));
	if (r->err != 0) {
		/* 0: the agent could not read the request's kind */
		if (len != head || (r->kind != kind && r->kind != 0))
			return rl_fail(e, EPROTO, "agent reply: a malformed error to %s",
			               kinds[kind].name);
		return 0;
	}
	if (r->kind != kind)
		return rl_fail(e, EPROTO, "agent reply: %s to a %s request",
		               agent_kind_name(r->kind), kinds[kind].name);
	res = kinds[kind].result;
	if (len < head + res)
		return rl_fail(e, EPROTO, "agent reply %s: %zu bytes", kinds[kind].name, len);
	memcpy(&r->u, p + head, res);
	extra = len - head - res;
	switch (kind) {
	case AGENT_MEMBERS:
		if (extra != (size_t)r->u.members.n_pids * sizeof(int32_t))
			return rl_fail(e, EPROTO, "agent reply members: %zu bytes for %u pids",
			               extra, r->u.members.n_pids);
		break;
	case AGENT_GETXATTR:
	case AGENT_LISTXATTR:
		if (extra != 0 && extra != r->u.xattr.size)
			return rl_fail(e, EPROTO, "agent reply %s: %zu bytes for a size of %u",
			               kinds[kind].name, extra, r->u.xattr.size);
		break;
	default:
		if (extra != 0)
			return rl_fail(e, EPROTO, "agent reply %s: %zu bytes too many",
			               kinds[kind].name, extra);
	}
	if (data)
		*data = extra ? p + head + res : NULL;
	if (dlen)
		*dlen = extra;
	return 0;
}
