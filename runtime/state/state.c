#include "runtime/state/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/proc.h"

#define STATE_FILE     "state.json"
#define STATE_MAX_SIZE (4u * 1024u * 1024u)

int state_validate_id(const char *id, struct rl_error *e)
{
	size_t len = strlen(id);

	if (len == 0 || len > CONTAINER_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return rl_fail(e, EINVAL, "invalid id format: %.64s%s", id, len > 64 ? "..." : "");
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return rl_fail(e, EINVAL, "invalid id format: %.64s%s", id,
			               len > 64 ? "..." : "");
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int state_open_root(const char *root, struct rl_error *e)
{
	int fd;

	if (mkdir_p(root, 0700) < 0)
		return rl_fail_errno(e, errno, "create state directory %s", root);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rl_fail_errno(e, errno, "open state directory %s", root);
	return fd;
}

static int lock_dir(int fd, struct rl_error *e)
{
	struct stat st;

	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return rl_fail_errno(e, errno, "lock container");
	/* A container removed while we waited leaves us holding an unlinked
	 * directory. */
	if (fstat(fd, &st) < 0)
		return rl_fail_errno(e, errno, "stat container");
	if (st.st_nlink == 0)
		return rl_fail(e, ENOENT, "container does not exist");
	return 0;
}

int state_dir_create(const char *root, const char *id, struct container_dir *d, struct rl_error *e)
{
	_cleanup_close_ int root_fd = -1, fd = -1;

	if (state_validate_id(id, e) < 0)
		return -1;
	root_fd = state_open_root(root, e);
	if (root_fd < 0)
		return -1;
	if (mkdirat(root_fd, id, 0700) < 0) {
		if (errno == EEXIST)
			return rl_fail(e, EEXIST, "container with id exists: %s", id);
		return rl_fail_errno(e, errno, "create container directory %s/%s", root, id);
	}
	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return rl_fail_errno(e, errno, "open container directory %s/%s", root, id);
	if (lock_dir(fd, e) < 0) {
		/* delete --force removed our fresh directory before we locked it. */
		return rl_fail(e, EEXIST, "container with id exists: %s", id);
	}
	d->root_fd = steal_fd(&root_fd);
	d->fd = steal_fd(&fd);
	snprintf(d->id, sizeof(d->id), "%s", id);
	return 0;
}

int state_dir_open(const char *root, const char *id, bool lock, bool require_state,
                   struct container_dir *d, struct rl_error *e)
{
	_cleanup_close_ int root_fd = -1, fd = -1;

	if (state_validate_id(id, e) < 0)
		return -1;
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		if (errno == ENOENT)
			return rl_fail(e, ENOENT, "container does not exist");
		return rl_fail_errno(e, errno, "open state directory %s", root);
	}
	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return rl_fail(e, ENOENT, "container does not exist");
		return rl_fail_errno(e, errno, "open container directory %s/%s", root, id);
	}
	if (lock && lock_dir(fd, e) < 0)
		return -1;
	if (require_state && faccessat(fd, STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return rl_fail(e, ENOENT, "container does not exist");
	d->root_fd = steal_fd(&root_fd);
	d->fd = steal_fd(&fd);
	snprintf(d->id, sizeof(d->id), "%s", id);
	return 0;
}

/* Remove what is below dirfd/name, then it, never following a symlink:
 * the scratch tree (<root>/@scratch/<id>) holds the container's tmpfs directories, whatever it put
 * there. Best effort: what cannot go stays, and the caller's final rmdir
 * reports it. */
static void remove_tree(int parent, const char *name, int depth)
{
	int fd;
	DIR *dir;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
		return;
	if (depth > 256)
		return;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			remove_tree(dirfd(dir), de->d_name, depth + 1);
	closedir(dir);
	unlinkat(parent, name, AT_REMOVEDIR);
}

int state_dir_remove(struct container_dir *d, struct rl_error *e)
{
	_cleanup_close_ int dup_fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 3);
	DIR *dir;
	struct dirent *de;

	if (dup_fd < 0)
		return rl_fail_errno(e, errno, "remove container %s", d->id);
	dir = fdopendir(dup_fd);
	if (!dir)
		return rl_fail_errno(e, errno, "remove container %s", d->id);
	dup_fd = -1; /* owned by dir now */
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		remove_tree(d->fd, de->d_name, 0);
	}
	closedir(dir);
	if (unlinkat(d->root_fd, d->id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return rl_fail_errno(e, errno, "remove container directory %s", d->id);
	return 0;
}

void state_dir_close(struct container_dir *d)
{
	if (d->fd >= 0)
		close(d->fd); /* releases the flock */
	if (d->root_fd >= 0)
		close(d->root_fd);
	d->fd = d->root_fd = -1;
}

int state_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                            struct rl_error *e)
{
	char tmp[256];
	_cleanup_close_ int fd = -1;
	const char *p = data;
	size_t left = len;

	snprintf(tmp, sizeof(tmp), ".%.200s.tmp-%d", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return rl_fail_errno(e, errno, "write %s", name);
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			unlinkat(dirfd, tmp, 0);
			return rl_fail_errno(e, err, "write %s", name);
		}
		p += n;
		left -= (size_t)n;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int err = errno;
		unlinkat(dirfd, tmp, 0);
		return rl_fail_errno(e, err, "rename %s", name);
	}
	return 0;
}

