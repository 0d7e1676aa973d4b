/* The mount table built from config.json (shim/mounts/mounts_build.c), against a
 * temporary rootfs and state directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/spec.h"
#include "shim/mounts/mounts.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/runlock-mounts-XXXXXX";
static char rootfs[PATH_MAX], state[PATH_MAX], hostdir[PATH_MAX], hostfile[PATH_MAX];

static void setup(void)
{
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(hostdir, sizeof(hostdir), "%s/hostdir", dir);
	snprintf(hostfile, sizeof(hostfile), "%s/hosts", dir);
	CHECK(mkdir(rootfs, 0755) == 0 && mkdir(state, 0700) == 0 && mkdir(hostdir, 0755) == 0);
	fd = open(hostfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	close(fd);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

/* Build from a config document; returns 0 or -errno with e set. */
static int build(const char *json, struct mount_table *t, struct rl_error *e)
{
	struct oci_config *c = NULL;
	int sfd, r;
	char sub[PATH_MAX + 8];
	static unsigned seq;

	if (oci_config_parse(json, strlen(json), &c, e) < 0)
		return -EINVAL;
	snprintf(sub, sizeof(sub), "%s/%u", state, seq++);
	CHECK(mkdir(sub, 0700) == 0);
	sfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = mount_table_build(c, rootfs, sfd, NULL, 3, t, e);
	close(sfd);
	oci_config_free(c);
	return r < 0 ? -(e->err ? e->err : 1) : 0;
}

static const struct mnt *entry(const struct mount_table *t, const char *dest)
{
	int i = mount_table_find(t, dest, strlen(dest));
	return i < 0 ? NULL : &t->m[i];
}

static void test_default_spec(void)
{
	struct mount_table t;
	struct rl_error e;
	char *json = NULL;
	size_t len;
	const struct mnt *m;
	char link[64];
	struct stat st;

	CHECK(oci_spec_generate(false, &json, &len, &e) == 0);
	CHECK_INT_EQ(build(json, &t, &e), 0);
	free(json);
	for (size_t i = 1; i < t.n; i++)
		CHECK(strcmp(t.m[i - 1].dest, t.m[i].dest) < 0);
	m = entry(&t, "/proc");
	CHECK(m && m->kind == MNT_PROC && (m->flags & MNT_F_DIR));
	m = entry(&t, "/sys");
	CHECK(m && m->kind == MNT_SYSFS && (m->flags & MNT_F_RO));
	m = entry(&t, "/dev");
	CHECK(m && m->kind == MNT_TMPFS && m->fd >= 0);
	if (m) {
		/* runc's /dev: links, directories and placeholders */
		CHECK(readlinkat(m->fd, "fd", link, sizeof(link)) == 13);
		CHECK(readlinkat(m->fd, "ptmx", link, sizeof(link)) == 8);
		CHECK(fstatat(m->fd, "pts", &st, 0) == 0 && S_ISDIR(st.st_mode));
		CHECK(fstatat(m->fd, "null", &st, 0) == 0 && S_ISREG(st.st_mode));
	}
	m = entry(&t, "/dev/null");
	CHECK(m && m->kind == MNT_DEVICE && m->source && strcmp(m->source, "/dev/null") == 0);
	CHECK(entry(&t, "/dev/urandom") && entry(&t, "/dev/tty"));
	m = entry(&t, "/dev/pts");
	CHECK(m && m->kind == MNT_DEVPTS);
	m = entry(&t, "/dev/shm");
	CHECK(m && m->kind == MNT_TMPFS);
	m = entry(&t, "/dev/mqueue");
	CHECK(m && m->kind == MNT_MQUEUE);
	/* readonlyPaths inside /proc keep the proc kind, read-only */
	m = entry(&t, "/proc/sys");
	CHECK(m && m->kind == MNT_PROC && (m->flags & MNT_F_RO) && (m->flags & MNT_F_DIR));
	/* maskedPaths: those that exist on this host are masked, with the
	 * kind of what they hide; those that do not are skipped */
	{
		static const char *const masked[] = {"/proc/keys",  "/proc/timer_list",
		                                     "/proc/kcore", "/proc/acpi",
		                                     "/proc/scsi",  "/sys/firmware"};
		int seen = 0;
		for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
			struct stat hs;
			m = entry(&t, masked[i]);
			if (lstat(masked[i], &hs) < 0) {
				CHECK(m == NULL);
				continue;
			}
			seen++;
			CHECK(m && m->kind == MNT_MASK && (m->flags & MNT_F_RO));
			CHECK(m && !!(m->flags & MNT_F_DIR) == !!S_ISDIR(hs.st_mode));
		}
		CHECK(seen > 0);
	}
	CHECK(mount_table_has_below(&t, "/dev", 4));
	mount_table_free(&t);
	CHECK_UINT_EQ(t.n, 0);
}

