/* The agent's channel: the supervisor asks, the agent (shim/agent/)
 * answers, one SOCK_SEQPACKET datagram each way, one request at a time.
 * The agent is a fork of the supervisor, so both ends are one build.
 *
 * Every request is one kind of enum agent_kind with a struct of its own
 * (no field means two things): the kinds that act as the calling process
 * carry its identity (struct agent_caller) beside it. agent_req_encode()
 * and agent_req_decode() are the only code that lays out or reads a
 * request, agent_reply_encode() and agent_reply_decode() the same for a
 * reply. A decoder refuses a datagram whose length is not its kind's, a
 * string without its terminator, an unknown kind (EPROTO), and a kind
 * the agent's state does not permit (ENOTSUP): see agent_permitted(). */
#ifndef RUNLOCK_SHIM_IPC_AGENT_PROTO_H
#define RUNLOCK_SHIM_IPC_AGENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define AGENT_MAX_GROUPS    64
#define AGENT_MAX_DIRS      16
#define AGENT_MAX_PIDS      32768
#define AGENT_MAX_DEVS      32
#define AGENT_MAX_XATTR     65536 /* XATTR_SIZE_MAX, and XATTR_LIST_MAX */
#define AGENT_MAX_SET_XATTR 4096  /* a value set through the view (E2BIG beyond) */
#define AGENT_PATH_MAX      4096
#define AGENT_NAME_MAX      256 /* XATTR_NAME_MAX + 1, NAME_MAX + 1 */

enum agent_kind {
	/* The membership oracle (no caller identity). */
	AGENT_MEMBERS = 1, /* reply: n pids follow */
	AGENT_SIGNAL,      /* struct agent_signal; reply: n signalled */
	AGENT_QUIT,        /* exit without touching the container; no reply */
	/* As the caller: */
	AGENT_OPEN, /* struct agent_open; reply: fifo, and the fd with SCM_RIGHTS */
	/* A name (struct agent_at) beneath a pinned directory: */
	AGENT_MKDIR,    /* mkdirat(dir, name, mode) */
	AGENT_UNLINK,   /* unlinkat(dir, name, flags) */
	AGENT_SYMLINK,  /* symlinkat(target, dir, name) */
	AGENT_MKNOD,    /* mknodat(dir, name, mode, 0): FIFOs and sockets only */
	AGENT_CHMOD,    /* fchmodat(dir, name, mode, flags & AT_SYMLINK_NOFOLLOW) */
	AGENT_CHOWN,    /* fchownat(dir, name, uid, gid, flags) */
	AGENT_TRUNCATE, /* the object opened for writing, ftruncate(length) */
	AGENT_UTIMENS,  /* utimensat(dir, name, times, flags) */
	AGENT_RENAME,   /* renameat2(from, to, flags) */
	AGENT_LINK,     /* linkat(from, to, 0) */
	/* On the descriptor sent along (the supervisor's copy of the
	 * caller's, taken with pidfd_getfd): */
	AGENT_FCHMOD,       /* fchmod(fd, mode) */
	AGENT_FCHOWN,       /* fchown(fd, uid, gid) */
	AGENT_FUTIMENS,     /* futimens(fd, times) */
	AGENT_FSETXATTR,    /* fsetxattr(fd, name, value, size, flags) */
	AGENT_FREMOVEXATTR, /* fremovexattr(fd, name) */
	/* The container's socket (its copy, sent along) and a name beneath a
	 * pinned directory, reached through the host's /proc: */
	AGENT_CONNECT, /* connect(fd, <dir>/<name>): a named UNIX socket in a mount */
	AGENT_BIND,    /* bind(fd, <dir>/<name>) */
	/* On the object whose O_PATH descriptor is sent along, reached as
	 * "self/fd/N" below the host's /proc: */
	AGENT_GETXATTR,    /* getxattr(name, size at most); reply: size, the value follows */
	AGENT_LISTXATTR,   /* listxattr(size at most); reply: size, the list follows */
	AGENT_SETXATTR,    /* setxattr(name, value, size, flags) */
	AGENT_REMOVEXATTR, /* removexattr(name) */
	/* The container's inotify descriptor (its copy) first, the object
	 * second: inotify_add_watch(fd, object, mask); reply: wd. */
	AGENT_INOTIFY_ADD,
	AGENT_KIND_END
};

/* Whom an as-caller request acts as, from its /proc status. */
struct agent_caller {
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
};
#define AGENT_UMASK_SET (1u << 31)

