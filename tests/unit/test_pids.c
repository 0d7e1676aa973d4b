/* The pids limit's bookkeeping (shim/supervisor/pids_acct.h): the tid set,
 * reservations, and the limit's arithmetic, the pids cgroup's. */
#include <fcntl.h>
#include <unistd.h>

#include "shim/supervisor/handlers_pids.h"
#include "shim/supervisor/pids_acct.h"
#include "tests/unit/unit.h"

static void test_room_at_limit(void)
{
	struct pids_acct a;

	pids_acct_init(&a, 3);
	CHECK(pids_acct_room(&a));
	CHECK_INT_EQ(pids_acct_add(&a, 100, 100, -1), 0);
	CHECK_INT_EQ(pids_acct_add(&a, 101, 100, -1), 0);
	CHECK(pids_acct_room(&a));
	/* A fork in flight takes the last slot: the cgroup refuses at
	 * current >= limit. */
	CHECK_INT_EQ(pids_acct_reserve(&a, 100, 100, 0, 57, 0), 0);
	CHECK_UINT_EQ(pids_acct_current(&a), 3);
	CHECK(!pids_acct_room(&a));
	/* Its task found: the reservation becomes the task, no double count. */
	CHECK(pids_acct_release_tid(&a, 100));
	CHECK_INT_EQ(pids_acct_add(&a, 102, 102, -1), 0);
	CHECK_UINT_EQ(pids_acct_current(&a), 3);
	CHECK(!pids_acct_room(&a));
	/* An exit frees the slot at once. */
	CHECK_INT_EQ(pids_acct_remove(&a, 101), -1); /* its fd: -1 here */
	CHECK(pids_acct_room(&a));
	CHECK(!pids_acct_find(&a, 101));
	pids_acct_free(&a);

	CHECK_INT_EQ(pids_limit_of(NULL), 0); /* no bundle resources: no limit */
	pids_acct_init(&a, 0);                /* no limit */
	for (pid_t t = 1; t <= 10; t++)
		pids_acct_add(&a, t, 1, -1);
	CHECK(pids_acct_room(&a));
	pids_acct_free(&a);
}

static void test_set(void)
{
	struct pids_acct a;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const struct pids_task *t;

	pids_acct_init(&a, 100000);
	CHECK_INT_EQ(pids_acct_add(&a, 0, 0, -1), -1);
	CHECK_INT_EQ(pids_acct_add(&a, 7, 5, fd), 0);
	CHECK_INT_EQ(pids_acct_add(&a, 7, 5, -1), 1); /* known: the first record stays */
	t = pids_acct_find(&a, 7);
	CHECK(t && t->fd == fd && t->tgid == 5);
	/* Enough to grow the table several times, with removals between:
	 * tombstones must not lose entries behind them. */
	for (pid_t i = 1000; i < 5000; i++)
		CHECK_INT_EQ(pids_acct_add(&a, i, i, -1), 0);
	for (pid_t i = 1000; i < 5000; i += 2)
		CHECK_INT_EQ(pids_acct_remove(&a, i), -1);
	for (pid_t i = 5000; i < 6000; i++)
		CHECK_INT_EQ(pids_acct_add(&a, i, i, -1), 0);
	CHECK_UINT_EQ(a.live, 1 + 2000 + 1000);
	for (pid_t i = 1000; i < 6000; i++)
		CHECK((pids_acct_find(&a, i) != NULL) == (i >= 5000 || (i & 1)));
	CHECK(pids_acct_find(&a, 7) && pids_acct_find(&a, 7)->fd == fd);
	CHECK_INT_EQ(pids_acct_remove(&a, 424242), -1);
	pids_acct_free(&a); /* closes fd */
	CHECK(fcntl(fd, F_GETFD) < 0);
}

static void test_reservations(void)
{
	struct pids_acct a;

	pids_acct_init(&a, 10);
	pids_acct_reserve(&a, 1, 1, 0, 57, 5);
	pids_acct_reserve(&a, 2, 2, 0, 57, 6);
	pids_acct_reserve(&a, 1, 1, 0, 56, 7);
	CHECK_UINT_EQ(pids_acct_held(&a, 1), 2);
	CHECK_UINT_EQ(pids_acct_held(&a, 3), 0);
	/* Only the thread's own reservations are released, oldest first. */
	CHECK(!pids_acct_release_tid(&a, 3));
	CHECK(pids_acct_release_tid(&a, 1));
	CHECK_UINT_EQ(a.n_resv, 2);
	CHECK_INT_EQ(a.resv[0].tid, 2);
	CHECK_INT_EQ(a.resv[1].nr, 56);
	for (int i = 0; i < 40; i++)
		pids_acct_reserve(&a, 9, 9, 0, 57, i);
	CHECK_UINT_EQ(pids_acct_current(&a), 42);
	while (pids_acct_release_tid(&a, 9))
		;
	CHECK_UINT_EQ(pids_acct_current(&a), 2);
	pids_acct_release(&a, 5); /* out of range: nothing */
	CHECK_UINT_EQ(a.n_resv, 2);
	pids_acct_free(&a);
}

int main(int argc, char **argv)
{
	(void)argc;
	RUN(test_room_at_limit);
	RUN(test_set);
	RUN(test_reservations);
	return unit_summary(argv[0]);
}
