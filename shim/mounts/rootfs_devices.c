/* The image's device nodes against the device rules (rootfs_devices.h). */
#include "shim/mounts/rootfs_devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Deeper trees are refused rather than walked without end. */
#define WALK_MAX_DEPTH 256

struct walk {
	const struct mount_table *t;
	const struct dev_rules *r;
	struct rl_error *e;
	char path[PATH_MAX]; /* container path of the directory being read ("" the root) */
};

static int check_node(struct walk *w, const struct stat *st)
{
	char t = S_ISCHR(st->st_mode) ? 'c' : 'b';

	if (dev_rules_allow(w->r, t, major(st->st_rdev), minor(st->st_rdev), DEV_ACC_R | DEV_ACC_W))
		return 0;
	return rl_fail(w->e, EPERM,
	               "rootfs: %s (%s device %u:%u) is denied by linux.resources.devices, and "
	               "runlock cannot hold device rules on the rootfs's own nodes: remove it "
	               "from the image or allow it",
	               w->path, t == 'c' ? "character" : "block", major(st->st_rdev),
	               minor(st->st_rdev));
}

static int walk_dir(struct walk *w, int fd, unsigned depth)
{
	size_t len = strlen(w->path);
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (depth > WALK_MAX_DEPTH)
		return rl_fail(w->e, ELOOP, "rootfs: %s: deeper than %d directories", w->path,
		               WALK_MAX_DEPTH);
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return rl_fail_errno(w->e, errno, "rootfs: read %s", len ? w->path : "/");
	}
	while (rc == 0 && (errno = 0, d = readdir(dir))) {
		unsigned char type = d->d_type;
		struct stat st;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (type != DT_UNKNOWN && type != DT_DIR && type != DT_CHR && type != DT_BLK)
			continue; /* the common case costs no stat */
		if (snprintf(w->path + len, sizeof(w->path) - len, "/%s", d->d_name) >=
		    (int)(sizeof(w->path) - len)) {
			rc = rl_fail(w->e, ENAMETOOLONG, "rootfs: %s...: path too long", w->path);
			break;
		}
		/* A mount destination shadows what the image has there. */
		if (mount_table_find(w->t, w->path, strlen(w->path)) < 0) {
			if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno != ENOENT)
					rc = rl_fail_errno(w->e, errno, "rootfs: stat %s", w->path);
			} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
				rc = check_node(w, &st);
			} else if (S_ISDIR(st.st_mode)) {
				int sub = openat(dirfd(dir), d->d_name,
				                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub < 0)
					rc = rl_fail_errno(w->e, errno, "rootfs: open %s", w->path);
				else
					rc = walk_dir(w, sub, depth + 1);
			}
		}
		w->path[len] = '\0';
	}
	if (rc == 0 && errno)
		rc = rl_fail_errno(w->e, errno, "rootfs: read %s", len ? w->path : "/");
	closedir(dir);
	return rc;
}

int rootfs_devices_check(int rootfs_fd, const struct mount_table *t, const struct dev_rules *r,
                         struct rl_error *e)
{
	_cleanup_free_ struct walk *w = calloc(1, sizeof(*w));
	int fd;

	if (!w)
		return rl_fail_errno(e, ENOMEM, "rootfs: device nodes");
	fd = openat(rootfs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		// cppcheck-suppress memleak ; w is freed by its cleanup attribute
		return rl_fail_errno(e, errno, "rootfs: open");
	*w = (struct walk){.t = t, .r = r, .e = e};
	return walk_dir(w, fd, 0);
}
