/* The kernel's CPU and memory-node list syntax ("0-3,5,7-8"), as
 * linux.resources.cpu.cpus and .mems carry it (cpuset.cpus, cpuset.mems). */
#ifndef RUNLOCK_OCI_CPU_LIST_H
#define RUNLOCK_OCI_CPU_LIST_H

#include <sched.h>

#include "common/error.h"

/* Parse s into out (cleared first). Numbers must be below CPU_SETSIZE and
 * ranges ascending; spaces and an empty list are refused, like an empty
 * range. field names the config member in the error. 0, or -1 with *e. */
int cpu_list_parse(const char *s, const char *field, cpu_set_t *out, struct rl_error *e);

/* Print set as a list ("0-3,5") into buf; returns buf. */
char *cpu_list_format(const cpu_set_t *set, char *buf, size_t size);

#endif
