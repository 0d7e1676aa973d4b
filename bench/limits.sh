#!/bin/bash
# What runlock's resource limits cost fork- and malloc-heavy work, beside
# runc holding the same limits with its cgroups, in one run.
#
#   bench/limits.sh RUNLOCK PYROOT
#
# RUNLOCK is the runlock binary, PYROOT the python rootfs fixture
# (tests/rootfs/build-python.sh: python3 and busybox). Must run as root.
# `make bench` runs it after bench/run.sh. Nothing here is a test: no
# number fails the run; a command that fails does.
#
# One bundle, copied to a tmpfs, runs bench/limits_work.py, which times
# inside the container (perf_counter) and prints "NAME SECONDS" lines:
#   shell_loop     sh -c 'for i in $(seq 1000); do /bin/true; done' (forks)
#   python_start   20 x python3 -c pass (mmap, brk, mprotect at start-up)
#   alloc_small    3 x 200 MiB in 64 KiB bytearrays, touched and freed (brk)
#   alloc_large    3 x 200 MiB in 1 MiB bytearrays, touched and freed (mmap)
#   tar_extract    busybox tar -xf of 2048 files of 4 KiB, then rm -rf
# in four modes, alternated rep by rep:
#   runlock        no linux.resources
#   runlock-lim    LIMITS (below): runlock's supervisor holds them
#   runc           no linux.resources
#   runc-lim       LIMITS: runc's cgroups hold them
# LIMITS (BENCH_LIMITS, a jq expression applied to .linux.resources) sets
# pids.limit 4096 and memory.limit 1 GiB: none is reached, so what is
# measured is what holding them costs. REPS (default 5) rounds; medians.
set -euo pipefail

[ "$#" -eq 2 ] || {
	echo "usage: $0 RUNLOCK PYROOT" >&2
	exit 2
}
RUNLOCK=$(realpath "$1")
PYROOT=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd -P)
REPS=${REPS:-5}
LIMITS=${BENCH_LIMITS:-'.pids.limit = 4096 | .memory.limit = 1073741824'}
[ -x "$PYROOT/usr/bin/python3" ] || {
	echo "limits: $PYROOT has no python3 (make rootfs)" >&2
	exit 1
}
command -v runc >/dev/null || {
	echo "limits: runc is not installed (contrib/install-deps.sh runc)" >&2
	exit 1
}

WORK=$(mktemp -d /dev/shm/rl-limits.XXXXXX)
cleanup() {
	runc --root "$WORK/runc" list -q 2>/dev/null | xargs -r -n1 runc --root "$WORK/runc" delete -f
	"$RUNLOCK" --root "$WORK/rl" list -q 2>/dev/null | xargs -r -n1 "$RUNLOCK" --root "$WORK/rl" delete -f
	rm -rf "$WORK"
}
trap cleanup EXIT

# The rootfs: a writable copy on tmpfs (tar writes), with the work script
# and the tar to extract.
mkdir -p "$WORK/rootfs"
cp -a "$PYROOT/." "$WORK/rootfs/"
cp "$here/limits_work.py" "$WORK/rootfs/limits_work.py"
mkdir -p "$WORK/tree"
for d in $(seq 0 31); do
	mkdir -p "$WORK/tree/d$d"
	for f in $(seq 0 63); do
		head -c 4096 /dev/zero >"$WORK/tree/d$d/f$f"
	done
done
tar -C "$WORK" -cf "$WORK/rootfs/tmp/t.tar" tree
rm -rf "$WORK/tree"

# bundle NAME LIMITED: a runc spec bundle (both runtimes read it).
bundle() {
	local dir=$WORK/$1
	mkdir -p "$dir"
	runc spec --bundle "$dir"
	jq --arg r "$WORK/rootfs" --argjson lim "$2" '
		.process.terminal = false | .root = {path: $r, readonly: false}
		| .process.args = ["/usr/bin/python3", "/limits_work.py"]
		| if $lim then .linux.resources |= ('"$LIMITS"') else del(.linux.resources) end
		' "$dir/config.json" >"$dir/c"
	mv "$dir/c" "$dir/config.json"
}
bundle plain false
bundle lim true

# run MODE REP: "MODE NAME SECONDS" lines.
run() {
	local m=$1 b=plain out
	case "$m" in *-lim) b=lim ;; esac
	case "$m" in
	runlock*) out=$("$RUNLOCK" --root "$WORK/rl" run --bundle "$WORK/$b" "lb-$2-$m" </dev/null) ;;
	runc*) out=$(runc --root "$WORK/runc" run --bundle "$WORK/$b" "lb-$2-$m" </dev/null) ;;
	esac
	awk -v m="$m" 'NF == 2 { print m, $1, $2 }' <<<"$out"
}

modes=(runlock runlock-lim runc runc-lim)
: >"$WORK/raw"
for ((r = 0; r < REPS; r++)); do
	for ((i = 0; i < 4; i++)); do
		run "${modes[(r + i) % 4]}" "$r" >>"$WORK/raw"
	done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
med() { awk -v m="$1" -v k="$2" '$1 == m && $2 == k { print $3 }' "$WORK/raw" | median; }

printf 'median of %d runs, seconds (inside the container); limits: %s\n' "$REPS" "$LIMITS"
printf '%-13s %9s %11s %9s %9s %16s %18s\n' work runlock runlock-lim runc runc-lim \
	"lim/runc-lim" "lim/runlock"
for k in shell_loop python_start alloc_small alloc_large tar_extract; do
	a=$(med runlock "$k") b=$(med runlock-lim "$k") c=$(med runc "$k") d=$(med runc-lim "$k")
	awk -v k="$k" -v a="$a" -v b="$b" -v c="$c" -v d="$d" 'BEGIN {
		printf "%-13s %9.3f %11.3f %9.3f %9.3f %16.2f %18.2f\n", k, a, b, c, d, b / d, b / a }'
done
