/* The container path resolver (shim/mounts/resolve.c) and the mount table's
 * lookups (shim/mounts/mount_table.c), on a hand-built table and an in-memory fake
 * filesystem: no real file is involved. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "shim/mounts/resolve.h"
#include "tests/unit/unit.h"

#define PID 4242
#define TID 4243

/* Indices of the table below, in strcmp order of the destinations. */
enum { DATA, DATA_SUB, DEV, DEV_NULL, DEV_PTS, ETC_HOSTS, PROC, N_MNT };

static struct mount_table table;

static void add_mnt(struct mount_table *t, const char *dest, enum mnt_kind kind, unsigned flags)
{
	struct mnt *m = &t->m[t->n++];

	m->dest = strdup(dest);
	m->dest_len = strlen(dest);
	m->kind = kind;
	m->flags = flags;
	m->source = NULL;
	m->fd = -1;
}

static void add_link(struct mount_table *t, const char *path, const char *target)
{
	struct mnt_link *l = &t->links[t->n_links++];

	l->path = strdup(path);
	l->target = strdup(target);
}

static void build_table(void)
{
	table.m = calloc(N_MNT, sizeof(*table.m));
	table.links = calloc(3, sizeof(*table.links));
	add_mnt(&table, "/data", MNT_BIND, MNT_F_DIR);
	add_mnt(&table, "/data/sub", MNT_TMPFS, MNT_F_DIR);
	add_mnt(&table, "/dev", MNT_TMPFS, MNT_F_DIR | MNT_F_NOSUID);
	add_mnt(&table, "/dev/null", MNT_DEVICE, 0);
	add_mnt(&table, "/dev/pts", MNT_DEVPTS, MNT_F_DIR);
	add_mnt(&table, "/etc/hosts", MNT_BIND, 0);
	add_mnt(&table, "/proc", MNT_PROC, MNT_F_DIR);
	add_link(&table, "/dev/fd", "/proc/self/fd");
	add_link(&table, "/dev/ptmx", "pts/ptmx");
	add_link(&table, "/dev/stdin", "/proc/self/fd/0");
}

/* ---- the fake filesystem -------------------------------------------------- */

struct fake_entry {
	int mount;
	const char *rel;
	const char *target; /* NULL: err */
	int err;            /* 1: return size, as readlinkat() does for a truncated target */
};

#define CHAIN 41

static char chain_names[CHAIN + 1][24];
static char long_target[3100], l1_target[4008], l2_target[4008];

static struct fake_entry entries[64 + CHAIN];
static size_t n_entries;
static unsigned calls;

static void fake_add(int mount, const char *rel, const char *target, int err)
{
	CHECK(n_entries < sizeof(entries) / sizeof(entries[0]));
	entries[n_entries++] = (struct fake_entry){mount, rel, target, err};
}

/* A path the resolver must never read: a magic link below a pid directory. */
static bool is_magic(const char *rel)
{
	const char *s = rel;

	while (*s >= '0' && *s <= '9')
		s++;
	if (s == rel || *s != '/')
		return false;
	s++;
	if (strncmp(s, "task/", 5) == 0) {
		s = strchr(s + 5, '/');
		if (!s)
			return false;
		s++;
	}
	return strcmp(s, "cwd") == 0 || strcmp(s, "root") == 0 || strcmp(s, "exe") == 0 ||
	       strncmp(s, "fd/", 3) == 0 || strncmp(s, "ns/", 3) == 0 ||
	       strncmp(s, "map_files/", 10) == 0;
}

static int fake_readlink(void *ctx, int mount, const char *rel, char *buf, size_t size)
{
	CHECK(ctx == entries);
	calls++;
	CHECK(size > 0);
	CHECK(mount >= -1 && mount < N_MNT);
	CHECK(*rel != '\0' && *rel != '/');
	if (mount == PROC && is_magic(rel)) {
		CHECK(!"readlink of a magic link");
		fprintf(stderr, "  rel: %s\n", rel);
	}
	for (size_t i = 0; i < n_entries; i++) {
		const struct fake_entry *e = &entries[i];
		size_t len;

		if (e->mount != mount || strcmp(e->rel, rel) != 0)
			continue;
		if (!e->target && e->err == 1) {
			/* "././.": harmless, were it taken for the target */
			for (size_t j = 0; j + 1 < size; j++)
				buf[j] = j % 2 ? '/' : '.';
			buf[size - 1] = '\0';
			return (int)size;
		}
		if (!e->target)
			return e->err;
		len = strlen(e->target);
		memcpy(buf, e->target, len < size ? len : size - 1);
		buf[len < size ? len : size - 1] = '\0';
		return (int)len;
	}
	return -EINVAL; /* exists, not a symlink */
}

static const struct resolve_fs fake_fs = {.readlink = fake_readlink, .ctx = entries};

