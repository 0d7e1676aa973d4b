/* The supervisor's seccomp user-notification service.
 *
 * Contract
 * - One `struct notify` serves every listener of a container. It owns the
 *   receive buffers (sized once with SECCOMP_GET_NOTIF_SIZES), so answering a
 *   notification allocates nothing.
 * - Handlers are dispatched by (ABI, syscall number) through direct-indexed
 *   tables filled at start-up from names (notify_table in handlers.c), for
 *   x86_64 and i386. A syscall with no handler is answered ENOSYS, never
 *   CONTINUE (fail closed, principle 4).
 * - A handler fills a `struct notify_answer`: an errno, a return value, an
 *   fd to inject (ADDFD with SECCOMP_ADDFD_FLAG_SEND; the supervisor's copy is
 *   closed whatever happens), CONTINUE (only where principle 2 allows:
 *   the decision is not a security one), or PENDING: the handler keeps the
 *   id and answers later with notify_respond(), so work that can block does
 *   not stall the container's other notifications.
 * - Child memory is read with process_vm_readv (falling back to
 *   /proc/<tid>/mem) and used only after SECCOMP_IOCTL_NOTIF_ID_VALID says the
 *   caller is still the one that trapped. Writes go through /proc/<tid>/mem
 *   opened *before* the validity check, so a recycled pid is never written. */
#ifndef RUNLOCK_SHIM_NOTIFY_NOTIFY_H
#define RUNLOCK_SHIM_NOTIFY_NOTIFY_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/confine/seccomp.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

enum notify_kind {
	ANSWER_ERRNO,    /* fail with err */
	ANSWER_VALUE,    /* return val */
	ANSWER_FD,       /* inject fd (always closed here), return its number */
	ANSWER_CONTINUE, /* let the kernel run the call */
	ANSWER_PENDING,  /* the handler answers later with notify_respond() */
};

struct notify_answer {
	enum notify_kind kind;
	int err;
	int64_t val;
	int fd;
	unsigned int fd_flags; /* O_CLOEXEC for the injected fd */
};

enum notify_abi { NOTIFY_ABI_X86_64, NOTIFY_ABI_I386, NOTIFY_ABI_COUNT };

#define NOTIFY_MAX_NR 512

struct notify;
typedef void (*notify_handler)(struct notify *n, int listener, const struct seccomp_notif *req,
                               enum notify_abi abi, struct notify_answer *a);

struct notify_entry {
	const char *name; /* libseccomp's name; resolved for both ABIs */
	notify_handler fn;
};

/* A table of entries and the state its handlers serve (n->ctx while one of
 * them runs). */
struct notify_set {
	const struct notify_entry *entries;
	size_t count;
	void *ctx;
	/* NULL, or per entry: trapped only when these hold (an empty list:
	 * every call). The handler still checks what it relies on: a call of
	 * the other ABI may reach it. */
	const struct trap_cond (*conds)[TRAP_MAX_CONDS];
};

struct notify {
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	notify_handler table[NOTIFY_ABI_COUNT][NOTIFY_MAX_NR];
	void *ctxs[NOTIFY_ABI_COUNT][NOTIFY_MAX_NR];
	void *ctx; /* while a handler runs: its entry's ctx (the fs view, ...) */
	uint64_t handled;
};

/* Size the buffers and fill the dispatch tables from the n_sets sets. */
int notify_init(struct notify *n, const struct notify_set *sets, size_t n_sets, struct rl_error *e);
void notify_release(struct notify *n);

/* Prepare a listener fd just received: synchronous wake-up when the kernel
 * has it (Linux 6.6; the answer goes straight to the waiting thread's CPU).
 * Returns whether the flag took, errno set when not. */
bool notify_listener_setup(int listener);

/* Receive and answer one notification on listener. Returns 0 when one was
 * handled (or vanished: its caller died), -1 with errno when the listener
 * is finished (ENOTCONN/EBADF: every filter user is gone). */
int notify_handle_one(struct notify *n, int listener);

/* Answer notification id on listener. Closes a->fd for ANSWER_FD. */
int notify_respond(int listener, uint64_t id, const struct notify_answer *a);

/* Whether id is still pending: its caller has not died or been
 * interrupted. */
bool notify_id_valid(int listener, uint64_t id);

/* Copy len bytes at addr in tid's memory into buf, then check id still
 * valid. Returns 0 or -1 with errno (ESRCH when the caller is gone). */
int notify_read_mem(int listener, uint64_t id, pid_t tid, uint64_t addr, void *buf, size_t len);

/* Write len bytes to addr in tid's memory, only if id is still valid after
 * tid's memory has been pinned open. listener -1: no notification to check
 * (a thread held in a ptrace stop, shim/notify/redirect.h). */
int notify_write_mem(int listener, uint64_t id, pid_t tid, uint64_t addr, const void *buf,
                     size_t len);

/* The ABI of a notification's syscall, or -1 (x32 and others: answered ENOSYS). */
int notify_abi_of(uint32_t arch);

#endif
