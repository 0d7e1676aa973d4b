/* runlock features */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "oci/spec.h"
#include "runtime/cli/cli.h"

int cmd_features(const struct global_opts *g, int argc, char **argv)
{
	_cleanup_free_ char *json = NULL;
	struct rl_error e;
	size_t len;

	(void)g;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_help("features");
	if (argc > 1 && argv[1][0] == '-')
		return cli_usage_error("features", "flag provided but not defined: %s", argv[1]);
	if (cli_require_args("features", argc - 1, 0, NULL) < 0)
		return 1;
	if (oci_features_generate(&json, &len, &e) < 0)
		return cli_fail(&e);
	fwrite(json, 1, len, stdout);
	return 0;
}
