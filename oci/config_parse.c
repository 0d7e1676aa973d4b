/* config.json to struct oci_config: loading, the top-level members, process,
 * root, mounts, hooks, annotations; "linux" is in config_parse_linux.c. */
#include "oci/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/config_json.h"
#include "oci/config_parse_linux.h"

/* ---- process ------------------------------------------------------------ */

static int parse_console_size(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_process *p = out;

	if (cj_get_u32(c, v, "height", NULL, &p->console_height) < 0 ||
	    cj_get_u32(c, v, "width", NULL, &p->console_width) < 0)
		return -1;
	p->has_console_size = true;
	return 0;
}

static int parse_gids(struct cj_ctx *c, const struct cj_node *obj, const char *key,
                      struct oci_user *u)
{
	const struct cj_node *v;
	size_t i = 0, old;

	if (cj_get_array(c, obj, key, &v) < 0)
		return -1;
	if (!v || v->n == 0)
		return 0;
	u->additional_gids = calloc(v->n, sizeof(*u->additional_gids));
	if (!u->additional_gids)
		return cj_oom(c);
	u->n_additional_gids = v->n;
	old = cj_path_push_key(&c->path, key, strlen(key));
	for (const struct cj_node *el = v->child; el; el = el->next, i++) {
		size_t old_i = cj_path_push_index(&c->path, i);
		uint64_t gid = 0;
		int r = cj_to_u64(c, el, UINT32_MAX, &gid);

		cj_path_pop(&c->path, old_i);
		if (r < 0)
			break;
		u->additional_gids[i] = (uint32_t)gid;
	}
	cj_path_pop(&c->path, old);
	return i == v->n ? 0 : -1;
}

/* uid and gid default to 0 when absent, as with runc. */
static int parse_user(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_user *u = out;
	bool has_uid = false, has_gid = false;

	if (cj_get_u32(c, v, "uid", &has_uid, &u->uid) < 0 ||
	    cj_get_u32(c, v, "gid", &has_gid, &u->gid) < 0 ||
	    cj_get_u32(c, v, "umask", &u->has_umask, &u->umask) < 0 ||
	    parse_gids(c, v, "additionalGids", u) < 0 ||
	    cj_get_str(c, v, "username", &u->username) < 0)
		return -1;
	return 0;
}

static int parse_capabilities(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_capabilities *caps = calloc(1, sizeof(*caps));

	if (!caps)
		return cj_oom(c);
	*(struct oci_capabilities **)out = caps;
	if (cj_get_strv(c, v, "bounding", &caps->bounding, &caps->n_bounding) < 0 ||
	    cj_get_strv(c, v, "effective", &caps->effective, &caps->n_effective) < 0 ||
	    cj_get_strv(c, v, "inheritable", &caps->inheritable, &caps->n_inheritable) < 0 ||
	    cj_get_strv(c, v, "permitted", &caps->permitted, &caps->n_permitted) < 0 ||
	    cj_get_strv(c, v, "ambient", &caps->ambient, &caps->n_ambient) < 0)
		return -1;
	return 0;
}

static int parse_rlimit(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_rlimit *r = elem;

	if (cj_get_str(c, v, "type", &r->type) < 0 ||
	    cj_get_u64(c, v, "hard", UINT64_MAX, NULL, &r->hard) < 0 ||
	    cj_get_u64(c, v, "soft", UINT64_MAX, NULL, &r->soft) < 0)
		return -1;
	return 0;
}

