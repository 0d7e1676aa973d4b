/* How the config's linux.namespaces map onto runlock's confinement. No
 * namespace is ever created; see docs/security.md for the mapping. */
#ifndef RUNLOCK_RUNTIME_CONFINE_NAMESPACES_H
#define RUNLOCK_RUNTIME_CONFINE_NAMESPACES_H

#include <stdbool.h>

#include "common/error.h"
#include "oci/config.h"

enum net_mode {
	NET_HOST, /* no network entry: the host's network */
	NET_NONE, /* network entry without path: no network at all */
	NET_JOIN, /* network entry with a path: join it with setns */
};

bool ns_requested(const struct oci_config *c, const char *type);
enum net_mode ns_net_mode(const struct oci_config *c);

/* Refuse what cannot be mapped (a namespace other than network given by
 * path, non-identity user mappings), log what is ignored (cgroup, time). */
int ns_check(const struct oci_config *c, struct rl_error *e);

/* For NET_JOIN: open the namespace file (close-on-exec) and check it is a
 * network namespace; -1 with an error suggesting host networking or
 * --network none when it cannot be joined. */
int ns_open_netns(const struct oci_config *c, struct rl_error *e);

#endif
