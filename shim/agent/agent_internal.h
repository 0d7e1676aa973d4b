/* What the agent's own files share (shim/agent/agent.h names them). Each
 * handler runs already as the caller and returns 0 or an errno. */
#ifndef RUNLOCK_SHIM_AGENT_AGENT_INTERNAL_H
#define RUNLOCK_SHIM_AGENT_AGENT_INTERNAL_H

#include "shim/agent/agent.h"

/* The pinned directory of index dir (0: the root, i + 1: mount i), or -1. */
int agent_dir_fd(const struct agent_config *c, int dir);

/* Open the object behind our fd obj anew through its magic link below
 * the host's /proc (mode: an O_TMPFILE open's); fd or -1 with errno. */
int agent_reopen(const struct agent_config *c, int obj, int flags, mode_t mode);

/* After a call made from the host's /proc as the working directory: back
 * to the root, or die (never left outside the root). */
void agent_back_to_root(const struct agent_config *c);

/* The pinned directory an AGENT_OPEN starts from, or -errno (an open
 * that is neither beneath, in root, a reopen nor a magic path).
 * agent_open.c. */
int agent_open_dir(const struct agent_config *c, const struct agent_open *o);
/* AGENT_OPEN from dfd: *fd the result, *fifo set for a FIFO's O_PATH fd. */
int agent_do_open(const struct agent_config *c, const struct agent_open *o, int dfd, int *fd,
                  uint32_t *fifo);

/* Every other as-caller kind (agent_fsops.c): in_fd the descriptors sent
 * along (-1 when absent); the results into rep, GETXATTR's and
 * LISTXATTR's bytes into agent_xattr_buf. */
int agent_do_fsop(const struct agent_config *c, const struct agent_request *q, const int *in_fd,
                  struct agent_reply *rep);
extern char agent_xattr_buf[AGENT_MAX_XATTR];

/* Take on q's caller, run the open or change, come back (or die).
 * agent_as_caller.c. */
int agent_as_caller(const struct agent_config *c, const struct agent_request *q, const int *in_fd,
                    int *fd, struct agent_reply *rep);

#endif
