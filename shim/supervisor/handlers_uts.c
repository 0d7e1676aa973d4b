/* uname, sethostname, setdomainname for a container that asked for a uts
 * namespace: it sees and changes its own names, never the host's. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "shim/supervisor/handlers.h"

static struct emul_state *state_of(struct notify *n)
{
	return n->ctx;
}

/* Field sizes of the three generations of the call: new_utsname (uname,
 * newuname; 6 fields of 65), old_utsname (i386 olduname; 5 of 65) and
 * oldold_utsname (i386 oldolduname; 5 of 9). */
static void answer_uname(struct notify *n, int listener, const struct seccomp_notif *req,
                         size_t field, int nfields, struct notify_answer *a)
{
	const struct emul_state *s = state_of(n);
	struct utsname host;
	char out[6 * 65];
	const char *fields[6];

	if (uname(&host) < 0) {
		a->err = errno;
		return;
	}
	fields[0] = host.sysname;
	fields[1] = s->hostname;
	fields[2] = host.release;
	fields[3] = host.version;
	fields[4] = host.machine;
	fields[5] = s->domainname;
	memset(out, 0, sizeof(out));
	for (int i = 0; i < nfields; i++)
		/* truncated to the field, always NUL-terminated, as the kernel */
		snprintf(out + (size_t)i * field, field, "%s", fields[i]);
	if (notify_write_mem(listener, req->id, (pid_t)req->pid, req->data.args[0], out,
	                     field * (size_t)nfields) < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

static void h_uname(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_uname(n, listener, req, 65, 6, a);
}

static void h_olduname(struct notify *n, int listener, const struct seccomp_notif *req,
                       enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_uname(n, listener, req, 65, 5, a);
}

static void h_oldolduname(struct notify *n, int listener, const struct seccomp_notif *req,
                          enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	answer_uname(n, listener, req, 9, 5, a);
}

/* As in a uts namespace: CAP_SYS_ADMIN in the caller's effective set, a
 * length of at most 64, and only the container's view changes. */
static void set_name(int listener, const struct seccomp_notif *req, char *dst,
                     struct notify_answer *a)
{
	char buf[65];
	uint64_t len = req->data.args[1];

	struct fs_caller caller;

	if (fs_caller_read((pid_t)req->pid, &caller) < 0 ||
	    !(caller.cap_eff & (1ULL << CAP_SYS_ADMIN))) {
		a->err = EPERM;
		return;
	}
	if ((int64_t)len < 0 || len > 64) {
		a->err = EINVAL;
		return;
	}
	if (len > 0 && notify_read_mem(listener, req->id, (pid_t)req->pid, req->data.args[0], buf,
	                               (size_t)len) < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	memcpy(dst, buf, (size_t)len);
	dst[len] = '\0';
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

static void h_sethostname(struct notify *n, int listener, const struct seccomp_notif *req,
                          enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	set_name(listener, req, state_of(n)->hostname, a);
}

static void h_setdomainname(struct notify *n, int listener, const struct seccomp_notif *req,
                            enum notify_abi abi, struct notify_answer *a)
{
	(void)abi;
	set_name(listener, req, state_of(n)->domainname, a);
}

const struct notify_entry uts_entries[] = {
    {"uname", h_uname},
    {"olduname", h_olduname},
    {"oldolduname", h_oldolduname},
    {"sethostname", h_sethostname},
    {"setdomainname", h_setdomainname},
};
const size_t n_uts_entries = sizeof(uts_entries) / sizeof(uts_entries[0]);
