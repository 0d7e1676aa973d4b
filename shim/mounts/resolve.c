/* The container path resolver (shim/mounts/resolve.h).
 *
 * The walk keeps the canonical path resolved so far in out->path (length
 * plen, "" standing for "/" until the end) and the part still to resolve in
 * a work buffer, right-aligned: a followed symlink's target is prepended in
 * place, before what remains, so nothing is ever allocated. */
#include <errno.h>
#include <string.h>

#include "common/path.h"
#include "shim/mounts/resolve.h"

#define REST_MAX (2 * PATH_MAX)

struct walk {
	const struct resolve_req *r;
	const struct mount_table *t;
	struct resolved *out;
	size_t plen;    /* out->path[0..plen) */
	int mnt;        /* innermost mount holding out->path; -1: the rootfs */
	size_t miss;    /* plen just past a component that does not exist; 0: none */
	unsigned links; /* symlinks followed */
	bool tail;      /* the result must be a directory */
	size_t pos;     /* what remains to resolve is rest[pos..REST_MAX) */
	char rest[REST_MAX];
};

/* Innermost mount holding p[0..len): the longest destination that is p or a
 * prefix of it ending before a '/'. */
static int mount_of(const struct mount_table *t, const char *p, size_t len)
{
	while (len > 0) {
		int i = mount_table_find(t, p, len);

		if (i >= 0)
			return i;
		while (p[--len] != '/')
			;
	}
	return -1;
}

/* Whether a path (or a symlink body) asks for a directory: a trailing '/', or
 * a last component "." or "..". */
static bool ends_dir(const char *s, size_t len)
{
	size_t i = len;

	if (len == 0)
		return false;
	if (s[len - 1] == '/')
		return true;
	while (i > 0 && s[i - 1] != '/')
		i--;
	return (len - i == 1 && s[i] == '.') || (len - i == 2 && s[i] == '.' && s[i + 1] == '.');
}

/* Only slashes and "." components left: the component just taken is the
 * last one that names something. */
static bool last_name(const struct walk *w)
{
	for (size_t i = w->pos; i < REST_MAX; i++) {
		if (w->rest[i] == '/')
			continue;
		if (w->rest[i] == '.' && (i + 1 == REST_MAX || w->rest[i + 1] == '/'))
			continue;
		return false;
	}
	return true;
}

/* At the root of a mount whose destination is a file: nothing lies below. */
static bool in_file_mount(const struct walk *w)
{
	const struct mnt *m = w->mnt >= 0 ? &w->t->m[w->mnt] : NULL;

	return m && w->plen == m->dest_len && !(m->flags & MNT_F_DIR);
}

static const char *rel_of(const struct walk *w)
{
	const char *p = w->out->path;
	size_t d;

	if (w->mnt < 0)
		return p + 1;
	d = w->t->m[w->mnt].dest_len;
	return p + d + (w->plen > d);
}

/* Follow the symlink just appended (its parent is p[0..parent)) to target
 * s[0..n), which may lie in the free front of the work buffer. */
static int follow(struct walk *w, const char *s, size_t n, size_t parent, bool last)
{
	bool sep = w->pos < REST_MAX;
	bool abs;

	if (++w->links > RESOLVE_MAX_LINKS)
		return -ELOOP;
	if (n == 0)
		return -ENOENT; /* as the kernel does for an empty target */
	if (n + sep > w->pos)
		return -ENAMETOOLONG;
	abs = s[0] == '/';
	/* The body's last component becomes the path's, and its own trailing
	 * slash asks for a directory as the caller's would. */
	if (last)
		w->tail |= ends_dir(s, n);
	if (sep)
		w->rest[--w->pos] = '/';
	w->pos -= n;
	memmove(w->rest + w->pos, s, n);
	if (abs) {
		w->plen = 0;
		w->mnt = -1;
		w->miss = 0;
	} else {
		/* The link was not a mount destination: its parent is in the
		 * same mount. */
		w->plen = parent;
	}
	w->out->path[w->plen] = '\0';
	return 0;
}

static int dotdot(struct walk *w)
{
	char *p = w->out->path;

	/* The kernel would have failed on the missing directory itself. */
	if (w->miss && w->plen >= w->miss)
		return -ENOENT;
	if (in_file_mount(w))
		return -ENOTDIR;
	if (w->plen == 0)
		return 0;
	while (p[--w->plen] != '/')
		;
	p[w->plen] = '\0';
	/* Still below the same destination: no deeper one can hold a prefix. */
	if (w->mnt >= 0 && w->t->m[w->mnt].dest_len > w->plen)
		w->mnt = mount_of(w->t, p, w->plen);
	return 0;
}

