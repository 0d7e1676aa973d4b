/* runlock events [--stats] [--interval DURATION] ID
 *
 * runc's event stream: one JSON object per line, {"type":"stats","id":ID,
 * "data":{...}} in the shape of runc's types.Stats. Without a cgroup the
 * numbers are sums over the container's processes (container_stats), pids
 * counting threads as the pids cgroup does, with the live limits the
 * supervisor enforces: pids, and memory (usage, max usage, limit, failcnt
 * from its sampler; memory.raw.oom_kill and total_rss besides), and
 * cpu.throttling (periods, throttled_periods, throttled_time in ns) from
 * its CPU quota. What a cgroup alone could tell (blkio) reads 0.
 * Under a memory limit the stream also gives {"type":"oom","id":ID} for
 * each process the supervisor kills over the limit, as runc does for the
 * memory cgroup's OOM kills (looked for every OOM_POLL_MS). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"
#include "common/log.h"
#include "common/proc.h"

#define DEFAULT_INTERVAL_NS (5 * 1000000000LL)
#define OOM_POLL_MS         100

/* Go's time.ParseDuration: [-+]?(DIGITS[.DIGITS]UNIT)+ or "0", units ns,
 * us (µs, μs), ms, s, m, h. Returns 0 with *ns set, -1 when malformed or
 * out of range. */
static int parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {
	    {"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
	    {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000},  {"h", 3600000000000},
	};
	bool neg = false;
	long double total = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		long double v = 0, scale = 1;
		bool digits = false;
		size_t best = 0, best_len = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits = true)
			v = v * 10 + (*s - '0');
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, digits = true)
				v += (*s - '0') * (scale /= 10);
		if (!digits)
			return -1;
		/* Longest unit first: "ms" before "m", "ns" before nothing. */
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t len = strlen(units[i].name);
			if (strncmp(s, units[i].name, len) == 0 && len > best_len) {
				best = i;
				best_len = len;
			}
		}
		if (best_len == 0)
			return -1;
		total += v * (long double)units[best].ns;
		s += best_len;
	}
	if (total > (long double)INT64_MAX)
		return -1;
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

#define GEN_KEY(gen, k) yajl_gen_string(gen, (const unsigned char *)(k), strlen(k))

static void gen_uint(yajl_gen gen, const char *key, uint64_t v)
{
	char buf[32];

	GEN_KEY(gen, key);
	/* yajl integers are signed; a number written as text keeps uint64. */
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	yajl_gen_number(gen, buf, strlen(buf));
}

/* {"limit":L,"usage":U,"max_usage":M,"failcnt":F}: runc's MemoryEntry
 * (zero members left out, as Go's omitempty does, but limit and failcnt). */
static void gen_mem_entry(yajl_gen gen, const char *key, uint64_t usage, uint64_t max,
                          uint64_t limit, uint64_t failcnt)
{
	GEN_KEY(gen, key);
	yajl_gen_map_open(gen);
	gen_uint(gen, "limit", limit);
	if (usage)
		gen_uint(gen, "usage", usage);
	if (max)
		gen_uint(gen, "max_usage", max);
	gen_uint(gen, "failcnt", failcnt);
	yajl_gen_map_close(gen);
}

static void gen_empty_map(yajl_gen gen, const char *key)
{
	GEN_KEY(gen, key);
	yajl_gen_map_open(gen);
	yajl_gen_map_close(gen);
}

static void gen_stats(yajl_gen gen, const char *id, const struct container_stats *st)
{
	yajl_gen_map_open(gen);
	GEN_KEY(gen, "type");
	GEN_KEY(gen, "stats");
	GEN_KEY(gen, "id");
	GEN_KEY(gen, id);
	GEN_KEY(gen, "data");
	yajl_gen_map_open(gen);

	GEN_KEY(gen, "cpu");
	yajl_gen_map_open(gen);
	GEN_KEY(gen, "usage");
	yajl_gen_map_open(gen);
	gen_uint(gen, "total", st->cpu_user_ns + st->cpu_kernel_ns);
	gen_uint(gen, "kernel", st->cpu_kernel_ns);
	gen_uint(gen, "user", st->cpu_user_ns);
	yajl_gen_map_close(gen);
	GEN_KEY(gen, "throttling");
	yajl_gen_map_open(gen);
	gen_uint(gen, "periods", st->cpu_periods);
	gen_uint(gen, "throttled_periods", st->cpu_throttled_periods);
	gen_uint(gen, "throttled_time", st->cpu_throttled_ns);
	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);

	gen_empty_map(gen, "cpuset");

	GEN_KEY(gen, "memory");
	yajl_gen_map_open(gen);
	gen_mem_entry(gen, "usage", st->memory_usage, st->memory_max, st->memory_limit,
	              st->memory_failcnt);
	gen_mem_entry(gen, "swap", 0, 0, 0, 0);
	gen_mem_entry(gen, "kernel", 0, 0, 0, 0);
	gen_mem_entry(gen, "kernelTCP", 0, 0, 0, 0);
	GEN_KEY(gen, "raw");
	yajl_gen_map_open(gen);
	gen_uint(gen, "total_rss", st->memory_rss);
	if (st->memory_held)
		gen_uint(gen, "oom_kill", st->oom_kill);
	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);

	GEN_KEY(gen, "pids");
	yajl_gen_map_open(gen);
	gen_uint(gen, "current", st->pids);
	gen_uint(gen, "limit", st->pids_limit);
	yajl_gen_map_close(gen);

	gen_empty_map(gen, "blkio");
	gen_empty_map(gen, "hugetlb");
	gen_empty_map(gen, "intel_rdt");
	GEN_KEY(gen, "network_interfaces");
	yajl_gen_null(gen);

	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);
}

