/* linux.resources.devices folded as runc's devices cgroup does
 * (oci/device_rules.h). */
#include <fcntl.h>
#include <stdlib.h>

#include "oci/device_rules.h"
#include "tests/unit/unit.h"

static struct oci_device_cgroup rule(bool allow, const char *type, int64_t major, int64_t minor,
                                     const char *access)
{
	return (struct oci_device_cgroup){.allow = allow,
	                                  .type = (char *)type,
	                                  .has_major = major >= 0,
	                                  .major = major,
	                                  .has_minor = minor >= 0,
	                                  .minor = minor,
	                                  .access = (char *)access};
}

/* Build the rules of config {linux: {devices: devs, resources: {devices: rules}}}. */
static struct dev_rules *build(struct oci_device_cgroup *rules, size_t n, struct oci_device *devs,
                               size_t n_devs)
{
	struct oci_resources res = {.devices = rules, .n_devices = n};
	struct oci_linux l = {.resources = &res, .devices = devs, .n_devices = n_devs};
	struct oci_config c = {.linux_ = &l};
	struct dev_rules *r = malloc(sizeof(*r));
	struct rl_error e = {0};

	CHECK(r != NULL && dev_rules_build(&c, r, &e) == 0);
	return r;
}

static void test_defaults(void)
{
	struct dev_rules *r = build(NULL, 0, NULL, 0);

	/* No rule: runc's list starts deny-all; its defaults are allowed. */
	CHECK(!dev_rules_allow(r, 'c', 1, 11, DEV_ACC_W));
	CHECK(!dev_rules_allow(r, 'b', 8, 0, DEV_ACC_R));
	CHECK(dev_rules_allow(r, 'c', 1, 3, DEV_ACC_R | DEV_ACC_W));
	CHECK(dev_rules_allow(r, 'c', 136, 7, DEV_ACC_R | DEV_ACC_W));
	CHECK(dev_rules_allow(r, 'c', 5, 2, DEV_ACC_R));
	CHECK(dev_rules_allow(r, 'b', 8, 0, DEV_ACC_M)); /* mknod of any */
	CHECK(dev_rules_allow(r, 0, 0, 0, DEV_ACC_W));   /* not a device */
	free(r);
}

static void test_order_and_access(void)
{
	struct oci_device_cgroup rules[] = {
	    rule(false, "a", -1, -1, "rwm"), rule(true, "c", 1, 11, "rw"),
	    rule(false, "c", 1, 11, "r"),   /* takes r back */
	    rule(true, "c", 10, -1, "rwa"), /* a is ignored */
	};
	struct dev_rules *r = build(rules, 4, NULL, 0);

	CHECK(dev_rules_allow(r, 'c', 1, 11, DEV_ACC_W));
	CHECK(!dev_rules_allow(r, 'c', 1, 11, DEV_ACC_R));
	CHECK(!dev_rules_allow(r, 'c', 1, 11, DEV_ACC_R | DEV_ACC_W));
	CHECK(dev_rules_allow(r, 'c', 10, 200, DEV_ACC_R | DEV_ACC_W));
	CHECK(!dev_rules_allow(r, 'b', 10, 200, DEV_ACC_R));
	free(r);
}

static void test_allow_all_then_deny(void)
{
	struct oci_device_cgroup rules[] = {
	    rule(true, NULL, -1, -1, "rwm"),
	    rule(false, "b", -1, -1, "w"),
	};
	struct dev_rules *r = build(rules, 2, NULL, 0);

	CHECK(dev_rules_allow(r, 'c', 1, 11, DEV_ACC_R | DEV_ACC_W));
	CHECK(dev_rules_allow(r, 'b', 8, 0, DEV_ACC_R));
	CHECK(!dev_rules_allow(r, 'b', 8, 0, DEV_ACC_W));
	free(r);
}

/* A default whose path linux.devices lists is left out: the config's own
 * rules decide that device. */
static void test_listed_default_left_out(void)
{
	struct oci_device_cgroup rules[] = {rule(false, "a", -1, -1, "rwm")};
	struct oci_device devs[] = {
	    {.path = (char *)"/dev/null", .type = (char *)"c", .major = 1, .minor = 3}};
	struct dev_rules *r = build(rules, 1, devs, 1);

	CHECK(!dev_rules_allow(r, 'c', 1, 3, DEV_ACC_R));
	CHECK(dev_rules_allow(r, 'c', 1, 5, DEV_ACC_R));
	free(r);
}

static void test_access_of_open(void)
{
	CHECK_UINT_EQ(dev_access_of_open(O_RDONLY), DEV_ACC_R);
	CHECK_UINT_EQ(dev_access_of_open(O_WRONLY | O_APPEND), DEV_ACC_W);
	CHECK_UINT_EQ(dev_access_of_open(O_RDWR), DEV_ACC_R | DEV_ACC_W);
	CHECK_UINT_EQ(dev_access_of_open(O_PATH), 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_defaults);
	RUN(test_order_and_access);
	RUN(test_allow_all_then_deny);
	RUN(test_listed_default_left_out);
	RUN(test_access_of_open);
	return unit_summary(argv[0]);
}
