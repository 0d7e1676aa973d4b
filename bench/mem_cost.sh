#!/bin/bash
# What linux.resources.memory.limit costs under runlock, and how far a
# program can get past it.
#
#   bench/mem_cost.sh RUNLOCK ROOTFS PYROOT
#
# RUNLOCK is the runlock binary, ROOTFS the busybox rootfs fixture with the
# helpers (/usr/local/bin/memhog), PYROOT the python fixture
# (tests/rootfs/build-python.sh). Must run as root. Each workload runs
# without a memory limit and with one (512 MiB: never reached), alternately,
# REPS times (default 5); printed: the median wall time of the whole
# container run (create to stopped) and the supervisor's CPU time (ticks of
# USER_HZ), which with a limit includes the sampler's 100 samples a second
# and every trapped call:
#   python   python3 -c 'import json, email, http.client, decimal' (start-up:
#            about 270 trapped calls)
#   malloc   python3 allocating and freeing 200000 lists of 100 ints (glibc's
#            malloc growing and shrinking the heap with brk, and mmap)
#   mmap     memhog mmap 256 400: 1600 anonymous mmaps of 256 KiB, each
#            touched (every one trapped)
#   idle     sleep 2 (the sampler alone)
# Then the overshoot: memhog touching 16 KiB mmaps (under the trap
# threshold: the sampler alone stops it), 1 MiB mmaps (trapped), and one
# MAP_NORESERVE mapping touched as fast as it faults in (never trapped:
# the worst case for the sampler) under a 64 MiB limit, OVER_REPS times (default 10): the supervisor's max usage
# (events --stats, Pss_Anon of the container when it killed) and the peak
# anonymous resident size seen from the host by polling the hog's
# /proc/PID/statm from a shell loop (every few ms). Nothing here is a test: no number fails.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$#" -ge 3 ] || {
	echo "usage: $0 RUNLOCK ROOTFS PYROOT" >&2
	exit 2
}
RUNLOCK=$(realpath "$1")
ROOTFS=$(realpath "$2")
PYROOT=$(realpath "$3")
REPS=${REPS:-5}
OVER_REPS=${OVER_REPS:-10}
HZ=$(getconf CLK_TCK)
PAGE=$(getconf PAGESIZE)
WORK=$(mktemp -d /tmp/mem_cost.XXXXXX)
STATE=$WORK/state
trap 'rm -rf "$WORK"' EXIT

# bundle NAME ROOTFS LIMIT ARGS_JSON
bundle() {
	local dir=$WORK/$1
	mkdir -p "$dir"
	"$RUNLOCK" spec --bundle "$dir"
	jq --arg r "$2" --argjson l "$3" --argjson a "$4" '
		.process.terminal = false | .root = {path: $r, readonly: true}
		| .process.args = $a
		| if $l > 0 then .linux.resources.memory.limit = $l else . end
		' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
}

py_start='["python3", "-c", "import json, email, http.client, decimal"]'
py_malloc='["python3", "-c", "for i in range(200000):\n x = [j for j in range(100)]\n"]'
hog_mmap='["/usr/local/bin/memhog", "mmap", "256", "400"]'
idle='["sleep", "2"]'
for w in python malloc mmap idle; do
	case $w in
	python) root=$PYROOT args=$py_start ;;
	malloc) root=$PYROOT args=$py_malloc ;;
	mmap) root=$ROOTFS args=$hog_mmap ;;
	idle) root=$ROOTFS args=$idle ;;
	esac
	bundle "$w-none" "$root" 0 "$args"
	bundle "$w-limit" "$root" $((512 * 1024 * 1024)) "$args"
done

rl() { "$RUNLOCK" --root "$STATE" "$@"; }

# run_one BUNDLE: prints "WALL_NS SUPERVISOR_TICKS".
run_one() {
	local id=mc-$RANDOM$RANDOM t0 t1 sv ticks
	t0=$(now_ns)
	rl create --bundle "$WORK/$1" "$id" </dev/null >/dev/null
	sv=$(supervisor_of "$id")
	rl start "$id"
	while [ "$(rl state "$id" | jq -r .status)" != stopped ]; do
		sleep 0.01
	done
	t1=$(now_ns)
	ticks=$(cpu_ticks "$sv")
	rl delete "$id"
	echo "$((t1 - t0)) $ticks"
}

