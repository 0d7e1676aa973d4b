/* What runlock needs from its host (runtime/init/host.h). */
#include "runtime/init/host.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/caps.h"
#include "common/log.h"
#include "runtime/confine/namespaces.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

#define CAPBIT(c) (UINT64_C(1) << (c))

static const char *cap_label(int cap, char *buf, size_t size)
{
	char *n = cap_to_name((cap_value_t)cap);

	snprintf(buf, size, "%s", n ? n : "?");
	cap_free(n);
	/* libcap says "cap_sys_chroot"; config.json and runc say
	 * "CAP_SYS_CHROOT". */
	for (char *q = buf; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
	return buf;
}

static int lowest(uint64_t m)
{
	return __builtin_ctzll(m);
}

static int refuse_cap(struct rl_error *e, int cap, const char *what)
{
	char name[64];

	return rl_fail(e, EPERM,
	               "%s needs %s, which runlock lacks (it runs with a reduced capability set)",
	               what, cap_label(cap, name, sizeof(name)));
}

int host_check_caps(const struct process_plan *p, struct rl_error *e)
{
	static const struct {
		const char *field;
		size_t off;
	} sets[] = {
	    {"effective", offsetof(struct process_plan, cap_effective)},
	    {"permitted", offsetof(struct process_plan, cap_permitted)},
	    {"inheritable", offsetof(struct process_plan, cap_inheritable)},
	    {"ambient", offsetof(struct process_plan, cap_ambient)},
	};
	uint64_t eff, perm, bnd = 0;

	if (rl_caps_get(&eff, &perm) < 0)
		return rl_fail_errno(e, errno, "capget");
	for (int c = 0; c <= p->last_cap; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd |= CAPBIT(c);
	/* capset cannot give a process what its parent's permitted set
	 * lacks (inheritable: its bounding set, with CAP_SETPCAP). Refused
	 * here rather than failed in the child with a bare EPERM, and never
	 * silently dropped: the image asked for it. */
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		uint64_t want = *(const uint64_t *)((const char *)p + sets[i].off);
		uint64_t can = perm;
		char field[80];

		if (strcmp(sets[i].field, "inheritable") == 0 && (perm & CAPBIT(CAP_SETPCAP)))
			can |= bnd;
		if (!(want & ~can))
			continue;
		snprintf(field, sizeof(field), "config.json: process.capabilities.%s",
		         sets[i].field);
		{
			char name[64];
			return rl_fail(e, EPERM,
			               "%s: %s is not in runlock's own permitted set (the "
			               "host runs runlock with a reduced capability set); "
			               "remove it from the config or grant it to runlock",
			               field, cap_label(lowest(want & ~can), name, sizeof(name)));
		}
	}
	/* Dropping a capability from the bounding set needs CAP_SETPCAP;
	 * what the bounding set already lacks needs no drop. */
	if ((bnd & ~p->cap_bounding) && !(eff & CAPBIT(CAP_SETPCAP))) {
		char name[64];
		return rl_fail(e, EPERM,
		               "config.json: process.capabilities.bounding: dropping %s from "
		               "the bounding set needs CAP_SETPCAP, which runlock lacks",
		               cap_label(lowest(bnd & ~p->cap_bounding), name, sizeof(name)));
	}
	/* The supervisor reads a trapped call's memory and copies its
	 * descriptors under the kernel's ptrace access check: without
	 * CAP_SYS_PTRACE only for a dumpable process of its own uid and gid. */
	if (p->host_noptrace && (p->uid != getuid() || p->gid != getgid()))
		return refuse_cap(e, CAP_SYS_PTRACE,
		                  "config.json: process.user: a container user other than "
		                  "runlock's own, with the filesystem view (the supervisor "
		                  "reads its trapped calls),");
	if (!(eff & CAPBIT(CAP_SETGID)) && !rl_groups_equal(p->n_groups, p->groups))
		return refuse_cap(e, CAP_SETGID,
		                  "config.json: process.user.additionalGids (other supplementary "
		                  "groups than runlock's own)");
	if (p->uid != 0 && !(eff & CAPBIT(CAP_SETUID)) && getuid() != p->uid)
		return refuse_cap(e, CAP_SETUID, "config.json: process.user.uid");
	if (p->gid != 0 && !(eff & CAPBIT(CAP_SETGID)) && getgid() != p->gid)
		return refuse_cap(e, CAP_SETGID, "config.json: process.user.gid");
	return 0;
}

/* ---- system calls, probed under this process's own seccomp filter ----- */

enum probe_need { NEED_ALWAYS, NEED_VIEW };

struct probe {
	const char *call;
	const char *for_what;
	enum probe_need need;
};

static const struct probe probes[] = {
    {"landlock_create_ruleset", "the container's Landlock domain", NEED_ALWAYS},
    {"landlock_add_rule", "the container's Landlock domain", NEED_ALWAYS},
    {"landlock_restrict_self", "the container's Landlock domain", NEED_ALWAYS},
    {"seccomp(SECCOMP_SET_MODE_FILTER)", "the container's seccomp filters", NEED_ALWAYS},
    {"pidfd_open", "the supervisor's hold on the container's processes", NEED_ALWAYS},
    {"pidfd_send_signal", "kill and the fail-closed kill of the container", NEED_ALWAYS},
    {"seccomp user notification (SECCOMP_FILTER_FLAG_NEW_LISTENER)",
     "the supervisor's emulation (mounts, /proc, hostname)", NEED_VIEW},
    {"pidfd_getfd", "the supervisor's copy of a container descriptor", NEED_VIEW},
    {"ptrace", "an exec from a mount (the supervisor's exec switch)", NEED_VIEW},
};

/* In the child: 0 when call i is allowed, else the errno it failed with.
 * Every probe is harmless: it acts on the child itself or on nothing. */
static int probe_one(size_t i, int self_pidfd, int open_err)
{
	long r = 0;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};

	errno = 0;
	switch (i) {
	case 0: /* the ABI version: answers without a ruleset */
		r = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
		return r >= 1 ? 0 : errno;
	case 1: /* a bad ruleset: EBADF when the call itself is allowed */
		r = syscall(SYS_landlock_add_rule, -1, 1, NULL, 0);
		return errno == EBADF ? 0 : errno;
	case 2: /* no_new_privs is set (main below): EBADF when allowed */
		r = syscall(SYS_landlock_restrict_self, -1, 0);
		return errno == EBADF ? 0 : errno;
	case 3: /* the child's own, allowing everything */
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
		return r == 0 ? 0 : errno;
	case 4:
		return self_pidfd >= 0 ? 0 : open_err;
	case 5:
		r = syscall(SYS_pidfd_send_signal, self_pidfd, 0, NULL, 0);
		return r == 0 ? 0 : errno;
	case 6: {
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		                  SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		if (fd < 0)
			return errno;
		close((int)fd);
		return 0;
	}
	case 7: {
		long fd = syscall(SYS_pidfd_getfd, self_pidfd, self_pidfd, 0);
		if (fd < 0)
			return errno;
		close((int)fd);
		return 0;
	}
	case 8: /* not a tracee of anyone: ESRCH when the call is allowed */
		r = ptrace(PTRACE_PEEKUSER, getpid(), NULL, NULL);
		return errno == ESRCH ? 0 : errno;
	default:
		return 0;
	}
}

