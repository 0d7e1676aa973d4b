/* The per-container supervisor (docs/design.md, "The picture").
 *
 * `create` forks it; it detaches (own session, stdio on /dev/null), forks
 * the agent, which forks the spawner, which forks init. It then lives
 * outside the sandbox until `delete`, in one event loop (poll(2) on the
 * seccomp listeners and an epoll descriptor that holds the rest) over:
 *   - the control socket <state>/ctl.sock and its connections (CLI requests);
 *   - each container process's channel (its pidfd and seccomp listener
 *     arrive there before the process can make a trapped call) and
 *     listener (notifications, answered by shim/notify/notify.c);
 *   - pidfds of init (exit: kill-all under a pid namespace, exit status
 *     recorded in <state>/exit), of exec'd processes, of the agent and the
 *     spawner (death of either: kill the container, fail closed).
 * Nothing polls on a timer: idle, it sleeps in poll(2) with no timeout;
 * only while a helper's answer or a fork under a pids limit is awaited
 * does it wake on a tick (SV_TICK_MS, PIDS_TICK_MS), under a memory
 * limit set at create every MEM_TICK_MS for the sampler, and under a CPU
 * quota to sample the container's CPU time (cpu_quota_timeout). */
#ifndef RUNLOCK_SHIM_SUPERVISOR_SUPERVISOR_H
#define RUNLOCK_SHIM_SUPERVISOR_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"
#include "runtime/init/process.h"
#include "shim/ipc/ctl_proto.h"
#include "shim/ipc/init_proto.h"
#include "shim/ipc/spawn_proto.h"
#include "shim/supervisor/cpu_quota.h"
#include "shim/supervisor/handlers.h"
#include "shim/mounts/mounts.h"
#include "shim/notify/notify.h"

struct supervisor_args {
	const struct oci_config *cfg;
	struct process_plan *plan;        /* init's */
	int dirfd;                        /* the state directory (an unlocked descriptor) */
	int sync_w;                       /* create's sync pipe: errors before init exists */
	int listen_fd;                    /* start.sock, for init */
	const struct mount_table *mounts; /* the container's view (sources pinned) */
	const char *rootfs;               /* host path of the container's root */
};

/* In the child `create` forked: become the supervisor. Failures from here
 * on (the agent's, the spawner's, init's) are reported through sync_w. */
__attribute__((noreturn)) void supervisor_boot(struct supervisor_args *a);

/* ---- internal to shim/ ---- */

enum sv_kind { W_CTL, W_CLIENT, W_AGENT, W_SPAWNER, W_PID, W_CHAN, W_STATE_DIR };

struct sv_watch {
	enum sv_kind kind;
	void *obj;
};

struct sv_client;

/* A process runlock started in the container: init or an exec'd one. */
struct sv_proc {
	struct sv_proc *next;
	pid_t pid, waiter;
	uint64_t start_time;
	int pidfd, chan, listener;
	enum init_state chan_st; /* what its channel may still report (init_proto.h) */
	int waiter_pidfd;        /* the intermediate that waits for it (exec'd ones) */
	int64_t parked_since;    /* ms: when pid_parked was set */
	bool is_init, exited, started;
	bool abandoned;           /* its exec command went before it started: kill it */
	bool pid_parked;          /* pidfd out of epoll until the channel is drained */
	struct sv_client *client; /* the exec command waiting on it */
	struct sv_watch w_pid, w_chan;
};

struct sv_client {
	int fd;
	enum ctl_state st; /* what it may still ask (shim/ipc/ctl_proto.h) */
	struct sv_watch w;
};

/* An exec request the spawner has not answered yet. The spawner answers in
 * order, so the first of the list is the one its next reply is for. It is in
 * the container's signal scope (it must be, to fork into that domain): the
 * container can stop it, so the supervisor never waits for it in place. */
struct sv_spawn {
	struct sv_spawn *next;
	struct sv_client *client; /* NULL once the exec command has gone */
	int chan;                 /* the process's channel, our end */
	int64_t deadline;         /* ms, CLOCK_MONOTONIC */
};

