/* Unit tests for the runtime's pure helpers: ids, signals, log quoting,
 * error prefixing, state JSON round trip. */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/proc.h"
#include "runtime/confine/seccomp.h"
#include "runtime/state/state.h"
#include "tests/unit/unit.h"

static void test_ids(void)
{
	char long_id[CONTAINER_ID_MAX + 2];
	struct rl_error e;

	CHECK_INT_EQ(state_validate_id("abc-1_2.3+x", &e), 0);
	CHECK_INT_EQ(state_validate_id("a/b", &e), -1);
	CHECK_CONTAINS(e.msg, "invalid id format");
	CHECK_INT_EQ(state_validate_id("..", &e), -1);
	CHECK_INT_EQ(state_validate_id(".", &e), -1);
	CHECK_INT_EQ(state_validate_id("", &e), -1);
	CHECK_INT_EQ(state_validate_id("a b", &e), -1);
	CHECK_INT_EQ(state_validate_id("é", &e), -1);
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[CONTAINER_ID_MAX] = '\0';
	CHECK_INT_EQ(state_validate_id(long_id, &e), 0);
	long_id[CONTAINER_ID_MAX] = 'a';
	long_id[CONTAINER_ID_MAX + 1] = '\0';
	CHECK_INT_EQ(state_validate_id(long_id, &e), -1);
}

static void test_signals(void)
{
	CHECK_INT_EQ(proc_parse_signal("KILL"), SIGKILL);
	CHECK_INT_EQ(proc_parse_signal("SIGKILL"), SIGKILL);
	CHECK_INT_EQ(proc_parse_signal("sigterm"), SIGTERM);
	CHECK_INT_EQ(proc_parse_signal("9"), 9);
	CHECK_INT_EQ(proc_parse_signal("WINCH"), SIGWINCH);
	CHECK_INT_EQ(proc_parse_signal("RTMIN+1"), SIGRTMIN + 1);
	CHECK_INT_EQ(proc_parse_signal("SIGRTMAX-2"), SIGRTMAX - 2);
	CHECK_INT_EQ(proc_parse_signal("0"), -1);
	CHECK_INT_EQ(proc_parse_signal("65"), -1);
	CHECK_INT_EQ(proc_parse_signal("9x"), -1);
	CHECK_INT_EQ(proc_parse_signal("NOPE"), -1);
	CHECK_INT_EQ(proc_parse_signal(""), -1);
	CHECK_INT_EQ(proc_parse_signal("RTMIN+99"), -1);
}

static void test_json_quote(void)
{
	char buf[64];

	log_json_quote(buf, sizeof(buf), "a\"b\\c\nd\x01");
	CHECK_STREQ(buf, "\"a\\\"b\\\\c\\nd\\u0001\"");
	log_json_quote(buf, 8, "abcdefghijkl");
	CHECK_INT_EQ(strlen(buf), 7);
	CHECK(buf[0] == '"' && buf[6] == '"');
}

static void test_error_prefix(void)
{
	struct rl_error e;

	CHECK_INT_EQ(rl_fail_errno(&e, ENOENT, "open %s", "x"), -1);
	CHECK_INT_EQ(e.err, ENOENT);
	CHECK_STREQ(e.msg, "open x: No such file or directory");
	rl_error_prefix(&e, "create %d", 7);
	CHECK_STREQ(e.msg, "create 7: open x: No such file or directory");
	CHECK_INT_EQ(e.err, ENOENT);
}

static void test_state_json(void)
{
	struct container_state s;
	struct oci_kv annots[1] = {{.key = "k", .value = "v\"q"}};
	char *json = NULL;
	size_t len = 0;
	struct rl_error e;

	memset(&s, 0, sizeof(s));
	strcpy(s.id, "c1");
	s.bundle = "/b";
	s.rootfs = "/b/rootfs";
	s.owner = "root";
	s.pid = 42;
	s.status = STATUS_RUNNING;
	strcpy(s.created, "2026-01-01T00:00:00.000000000Z");
	s.annotations = annots;
	s.n_annotations = 1;
	CHECK_INT_EQ(state_to_json(&s, true, &json, &len, &e), 0);
	CHECK_CONTAINS(json, "\"status\": \"running\"");
	CHECK_CONTAINS(json, "\"pid\": 42");
	CHECK_CONTAINS(json, "\"k\": \"v\\\"q\"");
	CHECK(len > 0 && json[len - 1] == '}');
	/* The internal start time never leaks into the OCI document. */
	CHECK(strstr(json, "runlockInitStartTime") == NULL);
	free(json);
}

static void test_refresh(void)
{
	struct container_state s;

	memset(&s, 0, sizeof(s));
	s.status = STATUS_RUNNING;
	s.pid = getpid();
	s.start_time = 1; /* not ours: a recycled pid must read as stopped */
	CHECK_INT_EQ(state_refresh(&s), STATUS_STOPPED);
	CHECK_INT_EQ(s.pid, 0);
	{
		struct proc_stat st;
		CHECK_INT_EQ(proc_read_stat(getpid(), &st), 0);
		memset(&s, 0, sizeof(s));
		s.status = STATUS_RUNNING;
		s.pid = getpid();
		s.start_time = st.start_time;
		CHECK_INT_EQ(state_refresh(&s), STATUS_RUNNING);
		CHECK_INT_EQ(s.pid, getpid());
	}
}

/* Install the raw filter in a child and report the errno of syscall nr. */
static int raw_errno(const struct bpf_prog *p, long nr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(p) < 0)
			_exit(255);
		r = syscall(nr, -1, NULL, 0, NULL, 0);
		_exit(r < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_raw_filter(void)
{
	struct oci_root ro = {.path = "rootfs", .readonly = true};
	struct oci_root rw = {.path = "rootfs", .readonly = false};
	struct oci_config c = {.root = &ro};
	struct bpf_prog p;
	struct rl_error e;

	CHECK_INT_EQ(seccomp_compile_raw(&c, &p, &e), 0);
	CHECK_INT_EQ(raw_errno(&p, 467), EPERM); /* open_tree_attr */
	for (int nr = 463; nr <= 469; nr++)      /* the xattrat family, file_[gs]etattr */
		if (nr != 467)
			CHECK_INT_EQ(raw_errno(&p, nr), ENOSYS);
	/* Control: a call the filter does not name reaches the kernel
	 * (mseal, refusing fd -1's address). */
	CHECK(raw_errno(&p, 462) != ENOSYS && raw_errno(&p, 462) != EPERM);
	bpf_prog_free(&p);

	c.root = &rw;
	CHECK_INT_EQ(seccomp_compile_raw(&c, &p, &e), 0);
	CHECK_INT_EQ(raw_errno(&p, 467), EPERM);
	CHECK_INT_EQ(raw_errno(&p, 464), ENOSYS);
	bpf_prog_free(&p);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_ids);
	RUN(test_signals);
	RUN(test_json_quote);
	RUN(test_error_prefix);
	RUN(test_state_json);
	RUN(test_refresh);
	RUN(test_raw_filter);
	return unit_summary(argv[0]);
}
