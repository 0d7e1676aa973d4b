/* runlock update [flags] ID: change the limits of a running container, with
 * runc's flags or a linux.resources JSON file (-r FILE, "-" for stdin; it
 * takes precedence over the flags, as in runc). The supervisor checks the
 * whole request and refuses what runlock does not enforce, naming the
 * field (docs/resources.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/json_writer.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

enum {
	F_BLKIO_WEIGHT = 256,
	F_CPU_PERIOD,
	F_CPU_QUOTA,
	F_CPU_SHARE,
	F_CPU_RT_PERIOD,
	F_CPU_RT_RUNTIME,
	F_CPUSET_CPUS,
	F_CPUSET_MEMS,
	F_KMEM,
	F_KMEM_TCP,
	F_MEMORY,
	F_CPU_IDLE,
	F_MEM_RESERVATION,
	F_MEM_SWAP,
	F_PIDS_LIMIT,
	F_L3_CACHE,
	F_MEM_BW,
	F_END
};

/* Where each flag goes: "group.member", a number unless text. */
static const struct {
	const char *group, *member;
	bool memory_size, text;
} target[F_END - F_BLKIO_WEIGHT] = {
    [F_BLKIO_WEIGHT - 256] = {"blockIO", "weight", false, false},
    [F_CPU_PERIOD - 256] = {"cpu", "period", false, false},
    [F_CPU_QUOTA - 256] = {"cpu", "quota", false, false},
    [F_CPU_SHARE - 256] = {"cpu", "shares", false, false},
    [F_CPU_RT_PERIOD - 256] = {"cpu", "realtimePeriod", false, false},
    [F_CPU_RT_RUNTIME - 256] = {"cpu", "realtimeRuntime", false, false},
    [F_CPUSET_CPUS - 256] = {"cpu", "cpus", false, true},
    [F_CPUSET_MEMS - 256] = {"cpu", "mems", false, true},
    [F_KMEM - 256] = {"memory", "kernel", true, false},
    [F_KMEM_TCP - 256] = {"memory", "kernelTCP", true, false},
    [F_MEMORY - 256] = {"memory", "limit", true, false},
    [F_CPU_IDLE - 256] = {"cpu", "idle", false, false},
    [F_MEM_RESERVATION - 256] = {"memory", "reservation", true, false},
    [F_MEM_SWAP - 256] = {"memory", "swap", true, false},
    [F_PIDS_LIMIT - 256] = {"pids", "limit", false, false},
};

/* A number, or for memory sizes also 64m, 1g, 512k (powers of 1024, with
 * an optional b or ib after the letter), as runc reads them; -1 is
 * "unlimited". */
