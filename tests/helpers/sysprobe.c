/* sysprobe: perform one system-level action and print the outcome, for the
 * confinement tests (tests/integration/security). Static, so it runs inside
 * the busybox rootfs.
 *
 *   sysprobe CMD [ARGS...]
 *
 * Prints "OK" when the action succeeded, or the errno NAME ("EPERM",
 * "EACCES", ...) when it failed, and exits 0 either way; exit status 2 is a
 * usage error, and a process killed by a signal (seccomp's SIGSYS, the
 * SIGSEGV of a disabled IA-32 entry) exits the way the kernel makes it.
 *
 * Commands (PATHs are as the probe sees them):
 *   open PATH [r|w|rw|creat|dir]   open(2)
 *   read PATH                      open + read: "OK" then the first line read
 *   reopen PATH [r|w|rw]           open PATH O_PATH, then /proc/self/fd/N as asked
 *   nice N                         setpriority(PRIO_PROCESS, 0, N)
 *   sched-other                    sched_setscheduler(0, SCHED_OTHER)
 *   openat-fd FD REL [r|w|creat]   openat(FD, REL): a directory fd passed in
 *   link SRC DST                   link(2)
 *   link-fd FD REL DST             linkat(FD, REL, AT_FDCWD, DST, 0)
 *   mkdir PATH                     mkdir(2)
 *   mknod PATH c|b|p               mknod(2): char device 1:3, block 7:0, FIFO
 *   mount TARGET                   mount a tmpfs on TARGET (unmounted again)
 *   unshare NS                     unshare(2); NS: user mnt uts ipc net pid cgroup
 *   unshare-user                   unshare(CLONE_NEWUSER)
 *   setns-fd FD                    setns(FD, 0)
 *   clone-newns                    raw clone(CLONE_NEWNS|SIGCHLD), child exits
 *   clone3-newns                   raw clone3 with CLONE_NEWNS
 *   io-uring                       io_uring_setup(1, ...)
 *   x32-getpid                     getpid through the x32 ABI (0x40000000|39)
 *   int80 CALL [ARGS]              the same through the i386 entry (int $0x80):
 *        getpid | unshare NS | mount TARGET | clone-newns | clone3-newns |
 *        io-uring | mknod PATH c|p | socket-udp | socketcall-udp |
 *        uname (prints "OK" and the nodename) | olduname | sethostname NAME |
 *        open PATH (read-only; "OK" then the first line read) |
 *        stat PATH (i386's own stat: "OK" then "MODE SIZE UID", octal mode) |
 *        statfs PATH ("OK" then f_type in hex) | truncate64 PATH LENGTH |
 *        chown16 PATH UID (gid unchanged) | connect-unix PATH (socketcall) |
 *        chdir PATH (then getcwd: "OK" and the path) |
 *        execve PATH ARGV0 ARG (argv [ARGV0, ARG]) |
 *        stat64 PATH ("OK" then "MODE MAJOR:MINOR", octal mode, of struct stat64)
 *   uname                          uname(2): "OK" then nodename and domainname
 *   uname-loop N                   N uname(2) calls; "OK" when all agree
 *   sethostname NAME               sethostname(2)
 *   setdomainname NAME             setdomainname(2)
 *   getpid                         getpid(2)
 *   kill PID SIG                   kill(2); SIG a number or a name (TERM, SIGKILL)
 *   connect-tcp HOST PORT          TCP connect to an IPv4 address
 *   connect-stream HOST PORT PROTO socket(AF_INET, SOCK_STREAM, PROTO) by raw
 *                                  system call, PROTO a 64-bit value (e.g.
 *                                  0x100000106: MPTCP with high bits set),
 *                                  then connect
 *   bind-tcp PORT                  TCP bind to 127.0.0.1:PORT
 *   udp-send HOST PORT             UDP socket + sendto
 *   socket FAMILY TYPE [PROTO]     socket(2); FAMILY inet inet6 unix packet
 *                                  netlink; TYPE stream dgram raw seqpacket
 *   raw-socket                     socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   connect-abstract NAME          AF_UNIX stream connect to "\0NAME"
 *   connect-unix PATH              AF_UNIX stream connect to PATH
 *   bind-unix PATH                 AF_UNIX stream socket bound to PATH
 *   create UMASK KIND PATH         umask(UMASK, octal), then create PATH with
 *                                  the widest mode: KIND open (O_CREAT 0666),
 *                                  tmpfile (O_TMPFILE 0666 in directory PATH),
 *                                  mkdir (0777), fifo (mknod S_IFIFO|0666),
 *                                  sock (bind of an AF_UNIX socket); prints
 *                                  "KIND MODE" (octal permission bits)
 *   chown PATH UID                 chown(PATH, UID, -1)
 *   chmod PATH MODE                chmod(2), MODE in octal
 *   access PATH r|w|x              access(2) with R_OK, W_OK or X_OK
 *   utime PATH                     utimensat(2) to 2001-01-01 (an explicit time)
 *   truncate PATH                  truncate(2) to 0 bytes
 *   fchmod PATH MODE               open read-only, fchmod(2) (MODE octal)
 *   futime PATH                    open read-only, futimens(2) to 2001-01-01
 *   setxattr PATH                  setxattr(PATH, "user.sysprobe", "1")
 *   getxattr PATH                  getxattr(PATH, "user.sysprobe"): "OK" then the value
 *   listxattr PATH                 listxattr(2): "OK" then the names, one per line
 *   removexattr PATH               removexattr(PATH, "user.sysprobe")
 *   utimes PATH                    utimes(2) to 2001-01-01 (the old call)
 *   inotify DIR                    inotify_add_watch(DIR, IN_CREATE), (re)create
 *                                  DIR/inotified: "OK" then the event's name
 *   getcwd                         the raw getcwd(2): "OK" then the path
 *   landlock-abi                   the kernel's Landlock ABI version, as a number
 *   getcaps                        "CapEff: %016llx", CapPrm, CapInh, CapBnd
 *   fds                            the open descriptors, "0 1 2"
 *   pty                            open /dev/ptmx, unlock it, open its slave
 *                                  by name and pass a line through: "OK" then
 *                                  "uid=U" (the slave's owner) and "pts=N"
 *                                  (its number), or the errno of the step
 *                                  that failed
 *   pty-hold FILE                  open /dev/ptmx and unlock it, write its
 *                                  number to FILE, and hold it until killed
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/utsname.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/inotify.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: sysprobe CMD [ARGS...] (see tests/helpers/sysprobe.c)\n");
	return 2;
}

static const char *errname(int err)
{
	static char buf[32];
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* Print the outcome of a call that returned r (< 0: failure with errno). */
/* A pty pair by the names the container sees, as openpty(3) makes one. */
static int do_pty(void)
{
	char name[64], buf[16];
	struct stat st;
	int n, ptn, unlock = 0;
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave;

	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
	    ioctl(master, TIOCGPTN, &ptn) < 0) {
		printf("%s\n", errname(errno));
		return 0;
	}
	snprintf(name, sizeof(name), "/dev/pts/%d", ptn);
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || fstat(slave, &st) < 0 || write(master, "x\n", 2) != 2) {
		printf("%s\n", errname(errno));
		return 0;
	}
	n = (int)read(slave, buf, sizeof(buf));
	if (n < 1 || buf[0] != 'x') {
		printf("%s\n", n < 0 ? errname(errno) : "no-data");
		return 0;
	}
	printf("OK\nuid=%u\npts=%d\n", (unsigned)st.st_uid, ptn);
	return 0;
}

