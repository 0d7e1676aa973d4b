/* The agent: the part of runlock that lives inside the container's chroot
 * and Landlock domain (docs/design.md, "The picture").
 *
 * It answers the supervisor on one SOCK_SEQPACKET socket:
 * - AGENT_MEMBERS / AGENT_SIGNAL: the membership oracle. With Landlock's
 *   signal scope, kill(pid, 0) from inside the domain succeeds only for the
 *   container's processes (nested domains included), so a scan of every pid
 *   finds, and signals, exactly the container, daemons that setsid() and
 *   double-forked away included. The scan is refused (ENOTSUP) unless the
 *   scope is proven in force: kill(parent, 0) must fail with EPERM.
 * - AGENT_OPEN: openat2() on a pinned directory with RESOLVE_BENEATH or
 *   RESOLVE_IN_ROOT, as the calling process (fsuid, fsgid, supplementary
 *   groups, effective capabilities), the fd returned with SCM_RIGHTS.
 *   dir 0 is the container's root, dir i+1 the source of mount i. Options:
 *   AGENT_O_REOPEN opens the pinned source itself (a file mount: path
 *   ignored) through /proc/self/fd, so the kernel checks the caller's
 *   permission on the inode and Landlock the path of the object;
 *   AGENT_O_ACCESS checks `access` (R_OK...) on the object (AT_EACCESS, as
 *   the caller's filesystem identity) and returns no fd. A FIFO opened
 *   without O_NONBLOCK would block the agent: it is tried with O_NONBLOCK
 *   (the kernel's permission and Landlock checks run before the FIFO waits
 *   for its peer) and, allowed, returned as an O_PATH fd with AGENT_R_FIFO,
 *   for the supervisor to open where waiting harms no one.
 *   AGENT_SIGNAL leaves req.spare out (the container's init, which as pid 1
 *   of a pid namespace would drop the signal).
 * - AGENT_QUIT: exit without touching the container.
 * When the supervisor's end closes (it died), the agent kills the container
 * (fail closed) and exits. */
#ifndef RUNLOCK_SHIM_AGENT_AGENT_H
#define RUNLOCK_SHIM_AGENT_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum agent_op { AGENT_MEMBERS = 1, AGENT_SIGNAL, AGENT_OPEN, AGENT_QUIT, AGENT_FSOP };

/* AGENT_FSOP: a change made as the caller on name `path` in the directory
 * `path2`... see struct agent_req. */
enum agent_fsop {
	FSOP_MKDIR = 1, /* mkdirat(dir, path, mode) */
	FSOP_UNLINK,    /* unlinkat(dir, path, flags) */
	FSOP_SYMLINK,   /* symlinkat(path2, dir, path): path2 the target */
	FSOP_MKNOD,     /* mknodat(dir, path, mode, 0): FIFOs and sockets only */
	FSOP_CHMOD,     /* fchmodat(dir, path, mode, flags & AT_SYMLINK_NOFOLLOW) */
	FSOP_CHOWN,     /* fchownat(dir, path, uid, gid, flags) */
	FSOP_TRUNCATE,  /* open path for writing, ftruncate(length) */
	FSOP_UTIMENS,   /* utimensat(dir, path, times, flags) */
	FSOP_RENAME,    /* renameat2(dir, path, dir2, path2, flags) */
	FSOP_LINK,      /* linkat(dir, path, dir2, path2, 0) */
	/* On the descriptor sent with the request (the supervisor's copy of
	 * the caller's, taken with pidfd_getfd): */
	FSOP_FCHMOD,       /* fchmod(fd, mode) */
	FSOP_FCHOWN,       /* fchown(fd, uid, gid) */
	FSOP_FUTIMENS,     /* futimens(fd, times) */
	FSOP_FSETXATTR,    /* fsetxattr(fd, name, path2[0..length), flags) */
	FSOP_FREMOVEXATTR, /* fremovexattr(fd, name) */
	/* The container's socket (its copy, sent along) and a name in a
	 * directory beneath a pinned one, reached through the host's /proc
	 * (the chroot has no path to it): */
	FSOP_CONNECT, /* connect(fd, <dir>/<name>): a named UNIX socket in a mount */
	FSOP_BIND,    /* bind(fd, <dir>/<name>) */
	/* On the object whose O_PATH descriptor is sent along (a symlink's
	 * own when the caller does not follow it), reached as "self/fd/N"
	 * below the host's /proc: */
	FSOP_GETXATTR,    /* getxattr(name, length bytes at most): the value follows the reply */
	FSOP_LISTXATTR,   /* listxattr(length bytes at most): the list follows the reply */
	FSOP_SETXATTR,    /* setxattr(name, path2[0..length), flags) */
	FSOP_REMOVEXATTR, /* removexattr(name) */
	/* The container's inotify descriptor (its copy) first, the object
	 * second: inotify_add_watch(fd, object, mode as the mask). */
	FSOP_INOTIFY_ADD,
};

#define AGENT_MAX_GROUPS 64
#define AGENT_MAX_DIRS   16
#define AGENT_MAX_PIDS   32768
#define AGENT_MAX_DEVS   32
#define AGENT_MAX_XATTR  65536 /* XATTR_SIZE_MAX, and XATTR_LIST_MAX */

