/* runlock state */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

int cmd_state(const struct global_opts *g, int argc, char **argv)
{
	struct container_state s;
	struct rl_error e;
	_cleanup_free_ char *json = NULL;
	size_t len;
	int status;
	const char *id = cli_parse_id_only("state", argc, argv, &status);

	if (!id)
		return status;
	if (container_load(g, id, &s, &e) < 0)
		return cli_fail(&e);
	if (state_to_json(&s, true, &json, &len, &e) < 0) {
		state_free(&s);
		return cli_fail(&e);
	}
	state_free(&s);
	printf("%s\n", json);
	return 0;
}
