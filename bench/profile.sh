#!/bin/bash
# Where `runlock run /bin/true` spends its time (docs/performance.md quotes
# this). Not part of `make bench`: run it by hand after `make bench`.
#
#   bench/profile.sh RUNLOCK [RUNS]
#
# Uses the bundle bench/run.sh made (build/bench/bundles/true). Writes to
# build/bench/profile/:
#   perf-stat.txt     perf stat -r 50: task-clock, context switches, faults
#   strace-c.txt      strace -f -c of one run: syscalls by count and time
#   strace-r.txt      strace -f -r of one run: the timeline
#   perf-dso.txt      perf record (dwarf call graphs, RUNS runs, default 30):
#                     share of samples per process name and binary/library
#   perf-user.txt     inclusive share of runlock's own and library functions
#   perf-kernel.txt   kernel functions by self time
# and prints the heads of these. callgrind is not used: valgrind 3.19 does
# not know openat2(2), which runlock needs, so the run fails under it.
set -euo pipefail
[ "$#" -ge 1 ] || {
	echo "usage: $0 RUNLOCK [RUNS]" >&2
	exit 2
}
here=$(cd "$(dirname "$0")" && pwd -P)
top=$(cd "$here/.." && pwd -P)
RUNLOCK=$(readlink -f "$1")
RUNS=${2:-30}
OUT=${BENCH_OUT:-$top/build/bench}
P=$OUT/profile
B=$OUT/bundles/true
[ "$(id -u)" -eq 0 ] || {
	echo "profile: must run as root" >&2
	exit 1
}
[ -f "$B/config.json" ] || {
	echo "profile: $B/config.json missing: run make bench first" >&2
	exit 1
}
"$top/contrib/install-deps.sh" linux-perf strace
rm -rf "$P"
mkdir -p "$P"
S=$P/state
run() { "$RUNLOCK" --root "$S" run --bundle "$B" "$1" </dev/null; }

echo "== perf stat -r 50: runlock run /bin/true"
perf stat -r 50 -e task-clock,context-switches,cpu-migrations,page-faults \
	-o "$P/perf-stat.txt" -- "$RUNLOCK" --root "$S" run --bundle "$B" pstat
grep -E 'task-clock|context|migrations|faults|elapsed' "$P/perf-stat.txt"

echo
echo "== strace -f -c (one run; strace slows every call, read the counts)"
strace -f -c -o "$P/strace-c.txt" "$RUNLOCK" --root "$S" run --bundle "$B" pstrace1 </dev/null
head -22 "$P/strace-c.txt"
strace -f -r -o "$P/strace-r.txt" "$RUNLOCK" --root "$S" run --bundle "$B" pstrace2 </dev/null
printf '/proc/PID/stat opened: %s times; processes on this machine: %s\n' \
	"$(grep -c 'openat(AT_FDCWD, "/proc/[0-9]*/stat"' "$P/strace-r.txt")" \
	"$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)"

echo
echo "== perf record --call-graph dwarf, $RUNS runs"
perf record -q -F 10000 --call-graph dwarf,16384 -o "$P/perf.data" -- \
	bash -c 'for i in $(seq '"$RUNS"'); do "$0" --root "$1" run --bundle "$2" prec$i </dev/null || exit 1; done' \
	"$RUNLOCK" "$S" "$B" 2>/dev/null
perf report -i "$P/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null |
	grep -v '^#' | grep -v '^$' >"$P/perf-dso.txt" || true
perf report -i "$P/perf.data" --comm runlock --children --sort sym --stdio -g none 2>/dev/null |
	grep -v '^#' | grep -v '^$' | grep '\[\.\]' >"$P/perf-user.txt" || true
perf report -i "$P/perf.data" --comm runlock --no-children --sort sym --stdio -g none 2>/dev/null |
	grep -v '^#' | grep -v '^$' | grep '\[k\]' >"$P/perf-kernel.txt" || true
echo "-- samples by process name and binary (self; % of all samples, the loop's bash included)"
head -10 "$P/perf-dso.txt"
echo "-- runlock's user-space functions, inclusive (children), % of all samples"
awk '!seen[$4]++ && ++n <= 30' "$P/perf-user.txt"
echo "-- kernel functions, self"
head -15 "$P/perf-kernel.txt"
rm -rf "$S"
echo "profile: files in $P"
