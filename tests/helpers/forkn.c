/* forkn: make tasks until the kernel (or runlock's pids limit) refuses, and
 * say how the refusal read, for tests/integration/limits.bats. Static, so it
 * runs inside the busybox rootfs.
 *
 *   forkn [-m METHOD] [-r ROUNDS] [-p] [-h] [-e] N
 *   forkn -b N
 *
 * Makes up to N tasks by METHOD (fork, the default, or thread: children
 * that sleep, or threads that do), stopping at the first failure, and
 * prints "created=K errno=NAME" (NAME "none" when all N were made). With
 * -r the tasks are ended and reaped (threads joined) after each round and
 * the next round starts at once: one line per round. With -p, after the
 * last round (its tasks still alive), one task of each kind is tried:
 *   at-limit: fork=E vfork=E clone=E thread=E i386-fork=E i386-clone=E
 * then one of the round's tasks is ended and reaped and the same is tried
 * again, each new task ended before the next is tried:
 *   with-room: fork=OK ...
 * (E is an errno name or OK; i386-* go through int $0x80, so seccomp sees
 * the i386 ABI; NOIA32 when the kernel has no IA-32 entry.) With -h it then sleeps, tasks alive,
 * until killed.
 *
 * -m daemon: each task is a sleeper whose parent, a child forked for it,
 * exits at once (as a daemon double-forks): the sleeper goes to the
 * nearest subreaper. A failure is the child's fork's, or the sleeper's.
 *
 * -b: a fork bomb, bounded by N: every process forks, and every child
 * does the same, until N processes of the bomb exist (a counter in shared
 * memory) or forks keep failing; a failed fork is retried every
 * millisecond. The processes then sleep until killed. Prints nothing. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TASKS 4096

static pid_t children[MAX_TASKS];
static pthread_t threads[MAX_TASKS];
static atomic_int stop_threads;

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "OK";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EPERM:
		return "EPERM";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	default:
		return strerror(e);
	}
}

static void *sleeper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_threads))
		usleep(1000);
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

static sigjmp_buf no_ia32;

/* A kernel without the IA-32 entry (ia32_emulation=0) answers int $0x80
 * with SIGSEGV. */
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(no_ia32, 1);
}

/* int $0x80 from 64-bit code: the i386 system call. */
static long int80(long nr, long a)
{
	long ret;

	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a), "c"(0), "d"(0), "S"(0), "D"(0)
	                 : "memory", "cc", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
	return (long)(int)ret;
}

/* A child that sleeps until killed; -1 with errno on failure. */
static pid_t fork_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A sleeper handed to the subreaper: 0 or the errno of the fork that
 * failed. */
static int daemon_sleeper(void)
{
	int status;
	pid_t mid = fork();

	if (mid < 0)
		return errno;
	if (mid == 0) {
		pid_t pid = (pid_t)syscall(SYS_fork);
		if (pid == 0) {
			for (;;)
				pause();
		}
		_exit(pid < 0 ? errno : 0);
	}
	if (waitpid(mid, &status, 0) < 0 || !WIFEXITED(status))
		return EINTR;
	return WEXITSTATUS(status);
}

/* Try one task of the given kind and end it at once; 0 or the errno. */
static int probe(const char *kind)
{
	long r;
	pthread_t t;

	if (strcmp(kind, "thread") == 0) {
		int e = pthread_create(&t, NULL, nothing, NULL);
		if (e == 0)
			pthread_join(t, NULL);
		return e;
	}
	if (strcmp(kind, "fork") == 0)
		r = syscall(SYS_fork); /* glibc's fork() is clone() */
	else if (strcmp(kind, "vfork") == 0)
		r = vfork();
	else if (strcmp(kind, "clone") == 0)
		r = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	else {
		struct sigaction sa = {.sa_handler = on_segv}, old;
		sigaction(SIGSEGV, &sa, &old);
		if (sigsetjmp(no_ia32, 1)) {
			sigaction(SIGSEGV, &old, NULL);
			return -1;
		}
		if (strcmp(kind, "i386-fork") == 0)
			r = int80(2, 0);
		else
			r = int80(120, SIGCHLD); /* i386 clone(SIGCHLD, 0, ...) */
		sigaction(SIGSEGV, &old, NULL);
	}
	if (r == 0)
		_exit(0);
	if (r < 0 && r > -4096 && strncmp(kind, "i386", 4) == 0)
		return (int)-r;
	if (r < 0)
		return errno;
	waitpid((pid_t)r, NULL, 0);
	return 0;
}

