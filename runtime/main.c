/* runlock: global options, command dispatch, and error reporting in runc's
 * style. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cli.h"
#include "runtime/log.h"

#ifndef RUNLOCK_VERSION
#define RUNLOCK_VERSION "0.0.0"
#endif
#ifndef RUNLOCK_COMMIT
#define RUNLOCK_COMMIT "unknown"
#endif
#define RUNLOCK_SPEC_VERSION "1.2.0"

const struct cli_command cli_commands[] = {
	{"create", "create a container", cmd_create,
	 "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot]\n"
	 "       [--no-new-keyring] [--preserve-fds N] <container-id>"},
	{"start", "executes the user defined process in a created container", cmd_start,
	 "<container-id>"},
	{"run", "create and run a container", cmd_run,
	 "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCKET] [--detach|-d]\n"
	 "       [--keep] [--no-pivot] [--no-new-keyring] [--preserve-fds N] <container-id>"},
	{"state", "output the state of a container", cmd_state, "<container-id>"},
	{"kill", "kill sends the specified signal (default: SIGTERM) to the container's init "
		 "process",
	 cmd_kill, "[--all|-a] <container-id> [signal]"},
	{"delete", "delete any resources held by the container", cmd_delete,
	 "[--force|-f] <container-id>"},
	{"list", "lists containers started by runlock with the given root", cmd_list,
	 "[--quiet|-q] [--format|-f table|json]"},
	{"spec", "create a new specification file", cmd_spec, "[--bundle|-b DIR] [--rootless]"},
	{"features", "show the enabled features", cmd_features, ""},
	{NULL, NULL, NULL, NULL},
};

static void print_usage(FILE *f)
{
	fprintf(f, "runlock - OCI container runtime confining containers with Landlock, seccomp,\n"
		   "capabilities and chroot, without namespaces, mounts or cgroups\n\n"
		   "USAGE:\n   runlock [global options] command [command options] [arguments...]\n\n"
		   "COMMANDS:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "   %-10s %s\n", c->name, c->summary);
	fprintf(f,
		"\nGLOBAL OPTIONS:\n"
		"   --root DIR             state directory (default: /run/runlock, or\n"
		"                          $XDG_RUNTIME_DIR/runlock when not root)\n"
		"   --log FILE             log file (default: stderr)\n"
		"   --log-format FORMAT    text or json (default: text)\n"
		"   --debug                log debug messages\n"
		"   --systemd-cgroup       accepted for runc compatibility; runlock creates no cgroup\n"
		"   --cgroup-manager MGR   systemd, cgroupfs or disabled; accepted, no effect\n"
		"   --rootless VALUE       true, false or auto; accepted, no effect\n"
		"   --help, -h             show help\n"
		"   --version, -v          print the version\n");
}

int cli_help(const char *cmd)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, cmd) == 0) {
			printf("NAME:\n   runlock %s - %s\n\nUSAGE:\n   runlock [global options] %s "
			       "%s\n",
			       c->name, c->summary, c->name, c->usage);
			return 0;
		}
	return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "runlock: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "", msg);
	if (cmd) {
		for (const struct cli_command *c = cli_commands; c->name; c++)
			if (strcmp(c->name, cmd) == 0)
				fprintf(stderr, "Usage: runlock [global options] %s %s\n", c->name,
					c->usage);
	} else {
		print_usage(stderr);
	}
	return 1;
}

int cli_require_args(const char *cmd, int have, int want, const char *what)
{
	if (have == want)
		return 0;
	cli_usage_error(cmd, "%s %d argument%s%s%s, got %d", have < want ? "requires" : "expects",
			want, want == 1 ? "" : "s", what ? ": " : "", what ? what : "", have);
	return -1;
}

int cli_fail(const struct rl_error *e)
{
	log_error("%s", e->msg);
	/* runc prints the bare message on stderr when the log goes elsewhere;
	 * with no --log the log line itself is on stderr. */
	if (!log_to_stderr())
		fprintf(stderr, "%s\n", e->msg);
	return 1;
}

static const char *default_root(void)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() != 0 && xdg && *xdg) {
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
			print_usage(stdout);
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
	log_init(&g);
	if (optind >= argc) {
		print_usage(stderr);
		return 1;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc && cli_help(argv[optind + 1]) == 0)
			return 0;
		print_usage(stdout);
		return 0;
	}
	for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[optind]) == 0) {
			int idx = optind;
			/* Each command parses its own options with a fresh getopt. */
			optind = 0;
			return cmd->run(&g, argc - idx, argv + idx);
		}
	return cli_usage_error(NULL, "No help topic for '%s'", argv[optind]);
}
