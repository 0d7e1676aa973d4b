/* Tests for `runlock spec` and `runlock features` documents (oci/spec.h).
 *
 * Each document is parsed back with yajl's tree parser, so a check fails on
 * the JSON a caller would read, not on the generator calls that made it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "oci/spec.h"
#include "tests/unit/unit.h"

#ifndef RUNLOCK_VERSION
#define RUNLOCK_VERSION "unknown"
#endif

#define PATH(...) ((const char *[]){__VA_ARGS__, NULL})

static void tree_freep(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}

static yajl_val get(yajl_val root, const char **path)
{
	return yajl_tree_get(root, path, yajl_t_any);
}

static const char *get_str(yajl_val root, const char **path)
{
	return YAJL_GET_STRING(get(root, path));
}

/* -1 when absent or not an array. */
static long arr_len(yajl_val v)
{
	return YAJL_IS_ARRAY(v) ? (long)v->u.array.len : -1;
}

/* The i-th element of an array as a string, or NULL. */
static const char *arr_str(yajl_val arr, size_t i)
{
	return YAJL_IS_ARRAY(arr) && i < arr->u.array.len ? YAJL_GET_STRING(arr->u.array.values[i])
	                                                  : NULL;
}

static bool arr_has_str(yajl_val arr, const char *s)
{
	if (!YAJL_IS_ARRAY(arr))
		return false;
	for (size_t i = 0; i < arr->u.array.len; i++) {
		const char *v = YAJL_GET_STRING(arr->u.array.values[i]);

		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

/* Whether linux.namespaces has an entry of the given type. */
static bool has_namespace(yajl_val root, const char *type)
{
	yajl_val ns = get(root, PATH("linux", "namespaces"));

	for (long i = 0; i < arr_len(ns); i++) {
		const char *t = get_str(ns->u.array.values[i], PATH("type"));

		if (t && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

static yajl_val find_mount(yajl_val root, const char *dest)
{
	yajl_val mounts = get(root, PATH("mounts"));

	for (long i = 0; i < arr_len(mounts); i++) {
		const char *d = get_str(mounts->u.array.values[i], PATH("destination"));

		if (d && strcmp(d, dest) == 0)
			return mounts->u.array.values[i];
	}
	return NULL;
}

static long long get_int(yajl_val root, const char **path, long long dflt)
{
	yajl_val v = get(root, path);

	return YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : dflt;
}

/* Checks shared by every generated document: it is what *len says, ends with a newline,
 * uses 2-space indentation and parses. Returns the parsed tree or NULL. */
static yajl_val parse_doc(const char *name, const char *json, size_t len)
{
	char err[256] = "";
	yajl_val root;

	CHECK(json != NULL);
	if (!json)
		return NULL;
	CHECK_UINT_EQ(strlen(json), len);
	CHECK(len > 0 && json[len - 1] == '\n');
	CHECK(strncmp(json, "{\n  \"", 5) == 0);
	CHECK(strchr(json, '\t') == NULL);
	root = yajl_tree_parse(json, err, sizeof(err));
	if (!root)
		fprintf(stderr, "%s: not valid JSON: %s\n", name, err);
	CHECK(YAJL_IS_OBJECT(root));
	return root;
}

static void test_default_spec(void)
{
	struct rl_error e = {0};
	_cleanup_free_ char *json = NULL;
	_cleanup_(tree_freep) yajl_val root = NULL;
	size_t len = 0;
	yajl_val v;

	CHECK_INT_EQ(oci_spec_generate(false, &json, &len, &e), 0);
	if (!json) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	root = parse_doc("spec", json, len);
	if (!root)
		return;

	CHECK_STREQ(get_str(root, PATH("ociVersion")), "1.2.0");
	CHECK(YAJL_IS_TRUE(get(root, PATH("process", "terminal"))));
	CHECK_INT_EQ(get_int(root, PATH("process", "user", "uid"), -1), 0);
	CHECK_INT_EQ(get_int(root, PATH("process", "user", "gid"), -1), 0);
	v = get(root, PATH("process", "args"));
	CHECK_INT_EQ(arr_len(v), 1);
	CHECK_STREQ(arr_str(v, 0), "sh");
	v = get(root, PATH("process", "env"));
	CHECK(arr_has_str(v, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	CHECK(arr_has_str(v, "TERM=xterm"));
	CHECK_STREQ(get_str(root, PATH("process", "cwd")), "/");
	for (int i = 0; i < 3; i++) {
		const char *set = (const char *[]){"bounding", "effective", "permitted"}[i];

		v = get(root, PATH("process", "capabilities", set));
		CHECK_INT_EQ(arr_len(v), 3);
		CHECK(arr_has_str(v, "CAP_AUDIT_WRITE"));
		CHECK(arr_has_str(v, "CAP_KILL"));
		CHECK(arr_has_str(v, "CAP_NET_BIND_SERVICE"));
	}
	CHECK(get(root, PATH("process", "capabilities", "inheritable")) == NULL);
	CHECK(get(root, PATH("process", "capabilities", "ambient")) == NULL);
	v = get(root, PATH("process", "rlimits"));
	CHECK_INT_EQ(arr_len(v), 1);
	if (arr_len(v) == 1) {
		yajl_val rl = v->u.array.values[0];

		CHECK_STREQ(get_str(rl, PATH("type")), "RLIMIT_NOFILE");
		CHECK_INT_EQ(get_int(rl, PATH("hard"), -1), 1024);
		CHECK_INT_EQ(get_int(rl, PATH("soft"), -1), 1024);
	}
	CHECK(YAJL_IS_TRUE(get(root, PATH("process", "noNewPrivileges"))));

	CHECK_STREQ(get_str(root, PATH("root", "path")), "rootfs");
	CHECK(YAJL_IS_TRUE(get(root, PATH("root", "readonly"))));
	CHECK_STREQ(get_str(root, PATH("hostname")), "runlock");

	CHECK_INT_EQ(arr_len(get(root, PATH("mounts"))), 7);
	v = find_mount(root, "/proc");
	CHECK_STREQ(get_str(v, PATH("type")), "proc");
	CHECK(v && get(v, PATH("options")) == NULL);
	v = find_mount(root, "/dev/pts");
	CHECK(v && arr_has_str(get(v, PATH("options")), "gid=5"));
	CHECK(v && arr_has_str(get(v, PATH("options")), "ptmxmode=0666"));
	v = find_mount(root, "/dev/shm");
	CHECK_STREQ(get_str(v, PATH("source")), "shm");
	v = find_mount(root, "/sys");
	CHECK_STREQ(get_str(v, PATH("type")), "sysfs");
	CHECK(v && arr_has_str(get(v, PATH("options")), "ro"));
	v = find_mount(root, "/sys/fs/cgroup");
	CHECK_STREQ(get_str(v, PATH("type")), "cgroup");

	v = get(root, PATH("linux", "resources", "devices"));
	CHECK_INT_EQ(arr_len(v), 1);
	if (arr_len(v) == 1) {
		CHECK(YAJL_IS_FALSE(get(v->u.array.values[0], PATH("allow"))));
		CHECK_STREQ(get_str(v->u.array.values[0], PATH("access")), "rwm");
	}
	CHECK_INT_EQ(arr_len(get(root, PATH("linux", "namespaces"))), 5);
	CHECK(has_namespace(root, "pid"));
	CHECK(has_namespace(root, "network"));
	CHECK(has_namespace(root, "ipc"));
	CHECK(has_namespace(root, "uts"));
	CHECK(has_namespace(root, "mount"));
	CHECK(!has_namespace(root, "cgroup"));
	CHECK(!has_namespace(root, "user"));
	v = get(root, PATH("linux", "maskedPaths"));
	CHECK_INT_EQ(arr_len(v), 11);
	CHECK(arr_has_str(v, "/proc/kcore"));
	CHECK(arr_has_str(v, "/proc/scsi"));
	CHECK(arr_has_str(v, "/sys/devices/virtual/tpm"));
	v = get(root, PATH("linux", "readonlyPaths"));
	CHECK_INT_EQ(arr_len(v), 5);
	CHECK(arr_has_str(v, "/proc/sysrq-trigger"));
}

static void test_rootless_spec(void)
{
	struct rl_error e = {0};
	_cleanup_free_ char *json = NULL;
	_cleanup_(tree_freep) yajl_val root = NULL;
	size_t len = 0;
	yajl_val v;

	CHECK_INT_EQ(oci_spec_generate(true, &json, &len, &e), 0);
	if (!json) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	root = parse_doc("rootless spec", json, len);
	if (!root)
		return;

	CHECK_INT_EQ(get_int(root, PATH("process", "user", "uid"), -1), (long long)getuid());
	CHECK_INT_EQ(get_int(root, PATH("process", "user", "gid"), -1), (long long)getgid());
	CHECK_INT_EQ(arr_len(get(root, PATH("linux", "namespaces"))), 4);
	CHECK(!has_namespace(root, "network"));
	CHECK(!has_namespace(root, "user"));
	CHECK(has_namespace(root, "mount"));
	CHECK(get(root, PATH("linux", "uidMappings")) == NULL);
	CHECK(get(root, PATH("linux", "gidMappings")) == NULL);

	CHECK_INT_EQ(arr_len(get(root, PATH("mounts"))), 6);
	CHECK(find_mount(root, "/sys/fs/cgroup") == NULL);
	v = find_mount(root, "/sys");
	CHECK_STREQ(get_str(v, PATH("type")), "none");
	CHECK_STREQ(get_str(v, PATH("source")), "/sys");
	CHECK(v && arr_has_str(get(v, PATH("options")), "rbind"));
	CHECK(v && arr_has_str(get(v, PATH("options")), "ro"));
	v = find_mount(root, "/dev/pts");
	CHECK(v && !arr_has_str(get(v, PATH("options")), "gid=5"));
	CHECK(v && arr_has_str(get(v, PATH("options")), "mode=0620"));

	/* Everything else is the default template. */
	CHECK(YAJL_IS_TRUE(get(root, PATH("root", "readonly"))));
	v = get(root, PATH("process", "args"));
	CHECK_STREQ(arr_str(v, 0), "sh");
}

static void test_features(void)
{
	struct rl_error e = {0};
	_cleanup_free_ char *json = NULL;
	_cleanup_(tree_freep) yajl_val root = NULL;
	size_t len = 0;
	yajl_val v;

	CHECK_INT_EQ(oci_features_generate(&json, &len, &e), 0);
	if (!json) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	root = parse_doc("features", json, len);
	if (!root)
		return;

	CHECK_STREQ(get_str(root, PATH("ociVersionMin")), "1.0.0");
	CHECK_STREQ(get_str(root, PATH("ociVersionMax")), "1.2.0");
	/* Every hook kind runs (hooks/). */
	v = get(root, PATH("hooks"));
	CHECK_INT_EQ(arr_len(v), 6);
	CHECK(arr_has_str(v, "prestart") && arr_has_str(v, "createRuntime") &&
	      arr_has_str(v, "createContainer") && arr_has_str(v, "startContainer") &&
	      arr_has_str(v, "poststart") && arr_has_str(v, "poststop"));
	/* What the mount table honours or accepts (docs/mounts.md), and only
	 * that: the recursive forms, propagation and atime words, tmpcopyup. */
	v = get(root, PATH("mountOptions"));
	CHECK_INT_EQ(arr_len(v), 46);
	CHECK(arr_has_str(v, "rro") && arr_has_str(v, "rprivate") && arr_has_str(v, "tmpcopyup"));
	CHECK(!arr_has_str(v, "idmap") && !arr_has_str(v, "nosymfollow"));
	CHECK(arr_has_str(v, "bind") && arr_has_str(v, "rbind") && arr_has_str(v, "ro") &&
	      arr_has_str(v, "rw") && arr_has_str(v, "noexec") && arr_has_str(v, "exec"));
	CHECK(arr_has_str(v, "nosuid") && arr_has_str(v, "suid") && arr_has_str(v, "nodev") &&
	      arr_has_str(v, "dev"));
	CHECK(!arr_has_str(v, "size"));

	v = get(root, PATH("linux", "namespaces"));
	CHECK_INT_EQ(arr_len(v), 5);
	CHECK(arr_has_str(v, "mount") && arr_has_str(v, "network") && arr_has_str(v, "pid") &&
	      arr_has_str(v, "ipc") && arr_has_str(v, "uts"));
	CHECK(!arr_has_str(v, "user"));

	v = get(root, PATH("linux", "capabilities"));
	CHECK(arr_len(v) >= 38);
	CHECK(arr_has_str(v, "CAP_SYS_ADMIN"));
	CHECK(arr_has_str(v, "CAP_CHOWN"));
	CHECK(arr_has_str(v, "CAP_NET_BIND_SERVICE"));
	for (long i = 0; i < arr_len(v); i++) {
		const char *c = YAJL_GET_STRING(v->u.array.values[i]);

		/* uppercase runtime-spec names, not libcap's lowercase or bare numbers */
		CHECK(c && strncmp(c, "CAP_", 4) == 0 &&
		      strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(c));
	}

	for (int i = 0; i < 5; i++) {
		const char *k = (const char *[]){"v1", "v2", "systemd", "systemdUser", "rdma"}[i];

		CHECK(YAJL_IS_FALSE(get(root, PATH("linux", "cgroup", k))));
	}
	CHECK(YAJL_IS_TRUE(get(root, PATH("linux", "seccomp", "enabled"))));
	v = get(root, PATH("linux", "seccomp", "actions"));
	CHECK(arr_has_str(v, "SCMP_ACT_ERRNO") && !arr_has_str(v, "SCMP_ACT_NOTIFY"));
	v = get(root, PATH("linux", "seccomp", "archs"));
	CHECK(arr_has_str(v, "SCMP_ARCH_X86") && arr_has_str(v, "SCMP_ARCH_X86_64"));
	CHECK(YAJL_IS_FALSE(get(root, PATH("linux", "apparmor", "enabled"))));
	CHECK(YAJL_IS_FALSE(get(root, PATH("linux", "selinux", "enabled"))));
	CHECK(YAJL_IS_FALSE(get(root, PATH("linux", "intelRdt", "enabled"))));
	CHECK(YAJL_IS_FALSE(get(root, PATH("linux", "mountExtensions", "idmap", "enabled"))));

	v = get(root, PATH("annotations"));
	CHECK(YAJL_IS_OBJECT(v) && v->u.object.len == 1);
	CHECK_STREQ(get_str(root, PATH("annotations", "io.github.runlock.version")),
	            RUNLOCK_VERSION);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_default_spec);
	RUN(test_rootless_spec);
	RUN(test_features);
	return unit_summary(argv[0]);
}
