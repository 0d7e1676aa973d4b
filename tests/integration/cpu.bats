#!/usr/bin/env bats
# linux.resources.cpu without a cgroup (issue 16,
# item 3): every container process runs on the CPUs listed, sees them in
# /proc/self/status and sched_getaffinity, and cannot widen them
# (sched_setaffinity is made by the supervisor, within the list). A list
# runlock cannot honour is refused at create, naming the field.

load helpers

setup() {
	common_setup
	[ "$(nproc)" -ge 2 ] || skip "one CPU here: no subset to pin to ($(nproc) online)"
	LAST=$(($(nproc) - 1))
}

@test "cpuset: cpus pins init, its children and exec'd processes; nproc and /proc/self/status agree" {
	setup_bundle sh -c 'exec sleep 60'
	update_config ".linux.resources.cpu = {cpus: \"$LAST\"}"
	start_container ctr
	# From the host: init's own affinity.
	run grep Cpus_allowed_list "/proc/$(pid_of ctr)/status"
	assert_output "Cpus_allowed_list:	$LAST"
	run runlock exec ctr sh -c 'grep Cpus_allowed_list /proc/self/status; nproc; sleep 5 & grep Cpus_allowed_list /proc/$!/status; kill $!'
	assert_success
	assert_line --index 0 "Cpus_allowed_list:	$LAST"
	assert_line --index 1 1
	assert_line --index 2 "Cpus_allowed_list:	$LAST"
	run runlock delete -f ctr
	assert_success
}

@test "cpuset: sched_setaffinity cannot widen the CPUs (taskset); control without cpus widens" {
	# taskset MASK CMD sets its own affinity (pid 0), then runs CMD.
	setup_bundle sh -c 'taskset 0x3 grep Cpus_allowed_list /proc/self/status; taskset -c 0 true; echo rc=$?; nproc'
	update_config ".linux.resources.cpu = {cpus: \"$LAST\"}"
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	# Widening to every CPU leaves $LAST; CPU 0 alone, outside the list,
	# is EINVAL (the cpuset's answer).
	assert_line --index 0 "Cpus_allowed_list:	$LAST"
	assert_line --index 1 "taskset: can't set pid 0's affinity: Invalid argument"
	assert_line --index 2 rc=1
	assert_line --index 3 1
	# Control: without cpus nothing is trapped and the kernel widens
	# (the container starts pinned, from the test's own shell).
	update_config 'del(.linux.resources.cpu)'
	taskset -p -c "$LAST" $$ >/dev/null
	run runlock run --bundle "$BUNDLE" ctr2
	taskset -p -c "0-$LAST" $$ >/dev/null
	assert_success
	assert_line --index 0 "Cpus_allowed_list:	0-$LAST"
	assert_line --index 1 rc=0
	assert_line --index 2 1
}

@test "cpuset: another process's affinity stays EPERM (runlock's filter), with or without cpus" {
	setup_bundle sh -c 'sleep 30 & taskset -p 0x1 $! >/dev/null 2>&1; echo other=$?; kill $!'
	update_config ".linux.resources.cpu = {cpus: \"$LAST\"}"
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line --index 0 other=1
}

@test "cpuset: CPUs runlock may not use and a subset of memory nodes are refused at create, named" {
	setup_bundle true
	update_config '.linux.resources.cpu = {cpus: "0-1000"}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'config.json: linux.resources.cpu.cpus: CPUs '
	assert_output --partial 'are not available (runlock may run on '
	update_config '.linux.resources.cpu = {cpus: "1-0"}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'config.json: linux.resources.cpu.cpus: \"1-0\" is not a list of numbers'
	local online
	online=$(cat /sys/devices/system/node/online 2>/dev/null || echo 0)
	update_config ".linux.resources.cpu = {mems: \"$online\"}"
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	update_config '.linux.resources.cpu = {mems: "7"}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'config.json: linux.resources.cpu.mems: \"7\" is not every online memory node'
	run ls -A "$RUNLOCK_STATE"
	assert_output ''
}

# nice of pid's process (field 19 of /proc/PID/stat).
nice_of() {
	awk '{ sub(/.*\) /, ""); print $17 }' "/proc/$1/stat"
}

@test "cpu: shares becomes the nearest nice (512: 3, 2: 19, 2048: -3) for init and exec'd processes; the container cannot raise it" {
	setup_bundle sh -c 'exec sleep 60'
	update_config '.linux.resources.cpu = {shares: 512}'
	start_container ctr
	run nice_of "$(pid_of ctr)"
	assert_output 3
	run runlock exec ctr sh -c 'awk "{ sub(/.*\\) /, \"\"); print \$17 }" /proc/self/stat; sysprobe nice 2'
	assert_success
	assert_line --index 0 3
	assert_line --index 1 EACCES # lowering nice needs CAP_SYS_NICE
	runlock delete -f ctr
	update_config '.linux.resources.cpu = {shares: 2}'
	start_container ctr
	run nice_of "$(pid_of ctr)"
	assert_output 19
	runlock delete -f ctr
	update_config '.linux.resources.cpu = {shares: 2048}'
	start_container ctr
	run nice_of "$(pid_of ctr)"
	assert_output -3
	run runlock exec ctr sh -c 'awk "{ sub(/.*\\) /, \"\"); print \$17 }" /proc/self/stat'
	assert_output -3
	runlock delete -f ctr
	# Control: no shares, the host's nice (0).
	update_config 'del(.linux.resources.cpu)'
	start_container ctr
	run nice_of "$(pid_of ctr)"
	assert_output 0
}

@test "cpu: idle 1 runs the container under SCHED_IDLE, which it cannot leave; idle 2 is refused" {
	setup_bundle sh -c 'grep "^policy" /proc/self/sched; sysprobe sched-other; grep "^policy" /proc/self/sched'
	update_config '.linux.resources.cpu = {idle: 1}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line --index 0 --regexp '^policy +: +5$'
	assert_line --index 1 EPERM
	assert_line --index 2 --regexp '^policy +: +5$'
	update_config '.linux.resources.cpu = {idle: 2}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'config.json: linux.resources.cpu.idle: 2 (expected 0 or 1)'
}
