/* Logging to the --log file (or stderr) in runc's formats.
 *
 * text: time="2006-01-02T15:04:05Z" level=error msg="..."
 * json: {"level":"error","msg":"...","time":"2006-01-02T15:04:05Z"}
 *
 * containerd's runc shim and conmon read the last error line of the log file
 * to explain a failure, so the JSON shape must stay exactly this. */
#ifndef RUNLOCK_RUNTIME_LOG_H
#define RUNLOCK_RUNTIME_LOG_H

#include <stdbool.h>

#include "runtime/cli.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Configure from the global options. Opens the log file lazily, in append
 * mode, on the first message. */
void log_init(const struct global_opts *g);

/* Whether the log destination is stderr itself (no --log). */
bool log_to_stderr(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Write s as a JSON string literal (with quotes) into buf; returns the
 * length written, truncating safely. Shared by the state writer tests. */
size_t log_json_quote(char *buf, size_t size, const char *s);

/* Current time as RFC 3339 with nanoseconds, UTC ("...Z"). */
void log_timestamp(char *buf, size_t size, bool nanos);

#endif
