/* The typed protocols of shim/ipc/: every kind of every channel survives
 * encode then decode unchanged, and a decoder refuses a truncated or
 * oversized datagram, an unknown kind, a non-zero unused field, and a kind
 * its state does not permit, with EPROTO or ENOTSUP. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>

#include "shim/ipc/agent_proto.h"
#include "shim/ipc/ctl_proto.h"
#include "shim/ipc/init_proto.h"
#include "shim/ipc/spawn_proto.h"
#include "tests/unit/unit.h"

static char buf[AGENT_REQ_MAX + 64];
static struct agent_request q, back;

/* ---- agent --------------------------------------------------------- */

static void fill_at(struct agent_at *at, const char *path, const char *name)
{
	at->dir = 2;
	at->resolve = RESOLVE_BENEATH;
	snprintf(at->path, sizeof(at->path), "%s", path);
	snprintf(at->name, sizeof(at->name), "%s", name);
}

/* q of kind with every field of its struct set to something. */
static void sample(uint32_t kind)
{
	memset(&q, 0, sizeof(q));
	q.kind = kind;
	if (agent_acts_as_caller(kind)) {
		q.caller.fsuid = 1000;
		q.caller.fsgid = 1001;
		q.caller.euid = 1002;
		q.caller.egid = 1003;
		q.caller.n_groups = 2;
		q.caller.groups[0] = 5;
		q.caller.groups[1] = 6;
		q.caller.cap_effective = 0x3f;
		q.caller.umask = 022 | AGENT_UMASK_SET;
	}
	switch (kind) {
	case AGENT_SIGNAL:
		q.u.signal.sig = 15;
		q.u.signal.spare = 42;
		break;
	case AGENT_OPEN:
		q.u.open.dir = 1;
		q.u.open.flags = O_RDWR;
		q.u.open.mode = 0644;
		q.u.open.resolve = RESOLVE_IN_ROOT;
		q.u.open.options = AGENT_O_DEVLIST;
		q.u.open.access = -1;
		q.u.open.n_devs = 1;
		q.u.open.devs[0] = 7;
		snprintf(q.u.open.path, sizeof(q.u.open.path), "etc/passwd");
		break;
	case AGENT_MKDIR:
		fill_at(&q.u.mkdir.at, "a/b", "c");
		q.u.mkdir.mode = 0755;
		break;
	case AGENT_UNLINK:
		fill_at(&q.u.unlink.at, "a", "b");
		q.u.unlink.flags = AT_REMOVEDIR;
		break;
	case AGENT_SYMLINK:
		fill_at(&q.u.symlink.at, "a", "l");
		snprintf(q.u.symlink.target, sizeof(q.u.symlink.target), "../target");
		break;
	case AGENT_MKNOD:
		fill_at(&q.u.mknod.at, "a", "fifo");
		q.u.mknod.mode = 010644;
		break;
	case AGENT_CHMOD:
		fill_at(&q.u.chmod.at, "a", "f");
		q.u.chmod.mode = 0600;
		q.u.chmod.flags = AT_SYMLINK_NOFOLLOW;
		break;
	case AGENT_CHOWN:
		fill_at(&q.u.chown.at, "a", "f");
		q.u.chown.uid = 7;
		q.u.chown.gid = 8;
		break;
	case AGENT_TRUNCATE:
		fill_at(&q.u.truncate.at, "a", "f");
		q.u.truncate.length = 1 << 20;
		break;
	case AGENT_UTIMENS:
		fill_at(&q.u.utimens.at, "a", "f");
		q.u.utimens.times.set = 1;
		q.u.utimens.times.t[3] = 99;
		break;
	case AGENT_RENAME:
		fill_at(&q.u.rename.from, "a", "x");
		fill_at(&q.u.rename.to, "b", "y");
		q.u.rename.flags = 1;
		break;
	case AGENT_LINK:
		fill_at(&q.u.link.from, "a", "x");
		fill_at(&q.u.link.to, "b", "y");
		break;
	case AGENT_FCHMOD:
		q.u.fchmod.mode = 0700;
		break;
	case AGENT_FCHOWN:
		q.u.fchown.uid = 1;
		q.u.fchown.gid = 2;
		break;
	case AGENT_FUTIMENS:
		q.u.futimens.times.t[0] = 5;
		break;
	case AGENT_FSETXATTR:
	case AGENT_SETXATTR:
		snprintf(q.u.setxattr.name, sizeof(q.u.setxattr.name), "user.k");
		q.u.setxattr.size = 5;
		memcpy(q.u.setxattr.value, "v\0lue", 5);
		q.u.setxattr.flags = 1;
		break;
	case AGENT_FREMOVEXATTR:
	case AGENT_REMOVEXATTR:
		snprintf(q.u.removexattr.name, sizeof(q.u.removexattr.name), "user.k");
		break;
	case AGENT_CONNECT:
		fill_at(&q.u.connect.at, "run", "sock");
		q.u.connect.pinned_source = 1;
		break;
	case AGENT_BIND:
		fill_at(&q.u.bind.at, "run", "sock");
		break;
	case AGENT_GETXATTR:
		snprintf(q.u.getxattr.name, sizeof(q.u.getxattr.name), "user.k");
		q.u.getxattr.size = 100;
		break;
	case AGENT_LISTXATTR:
		q.u.listxattr.size = 100;
		break;
	case AGENT_INOTIFY_ADD:
		q.u.inotify_add.mask = 0x100;
		break;
	}
}

