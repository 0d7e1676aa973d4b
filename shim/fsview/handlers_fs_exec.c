/* Programs and working directories in mounts: execve, execveat, chdir and
 * getcwd (docs/mounts.md, "Programs and working directories in mounts").
 *
 * Under chroot no path reaches a mount's source, so a program inside a bind
 * mount can only be run from a descriptor, and a directory inside one can
 * only become the working directory through one. The view resolves the
 * path, has the object opened (O_PATH, by the agent as the caller) and the
 * caller's call switched (shim/notify/redirect.h) for execveat(fd, "", ...,
 * AT_EMPTY_PATH) or fchdir(fd). The kernel then checks the caller's exec or
 * search permission and Landlock's EXECUTE right itself; noexec mounts are
 * the view's (EACCES, as the kernel says for one).
 *
 * A script is not run from its descriptor: the kernel would hand the
 * interpreter "/dev/fd/N". The view reads its "#!" line as the kernel
 * would, checks the caller may execute it, and switches the call for
 * execve of the interpreter with the kernel's argument vector
 * (interpreter, its optional argument, the script's path, the caller's
 * argv[1...]), written below the caller's stack pointer. Interpreters in
 * mounts are followed the same way, as deep as the kernel goes.
 *
 * A working directory outside the chroot makes the kernel's getcwd say
 * "(unreachable)"; getcwd answers the container's name for every working
 * directory. Paths that stay in the rootfs are CONTINUEd (fs_lookup). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd.h"
#include "shim/fsview/fs.h"
#include "shim/fsview/handlers_fs.h"
#include "shim/notify/redirect.h"

#define NR_EXECVE_X86_64   59
#define NR_EXECVE_I386     11
#define NR_EXECVEAT_X86_64 322
#define NR_EXECVEAT_I386   358

#define SCRIPT_HEADER 256 /* the kernel's BINPRM_BUF_SIZE */
#define SCRIPT_DEPTH  4   /* interpreters the kernel follows */
#define ARGV_MAX      16384
#define RED_ZONE      128 /* x86_64: below the stack pointer, the caller's own */

/* What an execve's switch writes below the caller's stack, and calls. */
struct exec_call {
	enum notify_abi abi;
	bool at_fd;              /* execveat(fd, name, ...) of a program in a mount */
	char name[NAME_MAX + 1]; /* at_fd: its name in the directory fd; "": fd is the file */
	int n_prefix;            /* a script's: interpreters and arguments before its path */
	char prefix[2 * SCRIPT_DEPTH][SCRIPT_HEADER];
	uint64_t path;           /* the caller's own path string */
	uint64_t path_end;       /* the NUL ending it: an "" of the caller's */
	uint64_t argv_ptr;       /* the caller's argv */
	uint64_t argv[ARGV_MAX]; /* a script's: the caller's argv[1...] */
	size_t argc;             /* of them */
	uint64_t envp;
	char image[ARGV_MAX * 8 + 2 * SCRIPT_DEPTH * SCRIPT_HEADER + NAME_MAX + 64];
};
static struct exec_call exec_call;

static size_t word_of(enum notify_abi abi)
{
	return abi == NOTIFY_ABI_I386 ? 4 : 8;
}

static void put_word(char *at, enum notify_abi abi, uint64_t v)
{
	if (abi == NOTIFY_ABI_I386) {
		uint32_t w = (uint32_t)v;
		memcpy(at, &w, 4);
	} else {
		memcpy(at, &v, 8);
	}
}

/* Lay out [a script's new argv][name][prefix strings] below sp and set the
 * call's arguments (redirect prepare). */
