/* `create`: build the container up to the moment before execve. */
#include "runtime/lifecycle/container.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "hooks/hooks.h"
#include "runtime/lifecycle/console.h"
#include "common/log.h"
#include "common/proc.h"
#include "runtime/init/process.h"
#include "shim/ipc/init_proto.h"
#include "runtime/confine/landlock.h"
#include "runtime/confine/namespaces.h"
#include "shim/mounts/mounts.h"
#include "shim/mounts/rootfs_devices.h"
#include "shim/supervisor/handlers.h"
#include "shim/supervisor/supervisor.h"

/* What runlock cannot honour yet is refused, never silently ignored: a
 * container must not run with less than its config asked for. */
static int check_supported(const struct oci_config *c, struct rl_error *e)
{
	const struct oci_resources *r = c->linux_ ? c->linux_->resources : NULL;
	const char *ignore = oci_config_annotation(c, ANNOT_RESOURCES_IGNORE);

	if (c->process && c->process->command_line)
		return rl_fail(e, ENOTSUP, "config.json: process.commandLine: Windows only");
	if (!r || r->n_unsupported == 0)
		return 0;
	if (!ignore || strcmp(ignore, "true") != 0)
		return rl_fail(e, ENOTSUP,
		               "config.json: %s: runlock creates no cgroup and cannot enforce this "
		               "limit (annotation %s=true runs without it)",
		               r->unsupported[0], ANNOT_RESOURCES_IGNORE);
	for (size_t i = 0; i < r->n_unsupported; i++)
		log_warn("%s: not enforced (no cgroup), ignored as %s=true asks", r->unsupported[i],
		         ANNOT_RESOURCES_IGNORE);
	return 0;
}

/* linux.resources.devices on the image's own device nodes
 * (shim/mounts/rootfs_devices.h). */
static int check_rootfs_devices(const struct oci_config *c, int rootfs_fd,
                                const struct mount_table *t, struct rl_error *e)
{
	_cleanup_free_ struct dev_rules *r = malloc(sizeof(*r));

	if (!r)
		return rl_fail_errno(e, ENOMEM, "device rules");
	if (dev_rules_build(c, r, e) < 0)
		return -1;
	return rootfs_devices_check(rootfs_fd, t, r, e);
}

/* Move fd to a number >= min (close-on-exec), so preserved fds 3..min-1 of
 * the caller are never overwritten. */
static int move_fd_above(int *fd, int min, struct rl_error *e)
{
	if (*fd < 0)
		return 0;
	*fd = fd_above(*fd, min);
	if (*fd < 0)
		return rl_fail_errno(e, errno, "dup fd");
	return 0;
}

static int listen_start_socket(int dirfd, struct rl_error *e)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	if (sock < 0)
		return rl_fail_errno(e, errno, "start socket");
	/* The state directory's path may exceed sun_path; its fd's does not. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/start.sock", dirfd);
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return rl_fail_errno(e, errno, "bind start socket");
	if (listen(sock, 1) < 0)
		return rl_fail_errno(e, errno, "listen on start socket");
	return steal_fd(&sock);
}

/* From /etc/passwd itself, as runc's own user lookup does: no NSS, so the
 * static build (make static) needs no glibc shared library at run time. */
static void owner_name(char *buf, size_t size)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];
	FILE *f = fopen("/etc/passwd", "re");

	snprintf(buf, size, "#%d", (int)geteuid());
	if (!f)
		return;
	while (fgetpwent_r(f, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		if (res->pw_uid == geteuid()) {
			snprintf(buf, size, "%s", res->pw_name);
			break;
		}
	fclose(f);
}

/* Start the supervisor, which starts the agent, which starts the spawner,
 * which forks init (shim/supervisor/launch.c). The supervisor gets a descriptor of
 * the state directory of its own: the locked one stays here. */
static int spawn_supervisor(const struct oci_config *cfg, struct process_plan *plan,
                            const struct mount_table *mounts, const char *rootfs,
                            struct container_dir *d, int listen_fd, int sync_r, int sync_w,
                            struct rl_error *e)
{
	char path[64];
	struct supervisor_args a = {.cfg = cfg,
	                            .plan = plan,
	                            .sync_w = sync_w,
	                            .listen_fd = listen_fd,
	                            .mounts = mounts,
	                            .rootfs = rootfs};
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", d->fd);
	a.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a.dirfd < 0)
		return rl_fail_errno(e, errno, "open the state directory");
	if (fflush(NULL) != 0)
		log_debug("fflush before fork failed");
	pid = fork();
	if (pid < 0) {
		close(a.dirfd);
		return rl_fail_errno(e, errno, "fork the supervisor");
	}
	if (pid == 0) {
		/* A shared open file description would keep the lock held. */
		close(d->fd);
		close(d->root_fd);
		close(sync_r);
		supervisor_boot(&a);
	}
	close(a.dirfd);
	return 0;
}

