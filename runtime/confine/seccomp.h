/* seccomp filters: the bundle's profile and runlock's own mandatory filter.
 *
 * Both are compiled with libseccomp in the parent and exported as classic BPF;
 * the child installs them with one seccomp(2) call each, which is
 * async-signal-safe. They are installed as two separate filters: the kernel
 * evaluates every filter and takes the most restrictive answer, so a denial
 * in the bundle's profile always wins over anything runlock allows or
 * (later) notifies. */
#ifndef RUNLOCK_RUNTIME_CONFINE_SECCOMP_H
#define RUNLOCK_RUNTIME_CONFINE_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"

struct bpf_prog {
	struct sock_filter *insns; /* NULL: no filter */
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
};

/* Compile linux.seccomp exactly as written. Unknown syscall names are
 * skipped (as runc does); listenerPath and SCMP_ACT_NOTIFY are refused: the
 * one listener a process may have belongs to runlock's supervisor. */
int seccomp_compile_bundle(const struct oci_seccomp *s, struct bpf_prog *out, struct rl_error *e);

/* runlock's mandatory filter for this config (docs/seccomp.md lists every
 * rule with its reason): x86_64 and i386 covered, x32 killed. */
int seccomp_compile_runlock(const struct oci_config *c, struct bpf_prog *out, struct rl_error *e);

/* The part of the mandatory filter for system calls libseccomp cannot name
 * (newer than its table), as raw BPF by number. */
int seccomp_compile_raw(const struct oci_config *c, struct bpf_prog *out, struct rl_error *e);

/* Write the mandatory filter as libseccomp's human-readable PFC to fd (for
 * tests and docs). */
int seccomp_export_runlock_pfc(const struct oci_config *c, int fd, struct rl_error *e);

/* Child side: install. Async-signal-safe. 0 or -1 with errno. */
int seccomp_install(const struct bpf_prog *p);

/* A condition on one argument of a trapped syscall: the call is trapped
 * only when every condition of its rule holds (libseccomp compares the
 * argument's 32 low bits on i386). */
enum trap_op {
	TRAP_NONE,      /* ends the list */
	TRAP_MASKED_EQ, /* (arg & mask) == datum */
	TRAP_GE,        /* arg >= datum, unsigned */
	TRAP_NE,        /* arg != datum */
};
struct trap_cond {
	unsigned char arg; /* 0..5 */
	unsigned char op;  /* enum trap_op */
	uint64_t mask, datum;
};
#define TRAP_MAX_CONDS 3
/* A syscall the supervisor answers; conds empty: every call of it. */
struct trap_rule {
	const char *name; /* libseccomp's name */
	struct trap_cond conds[TRAP_MAX_CONDS];
};

/* The supervisor's filter: SCMP_ACT_NOTIFY for each of the n rules (what the
 * supervisor emulates for this bundle: handlers_select() in
 * shim/supervisor/handlers.h, passed down by create); empty (insns NULL) when
 * n is 0. Its flags ask for a listener. */
int seccomp_compile_notify(const struct trap_rule *rules, size_t n, struct bpf_prog *out,
                           struct rl_error *e);

/* Install the notify filter; returns the listener fd, 0 for an empty
 * program, -1 with errno. Async-signal-safe. */
int seccomp_install_listener(const struct bpf_prog *p);

void bpf_prog_free(struct bpf_prog *p);

#endif