static int exec_prepare(void *ctx, pid_t tid, uint64_t sp, struct redirect *r)
{
	struct exec_call *s = ctx;
	size_t w = word_of(s->abi), n_ptrs = 0, str_len, size, off;
	uint64_t base, name_at;

	if (s->at_fd && s->n_prefix == 0 && s->name[0] == '\0') {
		/* execveat(fd, "", argv, envp, AT_EMPTY_PATH): nothing to write */
		r->args[1] = s->path_end;
		r->args[2] = s->argv_ptr;
		r->args[3] = s->envp;
		r->args[4] = AT_EMPTY_PATH;
		return 0;
	}

	str_len = strlen(s->name) + 1;
	for (int i = 0; i < s->n_prefix; i++)
		str_len += strlen(s->prefix[i]) + 1;
	if (s->n_prefix > 0)
		n_ptrs = (size_t)s->n_prefix + 1 + s->argc + 1;
	size = (n_ptrs * w + str_len + 15) & ~(size_t)15;
	if (size > sizeof(s->image) || sp < RED_ZONE + size + 4096)
		return -E2BIG;
	base = (sp - RED_ZONE - size) & ~(uint64_t)15;
	if (s->abi == NOTIFY_ABI_I386 && base + size > UINT32_MAX)
		return -EFAULT; /* a 64-bit program's int $0x80: no 32-bit stack */
	off = n_ptrs * w;
	memcpy(s->image + off, s->name, strlen(s->name) + 1);
	name_at = base + off;
	off += strlen(s->name) + 1;
	for (int i = 0; i < s->n_prefix; i++) {
		size_t l = strlen(s->prefix[i]) + 1;
		memcpy(s->image + off, s->prefix[i], l);
		put_word(s->image + (size_t)i * w, s->abi, base + off);
		off += l;
	}
	if (n_ptrs > 0) {
		put_word(s->image + (size_t)s->n_prefix * w, s->abi, s->path);
		for (size_t i = 0; i < s->argc; i++)
			put_word(s->image + ((size_t)s->n_prefix + 1 + i) * w, s->abi, s->argv[i]);
		put_word(s->image + (n_ptrs - 1) * w, s->abi, 0);
	}
	if (s->at_fd) {
		r->args[1] = name_at;
		r->args[2] = n_ptrs > 0 ? base : s->argv_ptr;
		r->args[3] = s->envp;
		r->args[4] = s->name[0] ? 0 : AT_EMPTY_PATH;
	} else { /* execve of a script's interpreter in the rootfs */
		r->args[0] = name_at + strlen(s->name) + 1;
		r->args[1] = base;
		r->args[2] = s->envp;
	}
	return notify_write_mem(-1, 0, tid, base, s->image, size) < 0 ? -errno : 0;
}

/* The directory holding the program at c->res, as a resolved path of the
 * view, and the program's name there (s->name). false when the program is
 * to be run from its own descriptor: a file mount (its directory is not the
 * container's), or i386 (the name would have to be written into the
 * caller's memory, which a 64-bit program's int $0x80 cannot address). */
static bool parent_of_res(const struct fs_call *c, struct exec_call *s, struct resolved *parent)
{
	size_t off = (size_t)(c->res.rel - c->res.path);
	char *slash;

	s->name[0] = '\0';
	if (s->abi == NOTIFY_ABI_I386 || *c->res.rel == '\0' || off >= sizeof(parent->path))
		return false;
	*parent = c->res;
	parent->rel = parent->path + off;
	parent->is_link = parent->magic = parent->trailing_slash = false;
	parent->table_link = NULL;
	slash = strrchr(parent->path, '/');
	if (!slash || strlen(slash + 1) > NAME_MAX)
		return false;
	snprintf(s->name, sizeof(s->name), "%s", slash + 1);
	if (slash < parent->rel) /* the program is at the mount's root */
		parent->rel = parent->path + strlen(parent->path) - strlen(slash);
	*slash = '\0';
	if (parent->path[0] == '\0') { /* the rootfs's own root */
		snprintf(parent->path, sizeof(parent->path), "/");
		parent->rel = parent->path + 1;
	}
	return true;
}

