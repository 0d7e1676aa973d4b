#include "runtime/init/process.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/path.h"
#include "common/proc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Open `path` as the container would see it: beneath rootfs_fd, symlinks
 * resolved inside the root. */
static int open_in_root(int rootfs_fd, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	return fd_openat2(rootfs_fd, path, &how);
}

/* Is `path` (container view, relative to cwd when not absolute) a regular
 * file with an execute bit? 0, or -1 with errno. */
static int check_executable(int rootfs_fd, const char *cwd, const char *path)
{
	char full[8192];
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", cwd, path);
	fd = open_in_root(rootfs_fd, full, O_PATH);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

static const char *env_get(char **env, const char *key)
{
	size_t klen = strlen(key);

	for (char **p = env; p && *p; p++)
		if (strncmp(*p, key, klen) == 0 && (*p)[klen] == '=')
			return *p + klen + 1;
	return NULL;
}

/* Whether path (absolute, or relative to cwd) is, lexically, a mount
 * destination of the config or below one (a file bind such as Podman's
 * /run/podman-init included): the rootfs cannot tell whether a program is
 * there, the view will (its execve handler). */
static bool in_a_mount(const struct oci_config *c, const char *cwd, const char *path)
{
	char full[8192], p[PATH_MAX], d[PATH_MAX];

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", cwd, path);
	if (path_canonical(full, p, sizeof(p)) < 0)
		return false;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const char *dest = c->mounts[i].destination;
		if (!dest || path_canonical(dest, d, sizeof(d)) < 0 || strcmp(d, "/") == 0)
			continue;
		if (path_below(p, d, strlen(d)))
			return true;
	}
	return false;
}

/* execvp's search, done in the rootfs before fork so the error comes from
 * `create`, in runc's words. A program named by a path into a mount is
 * left to the execve (the error, if any, then comes from `start`). */
static int lookup_exec(const struct oci_config *c, int rootfs_fd, const struct oci_process *proc,
                       char **out, struct rl_error *e)
{
	const char *arg0 = proc->args[0];
	const char *path_env;
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;

	if (strchr(arg0, '/')) {
		if (check_executable(rootfs_fd, proc->cwd, arg0) < 0 &&
		    !in_a_mount(c, proc->cwd, arg0))
			return rl_fail_errno(e, errno, "exec: \"%s\"", arg0);
		*out = strdup(arg0);
		return *out ? 0 : rl_fail(e, ENOMEM, "out of memory");
	}
	path_env = env_get(proc->env, "PATH");
	dirs = strdup(path_env ? path_env : DEFAULT_PATH);
	if (!dirs)
		return rl_fail(e, ENOMEM, "out of memory");
	for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char cand[8192];
		snprintf(cand, sizeof(cand), "%s/%s", *dir ? dir : ".", arg0);
		if (check_executable(rootfs_fd, proc->cwd, cand) == 0) {
			*out = strdup(cand);
			return *out ? 0 : rl_fail(e, ENOMEM, "out of memory");
		}
	}
	return rl_fail(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
}

/* runc sets HOME from the container's /etc/passwd when the config has none. */
static char *home_for_uid(int rootfs_fd, uid_t uid)
{
	_cleanup_close_ int fd = open_in_root(rootfs_fd, "/etc/passwd", O_RDONLY);
	_cleanup_fclose_ FILE *f = NULL;
	char line[1024];

	if (fd < 0)
		return strdup("/");
	f = fdopen(fd, "r");
	if (!f)
		return strdup("/");
	fd = -1;
	while (fgets(line, sizeof(line), f)) {
		char *fields[7] = {0};
		char *s = line;
		int n = 0;
		char *tok;
		/* strsep keeps empty fields (no password, empty gecos). */
		while (n < 7 && (tok = strsep(&s, ":\n")) != NULL)
			fields[n++] = tok;
		if (n >= 6 && fields[2] && strtoul(fields[2], NULL, 10) == uid && fields[5][0])
			return strdup(fields[5]);
	}
	return strdup("/");
}

