/* CPU and memory-node lists (oci/cpu_list.h). */
#include "oci/cpu_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int number(const char **p, unsigned long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno || *out >= CPU_SETSIZE)
		return -1;
	*p = end;
	return 0;
}

int cpu_list_parse(const char *s, const char *field, cpu_set_t *out, struct rl_error *e)
{
	const char *p = s;

	CPU_ZERO(out);
	for (;;) {
		unsigned long lo, hi;

		if (number(&p, &lo) < 0)
			break;
		hi = lo;
		if (*p == '-' && (p++, number(&p, &hi) < 0 || hi < lo))
			break;
		for (unsigned long i = lo; i <= hi; i++)
			CPU_SET(i, out);
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			break;
	}
	return rl_fail(e, EINVAL,
	               "config.json: %s: \"%s\" is not a list of numbers below %d (\"0-3,5\")",
	               field, s, CPU_SETSIZE);
}

char *cpu_list_format(const cpu_set_t *set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE && len < size; i++) {
		int j = i;
		if (!CPU_ISSET(i, set))
			continue;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set))
			j++;
		len += (size_t)snprintf(buf + len, size - len, j > i ? "%s%d-%d" : "%s%d",
		                        len ? "," : "", i, j);
		i = j;
	}
	return buf;
}
