/* Lookups in the sorted mount table (shim/mounts/mounts.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim/mounts/mounts.h"

/* strcmp order of s[0..slen) against key[0..len). memcmp compares unsigned
 * bytes as strcmp does, so this agrees with the order the table is sorted in,
 * and never reads past either string when the key is not NUL-terminated. */
static int cmp_len(const char *s, size_t slen, const char *key, size_t len)
{
	int c = memcmp(s, key, slen < len ? slen : len);

	if (c != 0)
		return c;
	return (slen > len) - (slen < len);
}

int mount_table_find(const struct mount_table *t, const char *path, size_t len)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_len(t->m[mid].dest, t->m[mid].dest_len, path, len);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct mnt_link *mount_table_link(const struct mount_table *t, const char *path, size_t len)
{
	size_t lo = 0, hi = t->n_links;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = t->links[mid].path;
		int c = cmp_len(p, strlen(p), path, len);

		if (c == 0)
			return &t->links[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The destinations starting with "<path>/" are contiguous in strcmp order, so
 * comparing only their first len + 1 bytes with "<path>/" (0 for any of them)
 * lets a plain binary search land on one. */
bool mount_table_has_below(const struct mount_table *t, const char *path, size_t len)
{
	size_t lo = 0, hi = t->n;

	if (len == 0 || (len == 1 && path[0] == '/'))
		return t->n > 0; /* every destination is absolute and not "/" */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mnt *m = &t->m[mid];
		int c = memcmp(m->dest, path, m->dest_len < len ? m->dest_len : len);

		if (c == 0)
			c = m->dest_len <= len ? -1 : (unsigned char)m->dest[len] - '/';
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void mount_table_free(struct mount_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->m[i].dest);
		free(t->m[i].source);
		if (t->m[i].fd >= 0)
			close(t->m[i].fd);
	}
	free(t->m);
	for (size_t i = 0; i < t->n_links; i++) {
		free(t->links[i].path);
		free(t->links[i].target);
	}
	free(t->links);
	if (t->scratch_fd > 0)
		close(t->scratch_fd);
	*t = (struct mount_table){0};
}
