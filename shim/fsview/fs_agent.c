/* The agent, asked on the caller's behalf: opens (AGENT_OPEN) and the
 * changes (AGENT_MKDIR ... AGENT_INOTIFY_ADD), each with the caller's identity filled in from
 * /proc (fs_caller_into). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shim/fsview/handlers_fs.h"

int fs_agent_open(struct fs_view *v, struct fs_call *c, int mount, const char *rel, int flags,
                  mode_t mode, int access, bool *fifo)
{
	struct agent_request *q = &c->areq;
	struct agent_open *o = &q->u.open;
	struct agent_out out = {0};
	struct agent_reply rep;
	struct rl_error e;
	int r;

	q->kind = AGENT_OPEN;
	memset(o, 0, offsetof(struct agent_open, path));
	r = fs_caller_into(c->tid, &q->caller);
	if (r < 0)
		return r;
	o->flags = flags;
	/* open(2) ignores mode bits beyond 07777 (busybox cp passes st_mode
	 * whole); the agent's openat2 would answer EINVAL. */
	o->mode = mode & 07777;
	o->access = access;
	if (access >= 0)
		o->options |= AGENT_O_ACCESS;
	if (mount >= 0 && (v->t->m[mount].flags & MNT_F_NODEV)) {
		o->options |= AGENT_O_NODEV;
	} else if (mount != FS_AGENT_MAGIC && (mount < 0 || v->t->m[mount].kind != MNT_DEVICE)) {
		/* A descriptor of the container's own (/proc/PID/fd/N) or a
		 * device of the table is what it is; any other device node
		 * only if the table has it. */
		o->options |= AGENT_O_DEVLIST;
		o->n_devs = fs_view_devs_for(v, flags, o->devs);
	}
	if (mount == FS_AGENT_MAGIC) {
		o->options |= AGENT_O_MAGIC;
	} else if (mount == FS_AGENT_ROOT) {
		o->dir = 0;
		o->resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	} else if (!(v->t->m[mount].flags & MNT_F_DIR) || *rel == '\0') {
		/* The source itself: a file mount, or a directory's root. */
		o->dir = mount + 1;
		o->options |= AGENT_O_REOPEN;
		rel = "";
	} else {
		o->dir = mount + 1;
		o->resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	}
	if (snprintf(o->path, sizeof(o->path), "%s", rel) >= (int)sizeof(o->path))
		return -ENAMETOOLONG;
	if (agent_call(v->agent_sock, q, NULL, 0, &rep, &out, &e) < 0)
		return e.err ? -e.err : -EIO;
	*fifo = rep.u.open.fifo != 0;
	if (access >= 0) {
		if (out.fd >= 0)
			close(out.fd);
		return 0;
	}
	if (out.fd >= 0 && mount == FS_AGENT_MAGIC && (r = fs_device_check(v, out.fd, flags)) < 0) {
		/* A descriptor of the container's reopened: the devices
		 * cgroup checks the reopen too (an O_PATH of a denied node
		 * must not become a readable one). Checked on the object
		 * opened, which no other thread can swap. */
		close(out.fd);
		return r;
	}
	return out.fd >= 0 ? out.fd : -EIO;
}

int fs_fsop_call(struct fs_view *v, const struct fs_call *c, struct agent_request *q,
                 const int *in_fds, size_t n_in, void *data, size_t size, struct agent_reply *rep)
{
	struct agent_out out = {.data = data, .size = size};
	struct agent_reply got;
	struct rl_error e;
	int r = fs_caller_into(c->tid, &q->caller);

	if (r < 0)
		return r;
	r = agent_call(v->agent_sock, q, in_fds, n_in, &got, &out, &e);
	if (r < 0)
		return e.err ? -e.err : -EIO;
	if (rep)
		*rep = got;
	return 0;
}

void fs_run_fsop(struct fs_view *v, const struct fs_call *c, struct agent_request *q, int in_fd,
                 struct notify_answer *a)
{
	int r = fs_fsop_call(v, c, q, &in_fd, in_fd >= 0 ? 1 : 0, NULL, 0, NULL);

	if (r < 0) {
		a->err = -r;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

struct agent_request *fs_fsop_fresh(struct fs_call *c, enum agent_kind kind)
{
	struct agent_request *q = &c->areq;

	/* Every byte of the kind's struct is sent: no stale field, no
	 * uninitialised padding. */
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	return q;
}
