/* System calls newer than the libseccomp runlock is built with (Debian 12:
 * 2.5.4) cannot be named in its filters, yet the kernel has them. This small
 * hand-written filter covers them by number; the numbers are the same on
 * x86_64 and i386 (the unified table from 403 on). x32 numbers carry bit 30
 * and never match here: runlock's main filter kills x32 outright. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/confine/seccomp.h"

static const struct {
	unsigned int nr;
	unsigned int err;
	bool readonly_only; /* only when root.readonly */
	const char *name;   /* for docs/seccomp.md; not used at run time */
} raw_rules[] = {
    /* Path calls the filesystem view cannot trap by name: ENOSYS, so
     * libc and programs fall back to the calls it emulates (getxattr,
     * setxattr, ...). Left to the kernel they would act on the rootfs
     * beneath a mount, or on a host path from a working directory in one. */
    {463, ENOSYS, false, "setxattrat"},    {464, ENOSYS, false, "getxattrat"},
    {465, ENOSYS, false, "listxattrat"},   {466, ENOSYS, false, "removexattrat"},
    {467, EPERM, false, "open_tree_attr"}, {468, ENOSYS, false, "file_getattr"},
    {469, ENOSYS, false, "file_setattr"},
};

#define N_RAW (sizeof(raw_rules) / sizeof(raw_rules[0]))

static struct sock_filter stmt(unsigned short code, unsigned int k)
{
	struct sock_filter f = {.code = code, .jt = 0, .jf = 0, .k = k};
	return f;
}

static struct sock_filter jump(unsigned short code, unsigned int k, unsigned char jt,
                               unsigned char jf)
{
	struct sock_filter f = {.code = code, .jt = jt, .jf = jf, .k = k};
	return f;
}

int seccomp_compile_raw(const struct oci_config *c, struct bpf_prog *out, struct rl_error *e)
{
	unsigned int idx[N_RAW];
	size_t k = 0, n = 0;
	struct sock_filter *f;
	bool readonly = c->root && c->root->readonly;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < N_RAW; i++)
		if (!raw_rules[i].readonly_only || readonly)
			idx[k++] = (unsigned int)i;
	/* arch check (3) + load nr (1) + k tests + allow + k answers */
	f = calloc(5 + 2 * k, sizeof(*f));
	if (!f)
		return rl_fail(e, ENOMEM, "out of memory");
	f[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, (unsigned char)(k + 1));
	f[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* test i sits at 4+i, its answer at 5+k+i: k instructions ahead. */
	for (size_t i = 0; i < k; i++)
		f[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, raw_rules[idx[i]].nr, (unsigned char)k, 0);
	f[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < k; i++)
		f[n++] =
		    stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (raw_rules[idx[i]].err & 0xffff));
	out->insns = f;
	out->len = (unsigned short)n;
	return 0;
}
