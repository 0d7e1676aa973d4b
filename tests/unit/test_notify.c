/* The notification framework (shim/notify/notify.c) against a real seccomp
 * listener: a child traps dup() and getppid(); this process answers with
 * an injected fd, a value, an errno, CONTINUE and nothing (ENOSYS). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim/notify/notify.h"
#include "shim/ipc/wire.h"
#include "tests/unit/unit.h"

#define ROUNDS 10000

/* dup(fd) answers: fd == -1: inject /dev/null; -2: value 42; -3: EXDEV;
 * otherwise CONTINUE (the kernel runs the real dup). */
static void h_dup(struct notify *n, int listener, const struct seccomp_notif *req,
                  enum notify_abi abi, struct notify_answer *a)
{
	int fd = (int)req->data.args[0];
	(void)n, (void)listener, (void)abi;
	if (fd == -1) {
		a->kind = ANSWER_FD;
		a->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		a->fd_flags = O_CLOEXEC;
	} else if (fd == -2) {
		a->kind = ANSWER_VALUE;
		a->val = 42;
	} else if (fd == -3) {
		a->err = EXDEV;
	} else {
		a->kind = ANSWER_CONTINUE;
	}
}

static int count_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* The child: trap dup and getppid, hand the listener over, exercise. Exit
 * status 0 when every answer was as expected. */
__attribute__((noreturn)) static void child(int sock)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int listener, bad = 0;

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(dup), 0) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		_exit(10);
	listener = seccomp_notify_fd(ctx);
	if (listener < 0 || wire_send(sock, "L", 1, NULL, 0, &listener, 1) < 0)
		_exit(11);
	close(listener);
	for (int i = 0; i < ROUNDS; i++) {
		int fd = (int)syscall(SYS_dup, -1);
		if (fd < 0 || fcntl(fd, F_GETFD) != FD_CLOEXEC)
			bad++;
		else
			close(fd);
	}
	if (syscall(SYS_dup, -2) != 42)
		_exit(12);
	errno = 0;
	if (syscall(SYS_dup, -3) != -1 || errno != EXDEV)
		_exit(13);
	{
		int fd = (int)syscall(SYS_dup, 1); /* CONTINUE: a real dup */
		if (fd < 0)
			_exit(14);
		close(fd);
	}
	errno = 0;
	if (syscall(SYS_getppid) != -1 || errno != ENOSYS) /* no handler: ENOSYS */
		_exit(15);
	_exit(bad ? 16 : 0);
}

static void test_inject_and_answers(void)
{
	static const struct notify_entry entries[] = {{"dup", h_dup}};
	struct notify n;
	struct rl_error e;
	int sv[2], fds[1], status = -1, before, after;
	size_t nfds = 0;
	char c;
	pid_t pid;

	const struct notify_set set = {entries, 1, NULL, NULL};
	CHECK(notify_init(&n, &set, 1, &e) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child(sv[1]);
	}
	close(sv[1]);
	CHECK(wire_recv(sv[0], &c, 1, fds, 1, &nfds) == 1);
	CHECK_UINT_EQ(nfds, 1);
	close(sv[0]);
	notify_listener_setup(fds[0]);
	before = count_fds();
	for (;;) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		if (poll(&p, 1, 10000) <= 0)
			break;
		if (p.revents & POLLIN) {
			notify_handle_one(&n, fds[0]);
			continue;
		}
		break; /* POLLHUP: the child has exited */
	}
	after = count_fds();
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_INT_EQ(WEXITSTATUS(status), 0);
	/* Every injected fd's source was closed here. */
	CHECK_INT_EQ(after, before);
	CHECK(n.handled >= ROUNDS + 4);
	close(fds[0]);
	notify_release(&n);
}

static void test_abi_and_dispatch_table(void)
{
	static const struct notify_entry entries[] = {{"uname", h_dup}, {"olduname", h_dup}};
	struct notify n;
	struct rl_error e;

	CHECK_INT_EQ(notify_abi_of(0xc000003e), NOTIFY_ABI_X86_64);
	CHECK_INT_EQ(notify_abi_of(0x40000003), NOTIFY_ABI_I386);
	CHECK_INT_EQ(notify_abi_of(0), -1);
	const struct notify_set set = {entries, 2, NULL, NULL};
	CHECK(notify_init(&n, &set, 1, &e) == 0);
	CHECK(n.table[NOTIFY_ABI_X86_64][63] == h_dup); /* uname */
	CHECK(n.table[NOTIFY_ABI_I386][122] == h_dup);  /* newuname */
	CHECK(n.table[NOTIFY_ABI_I386][109] == h_dup);  /* olduname: i386 only */
	CHECK(n.table[NOTIFY_ABI_X86_64][109] == NULL); /* getpgid on x86_64 */
	notify_release(&n);
}

int main(int argc, char **argv)
{
	(void)argc;
	signal(SIGPIPE, SIG_IGN);
	RUN(test_abi_and_dispatch_table);
	RUN(test_inject_and_answers);
	return unit_summary(argv[0]);
}
