/* runlock pause, runlock resume */
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

int cmd_pause(const struct global_opts *g, int argc, char **argv)
{
	struct rl_error e;
	int status;
	const char *id = cli_parse_id_only("pause", argc, argv, &status);

	if (!id)
		return status;
	if (container_pause(g, id, &e) < 0)
		return cli_fail(&e);
	return 0;
}

int cmd_resume(const struct global_opts *g, int argc, char **argv)
{
	struct rl_error e;
	int status;
	const char *id = cli_parse_id_only("resume", argc, argv, &status);

	if (!id)
		return status;
	if (container_resume(g, id, &e) < 0)
		return cli_fail(&e);
	return 0;
}
