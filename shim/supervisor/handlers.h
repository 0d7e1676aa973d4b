/* What the supervisor emulates, and the syscalls it traps for it.
 *
 * handlers_select() is the single list both sides use: confine_build()
 * compiles a SCMP_ACT_NOTIFY rule for each name it returns, and the
 * supervisor dispatches the same names to their handlers. A syscall is
 * trapped only when the bundle asks for what its handler emulates. */
#ifndef RUNLOCK_SHIM_SUPERVISOR_HANDLERS_H
#define RUNLOCK_SHIM_SUPERVISOR_HANDLERS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "oci/config.h"
#include "shim/fsview/handlers_fs.h"
#include "shim/notify/notify.h"
#include "shim/supervisor/handlers_mem.h"
#include "shim/supervisor/handlers_pids.h"

#define HANDLERS_MAX                                                                               \
	96 /* syscalls; 91 today: uts 5, signals 5, pids 3, memory 5, cpu 1, io 1, the filesystem  \
	    view 71 */
#define HANDLERS_MAX_SETS 16 /* tables; 13 today */

/* Per-namespace handler sets (handlers_uts.c, ...). */
extern const struct notify_entry uts_entries[];
extern const size_t n_uts_entries;
/* pid: signals to init as to pid 1 (handlers_signal.c). */
extern const struct notify_entry signal_entries[];
extern const size_t n_signal_entries;
/* linux.resources.cpu.cpus: sched_setaffinity within the container's CPUs
 * (handlers_cpu.c). */
extern const struct notify_entry cpu_entries[];
extern const size_t n_cpu_entries;
/* linux.resources.blockIO.weight: ioprio_set no higher than the
 * container's level (handlers_io.c). */
extern const struct notify_entry io_entries[];
extern const size_t n_io_entries;
/* The container's private view of what a namespace would have held. */
struct emul_state {
	char hostname[65];   /* uts: nodename, as sethostname left it */
	char domainname[65]; /* uts: NIS domain name */
	struct fs_view fs;   /* the mount table's view */
	/* pid namespace asked for: the container's init, once named (0 and
	 * -1 before; the pidfd is the supervisor's own copy). */
	pid_t init_pid;
	int init_pidfd;
	cpu_set_t cpus; /* linux.resources.cpu.cpus (all clear: none) */
	int io_level;   /* blockIO.weight's best-effort I/O level; -1: none */
	/* linux.resources.pids.limit (handlers_pids.h) */
	struct pids_state pids;
	/* linux.resources.memory.limit (handlers_mem.h) */
	struct mem_state mem;
};

/* The handler sets this bundle needs, each set's ctx pointing into s (NULL
 * when only the names are wanted); returns their count (0: nothing
 * trapped, no listener). */
size_t handlers_select(const struct oci_config *c, struct emul_state *s, struct notify_set *out,
                       size_t max);

/* The same handlers as filter rules, names and argument conditions (for
 * confine_build()). */
size_t handlers_trapped(const struct oci_config *c, struct trap_rule *rules, size_t max);

/* Initial emulated state from the bundle (hostname, domainname). */
void handlers_init_state(const struct oci_config *c, struct emul_state *s);

#endif
