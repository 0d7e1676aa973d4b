/* runlock start */
#include <getopt.h>

#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

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
