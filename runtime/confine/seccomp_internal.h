/* Shared by the seccomp compilers; not part of the runtime's interface. */
#ifndef RUNLOCK_RUNTIME_CONFINE_SECCOMP_INTERNAL_H
#define RUNLOCK_RUNTIME_CONFINE_SECCOMP_INTERNAL_H

#include <seccomp.h>

#include "runtime/confine/seccomp.h"

/* Export ctx as BPF into out (which then owns the instructions). */
int seccomp_ctx_export(scmp_filter_ctx ctx, unsigned int flags, struct bpf_prog *out,
                       struct rl_error *e);

static inline void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ __attribute__((cleanup(seccomp_ctx_releasep)))

#endif