static int do_pty_hold(const char *file)
{
	int ptn, unlock = 0, master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	FILE *f;

	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
	    ioctl(master, TIOCGPTN, &ptn) < 0 || !(f = fopen(file, "we"))) {
		printf("%s\n", errname(errno));
		return 1;
	}
	fprintf(f, "%d\n", ptn);
	fclose(f);
	for (;;)
		pause();
}

static int report(long r)
{
	if (r < 0)
		printf("%s\n", errname(errno));
	else
		printf("OK\n");
	return 0;
}

/* Same, for a raw kernel return value (-errno on failure). */
static int report_raw(long r)
{
	if (r < 0 && r > -4096)
		printf("%s\n", errname((int)-r));
	else
		printf("OK\n");
	return 0;
}

static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "sysprobe: \"%s\" is not a number\n", s);
		exit(2);
	}
	return v;
}

static int open_flags(const char *mode)
{
	if (!mode || strcmp(mode, "r") == 0)
		return O_RDONLY;
	if (strcmp(mode, "w") == 0)
		return O_WRONLY;
	if (strcmp(mode, "rw") == 0)
		return O_RDWR;
	if (strcmp(mode, "creat") == 0)
		return O_WRONLY | O_CREAT;
	if (strcmp(mode, "dir") == 0)
		return O_RDONLY | O_DIRECTORY;
	fprintf(stderr, "sysprobe: unknown open mode \"%s\"\n", mode);
	exit(2);
}

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},        {"ns", CLONE_NEWNS},
    {"uts", CLONE_NEWUTS},   {"ipc", CLONE_NEWIPC},       {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID},   {"cgroup", CLONE_NEWCGROUP},
};

