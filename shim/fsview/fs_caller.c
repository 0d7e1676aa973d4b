/* The caller of a trapped call: its identity (from /proc), the strings it
 * points at, its descriptors (pidfd_getfd). Everything here reads the
 * caller; nothing changes it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/proc.h"
#include "shim/fsview/handlers_fs.h"
#include "shim/notify/notify.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int fs_read_path(int listener, const struct seccomp_notif *req, uint64_t addr, char *buf)
{
	size_t got = 0;

	if (addr == 0)
		return -EFAULT;
	/* Page by page: the string may end just before an unmapped page. The
	 * first read is short: most paths are. */
	while (got < PATH_MAX) {
		size_t chunk = 4096 - (size_t)((addr + got) & 4095);
		if (got == 0 && chunk > 256)
			chunk = 256;
		if (chunk > PATH_MAX - got)
			chunk = PATH_MAX - got;
		if (notify_read_mem(listener, req->id, (pid_t)req->pid, addr + got, buf + got,
		                    chunk) < 0)
			return errno == ESRCH ? -ESRCH : -EFAULT;
		if (memchr(buf + got, '\0', chunk))
			return 0;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

/* The container path of the caller's cwd (dirfd AT_FDCWD) or dirfd. */
int fs_caller_link(pid_t tid, int dirfd, char *buf, size_t size)
{
	char proc[64];
	ssize_t n;

	if (dirfd == AT_FDCWD)
		snprintf(proc, sizeof(proc), "/proc/%d/cwd", (int)tid);
	else if (dirfd < 0)
		return -EBADF;
	else
		snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int)tid, dirfd);
	n = readlink(proc, buf, size - 1);
	if (n < 0)
		return errno == ENOENT && dirfd != AT_FDCWD ? -EBADF : -errno;
	buf[n] = '\0';
	return 0;
}

int fs_proc_ids(pid_t pid, pid_t *tgid, pid_t *ppid)
{
	char buf[1024], *p;

	if (proc_read_status(pid, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nTgid:")))
		return -ESRCH;
	*tgid = (pid_t)atoi(p + 6);
	if (!(p = strstr(buf, "\nPPid:")))
		return -ESRCH;
	*ppid = (pid_t)atoi(p + 6);
	return 0;
}

pid_t fs_thread_group(pid_t tid)
{
	pid_t tgid, ppid;

	return fs_proc_ids(tid, &tgid, &ppid) < 0 ? tid : tgid;
}

int fs_caller_read(pid_t tid, struct fs_caller *c)
{
	char buf[4096], *p;

	if (proc_read_status(tid, buf, sizeof(buf)) < 0)
		return -ESRCH;
	memset(c, 0, sizeof(*c));
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p + 5, "%*u %u %*u %u", &c->euid, &c->fsuid) != 2)
		return -ESRCH;
	p = strstr(buf, "\nGid:");
	if (!p || sscanf(p + 5, "%*u %u %*u %u", &c->egid, &c->fsgid) != 2)
		return -ESRCH;
	p = strstr(buf, "\nGroups:");
	if (p) {
		char *end;
		p += 8;
		while (c->n_groups < AGENT_MAX_GROUPS) {
			unsigned long g = strtoul(p, &end, 10);
			if (end == p)
				break;
			c->groups[c->n_groups++] = (gid_t)g;
			p = end;
		}
	}
	p = strstr(buf, "\nCapEff:");
	if (!p)
		return -ESRCH;
	c->cap_eff = strtoull(p + 8, NULL, 16);
	/* umask is per process (the fs struct), read at the time of the
	 * call: what it creates on behalf gets the caller's umask. */
	p = strstr(buf, "\nUmask:");
	if (p)
		c->umask = ((uint32_t)strtoul(p + 7, NULL, 8) & 0777) | AGENT_UMASK_SET;
	p = strstr(buf, "\nNoNewPrivs:");
	c->no_new_privs = p && atoi(p + 12) == 1;
	return 0;
}

int fs_caller_into(pid_t tid, struct agent_caller *q)
{
	struct fs_caller c;
	int r = fs_caller_read(tid, &c);

	if (r < 0)
		return r;
	memset(q, 0, sizeof(*q));
	q->fsuid = c.fsuid;
	q->fsgid = c.fsgid;
	q->euid = c.euid;
	q->egid = c.egid;
	q->n_groups = c.n_groups;
	for (uint32_t i = 0; i < c.n_groups; i++)
		q->groups[i] = c.groups[i];
	q->cap_effective = c.cap_eff;
	q->umask = c.umask;
	return 0;
}

/* Our copy of the caller's fd, or -errno. */
int fs_fd_copy(int listener, const struct seccomp_notif *req, int fd)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, req->pid, PIDFD_THREAD);
	int copy;

	if (pidfd < 0)
		pidfd = (int)syscall(SYS_pidfd_open, req->pid, 0);
	if (pidfd < 0)
		return -ESRCH;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		return errno == EBADF ? -EBADF : -errno;
	if (!notify_id_valid(listener, req->id)) {
		close(copy);
		return -ESRCH;
	}
	return copy;
}

int fs_xattr_name(struct fs_call *c, uint64_t addr, char name[AGENT_NAME_MAX])
{
	int r = fs_read_path(c->listener, c->req, addr, c->link);

	if (r < 0)
		return r == -ENAMETOOLONG ? -ERANGE : r;
	if (c->link[0] == '\0' || strlen(c->link) >= XATTR_NAME_LEN)
		return -ERANGE;
	memcpy(name, c->link, strlen(c->link) + 1);
	return 0;
}
