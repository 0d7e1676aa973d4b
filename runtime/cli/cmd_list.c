/* runlock list */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lifecycle/container.h"

struct entry {
	struct container_state s;
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->s.id, ((const struct entry *)b)->s.id);
}

/* Load every container under root, sorted by id. Containers being created or
 * deleted at this instant are skipped, as runc does. */
static int load_all(const struct global_opts *g, struct entry **out, size_t *n)
{
	DIR *d = opendir(g->root);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		struct rl_error e;
		if (de->d_name[0] == '.' || state_validate_id(de->d_name, NULL) < 0)
			continue;
		if (*n == cap) {
			struct entry *bigger;
			cap = cap ? cap * 2 : 16;
			bigger = realloc(*out, cap * sizeof(**out));
			if (!bigger)
				break;
			*out = bigger;
		}
		if (container_load(g, de->d_name, &(*out)[*n].s, &e) == 0)
			(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_entry);
	return 0;
}

static void print_table(const struct entry *v, size_t n)
{
	/* runc's tabwriter: minimum width 12, padding 3. */
	size_t w[5] = {2, 3, 6, 6, 7};

	for (size_t i = 0; i < n; i++) {
		char pid[32];
		size_t len[5];
		snprintf(pid, sizeof(pid), "%d", (int)v[i].s.pid);
		len[0] = strlen(v[i].s.id);
		len[1] = strlen(pid);
		len[2] = strlen(state_status_name(v[i].s.status));
		len[3] = strlen(v[i].s.bundle ? v[i].s.bundle : "");
		len[4] = strlen(v[i].s.created);
		for (int k = 0; k < 5; k++)
			if (len[k] > w[k])
				w[k] = len[k];
	}
	for (int k = 0; k < 5; k++)
		w[k] = w[k] + 3 < 12 ? 12 : w[k] + 3;
	printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], "ID", (int)w[1], "PID", (int)w[2], "STATUS",
	       (int)w[3], "BUNDLE", (int)w[4], "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++)
		printf("%-*s%-*d%-*s%-*s%-*s%s\n", (int)w[0], v[i].s.id, (int)w[1], (int)v[i].s.pid,
		       (int)w[2], state_status_name(v[i].s.status), (int)w[3],
		       v[i].s.bundle ? v[i].s.bundle : "", (int)w[4], v[i].s.created,
		       v[i].s.owner ? v[i].s.owner : "");
}

int cmd_list(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct entry *v = NULL;
	bool quiet = false, json = false;
	size_t n = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return cli_usage_error("list", "invalid format option: %s", optarg);
			break;
		case 'h':
			return cli_help("list");
		default:
			return cli_usage_error("list", "flag provided but not defined: %s",
			                       argv[optind - 1]);
		}
	}
	if (cli_require_args("list", argc - optind, 0, NULL) < 0)
		return 1;
	if (load_all(g, &v, &n) < 0) {
		struct rl_error e;
		rl_fail_errno(&e, errno, "list %s", g->root);
		return cli_fail(&e);
	}
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i].s.id);
	} else if (json && n == 0) {
		printf("null\n"); /* runc encodes its empty (nil) list so */
	} else if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *doc = NULL;
			size_t len;
			if (state_to_json(&v[i].s, false, &doc, &len, NULL) == 0)
				printf("%s%s", i ? "," : "", doc);
		}
		printf("]\n");
	} else {
		print_table(v, n);
	}
	for (size_t i = 0; i < n; i++)
		state_free(&v[i].s);
	free(v);
	return 0;
}
