/* Compiling the bundle's linux.seccomp profile, exactly as written. */
#include "runtime/confine/seccomp_internal.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static int map_action(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out,
                      const char *path, struct rl_error *e)
{
	uint32_t err = has_errno ? errno_ret : EPERM;

	if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO(err);
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*out = SCMP_ACT_TRACE(err);
	else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return rl_fail(e, ENOTSUP,
		               "config.json: %s: SCMP_ACT_NOTIFY is not supported: the seccomp "
		               "listener of a runlock container belongs to its supervisor",
		               path);
	else
		return rl_fail(e, EINVAL, "config.json: %s: unknown seccomp action \"%s\"", path,
		               name);
	return 0;
}

static int map_arch(const char *name, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t arch;
	} arches[] = {
	    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
	    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
	    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
	    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
	    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
	};
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(name, arches[i].name) == 0) {
			*out = arches[i].arch;
			return 0;
		}
	return -1;
}

static int map_flags(const struct oci_seccomp *s, unsigned int *flags, struct rl_error *e)
{
	*flags = 0;
	for (size_t i = 0; i < s->n_flags; i++) {
		const char *f = s->flags[i];
		if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
			*flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			*flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0 ||
		         strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			continue; /* init is single-threaded; no listener in this filter */
		else
			return rl_fail(e, EINVAL,
			               "config.json: linux.seccomp.flags[%zu]: unknown flag \"%s\"",
			               i, f);
	}
	return 0;
}

static int map_op(enum oci_seccomp_op op)
{
	switch (op) {
	case OCI_OP_NOT_EQUAL:
		return SCMP_CMP_NE;
	case OCI_OP_LESS_THAN:
		return SCMP_CMP_LT;
	case OCI_OP_LESS_EQUAL:
		return SCMP_CMP_LE;
	case OCI_OP_EQUAL_TO:
		return SCMP_CMP_EQ;
	case OCI_OP_GREATER_EQUAL:
		return SCMP_CMP_GE;
	case OCI_OP_GREATER_THAN:
		return SCMP_CMP_GT;
	case OCI_OP_MASKED_EQUAL:
		break;
	}
	return SCMP_CMP_MASKED_EQ;
}

static struct scmp_arg_cmp to_cmp(const struct oci_seccomp_arg *a)
{
	struct scmp_arg_cmp c = {.arg = a->index,
	                         .op = (enum scmp_compare)map_op(a->op),
	                         .datum_a = a->value,
	                         .datum_b = a->value_two};
	return c;
}

/* libseccomp ANDs the conditions of one rule and allows one condition per
 * argument; a profile naming one argument several times means "any of
 * these", so, as runc does, such conditions become one rule each. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
                    const struct oci_seccomp_syscall *sc, const char *path, struct rl_error *e)
{
	struct scmp_arg_cmp cmps[6];
	bool repeated = false;
	int r;

	if (sc->n_args > 6)
		return rl_fail(e, EINVAL, "config.json: %s.args: more than 6 arguments", path);
	for (size_t i = 0; i < sc->n_args; i++) {
		if (sc->args[i].index > 5)
			return rl_fail(e, EINVAL, "config.json: %s.args[%zu].index: must be 0..5",
			               path, i);
		for (size_t k = 0; k < i; k++)
			if (sc->args[k].index == sc->args[i].index)
				repeated = true;
		cmps[i] = to_cmp(&sc->args[i]);
	}
	if (!repeated) {
		r = seccomp_rule_add_array(ctx, action, nr, (unsigned int)sc->n_args,
		                           sc->n_args ? cmps : NULL);
		if (r < 0)
			return rl_fail_errno(e, -r, "config.json: %s: cannot add seccomp rule",
			                     path);
		return 0;
	}
	for (size_t i = 0; i < sc->n_args; i++) {
		r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
		if (r < 0)
			return rl_fail_errno(e, -r, "config.json: %s: cannot add seccomp rule",
			                     path);
	}
	return 0;
}

int seccomp_compile_bundle(const struct oci_seccomp *s, struct bpf_prog *out, struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	uint32_t def, arches[32];
	size_t n_arches = 0;
	unsigned int flags;
	char path[128];

	memset(out, 0, sizeof(*out));
	if (s->listener_path)
		return rl_fail(e, ENOTSUP,
		               "config.json: linux.seccomp.listenerPath: not supported: a process "
		               "may have one seccomp listener, and a runlock container's belongs "
		               "to its supervisor");
	if (!s->default_action)
		return rl_fail(e, EINVAL, "config.json: linux.seccomp.defaultAction: missing");
	if (map_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret, &def,
	               "linux.seccomp.defaultAction", e) < 0 ||
	    map_flags(s, &flags, e) < 0)
		return -1;
	ctx = seccomp_init(def);
	if (!ctx)
		return rl_fail(e, EINVAL, "seccomp: cannot initialise filter");
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t arch;
		int r;
		if (map_arch(s->architectures[i], &arch) < 0)
			return rl_fail(e, EINVAL,
			               "config.json: linux.seccomp.architectures[%zu]: unknown "
			               "architecture \"%s\"",
			               i, s->architectures[i]);
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST)
			return rl_fail_errno(e, -r, "config.json: linux.seccomp.architectures[%zu]",
			                     i);
		/* (EEXIST: the native one, which seccomp_init put in.) */
		if (n_arches < sizeof(arches) / sizeof(arches[0]))
			arches[n_arches++] = arch;
	}
	/* No list: the filter holds the native architecture alone. */
	if (n_arches == 0)
		arches[n_arches++] = seccomp_arch_native();
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct oci_seccomp_syscall *sc = &s->syscalls[i];
		uint32_t action;

		snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu]", i);
		if (map_action(sc->action, sc->has_errno_ret, sc->errno_ret, &action, path, e) < 0)
			return -1;
		/* libseccomp refuses a rule that repeats the default; it
		 * changes nothing, so skip it as runc does. */
		if (action == def)
			continue;
		for (size_t k = 0; k < sc->n_names; k++) {
			int nr = seccomp_syscall_resolve_name(sc->names[k]);
			if (nr == __NR_SCMP_ERROR) {
				log_debug("seccomp: unknown syscall \"%s\" skipped", sc->names[k]);
				continue;
			}
			if (add_rule(ctx, action, nr, sc, path, e) < 0)
				return -1;
		}
	}
	if (seccomp_ctx_export(ctx, flags, out, e) < 0)
		return -1;
	if (seccomp_enosys_patch(s, def, arches, n_arches, out, e) < 0) {
		bpf_prog_free(out);
		return -1;
	}
	return 0;
}
