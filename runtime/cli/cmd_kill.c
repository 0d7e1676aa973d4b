/* runlock kill */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"
#include "common/proc.h"

int cmd_kill(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct rl_error e;
	bool all = false;
	int c, sig = SIGTERM, nargs;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'h')
			return cli_help("kill");
		else
			return cli_usage_error("kill", "flag provided but not defined: %s",
			                       argv[optind - 1]);
	}
	nargs = argc - optind;
	if (nargs < 1 || nargs > 2)
		return cli_usage_error("kill",
		                       "requires 1 or 2 arguments (container id, signal), "
		                       "got %d",
		                       nargs);
	if (nargs == 2) {
		/* 0, as in kill(2) and runc: no signal, the existence test. */
		sig = strcmp(argv[optind + 1], "0") == 0 ? 0 : proc_parse_signal(argv[optind + 1]);
		if (sig < 0) {
			rl_fail(&e, EINVAL, "unknown signal \"%s\"", argv[optind + 1]);
			return cli_fail(&e);
		}
	}
	if (container_kill(g, argv[optind], sig, all, &e) < 0)
		return cli_fail(&e);
	return 0;
}
