#include "runtime/confine/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

bool ns_requested(const struct oci_config *c, const char *type)
{
	return oci_config_namespace(c, type) != NULL;
}

enum net_mode ns_net_mode(const struct oci_config *c)
{
	const struct oci_namespace *ns = oci_config_namespace(c, "network");

	if (!ns)
		return NET_HOST;
	return ns->path && ns->path[0] ? NET_JOIN : NET_NONE;
}

static int check_identity(const struct oci_id_mapping *m, size_t n, const char *field,
                          struct rl_error *e)
{
	for (size_t k = 0; k < n; k++)
		if (m[k].container_id != m[k].host_id)
			return rl_fail(e, ENOTSUP,
			               "config.json: linux.%s[%zu]: only the identity mapping is "
			               "supported (runlock creates no user namespace)",
			               field, k);
	return 0;
}

int ns_check(const struct oci_config *c, struct rl_error *e)
{
	const struct oci_linux *l = c->linux_;

	if (!l)
		return 0;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];
		bool has_path = ns->path && ns->path[0];

		if (strcmp(ns->type, "cgroup") == 0 || strcmp(ns->type, "time") == 0) {
			log_debug("namespace %s: ignored (runlock creates no namespace)", ns->type);
			continue;
		}
		if (has_path && strcmp(ns->type, "network") != 0)
			return rl_fail(
			    e, ENOTSUP,
			    "config.json: linux.namespaces[%zu]: joining a %s namespace by "
			    "path (%s) is not supported: runlock creates and joins no "
			    "namespace except an existing network namespace",
			    i, ns->type, ns->path);
	}
	if (ns_requested(c, "user") &&
	    (check_identity(l->uid_mappings, l->n_uid_mappings, "uidMappings", e) < 0 ||
	     check_identity(l->gid_mappings, l->n_gid_mappings, "gidMappings", e) < 0))
		return -1;
	return 0;
}

int ns_open_netns(const struct oci_config *c, struct rl_error *e)
{
	const struct oci_namespace *ns = oci_config_namespace(c, "network");
	int fd;

	fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rl_fail_errno(
		    e, errno,
		    "config.json: linux.namespaces: network namespace %s cannot be "
		    "opened (use host networking, or --network none)",
		    ns->path);
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(fd);
		return rl_fail(e, EINVAL,
		               "config.json: linux.namespaces: %s is not a network "
		               "namespace",
		               ns->path);
	}
	return fd;
}
