/* Terminals for containers with process.terminal.
 *
 * Like runc, the pty master goes to the caller through --console-socket: one
 * sendmsg() whose iov carries the pty's name and whose SCM_RIGHTS carries the
 * master fd. `run` in the foreground instead keeps the master and proxies. */
#ifndef RUNLOCK_RUNTIME_LIFECYCLE_CONSOLE_H
#define RUNLOCK_RUNTIME_LIFECYCLE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct pty_pair {
	int master;
	int slave;
	char name[64]; /* /dev/pts/N on the host */
};

/* runc's checks of a terminal request, for create, run and exec alike:
 * detached with a terminal needs a console socket, and a console socket
 * needs a terminal. 0, or -1 with e set in runc's words. */
int console_check(bool terminal, bool detach, const char *console_socket, struct rl_error *e);

/* Open a new pty pair (both close-on-exec), sized rows×cols when non-zero. */
int console_open_pty(uint32_t rows, uint32_t cols, struct pty_pair *pty, struct rl_error *e);

/* Give the pty's slave to the process, as runc's devpts does: owner uid,
 * group 5 ("tty"; left alone where gid 5 is not mapped), mode 0620. */
int console_set_owner(const struct pty_pair *pty, uint32_t uid, struct rl_error *e);

/* Send pty->master to the AF_UNIX stream socket at path (any length). */
int console_send_master(const char *socket_path, const struct pty_pair *pty, struct rl_error *e);

/* Copy between the caller's stdio and the master until the master hangs up
 * (every slave closed) or stop_fd becomes readable; puts the caller's
 * terminal in raw mode meanwhile and keeps window sizes in step on SIGWINCH
 * delivered through sig_fd (a signalfd; -1 for none). Returns when the
 * container side is done. */
void console_proxy(int master, int sig_fd, bool (*on_signal)(int sig, void *ctx), void *ctx);

#endif
