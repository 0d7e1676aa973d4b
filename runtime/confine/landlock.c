#include "runtime/confine/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "runtime/confine/namespaces.h"
#include "shim/mounts/mounts.h"

struct rl_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct rl_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct rl_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define RL_LL_RULE_PATH_BENEATH 1
#define RL_LL_RULE_NET_PORT     2
#define RL_LL_CREATE_VERSION    (1U << 0)

/* Rights that apply to files (as opposed to directories): a rule on a file
 * may only carry these. */
#define FS_FILE_RIGHTS                                                                             \
	(RL_LL_FS_EXECUTE | RL_LL_FS_WRITE_FILE | RL_LL_FS_READ_FILE | RL_LL_FS_TRUNCATE |         \
	 RL_LL_FS_IOCTL_DEV)
#define FS_READ_RIGHTS (RL_LL_FS_EXECUTE | RL_LL_FS_READ_FILE | RL_LL_FS_READ_DIR)
/* Everything a writable tree needs, except creating device nodes. */
#define FS_WRITE_RIGHTS                                                                            \
	(RL_LL_FS_WRITE_FILE | RL_LL_FS_REMOVE_DIR | RL_LL_FS_REMOVE_FILE | RL_LL_FS_MAKE_DIR |    \
	 RL_LL_FS_MAKE_REG | RL_LL_FS_MAKE_SOCK | RL_LL_FS_MAKE_FIFO | RL_LL_FS_MAKE_SYM |         \
	 RL_LL_FS_REFER | RL_LL_FS_TRUNCATE)

int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, RL_LL_CREATE_VERSION);
	const char *cap = getenv(LANDLOCK_ABI_MAX_ENV);

	if (v < 0)
		return 0;
	/* Behave as on an older kernel: for testing refusals and downgrades,
	 * and for pinning behaviour across a fleet. Never raises the ABI. */
	if (cap && *cap) {
		char *end;
		long m = strtol(cap, &end, 10);
		if (!*end && m >= 0 && m < v)
			v = m;
	}
	return (int)v;
}

static uint64_t fs_rights_for_abi(int abi)
{
	uint64_t r = (RL_LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */
	if (abi >= 2)
		r |= RL_LL_FS_REFER;
	if (abi >= 3)
		r |= RL_LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= RL_LL_FS_IOCTL_DEV;
	return r;
}

struct build {
	const struct oci_config *c;
	int abi;
	bool downgrade;
	uint64_t handled_fs;
	int ruleset;
};

/* A feature the config needs and the kernel lacks: refuse, or with the
 * annotation log the loss and go on. */
static int need(struct build *b, int abi, const char *feature, const char *why, struct rl_error *e)
{
	if (b->abi >= abi)
		return 0;
	if (b->downgrade) {
		log_warn("landlock: %s needs ABI %d, kernel has %d: running WITHOUT it (%s=true)",
		         feature, abi, b->abi, ANNOT_LANDLOCK_DOWNGRADE);
		return 0;
	}
	return rl_fail(e, ENOTSUP,
	               "landlock: %s (needed for %s) requires Landlock ABI %d, this kernel has ABI "
	               "%d; set annotation %s=true to run without it",
	               feature, why, abi, b->abi, ANNOT_LANDLOCK_DOWNGRADE);
}

static int add_path_fd(struct build *b, int fd, uint64_t access, const char *what,
                       struct rl_error *e)
{
	struct stat st;
	struct rl_path_beneath_attr attr;

	if (fstat(fd, &st) < 0)
		return rl_fail_errno(e, errno, "landlock: stat %s", what);
	if (!S_ISDIR(st.st_mode))
		access &= FS_FILE_RIGHTS;
	access &= b->handled_fs;
	if (!access)
		return 0;
	attr.allowed_access = access;
	attr.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, b->ruleset, RL_LL_RULE_PATH_BENEATH, &attr, 0) < 0)
		return rl_fail_errno(e, errno, "landlock: add rule for %s", what);
	return 0;
}

/* "80,443,8000-8010" → port rules. */
static int add_port_rules(struct build *b, const char *annot, uint64_t access, struct rl_error *e)
{
	const char *spec = oci_config_annotation(b->c, annot);
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!spec)
		return 0;
	copy = strdup(spec);
	if (!copy)
		return rl_fail(e, ENOMEM, "out of memory");
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end, *dash;
		unsigned long lo, hi;

		while (*tok == ' ')
			tok++;
		errno = 0;
		lo = strtoul(tok, &end, 10);
		hi = lo;
		dash = end;
		if (*dash == '-')
			hi = strtoul(dash + 1, &end, 10);
		if (errno || end == tok || *end || lo == 0 || hi > 65535 || lo > hi)
			return rl_fail(
			    e, EINVAL,
			    "annotation %s: \"%s\" is not a port or port range (1-65535)", annot,
			    tok);
		for (unsigned long p = lo; p <= hi; p++) {
			struct rl_net_port_attr attr = {.allowed_access = access, .port = p};
			if (syscall(SYS_landlock_add_rule, b->ruleset, RL_LL_RULE_NET_PORT, &attr,
			            0) < 0)
				return rl_fail_errno(e, errno, "landlock: add port rule %lu", p);
		}
	}
	return 0;
}

