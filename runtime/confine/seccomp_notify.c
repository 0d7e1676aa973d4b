/* The filter that hands syscalls to the supervisor: SCMP_ACT_NOTIFY for
 * each syscall the supervisor emulates, allow for the rest. It is a filter
 * of its own because its listener fd must belong to exactly these rules;
 * the kernel still takes the strictest answer of all filters, so the
 * bundle's denials and runlock's mandatory rules win over a notification. */
#include "runtime/confine/seccomp_internal.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* A rule's conditions as libseccomp's; returns their count. */
static unsigned int conds_of(const struct trap_rule *r, struct scmp_arg_cmp *out)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < TRAP_MAX_CONDS && r->conds[i].op != TRAP_NONE; i++) {
		const struct trap_cond *c = &r->conds[i];
		switch (c->op) {
		case TRAP_MASKED_EQ:
			out[k++] = SCMP_CMP(c->arg, SCMP_CMP_MASKED_EQ, c->mask, c->datum);
			break;
		case TRAP_GE:
			out[k++] = SCMP_CMP(c->arg, SCMP_CMP_GE, c->datum);
			break;
		case TRAP_NE:
			out[k++] = SCMP_CMP(c->arg, SCMP_CMP_NE, c->datum);
			break;
		}
	}
	return k;
}

int seccomp_compile_notify(const struct trap_rule *rules, size_t n, struct bpf_prog *out,
                           struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return rl_fail(e, EINVAL, "seccomp: cannot initialise notify filter");
	/* Other ABIs are the mandatory filter's business (it kills x32). */
	r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
	if (r < 0 && r != -EEXIST)
		return rl_fail_errno(e, -r, "seccomp: architectures");
	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp conds[TRAP_MAX_CONDS];
		int nr = seccomp_syscall_resolve_name(rules[i].name);
		unsigned int k = conds_of(&rules[i], conds);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = k ? seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, nr, k, conds)
		      : seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
		if (r < 0 && r != -EEXIST)
			return rl_fail_errno(e, -r, "seccomp: notify rule for %s", rules[i].name);
	}
	/* Killable while waiting for the answer: SIGKILL ends a process stuck
	 * on a slow handler, and other signals do not restart its call. */
	return seccomp_ctx_export(
	    ctx, SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, out, e);
}

int seccomp_install_listener(const struct bpf_prog *p)
{
	int fd = seccomp_install(p);

	/* Kernels before 5.19 lack the killable wait: go on without it. */
	if (fd < 0 && errno == EINVAL && (p->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		struct bpf_prog q = *p;
		q.flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = seccomp_install(&q);
	}
	return fd;
}
