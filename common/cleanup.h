/* Scope-bound release of fds, memory and FILE streams.
 *
 *   _cleanup_close_ int fd = open(...);   closed on every return path
 *   _cleanup_free_ char *s = strdup(...); freed on every return path
 *   _cleanup_closedir_ DIR *d = opendir(...); likewise
 *
 * To hand ownership out of the scope, use steal_fd()/steal_ptr(), which return
 * the value and reset the variable so the cleanup does nothing. */
#ifndef RUNLOCK_COMMON_CLEANUP_H
#define RUNLOCK_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void rl_freep(void *p)
{
	free(*(void **)p);
}

/* Preserves errno so a cleanup never hides the error that caused the return.
 * Leaves -1 behind, so closing early and again at cleanup is harmless. */
static inline void rl_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
}

static inline void rl_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

static inline void rl_closedirp(DIR **d)
{
	if (*d) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}

/* Free a NULL-terminated array of strings and the array itself. */
static inline void rl_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static inline void rl_strv_freep(char ***v)
{
	rl_strv_free(*v);
}

#define _cleanup_(f)       __attribute__((cleanup(f)))
#define _cleanup_free_     _cleanup_(rl_freep)
#define _cleanup_close_    _cleanup_(rl_closep)
#define _cleanup_fclose_   _cleanup_(rl_fclosep)
#define _cleanup_closedir_ _cleanup_(rl_closedirp)
#define _cleanup_strv_     _cleanup_(rl_strv_freep)

static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#define steal_ptr(pp)                                                                              \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})

#endif
