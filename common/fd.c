#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int fd_above(int fd, int min)
{
	int nfd, saved;

	if (fd < 0 || fd >= min)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
	saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

int fd_openat2(int dirfd, const char *path, const struct open_how *how)
{
	int fd;

	for (int i = 0; i < 64; i++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
		if (fd >= 0 || errno != EAGAIN)
			return fd;
	}
	return fd;
}
