/* Identifying and signalling host processes without races.
 *
 * A pid alone can be reused. runlock records init's start time (field 22 of
 * /proc/<pid>/stat) at create and, before acting on a pid, opens a pidfd and
 * then checks the start time again: once the pidfd is open, the process it
 * names cannot be replaced, so a matching start time proves identity. */
#ifndef RUNLOCK_COMMON_PROC_H
#define RUNLOCK_COMMON_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

struct proc_stat {
	char state; /* 'R', 'S', 'Z', ... */
	pid_t ppid;
	pid_t session;
	uint64_t utime, stime;   /* clock ticks (fields 14, 15) */
	uint64_t cutime, cstime; /* of the children it waited for (16, 17) */
	uint64_t num_threads;    /* field 20 */
	uint64_t start_time;
};

/* Read /proc/<pid>/stat; -1 with errno (ENOENT when gone). _at: the stat
 * beneath dir, a descriptor of /proc/<pid> (it names that process, never a
 * later owner of the pid). parse: of a stat's text (changed in place). */
int proc_read_stat(pid_t pid, struct proc_stat *st);
int proc_read_stat_at(int dir, struct proc_stat *st);
int proc_parse_stat(char *buf, struct proc_stat *st);

/* /proc/<pid>/<name> into buf (size bytes, NUL-terminated, cut short if
 * longer); 0, or -1 with errno. _status: name "status". */
int proc_read_file(pid_t pid, const char *name, char *buf, size_t size);
int proc_read_status(pid_t pid, char *buf, size_t size);

/* Now, in the clock ticks of a start time (boot time, USER_HZ); 0 when the
 * clock cannot be read. */
uint64_t proc_boot_ticks(void);

/* A pidfd for pid if it is still the process started at start_time and is
 * not a zombie; -1 otherwise (errno ESRCH). */
int proc_open_verified(pid_t pid, uint64_t start_time);

/* Whether pid is alive (not a zombie) and started at start_time. */
bool proc_is_alive(pid_t pid, uint64_t start_time);

/* Wait until the process behind pidfd has exited; timeout_ms < 0 waits
 * forever. Returns 0, or -1 with errno ETIMEDOUT. */
int proc_wait_exit(int pidfd, int timeout_ms);

/* One process of a container: its pid and start time, so that acting on it
 * later can go through proc_open_verified(). */
struct proc_member {
	pid_t pid;
	uint64_t start_time;
};

/* The container's live processes: init and every live descendant of init
 * started at or after init (`not_before`). With a pid namespace init is a
 * child subreaper, so daemons that setsid() and double-fork stay its
 * descendants. Once init is gone (init_pid 0) nothing identifies the
 * container's remaining processes: the list is empty until the supervisor
 * keeps the process list. (Matching on /proc/PID/root was tried and
 * dropped: containers sharing one rootfs directory would kill each other.)
 * *out (free()d by the caller) holds *n members. Returns 0, or -1 with
 * errno. */
int proc_list_container(pid_t init_pid, uint64_t not_before, struct proc_member **out, size_t *n);

/* Send sig to every member proc_list_container() finds except init (the
 * callers signal init through its own verified pidfd). Returns the number
 * signalled. */
int proc_signal_container(pid_t init_pid, uint64_t not_before, int sig);

/* SIGKILL every member but init, pass after pass until a pass finds nobody,
 * so a child forked between listing and killing does not survive. */
void proc_kill_container(pid_t init_pid, uint64_t not_before);

/* SIGKILL every live child of this process, pass after pass, until none is
 * left: for a child subreaper, whose orphans come to it, that is every
 * descendant. Reads the kernel's children lists, not all of /proc. Returns
 * -1 when the kernel has no /proc/PID/task/TID/children (the caller then
 * scans), else 0. */
int proc_kill_children(void);

/* fn(pid, ctx) for each pid in the children list at path (beneath dir:
 * /proc/P/task/T/children, which lists T's children). 0, or -1 with errno
 * when it cannot be read (its thread is gone, or the kernel has none). */
int proc_each_child_listed(int dir, const char *path, void (*fn)(pid_t, void *), void *ctx);

/* Whether runlock itself holds capability `cap` in its effective set. */
bool proc_self_has_cap(int cap);

/* Whether a signal sent to the container's init (pid, alive) is dropped as
 * the kernel drops it for pid 1 of a pid namespace: init's action for sig
 * is the default (it neither catches nor ignores it: /proc status SigCgt
 * and SigIgn), from inside the namespace for every signal, from its parent
 * (from_parent) for all but SIGKILL and SIGSTOP. Signal 0 is never dropped.
 * False when the status cannot be read (the signal goes as before). */
bool proc_init_drops(pid_t pid, int sig, bool from_parent);

/* Parse "KILL", "SIGKILL", "9" (case-insensitive names); -1 if unknown. */
int proc_parse_signal(const char *s);

/* A shell's view of a wait status: the exit code, 128+N for signal N, 255
 * otherwise (what `run` and `exec` exit with). */
int proc_exit_code(int status);

#endif
