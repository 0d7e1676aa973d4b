/* runtime/confine/seccomp_runlock.c and seccomp_bundle.c: what runlock's mandatory
 * filter contains for a config (read back as libseccomp's PFC text), and the
 * bundle profile compiler's output and refusals. */
#include "runtime/confine/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/config.h"
#include "tests/unit/unit.h"

/* ---- helpers ---------------------------------------------------------------- */

/* JSON written with ' for " so that the documents stay readable. */
static char *jq(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; d && *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/* A minimal valid config with linux.namespaces = NAMESPACES (a JSON array)
 * and linux.seccomp = SECCOMP (a JSON object, or NULL for none). */
static struct oci_config *config_with(const char *namespaces, const char *seccomp)
{
	char doc[8192];
	_cleanup_free_ char *json = NULL;
	struct oci_config *c = NULL;
	struct rl_error e = {0};

	snprintf(doc, sizeof(doc),
	         "{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/'},"
	         " 'root': {'path': 'rootfs'},"
	         " 'linux': {'namespaces': %s%s%s}}",
	         namespaces, seccomp ? ", 'seccomp': " : "", seccomp ? seccomp : "");
	json = jq(doc);
	if (!json || oci_config_parse(json, strlen(json), &c, &e) < 0) {
		fprintf(stderr, "unexpected parse failure: %s\n", e.msg);
		return NULL;
	}
	return c;
}

/* runlock's filter for c as PFC text (malloc'd), or NULL. */
static char *export_pfc(const struct oci_config *c)
{
	_cleanup_close_ int fd = memfd_create("test-pfc", MFD_CLOEXEC);
	struct rl_error e = {0};
	off_t size;
	char *buf;

	if (fd < 0)
		return NULL;
	if (seccomp_export_runlock_pfc(c, fd, &e) < 0) {
		fprintf(stderr, "seccomp_export_runlock_pfc: %s\n", e.msg);
		return NULL;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0)
		return NULL;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return NULL;
	if (pread(fd, buf, (size_t)size, 0) != size) {
		free(buf);
		return NULL;
	}
	buf[size] = '\0';
	return buf;
}

/* The text of the section that starts at the line containing `start` and
 * ends at the next line starting with one of `ends` (malloc'd), or NULL. */
static char *section(const char *text, const char *start, const char *const *ends, size_t n_ends)
{
	const char *b = text ? strstr(text, start) : NULL;
	const char *e = NULL;

	if (!b)
		return NULL;
	for (size_t i = 0; i < n_ends; i++) {
		const char *x = strstr(b + strlen(start), ends[i]);
		if (x && (!e || x < e))
			e = x;
	}
	if (!e)
		e = b + strlen(b);
	return strndup(b, (size_t)(e - b));
}

/* One architecture's part of the PFC: "x86_64" or "x86". */
static char *arch_section(const char *pfc, const char *arch)
{
	static const char *const ends[] = {"# filter for arch ", "# invalid architecture action"};
	char start[64];

	snprintf(start, sizeof(start), "# filter for arch %s (", arch);
	return section(pfc, start, ends, 2);
}

/* One system call's rules inside an architecture's section. */
static char *syscall_section(const char *arch_text, const char *name)
{
	static const char *const ends[] = {"# filter for syscall ", "# default action"};
	char start[96];

	snprintf(start, sizeof(start), "# filter for syscall \"%s\" (", name);
	return section(arch_text, start, ends, 2);
}

static bool has_syscall(const char *arch_text, const char *name)
{
	_cleanup_free_ char *s = syscall_section(arch_text, name);
	return s != NULL;
}

/* Every rule of the mandatory filter that must exist on both ABIs whatever
 * the namespaces, with the action it must have. */
static const struct {
	const char *name;
	const char *action;
} always[] = {
    {"unshare", "action ERRNO(1);"},
    {"setns", "action ERRNO(1);"},
    {"clone3", "action ERRNO(38);"},
    {"mount", "action ERRNO(1);"},
    {"umount2", "action ERRNO(1);"},
    {"pivot_root", "action ERRNO(1);"},
    {"open_tree", "action ERRNO(1);"},
    {"move_mount", "action ERRNO(1);"},
    {"fsopen", "action ERRNO(1);"},
    {"open_by_handle_at", "action ERRNO(1);"},
    {"io_uring_setup", "action ERRNO(1);"},
    {"io_uring_enter", "action ERRNO(1);"},
    {"io_uring_register", "action ERRNO(1);"},
    {"bpf", "action ERRNO(1);"},
    {"perf_event_open", "action ERRNO(1);"},
    {"userfaultfd", "action ERRNO(1);"},
    {"keyctl", "action ERRNO(1);"},
    {"init_module", "action ERRNO(1);"},
    {"kexec_load", "action ERRNO(1);"},
    {"mknodat", "action ERRNO(1);"},
};

static void check_mandatory_rules(const char *pfc, const char *arch)
{
	_cleanup_free_ char *a = arch_section(pfc, arch);
	_cleanup_free_ char *clone = NULL;
	_cleanup_free_ char *mknod = NULL;

	CHECK(a != NULL);
	if (!a) {
		fprintf(stderr, "no section for arch %s in:\n%s\n", arch, pfc ? pfc : "(null)");
		return;
	}
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		_cleanup_free_ char *s = syscall_section(a, always[i].name);
		if (!s)
			fprintf(stderr, "arch %s: no rule for %s\n", arch, always[i].name);
		CHECK(s != NULL);
		CHECK_CONTAINS(s, always[i].action);
	}
	/* clone: a masked test of each namespace flag; CLONE_NEWNS (0x20000)
	 * and CLONE_NEWUSER (0x10000000) named here. */
	clone = syscall_section(a, "clone");
	CHECK(clone != NULL);
	CHECK_CONTAINS(clone, "& 0x00020000 == 131072");
	CHECK_CONTAINS(clone, "& 0x10000000 == 268435456");
	CHECK_CONTAINS(clone, "action ERRNO(1);");
	/* mknod/mknodat: the file type bits are tested (S_IFCHR 0x2000,
	 * S_IFBLK 0x6000), so a FIFO stays allowed. */
	mknod = syscall_section(a, "mknodat");
	CHECK_CONTAINS(mknod, "& 0x0000f000 == 8192");
	CHECK_CONTAINS(mknod, "& 0x0000f000 == 24576");
	CHECK_CONTAINS(a, "# default action\n  action ALLOW;");
}

