/* runlock's own, mandatory seccomp filter. docs/seccomp.md gives the reason
 * for every entry; keep the two in step. */
#include "runtime/confine/seccomp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "runtime/confine/namespaces.h"

/* Denied outright, every argument, both ABIs (names missing on one ABI are
 * skipped for it). */
static const struct {
	const char *name;
	int err;
} denied[] = {
    /* namespaces: never created, never entered */
    {"unshare", EPERM},
    {"setns", EPERM},
    /* flags live in memory, where BPF cannot look: ENOSYS makes libc fall
     * back to clone(), whose flags are checked below */
    {"clone3", ENOSYS},
    /* the mount API */
    {"mount", EPERM},
    {"umount", EPERM},
    {"umount2", EPERM},
    {"pivot_root", EPERM},
    /* the kernel's root must stay the container's root: a chroot deeper
     * leaves the working directory above it, and ".." from there walks
     * out onto the host (the CONTINUE invariant, docs/security.md) */
    {"chroot", EPERM},
    {"move_mount", EPERM},
    {"open_tree", EPERM},
    {"fsopen", EPERM},
    {"fsmount", EPERM},
    {"fsconfig", EPERM},
    {"fspick", EPERM},
    {"mount_setattr", EPERM},
    /* io_uring performs file and socket operations without system calls,
     * past seccomp and the supervisor */
    {"io_uring_setup", EPERM},
    {"io_uring_enter", EPERM},
    {"io_uring_register", EPERM},
    /* kernel-global state, or known escape routes */
    {"bpf", EPERM},
    {"perf_event_open", EPERM},
    {"kexec_load", EPERM},
    {"kexec_file_load", EPERM},
    {"init_module", EPERM},
    {"finit_module", EPERM},
    {"delete_module", EPERM},
    {"create_module", EPERM},
    {"get_kernel_syms", EPERM},
    {"query_module", EPERM},
    {"iopl", EPERM},
    {"ioperm", EPERM},
    {"open_by_handle_at", EPERM},
    {"name_to_handle_at", EPERM},
    {"userfaultfd", EPERM},
    {"add_key", EPERM},
    {"request_key", EPERM},
    {"keyctl", EPERM},
    {"syslog", EPERM},
    {"acct", EPERM},
    {"swapon", EPERM},
    {"swapoff", EPERM},
    {"reboot", EPERM},
    {"settimeofday", EPERM},
    {"stime", EPERM},
    {"clock_settime", EPERM},
    {"clock_settime64", EPERM},
    {"clock_adjtime", EPERM},
    {"clock_adjtime64", EPERM},
    {"adjtimex", EPERM},
    {"quotactl", EPERM},
    {"quotactl_fd", EPERM},
    {"lookup_dcookie", EPERM},
    {"nfsservctl", EPERM},
    {"vm86", EPERM},
    {"vm86old", EPERM},
    {"uselib", EPERM},
    {"_sysctl", EPERM},
    {"fanotify_init", EPERM},
    {"vhangup", EPERM},
};

/* SysV IPC and POSIX message queues are per ipc namespace in the kernel;
 * without one they would be the host's. */
static const char *const ipc_calls[] = {
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "ipc",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    "mq_timedsend_time64",
    "mq_timedreceive_time64",
    "semtimedop_time64",
};

/* Metadata changes that Landlock has no right for: with root.readonly they
 * answer EROFS, as on a read-only mount. These act on a descriptor; the
 * path forms (setxattr, utimes, ...) are the filesystem view's, which
 * answers EROFS for a path in the rootfs. */
static const char *const metadata_calls[] = {
    "fchmod", "fchown", "fchown32", "fsetxattr", "fremovexattr",
};
/* The path forms the view emulates (shim/fsview/handlers_fs_modify.c) are left to
 * it: it answers EROFS for a path in the rootfs and carries out one into a
 * writable mount. Their descriptor forms (a NULL path, AT_EMPTY_PATH) stay
 * EROFS here (futimesat's is a NULL path). chmod, fchmodat, chown, lchown,
 * chown32, lchown32, utime, utimes and the path xattr calls have no
 * descriptor form. */
static const struct {
	const char *name;
	int path_arg;  /* -1: none */
	int flags_arg; /* -1: none */
} metadata_path_calls[] = {
    {"fchownat", -1, 4},        {"fchmodat2", -1, 3}, {"utimensat", 1, 3},
    {"utimensat_time64", 1, 3}, {"futimesat", 1, -1},
};

