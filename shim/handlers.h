/* What the supervisor emulates, and the syscalls it traps for it.
 *
 * handlers_select() is the single list both sides use: confine_build()
 * compiles a SCMP_ACT_NOTIFY rule for each name it returns, and the
 * supervisor dispatches the same names to their handlers. A syscall is
 * trapped only when the bundle asks for what its handler emulates. */
#ifndef RUNLOCK_SHIM_HANDLERS_H
#define RUNLOCK_SHIM_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "oci/config.h"
#include "shim/fs.h"
#include "shim/notify.h"

#define HANDLERS_MAX 96 /* 81 today: uts 5, signals 5, the filesystem view 71 */

/* Per-namespace handler sets (handlers_uts.c, ...). */
extern const struct notify_entry uts_entries[];
extern const size_t n_uts_entries;
/* pid: signals to init as to pid 1 (handlers_signal.c). */
extern const struct notify_entry signal_entries[];
extern const size_t n_signal_entries;
/* The filesystem view (handlers_fs.c): every container has a mount table. */
extern const struct notify_entry fs_entries[];
extern const size_t n_fs_entries;
extern const struct notify_entry fs_stat_entries[]; /* handlers_fs_stat.c */
extern const size_t n_fs_stat_entries;
extern const struct notify_entry fs_modify_entries[]; /* handlers_fs_modify.c */
extern const size_t n_fs_modify_entries;
extern const struct notify_entry fs_socket_entries[]; /* handlers_fs_socket.c */
extern const size_t n_fs_socket_entries;
extern const struct notify_entry fs_listen_entries[]; /* handlers_fs_socket.c: no network */
extern const size_t n_fs_listen_entries;
extern const struct notify_entry fs_xattr_entries[]; /* handlers_fs_xattr.c */
extern const size_t n_fs_xattr_entries;
extern const struct notify_entry fs_exec_entries[]; /* handlers_fs_exec.c */
extern const size_t n_fs_exec_entries;
extern const struct notify_entry fs_fd_entries[]; /* handlers_fs_fd.c */
extern const size_t n_fs_fd_entries;

/* After fs_lookup(): whether its result r is the answer already (FS_ROOTFS:
 * CONTINUE; -errno: that error), which a is then set to. */
static inline bool fs_lookup_answers(int r, struct notify_answer *a)
{
	if (r == FS_ROOTFS) {
		/* CONTINUE: the kernel resolves the path from the caller's root
		 * or its working directory, both inside the root (the CONTINUE
		 * invariant, shim/fs.h), so a path rewritten after the check
		 * stays inside the chroot. */
		a->kind = ANSWER_CONTINUE;
		return true;
	}
	if (r < 0) {
		a->err = -r;
		return true;
	}
	return false;
}

/* Open r (a path in the emulated view, fs_lookup's result) for the caller
 * with flags and mode (handlers_fs.c); *fifo set as for fs_agent_open.
 * Returns the fd or -errno. */
int fs_open_resolved(struct fs_view *v, const struct seccomp_notif *req, const struct resolved *r,
                     int flags, mode_t mode, bool *fifo);

/* An id of i386's 16-bit chown calls: 0xffff is -1 ("unchanged"). */
static inline uint32_t fs_id16(uint64_t id)
{
	return (uint16_t)id == 0xffff ? UINT32_MAX : (uint16_t)id;
}

/* An O_PATH descriptor of r (a path of the view) for a stat, a readlink or
 * an access check (handlers_fs.c); nofollow: the final symlink itself.
 * Returns it or -errno. */
int fs_path_fd(struct fs_view *v, const struct seccomp_notif *req, const struct resolved *r,
               bool nofollow);

/* Split the resolved v->res into q's parent directory and name (second:
 * dir2/path2/name2); write: refuse a read-only mount (EROFS). 0 or -errno
 * (EBUSY for a mount point itself). handlers_fs_modify.c. */
int fs_target_split(struct fs_view *v, struct agent_req *q, bool second, bool write);

/* Our copy of the caller's descriptor fd (pidfd_getfd), or -errno
 * (handlers_fs_fd.c). */
int fs_fd_copy(int listener, const struct seccomp_notif *req, int fd);

/* The attribute name at addr in the caller into q->name; -ERANGE for an
 * empty or too long one, as the kernel says (handlers_fs_xattr.c). */
int fs_xattr_name(struct fs_view *v, int listener, const struct seccomp_notif *req, uint64_t addr,
                  struct agent_req *q);

/* v's agent request, cleared, for an AGENT_FSOP op (handlers_fs_modify.c). */
struct agent_req *fs_fsop_fresh(struct fs_view *v, enum agent_fsop op);

/* Fill q with the caller's identity and have the agent carry out the
 * AGENT_FSOP, with n_in descriptors sent along; the reply's data (if any)
 * into out (size bytes at most) and its count into *count (may be NULL).
 * 0 or -errno. */
int fs_fsop_call(struct fs_view *v, const struct seccomp_notif *req, struct agent_req *q,
                 const int *in_fds, size_t n_in, void *out, size_t size, uint32_t *count);

/* The same on in_fd when >= 0, answered in a (the errno, or 0). */
void fs_run_fsop(struct fs_view *v, const struct seccomp_notif *req, struct agent_req *q, int in_fd,
                 struct notify_answer *a);

/* Metadata changes on a caller's descriptor (handlers_fs_fd.c), also the
 * descriptor forms of utimensat, fchownat and fchmodat2. times: atime sec,
 * nsec, mtime sec, nsec, or NULL for now. */
void fs_fd_chmod(struct notify *n, int listener, const struct seccomp_notif *req, int fd,
                 uint32_t mode, struct notify_answer *a);
void fs_fd_chown(struct notify *n, int listener, const struct seccomp_notif *req, int fd,
                 uint32_t uid, uint32_t gid, struct notify_answer *a);
void fs_fd_utimens(struct notify *n, int listener, const struct seccomp_notif *req, int fd,
                   const int64_t *times, struct notify_answer *a);

/* The container's private view of what a namespace would have held. */
struct emul_state {
	char hostname[65];   /* uts: nodename, as sethostname left it */
	char domainname[65]; /* uts: NIS domain name */
	struct fs_view fs;   /* the mount table's view */
	/* pid namespace asked for: the container's init, once named (0 and
	 * -1 before; the pidfd is the supervisor's own copy). */
	pid_t init_pid;
	int init_pidfd;
};

/* The handlers this bundle needs; returns their count (0: nothing trapped,
 * no listener). */
size_t handlers_select(const struct oci_config *c, struct notify_entry *out, size_t max);

/* Initial emulated state from the bundle (hostname, domainname). */
void handlers_init_state(const struct oci_config *c, struct emul_state *s);

/* The effective capability set of thread tid, or 0 when it cannot be read. */
unsigned long long handlers_caller_caps(int tid);

#endif