struct create_ctx {
	struct container_dir d;
	struct process_plan plan;
	struct pty_pair pty;
	struct mount_table mounts;
	int bundle_fd, listen_fd, sync_r, sync_w, init_pidfd;
	bool dir_created;
	bool scratch_created; /* <root>/@scratch/<id>: removed when create fails */
	/* Once the container's environment exists, a failing create destroys
	 * it and then runs poststop with this state (runtime spec). */
	char *poststop_json;
	size_t poststop_len;
};

/* init reported that its environment exists. Idempotent. */
static int env_created(struct create_ctx *x, const struct oci_hooks *h,
                       const struct container_state *st, struct rl_error *e)
{
	if (x->poststop_json || hooks_count(h, HOOK_POSTSTOP) == 0)
		return 0;
	return hooks_state_json(st, STATUS_STOPPED, &x->poststop_json, &x->poststop_len, e);
}

/* Receive the intermediate's PID report and init's HOOKS, READY or ERROR.
 * On HOOKS, run prestart and createRuntime, then let init go on to its
 * createContainer hooks. */
static int await_init(struct create_ctx *x, const struct oci_hooks *h, struct container_state *st,
                      struct rl_error *e)
{
	enum init_state sync = INIT_ST_SYNC;
	unsigned char frame[INIT_FRAME_LEN];
	struct init_report m;

	st->pid = 0;
	for (;;) {
		ssize_t n = read(x->sync_r, frame, sizeof(frame));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(frame))
			return rl_fail(e, EPIPE,
			               "unable to start container process: container "
			               "init exited unexpectedly");
		if (init_decode(frame, (size_t)n, 0, sync, &m, e) < 0)
			return rl_error_prefix(e, "unable to start container process");
		sync = init_next(sync, m.kind);
		switch (m.kind) {
		case INIT_PID:
		case INIT_HOOKS:
			/* init's own reports may overtake the intermediate's. */
			if (st->pid == 0) {
				st->pid = m.kind == INIT_PID ? m.u.pid.pid : m.u.hooks.pid;
				x->init_pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
			}
			if (m.kind == INIT_HOOKS &&
			    (env_created(x, h, st, e) < 0 ||
			     hooks_create_stage(h, st, x->plan.hooks.gate_peer_fd, e) < 0))
				return rl_error_prefix(e, "unable to start container process");
			break;
		case INIT_ERROR:
			if (m.u.error.err == 0) /* a hook's failure: msg is the whole story */
				return rl_fail(e, 0, "unable to start container process: %s",
				               m.u.error.msg);
			return rl_fail_errno(e, m.u.error.err,
			                     "unable to start container process: %s",
			                     m.u.error.msg);
		default: /* INIT_READY */
			break;
		}
		/* READY, and the pid known. */
		if (sync == INIT_ST_DONE)
			return env_created(x, h, st, e);
	}
}

