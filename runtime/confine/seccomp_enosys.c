/* ENOSYS for system calls newer than a profile.
 *
 * A profile with a denying default action was written against the system
 * calls of its time. A call added to the kernel later (clone3, close_range,
 * openat2, faccessat2, epoll_pwait2...) falls to that default, EPERM
 * usually, and libc treats EPERM as a real refusal: glibc's pthread_create
 * fails instead of falling back from clone3 to clone. ENOSYS says "this
 * kernel has no such call", which is what every libc falls back on. So, as
 * runc does, the bundle's program is prefixed with a check, per
 * architecture: a call numbered above the highest the profile names for
 * that architecture answers ENOSYS; every other call goes on to the
 * profile unchanged. */
#include "runtime/confine/seccomp_internal.h"

#include <errno.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define X32_BIT    0x40000000U
#define MAX_ARCHES 24
#define MAX_STUB   256

/* The highest call the profile names, per kernel (audit) architecture; x32
 * shares AUDIT_ARCH_X86_64 and is told apart by X32_BIT in the number. */
struct arch_last {
	uint32_t audit;
	bool has_native, has_x32;
	uint32_t native, x32;
};

static bool permissive(uint32_t action)
{
	return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG;
}

static struct arch_last *arch_slot(struct arch_last *a, size_t *n, uint32_t audit)
{
	for (size_t i = 0; i < *n; i++)
		if (a[i].audit == audit)
			return &a[i];
	if (*n == MAX_ARCHES)
		return NULL;
	memset(&a[*n], 0, sizeof(a[*n]));
	a[*n].audit = audit;
	return &a[(*n)++];
}

static int find_last(const struct oci_seccomp *s, const uint32_t *arches, size_t n_arches,
                     struct arch_last *out, size_t *n_out)
{
	*n_out = 0;
	for (size_t a = 0; a < n_arches; a++) {
		/* libseccomp's SCMP_ARCH_* are the kernel's AUDIT_ARCH_*, but
		 * for x32, which has a token of its own. */
		bool x32 = arches[a] == SCMP_ARCH_X32;
		uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : arches[a];
		uint32_t last = 0;
		bool any = false;
		struct arch_last *slot;

		for (size_t i = 0; i < s->n_syscalls; i++)
			for (size_t k = 0; k < s->syscalls[i].n_names; k++) {
				int nr = seccomp_syscall_resolve_name_arch(arches[a],
				                                           s->syscalls[i].names[k]);
				/* Unknown names and libseccomp's negative
				 * pseudo-numbers (i386 socketcall) say nothing
				 * about the kernel's table. */
				if (nr < 0)
					continue;
				if (!any || (uint32_t)nr > last)
					last = (uint32_t)nr;
				any = true;
			}
		if (!any)
			continue;
		slot = arch_slot(out, n_out, audit);
		if (!slot)
			return -1;
		if (x32) {
			slot->has_x32 = true;
			slot->x32 = last;
		} else {
			slot->has_native = true;
			slot->native = last;
		}
	}
	return 0;
}

/* A tiny assembler: conditional jumps name absolute targets, resolved to
 * the 8-bit relative offsets classic BPF wants once the stub is laid out. */
enum { T_NEXT = -1, T_ENOSYS = -2, T_FILTER = -3 };

struct stub {
	struct sock_filter insn[MAX_STUB];
	int jt[MAX_STUB], jf[MAX_STUB];
	size_t n;
	bool overflow;
};

static size_t emit(struct stub *st, uint16_t code, uint32_t k, int jt, int jf)
{
	if (st->n == MAX_STUB) {
		st->overflow = true;
		return st->n - 1;
	}
	st->insn[st->n] = (struct sock_filter){.code = code, .k = k};
	st->jt[st->n] = jt;
	st->jf[st->n] = jf;
	return st->n++;
}

/* "if A > last goto ENOSYS, else goto FILTER" */
static void emit_above(struct stub *st, uint32_t last)
{
	emit(st, BPF_JMP | BPF_JGT | BPF_K, last, T_ENOSYS, T_FILTER);
}