/* head, then `times` times '/' and len bytes c. */
static void repeat(char *dst, const char *head, char c, size_t len, int times)
{
	size_t n = strlen(head);

	memcpy(dst, head, n);
	for (int i = 0; i < times; i++, n += len) {
		dst[n++] = '/';
		memset(dst + n, c, len);
	}
	dst[n] = '\0';
}

static void build_fs(void)
{
	fake_add(-1, "lib", "usr/lib", 0);
	fake_add(-1, "dirlink", "usr/lib/", 0);
	fake_add(-1, "var/run", "/run", 0);
	fake_add(-1, "loop1", "loop2", 0);
	fake_add(-1, "loop2", "loop1", 0);
	fake_add(-1, "tohosts", "/etc/hosts", 0);
	fake_add(-1, "todata", "../data/x", 0);
	fake_add(-1, "topts", "dev/pts", 0);
	fake_add(-1, "toroot", "/", 0);
	fake_add(-1, "empty", "", 0);
	fake_add(-1, "secret", NULL, -EACCES);
	fake_add(-1, "missing", NULL, -ENOENT);
	fake_add(-1, "trunc", NULL, 1);
	fake_add(DATA, "out", "/etc", 0);
	fake_add(DATA, "up", "../../etc", 0);
	fake_add(DATA_SUB, "parent", "..", 0);
	fake_add(PROC, "mounts", "self/mounts", 0);
	fake_add(PROC, "4242/weird", "/somewhere", 0);

	/* chain0 -> chain1 -> ... -> chain40 -> target: 41 links from chain0,
	 * 40 from chain1. */
	for (int i = 0; i <= CHAIN; i++)
		snprintf(chain_names[i], sizeof(chain_names[i]), "chain%d", i);
	for (int i = 0; i < CHAIN; i++)
		fake_add(-1, chain_names[i], i + 1 < CHAIN ? chain_names[i + 1] : "target", 0);

	/* "/" then 15 components of 200 bytes: 3015 bytes, absolute. */
	repeat(long_target, "", 'a', 200, 15);
	fake_add(-1, "longlink", long_target, 0);
	/* L1 -> "L2/f/f/...", L2 -> "g/g/.../g": each 4000 bytes, so that
	 * expanding L2 inside L1's expansion overflows the work buffer. */
	repeat(l1_target, "L2", 'f', 1, 1999);
	repeat(l2_target, "g", 'g', 1, 1999);
	fake_add(-1, "L1", l1_target, 0);
	fake_add(-1, "L2", l2_target, 0);
}

/* ---- helpers ---------------------------------------------------------------- */

static int res_at(const char *base, const char *path, unsigned flags, struct resolved *out)
{
	struct resolve_req r = {
	    .t = &table,
	    .fs = &fake_fs,
	    .base = base,
	    .path = path,
	    .flags = flags,
	    .pid = PID,
	    .tid = TID,
	};
	int ret;

	ret = resolve(&r, out);
	if (ret == 0) {
		/* Invariants of every result. */
		CHECK(out->rel >= out->path && out->rel <= out->path + strlen(out->path));
		CHECK(out->path[0] == '/');
		CHECK(strcmp(out->path, "/") == 0 || out->path[strlen(out->path) - 1] != '/');
		CHECK(out->mount >= -1 && out->mount < (int)table.n);
	}
	return ret;
}

static int res(const char *path, unsigned flags, struct resolved *out)
{
	return res_at("/", path, flags, out);
}

/* Resolves and checks path, mount and rel. */
#define CHECK_RESOLVE(base, in, flags, want_path, want_mount, want_rel)                            \
	do {                                                                                       \
		CHECK_INT_EQ(res_at((base), (in), (flags), &out), 0);                              \
		CHECK_STREQ(out.path, (want_path));                                                \
		CHECK_INT_EQ(out.mount, (want_mount));                                             \
		CHECK_STREQ(out.rel, (want_rel));                                                  \
	} while (0)
#define CHECK_RES(in, want_path, want_mount, want_rel)                                             \
	CHECK_RESOLVE("/", in, 0, want_path, want_mount, want_rel)

/* ---- the mount table -------------------------------------------------------- */

static void test_table_sorted(void)
{
	for (size_t i = 1; i < table.n; i++)
		CHECK(strcmp(table.m[i - 1].dest, table.m[i].dest) < 0);
	for (size_t i = 1; i < table.n_links; i++)
		CHECK(strcmp(table.links[i - 1].path, table.links[i].path) < 0);
}

