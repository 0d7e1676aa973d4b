/* /proc as a pid namespace would show it: the host's /proc, limited to the
 * container's processes (shim/fsview/fs.h).
 *
 * - The directory /proc itself is a listing the supervisor keeps in
 *   <scratch>/mnt/proc: the host's names that are not pids (as empty
 *   placeholders of the same type) and one directory per member, renewed
 *   each time the container opens /proc, so `ls /proc` is a snapshot of
 *   the container taken at opendir. The container never holds the host's
 *   /proc directory, so no getdents of it can list host pids.
 * - /proc/PID/... is opened for members only (other pids: ENOENT, as in a
 *   pid namespace), proven by start time and opened beneath a descriptor
 *   of that member's /proc directory (below, "members, proven"),
 *   read-only, by the supervisor as the caller (open_pid_file: the
 *   kernel's ptrace and CAP_SYS_ADMIN checks apply). Magic links (fd/N, exe, cwd,
 *   root) are opened by the agent, as the caller and inside its Landlock
 *   domain. mounts and mountinfo describe the container's table.
 * - Names that are not pids (cpuinfo, meminfo, sys/...) are the host's,
 *   read-only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/cleanup.h"
#include "common/fd.h"
#include "common/path.h"
#include "common/proc.h"
#include "shim/fsview/fs.h"

#define VIEW "mnt/proc"

/* A name below the host's /proc that is not a pid's: the view has already
 * read and followed every symlink of the container's path (self, net,
 * mounts), so none is met here, and nothing leaves the pinned directory. */
#define PROC_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* ---- opening as the caller ------------------------------------------------ */

/* This thread's own identity, to come back to. Raw system calls only:
 * libc's set*id wrappers change every thread of the process, and the
 * supervisor's other threads must keep its authority meanwhile. */
struct thread_creds {
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int n_groups;
	gid_t groups[256];
	uint64_t eff, perm;
	int dumpable;
};

static int creds_save(struct thread_creds *s)
{
	if (syscall(SYS_getresuid, &s->ruid, &s->euid, &s->suid) < 0 ||
	    syscall(SYS_getresgid, &s->rgid, &s->egid, &s->sgid) < 0 ||
	    rl_caps_get(&s->eff, &s->perm) < 0)
		return -errno;
	s->n_groups = (int)syscall(SYS_getgroups, 256, s->groups);
	if (s->n_groups < 0)
		return -errno;
	s->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	return 0;
}

/* Back to s, or die: a supervisor left with a container process's
 * authority would fail every later call in ways no one checks, so it goes
 * and the agent, seeing it gone, kills the container (fail closed). */
static void creds_restore(const struct thread_creds *s)
{
	/* Capabilities first (setgroups needs CAP_SETGID, and an euid that
	 * stays 0 gives none back), and again last (an euid back to 0 sets the
	 * effective set to the permitted one). */
	if (rl_caps_set(s->eff, s->perm) < 0 || syscall(SYS_setresuid, -1, s->euid, -1) < 0 ||
	    syscall(SYS_setresgid, -1, s->egid, -1) < 0 ||
	    (s->euid == 0 && syscall(SYS_setgroups, s->n_groups, s->groups) < 0) ||
	    rl_caps_set(s->eff, s->perm) < 0)
		abort();
	syscall(SYS_setfsuid, s->euid);
	syscall(SYS_setfsgid, s->egid);
	/* A change of identity resets the process's dumpable flag to
	 * fs.suid_dumpable; the supervisor stays as launch made it. */
	if (s->dumpable >= 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != s->dumpable)
		prctl(PR_SET_DUMPABLE, s->dumpable, 0, 0, 0);
}

/* setfsuid and setfsgid report no refusal: set, then ask (-1 changes
 * nothing and returns the current value). */
static bool set_fs_ids(uid_t uid, gid_t gid)
{
	syscall(SYS_setfsgid, gid);
	syscall(SYS_setfsuid, uid);
	return syscall(SYS_setfsgid, -1) == (long)gid && syscall(SYS_setfsuid, -1) == (long)uid;
}

