/* The view's life: set up from the mount table when the supervisor starts,
 * released when it ends. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "shim/fsview/handlers_fs.h"

int fs_view_init(struct fs_view *v, const struct mount_table *t, const char *rootfs, int state_fd,
                 int agent_sock)
{
	v->t = t;
	v->root_fd = -1;
	v->proc_view = -1;
	v->agent_sock = agent_sock;
	v->state_fd = state_fd;
	if (snprintf(v->rootfs, sizeof(v->rootfs), "%s", rootfs) >= (int)sizeof(v->rootfs))
		return -ENAMETOOLONG;
	v->rootfs_len = strlen(v->rootfs);
	while (v->rootfs_len > 1 && v->rootfs[v->rootfs_len - 1] == '/')
		v->rootfs[--v->rootfs_len] = '\0';
	v->root_fd = open(v->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (v->root_fd < 0)
		return -errno;
	/* The devices a device node met elsewhere may be (agent_open.devs). */
	for (size_t i = 0; t && i < t->n && v->n_devs < AGENT_MAX_DEVS; i++) {
		struct stat st;
		if (t->m[i].kind == MNT_DEVICE && t->m[i].fd >= 0 && fstat(t->m[i].fd, &st) == 0)
			v->devs[v->n_devs++] =
			    (uint64_t)(st.st_mode & S_IFMT) << 32 | (uint32_t)st.st_rdev;
	}
	return t ? fs_merge_init(v) : 0;
}

void fs_view_release(struct fs_view *v)
{
	rl_closep(&v->root_fd);
	rl_closep(&v->proc_view);
	fs_merge_release(v);
	fs_cwd_release(v);
	fs_ptys_release(v);
	free(v->members);
	v->members = NULL;
	free(v->member_start);
	v->member_start = NULL;
	v->n_members = 0;
}
