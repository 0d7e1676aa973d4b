/* config.json "linux": namespaces, id mappings, sysctl, resources, devices,
 * seccomp, paths and personality. */
#include "oci/config_parse_linux.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

int oci_parse_id_mapping(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_id_mapping *m = elem;

	if (cj_get_u32(c, v, "containerID", NULL, &m->container_id) < 0 ||
	    cj_get_u32(c, v, "hostID", NULL, &m->host_id) < 0 ||
	    cj_get_u32(c, v, "size", NULL, &m->size) < 0)
		return -1;
	return 0;
}

static int parse_namespace(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_namespace *ns = elem;

	if (cj_get_str(c, v, "type", &ns->type) < 0 || cj_get_str(c, v, "path", &ns->path) < 0)
		return -1;
	return 0;
}

/* ---- resources ------------------------------------------------------------ */

static int parse_memory(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_resources *r = out;

	if (cj_get_i64(c, v, "limit", INT64_MIN, INT64_MAX, &r->has_memory_limit,
	               &r->memory_limit) < 0 ||
	    cj_get_i64(c, v, "reservation", INT64_MIN, INT64_MAX, &r->has_memory_reservation,
	               &r->memory_reservation) < 0 ||
	    cj_get_i64(c, v, "swap", INT64_MIN, INT64_MAX, &r->has_memory_swap, &r->memory_swap) <
	        0)
		return -1;
	return 0;
}

static int parse_pids(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_resources *r = out;

	return cj_get_i64(c, v, "limit", INT64_MIN, INT64_MAX, &r->has_pids_limit, &r->pids_limit);
}

static int parse_cpu(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_resources *r = out;

	if (cj_get_u64(c, v, "shares", UINT64_MAX, &r->has_cpu_shares, &r->cpu_shares) < 0 ||
	    cj_get_i64(c, v, "quota", INT64_MIN, INT64_MAX, &r->has_cpu_quota, &r->cpu_quota) < 0 ||
	    cj_get_u64(c, v, "period", UINT64_MAX, &r->has_cpu_period, &r->cpu_period) < 0 ||
	    cj_get_str(c, v, "cpus", &r->cpu_cpus) < 0 ||
	    cj_get_str(c, v, "mems", &r->cpu_mems) < 0 ||
	    cj_get_i64(c, v, "idle", INT64_MIN, INT64_MAX, &r->has_cpu_idle, &r->cpu_idle) < 0)
		return -1;
	return 0;
}

static int parse_blkio(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_resources *r = out;

	return cj_get_u64(c, v, "weight", UINT64_MAX, &r->has_blkio_weight, &r->blkio_weight);
}

static int parse_device_cgroup(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_device_cgroup *d = elem;

	if (cj_require(c, v, "allow") < 0 || cj_get_bool(c, v, "allow", &d->allow) < 0 ||
	    cj_get_str(c, v, "type", &d->type) < 0 ||
	    cj_get_i64(c, v, "major", INT64_MIN, INT64_MAX, &d->has_major, &d->major) < 0 ||
	    cj_get_i64(c, v, "minor", INT64_MIN, INT64_MAX, &d->has_minor, &d->minor) < 0 ||
	    cj_get_str(c, v, "access", &d->access) < 0)
		return -1;
	return 0;
}

static int parse_resources(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_resources *r = calloc(1, sizeof(*r));

	if (!r)
		return cj_oom(c);
	*(struct oci_resources **)out = r;
	if (cj_with_object(c, v, "memory", parse_memory, r) < 0 ||
	    cj_with_object(c, v, "pids", parse_pids, r) < 0 ||
	    cj_with_object(c, v, "cpu", parse_cpu, r) < 0 ||
	    cj_with_object(c, v, "blockIO", parse_blkio, r) < 0 ||
	    CJ_GET_OBJECTS(c, v, "devices", parse_device_cgroup, &r->devices, &r->n_devices) < 0)
		return -1;
	return resources_scan_unsupported(c, v, r);
}

static void resources_free(struct oci_resources *r)
{
	if (!r)
		return;
	free(r->cpu_cpus);
	free(r->cpu_mems);
	cj_strv_free(r->unsupported, r->n_unsupported);
	for (size_t i = 0; i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r);
}

/* ---- devices ------------------------------------------------------------ */

