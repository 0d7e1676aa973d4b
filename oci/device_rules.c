/* linux.resources.devices folded into exceptions (see oci/device_rules.h). */
#include "oci/device_rules.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

struct rule {
	bool allow;
	char type; /* 'a', 'c', 'b' */
	int64_t major, minor;
	unsigned access;
};

static unsigned access_of(const char *s)
{
	unsigned a = 0;

	for (; s && *s; s++)
		a |= *s == 'r' ? DEV_ACC_R : *s == 'w' ? DEV_ACC_W : *s == 'm' ? DEV_ACC_M : 0;
	return a;
}

static struct dev_exception *find(struct dev_rules *r, const struct rule *u)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->ex[i].type == u->type && r->ex[i].major == u->major &&
		    r->ex[i].minor == u->minor)
			return &r->ex[i];
	return NULL;
}

static int apply(struct dev_rules *r, const struct rule *u)
{
	struct dev_exception *x;

	if (u->type == 'a') {
		r->default_allow = u->allow;
		r->n = 0;
		return 0;
	}
	x = find(r, u);
	if (u->allow == r->default_allow) { /* the default's way: take access away */
		if (x && (x->access &= ~u->access) == 0)
			*x = r->ex[--r->n];
		return 0;
	}
	if (x) {
		x->access |= u->access;
		return 0;
	}
	if (r->n == DEV_RULES_MAX)
		return -1;
	r->ex[r->n++] = (struct dev_exception){u->type, u->major, u->minor, u->access};
	return 0;
}

/* runc's defaults, appended after the config's rules. */
static const struct {
	const char *path; /* left out when linux.devices lists it */
	struct rule rule;
} defaults[] = {
    {NULL, {true, 'c', -1, -1, DEV_ACC_M}},
    {NULL, {true, 'b', -1, -1, DEV_ACC_M}},
    {"/dev/null", {true, 'c', 1, 3, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {"/dev/random", {true, 'c', 1, 8, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {"/dev/full", {true, 'c', 1, 7, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {"/dev/tty", {true, 'c', 5, 0, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {"/dev/zero", {true, 'c', 1, 5, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {"/dev/urandom", {true, 'c', 1, 9, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {NULL, {true, 'c', 136, -1, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
    {NULL, {true, 'c', 5, 2, DEV_ACC_R | DEV_ACC_W | DEV_ACC_M}},
};

static bool listed(const struct oci_config *c, const char *path)
{
	const struct oci_linux *l = c->linux_;

	for (size_t i = 0; l && i < l->n_devices; i++)
		if (l->devices[i].path && strcmp(l->devices[i].path, path) == 0)
			return true;
	return false;
}

int dev_rules_build(const struct oci_config *c, struct dev_rules *r, struct rl_error *e)
{
	const struct oci_resources *res = c->linux_ ? c->linux_->resources : NULL;

	r->default_allow = false;
	r->n = 0;
	for (size_t i = 0; res && i < res->n_devices; i++) {
		const struct oci_device_cgroup *d = &res->devices[i];
		struct rule u = {
		    .allow = d->allow,
		    .type = d->type && *d->type ? d->type[0] : 'a',
		    .major = d->has_major ? d->major : -1,
		    .minor = d->has_minor ? d->minor : -1,
		    .access = access_of(d->access),
		};
		if (apply(r, &u) < 0)
			return rl_fail(e, E2BIG,
			               "config.json: linux.resources.devices[%zu]: more than %d "
			               "distinct device rules",
			               i, DEV_RULES_MAX);
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if ((!defaults[i].path || !listed(c, defaults[i].path)) &&
		    apply(r, &defaults[i].rule) < 0)
			return rl_fail(
			    e, E2BIG,
			    "config.json: linux.resources.devices: more than %d distinct "
			    "device rules",
			    DEV_RULES_MAX);
	return 0;
}

static bool matches(const struct dev_exception *x, char type, uint32_t major, uint32_t minor)
{
	return x->type == type && (x->major < 0 || x->major == major) &&
	       (x->minor < 0 || x->minor == minor);
}

bool dev_rules_allow(const struct dev_rules *r, char type, uint32_t major, uint32_t minor,
                     unsigned access)
{
	if ((type != 'c' && type != 'b') || access == 0)
		return true;
	for (unsigned i = 0; i < r->n; i++) {
		const struct dev_exception *x = &r->ex[i];
		if (!matches(x, type, major, minor))
			continue;
		if (r->default_allow && (x->access & access))
			return false;
		if (!r->default_allow && (access & ~x->access) == 0)
			return true;
	}
	return r->default_allow;
}

unsigned dev_access_of_open(int flags)
{
	if (flags & O_PATH)
		return 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return DEV_ACC_R;
	case O_WRONLY:
		return DEV_ACC_W;
	default:
		return DEV_ACC_R | DEV_ACC_W;
	}
}
