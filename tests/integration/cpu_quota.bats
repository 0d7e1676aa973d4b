#!/usr/bin/env bats
# linux.resources.cpu.quota/period without a cgroup (issue 16, item 3): the
# supervisor samples the container's CPU time and stops it (SIGSTOP) for the
# rest of a period once the quota is used, continuing only what it stopped,
# never a paused container (shim/supervisor/cpu_quota.h). Shares are
# measured from the host: utime+stime of the container's processes in
# /proc, over several seconds.

load helpers

# cpu_pct SECONDS PID...: the CPU share (percent of one CPU) the processes
# used together over SECONDS, from their utime+stime.
cpu_pct() {
	local secs=$1 a b
	shift
	a=$(_ticks "$@")
	sleep "$secs"
	b=$(_ticks "$@")
	echo $(((b - a) * 100 / $(getconf CLK_TCK) / secs))
}

_ticks() {
	local p sum=0 f
	for p in "$@"; do
		# Fields after the ')' that ends comm: utime is the 12th, stime the 13th.
		f=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $f
		sum=$((sum + ${12} + ${13}))
	done
	echo "$sum"
}

# container_pids ID: the container's pids, from runlock ps.
container_pids() {
	runlock ps --format json "$1" | jq -r '.[]'
}

_n_pids_is() {
	[ "$(container_pids "$1" | wc -l)" -eq "$2" ]
}

# between VALUE LOW HIGH
between() {
	if [ "$1" -lt "$2" ] || [ "$1" -gt "$3" ]; then
		echo "$1 is not within $2..$3" >&2
		return 1
	fi
}

quota() {
	update_config ".linux.resources.cpu = {quota: $1, period: ${2:-100000}}"
}

@test "cpu quota: 50000/100000 holds a busy loop to 50% of a CPU; without a quota it gets more than 70%" {
	setup_bundle sh -c 'while :; do :; done'
	quota 50000
	start_container ctr
	pct=$(cpu_pct 10 "$(pid_of ctr)")
	echo "with quota: $pct%"
	between "$pct" 40 60
	# Throttled, not killed: still the same process.
	run runlock state ctr
	assert_output --partial '"status": "running"'
	# events --stats counts as cpu.stat does: about every period of the
	# 10 s was used and throttled, about 5 s of it stopped.
	run runlock events --stats ctr
	assert_success
	echo "$output" | jq -c .data.cpu.throttling
	between "$(jq .data.cpu.throttling.periods <<<"$output")" 80 200
	between "$(jq .data.cpu.throttling.throttled_periods <<<"$output")" 70 200
	between "$(jq '.data.cpu.throttling.throttled_time / 1000000000 | floor' <<<"$output")" 4 10
	runlock delete -f ctr
	# Control: the same loop without a quota.
	update_config 'del(.linux.resources.cpu)'
	start_container ctr2
	pct=$(cpu_pct 5 "$(pid_of ctr2)")
	echo "without quota: $pct%"
	[ "$pct" -gt 70 ]
	run runlock events --stats ctr2
	assert_equal "$(jq -c .data.cpu.throttling <<<"$output")" '{"periods":0,"throttled_periods":0,"throttled_time":0}'
}

@test "cpu quota: the container's processes share it (two loops in init's tree, one exec'd): 50% in all" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU: the loops could not exceed the quota together"
	setup_bundle sh -c 'while :; do :; done & while :; do :; done'
	quota 50000
	# Without a pid namespace the members are init's and the exec'd
	# process's descendants (the signal scope's oracle lists them with
	# one: the other tests).
	without_pidns
	start_container ctr
	runlock_detached exec -d ctr sh -c 'while :; do :; done'
	[ "$status" -eq 0 ]
	retry 5 _n_pids_is ctr 3
	pct=$(cpu_pct 10 $(container_pids ctr))
	echo "three processes: $pct%"
	between "$pct" 40 60
}

