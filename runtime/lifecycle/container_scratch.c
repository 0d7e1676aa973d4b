/* The container's scratch tree: <root>/@scratch/<id>/ (runtime/lifecycle/container.h).
 *
 * Everything a container can write or hold a directory in outside its
 * rootfs (the directories behind /dev, /dev/shm, /dev/mqueue and tmpfs
 * mounts, the listing of /proc, the masks) lives here, never in <root>/<id>
 * beside ctl.sock, start.sock and state.json: a working directory there is
 * outside the chroot, and a ".." from it must not land on the state
 * directory's sockets by two steps (issue 14, item 10). "@" is not allowed
 * in a container id, so no container's state directory can take the name.
 *
 * Both levels are made 0700: what the container reaches there it reaches
 * through descriptors pinned at create, never by a path through them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/lifecycle/container.h"

#define SCRATCH_ROOT "@scratch"

/* Remove parent/name and what is below it, never following a symlink (the
 * container put there whatever it liked). Best effort. */
static void remove_tree(int parent, const char *name, int depth)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 256)
		return;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			remove_tree(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

int container_scratch_create(int root_fd, const char *id, struct rl_error *e)
{
	_cleanup_close_ int top = -1;
	int fd;

	/* A delete of the last other container may remove the empty top
	 * directory between our two mkdirs: make it again. */
	for (int tries = 0;; tries++) {
		if (mkdirat(root_fd, SCRATCH_ROOT, 0700) < 0 && errno != EEXIST)
			return rl_fail_errno(e, errno, "create scratch directory " SCRATCH_ROOT);
		top =
		    openat(root_fd, SCRATCH_ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (top < 0 && errno == ENOENT && tries < 3)
			continue; /* removed between the mkdir and the open: the same race */
		if (top < 0)
			return rl_fail_errno(e, errno, "open scratch directory " SCRATCH_ROOT);
		/* Left by a create that was killed, for an id that is free now
		 * (the state directory lock is ours). */
		remove_tree(top, id, 0);
		if (mkdirat(top, id, 0700) == 0)
			break;
		if (errno != ENOENT || tries == 3)
			return rl_fail_errno(e, errno,
			                     "create scratch directory " SCRATCH_ROOT "/%s", id);
		rl_closep(&top);
	}
	fd = openat(top, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return rl_fail_errno(e, errno, "open scratch directory " SCRATCH_ROOT "/%s", id);
	return fd;
}

void container_scratch_remove(int root_fd, const char *id)
{
	_cleanup_close_ int top =
	    openat(root_fd, SCRATCH_ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (top < 0)
		return;
	remove_tree(top, id, 0);
	/* The last container gone, nothing of runlock's stays in --root but
	 * the root itself. Others' scratch keeps it (ENOTEMPTY). */
	unlinkat(root_fd, SCRATCH_ROOT, AT_REMOVEDIR);
}
