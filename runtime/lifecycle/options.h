/* The global options of every command (runc's), as the lifecycle reads them:
 * where the state lives and how to log. Parsed by runtime/cli/main.c. */
#ifndef RUNLOCK_RUNTIME_LIFECYCLE_OPTIONS_H
#define RUNLOCK_RUNTIME_LIFECYCLE_OPTIONS_H

#include <stdbool.h>

#include "common/log.h"

struct global_opts {
	const char *root;     /* state directory */
	const char *log_path; /* NULL: stderr */
	enum log_format log_format;
	bool debug;
	bool systemd_cgroup;        /* accepted; runlock creates no cgroup */
	const char *cgroup_manager; /* accepted; runlock creates no cgroup */
	const char *rootless;       /* accepted: true|false|auto */
};

#endif
