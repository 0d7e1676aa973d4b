# Shell helpers the cost scripts share (bench/pids_cost.sh,
# bench/mem_cost.sh): sourced, never run.

now_ns() { date +%s%N; }

# cpu_ticks PID: utime + stime, in clock ticks (USER_HZ).
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat")
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo $((${12} + ${13}))
}

# supervisor_of ID: the rl-supervisor whose command line ends in ID.
supervisor_of() {
	local p
	for p in $(pgrep -x rl-supervisor); do
		[ "$({ tr '\0' '\n' <"/proc/$p/cmdline"; } 2>/dev/null | tail -1)" = "$1" ] && echo "$p"
	done
}

# median NUMBERS...
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
