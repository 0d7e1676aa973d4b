/* Container lifecycle: create, start, kill, delete — the operations the
 * commands are thin wrappers around (run composes create, start and a wait).
 *
 * Every operation that changes a container holds its directory lock for its
 * whole duration (see state.h), checks the status derived from reality, and
 * either completes or leaves the container as it found it. */
#ifndef RUNLOCK_RUNTIME_LIFECYCLE_CONTAINER_H
#define RUNLOCK_RUNTIME_LIFECYCLE_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/lifecycle/options.h"
#include "runtime/state/state.h"

struct create_opts {
	const char *id;
	const char *bundle; /* NULL: the current directory */
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool detach;      /* false only for a foreground `run` */
	bool keep_master; /* foreground `run` with a terminal: return the pty master */
};

struct created {
	pid_t pid;
	uint64_t start_time;
	int pty_master; /* -1 unless keep_master */
	bool pid_ns;    /* a pid namespace was asked for: init is "pid 1" (proc_init_drops) */
};

int container_create(const struct global_opts *g, const struct create_opts *o, struct created *out,
                     struct rl_error *e);

int container_start(const struct global_opts *g, const char *id, struct rl_error *e);

int container_kill(const struct global_opts *g, const char *id, int sig, bool all,
                   struct rl_error *e);

/* runlock update: resources_json (a linux.resources object) to the
 * container's supervisor, which checks it whole and applies it to every
 * process (shim/supervisor/resources_update.c). */
int container_update(const struct global_opts *g, const char *id, const char *resources_json,
                     size_t len, struct rl_error *e);

/* force: kill a running container first. A missing container is an error
 * with e->err == ENOENT (delete --force treats that as success). */
int container_delete(const struct global_opts *g, const char *id, bool force, struct rl_error *e);

/* The container's scratch tree, <root>/@scratch/<id> (0700 both), outside
 * its state directory (runtime/lifecycle/container_scratch.c): create it, replacing
 * any leftover of a killed create, and return its descriptor; remove it
 * (and <root>/@scratch once empty), never following a symlink. */
int container_scratch_create(int root_fd, const char *id, struct rl_error *e);
void container_scratch_remove(int root_fd, const char *id);

/* Open the container locked (state.h), with its state read and refreshed;
 * the caller releases both with state_free and state_dir_close. */
int container_open_locked(const struct global_opts *g, const char *id, struct container_dir *d,
                          struct container_state *s, struct rl_error *e);

/* Read a container's state without locking and derive its live status. */
int container_load(const struct global_opts *g, const char *id, struct container_state *s,
                   struct rl_error *e);

struct proc_member;

/* The container's live processes, init included (pid and start time each);
 * *out is free()d by the caller. The one place ps, pause, resume and events
 * learn membership: today a /proc scan (proc_list_container), later a
 * question to the container's supervisor. */
int container_processes(const struct container_state *s, struct proc_member **out, size_t *n,
                        struct rl_error *e);

/* Stop every process of a running or created container (SIGSTOP, repeated
 * until a full pass finds nothing new and nothing running) and record
 * `paused`. Errors: "container not running" (stopped or already paused). */
int container_pause(const struct global_opts *g, const char *id, struct rl_error *e);

/* SIGCONT every process of a paused container; it is `running` again, or
 * `created` when it had not been started. Error: "container not paused". */
int container_resume(const struct global_opts *g, const char *id, struct rl_error *e);

/* What `events` reports, summed over the container's processes, and the
 * supervisor's live numbers for the limits it enforces (CTL_STATS; when
 * it is gone or predates them, the sums alone and the config's pids
 * limit). */
struct container_stats {
	uint64_t pids;         /* live tasks, threads included (the pids cgroup's count) */
	uint64_t pids_limit;   /* linux.resources.pids.limit enforced; 0: none */
	uint64_t memory_usage; /* bytes: the supervisor's sample under a memory limit, or
	                        * the sum of VmRSS */
	uint64_t memory_rss;   /* bytes, sum of VmRSS */
	bool memory_held;      /* a memory limit was set at create: */
	uint64_t memory_limit; /* bytes, 0: none now */
	uint64_t memory_max;   /* the most the supervisor has seen */
	uint64_t memory_failcnt;
	uint64_t oom_kill;      /* processes killed over the limit */
	uint64_t cpu_user_ns;   /* utime */
	uint64_t cpu_kernel_ns; /* stime */
	/* cpu.quota's throttling, from the supervisor (cpu.stat's) */
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
};

int container_stats(const struct container_state *s, struct container_stats *out,
                    struct rl_error *e);
/* The supervisor's OOM kills so far (its STATE_OOM_FILE): container_stats'
 * oom_kill, without a walk of the processes or a request. */
uint64_t container_oom_kills(const struct container_state *s);

/* Tell the supervisor of the container at dirfd to kill what is left and
 * exit; wait until it has. Quietly does nothing when none runs
 * (supervisor_stop.c). */
void supervisor_quit(int dirfd);

#endif