int landlock_build(const struct oci_config *c, int rootfs_fd, struct landlock_domain *d,
                   struct rl_error *e)
{
	struct build b = {.c = c, .ruleset = -1};
	struct rl_ruleset_attr attr = {0};
	const char *dg = oci_config_annotation(c, ANNOT_LANDLOCK_DOWNGRADE);
	bool no_net = ns_net_mode(c) == NET_NONE;
	uint64_t root_access = FS_READ_RIGHTS;

	d->ruleset_fd = -1;
	d->restrict_flags = 0;
	d->scoped = 0;
	b.abi = d->abi = landlock_abi();
	b.downgrade = dg && strcmp(dg, "true") == 0;
	if (b.abi < 1)
		return rl_fail(e, ENOTSUP,
		               "landlock: not available in this kernel (runlock needs "
		               "Landlock to confine the container's filesystem access; "
		               "enable CONFIG_SECURITY_LANDLOCK and lsm=landlock)");
	if (c->root->readonly && need(&b, 3, "LANDLOCK_ACCESS_FS_TRUNCATE", "root.readonly", e) < 0)
		return -1;
	if (no_net &&
	    need(&b, 4, "TCP bind/connect rules", "a network namespace without path", e) < 0)
		return -1;
	if (ns_requested(c, "pid") &&
	    need(&b, 6, "LANDLOCK_SCOPE_SIGNAL", "the pid namespace", e) < 0)
		return -1;
	if (ns_requested(c, "ipc") &&
	    need(&b, 6, "LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET", "the ipc namespace", e) < 0)
		return -1;

	b.handled_fs = fs_rights_for_abi(b.abi);
	attr.handled_access_fs = b.handled_fs;
	if (no_net && b.abi >= 4)
		attr.handled_access_net = RL_LL_NET_BIND_TCP | RL_LL_NET_CONNECT_TCP;
	if (b.abi >= 6) {
		if (ns_requested(c, "pid"))
			attr.scoped |= RL_LL_SCOPE_SIGNAL;
		if (ns_requested(c, "ipc"))
			attr.scoped |= RL_LL_SCOPE_ABSTRACT_UNIX;
	}
	/* The attr struct grew with the ABI; pass the size this kernel knows. */
	size_t size = b.abi >= 6 ? sizeof(attr) : b.abi >= 4 ? 16 : 8;
	b.ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (b.ruleset < 0)
		return rl_fail_errno(e, errno, "landlock: create ruleset");
	if (!c->root->readonly)
		root_access |= FS_WRITE_RIGHTS;
	if (add_path_fd(&b, rootfs_fd, root_access, "rootfs", e) < 0)
		goto fail;
	if (no_net && b.abi >= 4 &&
	    (add_port_rules(&b, ANNOT_TCP_CONNECT, RL_LL_NET_CONNECT_TCP, e) < 0 ||
	     add_port_rules(&b, ANNOT_TCP_BIND, RL_LL_NET_BIND_TCP, e) < 0))
		goto fail;
	if (fcntl(b.ruleset, F_SETFD, FD_CLOEXEC) < 0) {
		rl_fail_errno(e, errno, "landlock: ruleset fd");
		goto fail;
	}
	if (b.abi >= 7)
		d->restrict_flags = RL_LL_RESTRICT_LOG_NEW_EXEC_ON;
	d->ruleset_fd = b.ruleset;
	d->scoped = attr.scoped;
	return 0;
fail:
	close(b.ruleset);
	return -1;
}

int landlock_add_table(struct landlock_domain *d, const struct mount_table *t, struct rl_error *e)
{
	struct build b = {
	    .abi = d->abi, .handled_fs = fs_rights_for_abi(d->abi), .ruleset = d->ruleset_fd};
	const uint64_t dev = RL_LL_FS_READ_FILE | RL_LL_FS_WRITE_FILE | RL_LL_FS_IOCTL_DEV;

	if (d->ruleset_fd < 0)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct mnt *m = &t->m[i];
		uint64_t access = 0;
		/* Pinned by following the image's tree: the rule of the
		 * rootfs or the mount holding it covers it. A rule here would
		 * be granted on whatever that tree led to (issue 14, item 8). */
		if (m->flags & MNT_F_INNER)
			continue;
		switch (m->kind) {
		case MNT_BIND:
		case MNT_TMPFS:
		case MNT_MQUEUE:
			access = FS_READ_RIGHTS;
			if (!(m->flags & MNT_F_RO))
				access |= FS_WRITE_RIGHTS;
			if (m->flags & MNT_F_NOEXEC)
				access &= ~RL_LL_FS_EXECUTE;
			break;
		case MNT_DEVICE:
			access = dev;
			break;
		case MNT_MASK:
		case MNT_SYSFS:
		case MNT_CGROUP:
			access = RL_LL_FS_READ_FILE | RL_LL_FS_READ_DIR;
			break;
		case MNT_PROC:   /* opened by the supervisor, for members only */
		case MNT_DEVPTS: /* the same: ptmx and the container's own ptys */
			break;
		}
		if (access && m->fd >= 0 && add_path_fd(&b, m->fd, access, m->dest, e) < 0)
			return rl_error_prefix(e, "mount %s", m->dest);
	}
	return 0;
}

int landlock_enforce(const struct landlock_domain *d)
{
	if (d->ruleset_fd < 0)
		return 0;
	return (int)syscall(SYS_landlock_restrict_self, d->ruleset_fd, d->restrict_flags);
}

void landlock_domain_release(struct landlock_domain *d)
{
	if (d->ruleset_fd >= 0)
		close(d->ruleset_fd);
	d->ruleset_fd = -1;
}
