/* Working directories the view keeps for the container's processes
 * (shim/fsview/fs.h, docs/security.md "The CONTINUE invariant").
 *
 * The kernel's working directory of a container process never leaves its
 * root: a chdir or fchdir into a mount (whose source lies outside the
 * chroot) is answered by keeping the container path here and leaving the
 * kernel's working directory where it was, inside the root. The view
 * resolves the relative paths of such a "parked" process from the kept
 * path and carries them out on behalf; whatever the process makes the
 * kernel resolve by itself (a path rewritten after the check, an untrapped
 * call) starts inside the root, where the chroot bounds it.
 *
 * The record follows the thread group (threads share their working
 * directory through CLONE_FS). A child takes its nearest ancestor's record
 * the first time the view meets it: between fork and its first trapped
 * call it cannot have changed its working directory, since chdir and
 * fchdir are trapped. The ancestor may have moved since the fork: its
 * record remembers the directory before its last move and when that move
 * was, and a child started before it takes the earlier one (to the
 * kernel's clock tick). While no process is parked, nothing here costs
 * anything. None of this is a security decision: a wrong record gives a
 * wrong relative path, resolved and done in the view like any other. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/proc.h"
#include "shim/fsview/fs.h"

#define ANCESTORS_MAX 64

static bool alive(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	/* A pidfd polls readable once its process has exited. */
	return poll(&p, 1, 0) == 0;
}

static void drop(struct fs_view *v, size_t i)
{
	if (v->cwds[i].path[0])
		v->n_parked--;
	close(v->cwds[i].pidfd);
	v->cwds[i] = v->cwds[--v->n_cwds];
}

static struct fs_cwd *find(struct fs_view *v, pid_t tgid)
{
	for (size_t i = 0; i < v->n_cwds; i++) {
		if (v->cwds[i].tgid != tgid)
			continue;
		if (alive(v->cwds[i].pidfd))
			return &v->cwds[i];
		drop(v, i); /* the pid may have been reused */
		return NULL;
	}
	return NULL;
}

/* pid's start time; 0 when it is gone. */
static unsigned long long start_of(pid_t pid)
{
	struct proc_stat st;

	return proc_read_stat(pid, &st) < 0 ? 0 : st.start_time;
}

static struct fs_cwd *add(struct fs_view *v, pid_t tgid, const char *path)
{
	struct fs_cwd *c;
	int pidfd;

	if (v->n_cwds == v->cap_cwds) {
		/* Sweep the dead before growing. */
		for (size_t i = v->n_cwds; i-- > 0;)
			if (!alive(v->cwds[i].pidfd))
				drop(v, i);
	}
	if (v->n_cwds == v->cap_cwds) {
		size_t cap = v->cap_cwds ? v->cap_cwds * 2 : 16;
		struct fs_cwd *n = realloc(v->cwds, cap * sizeof(*n));
		if (!n)
			return NULL;
		v->cwds = n;
		v->cap_cwds = cap;
	}
	pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return NULL;
	c = &v->cwds[v->n_cwds++];
	c->tgid = tgid;
	c->pidfd = pidfd;
	c->since = 0;
	c->prev[0] = '\0';
	snprintf(c->path, sizeof(c->path), "%s", path ? path : "");
	if (c->path[0])
		v->n_parked++;
	return c;
}

/* The record of tid's thread group, made (inherited, or "the kernel's")
 * when it has none. NULL only when tid is gone or memory ran out. */
static struct fs_cwd *record_of(struct fs_view *v, pid_t tid)
{
	struct fs_cwd *c = find(v, tid), *anc = NULL;
	pid_t tgid, ppid, below;

	if (c)
		return c;
	if (fs_proc_ids(tid, &tgid, &ppid) < 0)
		return NULL;
	if (tgid != tid && (c = find(v, tgid)))
		return c;
	/* below: the ancestor's child on the way, whose fork is what copied
	 * the ancestor's directory into this line (a process between that
	 * never trapped has no record of its own). */
	below = tgid;
	for (int i = 0; i < ANCESTORS_MAX && ppid > 1; i++) {
		pid_t t, pp;
		anc = find(v, ppid);
		if (anc || fs_proc_ids(ppid, &t, &pp) < 0)
			break;
		below = ppid;
		ppid = pp;
	}
	if (anc && anc->since && start_of(below) < anc->since)
		return add(v, tgid, anc->prev[0] ? anc->prev : NULL); /* forked before the move */
	return add(v, tgid, anc && anc->path[0] ? anc->path : NULL);
}

const char *fs_cwd_get(struct fs_view *v, pid_t tid)
{
	struct fs_cwd *c;

	if (v->n_parked == 0)
		return NULL;
	c = record_of(v, tid);
	return c && c->path[0] ? c->path : NULL;
}

int fs_cwd_park(struct fs_view *v, pid_t tid, const char *path)
{
	struct fs_cwd *c = record_of(v, tid);

	if (!c)
		return -ENOMEM;
	if (!c->path[0])
		v->n_parked++;
	memcpy(c->prev, c->path, sizeof(c->prev));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->since = proc_boot_ticks();
	return 0;
}

void fs_cwd_release(struct fs_view *v)
{
	while (v->n_cwds > 0)
		drop(v, v->n_cwds - 1);
	free(v->cwds);
	v->cwds = NULL;
	v->cap_cwds = 0;
	v->n_parked = 0;
}