static void test_agent_round_trip(void)
{
	for (uint32_t kind = 1; kind < AGENT_KIND_END; kind++) {
		struct rl_error e = {0};
		ssize_t n;
		sample(kind);
		n = agent_req_encode(&q, buf, sizeof(buf), &e);
		CHECK(n > 0);
		CHECK_INT_EQ(agent_req_decode(buf, (size_t)n, AGENT_ST_SCOPED, &back, &e), 0);
		CHECK_UINT_EQ(back.kind, kind);
		CHECK(memcmp(&back.caller, &q.caller, sizeof(q.caller)) == 0);
		CHECK(memcmp(&back.u, &q.u, sizeof(q.u)) == 0);
		if (memcmp(&back.u, &q.u, sizeof(q.u)) != 0)
			printf("  kind %s differs\n", agent_kind_name(kind));
	}
	/* Only the value's own bytes travel. */
	sample(AGENT_SETXATTR);
	CHECK_INT_EQ(agent_req_encode(&q, buf, sizeof(buf), NULL),
	             sizeof(uint32_t) + sizeof(q.caller) + offsetof(struct agent_setxattr, value) +
	                 5);
}

static void test_agent_rejects(void)
{
	struct rl_error e = {0};
	ssize_t n;
	uint32_t kind;

	/* truncated, and one byte too many */
	sample(AGENT_OPEN);
	n = agent_req_encode(&q, buf, sizeof(buf), &e);
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n - 1, AGENT_ST_SCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n + 1, AGENT_ST_SCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	CHECK_INT_EQ(agent_req_decode(buf, 2, AGENT_ST_SCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	/* a path without its terminator */
	memset(q.u.open.path, 'a', sizeof(q.u.open.path));
	n = agent_req_encode(&q, buf, sizeof(buf), &e);
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n, AGENT_ST_SCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	/* too many groups */
	sample(AGENT_MKDIR);
	q.caller.n_groups = AGENT_MAX_GROUPS + 1;
	n = agent_req_encode(&q, buf, sizeof(buf), &e);
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n, AGENT_ST_SCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	/* an xattr value whose stated size is not what came */
	sample(AGENT_FSETXATTR);
	n = agent_req_encode(&q, buf, sizeof(buf), &e);
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n - 1, AGENT_ST_SCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	q.u.fsetxattr.size = AGENT_MAX_SET_XATTR + 1;
	CHECK_INT_EQ(agent_req_encode(&q, buf, sizeof(buf), &e), -1);
	CHECK_INT_EQ(e.err, E2BIG);
	/* unknown kinds */
	for (kind = 0; kind <= AGENT_KIND_END; kind += AGENT_KIND_END) {
		memcpy(buf, &kind, sizeof(kind));
		CHECK_INT_EQ(agent_req_decode(buf, sizeof(kind), AGENT_ST_SCOPED, &back, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
	}
	/* out of state: the oracle without a proven scope */
	sample(AGENT_MEMBERS);
	n = agent_req_encode(&q, buf, sizeof(buf), &e);
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n, AGENT_ST_UNSCOPED, &back, &e), -1);
	CHECK_INT_EQ(e.err, ENOTSUP);
	CHECK_UINT_EQ(back.kind, AGENT_MEMBERS);
	/* control: the same in the scoped state, and an open while unscoped */
	CHECK_INT_EQ(agent_req_decode(buf, (size_t)n, AGENT_ST_SCOPED, &back, &e), 0);
	CHECK(!agent_permitted(AGENT_ST_UNSCOPED, AGENT_SIGNAL));
	CHECK(agent_permitted(AGENT_ST_UNSCOPED, AGENT_OPEN));
}

static void test_agent_replies(void)
{
	char rbuf[64];
	int32_t pids[2] = {10, 11};
	struct agent_reply r = {.kind = AGENT_MEMBERS, .u.members.n_pids = 2}, got;
	struct rl_error e = {0};
	const void *data;
	size_t dlen;
	ssize_t n = agent_reply_encode(&r, pids, sizeof(pids), rbuf, sizeof(rbuf), &e);

	CHECK(n > 0);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n, AGENT_MEMBERS, &got, &data, &dlen, &e), 0);
	CHECK_UINT_EQ(got.u.members.n_pids, 2);
	CHECK_UINT_EQ(dlen, sizeof(pids));
	CHECK(data && memcmp(data, pids, sizeof(pids)) == 0);
	/* truncated pids, a reply to another kind */
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n - 1, AGENT_MEMBERS, &got, NULL, NULL, &e),
	             -1);
	CHECK_INT_EQ(e.err, EPROTO);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n, AGENT_SIGNAL, &got, NULL, NULL, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	/* each result kind */
	r = (struct agent_reply){.kind = AGENT_INOTIFY_ADD, .u.inotify_add.wd = 3};
	n = agent_reply_encode(&r, NULL, 0, rbuf, sizeof(rbuf), &e);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n, AGENT_INOTIFY_ADD, &got, NULL, NULL, &e),
	             0);
	CHECK_INT_EQ(got.u.inotify_add.wd, 3);
	r = (struct agent_reply){.kind = AGENT_OPEN, .u.open.fifo = 1};
	n = agent_reply_encode(&r, NULL, 0, rbuf, sizeof(rbuf), &e);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n, AGENT_OPEN, &got, NULL, NULL, &e), 0);
	CHECK_UINT_EQ(got.u.open.fifo, 1);
	r = (struct agent_reply){.kind = AGENT_GETXATTR, .u.xattr.size = 3};
	n = agent_reply_encode(&r, "abc", 3, rbuf, sizeof(rbuf), &e);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n, AGENT_GETXATTR, &got, &data, &dlen, &e),
	             0);
	CHECK(dlen == 3 && memcmp(data, "abc", 3) == 0);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n - 1, AGENT_GETXATTR, &got, NULL, NULL, &e),
	             -1);
	/* an error: the header alone, to the kind asked or to none */
	r = (struct agent_reply){.kind = 0, .err = EPROTO};
	n = agent_reply_encode(&r, NULL, 0, rbuf, sizeof(rbuf), &e);
	CHECK_INT_EQ(n, 8);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n, AGENT_MKDIR, &got, NULL, NULL, &e), 0);
	CHECK_INT_EQ(got.err, EPROTO);
	CHECK_INT_EQ(agent_reply_decode(rbuf, (size_t)n + 4, AGENT_MKDIR, &got, NULL, NULL, &e),
	             -1);
}