const char *state_status_name(enum container_status st)
{
	switch (st) {
	case STATUS_CREATING:
		return "creating";
	case STATUS_CREATED:
		return "created";
	case STATUS_RUNNING:
		return "running";
	case STATUS_PAUSED:
		return "paused";
	case STATUS_STOPPED:
		break;
	}
	return "stopped";
}

static int status_from_name(const char *s, enum container_status *st)
{
	static const enum container_status all[] = {STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING,
	                                            STATUS_PAUSED, STATUS_STOPPED};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, state_status_name(all[i])) == 0) {
			*st = all[i];
			return 0;
		}
	return -1;
}

enum container_status state_refresh(struct container_state *s)
{
	if (s->status == STATUS_STOPPED || !proc_is_alive(s->pid, s->start_time)) {
		s->status = STATUS_STOPPED;
		s->pid = 0;
	}
	return s->status;
}

#define GEN_STR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static int gen_state(yajl_gen g, const struct container_state *s, bool internal)
{
	yajl_gen_map_open(g);
	GEN_STR(g, "ociVersion");
	GEN_STR(g, "1.2.0");
	GEN_STR(g, "id");
	GEN_STR(g, s->id);
	GEN_STR(g, "pid");
	yajl_gen_integer(g, s->pid);
	GEN_STR(g, "status");
	GEN_STR(g, state_status_name(s->status));
	GEN_STR(g, "bundle");
	GEN_STR(g, s->bundle ? s->bundle : "");
	GEN_STR(g, "rootfs");
	GEN_STR(g, s->rootfs ? s->rootfs : "");
	GEN_STR(g, "created");
	GEN_STR(g, s->created);
	GEN_STR(g, "owner");
	GEN_STR(g, s->owner ? s->owner : "");
	if (s->n_annotations > 0 || (!internal && s->oom_kills > 0)) {
		GEN_STR(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < s->n_annotations; i++) {
			GEN_STR(g, s->annotations[i].key);
			GEN_STR(g, s->annotations[i].value);
		}
		if (!internal && s->oom_kills > 0) {
			char n[32];
			snprintf(n, sizeof(n), "%" PRIu64, s->oom_kills);
			GEN_STR(g, STATE_OOM_ANNOTATION);
			GEN_STR(g, n);
		}
		yajl_gen_map_close(g);
	}
	if (internal) {
		char buf[32];
		/* As a string: yajl integers are signed 64-bit. */
		snprintf(buf, sizeof(buf), "%" PRIu64, s->start_time);
		GEN_STR(g, "runlockInitStartTime");
		GEN_STR(g, buf);
	}
	return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -1;
}

static int gen_to_string(const struct container_state *s, bool pretty, bool internal, char **json,
                         size_t *len, struct rl_error *e)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t n;
	int r = -1;

	if (!g)
		return rl_fail(e, ENOMEM, "state: out of memory");
	yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	if (gen_state(g, s, internal) == 0 && yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok) {
		*json = malloc(n + 1);
		if (*json) {
			memcpy(*json, buf, n);
			(*json)[n] = '\0';
			/* yajl's beautifier ends with a newline; runc's does not. */
			while (n > 0 && (*json)[n - 1] == '\n')
				(*json)[--n] = '\0';
			*len = n;
			r = 0;
		}
	}
	yajl_gen_free(g);
	if (r < 0)
		rl_fail(e, ENOMEM, "state: cannot encode JSON");
	return r;
}