static const char *skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

enum proc_node {
	PROC_NOT_PID, /* not below a pid directory: an ordinary name */
	PROC_DIR,     /* a directory below a pid directory: nothing to read */
	PROC_MAGIC,   /* a magic link, by name */
	PROC_OTHER,   /* read it; should it be a symlink, it is a magic one too */
};

/* `rel`: a path below a proc mount, at least two components deep. */
static enum proc_node proc_classify(const char *rel)
{
	static const char *const link_dirs[] = {"fd", "ns", "map_files"};
	const char *s = skip_digits(rel);

	if (s == rel || *s != '/')
		return PROC_NOT_PID;
	s++;
	if (strncmp(s, "task", 4) == 0 && (s[4] == '\0' || s[4] == '/')) {
		const char *tid = s + 5, *e;

		if (s[4] == '\0')
			return PROC_DIR;
		e = skip_digits(tid);
		if (e == tid || (*e != '\0' && *e != '/'))
			return PROC_OTHER;
		if (*e == '\0')
			return PROC_DIR;
		s = e + 1;
	}
	if (strcmp(s, "cwd") == 0 || strcmp(s, "root") == 0 || strcmp(s, "exe") == 0)
		return PROC_MAGIC;
	for (size_t i = 0; i < sizeof(link_dirs) / sizeof(link_dirs[0]); i++) {
		size_t l = strlen(link_dirs[i]);

		if (strncmp(s, link_dirs[i], l) != 0)
			continue;
		if (s[l] == '\0')
			return PROC_DIR;
		if (s[l] == '/')
			return strchr(s + l + 1, '/') ? PROC_OTHER : PROC_MAGIC;
	}
	return PROC_OTHER;
}

