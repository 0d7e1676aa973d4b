/* The agent's own seccomp allowlist, installed after its last fork. */
#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "runtime/confine/seccomp_internal.h"
#include "shim/agent/agent.h"

/* What agent_serve() and its libc need, and nothing else: no exec, no fork,
 * no socket, no ptrace, no namespace or mount call. */
static const char *const allowed[] = {
    "read",
    "write",
    "recvmsg",
    "sendmsg",
    "close",
    "lseek",
    "getdents64",
    "kill",
    "getpid",
    "getppid",
    "openat2",
    "faccessat2",
    "fcntl",
    "mkdirat",
    "unlinkat",
    "symlinkat",
    "mknodat",
    "fchmodat",
    "fchownat",
    "ftruncate",
    "utimensat",
    "renameat2",
    "linkat",
    "fchmod",
    "fchown",
    "fsetxattr",
    "fremovexattr",
    "getxattr",
    "listxattr",
    "setxattr",
    "removexattr",
    "inotify_add_watch",
    "connect",
    "getsockopt",
    "setsockopt",
    "bind",
    "fchdir",
    "setfsuid",
    "setfsgid",
    "umask",
    "setresuid", /* connect and bind as the caller (peer_ids_take) */
    "setresgid",
    "setgroups",
    "getgroups", /* rl_groups_set: no setgroups when nothing changes */
    "capget",
    "capset",
    "exit",
    "exit_group",
    "rt_sigreturn",
    "rt_sigprocmask",
    "brk",
    "mmap",
    "munmap",
    "mprotect",
    "madvise",
    "futex",
    "restart_syscall",
    "fstat",
    "newfstatat",
    "getrandom",
    /* the sanitizer runtime's own (the sanitized build runs this too) */
    "sigaltstack",
    "gettid",
    "sched_yield",
    "clock_gettime",
    "prlimit64",
};

int agent_confine(struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	int r;

	/* Not the kill-the-thread default: the whole agent must go, so the
	 * supervisor sees it and fails closed. */
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return rl_fail(e, EINVAL, "agent: seccomp_init");
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			return rl_fail_errno(e, -r, "agent: allow %s", allowed[i]);
	}
	/* prctl only to stay not dumpable after an euid change. */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
	                     SCMP_A0(SCMP_CMP_EQ, PR_SET_DUMPABLE), SCMP_A1(SCMP_CMP_EQ, 0));
	if (r < 0)
		return rl_fail_errno(e, -r, "agent: allow prctl");
	r = seccomp_load(ctx);
	if (r < 0)
		return rl_fail_errno(e, -r, "agent: install its seccomp filter");
	return 0;
}
