/* The agent's services (shim/agent/) in a forked agent, outside any
 * sandbox: on-behalf opens with the caller's credentials, the beneath-only
 * rule, and the membership scan's refusal without a signal scope. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim/agent/agent.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/runlock-agent-XXXXXX";
static int sock = -1;
static pid_t agent = -1;

static void start_agent(void)
{
	int sv[2];
	struct agent_config c = {.n_dirs = 1};

	CHECK(mkdtemp(dir) != NULL);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	agent = fork();
	if (agent == 0) {
		struct rl_error e;
		close(sv[0]);
		c.sock = sv[1];
		c.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		c.dirs[0] = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (agent_confine(&e) < 0)
			_exit(3);
		agent_serve(&c);
	}
	close(sv[1]);
	sock = sv[0];
}

static int open_as(const char *path, uint32_t uid, uint32_t gid, uint64_t caps, uint64_t resolve,
                   int *fd)
{
	struct agent_request *r = calloc(1, sizeof(*r));
	struct agent_reply rep;
	struct agent_out out = {0};
	struct rl_error e = {0};
	int ret;

	r->kind = AGENT_OPEN;
	r->u.open.flags = O_RDONLY;
	r->u.open.resolve = resolve;
	r->caller.fsuid = uid;
	r->caller.fsgid = gid;
	r->caller.cap_effective = caps;
	snprintf(r->u.open.path, sizeof(r->u.open.path), "%s", path);
	ret = agent_call(sock, r, NULL, 0, &rep, &out, &e);
	*fd = out.fd;
	free(r);
	return ret < 0 ? e.err : 0;
}

static void test_open_with_callers_credentials(void)
{
	char path[256], buf[16] = {0};
	int fd = -1, fd0 = -1;
	uint64_t root_caps = (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH);

	snprintf(path, sizeof(path), "%s/secret", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, "s3cret", 6) == 6);
	close(fd);
	CHECK(chown(path, 0, 0) == 0);
	/* uid 1000 without capabilities: the file's mode refuses it. */
	CHECK_INT_EQ(open_as("secret", 1000, 1000, 0, RESOLVE_BENEATH, &fd), EACCES);
	CHECK_INT_EQ(fd, -1);
	/* uid 1000 with CAP_DAC_OVERRIDE in its effective set gets through. */
	CHECK_INT_EQ(open_as("secret", 1000, 1000, root_caps, RESOLVE_BENEATH, &fd), 0);
	if (fd >= 0)
		close(fd);
	/* uid 0 with its capabilities reads it. */
	CHECK_INT_EQ(open_as("secret", 0, 0, root_caps, RESOLVE_IN_ROOT, &fd0), 0);
	CHECK(fd0 >= 0 && read(fd0, buf, sizeof(buf) - 1) == 6);
	CHECK_STREQ(buf, "s3cret");
	if (fd0 >= 0)
		close(fd0);
	/* And the agent came back to its own credentials each time. */
	CHECK_INT_EQ(open_as("secret", 0, 0, root_caps, RESOLVE_BENEATH, &fd0), 0);
	if (fd0 >= 0)
		close(fd0);
	unlink(path);
}

static void test_beneath_only(void)
{
	int fd = -1;

	CHECK_INT_EQ(open_as("../../etc/passwd", 0, 0, ~0ULL, RESOLVE_BENEATH, &fd), EXDEV);
	CHECK_INT_EQ(open_as("/etc/passwd", 0, 0, ~0ULL, RESOLVE_BENEATH, &fd), EXDEV);
	/* Without RESOLVE_BENEATH or RESOLVE_IN_ROOT the agent refuses. */
	CHECK_INT_EQ(open_as(".", 0, 0, ~0ULL, 0, &fd), EINVAL);
	CHECK_INT_EQ(fd, -1);
}

static void test_scan_refused_without_scope(void)
{
	struct agent_request *r = calloc(1, sizeof(*r));
	struct agent_reply rep;
	struct rl_error e = {0};
	pid_t pids[8];
	struct agent_out out = {.pids = pids, .max_pids = 8};

	/* Unconfined, kill(parent, 0) succeeds: a scan would reach the whole
	 * host, so the agent must refuse it. */
	r->kind = AGENT_SIGNAL;
	r->u.signal.sig = 0;
	CHECK(agent_call(sock, r, NULL, 0, &rep, NULL, &e) < 0);
	CHECK_INT_EQ(e.err, ENOTSUP);
	r->kind = AGENT_MEMBERS;
	CHECK(agent_call(sock, r, NULL, 0, &rep, &out, &e) < 0);
	CHECK_INT_EQ(e.err, ENOTSUP);
	free(r);
}

static void test_quit(void)
{
	int status = -1;

	agent_quit(sock);
	CHECK(waitpid(agent, &status, 0) == agent);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	(void)argc;
	if (geteuid() != 0) {
		printf("test_agent: needs root (credential switching)\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	start_agent();
	RUN(test_open_with_callers_credentials);
	RUN(test_beneath_only);
	RUN(test_scan_refused_without_scope);
	RUN(test_quit);
	return unit_summary(argv[0]);
}