static int parse_process(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_process *p = calloc(1, sizeof(*p));
	bool has_oom = false;
	int64_t oom = 0;

	if (!p)
		return cj_oom(c);
	*(struct oci_process **)out = p;
	if (cj_get_bool(c, v, "terminal", &p->terminal) < 0 ||
	    cj_with_object(c, v, "consoleSize", parse_console_size, p) < 0 ||
	    cj_with_object(c, v, "user", parse_user, &p->user) < 0 ||
	    cj_get_strv(c, v, "args", &p->args, &p->n_args) < 0 ||
	    cj_get_str(c, v, "commandLine", &p->command_line) < 0 ||
	    cj_get_strv(c, v, "env", &p->env, &p->n_env) < 0 ||
	    cj_get_str(c, v, "cwd", &p->cwd) < 0 ||
	    cj_with_object(c, v, "capabilities", parse_capabilities, &p->capabilities) < 0 ||
	    CJ_GET_OBJECTS(c, v, "rlimits", parse_rlimit, &p->rlimits, &p->n_rlimits) < 0 ||
	    cj_get_bool(c, v, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    cj_get_i64(c, v, "oomScoreAdj", INT32_MIN, INT32_MAX, &has_oom, &oom) < 0 ||
	    cj_get_str(c, v, "apparmorProfile", &p->apparmor_profile) < 0 ||
	    cj_get_str(c, v, "selinuxLabel", &p->selinux_label) < 0)
		return -1;
	p->has_oom_score_adj = has_oom;
	p->oom_score_adj = (int32_t)oom;
	return 0;
}

static void process_free(struct oci_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	cj_strv_free(p->args, p->n_args);
	free(p->command_line);
	cj_strv_free(p->env, p->n_env);
	free(p->cwd);
	if (p->capabilities) {
		struct oci_capabilities *caps = p->capabilities;

		cj_strv_free(caps->bounding, caps->n_bounding);
		cj_strv_free(caps->effective, caps->n_effective);
		cj_strv_free(caps->inheritable, caps->n_inheritable);
		cj_strv_free(caps->permitted, caps->n_permitted);
		cj_strv_free(caps->ambient, caps->n_ambient);
		free(caps);
	}
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p);
}

/* ---- root, mounts, hooks -------------------------------------------------- */

static int parse_root(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_root *r = calloc(1, sizeof(*r));

	if (!r)
		return cj_oom(c);
	*(struct oci_root **)out = r;
	if (cj_get_str(c, v, "path", &r->path) < 0 ||
	    cj_get_bool(c, v, "readonly", &r->readonly) < 0)
		return -1;
	return 0;
}

static int parse_mount(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_mount *m = elem;

	if (cj_get_str(c, v, "destination", &m->destination) < 0 ||
	    cj_get_str(c, v, "type", &m->type) < 0 || cj_get_str(c, v, "source", &m->source) < 0 ||
	    cj_get_strv(c, v, "options", &m->options, &m->n_options) < 0 ||
	    CJ_GET_OBJECTS(c, v, "uidMappings", oci_parse_id_mapping, &m->uid_mappings,
	                   &m->n_uid_mappings) < 0 ||
	    CJ_GET_OBJECTS(c, v, "gidMappings", oci_parse_id_mapping, &m->gid_mappings,
	                   &m->n_gid_mappings) < 0)
		return -1;
	return 0;
}

static int parse_hook(struct cj_ctx *c, const struct cj_node *v, void *elem)
{
	struct oci_hook *h = elem;

	if (cj_get_str(c, v, "path", &h->path) < 0 ||
	    cj_get_strv(c, v, "args", &h->args, &h->n_args) < 0 ||
	    cj_get_strv(c, v, "env", &h->env, &h->n_env) < 0 ||
	    cj_get_i64(c, v, "timeout", INT64_MIN, INT64_MAX, &h->has_timeout, &h->timeout) < 0)
		return -1;
	return 0;
}

