/* The container's filesystem view, as the supervisor's notification
 * handlers see it (docs/mounts.md).
 *
 * Contract
 * - fs_lookup() turns a trapped call's (dirfd, path) into a resolved
 *   container path. It is the one place that decides a call needs no help
 *   (FS_ROOTFS: every handler answers CONTINUE), under the CONTINUE
 *   invariant (docs/security.md): the kernel's working directory of every
 *   container process stays inside the root (shim/fsview/fs_cwd.c), so a path the
 *   kernel resolves from the root or the working directory stays inside the
 *   chroot however its memory is rewritten after the check. Only such a
 *   path is CONTINUEd: one relative to a descriptor (which another thread
 *   can swap for one outside the root) or to a kept working directory is
 *   always done on behalf.
 * - Everything below a mount is done on behalf: by the agent, inside the
 *   container's Landlock domain and as the caller's credentials, on the
 *   mount's pinned source (RESOLVE_BENEATH, no magic links), or, for /proc,
 *   by the supervisor for the container's own processes only.
 * - Nothing here allocates per call. The view (struct fs_view) holds only
 *   what outlives a call; one trapped call's state (the path read, the base
 *   it starts from, the resolved result, the agent request) is a struct
 *   fs_call that the handler makes on its stack and passes down to every
 *   step: no call reads what an earlier one left. */
#ifndef RUNLOCK_SHIM_FSVIEW_FS_H
#define RUNLOCK_SHIM_FSVIEW_FS_H

#include <limits.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "shim/agent/agent.h"
#include "oci/device_rules.h"
#include "shim/mounts/mounts.h"
#include "shim/mounts/resolve.h"

#define FS_ROOTFS 1 /* fs_lookup(): the kernel may do the call itself */

#define FS_MAX_PTYS 64

#define FS_START_UNPROVEN (~0ULL) /* fs_view.member_start: never a cache hit */

struct fs_caller {
	uid_t fsuid;
	gid_t fsgid;
	uid_t euid;
	gid_t egid;
	uint32_t n_groups;
	gid_t groups[AGENT_MAX_GROUPS];
	uint64_t cap_eff;
	uint32_t umask;    /* "Umask:" | AGENT_UMASK_SET; 0 when the kernel does not say */
	bool no_new_privs; /* NoNewPrivs: an exec grants it no privilege */
};

/* A working directory the view keeps for a thread group (shim/fsview/fs_cwd.c). */
struct fs_cwd {
	pid_t tgid;
	int pidfd;                /* tells a reused pid */
	char path[PATH_MAX];      /* its container path; "": the kernel's own */
	char prev[PATH_MAX];      /* path before the last move */
	unsigned long long since; /* that move, in /proc/PID/stat starttime's ticks */
};

/* A directory holding mount points its tree lacks (shim/fsview/fs_merge.c). */
struct fs_merge {
	char *dir;    /* canonical container path */
	char **names; /* the missing mount points (or directories above them) */
	bool *is_dir;
	size_t n_names;
	int snap;                 /* O_PATH of its snapshot, once made */
	char snap_path[PATH_MAX]; /* host path of the snapshot */
};

/* The view of one container: set up once, and the state its calls share
 * (struct fs_call holds a call's own). What one call writes here and a
 * later one reads is only this shared state: the members list (a cache
 * of the container's processes, proven by start time), the /proc listing
 * and the merged directories' snapshots (made on first use, renewed by
 * each listing), the kept working directories (a chdir's effect, read by
 * the process's later calls), and the ptys the container opened (a ptmx
 * open's effect, read by a later open of the slave). Only the
 * supervisor's main thread touches it. */
struct fs_view {
	const struct mount_table *t; /* NULL: nothing is emulated */
	char rootfs[PATH_MAX];       /* host path of the container's root */
	size_t rootfs_len;
	int root_fd;    /* O_PATH of the rootfs */
	bool root_ro;   /* root.readonly: metadata changes in the rootfs are EROFS */
	int agent_sock; /* on-behalf opens */
	int state_fd;   /* the scratch tree (<root>/@scratch/<id>): /proc's listing lives there */
	int proc_view;  /* O_PATH of <scratch>/mnt/proc, the listing of /proc */
	char proc_view_path[PATH_MAX];
	/* Members of the container (pids), as last listed; refreshed when a
	 * pid is not found. member_start[i]: members[i]'s start time
	 * (/proc/PID/stat's starttime), proven to be the member's when the
	 * list was made, FS_START_UNPROVEN for the caller listed before it
	 * could be (docs/mounts.md, "/proc"). */
	pid_t *members;
	unsigned long long *member_start;
	size_t n_members;
	int (*list_members)(void *ctx, pid_t **pids, size_t *n);
	void *members_ctx;
	struct fs_merge *merge;
	size_t n_merge;
	struct fs_cwd *cwds; /* kept working directories, and "the kernel's" ones */
	size_t n_cwds, cap_cwds;
	size_t n_parked;          /* of cwds, those with a path */
	int ptys[FS_MAX_PTYS];    /* pty numbers: opened through ptmx, or exec -t's */
	int pty_obj[FS_MAX_PTYS]; /* O_PATH of each one's slave, from its master */
	size_t n_ptys;
	pid_t init_pid;  /* pid namespace asked for: /proc/1 names it (0: no one) */
	uint32_t n_devs; /* the device nodes of the table (MNT_DEVICE), as agent_open.devs */
	uint64_t devs[AGENT_MAX_DEVS];
	/* linux.resources.devices: what a device open may ask (all denied but
	 * runc's defaults until fs_view_init's caller fills it). */
	struct dev_rules dev_rules;
};

