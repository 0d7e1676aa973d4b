/* runlock delete */
#include <errno.h>
#include <getopt.h>

#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

int cmd_delete(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct rl_error e;
	bool force = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h')
			return cli_help("delete");
		else
			return cli_usage_error("delete", "flag provided but not defined: %s",
			                       argv[optind - 1]);
	}
	if (cli_require_args("delete", argc - optind, 1, "container id") < 0)
		return 1;
	if (container_delete(g, argv[optind], force, &e) < 0) {
		/* runc: deleting what is already gone is not an error with -f. */
		if (force && e.err == ENOENT)
			return 0;
		return cli_fail(&e);
	}
	return 0;
}
