/* oci/config_*.c: parsing, validation, malformed input, loading. */
#include "oci/config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tests/unit/unit.h"

/* ---- helpers ---------------------------------------------------------------- */

/* tests/unit, from where this file was compiled (make runs from the top). */
static const char *data_dir(void)
{
	static char dir[4096];
	const char *env = getenv("UNIT_DATA_DIR");
	char *slash;

	if (env)
		return env;
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	return dir;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static char *read_data(const char *sub, const char *name, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s/%s", data_dir(), sub, name);
	return read_file(path, len);
}

/* JSON written with ' for " so that the tables stay readable. */
static char *jq(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/* Parse then validate; returns "" on success or the error message. */
static const char *outcome(const char *buf, size_t len)
{
	static struct rl_error e;
	_cleanup_config_ struct oci_config *c = NULL;

	rl_error_clear(&e);
	if (oci_config_parse(buf, len, &c, &e) < 0 || oci_config_validate(c, &e) < 0)
		return e.msg;
	return "";
}

static const char *outcome_q(const char *quoted)
{
	_cleanup_free_ char *json = jq(quoted);

	return outcome(json, strlen(json));
}

static struct oci_config *parse_ok(const char *quoted)
{
	_cleanup_free_ char *json = jq(quoted);
	struct oci_config *c = NULL;
	struct rl_error e = {0};

	if (oci_config_parse(json, strlen(json), &c, &e) < 0) {
		fprintf(stderr, "unexpected parse failure: %s\n", e.msg);
		return NULL;
	}
	return c;
}

static bool strv_eq(char *const *v, size_t n, const char *const *want, size_t n_want)
{
	if (n != n_want || (n && !v) || (v && v[n] != NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], want[i]) != 0)
			return false;
	return true;
}
#define STRV_EQ(v, n, ...)                                                                         \
	strv_eq(v, n, (const char *const[]){__VA_ARGS__},                                          \
	        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* ---- a complete document, every field ----------------------------------------- */

static void check_full_process(const struct oci_process *p)
{
	CHECK(p->terminal);
	CHECK(p->has_console_size);
	CHECK_UINT_EQ(p->console_height, 24);
	CHECK_UINT_EQ(p->console_width, 80);
	CHECK_UINT_EQ(p->user.uid, 1000);
	CHECK_UINT_EQ(p->user.gid, 1001);
	CHECK(p->user.has_umask);
	CHECK_UINT_EQ(p->user.umask, 18);
	CHECK_UINT_EQ(p->user.n_additional_gids, 2);
	CHECK_UINT_EQ(p->user.additional_gids[0], 5);
	CHECK_UINT_EQ(p->user.additional_gids[1], 4294967295u);
	CHECK_STREQ(p->user.username, "alice");
	CHECK(STRV_EQ(p->args, p->n_args, "/bin/sh", "-c", "echo \"h\xc3\xa9llo\" \xe2\x98\x83"));
	CHECK(p->command_line == NULL);
	CHECK(STRV_EQ(p->env, p->n_env, "PATH=/usr/bin:/bin", "TERM=xterm", "EMPTY="));
	CHECK_STREQ(p->cwd, "/home/alice");
	CHECK(p->capabilities != NULL);
	if (p->capabilities) {
		const struct oci_capabilities *c = p->capabilities;

		CHECK(STRV_EQ(c->bounding, c->n_bounding, "CAP_CHOWN", "CAP_KILL",
		              "CAP_NET_BIND_SERVICE"));
		CHECK(STRV_EQ(c->effective, c->n_effective, "CAP_KILL"));
		CHECK(c->inheritable != NULL && c->n_inheritable == 0 && c->inheritable[0] == NULL);
		CHECK(STRV_EQ(c->permitted, c->n_permitted, "CAP_KILL", "CAP_CHOWN"));
		CHECK(STRV_EQ(c->ambient, c->n_ambient, "CAP_NET_BIND_SERVICE"));
	}
	CHECK_UINT_EQ(p->n_rlimits, 2);
	CHECK_STREQ(p->rlimits[0].type, "RLIMIT_NOFILE");
	CHECK_UINT_EQ(p->rlimits[0].hard, 1024);
	CHECK_UINT_EQ(p->rlimits[0].soft, 512);
	CHECK_STREQ(p->rlimits[1].type, "RLIMIT_CORE");
	CHECK_UINT_EQ(p->rlimits[1].hard, UINT64_MAX);
	CHECK_UINT_EQ(p->rlimits[1].soft, UINT64_MAX);
	CHECK(p->no_new_privileges);
	CHECK(p->has_oom_score_adj);
	CHECK_INT_EQ(p->oom_score_adj, -500);
	CHECK_STREQ(p->apparmor_profile, "runlock-default");
	CHECK_STREQ(p->selinux_label, "system_u:system_r:container_t:s0");
}

static void check_full_mounts_hooks(const struct oci_config *c)
{
	const struct oci_hooks *h = c->hooks;

	CHECK_UINT_EQ(c->n_mounts, 2);
	CHECK_STREQ(c->mounts[0].destination, "/proc");
	CHECK_STREQ(c->mounts[0].type, "proc");
	CHECK_STREQ(c->mounts[0].source, "proc");
	CHECK(c->mounts[0].options == NULL && c->mounts[0].n_options == 0);
	CHECK(c->mounts[0].uid_mappings == NULL && c->mounts[0].n_uid_mappings == 0);
	CHECK_STREQ(c->mounts[1].destination, "/data");
	CHECK_STREQ(c->mounts[1].type, "bind");
	CHECK_STREQ(c->mounts[1].source, "/srv/data");
	CHECK(STRV_EQ(c->mounts[1].options, c->mounts[1].n_options, "rbind", "ro", "nosuid"));
	CHECK_UINT_EQ(c->mounts[1].n_uid_mappings, 1);
	CHECK_UINT_EQ(c->mounts[1].uid_mappings[0].container_id, 0);
	CHECK_UINT_EQ(c->mounts[1].uid_mappings[0].host_id, 100000);
	CHECK_UINT_EQ(c->mounts[1].uid_mappings[0].size, 65536);
	CHECK_UINT_EQ(c->mounts[1].n_gid_mappings, 1);
	CHECK_UINT_EQ(c->mounts[1].gid_mappings[0].container_id, 1);
	CHECK_UINT_EQ(c->mounts[1].gid_mappings[0].host_id, 200000);
	CHECK_UINT_EQ(c->mounts[1].gid_mappings[0].size, 10);

	CHECK(h != NULL);
	if (!h)
		return;
	CHECK_UINT_EQ(h->n_prestart, 1);
	CHECK_STREQ(h->prestart[0].path, "/usr/bin/pre");
	CHECK(STRV_EQ(h->prestart[0].args, h->prestart[0].n_args, "pre", "x"));
	CHECK(STRV_EQ(h->prestart[0].env, h->prestart[0].n_env, "A=1"));
	CHECK(h->prestart[0].has_timeout);
	CHECK_INT_EQ(h->prestart[0].timeout, 5);
	CHECK_UINT_EQ(h->n_create_runtime, 1);
	CHECK_STREQ(h->create_runtime[0].path, "/usr/bin/cr");
	CHECK(h->create_runtime[0].args == NULL && !h->create_runtime[0].has_timeout);
	CHECK_UINT_EQ(h->n_create_container, 2);
	CHECK_STREQ(h->create_container[0].path, "/usr/bin/cc");
	CHECK_INT_EQ(h->create_container[0].timeout, 1);
	CHECK_STREQ(h->create_container[1].path, "/usr/bin/cc2");
	CHECK_UINT_EQ(h->n_start_container, 1);
	CHECK_STREQ(h->start_container[0].path, "/usr/bin/sc");
	CHECK(h->start_container[0].args != NULL && h->start_container[0].n_args == 0);
	CHECK_UINT_EQ(h->n_poststart, 1);
	CHECK_STREQ(h->poststart[0].path, "/usr/bin/ps");
	CHECK_UINT_EQ(h->n_poststop, 1);
	CHECK_STREQ(h->poststop[0].path, "/usr/bin/pst");
	CHECK_INT_EQ(h->poststop[0].timeout, INT64_MAX);
}

static void check_full_resources(const struct oci_resources *r)
{
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(r->has_memory_limit && r->memory_limit == 536870912);
	CHECK(r->has_memory_reservation && r->memory_reservation == 268435456);
	CHECK(r->has_memory_swap && r->memory_swap == -1);
	CHECK(r->has_pids_limit && r->pids_limit == 64);
	CHECK(r->has_cpu_shares && r->cpu_shares == 1024);
	CHECK(r->has_cpu_quota && r->cpu_quota == 50000);
	CHECK(r->has_cpu_period && r->cpu_period == 100000);
	CHECK_STREQ(r->cpu_cpus, "0-3");
	CHECK_STREQ(r->cpu_mems, "0");
	CHECK_UINT_EQ(r->n_devices, 3);
	CHECK(!r->devices[0].allow);
	CHECK(r->devices[0].type == NULL);
	CHECK(!r->devices[0].has_major && !r->devices[0].has_minor);
	CHECK_STREQ(r->devices[0].access, "rwm");
	CHECK(r->devices[1].allow);
	CHECK_STREQ(r->devices[1].type, "c");
	CHECK(r->devices[1].has_major && r->devices[1].major == 1);
	CHECK(r->devices[1].has_minor && r->devices[1].minor == 3);
	CHECK_STREQ(r->devices[1].access, "rw");
	CHECK_STREQ(r->devices[2].type, "b");
	CHECK_INT_EQ(r->devices[2].major, -1);
	CHECK_INT_EQ(r->devices[2].minor, -1);
	CHECK(r->devices[2].access == NULL);
}

static void check_full_seccomp(const struct oci_seccomp *s)
{
	static const struct {
		uint32_t index;
		uint64_t value, two;
		enum oci_seccomp_op op;
	} args[] = {
	    {0, 0, 0, OCI_OP_EQUAL_TO},
	    {1, UINT64_MAX, 9223372036854775808u, OCI_OP_MASKED_EQUAL},
	    {2, 1, 0, OCI_OP_NOT_EQUAL},
	    {3, 2, 0, OCI_OP_LESS_THAN},
	    {4, 3, 0, OCI_OP_LESS_EQUAL},
	    {5, 4, 0, OCI_OP_GREATER_EQUAL},
	    {5, 5, 0, OCI_OP_GREATER_THAN},
	};

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STREQ(s->default_action, "SCMP_ACT_ERRNO");
	CHECK(s->has_default_errno_ret && s->default_errno_ret == 1);
	CHECK(STRV_EQ(s->architectures, s->n_architectures, "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
	              "SCMP_ARCH_X32"));
	CHECK(STRV_EQ(s->flags, s->n_flags, "SECCOMP_FILTER_FLAG_LOG"));
	CHECK_STREQ(s->listener_path, "/run/agent.sock");
	CHECK_STREQ(s->listener_metadata, "meta");
	CHECK_UINT_EQ(s->n_syscalls, 4);
	CHECK(STRV_EQ(s->syscalls[0].names, s->syscalls[0].n_names, "read", "write"));
	CHECK_STREQ(s->syscalls[0].action, "SCMP_ACT_ALLOW");
	CHECK(!s->syscalls[0].has_errno_ret && s->syscalls[0].n_args == 0);
	CHECK(STRV_EQ(s->syscalls[1].names, s->syscalls[1].n_names, "personality"));
	CHECK_UINT_EQ(s->syscalls[1].n_args, 7);
	for (size_t i = 0; i < 7 && i < s->syscalls[1].n_args; i++) {
		const struct oci_seccomp_arg *a = &s->syscalls[1].args[i];

		CHECK_UINT_EQ(a->index, args[i].index);
		CHECK_UINT_EQ(a->value, args[i].value);
		CHECK_UINT_EQ(a->value_two, args[i].two);
		CHECK_INT_EQ(a->op, args[i].op);
	}
	CHECK_STREQ(s->syscalls[2].action, "SCMP_ACT_ERRNO");
	CHECK(s->syscalls[2].has_errno_ret && s->syscalls[2].errno_ret == 13);
	CHECK_STREQ(s->syscalls[3].action, "SCMP_ACT_NOTIFY");
}

static void check_full_linux(const struct oci_linux *l)
{
	static const char *const ns[] = {"pid", "network", "mount",  "ipc",
	                                 "uts", "user",    "cgroup", "time"};

	CHECK(l != NULL);
	if (!l)
		return;
	CHECK_UINT_EQ(l->n_namespaces, 8);
	for (size_t i = 0; i < 8 && i < l->n_namespaces; i++) {
		CHECK_STREQ(l->namespaces[i].type, ns[i]);
		CHECK_STREQ(l->namespaces[i].path, i == 1 ? "/var/run/netns/x" : NULL);
	}
	CHECK_UINT_EQ(l->n_uid_mappings, 1);
	CHECK(l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].host_id == 1000 &&
	      l->uid_mappings[0].size == 1);
	CHECK_UINT_EQ(l->n_gid_mappings, 2);
	CHECK(l->gid_mappings[1].container_id == 5 && l->gid_mappings[1].host_id == 5 &&
	      l->gid_mappings[1].size == 1);
	CHECK_UINT_EQ(l->n_sysctl, 2);
	CHECK_STREQ(l->sysctl[0].key, "net.ipv4.ip_forward");
	CHECK_STREQ(l->sysctl[0].value, "1");
	CHECK_STREQ(l->sysctl[1].key, "kernel.shmmax");
	CHECK_STREQ(l->sysctl[1].value, "4096");
	check_full_resources(l->resources);
	CHECK_STREQ(l->cgroups_path, "/runlock/box");
	CHECK_UINT_EQ(l->n_devices, 2);
	CHECK_STREQ(l->devices[0].path, "/dev/null");
	CHECK_STREQ(l->devices[0].type, "c");
	CHECK(l->devices[0].major == 1 && l->devices[0].minor == 3);
	CHECK(l->devices[0].has_file_mode && l->devices[0].file_mode == 0666);
	CHECK(l->devices[0].has_uid && l->devices[0].uid == 0);
	CHECK(l->devices[0].has_gid && l->devices[0].gid == 0);
	CHECK_STREQ(l->devices[1].path, "/dev/fifo");
	CHECK_STREQ(l->devices[1].type, "p");
	CHECK(!l->devices[1].has_file_mode && !l->devices[1].has_uid && !l->devices[1].has_gid);
	check_full_seccomp(l->seccomp);
	CHECK_STREQ(l->rootfs_propagation, "rprivate");
	CHECK(STRV_EQ(l->masked_paths, l->n_masked_paths, "/proc/kcore", "/proc/keys"));
	CHECK(STRV_EQ(l->readonly_paths, l->n_readonly_paths, "/proc/sys"));
	CHECK_STREQ(l->mount_label, "system_u:object_r:container_file_t:s0");
	CHECK(l->personality != NULL);
	if (l->personality) {
		CHECK_STREQ(l->personality->domain, "LINUX32");
		CHECK(l->personality->flags != NULL && l->personality->n_flags == 0);
	}
}

static void test_full_config(void)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_config_ struct oci_config *c = NULL;
	struct rl_error e = {0};
	size_t len = 0;

	buf = read_data("corpus", "full.json", &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_INT_EQ(oci_config_parse(buf, len, &c, &e), 0);
	CHECK_STREQ(e.msg, "");
	if (!c)
		return;
	CHECK_INT_EQ(oci_config_validate(c, &e), 0);
	CHECK_STREQ(e.msg, "");
	CHECK_STREQ(c->oci_version, "1.2.0");
	CHECK(c->process != NULL);
	if (c->process)
		check_full_process(c->process);
	CHECK(c->root != NULL);
	if (c->root) {
		CHECK_STREQ(c->root->path, "rootfs");
		CHECK(c->root->readonly);
	}
	CHECK_STREQ(c->hostname, "box");
	CHECK_STREQ(c->domainname, "example.org");
	check_full_mounts_hooks(c);
	CHECK_UINT_EQ(c->n_annotations, 2);
	CHECK_STREQ(c->annotations[0].key, "org.opencontainers.image.os");
	CHECK_STREQ(c->annotations[1].value, "");
	check_full_linux(c->linux_);

	CHECK_STREQ(oci_config_annotation(c, "org.opencontainers.image.os"), "linux");
	CHECK_STREQ(oci_config_annotation(c, "com.example.empty"), "");
	CHECK(oci_config_annotation(c, "missing") == NULL);
	CHECK(oci_config_namespace(c, "network") == &c->linux_->namespaces[1]);
	CHECK(oci_config_namespace(c, "time") != NULL);
	CHECK(oci_config_namespace(c, "bogus") == NULL);
}

static void test_minimal_defaults(void)
{
	_cleanup_config_ struct oci_config *c =
	    parse_ok("{'ociVersion':'1.2.0','process':{'args':['sh'],'cwd':'/'},"
	             "'root':{'path':'rootfs'}}");
	struct rl_error e = {0};

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT_EQ(oci_config_validate(c, &e), 0);
	CHECK(!c->process->terminal && !c->process->has_console_size);
	CHECK(c->process->user.uid == 0 && c->process->user.gid == 0);
	CHECK(!c->process->user.has_umask && c->process->user.additional_gids == NULL);
	CHECK(c->process->env == NULL && c->process->n_env == 0);
	CHECK(c->process->capabilities == NULL && c->process->rlimits == NULL);
	CHECK(!c->process->no_new_privileges && !c->process->has_oom_score_adj);
	CHECK(!c->root->readonly);
	CHECK(c->hostname == NULL && c->mounts == NULL && c->hooks == NULL);
	CHECK(c->annotations == NULL && c->n_annotations == 0 && c->linux_ == NULL);
	CHECK(c->process->args[1] == NULL);
	CHECK(oci_config_annotation(c, "x") == NULL);
	CHECK(oci_config_namespace(c, "pid") == NULL);
}

static void test_null_is_absent(void)
{
	_cleanup_config_ struct oci_config *c = parse_ok(
	    "{'ociVersion':'1.2.0','hostname':null,'mounts':null,'hooks':null,"
	    "'annotations':null,'linux':{'seccomp':null,'namespaces':null,'resources':"
	    "{'memory':{'limit':null}}},'process':{'args':['sh'],'cwd':'/','terminal':null,"
	    "'user':null,'oomScoreAdj':null,'capabilities':null,'env':null},"
	    "'root':{'path':'rootfs','readonly':null}}");

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(c->hostname == NULL && c->mounts == NULL && c->hooks == NULL);
	CHECK(c->annotations == NULL);
	CHECK(c->linux_ != NULL && c->linux_->seccomp == NULL && c->linux_->namespaces == NULL);
	CHECK(c->linux_->resources != NULL && !c->linux_->resources->has_memory_limit);
	CHECK(!c->process->terminal && !c->process->has_oom_score_adj);
	CHECK(c->process->capabilities == NULL && c->process->env == NULL);
	CHECK(!c->root->readonly);
}

static void test_valid_corpus(void)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/corpus", data_dir());
	d = opendir(path);
	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;

		if (de->d_name[0] == '.')
			continue;
		buf = read_data("corpus", de->d_name, &len);
		CHECK(buf != NULL);
		if (!buf)
			continue;
		n++;
		if (strcmp(outcome(buf, len), "") != 0)
			UNIT_FAIL_("corpus/%s: %s", de->d_name, outcome(buf, len));
	}
	closedir(d);
	CHECK(n >= 3);
}