@test "cpu quota: a pause during throttling stays paused (the quota never continues it); resume runs it under the quota" {
	setup_bundle sh -c 'while :; do :; done'
	quota 20000
	start_container ctr
	sleep 1
	run runlock pause ctr
	assert_success
	# Several periods on: still stopped, no CPU used.
	sleep 0.5
	run runlock state ctr
	assert_output --partial '"status": "paused"'
	pct=$(cpu_pct 2 "$(pid_of ctr)")
	[ "$pct" -eq 0 ]
	run grep '^State:' "/proc/$(pid_of ctr)/status"
	assert_output --partial 'T (stopped)'
	run runlock resume ctr
	assert_success
	run runlock state ctr
	assert_output --partial '"status": "running"'
	pct=$(cpu_pct 5 "$(pid_of ctr)")
	echo "after resume: $pct%"
	between "$pct" 10 30
}

@test "cpu quota: update sets one on a running container (none to 20000), and -1 lifts it" {
	setup_bundle sh -c 'while :; do :; done'
	start_container ctr
	run runlock update --cpu-quota 20000 --cpu-period 100000 ctr
	assert_success
	pct=$(cpu_pct 5 "$(pid_of ctr)")
	echo "quota 20000: $pct%"
	between "$pct" 10 30
	# -r with the JSON object, as runc takes it.
	echo '{"cpu": {"quota": 40000}}' >"$BATS_TEST_TMPDIR/r.json"
	run runlock update -r "$BATS_TEST_TMPDIR/r.json" ctr
	assert_success
	pct=$(cpu_pct 5 "$(pid_of ctr)")
	echo "quota 40000: $pct%"
	between "$pct" 30 50
	run runlock update --cpu-quota -1 ctr
	assert_success
	pct=$(cpu_pct 3 "$(pid_of ctr)")
	echo "no quota: $pct%"
	[ "$pct" -gt 60 ]
}

@test "cpu quota: a process the container stopped itself is not continued by the throttle" {
	# The child stops itself before it execs sleep; throttling continues
	# only what it stopped. Without that check the throttle's SIGCONT
	# would let it go on to exec sleep after the first throttled period.
	setup_bundle sh -c 'sh -c "kill -STOP \$\$; exec sleep 100" & while :; do :; done'
	quota 20000
	start_container ctr
	sleep 1.5
	child=$(tr -d " " <"/proc/$(pid_of ctr)/task/$(pid_of ctr)/children")
	[ -n "$child" ]
	run cat "/proc/$child/comm"
	assert_output sh
	run grep '^State:' "/proc/$child/status"
	assert_output --partial 'T (stopped)'
	# Control: the loop itself was throttled (and continued) meanwhile.
	pct=$(cpu_pct 3 "$(pid_of ctr)")
	between "$pct" 10 30
}

@test "cpu quota: values the cpu cgroup refuses are refused at create and by update, named" {
	setup_bundle true
	quota 500
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'linux.resources.cpu.quota: 500 (expected at least 1000 microseconds, or -1)'
	quota 50000 2000000
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'linux.resources.cpu.period: 2000000 (expected 1000 to 1000000 microseconds)'
	setup_bundle sleep 30
	quota 50000
	start_container ctr
	run runlock update --cpu-period 500 ctr
	assert_failure
	assert_output --partial 'linux.resources.cpu.period: 500'
	# burst stays refused: runlock has no burst.
	run runlock update -r - ctr <<<'{"cpu": {"burst": 1000}}'
	assert_failure
	assert_output --partial 'linux.resources.cpu.burst'
}

@test "cpu quota: short-lived children a member waits for are charged (cutime); the supervisor's descriptors stay" {
	# Each `true` is forked, runs and is reaped by init between samples:
	# only init's cutime shows it. Counted from the host as init's own
	# time plus its children's (fields 14-17 of /proc/PID/stat).
	setup_bundle sh -c 'while :; do /bin/true; done'
	quota 30000
	start_container ctr
	local p sv a b fds
	p=$(pid_of ctr)
	sv=$(helper_pid ctr rl-supervisor)
	sleep 1
	fds=$(ls "/proc/$sv/fd" | wc -l)
	a=$(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}')
	sleep 10
	b=$(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}')
	pct=$(((b - a) * 100 / $(getconf CLK_TCK) / 10))
	echo "init and its reaped children: $pct%"
	between "$pct" 20 40
	# Thousands of members came and went: their /proc descriptors went too.
	[ "$(ls "/proc/$sv/fd" | wc -l)" -le $((fds + 2)) ]
}