/* One trapped call as the view handles it. The handler makes it for its
 * call (fs_call_init; on its stack: about 30 KB, on the supervisor's
 * main thread) and passes it down to every step of the call: fs_lookup,
 * the agent, /proc, the splits of handlers_fs.h. It lives as long as the
 * handler: what must outlive it (a FIFO's wait, handlers_fs.c) copies
 * what it needs. */
struct fs_call {
	int listener;                    /* the notification fd the call came on */
	const struct seccomp_notif *req; /* the trapped call */
	pid_t tid;                       /* the caller: a member, by its trap (req->pid) */
	pid_t pid; /* its thread group, when the last lookup needed it (a path naming "self");
	              else tid */
	bool base_in_rootfs;  /* the last lookup's base lies in the rootfs, in no mount */
	bool base_kept;       /* it is a kept working directory */
	char path[PATH_MAX];  /* the path read from the caller (fs_lookup), or put there */
	char base[PATH_MAX];  /* the container path a relative path starts from */
	char link[PATH_MAX];  /* scratch: a descriptor's host path, a joined path, a link's target,
	                         an attribute name */
	char base2[PATH_MAX]; /* scratch: the lexical walk of a rootfs-only path */
	struct resolved res;  /* the last lookup's result */
	struct agent_request areq; /* the request to the agent (fs_agent_open, fs_fsop_fresh) */
};

/* Start call c for req, trapped on listener: no path read, nothing
 * resolved. */
void fs_call_init(struct fs_call *c, int listener, const struct seccomp_notif *req);

/* Whether a write in mount m is EROFS: `ro`, or a kind that is never
 * written (/sys, the cgroup tree, masks). */
static inline bool fs_mount_ro(const struct mnt *m)
{
	return (m->flags & MNT_F_RO) || m->kind == MNT_SYSFS || m->kind == MNT_CGROUP ||
	       m->kind == MNT_MASK;
}

/* Set up the view for table t (which must outlive it). */
int fs_view_init(struct fs_view *v, const struct mount_table *t, const char *rootfs, int state_fd,
                 int agent_sock);
void fs_view_release(struct fs_view *v);

/* linux.resources.devices at a device open the view carries out, as the
 * devices cgroup would check it: 0 when fd is no device or the access
 * flags ask is allowed, else -EPERM (the cgroup's answer). */
int fs_device_check(const struct fs_view *v, int fd, int flags);

/* The table's device nodes (v->devs) an open with flags may reach, into
 * out (room for AGENT_MAX_DEVS); their number. */
uint32_t fs_view_devs_for(const struct fs_view *v, int flags, uint64_t *out);

/* Copy the NUL-terminated string at addr in the caller into buf (PATH_MAX).
 * -EFAULT, -ENAMETOOLONG, -ESRCH (the caller is gone). */
int fs_read_path(int listener, const struct seccomp_notif *req, uint64_t addr, char *buf);

/* Resolve (dirfd, path at addr) for call c: the path into c->path, the
 * result into c->res, c->pid and c->base* set. dirfd is AT_FDCWD or an fd
 * of the caller; flags RESOLVE_F_*. Returns FS_ROOTFS (answer CONTINUE), 0
 * with c->res filled (the path is in the emulated view), or -errno (answer
 * it). */
int fs_lookup(struct fs_view *v, struct fs_call *c, int dirfd, uint64_t addr, unsigned flags);
/* The same for a path already in c->path (a socket address's). */
int fs_lookup_path(struct fs_view *v, struct fs_call *c, int dirfd, unsigned flags);

/* The innermost mount whose source holds host path host (devices: device
 * nodes' sources count too), *rest the part below it ("" or "/..."); -1
 * when none does. */
int fs_host_mount(const struct fs_view *v, const char *host, bool devices, const char **rest);

/* A host path as the container names it: under the rootfs or the source
 * of a mount. -ENOENT when the container has no name for it. */
int fs_host_to_container(const struct fs_view *v, const char *host, char *out, size_t size);