/* ---- malformed documents: tests/unit/malformed/<name> -> message ----------- */

static const struct {
	const char *file;
	const char *message; /* a substring of the error */
} malformed[] = {
    {"additional_gid_string.json",
     "config.json: process.user.additionalGids[1]: expected an integer"},
    {"annotation_value_number.json",
     "config.json: annotations[\"com.example.n\"]: expected a string"},
    {"annotations_not_object.json", "config.json: annotations: expected an object"},
    {"args_element_null.json", "config.json: process.args[0]: expected a string"},
    {"args_element_number.json", "config.json: process.args[1]: expected a string"},
    {"args_not_array.json", "config.json: process.args: expected an array"},
    {"bad_escape.json", "config.json: invalid JSON: lexical error: inside a string, '\\' occurs "
                        "before a character which it may not"},
    {"capabilities_not_array.json",
     "config.json: process.capabilities.bounding: expected an array"},
    {"capabilities_not_object.json", "config.json: process.capabilities: expected an object"},
    {"comment.json", "config.json: invalid JSON: lexical error: probable comment found in input "
                     "text, comments are not enabled"},
    {"console_size_missing_width.json", "config.json: process.consoleSize.width: required"},
    {"cpu_cpus_number.json", "config.json: linux.resources.cpu.cpus: expected a string"},
    {"cpu_shares_negative.json",
     "config.json: linux.resources.cpu.shares: -2 is out of range (0..18446744073709551615)"},
    {"device_cgroup_allow_missing.json", "config.json: linux.resources.devices[0].allow: required"},
    {"device_cgroup_allow_string.json",
     "config.json: linux.resources.devices[0].allow: expected a boolean"},
    {"device_file_mode_negative.json",
     "config.json: linux.devices[0].fileMode: -1 is out of range (0..4294967295)"},
    {"device_major_missing.json", "config.json: linux.devices[0].major: required"},
    {"duplicate_key_annotations.json", "config.json: annotations: duplicate key \"a\""},
    {"duplicate_key_process.json", "config.json: process: duplicate key \"args\""},
    {"duplicate_key_top.json", "config.json: duplicate key \"ociVersion\""},
    {"duplicate_key_unknown_field.json", "config.json: [\"x-extension\"]: duplicate key \"a\""},
    {"empty.json", "config.json: invalid JSON: empty document"},
    {"env_not_array.json", "config.json: process.env: expected an array"},
    {"gid_mapping_host_too_big.json",
     "config.json: linux.gidMappings[0].hostID: 4294967296 is out of range (0..4294967295)"},
    {"hook_args_string.json", "config.json: hooks.createRuntime[0].args: expected an array"},
    {"hook_timeout_fraction.json", "config.json: hooks.poststop[0].timeout: 1.5 is not an integer"},
    {"hook_timeout_string.json", "config.json: hooks.prestart[0].timeout: expected an integer"},
    {"hooks_not_object.json", "config.json: hooks: expected an object"},
    {"hostname_array.json", "config.json: hostname: expected a string"},
    {"leading_zero.json", "config.json: invalid JSON: parse error: after key and value, inside "
                          "map, I expect ',' or '}'"},
    {"linux_not_object.json", "config.json: linux: expected an object"},
    {"masked_paths_string.json", "config.json: linux.maskedPaths: expected an array"},
    {"memory_limit_below_int64.json",
     "config.json: linux.resources.memory.limit: -9223372036854775809 is out of range "
     "(-9223372036854775808..9223372036854775807)"},
    {"memory_limit_fraction.json",
     "config.json: linux.resources.memory.limit: 1.5 is not an integer"},
    {"memory_limit_huge_exponent.json",
     "config.json: linux.resources.memory.limit: 1e99999 is not an integer"},
    {"mount_element_string.json", "config.json: mounts[0]: expected an object"},
    {"mount_idmap_size_missing.json", "config.json: mounts[0].uidMappings[0].size: required"},
    {"mount_option_number.json", "config.json: mounts[0].options[1]: expected a string"},
    {"mounts_not_array.json", "config.json: mounts: expected an array"},
    {"namespace_type_number.json", "config.json: linux.namespaces[1].type: expected a string"},
    {"nan.json", "config.json: invalid JSON: lexical error: invalid char in json text"},
    {"no_new_privileges_number.json", "config.json: process.noNewPrivileges: expected a boolean"},
    {"non_utf8_byte.json",
     "config.json: invalid JSON: lexical error: invalid bytes in UTF8 string"},
    {"non_utf8_key.json", "config.json: invalid JSON: lexical error: invalid bytes in UTF8 string"},
    {"non_utf8_key_escape.json", "config.json: process: a key is not valid UTF-8"},
    {"non_utf8_lone_low_surrogate_escape.json", "config.json: process.cwd: is not valid UTF-8"},
    {"non_utf8_outside_string.json",
     "config.json: invalid JSON: lexical error: invalid char in json text"},
    {"non_utf8_overlong.json", "config.json: process.cwd: is not valid UTF-8"},
    {"non_utf8_surrogate_bytes.json", "config.json: process.cwd: is not valid UTF-8"},
    {"non_utf8_truncated_sequence.json",
     "config.json: invalid JSON: lexical error: invalid bytes in UTF8 string"},
    {"nul_escape_in_args.json", "config.json: process.args[1]: contains a NUL character"},
    {"nul_escape_in_key.json",
     "config.json: process: key \"ar\\u0000gs\" contains a NUL character"},
    {"nul_escape_in_value.json", "config.json: root.path: contains a NUL character"},
    {"nul_raw_byte.json", "config.json: invalid JSON: NUL byte at offset 55"},
    {"nul_raw_byte_trailing.json", "config.json: invalid JSON: NUL byte at offset 83"},
    {"oom_score_adj_too_big.json",
     "config.json: process.oomScoreAdj: 2147483648 is out of range (-2147483648..2147483647)"},
    {"personality_domain_number.json", "config.json: linux.personality.domain: expected a string"},
    {"pids_not_object.json", "config.json: linux.resources.pids: expected an object"},
    {"process_not_object.json", "config.json: process: expected an object"},
    {"raw_control_char.json",
     "config.json: invalid JSON: lexical error: invalid character inside string"},
    {"rlimit_element_string.json", "config.json: process.rlimits[0]: expected an object"},
    {"rlimit_hard_missing.json", "config.json: process.rlimits[0].hard: required"},
    {"rlimit_huge_number.json",
     "config.json: process.rlimits[0].hard: 9999999999999999999999999999999999999999... is out of "
     "range (0..18446744073709551615)"},
    {"rlimit_soft_2p64.json", "config.json: process.rlimits[0].soft: 18446744073709551616 is out "
                              "of range (0..18446744073709551615)"},
    {"rlimits_not_array.json", "config.json: process.rlimits: expected an array"},
    {"root_path_number.json", "config.json: root.path: expected a string"},
    {"root_readonly_string.json", "config.json: root.readonly: expected a boolean"},
    {"seccomp_errno_ret_string.json",
     "config.json: linux.seccomp.defaultErrnoRet: expected an integer"},
    {"seccomp_names_not_array.json",
     "config.json: linux.seccomp.syscalls[0].names: expected an array"},
    {"seccomp_not_object.json", "config.json: linux.seccomp: expected an object"},
    {"seccomp_op_missing.json", "config.json: linux.seccomp.syscalls[0].args[0].op: required"},
    {"seccomp_op_unknown.json",
     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\""},
    {"seccomp_value_missing.json",
     "config.json: linux.seccomp.syscalls[0].args[0].value: required"},
    {"seccomp_value_negative.json", "config.json: linux.seccomp.syscalls[0].args[0].value: -1 is "
                                    "out of range (0..18446744073709551615)"},
    {"single_quotes.json", "config.json: invalid JSON: lexical error: invalid char in json text"},
    {"sysctl_value_bool.json",
     "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string"},
    {"terminal_string.json", "config.json: process.terminal: expected a boolean"},
    {"too_deep_arrays.json", "config.json: nesting deeper than 64 levels"},
    {"too_deep_objects.json", "config.json: nesting deeper than 64 levels"},
    {"top_level_array.json", "config.json: expected a JSON object at the top level"},
    {"top_level_string.json", "config.json: expected a JSON object at the top level"},
    {"trailing_comma.json",
     "config.json: invalid JSON: parse error: invalid object key (must be a string)"},
    {"trailing_garbage.json", "config.json: invalid JSON: parse error: trailing garbage"},
    {"truncated_escape.json", "config.json: invalid JSON: lexical error: invalid (non-hex) "
                              "character occurs after '\\u' inside string"},
    {"truncated_number.json", "config.json: invalid JSON: parse error: premature EOF"},
    {"truncated_object.json", "config.json: invalid JSON: parse error: premature EOF"},
    {"truncated_string.json", "config.json: invalid JSON: parse error: premature EOF"},
    {"two_documents.json", "config.json: invalid JSON: parse error: trailing garbage"},
    {"uid_exponent.json", "config.json: process.user.uid: 1e3 is not an integer"},
    {"uid_fraction.json", "config.json: process.user.uid: 0.5 is not an integer"},
    {"uid_mapping_size_missing.json", "config.json: linux.uidMappings[0].size: required"},
    {"uid_negative.json", "config.json: process.user.uid: -1 is out of range (0..4294967295)"},
    {"uid_string.json", "config.json: process.user.uid: expected an integer"},
    {"uid_too_big.json",
     "config.json: process.user.uid: 4294967296 is out of range (0..4294967295)"},
    {"umask_negative.json", "config.json: process.user.umask: -18 is out of range (0..4294967295)"},
    {"whitespace_only.json", "config.json: invalid JSON: empty document"},
};

