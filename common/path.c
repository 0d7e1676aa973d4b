#include "common/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int path_open_parent(const char *path, int flags, const char **base, const char *what,
                     struct rl_error *e)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return rl_fail(e, ENAMETOOLONG, "%s path too long: %s", what, path);
	fd = open(dir, flags | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rl_fail_errno(e, errno, "open %s directory for %s", what, path);
	*base = slash ? slash + 1 : path;
	return fd;
}

bool path_is_number(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}
