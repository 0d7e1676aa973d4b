/* Building the container's mount table (shim/mounts/mounts.h) from config.json,
 * at create, before the supervisor is forked: every source is checked and
 * pinned here, and the scratch directories of tmpfs-like mounts are made
 * under <scratch>/mnt/ (the container's scratch tree, <root>/@scratch/<id>,
 * outside its state directory), which `delete` removes.
 *
 * Which kind each mount type becomes, and what is not emulated, is in
 * docs/mounts.md. */
#include "shim/mounts/mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "common/path.h"
#include "shim/mounts/copy_tree.h"
#include "shim/mounts/mount_options.h"
#include "shim/mounts/resolve.h"

#define SCRATCH "mnt"

struct builder {
	struct mount_table *t;
	size_t cap;
	int rootfs_fd; /* O_PATH of the rootfs: everything of the image is opened in it */
	int scratch_fd;
	char scratch_path[PATH_MAX]; /* host path of the scratch tree */
	unsigned scratch_seq;
	unsigned mount_seq; /* the next entry's mnt.seq */
	int base_fd;        /* descriptors are kept at or above this number */
	bool config_mounts; /* adding config.json's mounts: a later one hides */
};

/* A destination in canonical form (path_canonical); -1 when it does not
 * fit or names the root, which no mount may cover. */
static int canonical(const char *in, char *out, size_t size)
{
	return path_canonical(in, out, size) < 0 || strcmp(out, "/") == 0 ? -1 : 0;
}

static int keep_fd(const struct builder *b, int fd)
{
	return fd_above(fd, b->base_fd);
}

static void drop(struct mount_table *t, size_t i)
{
	free(t->m[i].dest);
	free(t->m[i].source);
	if (t->m[i].fd >= 0)
		close(t->m[i].fd);
	t->m[i] = t->m[--t->n];
}

static int by_dest(const void *a, const void *b)
{
	return strcmp(((const struct mnt *)a)->dest, ((const struct mnt *)b)->dest);
}

/* openat2() of rel (no leading '/') inside the rootfs, O_PATH: the kernel
 * walks it as the container would, an absolute symlink or ".." stopping at
 * the rootfs, so no image symlink can lead a host-side open out of it. */
static int in_root(int dirfd, const char *rel, uint64_t resolve, int flags)
{
	struct open_how how = {.flags = (uint64_t)(O_PATH | O_CLOEXEC | flags),
	                       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve};

	return fd_openat2(dirfd, *rel ? rel : ".", &how);
}

/* Read a symlink of the rootfs for the resolver: opened in the root (every
 * component before it is resolved already, but the image may be shared
 * with a running container that changes it), then read through the
 * descriptor. Symlinks inside mounts are not followed for destinations. */