static size_t put_int(char *buf, long long v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	if (v < 0)
		buf[len++] = '-';
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

/* A final magic link: stop on it. Anywhere else: refuse to go through. */
static int magic(struct walk *w, bool last, bool follow_it)
{
	if (!last)
		return -EXDEV;
	w->out->magic = true;
	w->out->is_link = !follow_it;
	return 0;
}

/* The component just appended inside a proc mount: 1 when it is to be read
 * (*magic_if_link: a symlink there is a magic one), else step()'s result. */
static int proc_step(struct walk *w, size_t parent, bool last, bool follow_it, bool *magic_if_link)
{
	const struct mnt *m = &w->t->m[w->mnt];
	const char *name = w->out->path + parent + 1;
	size_t n = w->plen - parent - 1, len;
	char buf[64];

	if (parent > m->dest_len) {
		switch (proc_classify(w->out->path + m->dest_len + 1)) {
		case PROC_NOT_PID:
			return 1;
		case PROC_DIR:
			return 0;
		case PROC_MAGIC:
			/* Every process of the container has its root: the
			 * container's. Followed, it is the root's own "/". */
			if (follow_it && n == 4 && memcmp(name, "root", 4) == 0)
				return follow(w, "/", 1, parent, last);
			return magic(w, last, follow_it);
		case PROC_OTHER:
			*magic_if_link = true;
			return 1;
		}
	}
	if (n == 4 && memcmp(name, "self", 4) == 0) {
		len = put_int(buf, w->r->pid);
	} else if (n == 1 && name[0] == '1' && w->r->init_pid > 1) {
		/* pid 1 of a pid namespace: the container's init, a directory
		 * under its host pid (no symlink to follow or report). */
		len = put_int(buf, w->r->init_pid);
		if (parent + 1 + len >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(w->out->path + parent + 1, buf, len);
		w->plen = parent + 1 + len;
		w->out->path[w->plen] = '\0';
		return 0;
	} else if (n == 11 && memcmp(name, "thread-self", 11) == 0) {
		len = put_int(buf, w->r->pid);
		memcpy(buf + len, "/task/", 6);
		len += 6;
		len += put_int(buf + len, w->r->tid);
	} else {
		return path_is_number(name, n) ? 0 : 1; /* a pid directory is no symlink */
	}
	if (!follow_it) {
		w->out->is_link = true;
		return 0;
	}
	return follow(w, buf, len, parent, last);
}

/* The component c[0..n), not "." or "..". */
static int step(struct walk *w, const char *c, size_t n)
{
	const struct resolve_fs *fs = w->r->fs;
	char *p = w->out->path;
	size_t parent = w->plen;
	const struct mnt_link *l;
	bool last, follow_it, proc_magic = false;
	int i, ret;

	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	if (in_file_mount(w))
		return -ENOTDIR;
	if (parent + 1 + n >= PATH_MAX)
		return -ENAMETOOLONG;
	last = last_name(w);
	follow_it = !last || !(w->r->flags & RESOLVE_F_NOFOLLOW) || w->tail;
	p[parent] = '/';
	memcpy(p + parent + 1, c, n);
	w->plen = parent + 1 + n;
	p[w->plen] = '\0';
	/* c lies in the free front of the work buffer: from here on, only the
	 * copy in p is used. */

	l = mount_table_link(w->t, p, w->plen);
	if (l) {
		w->out->crossed = true;
		if (!follow_it) {
			w->out->table_link = l;
			w->out->is_link = true;
			return 0;
		}
		return follow(w, l->target, strlen(l->target), parent, last);
	}
	i = mount_table_find(w->t, p, w->plen);
	if (i >= 0) {
		w->mnt = i;
		w->out->crossed = true;
		return 0;
	}
	if (w->miss && parent >= w->miss)
		return 0; /* below a missing directory: nothing to read */

	if (w->mnt >= 0 && w->t->m[w->mnt].kind == MNT_PROC) {
		ret = proc_step(w, parent, last, follow_it, &proc_magic);
		if (ret <= 0)
			return ret;
	}

	/* pos >= n >= 1: the component was just taken from the buffer. */
	ret = fs->readlink(fs->ctx, w->mnt, rel_of(w), w->rest, w->pos);
	if (ret == -EINVAL)
		return 0;
	if (ret == -ENOENT) {
		if (mount_table_has_below(w->t, p, w->plen))
			w->out->crossed = true; /* runc would have created it */
		else
			w->miss = w->plen;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (proc_magic)
		return magic(w, last, follow_it);
	if (!follow_it) {
		w->out->is_link = true;
		return 0;
	}
	if ((size_t)ret >= w->pos)
		return -ENAMETOOLONG;
	return follow(w, w->rest, (size_t)ret, parent, last);
}

static int start_at_base(struct walk *w)
{
	const char *b = w->r->base;
	size_t len;

	if (!b || b[0] != '/')
		return -ENOENT;
	len = strnlen(b, PATH_MAX);
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	while (len > 0 && b[len - 1] == '/')
		len--;
	memcpy(w->out->path, b, len);
	w->out->path[len] = '\0';
	w->plen = len;
	w->mnt = mount_of(w->t, w->out->path, len);
	if (w->mnt >= 0)
		w->out->crossed = true;
	return 0;
}

int resolve(const struct resolve_req *r, struct resolved *out)
{
	struct walk w;
	size_t len;
	int ret;

	out->path[0] = '\0';
	out->mount = -1;
	out->rel = out->path;
	out->trailing_slash = out->is_link = out->magic = out->crossed = false;
	out->table_link = NULL;
	if (!r->path)
		return -EFAULT;
	len = strnlen(r->path, PATH_MAX);
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 && !(r->flags & RESOLVE_F_EMPTY_PATH))
		return -ENOENT;

	w.r = r;
	w.t = r->t;
	w.out = out;
	w.plen = 0;
	w.mnt = -1;
	w.miss = 0;
	w.links = 0;
	w.tail = ends_dir(r->path, len);
	if (r->path[0] != '/') {
		ret = start_at_base(&w);
		if (ret < 0)
			return ret;
	}
	w.pos = REST_MAX - len;
	memcpy(w.rest + w.pos, r->path, len);

	while (w.pos < REST_MAX) {
		const char *c = w.rest + w.pos;
		size_t n = 0;

		if (*c == '/') {
			w.pos++;
			continue;
		}
		while (w.pos + n < REST_MAX && c[n] != '/')
			n++;
		w.pos += n;
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			ret = dotdot(&w);
		else
			ret = step(&w, c, n);
		if (ret < 0)
			return ret;
	}

	if (w.plen == 0) {
		out->path[0] = '/';
		out->path[1] = '\0';
	}
	out->mount = w.mnt;
	out->rel = rel_of(&w);
	out->trailing_slash = w.tail;
	return 0;
}
