/* Directories that hold mount points the underlying tree lacks (shim/fsview/fs.h).
 *
 * runc creates a mount's destination in the rootfs; runlock never writes
 * the rootfs, so `ls /` would not show a `/data` the image lacks. Such a
 * directory, opened with O_DIRECTORY, is answered with a snapshot kept in
 * <scratch>/mnt/merge/N: a placeholder of the same type for each of the real
 * directory's entries, plus the missing mount points, renewed at each open
 * (so a listing is a snapshot taken at opendir, as for /proc). Lookups
 * relative to a snapshot are resolved as from the directory it stands for,
 * never by the kernel in the placeholders (fs_lookup marks them crossed). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "shim/fsview/fs.h"

/* The tree that holds canonical path p[0..len) ("" or "/" is the root) and
 * p's path in it: the innermost mount whose destination is a prefix of p
 * (p itself too when self, for a directory's content; not for the name of
 * a mount point, which its parent holds), else the rootfs. Returns the
 * tree's fd, or -1 below a file mount or a mask; *mount is the mount's
 * index, or FS_AGENT_ROOT for the rootfs. */
static int holder_of(const struct fs_view *v, const char *p, size_t len, bool self, char *rel,
                     size_t size, int *mount)
{
	size_t l = len;

	*mount = FS_AGENT_ROOT;
	if (len <= 1) {
		rel[0] = '\0';
		return v->root_fd;
	}
	if (!self)
		while (l > 0 && p[--l] != '/')
			;
	while (l > 0) {
		int i = mount_table_find(v->t, p, l);
		if (i >= 0) {
			const struct mnt *m = &v->t->m[i];
			if (m->fd < 0 || !(m->flags & MNT_F_DIR) || m->kind == MNT_MASK)
				return -1;
			if (len > l)
				snprintf(rel, size, "%.*s", (int)(len - l - 1), p + l + 1);
			else
				rel[0] = '\0';
			*mount = i;
			return m->fd;
		}
		while (l > 0 && p[--l] != '/')
			;
	}
	snprintf(rel, size, "%.*s", (int)(len - 1), p + 1);
	return v->root_fd;
}

/* Whether the tree under a mount destination already has it. Never by a
 * symlink: the rootfs is the image's, and one met on the way is taken as
 * "there" (nothing is added), not followed out of the tree. */
static bool exists_under(const struct fs_view *v, const char *p, size_t len)
{
	struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	                       .resolve =
	                           RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	char rel[PATH_MAX];
	int mount, fd = holder_of(v, p, len, false, rel, sizeof(rel), &mount), obj;

	if (fd < 0)
		return true; /* below a file mount or a mask: nothing to add */
	obj = fd_openat2(fd, *rel ? rel : ".", &how);
	if (obj >= 0)
		close(obj);
	return obj >= 0 || errno != ENOENT;
}

static struct fs_merge *merge_for(struct fs_view *v, const char *dir, size_t len)
{
	struct fs_merge *bigger;

	for (size_t i = 0; i < v->n_merge; i++)
		if (strlen(v->merge[i].dir) == len && memcmp(v->merge[i].dir, dir, len) == 0)
			return &v->merge[i];
	bigger = realloc(v->merge, (v->n_merge + 1) * sizeof(*bigger));
	if (!bigger)
		return NULL;
	v->merge = bigger;
	memset(&v->merge[v->n_merge], 0, sizeof(v->merge[0]));
	v->merge[v->n_merge].dir = strndup(dir, len);
	v->merge[v->n_merge].snap = -1;
	return v->merge[v->n_merge].dir ? &v->merge[v->n_merge++] : NULL;
}

