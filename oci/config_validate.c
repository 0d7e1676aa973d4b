/* Semantic checks on a parsed config.json (see oci_config_validate). The
 * first problem found is reported, in document order. */
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "oci/config_json.h"

#define FAIL(e, fmt, ...) rl_fail(e, EINVAL, "config.json: " fmt, __VA_ARGS__)
#define Q(q, s)           cj_quote(q, sizeof(q), s, strlen(s))
#define N_ELEMS(a)        (sizeof(a) / sizeof((a)[0]))

static bool in_set(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

static bool absolute(const char *p)
{
	return p && p[0] == '/';
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int oci_rlimit_resource(const char *type)
{
	for (size_t i = 0; i < N_ELEMS(rlimits); i++)
		if (strcmp(type, rlimits[i].name) == 0)
			return rlimits[i].resource;
	return -1;
}

/* "NAME=value" with a non-empty NAME, as execve and runc expect. */
static int check_env(const char *where, char *const *env, size_t n, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');

		if (!eq || eq == env[i])
			return FAIL(e, "%s[%zu]: %s is not of the form NAME=value", where, i,
			            Q(q, env[i]));
	}
	return 0;
}

/* ---- process -------------------------------------------------------------- */

/* Exact, upper-case libcap names only. cap_from_name alone would accept
 * lower case, numbers, and names followed by punctuation ("CAP_KILL,"). */
static bool known_capability(const char *name)
{
	cap_value_t v;
	char *canon;
	bool ok;

	if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	if (cap_from_name(name, &v) < 0)
		return false;
	canon = cap_to_name(v);
	if (!canon)
		return false;
	ok = strcasecmp(canon, name) == 0;
	cap_free(canon);
	return ok;
}

static int check_caps(const char *set, char *const *names, size_t n, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];

	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], "CAP_", 4) != 0)
			return FAIL(e,
			            "process.capabilities.%s[%zu]: capability %s must start with "
			            "\"CAP_\"",
			            set, i, Q(q, names[i]));
		if (!known_capability(names[i]))
			return FAIL(e, "process.capabilities.%s[%zu]: unknown capability %s", set,
			            i, Q(q, names[i]));
	}
	return 0;
}

static int check_rlimits(const struct oci_process *p, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];

	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oci_rlimit *r = &p->rlimits[i];

		if (!r->type)
			return FAIL(e, "process.rlimits[%zu].type: required", i);
		if (oci_rlimit_resource(r->type) < 0)
			return FAIL(e, "process.rlimits[%zu].type: unknown rlimit type %s", i,
			            Q(q, r->type));
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->rlimits[j].type, r->type) == 0)
				return FAIL(e,
				            "process.rlimits[%zu].type: duplicate rlimit type %s "
				            "(also at process.rlimits[%zu])",
				            i, Q(q, r->type), j);
		if (r->soft > r->hard)
			return FAIL(e,
			            "process.rlimits[%zu]: %s soft limit %" PRIu64
			            " is greater than hard limit %" PRIu64,
			            i, r->type, r->soft, r->hard);
	}
	return 0;
}

static int check_process(const struct oci_process *p, struct rl_error *e)
{
	const struct oci_capabilities *caps = p->capabilities;
	char q[CJ_QUOTE_BUF];

	if (p->command_line)
		return FAIL(e, "%s", "process.commandLine: is for Windows only; use process.args");
	if (p->n_args == 0)
		return FAIL(e, "%s", "process.args: must not be empty");
	if (!p->cwd)
		return FAIL(e, "%s", "process.cwd: required");
	if (!absolute(p->cwd))
		return FAIL(e, "process.cwd: must be an absolute path, not %s", Q(q, p->cwd));
	if (check_env("process.env", p->env, p->n_env, e) < 0)
		return -1;
	if (caps && (check_caps("bounding", caps->bounding, caps->n_bounding, e) < 0 ||
	             check_caps("effective", caps->effective, caps->n_effective, e) < 0 ||
	             check_caps("inheritable", caps->inheritable, caps->n_inheritable, e) < 0 ||
	             check_caps("permitted", caps->permitted, caps->n_permitted, e) < 0 ||
	             check_caps("ambient", caps->ambient, caps->n_ambient, e) < 0))
		return -1;
	if (check_rlimits(p, e) < 0)
		return -1;
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return FAIL(e, "process.oomScoreAdj: %" PRId32 " is out of range (-1000..1000)",
		            p->oom_score_adj);
	return 0;
}

/* ---- mounts, hooks ---------------------------------------------------------- */

static int check_id_mappings(const char *where, const struct oci_id_mapping *m, size_t n,
                             struct rl_error *e)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].size == 0)
			return FAIL(e, "%s[%zu].size: must be greater than 0", where, i);
	return 0;
}