static int parse_hooks(struct cj_ctx *c, const struct cj_node *v, void *out)
{
	struct oci_hooks *h = calloc(1, sizeof(*h));

	if (!h)
		return cj_oom(c);
	*(struct oci_hooks **)out = h;
	if (CJ_GET_OBJECTS(c, v, "prestart", parse_hook, &h->prestart, &h->n_prestart) < 0 ||
	    CJ_GET_OBJECTS(c, v, "createRuntime", parse_hook, &h->create_runtime,
	                   &h->n_create_runtime) < 0 ||
	    CJ_GET_OBJECTS(c, v, "createContainer", parse_hook, &h->create_container,
	                   &h->n_create_container) < 0 ||
	    CJ_GET_OBJECTS(c, v, "startContainer", parse_hook, &h->start_container,
	                   &h->n_start_container) < 0 ||
	    CJ_GET_OBJECTS(c, v, "poststart", parse_hook, &h->poststart, &h->n_poststart) < 0 ||
	    CJ_GET_OBJECTS(c, v, "poststop", parse_hook, &h->poststop, &h->n_poststop) < 0)
		return -1;
	return 0;
}

static void hook_list_free(struct oci_hook *h, size_t n)
{
	if (!h)
		return;
	for (size_t i = 0; i < n; i++) {
		free(h[i].path);
		cj_strv_free(h[i].args, h[i].n_args);
		cj_strv_free(h[i].env, h[i].n_env);
	}
	free(h);
}

static void hooks_free(struct oci_hooks *h)
{
	if (!h)
		return;
	hook_list_free(h->prestart, h->n_prestart);
	hook_list_free(h->create_runtime, h->n_create_runtime);
	hook_list_free(h->create_container, h->n_create_container);
	hook_list_free(h->start_container, h->n_start_container);
	hook_list_free(h->poststart, h->n_poststart);
	hook_list_free(h->poststop, h->n_poststop);
	free(h);
}

/* ---- the document ----------------------------------------------------------- */

static int parse_document(struct cj_ctx *c, const struct cj_node *v, struct oci_config *cfg)
{
	if (v->type != CJ_OBJECT)
		return cj_fail(c, "expected a JSON object at the top level");
	if (cj_get_str(c, v, "ociVersion", &cfg->oci_version) < 0 ||
	    cj_with_object(c, v, "process", parse_process, &cfg->process) < 0 ||
	    cj_with_object(c, v, "root", parse_root, &cfg->root) < 0 ||
	    cj_get_str(c, v, "hostname", &cfg->hostname) < 0 ||
	    cj_get_str(c, v, "domainname", &cfg->domainname) < 0 ||
	    CJ_GET_OBJECTS(c, v, "mounts", parse_mount, &cfg->mounts, &cfg->n_mounts) < 0 ||
	    cj_with_object(c, v, "hooks", parse_hooks, &cfg->hooks) < 0 ||
	    cj_get_kv(c, v, "annotations", &cfg->annotations, &cfg->n_annotations) < 0 ||
	    cj_with_object(c, v, "linux", oci_parse_linux, &cfg->linux_) < 0)
		return -1;
	return 0;
}