/* Calls that act on another process named by a pid, and whose kernel check
 * is "the same uid, or a capability": the container's root is uid 0 like
 * the host's, and Landlock's signal and ptrace scopes do not cover them.
 * With a pid namespace asked for, only the caller itself (0) may be named:
 * prlimit64 could set RLIMIT_CPU on a host process and kill it. arg: the
 * pid's argument; which_user: the "which" value that names a whole user
 * (setpriority's PRIO_USER, ioprio_set's IOPRIO_WHO_USER), or -1. */
static const struct {
	const char *name;
	unsigned int arg;
	int which_user;
} pid_calls[] = {
    {"prlimit64", 0, -1},     {"sched_setscheduler", 0, -1}, {"sched_setparam", 0, -1},
    {"sched_setattr", 0, -1}, {"sched_setaffinity", 0, -1},  {"migrate_pages", 0, -1},
    {"move_pages", 0, -1},    {"setpriority", 1, 2},         {"ioprio_set", 1, 3},
};

/* clone() flags that would create a namespace. CLONE_NEWTIME shares its
 * value with the exit-signal byte of clone() and only exists for clone3 and
 * unshare, both denied. */
static const unsigned long clone_ns_flags[] = {
    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
};

/* Socket types other than stream: UDP, raw, packet, ... */
static const int non_stream_types[] = {SOCK_DGRAM,     SOCK_RAW,  SOCK_RDM,
                                       SOCK_SEQPACKET, SOCK_DCCP, SOCK_PACKET};

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int n,
               const struct scmp_arg_cmp *cmp, struct rl_error *e)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a system call on any ABI libseccomp knows */
	r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	/* -EDOM/-EINVAL: the call does not exist on one of the ABIs. */
	if (r < 0 && r != -EDOM && r != -EINVAL && r != -EOPNOTSUPP)
		return rl_fail_errno(e, -r, "seccomp: rule for %s", name);
	return 0;
}

static int add_mknod_rules(scmp_filter_ctx ctx, struct rl_error *e)
{
	const unsigned int types[] = {S_IFCHR, S_IFBLK};

	for (size_t i = 0; i < 2; i++) {
		struct scmp_arg_cmp mknod = SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, types[i]);
		struct scmp_arg_cmp mknodat = SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, types[i]);
		if (add(ctx, SCMP_ACT_ERRNO(EPERM), "mknod", 1, &mknod, e) < 0 ||
		    add(ctx, SCMP_ACT_ERRNO(EPERM), "mknodat", 1, &mknodat, e) < 0)
			return -1;
	}
	return 0;
}

static int add_no_network_rules(scmp_filter_ctx ctx, struct rl_error *e)
{
	uint32_t deny = SCMP_ACT_ERRNO(EAFNOSUPPORT);

	/* Families other than UNIX and the TCP ones (whose bind/connect
	 * Landlock denies) do not exist in a container without network:
	 * 0, 3..9 one by one, and everything from AF_INET6+1 on in one rule
	 * (fewer rules: compiling this filter is a good part of start-up). A
	 * 64-bit compare is right here: any upper bit makes the value large. */
	for (int fam = 0; fam < AF_INET6; fam++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam);
		if (fam == AF_UNIX || fam == AF_INET)
			continue;
		if (add(ctx, deny, "socket", 1, &c, e) < 0)
			return -1;
	}
	{
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_GT, AF_INET6);
		if (add(ctx, deny, "socket", 1, &c, e) < 0)
			return -1;
	}
	for (int i = 0; i < 2; i++) {
		int fam = i ? AF_INET6 : AF_INET;
		for (size_t t = 0; t < sizeof(non_stream_types) / sizeof(non_stream_types[0]);
		     t++) {
			struct scmp_arg_cmp c[2] = {
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam),
			    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)non_stream_types[t]),
			};
			if (add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 2, c, e) < 0)
				return -1;
		}
		/* Stream sockets that are not TCP escape Landlock's TCP rules. */
		const int protos[] = {132 /* SCTP */, 262 /* MPTCP */};
		for (size_t p = 0; p < 2; p++) {
			/* socket() reads its protocol as an int: compare the
			 * low 32 bits only, or 0x100000106 would pass as 262.
			 * (libseccomp 2.5's SCMP_A2_32 still compares 64.) */
			struct scmp_arg_cmp c[2] = {
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam),
			    SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)protos[p]),
			};
			if (add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 2, c, e) < 0)
				return -1;
		}
	}
	/* i386's multiplexer hides its arguments in memory. */
	return add(ctx, SCMP_ACT_ERRNO(EACCES), "socketcall", 0, NULL, e);
}

