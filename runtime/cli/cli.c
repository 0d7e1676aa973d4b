/* The commands' names, summaries and usage texts, and the usage/help/error
 * printers the commands share. The dispatch table (name to function) is in
 * main.c, so that no command's file and this one call each other. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "common/log.h"

const struct cli_usage cli_usages[] = {
    {"create", "create a container",
     "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot]\n"
     "       [--no-new-keyring] [--preserve-fds N] <container-id>"},
    {"start", "executes the user defined process in a created container", "<container-id>"},
    {"run", "create and run a container",
     "[--bundle|-b DIR] [--pid-file FILE] [--console-socket SOCKET] [--detach|-d]\n"
     "       [--keep] [--no-pivot] [--no-new-keyring] [--preserve-fds N] <container-id>"},
    {"state", "output the state of a container", "<container-id>"},
    {"exec", "execute new process inside the container",
     "[--process|-p FILE] [--detach|-d] [--pid-file FILE] [--console-socket SOCKET]\n"
     "       [--tty|-t] [--env|-e K=V]... [--cwd DIR] [--user|-u UID[:GID]]\n"
     "       [--additional-gids|-g GID]... [--cap|-c CAP]... [--no-new-privs]\n"
     "       [--preserve-fds N] [--process-label L] [--apparmor P] [--ignore-paused]\n"
     "       <container-id> [command [args...]]"},
    {"kill",
     "kill sends the specified signal (default: SIGTERM) to the container's init "
     "process",
     "[--all|-a] <container-id> [signal]"},
    {"delete", "delete any resources held by the container", "[--force|-f] <container-id>"},
    {"ps", "ps displays the processes running inside a container",
     "[--format|-f table|json] <container-id> [ps options]"},
    {"pause", "pause suspends all processes inside the container", "<container-id>"},
    {"resume", "resumes all processes that have been previously paused", "<container-id>"},
    {"events",
     "display container statistics (pids, memory and cpu usage) as events; no OOM events "
     "without a cgroup",
     "[--stats] [--interval DURATION] <container-id>"},
    {"update",
     "update container resource constraints (memory, pids, cpuset, shares, idle, "
     "quota, blkio weight, devices; "
     "what runlock cannot enforce is refused, naming the field)",
     "[--resources|-r FILE|-] [--pids-limit N] [--cpuset-cpus LIST] [--cpuset-mems LIST] "
     "[--cpu-share N] [--cpu-idle 0|1] [--cpu-quota N] [--cpu-period N] [--memory N] "
     "[--blkio-weight N] [runc's other flags] <container-id>"},
    {"list", "lists containers started by runlock with the given root",
     "[--quiet|-q] [--format|-f table|json]"},
    {"spec", "create a new specification file", "[--bundle|-b DIR] [--rootless]"},
    {"features", "show the enabled features", ""},
    {NULL, NULL, NULL},
};

void cli_print_usage(FILE *f)
{
	fprintf(f,
	        "runlock - OCI container runtime confining containers with Landlock, seccomp,\n"
	        "capabilities and chroot, without namespaces, mounts or cgroups\n\n"
	        "USAGE:\n   runlock [global options] command [command options] [arguments...]\n\n"
	        "COMMANDS:\n");
	for (const struct cli_usage *c = cli_usages; c->name; c++)
		fprintf(f, "   %-10s %s\n", c->name, c->summary);
	fprintf(
	    f,
	    "\nGLOBAL OPTIONS:\n"
	    "   --root DIR             state directory (default: /run/runlock, or\n"
	    "                          $XDG_RUNTIME_DIR/runlock when not root or\n"
	    "                          root of a user namespace, as runc)\n"
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
	for (const struct cli_usage *c = cli_usages; c->name; c++)
		if (strcmp(c->name, cmd) == 0) {
			printf(
			    "NAME:\n   runlock %s - %s\n\nUSAGE:\n   runlock [global options] %s "
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
	/* The shims read the log file, not our stderr. */
	if (!log_to_stderr())
		log_error("%s%s%s", cmd ? cmd : "", cmd ? ": " : "", msg);
	if (cmd) {
		for (const struct cli_usage *c = cli_usages; c->name; c++)
			if (strcmp(c->name, cmd) == 0)
				fprintf(stderr, "Usage: runlock [global options] %s %s\n", c->name,
				        c->usage);
	} else {
		cli_print_usage(stderr);
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

/* Parse a command that takes only --help and one container id. Returns the
 * id, or NULL with *status set (0 after help, 1 after a usage error). */
const char *cli_parse_id_only(const char *cmd, int argc, char **argv, int *status)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			*status = cli_help(cmd);
			return NULL;
		}
		*status =
		    cli_usage_error(cmd, "flag provided but not defined: %s", argv[optind - 1]);
		return NULL;
	}
	if (cli_require_args(cmd, argc - optind, 1, "container id") < 0) {
		*status = 1;
		return NULL;
	}
	return argv[optind];
}
