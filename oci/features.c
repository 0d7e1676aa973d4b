/* `runlock features`: the runtime-spec features document (features.md,
 * features-linux.md).
 *
 * Callers (containerd, Podman, test suites) decide what to put in a bundle
 * from this document, so it must claim only what runlock does today. Every
 * claim comes from one of the tables below; the work that makes a feature
 * real extends its table in the same change. Per the spec the content is
 * fixed at build time, not probed on the host, with one exception: the
 * capability list comes from libcap, which is what parses the names. */
#include "oci/spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capability.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"
#include "oci/json_writer.h"

#ifndef RUNLOCK_VERSION
#define RUNLOCK_VERSION "unknown"
#endif

struct feature_flag {
	const char *name;
	bool enabled;
};

struct feature_kv {
	const char *key;
	const char *value;
};

/* config.json ociVersion range runlock accepts; oci_config_validate must take both ends. */
#define FEATURES_OCI_VERSION_MIN "1.0.0"
#define FEATURES_OCI_VERSION_MAX "1.2.0"

/* Hook kinds that hooks/ runs: all six of the runtime spec. */
static const char *const features_hooks[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    NULL};

/* Mount options the supervisor's mount table honours (docs/mounts.md):
 * bind/rbind make a bind mount, ro answers EROFS and drops Landlock's write
 * rights, noexec drops its execute right, nosuid refuses set-id programs
 * without no_new_privs, nodev refuses device opens; rw, exec, suid and dev
 * are the defaults. */
/* Every option the mount table honours or accepts (shim/mounts/mounts_build.c,
 * docs/mounts.md "Mount options"); any other is refused at create.
 * containerd looks for "rro" here before it asks for it. */
static const char *const features_mount_options[] = {
    "bind",          "rbind",          "ro",         "rro",         "rw",          "rrw",
    "noexec",        "rnoexec",        "exec",       "rexec",       "nosuid",      "rnosuid",
    "suid",          "rsuid",          "nodev",      "rnodev",      "dev",         "rdev",
    "private",       "rprivate",       "shared",     "rshared",     "slave",       "rslave",
    "unbindable",    "runbindable",    "atime",      "ratime",      "noatime",     "rnoatime",
    "relatime",      "rrelatime",      "norelatime", "rnorelatime", "strictatime", "rstrictatime",
    "nostrictatime", "rnostrictatime", "diratime",   "rdiratime",   "nodiratime",  "rnodiratime",
    "lazytime",      "nolazytime",     "tmpcopyup",  "notmpcopyup", NULL};

/* linux.namespaces types whose isolation runlock provides without creating them
 * (docs/security.md): chroot + Landlock for "mount", Landlock signal scope for "pid",
 * abstract-socket scope + SysV/mqueue denial for "ipc", Landlock TCP rules + socket filter (or
 * joining a given path) for "network", the supervisor's uname/sethostname emulation for
 * "uts". */
static const char *const features_namespaces[] = {"mount", "network", "pid", "ipc", "uts", NULL};

/* cgroup managers: none, by design (no host state, accounting is the supervisor's). */
static const struct feature_flag features_cgroup[] = {
    {"v1", false}, {"v2", false}, {"systemd", false}, {"systemdUser", false}, {"rdma", false},
};

/* Whether the bundle's linux.seccomp profile is compiled and installed; the lists below are
 * published only once it is. */
static const bool features_seccomp_enabled = true;

/* Actions the profile compiler maps to libseccomp. SCMP_ACT_NOTIFY is left out: the bundle's own
 * listener (listenerPath) would compete with the supervisor's and is not planned yet. */
static const char *const features_seccomp_actions[] = {
    "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_TRACE",        "SCMP_ACT_TRAP",        NULL};

/* Argument comparisons the profile compiler maps to libseccomp. */
static const char *const features_seccomp_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",        "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_NE", "SCMP_CMP_MASKED_EQ", NULL};

/* ABIs runlock's own mandatory filter covers (x86_64 and its i386 compat ABI). */
static const char *const features_seccomp_archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
                                                     "SCMP_ARCH_X32", NULL};

/* linux.seccomp.flags the installer passes on (known and supported alike until a kernel probe
 * is needed to tell them apart). */
static const char *const features_seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

/* Linux security features with an on/off answer; LSM labels and RDT are not applied. */
static const struct feature_flag features_linux_switches[] = {
    {"apparmor", false},
    {"selinux", false},
    {"intelRdt", false},
};

/* Whether mounts' uidMappings/gidMappings are honoured; not without a user namespace. */
static const bool features_idmap_enabled = false;