static void probe_all(const char *label)
{
	static const char *kinds[] = {"fork",   "vfork",     "clone",
	                              "thread", "i386-fork", "i386-clone"};

	printf("%s:", label);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int e = probe(kinds[i]);
		printf(" %s=%s", kinds[i], e < 0 ? "NOIA32" : errname(e));
	}
	printf("\n");
	fflush(stdout);
}

static void bomb(int cap)
{
	atomic_int *count =
	    mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (count == MAP_FAILED) {
		perror("forkn: mmap");
		exit(2);
	}
	atomic_store(count, 1);
	for (;;) {
		pid_t pid;
		if (atomic_load(count) >= cap) {
			for (;;)
				pause();
		}
		pid = fork();
		if (pid == 0)
			continue; /* the child bombs on */
		if (pid > 0)
			atomic_fetch_add(count, 1);
		else
			usleep(1000);
	}
}

int main(int argc, char **argv)
{
	const char *method = "fork";
	int rounds = 1, n, c, made = 0;
	bool do_probe = false, hold = false, end = false;

	while ((c = getopt(argc, argv, "m:r:phbe")) != -1) {
		switch (c) {
		case 'm':
			method = optarg;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'p':
			do_probe = true;
			break;
		case 'h':
			hold = true;
			break;
		case 'b':
			method = "bomb";
			break;
		case 'e':
			end = true;
			break;
		default:
			fprintf(stderr, "usage: forkn [-m fork|thread|daemon] [-r ROUNDS] [-p] "
			                "[-h] [-e] N | -b N\n");
			return 2;
		}
	}
	if (optind >= argc || (n = atoi(argv[optind])) <= 0 || n > MAX_TASKS) {
		fprintf(stderr, "forkn: N must be 1..%d\n", MAX_TASKS);
		return 2;
	}
	if (strcmp(method, "bomb") == 0)
		bomb(n);
	for (int round = 0; round < rounds; round++) {
		int err = 0;
		if (round > 0) {
			/* End the last round's tasks and start again at once. */
			if (strcmp(method, "thread") == 0) {
				atomic_store(&stop_threads, 1);
				for (int i = 0; i < made; i++)
					pthread_join(threads[i], NULL);
				atomic_store(&stop_threads, 0);
			} else {
				for (int i = 0; i < made; i++)
					end_child(children[i]);
			}
		}
		for (made = 0; made < n; made++) {
			if (strcmp(method, "thread") == 0) {
				err = pthread_create(&threads[made], NULL, sleeper, NULL);
				if (err)
					break;
			} else if (strcmp(method, "daemon") == 0) {
				err = daemon_sleeper();
				if (err)
					break;
			} else {
				children[made] = fork_sleeper();
				if (children[made] < 0) {
					err = errno;
					break;
				}
			}
		}
		printf("created=%d errno=%s\n", made, err ? errname(err) : "none");
		fflush(stdout);
	}
	if (do_probe) {
		probe_all("at-limit");
		if (made > 0 && strcmp(method, "thread") != 0)
			end_child(children[--made]);
		probe_all("with-room");
	}
	if (hold)
		for (;;)
			pause();
	if (end && strcmp(method, "fork") == 0)
		while (made > 0)
			end_child(children[--made]);
	return 0;
}
