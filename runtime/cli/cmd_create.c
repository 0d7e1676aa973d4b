/* runlock create */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

enum {
	OPT_PID_FILE = 1000,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_KEEP
};

int cli_parse_create_opts(const char *cmd, int argc, char **argv, bool run, struct create_opts *o,
                          bool *keep)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
	    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	    {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
	    {"detach", no_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->detach = !run;
	*keep = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, run ? "+b:dh" : "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			o->console_socket = optarg;
			break;
		case OPT_NO_PIVOT:
		case OPT_NO_NEW_KEYRING:
			break; /* runlock neither pivots nor creates keyrings */
		case OPT_PRESERVE_FDS: {
			char *end;
			long n;
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || errno || n < 0 || n > 65536)
				return cli_usage_error(cmd,
				                       "invalid value \"%s\" for flag "
				                       "--preserve-fds",
				                       optarg),
				       -1;
			o->preserve_fds = (int)n;
			break;
		}
		case 'd':
			if (!run)
				goto bad;
			o->detach = true;
			break;
		case OPT_KEEP:
			if (!run)
				goto bad;
			*keep = true;
			break;
		case 'h':
			cli_help(cmd);
			return 1;
		default:
			goto bad;
		}
	}
	if (cli_require_args(cmd, argc - optind, 1, "container id") < 0)
		return -1;
	o->id = argv[optind];
	return 0;
bad:
	cli_usage_error(cmd, "flag provided but not defined: %s", argv[optind - 1]);
	return -1;
}

int cmd_create(const struct global_opts *g, int argc, char **argv)
{
	struct create_opts o;
	struct created out;
	struct rl_error e;
	bool keep;
	int r = cli_parse_create_opts("create", argc, argv, false, &o, &keep);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (container_create(g, &o, &out, &e) < 0)
		return cli_fail(&e);
	return 0;
}
