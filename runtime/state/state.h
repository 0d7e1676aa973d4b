/* The state store: one directory per container under --root.
 *
 *   <root>/<id>/            mode 0700, flock()ed exclusively by every command
 *                           that changes the container
 *   <root>/<id>/state.json  written by temp file + rename, never torn
 *   <root>/<id>/config.json the bundle's config as create read it
 *   <root>/<id>/start.sock  init's start handshake (exists while "created")
 *
 * Commands on one id serialise on the directory lock; different ids never
 * wait on each other. Readers (state, list) read state.json without the lock:
 * rename makes every read see a whole file. */
#ifndef RUNLOCK_RUNTIME_STATE_STATE_H
#define RUNLOCK_RUNTIME_STATE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"

#define CONTAINER_ID_MAX 1024

enum container_status {
	STATUS_CREATING, /* directory exists, state.json not yet written */
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

struct container_state {
	char id[CONTAINER_ID_MAX + 1];
	char *bundle;
	char *rootfs;
	char created[64]; /* RFC 3339, nanoseconds, UTC */
	char *owner;
	pid_t pid;                    /* init; 0 when never started */
	uint64_t start_time;          /* init's /proc/<pid>/stat starttime */
	enum container_status status; /* as recorded; see state_refresh */
	struct oci_kv *annotations;
	size_t n_annotations;
	/* Processes the supervisor killed over memory.limit, from the file
	 * STATE_OOM_FILE it keeps; shown (not stored) as the annotation
	 * STATE_OOM_ANNOTATION when above 0, as runc has no field for it. */
	uint64_t oom_kills;
	const char *root; /* --root it was loaded from (borrowed); NULL when unknown */
};

#define STATE_OOM_FILE       "oom_kill"
#define STATE_OOM_ANNOTATION "io.github.runlock.oom-kill"

/* A locked (or merely opened) container directory. */
struct container_dir {
	int root_fd; /* --root */
	int fd;      /* <root>/<id> */
	char id[CONTAINER_ID_MAX + 1];
};

/* runc's id rules: [A-Za-z0-9_+.-], not "." or "..", 1..1024 bytes. */
int state_validate_id(const char *id, struct rl_error *e);

/* Open (creating it 0700 when missing) the state root. */
int state_open_root(const char *root, struct rl_error *e);

/* Create <root>/<id> and lock it. EEXIST → "container with id exists: ID". */
int state_dir_create(const char *root, const char *id, struct container_dir *d, struct rl_error *e);

/* Open and lock an existing <root>/<id>; fails with "container does not
 * exist" when missing or removed while we waited for the lock. With
 * `require_state`, a directory without state.json also "does not exist". */
int state_dir_open(const char *root, const char *id, bool lock, bool require_state,
                   struct container_dir *d, struct rl_error *e);

/* Remove everything in the directory, then the directory. Keeps the lock
 * until state_dir_close so waiters observe the removal. */
int state_dir_remove(struct container_dir *d, struct rl_error *e);

void state_dir_close(struct container_dir *d);

int state_write(const struct container_dir *d, const struct container_state *s, struct rl_error *e);
int state_read(const struct container_dir *d, struct container_state *s, struct rl_error *e);
/* The count in the supervisor's STATE_OOM_FILE; 0 when absent. */
uint64_t state_read_oom_kills(const struct container_dir *d);
void state_free(struct container_state *s);

/* Bring s->status in line with reality: a created/running container whose
 * init is gone (or is a zombie, or whose pid now names another process by
 * start time) is stopped, and its pid reads 0. Returns the new status. */
enum container_status state_refresh(struct container_state *s);

const char *state_status_name(enum container_status st);

/* The OCI state document (pretty, like runc's `state`), caller frees. */
int state_to_json(const struct container_state *s, bool pretty, char **json, size_t *len,
                  struct rl_error *e);

/* Write data to <dirfd>/<name> by temp file + rename. */
/* Write pid as bare decimal digits to path (relative to the caller's cwd),
 * atomically by rename, as runc writes its pid files. */
int state_write_pid_file(const char *path, pid_t pid, struct rl_error *e);

int state_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                            struct rl_error *e);

#endif
