/* `runlock spec`: the starter config.json.
 *
 * The document follows `runc spec` field for field, so tools and people that
 * know runc's template find the same one, with two deliberate differences:
 * ociVersion is the spec version runlock implements (1.2.0) and no "cgroup"
 * namespace is listed, because runlock has no cgroup view to emulate.
 * The namespaces are still listed although runlock creates none: each one is
 * how a bundle asks for an isolation that runlock provides by other means
 * (Landlock, seccomp, the supervisor), see docs/design.md.
 *
 * --rootless follows runc's rewrite where it still means something without
 * namespaces:
 *   - no "network" namespace: an unprivileged caller usually wants the host
 *     network, as with runc;
 *   - /sys becomes a read-only rbind of the host /sys, as runc does, because
 *     sysfs cannot be mounted without privilege;
 *   - the /sys/fs/cgroup mount is dropped: there is no cgroup to show;
 *   - uid=/gid= mount options are dropped (devpts gid=5): the tty group of the
 *     image need not exist for the caller;
 *   - process.user is the invoking user. runc instead runs as 0 in a new user
 *     namespace mapped onto that user; runlock never creates a user namespace,
 *     so the only identity the container can have is the caller's own, and
 *     writing it down keeps the spec honest.
 * runc also drops linux.resources; the single deny-all device rule is kept
 * here because it costs nothing and keeps the template failing closed. */
#include "oci/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "common/cleanup.h"
#include "oci/json_writer.h"

#define SPEC_OCI_VERSION "1.2.0"

/* ---- the template ------------------------------------------------------- */

struct spec_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *const *options; /* NULL-terminated; NULL or empty: no "options" key */
};

static const char *const spec_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                        NULL};

static const char *const spec_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};

static const char *const spec_args[] = {"sh", NULL};