static int build_env(const struct oci_process *proc, int rootfs_fd, char ***out, struct rl_error *e)
{
	size_t n = proc->n_env;
	char **env = calloc(n + 2, sizeof(char *));

	if (!env)
		return rl_fail(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		env[i] = strdup(proc->env[i]);
		if (!env[i]) {
			rl_strv_free(env);
			return rl_fail(e, ENOMEM, "out of memory");
		}
	}
	if (!env_get(proc->env, "HOME")) {
		_cleanup_free_ char *home = home_for_uid(rootfs_fd, proc->user.uid);
		if (!home || asprintf(&env[n], "HOME=%s", home) < 0) {
			env[n] = NULL;
			rl_strv_free(env);
			return rl_fail(e, ENOMEM, "out of memory");
		}
	}
	*out = env;
	return 0;
}

static int cap_mask(char **names, size_t n, const char *set, uint64_t *mask, struct rl_error *e)
{
	*mask = 0;
	for (size_t i = 0; i < n; i++) {
		cap_value_t v;
		if (cap_from_name(names[i], &v) < 0 || v < 0 || v > 63)
			return rl_fail(e, EINVAL,
			               "config.json: process.capabilities.%s[%zu]: "
			               "unknown capability \"%s\"",
			               set, i, names[i]);
		*mask |= UINT64_C(1) << v;
	}
	return 0;
}

static int build_caps(const struct oci_process *proc, struct process_plan *p, struct rl_error *e)
{
	const struct oci_capabilities *c = proc->capabilities;

	p->last_cap = cap_max_bits() - 1;
	if (p->last_cap > 63)
		p->last_cap = 63;
	/* An absent capabilities object grants nothing: the safe reading. */
	if (!c)
		return 0;
	if (cap_mask(c->bounding, c->n_bounding, "bounding", &p->cap_bounding, e) < 0 ||
	    cap_mask(c->effective, c->n_effective, "effective", &p->cap_effective, e) < 0 ||
	    cap_mask(c->permitted, c->n_permitted, "permitted", &p->cap_permitted, e) < 0 ||
	    cap_mask(c->inheritable, c->n_inheritable, "inheritable", &p->cap_inheritable, e) < 0 ||
	    cap_mask(c->ambient, c->n_ambient, "ambient", &p->cap_ambient, e) < 0)
		return -1;
	/* The kernel refuses effective ⊄ permitted and ambient ⊄ permitted ∩
	 * inheritable; runc drops such bits silently, so do we. */
	p->cap_effective &= p->cap_permitted;
	p->cap_ambient &= p->cap_permitted & p->cap_inheritable;
	return 0;
}

