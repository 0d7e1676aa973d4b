/* The control channel: the CLI asks the supervisor of a running container
 * on <state dir>/ctl.sock (SOCK_SEQPACKET, mode 0600; shim/ipc/control.h
 * holds the CLI's transport).
 *
 * One request per connection. The reply is one datagram, except for exec:
 * CTL_R_STARTED once the process has called execve (the pid file may then
 * be written), then CTL_R_EXIT with its wait status.
 *
 * The CLI and the supervisor may be different builds (runlock replaced
 * while containers run), so the datagrams keep one layout across versions:
 * a request is 16 bytes (exec's process JSON, update's resources JSON
 * after them), a reply 1032
 * (ps's pids after them); what each kind puts where is written once, in
 * ctl_proto.c, and a field a kind does not use must be zero.
 *
 * ctl_req_encode()/ctl_req_decode() and ctl_reply_encode()/
 * ctl_reply_decode() are the only code that lays these out or reads them.
 * Decoding refuses (EPROTO) a length that is not the kind's, an unknown
 * kind or flag, a non-zero unused field, and (ENOTSUP) a kind the
 * receiver's state does not permit: ctl_req_permitted() for the
 * supervisor's side of a connection, ctl_reply_permitted() for the CLI's
 * wait. */
#ifndef RUNLOCK_SHIM_IPC_CTL_PROTO_H
#define RUNLOCK_SHIM_IPC_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum ctl_kind { CTL_PS = 1, CTL_KILL, CTL_EXEC, CTL_QUIT, CTL_UPDATE, CTL_STATS, CTL_KIND_END };

/* CTL_KILL: sig to the container's init, or with all to every process. */
struct ctl_kill {
	int32_t sig;
	bool all;
};

/* CTL_EXEC: the process JSON (runtime spec "process") as payload; the fds
 * sent along are stdin, stdout, stderr (or, with tty, the pty slave
 * alone), then preserve_fds more. */
struct ctl_exec {
	bool tty;
	int32_t preserve_fds;
	const char *process_json; /* decoded: points into the datagram */
	size_t json_len;
};

/* CTL_UPDATE: new limits, a runtime spec "linux.resources" object as
 * payload (runlock update); answered CTL_R_DONE once every process has
 * them. */
struct ctl_update {
	const char *resources_json; /* decoded: points into the datagram */
	size_t json_len;
};

struct ctl_request {
	uint32_t kind; /* enum ctl_kind; CTL_PS, CTL_QUIT, CTL_STATS carry nothing */
	union {
		struct ctl_kill kill;
		struct ctl_exec exec;
		struct ctl_update update;
	} u;
};

enum ctl_reply_kind {
	CTL_R_DONE = 1, /* kill, quit */
	CTL_R_PIDS,     /* ps: n_pids int32 pids follow */
	CTL_R_STARTED,  /* exec: the process has called execve */
	CTL_R_EXIT,     /* exec: its wait status (closing the connection before kills it) */
	CTL_R_ERROR,    /* any: err and msg */
	CTL_R_STATS,    /* stats: the supervisor's live numbers */
	CTL_R_KIND_END
};

/* CTL_R_STATS: what the supervisor enforces, as it stands now. */
struct ctl_stats {
	bool memory;           /* a memory limit was set at create: the rest is live */
	int64_t mem_limit;     /* bytes; -1: none (lifted by update) */
	uint64_t mem_usage;    /* anonymous resident bytes at the last sample */
	uint64_t mem_max;      /* the most seen */
	uint64_t mem_failcnt;  /* refusals (ENOMEM) and kills */
	uint64_t mem_oom_kill; /* processes killed over the limit */
	bool pids;             /* a pids limit is enforced: */
	uint64_t pids_current; /* tasks counted */
	int64_t pids_limit;
	/* cpu.quota's throttling, as cpu.stat counts it (0 without a quota) */
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
};

#define CTL_MSG_MAX 1016

struct ctl_reply {
	uint32_t kind; /* enum ctl_reply_kind; CTL_R_DONE carries nothing */
	union {
		struct {
			uint32_t n_pids;
		} pids;
		struct {
			pid_t pid;
		} started;
		struct {
			int32_t status;
		} exit;
		struct {
			int32_t err;
			char msg[CTL_MSG_MAX];
		} error;
		struct ctl_stats stats;
	} u;
};

/* The datagrams' fixed parts. */
#define CTL_REQ_LEN   16
#define CTL_REPLY_LEN 1032

/* The supervisor's side of one connection:
 * - CTL_ST_OPEN: accepted and admitted (sv_peer_allowed), nothing asked
 *   yet: ps, kill, exec, quit, update, stats.
 * - CTL_ST_EXEC: an exec's process runs for this connection: nothing but
 *   the hang-up (which kills the process). */
enum ctl_state { CTL_ST_OPEN, CTL_ST_EXEC, CTL_ST_END };
bool ctl_req_permitted(enum ctl_state st, uint32_t kind);

/* The CLI's side: what it waits for after its request. */
enum ctl_wait {
	CTL_AWAIT_PIDS,    /* after ps */
	CTL_AWAIT_DONE,    /* after kill, quit, update */
	CTL_AWAIT_STARTED, /* after exec */
	CTL_AWAIT_EXIT,    /* after exec's STARTED */
	CTL_AWAIT_STATS,   /* after stats */
	CTL_AWAIT_END
};
bool ctl_reply_permitted(enum ctl_wait w, uint32_t kind);

const char *ctl_kind_name(uint32_t kind);
const char *ctl_reply_kind_name(uint32_t kind);

/* q's fixed part into head; exec's JSON goes after it in the same
 * datagram. -1 with e set for an unknown kind or a bad field. */
int ctl_req_encode(const struct ctl_request *q, unsigned char head[CTL_REQ_LEN],
                   struct rl_error *e);
/* A request of len bytes, for a connection in state st. */
int ctl_req_decode(const void *buf, size_t len, enum ctl_state st, struct ctl_request *q,
                   struct rl_error *e);

/* r's fixed part into head (an error's msg cut to fit); ps's pids go
 * after it as int32. */
int ctl_reply_encode(const struct ctl_reply *r, unsigned char head[CTL_REPLY_LEN],
                     struct rl_error *e);
/* A reply of len bytes, for a CLI waiting as w; *pids (may be NULL) gets
 * where ps's int32 pids start. */
int ctl_reply_decode(const void *buf, size_t len, enum ctl_wait w, struct ctl_reply *r,
                     const void **pids, struct rl_error *e);

#endif