static void test_binds_and_tmpfs(void)
{
	struct mount_table t;
	struct rl_error e;
	char json[16384];
	const struct mnt *m;
	struct stat st;

	snprintf(
	    json, sizeof(json),
	    "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
	    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"mounts\":["
	    "{\"destination\":\"/"
	    "data\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"rbind\",\"ro\",\"noexec\"]},"
	    "{\"destination\":\"/etc//"
	    "hosts\",\"source\":\"%s\",\"options\":[\"bind\",\"ro\",\"rw\"]},"
	    "{\"destination\":\"/"
	    "data\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"bind\"]},"
	    "{\"destination\":\"/run/x/../"
	    "tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"mode=0700\",\"uid=1000\","
	    "\"gid=1001\",\"size=64k\"]}]}",
	    hostdir, hostfile, hostdir);
	CHECK_INT_EQ(build(json, &t, &e), 0);
	/* the later /data replaces the earlier one */
	m = entry(&t, "/data");
	CHECK(m && m->kind == MNT_BIND && !(m->flags & MNT_F_RO) && (m->flags & MNT_F_DIR));
	m = entry(&t, "/etc/hosts");
	CHECK(m && m->kind == MNT_BIND && !(m->flags & (MNT_F_RO | MNT_F_DIR)));
	m = entry(&t, "/run/tmp");
	CHECK(m && m->kind == MNT_TMPFS);
	CHECK(m && fstat(m->fd, &st) == 0 && (st.st_mode & 07777) == 0700 && st.st_uid == 1000 &&
	      st.st_gid == 1001);
	/* defaults still there */
	CHECK(entry(&t, "/dev") && entry(&t, "/dev/pts") && entry(&t, "/dev/shm"));
	mount_table_free(&t);
}

static void test_hiding_and_symlinked_destinations(void)
{
	struct mount_table t;
	struct rl_error e;
	char json[2048], link[PATH_MAX + 16], run[PATH_MAX + 16];
	const char *head = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
	                   "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"mounts\":[";

	/* The image's /var/run -> /run: a mount at /var/run/x is at /run/x. */
	snprintf(run, sizeof(run), "%s/run", rootfs);
	snprintf(link, sizeof(link), "%s/var", rootfs);
	CHECK(mkdir(run, 0755) == 0 && mkdir(link, 0755) == 0);
	snprintf(link, sizeof(link), "%s/var/run", rootfs);
	CHECK(symlink("/run", link) == 0);
	snprintf(json, sizeof(json),
	         "%s{\"destination\":\"/a/b\",\"type\":\"tmpfs\"},"
	         "{\"destination\":\"/a\",\"type\":\"tmpfs\"},"
	         "{\"destination\":\"/var/run/x\",\"type\":\"tmpfs\"}]}",
	         head);
	CHECK_INT_EQ(build(json, &t, &e), 0);
	CHECK(entry(&t, "/a") != NULL);
	CHECK(entry(&t, "/a/b") == NULL); /* hidden by the later /a */
	CHECK(entry(&t, "/run/x") != NULL);
	CHECK(entry(&t, "/var/run/x") == NULL);
	mount_table_free(&t);
}

static void test_errors(void)
{
	struct mount_table t;
	struct rl_error e;
	const char *head = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
	                   "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"mounts\":[";
	char json[2048];

	snprintf(json, sizeof(json), "%s{\"destination\":\"rel\",\"type\":\"tmpfs\"}]}", head);
	CHECK_INT_EQ(build(json, &t, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "mounts[0].destination");
	snprintf(json, sizeof(json),
	         "%s{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/no/such\"}]}", head);
	CHECK_INT_EQ(build(json, &t, &e), -ENOENT);
	CHECK_CONTAINS(e.msg, "mounts[0].source");
	snprintf(json, sizeof(json), "%s{\"destination\":\"/x\",\"type\":\"nfs\"}]}", head);
	CHECK_INT_EQ(build(json, &t, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "\"nfs\" cannot be emulated");
	snprintf(json, sizeof(json), "%s{\"destination\":\"/..\",\"type\":\"tmpfs\"}]}", head);
	CHECK_INT_EQ(build(json, &t, &e), -EINVAL);
	snprintf(json, sizeof(json),
	         "%s{\"destination\":\"/t\",\"type\":\"tmpfs\",\"options\":[\"mode=9\"]}]}", head);
	CHECK_INT_EQ(build(json, &t, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "mode=9");
}

static void test_devices_and_masks(void)
{
	struct mount_table t;
	struct rl_error e;
	const char *json =
	    "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
	    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
	    "\"linux\":{\"devices\":[{\"path\":\"/dev/sub/"
	    "mynull\",\"type\":\"c\",\"major\":1,\"minor\":3}],"
	    "\"maskedPaths\":[\"/no/such/path\",\"/etc\"],\"readonlyPaths\":[\"/usr\"]}}";
	const struct mnt *m;
	char rdir[PATH_MAX + 8];

	snprintf(rdir, sizeof(rdir), "%s/etc", rootfs);
	CHECK(mkdir(rdir, 0755) == 0);
	CHECK_INT_EQ(build(json, &t, &e), 0);
	m = entry(&t, "/dev/sub/mynull");
	CHECK(m && m->kind == MNT_DEVICE && m->source && strcmp(m->source, "/dev/null") == 0);
	CHECK(entry(&t, "/no/such/path") == NULL); /* skipped */
	CHECK(entry(&t, "/usr") == NULL);          /* not in this rootfs: skipped */
	m = entry(&t, "/etc");
	CHECK(m && m->kind == MNT_MASK && (m->flags & MNT_F_DIR) && (m->flags & MNT_F_RO));
	mount_table_free(&t);
}

int main(int argc, char **argv)
{
	(void)argc;
	setup();
	RUN(test_default_spec);
	RUN(test_binds_and_tmpfs);
	RUN(test_hiding_and_symlinked_destinations);
	RUN(test_errors);
	RUN(test_devices_and_masks);
	teardown();
	return unit_summary(argv[0]);
}