static int build_rlimits(const struct oci_process *proc, struct process_plan *p, struct rl_error *e)
{
	bool can_raise = proc_self_has_cap(CAP_SYS_RESOURCE);

	if (proc->n_rlimits > PLAN_MAX_RLIMITS)
		return rl_fail(e, EINVAL, "config.json: process.rlimits: too many entries");
	for (size_t i = 0; i < proc->n_rlimits; i++) {
		const struct oci_rlimit *r = &proc->rlimits[i];
		struct plan_rlimit *pr = &p->rlimits[p->n_rlimits];
		struct rlimit cur;
		int resource = oci_rlimit_resource(r->type);

		if (resource < 0)
			return rl_fail(e, EINVAL,
			               "config.json: process.rlimits[%zu].type: "
			               "unknown rlimit \"%s\"",
			               i, r->type);
		if (r->soft > r->hard)
			return rl_fail(e, EINVAL,
			               "config.json: process.rlimits[%zu]: soft limit "
			               "%llu exceeds hard limit %llu",
			               i, (unsigned long long)r->soft, (unsigned long long)r->hard);
		pr->resource = resource;
		pr->lim.rlim_cur = r->soft;
		pr->lim.rlim_max = r->hard;
		snprintf(pr->name, sizeof(pr->name), "%s", r->type);
		if (getrlimit(pr->resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY &&
		    (r->hard == RLIM_INFINITY || r->hard > cur.rlim_max) && !can_raise)
			return rl_fail(e, EPERM,
			               "error setting rlimit type %s: hard limit %llu "
			               "exceeds the current hard limit %llu and runlock "
			               "lacks CAP_SYS_RESOURCE",
			               r->type, (unsigned long long)r->hard,
			               (unsigned long long)cur.rlim_max);
		p->n_rlimits++;
	}
	return 0;
}

int process_plan_build(const struct oci_config *c, int rootfs_fd, int preserve_fds,
                       struct process_plan *p, struct rl_error *e)
{
	const struct oci_process *proc = c->process;

	memset(p, 0, sizeof(*p));
	p->rootfs_fd = p->pty_slave_fd = p->netns_fd = p->landlock.ruleset_fd = -1;
	p->chan_fd = p->stdio_fds[0] = p->stdio_fds[1] = p->stdio_fds[2] = -1;
	if (!proc)
		return rl_fail(e, EINVAL, "config.json: process: missing");
	p->argv = proc->args;
	p->cwd = proc->cwd;
	p->uid = proc->user.uid;
	p->gid = proc->user.gid;
	p->has_umask = proc->user.has_umask;
	p->umask = (mode_t)(proc->user.umask & 07777);
	p->no_new_privs = proc->no_new_privileges;
	p->terminal = proc->terminal;
	p->preserve_fds = preserve_fds;
	if (proc->has_oom_score_adj) {
		if (proc->oom_score_adj < -1000 || proc->oom_score_adj > 1000)
			goto bad_oom;
		p->has_oom_score_adj = true;
		snprintf(p->oom_score_adj, sizeof(p->oom_score_adj), "%d",
		         (int)proc->oom_score_adj);
	}
	if (proc->user.n_additional_gids > 0) {
		p->groups = calloc(proc->user.n_additional_gids, sizeof(gid_t));
		if (!p->groups)
			return rl_fail(e, ENOMEM, "out of memory");
		for (size_t i = 0; i < proc->user.n_additional_gids; i++)
			p->groups[i] = proc->user.additional_gids[i];
		p->n_groups = proc->user.n_additional_gids;
	}
	if (build_caps(proc, p, e) < 0 || build_rlimits(proc, p, e) < 0 ||
	    build_env(proc, rootfs_fd, &p->envp, e) < 0)
		goto fail;
	if (lookup_exec(c, rootfs_fd, proc, &p->exec_path, e) < 0) {
		rl_error_prefix(e, "unable to start container process");
		goto fail;
	}
	p->rootfs_fd = rootfs_fd;
	return 0;
bad_oom:
	rl_fail(e, EINVAL, "config.json: process.oomScoreAdj: %d is out of range (-1000..1000)",
	        (int)proc->oom_score_adj);
fail:
	process_plan_free(p);
	return -1;
}

void process_plan_free(struct process_plan *p)
{
	free(p->exec_path);
	rl_strv_free(p->envp);
	free(p->groups);
	if (p->rootfs_fd >= 0)
		close(p->rootfs_fd);
	if (p->pty_slave_fd >= 0)
		close(p->pty_slave_fd);
	if (p->netns_fd >= 0)
		close(p->netns_fd);
	landlock_domain_release(&p->landlock);
	bpf_prog_free(&p->bundle_filter);
	bpf_prog_free(&p->runlock_filter);
	bpf_prog_free(&p->raw_filter);
	bpf_prog_free(&p->notify_filter);
	hook_plan_free(&p->hooks);
	memset(p, 0, sizeof(*p));
	p->rootfs_fd = p->pty_slave_fd = p->netns_fd = p->landlock.ruleset_fd = -1;
	p->chan_fd = p->stdio_fds[0] = p->stdio_fds[1] = p->stdio_fds[2] = -1;
}

void process_plan_close_stdio(struct process_plan *p)
{
	for (int i = 0; i < 3; i++)
		rl_closep(&p->stdio_fds[i]);
	rl_closep(&p->pty_slave_fd);
	for (int i = 0; i < p->preserve_fds; i++)
		close(p->pass_fds ? p->pass_fds[i] : 3 + i);
}

void process_plan_close_passed(struct process_plan *p)
{
	rl_closep(&p->chan_fd);
	process_plan_close_stdio(p);
	rl_closep(&p->hooks.gate_fd);
	rl_closep(&p->hooks.gate_peer_fd);
	rl_closep(&p->rootfs_fd);
	rl_closep(&p->netns_fd);
}
