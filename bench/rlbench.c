/* rlbench: the timing and statistics core of bench/run.sh.
 *
 *   rlbench seq [-n ROUNDS] [-w WARMUP] -o RAW.tsv SPEC
 *   rlbench stats < NUMBERS
 *   rlbench subreap PROG [ARGS...]
 *   rlbench stamp
 *
 * seq runs, ROUNDS times, one sequence of commands per runtime, alternating
 * the runtimes within each round and rotating which goes first, so slow
 * drifts of the machine (page cache, frequency, other load) fall on all of
 * them alike. SPEC has one line per step:
 *
 *   RUNTIME<TAB>STEP<TAB>WORD WORD ...
 *
 * Lines of one RUNTIME run in file order; "{n}" in a word becomes the round
 * number (warm-up rounds count from 1000000, so ids never repeat). A STEP
 * named "wait" takes one word, a pid file: it reads the pid and waits for
 * that process to exit (rlbench is a child subreaper, so the container
 * init that `create` left behind is its child, as with containerd's shim).
 * Every other step is a command, run with posix_spawn, stdin and stdout on
 * /dev/null, stderr inherited; a command that exits non-zero aborts the
 * whole benchmark with status 1 (a failed run times the error path).
 * RAW.tsv gets "RUNTIME STEP ROUND NS" per step and per-runtime "total".
 *
 * stats reads one number per line and prints a JSON object: n, median,
 * min, max, mean, p90, p99 (nearest rank).
 *
 * subreap makes itself a child subreaper, runs PROG and reaps every
 * orphan that lands on it until PROG exits; exits with PROG's status.
 * Detached containers started by a script under it are reaped here.
 *
 * stamp prints CLOCK_MONOTONIC in nanoseconds (busybox date has no %N).
 *
 * Built static, so `stamp` also runs inside the busybox rootfs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_STEPS    64
#define MAX_RUNTIMES 16
#define MAX_WORDS    64

struct step {
	char name[64];
	int argc;
	char *argv[MAX_WORDS];
};

struct runtime {
	char name[64];
	int n_steps;
	struct step steps[MAX_STEPS];
};

static struct runtime runtimes[MAX_RUNTIMES];
static int n_runtimes;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "rlbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static struct runtime *runtime_get(const char *name)
{
	for (int i = 0; i < n_runtimes; i++)
		if (strcmp(runtimes[i].name, name) == 0)
			return &runtimes[i];
	if (n_runtimes == MAX_RUNTIMES)
		die("too many runtimes (at %s)", name);
	snprintf(runtimes[n_runtimes].name, sizeof(runtimes[0].name), "%s", name);
	return &runtimes[n_runtimes++];
}

static void load_spec(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		die("cannot open %s", path);
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *rt, *st, *words, *save = NULL;
		struct runtime *r;
		struct step *s;

		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		rt = strtok_r(line, "\t", &save);
		st = strtok_r(NULL, "\t", &save);
		words = strtok_r(NULL, "", &save);
		if (!rt || !st || !words)
			die("malformed spec line in %s", path);
		r = runtime_get(rt);
		if (r->n_steps == MAX_STEPS)
			die("too many steps for %s", rt);
		s = &r->steps[r->n_steps++];
		snprintf(s->name, sizeof(s->name), "%s", st);
		for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			if (s->argc == MAX_WORDS - 1)
				die("too many words in a %s step", st);
			s->argv[s->argc++] = strdup(w);
		}
		s->argv[s->argc] = NULL;
		if (s->argc == 0 || (strcmp(st, "wait") == 0 && s->argc != 1))
			die("bad step %s", st);
	}
	free(line);
	fclose(f);
	if (n_runtimes == 0)
		die("no steps in %s", path);
}

/* word with every "{n}" replaced by the round number */
static char *expand(const char *word, long round)
{
	char num[32], *out;
	size_t n = 0, cap;
	int nl = snprintf(num, sizeof(num), "%ld", round);

	cap = strlen(word) * ((size_t)nl + 1) + 1;
	out = malloc(cap);
	if (!out)
		die("%s", "out of memory");
	for (const char *p = word; *p;) {
		if (strncmp(p, "{n}", 3) == 0) {
			memcpy(out + n, num, (size_t)nl);
			n += (size_t)nl;
			p += 3;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

static void reap_strays(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int wait_pidfile(const char *path)
{
	char buf[32] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid;

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0) {
		fprintf(stderr, "rlbench: cannot read pid file %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	pid = (pid_t)atoi(buf);
	if (pid <= 0) {
		fprintf(stderr, "rlbench: no pid in %s\n", path);
		return -1;
	}
	if (waitpid(pid, NULL, 0) == pid)
		return 0;
	if (errno != ECHILD) {
		fprintf(stderr, "rlbench: waitpid %d: %s\n", (int)pid, strerror(errno));
		return -1;
	}
	/* Not our child (no reparenting to us): poll until it is gone. */
	while (kill(pid, 0) == 0) {
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int run_step(const struct step *s, long round, posix_spawn_file_actions_t *fa)
{
	char *argv[MAX_WORDS];
	pid_t pid;
	int status, rc = 0;

	for (int i = 0; i < s->argc; i++)
		argv[i] = expand(s->argv[i], round);
	argv[s->argc] = NULL;
	if (strcmp(s->name, "wait") == 0) {
		rc = wait_pidfile(argv[0]);
	} else {
		errno = posix_spawn(&pid, argv[0], fa, NULL, argv, environ);
		if (errno) {
			fprintf(stderr, "rlbench: spawn %s: %s\n", argv[0], strerror(errno));
			rc = -1;
		} else {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr,
				        "rlbench: round %ld: step %s failed (status 0x%x):", round,
				        s->name, status);
				for (int i = 0; argv[i]; i++)
					fprintf(stderr, " %s", argv[i]);
				fprintf(stderr, "\n");
				rc = -1;
			}
		}
	}
	for (int i = 0; i < s->argc; i++)
		free(argv[i]);
	return rc;
}

static int cmd_seq(int argc, char **argv)
{
	long rounds = 100, warmup = 3;
	const char *out = NULL;
	posix_spawn_file_actions_t fa;
	FILE *raw;
	int opt;

	while ((opt = getopt(argc, argv, "n:w:o:")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atol(optarg);
			break;
		case 'w':
			warmup = atol(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!out || optind != argc - 1 || rounds <= 0 || warmup < 0) {
		fprintf(stderr, "usage: rlbench seq [-n ROUNDS] [-w WARMUP] -o RAW.tsv SPEC\n");
		return 2;
	}
	load_spec(argv[optind]);
	raw = fopen(out, "w");
	if (!raw)
		die("cannot write %s", out);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("%s", "prctl(PR_SET_CHILD_SUBREAPER) failed");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);

	for (long r = -warmup; r < rounds; r++) {
		long id = r < 0 ? 1000000 + (warmup + r) : r;
		long first = (r % n_runtimes + n_runtimes) % n_runtimes;

		for (int j = 0; j < n_runtimes; j++) {
			const struct runtime *rt = &runtimes[(first + j) % n_runtimes];
			uint64_t total = 0;

			for (int i = 0; i < rt->n_steps; i++) {
				uint64_t t0 = now_ns(), dt;

				if (run_step(&rt->steps[i], id, &fa) < 0) {
					fprintf(stderr, "rlbench: runtime %s: aborting\n",
					        rt->name);
					fclose(raw);
					return 1;
				}
				dt = now_ns() - t0;
				total += dt;
				if (r >= 0)
					fprintf(raw, "%s\t%s\t%ld\t%llu\n", rt->name,
					        rt->steps[i].name, r, (unsigned long long)dt);
			}
			if (r >= 0 && rt->n_steps > 1)
				fprintf(raw, "%s\ttotal\t%ld\t%llu\n", rt->name, r,
				        (unsigned long long)total);
			reap_strays();
		}
	}
	posix_spawn_file_actions_destroy(&fa);
	if (fclose(raw) != 0)
		die("cannot write %s", out);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* nearest-rank percentile of sorted v[0..n-1] */
static double pct(const double *v, size_t n, double p)
{
	size_t k = (size_t)ceil(p / 100.0 * (double)n);

	if (k < 1)
		k = 1;
	return v[k - 1];
}

static int cmd_stats(void)
{
	size_t n = 0, cap = 1024;
	double *v = malloc(cap * sizeof(*v)), x, sum = 0, median;

	if (!v)
		die("%s", "out of memory");
	while (scanf("%lf", &x) == 1) {
		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("%s", "out of memory");
		}
		v[n++] = x;
		sum += x;
	}
	if (n == 0) {
		printf("null\n");
		free(v);
		return 1;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("{\"n\":%zu,\"median\":%.1f,\"min\":%.1f,\"max\":%.1f,\"mean\":%.1f,"
	       "\"p90\":%.1f,\"p99\":%.1f}\n",
	       n, median, v[0], v[n - 1], sum / (double)n, pct(v, n, 90), pct(v, n, 99));
	free(v);
	return 0;
}

static int cmd_subreap(char **argv)
{
	pid_t child, pid;
	int status, rc = 1;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("%s", "prctl(PR_SET_CHILD_SUBREAPER) failed");
	child = fork();
	if (child < 0)
		die("%s", "fork failed");
	if (child == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "rlbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* The script's own signals reach it through the terminal's process
	 * group; here only wait. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	for (;;) {
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pid == child) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
	}
	reap_strays();
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "seq") == 0)
		return cmd_seq(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "stats") == 0)
		return cmd_stats();
	if (argc >= 3 && strcmp(argv[1], "subreap") == 0)
		return cmd_subreap(argv + 2);
	if (argc == 2 && strcmp(argv[1], "stamp") == 0) {
		printf("%llu\n", (unsigned long long)now_ns());
		return 0;
	}
	fprintf(stderr, "usage: rlbench seq|stats|subreap|stamp ... (see bench/rlbench.c)\n");
	return 2;
}