static void test_malformed_corpus(void)
{
	char path[4096];
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		_cleanup_free_ char *buf = NULL;
		struct oci_config *c = NULL;
		struct rl_error e = {0};
		size_t len = 0;

		buf = read_data("malformed", malformed[i].file, &len);
		if (!buf) {
			UNIT_FAIL_("malformed/%s: cannot read", malformed[i].file);
			continue;
		}
		unit_checks++;
		if (oci_config_parse(buf, len, &c, &e) == 0) {
			UNIT_FAIL_("malformed/%s: parsed", malformed[i].file);
			oci_config_free(c);
			continue;
		}
		CHECK(c == NULL);
		CHECK(e.err != 0);
		if (!strstr(e.msg, malformed[i].message))
			UNIT_FAIL_("malformed/%s:\n  got      %s\n  expected %s", malformed[i].file,
			           e.msg, malformed[i].message);
	}

	/* Every file of the corpus has an expectation. */
	snprintf(path, sizeof(path), "%s/malformed", data_dir());
	d = opendir(path);
	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		bool listed = false;

		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
			listed = listed || strcmp(malformed[i].file, de->d_name) == 0;
		if (!listed)
			UNIT_FAIL_("malformed/%s is not in the table", de->d_name);
	}
	closedir(d);
}