/* Read the caller's argv[1...] into exec_call. */
static int read_argv(int listener, const struct seccomp_notif *req, enum notify_abi abi,
                     uint64_t argv)
{
	size_t w = word_of(abi);

	exec_call.argc = 0;
	if (argv == 0)
		return 0;
	for (size_t i = 1;; i++) {
		uint64_t p = 0;
		if (i > ARGV_MAX)
			return -E2BIG;
		if (notify_read_mem(listener, req->id, (pid_t)req->pid, argv + i * w, &p, w) < 0)
			return i == 1 ? 0 : -EFAULT; /* argv[0] alone may end the page */
		if (p == 0)
			return 0;
		exec_call.argv[exec_call.argc++] = p;
	}
}

/* nosuid: the kernel would run a set-id or file-capability program of such
 * a mount without its privilege, but it sees no mount here and would grant
 * it. Refused (EPERM) unless no_new_privs already withholds it. fd: the
 * program, readable. */
static int nosuid_check(const struct fs_view *v, const struct fs_call *c, int fd)
{
	struct fs_caller who;
	struct stat st;

	if (c->res.mount < 0 || !(v->t->m[c->res.mount].flags & MNT_F_NOSUID))
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!(st.st_mode & (S_ISUID | S_ISGID)) &&
	    fgetxattr(fd, "security.capability", NULL, 0) < 0)
		return 0;
	if (fs_caller_read(c->tid, &who) == 0 && who.no_new_privs)
		return 0;
	return -EPERM;
}

/* A descriptor of the program at c->res, opened for reading as the caller
 * (seccomp cannot inject an O_PATH one), for program_open(), which has
 * made the checks that need no descriptor. -errno. */