/* A name in a directory: path (relative; "" for the pinned directory
 * itself) is resolved beneath pinned directory dir (0: the container's
 * root, i + 1: the source of mount i) with resolve (RESOLVE_BENEATH or
 * RESOLVE_IN_ROOT required), and name is the object in it. */
struct agent_at {
	int32_t dir;
	uint64_t resolve;
	char path[AGENT_PATH_MAX];
	char name[AGENT_NAME_MAX];
};

/* AGENT_SIGNAL: sig to every member but spare (0: none; the container's
 * init, which as pid 1 of a pid namespace would drop the signal). */
struct agent_signal {
	int32_t sig;
	int32_t spare;
};

/* AGENT_OPEN: openat2(dir, path, flags, mode, resolve) as the caller. */
struct agent_open {
	int32_t dir;
	int32_t flags;
	uint32_t mode;
	uint64_t resolve;
	uint32_t options;              /* AGENT_O_* */
	int32_t access;                /* AGENT_O_ACCESS: R_OK | W_OK | X_OK, or F_OK */
	uint32_t n_devs;               /* AGENT_O_DEVLIST */
	uint64_t devs[AGENT_MAX_DEVS]; /* (S_IFCHR or S_IFBLK) << 32 | makedev's 32 bits */
	char path[AGENT_PATH_MAX];
};
#define AGENT_O_REOPEN (1u << 0) /* the pinned source itself (path ignored), reopened */
#define AGENT_O_ACCESS (1u << 1) /* check access(2) on the object, return no fd */
#define AGENT_O_MAGIC  (1u << 2) /* path "PID/..." below the host's /proc, magic links followed */
#define AGENT_O_NODEV  (1u << 3) /* a device node is not opened: EACCES (a nodev mount) */
#define AGENT_O_DEVLIST                                                                            \
	(1u << 4) /* a device node is opened only if devs[] lists it, else EPERM                   \
	            (what runc's devices cgroup allows) */

/* Times for UTIMENS and FUTIMENS: atime sec, nsec, mtime sec, nsec, or
 * "now" for both when set is 0. */
struct agent_times {
	int32_t set;
	int64_t t[4];
};

struct agent_mkdir {
	struct agent_at at;
	uint32_t mode;
};
struct agent_unlink {
	struct agent_at at;
	int32_t flags; /* AT_REMOVEDIR */
};
struct agent_symlink {
	struct agent_at at;
	char target[AGENT_PATH_MAX]; /* never resolved */
};
struct agent_mknod {
	struct agent_at at;
	uint32_t mode;
};
struct agent_chmod {
	struct agent_at at;
	uint32_t mode;
	int32_t flags; /* AT_SYMLINK_NOFOLLOW */
};
struct agent_chown {
	struct agent_at at;
	uint32_t uid, gid; /* -1: unchanged */
	int32_t flags;     /* AT_SYMLINK_NOFOLLOW */
};
struct agent_truncate {
	struct agent_at at;
	int64_t length;
};
struct agent_utimens {
	struct agent_at at;
	struct agent_times times;
	int32_t flags; /* AT_SYMLINK_NOFOLLOW */
};
/* RENAME and LINK: both ends in the same pinned directory. */
struct agent_rename {
	struct agent_at from, to;
	int32_t flags; /* renameat2's */
};
struct agent_link {
	struct agent_at from, to;
};
struct agent_fchmod {
	uint32_t mode;
};
struct agent_fchown {
	uint32_t uid, gid;
};
struct agent_futimens {
	struct agent_times times;
};
/* FSETXATTR and SETXATTR: only size bytes of value travel. */
struct agent_setxattr {
	char name[AGENT_NAME_MAX];
	int32_t flags;
	uint32_t size;
	char value[AGENT_MAX_SET_XATTR];
};
/* FREMOVEXATTR and REMOVEXATTR. */
struct agent_removexattr {
	char name[AGENT_NAME_MAX];
};
struct agent_getxattr {
	char name[AGENT_NAME_MAX];
	uint32_t size; /* the most bytes wanted; 0: the size only */
};
struct agent_listxattr {
	uint32_t size; /* the most bytes wanted; 0: the size only */
};
/* CONNECT: pinned_source set connects to the pinned source of mount
 * at.dir itself (a socket bound as a file mount; path and name unused). */
struct agent_connect {
	struct agent_at at;
	uint32_t pinned_source;
};
struct agent_bind {
	struct agent_at at;
};
struct agent_inotify_add {
	uint32_t mask;
};

/* A request: kind says which member of u is meant; caller is filled for
 * every kind agent_acts_as_caller() names. */
