/* Container-context hooks (createContainer, startContainer): prepared by
 * `create` before the fork, run by the container's init after it has taken
 * on the container's chroot, Landlock domain, credentials and capabilities.
 *
 * The state document they read needs init's pid, which `create` learns only
 * after the fork, and `start`'s moment; init receives it on a socket (the
 * create gate, the start connection) as a length and the bytes, into memory
 * it maps itself, since it may not allocate. */
#include "hooks/hooks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* Larger than any state document runlock writes (annotations included). */
#define STATE_DOC_MAX (16u * 1024 * 1024)

static int prepare_list(const struct oci_hook *h, size_t n, struct hook_cmd **out,
                        struct rl_error *e)
{
	*out = NULL;
	if (n == 0)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return rl_fail(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		hook_cmd_init(&(*out)[i], &h[i]);
	return 0;
}

int hook_plan_build(const struct oci_hooks *h, struct hook_plan *hp, struct rl_error *e)
{
	size_t n;
	const struct oci_hook *list;

	memset(hp, 0, sizeof(*hp));
	hp->gate_fd = hp->gate_peer_fd = -1;
	hp->built = true;
	list = hooks_list(h, HOOK_CREATE_CONTAINER, &n);
	if (prepare_list(list, n, &hp->create_container, e) < 0)
		return -1;
	hp->n_create_container = n;
	list = hooks_list(h, HOOK_START_CONTAINER, &n);
	if (prepare_list(list, n, &hp->start_container, e) < 0)
		return -1;
	hp->n_start_container = n;
	if (hooks_count(h, HOOK_PRESTART) + hooks_count(h, HOOK_CREATE_RUNTIME) +
	        hp->n_create_container >
	    0) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return rl_fail_errno(e, errno, "hooks: socketpair");
		hp->gate_fd = sv[0];
		hp->gate_peer_fd = sv[1];
	}
	return 0;
}

void hook_plan_spawned(struct hook_plan *hp)
{
	/* Only init holds its end now: if init dies, create's send fails
	 * instead of blocking. */
	if (hp->built && hp->gate_fd >= 0) {
		close(hp->gate_fd);
		hp->gate_fd = -1;
	}
}

void hook_plan_free(struct hook_plan *hp)
{
	/* A plan that was never built is all zeroes: fd 0 is not ours. */
	if (!hp->built)
		return;
	free(hp->create_container);
	free(hp->start_container);
	if (hp->gate_fd >= 0)
		close(hp->gate_fd);
	if (hp->gate_peer_fd >= 0)
		close(hp->gate_peer_fd);
	memset(hp, 0, sizeof(*hp));
	hp->gate_fd = hp->gate_peer_fd = -1;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hooks_recv_state(int fd, struct hook_state *st)
{
	uint32_t len;
	size_t map_len;
	void *m;

	st->buf = NULL;
	st->len = st->map_len = 0;
	if (read_full(fd, &len, sizeof(len)) < 0)
		return -1;
	if (len > STATE_DOC_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	map_len = (size_t)len + 1;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	if (read_full(fd, m, len) < 0) {
		int saved = errno;
		munmap(m, map_len);
		errno = saved;
		return -1;
	}
	st->buf = m;
	st->len = len;
	st->map_len = map_len;
	return 0;
}

int hooks_run_prepared(const char *kind, const struct hook_cmd *cmds, size_t n,
                       const struct hook_state *st, char *what, size_t size, int *err)
{
	struct hook_result r;

	for (size_t i = 0; i < n; i++) {
		if (hook_exec(&cmds[i], st->buf ? st->buf : "", st->len, &r) == 0)
			continue;
		hook_describe(kind, i, &cmds[i], &r, what, size);
		*err = r.err;
		return -1;
	}
	return 0;
}