/* ---- control ------------------------------------------------------- */

static void test_ctl_round_trip(void)
{
	static const char json[] = "{\"args\":[\"sh\"]}";
	struct ctl_request in[6] = {
	    {.kind = CTL_PS},
	    {.kind = CTL_STATS},
	    {.kind = CTL_UPDATE, .u.update = {.resources_json = json, .json_len = 15}},
	    {.kind = CTL_KILL, .u.kill = {.sig = 9, .all = true}},
	    {.kind = CTL_EXEC,
	     .u.exec = {.tty = true, .preserve_fds = 2, .process_json = json, .json_len = 15}},
	    {.kind = CTL_QUIT},
	};
	struct rl_error e = {0};

	for (size_t i = 0; i < 6; i++) {
		unsigned char head[CTL_REQ_LEN];
		struct ctl_request out;
		size_t len = CTL_REQ_LEN;
		CHECK_INT_EQ(ctl_req_encode(&in[i], head, &e), 0);
		memcpy(buf, head, sizeof(head));
		if (in[i].kind == CTL_EXEC || in[i].kind == CTL_UPDATE) {
			memcpy(buf + len, json, 15);
			len += 15;
		}
		CHECK_INT_EQ(ctl_req_decode(buf, len, CTL_ST_OPEN, &out, &e), 0);
		CHECK_UINT_EQ(out.kind, in[i].kind);
		if (in[i].kind == CTL_KILL)
			CHECK(out.u.kill.sig == 9 && out.u.kill.all);
		if (in[i].kind == CTL_EXEC) {
			CHECK(out.u.exec.tty);
			CHECK_INT_EQ(out.u.exec.preserve_fds, 2);
			CHECK_UINT_EQ(out.u.exec.json_len, 15);
			CHECK(memcmp(out.u.exec.process_json, json, 15) == 0);
		}
		if (in[i].kind == CTL_UPDATE)
			CHECK(out.u.update.json_len == 15 &&
			      memcmp(out.u.update.resources_json, json, 15) == 0);
		/* out of state: an exec's connection asks no more */
		CHECK_INT_EQ(ctl_req_decode(buf, len, CTL_ST_EXEC, &out, &e), -1);
		CHECK_INT_EQ(e.err, ENOTSUP);
	}
}