static int resolve(size_t i, int target, size_t enosys, size_t filter, uint8_t *off)
{
	size_t to = target == T_NEXT     ? i + 1
	            : target == T_ENOSYS ? enosys
	            : target == T_FILTER ? filter
	                                 : (size_t)target;
	if (to <= i || to - i - 1 > 255)
		return -1;
	*off = (uint8_t)(to - i - 1);
	return 0;
}

int seccomp_enosys_patch(const struct oci_seccomp *s, uint32_t def_action, const uint32_t *arches,
                         size_t n_arches, struct bpf_prog *prog, struct rl_error *e)
{
	struct arch_last last[MAX_ARCHES];
	size_t n_last, jump_at[MAX_ARCHES], enosys, filter, total;
	struct stub *st;
	struct sock_filter *insns;

	if (permissive(def_action) || def_action == SCMP_ACT_ERRNO(ENOSYS) || !prog->insns)
		return 0;
	if (find_last(s, arches, n_arches, last, &n_last) < 0)
		return rl_fail(e, E2BIG, "seccomp: too many architectures");
	if (n_last == 0)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return rl_fail(e, ENOMEM, "out of memory");

	/* The dispatch on the architecture... */
	emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), T_NEXT, T_NEXT);
	for (size_t i = 0; i < n_last; i++)
		jump_at[i] = emit(st, BPF_JMP | BPF_JEQ | BPF_K, last[i].audit, 0, T_NEXT);
	emit(st, BPF_JMP | BPF_JA, 0, T_FILTER, T_FILTER);
	/* ...then one section per architecture, on the call's number. */
	for (size_t i = 0; i < n_last; i++) {
		st->jt[jump_at[i]] = (int)st->n;
		emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), T_NEXT,
		     T_NEXT);
		if (last[i].audit != AUDIT_ARCH_X86_64) {
			emit_above(st, last[i].native);
			continue;
		}
		/* x86_64 and x32 share the audit architecture. */
		size_t split = emit(st, BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, T_NEXT);
		if (last[i].has_native)
			emit_above(st, last[i].native);
		else
			emit(st, BPF_JMP | BPF_JA, 0, T_FILTER, T_FILTER);
		st->jt[split] = (int)st->n;
		if (last[i].has_x32)
			emit_above(st, last[i].x32);
		else
			emit(st, BPF_JMP | BPF_JA, 0, T_FILTER, T_FILTER);
	}
	enosys = emit(st, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, T_NEXT, T_NEXT);
	filter = st->n;
	if (st->overflow) {
		free(st);
		return rl_fail(e, E2BIG, "seccomp: ENOSYS prefix too long");
	}

	for (size_t i = 0; i < st->n; i++) {
		struct sock_filter *f = &st->insn[i];

		if (BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (BPF_OP(f->code) == BPF_JA) {
			/* ja takes its offset in k (the stub is short). */
			uint8_t off;
			if (resolve(i, st->jt[i], enosys, filter, &off) < 0)
				goto too_far;
			f->k = off;
			continue;
		}
		if (resolve(i, st->jt[i], enosys, filter, &f->jt) < 0 ||
		    resolve(i, st->jf[i], enosys, filter, &f->jf) < 0)
			goto too_far;
	}

	total = st->n + prog->len;
	if (total > BPF_MAXINSNS) {
		free(st);
		return rl_fail(e, E2BIG, "seccomp: filter of %zu instructions cannot be loaded",
		               total);
	}
	insns = malloc(total * sizeof(*insns));
	if (!insns) {
		free(st);
		return rl_fail(e, ENOMEM, "out of memory");
	}
	/* The profile's own jumps are relative: prefixing leaves them valid. */
	memcpy(insns, st->insn, st->n * sizeof(*insns));
	memcpy(insns + st->n, prog->insns, prog->len * sizeof(*insns));
	free(prog->insns);
	prog->insns = insns;
	prog->len = (unsigned short)total;
	free(st);
	return 0;

too_far:
	free(st);
	return rl_fail(e, E2BIG, "seccomp: ENOSYS prefix jump out of range");
}