int state_to_json(const struct container_state *s, bool pretty, char **json, size_t *len,
                  struct rl_error *e)
{
	return gen_to_string(s, pretty, false, json, len, e);
}

int state_write(const struct container_dir *d, const struct container_state *s, struct rl_error *e)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (gen_to_string(s, false, true, &json, &len, e) < 0)
		return -1;
	return state_write_file_atomic(d->fd, STATE_FILE, json, len, 0600, e);
}

static const char *tree_str(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

uint64_t state_read_oom_kills(const struct container_dir *d)
{
	_cleanup_close_ int fd = openat(d->fd, STATE_OOM_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[32];
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

int state_read(const struct container_dir *d, struct container_state *s, struct rl_error *e)
{
	_cleanup_close_ int fd = openat(d->fd, STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	char errbuf[256];
	size_t len = 0;
	struct stat st;
	yajl_val root, v;
	const char *str;

	memset(s, 0, sizeof(*s));
	if (fd < 0) {
		if (errno == ENOENT)
			return rl_fail(e, ENOENT, "container does not exist");
		return rl_fail_errno(e, errno, "read state of %s", d->id);
	}
	if (fstat(fd, &st) < 0 || st.st_size > STATE_MAX_SIZE)
		return rl_fail(e, EINVAL, "state of %s: unreadable or too large", d->id);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return rl_fail(e, ENOMEM, "read state of %s: out of memory", d->id);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	if (!root || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return rl_fail(e, EINVAL, "state of %s is corrupt", d->id);
	}
	snprintf(s->id, sizeof(s->id), "%s", d->id);
	s->bundle = dup_or_null(tree_str(root, "bundle"));
	s->rootfs = dup_or_null(tree_str(root, "rootfs"));
	s->owner = dup_or_null(tree_str(root, "owner"));
	str = tree_str(root, "created");
	snprintf(s->created, sizeof(s->created), "%s", str ? str : "");
	str = tree_str(root, "runlockInitStartTime");
	s->start_time = str ? strtoull(str, NULL, 10) : 0;
	{
		const char *path[] = {"pid", NULL};
		v = yajl_tree_get(root, path, yajl_t_number);
		s->pid = v && YAJL_IS_INTEGER(v) ? (pid_t)YAJL_GET_INTEGER(v) : 0;
	}
	str = tree_str(root, "status");
	if (!str || status_from_name(str, &s->status) < 0)
		s->status = STATUS_STOPPED;
	{
		const char *path[] = {"annotations", NULL};
		v = yajl_tree_get(root, path, yajl_t_object);
		if (v && YAJL_GET_OBJECT(v)->len > 0) {
			size_t n = YAJL_GET_OBJECT(v)->len;
			s->annotations = calloc(n, sizeof(*s->annotations));
			for (size_t i = 0; s->annotations && i < n; i++) {
				yajl_val val = YAJL_GET_OBJECT(v)->values[i];
				s->annotations[i].key = strdup(YAJL_GET_OBJECT(v)->keys[i]);
				s->annotations[i].value =
				    strdup(YAJL_IS_STRING(val) ? YAJL_GET_STRING(val) : "");
				s->n_annotations = i + 1;
			}
		}
	}
	yajl_tree_free(root);
	s->oom_kills = state_read_oom_kills(d);
	return 0;
}

void state_free(struct container_state *s)
{
	free(s->bundle);
	free(s->rootfs);
	free(s->owner);
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	memset(s, 0, sizeof(*s));
}

int state_write_pid_file(const char *path, pid_t pid, struct rl_error *e)
{
	const char *base;
	_cleanup_close_ int dirfd = path_open_parent(path, O_RDONLY, &base, "pid file", e);
	char num[32];
	int n = snprintf(num, sizeof(num), "%d", (int)pid);

	if (dirfd < 0)
		return -1;
	if (state_write_file_atomic(dirfd, base, num, (size_t)n, 0644, e) < 0)
		return rl_error_prefix(e, "pid file %s", path);
	return 0;
}