static int rootfs_readlink(void *ctx, int mount, const char *rel, char *buf, size_t size)
{
	const struct builder *b = ctx;
	_cleanup_close_ int fd = -1;
	struct stat st;
	ssize_t n;

	if (mount >= 0)
		return -EINVAL;
	fd = in_root(b->rootfs_fd, rel, RESOLVE_NO_SYMLINKS, O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return -EINVAL;
	n = readlinkat(fd, "", buf, size);
	if (n < 0)
		return -errno;
	if ((size_t)n < size)
		buf[n] = '\0';
	return (int)n;
}

/* Resolve a destination as runc's securejoin does, and as the container
 * will see it: symlinks of the rootfs followed inside the root, a mount
 * already in the table entered (runc mounts in order, so what a mount hides
 * of the rootfs is not read). `flags` are RESOLVE_F_*. */
static int resolve_in_table(struct builder *b, const char *dest, unsigned flags,
                            struct resolved *res)
{
	struct resolve_fs fs = {rootfs_readlink, b};
	struct resolve_req r = {.t = b->t, .fs = &fs, .base = "/", .path = dest, .flags = flags};

	/* The resolver searches the table: keep it sorted while it grows. */
	if (b->t->n > 0)
		qsort(b->t->m, b->t->n, sizeof(*b->t->m), by_dest);
	return resolve(&r, res);
}

static int resolve_dest(struct builder *b, const char *dest, char *out, size_t size)
{
	struct resolved *res = malloc(sizeof(*res));
	int ret;

	if (!res)
		return -ENOMEM;
	ret = resolve_in_table(b, dest, 0, res);
	if (ret == 0 && (strcmp(res->path, "/") == 0 || strlen(res->path) >= size))
		ret = -EINVAL;
	if (ret == 0)
		strcpy(out, res->path);
	free(res);
	return ret;
}

/* Add the entry at dest; one already there is replaced and, for config
 * mounts (hide), ones below it are hidden. Takes ownership of fd. */
static int add_entry(struct builder *b, const char *dest, enum mnt_kind kind, unsigned flags,
                     const char *source, int fd, bool hide, struct rl_error *e)
{
	struct mount_table *t = b->t;
	char canon[PATH_MAX];
	struct mnt *m = NULL;
	int r = canonical(dest, canon, sizeof(canon)) < 0
	            ? -EINVAL
	            : resolve_dest(b, canon, canon, sizeof(canon));

	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return rl_fail(e, -r, "%s: cannot be a mount destination", dest);
	}
	if (hide) {
		size_t len = strlen(canon);
		for (size_t i = t->n; i-- > 0;)
			if (strncmp(t->m[i].dest, canon, len) == 0 && t->m[i].dest[len] == '/')
				drop(t, i);
	}
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->m[i].dest, canon) == 0) {
			m = &t->m[i];
			free(m->dest);
			free(m->source);
			if (m->fd >= 0)
				close(m->fd);
			break;
		}
	if (!m) {
		if (t->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 16;
			struct mnt *bigger = realloc(t->m, cap * sizeof(*bigger));
			if (!bigger) {
				if (fd >= 0)
					close(fd);
				return rl_fail(e, ENOMEM, "out of memory");
			}
			t->m = bigger;
			b->cap = cap;
		}
		m = &t->m[t->n++];
	}
	memset(m, 0, sizeof(*m));
	m->fd = fd;
	m->kind = kind;
	m->flags = flags;
	/* A mount over an existing one comes last, as a new mount would. */
	m->seq = b->mount_seq++;
	m->dest = strdup(canon);
	m->source = source ? strdup(source) : NULL;
	if (!m->dest || (source && !m->source))
		return rl_fail(e, ENOMEM, "out of memory");
	m->dest_len = strlen(m->dest);
	return 0;
}

static int add(struct builder *b, const char *dest, enum mnt_kind kind, unsigned flags,
               const char *source, int fd, struct rl_error *e)
{
	return add_entry(b, dest, kind, flags, source, fd, b->config_mounts, e);
}

/* Pin an existing host object; sets *is_dir. */
static int pin(struct builder *b, const char *path, bool *is_dir, struct rl_error *e)
{
	struct stat st;
	int fd = keep_fd(b, open(path, O_PATH | O_CLOEXEC));

	if (fd < 0)
		return rl_fail_errno(e, errno, "%s", path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return rl_fail_errno(e, errno, "%s", path);
	}
	*is_dir = S_ISDIR(st.st_mode);
	return fd;
}

/* Pin <scratch>/<rel>, made just now, and say its host path. */
static int pin_scratch(const struct builder *b, const char *rel, int flags, char *path, size_t size,
                       struct rl_error *e)
{
	int fd = keep_fd(b, openat(b->scratch_fd, rel, O_PATH | O_CLOEXEC | flags));

	if (fd < 0)
		return rl_fail_errno(e, errno, "open %s/%s", b->scratch_path, rel);
	if (snprintf(path, size, "%s/%s", b->scratch_path, rel) >= (int)size) {
		close(fd);
		return rl_fail(e, ENAMETOOLONG, "scratch directory %s: path too long",
		               b->scratch_path);
	}
	return fd;
}

