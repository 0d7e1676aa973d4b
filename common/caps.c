/* Per-thread capability sets (common/caps.h). */
#include "common/caps.h"

#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int rl_caps_get(uint64_t *eff, uint64_t *perm)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

int rl_caps_set(uint64_t eff, uint64_t perm)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)perm;
	d[1].permitted = (uint32_t)(perm >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

bool rl_groups_equal(size_t n, const gid_t *g)
{
	gid_t cur[256];
	long k = syscall(SYS_getgroups, 256, cur);

	if (k < 0 || (size_t)k != n)
		return false;
	for (long i = 0; i < k; i++) {
		bool found = false;
		for (size_t j = 0; j < n && !found; j++)
			found = g[j] == cur[i];
		if (!found)
			return false;
	}
	return true;
}

int rl_groups_set(size_t n, const gid_t *g)
{
	if (rl_groups_equal(n, g))
		return 0;
	return (int)syscall(SYS_setgroups, n, g);
}