/* runlock's own annotations; never another runtime's keys. */
static const struct feature_kv features_annotations[] = {
    {"io.github.runlock.version", RUNLOCK_VERSION},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "key": {"enabled": b} */
static void jw_enabled(struct jw *w, const char *key, bool b)
{
	jw_str(w, key);
	jw_map_open(w);
	jw_str(w, "enabled");
	jw_bool(w, b);
	jw_map_close(w);
}

static void cap_namep(char **p)
{
	if (*p)
		cap_free(*p);
}

/* Every name libcap can translate, so the list matches what the config's capability sets may
 * contain. The bound also reaches the build headers' CAP_LAST_CAP so that an older running
 * kernel does not shorten a list the spec wants fixed at build time; indices libcap has no
 * name for come back as digits and are skipped. */
static int gen_capabilities(struct jw *w, struct rl_error *e)
{
	cap_value_t max = cap_max_bits();

	if (max < CAP_LAST_CAP + 1)
		max = CAP_LAST_CAP + 1;
	jw_str(w, "capabilities");
	jw_arr_open(w);
	for (cap_value_t c = 0; c < max; c++) {
		_cleanup_(cap_namep) char *name = cap_to_name(c);

		if (!name)
			return rl_fail(e, ENOMEM, "naming capability %d", c);
		if (isdigit((unsigned char)name[0]))
			continue;
		for (char *p = name; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		jw_str(w, name);
	}
	jw_arr_close(w);
	return 0;
}

static void gen_seccomp(struct jw *w)
{
	jw_str(w, "seccomp");
	jw_map_open(w);
	jw_str(w, "enabled");
	jw_bool(w, features_seccomp_enabled);
	/* Absent rather than [] while disabled: the spec reads [] as "recognises none". */
	if (features_seccomp_enabled) {
		jw_strv(w, "actions", features_seccomp_actions);
		jw_strv(w, "operators", features_seccomp_operators);
		jw_strv(w, "archs", features_seccomp_archs);
		jw_strv(w, "knownFlags", features_seccomp_flags);
		jw_strv(w, "supportedFlags", features_seccomp_flags);
	}
	jw_map_close(w);
}

static int gen_linux(struct jw *w, struct rl_error *e)
{
	jw_str(w, "linux");
	jw_map_open(w);
	jw_strv(w, "namespaces", features_namespaces);
	if (gen_capabilities(w, e) < 0)
		return -1;
	jw_str(w, "cgroup");
	jw_map_open(w);
	for (size_t i = 0; i < ARRAY_LEN(features_cgroup); i++) {
		jw_str(w, features_cgroup[i].name);
		jw_bool(w, features_cgroup[i].enabled);
	}
	jw_map_close(w);
	gen_seccomp(w);
	for (size_t i = 0; i < ARRAY_LEN(features_linux_switches); i++)
		jw_enabled(w, features_linux_switches[i].name, features_linux_switches[i].enabled);
	jw_str(w, "mountExtensions");
	jw_map_open(w);
	jw_enabled(w, "idmap", features_idmap_enabled);
	jw_map_close(w);
	jw_map_close(w);
	return 0;
}

int oci_features_generate(char **json, size_t *len, struct rl_error *e)
{
	_cleanup_(jw_gen_freep) yajl_gen g = yajl_gen_alloc(NULL);
	struct jw w = {g, yajl_gen_status_ok};

	if (!g)
		return rl_fail(e, ENOMEM, "generating features: allocating JSON generator");
	if (!yajl_gen_config(g, yajl_gen_beautify, 1) ||
	    !yajl_gen_config(g, yajl_gen_indent_string, "  "))
		return rl_fail(e, EINVAL, "generating features: configuring JSON generator");
	jw_map_open(&w);
	jw_str(&w, "ociVersionMin");
	jw_str(&w, FEATURES_OCI_VERSION_MIN);
	jw_str(&w, "ociVersionMax");
	jw_str(&w, FEATURES_OCI_VERSION_MAX);
	jw_strv(&w, "hooks", features_hooks);
	jw_strv(&w, "mountOptions", features_mount_options);
	if (gen_linux(&w, e) < 0)
		return rl_error_prefix(e, "generating features");
	jw_str(&w, "annotations");
	jw_map_open(&w);
	for (size_t i = 0; i < ARRAY_LEN(features_annotations); i++) {
		jw_str(&w, features_annotations[i].key);
		jw_str(&w, features_annotations[i].value);
	}
	jw_map_close(&w);
	jw_map_close(&w);
	if (jw_finish(&w, json, len, e) < 0)
		return rl_error_prefix(e, "generating features");
	return 0;
}
