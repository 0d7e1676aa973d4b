/* The agent, asked on the caller's behalf: opens (AGENT_OPEN) and the
 * changes of AGENT_FSOP, each with the caller's identity filled in from
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
	struct agent_req *q = &c->areq;
	struct agent_reply rep;
	struct rl_error e;
	int fd = -1, r;

	memset(q, 0, offsetof(struct agent_req, path));
	r = fs_caller_into(c->tid, q);
	if (r < 0)
		return r;
	q->op = AGENT_OPEN;
	q->flags = flags;
	/* open(2) ignores mode bits beyond 07777 (busybox cp passes st_mode
	 * whole); the agent's openat2 would answer EINVAL. */
	q->mode = mode & 07777;
	q->access = access;
	if (access >= 0)
		q->options |= AGENT_O_ACCESS;
	if (mount >= 0 && (v->t->m[mount].flags & MNT_F_NODEV)) {
		q->options |= AGENT_O_NODEV;
	} else if (mount != FS_AGENT_MAGIC && (mount < 0 || v->t->m[mount].kind != MNT_DEVICE)) {
		/* A descriptor of the container's own (/proc/PID/fd/N) or a
		 * device of the table is what it is; any other device node
		 * only if the table has it. */
		q->options |= AGENT_O_DEVLIST;
		q->n_devs = fs_view_devs_for(v, flags, q->devs);
	}
	if (mount == FS_AGENT_MAGIC) {
		q->options |= AGENT_O_MAGIC;
	} else if (mount == FS_AGENT_ROOT) {
		q->dir = 0;
		q->resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	} else if (!(v->t->m[mount].flags & MNT_F_DIR) || *rel == '\0') {
		/* The source itself: a file mount, or a directory's root. */
		q->dir = mount + 1;
		q->options |= AGENT_O_REOPEN;
		rel = "";
	} else {
		q->dir = mount + 1;
		q->resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	}
	if (snprintf(q->path, sizeof(q->path), "%s", rel) >= (int)sizeof(q->path))
		return -ENAMETOOLONG;
	if (agent_call(v->agent_sock, q, &rep, NULL, 0, access >= 0 ? NULL : &fd, &e) < 0)
		return e.err ? -e.err : -EIO;
	*fifo = (rep.count & AGENT_R_FIFO) != 0;
	if (access >= 0)
		return 0;
	if (fd >= 0 && mount == FS_AGENT_MAGIC && (r = fs_device_check(v, fd, flags)) < 0) {
		/* A descriptor of the container's reopened: the devices
		 * cgroup checks the reopen too (an O_PATH of a denied node
		 * must not become a readable one). Checked on the object
		 * opened, which no other thread can swap. */
		close(fd);
		return r;
	}
	return fd >= 0 ? fd : -EIO;
}

int fs_fsop_call(struct fs_view *v, const struct fs_call *c, struct agent_req *q, const int *in_fds,
                 size_t n_in, void *out, size_t size, uint32_t *count)
{
	struct agent_reply rep;
	struct rl_error e;
	int r = fs_caller_into(c->tid, q);

	if (r < 0)
		return r;
	q->op = AGENT_FSOP;
	r = n_in > 0 ? agent_call_data(v->agent_sock, q, in_fds, n_in, &rep, out, size, &e)
	             : agent_call(v->agent_sock, q, &rep, NULL, 0, NULL, &e);
	if (r < 0)
		return e.err ? -e.err : -EIO;
	if (count)
		*count = rep.count;
	return 0;
}

void fs_run_fsop(struct fs_view *v, const struct fs_call *c, struct agent_req *q, int in_fd,
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

struct agent_req *fs_fsop_fresh(struct fs_call *c, enum agent_fsop op)
{
	struct agent_req *q = &c->areq;

	memset(q, 0, offsetof(struct agent_req, name));
	q->name[0] = q->name2[0] = q->path[0] = q->path2[0] = '\0';
	q->fsop = op;
	return q;
}
