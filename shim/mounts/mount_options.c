/* config.json's mount options: which are honoured (as flags of the table),
 * which are inert and why, which are refused; and the values some take. */
#include "shim/mounts/mount_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool mount_has_opt(const struct oci_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], opt) == 0)
			return true;
	return false;
}

const char *mount_opt_value(const struct oci_mount *m, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = m->n_options; i-- > 0;)
		if (strncmp(m->options[i], key, k) == 0 && m->options[i][k] == '=')
			return m->options[i] + k + 1;
	return NULL;
}

/* The flags of the table, and the recursive forms runc takes through
 * mount_setattr(AT_RECURSIVE). In the view a flag is already recursive: it
 * is checked on the entry for every path beneath it, host submounts of a
 * bind source included, and Landlock's rule covers the whole hierarchy of
 * the pinned source; so "rro" is "ro", and so on. */
static const struct {
	const char *name;
	unsigned set, clear;
} flag_opts[] = {
    {"ro", MNT_F_RO, 0},          {"rro", MNT_F_RO, 0},        {"rw", 0, MNT_F_RO},
    {"rrw", 0, MNT_F_RO},         {"noexec", MNT_F_NOEXEC, 0}, {"rnoexec", MNT_F_NOEXEC, 0},
    {"exec", 0, MNT_F_NOEXEC},    {"rexec", 0, MNT_F_NOEXEC},  {"nosuid", MNT_F_NOSUID, 0},
    {"rnosuid", MNT_F_NOSUID, 0}, {"suid", 0, MNT_F_NOSUID},   {"rsuid", 0, MNT_F_NOSUID},
    {"nodev", MNT_F_NODEV, 0},    {"rnodev", MNT_F_NODEV, 0},  {"dev", 0, MNT_F_NODEV},
    {"rdev", 0, MNT_F_NODEV},
};

/* Accepted without effect, each for a reason that makes it safe
 * (docs/mounts.md, "Mount options"): propagation concerns mounts made later
 * below this one, and the container can make none (the mount API is
 * denied); access times are no confinement; "bind" and "rbind" choose the
 * kind (a host submount of the source is seen either way); runlock never
 * copies the image into a tmpfs, which "notmpcopyup" asks. */
static const char *const inert_opts[] = {
    "private",       "rprivate",       "shared",     "rshared",     "slave",       "rslave",
    "unbindable",    "runbindable",    "atime",      "ratime",      "noatime",     "rnoatime",
    "relatime",      "rrelatime",      "norelatime", "rnorelatime", "strictatime", "rstrictatime",
    "nostrictatime", "rnostrictatime", "diratime",   "rdiratime",   "nodiratime",  "rnodiratime",
    "lazytime",      "nolazytime",     "bind",       "rbind",       "notmpcopyup",
};

/* Options with a value (or a word) that only some types take: tmpfs's
 * mode, uid and gid are applied to the scratch directory, tmpcopyup copies
 * the image's content into it, its size is accepted and not enforced
 * (docs/mounts.md says why); devpts's are its host instance's (the container's
 * ptys are made there by runlock, with the host's mode and group, which
 * are runc's values on every distribution), and newinstance is what the
 * view gives: only the container's own ptys. */
static bool typed_opt(const char *type, const char *o)
{
	/* A key ending in '=' takes a value; a word is matched whole. */
	static const char *const tmpfs_opts[] = {
	    "mode=", "uid=", "gid=", "size=", "tmpcopyup", NULL};
	static const char *const devpts_opts[] = {"newinstance",
	                                          "ptmxmode=", "mode=", "gid=", NULL};
	const char *const *set = NULL;

	if (strcmp(type, "tmpfs") == 0 || strcmp(type, "shm") == 0)
		set = tmpfs_opts;
	else if (strcmp(type, "devpts") == 0)
		set = devpts_opts;
	for (; set && *set; set++) {
		size_t len = strlen(*set);
		if (strncmp(o, *set, len) == 0 && ((*set)[len - 1] == '=' || o[len] == '\0'))
			return true;
	}
	return false;
}

/* Every option runlock does not honour is refused, never dropped (issue
 * 14, item 13: "rro" was ignored and the bind stayed writable). */
int mount_check_options(const struct oci_mount *m, const char *type, size_t i, struct rl_error *e)
{
	for (size_t k = 0; k < m->n_options; k++) {
		const char *o = m->options[k];
		bool ok = typed_opt(type, o);
		for (size_t j = 0; !ok && j < sizeof(flag_opts) / sizeof(flag_opts[0]); j++)
			ok = strcmp(o, flag_opts[j].name) == 0;
		for (size_t j = 0; !ok && j < sizeof(inert_opts) / sizeof(inert_opts[0]); j++)
			ok = strcmp(o, inert_opts[j]) == 0;
		if (!ok)
			return rl_fail(e, ENOTSUP,
			               "config.json: mounts[%zu] (%s): option \"%s\" is not "
			               "supported by runlock (docs/mounts.md, \"Mount options\")",
			               i, m->destination, o);
	}
	if (m->n_uid_mappings || m->n_gid_mappings)
		return rl_fail(e, ENOTSUP,
		               "config.json: mounts[%zu] (%s): uidMappings/gidMappings: id-mapped "
		               "mounts are not supported by runlock",
		               i, m->destination);
	return 0;
}

unsigned mount_flags(const struct oci_mount *m)
{
	unsigned f = 0;

	/* The last of a pair wins, as mount(8) reads them. */
	for (size_t i = 0; i < m->n_options; i++)
		for (size_t j = 0; j < sizeof(flag_opts) / sizeof(flag_opts[0]); j++)
			if (strcmp(m->options[i], flag_opts[j].name) == 0)
				f = (f | flag_opts[j].set) & ~flag_opts[j].clear;
	return f;
}

int mount_parse_num(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}