/* Sample and print one stats event line. */
static int emit_stats(const struct container_state *s, struct rl_error *e)
{
	struct container_stats st;
	const unsigned char *buf;
	yajl_gen gen;
	size_t len;
	int r = -1;

	if (container_stats(s, &st, e) < 0)
		return -1;
	gen = yajl_gen_alloc(NULL);
	if (!gen)
		return rl_fail(e, ENOMEM, "events: out of memory");
	gen_stats(gen, s->id, &st);
	if (yajl_gen_get_buf(gen, &buf, &len) == yajl_gen_status_ok) {
		/* Flushed per line: the reader is usually a pipe. */
		printf("%.*s\n", (int)len, (const char *)buf);
		r = fflush(stdout) == 0 ? 0 : rl_fail_errno(e, errno, "events: write");
	} else {
		rl_fail(e, EINVAL, "events: cannot encode JSON");
	}
	yajl_gen_free(gen);
	return r;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One {"type":"oom","id":ID} line per kill the supervisor counted since
 * *seen (read from the state directory: cheap enough for OOM_POLL_MS). */
static int emit_ooms(const struct container_state *s, uint64_t *seen, struct rl_error *e)
{
	uint64_t kills = container_oom_kills(s);

	for (; *seen < kills; ++*seen) {
		printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", s->id);
		if (fflush(stdout) != 0)
			return rl_fail_errno(e, errno, "events: write");
	}
	return 0;
}

/* Until init exits: sleep one interval on init's pidfd (readable when init
 * exits), then print a sample. As with runc, the first sample comes after
 * one interval and a failed sample is logged, not fatal. Under a memory
 * limit, OOM kills are looked for every OOM_POLL_MS, and once more when
 * init has exited (it may be the one killed). */
static int stream(const struct container_state *s, int pidfd, int64_t interval_ns,
                  struct rl_error *e)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	struct container_stats first;
	bool oom = container_stats(s, &first, NULL) == 0 && first.memory_held;
	uint64_t seen = oom ? container_oom_kills(s) : 0;
	int64_t next = mono_ns() + interval_ns;

	for (;;) {
		int64_t left = next - mono_ns(), wait = left;
		struct timespec ts;
		int r;

		if (oom && wait > OOM_POLL_MS * 1000000LL)
			wait = OOM_POLL_MS * 1000000LL;
		if (wait < 0)
			wait = 0;
		ts = (struct timespec){(time_t)(wait / 1000000000), (long)(wait % 1000000000)};
		r = ppoll(&pfd, 1, &ts, NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (oom && emit_ooms(s, &seen, e) < 0)
			return -1;
		if (r != 0)
			return 0; /* init exited (or the pidfd failed): stopped */
		if (mono_ns() < next)
			continue;
		next += interval_ns;
		if (emit_stats(s, e) < 0) {
			if (e->err == EPIPE)
				return -1;
			log_error("%s", e->msg);
		}
	}
}

int cmd_events(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"stats", no_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct container_state s;
	struct rl_error e;
	_cleanup_close_ int pidfd = -1;
	int64_t interval = DEFAULT_INTERVAL_NS;
	bool stats = false;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = true;
			break;
		case 'i':
			if (parse_duration(optarg, &interval) < 0)
				return cli_usage_error("events",
				                       "invalid value \"%s\" for flag -interval: "
				                       "time: invalid duration \"%s\"",
				                       optarg, optarg);
			break;
		case 'h':
			return cli_help("events");
		default:
			return cli_usage_error("events", "flag provided but not defined: %s",
			                       argv[optind - 1]);
		}
	}
	if (cli_require_args("events", argc - optind, 1, "container id") < 0)
		return 1;
	if (container_load(g, argv[optind], &s, &e) < 0)
		return cli_fail(&e);
	if (interval <= 0) {
		rl_fail(&e, EINVAL, "duration interval must be greater than 0");
		goto fail;
	}
	/* Held from here on: the stream ends when this process exits. */
	pidfd = proc_open_verified(s.pid, s.start_time);
	if (s.status == STATUS_STOPPED || pidfd < 0) {
		rl_fail(&e, ESRCH, "container with id %s is not running", s.id);
		goto fail;
	}
	/* A reader that goes away ends the stream with EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	r = stats ? emit_stats(&s, &e) : stream(&s, pidfd, interval, &e);
	if (r < 0)
		goto fail;
	state_free(&s);
	return r;
fail:
	state_free(&s);
	return cli_fail(&e);
}
