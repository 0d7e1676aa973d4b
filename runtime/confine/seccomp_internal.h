/* Shared by the seccomp compilers; not part of the runtime's interface. */
#ifndef RUNLOCK_RUNTIME_CONFINE_SECCOMP_INTERNAL_H
#define RUNLOCK_RUNTIME_CONFINE_SECCOMP_INTERNAL_H

#include <seccomp.h>

#include "runtime/confine/seccomp.h"

/* Export ctx as BPF into out (which then owns the instructions). */
int seccomp_ctx_export(scmp_filter_ctx ctx, unsigned int flags, struct bpf_prog *out,
                       struct rl_error *e);

/* Prefix prog, the bundle's exported profile, with runc's ENOSYS stub: on
 * each of arches (libseccomp's SCMP_ARCH_* tokens), a call numbered above
 * the highest the profile s names answers ENOSYS instead of falling to a
 * denying default action def_action. Leaves prog alone for a permissive
 * default or a default that already answers ENOSYS. */
int seccomp_enosys_patch(const struct oci_seccomp *s, uint32_t def_action, const uint32_t *arches,
                         size_t n_arches, struct bpf_prog *prog, struct rl_error *e);

static inline void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ __attribute__((cleanup(seccomp_ctx_releasep)))

#endif
