/* runlock ps [--format|-f table|json] ID [PS_ARGS...]
 *
 * json: the container's pids as a JSON array (what containerd's shim reads).
 * table: the host's ps(1) with PS_ARGS (default -ef), its header and only the
 * lines whose PID column is a container pid, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"
#include "common/proc.h"

/* ps(1)'s output is read whole; a bigger one is an error, not a truncation. */
#define PS_OUTPUT_MAX (64u * 1024u * 1024u)

extern char **environ;

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* The container's pids, sorted. */
static int container_pids(const struct container_state *s, pid_t **pids, size_t *n,
                          struct rl_error *e)
{
	_cleanup_free_ struct proc_member *m = NULL;

	if (container_processes(s, &m, n, e) < 0)
		return -1;
	*pids = calloc(*n ? *n : 1, sizeof(**pids));
	if (!*pids)
		return rl_fail(e, ENOMEM, "ps: out of memory");
	for (size_t i = 0; i < *n; i++)
		(*pids)[i] = m[i].pid;
	qsort(*pids, *n, sizeof(**pids), cmp_pid);
	return 0;
}

static int read_all(int fd, char **out, size_t *len, struct rl_error *e)
{
	size_t cap = 0;

	*out = NULL;
	*len = 0;
	for (;;) {
		ssize_t n;
		if (cap - *len < 4096) {
			char *bigger;
			if (cap >= PS_OUTPUT_MAX)
				return rl_fail(e, EFBIG, "ps: output larger than %u bytes",
				               PS_OUTPUT_MAX);
			cap = cap ? cap * 2 : 16384;
			bigger = realloc(*out, cap + 1);
			if (!bigger)
				return rl_fail(e, ENOMEM, "ps: out of memory");
			*out = bigger;
		}
		n = read(fd, *out + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rl_fail_errno(e, errno, "read ps output");
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	(*out)[*len] = '\0';
	return 0;
}

/* Run `ps ARGS...` with stdout and stderr into one pipe (runc uses Go's
 * CombinedOutput); a failure carries the output, as runc reports it. */
static int run_ps(char **args, int nargs, char **out, struct rl_error *e)
{
	_cleanup_close_ int rd = -1, wr = -1;
	_cleanup_free_ char **argv = calloc((size_t)nargs + 2, sizeof(*argv));
	posix_spawn_file_actions_t fa;
	int p[2], status, err;
	size_t len;
	pid_t pid;

	if (!argv)
		return rl_fail(e, ENOMEM, "ps: out of memory");
	argv[0] = "ps";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (pipe2(p, O_CLOEXEC) < 0)
		return rl_fail_errno(e, errno, "ps: pipe");
	rd = p[0];
	wr = p[1];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, wr, 1);
	posix_spawn_file_actions_adddup2(&fa, wr, 2);
	err = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err == ENOENT)
		return rl_fail(e, err, "exec: \"ps\": executable file not found in $PATH");
	if (err)
		return rl_fail_errno(e, err, "exec: \"ps\"");
	close(steal_fd(&wr));
	err = read_all(rd, out, &len, e);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return rl_fail_errno(e, errno, "wait for ps");
	if (err < 0)
		return -1;
	if (WIFSIGNALED(status))
		return rl_fail(e, EIO, "signal: %s: %s", strsignal(WTERMSIG(status)), *out);
	if (WEXITSTATUS(status) != 0)
		return rl_fail(e, EIO, "exit status %d: %s", WEXITSTATUS(status), *out);
	return 0;
}

/* Index of the "PID" column in ps's header line [line, end). */
static int pid_column(const char *line, const char *end)
{
	int col = 0;

	for (const char *p = line; p < end;) {
		const char *w;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		w = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (p - w == 3 && memcmp(w, "PID", 3) == 0)
			return col;
		col++;
	}
	return -1;
}

/* The text of field `col` of [line, end) in buf (at most size-1 bytes);
 * false when the line has fewer fields. */
static bool field_at(const char *line, const char *end, int col, char *buf, size_t size)
{
	const char *p = line;

	for (int i = 0;; i++) {
		const char *w;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			return false;
		w = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (i == col) {
			snprintf(buf, size, "%.*s", (int)(p - w), w);
			return true;
		}
	}
}

static int print_table(const pid_t *pids, size_t n, char **ps_args, int n_args, struct rl_error *e)
{
	static char *default_args[] = {"-ef"};
	_cleanup_free_ char *out = NULL;
	const char *line, *eol;
	int col;

	if (n_args == 0) {
		ps_args = default_args;
		n_args = 1;
	}
	if (run_ps(ps_args, n_args, &out, e) < 0)
		return -1;
	eol = strchrnul(out, '\n');
	col = pid_column(out, eol);
	if (col < 0)
		return rl_fail(e, EINVAL, "couldn't find PID field in ps output");
	printf("%.*s\n", (int)(eol - out), out);
	for (line = *eol ? eol + 1 : eol; *line; line = *eol ? eol + 1 : eol) {
		char field[64], *endp;
		long pid;

		eol = strchrnul(line, '\n');
		if (eol == line || !field_at(line, eol, col, field, sizeof(field)))
			continue;
		errno = 0;
		pid = strtol(field, &endp, 10);
		if (*endp || errno || endp == field)
			return rl_fail(e, EINVAL,
			               "unable to parse pid: strconv.Atoi: parsing \"%s\": invalid "
			               "syntax",
			               field);
		if (bsearch(&(pid_t){(pid_t)pid}, pids, n, sizeof(*pids), cmp_pid))
			printf("%.*s\n", (int)(eol - line), line);
	}
	return 0;
}

int cmd_ps(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	_cleanup_free_ pid_t *pids = NULL;
	struct container_state s;
	struct rl_error e;
	bool json = false;
	size_t n = 0;
	int c, r;

	opterr = 0;
	/* "+": options only before the id; what follows it is ps(1)'s. */
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return cli_usage_error("ps", "invalid format option: %s", optarg);
			break;
		case 'h':
			return cli_help("ps");
		default:
			return cli_usage_error("ps", "flag provided but not defined: %s",
			                       argv[optind - 1]);
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("ps", "requires at least 1 argument: container id, got 0");
	if (container_load(g, argv[optind], &s, &e) < 0)
		return cli_fail(&e);
	r = container_pids(&s, &pids, &n, &e);
	state_free(&s);
	if (r < 0)
		return cli_fail(&e);
	if (json && n == 0) {
		printf("null\n"); /* runc encodes its empty (nil) list so */
	} else if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
	} else if (print_table(pids, n, argv + optind + 1, argc - optind - 1, &e) < 0) {
		return cli_fail(&e);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