struct agent_req {
	uint32_t op;
	int32_t sig;   /* AGENT_SIGNAL */
	int32_t spare; /* AGENT_SIGNAL: a pid left out (0: none) */
	/* AGENT_OPEN */
	int32_t dir; /* index into the pinned directories; 0 is the container's root */
	int32_t flags;
	uint32_t mode;
	uint64_t resolve;
	uint32_t fsuid, fsgid;
	uint32_t euid, egid; /* CONNECT, BIND: the identity the peer and the name get */
	uint32_t n_groups;
	uint32_t groups[AGENT_MAX_GROUPS];
	uint64_t cap_effective;
	/* The caller's umask (its /proc status "Umask:") | AGENT_UMASK_SET:
	 * what it creates on behalf (open O_CREAT, O_TMPFILE, mkdir, mknod,
	 * bind) gets the mode the kernel would give the caller, default ACLs
	 * of the parent directory included (the kernel applies them and skips
	 * the umask). 0: the agent's own umask. */
	uint32_t umask;
	uint32_t options; /* AGENT_O_* */
	int32_t access;   /* AGENT_O_ACCESS: R_OK | W_OK | X_OK, or F_OK */
	/* AGENT_FSOP: `dir`/`path` name the parent directory (resolved beneath
	 * the pinned directory) and `name` the object in it; RENAME and LINK
	 * also dir2/path2/name2. */
	uint32_t fsop;
	int32_t dir2;
	uint32_t uid, gid; /* CHOWN (-1: unchanged) */
	int64_t length;    /* TRUNCATE */
	int64_t times[4];  /* UTIMENS: atime sec, nsec, mtime sec, nsec */
	int32_t has_times;
	uint32_t n_devs;               /* AGENT_O_DEVLIST */
	uint64_t devs[AGENT_MAX_DEVS]; /* (S_IFCHR or S_IFBLK) << 32 | makedev's 32 bits */
	char name[256], name2[256];
	char path2[4096];
	char path[4096];
};

/* AGENT_MEMBERS: count pids follow as int32; AGENT_SIGNAL: count signalled;
 * AGENT_OPEN: the fd rides along; FSOP_GETXATTR, FSOP_LISTXATTR: count
 * bytes follow (the size alone when length was 0); FSOP_INOTIFY_ADD: count
 * is the watch descriptor. err is an errno, 0 for success. */
struct agent_reply {
	int32_t err;
	uint32_t count; /* AGENT_OPEN: AGENT_R_* */
};

#define AGENT_O_REOPEN (1u << 0)
#define AGENT_O_ACCESS (1u << 1)
#define AGENT_O_MAGIC  (1u << 2) /* path "PID/..." below the host's /proc, magic links followed */
#define AGENT_O_NODEV  (1u << 3) /* a device node is not opened: EACCES (a nodev mount) */
#define AGENT_O_DEVLIST                                                                            \
	(1u << 4) /* a device node is opened only if devs[] lists it, else EPERM                   \
	            (what runc's devices cgroup allows) */
#define AGENT_R_FIFO (1u << 0)

#define AGENT_UMASK_SET (1u << 31)

struct agent_config {
	int sock;                 /* to the supervisor */
	int proc_fd;              /* the host's /proc, opened before chroot; -1 when none */
	int dirs[AGENT_MAX_DIRS]; /* pinned directories; dirs[0] the root */
	int n_dirs;
	const int *mount_fds; /* pinned mount sources: dir i + 1 is mount_fds[i] */
	size_t n_mounts;
	pid_t exclude[4]; /* runlock's own processes in the domain */
	int n_exclude;
	uid_t euid; /* the agent's own, taken back after a connect or bind */
	gid_t egid;
	mode_t umask; /* the agent's own, taken back after each request */
};

/* Serve until AGENT_QUIT or the supervisor is gone. Never returns. */
__attribute__((noreturn)) void agent_serve(const struct agent_config *c);

/* Install the agent's own allowlist (anything else kills it: fail closed).
 * Call after the last fork the agent makes. */
int agent_confine(struct rl_error *e);

/* The supervisor's side: one request, one reply; fds/pids out as the op
 * gives. pids may be NULL. Returns 0, or -1 with e set (the agent's errno
 * or the transport's). */
int agent_call(int sock, const struct agent_req *req, struct agent_reply *rep, pid_t *pids,
               size_t max_pids, int *fd, struct rl_error *e);

/* The same with in_fd sent along (AGENT_FSOP on a descriptor); no fd back. */
int agent_call_with_fd(int sock, const struct agent_req *req, int in_fd, struct agent_reply *rep,
                       struct rl_error *e);
/* The same with n_in (1 or 2) descriptors sent along and the reply's data
 * (if any) copied to out, at most size bytes; rep->count is the agent's. */
int agent_call_data(int sock, const struct agent_req *req, const int *in_fds, size_t n_in,
                    struct agent_reply *rep, void *out, size_t size, struct rl_error *e);

#endif