static int ns_flag(const char *name)
{
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
		if (strcmp(name, ns_names[i].name) == 0)
			return ns_names[i].flag;
	fprintf(stderr, "sysprobe: unknown namespace \"%s\"\n", name);
	exit(2);
}

static int signal_number(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
	    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
	    {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	    {"TERM", SIGTERM}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
	};
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(s, sigs[i].name) == 0)
			return sigs[i].sig;
	return (int)number(s);
}

/* A child created by a fork-like clone: leave at once, run nothing. */
static int reap_child(long r)
{
	if (r == 0)
		syscall(SYS_exit_group, 0);
	if (r > 0)
		waitpid((pid_t)r, NULL, __WALL);
	return 0;
}

static int do_clone_newns(void)
{
	long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWNS | SIGCHLD), 0UL, NULL, NULL, 0UL);
	int err = errno;

	reap_child(r);
	errno = err;
	return report(r);
}

static int do_clone3_newns(void)
{
	struct clone_args ca;
	long r;
	int err;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWNS;
	ca.exit_signal = SIGCHLD;
	r = syscall(SYS_clone3, &ca, sizeof(ca));
	err = errno;
	reap_child(r);
	errno = err;
	return report(r);
}

static int do_io_uring(void)
{
	struct io_uring_params p;
	long r;

	memset(&p, 0, sizeof(p));
	r = syscall(SYS_io_uring_setup, 1, &p);
	if (r >= 0)
		close((int)r);
	return report(r);
}

static int do_mount(const char *target)
{
	int r = mount("none", target, "tmpfs", 0, "size=64k");

	if (r == 0) {
		int err = errno;
		umount2(target, MNT_DETACH);
		errno = err;
	}
	return report(r);
}

static int do_mknod(const char *path, const char *type)
{
	mode_t mode;
	dev_t dev = 0;

	if (strcmp(type, "c") == 0) {
		mode = S_IFCHR | 0600;
		dev = makedev(1, 3);
	} else if (strcmp(type, "b") == 0) {
		mode = S_IFBLK | 0600;
		dev = makedev(7, 0);
	} else if (strcmp(type, "p") == 0) {
		mode = S_IFIFO | 0600;
	} else {
		return usage();
	}
	return report(mknod(path, mode, dev));
}

static int inet_addr_of(const char *host, long port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		fprintf(stderr, "sysprobe: \"%s\" is not an IPv4 address\n", host);
		exit(2);
	}
	return 0;
}

static int do_connect_tcp(const char *host, const char *port)
{
	struct sockaddr_in sa;
	int fd, r;

	inet_addr_of(host, number(port), &sa);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report(fd);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	report(r);
	close(fd);
	return 0;
}

static int do_connect_stream(const char *host, const char *port, const char *proto)
{
	struct sockaddr_in sa;
	unsigned long long p;
	char *end;
	long fd;
	int r;

	errno = 0;
	p = strtoull(proto, &end, 0);
	if (errno || end == proto || *end)
		return usage();
	inet_addr_of(host, number(port), &sa);
	/* The kernel reads the protocol as an int; a seccomp rule comparing
	 * all 64 bits must not be fooled by the upper half. */
	fd = syscall(SYS_socket, (long)AF_INET, (long)(SOCK_STREAM | SOCK_CLOEXEC), p);
	if (fd < 0)
		return report(fd);
	r = connect((int)fd, (struct sockaddr *)&sa, sizeof(sa));
	report(r);
	close((int)fd);
	return 0;
}

static int do_bind_tcp(const char *port)
{
	struct sockaddr_in sa;
	int fd, r, one = 1;

	inet_addr_of("127.0.0.1", number(port), &sa);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report(fd);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	report(r);
	close(fd);
	return 0;
}

