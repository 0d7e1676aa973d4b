/* libFuzzer target: oci_config_parse + oci_config_validate + oci_config_free
 * on arbitrary bytes (`make fuzz`). Seeds: tests/unit/corpus. Besides crashes
 * and leaks, it checks the error convention: a failure always leaves a
 * message starting with "config.json: " and never hands out a config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_config *c = NULL;
	struct rl_error e = {0};

	if (oci_config_parse((const char *)data, size, &c, &e) < 0) {
		if (c != NULL || strncmp(e.msg, "config.json: ", 13) != 0)
			abort();
		return 0;
	}
	if (c == NULL)
		abort();
	if (oci_config_validate(c, &e) < 0 && strncmp(e.msg, "config.json: ", 13) != 0)
		abort();
	/* The lookups must cope with whatever was parsed. */
	(void)oci_config_annotation(c, "org.opencontainers.image.os");
	(void)oci_config_namespace(c, "pid");
	oci_config_free(c);
	return 0;
}