int fs_open_as_caller(pid_t tid, int dirfd, const char *rel, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (uint64_t)(uint32_t)(flags | O_CLOEXEC),
	                       .resolve = resolve};
	struct thread_creds saved;
	struct fs_caller c;
	int fd, err = 0, r = fs_caller_read(tid, &c);

	if (r < 0)
		return r;
	r = creds_save(&saved);
	if (r < 0)
		return r;
	/* The kernel checks these opens against the opener: DAC with the
	 * fsuid, fsgid and groups, sysctl's modes with the euid and egid
	 * (the caller's fsgid stands for its egid: they differ only after a
	 * setfsgid), /proc/kmsg's CAP_SYSLOG and kallsyms' kptr_restrict with
	 * the effective capabilities, kept in the file for its reads. A
	 * supervisor that is not root cannot take another identity, and
	 * holds no more than its own container's anyway. */
	if (saved.euid == 0 && (syscall(SYS_setgroups, c.n_groups, c.groups) < 0 ||
	                        syscall(SYS_setresgid, -1, c.fsgid, -1) < 0 ||
	                        syscall(SYS_setresuid, -1, c.euid, -1) < 0))
		err = errno;
	/* A non-zero euid has cleared the effective set: back to ours for
	 * setfsuid and setfsgid. */
	if (!err && saved.euid == 0) {
		if (rl_caps_set(saved.perm, saved.perm) < 0)
			err = errno;
		else if (!set_fs_ids(c.fsuid, c.fsgid))
			err = EPERM;
	}
	/* Last: a non-zero fsuid has cleared the filesystem capabilities. */
	if (!err && rl_caps_set(c.cap_eff & saved.perm, saved.perm) < 0)
		err = errno;
	fd = err ? -1 : fd_openat2(dirfd, rel, &how);
	if (fd < 0 && !err)
		err = errno;
	creds_restore(&saved);
	return fd < 0 ? -err : fd;
}

static bool in_list(const pid_t *p, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == pid)
			return true;
	return false;
}

/* ---- members, proven ------------------------------------------------------ */

/* A pid is only a number: the member listed under it may have died and
 * the host given it to one of its own processes (issue: a container that
 * burns pids until a host process takes a listed one read its environ and
 * mem as root). So a member is recorded with its start time, and every
 * use of a pid goes through a descriptor of its /proc directory, which
 * stays that process's: once it is gone, nothing opens beneath it, even
 * if the number is reused.
 *
 * The rule (times in clock ticks since boot, USER_HZ, as /proc/PID/stat
 * gives a start): the clock is read (B) before the agent lists the
 * members; a listed pid whose /proc directory, opened after the list,
 * shows a start S < B is the member the list saw, since that process held
 * the pid from before B until after the list. Another process that takes
 * the pid later starts after that, at B or later: so on a hit, the same S
 * read through a new directory descriptor proves it is the member still.
 * A pid that started at B or later (in the list's own tick) is not proven:
 * the list is made again once the clock has passed its start. */

/* The host's /proc/PID directory: it refers to that process for as long
 * as the descriptor lives. */
static int pid_dir(pid_t pid)
{
	char path[32];
	int fd;

	if (pid <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -ENOENT : fd;
}

/* The start time of the process whose /proc directory is dir: 0, or
 * -ESRCH once it is gone. */
static int start_of(int dir, unsigned long long *start)
{
	struct proc_stat st;

	if (proc_read_stat_at(dir, &st) < 0)
		return -ESRCH;
	*start = st.start_time;
	return 0;
}

/* Sleep until the clock's tick is past tick. */
static void wait_past(unsigned long long tick)
{
	for (int i = 0; i < 100 && proc_boot_ticks() <= tick; i++)
		usleep(1000);
}

#define PROVE_ROUNDS 3

static int refresh_members(struct fs_view *v, const struct fs_call *c)
{
	/* The caller is listed even before it is proven: it is in the
	 * container now (its call was trapped), and `ls /proc` shows it. */
	pid_t self = c->tid > 0 ? fs_thread_group(c->tid) : 0;

	if (!v->list_members)
		return -1;
	for (int round = 0;; round++) {
		_cleanup_free_ pid_t *pids = NULL;
		_cleanup_free_ unsigned long long *starts = NULL;
		unsigned long long before = proc_boot_ticks(), youngest = 0;
		bool unproven = false;
		size_t n = 0, k = 0;

		if (v->list_members(v->members_ctx, &pids, &n) < 0)
			return -1;
		starts = calloc(n ? n : 1, sizeof(*starts));
		if (!starts)
			return -1;
		for (size_t i = 0; i < n; i++) {
			_cleanup_close_ int dir = pid_dir(pids[i]);
			unsigned long long st;
			if (dir < 0 || start_of(dir, &st) < 0)
				continue; /* gone since */
			if (st >= before) {
				if (pids[i] != self) {
					unproven = true;
					youngest = st > youngest ? st : youngest;
					continue;
				}
				st = FS_START_UNPROVEN;
			}
			pids[k] = pids[i];
			starts[k++] = st;
		}
		if (!unproven || round + 1 == PROVE_ROUNDS) {
			/* Whoever is still unproven after the last round is
			 * left out, until a later list proves it. */
			free(v->members);
			free(v->member_start);
			v->members = steal_ptr(&pids);
			v->member_start = steal_ptr(&starts);
			v->n_members = k;
			return 0;
		}
		wait_past(youngest);
	}
}

/* A descriptor of pid's /proc directory when pid is a process of the
 * container, proven as above; else -ENOENT. */
static int member_dir(struct fs_view *v, const struct fs_call *c, pid_t pid)
{
	/* The caller is one (its call was trapped by this container's
	 * filter, and it waits in it): no scan for a process reading its
	 * own /proc/self. */
	if (pid > 0 && (pid == c->tid || pid == c->pid))
		return pid_dir(pid);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < v->n_members; i++) {
			unsigned long long st;
			int dir;
			if (v->members[i] != pid || v->member_start[i] == FS_START_UNPROVEN)
				continue;
			dir = pid_dir(pid);
			if (dir >= 0 && start_of(dir, &st) == 0 && st == v->member_start[i])
				return dir;
			if (dir >= 0)
				close(dir);
			break; /* gone, or another process since: list again */
		}
		if (pass == 0 && refresh_members(v, c) < 0)
			break;
	}
	return -ENOENT;
}