static void test_find(void)
{
	static const char *const dests[] = {"/data",    "/data/sub",  "/dev", "/dev/null",
	                                    "/dev/pts", "/etc/hosts", "/proc"};

	for (int i = 0; i < N_MNT; i++)
		CHECK_INT_EQ(mount_table_find(&table, dests[i], strlen(dests[i])), i);
	CHECK_INT_EQ(mount_table_find(&table, "/dev/", 5), -1);
	CHECK_INT_EQ(mount_table_find(&table, "/de", 3), -1);
	CHECK_INT_EQ(mount_table_find(&table, "/", 1), -1);
	CHECK_INT_EQ(mount_table_find(&table, "", 0), -1);
	CHECK_INT_EQ(mount_table_find(&table, "/zzz", 4), -1);
	CHECK_INT_EQ(mount_table_find(&table, "/a", 2), -1);
	/* Only path[0..len) counts. */
	CHECK_INT_EQ(mount_table_find(&table, "/dev/pts/0", 8), DEV_PTS);
	CHECK_INT_EQ(mount_table_find(&table, "/dev/pts/0", 4), DEV);
	CHECK_INT_EQ(mount_table_find(&table, "/datax", 5), DATA);
}

static void test_link_lookup(void)
{
	const struct mnt_link *l = mount_table_link(&table, "/dev/fd", 7);

	CHECK_STREQ(l ? l->target : NULL, "/proc/self/fd");
	l = mount_table_link(&table, "/dev/ptmx/x", 9);
	CHECK_STREQ(l ? l->target : NULL, "pts/ptmx");
	l = mount_table_link(&table, "/dev/stdin", 10);
	CHECK_STREQ(l ? l->target : NULL, "/proc/self/fd/0");
	CHECK(mount_table_link(&table, "/dev/f", 6) == NULL);
	CHECK(mount_table_link(&table, "/dev/fd/3", 9) == NULL);
	CHECK(mount_table_link(&table, "/dev", 4) == NULL);
	CHECK(mount_table_link(&table, "", 0) == NULL);
}

static void test_has_below(void)
{
	struct mount_table empty = {0};

	CHECK(mount_table_has_below(&table, "/dev", 4));  /* /dev/pts, /dev/null */
	CHECK(mount_table_has_below(&table, "/etc", 4));  /* /etc/hosts */
	CHECK(mount_table_has_below(&table, "/data", 5)); /* /data/sub */
	CHECK(mount_table_has_below(&table, "", 0));
	CHECK(mount_table_has_below(&table, "/", 1));
	CHECK(!mount_table_has_below(&table, "/usr", 4));
	CHECK(!mount_table_has_below(&table, "/de", 3)); /* /dev is not below /de */
	CHECK(!mount_table_has_below(&table, "/dev/pts", 8));
	CHECK(!mount_table_has_below(&table, "/data/sub", 9));
	CHECK(!mount_table_has_below(&table, "/etc/hosts", 10));
	CHECK(!mount_table_has_below(&table, "/proc", 5));
	CHECK(!mount_table_has_below(&table, "/zzz", 4));
	CHECK(!mount_table_has_below(&table, "/a", 2));
	CHECK(mount_table_has_below(&table, "/dev/xyz", 4)); /* only path[0..len) */
	CHECK(!mount_table_has_below(&empty, "", 0));
	CHECK(!mount_table_has_below(&empty, "/dev", 4));
	CHECK_INT_EQ(mount_table_find(&empty, "/dev", 4), -1);
	CHECK(mount_table_link(&empty, "/dev/fd", 7) == NULL);
}

static void test_free(void)
{
	struct mount_table t = {0};
	int fd = open("/dev/null", O_PATH | O_CLOEXEC);

	CHECK(fd >= 0);
	t.m = calloc(2, sizeof(*t.m));
	t.links = calloc(1, sizeof(*t.links));
	add_mnt(&t, "/a", MNT_BIND, MNT_F_DIR);
	t.m[0].source = strdup("/host/a");
	t.m[0].fd = fd;
	add_mnt(&t, "/b", MNT_MASK, 0);
	add_link(&t, "/a/l", "x");
	mount_table_free(&t);
	CHECK(t.m == NULL && t.n == 0 && t.links == NULL && t.n_links == 0);
	CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	mount_table_free(&t); /* an empty table is fine, twice */
	mount_table_free(NULL);
}

/* ---- the resolver ------------------------------------------------------------ */

