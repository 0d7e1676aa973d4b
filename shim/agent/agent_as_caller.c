/* Taking on the calling process's identity for one request, and giving
 * it back: fsuid, fsgid, supplementary groups, effective capabilities,
 * umask, and for connect and bind the effective ids too. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/caps.h"
#include "shim/agent/agent_internal.h"

/* connect and bind on behalf run with the caller's euid and egid, not only
 * its filesystem identity: the listener's SO_PEERCRED reports the
 * connecting task's euid and egid (a daemon that authorises by peer uid
 * would otherwise grant root), and a socket file bound is the caller's.
 * Only the effective ids change, on this thread (the agent has no other;
 * raw calls: glibc's setxid broadcast would be for threads), so the real
 * and saved ids stay the agent's and the way back needs no capability; a
 * container process of that uid cannot signal the agent meanwhile (kill
 * matches the target's real or saved uid). A new euid clears the
 * effective capabilities: ours again, for setfsuid and the caller's set
 * that agent_as_caller applies next. Returns 0 or -1 with errno. */
static int peer_ids_take(const struct agent_caller *who, uint64_t perm)
{
	if (syscall(SYS_setresgid, -1, who->egid, -1) < 0 ||
	    syscall(SYS_setresuid, -1, who->euid, -1) < 0)
		return -1;
	/* A change of euid sets the dumpable flag to fs.suid_dumpable: the
	 * agent stays as launch made it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	return rl_caps_set(perm, perm);
}

/* Back to the agent's own euid and egid, or die: an agent left with a
 * container process's identity would do every later request as it
 * (fail closed: the supervisor sees the agent gone and kills the
 * container). */
static void peer_ids_drop(const struct agent_config *c)
{
	if (syscall(SYS_setresuid, -1, c->euid, -1) < 0 ||
	    syscall(SYS_setresgid, -1, c->egid, -1) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(1);
}

/* Take on the caller's filesystem identity, act, and come back. The
 * order matters: a non-zero fsuid clears the filesystem capabilities, so
 * the caller's effective set is applied last. */
int agent_as_caller(const struct agent_config *c, const struct agent_request *q, const int *in_fd,
                    int *fd, struct agent_reply *rep)
{
	const struct agent_caller *who = &q->caller;
	uint64_t eff, perm;
	gid_t groups[AGENT_MAX_GROUPS];
	int err = 0, dfd = 0;
	bool as_peer = q->kind == AGENT_CONNECT || q->kind == AGENT_BIND;

	if (q->kind == AGENT_OPEN) {
		dfd = agent_open_dir(c, &q->u.open);
		if (dfd < 0)
			return -dfd;
	}
	if (who->n_groups > AGENT_MAX_GROUPS)
		return EINVAL;
	if (rl_caps_get(&eff, &perm) < 0)
		return errno;
	for (uint32_t i = 0; i < who->n_groups; i++)
		groups[i] = who->groups[i];
	if (as_peer && peer_ids_take(who, perm) < 0)
		err = errno;
	syscall(SYS_setfsgid, who->fsgid);
	syscall(SYS_setfsuid, who->fsuid);
	if (!err && (rl_groups_set(who->n_groups, groups) < 0 ||
	             rl_caps_set(who->cap_effective & perm, perm) < 0))
		err = errno;
	/* Created objects get the caller's umask (or its parent's default
	 * ACL, which the kernel applies instead), as if it made them. */
	if (who->umask & AGENT_UMASK_SET)
		umask((mode_t)(who->umask & 0777));
	if (!err)
		err = q->kind == AGENT_OPEN
		          ? agent_do_open(c, &q->u.open, dfd, fd, &rep->u.open.fifo)
		          : agent_do_fsop(c, q, in_fd, rep);
	umask(c->umask);
	if (as_peer)
		peer_ids_drop(c);
	syscall(SYS_setfsuid, c->euid);
	syscall(SYS_setfsgid, c->egid);
	rl_groups_set(0, NULL);
	if (rl_caps_set(eff, perm) < 0)
		_exit(1); /* cannot get our own authority back: fail closed */
	return err;
}
