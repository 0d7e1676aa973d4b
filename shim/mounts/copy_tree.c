#include "shim/mounts/copy_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Copy the directory src into dst, as runc's "tmpcopyup" copies the
 * image's content into a fresh tmpfs: directories, regular files and
 * symlinks, with their modes and owners; device nodes, FIFOs and sockets
 * are left out (a scratch directory is no place for them). Every step is
 * one name opened with O_NOFOLLOW beneath a directory already held, so the
 * image's symlinks are copied, never followed. */
int copy_tree(int src, int dst, int depth)
{
	_cleanup_close_ int sfd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (sfd < 0 || depth > 64)
		return -1;
	d = fdopendir(sfd);
	if (!d)
		return -1;
	sfd = -1;
	while (r == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int in = -1, out = -1;
			if (mkdirat(dst, n, 0700) < 0)
				r = -1;
			in = openat(dirfd(d), n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			out = openat(dst, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (r < 0 || in < 0 || out < 0 || copy_tree(in, out, depth + 1) < 0 ||
			    fchown(out, st.st_uid, st.st_gid) < 0 ||
			    fchmod(out, st.st_mode & 07777) < 0)
				r = -1;
		} else if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int in =
			    openat(dirfd(d), n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			_cleanup_close_ int out = openat(
			    dst, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			char buf[16384];
			ssize_t k;
			if (in < 0 || out < 0) {
				r = -1;
				break;
			}
			while ((k = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)k) != k) {
					k = -1;
					break;
				}
			if (k < 0 || fchown(out, st.st_uid, st.st_gid) < 0 ||
			    fchmod(out, st.st_mode & 07777) < 0)
				r = -1;
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t k = readlinkat(dirfd(d), n, target, sizeof(target) - 1);
			if (k < 0) {
				r = -1;
				break;
			}
			target[k] = '\0';
			if (symlinkat(target, dst, n) < 0 ||
			    fchownat(dst, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				r = -1;
		}
	}
	closedir(d);
	return r;
}