/* Working directories (shim/fsview/fs_cwd.c). The kernel's working directory of
 * a container process stays inside its root; a chdir or fchdir elsewhere
 * is kept here instead. fs_cwd_get: the kept container path of tid's
 * working directory, NULL when the kernel's applies. fs_cwd_park: keep
 * path (a directory of the view) as tid's; 0 or -errno. */
const char *fs_cwd_get(struct fs_view *v, pid_t tid);
int fs_cwd_park(struct fs_view *v, pid_t tid, const char *path);
void fs_cwd_release(struct fs_view *v);

/* The host path of thread tid's cwd (dirfd AT_FDCWD) or descriptor dirfd,
 * as /proc/TID/cwd or /proc/TID/fd/N names it, into buf. 0 or -errno
 * (EBADF: no such descriptor). */
int fs_caller_link(pid_t tid, int dirfd, char *buf, size_t size);

/* tid's thread group (Tgid: in /proc/TID/status); tid when unknown. */
pid_t fs_thread_group(pid_t tid);
/* pid's Tgid and PPid, from /proc/PID/status. 0 or -ESRCH. */
int fs_proc_ids(pid_t pid, pid_t *tgid, pid_t *ppid);

/* The caller's filesystem identity, from /proc/TID/status. */
int fs_caller_read(pid_t tid, struct fs_caller *c);
/* The same, as an agent request's caller (fsuid, fsgid, groups, effective
 * capabilities). 0 or -errno. */
int fs_caller_into(pid_t tid, struct agent_caller *q);

#define FS_AGENT_ROOT  (-1) /* fs_agent_open(): rel is a container path, in the root */
#define FS_AGENT_MAGIC (-2) /* rel is "PID/..." below /proc, magic links followed */

/* Open (or check access to) mount m's rel for c's caller through the
 * agent (c->areq); *fifo set when the result is an O_PATH fd of a FIFO
 * still to be opened with flags (the supervisor waits for its peer).
 * Returns the fd, 0 for an access check that passed, or -errno. */
int fs_agent_open(struct fs_view *v, struct fs_call *c, int mount, const char *rel, int flags,
                  mode_t mode, int access, bool *fifo);

/* Merged directories (shim/fsview/fs_merge.c): found at init; the index of the
 * one at canonical path, or -1; its snapshot renewed (the real directory
 * read as c's caller, through the agent) and opened with flags (an fd, or
 * -errno). */
int fs_merge_init(struct fs_view *v);
void fs_merge_release(struct fs_view *v);
int fs_merge_find(const struct fs_view *v, const char *path);
int fs_merge_open(struct fs_view *v, struct fs_call *c, int k, int flags);
/* An empty stand-in named name in dir, of d_type type (a directory, a
 * symlink to ".", else an empty file): a listing's entry. */
void fs_placeholder(int dir, const char *name, unsigned char type);

/* fs_lookup() flag: always run the resolver, so *out is filled for a path
 * that stays in the rootfs too. */
#define FS_LOOKUP_FULL (1u << 8)

/* /proc (shim/fsview/fs_proc.c). Open r (in a /proc mount) with flags for
 * c's caller; returns the fd or -errno, *fifo as for fs_agent_open (a
 * magic link to a FIFO). */
int fs_proc_open(struct fs_view *v, struct fs_call *c, const struct resolved *r, int flags,
                 bool *fifo);
/* Close the pinned ptys (shim/fsview/handlers_fs.c). */
void fs_ptys_release(struct fs_view *v);
/* Make the pty whose slave is slave_fd (an `exec -t` terminal, from the
 * runtime's caller) one of the container's: /dev/pts/N then opens and stats
 * it, so ttyname() and tty name it. Pinned as the ptys made through
 * /dev/ptmx are, forgotten when its master closes. 0, or -errno (not a pty
 * slave, or no room: then it stays nameless, as before). */
int fs_pty_adopt(struct fs_view *v, int slave_fd);

/* Open rel beneath dirfd (openat2 with resolve) as thread tid of the
 * container would: this thread takes on tid's euid, egid, fsuid, fsgid,
 * groups and effective capabilities for the open and comes back (or the
 * supervisor aborts). For host objects the agent cannot reach because the
 * container's Landlock domain grants nothing there (/proc's non-pid files,
 * /dev/pts), whose open the kernel checks against the opener's
 * credentials. The fd, or -errno. */
int fs_open_as_caller(pid_t tid, int dirfd, const char *rel, int flags, uint64_t resolve);
/* Whether pid is a process of the container (c's caller is one, by its
 * trap). */
bool fs_is_member(struct fs_view *v, const struct fs_call *c, pid_t pid);
/* Translate a /proc magic link's host target for the container. */
int fs_proc_readlink(struct fs_view *v, const struct fs_call *c, const struct resolved *r,
                     char *buf, size_t size);

#endif