/* ---- validation rules ---------------------------------------------------------- */

#define V         "'ociVersion':'1.2.0'"
#define R         "'root':{'path':'rootfs'}"
#define P         "'process':{'args':['sh'],'cwd':'/'}"
#define PX(extra) "'process':{'args':['sh'],'cwd':'/'," extra "}"
#define OK_       "{" V "," P "," R
#define LX(extra) OK_ ",'linux':{" extra "}}"
#define SC(extra)                                                                                  \
	LX("'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"   \
	   "'SCMP_ACT_ALLOW'}]," extra "}")
#define SCALL(extra) LX("'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[" extra "]}")

static const struct {
	const char *json; /* with ' for " */
	const char *message;
} invalid[] = {
    {"{" P "," R "}", "config.json: ociVersion: required"},
    {"{'ociVersion':''," P "," R "}", "config.json: ociVersion: required"},
    {"{" V "," R "}", "config.json: process: required"},
    {"{" V ",'process':{'cwd':'/'}," R "}", "config.json: process.args: must not be empty"},
    {"{" V ",'process':{'args':[],'cwd':'/'}," R "}",
     "config.json: process.args: must not be empty"},
    {"{" V ",'process':{'args':['sh']}," R "}", "config.json: process.cwd: required"},
    {"{" V ",'process':{'args':['sh'],'cwd':'tmp'}," R "}",
     "config.json: process.cwd: must be an absolute path, not \"tmp\""},
    {"{" V ",'process':{'args':['sh'],'cwd':''}," R "}",
     "config.json: process.cwd: must be an absolute path, not \"\""},
    {"{" V "," PX("'commandLine':'cmd.exe'") "," R "}",
     "config.json: process.commandLine: is for Windows only; use process.args"},
    {"{" V "," PX("'env':['A=1','FOO']") "," R "}",
     "config.json: process.env[1]: \"FOO\" is not of the form NAME=value"},
    {"{" V "," PX("'env':['=x']") "," R "}",
     "config.json: process.env[0]: \"=x\" is not of the form NAME=value"},
    {"{" V "," PX("'capabilities':{'bounding':['CAP_KILL','CAP_FOO']}") "," R "}",
     "config.json: process.capabilities.bounding[1]: unknown capability \"CAP_FOO\""},
    {"{" V "," PX("'capabilities':{'effective':['kill']}") "," R "}",
     "config.json: process.capabilities.effective[0]: capability \"kill\" must start with "
     "\"CAP_\""},
    {"{" V "," PX("'capabilities':{'inheritable':['CAP_kill']}") "," R "}",
     "config.json: process.capabilities.inheritable[0]: unknown capability \"CAP_kill\""},
    {"{" V "," PX("'capabilities':{'permitted':['CAP_KILL,']}") "," R "}",
     "config.json: process.capabilities.permitted[0]: unknown capability \"CAP_KILL,\""},
    {"{" V "," PX("'capabilities':{'ambient':['CAP_5']}") "," R "}",
     "config.json: process.capabilities.ambient[0]: unknown capability \"CAP_5\""},
    {"{" V "," PX("'capabilities':{'ambient':['CAP_']}") "," R "}",
     "config.json: process.capabilities.ambient[0]: unknown capability \"CAP_\""},
    {"{" V "," PX("'rlimits':[{'type':'RLIMIT_FOO','hard':1,'soft':1}]") "," R "}",
     "config.json: process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\""},
    {"{" V "," PX("'rlimits':[{'hard':1,'soft':1}]") "," R "}",
     "config.json: process.rlimits[0].type: required"},
    {"{" V "," PX("'rlimits':[{'type':'RLIMIT_NOFILE','hard':5,'soft':10}]") "," R "}",
     "config.json: process.rlimits[0]: RLIMIT_NOFILE soft limit 10 is greater than hard limit 5"},
    {"{" V "," PX("'rlimits':[{'type':'RLIMIT_CORE','hard':1,'soft':1},{'type':'RLIMIT_NPROC',"
                  "'hard':1,'soft':1},{'type':'RLIMIT_CORE','hard':1,'soft':1}]") "," R "}",
     "config.json: process.rlimits[2].type: duplicate rlimit type \"RLIMIT_CORE\" (also at "
     "process.rlimits[0])"},
    {"{" V "," PX("'oomScoreAdj':1001") "," R "}",
     "config.json: process.oomScoreAdj: 1001 is out of range (-1000..1000)"},
    {"{" V "," PX("'oomScoreAdj':-1001") "," R "}",
     "config.json: process.oomScoreAdj: -1001 is out of range (-1000..1000)"},
    {"{" V "," P "}", "config.json: root: required"},
    {"{" V "," P ",'root':{'readonly':true}}", "config.json: root.path: required"},
    {"{" V "," P ",'root':{'path':''}}", "config.json: root.path: required"},
    {OK_ ",'mounts':[{'destination':'/proc'},{'destination':'proc'}]}",
     "config.json: mounts[1].destination: must be an absolute path, not \"proc\""},
    {OK_ ",'mounts':[{'type':'tmpfs'}]}", "config.json: mounts[0].destination: required"},
    {OK_ ",'mounts':[{'destination':'/x','uidMappings':[{'containerID':0,'hostID':0,'size':0}"
         "]}]}",
     "config.json: mounts[0].uidMappings[0].size: must be greater than 0"},
    {OK_ ",'mounts':[{'destination':'/x','gidMappings':[{'containerID':0,'hostID':0,'size':0}"
         "]}]}",
     "config.json: mounts[0].gidMappings[0].size: must be greater than 0"},
    {OK_ ",'hooks':{'prestart':[{'path':'/bin/a','env':['X']}]}}",
     "config.json: hooks.prestart[0].env[0]: \"X\" is not of the form NAME=value"},
    {LX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'foo'}]"),
     "config.json: linux.namespaces[2].type: unknown namespace type \"foo\""},
    {LX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
     "config.json: linux.namespaces[1].type: duplicate namespace type \"pid\" (also at "
     "linux.namespaces[0])"},
    {LX("'namespaces':[{'path':'/proc/1/ns/pid'}]"),
     "config.json: linux.namespaces[0].type: required"},
    {LX("'namespaces':[{'type':'network','path':'netns'}]"),
     "config.json: linux.namespaces[0].path: must be an absolute path, not \"netns\""},
    {LX("'uidMappings':[{'containerID':0,'hostID':1000,'size':0}]"),
     "config.json: linux.uidMappings[0].size: must be greater than 0"},
    {LX("'gidMappings':[{'containerID':0,'hostID':1000,'size':1},{'containerID':1,'hostID':1,"
        "'size':0}]"),
     "config.json: linux.gidMappings[1].size: must be greater than 0"},
    {LX("'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]"),
     "config.json: linux.devices[0].type: unknown device type \"x\" (expected \"c\", \"b\", "
     "\"u\" or \"p\")"},
    {LX("'devices':[{'path':'dev/x','type':'c','major':1,'minor':1}]"),
     "config.json: linux.devices[0].path: must be an absolute path, not \"dev/x\""},
    {LX("'devices':[{'type':'c','major':1,'minor':1}]"),
     "config.json: linux.devices[0].path: required"},
    {LX("'devices':[{'path':'/dev/x','major':1,'minor':1}]"),
     "config.json: linux.devices[0].type: required"},
    {LX("'resources':{'devices':[{'allow':true,'type':'p'}]}"),
     "config.json: linux.resources.devices[0].type: unknown device type \"p\" (expected "
     "\"a\", \"c\" or \"b\")"},
    {LX("'seccomp':{'syscalls':[]}"), "config.json: linux.seccomp.defaultAction: required"},
    {LX("'seccomp':{'defaultAction':'SCMP_ACT_DENY'}"),
     "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\""},
    {LX("'seccomp':{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/run/x'}"),
     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
     "action"},
    {SC("'architectures':['SCMP_ARCH_X86_64','x86_64']"),
     "config.json: linux.seccomp.architectures[1]: unknown architecture \"x86_64\""},
    {SC("'architectures':['SCMP_ARCH_']"),
     "config.json: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_\""},
    {SC("'flags':['SECCOMP_FILTER_FLAG_FOO']"),
     "config.json: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\""},
    {SC("'listenerPath':'run/x'"),
     "config.json: linux.seccomp.listenerPath: must be an absolute path, not \"run/x\""},
    {SCALL("{'names':['read'],'action':'SCMP_ACT_ALLOW'},{'names':['x'],'action':'ALLOW'}"),
     "config.json: linux.seccomp.syscalls[1].action: unknown action \"ALLOW\""},
    {SCALL("{'names':['read']}"), "config.json: linux.seccomp.syscalls[0].action: required"},
    {SCALL("{'names':[],'action':'SCMP_ACT_ALLOW'}"),
     "config.json: linux.seccomp.syscalls[0].names: must not be empty"},
    {SCALL("{'action':'SCMP_ACT_ALLOW'}"),
     "config.json: linux.seccomp.syscalls[0].names: must not be empty"},
    {SCALL("{'names':['read',''],'action':'SCMP_ACT_ALLOW'}"),
     "config.json: linux.seccomp.syscalls[0].names[1]: must not be empty"},
    {SCALL("{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,'value':1,'op':"
           "'SCMP_CMP_EQ'}]}"),
     "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)"},
    {SCALL("{'names':['openat'],'action':'SCMP_ACT_NOTIFY'}"),
     "config.json: linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY"},
    {LX("'rootfsPropagation':'bogus'"),
     "config.json: linux.rootfsPropagation: unknown propagation \"bogus\""},
    {LX("'maskedPaths':['/proc/kcore','proc/keys']"),
     "config.json: linux.maskedPaths[1]: must be an absolute path, not \"proc/keys\""},
    {LX("'readonlyPaths':['sys']"),
     "config.json: linux.readonlyPaths[0]: must be an absolute path, not \"sys\""},
    {LX("'personality':{'domain':'LINUX64'}"),
     "config.json: linux.personality.domain: unknown domain \"LINUX64\" (expected \"LINUX\" "
     "or \"LINUX32\")"},
    {LX("'personality':{'flags':[]}"), "config.json: linux.personality.domain: required"},
};

