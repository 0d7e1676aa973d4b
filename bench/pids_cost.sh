#!/bin/bash
# What linux.resources.pids.limit costs a fork under runlock, and under runc.
#
#   bench/pids_cost.sh RUNLOCK ROOTFS [FORKS]
#
# RUNLOCK is the runlock binary, ROOTFS the busybox rootfs fixture with the
# helpers (tests/rootfs/build-busybox.sh: /usr/local/bin/forkn). Must run as
# root. One container runs `forkn -r FORKS 1` (default 20000): FORKS times,
# fork a child, SIGKILL it, reap it. Each runtime runs it without a pids
# limit and with one (1000, never reached), alternately, REPS times
# (default 3). Printed per fork: wall time of the whole container run, and
# for runlock the CPU time (user + system) of its supervisor, which answers
# every fork when the limit is set and none when it is not. runc enforces
# the limit with the pids cgroup in the kernel: it has no supervisor. The
# CPU clock is read from /proc/PID/stat in ticks (USER_HZ): the run is long
# enough for that resolution. Nothing here is a test: no number fails.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: $0 RUNLOCK ROOTFS [FORKS]" >&2
	exit 2
}
[ "$#" -ge 2 ] || usage
RUNLOCK=$(realpath "$1")
ROOTFS=$(realpath "$2")
FORKS=${3:-20000}
REPS=${REPS:-3}
[ -x "$ROOTFS/usr/local/bin/forkn" ] || {
	echo "pids_cost: $ROOTFS has no /usr/local/bin/forkn (make rootfs)" >&2
	exit 1
}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/pids_cost.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# bundle NAME LIMIT: $WORK/NAME with the shared read-only rootfs.
bundle() {
	local dir=$WORK/$1 limit=$2
	mkdir -p "$dir"
	"$RUNLOCK" spec --bundle "$dir"
	jq --arg r "$ROOTFS" --argjson n "$FORKS" --argjson l "$limit" '
		.process.terminal = false | .root = {path: $r, readonly: true}
		| .process.args = ["/usr/local/bin/forkn", "-r", ($n | tostring), "1"]
		| if $l > 0 then .linux.resources.pids.limit = $l else del(.linux.resources.pids) end
		' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
}
bundle nolimit 0
bundle limit 1000

# run_runlock BUNDLE: prints "WALL_NS SUPERVISOR_TICKS".
run_runlock() {
	local id=pc-$RANDOM$RANDOM root=$WORK/state t0 t1 sv ticks
	t0=$(now_ns)
	"$RUNLOCK" --root "$root" create --bundle "$WORK/$1" "$id" </dev/null >/dev/null
	sv=$(supervisor_of "$id")
	"$RUNLOCK" --root "$root" start "$id"
	while [ "$("$RUNLOCK" --root "$root" state "$id" | jq -r .status)" != stopped ]; do
		sleep 0.01
	done
	t1=$(now_ns)
	ticks=$(cpu_ticks "$sv")
	"$RUNLOCK" --root "$root" delete "$id"
	echo "$((t1 - t0)) $ticks"
}

# run_runc BUNDLE: prints "WALL_NS" (runc run in the foreground).
run_runc() {
	local id=pc-$RANDOM$RANDOM t0 t1
	t0=$(now_ns)
	runc --root "$WORK/runc" run --bundle "$WORK/$1" "$id" </dev/null >/dev/null
	t1=$(now_ns)
	echo "$((t1 - t0))"
}

have_runc=0
if command -v runc >/dev/null && run_runc nolimit >/dev/null 2>&1; then
	have_runc=1
fi

declare -A wall=() cpu=()
for ((r = 0; r < REPS; r++)); do
	for b in nolimit limit; do
		read -r w t < <(run_runlock "$b")
		wall[runlock-$b]+="$w "
		cpu[runlock-$b]+="$t "
		if [ "$have_runc" = 1 ]; then
			wall[runc-$b]+="$(run_runc "$b") "
		fi
	done
done

printf '%d forks per run (fork, SIGKILL, reap), median of %d runs\n' "$FORKS" "$REPS"
printf '%-10s %-9s %14s %22s\n' runtime limit "wall µs/fork" "supervisor CPU µs/fork"
for rt in runlock runc; do
	[ "$rt" = runc ] && [ "$have_runc" = 0 ] && {
		echo "runc       (not runnable here)"
		continue
	}
	for b in nolimit limit; do
		# shellcheck disable=SC2086
		w=$(median ${wall[$rt-$b]})
		c="-"
		if [ "$rt" = runlock ]; then
			# shellcheck disable=SC2086
			t=$(median ${cpu[$rt-$b]})
			c=$(awk -v t="$t" -v hz="$HZ" -v n="$FORKS" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')
		fi
		printf '%-10s %-9s %14s %22s\n' "$rt" "$([ $b = limit ] && echo 1000 || echo none)" \
			"$(awk -v w="$w" -v n="$FORKS" 'BEGIN {printf "%.2f", w / 1000 / n}')" "$c"
	done
done