/* A fresh scratch directory <scratch>/mnt/<n>, mode and owner applied. */
static int scratch_dir(struct builder *b, mode_t mode, uid_t uid, gid_t gid, char *path,
                       size_t size, struct rl_error *e)
{
	char rel[64];

	if (mkdirat(b->scratch_fd, SCRATCH, 0711) < 0 && errno != EEXIST)
		return rl_fail_errno(e, errno, "mkdir %s/" SCRATCH, b->scratch_path);
	snprintf(rel, sizeof(rel), SCRATCH "/%u", b->scratch_seq++);
	if (mkdirat(b->scratch_fd, rel, 0700) < 0)
		return rl_fail_errno(e, errno, "mkdir %s/%s", b->scratch_path, rel);
	/* chmod after mkdir: the umask must not trim the mode asked for. */
	if (fchmodat(b->scratch_fd, rel, mode, 0) < 0 ||
	    fchownat(b->scratch_fd, rel, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return rl_fail_errno(e, errno, "set up %s/%s", b->scratch_path, rel);
	return pin_scratch(b, rel, O_DIRECTORY, path, size, e);
}

/* "tmpcopyup": what the image holds at the destination, read inside the
 * root, goes into the scratch directory. Under another mount of the table
 * the destination holds nothing of the image. */
static int tmpfs_copy_up(struct builder *b, const char *dest, int scratch, struct rl_error *e)
{
	_cleanup_free_ struct resolved *res = malloc(sizeof(*res));
	_cleanup_close_ int src = -1, dst = -1;
	char canon[PATH_MAX];

	if (!res)
		return rl_fail(e, ENOMEM, "out of memory");
	if (canonical(dest, canon, sizeof(canon)) < 0 || resolve_in_table(b, canon, 0, res) < 0 ||
	    res->mount >= 0)
		return 0; /* add() reports a bad destination */
	src = in_root(b->rootfs_fd, res->path + 1, RESOLVE_NO_SYMLINKS, O_DIRECTORY);
	if (src < 0)
		return errno == ENOENT || errno == ENOTDIR
		           ? 0
		           : rl_fail_errno(e, errno, "tmpcopyup: %s", res->path);
	dst = openat(scratch, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst < 0 || copy_tree(src, dst, 0) < 0)
		return rl_fail_errno(e, errno, "tmpcopyup: copy %s", res->path);
	return 0;
}

static int add_tmpfs(struct builder *b, const struct oci_mount *m, size_t i, struct rl_error *e)
{
	const char *v;
	unsigned long mode = 01777, uid = 0, gid = 0;
	char path[PATH_MAX];
	int fd;

	if ((v = mount_opt_value(m, "mode")) && mount_parse_num(v, 8, 07777, &mode) < 0)
		return rl_fail(e, EINVAL, "config.json: mounts[%zu].options: mode=%s", i, v);
	if ((v = mount_opt_value(m, "uid")) && mount_parse_num(v, 10, UINT32_MAX - 1, &uid) < 0)
		return rl_fail(e, EINVAL, "config.json: mounts[%zu].options: uid=%s", i, v);
	if ((v = mount_opt_value(m, "gid")) && mount_parse_num(v, 10, UINT32_MAX - 1, &gid) < 0)
		return rl_fail(e, EINVAL, "config.json: mounts[%zu].options: gid=%s", i, v);
	fd = scratch_dir(b, (mode_t)mode, (uid_t)uid, (gid_t)gid, path, sizeof(path), e);
	if (fd < 0)
		return rl_error_prefix(e, "config.json: mounts[%zu]", i);
	/* The last of the pair wins, as with the flags. */
	for (size_t k = m->n_options; k-- > 0;)
		if (strcmp(m->options[k], "tmpcopyup") == 0 ||
		    strcmp(m->options[k], "notmpcopyup") == 0) {
			if (m->options[k][0] == 't' &&
			    tmpfs_copy_up(b, m->destination, fd, e) < 0) {
				close(fd);
				return rl_error_prefix(e, "config.json: mounts[%zu]", i);
			}
			break;
		}
	return add(b, m->destination, MNT_TMPFS, mount_flags(m) | MNT_F_DIR, path, fd, e);
}

/* Whether host directory src is the rootfs or above it. The kernel's
 * working directories of the container stay in the rootfs (the CONTINUE
 * invariant, docs/security.md); a writable bind of a directory above it
 * would let the container rename one of them out of the root, on behalf. */
static bool holds_rootfs(const struct builder *b, const char *src)
{
	char root[PATH_MAX];

	if (fd_path(b->rootfs_fd, root, sizeof(root)) < 0)
		return true; /* cannot tell: refuse */
	return path_below(root, src, strlen(src)) != NULL;
}

static int add_host(struct builder *b, const char *dest, enum mnt_kind kind, unsigned flags,
                    const char *source, struct rl_error *e)
{
	bool dir = false;
	int fd = pin(b, source, &dir, e);

	if (fd < 0)
		return -1;
	return add(b, dest, kind, flags | (dir ? MNT_F_DIR : 0), source, fd, e);
}

/* runc refuses a proc or sysfs destination that exists as anything but a
 * directory, a symlink above all (CVE-2019-19921: the kernel's /proc or
 * /sys, with no maskedPaths, where the image points). The last component is
 * looked at where the container would find it (in the table, the rootfs's
 * symlinks before it followed inside the root), without following it. */
static int ordinary_directory(struct builder *b, const char *dest, const char *type,
                              struct rl_error *e)
{
	_cleanup_free_ struct resolved *res = malloc(sizeof(*res));
	_cleanup_close_ int fd = -1;
	char canon[PATH_MAX];
	struct stat st;
	int r;

	if (!res)
		return rl_fail(e, ENOMEM, "out of memory");
	/* res is freed by its cleanup attribute, which cppcheck does not see. */
	if (canonical(dest, canon, sizeof(canon)) < 0)
		// cppcheck-suppress memleak
		return rl_fail(e, EINVAL, "%s: cannot be a mount destination", dest);
	r = resolve_in_table(b, canon, RESOLVE_F_NOFOLLOW, res);
	if (r == -ENOENT)
		return 0; /* made by the view, as runc would mkdir it */
	if (r < 0)
		return rl_fail(e, -r, "%s: cannot be a mount destination", dest);
	if (res->is_link)
		return rl_fail(
		    e, EINVAL,
		    "mount destination %s: filesystem \"%s\" must be mounted on ordinary "
		    "directory (it is a symlink in the rootfs)",
		    dest, type);
	if (res->mount >= 0)
		return 0; /* inside another mount: not the image's */
	fd = in_root(b->rootfs_fd, res->path + 1, RESOLVE_NO_SYMLINKS, O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : rl_fail_errno(e, errno, "mount destination %s", dest);
	if (fstat(fd, &st) < 0)
		return rl_fail_errno(e, errno, "mount destination %s", dest);
	if (!S_ISDIR(st.st_mode))
		return rl_fail(
		    e, EINVAL,
		    "mount destination %s: filesystem \"%s\" must be mounted on ordinary "
		    "directory",
		    dest, type);
	return 0;
}

static int add_config_mount(struct builder *b, const struct oci_mount *m, size_t i,
                            struct rl_error *e)
{
	const char *type = m->type ? m->type : "";
	unsigned flags = mount_flags(m);

	if (m->destination[0] != '/')
		return rl_fail(e, EINVAL,
		               "config.json: mounts[%zu].destination: %s is not absolute", i,
		               m->destination);
	if (mount_check_options(m, type, i, e) < 0)
		return -1;
	if (strcmp(type, "bind") == 0 || mount_has_opt(m, "bind") || mount_has_opt(m, "rbind")) {
		char src[PATH_MAX];
		if (!m->source)
			return rl_fail(e, EINVAL, "config.json: mounts[%zu].source: missing", i);
		if (!realpath(m->source, src))
			return rl_fail_errno(e, errno, "config.json: mounts[%zu].source: %s", i,
			                     m->source);
		if (!(flags & MNT_F_RO) && holds_rootfs(b, src))
			return rl_fail(
			    e, EPERM,
			    "config.json: mounts[%zu]: a writable bind mount of %s holds "
			    "the container's rootfs: runlock refuses it (a rename there "
			    "could move a working directory out of the root); mount it "
			    "read-only",
			    i, src);
		if (add_host(b, m->destination, MNT_BIND, flags, src, e) < 0)
			return rl_error_prefix(e, "config.json: mounts[%zu]", i);
		return 0;
	}
	if (strcmp(type, "tmpfs") == 0 || strcmp(type, "shm") == 0)
		return add_tmpfs(b, m, i, e);
	if ((strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0) &&
	    ordinary_directory(b, m->destination, type, e) < 0)
		return rl_error_prefix(e, "config.json: mounts[%zu]", i);
	if (strcmp(type, "proc") == 0)
		return add_host(b, m->destination, MNT_PROC, flags, "/proc", e);
	if (strcmp(type, "sysfs") == 0)
		return add_host(b, m->destination, MNT_SYSFS, flags | MNT_F_RO, "/sys", e);
	if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
		return add_host(b, m->destination, MNT_CGROUP, flags | MNT_F_RO, "/sys/fs/cgroup",
		                e);
	if (strcmp(type, "devpts") == 0)
		return add_host(b, m->destination, MNT_DEVPTS, flags, "/dev/pts", e);
	if (strcmp(type, "mqueue") == 0) {
		char path[PATH_MAX];
		int fd = scratch_dir(b, 01777, 0, 0, path, sizeof(path), e);
		if (fd < 0)
			return -1;
		return add(b, m->destination, MNT_MQUEUE, flags | MNT_F_DIR, path, fd, e);
	}
	return rl_fail(e, ENOTSUP, "config.json: mounts[%zu].type: \"%s\" cannot be emulated", i,
	               type);
}

static bool dest_present(const struct builder *b, const char *dest)
{
	for (size_t i = 0; i < b->t->n; i++)
		if (strcmp(b->t->m[i].dest, dest) == 0)
			return true;
	return false;
}

static const struct mnt *find_dest(const struct builder *b, const char *dest)
{
	for (size_t i = 0; i < b->t->n; i++)
		if (strcmp(b->t->m[i].dest, dest) == 0)
			return &b->t->m[i];
	return NULL;
}

/* /dev as runc leaves it in its tmpfs: the standard nodes (each one a
 * MNT_DEVICE entry over an empty placeholder, so `ls /dev` lists it), the
 * pts, shm and mqueue directories, and the symlinks. */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
static const struct {
	const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

static int placeholder(int dirfd, const char *rel, bool dir)
{
	char buf[PATH_MAX];

	/* Parents first (linux.devices may name /dev/net/tun). */
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (dir)
		return mkdirat(dirfd, rel, 0755) < 0 && errno != EEXIST ? -1 : 0;
	{
		int fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int populate_dev(struct builder *b, const struct mnt *dev, const char *console,
                        struct rl_error *e)
{
	_cleanup_close_ int dirfd = -1;
	char dest[64];

	if (dev->kind != MNT_TMPFS)
		return 0; /* a bind-mounted /dev is the host's business */
	dirfd = openat(dev->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return rl_fail_errno(e, errno, "open %s", dev->source);
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlinkat(dev_links[i].target, dirfd, dev_links[i].name) < 0 && errno != EEXIST)
			return rl_fail_errno(e, errno, "/dev/%s", dev_links[i].name);
	for (const char *d = "pts\0shm\0mqueue\0"; *d; d += strlen(d) + 1)
		if (placeholder(dirfd, d, true) < 0)
			return rl_fail_errno(e, errno, "/dev/%s", d);
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		char src[32];
		snprintf(dest, sizeof(dest), "/dev/%s", dev_nodes[i]);
		snprintf(src, sizeof(src), "/dev/%s", dev_nodes[i]);
		if (placeholder(dirfd, dev_nodes[i], false) < 0)
			return rl_fail_errno(e, errno, "%s", dest);
		if (!dest_present(b, dest) && add_host(b, dest, MNT_DEVICE, 0, src, e) < 0)
			return -1;
	}
	if (console) {
		if (placeholder(dirfd, "console", false) < 0)
			return rl_fail_errno(e, errno, "/dev/console");
		if (add_host(b, "/dev/console", MNT_DEVICE, 0, console, e) < 0)
			return -1;
	}
	return 0;
}

/* The host node of a linux.devices entry, by its numbers. */
static int host_device(const struct oci_device *d, char *out, size_t size)
{
	char path[96], line[512];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "/sys/dev/%s/%lld:%lld/uevent",
	         strcmp(d->type, "b") == 0 ? "block" : "char", (long long)d->major,
	         (long long)d->minor);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "DEVNAME=", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, size, "/dev/%s", line + 8);
			return 0;
		}
	errno = ENOENT;
	return -1;
}

static int add_devices(struct builder *b, const struct oci_config *c, struct rl_error *e)
{
	const struct mnt *dev = find_dest(b, "/dev");
	_cleanup_close_ int dirfd = -1;

	if (!c->linux_ || c->linux_->n_devices == 0)
		return 0;
	if (dev && dev->kind == MNT_TMPFS)
		dirfd = openat(dev->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < c->linux_->n_devices; i++) {
		const struct oci_device *d = &c->linux_->devices[i];
		char src[PATH_MAX], canon[PATH_MAX];
		if (strcmp(d->type, "p") == 0)
			return rl_fail(e, ENOTSUP,
			               "config.json: linux.devices[%zu]: a FIFO device is "
			               "not emulated",
			               i);
		if (host_device(d, src, sizeof(src)) < 0)
			return rl_fail_errno(e, errno,
			                     "config.json: linux.devices[%zu]: no host node "
			                     "for %lld:%lld",
			                     i, (long long)d->major, (long long)d->minor);
		if (canonical(d->path, canon, sizeof(canon)) < 0)
			return rl_fail(e, EINVAL, "config.json: linux.devices[%zu].path", i);
		/* runc replaces a /dev/ptmx node with the pts/ptmx link it
		 * makes anyway; the view already has that link. */
		if (dirfd >= 0 && strcmp(canon, "/dev/ptmx") == 0)
			continue;
		if (dirfd >= 0 && strncmp(canon, "/dev/", 5) == 0 &&
		    placeholder(dirfd, canon + 5, false) < 0)
			return rl_fail_errno(e, errno, "config.json: linux.devices[%zu].path", i);
		if (add_host(b, canon, MNT_DEVICE, 0, src, e) < 0)
			return rl_error_prefix(e, "config.json: linux.devices[%zu]", i);
	}
	return 0;
}

static int empty_object(struct builder *b, bool dir, char *path, size_t size, struct rl_error *e)
{
	const char *rel = dir ? SCRATCH "/empty-dir" : SCRATCH "/empty";

	if (mkdirat(b->scratch_fd, SCRATCH, 0711) < 0 && errno != EEXIST)
		return rl_fail_errno(e, errno, "mkdir %s/" SCRATCH, b->scratch_path);
	if (dir) {
		if (mkdirat(b->scratch_fd, rel, 0555) < 0 && errno != EEXIST)
			return rl_fail_errno(e, errno, "mkdir %s/%s", b->scratch_path, rel);
	} else {
		int w =
		    openat(b->scratch_fd, rel, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
		if (w < 0)
			return rl_fail_errno(e, errno, "create %s/%s", b->scratch_path, rel);
		close(w);
	}
	return pin_scratch(b, rel, 0, path, size, e);
}

/* The object a maskedPaths or readonlyPaths entry names, as the container
 * will see it, pinned O_PATH into *out (-1 when it does not exist: skipped,
 * as runc skips it). `canon` becomes the resolved destination and *holder the entry
 * that holds it (NULL: the rootfs).
 *
 * Nothing is opened by a host path: the destination is resolved in the
 * table (rootfs symlinks followed inside the root, mounts entered), then
 * the object is opened beneath what holds it with RESOLVE_IN_ROOT and no
 * symlink at all. An image symlink can therefore move the entry to another
 * place of the container's own tree (as runc's bind over the resolved path
 * does) but never pin a host object outside the rootfs and the mount
 * sources (issue 14, item 8: /proc/sys once pinned the host's "/"). A
 * symlink met inside a mount is not followed: ELOOP, refused. */
static int path_rule_object(struct builder *b, char *canon, size_t size, const struct mnt **holder,
                            int *out, struct rl_error *e)
{
	_cleanup_free_ struct resolved *res = malloc(sizeof(*res));
	const struct mnt *h = NULL;
	int fd, dirfd = b->rootfs_fd;
	const char *rel;

	*out = -1;
	if (!res)
		return rl_fail(e, ENOMEM, "out of memory");
	/* A final symlink inside a mount stays what it is (a mask hides the
	 * name); one of the rootfs is followed, as runc's mount(2) would. */
	if ((fd = resolve_in_table(b, canon, 0, res)) < 0) {
		if (fd == -ENOENT || fd == -ENOTDIR)
			return 0;
		return rl_fail(e, -fd, "%s: cannot be resolved in the rootfs", canon);
	}
	if (strcmp(res->path, "/") == 0)
		return rl_fail(e, EINVAL, "%s: resolves to the container's root", canon);
	if (res->mount >= 0) {
		h = &b->t->m[res->mount];
		if (h->fd < 0 || h->kind == MNT_MASK)
			return 0; /* below a mask: nothing there */
		dirfd = h->fd;
		rel = res->rel;
	} else {
		rel = res->path + 1;
	}
	if (*rel == '\0')
		fd = fcntl(dirfd, F_DUPFD_CLOEXEC, b->base_fd);
	else
		fd = keep_fd(b, in_root(dirfd, rel, RESOLVE_NO_SYMLINKS, O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return rl_fail_errno(e, errno, "%s (resolved to %s)", canon, res->path);
	}
	snprintf(canon, size, "%s", res->path);
	*holder = h;
	*out = fd;
	return 0;
}

/* maskedPaths read as empty and read-only (device nodes as /dev/null);
 * readonlyPaths become read-only.
 * A path that does not exist is skipped, as runc does. */
static int add_path_rules(struct builder *b, char **paths, size_t n, bool mask, const char *field,
                          struct rl_error *e)
{
	for (size_t i = 0; i < n; i++) {
		char canon[PATH_MAX], src[PATH_MAX], host[PATH_MAX];
		const struct mnt *holder = NULL;
		_cleanup_close_ int obj = -1;
		struct stat st;
		bool dir;
		int fd;
		if (canonical(paths[i], canon, sizeof(canon)) < 0)
			return rl_fail(e, EINVAL, "config.json: linux.%s[%zu]: %s", field, i,
			               paths[i]);
		if (path_rule_object(b, canon, sizeof(canon), &holder, &obj, e) < 0)
			return rl_error_prefix(e, "config.json: linux.%s[%zu]", field, i);
		if (obj < 0)
			continue;
		if (fstat(obj, &st) < 0)
			return rl_fail_errno(e, errno, "config.json: linux.%s[%zu]: %s", field, i,
			                     canon);
		dir = S_ISDIR(st.st_mode);
		if (mask && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
			/* A device node is masked with /dev/null, as runc does:
			 * still a character device, reads end at once, writes
			 * vanish. */
			if (add_host(b, canon, MNT_DEVICE, 0, "/dev/null", e) < 0)
				return rl_error_prefix(e, "config.json: linux.%s[%zu]", field, i);
		} else if (mask) {
			fd = empty_object(b, dir, src, sizeof(src), e);
			if (fd < 0 || add(b, canon, MNT_MASK, MNT_F_RO | (dir ? MNT_F_DIR : 0), src,
			                  fd, e) < 0)
				return rl_error_prefix(e, "config.json: linux.%s[%zu]", field, i);
		} else {
			enum mnt_kind kind = holder ? holder->kind : MNT_BIND;
			unsigned flags = (holder ? holder->flags : 0) | MNT_F_RO;
			/* Beneath the rootfs or a mount, the object is covered by
			 * their Landlock rule; the same object as the mount (a
			 * readonlyPaths entry on its destination) replaces it and
			 * so must carry the rule itself. */
			if (!holder || strcmp(holder->dest, canon) != 0)
				flags |= MNT_F_INNER;
			if (S_ISLNK(st.st_mode))
				return rl_fail(e, ELOOP,
				               "config.json: linux.%s[%zu]: %s: a symlink inside a "
				               "mount is not followed",
				               field, i, canon);
			if (fd_path(obj, host, sizeof(host)) < 0)
				snprintf(host, sizeof(host), "%s", canon);
			flags |= dir ? MNT_F_DIR : 0;
			if (add(b, canon, kind, flags, host, steal_fd(&obj), e) < 0)
				return rl_error_prefix(e, "config.json: linux.%s[%zu]", field, i);
		}
	}
	return 0;
}

int mount_table_build(const struct oci_config *c, const char *rootfs, int scratch_fd,
                      const char *console, int base_fd, struct mount_table *t, struct rl_error *e)
{
	struct builder b = {.t = t, .scratch_fd = scratch_fd, .base_fd = base_fd};
	_cleanup_close_ int rootfs_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	memset(t, 0, sizeof(*t));
	if (rootfs_fd < 0)
		return rl_fail_errno(e, errno, "rootfs %s", rootfs);
	b.rootfs_fd = rootfs_fd;
	r = fd_path(scratch_fd, b.scratch_path, sizeof(b.scratch_path));
	if (r < 0)
		return rl_fail_errno(e, -r, "scratch directory");
	/* For the supervisor: /proc's listing and merged directories. */
	t->scratch_fd = fcntl(scratch_fd, F_DUPFD_CLOEXEC, base_fd);
	if (t->scratch_fd < 0) {
		t->scratch_fd = 0;
		return rl_fail_errno(e, errno, "scratch directory");
	}
	b.config_mounts = true;
	for (size_t i = 0; r == 0 && i < c->n_mounts; i++)
		r = add_config_mount(&b, &c->mounts[i], i, e);
	b.config_mounts = false;
	/* What runc provides when the config does not. */
	if (r == 0 && !dest_present(&b, "/dev")) {
		char path[PATH_MAX];
		int fd = scratch_dir(&b, 0755, 0, 0, path, sizeof(path), e);
		r = fd < 0 ? -1 : add(&b, "/dev", MNT_TMPFS, MNT_F_DIR | MNT_F_NOSUID, path, fd, e);
	}
	if (r == 0 && !dest_present(&b, "/dev/pts"))
		r = add_host(&b, "/dev/pts", MNT_DEVPTS, MNT_F_NOSUID | MNT_F_NOEXEC, "/dev/pts",
		             e);
	if (r == 0 && !dest_present(&b, "/dev/shm")) {
		char path[PATH_MAX];
		int fd = scratch_dir(&b, 01777, 0, 0, path, sizeof(path), e);
		r = fd < 0
		        ? -1
		        : add(&b, "/dev/shm", MNT_TMPFS,
		              MNT_F_DIR | MNT_F_NOSUID | MNT_F_NODEV | MNT_F_NOEXEC, path, fd, e);
	}
	if (r == 0 && !dest_present(&b, "/dev/mqueue")) {
		char path[PATH_MAX];
		int fd = scratch_dir(&b, 01777, 0, 0, path, sizeof(path), e);
		r = fd < 0 ? -1 : add(&b, "/dev/mqueue", MNT_MQUEUE, MNT_F_DIR, path, fd, e);
	}
	if (r == 0)
		r = populate_dev(&b, find_dest(&b, "/dev"), console, e);
	if (r == 0)
		r = add_devices(&b, c, e);
	/* readonlyPaths before maskedPaths, as runc applies them (and lists
	 * them in mountinfo); a path in both ends masked either way. */
	if (r == 0 && c->linux_)
		r = add_path_rules(&b, c->linux_->readonly_paths, c->linux_->n_readonly_paths,
		                   false, "readonlyPaths", e);
	if (r == 0 && c->linux_)
		r = add_path_rules(&b, c->linux_->masked_paths, c->linux_->n_masked_paths, true,
		                   "maskedPaths", e);
	if (r < 0) {
		mount_table_free(t);
		return -1;
	}
	qsort(t->m, t->n, sizeof(*t->m), by_dest);
	return 0;
}
