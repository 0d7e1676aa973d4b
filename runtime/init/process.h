/* Everything the container's init needs between fork and execve, computed in
 * the parent, and the child side that applies it.
 *
 * The child may only make async-signal-safe calls (no allocation, no stdio, no
 * locks between fork and exec: docs/design.md), so process_plan_build() resolves
 * names, allocates arrays and checks what can be checked up front, and
 * init_child_run() only issues system calls on prepared values. */
#ifndef RUNLOCK_RUNTIME_INIT_PROCESS_H
#define RUNLOCK_RUNTIME_INIT_PROCESS_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "common/error.h"
#include "hooks/hooks.h"
#include "oci/config.h"
#include "runtime/confine/landlock.h"
#include "runtime/confine/seccomp.h"
#include "shim/ipc/init_proto.h"

#define PLAN_MAX_RLIMITS 16

struct plan_rlimit {
	int resource;
	struct rlimit lim;
	char name[24]; /* "RLIMIT_NOFILE", for error messages */
};

struct process_plan {
	char *exec_path; /* as the container sees it (after chroot) */
	char **argv;     /* borrowed from the config */
	char **envp;     /* owned: config env plus HOME when missing */
	const char *cwd; /* borrowed */

	uid_t uid;
	gid_t gid;
	gid_t *groups; /* owned */
	size_t n_groups;
	bool has_umask;
	mode_t umask;

	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	int last_cap;

	struct plan_rlimit rlimits[PLAN_MAX_RLIMITS];
	size_t n_rlimits;

	bool no_new_privs;
	bool host_nnp;      /* runlock lacks CAP_SYS_ADMIN: the agent sets no_new_privs
	                     * before Landlock, for every process below it (runtime/init/host.h) */
	bool host_noptrace; /* runlock lacks CAP_SYS_PTRACE and the view is in use: each
	                     * container process is made dumpable once it holds only the
	                     * container's credentials, with every filter in force first */
	bool has_cpus;      /* linux.resources.cpu: the affinity, the nice value (from shares)
	                     * and SCHED_IDLE (runtime/init/cpu_limits.c) */
	cpu_set_t cpus;
	bool has_nice;
	int nice;
	bool sched_idle;
	int ioprio; /* linux.resources.blockIO.weight as an I/O priority
	             * (runtime/init/io_limits.c); 0: none */
	bool has_oom_score_adj;
	char oom_score_adj[16]; /* decimal text, ready to write */

	/* Confinement, built by confine_build() (runtime/init/confine.c). */
	struct landlock_domain landlock;
	struct bpf_prog bundle_filter;  /* linux.seccomp; empty when absent */
	struct bpf_prog runlock_filter; /* runlock's mandatory rules */
	struct bpf_prog raw_filter;     /* the same, for calls libseccomp cannot name */
	bool filters_early;             /* no no_new_privs: the bundle's filter goes in while
	                                 * CAP_SYS_ADMIN is held (runlock's always does) */
	int netns_fd;                   /* network namespace to join; -1 for none */
	bool reap_orphans;              /* pid namespace: init adopts orphans, as a pid 1 does */

	struct bpf_prog notify_filter; /* the supervisor's SCMP_ACT_NOTIFY set; may be empty */

	int rootfs_fd;    /* O_PATH directory, chroot target */
	int preserve_fds; /* fds 3 .. 3+preserve_fds-1 pass to the program */
	bool terminal;    /* stdio is pty_slave_fd */
	int pty_slave_fd; /* -1 when no terminal */

	/* The process's links to the supervisor, set by shim/supervisor/launch.c for init
	 * and by shim/spawner/spawner.c for each exec'd process. */
	int chan_fd;         /* to the supervisor: INIT_HELLO with pidfd and listener */
	int stdio_fds[3];    /* dup'd onto 0..2; -1 keeps what is there */
	const int *pass_fds; /* exec: the preserve_fds fds, moved onto 3.. */
	struct oci_process
	    *owned_process; /* exec: parsed by the spawner; argv, cwd point into it */

	/* createContainer/startContainer hooks and the create gate, built by
	 * hook_plan_build() (hooks/container.c). */
	struct hook_plan hooks;
};

/* Resolve and check the config's process section against the rootfs open at
 * rootfs_fd (which the plan takes ownership of on success). */
int process_plan_build(const struct oci_config *c, int rootfs_fd, int preserve_fds,
                       struct process_plan *p, struct rl_error *e);

void process_plan_free(struct process_plan *p);

/* linux.resources.cpu checked against this host into p
 * (runtime/init/cpu_limits.c). Errors name the field. */
int cpu_limits_build(const struct oci_config *c, struct process_plan *p, struct rl_error *e);

/* linux.resources.blockIO.weight checked into p->ioprio
 * (runtime/init/io_limits.c). Errors name the field. */
int io_limits_build(const struct oci_config *c, struct process_plan *p, struct rl_error *e);
/* The best-effort I/O priority level (0-7) standing for a weight; _of:
 * the bundle's, -1 when it sets none (or one io_limits_build refuses). */
int io_weight_level(uint64_t weight);
int io_level_of(const struct oci_config *c);
/* cpu.quota and cpu.period (µs) as the cpu cgroup takes them: a period
 * of 1 ms to 1 s, a quota of at least 1 ms or <= 0 (none). */
int cpu_quota_validate(int64_t quota, uint64_t period, struct rl_error *e);

/* The nice value whose scheduler weight is nearest to cpu.shares. */
int cpu_shares_nice(uint64_t shares);

/* Close what the supervisor, the agent and the spawner hold only to hand
 * down to init: init's channel, the caller's stdio and preserved fds, the
 * pty slave, the hook gate, the rootfs and network namespace fds. (Each also
 * closes create's sync pipe and start.sock itself.) */
void process_plan_close_passed(struct process_plan *p);

/* Close the process's stdio (or pty slave) and its preserved fds (at
 * pass_fds, or at 3.. when pass_fds is NULL): what a waiter that stays
 * behind must not hold (shim/spawner/spawner.c). */
void process_plan_close_stdio(struct process_plan *p);

/* Build the confinement part of the plan: namespaces mapped, Landlock
 * ruleset, seccomp filters (runtime/init/confine.c); trapped: the n_trapped
 * syscalls (and argument conditions) the supervisor answers. */
int confine_build(const struct oci_config *c, const struct trap_rule *trapped, size_t n_trapped,
                  struct process_plan *p, struct rl_error *e);

/* The init's side: set up the process as planned, report READY on sync_fd,
 * wait for `start` on listen_fd, then execve. Never returns. On failure it
 * reports INIT_ERROR (before READY, on sync_fd; after, on the start
 * connection) and exits 127. Async-signal-safe only. */
__attribute__((noreturn)) void init_child_run(const struct process_plan *p, int sync_fd,
                                              int listen_fd);

/* An exec'd process: the same set-up without hooks or start gate, errors
 * (INIT_ERROR, shim/ipc/init_proto.h) to err_fd, which closes on execve.
 * Never returns. */
__attribute__((noreturn)) void exec_child_run(const struct process_plan *p, int err_fd);

#endif
