/* Which linux.resources fields runlock enforces, and which it cannot.
 *
 * runlock creates no cgroup: a limit holds only where the supervisor
 * enforces it. Every other field that would change what the container may
 * use is listed (oci_resources.unsupported), so that create refuses it or,
 * with the annotation, warns per field: never a silent no-op. A field whose
 * value sets nothing (a limit of 0 or -1, an empty list, a period without a
 * quota) is not a limit and is not listed. memory.limit is held by the
 * supervisor (shim/supervisor/handlers_mem.h); memory.reservation, a soft
 * target the kernel only uses under pressure, is accepted and reported. */
#include <stdlib.h>
#include <string.h>

#include "oci/config_parse_linux.h"

enum effect {
	E_ENFORCED, /* the supervisor holds it */
	E_POSITIVE, /* a limit when the number is above 0 */
	E_SET,      /* a setting when true, non-zero, or a non-empty string/list */
	E_NONE,     /* no effect on what the container may use (runc ignores
	             * kernel memory too) */
	E_SWAP,     /* memory.swap: memory+swap, held by memory.limit when it is
	             * at least the limit (swap is not counted apart) */
};

struct field {
	const char *name;
	enum effect effect;
};

static const struct field memory_fields[] = {
    {"limit", E_ENFORCED}, {"reservation", E_ENFORCED}, {"swap", E_SWAP},
    {"swappiness", E_SET}, {"disableOOMKiller", E_SET}, {"kernel", E_NONE},
    {"kernelTCP", E_NONE}, {"useHierarchy", E_NONE},    {"checkBeforeUpdate", E_NONE},
};

static const struct field cpu_fields[] = {
    {"shares", E_ENFORCED},
    {"quota", E_ENFORCED}, /* by the supervisor: shim/supervisor/cpu_quota.c */
    {"burst", E_POSITIVE},
    {"period", E_ENFORCED}, /* with quota */
    {"realtimeRuntime", E_POSITIVE},
    {"realtimePeriod", E_NONE},
    {"cpus", E_ENFORCED},
    {"mems", E_ENFORCED}, /* or refused: runtime/init/cpuset.c */
    {"idle", E_ENFORCED},
};

static const struct field pids_fields[] = {
    {"limit", E_ENFORCED},
};

/* weight becomes an I/O priority (runtime/init/io_limits.c); the rest
 * (leafWeight, per-device weights and throttles) is listed. */
static const struct field blkio_fields[] = {
    {"weight", E_ENFORCED},
};

struct group {
	const char *name;
	const struct field *fields; /* NULL: every member with an effect is listed */
	size_t n;
};

#define GROUP(name, f)                                                                             \
	{                                                                                          \
		name, f, sizeof(f) / sizeof((f)[0])                                                \
	}

static const struct group groups[] = {
    GROUP("memory", memory_fields),
    GROUP("cpu", cpu_fields),
    GROUP("pids", pids_fields),
    GROUP("blockIO", blkio_fields),
    {"network", NULL, 0},
    {"hugepageLimits", NULL, 0},
    {"rdma", NULL, 0},
    {"unified", NULL, 0},
};

/* Does v, as a value of this kind, set anything? */
static bool has_effect(const struct cj_node *v, enum effect k)
{
	switch (v->type) {
	case CJ_NULL:
	case CJ_FALSE:
		return false;
	case CJ_TRUE:
		return k != E_NONE;
	case CJ_NUMBER:
		if (k == E_POSITIVE || k == E_SWAP)
			return v->len > 0 && v->text[0] != '-' && strtod(v->text, NULL) > 0;
		return k == E_SET && strtod(v->text, NULL) != 0;
	case CJ_STRING:
	case CJ_OBJECT:
	case CJ_ARRAY:
		return k != E_NONE && v->n + v->len > 0;
	}
	return false;
}

static int add(struct cj_ctx *c, struct oci_resources *r, const struct cj_path *p)
{
	/* NULL-terminated, as every string vector of the model. */
	char **grown = realloc(r->unsupported, (r->n_unsupported + 2) * sizeof(*grown));

	if (!grown)
		return cj_oom(c);
	r->unsupported = grown;
	r->unsupported[r->n_unsupported + 1] = NULL;
	r->unsupported[r->n_unsupported] = strdup(p->buf);
	if (!r->unsupported[r->n_unsupported])
		return cj_oom(c);
	r->n_unsupported++;
	return 0;
}

static const struct field *find(const struct group *g, const struct cj_node *m)
{
	for (size_t i = 0; i < g->n; i++)
		if (strlen(g->fields[i].name) == m->key_len &&
		    memcmp(g->fields[i].name, m->key, m->key_len) == 0)
			return &g->fields[i];
	return NULL;
}

/* The members of one group: known fields by their table, unknown ones (a
 * newer spec's) by their value. */
static int scan_group(struct cj_ctx *c, const struct group *g, const struct cj_node *obj,
                      struct oci_resources *r)
{
	for (const struct cj_node *m = obj->child; m; m = m->next) {
		const struct field *f = g->fields ? find(g, m) : NULL;
		enum effect k = f ? f->effect : E_SET;
		size_t old;
		int rc = 0;

		if (k == E_ENFORCED || !has_effect(m, k))
			continue;
		/* A memory+swap limit at or above memory.limit holds: the
		 * supervisor keeps memory under the limit, and swapped-out
		 * pages count for nothing more. Below it (runc refuses that
		 * too) or without a limit, it is not held. */
		if (k == E_SWAP && r->has_memory_limit && r->memory_limit > 0 &&
		    r->memory_swap >= r->memory_limit)
			continue;
		old = obj->type == CJ_OBJECT ? cj_path_push_key(&c->path, m->key, m->key_len)
		                             : cj_path_push_index(&c->path, m->idx);
		rc = add(c, r, &c->path);
		cj_path_pop(&c->path, old);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int resources_scan_unsupported(struct cj_ctx *c, const struct cj_node *res, struct oci_resources *r)
{
	for (const struct cj_node *m = res->child; m; m = m->next) {
		const struct group *g = NULL;
		size_t old;
		int rc;

		if (m->key_len == 7 && memcmp(m->key, "devices", 7) == 0)
			continue; /* enforced by the filesystem view */
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			if (strlen(groups[i].name) == m->key_len &&
			    memcmp(groups[i].name, m->key, m->key_len) == 0)
				g = &groups[i];
		old = cj_path_push_key(&c->path, m->key, m->key_len);
		if (g && (m->type == CJ_OBJECT || m->type == CJ_ARRAY))
			rc = scan_group(c, g, m, r);
		else
			rc = has_effect(m, E_SET) ? add(c, r, &c->path) : 0;
		cj_path_pop(&c->path, old);
		if (rc < 0)
			return -1;
	}
	return 0;
}
