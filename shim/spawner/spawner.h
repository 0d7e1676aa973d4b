/* The spawner: forks every process that runs in the container.
 *
 * Forked by the agent after the chroot and Landlock domain, it enters a
 * nested Landlock domain of its own, which its children inherit: the
 * container's processes can signal one another and the spawner, but not the
 * agent above them, while the agent's membership oracle still reaches them.
 *
 * It forks init at once (double fork: init is reparented to the caller's
 * subreaper) and then serves exec requests from the supervisor
 * (shim/ipc/spawn_proto.h: SPAWN_EXEC, answered SPAWN_DONE or
 * SPAWN_FAILED): the process
 * JSON is parsed and planned here, inside the chroot, and forked through an
 * intermediate that reports INIT_STARTED or INIT_ERROR on the process's
 * channel (shim/ipc/init_proto.h), then waits for it and reports
 * INIT_EXIT. (The
 * caller of `exec` cannot be this process's subreaper, so `exec` keeps a
 * stand-in in the caller's own tree that mirrors the exit: cmd_exec.c.) */
#ifndef RUNLOCK_SHIM_SPAWNER_SPAWNER_H
#define RUNLOCK_SHIM_SPAWNER_SPAWNER_H

#include <stdint.h>

#include "oci/config.h"
#include "runtime/init/process.h"

struct spawner_config {
	int sock;                     /* to the supervisor */
	const struct oci_config *cfg; /* the bundle as create parsed it */
	struct process_plan *init;    /* init's plan; exec'd processes share its filters */
	int sync_w, listen_fd;        /* init's channels to create and start */
	int base_fd;                  /* lowest fd number free for runlock's own */
};

__attribute__((noreturn)) void spawner_run(struct spawner_config *c);

#endif
