/* The runlock command line: global options and the per-command entry points.
 *
 * Every command's function parses its own options from argv (argv[0] is the
 * command name), does its work and returns the process exit status. Errors
 * are reported through cli_fail(), which prints once in runc's wording and
 * logs to --log; a command never prints an error itself. */
#ifndef RUNLOCK_RUNTIME_CLI_CLI_H
#define RUNLOCK_RUNTIME_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"
#include "runtime/lifecycle/options.h"

struct cli_usage {
	const char *name;
	const char *summary;
	const char *usage; /* text after "runlock [global options] NAME " */
};

/* Every command, in `runlock --help` order; ends with a NULL name. */
extern const struct cli_usage cli_usages[];

int cmd_create(const struct global_opts *g, int argc, char **argv);
int cmd_start(const struct global_opts *g, int argc, char **argv);
int cmd_run(const struct global_opts *g, int argc, char **argv);
int cmd_state(const struct global_opts *g, int argc, char **argv);
int cmd_exec(const struct global_opts *g, int argc, char **argv);
int cmd_kill(const struct global_opts *g, int argc, char **argv);
int cmd_delete(const struct global_opts *g, int argc, char **argv);
int cmd_list(const struct global_opts *g, int argc, char **argv);
int cmd_spec(const struct global_opts *g, int argc, char **argv);
int cmd_features(const struct global_opts *g, int argc, char **argv);
int cmd_ps(const struct global_opts *g, int argc, char **argv);
int cmd_pause(const struct global_opts *g, int argc, char **argv);
int cmd_resume(const struct global_opts *g, int argc, char **argv);
int cmd_events(const struct global_opts *g, int argc, char **argv);
int cmd_update(const struct global_opts *g, int argc, char **argv);

/* Report a command's failure (print + log) and return exit status 1. */
int cli_fail(const struct rl_error *e);

/* Print "runlock CMD: <msg>" usage error plus the command's usage on stderr;
 * returns 1 (runc's status for bad usage). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the global usage (commands and global options) to f. */
void cli_print_usage(FILE *f);

/* Print a command's help on stdout; returns 0. */
int cli_help(const char *cmd);

/* Require exactly `want` positional arguments after option parsing; on
 * mismatch prints runc's message and returns -1. */
int cli_require_args(const char *cmd, int have, int want, const char *what);

struct create_opts;
/* Options shared by `create` and `run` (run adds --detach and --keep).
 * Returns 0 to proceed, 1 when help was printed, -1 after a usage error. */
int cli_parse_create_opts(const char *cmd, int argc, char **argv, bool run, struct create_opts *o,
                          bool *keep);

/* Parse a command that takes only --help and one container id. Returns the
 * id, or NULL with *status set (0 after help, 1 after a usage error). */
const char *cli_parse_id_only(const char *cmd, int argc, char **argv, int *status);
#endif
