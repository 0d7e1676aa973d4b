/* runlock: global options, command dispatch, and error reporting in runc's
 * style. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "common/log.h"

#ifndef RUNLOCK_VERSION
#define RUNLOCK_VERSION "0.0.0"
#endif
#ifndef RUNLOCK_COMMIT
#define RUNLOCK_COMMIT "unknown"
#endif
#define RUNLOCK_SPEC_VERSION "1.2.0"

/* Whether this process runs in a user namespace other than the initial
 * one: its uid_map is not the identity over the whole range. */
static bool in_user_ns(void)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a = 0, b = 0, n = 0;
	bool initial;

	if (!f)
		return false;
	initial =
	    fscanf(f, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 && n == 4294967295UL;
	fclose(f);
	return !initial;
}

/* runc's rule: $XDG_RUNTIME_DIR/runlock for a non-root user, and for root
 * of a user namespace (rootless Podman runs the runtime as uid 0 of its
 * namespace, which cannot write /run) unless $USER says root. */
static bool honour_xdg(void)
{
	const char *user = getenv("USER");

	if (geteuid() != 0)
		return true;
	if (!in_user_ns())
		return false;
	return !user || strcmp(user, "root") != 0;
}

/* The dispatch table: each command's entry point, by the name of its
 * cli_usages entry (cli.c holds the texts). */
struct command {
	const char *name;
	int (*run)(const struct global_opts *g, int argc, char **argv);
};

static const struct command commands[] = {
    {"create", cmd_create}, {"start", cmd_start},   {"run", cmd_run},
    {"state", cmd_state},   {"exec", cmd_exec},     {"kill", cmd_kill},
    {"delete", cmd_delete}, {"ps", cmd_ps},         {"update", cmd_update},
    {"pause", cmd_pause},   {"resume", cmd_resume}, {"events", cmd_events},
    {"list", cmd_list},     {"spec", cmd_spec},     {"features", cmd_features},
    {NULL, NULL},
};

static const char *default_root(void)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg && honour_xdg()) {
		snprintf(buf, sizeof(buf), "%s/runlock", xdg);
		return buf;
	}
	return "/run/runlock";
}

enum {
	OPT_ROOT = 1000,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_CGROUP_MANAGER,
	OPT_ROOTLESS,
	OPT_CRIU,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
	    {"cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER},
	    {"rootless", optional_argument, NULL, OPT_ROOTLESS},
	    {"criu", required_argument, NULL, OPT_CRIU},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	struct global_opts g = {.root = default_root(), .log_format = LOG_FORMAT_TEXT};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			g.root = optarg;
			break;
		case OPT_LOG:
			g.log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				g.log_format = LOG_FORMAT_JSON;
			else if (strcmp(optarg, "text") == 0)
				g.log_format = LOG_FORMAT_TEXT;
			else
				return cli_usage_error(NULL, "invalid log-format: %s", optarg);
			break;
		case OPT_DEBUG:
			g.debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			g.systemd_cgroup = true;
			break;
		case OPT_CGROUP_MANAGER:
			if (strcmp(optarg, "systemd") && strcmp(optarg, "cgroupfs") &&
			    strcmp(optarg, "disabled"))
				return cli_usage_error(NULL, "invalid cgroup-manager value %s",
				                       optarg);
			g.cgroup_manager = optarg;
			break;
		case OPT_ROOTLESS:
			/* runc takes `--rootless VALUE` as well as `--rootless=VALUE`. */
			if (!optarg && optind < argc &&
			    (!strcmp(argv[optind], "true") || !strcmp(argv[optind], "false") ||
			     !strcmp(argv[optind], "auto")))
				optarg = argv[optind++];
			g.rootless = optarg ? optarg : "true";
			break;
		case OPT_CRIU:
			break;
		case 'h':
			cli_print_usage(stdout);
			return 0;
		case 'v':
			printf("runlock version %s\ncommit: %s\nspec: %s\n", RUNLOCK_VERSION,
			       RUNLOCK_COMMIT, RUNLOCK_SPEC_VERSION);
			return 0;
		default:
			return cli_usage_error(NULL, "flag provided but not defined: %s",
			                       argv[optind - 1]);
		}
	}
	log_init(g.log_path, g.log_format, g.debug);
	if (optind >= argc) {
		cli_print_usage(stderr);
		return 1;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc && cli_help(argv[optind + 1]) == 0)
			return 0;
		cli_print_usage(stdout);
		return 0;
	}
	for (const struct command *cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[optind]) == 0) {
			int idx = optind;
			/* Each command parses its own options with a fresh getopt. */
			optind = 0;
			return cmd->run(&g, argc - idx, argv + idx);
		}
	return cli_usage_error(NULL, "No help topic for '%s'", argv[optind]);
}