static int do_udp_send(const char *host, const char *port)
{
	static const char msg[] = "sysprobe";
	struct sockaddr_in sa;
	int fd;
	ssize_t r;

	inet_addr_of(host, number(port), &sa);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report(fd);
	r = sendto(fd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	report(r);
	close(fd);
	return 0;
}

static int lookup(const char *s, const char *const *names, const int *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return values[i];
	return (int)number(s);
}

static int do_socket(int argc, char **argv)
{
	static const char *const fam_n[] = {"inet", "inet6", "unix", "packet", "netlink"};
	static const int fam_v[] = {AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_NETLINK};
	static const char *const type_n[] = {"stream", "dgram", "raw", "seqpacket"};
	static const int type_v[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET};
	int fam, type, proto = 0, fd;

	if (argc < 4)
		return usage();
	fam = lookup(argv[2], fam_n, fam_v, 5);
	type = lookup(argv[3], type_n, type_v, 4);
	if (argc > 4)
		proto = (int)number(argv[4]);
	fd = socket(fam, type | SOCK_CLOEXEC, proto);
	report(fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* at: 1 for an abstract name ("\0NAME"), 0 for a path; op: connect or bind. */
static int do_unix(const char *name, size_t at, bool bind_it)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	int fd, r;
	socklen_t sl;

	if (len + 1 > sizeof(sa.sun_path))
		return usage();
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + at, name, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report(fd);
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + at + len);
	r = bind_it ? bind(fd, (struct sockaddr *)&sa, sl)
	            : connect(fd, (struct sockaddr *)&sa, sl);
	report(r);
	close(fd);
	return 0;
}

static int do_create(const char *um, const char *kind, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd = -1, r;

	umask((mode_t)strtoul(um, NULL, 8));
	if (strcmp(kind, "open") == 0) {
		r = fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	} else if (strcmp(kind, "tmpfile") == 0) {
		r = fd = open(path, O_RDWR | O_TMPFILE | O_CLOEXEC, 0666);
	} else if (strcmp(kind, "mkdir") == 0) {
		r = mkdir(path, 0777);
	} else if (strcmp(kind, "fifo") == 0) {
		r = mknod(path, S_IFIFO | 0666, 0);
	} else if (strcmp(kind, "sock") == 0) {
		if (strlen(path) + 1 > sizeof(sa.sun_path))
			return usage();
		strcpy(sa.sun_path, path);
		r = fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
			close(fd);
			fd = -1;
		}
	} else {
		return usage();
	}
	if (r < 0)
		return report(r);
	r = fd >= 0 ? fstat(fd, &st) : lstat(path, &st);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return report(r);
	printf("%s %o\n", kind, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int do_getcaps(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	unsigned long long bnd = 0;

	if (syscall(SYS_capget, &hdr, d) < 0)
		return report(-1);
	for (int c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0)
			break;
		if (r == 1)
			bnd |= 1ULL << c;
	}
	printf("CapEff: %016llx\n",
	       (unsigned long long)d[0].effective | (unsigned long long)d[1].effective << 32);
	printf("CapPrm: %016llx\n",
	       (unsigned long long)d[0].permitted | (unsigned long long)d[1].permitted << 32);
	printf("CapInh: %016llx\n",
	       (unsigned long long)d[0].inheritable | (unsigned long long)d[1].inheritable << 32);
	printf("CapBnd: %016llx\n", bnd);
	return 0;
}

static int do_fds(void)
{
	struct rlimit rl;
	rlim_t limit = 1u << 20;
	const char *sep = "";
	char line[4096];
	size_t n = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < limit)
		limit = rl.rlim_cur;
	/* Collected first: stdio must not open anything while probing. */
	line[0] = '\0';
	for (rlim_t fd = 0; fd < limit; fd++) {
		if (fcntl((int)fd, F_GETFD) < 0)
			continue;
		int w = snprintf(line + n, sizeof(line) - n, "%s%lu", sep, (unsigned long)fd);
		if (w < 0 || (size_t)w >= sizeof(line) - n)
			break;
		n += (size_t)w;
		sep = " ";
	}
	printf("%s\n", line);
	return 0;
}

/* ---- the i386 entry point ------------------------------------------------- */

/* i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
enum {
	I386_GETPID = 20,
	I386_MOUNT = 21,
	I386_MKNOD = 14,
	I386_SOCKETCALL = 102,
	I386_CLONE = 120,
	I386_UNSHARE = 310,
	I386_SOCKET = 359,
	I386_IO_URING_SETUP = 425,
	I386_OLDUNAME = 109,
	I386_UNAME = 122,
	I386_SETHOSTNAME = 74,
	I386_CLONE3 = 435,
	I386_OPEN = 5,
	I386_READ = 3,
	I386_STAT64 = 195,
	I386_STAT = 106,
	I386_STATFS = 99,
	I386_TRUNCATE64 = 193,
	I386_CHOWN16 = 182,
	I386_CHDIR = 12,
	I386_GETCWD = 183,
	I386_EXECVE = 11,
};

/* int $0x80 from 64-bit code: the kernel runs the i386 system call, and
 * seccomp sees AUDIT_ARCH_I386. Pointers are truncated to 32 bits, so every
 * argument in memory lives in a MAP_32BIT page. Returns -errno on failure. */