struct probe_result {
	int index; /* -1: all allowed */
	int err;
};

/* Fork a child (create is single-threaded here) that sets no_new_privs on
 * itself, as the agent may, and tries each call; the first refused one is
 * reported. */
static int run_probes(bool view, struct probe_result *out, struct rl_error *e)
{
	int pfd[2];
	pid_t pid;
	int status;
	ssize_t n;

	out->index = -1;
	out->err = 0;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return rl_fail_errno(e, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return rl_fail_errno(e, errno, "fork");
	}
	if (pid == 0) {
		struct probe_result res = {.index = -1, .err = 0};
		int self, open_err;

		close(pfd[0]);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		self = (int)syscall(SYS_pidfd_open, getpid(), 0);
		open_err = self < 0 ? errno : 0;
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			int err;
			if (probes[i].need == NEED_VIEW && !view)
				continue;
			err = probe_one(i, self, open_err);
			if (err) {
				res.index = (int)i;
				res.err = err;
				break;
			}
		}
		n = write(pfd[1], &res, sizeof(res));
		_exit(n == (ssize_t)sizeof(res) ? 0 : 1);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], out, sizeof(*out));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*out))
		return rl_fail(
		    e, EIO, "probing the host's system calls: the probe died (status %d)", status);
	return 0;
}

