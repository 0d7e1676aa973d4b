/* Logging to the --log file (or stderr) in runc's formats.
 *
 * text: time="2006-01-02T15:04:05Z" level=error msg="..."
 * json: {"level":"error","msg":"...","time":"2006-01-02T15:04:05Z"}
 *
 * containerd's runc shim and conmon read the last error line of the log file
 * to explain a failure, so the JSON shape must stay exactly this. */
#ifndef RUNLOCK_COMMON_LOG_H
#define RUNLOCK_COMMON_LOG_H

#include <stdbool.h>

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Log to path (NULL: stderr) in format; debug: also LOG_DEBUG messages.
 * The file is opened (created, append mode) here. Each process that logs
 * (the CLI, and the supervisor it forks) inherits this set-up. */
void log_init(const char *path, enum log_format format, bool debug);

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