static int parse_device(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_device *d = elem;
	bool fifo, has_major = false, has_minor = false;

	if (cj_get_str(c, v, "path", &d->path) < 0 || cj_get_str(c, v, "type", &d->type) < 0)
		return -1;
	/* The spec leaves major/minor out only for FIFOs; elsewhere an absent
	 * number would silently become device 0:0. */
	fifo = d->type && strcmp(d->type, "p") == 0;
	if (cj_get_i64(c, v, "major", INT64_MIN, INT64_MAX, fifo ? &has_major : NULL, &d->major) <
	        0 ||
	    cj_get_i64(c, v, "minor", INT64_MIN, INT64_MAX, fifo ? &has_minor : NULL, &d->minor) <
	        0 ||
	    cj_get_u32(c, v, "fileMode", &d->has_file_mode, &d->file_mode) < 0 ||
	    cj_get_u32(c, v, "uid", &d->has_uid, &d->uid) < 0 ||
	    cj_get_u32(c, v, "gid", &d->has_gid, &d->gid) < 0)
		return -1;
	return 0;
}

/* ---- seccomp ------------------------------------------------------------ */

static const struct {
	const char *name;
	enum oci_seccomp_op op;
} seccomp_ops[] = {
    {"SCMP_CMP_NE", OCI_OP_NOT_EQUAL},           {"SCMP_CMP_LT", OCI_OP_LESS_THAN},
    {"SCMP_CMP_LE", OCI_OP_LESS_EQUAL},          {"SCMP_CMP_EQ", OCI_OP_EQUAL_TO},
    {"SCMP_CMP_GE", OCI_OP_GREATER_EQUAL},       {"SCMP_CMP_GT", OCI_OP_GREATER_THAN},
    {"SCMP_CMP_MASKED_EQ", OCI_OP_MASKED_EQUAL},
};

static int to_seccomp_op(struct cj_ctx *c, const struct cj_node *v, enum oci_seccomp_op *op)
{
	char q[CJ_QUOTE_BUF];

	if (cj_expect(c, v, CJ_STRING) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(seccomp_ops) / sizeof(seccomp_ops[0]); i++) {
		if (strcmp(v->text, seccomp_ops[i].name) == 0) {
			*op = seccomp_ops[i].op;
			return 0;
		}
	}
	return cj_fail(c, "unknown operator %s", cj_quote(q, sizeof(q), v->text, v->len));
}

static int parse_seccomp_arg(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_seccomp_arg *a = elem;
	const struct cj_node *op;
	bool has_two = false;
	size_t old;
	int r;

	if (cj_get_u32(c, v, "index", NULL, &a->index) < 0 ||
	    cj_get_u64(c, v, "value", UINT64_MAX, NULL, &a->value) < 0 ||
	    cj_get_u64(c, v, "valueTwo", UINT64_MAX, &has_two, &a->value_two) < 0 ||
	    cj_require(c, v, "op") < 0)
		return -1;
	op = cj_member(v, "op");
	old = cj_path_push_key(&c->path, "op", 2);
	r = to_seccomp_op(c, op, &a->op);
	cj_path_pop(&c->path, old);
	return r;
}

static int parse_syscall(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_seccomp_syscall *s = elem;

	if (cj_get_strv(c, v, "names", &s->names, &s->n_names) < 0 ||
	    cj_get_str(c, v, "action", &s->action) < 0 ||
	    cj_get_u32(c, v, "errnoRet", &s->has_errno_ret, &s->errno_ret) < 0 ||
	    CJ_GET_OBJECTS(c, v, "args", parse_seccomp_arg, &s->args, &s->n_args) < 0)
		return -1;
	return 0;
}

static int parse_seccomp(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_seccomp *s = calloc(1, sizeof(*s));

	if (!s)
		return cj_oom(c);
	*(struct oci_seccomp **)out = s;
	if (cj_get_str(c, v, "defaultAction", &s->default_action) < 0 ||
	    cj_get_u32(c, v, "defaultErrnoRet", &s->has_default_errno_ret, &s->default_errno_ret) <
	        0 ||
	    cj_get_strv(c, v, "architectures", &s->architectures, &s->n_architectures) < 0 ||
	    cj_get_strv(c, v, "flags", &s->flags, &s->n_flags) < 0 ||
	    cj_get_str(c, v, "listenerPath", &s->listener_path) < 0 ||
	    cj_get_str(c, v, "listenerMetadata", &s->listener_metadata) < 0 ||
	    CJ_GET_OBJECTS(c, v, "syscalls", parse_syscall, &s->syscalls, &s->n_syscalls) < 0)
		return -1;
	return 0;
}