static void test_validation_rules(void)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		_cleanup_free_ char *json = jq(invalid[i].json);
		_cleanup_config_ struct oci_config *c = NULL;
		struct rl_error e = {0};

		unit_checks++;
		if (oci_config_parse(json, strlen(json), &c, &e) < 0) {
			UNIT_FAIL_("invalid[%zu]: parse failed: %s\n  %s", i, e.msg, json);
			continue;
		}
		if (oci_config_validate(c, &e) == 0) {
			UNIT_FAIL_("invalid[%zu]: validated\n  %s", i, json);
			continue;
		}
		CHECK_INT_EQ(e.err, EINVAL);
		if (strcmp(e.msg, invalid[i].message) != 0)
			UNIT_FAIL_("invalid[%zu]:\n  got      %s\n  expected %s", i, e.msg,
			           invalid[i].message);
	}
}

static void test_hook_rules_every_kind(void)
{
	static const char *const kinds[] = {"prestart",       "createRuntime", "createContainer",
	                                    "startContainer", "poststart",     "poststop"};
	char json[512], want[256];

	for (size_t i = 0; i < 6; i++) {
		snprintf(json, sizeof(json), OK_ ",'hooks':{'%s':[{'path':'/ok'},{'path':'rel'}]}}",
		         kinds[i]);
		snprintf(want, sizeof(want),
		         "config.json: hooks.%s[1].path: must be an absolute path, not \"rel\"",
		         kinds[i]);
		CHECK_STREQ(outcome_q(json), want);
		snprintf(json, sizeof(json), OK_ ",'hooks':{'%s':[{'args':['x']}]}}", kinds[i]);
		snprintf(want, sizeof(want), "config.json: hooks.%s[0].path: required", kinds[i]);
		CHECK_STREQ(outcome_q(json), want);
		snprintf(json, sizeof(json), OK_ ",'hooks':{'%s':[{'path':'/x','timeout':0}]}}",
		         kinds[i]);
		snprintf(want, sizeof(want),
		         "config.json: hooks.%s[0].timeout: must be greater than 0, not 0",
		         kinds[i]);
		CHECK_STREQ(outcome_q(json), want);
		snprintf(json, sizeof(json), OK_ ",'hooks':{'%s':[{'path':'/x','timeout':-3}]}}",
		         kinds[i]);
		snprintf(want, sizeof(want),
		         "config.json: hooks.%s[0].timeout: must be greater than 0, not -3",
		         kinds[i]);
		CHECK_STREQ(outcome_q(json), want);
	}
}

