/* runlock spec */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/spec.h"
#include "runtime/cli/cli.h"

int cmd_spec(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int dirfd = -1, fd = -1;
	const char *bundle = ".";
	bool rootless = false;
	struct rl_error e;
	size_t len, off = 0;
	int c;

	(void)g;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else if (c == 'h')
			return cli_help("spec");
		else
			return cli_usage_error("spec", "flag provided but not defined: %s",
			                       argv[optind - 1]);
	}
	if (cli_require_args("spec", argc - optind, 0, NULL) < 0)
		return 1;
	if (oci_spec_generate(rootless, &json, &len, &e) < 0)
		return cli_fail(&e);
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rl_fail_errno(&e, errno, "bundle %s", bundle);
		return cli_fail(&e);
	}
	/* O_EXCL: never overwrite, and no window between check and create. */
	fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			rl_fail(&e, EEXIST, "File config.json exists. Remove it first");
		else
			rl_fail_errno(&e, errno, "create %s/config.json", bundle);
		return cli_fail(&e);
	}
	while (off < len) {
		ssize_t n = write(fd, json + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rl_fail_errno(&e, errno, "write %s/config.json", bundle);
			unlinkat(dirfd, "config.json", 0);
			return cli_fail(&e);
		}
		off += (size_t)n;
	}
	return 0;
}