static void test_absolute_and_relative(void)
{
	struct resolved out;

	CHECK_RES("/", "/", -1, "");
	CHECK(!out.crossed && out.trailing_slash);
	CHECK_RES("/etc/passwd", "/etc/passwd", -1, "etc/passwd");
	CHECK(!out.crossed && !out.is_link && !out.magic && !out.trailing_slash && !out.table_link);
	CHECK_RES("//etc///./passwd", "/etc/passwd", -1, "etc/passwd");
	CHECK_RES("/../../etc", "/etc", -1, "etc");
	CHECK_RES("/usr/bin/../lib/./x", "/usr/lib/x", -1, "usr/lib/x");

	CHECK_RESOLVE("/usr", "bin/sh", 0, "/usr/bin/sh", -1, "usr/bin/sh");
	CHECK(!out.crossed);
	CHECK_RESOLVE("/usr/", "../etc", 0, "/etc", -1, "etc");
	CHECK_RESOLVE("/usr", "../../..", 0, "/", -1, "");
	CHECK(out.trailing_slash);
	/* The base is ignored for an absolute path, even a bad one. */
	CHECK_RESOLVE("relative", "/etc", 0, "/etc", -1, "etc");
	CHECK_RESOLVE(NULL, "/etc", 0, "/etc", -1, "etc");
	/* A relative path needs an absolute base. */
	CHECK_INT_EQ(res_at("relative", "etc", 0, &out), -ENOENT);
	CHECK_INT_EQ(res_at(NULL, "etc", 0, &out), -ENOENT);
}

static void test_dotdot_and_mounts(void)
{
	struct resolved out;

	CHECK_RES("/data/sub/..", "/data", DATA, "");
	CHECK(out.crossed && out.trailing_slash);
	CHECK_RES("/data/..", "/", -1, "");
	CHECK(out.crossed); /* stays set after leaving the mount */
	CHECK_RES("/data/sub/a/../../x", "/data/x", DATA, "x");
	CHECK_RES("/data/sub/../../etc", "/etc", -1, "etc");
	CHECK_RES("/dev/pts/0", "/dev/pts/0", DEV_PTS, "0");
	CHECK(out.crossed);
	CHECK_RES("/dev/shm", "/dev/shm", DEV, "shm");
	CHECK_RES("/dev/pts/../shm", "/dev/shm", DEV, "shm");
	CHECK_RES("/dev/null", "/dev/null", DEV_NULL, "");
	CHECK_RES("/data", "/data", DATA, "");
	CHECK_RES("/data/sub/a/b", "/data/sub/a/b", DATA_SUB, "a/b");
	CHECK_RES("/datax", "/datax", -1, "datax");
	CHECK(!out.crossed);
	CHECK_RES("/proc", "/proc", PROC, "");
}

static void test_file_mount(void)
{
	struct resolved out;

	CHECK_RES("/etc/hosts", "/etc/hosts", ETC_HOSTS, "");
	CHECK(out.crossed);
	CHECK_INT_EQ((int)table.m[out.mount].kind, (int)MNT_BIND);
	CHECK_RES("/etc/hostname", "/etc/hostname", -1, "etc/hostname");
	CHECK(!out.crossed);
	/* Nothing lies below a file. */
	CHECK_INT_EQ(res("/etc/hosts/x", 0, &out), -ENOTDIR);
	CHECK_INT_EQ(res("/etc/hosts/..", 0, &out), -ENOTDIR);
	CHECK_INT_EQ(res("/dev/null/..", 0, &out), -ENOTDIR);
	/* The trailing slash is the caller's to check. */
	CHECK_RES("/etc/hosts/", "/etc/hosts", ETC_HOSTS, "");
	CHECK(out.trailing_slash);
}

static void test_rootfs_symlinks(void)
{
	struct resolved out;

	CHECK_RES("/lib/x", "/usr/lib/x", -1, "usr/lib/x");
	CHECK(!out.crossed);
	CHECK_RES("/lib", "/usr/lib", -1, "usr/lib");
	CHECK(!out.is_link);
	CHECK_RES("/var/run/x.pid", "/run/x.pid", -1, "run/x.pid");
	CHECK_RES("/lib/..", "/usr", -1, "usr"); /* physical, not lexical */
	CHECK_RES("/toroot/etc", "/etc", -1, "etc");
}

static void test_symlinks_into_mounts(void)
{
	struct resolved out;

	CHECK_RES("/tohosts", "/etc/hosts", ETC_HOSTS, "");
	CHECK(out.crossed);
	CHECK_RES("/todata", "/data/x", DATA, "x");
	CHECK(out.crossed);
	CHECK_RES("/topts/3", "/dev/pts/3", DEV_PTS, "3");
}

static void test_symlinks_out_of_mounts(void)
{
	struct resolved out;

	CHECK_RES("/data/out/passwd", "/etc/passwd", -1, "etc/passwd");
	CHECK(out.crossed);
	CHECK_RES("/data/up/x", "/etc/x", -1, "etc/x");
	CHECK(out.crossed);
	CHECK_RES("/data/sub/parent/y", "/data/y", DATA, "y");
	CHECK_RES("/data/out/hosts", "/etc/hosts", ETC_HOSTS, "");
}