static void test_accepted_enumerations(void)
{
	static const char *const ok[] = {
	    LX("'namespaces':[{'type':'pid'},{'type':'network'},{'type':'mount'},{'type':'ipc'},"
	       "{'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}]"),
	    "{" V "," PX("'rlimits':["
	                 "{'type':'RLIMIT_AS','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_CORE','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_CPU','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_DATA','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_FSIZE','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_LOCKS','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_MEMLOCK','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_MSGQUEUE','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_NICE','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_NOFILE','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_NPROC','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_RSS','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_RTPRIO','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_RTTIME','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_SIGPENDING','hard':1,'soft':1},"
	                 "{'type':'RLIMIT_STACK','hard':2,'soft':1}]") "," R "}",
	    "{" V "," PX("'capabilities':{'bounding':['CAP_CHOWN','CAP_SYS_ADMIN','CAP_BPF',"
	                 "'CAP_PERFMON','CAP_CHECKPOINT_RESTORE','CAP_AUDIT_READ']}") "," R "}",
	    "{" V "," PX("'oomScoreAdj':-1000") "," R "}",
	    "{" V "," PX("'oomScoreAdj':1000") "," R "}",
	    SCALL("{'names':['a'],'action':'SCMP_ACT_KILL'},"
	          "{'names':['b'],'action':'SCMP_ACT_KILL_PROCESS'},"
	          "{'names':['c'],'action':'SCMP_ACT_KILL_THREAD'},"
	          "{'names':['d'],'action':'SCMP_ACT_TRAP'},"
	          "{'names':['e'],'action':'SCMP_ACT_ERRNO','errnoRet':1},"
	          "{'names':['f'],'action':'SCMP_ACT_TRACE'},"
	          "{'names':['g'],'action':'SCMP_ACT_ALLOW'},"
	          "{'names':['h'],'action':'SCMP_ACT_LOG'}"),
	    SC("'architectures':['SCMP_ARCH_AARCH64','SCMP_ARCH_RISCV64','SCMP_ARCH_NATIVE'],"
	       "'flags':['SECCOMP_FILTER_FLAG_TSYNC','SECCOMP_FILTER_FLAG_LOG',"
	       "'SECCOMP_FILTER_FLAG_SPEC_ALLOW','SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']"),
	    LX("'devices':[{'path':'/dev/a','type':'c','major':1,'minor':1},"
	       "{'path':'/dev/b','type':'b','major':8,'minor':0},"
	       "{'path':'/dev/c','type':'u','major':1,'minor':2},{'path':'/dev/d','type':'p'}]"),
	    LX("'resources':{'devices':[{'allow':false},{'allow':true,'type':'a','access':''},"
	       "{'allow':true,'type':'c','access':'m'},{'allow':true,'type':'b','access':'rw'},"
	       "{'allow':true,'type':'c','access':'rwa'}]}"), /* runc takes "rwa" too */
	    LX("'rootfsPropagation':'rslave','personality':{'domain':'LINUX'}"),
	    OK_ ",'hooks':{'poststop':[{'path':'/x','timeout':1}]}}",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *msg = outcome_q(ok[i]);

		if (strcmp(msg, "") != 0)
			UNIT_FAIL_("ok[%zu]: %s", i, msg);
		unit_checks++;
	}
}

/* ---- numbers ------------------------------------------------------------------ */

