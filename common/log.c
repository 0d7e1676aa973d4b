#include "common/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
	const char *path;
	enum log_format format;
	bool debug;
	int fd; /* the --log file, or stderr */
} logger = {.fd = STDERR_FILENO};

void log_init(const char *path, enum log_format format, bool debug)
{
	logger.path = path;
	logger.format = format;
	logger.debug = debug;
	logger.fd = STDERR_FILENO;
	/* Created on every invocation, as runc does: containerd's shim and
	 * conmon open it to read the error of a failed command, and a missing
	 * file hides the real message behind "no such file". */
	if (logger.path) {
		logger.fd = open(logger.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (logger.fd < 0)
			logger.fd = STDERR_FILENO; /* never lose an error message */
	}
}

bool log_to_stderr(void)
{
	return logger.path == NULL;
}

void log_timestamp(char *buf, size_t size, bool nanos)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (nanos)
		snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
	else
		snprintf(buf, size, "%sZ", base);
}

size_t log_json_quote(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	buf[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		size_t len;

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			len = 2;
		} else if (*p == '\n') {
			memcpy(esc, "\\n", 2);
			len = 2;
		} else if (*p == '\t') {
			memcpy(esc, "\\t", 2);
			len = 2;
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			len = 6;
		} else {
			esc[0] = (char)*p;
			len = 1;
		}
		if (n + len + 2 > size)
			break;
		memcpy(buf + n, esc, len);
		n += len;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG:
		return "debug";
	case LOG_INFO:
		return "info";
	case LOG_WARN:
		return "warning";
	case LOG_ERROR:
		break;
	}
	return "error";
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[4096], quoted[8300], ts[64], line[8500];
	va_list ap;
	int n;

	if (level == LOG_DEBUG && !logger.debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_json_quote(quoted, sizeof(quoted), msg);
	log_timestamp(ts, sizeof(ts), false);
	if (logger.format == LOG_FORMAT_JSON)
		n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n",
		             level_name(level), quoted, ts);
	else
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=%s\n", ts,
		             level_name(level), quoted);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	/* One write per line, so concurrent runlock processes never interleave. */
	if (write(logger.fd, line, (size_t)n) < 0)
		return;
}