static int check_mounts(const struct oci_config *c, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF], where[64];

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct oci_mount *m = &c->mounts[i];

		if (!m->destination)
			return FAIL(e, "mounts[%zu].destination: required", i);
		if (!absolute(m->destination))
			return FAIL(e, "mounts[%zu].destination: must be an absolute path, not %s",
			            i, Q(q, m->destination));
		snprintf(where, sizeof(where), "mounts[%zu].uidMappings", i);
		if (check_id_mappings(where, m->uid_mappings, m->n_uid_mappings, e) < 0)
			return -1;
		snprintf(where, sizeof(where), "mounts[%zu].gidMappings", i);
		if (check_id_mappings(where, m->gid_mappings, m->n_gid_mappings, e) < 0)
			return -1;
	}
	return 0;
}

static int check_hook_list(const char *kind, const struct oci_hook *h, size_t n, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF], where[64];

	for (size_t i = 0; i < n; i++) {
		if (!h[i].path)
			return FAIL(e, "hooks.%s[%zu].path: required", kind, i);
		if (!absolute(h[i].path))
			return FAIL(e, "hooks.%s[%zu].path: must be an absolute path, not %s", kind,
			            i, Q(q, h[i].path));
		if (h[i].has_timeout && h[i].timeout <= 0)
			return FAIL(e,
			            "hooks.%s[%zu].timeout: must be greater than 0, not %" PRId64,
			            kind, i, h[i].timeout);
		snprintf(where, sizeof(where), "hooks.%s[%zu].env", kind, i);
		if (check_env(where, h[i].env, h[i].n_env, e) < 0)
			return -1;
	}
	return 0;
}

static int check_hooks(const struct oci_hooks *h, struct rl_error *e)
{
	if (!h)
		return 0;
	if (check_hook_list("prestart", h->prestart, h->n_prestart, e) < 0 ||
	    check_hook_list("createRuntime", h->create_runtime, h->n_create_runtime, e) < 0 ||
	    check_hook_list("createContainer", h->create_container, h->n_create_container, e) < 0 ||
	    check_hook_list("startContainer", h->start_container, h->n_start_container, e) < 0 ||
	    check_hook_list("poststart", h->poststart, h->n_poststart, e) < 0 ||
	    check_hook_list("poststop", h->poststop, h->n_poststop, e) < 0)
		return -1;
	return 0;
}

/* ---- linux ------------------------------------------------------------------- */

static const char *const namespace_types[] = {
    "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time",
};

static int check_namespaces(const struct oci_linux *l, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];

		if (!ns->type)
			return FAIL(e, "linux.namespaces[%zu].type: required", i);
		if (!in_set(ns->type, namespace_types, N_ELEMS(namespace_types)))
			return FAIL(e, "linux.namespaces[%zu].type: unknown namespace type %s", i,
			            Q(q, ns->type));
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->namespaces[j].type, ns->type) == 0)
				return FAIL(e,
				            "linux.namespaces[%zu].type: duplicate namespace type "
				            "%s (also at linux.namespaces[%zu])",
				            i, Q(q, ns->type), j);
		if (ns->path && !absolute(ns->path))
			return FAIL(e,
			            "linux.namespaces[%zu].path: must be an absolute path, not %s",
			            i, Q(q, ns->path));
	}
	return 0;
}

static int check_devices(const struct oci_linux *l, struct rl_error *e)
{
	static const char *const types[] = {"c", "b", "u", "p"};
	char q[CJ_QUOTE_BUF];

	for (size_t i = 0; i < l->n_devices; i++) {
		const struct oci_device *d = &l->devices[i];

		if (!d->path)
			return FAIL(e, "linux.devices[%zu].path: required", i);
		if (!absolute(d->path))
			return FAIL(e, "linux.devices[%zu].path: must be an absolute path, not %s",
			            i, Q(q, d->path));
		if (!d->type)
			return FAIL(e, "linux.devices[%zu].type: required", i);
		if (!in_set(d->type, types, N_ELEMS(types)))
			return FAIL(e,
			            "linux.devices[%zu].type: unknown device type %s (expected "
			            "\"c\", \"b\", \"u\" or \"p\")",
			            i, Q(q, d->type));
	}
	return 0;
}

static int check_resources(const struct oci_resources *r, struct rl_error *e)
{
	static const char *const types[] = {"a", "c", "b"};
	char q[CJ_QUOTE_BUF];

	if (!r)
		return 0;
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct oci_device_cgroup *d = &r->devices[i];

		if (d->type && !in_set(d->type, types, N_ELEMS(types)))
			return FAIL(e,
			            "linux.resources.devices[%zu].type: unknown device type %s "
			            "(expected \"a\", \"c\" or \"b\")",
			            i, Q(q, d->type));
		/* access is not checked: runc takes the letters it knows
		 * (r, w, m) and ignores the rest ("rwa" runs under runc). */
	}
	return 0;
}

static const char *const seccomp_actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};