static int add_name(struct fs_merge *g, const char *name, size_t n, bool dir)
{
	char **names;

	for (size_t i = 0; i < g->n_names; i++)
		if (strlen(g->names[i]) == n && memcmp(g->names[i], name, n) == 0)
			return 0;
	names = realloc(g->names, (g->n_names + 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	g->names = names;
	g->names[g->n_names] = strndup(name, n);
	if (!g->names[g->n_names])
		return -ENOMEM;
	g->is_dir = realloc(g->is_dir, (g->n_names + 1) * sizeof(bool));
	if (!g->is_dir)
		return -ENOMEM;
	g->is_dir[g->n_names++] = dir;
	return 0;
}

int fs_merge_init(struct fs_view *v)
{
	for (size_t i = 0; i < v->t->n; i++) {
		const struct mnt *m = &v->t->m[i];
		/* Each ancestor's child on the way to the destination. */
		for (size_t end = 1; end <= m->dest_len; end++) {
			size_t parent;
			struct fs_merge *g;
			int r;
			if (end < m->dest_len && m->dest[end] != '/')
				continue;
			if (exists_under(v, m->dest, end))
				continue;
			parent = end;
			while (parent > 0 && m->dest[--parent] != '/')
				;
			g = merge_for(v, m->dest, parent > 0 ? parent : 1);
			if (!g)
				return -ENOMEM;
			r = add_name(g, m->dest + parent + 1, end - parent - 1,
			             end < m->dest_len || (m->flags & MNT_F_DIR));
			if (r < 0)
				return r;
		}
	}
	return 0;
}

void fs_merge_release(struct fs_view *v)
{
	for (size_t i = 0; i < v->n_merge; i++) {
		for (size_t j = 0; j < v->merge[i].n_names; j++)
			free(v->merge[i].names[j]);
		free(v->merge[i].names);
		free(v->merge[i].is_dir);
		free(v->merge[i].dir);
		rl_closep(&v->merge[i].snap);
	}
	free(v->merge);
	v->merge = NULL;
	v->n_merge = 0;
}

int fs_merge_find(const struct fs_view *v, const char *path)
{
	for (size_t i = 0; i < v->n_merge; i++)
		if (strcmp(v->merge[i].dir, path) == 0)
			return (int)i;
	return -1;
}

void fs_placeholder(int dir, const char *name, unsigned char type)
{
	if (type == DT_DIR) {
		mkdirat(dir, name, 0555);
	} else if (type == DT_LNK) {
		symlinkat(".", dir, name);
	} else {
		int f = openat(dir, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
		if (f >= 0)
			close(f);
	}
}

/* Empty the snapshot directory (placeholders hold nothing below them). */
static void clear(int dir)
{
	char buf[8192];

	for (;;) {
		long len;
		lseek(dir, 0, SEEK_SET);
		len = syscall(SYS_getdents64, dir, buf, sizeof(buf));
		bool removed = false;
		if (len <= 0)
			return;
		for (long off = 0; off < len;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			if (unlinkat(dir, d->d_name, d->d_type == DT_DIR ? AT_REMOVEDIR : 0) == 0)
				removed = true;
		}
		if (!removed)
			return;
	}
}

int fs_merge_open(struct fs_view *v, struct fs_call *c, int k, int flags)
{
	struct fs_merge *g = &v->merge[k];
	_cleanup_close_ int snap = -1, real = -1;
	char rel[PATH_MAX], name[32], buf[8192];
	int fd, mount;
	bool fifo;

	if (mkdirat(v->state_fd, "mnt", 0711) < 0 && errno != EEXIST)
		return -errno;
	if (mkdirat(v->state_fd, "mnt/merge", 0711) < 0 && errno != EEXIST)
		return -errno;
	snprintf(name, sizeof(name), "mnt/merge/%d", k);
	if (mkdirat(v->state_fd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	snap = openat(v->state_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (snap < 0)
		return -errno;
	if (g->snap < 0) {
		g->snap = openat(v->state_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd_path(snap, g->snap_path, sizeof(g->snap_path)) < 0)
			g->snap_path[0] = '\0';
	}
	/* The real directory, listed as the caller would list it: opened by
	 * the agent, in the container's Landlock domain and with the
	 * caller's credentials (the supervisor would list, as root, a
	 * directory the caller may not read, and follow what the container
	 * made of it where it can write). The kernel's refusal is the
	 * answer. Under the host's /proc or /dev/pts (a mount inside one),
	 * whose listing names host pids and ptys and which the container's
	 * domain does not reach, only the mount points are listed. */
	if (holder_of(v, g->dir, strlen(g->dir), true, rel, sizeof(rel), &mount) >= 0 &&
	    (mount == FS_AGENT_ROOT ||
	     (v->t->m[mount].kind != MNT_PROC && v->t->m[mount].kind != MNT_DEVPTS))) {
		real = fs_agent_open(v, c, mount, mount == FS_AGENT_ROOT ? g->dir : rel,
		                     O_RDONLY | O_DIRECTORY, 0, -1, &fifo);
		if (real < 0 && real != -ENOENT)
			return real;
	}
	clear(snap);
	while (real >= 0) {
		long len = syscall(SYS_getdents64, real, buf, sizeof(buf));
		if (len <= 0)
			break;
		for (long off = 0; off < len;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				fs_placeholder(snap, d->d_name, d->d_type);
		}
	}
	for (size_t i = 0; i < g->n_names; i++)
		fs_placeholder(snap, g->names[i], g->is_dir[i] ? DT_DIR : DT_REG);
	fd = openat(v->state_fd, name, (flags & ~(O_CREAT | O_NOFOLLOW)) | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