static int build_ctx(const struct oci_config *c, scmp_filter_ctx *out, struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return rl_fail(e, EINVAL, "seccomp: cannot initialise filter");
	/* x32 is not added: libseccomp then treats x32 system calls as a bad
	 * architecture, and that action kills. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
	if (r < 0 && r != -EEXIST)
		return rl_fail_errno(e, -r, "seccomp: architectures");
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (add(ctx, SCMP_ACT_ERRNO((uint32_t)denied[i].err), denied[i].name, 0, NULL, e) <
		    0)
			return -1;
	for (size_t i = 0; i < sizeof(clone_ns_flags) / sizeof(clone_ns_flags[0]); i++) {
		struct scmp_arg_cmp cmp =
		    SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]);
		if (add(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &cmp, e) < 0)
			return -1;
	}
	if (add_mknod_rules(ctx, e) < 0)
		return -1;
	if (c->root && c->root->readonly) {
		for (size_t i = 0; i < sizeof(metadata_calls) / sizeof(metadata_calls[0]); i++)
			if (add(ctx, SCMP_ACT_ERRNO(EROFS), metadata_calls[i], 0, NULL, e) < 0)
				return -1;
		for (size_t i = 0; i < sizeof(metadata_path_calls) / sizeof(metadata_path_calls[0]);
		     i++) {
			struct scmp_arg_cmp cmp;
			if (metadata_path_calls[i].path_arg >= 0) {
				cmp = (struct scmp_arg_cmp){
				    (unsigned)metadata_path_calls[i].path_arg, SCMP_CMP_EQ, 0, 0};
				if (add(ctx, SCMP_ACT_ERRNO(EROFS), metadata_path_calls[i].name, 1,
				        &cmp, e) < 0)
					return -1;
			}
			if (metadata_path_calls[i].flags_arg < 0)
				continue;
			cmp =
			    (struct scmp_arg_cmp){(unsigned)metadata_path_calls[i].flags_arg,
			                          SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH};
			if (add(ctx, SCMP_ACT_ERRNO(EROFS), metadata_path_calls[i].name, 1, &cmp,
			        e) < 0)
				return -1;
		}
	}
	if (ns_requested(c, "pid"))
		for (size_t i = 0; i < sizeof(pid_calls) / sizeof(pid_calls[0]); i++) {
			struct scmp_arg_cmp other = {pid_calls[i].arg, SCMP_CMP_NE, 0, 0};
			struct scmp_arg_cmp user =
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)(unsigned)pid_calls[i].which_user);
			if (add(ctx, SCMP_ACT_ERRNO(EPERM), pid_calls[i].name, 1, &other, e) < 0 ||
			    (pid_calls[i].which_user >= 0 &&
			     add(ctx, SCMP_ACT_ERRNO(EPERM), pid_calls[i].name, 1, &user, e) < 0))
				return -1;
		}
	if (ns_requested(c, "ipc"))
		for (size_t i = 0; i < sizeof(ipc_calls) / sizeof(ipc_calls[0]); i++)
			if (add(ctx, SCMP_ACT_ERRNO(EPERM), ipc_calls[i], 0, NULL, e) < 0)
				return -1;
	if (ns_net_mode(c) == NET_NONE && add_no_network_rules(ctx, e) < 0)
		return -1;
	/* The SCMP_ACT_NOTIFY set is a filter of its own (seccomp_notify.c):
	 * a listener belongs to one filter. */
	*out = ctx;
	ctx = NULL;
	return 0;
}

int seccomp_compile_runlock(const struct oci_config *c, struct bpf_prog *out, struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;

	memset(out, 0, sizeof(*out));
	if (build_ctx(c, &ctx, e) < 0)
		return -1;
	return seccomp_ctx_export(ctx, 0, out, e);
}

int seccomp_export_runlock_pfc(const struct oci_config *c, int fd, struct rl_error *e)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	int r;

	if (build_ctx(c, &ctx, e) < 0)
		return -1;
	r = seccomp_export_pfc(ctx, fd);
	if (r < 0)
		return rl_fail_errno(e, -r, "seccomp: export PFC");
	return 0;
}
