/* Turning a libseccomp context into an installable BPF program. */
#include "runtime/confine/seccomp_internal.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int seccomp_ctx_export(scmp_filter_ctx ctx, unsigned int flags, struct bpf_prog *out,
                       struct rl_error *e)
{
	_cleanup_close_ int fd = memfd_create("runlock-seccomp", MFD_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return rl_fail_errno(e, errno, "seccomp: memfd");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return rl_fail_errno(e, -r, "seccomp: export filter");
	if (fstat(fd, &st) < 0)
		return rl_fail_errno(e, errno, "seccomp: export filter");
	if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return rl_fail(e, E2BIG, "seccomp: filter of %lld bytes cannot be loaded",
		               (long long)st.st_size);
	out->insns = malloc((size_t)st.st_size);
	if (!out->insns)
		return rl_fail(e, ENOMEM, "out of memory");
	if (pread(fd, out->insns, (size_t)st.st_size, 0) != st.st_size) {
		free(out->insns);
		out->insns = NULL;
		return rl_fail_errno(e, errno, "seccomp: read back filter");
	}
	out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	out->flags = flags;
	return 0;
}

int seccomp_install(const struct bpf_prog *p)
{
	struct sock_fprog prog = {.len = p->len, .filter = p->insns};

	if (!p->insns)
		return 0;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
}

void bpf_prog_free(struct bpf_prog *p)
{
	free(p->insns);
	memset(p, 0, sizeof(*p));
}