static void test_numbers(void)
{
	static const struct {
		const char *json;
		const char *message;
	} cases[] = {
	    {LX("'resources':{'memory':{'limit':-9223372036854775808}}"), ""},
	    {LX("'resources':{'memory':{'limit':9223372036854775807}}"), ""},
	    {LX("'resources':{'memory':{'limit':9223372036854775808}}"),
	     "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range "
	     "(-9223372036854775808..9223372036854775807)"},
	    {LX("'resources':{'cpu':{'shares':18446744073709551615}}"), ""},
	    {"{" V "," PX("'user':{'uid':-0,'gid':4294967295}") "," R "}", ""},
	    {"{" V "," PX("'user':{'uid':1E2}") "," R "}",
	     "config.json: process.user.uid: 1E2 is not an integer"},
	    {"{" V "," PX("'user':{'uid':1.0}") "," R "}",
	     "config.json: process.user.uid: 1.0 is not an integer"},
	    {"{" V "," PX("'user':{'uid':-0.0}") "," R "}",
	     "config.json: process.user.uid: -0.0 is not an integer"},
	    {"{" V "," PX("'oomScoreAdj':-2147483649") "," R "}",
	     "config.json: process.oomScoreAdj: -2147483649 is out of range "
	     "(-2147483648..2147483647)"},
	    {"{" V "," PX("'user':{'uid':true}") "," R "}",
	     "config.json: process.user.uid: expected an integer"},
	    {"{" V "," PX("'user':{'uid':null}") "," R "}", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *msg = outcome_q(cases[i].json);

		if (strcmp(msg, cases[i].message) != 0)
			UNIT_FAIL_("numbers[%zu]:\n  got      %s\n  expected %s", i, msg,
			           cases[i].message);
		unit_checks++;
	}
}

/* ---- limits: size, depth, big strings, many keys, NULs -------------------------- */

static void test_size_cap(void)
{
	static const char doc[] = "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\"],"
	                          "\"cwd\":\"/\"},\"root\":{\"path\":\"r\"}}";
	_cleanup_free_ char *buf = malloc(9000000);

	CHECK(buf != NULL);
	if (!buf)
		return;
	memset(buf, ' ', 9000000);
	memcpy(buf, doc, sizeof(doc) - 1);
	CHECK_STREQ(outcome(buf, 9000000),
	            "config.json: document is 9000000 bytes, larger than the 8388608-byte limit");
	CHECK_STREQ(outcome(buf, OCI_CONFIG_MAX_BYTES + 1),
	            "config.json: document is 8388609 bytes, larger than the 8388608-byte limit");
	/* Exactly at the limit is accepted (trailing whitespace is fine). */
	CHECK_STREQ(outcome(buf, OCI_CONFIG_MAX_BYTES), "");
}

static char *nested(size_t depth, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close), li = strlen(inner);
	char *s = malloc(depth * (lo + lc) + li + 1), *p = s;

	if (!s)
		return NULL;
	for (size_t i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (size_t i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void test_depth(void)
{
	/* 64 levels: the top-level object and 63 nested in it. */
	_cleanup_free_ char *d64 = nested(64, "{\"x\":", "1", "}");
	_cleanup_free_ char *d65 = nested(65, "{\"x\":", "1", "}");
	_cleanup_free_ char *arrays = nested(63, "[", "", "]");
	_cleanup_free_ char *huge = nested(1000000, "[", "", "]");
	_cleanup_free_ char *json = NULL;
	struct oci_config *c = NULL;
	struct rl_error e = {0};

	CHECK(d64 && d65 && arrays && huge);
	if (!d64 || !d65 || !arrays || !huge)
		return;
	CHECK_INT_EQ(oci_config_parse(d64, strlen(d64), &c, &e), 0);
	oci_config_free(c);
	c = NULL;
	CHECK_STREQ(outcome(d65, strlen(d65)), "config.json: nesting deeper than 64 levels");
	CHECK_STREQ(outcome(huge, strlen(huge)), "config.json: nesting deeper than 64 levels");
	/* Arrays count the same, in an ignored member as anywhere else. */
	if (asprintf(&json, "{\"x\":%s}", arrays) < 0)
		return;
	CHECK_INT_EQ(oci_config_parse(json, strlen(json), &c, &e), 0);
	oci_config_free(c);
	free(json);
	if (asprintf(&json, "{\"x\":[%s]}", arrays) < 0)
		return;
	CHECK_STREQ(outcome(json, strlen(json)), "config.json: nesting deeper than 64 levels");
}

static void test_big_strings(void)
{
	const size_t mib = 1024 * 1024;
	static const char head[] = "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\"],"
	                           "\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},\"annotations\":{\"";
	size_t hl = sizeof(head) - 1, len = 0;
	_cleanup_free_ char *buf = malloc(hl + 2 * mib + 64);
	_cleanup_config_ struct oci_config *c = NULL;
	struct rl_error e = {0};
	char *p;

	CHECK(buf != NULL);
	if (!buf)
		return;
	/* A 1 MiB key with a 1 MiB value, of multi-byte characters for half. */
	p = buf + hl;
	memcpy(buf, head, hl);
	memset(p, 'k', mib);
	p += mib;
	memcpy(p, "\":\"", 3);
	p += 3;
	for (size_t i = 0; i < mib / 2; i += 2, p += 2)
		memcpy(p, "\xc3\xa9", 2);
	memset(p, 'v', mib / 2);
	p += mib / 2;
	memcpy(p, "\"}}", 3);
	p += 3;
	len = (size_t)(p - buf);
	CHECK_INT_EQ(oci_config_parse(buf, len, &c, &e), 0);
	CHECK_STREQ(e.msg, "");
	if (c) {
		CHECK_UINT_EQ(c->n_annotations, 1);
		CHECK_UINT_EQ(strlen(c->annotations[0].key), mib);
		CHECK_UINT_EQ(strlen(c->annotations[0].value), mib);
	}
	/* The same with an escaped NUL at the very end of the value. */
	memcpy(p - 3 - 6, "\\u0000", 6);
	CHECK_STREQ(outcome(buf, len),
	            "config.json: annotations[\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	            "kkk\"...]: contains a NUL character");
}

static void test_many_keys(void)
{
	const size_t n = 200000;
	_cleanup_free_ char *buf = malloc(n * 24 + 256);
	char *p = buf;
	struct oci_config *c = NULL;
	struct rl_error e = {0};

	CHECK(buf != NULL);
	if (!buf)
		return;
	p += sprintf(p, "{\"annotations\":{");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s\"k%zu\":\"v\"", i ? "," : "", i);
	p += sprintf(p, "}}");
	CHECK_INT_EQ(oci_config_parse(buf, (size_t)(p - buf), &c, &e), 0);
	if (c) {
		CHECK_UINT_EQ(c->n_annotations, n);
		CHECK_STREQ(oci_config_annotation(c, "k199999"), "v");
	}
	oci_config_free(c);
	/* One duplicate far apart. */
	p -= 2;
	p += sprintf(p, ",\"k17\":\"w\"}}");
	CHECK_STREQ(outcome(buf, (size_t)(p - buf)),
	            "config.json: annotations: duplicate key \"k17\"");
}

static void test_raw_nul_in_buffer(void)
{
	static const char doc[] = "{\"ociVersion\":\"1.2.0\0\"}";

	CHECK_STREQ(outcome(doc, sizeof(doc) - 1),
	            "config.json: invalid JSON: NUL byte at offset 20");
	/* A length that stops before the NUL sees a truncated document. */
	CHECK_CONTAINS(outcome(doc, 20), "config.json: invalid JSON: parse error: premature EOF");
	CHECK_STREQ(outcome("", 0), "config.json: invalid JSON: empty document");
	CHECK_STREQ(outcome(NULL, 0), "config.json: invalid JSON: empty document");
}

/* Every proper prefix of a valid document fails cleanly (no crash, no leak,
 * one message); every single-byte mutation too. */
static void test_truncations_and_mutations(void)
{
	static const char subst[] = {'"', '1', '{', '}',  '[',  ']',
	                             ',', ':', 'x', '\\', '\0', '\xff'};
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, end;

	buf = read_data("corpus", "full.json", &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	end = (size_t)(strrchr(buf, '}') - buf) + 1;
	for (size_t i = 0; i < end; i++) {
		const char *msg = outcome(buf, i);

		if (strncmp(msg, "config.json: ", 13) != 0)
			UNIT_FAIL_("prefix %zu: \"%s\"", i, msg);
	}
	for (size_t i = 0; i < len; i++) {
		char saved = buf[i];

		for (size_t k = 0; k < sizeof(subst); k++) {
			const char *msg;

			buf[i] = subst[k];
			msg = outcome(buf, len);
			if (msg[0] && strncmp(msg, "config.json: ", 13) != 0)
				UNIT_FAIL_("mutation at %zu: \"%s\"", i, msg);
		}
		buf[i] = saved;
	}
	unit_checks++;
}

static void test_failure_leaves_output(void)
{
	struct oci_config *c = (struct oci_config *)&c;
	struct rl_error e = {0};

	CHECK_INT_EQ(oci_config_parse("{\"process\":[]}", 14, &c, &e), -1);
	CHECK(c == (struct oci_config *)&c);
	CHECK_INT_EQ(e.err, EINVAL);
	CHECK_INT_EQ(oci_config_parse("{}", 2, &c, NULL), 0);
	oci_config_free(c);
	CHECK_INT_EQ(oci_config_parse("{", 1, &c, NULL), -1);
	oci_config_free(NULL);
}

/* ---- oci_config_load ------------------------------------------------------------ */

static int write_at(int dirfd, const char *name, const char *data)
{
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(data);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return -1;
	return 0;
}

static void test_load(void)
{
	char tmpl[] = "/tmp/runlock-test-config-XXXXXX";
	char *dir = mkdtemp(tmpl);
	_cleanup_close_ int dfd = -1;
	_cleanup_close_ int big = -1;
	struct oci_config *c = NULL;
	struct rl_error e = {0};
	_cleanup_free_ char *ok = jq("{" V "," P "," R "}");

	CHECK(dir != NULL);
	if (!dir)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);

	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), -1);
	CHECK_INT_EQ(e.err, ENOENT);
	CHECK_STREQ(e.msg, "config.json: open: No such file or directory");

	CHECK_INT_EQ(write_at(dfd, "config.json", ok), 0);
	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), 0);
	if (c) {
		CHECK_STREQ(c->root->path, "rootfs");
		CHECK_INT_EQ(oci_config_validate(c, &e), 0);
	}
	oci_config_free(c);
	c = NULL;

	CHECK_INT_EQ(write_at(dfd, "config.json", "{\"process\":{\"args\":\"sh\"}}"), 0);
	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), -1);
	CHECK_STREQ(e.msg, "config.json: process.args: expected an array");

	CHECK_INT_EQ(write_at(dfd, "config.json", ""), 0);
	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), -1);
	CHECK_STREQ(e.msg, "config.json: invalid JSON: empty document");

	/* Sparse: no 9 MB actually written. */
	big = openat(dfd, "config.json", O_WRONLY | O_TRUNC | O_CLOEXEC);
	CHECK(big >= 0 && ftruncate(big, 9000000) == 0);
	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), -1);
	CHECK_INT_EQ(e.err, EFBIG);
	CHECK_STREQ(e.msg,
	            "config.json: document is 9000000 bytes, larger than the 8388608-byte limit");

	CHECK_INT_EQ(unlinkat(dfd, "config.json", 0), 0);
	CHECK_INT_EQ(mkfifoat(dfd, "config.json", 0600), 0);
	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), -1);
	CHECK_STREQ(e.msg, "config.json: not a regular file");
	CHECK_INT_EQ(unlinkat(dfd, "config.json", 0), 0);

	CHECK_INT_EQ(mkdirat(dfd, "config.json", 0700), 0);
	CHECK_INT_EQ(oci_config_load(dfd, &c, &e), -1);
	CHECK_STREQ(e.msg, "config.json: not a regular file");
	CHECK_INT_EQ(unlinkat(dfd, "config.json", AT_REMOVEDIR), 0);

	CHECK(c == NULL);
	CHECK_INT_EQ(rmdir(dir), 0);
}