/* ---- runlock's filter --------------------------------------------------------- */

static void test_pfc_both_arches_network_ipc(void)
{
	_cleanup_config_ struct oci_config *c =
	    config_with("[{'type': 'pid'}, {'type': 'network'}, {'type': 'ipc'}]", NULL);
	_cleanup_free_ char *pfc = export_pfc(c);
	_cleanup_free_ char *x64 = NULL, *x86 = NULL;

	CHECK(c != NULL);
	CHECK(pfc != NULL);
	CHECK_CONTAINS(pfc, "# filter for arch x86_64 (");
	CHECK_CONTAINS(pfc, "# filter for arch x86 (");
	/* x32 is not an architecture of the filter: it is killed. */
	CHECK(!pfc || !strstr(pfc, "# filter for arch x32"));
	CHECK_CONTAINS(pfc, "# invalid architecture action\naction KILL_PROCESS;");
	check_mandatory_rules(pfc, "x86_64");
	check_mandatory_rules(pfc, "x86");

	x64 = arch_section(pfc, "x86_64");
	x86 = arch_section(pfc, "x86");
	/* No network: socket families (x86_64 socket, i386 socket and the
	 * socketcall multiplexer). */
	{
		_cleanup_free_ char *s64 = syscall_section(x64, "socket");
		_cleanup_free_ char *s86 = syscall_section(x86, "socket");
		_cleanup_free_ char *sc86 = syscall_section(x86, "socketcall");
		CHECK_CONTAINS(s64, "action ERRNO(97);"); /* EAFNOSUPPORT */
		CHECK_CONTAINS(s64, "action ERRNO(13);"); /* EACCES: non-stream inet */
		CHECK_CONTAINS(s64, "> 10");              /* every family above AF_INET6 */
		CHECK_CONTAINS(s64, "== 4");              /* AF_IPX, one of 3..9 */
		CHECK_CONTAINS(s86, "action ERRNO(97);");
		CHECK_CONTAINS(s86, "action ERRNO(13);");
		CHECK_CONTAINS(s86, "> 10");
		CHECK_CONTAINS(s86, "== 4");
		CHECK_CONTAINS(sc86, "action ERRNO(13);");
	}
	/* ipc namespace: SysV IPC and POSIX message queues are the host's. */
	CHECK(has_syscall(x64, "shmget"));
	CHECK(has_syscall(x64, "msgget"));
	CHECK(has_syscall(x64, "mq_open"));
	CHECK(has_syscall(x86, "ipc"));
	CHECK(has_syscall(x86, "shmget"));
}

