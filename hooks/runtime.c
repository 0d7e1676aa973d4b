/* Runtime-context hooks (prestart, createRuntime, poststart, poststop), run
 * from the runlock CLI process, which is single-threaded: hook_exec's fork
 * is safe here. Also the CLI's side of the container-context hooks: the
 * state documents create and start hand to init. */
#include "hooks/hooks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"

const char *hook_kind_name(enum hook_kind k)
{
	switch (k) {
	case HOOK_PRESTART:
		return "prestart";
	case HOOK_CREATE_RUNTIME:
		return "createRuntime";
	case HOOK_CREATE_CONTAINER:
		return "createContainer";
	case HOOK_START_CONTAINER:
		return "startContainer";
	case HOOK_POSTSTART:
		return "poststart";
	case HOOK_POSTSTOP:
		break;
	}
	return "poststop";
}

const struct oci_hook *hooks_list(const struct oci_hooks *h, enum hook_kind k, size_t *n)
{
	*n = 0;
	if (!h)
		return NULL;
	switch (k) {
	case HOOK_PRESTART:
		*n = h->n_prestart;
		return h->prestart;
	case HOOK_CREATE_RUNTIME:
		*n = h->n_create_runtime;
		return h->create_runtime;
	case HOOK_CREATE_CONTAINER:
		*n = h->n_create_container;
		return h->create_container;
	case HOOK_START_CONTAINER:
		*n = h->n_start_container;
		return h->start_container;
	case HOOK_POSTSTART:
		*n = h->n_poststart;
		return h->poststart;
	case HOOK_POSTSTOP:
		break;
	}
	*n = h->n_poststop;
	return h->poststop;
}

int hooks_state_json(const struct container_state *s, enum container_status status, char **json,
                     size_t *len, struct rl_error *e)
{
	struct container_state copy = *s;

	copy.status = status;
	if (status == STATUS_STOPPED)
		copy.pid = 0;
	return state_to_json(&copy, false, json, len, e);
}

/* Run hook #i of kind; on failure the description is in e. */
static int run_one(enum hook_kind kind, size_t i, const struct oci_hook *h, const char *json,
                   size_t len, struct rl_error *e)
{
	struct hook_cmd c;
	struct hook_result r;
	char what[RL_ERROR_MSG_MAX];

	hook_cmd_init(&c, h);
	if (hook_exec(&c, json, len, &r) == 0) {
		/* runc drops a successful hook's output; keep it for --debug. */
		log_debug("%s hook #%zu (%s) succeeded, stdout: %.*s, stderr: %.*s",
		          hook_kind_name(kind), i, c.path, (int)r.out.len, r.out.buf,
		          (int)r.errout.len, r.errout.buf);
		return 0;
	}
	hook_describe(hook_kind_name(kind), i, &c, &r, what, sizeof(what));
	if (r.err)
		return rl_fail_errno(e, r.err, "%s", what);
	return rl_fail(e, 0, "%s", what);
}

int hooks_run(const struct oci_hooks *h, enum hook_kind kind, const char *json, size_t len,
              struct rl_error *e)
{
	size_t n;
	const struct oci_hook *list = hooks_list(h, kind, &n);

	for (size_t i = 0; i < n; i++)
		if (run_one(kind, i, &list[i], json, len, e) < 0)
			return -1;
	return 0;
}

void hooks_run_poststop(const struct oci_hooks *h, const char *json, size_t len)
{
	size_t n;
	const struct oci_hook *list = hooks_list(h, HOOK_POSTSTOP, &n);

	for (size_t i = 0; i < n; i++) {
		struct rl_error e;
		if (run_one(HOOK_POSTSTOP, i, &list[i], json, len, &e) < 0)
			log_warn("%s", e.msg);
	}
}

int hooks_load_config(int dirfd, struct oci_config **c, struct rl_error *e)
{
	*c = NULL;
	if (oci_config_load(dirfd, c, e) == 0)
		return 0;
	if (e->err == ENOENT) {
		*c = NULL;
		return 0;
	}
	return rl_error_prefix(e, "container's copy of config.json");
}

int hooks_send_state(int fd, const char *json, size_t len, struct rl_error *e)
{
	uint32_t n = (uint32_t)len;
	struct iovec iov[2] = {{.iov_base = &n, .iov_len = sizeof(n)},
	                       {.iov_base = (void *)json, .iov_len = len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};

	if (len > UINT32_MAX)
		return rl_fail(e, EMSGSIZE, "hooks: state document too large");
	while (msg.msg_iovlen > 0) {
		ssize_t sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0)
			return rl_fail_errno(e, errno, "hooks: send state to container init");
		while (msg.msg_iovlen > 0 && (size_t)sent >= msg.msg_iov[0].iov_len) {
			sent -= (ssize_t)msg.msg_iov[0].iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen > 0) {
			msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + sent;
			msg.msg_iov[0].iov_len -= (size_t)sent;
		}
	}
	return 0;
}

int hooks_create_stage(const struct oci_hooks *h, const struct container_state *s, int gate_fd,
                       struct rl_error *e)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (hooks_state_json(s, STATUS_CREATED, &json, &len, e) < 0 ||
	    hooks_run(h, HOOK_PRESTART, json, len, e) < 0 ||
	    hooks_run(h, HOOK_CREATE_RUNTIME, json, len, e) < 0)
		return -1;
	return hooks_send_state(gate_fd, json, len, e);
}

/* The hooks from the config in the container's directory; NULL (logged)
 * when it cannot be read. */
static struct oci_config *dir_config(int dirfd)
{
	struct oci_config *c = NULL;
	struct rl_error e;

	if (hooks_load_config(dirfd, &c, &e) < 0)
		log_warn("poststop hooks not run: %s", e.msg);
	return c;
}

void hooks_poststop_json(int dirfd, const char *json, size_t len)
{
	_cleanup_config_ struct oci_config *c = dir_config(dirfd);

	if (c)
		hooks_run_poststop(c->hooks, json, len);
}

void hooks_poststop_from_dir(int dirfd, const struct container_state *s)
{
	_cleanup_config_ struct oci_config *c = dir_config(dirfd);
	_cleanup_free_ char *json = NULL;
	struct rl_error e;
	size_t len;

	if (!c || hooks_count(c->hooks, HOOK_POSTSTOP) == 0)
		return;
	if (hooks_state_json(s, STATUS_STOPPED, &json, &len, &e) < 0) {
		log_warn("poststop hooks not run: %s", e.msg);
		return;
	}
	hooks_run_poststop(c->hooks, json, len);
}
