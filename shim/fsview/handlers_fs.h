/* The filesystem view's handlers (handlers_fs*.c): their tables, which
 * shim/supervisor/handlers.c selects from, and the steps they share.
 *
 * Each handler runs with n->ctx set to the container's struct fs_view (the
 * ctx of its notify_entry): view_of() below is the one way to reach it.
 * The view holds what outlives a call; each handler makes a struct fs_call
 * for its call (fs.h) and passes it to the steps below, which keep their
 * scratch (the path, the result, the agent request) there. */
#ifndef RUNLOCK_SHIM_FSVIEW_HANDLERS_FS_H
#define RUNLOCK_SHIM_FSVIEW_HANDLERS_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "shim/fsview/fs.h"
#include "shim/notify/notify.h"

#define XATTR_NAME_LEN 256 /* XATTR_NAME_MAX + 1 */

static inline struct fs_view *view_of(struct notify *n)
{
	return n->ctx;
}

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
		 * invariant, shim/fsview/fs.h), so a path rewritten after the check
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

/* Open r (a path in the emulated view, fs_lookup's result) for c's caller
 * with flags and mode (handlers_fs.c); *fifo set as for fs_agent_open.
 * Returns the fd or -errno. */
int fs_open_resolved(struct fs_view *v, struct fs_call *c, const struct resolved *r, int flags,
                     mode_t mode, bool *fifo);

/* An id of i386's 16-bit chown calls: 0xffff is -1 ("unchanged"). */
static inline uint32_t fs_id16(uint64_t id)
{
	return (uint16_t)id == 0xffff ? UINT32_MAX : (uint16_t)id;
}

/* An O_PATH descriptor of r (a path of the view) for a stat, a readlink or
 * an access check (handlers_fs.c); nofollow: the final symlink itself.
 * Returns it or -errno. */
int fs_path_fd(struct fs_view *v, struct fs_call *c, const struct resolved *r, bool nofollow);

/* Split the resolved c->res into at's pinned directory, parent path and
 * name; write: refuse a read-only mount (EROFS). 0 or -errno (EBUSY for a
 * mount point itself). handlers_fs_modify.c. */
int fs_target_split(const struct fs_view *v, const struct fs_call *c, struct agent_at *at,
                    bool write);

/* Our copy of the caller's descriptor fd (pidfd_getfd), or -errno
 * (fs_caller.c). */
int fs_fd_copy(int listener, const struct seccomp_notif *req, int fd);

/* The attribute name at addr in c's caller into name (read through
 * c->link); -ERANGE for an empty or too long one, as the kernel says
 * (fs_caller.c). */
int fs_xattr_name(struct fs_call *c, uint64_t addr, char name[AGENT_NAME_MAX]);

/* c's agent request, cleared, for a change of kind (AGENT_MKDIR ...
 * AGENT_INOTIFY_ADD; fs_agent.c). */
struct agent_request *fs_fsop_fresh(struct fs_call *c, enum agent_kind kind);

/* Fill q with the caller's identity and have the agent carry out the
 * change, with n_in descriptors sent along; the reply's data (if any)
 * into out (size bytes at most) and the reply into *rep (may be NULL).
 * 0 or -errno. */
int fs_fsop_call(struct fs_view *v, const struct fs_call *c, struct agent_request *q,
                 const int *in_fds, size_t n_in, void *out, size_t size, struct agent_reply *rep);

/* The same on in_fd when >= 0, answered in a (the errno, or 0). */
void fs_run_fsop(struct fs_view *v, const struct fs_call *c, struct agent_request *q, int in_fd,
                 struct notify_answer *a);

/* Metadata changes on a caller's descriptor (handlers_fs_fd.c), also the
 * descriptor forms of utimensat, fchownat and fchmodat2. times: atime sec,
 * nsec, mtime sec, nsec, or NULL for now. */
void fs_fd_chmod(struct fs_view *v, struct fs_call *c, int fd, uint32_t mode,
                 struct notify_answer *a);
void fs_fd_chown(struct fs_view *v, struct fs_call *c, int fd, uint32_t uid, uint32_t gid,
                 struct notify_answer *a);
void fs_fd_utimens(struct fs_view *v, struct fs_call *c, int fd, const int64_t *times,
                   struct notify_answer *a);

#endif