static void test_pfc_host_network_no_ipc(void)
{
	_cleanup_config_ struct oci_config *c = config_with("[{'type': 'pid'}]", NULL);
	_cleanup_free_ char *pfc = export_pfc(c);
	_cleanup_free_ char *x64 = NULL, *x86 = NULL;

	CHECK(pfc != NULL);
	check_mandatory_rules(pfc, "x86_64");
	check_mandatory_rules(pfc, "x86");
	CHECK_CONTAINS(pfc, "# invalid architecture action\naction KILL_PROCESS;");
	x64 = arch_section(pfc, "x86_64");
	x86 = arch_section(pfc, "x86");
	CHECK(x64 && !has_syscall(x64, "socket"));
	CHECK(x86 && !has_syscall(x86, "socket"));
	CHECK(x86 && !has_syscall(x86, "socketcall"));
	CHECK(x64 && !has_syscall(x64, "shmget"));
	CHECK(x86 && !has_syscall(x86, "ipc"));
}

/* A network namespace given by path is joined: the host's socket families
 * are the namespace's own, no family rules. */
static void test_pfc_joined_network(void)
{
	_cleanup_config_ struct oci_config *c =
	    config_with("[{'type': 'network', 'path': '/run/netns/x'}]", NULL);
	_cleanup_free_ char *pfc = export_pfc(c);
	_cleanup_free_ char *x64 = arch_section(pfc, "x86_64");

	CHECK(x64 != NULL);
	CHECK(x64 && !has_syscall(x64, "socket"));
	check_mandatory_rules(pfc, "x86_64");
}

/* The compiled filter is the PFC's program: non-empty, ends in a return. */
static void test_compile_runlock(void)
{
	_cleanup_config_ struct oci_config *c = config_with("[{'type': 'network'}]", NULL);
	struct bpf_prog p;
	struct rl_error e = {0};

	CHECK_INT_EQ(seccomp_compile_runlock(c, &p, &e), 0);
	CHECK(p.insns != NULL);
	CHECK(p.len > 10);
	if (p.insns && p.len)
		CHECK_UINT_EQ(BPF_CLASS(p.insns[p.len - 1].code), BPF_RET);
	bpf_prog_free(&p);
	CHECK(p.insns == NULL);
}

/* ---- the bundle's profile ----------------------------------------------------- */

static int compile_profile(const char *seccomp, struct bpf_prog *p, struct rl_error *e)
{
	_cleanup_config_ struct oci_config *c = config_with("[]", seccomp);

	memset(p, 0, sizeof(*p));
	if (!c || !c->linux_ || !c->linux_->seccomp)
		return rl_fail(e, EINVAL, "test: no linux.seccomp parsed");
	return seccomp_compile_bundle(c->linux_->seccomp, p, e);
}

