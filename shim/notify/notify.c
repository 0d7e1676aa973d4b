#include "shim/notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/cleanup.h"

static const uint32_t abi_arch[NOTIFY_ABI_COUNT] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86};

int notify_abi_of(uint32_t arch)
{
	if (arch == AUDIT_ARCH_X86_64)
		return NOTIFY_ABI_X86_64;
	if (arch == AUDIT_ARCH_I386)
		return NOTIFY_ABI_I386;
	return -1;
}

static int notify_add(struct notify *n, const struct notify_entry *entry, void *ctx,
                      struct rl_error *e);

int notify_init(struct notify *n, const struct notify_set *sets, size_t n_sets, struct rl_error *e)
{
	struct seccomp_notif_sizes sz;

	memset(n, 0, sizeof(*n));
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return rl_fail_errno(e, errno, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
	/* The kernel's structs may be larger than ours: never smaller. */
	n->req_size = sz.seccomp_notif > sizeof(*n->req) ? sz.seccomp_notif : sizeof(*n->req);
	n->resp_size =
	    sz.seccomp_notif_resp > sizeof(*n->resp) ? sz.seccomp_notif_resp : sizeof(*n->resp);
	n->req = calloc(1, n->req_size);
	n->resp = calloc(1, n->resp_size);
	if (!n->req || !n->resp) {
		notify_release(n);
		return rl_fail(e, ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < n_sets; k++)
		for (size_t i = 0; i < sets[k].count; i++)
			if (notify_add(n, &sets[k].entries[i], sets[k].ctx, e) < 0)
				return -1;
	return 0;
}

static int notify_add(struct notify *n, const struct notify_entry *entry, void *ctx,
                      struct rl_error *e)
{
	for (int abi = 0; abi < NOTIFY_ABI_COUNT; abi++) {
		int nr = seccomp_syscall_resolve_name_arch(abi_arch[abi], entry->name);
		if (nr < 0)
			continue; /* not on this ABI */
		if (nr >= NOTIFY_MAX_NR) {
			notify_release(n);
			return rl_fail(e, ERANGE, "syscall %s: number %d out of range", entry->name,
			               nr);
		}
		n->table[abi][nr] = entry->fn;
		n->ctxs[abi][nr] = ctx;
	}
	return 0;
}

void notify_release(struct notify *n)
{
	free(n->req);
	free(n->resp);
	n->req = NULL;
	n->resp = NULL;
}

bool notify_listener_setup(int listener)
{
	/* The flag is the ioctl's argument itself, not a pointer to it. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0)
		return true;
	return false;
}

bool notify_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int notify_respond(int listener, uint64_t id, const struct notify_answer *a)
{
	struct seccomp_notif_resp resp = {.id = id};

	switch (a->kind) {
	case ANSWER_FD: {
		struct seccomp_notif_addfd add = {
		    .id = id,
		    .flags = SECCOMP_ADDFD_FLAG_SEND,
		    .srcfd = (uint32_t)a->fd,
		    .newfd_flags = a->fd_flags,
		};
		int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		int saved = errno;
		close(a->fd);
		if (r >= 0)
			return 0;
		if (saved == ENOENT)
			return 0; /* the caller died meanwhile */
		/* Could not inject (the caller's fd table is full, say): the
		 * call fails with that error rather than hanging. */
		resp.error = -saved;
		break;
	}
	case ANSWER_CONTINUE:
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case ANSWER_VALUE:
		resp.val = a->val;
		break;
	case ANSWER_PENDING:
		return 0;
	case ANSWER_ERRNO:
	default:
		resp.error = -(a->err ? a->err : ENOSYS);
		break;
	}
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int notify_handle_one(struct notify *n, int listener)
{
	struct notify_answer a = {.kind = ANSWER_ERRNO, .err = ENOSYS, .fd = -1};
	notify_handler fn = NULL;
	int abi;

	memset(n->req, 0, n->req_size);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, n->req) < 0) {
		/* ENOENT: the caller died or was interrupted before we read
		 * it. EINTR: try again later. */
		if (errno == ENOENT || errno == EINTR || errno == EAGAIN)
			return 0;
		return -1;
	}
	n->handled++;
	abi = notify_abi_of(n->req->data.arch);
	if (abi >= 0 && n->req->data.nr >= 0 && n->req->data.nr < NOTIFY_MAX_NR) {
		fn = n->table[abi][n->req->data.nr];
		n->ctx = n->ctxs[abi][n->req->data.nr];
	}
	if (fn)
		fn(n, listener, n->req, (enum notify_abi)abi, &a);
	if (notify_respond(listener, n->req->id, &a) < 0)
		return 0; /* the caller vanished mid-answer: nothing to do */
	return 0;
}

int notify_read_mem(int listener, uint64_t id, pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);

	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		char path[64];
		_cleanup_close_ int fd = -1;
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		n = pread(fd, buf, len, (off_t)addr);
	}
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EFAULT;
		return -1;
	}
	if (!notify_id_valid(listener, id)) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int notify_write_mem(int listener, uint64_t id, pid_t tid, uint64_t addr, const void *buf,
                     size_t len)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* The open fd pins tid's address space: if id is still valid now,
	 * the memory written is the caller's, whatever the pid names later. */
	if (listener >= 0 && !notify_id_valid(listener, id)) {
		errno = ESRCH;
		return -1;
	}
	n = pwrite(fd, buf, len, (off_t)addr);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}
