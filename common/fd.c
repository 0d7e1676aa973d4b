#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdio.h>
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

int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_path(int fd, char *buf, size_t size)
{
	char self[32];
	ssize_t n;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

int fd_reopen(int fd, int flags)
{
	char self[32];
	int r;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	r = open(self, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC)) | O_CLOEXEC);
	return r < 0 ? -errno : r;
}
