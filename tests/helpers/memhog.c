/* memhog: take memory the ways programs do, for linux.resources.memory.limit
 * (tests/integration/memory.bats).
 *
 *   memhog mmap STEP_KIB MAX_MIB   mmap anonymous RW STEP_KIB at a time and
 *                                  touch it, to MAX_MIB; prints "mib=N" per
 *                                  MiB, then "done mib=N" or
 *                                  "stopped mib=N errno=E"
 *   memhog malloc STEP_KIB MAX_MIB the same with malloc (brk below glibc's
 *                                  mmap threshold)
 *   memhog fast MAX_MIB            the most hostile: one MAP_NORESERVE mapping
 *                                  (never trapped) touched page by page as
 *                                  fast as the kernel faults them in;
 *                                  "mib=N" per 16 MiB, then "done mib=N"
 *   memhog reserve                 Go-style: reserve 1 GiB PROT_NONE, commit
 *                                  8 MiB by mprotect and 8 MiB by MAP_FIXED
 *                                  mmap, touch both: "reserve=OK" or the errno
 *   memhog probe                   one line: anon128 (mmap 128 MiB RW),
 *                                  none1g (1 GiB PROT_NONE), noreserve1g
 *                                  (1 GiB RW MAP_NORESERVE), mprotect128
 *                                  (128 MiB of a PROT_NONE reservation made
 *                                  RW), i386-anon128
 *                                  (mmap2 by int $0x80; NOIA32 without the
 *                                  IA-32 entry): OK or the errno name
 * With -s after the mode's arguments it then sleeps until killed. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024L * 1024)

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "OK";
	case ENOMEM:
		return "ENOMEM";
	case EAGAIN:
		return "EAGAIN";
	case EPERM:
		return "EPERM";
	case ENOSYS:
		return "ENOSYS";
	default:
		return strerror(e);
	}
}

static void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
}

static int hog(int use_malloc, long step_kib, long max_mib)
{
	size_t step = (size_t)step_kib * 1024, total = 0;
	long reported = 0;

	while (total < (size_t)max_mib * MIB) {
		char *p;
		if (use_malloc) {
			p = malloc(step);
		} else {
			p = mmap(NULL, step, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			         -1, 0);
			if (p == MAP_FAILED)
				p = NULL;
		}
		if (!p) {
			printf("stopped mib=%zu errno=%s\n", total / MIB, errname(errno));
			fflush(stdout);
			return 0;
		}
		touch(p, step);
		total += step;
		for (; reported < (long)(total / MIB); reported++) {
			printf("mib=%ld\n", reported + 1);
			fflush(stdout);
		}
	}
	printf("done mib=%zu\n", total / MIB);
	fflush(stdout);
	return 0;
}

static int fast(long max_mib)
{
	size_t len = (size_t)max_mib * MIB;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		printf("stopped mib=0 errno=%s\n", errname(errno));
		return 0;
	}
	for (size_t off = 0; off < len; off += 16 * MIB) {
		touch(p + off, 16 * MIB);
		printf("mib=%zu\n", (off + 16 * MIB) / MIB);
	}
	printf("done mib=%ld\n", max_mib);
	return 0;
}

static int reserve(void)
{
	char *r =
	    mmap(NULL, 1024 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (r == MAP_FAILED) {
		printf("reserve=%s\n", errname(errno));
		return 0;
	}
	if (mprotect(r, 8 * MIB, PROT_READ | PROT_WRITE) < 0) {
		printf("reserve=mprotect:%s\n", errname(errno));
		return 0;
	}
	touch(r, 8 * MIB);
	if (mmap(r + 64 * MIB, 8 * MIB, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		printf("reserve=fixed:%s\n", errname(errno));
		return 0;
	}
	touch(r + 64 * MIB, 8 * MIB);
	printf("reserve=OK\n");
	return 0;
}

static sigjmp_buf no_ia32;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(no_ia32, 1);
}

/* i386 mmap2(0, len, RW, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) by int $0x80;
 * -ENOSYS... as the kernel returns, or 1 when there is no IA-32 entry. */
static long int80_mmap2(long len)
{
	struct sigaction sa = {.sa_handler = on_segv}, old;
	long ret = 1;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(no_ia32, 1) == 0) {
		/* ebp (the page offset) is ignored for an anonymous mapping. */
		__asm__ volatile("int $0x80"
		                 : "=a"(ret)
		                 : "a"(192L), "b"(0L), "c"(len),
		                   "d"((long)(PROT_READ | PROT_WRITE)),
		                   "S"((long)(MAP_PRIVATE | MAP_ANONYMOUS)), "D"(-1L)
		                 : "memory", "cc", "r8", "r10", "r11", "r12", "r13", "r14", "r15");
	}
	sigaction(SIGSEGV, &old, NULL);
	return ret;
}

static const char *try_map(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, -1, 0);

	if (p == MAP_FAILED)
		return errname(errno);
	munmap(p, len);
	return "OK";
}

static int probe(void)
{
	long r;

	printf("anon128=%s",
	       try_map(128 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS));
	printf(" none1g=%s", try_map(1024 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS));
	printf(" noreserve1g=%s", try_map(1024 * MIB, PROT_READ | PROT_WRITE,
	                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE));
	{
		char *q = mmap(NULL, 1024 * MIB, PROT_NONE,
		               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		printf(" mprotect128=%s", q == MAP_FAILED ? "map-failed"
		                          : mprotect(q, 128 * MIB, PROT_READ | PROT_WRITE) == 0
		                              ? "OK"
		                              : errname(errno));
		if (q != MAP_FAILED)
			munmap(q, 1024 * MIB);
	}
	r = int80_mmap2(128 * MIB);
	if (r == 1)
		printf(" i386-anon128=NOIA32\n");
	else if (r < 0 && r > -4096)
		printf(" i386-anon128=%s\n", errname((int)-r));
	else {
		munmap((void *)(unsigned long)(unsigned int)r, 128 * MIB);
		printf(" i386-anon128=OK\n");
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc, sleep_after = argc > 1 && strcmp(argv[argc - 1], "-s") == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && strcmp(argv[1], "mmap") == 0)
		rc = hog(0, atol(argv[2]), atol(argv[3]));
	else if (argc >= 4 && strcmp(argv[1], "malloc") == 0)
		rc = hog(1, atol(argv[2]), atol(argv[3]));
	else if (argc >= 3 && strcmp(argv[1], "fast") == 0)
		rc = fast(atol(argv[2]));
	else if (argc >= 2 && strcmp(argv[1], "reserve") == 0)
		rc = reserve();
	else if (argc >= 2 && strcmp(argv[1], "probe") == 0)
		rc = probe();
	else {
		fprintf(stderr, "usage: memhog mmap|malloc STEP_KIB MAX_MIB | fast MAX_MIB | "
		                "reserve | probe [-s]\n");
		return 2;
	}
	fflush(stdout);
	while (sleep_after)
		pause();
	return rc;
}