/* memory.limit and reservation are held; memory.swap only when it asks
 * nothing beyond the limit (-1, or at least the limit). */
static void test_resources_memory_swap(void)
{
	static const struct {
		const char *memory;
		const char *listed; /* NULL: nothing */
	} cases[] = {
	    {"{'limit':67108864,'reservation':1}", NULL},
	    {"{'limit':67108864,'swap':67108864}", NULL},
	    {"{'limit':67108864,'swap':134217728}", NULL},
	    {"{'limit':67108864,'swap':-1}", NULL},
	    {"{'limit':67108864,'swap':33554432}", "linux.resources.memory.swap"},
	    {"{'swap':67108864}", "linux.resources.memory.swap"},
	    {"{'limit':67108864,'swappiness':10}", "linux.resources.memory.swappiness"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[512];
		snprintf(doc, sizeof(doc),
		         "{'ociVersion':'1.2.0','process':{'args':['sh'],'cwd':'/'},'root':{'path':"
		         "'r'},'linux':{'resources':{'memory':%s}}}",
		         cases[i].memory);
		_cleanup_config_ struct oci_config *c = parse_ok(doc);
		const struct oci_resources *r;
		if (!c)
			continue;
		r = c->linux_->resources;
		if (cases[i].listed)
			CHECK(r->n_unsupported == 1 &&
			      strcmp(r->unsupported[0], cases[i].listed) == 0);
		else
			CHECK_UINT_EQ(r->n_unsupported, 0);
	}
}

/* The members runlock cannot enforce are listed by path, in document
 * order; neutral values and enforced members are not. */
static void test_resources_unsupported(void)
{
	_cleanup_config_ struct oci_config *c = parse_ok(
	    "{'ociVersion':'1.2.0','process':{'args':['sh'],'cwd':'/'},'root':{'path':'r'},"
	    "'linux':{'resources':{'devices':[{'allow':false,'access':'rwm'}],"
	    "'pids':{'limit':50},'memory':{'limit':-1,'swap':0,'reservation':1,'kernel':9},"
	    "'cpu':{'period':100000,'quota':50000,'cpus':'','mems':'0'},"
	    "'unified':{'memory.max':'1M','io.weight':''},'hugepageLimits':[],"
	    "'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':10}]},"
	    "'newThing':{'x':1},'rdma':{}}}}");
	static const char *const want[] = {

	    "linux.resources.unified[\"memory.max\"]",
	    "linux.resources.blockIO.weightDevice",
	    "linux.resources.newThing",
	};
	const struct oci_resources *r;

	if (!c)
		return;
	r = c->linux_->resources;
	CHECK(strv_eq(r->unsupported, r->n_unsupported, want, sizeof(want) / sizeof(want[0])));
}

static void test_rlimit_resource(void)
{
	CHECK_INT_EQ(oci_rlimit_resource("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	CHECK_INT_EQ(oci_rlimit_resource("RLIMIT_AS"), RLIMIT_AS);
	CHECK_INT_EQ(oci_rlimit_resource("RLIMIT_STACK"), RLIMIT_STACK);
	CHECK_INT_EQ(oci_rlimit_resource("RLIMIT_nofile"), -1);
	CHECK_INT_EQ(oci_rlimit_resource(""), -1);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_full_config);
	RUN(test_minimal_defaults);
	RUN(test_null_is_absent);
	RUN(test_valid_corpus);
	RUN(test_malformed_corpus);
	RUN(test_validation_rules);
	RUN(test_hook_rules_every_kind);
	RUN(test_accepted_enumerations);
	RUN(test_numbers);
	RUN(test_size_cap);
	RUN(test_depth);
	RUN(test_big_strings);
	RUN(test_many_keys);
	RUN(test_raw_nul_in_buffer);
	RUN(test_truncations_and_mutations);
	RUN(test_failure_leaves_output);
	RUN(test_load);
	RUN(test_rlimit_resource);
	RUN(test_resources_unsupported);
	RUN(test_resources_memory_swap);
	return unit_summary(argv[0]);
}