static int number_of(const char *s, bool size, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (size && *end) {
		const char *units = "kmgtp";
		const char *u = strchr(units, *end | 0x20);
		if (!u || *end == '\0')
			return -1;
		for (const char *p = units; p <= u; p++) {
			if (v > __LONG_LONG_MAX__ / 1024 || v < -__LONG_LONG_MAX__ / 1024)
				return -1;
			v *= 1024;
		}
		end++;
		if ((*end | 0x20) == 'i')
			end++;
		if ((*end | 0x20) == 'b')
			end++;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* The flags as a linux.resources object. */
static int flags_json(const char *vals[F_END - F_BLKIO_WEIGHT], char **json, size_t *len,
                      struct rl_error *e)
{
	static const char *const groups[] = {"memory", "cpu", "pids", "blockIO"};
	_cleanup_(jw_gen_freep) yajl_gen g = yajl_gen_alloc(NULL);
	struct jw w = {.g = g};

	jw_map_open(&w);
	for (size_t k = 0; k < sizeof(groups) / sizeof(groups[0]); k++) {
		bool open = false;
		for (int f = 0; f < F_END - F_BLKIO_WEIGHT; f++) {
			long long v;
			if (!vals[f] || strcmp(target[f].group, groups[k]) != 0)
				continue;
			if (!open) {
				jw_str(&w, groups[k]);
				jw_map_open(&w);
				open = true;
			}
			jw_str(&w, target[f].member);
			if (target[f].text) {
				jw_str(&w, vals[f]);
				continue;
			}
			if (number_of(vals[f], target[f].memory_size, &v) < 0)
				return rl_fail(e, EINVAL, "invalid value for --%s%s: %s",
				               strcmp(target[f].group, "memory") == 0 ? "memory-"
				                                                      : "",
				               target[f].member, vals[f]);
			jw_int(&w, v);
		}
		if (open)
			jw_map_close(&w);
	}
	jw_map_close(&w);
	return jw_finish(&w, json, len, e);
}

static int read_resources(const char *path, char **json, size_t *len, struct rl_error *e)
{
	_cleanup_(rl_fclosep) FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "re");
	FILE *in = strcmp(path, "-") == 0 ? stdin : f;
	char *buf = NULL;
	size_t cap = 0;

	if (!in)
		return rl_fail_errno(e, errno, "open %s", path);
	*len = 0;
	for (;;) {
		if (*len == cap) {
			char *bigger =
			    cap >= (1u << 20) ? NULL : realloc(buf, cap ? cap * 2 : 4096);
			if (!bigger) {
				free(buf);
				return rl_fail(e, E2BIG, "%s: more than 1 MiB", path);
			}
			buf = bigger;
			cap = cap ? cap * 2 : 4096;
		}
		size_t n = fread(buf + *len, 1, cap - *len, in);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(in)) {
		free(buf);
		return rl_fail_errno(e, EIO, "read %s", path);
	}
	*json = buf;
	return 0;
}

int cmd_update(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"resources", required_argument, NULL, 'r'},
	    {"blkio-weight", required_argument, NULL, F_BLKIO_WEIGHT},
	    {"cpu-period", required_argument, NULL, F_CPU_PERIOD},
	    {"cpu-quota", required_argument, NULL, F_CPU_QUOTA},
	    {"cpu-share", required_argument, NULL, F_CPU_SHARE},
	    {"cpu-rt-period", required_argument, NULL, F_CPU_RT_PERIOD},
	    {"cpu-rt-runtime", required_argument, NULL, F_CPU_RT_RUNTIME},
	    {"cpuset-cpus", required_argument, NULL, F_CPUSET_CPUS},
	    {"cpuset-mems", required_argument, NULL, F_CPUSET_MEMS},
	    {"kernel-memory", required_argument, NULL, F_KMEM},
	    {"kernel-memory-tcp", required_argument, NULL, F_KMEM_TCP},
	    {"memory", required_argument, NULL, F_MEMORY},
	    {"cpu-idle", required_argument, NULL, F_CPU_IDLE},
	    {"memory-reservation", required_argument, NULL, F_MEM_RESERVATION},
	    {"memory-swap", required_argument, NULL, F_MEM_SWAP},
	    {"pids-limit", required_argument, NULL, F_PIDS_LIMIT},
	    {"l3-cache-schema", required_argument, NULL, F_L3_CACHE},
	    {"mem-bw-schema", required_argument, NULL, F_MEM_BW},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *vals[F_END - F_BLKIO_WEIGHT] = {0};
	const char *resources = NULL;
	_cleanup_free_ char *json = NULL;
	struct rl_error e;
	size_t len = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		if (c == 'r') {
			resources = optarg;
		} else if (c == 'h') {
			return cli_help("update");
		} else if (c == F_L3_CACHE || c == F_MEM_BW) {
			rl_fail(&e, ENOTSUP, "--%s: Intel RDT is not supported by runlock",
			        c == F_L3_CACHE ? "l3-cache-schema" : "mem-bw-schema");
			return cli_fail(&e);
		} else if (c >= F_BLKIO_WEIGHT && c < F_END) {
			vals[c - F_BLKIO_WEIGHT] = optarg;
		} else {
			return cli_usage_error("update", "flag provided but not defined: %s",
			                       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(
		    "update", "requires exactly 1 argument (container id), got %d", argc - optind);
	if ((resources ? read_resources(resources, &json, &len, &e)
	               : flags_json(vals, &json, &len, &e)) < 0 ||
	    container_update(g, argv[optind], json, len, &e) < 0)
		return cli_fail(&e);
	return 0;
}
