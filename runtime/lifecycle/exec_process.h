/* The process an `exec` runs, as the JSON "process" object the spawner
 * parses: the container's own process with runc's exec flags applied
 * (args, --env added or replacing by key, --cwd, --user, --additional-gids,
 * --cap added to every set but inheritable, --no-new-privs, --tty), or the
 * --process file as given. */
#ifndef RUNLOCK_RUNTIME_LIFECYCLE_EXEC_PROCESS_H
#define RUNLOCK_RUNTIME_LIFECYCLE_EXEC_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"

#define EXEC_MAX_LIST 256

struct exec_opts {
	const char *process_file;
	bool detach, tty, no_new_privs, ignore_paused;
	const char *pid_file, *console_socket, *cwd;
	bool has_user;
	uint32_t uid, gid;
	bool has_gid;
	const char *env[EXEC_MAX_LIST];
	size_t n_env;
	uint32_t gids[EXEC_MAX_LIST];
	size_t n_gids;
	const char *caps[EXEC_MAX_LIST];
	size_t n_caps;
	int preserve_fds;
	char **args; /* the command after the id */
	int n_args;
};

/* Build the process JSON from the container's config (its process section)
 * and the options; *terminal says whether it asks for a terminal. */
int exec_process_json(const struct oci_config *c, const struct exec_opts *o, char **json,
                      size_t *len, bool *terminal, struct rl_error *e);

#endif
