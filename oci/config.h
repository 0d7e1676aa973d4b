/* The bundle's config.json as typed C structs (OCI runtime spec v1.2).
 *
 * Covers every field runlock acts on now or in later work; fields the spec
 * defines that runlock never reads are ignored, as are unknown fields.
 * All strings are NUL-free, valid UTF-8 and owned by the struct; arrays carry
 * their length in the matching `n_*` field. Optional scalars have a `has_*`
 * flag. Absent optional objects are NULL pointers. oci_config_free releases
 * everything.
 *
 * Every array of strings (char **) present in the document is also
 * NULL-terminated; absent ones are NULL. Empty arrays of structs are NULL
 * with n_* == 0. */
#ifndef RUNLOCK_OCI_CONFIG_H
#define RUNLOCK_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Input caps: larger or deeper documents are refused before being parsed. */
#define OCI_CONFIG_MAX_BYTES (8u * 1024u * 1024u)
#define OCI_CONFIG_MAX_DEPTH 64

struct oci_kv {
	char *key;
	char *value;
};

struct oci_rlimit {
	char *type; /* "RLIMIT_NOFILE", ... */
	uint64_t hard;
	uint64_t soft;
};

struct oci_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct oci_capabilities {
	char **bounding;
	size_t n_bounding;
	char **effective;
	size_t n_effective;
	char **inheritable;
	size_t n_inheritable;
	char **permitted;
	size_t n_permitted;
	char **ambient;
	size_t n_ambient;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	struct oci_user user;
	char **args; /* NULL-terminated as well as counted */
	size_t n_args;
	char *command_line; /* Windows only; parsed to be refused clearly */
	char **env;         /* "KEY=value", NULL-terminated as well as counted */
	size_t n_env;
	char *cwd;
	struct oci_capabilities *capabilities; /* NULL when absent */
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	char *apparmor_profile;
	char *selinux_label;
};

struct oci_root {
	char *path;
	bool readonly;
};

struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_mount {
	char *destination;
	char *type;   /* may be NULL */
	char *source; /* may be NULL */
	char **options;
	size_t n_options;
	struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct oci_hook {
	char *path;
	char **args; /* NULL-terminated as well as counted */
	size_t n_args;
	char **env; /* NULL-terminated as well as counted */
	size_t n_env;
	bool has_timeout;
	int64_t timeout; /* seconds; validation requires > 0 */
};

struct oci_hooks {
	struct oci_hook *prestart;
	size_t n_prestart;
	struct oci_hook *create_runtime;
	size_t n_create_runtime;
	struct oci_hook *create_container;
	size_t n_create_container;
	struct oci_hook *start_container;
	size_t n_start_container;
	struct oci_hook *poststart;
	size_t n_poststart;
	struct oci_hook *poststop;
	size_t n_poststop;
};

struct oci_namespace {
	char *type; /* pid, network, mount, ipc, uts, user, cgroup, time */
	char *path; /* may be NULL */
};

struct oci_device {
	char *path;
	char *type; /* "c", "b", "u", "p" */
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct oci_device_cgroup {
	bool allow;
	char *type; /* may be NULL ("a") */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	char *access; /* may be NULL */
};

struct oci_resources {
	bool has_memory_limit;
	int64_t memory_limit;
	bool has_memory_reservation;
	int64_t memory_reservation;
	bool has_memory_swap;
	int64_t memory_swap;
	bool has_pids_limit;
	int64_t pids_limit;
	bool has_cpu_shares;
	uint64_t cpu_shares;
	bool has_cpu_idle;
	int64_t cpu_idle;
	bool has_cpu_quota;
	int64_t cpu_quota;
	bool has_cpu_period;
	uint64_t cpu_period;
	bool has_blkio_weight;
	uint64_t blkio_weight; /* blockIO.weight: 10-1000, 0 sets nothing */
	char *cpu_cpus;        /* may be NULL */
	char *cpu_mems;        /* may be NULL */
	struct oci_device_cgroup *devices;
	size_t n_devices;
	/* The members that would limit or tune the container and that
	 * runlock does not enforce, as JSON paths ("linux.resources.memory.
	 * limit"): create refuses them unless told to run anyway. */
	char **unsupported;
	size_t n_unsupported;
};

/* "true": run with the unsupported resources above, a warning per field. */
#define ANNOT_RESOURCES_IGNORE "io.github.runlock.resources.ignore-unsupported"

enum oci_seccomp_op {
	OCI_OP_NOT_EQUAL,
	OCI_OP_LESS_THAN,
	OCI_OP_LESS_EQUAL,
	OCI_OP_EQUAL_TO,
	OCI_OP_GREATER_EQUAL,
	OCI_OP_GREATER_THAN,
	OCI_OP_MASKED_EQUAL,
};

struct oci_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_syscall {
	char **names;
	size_t n_names;
	char *action; /* "SCMP_ACT_ERRNO", ... kept as text; seccomp code maps it */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;     /* may be NULL */
	char *listener_metadata; /* may be NULL */
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct oci_personality {
	char *domain; /* "LINUX" or "LINUX32" */
	char **flags;
	size_t n_flags;
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	struct oci_resources *resources; /* NULL when absent */
	char *cgroups_path;
	struct oci_device *devices;
	size_t n_devices;
	struct oci_seccomp *seccomp; /* NULL when absent */
	char *rootfs_propagation;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct oci_personality *personality; /* NULL when absent */
};

struct oci_config {
	char *oci_version;
	struct oci_process *process; /* NULL when absent (then create refuses) */
	struct oci_root *root;       /* NULL when absent */
	char *hostname;
	char *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hooks *hooks; /* NULL when absent */
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_linux *linux_; /* NULL when absent */
};

/* Parse a config.json document held in memory. On failure returns -1 with a
 * message of the form "config.json: <json path>: <problem>", e.g.
 * "config.json: process.args[0]: expected a string". Refuses documents over
 * OCI_CONFIG_MAX_BYTES or nested deeper than OCI_CONFIG_MAX_DEPTH, invalid
 * JSON or UTF-8, strings containing NUL, duplicate keys in one object,
 * numbers out of range for their field, and wrong types. Unknown keys are
 * ignored. JSON null counts as absent.
 *
 * It also requires the numbers the structs cannot mark absent:
 * rlimits[].hard/soft, {uid,gid}Mappings[].containerID/hostID/size,
 * consoleSize.height/width, linux.devices[].major/minor (except type "p"),
 * resources.devices[].allow, seccomp args[].index/value/op. Absent
 * process.user.uid/gid mean 0, as with runc. Seccomp operators are checked
 * here (an unknown one is an error); everything else that is an enumeration
 * is left to oci_config_validate.
 *
 * e->err is EINVAL for a problem in the document, EFBIG over the size limit,
 * ENOMEM, or the errno of a failed open/read (oci_config_load). */
int oci_config_parse(const char *buf, size_t len, struct oci_config **out, struct rl_error *e);

/* Read the regular file name (relative to dirfd, or a path; at most
 * OCI_CONFIG_MAX_BYTES) whole into *buf (caller frees), for the parser.
 * Errors start with name: "config.json: open: ...", "...: not a regular
 * file", "...: document is N bytes, larger than the ...-byte limit". */
int oci_json_file_read(int dirfd, const char *name, char **buf, size_t *len, struct rl_error *e);

/* The same for a document the caller hands over: a regular file or a pipe
 * or FIFO (`exec -p /dev/fd/63`), read to its end. */
int oci_json_stream_read(const char *path, char **buf, size_t *len, struct rl_error *e);

/* Read <bundle_dirfd>/config.json (not following a final symlink out of the
 * bundle is not required: the bundle belongs to the caller) and parse it.
 * A missing file gives e->err == ENOENT ("config.json: open: No such file or
 * directory"); anything but a regular file is refused. */
int oci_config_load(int bundle_dirfd, struct oci_config **out, struct rl_error *e);

/* Check what the parser cannot: required fields for creating a container
 * (ociVersion, process, process.args non-empty, process.cwd absolute,
 * root.path), enumerations (namespace types, rlimit types, capability names
 * start with "CAP_", device types, seccomp actions/arches/operators), hook
 * paths absolute and timeouts > 0, mount destinations absolute, no duplicate
 * namespace types. Messages name the JSON path: "config.json: process.cwd:
 * must be an absolute path".
 *
 * Also: process.commandLine is refused (Windows only); env entries (process
 * and hooks) are NAME=value; capability names are known to libcap, exactly
 * and upper case; rlimit types are unique and soft <= hard; oomScoreAdj is
 * within -1000..1000; id mapping sizes > 0; namespace paths, device paths,
 * maskedPaths, readonlyPaths and seccomp listenerPath are absolute;
 * resources.devices type is a/c/b and access a subset of "rwm"; seccomp
 * architectures are SCMP_ARCH_*, flags are known SECCOMP_FILTER_FLAG_*,
 * syscall names non-empty, arg index <= 5, SCMP_ACT_NOTIFY is not the
 * default action and requires listenerPath; rootfsPropagation is a known
 * propagation; personality.domain is LINUX or LINUX32. */
int oci_config_validate(const struct oci_config *c, struct rl_error *e);

void oci_config_free(struct oci_config *c);

/* A process object on its own (`exec --process`), with the same checks as
 * config.json's "process"; paths in errors are relative to it. */
int oci_process_parse(const char *buf, size_t len, struct oci_process **out, struct rl_error *e);
void oci_process_free(struct oci_process *p);

/* A "linux.resources" object on its own (`runlock update`), with the same
 * checks and the same list of what runlock does not enforce. */
int oci_resources_parse(const char *buf, size_t len, struct oci_resources **out,
                        struct rl_error *e);
void oci_resources_free(struct oci_resources *r);

static inline void oci_config_freep(struct oci_config **c)
{
	if (*c)
		oci_config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(oci_config_freep)))

/* Look up an annotation; NULL when absent. */
const char *oci_config_annotation(const struct oci_config *c, const char *key);

/* Find the namespace entry of a type; NULL when absent. */
const struct oci_namespace *oci_config_namespace(const struct oci_config *c, const char *type);

/* The RLIMIT_* resource for an rlimit type name ("RLIMIT_NOFILE"); -1 when
 * the name is not one of Linux's. */
int oci_rlimit_resource(const char *type);

#endif
