#include "shim/ipc/init_msg.h"

#include <stdio.h>
#include <unistd.h>

void init_msg_fail(int fd, int err, const char *what)
{
	struct init_msg m = {.type = INIT_MSG_ERROR, .value = err};
	size_t i = 0;

	/* Not snprintf: this runs between fork and exec. */
	for (; what[i] && i + 1 < sizeof(m.what); i++)
		m.what[i] = what[i];
	m.what[i] = 0;
	if (write(fd, &m, sizeof(m)) < 0)
		_exit(1);
	_exit(1);
}