static void seccomp_free(struct oci_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	cj_strv_free(s->architectures, s->n_architectures);
	cj_strv_free(s->flags, s->n_flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		cj_strv_free(s->syscalls[i].names, s->syscalls[i].n_names);
		free(s->syscalls[i].action);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	free(s);
}

/* ---- personality, the whole object ---------------------------------------- */

static int parse_personality(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_personality *p = calloc(1, sizeof(*p));

	if (!p)
		return cj_oom(c);
	*(struct oci_personality **)out = p;
	if (cj_get_str(c, v, "domain", &p->domain) < 0 ||
	    cj_get_strv(c, v, "flags", &p->flags, &p->n_flags) < 0)
		return -1;
	return 0;
}

int oci_parse_linux(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_linux *l = calloc(1, sizeof(*l));

	if (!l)
		return cj_oom(c);
	*(struct oci_linux **)out = l;
	if (CJ_GET_OBJECTS(c, v, "namespaces", parse_namespace, &l->namespaces, &l->n_namespaces) <
	        0 ||
	    CJ_GET_OBJECTS(c, v, "uidMappings", oci_parse_id_mapping, &l->uid_mappings,
	                   &l->n_uid_mappings) < 0 ||
	    CJ_GET_OBJECTS(c, v, "gidMappings", oci_parse_id_mapping, &l->gid_mappings,
	                   &l->n_gid_mappings) < 0 ||
	    cj_get_kv(c, v, "sysctl", &l->sysctl, &l->n_sysctl) < 0 ||
	    cj_with_object(c, v, "resources", parse_resources, &l->resources) < 0 ||
	    cj_get_str(c, v, "cgroupsPath", &l->cgroups_path) < 0 ||
	    CJ_GET_OBJECTS(c, v, "devices", parse_device, &l->devices, &l->n_devices) < 0 ||
	    cj_with_object(c, v, "seccomp", parse_seccomp, &l->seccomp) < 0 ||
	    cj_get_str(c, v, "rootfsPropagation", &l->rootfs_propagation) < 0 ||
	    cj_get_strv(c, v, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    cj_get_strv(c, v, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths) < 0 ||
	    cj_get_str(c, v, "mountLabel", &l->mount_label) < 0 ||
	    cj_with_object(c, v, "personality", parse_personality, &l->personality) < 0)
		return -1;
	return 0;
}

void oci_linux_free(struct oci_linux *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		free(l->namespaces[i].type);
		free(l->namespaces[i].path);
	}
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	cj_kv_free(l->sysctl, l->n_sysctl);
	resources_free(l->resources);
	free(l->cgroups_path);
	for (size_t i = 0; i < l->n_devices; i++) {
		free(l->devices[i].path);
		free(l->devices[i].type);
	}
	free(l->devices);
	seccomp_free(l->seccomp);
	free(l->rootfs_propagation);
	cj_strv_free(l->masked_paths, l->n_masked_paths);
	cj_strv_free(l->readonly_paths, l->n_readonly_paths);
	free(l->mount_label);
	if (l->personality) {
		free(l->personality->domain);
		cj_strv_free(l->personality->flags, l->personality->n_flags);
		free(l->personality);
	}
	free(l);
}

int oci_resources_parse(const char *buf, size_t len, struct oci_resources **out, struct rl_error *e)
{
	_cleanup_(cj_freep) struct cj_doc *doc = NULL;
	struct cj_ctx c = {.e = e};

	*out = NULL;
	if (cj_parse(buf, len, &doc, e) < 0)
		return -1;
	/* Paths in errors and in r->unsupported read as in config.json. */
	cj_path_push_key(&c.path, "linux", 5);
	cj_path_push_key(&c.path, "resources", 9);
	if (cj_expect(&c, cj_root(doc), CJ_OBJECT) < 0)
		return -1;
	if (parse_resources(&c, cj_root(doc), out) < 0) {
		resources_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

void oci_resources_free(struct oci_resources *r)
{
	resources_free(r);
}