static void test_table_links(void)
{
	struct resolved out;

	calls = 0;
	CHECK_RES("/dev/fd/3", "/proc/4242/fd/3", PROC, "4242/fd/3");
	CHECK(out.crossed && out.magic && out.table_link == NULL);
	CHECK_INT_EQ(calls, 0);
	CHECK_RES("/dev/ptmx", "/dev/pts/ptmx", DEV_PTS, "ptmx");
	CHECK(out.crossed && !out.is_link && out.table_link == NULL);
	CHECK_RES("/dev/stdin", "/proc/4242/fd/0", PROC, "4242/fd/0");
	CHECK(out.magic);

	CHECK_INT_EQ(res("/dev/ptmx", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/dev/ptmx");
	CHECK_INT_EQ(out.mount, DEV);
	CHECK_STREQ(out.rel, "ptmx");
	CHECK(out.is_link && out.crossed);
	CHECK(out.table_link == &table.links[1]);
	/* A trailing slash follows it, whatever the flags. */
	CHECK_INT_EQ(res("/dev/fd/", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/proc/4242/fd");
	CHECK(out.table_link == NULL && !out.is_link && !out.magic);
	CHECK_INT_EQ(res("/dev/fd/3/x", 0, &out), -EXDEV);
}

static void test_proc(void)
{
	struct resolved out;

	calls = 0;
	CHECK_RES("/proc/self", "/proc/4242", PROC, "4242");
	CHECK_RES("/proc/self/status", "/proc/4242/status", PROC, "4242/status");
	CHECK(!out.magic);
	CHECK_RES("/proc/thread-self", "/proc/4242/task/4243", PROC, "4242/task/4243");
	CHECK_RES("/proc/thread-self/comm", "/proc/4242/task/4243/comm", PROC,
	          "4242/task/4243/comm");
	CHECK_RES("/proc/self/fd", "/proc/4242/fd", PROC, "4242/fd");
	CHECK(!out.magic);
	/* status and comm only: self, pid and task directories are not read. */
	CHECK_INT_EQ(calls, 2);
	CHECK_RES("/proc/mounts", "/proc/4242/mounts", PROC, "4242/mounts");
	CHECK_RES("/proc/self/..", "/proc", PROC, "");
	CHECK_RES("/proc/self/../..", "/", -1, "");

	CHECK_INT_EQ(res("/proc/self", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/proc/self");
	CHECK(out.is_link && !out.magic && out.table_link == NULL);
	CHECK_INT_EQ(res("/proc/thread-self", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/proc/thread-self");
	CHECK(out.is_link);
	/* self is a name at the mount's root only. */
	CHECK_RES("/proc/4242/self", "/proc/4242/self", PROC, "4242/self");
	CHECK_RES("/data/self", "/data/self", DATA, "self");
}

static void test_magic_links(void)
{
	struct resolved out;

	calls = 0;
	CHECK_RES("/proc/self/cwd", "/proc/4242/cwd", PROC, "4242/cwd");
	CHECK(out.magic && !out.is_link && out.crossed);
	CHECK_INT_EQ(calls, 0);
	CHECK_RES("/proc/self/fd/1", "/proc/4242/fd/1", PROC, "4242/fd/1");
	CHECK(out.magic);
	/* root is the container's root for every one of its processes. */
	CHECK_RES("/proc/1/root", "/", -1, "");
	CHECK(!out.magic && out.crossed);
	CHECK_INT_EQ(res("/proc/1/root", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/proc/1/root");
	CHECK(out.magic && out.is_link);
	CHECK_RES("/proc/self/exe", "/proc/4242/exe", PROC, "4242/exe");
	CHECK(out.magic);
	CHECK_RES("/proc/self/ns/net", "/proc/4242/ns/net", PROC, "4242/ns/net");
	CHECK(out.magic);
	CHECK_RES("/proc/thread-self/cwd", "/proc/4242/task/4243/cwd", PROC, "4242/task/4243/cwd");
	CHECK(out.magic);
	CHECK_RES("/proc/self/task/7/fd/2", "/proc/4242/task/7/fd/2", PROC, "4242/task/7/fd/2");
	CHECK(out.magic);
	CHECK_INT_EQ(calls, 0);

	CHECK_INT_EQ(res("/proc/self/cwd/x", 0, &out), -EXDEV);
	CHECK_INT_EQ(res("/proc/self/fd/3/..", 0, &out), -EXDEV);
	CHECK_INT_EQ(res("/proc/self/cwd/..", 0, &out), -EXDEV);
	CHECK_INT_EQ(calls, 0);
	CHECK_RES("/proc/self/root/etc/passwd", "/etc/passwd", -1, "etc/passwd");
	CHECK(out.crossed && !out.magic);
	CHECK_RES("/proc/self/root/../proc/self/root", "/", -1, "");

	/* A trailing slash or "." still stops on it: the caller must treat it as
	 * a directory. */
	CHECK_RES("/proc/self/cwd/", "/proc/4242/cwd", PROC, "4242/cwd");
	CHECK(out.magic && out.trailing_slash);
	CHECK_RES("/proc/self/cwd/.", "/proc/4242/cwd", PROC, "4242/cwd");
	CHECK(out.magic && out.trailing_slash);
	CHECK_INT_EQ(res("/proc/self/cwd", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK(out.magic && out.is_link);

	/* Any other symlink below a pid directory is a magic one too. */
	CHECK_RES("/proc/4242/weird", "/proc/4242/weird", PROC, "4242/weird");
	CHECK(out.magic);
	CHECK_INT_EQ(res("/proc/4242/weird/x", 0, &out), -EXDEV);
	/* Other names there are read, and no symlinks: not magic. */
	CHECK_RES("/proc/self/fdinfo/1", "/proc/4242/fdinfo/1", PROC, "4242/fdinfo/1");
	CHECK(!out.magic);
}

static void test_loops(void)
{
	struct resolved out;
	char path[32];

	CHECK_INT_EQ(res("/loop1", 0, &out), -ELOOP);
	CHECK_INT_EQ(res("/loop1/x", RESOLVE_F_NOFOLLOW, &out), -ELOOP);
	CHECK_INT_EQ(res("/loop1", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK(out.is_link);
	CHECK_STREQ(out.path, "/loop1");

	/* 40 links are followed, the 41st is one too many. */
	snprintf(path, sizeof(path), "/%s", chain_names[1]);
	CHECK_RES(path, "/target", -1, "target");
	snprintf(path, sizeof(path), "/%s", chain_names[0]);
	CHECK_INT_EQ(res(path, 0, &out), -ELOOP);
	snprintf(path, sizeof(path), "/%s/x", chain_names[1]);
	CHECK_RES(path, "/target/x", -1, "target/x");
	/* Table links and /proc/self count too: 1 + 1 + 39, then 1 + 1 + 38. */
	CHECK_INT_EQ(res("/dev/fd/../../../chain2", 0, &out), -ELOOP);
	CHECK_RES("/dev/fd/../../../chain3", "/target", -1, "target");
}

static void test_trailing_slash(void)
{
	struct resolved out;

	CHECK_RES("/data/", "/data", DATA, "");
	CHECK(out.trailing_slash);
	CHECK_RES("/data/.", "/data", DATA, "");
	CHECK(out.trailing_slash);
	CHECK_RES("/data/sub/..", "/data", DATA, "");
	CHECK(out.trailing_slash);
	CHECK_RES("/data", "/data", DATA, "");
	CHECK(!out.trailing_slash);

	/* "link/" names the directory: followed even with NOFOLLOW. */
	CHECK_INT_EQ(res("/lib/", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/usr/lib");
	CHECK(out.trailing_slash && !out.is_link);
	CHECK_INT_EQ(res("/lib/.", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/usr/lib");
	CHECK(!out.is_link);
	CHECK_INT_EQ(res("/dev/ptmx/", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK_STREQ(out.path, "/dev/pts/ptmx");
	CHECK(out.table_link == NULL);
	/* So does a final symlink's body ending in '/'. */
	CHECK_RES("/dirlink", "/usr/lib", -1, "usr/lib");
	CHECK(out.trailing_slash);
	CHECK_RES("/dirlink/x", "/usr/lib/x", -1, "usr/lib/x");
	CHECK(!out.trailing_slash);
}

static void test_nofollow(void)
{
	struct resolved out;

	CHECK_RESOLVE("/", "/lib", RESOLVE_F_NOFOLLOW, "/lib", -1, "lib");
	CHECK(out.is_link && !out.magic && out.table_link == NULL && !out.crossed);
	CHECK_RESOLVE("/", "/lib/x", RESOLVE_F_NOFOLLOW, "/usr/lib/x", -1, "usr/lib/x");
	CHECK(!out.is_link);
	CHECK_RESOLVE("/", "/etc/passwd", RESOLVE_F_NOFOLLOW, "/etc/passwd", -1, "etc/passwd");
	CHECK(!out.is_link);
	CHECK_RESOLVE("/", "/data/out", RESOLVE_F_NOFOLLOW, "/data/out", DATA, "out");
	CHECK(out.is_link);
	/* A mount destination is never a symlink. */
	CHECK_RESOLVE("/", "/dev/null", RESOLVE_F_NOFOLLOW, "/dev/null", DEV_NULL, "");
	CHECK(!out.is_link);
}

static void test_empty_path(void)
{
	struct resolved out;

	CHECK_INT_EQ(res_at("/data", "", 0, &out), -ENOENT);
	CHECK_RESOLVE("/data/sub", "", RESOLVE_F_EMPTY_PATH, "/data/sub", DATA_SUB, "");
	CHECK(out.crossed && !out.trailing_slash);
	CHECK_RESOLVE("/", "", RESOLVE_F_EMPTY_PATH, "/", -1, "");
	CHECK(!out.crossed);
	CHECK_RESOLVE("/usr/lib", "", RESOLVE_F_EMPTY_PATH, "/usr/lib", -1, "usr/lib");
	CHECK_RESOLVE("/dev/pts/3", "", RESOLVE_F_EMPTY_PATH, "/dev/pts/3", DEV_PTS, "3");
	CHECK_INT_EQ(res_at(NULL, "", RESOLVE_F_EMPTY_PATH, &out), -ENOENT);
	/* The flag changes nothing for a non-empty path. */
	CHECK_RESOLVE("/data", "x", RESOLVE_F_EMPTY_PATH, "/data/x", DATA, "x");
}

static void test_relative_base_in_mount(void)
{
	struct resolved out;

	CHECK_RESOLVE("/data", "sub/a", 0, "/data/sub/a", DATA_SUB, "a");
	CHECK_RESOLVE("/data/sub", "x", 0, "/data/sub/x", DATA_SUB, "x");
	CHECK(out.crossed); /* the base lies in a mount */
	CHECK_RESOLVE("/data/sub", "../..", 0, "/", -1, "");
	CHECK_RESOLVE("/data/sub/a", "../../out/x", 0, "/etc/x", -1, "etc/x");
	CHECK_RESOLVE("/data/sub", ".", 0, "/data/sub", DATA_SUB, "");
	CHECK(out.trailing_slash);
	CHECK_RESOLVE("/proc", "self/cwd", 0, "/proc/4242/cwd", PROC, "4242/cwd");
	CHECK(out.magic);
}

static void test_missing(void)
{
	struct mount_table saved = table;
	struct mount_table t = {0};
	struct resolved out;

	/* Kept as plain names, not read any further. */
	calls = 0;
	CHECK_RES("/missing", "/missing", -1, "missing");
	CHECK_RES("/missing/a/b", "/missing/a/b", -1, "missing/a/b");
	CHECK_INT_EQ(calls, 2);
	CHECK_RES("/missing/a/./b/", "/missing/a/b", -1, "missing/a/b");
	/* The kernel fails on the missing directory before any "..". */
	CHECK_INT_EQ(res("/missing/../etc", 0, &out), -ENOENT);
	CHECK_INT_EQ(res("/missing/a/..", 0, &out), -ENOENT);
	/* Missing in a mount as well. */
	fake_add(DATA, "gone", NULL, -ENOENT);
	CHECK_RES("/data/gone/x", "/data/gone/x", DATA, "gone/x");
	CHECK_INT_EQ(res("/data/gone/..", 0, &out), -ENOENT);
	n_entries--;

	/* A directory absent from the rootfs but holding a mount point exists:
	 * runc would have created it. */
	t.m = calloc(1, sizeof(*t.m));
	t.links = calloc(1, sizeof(*t.links));
	add_mnt(&t, "/missing/www/html", MNT_BIND, MNT_F_DIR);
	add_link(&t, "/nodir/l", "/usr/local");
	table = t;
	fake_add(-1, "missing/www", NULL, -ENOENT);
	CHECK_RES("/missing/www/../www/html/x", "/missing/www/html/x", 0, "x");
	CHECK_RES("/missing/../etc", "/etc", -1, "etc");
	CHECK(out.crossed);
	/* But not what lies beside the mount point. */
	fake_add(-1, "missing/other", NULL, -ENOENT);
	CHECK_INT_EQ(res("/missing/other/../x", 0, &out), -ENOENT);
	/* An absolute table link leaves the missing directory behind. */
	fake_add(-1, "nodir", NULL, -ENOENT);
	fake_add(-1, "usr/local/lnk", "/etc", 0);
	CHECK_RES("/nodir/l/lnk/x", "/etc/x", -1, "etc/x");
	n_entries -= 4;
	table = saved;
	mount_table_free(&t);
}

static void test_errors(void)
{
	struct resolved out;

	CHECK_INT_EQ(res("/secret", 0, &out), -EACCES);
	CHECK_INT_EQ(res("/secret/x", 0, &out), -EACCES);
	CHECK_INT_EQ(res("/secret", RESOLVE_F_NOFOLLOW, &out), -EACCES);
	CHECK_INT_EQ(res("/empty", 0, &out), -ENOENT);
	CHECK_INT_EQ(res("/empty", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK(out.is_link);
	{
		struct resolve_req r = {.t = &table, .fs = &fake_fs, .base = "/", .path = NULL};
		CHECK_INT_EQ(resolve(&r, &out), -EFAULT);
	}
}

static void test_limits(void)
{
	static char path[PATH_MAX + 512];
	char comp[256];
	struct resolved out;

	/* A 4096-byte path is refused before anything, a 4095-byte one is fine. */
	memset(path, 'a', PATH_MAX);
	path[0] = '/';
	path[PATH_MAX] = '\0';
	calls = 0;
	CHECK_INT_EQ(res(path, 0, &out), -ENAMETOOLONG);
	CHECK_INT_EQ(calls, 0);
	repeat(path, "", 'b', 200, 20); /* 4020 bytes, then 75 slashes */
	memset(path + 4020, '/', PATH_MAX - 1 - 4020);
	path[PATH_MAX - 1] = '\0';
	CHECK_INT_EQ((int)strlen(path), PATH_MAX - 1);
	CHECK_INT_EQ(res(path, 0, &out), 0);
	CHECK_INT_EQ((int)strlen(out.path), 4020);
	CHECK(out.trailing_slash);

	/* Components of 255 bytes are fine, 256 is too long. */
	path[0] = '/';
	memset(path + 1, 'c', NAME_MAX);
	path[1 + NAME_MAX] = '\0';
	CHECK_INT_EQ(res(path, 0, &out), 0);
	memset(path + 1, 'c', NAME_MAX + 1);
	memcpy(path + 2 + NAME_MAX, "/x", 3);
	CHECK_INT_EQ(res(path, 0, &out), -ENAMETOOLONG);

	/* A path that does not fit, even if ".." would bring it back. */
	repeat(path, "", 'd', 240, 16); /* 3856 bytes */
	CHECK_INT_EQ(res_at(path, "ddd/..", 0, &out), 0);
	memset(comp, 'd', 239);
	memcpy(comp + 239, "/..", 4); /* 3856 + 1 + 239 = 4096 */
	CHECK_INT_EQ(res_at(path, comp, 0, &out), -ENAMETOOLONG);
	comp[238] = '\0'; /* 4095: fits */
	CHECK_INT_EQ(res_at(path, comp, 0, &out), 0);

	/* A symlink's expansion that makes the path too long: 3015 + 6 * 201. */
	repeat(path, "/longlink", 'e', 200, 6);
	CHECK_INT_EQ(res(path, 0, &out), -ENAMETOOLONG);
	CHECK_INT_EQ(res("/longlink/x", 0, &out), 0);
	CHECK_INT_EQ((int)strlen(out.path), (int)strlen(long_target) + 2);

	/* Expansions that do not fit the work buffer: L1's target and the rest
	 * of the path fit, L2's on top of them do not. */
	repeat(path, "/L1", 'h', 1, 1948);
	CHECK_INT_EQ(res(path, 0, &out), -ENAMETOOLONG);
	CHECK_INT_EQ(res("/L2", 0, &out), 0);
	CHECK_INT_EQ(res("/trunc", 0, &out), -ENAMETOOLONG);
	CHECK_INT_EQ(res("/trunc", RESOLVE_F_NOFOLLOW, &out), 0);
	CHECK(out.is_link);
}

/* A table link's target must fit what the work buffer has left: "/X" then
 * slashes (P bytes), X -> "dev/stdin" then slashes (n bytes). Taking "stdin"
 * leaves 8192 - n - P + 10 bytes free, 16 being needed for "/proc/self/fd/0"
 * and the '/' before what remains. */
static void test_work_buffer_edge(void)
{
	static char path[4001], target[4200];
	struct resolved out;

	memset(path, '/', 4000);
	path[1] = 'X';
	path[4000] = '\0';
	memset(target, '/', sizeof(target));
	memcpy(target, "dev/stdin", 9);
	fake_add(-1, "X", target, 0);
	target[8186 - 4000] = '\0';
	CHECK_INT_EQ(res(path, 0, &out), 0);
	CHECK_STREQ(out.path, "/proc/4242/fd/0");
	CHECK(out.magic && out.trailing_slash);
	target[8186 - 4000] = '/';
	target[8187 - 4000] = '\0';
	CHECK_INT_EQ(res(path, 0, &out), -ENAMETOOLONG);
	n_entries--;
}

int main(int argc, char **argv)
{
	(void)argc;
	build_table();
	build_fs();
	RUN(test_table_sorted);
	RUN(test_find);
	RUN(test_link_lookup);
	RUN(test_has_below);
	RUN(test_free);
	RUN(test_absolute_and_relative);
	RUN(test_dotdot_and_mounts);
	RUN(test_file_mount);
	RUN(test_rootfs_symlinks);
	RUN(test_symlinks_into_mounts);
	RUN(test_symlinks_out_of_mounts);
	RUN(test_table_links);
	RUN(test_proc);
	RUN(test_magic_links);
	RUN(test_loops);
	RUN(test_trailing_slash);
	RUN(test_nofollow);
	RUN(test_empty_path);
	RUN(test_relative_base_in_mount);
	RUN(test_missing);
	RUN(test_errors);
	RUN(test_limits);
	RUN(test_work_buffer_edge);
	mount_table_free(&table);
	return unit_summary(argv[0]);
}