static void create_ctx_release(struct create_ctx *x, bool failed)
{
	if (failed && x->init_pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, x->init_pidfd, SIGKILL, NULL, 0);
		proc_wait_exit(x->init_pidfd, 5000);
	}
	/* The supervisor kills whatever else of the container is left. */
	if (failed && x->dir_created)
		supervisor_quit(x->d.fd);
	/* Failing once the environment existed (a create hook, say), the
	 * lifecycle goes on to destroy, then poststop (runtime spec). */
	if (failed && x->poststop_json && x->dir_created)
		hooks_poststop_json(x->d.fd, x->poststop_json, x->poststop_len);
	free(x->poststop_json);
	if (failed && x->scratch_created)
		container_scratch_remove(x->d.root_fd, x->d.id);
	if (failed && x->dir_created)
		state_dir_remove(&x->d, NULL);
	if (x->dir_created)
		state_dir_close(&x->d);
	process_plan_free(&x->plan);
	mount_table_free(&x->mounts);
	rl_closep(&x->bundle_fd);
	rl_closep(&x->listen_fd);
	rl_closep(&x->sync_r);
	rl_closep(&x->sync_w);
	rl_closep(&x->init_pidfd);
	if (x->pty.master >= 0)
		close(x->pty.master);
}

static int create_locked(const struct global_opts *g, const struct create_opts *o,
                         struct create_ctx *x, struct created *out, struct rl_error *e)
{
	_cleanup_config_ struct oci_config *cfg = NULL;
	_cleanup_free_ char *raw = NULL, *bundle = NULL, *rootfs = NULL;
	struct container_state st;
	struct trap_rule trapped[HANDLERS_MAX];
	size_t raw_len = 0;
	_cleanup_close_ int scratch = -1;
	int rootfs_fd, base = 3 + o->preserve_fds;
	char owner[256];

	bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	if (!bundle)
		return rl_fail_errno(e, errno, "bundle %s", o->bundle ? o->bundle : ".");
	x->bundle_fd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->bundle_fd < 0)
		return rl_fail_errno(e, errno, "open bundle %s", bundle);
	if (oci_json_file_read(x->bundle_fd, "config.json", &raw, &raw_len, e) < 0 ||
	    oci_config_parse(raw, raw_len, &cfg, e) < 0 || oci_config_validate(cfg, e) < 0 ||
	    check_supported(cfg, e) < 0 ||
	    console_check(cfg->process->terminal, o->detach, o->console_socket, e) < 0)
		return -1;
	if (!proc_self_has_cap(CAP_SYS_CHROOT))
		return rl_fail(e, EPERM,
		               "runlock needs CAP_SYS_CHROOT to confine the container "
		               "to its rootfs (running without chroot is not supported yet)");
	if (cfg->root->path[0] == '/')
		rootfs = realpath(cfg->root->path, NULL);
	else if (asprintf(&rootfs, "%s/%s", bundle, cfg->root->path) >= 0) {
		char *abs = realpath(rootfs, NULL);
		free(rootfs);
		rootfs = abs;
	}
	if (!rootfs)
		return rl_fail_errno(e, errno, "rootfs %s", cfg->root->path);
	rootfs_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfs_fd < 0)
		return rl_fail_errno(e, errno, "open rootfs %s", rootfs);
	if (process_plan_build(cfg, rootfs_fd, o->preserve_fds, &x->plan, e) < 0) {
		close(rootfs_fd);
		return -1;
	}
	if (confine_build(cfg, trapped, handlers_trapped(cfg, trapped, HANDLERS_MAX), &x->plan, e) <
	        0 ||
	    hook_plan_build(cfg->hooks, &x->plan.hooks, e) < 0)
		return -1;

	if (state_dir_create(g->root, o->id, &x->d, e) < 0)
		return -1;
	x->dir_created = true;
	if (state_write_file_atomic(x->d.fd, "config.json", raw, raw_len, 0600, e) < 0)
		return -1;
	if (cfg->process->terminal) {
		const struct oci_process *p = cfg->process;
		if (console_open_pty(p->has_console_size ? p->console_height : 0,
		                     p->has_console_size ? p->console_width : 0, &x->pty, e) < 0 ||
		    console_set_owner(&x->pty, p->user.uid, e) < 0)
			return -1;
		if (o->console_socket && console_send_master(o->console_socket, &x->pty, e) < 0)
			return -1;
		if (!o->keep_master) {
			close(x->pty.master);
			x->pty.master = -1;
		}
		x->plan.pty_slave_fd = x->pty.slave;
		x->pty.slave = -1;
	}
	/* The supervisor, agent and spawner inherit it (and its pinned
	 * sources, close-on-exec): issue "filesystem view" uses it. */
	/* Whatever the container can write or hold a directory in outside
	 * its rootfs goes to the scratch tree, away from the state
	 * directory's sockets (issue 14, item 10). */
	scratch = container_scratch_create(x->d.root_fd, o->id, e);
	if (scratch < 0)
		return -1;
	x->scratch_created = true;
	if (mount_table_build(cfg, rootfs, scratch, cfg->process->terminal ? x->pty.name : NULL,
	                      base, &x->mounts, e) < 0 ||
	    landlock_add_table(&x->plan.landlock, &x->mounts, e) < 0 ||
	    check_rootfs_devices(cfg, x->plan.rootfs_fd, &x->mounts, e) < 0)
		return -1;
	x->listen_fd = listen_start_socket(x->d.fd, e);
	if (x->listen_fd < 0)
		return -1;
	{
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return rl_fail_errno(e, errno, "pipe");
		x->sync_r = p[0];
		x->sync_w = p[1];
	}
	if (move_fd_above(&x->plan.rootfs_fd, base, e) < 0 ||
	    move_fd_above(&x->plan.pty_slave_fd, base, e) < 0 ||
	    move_fd_above(&x->plan.netns_fd, base, e) < 0 ||
	    move_fd_above(&x->plan.landlock.ruleset_fd, base, e) < 0 ||
	    move_fd_above(&x->listen_fd, base, e) < 0 || move_fd_above(&x->sync_w, base, e) < 0 ||
	    move_fd_above(&x->plan.hooks.gate_fd, base, e) < 0 ||
	    move_fd_above(&x->plan.hooks.gate_peer_fd, base, e) < 0)
		return -1;

	/* Complete but for the pid: the create hooks read it. */
	memset(&st, 0, sizeof(st));
	snprintf(st.id, sizeof(st.id), "%s", o->id);
	st.bundle = bundle;
	st.rootfs = rootfs;
	owner_name(owner, sizeof(owner));
	st.owner = owner;
	st.status = STATUS_CREATED;
	st.annotations = cfg->annotations;
	st.n_annotations = cfg->n_annotations;
	log_timestamp(st.created, sizeof(st.created), true);

	if (spawn_supervisor(cfg, &x->plan, &x->mounts, rootfs, &x->d, x->listen_fd, x->sync_r,
	                     x->sync_w, e) < 0)
		return -1;
	close(x->sync_w);
	x->sync_w = -1;
	hook_plan_spawned(&x->plan.hooks);
	if (await_init(x, cfg->hooks, &st, e) < 0)
		return -1;
	out->pid = st.pid;
	{
		struct proc_stat ps;
		if (proc_read_stat(out->pid, &ps) < 0)
			return rl_fail_errno(e, errno, "container init %d", (int)out->pid);
		st.start_time = ps.start_time;
	}
	out->start_time = st.start_time;
	out->pid_ns = ns_requested(cfg, "pid");
	if (state_write(&x->d, &st, e) < 0)
		return -1;
	if (o->pid_file && state_write_pid_file(o->pid_file, out->pid, e) < 0)
		return -1;
	out->pty_master = x->pty.master;
	x->pty.master = -1;
	return 0;
}

int container_create(const struct global_opts *g, const struct create_opts *o, struct created *out,
                     struct rl_error *e)
{
	struct create_ctx x;
	int r;

	memset(&x, 0, sizeof(x));
	x.d.fd = x.d.root_fd = -1;
	x.bundle_fd = x.listen_fd = x.sync_r = x.sync_w = x.init_pidfd = -1;
	x.pty.master = x.pty.slave = -1;
	x.plan.rootfs_fd = x.plan.pty_slave_fd = -1;
	out->pid = 0;
	out->pty_master = -1;
	if (o->preserve_fds < 0)
		return rl_fail(e, EINVAL, "--preserve-fds: must not be negative");
	if (state_validate_id(o->id, e) < 0)
		return -1;
	r = create_locked(g, o, &x, out, e);
	if (x.pty.slave >= 0)
		close(x.pty.slave);
	create_ctx_release(&x, r < 0);
	return r;
}