static const struct spec_mount spec_mounts[] = {
    {"/proc", "proc", "proc", NULL},
    {"/dev", "tmpfs", "tmpfs",
     (const char *const[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts", "devpts", "devpts",
     (const char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
                           NULL}},
    {"/dev/shm", "tmpfs", "shm",
     (const char *const[]){"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", (const char *const[]){"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", (const char *const[]){"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup",
     (const char *const[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* What /sys becomes with --rootless. */
static const struct spec_mount spec_rootless_sys = {
    "/sys", "none", "/sys",
    (const char *const[]){"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static const char *const spec_namespaces[] = {"pid", "network", "ipc", "uts", "mount", NULL};

/* runc's own lists, as `runc spec` writes them (libcontainer/specconv). */
static const char *const spec_masked_paths[] = {"/proc/acpi",
                                                "/proc/asound",
                                                "/proc/kcore",
                                                "/proc/keys",
                                                "/proc/latency_stats",
                                                "/proc/timer_list",
                                                "/proc/timer_stats",
                                                "/proc/sched_debug",
                                                "/sys/firmware",
                                                "/proc/scsi",
                                                "/sys/devices/virtual/tpm",
                                                NULL};

static const char *const spec_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static void gen_process(struct jw *w, bool rootless)
{
	jw_str(w, "process");
	jw_map_open(w);
	jw_str(w, "terminal");
	jw_bool(w, true);
	jw_str(w, "user");
	jw_map_open(w);
	jw_str(w, "uid");
	jw_int(w, rootless ? (long long)getuid() : 0);
	jw_str(w, "gid");
	jw_int(w, rootless ? (long long)getgid() : 0);
	jw_map_close(w);
	jw_strv(w, "args", spec_args);
	jw_strv(w, "env", spec_env);
	jw_str(w, "cwd");
	jw_str(w, "/");
	jw_str(w, "capabilities");
	jw_map_open(w);
	jw_strv(w, "bounding", spec_caps);
	jw_strv(w, "effective", spec_caps);
	jw_strv(w, "permitted", spec_caps);
	jw_map_close(w);
	jw_str(w, "rlimits");
	jw_arr_open(w);
	jw_map_open(w);
	jw_str(w, "type");
	jw_str(w, "RLIMIT_NOFILE");
	jw_str(w, "hard");
	jw_int(w, 1024);
	jw_str(w, "soft");
	jw_int(w, 1024);
	jw_map_close(w);
	jw_arr_close(w);
	jw_str(w, "noNewPrivileges");
	jw_bool(w, true);
	jw_map_close(w);
}

static void gen_mount(struct jw *w, const struct spec_mount *m, bool rootless)
{
	jw_map_open(w);
	jw_str(w, "destination");
	jw_str(w, m->destination);
	jw_str(w, "type");
	jw_str(w, m->type);
	jw_str(w, "source");
	jw_str(w, m->source);
	if (m->options && m->options[0]) {
		jw_str(w, "options");
		jw_arr_open(w);
		for (const char *const *o = m->options; *o; o++) {
			if (rootless &&
			    (strncmp(*o, "uid=", 4) == 0 || strncmp(*o, "gid=", 4) == 0))
				continue;
			jw_str(w, *o);
		}
		jw_arr_close(w);
	}
	jw_map_close(w);
}

static void gen_mounts(struct jw *w, bool rootless)
{
	jw_str(w, "mounts");
	jw_arr_open(w);
	for (size_t i = 0; i < sizeof(spec_mounts) / sizeof(spec_mounts[0]); i++) {
		const struct spec_mount *m = &spec_mounts[i];

		if (rootless && strcmp(m->destination, "/sys/fs/cgroup") == 0)
			continue;
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &spec_rootless_sys;
		gen_mount(w, m, rootless);
	}
	jw_arr_close(w);
}

static void gen_linux(struct jw *w, bool rootless)
{
	jw_str(w, "linux");
	jw_map_open(w);
	jw_str(w, "resources");
	jw_map_open(w);
	jw_str(w, "devices");
	jw_arr_open(w);
	jw_map_open(w);
	jw_str(w, "allow");
	jw_bool(w, false);
	jw_str(w, "access");
	jw_str(w, "rwm");
	jw_map_close(w);
	jw_arr_close(w);
	jw_map_close(w);
	jw_str(w, "namespaces");
	jw_arr_open(w);
	for (const char *const *ns = spec_namespaces; *ns; ns++) {
		if (rootless && strcmp(*ns, "network") == 0)
			continue;
		jw_map_open(w);
		jw_str(w, "type");
		jw_str(w, *ns);
		jw_map_close(w);
	}
	jw_arr_close(w);
	jw_strv(w, "maskedPaths", spec_masked_paths);
	jw_strv(w, "readonlyPaths", spec_readonly_paths);
	jw_map_close(w);
}

int oci_spec_generate(bool rootless, char **json, size_t *len, struct rl_error *e)
{
	_cleanup_(jw_gen_freep) yajl_gen g = yajl_gen_alloc(NULL);
	struct jw w = {g, yajl_gen_status_ok};

	if (!g)
		return rl_fail(e, ENOMEM, "generating default spec: allocating JSON generator");
	if (!yajl_gen_config(g, yajl_gen_beautify, 1) ||
	    !yajl_gen_config(g, yajl_gen_indent_string, "  "))
		return rl_fail(e, EINVAL, "generating default spec: configuring JSON generator");
	jw_map_open(&w);
	jw_str(&w, "ociVersion");
	jw_str(&w, SPEC_OCI_VERSION);
	gen_process(&w, rootless);
	jw_str(&w, "root");
	jw_map_open(&w);
	jw_str(&w, "path");
	jw_str(&w, "rootfs");
	jw_str(&w, "readonly");
	jw_bool(&w, true);
	jw_map_close(&w);
	jw_str(&w, "hostname");
	jw_str(&w, "runlock");
	gen_mounts(&w, rootless);
	gen_linux(&w, rootless);
	jw_map_close(&w);
	if (jw_finish(&w, json, len, e) < 0)
		return rl_error_prefix(e, "generating default spec");
	return 0;
}