bool fs_is_member(struct fs_view *v, const struct fs_call *c, pid_t pid)
{
	int dir = member_dir(v, c, pid);

	if (dir < 0)
		return false;
	close(dir);
	return true;
}

/* The host's names that are not pids, as placeholders of the same type:
 * once, when the listing is made (/proc's own names do not come and go). */
static void add_host_names(int view, char *buf, size_t size)
{
	_cleanup_close_ int host = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	while (host >= 0) {
		long len = syscall(SYS_getdents64, host, buf, size);
		if (len <= 0)
			break;
		for (long off = 0; off < len;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (d->d_name[0] != '.' && !path_is_number(d->d_name, strlen(d->d_name)))
				fs_placeholder(view, d->d_name, d->d_type);
		}
	}
}

/* Make the listing match the current members. */
static int refresh_view(struct fs_view *v, const struct fs_call *c)
{
	_cleanup_close_ int view = -1;
	char buf[16384];
	bool made = false;
	int r;

	if (v->proc_view < 0) {
		if (mkdirat(v->state_fd, "mnt", 0711) < 0 && errno != EEXIST)
			return -errno;
		if (mkdirat(v->state_fd, VIEW, 0555) < 0 && errno != EEXIST)
			return -errno;
		v->proc_view = openat(v->state_fd, VIEW, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (v->proc_view < 0)
			return -errno;
		r = fd_path(v->proc_view, v->proc_view_path, sizeof(v->proc_view_path));
		if (r < 0)
			return r;
		made = true;
	}
	view = openat(v->state_fd, VIEW, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (view < 0)
		return -errno;
	if (made)
		add_host_names(view, buf, sizeof(buf));
	refresh_members(v, c);
	/* Members in, others out. */
	for (;;) {
		long len = syscall(SYS_getdents64, view, buf, sizeof(buf));
		if (len <= 0)
			break;
		for (long off = 0; off < len;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (path_is_number(d->d_name, strlen(d->d_name)) &&
			    !in_list(v->members, v->n_members, (pid_t)atoi(d->d_name)))
				unlinkat(view, d->d_name, AT_REMOVEDIR);
		}
	}
	for (size_t i = 0; i < v->n_members; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", (int)v->members[i]);
		mkdirat(view, name, 0555);
	}
	return 0;
}

static const char *kind_type(enum mnt_kind k)
{
	switch (k) {
	case MNT_TMPFS:
	case MNT_MASK:
		return "tmpfs";
	case MNT_PROC:
		return "proc";
	case MNT_SYSFS:
		return "sysfs";
	case MNT_DEVPTS:
		return "devpts";
	case MNT_MQUEUE:
		return "mqueue";
	case MNT_CGROUP:
		return "cgroup2";
	case MNT_BIND:
	case MNT_DEVICE:
	default:
		return "bind";
	}
}

static int by_seq(const void *a, const void *b)
{
	unsigned x = (*(const struct mnt *const *)a)->seq, y = (*(const struct mnt *const *)b)->seq;

	return (x > y) - (x < y);
}

/* /proc/PID/mounts or mountinfo of the container's table, in a memfd, in
 * the order the mounts were made (config.json's: checkers read it back),
 * not the table's order by destination. */
static int mounts_file(struct fs_view *v, bool info)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ const struct mnt **order = NULL;
	int fd = (int)syscall(SYS_memfd_create, info ? "mountinfo" : "mounts", MFD_CLOEXEC);
	int id = 1;

	if (fd < 0)
		return -errno;
	order = calloc(v->t->n + 1, sizeof(*order));
	if (!order) {
		close(fd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->t->n; i++)
		order[i] = &v->t->m[i];
	qsort(order, v->t->n, sizeof(*order), by_seq);
	f = fdopen(dup(fd), "w");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	if (info)
		fprintf(f, "%d 0 0:1 / / %s,relatime - rootfs rootfs %s\n", id++,
		        v->root_ro ? "ro" : "rw", v->root_ro ? "ro" : "rw");
	else
		fprintf(f, "rootfs / rootfs %s 0 0\n", v->root_ro ? "ro" : "rw");
	for (size_t i = 0; i < v->t->n; i++) {
		const struct mnt *m = order[i];
		const char *type = kind_type(m->kind);
		const char *src = m->kind == MNT_BIND ? m->source : type;
		char opts[64];
		if (m->kind == MNT_DEVICE)
			continue; /* nodes of /dev, not mounts, as in runc's /dev */
		snprintf(opts, sizeof(opts), "%s%s%s%s", m->flags & MNT_F_RO ? "ro" : "rw",
		         m->flags & MNT_F_NOSUID ? ",nosuid" : "",
		         m->flags & MNT_F_NODEV ? ",nodev" : "",
		         m->flags & MNT_F_NOEXEC ? ",noexec" : "");
		if (info)
			fprintf(f, "%d 1 0:%d / %s %s - %s %s %s\n", id, id, m->dest, opts, type,
			        src, opts);
		else
			fprintf(f, "%s %s %s %s 0 0\n", src, m->dest, type, opts);
		id++;
	}
	if (fflush(f) != 0) {
		close(fd);
		return -EIO;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Files the kernel shows only to a tracer-to-be (ptrace read access). */
static bool guarded(const char *name)
{
	static const char *const names[] = {
	    "environ", "mem",  "maps",        "smaps", "smaps_rollup", "pagemap", "stack",
	    "syscall", "auxv", "personality", "io",    "numa_maps",    "timers",  NULL};
	for (int i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Files whose content the kernel chooses by the credentials the file
 * keeps from its opener (f_cred): pagemap's PFNs and the kernel stack
 * need CAP_SYS_ADMIN. Only ever opened as the caller. */
static bool opener_gated(const char *name)
{
	return strcmp(name, "pagemap") == 0 || strcmp(name, "stack") == 0;
}

/* Yama's ptrace_scope, 0 without Yama. */
static int yama_scope(void)
{
	_cleanup_close_ int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
	char c = '0';

	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = '0';
	return c - '0';
}

/* The emulated ptrace read check: the caller owns the process (dir) or
 * holds CAP_SYS_PTRACE. */
static int check_guarded(pid_t tid, int dir)
{
	struct fs_caller c;
	struct stat st;

	if (fs_caller_read(tid, &c) < 0)
		return -ESRCH;
	if (c.cap_eff & (1ULL << CAP_SYS_PTRACE))
		return 0;
	if (fstat(dir, &st) < 0)
		return -ENOENT;
	return st.st_uid == c.euid ? 0 : -EACCES;
}

/* rel (a name beneath /proc/PID, or ".") of the process dir is, for
 * thread tid. Opened as the caller: the kernel then checks the open
 * (ptrace access, DAC) and keeps the caller's credentials in the file for
 * its reads, so a process without CAP_SYS_ADMIN sees no PFN in pagemap
 * and no kernel stack, as on the host. The supervisor's own open remains
 * only where the opener, a supervisor thread, fails a check the caller
 * itself would pass: its own process (the kernel lets a thread group
 * read its own files whatever its ids and dumpable flag say), and mem,
 * whose ptrace attach check Yama (ptrace_scope >= 1) refuses to a
 * non-ancestor, under the emulated owner-or-CAP_SYS_PTRACE check. Never
 * for the files of opener_gated(). */
static int open_pid_file(pid_t tid, int dir, pid_t target, const char *rel, const char *last,
                         int flags)
{
	int fd = fs_open_as_caller(tid, dir, rel, flags, PROC_RESOLVE);

	if ((fd != -EACCES && fd != -EPERM) || !guarded(last) || opener_gated(last))
		return fd;
	if (fs_thread_group(target) != fs_thread_group(tid)) {
		if (strcmp(last, "mem") != 0 || yama_scope() < 1 || check_guarded(tid, dir) < 0)
			return fd;
	}
	{
		struct open_how how = {.flags = (uint64_t)(uint32_t)(flags | O_CLOEXEC),
		                       .resolve = PROC_RESOLVE};
		int own = fd_openat2(dir, rel, &how);
		return own < 0 ? -errno : own;
	}
}

int fs_proc_open(struct fs_view *v, struct fs_call *c, const struct resolved *r, int flags,
                 bool *fifo)
{
	pid_t tid = c->tid;
	const struct mnt *m = &v->t->m[r->mount];
	const char *rel = r->rel, *slash, *last;
	bool write = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
	_cleanup_close_ int dir = -1;
	char pid_dir_name[16];
	pid_t target;
	size_t n;
	int fd;

	if (strcmp(m->dest, "/proc") != 0) {
		/* /proc/sys and the like, read-only paths over the host's. */
		if (write)
			return (m->flags & MNT_F_RO) ? -EROFS : -EACCES;
		return fs_open_as_caller(tid, m->fd, *rel ? rel : ".", flags, PROC_RESOLVE);
	}
	if (*rel == '\0') {
		int ret;
		if (write)
			return -EISDIR;
		ret = refresh_view(v, c);
		if (ret < 0)
			return ret;
		fd = openat(v->state_fd, VIEW, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	slash = strchr(rel, '/');
	n = slash ? (size_t)(slash - rel) : strlen(rel);
	if (!path_is_number(rel, n)) {
		if (write)
			return -EACCES;
		return fs_open_as_caller(tid, m->fd, rel, flags, PROC_RESOLVE);
	}
	if (n >= sizeof(pid_dir_name))
		return -ENOENT;
	memcpy(pid_dir_name, rel, n);
	pid_dir_name[n] = '\0';
	target = (pid_t)atoi(pid_dir_name);
	/* Everything below goes through dir, the member's own directory. */
	dir = target == tid ? pid_dir(target) : member_dir(v, c, target);
	if (dir < 0)
		return -ENOENT;
	last = strrchr(rel, '/');
	last = last ? last + 1 : rel;
	if (slash && (strcmp(last, "mounts") == 0 || strcmp(last, "mountinfo") == 0)) {
		if (write)
			return -EACCES;
		return mounts_file(v, strcmp(last, "mountinfo") == 0);
	}
	if (r->magic) {
		/* The agent follows the link inside the container's Landlock
		 * domain, whose ptrace scope stops it at any process outside
		 * the container, a new owner of the pid included. A FIFO comes
		 * back as O_PATH with *fifo set: its blocking open is waited
		 * for off the event loop, as any FIFO's (a FIFO without a peer
		 * here wedged the supervisor). */
		return fs_agent_open(v, c, FS_AGENT_MAGIC, rel, flags, 0, -1, fifo);
	}
	if (write)
		return -EACCES;
	return open_pid_file(tid, dir, target, slash ? slash + 1 : ".", last, flags);
}

int fs_proc_readlink(struct fs_view *v, const struct fs_call *c, const struct resolved *r,
                     char *buf, size_t size)
{
	const char *slash = strchr(r->rel, '/');
	_cleanup_close_ int dir = -1;
	char host[PATH_MAX];
	ssize_t n;

	/* Read through the member's own directory: a pid taken by a host
	 * process since shows nothing of it. */
	if (!slash)
		return -EINVAL;
	dir = member_dir(v, c, (pid_t)atoi(r->rel));
	if (dir < 0)
		return -ENOENT;
	n = readlinkat(dir, slash + 1, host, sizeof(host) - 1);
	if (n < 0)
		return -errno;
	host[n] = '\0';
	if (host[0] != '/' || fs_host_to_container(v, host, buf, size) < 0) {
		/* pipe:[N], socket:[N], anon_inode:..., or outside the view */
		if (snprintf(buf, size, "%s", host) >= (int)size)
			return -ENAMETOOLONG;
	}
	return (int)strlen(buf);
}