declare -A wall=() cpu=()
for ((r = 0; r < REPS; r++)); do
	for w in python malloc mmap idle; do
		for l in none limit; do
			read -r a b < <(run_one "$w-$l")
			wall[$w-$l]+="$a "
			cpu[$w-$l]+="$b "
		done
	done
done
printf 'median of %d runs; limit 512 MiB (never reached)\n' "$REPS"
printf '%-8s %-6s %12s %22s\n' workload limit "wall ms" "supervisor CPU ms"
for w in python malloc mmap idle; do
	for l in none limit; do
		# shellcheck disable=SC2086
		printf '%-8s %-6s %12.1f %22.1f\n' "$w" "$l" \
			"$(awk -v x="$(median ${wall[$w-$l]})" 'BEGIN {print x / 1e6}')" \
			"$(awk -v x="$(median ${cpu[$w-$l]})" -v hz="$HZ" 'BEGIN {print x * 1000 / hz}')"
	done
done

# ---- overshoot -------------------------------------------------------------
# The hog is init's child: init lives on, so events --stats can be read.
hog() { echo "[\"sh\", \"-c\", \"/usr/local/bin/memhog $1; echo end=\$?; exec sleep 100\"]"; }
bundle over16 "$ROOTFS" $((64 * 1024 * 1024)) "$(hog 'mmap 16 1024')"
bundle over1m "$ROOTFS" $((64 * 1024 * 1024)) "$(hog 'mmap 1024 1024')"
bundle overfast "$ROOTFS" $((64 * 1024 * 1024)) "$(hog 'fast 4096')"

# overshoot BUNDLE: prints "SUPERVISOR_MAX HOST_PEAK END" (bytes; END: how
# the program ended: killed or enomem).
overshoot() {
	local id=mo-$RANDOM$RANDOM pid peak=0 v max end
	rl create --bundle "$WORK/$1" --pid-file "$WORK/$id.pid" "$id" </dev/null >"$WORK/$id.out"
	pid=$(cat "$WORK/$id.pid")
	rl start "$id"
	# Host-side: the hog's RssAnon (resident - shared) until it is gone.
	hog=""
	while [ -z "$hog" ]; do
		hog=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
	done
	while read -r _ res shr _ 2>/dev/null <"/proc/$hog/statm"; do
		v=$(((res - shr) * PAGE))
		[ "$v" -gt "$peak" ] && peak=$v
		grep -q '^end=' "$WORK/$id.out" && break
	done
	max=$(rl events --stats "$id" | jq -r '.data.memory.usage.max_usage')
	end=killed
	grep -q ENOMEM "$WORK/$id.out" && end=enomem
	rl delete -f "$id"
	echo "$max $peak $end"
}

mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
printf '\noverruns under a 64 MiB limit, %d runs each (MiB)\n' "$OVER_REPS"
printf '%-26s %10s %10s %10s %10s  %s\n' workload "sv median" "sv worst" "host median" "host worst" ends
for b in over16 over1m overfast; do
	svs=() hosts=() ends=""
	for ((r = 0; r < OVER_REPS; r++)); do
		read -r s h e < <(overshoot "$b")
		svs+=("$s")
		hosts+=("$h")
		ends+="$e "
	done
	case $b in
	over16) name='16 KiB mmaps (sampler)' ;;
	over1m) name='1 MiB mmaps (traps)' ;;
	overfast) name='NORESERVE touch (sampler)' ;;
	esac
	printf '%-26s %10s %10s %10s %10s  %s\n' "$name" \
		"$(mib "$(median "${svs[@]}")")" "$(mib "$(printf '%s\n' "${svs[@]}" | sort -n | tail -1)")" \
		"$(mib "$(median "${hosts[@]}")")" "$(mib "$(printf '%s\n' "${hosts[@]}" | sort -n | tail -1)")" \
		"$(tr ' ' '\n' <<<"$ends" | grep . | sort | uniq -c | awk '{printf "%s %s ", $1, $2}')"
done