static long int80(long nr, long a, long b, long c, long d, long e)
{
	long ret;

	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
	                 : "memory", "cc", "r8", "r9", "r10", "r11");
	return (long)(int)ret;
}

static char *low_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
	               -1, 0);

	if (p == MAP_FAILED) {
		perror("sysprobe: mmap(MAP_32BIT)");
		exit(2);
	}
	memset(p, 0, 4096);
	return p;
}

static long low(const char *p)
{
	return (long)(uintptr_t)p;
}

static int do_int80(int argc, char **argv)
{
	const char *call = argv[2];
	char *page = low_page();
	long r;

	if (strcmp(call, "getpid") == 0)
		return report_raw(int80(I386_GETPID, 0, 0, 0, 0, 0));
	if (strcmp(call, "unshare") == 0 && argc > 3)
		return report_raw(int80(I386_UNSHARE, ns_flag(argv[3]), 0, 0, 0, 0));
	if (strcmp(call, "mount") == 0 && argc > 3) {
		char *src = page, *fstype = page + 16, *opts = page + 32, *target = page + 64;
		strcpy(src, "none");
		strcpy(fstype, "tmpfs");
		strcpy(opts, "size=64k");
		snprintf(target, 4096 - 64, "%s", argv[3]);
		r = int80(I386_MOUNT, low(src), low(target), low(fstype), 0, low(opts));
		if (r == 0)
			umount2(argv[3], MNT_DETACH);
		return report_raw(r);
	}
	if (strcmp(call, "clone-newns") == 0) {
		r = int80(I386_CLONE, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
		reap_child(r);
		return report_raw(r);
	}
	if (strcmp(call, "clone3-newns") == 0) {
		struct clone_args *ca = (struct clone_args *)page;
		ca->flags = CLONE_NEWNS;
		ca->exit_signal = SIGCHLD;
		r = int80(I386_CLONE3, low(page), sizeof(*ca), 0, 0, 0);
		reap_child(r);
		return report_raw(r);
	}
	if (strcmp(call, "io-uring") == 0) {
		r = int80(I386_IO_URING_SETUP, 1, low(page), 0, 0, 0);
		if (r >= 0)
			close((int)r);
		return report_raw(r);
	}
	if (strcmp(call, "mknod") == 0 && argc > 4) {
		long mode = strcmp(argv[4], "c") == 0 ? (S_IFCHR | 0600) : (S_IFIFO | 0600);
		long dev = strcmp(argv[4], "c") == 0 ? (long)((1 << 8) | 3) : 0; /* old 1:3 */
		snprintf(page, 4096, "%s", argv[3]);
		return report_raw(int80(I386_MKNOD, low(page), mode, dev, 0, 0));
	}
	if (strcmp(call, "uname") == 0 || strcmp(call, "olduname") == 0) {
		r = int80(strcmp(call, "uname") == 0 ? I386_UNAME : I386_OLDUNAME, low(page), 0, 0,
		          0, 0);
		if (r < 0)
			return report_raw(r);
		printf("OK\n%s\n", page + 65); /* nodename: the second 65-byte field */
		return 0;
	}
	if (strcmp(call, "sethostname") == 0 && argc > 3) {
		snprintf(page, 4096, "%s", argv[3]);
		return report_raw(
		    int80(I386_SETHOSTNAME, low(page), (long)strlen(argv[3]), 0, 0, 0));
	}
	if (strcmp(call, "open") == 0 && argc > 3) {
		char *buf = page + 2048;
		snprintf(page, 2048, "%s", argv[3]);
		r = int80(I386_OPEN, low(page), O_RDONLY, 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		long n = int80(I386_READ, r, low(buf), 1000, 0, 0);
		close((int)r);
		if (n < 0)
			return report_raw(n);
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("OK\n%s\n", buf);
		return 0;
	}
	if (strcmp(call, "stat64") == 0 && argc > 3) {
		unsigned char *st = (unsigned char *)page + 2048;
		uint32_t mode;
		uint64_t rdev;
		snprintf(page, 2048, "%s", argv[3]);
		r = int80(I386_STAT64, low(page), low((char *)st), 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		/* struct stat64 (i386): st_mode at 16, st_rdev at 32 */
		memcpy(&mode, st + 16, sizeof(mode));
		memcpy(&rdev, st + 32, sizeof(rdev));
		printf("OK\n%o %u:%u\n", mode, (unsigned)((rdev >> 8) & 0xfff),
		       (unsigned)((rdev & 0xff) | ((rdev >> 12) & 0xfff00)));
		return 0;
	}
	if (strcmp(call, "stat") == 0 && argc > 3) {
		unsigned char *st = (unsigned char *)page + 2048;
		uint16_t mode, uid;
		uint32_t size;
		snprintf(page, 2048, "%s", argv[3]);
		r = int80(I386_STAT, low(page), low((char *)st), 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		/* i386 struct stat: st_mode at 8, st_uid at 12, st_size at 20 */
		memcpy(&mode, st + 8, 2);
		memcpy(&uid, st + 12, 2);
		memcpy(&size, st + 20, 4);
		printf("OK\n%o %u %u\n", mode, size, uid);
		return 0;
	}
	if (strcmp(call, "statfs") == 0 && argc > 3) {
		uint32_t *sf = (uint32_t *)(page + 2048);
		snprintf(page, 2048, "%s", argv[3]);
		r = int80(I386_STATFS, low(page), low((char *)sf), 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		printf("OK\n%x\n", sf[0]);
		return 0;
	}
	if (strcmp(call, "truncate64") == 0 && argc > 4) {
		unsigned long long len = strtoull(argv[4], NULL, 0);
		snprintf(page, 4096, "%s", argv[3]);
		return report_raw(int80(I386_TRUNCATE64, low(page), (long)(uint32_t)len,
		                        (long)(uint32_t)(len >> 32), 0, 0));
	}
	if (strcmp(call, "chown16") == 0 && argc > 4) {
		snprintf(page, 4096, "%s", argv[3]);
		return report_raw(int80(I386_CHOWN16, low(page), atoi(argv[4]), 0xffff, 0, 0));
	}
	if (strcmp(call, "connect-unix") == 0 && argc > 3) {
		struct sockaddr_un *sa = (struct sockaddr_un *)(page + 64);
		uint32_t *args = (uint32_t *)page;
		r = int80(I386_SOCKET, AF_UNIX, SOCK_STREAM, 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		sa->sun_family = AF_UNIX;
		snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", argv[3]);
		args[0] = (uint32_t)r;
		args[1] = (uint32_t)low((char *)sa);
		args[2] = sizeof(*sa);
		r = int80(I386_SOCKETCALL, 3 /* SYS_CONNECT */, low(page), 0, 0, 0);
		return report_raw(r);
	}
	if (strcmp(call, "chdir") == 0 && argc > 3) {
		char *buf = page + 2048;
		snprintf(page, 2048, "%s", argv[3]);
		r = int80(I386_CHDIR, low(page), 0, 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		r = int80(I386_GETCWD, low(buf), 2048, 0, 0, 0);
		if (r < 0)
			return report_raw(r);
		printf("OK\n%s\n", buf);
		return 0;
	}
	if (strcmp(call, "execve") == 0 && argc > 5) {
		uint32_t *av = (uint32_t *)(page + 3072);
		char *a0 = page + 1024, *a1 = page + 2048;
		snprintf(page, 1024, "%s", argv[3]);
		snprintf(a0, 1024, "%s", argv[4]);
		snprintf(a1, 1024, "%s", argv[5]);
		av[0] = (uint32_t)low(a0);
		av[1] = (uint32_t)low(a1);
		av[2] = 0;
		fflush(stdout);
		return report_raw(int80(I386_EXECVE, low(page), low((char *)av), 0, 0, 0));
	}
	if (strcmp(call, "socket-udp") == 0) {
		r = int80(I386_SOCKET, AF_INET, SOCK_DGRAM, 0, 0, 0);
		if (r >= 0)
			close((int)r);
		return report_raw(r);
	}
	if (strcmp(call, "socketcall-udp") == 0) {
		uint32_t *args = (uint32_t *)page;
		args[0] = AF_INET;
		args[1] = SOCK_DGRAM;
		args[2] = 0;
		r = int80(I386_SOCKETCALL, 1 /* SYS_SOCKET */, low(page), 0, 0, 0);
		if (r >= 0)
			close((int)r);
		return report_raw(r);
	}
	return usage();
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (strcmp(cmd, "open") == 0 && argc >= 3) {
		int flags = open_flags(argc > 3 ? argv[3] : NULL);
		int fd = open(argv[2], flags | O_CLOEXEC, 0644);
		report(fd);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (strcmp(cmd, "nice") == 0 && argc == 3)
		return report(setpriority(PRIO_PROCESS, 0, (int)number(argv[2])));
	if (strcmp(cmd, "sched-other") == 0 && argc == 2)
		return report(
		    sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){.sched_priority = 0}));
	if (strcmp(cmd, "reopen") == 0 && argc >= 3) {
		char self[64];
		int fd = open(argv[2], O_PATH | O_CLOEXEC), again;
		if (fd < 0)
			return report(fd);
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		again = open(self, open_flags(argc > 3 ? argv[3] : NULL) | O_CLOEXEC);
		report(again);
		if (again >= 0)
			close(again);
		close(fd);
		return 0;
	}
	if (strcmp(cmd, "read") == 0 && argc == 3) {
		char buf[256];
		ssize_t n;
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return report(fd);
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0)
			return report(n);
		close(fd);
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("OK\n%s\n", buf);
		return 0;
	}
	if (strcmp(cmd, "openat-fd") == 0 && argc >= 4) {
		int flags = open_flags(argc > 4 ? argv[4] : NULL);
		int fd = openat((int)number(argv[2]), argv[3], flags | O_CLOEXEC, 0644);
		report(fd);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (strcmp(cmd, "link") == 0 && argc == 4)
		return report(link(argv[2], argv[3]));
	if (strcmp(cmd, "link-fd") == 0 && argc == 5)
		return report(linkat((int)number(argv[2]), argv[3], AT_FDCWD, argv[4], 0));
	if (strcmp(cmd, "mkdir") == 0 && argc == 3)
		return report(mkdir(argv[2], 0755));
	if (strcmp(cmd, "mknod") == 0 && argc == 4)
		return do_mknod(argv[2], argv[3]);
	if (strcmp(cmd, "mount") == 0 && argc == 3)
		return do_mount(argv[2]);
	if (strcmp(cmd, "unshare") == 0 && argc == 3)
		return report(unshare(ns_flag(argv[2])));
	if (strcmp(cmd, "unshare-user") == 0 && argc == 2)
		return report(unshare(CLONE_NEWUSER));
	if (strcmp(cmd, "setns-fd") == 0 && argc == 3)
		return report(setns((int)number(argv[2]), 0));
	if (strcmp(cmd, "clone-newns") == 0 && argc == 2)
		return do_clone_newns();
	if (strcmp(cmd, "clone3-newns") == 0 && argc == 2)
		return do_clone3_newns();
	if (strcmp(cmd, "io-uring") == 0 && argc == 2)
		return do_io_uring();
	if (strcmp(cmd, "x32-getpid") == 0 && argc == 2)
		return report(syscall(0x40000000L | SYS_getpid));
	if (strcmp(cmd, "int80") == 0 && argc >= 3)
		return do_int80(argc, argv);
	if (strcmp(cmd, "uname") == 0 && argc == 2) {
		struct utsname u;
		if (uname(&u) < 0)
			return report(-1);
		printf("OK\n%s\n%s\n", u.nodename, u.domainname);
		return 0;
	}
	if (strcmp(cmd, "uname-loop") == 0 && argc == 3) {
		struct utsname first, u;
		long n = strtol(argv[2], NULL, 10);
		if (uname(&first) < 0)
			return report(-1);
		for (long i = 0; i < n; i++)
			if (uname(&u) < 0 || strcmp(u.nodename, first.nodename) != 0)
				return report(-1);
		printf("OK\n");
		return 0;
	}
	if (strcmp(cmd, "sethostname") == 0 && argc == 3)
		return report(sethostname(argv[2], strlen(argv[2])));
	if (strcmp(cmd, "setdomainname") == 0 && argc == 3)
		return report(setdomainname(argv[2], strlen(argv[2])));
	if (strcmp(cmd, "getpid") == 0 && argc == 2)
		return report(getpid());
	if (strcmp(cmd, "kill") == 0 && argc == 4)
		return report(kill((pid_t)number(argv[2]), signal_number(argv[3])));
	if (strcmp(cmd, "connect-tcp") == 0 && argc == 4)
		return do_connect_tcp(argv[2], argv[3]);
	if (strcmp(cmd, "connect-stream") == 0 && argc == 5)
		return do_connect_stream(argv[2], argv[3], argv[4]);
	if (strcmp(cmd, "bind-tcp") == 0 && argc == 3)
		return do_bind_tcp(argv[2]);
	if (strcmp(cmd, "udp-send") == 0 && argc == 4)
		return do_udp_send(argv[2], argv[3]);
	if (strcmp(cmd, "socket") == 0)
		return do_socket(argc, argv);
	if (strcmp(cmd, "raw-socket") == 0 && argc == 2) {
		int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		report(fd);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (strcmp(cmd, "connect-abstract") == 0 && argc == 3)
		return do_unix(argv[2], 1, false);
	if (strcmp(cmd, "connect-unix") == 0 && argc == 3)
		return do_unix(argv[2], 0, false);
	if (strcmp(cmd, "bind-unix") == 0 && argc == 3)
		return do_unix(argv[2], 0, true);
	if (strcmp(cmd, "create") == 0 && argc == 5)
		return do_create(argv[2], argv[3], argv[4]);
	if (strcmp(cmd, "chown") == 0 && argc == 4)
		return report(chown(argv[2], (uid_t)number(argv[3]), (gid_t)-1));
	if (strcmp(cmd, "access") == 0 && argc == 4) {
		int mode = argv[3][0] == 'r' ? R_OK : argv[3][0] == 'w' ? W_OK : X_OK;
		return report(access(argv[2], mode));
	}
	if (strcmp(cmd, "chmod") == 0 && argc == 4) {
		char *end;
		unsigned long mode = strtoul(argv[3], &end, 8);
		if (*end || end == argv[3])
			return usage();
		return report(chmod(argv[2], (mode_t)mode));
	}
	if (strcmp(cmd, "utime") == 0 && argc == 3) {
		struct timespec ts[2] = {{.tv_sec = 978307200}, {.tv_sec = 978307200}};
		return report(utimensat(AT_FDCWD, argv[2], ts, 0));
	}
	if (strcmp(cmd, "truncate") == 0 && argc == 3)
		return report(truncate(argv[2], 0));
	if ((strcmp(cmd, "fchmod") == 0 && argc == 4) ||
	    (strcmp(cmd, "futime") == 0 && argc == 3)) {
		struct timespec ts[2] = {{.tv_sec = 978307200}, {.tv_sec = 978307200}};
		int fd = open(argv[2], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		int r;
		if (fd < 0)
			return report(-1);
		r = argc == 4 ? fchmod(fd, (mode_t)strtol(argv[3], NULL, 8)) : futimens(fd, ts);
		return report(r);
	}
	if (strcmp(cmd, "setxattr") == 0 && argc == 3)
		return report(setxattr(argv[2], "user.sysprobe", "1", 1, 0));
	if (strcmp(cmd, "getxattr") == 0 && argc == 3) {
		char v[256];
		ssize_t n = getxattr(argv[2], "user.sysprobe", v, sizeof(v) - 1);
		report(n);
		if (n >= 0)
			printf("%.*s\n", (int)n, v);
		return 0;
	}
	if (strcmp(cmd, "listxattr") == 0 && argc == 3) {
		char l[4096];
		ssize_t n = listxattr(argv[2], l, sizeof(l));
		report(n);
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(l + i) + 1)
			printf("%s\n", l + i);
		return 0;
	}
	if (strcmp(cmd, "removexattr") == 0 && argc == 3)
		return report(removexattr(argv[2], "user.sysprobe"));
	if (strcmp(cmd, "utimes") == 0 && argc == 3) {
		struct timeval tv[2] = {{.tv_sec = 978307200}, {.tv_sec = 978307200}};
		return report(syscall(SYS_utimes, argv[2], tv));
	}
	if (strcmp(cmd, "inotify") == 0 && argc == 3) {
		char path[PATH_MAX], ev[sizeof(struct inotify_event) + NAME_MAX + 1];
		int in = inotify_init1(IN_CLOEXEC), fd;
		ssize_t n;
		if (in < 0 || inotify_add_watch(in, argv[2], IN_CREATE) < 0)
			return report(-1);
		/* Made anew, so that IN_CREATE comes. */
		snprintf(path, sizeof(path), "%s/inotified", argv[2]);
		unlink(path);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			return report(-1);
		close(fd);
		n = read(in, ev, sizeof(ev));
		report(n);
		if (n > (ssize_t)sizeof(struct inotify_event))
			printf("%s\n", ((struct inotify_event *)ev)->name);
		return 0;
	}
	if (strcmp(cmd, "getcwd") == 0 && argc == 2) {
		char buf[PATH_MAX];
		long n = syscall(SYS_getcwd, buf, sizeof(buf));
		report(n);
		if (n > 0)
			printf("%s\n", buf);
		return 0;
	}
	if (strcmp(cmd, "landlock-abi") == 0 && argc == 2) {
		long v = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* VERSION */);
		if (v < 0)
			return report(v);
		printf("%ld\n", v);
		return 0;
	}
	if (strcmp(cmd, "getcaps") == 0 && argc == 2)
		return do_getcaps();
	if (strcmp(cmd, "fds") == 0 && argc == 2)
		return do_fds();
	if (strcmp(cmd, "pty") == 0 && argc == 2)
		return do_pty();
	if (strcmp(cmd, "pty-hold") == 0 && argc == 3)
		return do_pty_hold(argv[2]);
	return usage();
}