int oci_config_parse(const char *buf, size_t len, struct oci_config **out, struct rl_error *e)
{
	_cleanup_(cj_freep) struct cj_doc *doc = NULL;
	_cleanup_config_ struct oci_config *cfg = NULL;
	struct cj_ctx c = {.e = e};

	if (cj_parse(buf, len, &doc, e) < 0)
		return -1;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return rl_fail(e, ENOMEM, "config.json: out of memory");
	if (parse_document(&c, cj_root(doc), cfg) < 0)
		return -1;
	*out = steal_ptr(&cfg);
	return 0;
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	process_free(c->process);
	if (c->root) {
		free(c->root->path);
		free(c->root);
	}
	free(c->hostname);
	free(c->domainname);
	for (size_t i = 0; i < c->n_mounts; i++) {
		struct oci_mount *m = &c->mounts[i];

		free(m->destination);
		free(m->type);
		free(m->source);
		cj_strv_free(m->options, m->n_options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(c->mounts);
	hooks_free(c->hooks);
	cj_kv_free(c->annotations, c->n_annotations);
	oci_linux_free(c->linux_);
	free(c);
}

int oci_process_parse(const char *buf, size_t len, struct oci_process **out, struct rl_error *e)
{
	_cleanup_(cj_freep) struct cj_doc *doc = NULL;
	struct cj_ctx c = {.e = e};
	struct oci_process *p = NULL;

	*out = NULL;
	if (cj_parse(buf, len, &doc, e) < 0)
		return -1;
	if (cj_root(doc)->type != CJ_OBJECT)
		return cj_fail(&c, "expected a JSON object at the top level");
	if (parse_process(&c, cj_root(doc), &p) < 0) {
		process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void oci_process_free(struct oci_process *p)
{
	process_free(p);
}

/* ---- loading ---------------------------------------------------------------- */

static int json_read(int dirfd, const char *name, bool allow_pipe, char **out, size_t *out_len,
                     struct rl_error *e)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t cap, len = 0;
	struct stat st;

	/* O_NONBLOCK: a FIFO of that name must not hang us before the
	 * S_ISREG check. */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return rl_fail_errno(e, errno, "%s: open", name);
	if (fstat(fd, &st) < 0)
		return rl_fail_errno(e, errno, "%s: stat", name);
	if (allow_pipe && S_ISFIFO(st.st_mode)) {
		/* Read to the writer's end, as any reader of a pipe. */
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			return rl_fail_errno(e, errno, "%s: fcntl", name);
	} else if (!S_ISREG(st.st_mode))
		return rl_fail(e, EINVAL, "%s: not a regular file", name);
	if ((uintmax_t)st.st_size > OCI_CONFIG_MAX_BYTES)
		return rl_fail(e, EFBIG, "%s: document is %jd bytes, larger than the %u-byte limit",
		               name, (intmax_t)st.st_size, OCI_CONFIG_MAX_BYTES);
	/* One byte more than the limit, to notice a file that grew. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		return rl_fail(e, ENOMEM, "%s: out of memory", name);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap =
			    cap * 2 > OCI_CONFIG_MAX_BYTES + 1 ? OCI_CONFIG_MAX_BYTES + 1 : cap * 2;
			char *nbuf;

			if (ncap == cap)
				return rl_fail(e, EFBIG,
				               "%s: document is larger than the %u-byte limit",
				               name, OCI_CONFIG_MAX_BYTES);
			nbuf = realloc(buf, ncap);
			if (!nbuf)
				return rl_fail(e, ENOMEM, "%s: out of memory", name);
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rl_fail_errno(e, errno, "%s: read", name);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = steal_ptr(&buf);
	*out_len = len;
	return 0;
}

int oci_json_file_read(int dirfd, const char *name, char **out, size_t *out_len, struct rl_error *e)
{
	return json_read(dirfd, name, false, out, out_len, e);
}

int oci_json_stream_read(const char *path, char **out, size_t *out_len, struct rl_error *e)
{
	return json_read(AT_FDCWD, path, true, out, out_len, e);
}

int oci_config_load(int bundle_dirfd, struct oci_config **out, struct rl_error *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (oci_json_file_read(bundle_dirfd, "config.json", &buf, &len, e) < 0)
		return -1;
	return oci_config_parse(buf, len, out, e);
}

/* ---- lookups ------------------------------------------------------------------ */

const char *oci_config_annotation(const struct oci_config *c, const char *key)
{
	for (size_t i = 0; i < c->n_annotations; i++)
		if (strcmp(c->annotations[i].key, key) == 0)
			return c->annotations[i].value;
	return NULL;
}

const struct oci_namespace *oci_config_namespace(const struct oci_config *c, const char *type)
{
	if (!c->linux_)
		return NULL;
	for (size_t i = 0; i < c->linux_->n_namespaces; i++) {
		const struct oci_namespace *ns = &c->linux_->namespaces[i];

		if (ns->type && strcmp(ns->type, type) == 0)
			return ns;
	}
	return NULL;
}
