/* runlock start */
#include <getopt.h>

#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

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

int cmd_start(const struct global_opts *g, int argc, char **argv)
{
	struct rl_error e;
	int status;
	const char *id = cli_parse_id_only("start", argc, argv, &status);

	if (!id)
		return status;
	if (container_start(g, id, &e) < 0)
		return cli_fail(&e);
	return 0;
}
