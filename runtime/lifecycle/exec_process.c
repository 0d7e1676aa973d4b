#include "runtime/lifecycle/exec_process.h"

#include <errno.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"
#include "oci/json_writer.h"

static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* The container's env, each entry replaced by an --env of the same key,
 * then the new keys. */
static void write_env(struct jw *w, const struct oci_process *p, const struct exec_opts *o)
{
	jw_str(w, "env");
	jw_arr_open(w);
	for (size_t i = 0; i < p->n_env; i++) {
		const char *v = p->env[i];
		for (size_t j = 0; j < o->n_env; j++)
			if (key_len(o->env[j]) == key_len(v) &&
			    strncmp(o->env[j], v, key_len(v)) == 0)
				v = NULL;
		if (v)
			jw_str(w, v);
	}
	for (size_t j = 0; j < o->n_env; j++)
		jw_str(w, o->env[j]);
	jw_arr_close(w);
}

static void write_capset(struct jw *w, const char *key, char **have, size_t n,
                         const struct exec_opts *o, bool add)
{
	jw_str(w, key);
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, have[i]);
	for (size_t j = 0; add && j < o->n_caps; j++) {
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup = dup || strcmp(have[i], o->caps[j]) == 0;
		if (!dup)
			jw_str(w, o->caps[j]);
	}
	jw_arr_close(w);
}

static void write_caps(struct jw *w, const struct oci_capabilities *c, const struct exec_opts *o)
{
	static char *none[1];

	jw_str(w, "capabilities");
	jw_map_open(w);
	write_capset(w, "bounding", c ? c->bounding : none, c ? c->n_bounding : 0, o, true);
	write_capset(w, "effective", c ? c->effective : none, c ? c->n_effective : 0, o, true);
	write_capset(w, "inheritable", c ? c->inheritable : none, c ? c->n_inheritable : 0, o,
	             false);
	write_capset(w, "permitted", c ? c->permitted : none, c ? c->n_permitted : 0, o, true);
	write_capset(w, "ambient", c ? c->ambient : none, c ? c->n_ambient : 0, o, true);
	jw_map_close(w);
}

static void write_user(struct jw *w, const struct oci_user *u, const struct exec_opts *o)
{
	jw_str(w, "user");
	jw_map_open(w);
	jw_str(w, "uid");
	jw_u64(w, o->has_user ? o->uid : u->uid);
	jw_str(w, "gid");
	jw_u64(w, o->has_gid ? o->gid : (o->has_user ? 0 : u->gid));
	if (u->has_umask) {
		jw_str(w, "umask");
		jw_u64(w, u->umask);
	}
	jw_str(w, "additionalGids");
	jw_arr_open(w);
	if (o->n_gids > 0)
		for (size_t i = 0; i < o->n_gids; i++)
			jw_u64(w, o->gids[i]);
	else if (!o->has_user)
		for (size_t i = 0; i < u->n_additional_gids; i++)
			jw_u64(w, u->additional_gids[i]);
	jw_arr_close(w);
	jw_map_close(w);
}

int exec_process_json(const struct oci_config *c, const struct exec_opts *o, char **json,
                      size_t *len, bool *terminal, struct rl_error *e)
{
	_cleanup_(jw_gen_freep) yajl_gen g = yajl_gen_alloc(NULL);
	struct jw w = {g, yajl_gen_status_ok};
	const struct oci_process *p = c->process;

	if (!g)
		return rl_fail(e, ENOMEM, "out of memory");
	if (!p)
		return rl_fail(e, EINVAL, "config.json: process: missing");
	*terminal = o->tty;
	jw_map_open(&w);
	jw_str(&w, "terminal");
	jw_bool(&w, o->tty);
	write_user(&w, &p->user, o);
	jw_str(&w, "args");
	jw_arr_open(&w);
	for (int i = 0; i < o->n_args; i++)
		jw_str(&w, o->args[i]);
	jw_arr_close(&w);
	write_env(&w, p, o);
	jw_str(&w, "cwd");
	jw_str(&w, o->cwd ? o->cwd : p->cwd);
	write_caps(&w, p->capabilities, o);
	jw_str(&w, "rlimits");
	jw_arr_open(&w);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		jw_map_open(&w);
		jw_str(&w, "type");
		jw_str(&w, p->rlimits[i].type);
		jw_str(&w, "hard");
		jw_u64(&w, p->rlimits[i].hard);
		jw_str(&w, "soft");
		jw_u64(&w, p->rlimits[i].soft);
		jw_map_close(&w);
	}
	jw_arr_close(&w);
	jw_str(&w, "noNewPrivileges");
	jw_bool(&w, o->no_new_privs || p->no_new_privileges);
	if (p->has_oom_score_adj) {
		jw_str(&w, "oomScoreAdj");
		jw_int(&w, p->oom_score_adj);
	}
	jw_map_close(&w);
	return jw_finish(&w, json, len, e);
}