struct agent_request {
	uint32_t kind; /* enum agent_kind */
	struct agent_caller caller;
	union {
		struct agent_signal signal;
		struct agent_open open;
		struct agent_mkdir mkdir;
		struct agent_unlink unlink;
		struct agent_symlink symlink;
		struct agent_mknod mknod;
		struct agent_chmod chmod;
		struct agent_chown chown;
		struct agent_truncate truncate;
		struct agent_utimens utimens;
		struct agent_rename rename;
		struct agent_link link;
		struct agent_fchmod fchmod;
		struct agent_fchown fchown;
		struct agent_futimens futimens;
		struct agent_setxattr fsetxattr;
		struct agent_removexattr fremovexattr;
		struct agent_connect connect;
		struct agent_bind bind;
		struct agent_getxattr getxattr;
		struct agent_listxattr listxattr;
		struct agent_setxattr setxattr;
		struct agent_removexattr removexattr;
		struct agent_inotify_add inotify_add;
	} u;
};

/* The reply to a request of kind: err is an errno, 0 for success; on an
 * error nothing else travels. Data (MEMBERS' pids as int32, GETXATTR's
 * value, LISTXATTR's list) follows the reply in the same datagram. */
struct agent_reply {
	uint32_t kind; /* the request's (0: a request that could not be decoded) */
	int32_t err;
	union {
		struct {
			uint32_t n_pids;
		} members;
		struct {
			uint32_t n_signalled;
		} signal;
		struct {
			uint32_t fifo; /* the fd is an O_PATH fd of a FIFO still to open */
		} open;
		struct {
			uint32_t size; /* the value's or list's size */
		} xattr;               /* GETXATTR, LISTXATTR */
		struct {
			int32_t wd;
		} inotify_add;
	} u;
};

/* How many descriptors go with a request of kind: 0, 1 (the caller's
 * descriptor, socket or object) or 2 (INOTIFY_ADD). */
size_t agent_kind_fds(uint32_t kind);
/* Whether kind acts as the caller (struct agent_caller applies). */
bool agent_acts_as_caller(uint32_t kind);
/* "open", "mkdir"...; "unknown" outside the enum. */
const char *agent_kind_name(uint32_t kind);

/* The agent's states, fixed when it starts serving:
 * - AGENT_ST_SCOPED: the host's /proc is open and Landlock's signal scope
 *   is proven in force (kill(parent, 0) fails with EPERM), so a scan of
 *   every pid finds exactly the container: every kind is permitted.
 * - AGENT_ST_UNSCOPED: no such proof; the membership oracle (MEMBERS,
 *   SIGNAL) would reach the whole host and is refused (ENOTSUP). */
enum agent_state { AGENT_ST_SCOPED, AGENT_ST_UNSCOPED, AGENT_ST_END };
bool agent_permitted(enum agent_state st, uint32_t kind);
const char *agent_state_name(enum agent_state st);

/* The largest request datagram. */
#define AGENT_REQ_MAX (sizeof(uint32_t) + sizeof(struct agent_request))
/* The largest reply datagram (a header, then pids or an xattr value). */
#define AGENT_REPLY_MAX (16 + AGENT_MAX_PIDS * sizeof(int32_t))

/* Lay q out into buf (cap bytes, AGENT_REQ_MAX is enough). Returns the
 * length, or -1 with e set (an unknown kind, a value too long). */
ssize_t agent_req_encode(const struct agent_request *q, void *buf, size_t cap, struct rl_error *e);
/* Read a request of len bytes into q, for an agent in state st. -1 with e
 * set: EPROTO for a malformed datagram or unknown kind, ENOTSUP for a
 * kind st does not permit (q->kind is then set). */
int agent_req_decode(const void *buf, size_t len, enum agent_state st, struct agent_request *q,
                     struct rl_error *e);

/* Lay r out into buf with dlen bytes of data (pids as int32, or the
 * xattr bytes) after it; nothing but the header for an error. Returns the
 * length, or -1 with e set. */
ssize_t agent_reply_encode(const struct agent_reply *r, const void *data, size_t dlen, void *buf,
                           size_t cap, struct rl_error *e);
/* Read a reply of len bytes to a request of kind into r; *data and *dlen
 * (may be NULL) get the data after it. -1 with e set (EPROTO) when it is
 * not a reply to kind or its length is wrong; a reply with err set is
 * returned as 0 with r->err. */
int agent_reply_decode(const void *buf, size_t len, uint32_t kind, struct agent_reply *r,
                       const void **data, size_t *dlen, struct rl_error *e);

#endif