static const char *const seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static int check_syscall(const struct oci_seccomp_syscall *s, size_t i, bool *notify,
                         struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];

	if (s->n_names == 0)
		return FAIL(e, "linux.seccomp.syscalls[%zu].names: must not be empty", i);
	for (size_t j = 0; j < s->n_names; j++)
		if (s->names[j][0] == '\0')
			return FAIL(e, "linux.seccomp.syscalls[%zu].names[%zu]: must not be empty",
			            i, j);
	if (!s->action)
		return FAIL(e, "linux.seccomp.syscalls[%zu].action: required", i);
	if (!in_set(s->action, seccomp_actions, N_ELEMS(seccomp_actions)))
		return FAIL(e, "linux.seccomp.syscalls[%zu].action: unknown action %s", i,
		            Q(q, s->action));
	if (strcmp(s->action, "SCMP_ACT_NOTIFY") == 0)
		*notify = true;
	/* Linux passes six syscall arguments; libseccomp numbers them 0..5. */
	for (size_t j = 0; j < s->n_args; j++)
		if (s->args[j].index > 5)
			return FAIL(e,
			            "linux.seccomp.syscalls[%zu].args[%zu].index: %" PRIu32
			            " is out of range (0..5)",
			            i, j, s->args[j].index);
	return 0;
}

static int check_seccomp(const struct oci_seccomp *s, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];
	bool notify = false;

	if (!s)
		return 0;
	if (!s->default_action)
		return FAIL(e, "%s", "linux.seccomp.defaultAction: required");
	if (!in_set(s->default_action, seccomp_actions, N_ELEMS(seccomp_actions)))
		return FAIL(e, "linux.seccomp.defaultAction: unknown action %s",
		            Q(q, s->default_action));
	if (strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
		return FAIL(e, "%s",
		            "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
		            "action");
	for (size_t i = 0; i < s->n_architectures; i++)
		if (strncmp(s->architectures[i], "SCMP_ARCH_", 10) != 0 ||
		    s->architectures[i][10] == '\0')
			return FAIL(e, "linux.seccomp.architectures[%zu]: unknown architecture %s",
			            i, Q(q, s->architectures[i]));
	for (size_t i = 0; i < s->n_flags; i++)
		if (!in_set(s->flags[i], seccomp_flags, N_ELEMS(seccomp_flags)))
			return FAIL(e, "linux.seccomp.flags[%zu]: unknown flag %s", i,
			            Q(q, s->flags[i]));
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (check_syscall(&s->syscalls[i], i, &notify, e) < 0)
			return -1;
	if (notify && !s->listener_path)
		return FAIL(e, "%s",
		            "linux.seccomp.listenerPath: required when an action is "
		            "SCMP_ACT_NOTIFY");
	if (s->listener_path && !absolute(s->listener_path))
		return FAIL(e, "linux.seccomp.listenerPath: must be an absolute path, not %s",
		            Q(q, s->listener_path));
	return 0;
}

static int check_paths(const char *where, char *const *paths, size_t n, struct rl_error *e)
{
	char q[CJ_QUOTE_BUF];

	for (size_t i = 0; i < n; i++)
		if (!absolute(paths[i]))
			return FAIL(e, "linux.%s[%zu]: must be an absolute path, not %s", where, i,
			            Q(q, paths[i]));
	return 0;
}

static int check_linux(const struct oci_linux *l, struct rl_error *e)
{
	static const char *const propagations[] = {
	    "private",  "shared",  "slave",  "unbindable",
	    "rprivate", "rshared", "rslave", "runbindable",
	};
	char q[CJ_QUOTE_BUF];

	if (!l)
		return 0;
	if (check_namespaces(l, e) < 0 ||
	    check_id_mappings("linux.uidMappings", l->uid_mappings, l->n_uid_mappings, e) < 0 ||
	    check_id_mappings("linux.gidMappings", l->gid_mappings, l->n_gid_mappings, e) < 0 ||
	    check_resources(l->resources, e) < 0 || check_devices(l, e) < 0 ||
	    check_seccomp(l->seccomp, e) < 0)
		return -1;
	if (l->rootfs_propagation &&
	    !in_set(l->rootfs_propagation, propagations, N_ELEMS(propagations)))
		return FAIL(e, "linux.rootfsPropagation: unknown propagation %s",
		            Q(q, l->rootfs_propagation));
	if (check_paths("maskedPaths", l->masked_paths, l->n_masked_paths, e) < 0 ||
	    check_paths("readonlyPaths", l->readonly_paths, l->n_readonly_paths, e) < 0)
		return -1;
	if (l->personality) {
		const char *d = l->personality->domain;

		if (!d)
			return FAIL(e, "%s", "linux.personality.domain: required");
		if (strcmp(d, "LINUX") != 0 && strcmp(d, "LINUX32") != 0)
			return FAIL(e,
			            "linux.personality.domain: unknown domain %s (expected "
			            "\"LINUX\" or \"LINUX32\")",
			            Q(q, d));
	}
	return 0;
}

int oci_config_validate(const struct oci_config *c, struct rl_error *e)
{
	if (!c->oci_version || !c->oci_version[0])
		return FAIL(e, "%s", "ociVersion: required");
	if (!c->process)
		return FAIL(e, "%s", "process: required");
	if (check_process(c->process, e) < 0)
		return -1;
	if (!c->root)
		return FAIL(e, "%s", "root: required");
	if (!c->root->path || !c->root->path[0])
		return FAIL(e, "%s", "root.path: required");
	if (check_mounts(c, e) < 0 || check_hooks(c->hooks, e) < 0 || check_linux(c->linux_, e) < 0)
		return -1;
	return 0;
}