static void test_bundle_small_profile(void)
{
	struct bpf_prog p;
	struct rl_error e = {0};
	int r = compile_profile(
	    "{'defaultAction': 'SCMP_ACT_ALLOW',"
	    " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
	    " 'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
	    " 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO',"
	    "               'errnoRet': 38},"
	    "              {'names': ['getpid'], 'action': 'SCMP_ACT_KILL'},"
	    "              {'names': ['kill'], 'action': 'SCMP_ACT_ERRNO',"
	    "               'args': [{'index': 1, 'value': 9, 'op': 'SCMP_CMP_EQ'}]},"
	    "              {'names': ['no_such_syscall_xyz'], 'action': 'SCMP_ACT_ERRNO'}]}",
	    &p, &e);

	CHECK_INT_EQ(r, 0);
	if (r < 0)
		fprintf(stderr, "compile: %s\n", e.msg);
	CHECK(p.insns != NULL);
	CHECK(p.len > 5);
	CHECK_UINT_EQ(p.flags, 2); /* SECCOMP_FILTER_FLAG_LOG */
	if (p.insns && p.len)
		CHECK_UINT_EQ(BPF_CLASS(p.insns[p.len - 1].code), BPF_RET);
	bpf_prog_free(&p);
}

static void test_bundle_refusals(void)
{
	struct bpf_prog p;
	struct rl_error e = {0};

	CHECK_INT_EQ(compile_profile("{'defaultAction': 'SCMP_ACT_ALLOW',"
	                             " 'listenerPath': '/run/agent.sock'}",
	                             &p, &e),
	             -1);
	CHECK_INT_EQ(e.err, ENOTSUP);
	CHECK_CONTAINS(e.msg, "linux.seccomp.listenerPath");
	CHECK(p.insns == NULL);

	rl_error_clear(&e);
	CHECK_INT_EQ(
	    compile_profile("{'defaultAction': 'SCMP_ACT_ALLOW',"
	                    " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'},"
	                    "              {'names': ['getpid'], 'action': 'SCMP_ACT_NOTIFY'}]}",
	                    &p, &e),
	    -1);
	CHECK_INT_EQ(e.err, ENOTSUP);
	CHECK_CONTAINS(e.msg, "linux.seccomp.syscalls[1]");
	CHECK_CONTAINS(e.msg, "SCMP_ACT_NOTIFY");
	CHECK(p.insns == NULL);

	rl_error_clear(&e);
	CHECK_INT_EQ(compile_profile("{'defaultAction': 'SCMP_ACT_NOTIFY'}", &p, &e), -1);
	CHECK_CONTAINS(e.msg, "linux.seccomp.defaultAction");
	CHECK_CONTAINS(e.msg, "SCMP_ACT_NOTIFY");

	rl_error_clear(&e);
	CHECK_INT_EQ(compile_profile("{'defaultAction': 'SCMP_ACT_ALLOW',"
	                             " 'architectures': ['SCMP_ARCH_NOPE']}",
	                             &p, &e),
	             -1);
	CHECK_CONTAINS(e.msg, "linux.seccomp.architectures[0]");

	rl_error_clear(&e);
	CHECK_INT_EQ(
	    compile_profile("{'defaultAction': 'SCMP_ACT_ALLOW',"
	                    " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_BOGUS'}]}",
	                    &p, &e),
	    -1);
	CHECK_CONTAINS(e.msg, "linux.seccomp.syscalls[0]");
	CHECK_CONTAINS(e.msg, "SCMP_ACT_BOGUS");
}

/* ---- the ENOSYS prefix, run ----------------------------------------------- */

/* Run a classic BPF seccomp program (the subset libseccomp and the prefix
 * emit) on one call; ~0U for an instruction it does not know. */
static uint32_t bpf_run(const struct bpf_prog *p, uint32_t arch, uint32_t nr)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = arch};
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};

	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->insns[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k + 4 > sizeof(d))
				return ~0U;
			memcpy(&a, (const char *)&d + f->k, 4);
			break;
		case BPF_LD | BPF_MEM:
			a = mem[f->k % BPF_MEMWORDS];
			break;
		case BPF_LDX | BPF_MEM:
			x = mem[f->k % BPF_MEMWORDS];
			break;
		case BPF_ST:
			mem[f->k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[f->k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= f->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & f->k) ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return ~0U;
		}
	}
	return ~0U;
}

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* An old profile (default EPERM; the newest it names: pwritev2) answers
 * ENOSYS above that, per architecture, the profile's own answer up to it;
 * naming openat2 moves the line; a permissive default gets no prefix. */