struct supervisor {
	const struct oci_config *cfg; /* the bundle's, as create parsed it */
	int ep, ctl_fd, dirfd;
	int dir_watch; /* inotify on the state root: our directory removed? */
	int agent_sock, agent_pidfd;
	int spawner_sock, spawner_pidfd;
	pid_t agent_pid, spawner_pid;
	bool pid_ns, scoped;
	unsigned long timeouts_seen; /* wire_timeouts: the agent's, when it moves */
	struct sv_proc *procs;
	struct sv_spawn *spawns;
	size_t n_spawns;
	struct notify notify;
	struct emul_state emul;
	struct cpu_quota quota; /* linux.resources.cpu.quota (cpu_quota.h) */
	struct sv_watch w_ctl, w_agent, w_spawner, w_state_dir;
};

int sv_watch_add(struct supervisor *s, int fd, uint32_t events, struct sv_watch *w);
void sv_watch_del(struct supervisor *s, int fd);

/* Every live process of the container (zombies left out, runlock's own
 * left out). *pids is malloc'd. */
int sv_members(struct supervisor *s, pid_t **pids, size_t *n, struct rl_error *e);
/* sv_members for the filesystem view (ctx: the supervisor). */
int sv_list_members(void *ctx, pid_t **pids, size_t *n);
/* Signal every container process; SIGKILL repeats until none is left. */
void sv_signal_all(struct supervisor *s, int sig);

/* runlock update (shim/supervisor/resources_update.c): json, a
 * linux.resources object, checked whole, then applied to every process of
 * the container. 0, or -1 with *e and nothing changed. */
int sv_update_resources(struct supervisor *s, const char *json, size_t len, struct rl_error *e);
/* The same, sparing process `spare` (0: none): the container's init, when
 * it would drop sig as pid 1 of a pid namespace (proc_init_drops). */
void sv_signal_all_but(struct supervisor *s, int sig, pid_t spare);

/* Watch the state root for the removal of our state directory
 * (sv_state_dir_event); s->dir_watch stays -1 when it cannot be watched. */
void sv_watch_state_dir(struct supervisor *s, int base);
/* The state root changed: if our directory is gone (an `rm -rf` without
 * `delete`), do what `delete --force` would: kill the container, exit. */
void sv_state_dir_event(struct supervisor *s);

/* Bounds on what the supervisor waits for from the helpers the container
 * can stop or block (docs/design.md, "Bounded waits"). */
#define SV_AGENT_WAIT_MS  10000 /* one agent request, answer included */
#define SV_SPAWN_WAIT_MS  10000 /* the spawner's answer to an exec request */
#define SV_WAITER_WAIT_MS 2000  /* an exec waiter's report once its child exited */
#define SV_SEND_WAIT_MS   2000  /* a request or reply put on a socket */
#define SV_TICK_MS        100   /* while any of these is awaited */
#define SV_MAX_SPAWNS     16

int64_t sv_now_ms(void);

/* Control socket: a new connection; false (and refused) unless the peer is
 * the runtime's own caller. */
bool sv_peer_allowed(struct supervisor *s, int fd);

/* The spawner's answer to the oldest exec request. */
void sv_spawn_answered(struct supervisor *s, const struct spawn_msg *m);
/* Fail every pending exec request (the spawner is gone). */
void sv_spawn_fail_all(struct supervisor *s, int err, const char *msg);

/* Control socket: a connection is readable. */
void sv_client_ready(struct supervisor *s, struct sv_client *c);
void sv_client_close(struct supervisor *s, struct sv_client *c);
/* The replies on a control connection (shim/ipc/ctl_proto.h). */
int sv_reply(int fd, const struct ctl_reply *r, const int32_t *pids);
int sv_reply_done(int fd);
int sv_reply_error(int fd, int err, const char *msg);
int sv_reply_started(int fd, pid_t pid);
int sv_reply_exit(int fd, int status);

/* The supervisor's loop; never returns. */
__attribute__((noreturn)) void supervisor_run(struct supervisor *s);
__attribute__((noreturn)) void supervisor_exit(struct supervisor *s, int code);

#endif