/* Whether this process runs under a seccomp filter (the outer runtime's
 * profile): then an ENOSYS or EPERM is most likely that profile's. */
static bool under_seccomp_filter(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	bool filtered = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0) {
			filtered = strtol(line + 8, NULL, 10) == 2;
			break;
		}
	fclose(f);
	return filtered;
}

static int probe(bool view, struct rl_error *e)
{
	struct probe_result res;

	if (run_probes(view, &res, e) < 0)
		return -1;
	if (res.index >= 0)
		return rl_fail(e, res.err, "%s: %s: runlock needs it for %s%s",
		               probes[res.index].call, strerror(res.err),
		               probes[res.index].for_what,
		               under_seccomp_filter()
		                   ? " (denied by the seccomp profile runlock runs under: allow it "
		                     "in the outer container's profile)"
		                   : " (the kernel refuses it)");
	return 0;
}

int host_check(const struct oci_config *c, struct process_plan *p, struct rl_error *e)
{
	uint64_t eff, perm;

	if (rl_caps_get(&eff, &perm) < 0)
		return rl_fail_errno(e, errno, "capget");
	/* CAP_SYS_CHROOT: container_create.c refuses without it. */
	if (ns_net_mode(c) == NET_JOIN && !(eff & CAPBIT(CAP_SYS_ADMIN)))
		return refuse_cap(
		    e, CAP_SYS_ADMIN,
		    "config.json: linux.namespaces: joining a network namespace by path "
		    "(setns; use host networking, or --network none)");
	if (host_check_caps(p, e) < 0)
		return -1;
	/* Landlock and seccomp filters need CAP_SYS_ADMIN or no_new_privs.
	 * The agent sets it before entering the Landlock domain, and every
	 * container process inherits it: set-id programs in the image then
	 * run without gaining their owner's ids or file capabilities. */
	if (!(eff & CAPBIT(CAP_SYS_ADMIN))) {
		if (!p->no_new_privs)
			log_debug("runlock lacks CAP_SYS_ADMIN: no_new_privs is set for the "
			          "container although process.noNewPrivileges is false "
			          "(set-id programs in the image gain no privilege)");
		else
			log_debug("runlock lacks CAP_SYS_ADMIN: no_new_privs is set for the "
			          "container (as process.noNewPrivileges asks)");
		p->no_new_privs = true;
		p->host_nnp = true;
	}
	/* Before any filter is compiled: libseccomp asks the kernel too, and
	 * would fail with a less telling word. */
	return probe(false, e);
}

int host_check_view(struct process_plan *p, struct rl_error *e)
{
	uint64_t eff, perm;

	if (!p->notify_filter.insns)
		return 0;
	if (rl_caps_get(&eff, &perm) < 0)
		return rl_fail_errno(e, errno, "capget");
	/* Container processes are made dumpable once they hold only the
	 * container's credentials (runtime/init_child.c). */
	p->host_noptrace = !(eff & CAPBIT(CAP_SYS_PTRACE));
	if (host_check_caps(p, e) < 0)
		return -1;
	return probe(true, e);
}