static void test_bundle_enosys_prefix(void)
{
	static const char old[] = "{'defaultAction': 'SCMP_ACT_ERRNO',"
	                          " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
	                          " 'syscalls': [{'names': ['read', 'write', 'pwritev2'%s], "
	                          "'action': 'SCMP_ACT_ALLOW'}]}";
	const uint32_t x64 = AUDIT_ARCH_X86_64, i386 = AUDIT_ARCH_I386;
	char doc[512];
	struct bpf_prog p;
	struct rl_error e = {0};

	snprintf(doc, sizeof(doc), old, "");
	CHECK_INT_EQ(compile_profile(doc, &p, &e), 0);
	/* x86_64: clone3 435, close_range 436, faccessat2 439; read 0 and
	 * ptrace 101 (older, not named). */
	CHECK_UINT_EQ(bpf_run(&p, x64, 435), ERRNO(ENOSYS));
	CHECK_UINT_EQ(bpf_run(&p, x64, 436), ERRNO(ENOSYS));
	CHECK_UINT_EQ(bpf_run(&p, x64, 439), ERRNO(ENOSYS));
	CHECK_UINT_EQ(bpf_run(&p, x64, 0), SECCOMP_RET_ALLOW);
	CHECK_UINT_EQ(bpf_run(&p, x64, 328), SECCOMP_RET_ALLOW); /* pwritev2 */
	CHECK_UINT_EQ(bpf_run(&p, x64, 101), ERRNO(EPERM));
	/* i386: clone3 435, pwritev2 379 (the line), read 3, ptrace 26. */
	CHECK_UINT_EQ(bpf_run(&p, i386, 435), ERRNO(ENOSYS));
	CHECK_UINT_EQ(bpf_run(&p, i386, 380), ERRNO(ENOSYS));
	CHECK_UINT_EQ(bpf_run(&p, i386, 379), SECCOMP_RET_ALLOW);
	CHECK_UINT_EQ(bpf_run(&p, i386, 3), SECCOMP_RET_ALLOW);
	CHECK_UINT_EQ(bpf_run(&p, i386, 26), ERRNO(EPERM));
	/* x32 (not in the profile) keeps the filter's answer, not ENOSYS. */
	CHECK(bpf_run(&p, x64, 0x40000000U | 435) != ERRNO(ENOSYS));
	bpf_prog_free(&p);

	snprintf(doc, sizeof(doc), old, ", 'openat2'");
	CHECK_INT_EQ(compile_profile(doc, &p, &e), 0);
	CHECK_UINT_EQ(bpf_run(&p, x64, 435), ERRNO(EPERM));
	CHECK_UINT_EQ(bpf_run(&p, x64, 437), SECCOMP_RET_ALLOW);
	CHECK_UINT_EQ(bpf_run(&p, x64, 439), ERRNO(ENOSYS));
	bpf_prog_free(&p);

	/* Permissive default, or a default that is ENOSYS already: the
	 * profile's own answer. */
	CHECK_INT_EQ(
	    compile_profile("{'defaultAction': 'SCMP_ACT_ALLOW',"
	                    " 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ERRNO'}]}",
	                    &p, &e),
	    0);
	CHECK_UINT_EQ(bpf_run(&p, x64, 435), SECCOMP_RET_ALLOW);
	CHECK_UINT_EQ(bpf_run(&p, x64, 0), ERRNO(EPERM));
	bpf_prog_free(&p);
	CHECK_INT_EQ(
	    compile_profile("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,"
	                    " 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}",
	                    &p, &e),
	    0);
	CHECK_UINT_EQ(bpf_run(&p, x64, 435), ERRNO(ENOSYS)); /* no list: native */
	bpf_prog_free(&p);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_pfc_both_arches_network_ipc);
	RUN(test_pfc_host_network_no_ipc);
	RUN(test_pfc_joined_network);
	RUN(test_compile_runlock);
	RUN(test_bundle_small_profile);
	RUN(test_bundle_refusals);
	RUN(test_bundle_enosys_prefix);
	return unit_summary(argv[0]);
}
