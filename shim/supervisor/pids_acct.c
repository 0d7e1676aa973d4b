/* The tid set and reservations of pids_acct.h: an open-addressing hash
 * (linear probing, tombstones, grown at half load) and an array kept in
 * the order the reservations were made. */
#include "shim/supervisor/pids_acct.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_CAP 64

void pids_acct_init(struct pids_acct *a, int64_t limit)
{
	memset(a, 0, sizeof(*a));
	a->limit = limit;
}

void pids_acct_free(struct pids_acct *a)
{
	for (size_t i = 0; i < a->cap; i++)
		if (a->slots[i].tid > 0 && a->slots[i].fd >= 0)
			close(a->slots[i].fd);
	free(a->slots);
	free(a->resv);
	pids_acct_init(a, a->limit);
}

size_t pids_acct_current(const struct pids_acct *a)
{
	return a->live + a->n_resv;
}

bool pids_acct_room(const struct pids_acct *a)
{
	return a->limit <= 0 || (uint64_t)pids_acct_current(a) < (uint64_t)a->limit;
}

static size_t hash(pid_t tid, size_t cap)
{
	/* Fibonacci hashing: consecutive pids spread over the table. */
	return (size_t)(((uint64_t)(uint32_t)tid * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

/* The slot holding tid, or NULL. */
static struct pids_task *lookup(const struct pids_acct *a, pid_t tid)
{
	if (a->cap == 0 || tid <= 0)
		return NULL;
	for (size_t i = hash(tid, a->cap), k = 0; k < a->cap; k++, i = (i + 1) & (a->cap - 1)) {
		if (a->slots[i].tid == tid)
			return &a->slots[i];
		if (a->slots[i].tid == 0)
			return NULL;
	}
	return NULL;
}

static void put(struct pids_task *slots, size_t cap, struct pids_task t)
{
	size_t i = hash(t.tid, cap);

	while (slots[i].tid > 0)
		i = (i + 1) & (cap - 1);
	slots[i] = t;
}

/* Room for one more at most half full, tombstones counted. */
static int grow(struct pids_acct *a)
{
	size_t cap = a->cap ? a->cap : MIN_CAP;
	struct pids_task *slots;

	if ((a->live + a->dead + 1) * 2 <= a->cap)
		return 0;
	while ((a->live + 1) * 2 > cap)
		cap *= 2;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < a->cap; i++)
		if (a->slots[i].tid > 0)
			put(slots, cap, a->slots[i]);
	free(a->slots);
	a->slots = slots;
	a->cap = cap;
	a->dead = 0;
	return 0;
}

const struct pids_task *pids_acct_find(const struct pids_acct *a, pid_t tid)
{
	return lookup(a, tid);
}

int pids_acct_add(struct pids_acct *a, pid_t tid, pid_t tgid, int fd)
{
	if (tid <= 0)
		return -1;
	if (lookup(a, tid))
		return 1;
	if (grow(a) < 0)
		return -1;
	put(a->slots, a->cap, (struct pids_task){tid, tgid, fd});
	a->live++;
	return 0;
}

int pids_acct_remove(struct pids_acct *a, pid_t tid)
{
	struct pids_task *t = lookup(a, tid);
	int fd;

	if (!t)
		return -1;
	fd = t->fd;
	*t = (struct pids_task){-1, 0, -1};
	a->live--;
	a->dead++;
	return fd;
}

int pids_acct_reserve(struct pids_acct *a, pid_t tid, pid_t tgid, uint64_t flags, int nr,
                      int64_t now)
{
	if (a->n_resv == a->cap_resv) {
		size_t cap = a->cap_resv ? a->cap_resv * 2 : 16;
		struct pids_resv *r = realloc(a->resv, cap * sizeof(*r));
		if (!r)
			return -1;
		a->resv = r;
		a->cap_resv = cap;
	}
	a->resv[a->n_resv++] = (struct pids_resv){tid, tgid, flags, nr, now};
	return 0;
}

void pids_acct_release(struct pids_acct *a, size_t i)
{
	if (i >= a->n_resv)
		return;
	memmove(&a->resv[i], &a->resv[i + 1], (a->n_resv - i - 1) * sizeof(*a->resv));
	a->n_resv--;
}

bool pids_acct_release_tid(struct pids_acct *a, pid_t tid)
{
	for (size_t i = 0; i < a->n_resv; i++)
		if (a->resv[i].tid == tid) {
			pids_acct_release(a, i);
			return true;
		}
	return false;
}

size_t pids_acct_held(const struct pids_acct *a, pid_t tid)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_resv; i++)
		n += a->resv[i].tid == tid;
	return n;
}
