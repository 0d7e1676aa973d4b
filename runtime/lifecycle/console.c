#include "runtime/lifecycle/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/path.h"

int console_check(bool terminal, bool detach, const char *console_socket, struct rl_error *e)
{
	if (terminal && detach && !console_socket)
		return rl_fail(e, EINVAL,
		               "cannot allocate tty if runlock will detach without "
		               "setting console socket");
	if (!terminal && console_socket)
		return rl_fail(e, EINVAL,
		               "cannot use console socket if runlock will not detach "
		               "or allocate tty");
	return 0;
}

int console_open_pty(uint32_t rows, uint32_t cols, struct pty_pair *pty, struct rl_error *e)
{
	_cleanup_close_ int master = -1, slave = -1;
	int n;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return rl_fail_errno(e, errno, "open /dev/ptmx");
	if (unlockpt(master) < 0)
		return rl_fail_errno(e, errno, "unlockpt");
	if (ioctl(master, TIOCGPTN, &n) < 0)
		return rl_fail_errno(e, errno, "get pty number");
	snprintf(pty->name, sizeof(pty->name), "/dev/pts/%d", n);
	/* TIOCGPTPEER opens the slave of *this* master, not whatever is at the
	 * path. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return rl_fail_errno(e, errno, "open pty slave");
	if (rows || cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows,
		                     .ws_col = (unsigned short)cols};
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return rl_fail_errno(e, errno, "set console size");
	}
	pty->master = steal_fd(&master);
	pty->slave = steal_fd(&slave);
	return 0;
}

int console_set_owner(const struct pty_pair *pty, uint32_t uid, struct rl_error *e)
{
	if (fchown(pty->slave, (uid_t)uid, 5) < 0 &&
	    (errno != EINVAL || fchown(pty->slave, (uid_t)uid, (gid_t)-1) < 0))
		return rl_fail_errno(e, errno, "chown %s", pty->name);
	if (fchmod(pty->slave, 0620) < 0)
		return rl_fail_errno(e, errno, "chmod %s", pty->name);
	return 0;
}

int console_send_master(const char *socket_path, const struct pty_pair *pty, struct rl_error *e)
{
	const char *base;
	_cleanup_close_ int dirfd = -1, sock = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)pty->name, .iov_len = strlen(pty->name)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;

	/* sun_path holds 108 bytes; reach long paths through the directory's
	 * /proc/self/fd entry. */
	dirfd = path_open_parent(socket_path, O_PATH, &base, "console socket", e);
	if (dirfd < 0)
		return -1;
	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd, base) >=
	    (int)sizeof(addr.sun_path))
		return rl_fail(e, ENAMETOOLONG, "console socket name too long: %s", socket_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return rl_fail_errno(e, errno, "console socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return rl_fail_errno(e, errno, "connect to console socket %s", socket_path);
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pty->master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return rl_fail_errno(e, errno, "send pty master to console socket");
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* The container is gone: pass on what it wrote last, without waiting for
 * slaves that other processes may still hold. */
static void drain(int master)
{
	char buf[16384];
	ssize_t n;

	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while ((n = read(master, buf, sizeof(buf))) > 0)
		if (fd_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
}

void console_proxy(int master, int sig_fd, bool (*on_signal)(int sig, void *ctx), void *ctx)
{
	struct termios saved, raw;
	bool restore = false, stdin_open = true;
	char buf[16384];

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			restore = true;
		copy_winsize(STDIN_FILENO, master);
	}
	for (;;) {
		struct pollfd fds[3] = {
		    {.fd = master, .events = POLLIN},
		    {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		    {.fd = sig_fd, .events = POLLIN},
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH && restore)
					copy_winsize(STDIN_FILENO, master);
				if (on_signal && !on_signal((int)si.ssi_signo, ctx)) {
					drain(master);
					break;
				}
			}
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				/* Input ended: tell the container with EOF (^D) once. */
				stdin_open = false;
				if (write(master, "\x04", 1) < 0)
					break;
			} else if (fd_write_all(master, buf, (size_t)n) < 0) {
				stdin_open = false;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break; /* EIO: every slave is closed */
			if (fd_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
	}
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}