static void test_ctl_layout(void)
{
	/* The first release's layout: {op, sig, flags, preserve_fds}. */
	uint32_t old_kill[4] = {CTL_KILL, 15, 1, 0}, old_ps[4] = {CTL_PS, 0, 0, 0};
	unsigned char head[CTL_REQ_LEN];
	struct ctl_request q1 = {.kind = CTL_KILL, .u.kill = {.sig = 15, .all = true}}, out;

	CHECK_INT_EQ(ctl_req_encode(&q1, head, NULL), 0);
	CHECK(memcmp(head, old_kill, sizeof(old_kill)) == 0);
	CHECK_INT_EQ(ctl_req_decode(old_ps, sizeof(old_ps), CTL_ST_OPEN, &out, NULL), 0);
}

static void test_ctl_rejects(void)
{
	uint32_t w[5] = {CTL_PS, 0, 0, 0, 0};
	struct ctl_request out;
	struct rl_error e = {0};

	CHECK_INT_EQ(ctl_req_decode(w, 12, CTL_ST_OPEN, &out, &e), -1); /* truncated */
	CHECK_INT_EQ(e.err, EPROTO);
	CHECK_INT_EQ(ctl_req_decode(w, 20, CTL_ST_OPEN, &out, &e), -1); /* oversized */
	CHECK_INT_EQ(e.err, EPROTO);
	w[1] = 3; /* a field ps does not use */
	CHECK_INT_EQ(ctl_req_decode(w, 16, CTL_ST_OPEN, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	w[0] = CTL_KIND_END; /* unknown */
	w[1] = 0;
	CHECK_INT_EQ(ctl_req_decode(w, 16, CTL_ST_OPEN, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	w[0] = CTL_EXEC; /* exec without its process */
	CHECK_INT_EQ(ctl_req_decode(w, 16, CTL_ST_OPEN, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	w[0] = CTL_UPDATE; /* update without its resources */
	CHECK_INT_EQ(ctl_req_decode(w, 16, CTL_ST_OPEN, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	w[0] = CTL_KILL; /* an unknown flag */
	w[2] = 1u << 7;
	CHECK_INT_EQ(ctl_req_decode(w, 16, CTL_ST_OPEN, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
}

static void test_ctl_replies(void)
{
	static char rbuf[CTL_REPLY_LEN + 8];
	struct ctl_reply in[5] = {
	    {.kind = CTL_R_DONE},
	    {.kind = CTL_R_PIDS, .u.pids.n_pids = 2},
	    {.kind = CTL_R_STARTED, .u.started.pid = 77},
	    {.kind = CTL_R_EXIT, .u.exit.status = 256},
	    {.kind = CTL_R_ERROR, .u.error = {.err = ESRCH, .msg = "container not running"}},
	};
	enum ctl_wait waits[5] = {CTL_AWAIT_DONE, CTL_AWAIT_PIDS, CTL_AWAIT_STARTED, CTL_AWAIT_EXIT,
	                          CTL_AWAIT_DONE};
	int32_t pids[2] = {4, 5};
	struct rl_error e = {0};

	for (size_t i = 0; i < 5; i++) {
		unsigned char head[CTL_REPLY_LEN];
		struct ctl_reply out;
		const void *p;
		size_t len = CTL_REPLY_LEN + (in[i].kind == CTL_R_PIDS ? sizeof(pids) : 0);
		CHECK_INT_EQ(ctl_reply_encode(&in[i], head, &e), 0);
		memcpy(rbuf, head, sizeof(head));
		memcpy(rbuf + CTL_REPLY_LEN, pids, sizeof(pids));
		CHECK_INT_EQ(ctl_reply_decode(rbuf, len, waits[i], &out, &p, &e), 0);
		CHECK_UINT_EQ(out.kind, in[i].kind);
		CHECK(memcmp(&out.u, &in[i].u, sizeof(out.u)) == 0);
		/* truncated, oversized, and out of turn */
		CHECK_INT_EQ(ctl_reply_decode(rbuf, len - 1, waits[i], &out, &p, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
		CHECK_INT_EQ(ctl_reply_decode(rbuf, len + 1, waits[i], &out, &p, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
		if (in[i].kind != CTL_R_ERROR) {
			CHECK_INT_EQ(ctl_reply_decode(rbuf, len, (waits[i] + 1) % CTL_AWAIT_END,
			                              &out, &p, &e),
			             -1);
			CHECK_INT_EQ(e.err, ENOTSUP);
		}
	}
	memset(rbuf, 0, sizeof(rbuf));
	rbuf[0] = CTL_R_KIND_END;
	CHECK_INT_EQ(
	    ctl_reply_decode(rbuf, CTL_REPLY_LEN, CTL_AWAIT_DONE, &(struct ctl_reply){0}, NULL, &e),
	    -1);
	CHECK_INT_EQ(e.err, EPROTO);
}

/* CTL_R_STATS: every number through, in the error's place; refused out
 * of turn and with a stray flag. */
static void test_ctl_stats_reply(void)
{
	static char rbuf[CTL_REPLY_LEN];
	struct ctl_reply in = {.kind = CTL_R_STATS,
	                       .u.stats = {.memory = true,
	                                   .mem_limit = -1,
	                                   .mem_usage = 1ull << 40,
	                                   .mem_max = 3,
	                                   .mem_failcnt = 4,
	                                   .mem_oom_kill = 5,
	                                   .pids = true,
	                                   .pids_current = 6,
	                                   .pids_limit = 7,
	                                   .cpu_periods = 8,
	                                   .cpu_throttled_periods = 9,
	                                   .cpu_throttled_ns = 1ull << 50}},
	                 out;
	unsigned char head[CTL_REPLY_LEN];
	struct rl_error e = {0};

	CHECK_INT_EQ(ctl_reply_encode(&in, head, &e), 0);
	memcpy(rbuf, head, sizeof(head));
	CHECK_INT_EQ(ctl_reply_decode(rbuf, CTL_REPLY_LEN, CTL_AWAIT_STATS, &out, NULL, &e), 0);
	CHECK(out.kind == CTL_R_STATS && out.u.stats.memory && out.u.stats.pids);
	CHECK(out.u.stats.mem_limit == -1 && out.u.stats.mem_usage == 1ull << 40);
	CHECK(out.u.stats.mem_max == 3 && out.u.stats.mem_failcnt == 4 &&
	      out.u.stats.mem_oom_kill == 5);
	CHECK(out.u.stats.pids_current == 6 && out.u.stats.pids_limit == 7);
	CHECK(out.u.stats.cpu_periods == 8 && out.u.stats.cpu_throttled_periods == 9 &&
	      out.u.stats.cpu_throttled_ns == 1ull << 50);
	CHECK_INT_EQ(ctl_reply_decode(rbuf, CTL_REPLY_LEN, CTL_AWAIT_DONE, &out, NULL, &e), -1);
	CHECK_INT_EQ(e.err, ENOTSUP);
	rbuf[16] = (char)0x80; /* an unknown flag */
	CHECK_INT_EQ(ctl_reply_decode(rbuf, CTL_REPLY_LEN, CTL_AWAIT_STATS, &out, NULL, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
}

/* ---- spawner ------------------------------------------------------- */

static void test_spawn_round_trip(void)
{
	static const char json[] = "{}";
	struct spawn_msg in[4] = {
	    {.kind = SPAWN_HELLO, .u.hello.pid = 12},
	    {.kind = SPAWN_EXEC,
	     .u.exec = {.tty = false, .preserve_fds = 1, .process_json = json, .json_len = 2}},
	    {.kind = SPAWN_DONE},
	    {.kind = SPAWN_FAILED, .u.failed = {.err = ENOENT, .msg = "no such file"}},
	};
	size_t fds[4] = {1, 5, 0, 0};
	enum spawn_state st[4] = {SPAWN_ST_STARTING, SPAWN_ST_SERVING, SPAWN_ST_ASKED,
	                          SPAWN_ST_ASKED};
	struct rl_error e = {0};

	for (size_t i = 0; i < 4; i++) {
		struct spawn_msg out;
		ssize_t n = spawn_encode(&in[i], buf, &e);
		size_t len;
		CHECK(n > 0);
		len = (size_t)n;
		if (in[i].kind == SPAWN_EXEC) {
			memcpy(buf + len, json, 2);
			len += 2;
		}
		CHECK_INT_EQ(spawn_decode(buf, len, fds[i], st[i], &out, &e), 0);
		CHECK_UINT_EQ(out.kind, in[i].kind);
		if (in[i].kind == SPAWN_EXEC) {
			CHECK_INT_EQ(out.u.exec.preserve_fds, 1);
			CHECK(!out.u.exec.tty);
			CHECK(out.u.exec.json_len == 2 &&
			      memcmp(out.u.exec.process_json, "{}", 2) == 0);
		} else {
			CHECK(memcmp(&out.u, &in[i].u, sizeof(out.u)) == 0);
		}
		/* truncated (an exec: without its process), oversized, the
		 * wrong descriptors, out of state */
		CHECK_INT_EQ(spawn_decode(buf, in[i].kind == SPAWN_EXEC ? (size_t)n : len - 1,
		                          fds[i], st[i], &out, &e),
		             -1);
		CHECK_INT_EQ(e.err, EPROTO);
		if (in[i].kind != SPAWN_EXEC) {
			CHECK_INT_EQ(spawn_decode(buf, len + 1, fds[i], st[i], &out, &e), -1);
			CHECK_INT_EQ(e.err, EPROTO);
		}
		CHECK_INT_EQ(spawn_decode(buf, len, fds[i] + 1, st[i], &out, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
		CHECK_INT_EQ(spawn_decode(buf, len, fds[i], SPAWN_ST_IDLE, &out, &e), -1);
		CHECK_INT_EQ(e.err, ENOTSUP);
	}
	{
		uint32_t unknown = SPAWN_KIND_END;
		struct spawn_msg out;
		CHECK_INT_EQ(spawn_decode(&unknown, sizeof(unknown), 0, SPAWN_ST_ASKED, &out, &e),
		             -1);
		CHECK_INT_EQ(e.err, EPROTO);
	}
}

/* ---- init and its intermediates ----------------------------------- */

/* A state that permits each kind, and the descriptors it comes with. */
static enum init_state init_state_for(uint32_t kind)
{
	switch (kind) {
	case INIT_PID:
	case INIT_HOOKS:
	case INIT_READY:
		return INIT_ST_SYNC;
	case INIT_EXIT:
		return INIT_ST_PROC_STARTED;
	default:
		return INIT_ST_PROC_NEW;
	}
}

static void test_init_round_trip(void)
{
	struct init_report in[7] = {
	    {.kind = INIT_PID, .u.pid.pid = 41},
	    {.kind = INIT_READY},
	    {.kind = INIT_ERROR, .u.error = {.err = EACCES, .msg = "chdir to rootfs"}},
	    {.kind = INIT_HOOKS, .u.hooks.pid = 42},
	    {.kind = INIT_HELLO, .u.hello.pid = 43},
	    {.kind = INIT_STARTED, .u.started = {.pid = 44, .waiter = 45}},
	    {.kind = INIT_EXIT, .u.exit.status = 3 << 8},
	};
	struct rl_error e = {0};

	for (size_t i = 0; i < 7; i++) {
		unsigned char frame[INIT_FRAME_LEN + 1];
		struct init_report out;
		size_t fds = in[i].kind == INIT_HELLO ? 2 : 0;
		enum init_state st = init_state_for(in[i].kind);
		CHECK_INT_EQ(init_encode(&in[i], frame), 0);
		CHECK_INT_EQ(init_decode(frame, INIT_FRAME_LEN, fds, st, &out, &e), 0);
		CHECK_UINT_EQ(out.kind, in[i].kind);
		CHECK(memcmp(&out.u, &in[i].u, sizeof(out.u)) == 0);
		/* truncated, oversized, and the wrong descriptors */
		CHECK_INT_EQ(init_decode(frame, INIT_FRAME_LEN - 1, fds, st, &out, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
		frame[INIT_FRAME_LEN] = 0;
		CHECK_INT_EQ(init_decode(frame, INIT_FRAME_LEN + 1, fds, st, &out, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
		CHECK_INT_EQ(init_decode(frame, INIT_FRAME_LEN, fds + 1, st, &out, &e), -1);
		CHECK_INT_EQ(e.err, EPROTO);
		/* out of state: nothing is permitted once done */
		CHECK_INT_EQ(init_decode(frame, INIT_FRAME_LEN, fds, INIT_ST_DONE, &out, &e), -1);
		CHECK_INT_EQ(e.err, ENOTSUP);
	}
	/* A hello comes with a pidfd, and a listener when there is one. */
	CHECK_INT_EQ(init_encode(&in[4], (unsigned char *)buf), 0);
	CHECK_INT_EQ(
	    init_decode(buf, INIT_FRAME_LEN, 1, INIT_ST_PROC_INIT, &(struct init_report){0}, &e),
	    0);
	CHECK_INT_EQ(
	    init_decode(buf, INIT_FRAME_LEN, 0, INIT_ST_PROC_INIT, &(struct init_report){0}, &e),
	    -1);
	CHECK_INT_EQ(e.err, EPROTO);
}

/* The first release's struct init_msg {int32 type; int32 value; char
 * what[1016]} still reads, and an error is still written that way:
 * start.sock joins a CLI and an init of different builds. */
static void test_init_layout(void)
{
	struct {
		int32_t type, value;
		char what[1016];
	} old;
	struct init_report m = {.kind = INIT_ERROR, .u.error = {.err = ENOENT, .msg = "exec"}};
	unsigned char frame[INIT_FRAME_LEN];
	struct init_report out;

	_Static_assert(sizeof(old) == INIT_FRAME_LEN, "old frame");
	memset(&old, 0, sizeof(old));
	old.type = 3;
	old.value = ENOENT;
	strcpy(old.what, "exec");
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK(memcmp(frame, &old, sizeof(old)) == 0);
	CHECK_INT_EQ(init_decode(&old, sizeof(old), 0, INIT_ST_START, &out, NULL), 0);
	CHECK_INT_EQ(out.u.error.err, ENOENT);
	CHECK_STREQ(out.u.error.msg, "exec");
	/* A hook's failure: errno 0, the message is the whole story. */
	old.value = 0;
	CHECK_INT_EQ(init_decode(&old, sizeof(old), 0, INIT_ST_START, &out, NULL), 0);
	CHECK_INT_EQ(out.u.error.err, 0);
	/* PID and HOOKS: the pid where value was. */
	memset(&old, 0, sizeof(old));
	old.type = 4;
	old.value = 99;
	CHECK_INT_EQ(init_decode(&old, sizeof(old), 0, INIT_ST_SYNC, &out, NULL), 0);
	CHECK_UINT_EQ(out.kind, INIT_HOOKS);
	CHECK_INT_EQ(out.u.hooks.pid, 99);
	/* A message cut to fit, terminated. */
	memset(m.u.error.msg, 'x', sizeof(m.u.error.msg));
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_START, &out, NULL), 0);
	CHECK_UINT_EQ(strlen(out.u.error.msg), INIT_ERROR_MAX - 1);
}

static void test_init_rejects(void)
{
	struct init_report out, m = {.kind = INIT_STARTED, .u.started = {.pid = 7, .waiter = 8}};
	unsigned char frame[INIT_FRAME_LEN];
	uint32_t kind;
	struct rl_error e = {0};

	/* control */
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_PROC_HELLO, &out, &e), 0);
	/* a non-zero unused byte, first and last */
	frame[12] = 1;
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_PROC_HELLO, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	frame[12] = 0;
	frame[INIT_FRAME_LEN - 1] = 1;
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_PROC_HELLO, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	frame[INIT_FRAME_LEN - 1] = 0;
	/* a waiter that is no pid */
	m.u.started.waiter = 0;
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_PROC_HELLO, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	/* unknown kinds, to the encoder and the decoder */
	m.kind = INIT_KIND_END;
	CHECK_INT_EQ(init_encode(&m, frame), -1);
	CHECK_INT_EQ(errno, EINVAL);
	kind = INIT_KIND_END;
	memset(frame, 0, sizeof(frame));
	memcpy(frame, &kind, sizeof(kind));
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_SYNC, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	kind = 0;
	memcpy(frame, &kind, sizeof(kind));
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_SYNC, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	CHECK_INT_EQ(init_decode(frame, 2, 0, INIT_ST_SYNC, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);

	/* An error: control, then a byte after the terminator, then no
	 * terminator, then an errno out of range. */
	m = (struct init_report){.kind = INIT_ERROR, .u.error = {.err = EPERM, .msg = "setsid"}};
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_CHILD, &out, &e), 0);
	frame[8 + 10] = 'x';
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_CHILD, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	memset(frame + 8, 'x', INIT_ERROR_MAX);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_CHILD, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
	m.u.error.err = -1;
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_CHILD, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);

	/* A wait status beyond 16 bits; control 0xffff. */
	m = (struct init_report){.kind = INIT_EXIT, .u.exit.status = 0xffff};
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_PROC_STARTED, &out, &e), 0);
	m.u.exit.status = 0x10000;
	CHECK_INT_EQ(init_encode(&m, frame), 0);
	CHECK_INT_EQ(init_decode(frame, sizeof(frame), 0, INIT_ST_PROC_STARTED, &out, &e), -1);
	CHECK_INT_EQ(e.err, EPROTO);
}

/* Each receiver's table, with the orders that really happen. */
static void test_init_states(void)
{
	static const struct {
		enum init_state st;
		uint32_t kind;
		bool ok;
	} cases[] = {
	    /* the supervisor: init says hello and nothing else */
	    {INIT_ST_PROC_INIT, INIT_HELLO, true},
	    {INIT_ST_PROC_INIT, INIT_STARTED, false},
	    {INIT_ST_PROC_INIT, INIT_ERROR, false},
	    /* an exec'd process: started before hello when it died first */
	    {INIT_ST_PROC_NEW, INIT_STARTED, true},
	    {INIT_ST_PROC_NEW, INIT_EXIT, false},
	    {INIT_ST_PROC_HELLO, INIT_HELLO, false},
	    {INIT_ST_PROC_HELLO, INIT_ERROR, true},
	    {INIT_ST_PROC_STARTED, INIT_EXIT, true},
	    {INIT_ST_PROC_STARTED, INIT_ERROR, false},
	    {INIT_ST_PROC_STARTED, INIT_STARTED, false},
	    /* create */
	    {INIT_ST_SYNC, INIT_HELLO, false},
	    {INIT_ST_SYNC_PID, INIT_PID, false},
	    {INIT_ST_SYNC_PID, INIT_READY, true},
	    {INIT_ST_SYNC_READY, INIT_HOOKS, false},
	    {INIT_ST_SYNC_READY, INIT_PID, true},
	    /* start, and the intermediate: an error or EOF */
	    {INIT_ST_START, INIT_ERROR, true},
	    {INIT_ST_START, INIT_READY, false},
	    {INIT_ST_CHILD, INIT_STARTED, false},
	};
	static const struct {
		enum init_state from;
		uint32_t kinds[3];
		enum init_state to;
	} paths[] = {
	    {INIT_ST_PROC_NEW, {INIT_HELLO, INIT_STARTED, INIT_EXIT}, INIT_ST_DONE},
	    {INIT_ST_PROC_NEW, {INIT_STARTED, INIT_EXIT}, INIT_ST_DONE},
	    {INIT_ST_PROC_NEW, {INIT_HELLO}, INIT_ST_PROC_HELLO},
	    {INIT_ST_PROC_INIT, {INIT_HELLO}, INIT_ST_DONE},
	    {INIT_ST_SYNC, {INIT_PID, INIT_HOOKS}, INIT_ST_SYNC_PID_HOOKS},
	    {INIT_ST_SYNC, {INIT_HOOKS, INIT_PID, INIT_READY}, INIT_ST_DONE},
	    {INIT_ST_SYNC, {INIT_HOOKS, INIT_READY}, INIT_ST_DONE},
	    {INIT_ST_SYNC, {INIT_READY}, INIT_ST_SYNC_READY},
	    {INIT_ST_SYNC, {INIT_READY, INIT_PID}, INIT_ST_DONE},
	    {INIT_ST_SYNC, {INIT_PID, INIT_ERROR}, INIT_ST_DONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct init_report m = {.kind = cases[i].kind}, out;
		unsigned char frame[INIT_FRAME_LEN];
		struct rl_error e = {0};
		size_t fds = m.kind == INIT_HELLO ? 1 : 0;
		m.u.started.pid = 5; /* every kind's first field */
		m.u.started.waiter = 6;
		if (m.kind == INIT_ERROR)
			m.u.error = (struct init_error){.err = 0, .msg = "m"};
		CHECK(init_permitted(cases[i].st, cases[i].kind) == cases[i].ok);
		CHECK_INT_EQ(init_encode(&m, frame), 0);
		CHECK_INT_EQ(init_decode(frame, sizeof(frame), fds, cases[i].st, &out, &e),
		             cases[i].ok ? 0 : -1);
		if (!cases[i].ok)
			CHECK_INT_EQ(e.err, ENOTSUP);
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		enum init_state st = paths[i].from;
		for (size_t k = 0; k < 3 && paths[i].kinds[k]; k++) {
			CHECK(init_permitted(st, paths[i].kinds[k]));
			st = init_next(st, paths[i].kinds[k]);
		}
		CHECK_INT_EQ(st, paths[i].to);
	}
	CHECK_INT_EQ(init_next(INIT_ST_PROC_STARTED, INIT_HELLO), INIT_ST_DONE);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_agent_round_trip);
	RUN(test_agent_rejects);
	RUN(test_agent_replies);
	RUN(test_ctl_round_trip);
	RUN(test_ctl_layout);
	RUN(test_ctl_rejects);
	RUN(test_ctl_replies);
	RUN(test_ctl_stats_reply);
	RUN(test_spawn_round_trip);
	RUN(test_init_round_trip);
	RUN(test_init_layout);
	RUN(test_init_rejects);
	RUN(test_init_states);
	return unit_summary(argv[0]);
}
