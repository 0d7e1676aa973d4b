/* outerprofile: run a command under a seccomp filter that denies a few
 * system calls, as an outer runtime's profile would (Docker's default denies
 * pidfd_getfd and process_vm_* without CAP_SYS_PTRACE; an old one, the
 * landlock_* calls; Podman's answers ENOSYS, Docker's EPERM).
 *
 *   outerprofile ERRNO NAME[,NAME...] CMD [ARGS...]
 *
 * ERRNO is EPERM or ENOSYS. NAMEs are from the table below (x86_64).
 * Sets no_new_privs (needed to install a filter without CAP_SYS_ADMIN).
 * Exit status 2: usage or set-up failed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	int nr;
} calls[] = {
    {"ptrace", 101},
    {"process_vm_readv", 310},
    {"process_vm_writev", 311},
    {"seccomp", 317},
    {"pidfd_send_signal", 424},
    {"pidfd_open", 434},
    {"pidfd_getfd", 438},
    {"landlock_create_ruleset", 444},
    {"landlock_add_rule", 445},
    {"landlock_restrict_self", 446},
    {"acct", 163},
};

int main(int argc, char **argv)
{
	struct sock_filter f[64];
	unsigned n = 0, err;
	char *names, *save = NULL;

	if (argc < 4) {
		fprintf(stderr, "usage: outerprofile EPERM|ENOSYS NAME[,NAME...] CMD [ARGS...]\n");
		return 2;
	}
	if (strcmp(argv[1], "EPERM") == 0)
		err = EPERM;
	else if (strcmp(argv[1], "ENOSYS") == 0)
		err = ENOSYS;
	else {
		fprintf(stderr, "outerprofile: errno %s: EPERM or ENOSYS\n", argv[1]);
		return 2;
	}
	/* Not x86_64: allow (the calls named are x86_64 numbers). */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      offsetof(struct seccomp_data, nr));
	names = argv[2];
	for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int nr = -1;
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			if (strcmp(calls[i].name, t) == 0)
				nr = calls[i].nr;
		if (nr < 0 || n > 60) {
			fprintf(stderr, "outerprofile: unknown or too many calls: %s\n", t);
			return 2;
		}
		f[n++] =
		    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		                                      SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA));
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("outerprofile: install the filter");
		return 2;
	}
	execvp(argv[3], argv + 3);
	perror("outerprofile: exec");
	return 2;
}
