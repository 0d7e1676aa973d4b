/* OCI hooks: all six kinds of the runtime spec (config.md, "POSIX-platform
 * Hooks"), with their timing, context, state on stdin, timeout and failure
 * rules. docs/design.md ("Hooks") describes where each kind runs.
 *
 * Runtime-context kinds (prestart, createRuntime, poststart, poststop) run
 * from the runlock CLI process. Container-context kinds (createContainer,
 * startContainer) run from the container's init, which may only make
 * async-signal-safe calls: everything they need is prepared before fork
 * (struct hook_plan), and the runner itself (hook_exec) is written in that
 * style so both contexts share one implementation. */
#ifndef RUNLOCK_HOOKS_HOOKS_H
#define RUNLOCK_HOOKS_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"
#include "runtime/state/state.h"

enum hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
};

/* The config.json name: "prestart", "createRuntime", ... */
const char *hook_kind_name(enum hook_kind k);

/* The hooks of one kind; h may be NULL (no hooks). */
const struct oci_hook *hooks_list(const struct oci_hooks *h, enum hook_kind k, size_t *n);

static inline size_t hooks_count(const struct oci_hooks *h, enum hook_kind k)
{
	size_t n;
	hooks_list(h, k, &n);
	return n;
}

/* ---- one hook, either context (async-signal-safe) ------------------------ */

/* Bytes of a hook's stdout and of its stderr kept for the error message;
 * the rest is read and dropped so the hook never blocks on a full pipe. */
#define HOOK_OUTPUT_MAX 400

struct hook_cmd {
	const char *path;
	char *const *argv; /* args, or {path} when the config has none */
	char *const *envp; /* env exactly as given, empty when none */
	int64_t timeout_s; /* 0: none */
	char *argv_default[2];
};

struct hook_output {
	char buf[HOOK_OUTPUT_MAX];
	size_t len;
	bool cut; /* more than HOOK_OUTPUT_MAX bytes were written */
};

struct hook_result {
	int status;           /* wait status, when the hook ran */
	bool timed_out;       /* killed (with its process group) at the timeout */
	int err;              /* errno when it could not be run; 0 otherwise */
	const char *err_what; /* the step that failed: "exec", "fork", ... */
	struct hook_output out, errout;
};

/* Borrow path, args and env from h (which must outlive c). */
void hook_cmd_init(struct hook_cmd *c, const struct oci_hook *h);

/* Run one hook in its own session with `in` on stdin and stdout/stderr
 * captured; wait for it (and no longer than its timeout). Returns 0 when it
 * exited with status 0, -1 otherwise (details in *r). */
int hook_exec(const struct hook_cmd *c, const char *in, size_t in_len, struct hook_result *r);

/* "error running KIND hook #I (PATH): exit status 3, stdout: ..., stderr:
 * ...". When r->err is set the message ends with r->err_what and the caller
 * appends the errno's text. */
void hook_describe(const char *kind, size_t index, const struct hook_cmd *c,
                   const struct hook_result *r, char *buf, size_t size);

/* ---- runtime context (the CLI) ------------------------------------------- */

/* The state document a hook reads on stdin: s with `status` (and pid 0 for
 * STATUS_STOPPED), compact. */
int hooks_state_json(const struct container_state *s, enum container_status status, char **json,
                     size_t *len, struct rl_error *e);

/* Run the hooks of `kind` in order; the first failure stops the list and is
 * returned (its description in e). */
int hooks_run(const struct oci_hooks *h, enum hook_kind kind, const char *json, size_t len,
              struct rl_error *e);

/* Run every poststop hook; a failure is logged as a warning and the next
 * hook still runs, as the spec requires. */
void hooks_run_poststop(const struct oci_hooks *h, const char *json, size_t len);

/* Read the config `create` stored in the container's directory. A missing
 * file gives *c == NULL and 0 (no hooks to run). */
int hooks_load_config(int dirfd, struct oci_config **c, struct rl_error *e);

/* Send one state document framed for hooks_recv_state (never SIGPIPE). */
int hooks_send_state(int fd, const char *json, size_t len, struct rl_error *e);

/* `create`, once init reports that its environment exists: run prestart
 * then createRuntime with s as "created", then hand init the state its
 * createContainer hooks read, through gate_fd. */
int hooks_create_stage(const struct oci_hooks *h, const struct container_state *s, int gate_fd,
                       struct rl_error *e);

/* `delete`: poststop with s as stopped, the hooks from the config in the
 * container's directory dirfd. */
void hooks_poststop_from_dir(int dirfd, const struct container_state *s);

/* The same with a state document already made (a failed `create`). */
void hooks_poststop_json(int dirfd, const char *json, size_t len);

/* ---- container context (the init) ---------------------------------------- */

struct hook_plan {
	bool built;
	struct hook_cmd *create_container;
	size_t n_create_container;
	struct hook_cmd *start_container;
	size_t n_start_container;
	/* A socket pair between create and init, present when the config has
	 * prestart, createRuntime or createContainer hooks: init waits on
	 * gate_fd until create has run its hooks and sent the state. */
	int gate_fd;      /* init's end */
	int gate_peer_fd; /* create's end */
};

/* Prepare the container-context hooks of h (borrowed: h must outlive the
 * fork) and the gate. */
int hook_plan_build(const struct oci_hooks *h, struct hook_plan *hp, struct rl_error *e);

/* After the fork: create keeps only its end of the gate. */
void hook_plan_spawned(struct hook_plan *hp);

void hook_plan_free(struct hook_plan *hp);

/* A state document received by init, in memory of its own (mmap). */
struct hook_state {
	char *buf;
	size_t len, map_len;
};

/* Init: receive one framed state document from fd. 0, or -1 with errno.
 * Async-signal-safe. */
int hooks_recv_state(int fd, struct hook_state *st);

/* Init: run prepared hooks in order with st on stdin. On the first failure
 * returns -1 with its description in what and the errno (or 0) in *err.
 * Async-signal-safe. */
int hooks_run_prepared(const char *kind, const struct hook_cmd *cmds, size_t n,
                       const struct hook_state *st, char *what, size_t size, int *err);

#endif
