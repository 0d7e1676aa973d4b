/* The documents runlock prints about itself: the starter config.json of
 * `runlock spec` and the runtime-spec features document of `runlock features`.
 *
 * Both are pretty-printed with 2-space indentation (yajl_gen_indent_string
 * "  "), empty arrays/objects written as [] and {}, and end with a newline. */
#ifndef RUNLOCK_OCI_SPEC_H
#define RUNLOCK_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Generate runlock's default config.json (what `runlock spec` writes). Pretty-printed JSON, 2-space
 * indent like runc (tabs are fine if yajl forces them — state which), trailing newline.
 * rootless=true gives the --rootless variant. Caller frees *json. */
int oci_spec_generate(bool rootless, char **json, size_t *len, struct rl_error *e);
/* Generate the runtime-spec "features" document (what `runlock features` prints). Caller frees. */
int oci_features_generate(char **json, size_t *len, struct rl_error *e);

#endif
