#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
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
