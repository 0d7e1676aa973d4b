/* hook_exec and hook_describe: the runner both hook contexts share. The
 * hooks are /bin/sh one-liners on the host. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "hooks/hooks.h"
#include "tests/unit/unit.h"

static char *const no_env[] = {NULL};

static int sh(const char *script, int64_t timeout_s, const char *in, size_t len,
              struct hook_result *r)
{
	static char *argv[4];
	struct hook_cmd c = {
	    .path = "/bin/sh", .argv = argv, .envp = no_env, .timeout_s = timeout_s};

	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = (char *)script;
	argv[3] = NULL;
	return hook_exec(&c, in, len, r);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_exit_status_and_message(void)
{
	struct hook_result r;
	struct hook_cmd c = {.path = "/bin/sh", .timeout_s = 0};
	char msg[1024];

	CHECK_INT_EQ(sh("echo out; echo err >&2; exit 3", 0, "", 0, &r), -1);
	CHECK_INT_EQ(r.err, 0);
	CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3);
	hook_describe("prestart", 2, &c, &r, msg, sizeof(msg));
	CHECK_STREQ(msg, "error running prestart hook #2 (/bin/sh): exit status 3, stdout: out, "
	                 "stderr: err");
	CHECK_INT_EQ(sh("exit 0", 0, "", 0, &r), 0);
	CHECK_INT_EQ(sh("kill -TERM $$", 0, "", 0, &r), -1);
	hook_describe("poststop", 0, &c, &r, msg, sizeof(msg));
	CHECK_CONTAINS(msg, "): killed by signal 15, stdout: , stderr: ");
	/* A short buffer truncates and stays terminated. */
	hook_describe("poststop", 0, &c, &r, msg, 10);
	CHECK_STREQ(msg, "error run");
}

static void test_exec_failure(void)
{
	struct hook_cmd c = {.path = "/nonexistent/hook", .envp = no_env};
	struct hook_result r;
	char *argv[] = {"hook", NULL};
	char msg[256];

	c.argv = argv;
	CHECK_INT_EQ(hook_exec(&c, "{}", 2, &r), -1);
	CHECK_INT_EQ(r.err, ENOENT);
	hook_describe("createRuntime", 0, &c, &r, msg, sizeof(msg));
	CHECK_STREQ(msg, "error running createRuntime hook #0 (/nonexistent/hook): exec");
}

static void test_stdin_whole_document(void)
{
	/* Beyond a default pipe (64 KiB) and beyond pipe-max-size (1 MiB). */
	static const size_t sizes[] = {0, 5, 65536, 300000, 3u << 20};
	struct hook_result r;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *doc = malloc(sizes[i] + 1), want[32];
		memset(doc, 'x', sizes[i]);
		CHECK_INT_EQ(sh("wc -c", 0, doc, sizes[i], &r), 0);
		snprintf(want, sizeof(want), "%zu", sizes[i]);
		r.out.buf[r.out.len < sizeof(r.out.buf) ? r.out.len : sizeof(r.out.buf) - 1] = '\0';
		CHECK_CONTAINS(r.out.buf, want);
		/* A hook that never reads its stdin neither blocks nor kills us. */
		CHECK_INT_EQ(sh("exit 0", 0, doc, sizes[i], &r), 0);
		free(doc);
	}
}

static void test_output_bounded(void)
{
	struct hook_result r;

	CHECK_INT_EQ(
	    sh("i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done", 0, "", 0, &r),
	    0);
	CHECK_UINT_EQ(r.out.len, HOOK_OUTPUT_MAX);
	CHECK(r.out.cut);
	CHECK_UINT_EQ(r.errout.len, 0);
}

static void test_timeout_kills_the_group(void)
{
	struct hook_result r;
	struct hook_cmd c = {.path = "/bin/sh", .timeout_s = 1};
	char msg[512];
	double t0 = now();

	CHECK_INT_EQ(sh("sleep 30 & echo started; sleep 30", 1, "", 0, &r), -1);
	CHECK(now() - t0 < 3.0);
	CHECK(r.timed_out);
	hook_describe("createRuntime", 0, &c, &r, msg, sizeof(msg));
	CHECK_STREQ(msg, "error running createRuntime hook #0 (/bin/sh): hook ran past specified "
	                 "timeout of 1s and was killed, stdout: started, stderr: ");
}

static void test_leftover_child_not_waited_for(void)
{
	struct hook_result r;
	double t0 = now();

	/* The background sleep keeps stdout open; the hook itself is done. */
	CHECK_INT_EQ(sh("sleep 3 & echo hi", 0, "", 0, &r), 0);
	CHECK(now() - t0 < 2.0);
	CHECK_UINT_EQ(r.out.len, 3);
	CHECK(memcmp(r.out.buf, "hi\n", 3) == 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	/* As the CLI runs: a SIGPIPE would be fatal. */
	signal(SIGPIPE, SIG_DFL);
	RUN(test_exit_status_and_message);
	RUN(test_exec_failure);
	RUN(test_stdin_whole_document);
	RUN(test_output_bounded);
	RUN(test_timeout_kills_the_group);
	RUN(test_leftover_child_not_waited_for);
	return unit_summary(argv[0]);
}
