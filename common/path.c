#include "common/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int path_canonical(const char *in, char *out, size_t size)
{
	size_t n = 0;
	const char *p = in;

	if (size < 2)
		return -1;
	while (*p) {
		const char *start;
		size_t len;
		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - start);
		if (len == 0 || (len == 1 && start[0] == '.'))
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash */
			continue;
		}
		if (n + 1 + len + 1 > size)
			return -1;
		out[n++] = '/';
		memcpy(out + n, start, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

const char *path_below(const char *p, const char *dir, size_t len)
{
	if (len == 1 && dir[0] == '/')
		return p;
	if (strncmp(p, dir, len) != 0 || (p[len] != '\0' && p[len] != '/'))
		return NULL;
	return p + len;
}

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
