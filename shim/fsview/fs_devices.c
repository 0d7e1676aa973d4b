/* linux.resources.devices at the device opens the view carries out
 * (oci/device_rules.h): the devices cgroup's check, without the cgroup. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "shim/fsview/fs.h"

static bool dev_allowed(const struct fs_view *v, mode_t type, dev_t rdev, int flags)
{
	char t = S_ISCHR(type) ? 'c' : S_ISBLK(type) ? 'b' : 0;

	return dev_rules_allow(&v->dev_rules, t, major(rdev), minor(rdev),
	                       dev_access_of_open(flags));
}

int fs_device_check(const struct fs_view *v, int fd, int flags)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return dev_allowed(v, st.st_mode & S_IFMT, st.st_rdev, flags) ? 0 : -EPERM;
}

uint32_t fs_view_devs_for(const struct fs_view *v, int flags, uint64_t *out)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < v->n_devs; i++)
		if (dev_allowed(v, (mode_t)(v->devs[i] >> 32), (dev_t)(uint32_t)v->devs[i], flags))
			out[n++] = v->devs[i];
	return n;
}
