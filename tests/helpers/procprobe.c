/* procprobe: the /proc and /dev/pts probes of
 * tests/integration/security/escape_proc2.bats. Static, so it runs inside
 * the busybox rootfs. Prints "OK ..." or the errno NAME of what failed, and
 * exits 0 either way (2: usage).
 *
 *   procprobe tmpfile DIR     open(DIR, O_TMPFILE|O_RDWR, 07545): "OK MODE UID"
 *   procprobe pagemap         the pagemap entry of a page of its own, just
 *                             written: "OK pfn=N" (0: the kernel hid it)
 *   procprobe stack           open and read /proc/self/stack: "OK"
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(int err)
{
	const char *n = strerrorname_np(err);
	printf("%s\n", n ? n : "E?");
	return 0;
}

static int tmpfile_in(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_TMPFILE | O_RDWR, 07545);

	if (fd < 0)
		return fail(errno);
	if (fstat(fd, &st) < 0)
		return fail(errno);
	printf("OK %o %u\n", (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	return 0;
}

static int pagemap(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	uint64_t e;
	int fd;

	page[0] = 1; /* present: a PFN to show or hide */
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return fail(errno);
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)page / 4096 * sizeof(e))) != sizeof(e))
		return fail(errno);
	if (!(e >> 63))
		return fail(ENXIO); /* not present: the probe proves nothing */
	printf("OK pfn=%llu\n", (unsigned long long)(e & ((1ULL << 55) - 1)));
	return 0;
}

static int stack(void)
{
	char buf[4096];
	int fd = open("/proc/self/stack", O_RDONLY);

	if (fd < 0)
		return fail(errno);
	if (read(fd, buf, sizeof(buf)) < 0)
		return fail(errno);
	printf("OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "tmpfile") == 0)
		return tmpfile_in(argv[2]);
	if (argc == 2 && strcmp(argv[1], "pagemap") == 0)
		return pagemap();
	if (argc == 2 && strcmp(argv[1], "stack") == 0)
		return stack();
	fprintf(stderr, "usage: procprobe tmpfile DIR | pagemap | stack\n");
	return 2;
}
