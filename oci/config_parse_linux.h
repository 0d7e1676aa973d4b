/* The "linux" object of config.json (internal to oci/; see oci/config.h). */
#ifndef RUNLOCK_OCI_CONFIG_PARSE_LINUX_H
#define RUNLOCK_OCI_CONFIG_PARSE_LINUX_H

#include "oci/config.h"
#include "oci/config_json.h"

/* cj_obj_fn for the "linux" member: allocates *(struct oci_linux **)out
 * before filling it, so a failure leaves a partial struct for the caller's
 * free. */
int oci_parse_linux(struct cj_ctx *c, const struct cj_node *v, void *out);
void oci_linux_free(struct oci_linux *l);

/* cj_elem_fn for {containerID, hostID, size}, all required; also used by
 * mounts[].uidMappings/gidMappings. */
int oci_parse_id_mapping(struct cj_ctx *c, const struct cj_node *v, void *elem);

/* List in r->unsupported (by JSON path) every member of the "resources"
 * object res that would limit or tune the container and that runlock does
 * not enforce (oci/resources_support.c). 0, or -1 on allocation failure. */
int resources_scan_unsupported(struct cj_ctx *c, const struct cj_node *res,
                               struct oci_resources *r);

#endif