static int program_fd(struct fs_view *v, struct fs_call *c)
{
	struct stat st;
	bool fifo;
	int fd;

	fd = fs_path_fd(v, c, &c->res, false);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EACCES;
	}
	close(fd);
	fd = fs_open_resolved(v, c, &c->res, O_RDONLY | O_CLOEXEC, 0, &fifo);
	if (fd >= 0 && fifo) {
		close(fd);
		return -EACCES;
	}
	if (fd >= 0) {
		int r = nosuid_check(v, c, fd);
		if (r < 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

/* Open the program at c->res. Returns a descriptor to read its header
 * from, or -errno. *dir gets a descriptor of its directory, opened as the
 * caller, with s->name the program's name there, when the program is to be
 * run from that: the kernel then names the process after it, as after a
 * path's last component (busybox finds its applet so). One request to the
 * agent; the header is read by the supervisor, as the kernel reads it
 * whatever the caller's read permission. Otherwise *dir is -1 and the
 * descriptor returned, opened as the caller, is the one to run. */
static int program_open(struct fs_view *v, struct fs_call *c, struct exec_call *s, int *dir)
{
	static struct resolved parent;
	_cleanup_close_ int obj = -1;
	struct stat st;
	bool fifo;
	int fd;

	*dir = -1;
	if (c->res.is_link)
		return -ELOOP; /* AT_SYMLINK_NOFOLLOW on a link */
	if (c->res.mount >= 0 && (v->t->m[c->res.mount].flags & MNT_F_NOEXEC))
		return -EACCES;
	if (!parent_of_res(c, s, &parent))
		return program_fd(v, c);
	*dir = fs_open_resolved(v, c, &parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, &fifo);
	if (*dir < 0) { /* a directory the caller may not read */
		s->name[0] = '\0';
		*dir = -1;
		return program_fd(v, c);
	}
	/* The name, not a symlink: the view resolved those (a /proc magic
	 * link is followed, as the kernel's exec does). */
	obj = openat(*dir, s->name, O_PATH | O_CLOEXEC | (c->res.magic ? 0 : O_NOFOLLOW));
	if (obj >= 0 && fstat(obj, &st) == 0 && S_ISREG(st.st_mode) &&
	    (fd = fd_reopen(obj, O_RDONLY | O_CLOEXEC)) >= 0) {
		int r = nosuid_check(v, c, fd);
		if (r == 0)
			return fd;
		close(fd);
		fd = r;
	} else {
		fd = obj < 0 ? -errno : -EACCES;
	}
	close(*dir);
	*dir = -1;
	return fd;
}

/* The interpreter line of the file at fd ("#!"), split as the kernel
 * does: interp and its one optional argument (arg "" when none). 1: a
 * script; 0: not one; -errno. */
static int read_shebang(int fd, char *interp, char *arg)
{
	char buf[SCRIPT_HEADER + 1], *p, *e;
	ssize_t n = pread(fd, buf, SCRIPT_HEADER, 0);

	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	if ((e = strchr(buf, '\n')))
		*e = '\0';
	else if (n == SCRIPT_HEADER)
		return -ENOEXEC; /* the interpreter's name may be cut */
	for (p = buf + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		return -ENOEXEC;
	e = p + strcspn(p, " \t");
	memcpy(interp, p, (size_t)(e - p));
	interp[e - p] = '\0';
	for (p = e; *p == ' ' || *p == '\t'; p++)
		;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	memcpy(arg, p, (size_t)(e - p));
	arg[e - p] = '\0';
	return 1;
}

/* The caller may execute the script at c->res (the interpreter will only
 * read it): asked of the agent, as the caller. */
static int may_exec(struct fs_view *v, struct fs_call *c)
{
	const struct resolved *r = &c->res;
	bool fifo;
	int ret;

	if (r->mount < 0)
		ret = fs_agent_open(v, c, FS_AGENT_ROOT, r->path, 0, 0, X_OK, &fifo);
	else if (v->t->m[r->mount].kind == MNT_BIND || v->t->m[r->mount].kind == MNT_TMPFS)
		ret = fs_agent_open(v, c, r->mount, r->rel, 0, 0, X_OK, &fifo);
	else
		ret = 0;
	return ret < 0 ? ret : 0;
}

/* Whether the lookup just made was of one plain name right below its base
 * directory (no symlink followed, no mount entered on the way). */
static bool plain_name_below(const struct fs_call *c)
{
	const char *p = c->path;
	size_t bl = strlen(c->base);

	if (strchr(p, '/') || strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || c->res.table_link)
		return false;
	if (bl == 1)
		bl = 0; /* the base is "/" */
	return strncmp(c->res.path, c->base, bl) == 0 && c->res.path[bl] == '/' &&
	       strcmp(c->res.path + bl + 1, p) == 0 &&
	       (c->res.mount < 0 || *c->res.rel != '\0'); /* not a mount point itself */
}

/* The switch's own execveat, which traps again on its way: the thread and
 * descriptor the switch gave it. */
static struct {
	pid_t tid;
	int fd;
	bool armed;
} own_switch;

static bool is_own_switch(const struct seccomp_notif *req, int dirfd)
{
	bool mine = own_switch.armed && own_switch.tid == (pid_t)req->pid && own_switch.fd == dirfd;

	if (own_switch.armed && own_switch.tid == (pid_t)req->pid)
		own_switch.armed = false; /* one call only, whatever it is */
	return mine;
}

/* Whether an exec whose descriptor or name the caller's other threads could
 * swap after the view looked must run with no_new_privs: the caller lacks
 * it and a nosuid mount that can hold programs (a bind, whose source may
 * hold a set-id program of the host; a tmpfs, where the container's root
 * may have made one) exists: the kernel sees no mount there and would
 * grant the program's privilege. */
static bool need_nnp(const struct fs_view *v, const struct seccomp_notif *req)
{
	struct fs_caller who;
	bool nosuid = false;

	for (size_t i = 0; v->t && i < v->t->n; i++)
		if ((v->t->m[i].kind == MNT_BIND || v->t->m[i].kind == MNT_TMPFS ||
		     v->t->m[i].kind == MNT_MQUEUE) &&
		    (v->t->m[i].flags & MNT_F_NOSUID))
			nosuid = true;
	return nosuid && !(fs_caller_read((pid_t)req->pid, &who) == 0 && who.no_new_privs);
}

/* Switch the caller's call for exec_call's: execveat of fd (a program or
 * its directory), or execve of a script's interpreter when fd is -1. */
static void switch_exec(int listener, const struct seccomp_notif *req, enum notify_abi abi, int fd,
                        bool nnp, struct notify_answer *a)
{
	bool i386 = abi == NOTIFY_ABI_I386;
	struct redirect rd = {.fd = fd, .fd_arg = 0, .nnp_first = nnp && fd >= 0};

	rd.args[0] = ~0ull; /* the injected number, once the switch is made */

	rd.nr = fd >= 0 ? (i386 ? NR_EXECVEAT_I386 : NR_EXECVEAT_X86_64)
	                : (i386 ? NR_EXECVE_I386 : NR_EXECVE_X86_64);
	rd.prepare = exec_prepare;
	rd.ctx = &exec_call;
	redirect_answer(listener, req, abi, &rd, a);
	if (fd >= 0 && a->kind == ANSWER_PENDING && rd.args[0] != ~0ull) {
		own_switch.tid = (pid_t)req->pid;
		own_switch.fd = (int)rd.args[0];
		own_switch.armed = true;
	}
}

static void answer_exec(struct notify *n, int listener, const struct seccomp_notif *req,
                        enum notify_abi abi, int dirfd, uint64_t path, uint64_t argv, uint64_t envp,
                        int at_flags, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call, *c = &call;
	bool nnp;
	int r, fd, dir = -1;

	a->kind = ANSWER_ERRNO;
	fs_call_init(c, listener, req);
	r = fs_read_path(listener, req, path, c->path);
	if (r < 0) {
		a->err = -r;
		return;
	}
	exec_call.path_end = path + strlen(c->path);
	if (dirfd != AT_FDCWD && is_own_switch(req, dirfd)) {
		/* CONTINUE: the switch's own call. A descriptor or name swapped
		 * since runs under Landlock's EXECUTE rights (none on noexec
		 * mounts) and, where a nosuid bind exists, with the no_new_privs
		 * the switch set first. */
		a->kind = ANSWER_CONTINUE;
		return;
	}
	nnp = need_nnp(v, req);
	if (c->path[0] == '\0' && (at_flags & AT_EMPTY_PATH)) {
		/* The caller's own descriptor: the kernel's, but for a noexec
		 * mount's file, or, where no_new_privs is needed, run from the
		 * supervisor's copy by the switch. */
		const char *rest;
		int k;
		if (fs_caller_link((pid_t)req->pid, dirfd, c->link, sizeof(c->link)) == 0) {
			k = fs_host_mount(v, c->link, false, &rest);
			if (k >= 0 && (v->t->m[k].flags & MNT_F_NOEXEC)) {
				a->err = EACCES;
				return;
			}
		}
		if (!nnp) {
			/* CONTINUE: a descriptor or name swapped after this
			 * runs under Landlock's EXECUTE rights, and no nosuid
			 * bind holds a program whose privilege the kernel would
			 * wrongly grant (or the caller has no_new_privs). */
			a->kind = ANSWER_CONTINUE;
			return;
		}
		fd = fs_fd_copy(listener, req, dirfd);
		if (fd < 0) {
			a->err = -fd;
			return;
		}
		exec_call.abi = abi;
		exec_call.n_prefix = 0;
		exec_call.at_fd = true;
		exec_call.name[0] = '\0';
		exec_call.argv_ptr = argv;
		exec_call.envp = envp;
		switch_exec(listener, req, abi, fd, true, a);
		return;
	}
	r = fs_lookup_path(v, c, dirfd, (at_flags & AT_SYMLINK_NOFOLLOW) ? RESOLVE_F_NOFOLLOW : 0);
	if (fs_lookup_answers(r, a))
		return;
	if (dirfd != AT_FDCWD && !nnp && plain_name_below(c)) {
		/* One name in the caller's directory fd: the kernel's walk is
		 * the view's. CONTINUE: a descriptor or name swapped after
		 * this runs under Landlock's EXECUTE rights, and no nosuid bind
		 * holds a program whose privilege the kernel would wrongly
		 * grant (or the caller has no_new_privs). */
		if (c->res.mount >= 0 && (v->t->m[c->res.mount].flags & MNT_F_NOEXEC))
			a->err = EACCES;
		else
			a->kind = ANSWER_CONTINUE;
		return;
	}
	exec_call.n_prefix = 0;
	exec_call.abi = abi;
	fd = program_open(v, c, &exec_call, &dir);
	if (fd < 0) {
		a->err = -fd;
		return;
	}
	for (int depth = 0;; depth++) {
		char interp[SCRIPT_HEADER], arg[SCRIPT_HEADER];
		int s = read_shebang(fd, interp, arg), add;
		if (s == 0)
			break; /* a binary: run from its descriptor */
		/* The caller may execute each script of the chain (the kernel's
		 * open_exec of an interpreter checks it too): its "#!" line,
		 * read by the supervisor, goes into the new argv only then. */
		if (s > 0)
			s = may_exec(v, c);
		close(fd);
		fd = -1;
		if (dir >= 0)
			close(dir);
		dir = -1;
		if (s < 0) {
			a->err = -s;
			return;
		}
		if (depth == SCRIPT_DEPTH) {
			a->err = ELOOP;
			return;
		}
		/* The new interpreter and its argument go first. */
		add = *arg ? 2 : 1;
		memmove(exec_call.prefix[add], exec_call.prefix[0],
		        sizeof(exec_call.prefix[0]) * (size_t)exec_call.n_prefix);
		memcpy(exec_call.prefix[0], interp, sizeof(interp));
		if (add == 2)
			memcpy(exec_call.prefix[1], arg, sizeof(arg));
		exec_call.n_prefix += add;
		snprintf(c->path, sizeof(c->path), "%s", exec_call.prefix[0]);
		r = fs_lookup_path(v, c, AT_FDCWD, 0);
		if (r == FS_ROOTFS)
			break; /* the kernel runs the interpreter (and its own) */
		if (r < 0) {
			a->err = -r;
			return;
		}
		fd = program_open(v, c, &exec_call, &dir);
		if (fd < 0) {
			a->err = -fd;
			return;
		}
	}
	r = 0;
	if (exec_call.n_prefix > 0)
		r = read_argv(listener, req, abi, argv); /* a script: the kernel's argv for it */
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		if (dir >= 0)
			close(dir);
		a->err = -r;
		return;
	}
	exec_call.path = path;
	exec_call.argv_ptr = argv;
	exec_call.envp = envp;
	exec_call.at_fd = fd >= 0;
	if (dir >= 0) { /* run from its directory, by name */
		close(fd);
		fd = dir;
	} else {
		exec_call.name[0] = '\0';
	}
	switch_exec(listener, req, abi, fd, nnp, a);
}

static void h_execve(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	answer_exec(n, listener, req, abi, AT_FDCWD, req->data.args[0], req->data.args[1],
	            req->data.args[2], 0, a);
}

static void h_execveat(struct notify *n, int listener, const struct seccomp_notif *req,
                       enum notify_abi abi, struct notify_answer *a)
{
	answer_exec(n, listener, req, abi, (int)req->data.args[0], req->data.args[1],
	            req->data.args[2], req->data.args[3], (int)req->data.args[4], a);
}

/* ---- chdir, fchdir, getcwd ---------------------------------------------- */

/* Keep the directory at c->res as the caller's working directory (its
 * kernel's stays inside the root: shim/fsview/fs_cwd.c), after the checks the
 * kernel's chdir would make: a directory the caller may search. Readable
 * too: the agent opens it to check (a directory the caller may search but
 * not read is refused, EACCES). */
static void park(struct fs_view *v, struct fs_call *c, struct notify_answer *a)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	bool fifo;
	int r;

	a->kind = ANSWER_ERRNO;
	fd = fs_open_resolved(v, c, &c->res, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, &fifo);
	if (fd < 0) {
		a->err = -fd;
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		a->err = ENOTDIR;
		return;
	}
	r = fs_cwd_park(v, c->tid, c->res.path);
	if (r < 0) {
		a->err = -r;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = 0;
}

static void h_chdir(struct notify *n, int listener, const struct seccomp_notif *req,
                    enum notify_abi abi, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	/* A process whose working directory is kept stays so: the kernel's
	 * chdir would leave the record behind. */
	unsigned flags = fs_cwd_get(v, (pid_t)req->pid) ? FS_LOOKUP_FULL : 0;
	int r;

	(void)abi;
	fs_call_init(&call, listener, req);
	r = fs_lookup(v, &call, AT_FDCWD, req->data.args[0], flags);
	/* CONTINUE (FS_ROOTFS): from a working directory inside the root to
	 * a path the kernel resolves from it or the root, so the new one is
	 * inside the root too, whatever the path says by then. */
	if (!(flags && r == FS_ROOTFS) && fs_lookup_answers(r, a))
		return;
	park(v, &call, a);
}

/* fchdir is never the kernel's: another thread could swap the descriptor
 * for one outside the root after the check. The view keeps the
 * descriptor's directory, as it names it, like a chdir there. */
static void h_fchdir(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call;
	int fd = (int)req->data.args[0], r;

	(void)abi;
	a->kind = ANSWER_ERRNO;
	if (fd < 0) {
		a->err = EBADF;
		return;
	}
	fs_call_init(&call, listener, req); /* call.path "": the descriptor's own object */
	r = fs_lookup_path(v, &call, fd, RESOLVE_F_EMPTY_PATH);
	if (r == FS_ROOTFS)
		r = -EIO; /* a descriptor is never the kernel's */
	if (r < 0) {
		a->err = -r;
		return;
	}
	park(v, &call, a);
}

/* getcwd is always the view's answer (no CONTINUE: the kernel's says where
 * a kept working directory is parked). */
static void h_getcwd(struct notify *n, int listener, const struct seccomp_notif *req,
                     enum notify_abi abi, struct notify_answer *a)
{
	struct fs_view *v = view_of(n);
	struct fs_call call, *c = &call;
	const char *kept = fs_cwd_get(v, (pid_t)req->pid);
	char proc[64];
	struct stat st;
	ssize_t len;
	size_t size = (size_t)req->data.args[1];

	(void)abi;
	fs_call_init(c, listener, req);
	a->kind = ANSWER_ERRNO;
	if (kept) {
		snprintf(c->base, sizeof(c->base), "%s", kept);
	} else {
		snprintf(proc, sizeof(proc), "/proc/%d/cwd", (int)req->pid);
		len = readlink(proc, c->link, sizeof(c->link) - 1);
		if (len < 0) {
			a->err = ESRCH;
			return;
		}
		c->link[len] = '\0';
		/* Removed (the kernel's ENOENT), or with no name in the
		 * container (glibc's ENOENT for the kernel's
		 * "(unreachable)"). */
		if (stat(proc, &st) < 0 || st.st_nlink == 0 ||
		    fs_host_to_container(v, c->link, c->base, sizeof(c->base)) < 0) {
			a->err = ENOENT;
			return;
		}
	}
	len = (ssize_t)strlen(c->base) + 1;
	if ((size_t)len > size) {
		a->err = ERANGE;
		return;
	}
	if (notify_write_mem(listener, req->id, (pid_t)req->pid, req->data.args[0], c->base,
	                     (size_t)len) < 0) {
		a->err = errno == ESRCH ? ESRCH : EFAULT;
		return;
	}
	a->kind = ANSWER_VALUE;
	a->val = len;
}

const struct notify_entry fs_exec_entries[] = {
    {"execve", h_execve}, {"execveat", h_execveat}, {"chdir", h_chdir},
    {"fchdir", h_fchdir}, {"getcwd", h_getcwd},
};
const size_t n_fs_exec_entries = sizeof(fs_exec_entries) / sizeof(fs_exec_entries[0]);
