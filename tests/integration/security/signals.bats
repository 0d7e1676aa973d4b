#!/usr/bin/env bats
# The pid namespace maps onto Landlock's signal scope: a container may signal
# its own processes and nothing outside.

load ../helpers
load security_helpers

@test "signal: with the pid namespace, a live host process cannot be signalled (EPERM) and survives" {
	sec_bundle
	start_host_sleep
	pid_alive "$HOST_SLEEP_PID"
	probe "sysprobe kill $HOST_SLEEP_PID 0; sysprobe kill $HOST_SLEEP_PID TERM; sysprobe kill $HOST_SLEEP_PID KILL"
	assert_success
	assert_lines EPERM EPERM EPERM
	sleep 0.1
	pid_alive "$HOST_SLEEP_PID" || fail "the host process $HOST_SLEEP_PID was killed from the container"
}

@test "signal: control: without the pid namespace, the same host process can be signalled" {
	sec_bundle
	without_namespace pid
	start_host_sleep
	probe "sysprobe kill $HOST_SLEEP_PID 0; sysprobe kill $HOST_SLEEP_PID TERM"
	assert_success
	assert_lines OK OK
	wait_pid_gone "$HOST_SLEEP_PID"
}

@test "signal: with the pid namespace, a sibling inside the container can be signalled" {
	sec_bundle
	# busybox sh starts a background job with stdin from /dev/null, which the
	# rootfs lacks while /dev is not emulated: an empty file stands in.
	: >"$BUNDLE/rootfs/dev/null"
	# The sibling's stdout and stderr are closed, or it would hold bats' pipe.
	probe 'sleep 100 >&- 2>&- & p=$!; sysprobe kill $p 0; sysprobe kill $p TERM;
		wait $p; echo "status $?"'
	assert_success
	assert_lines OK OK "status 143"
}

@test "signal: from an exec'd process, init can be signalled (HUP) and a live host process cannot (EPERM)" {
	sec_bundle
	set_readonly false
	set_script 'trap "echo hup >/got-hup" HUP; while :; do sleep 0.1; done'
	create_container ctr
	runlock start ctr
	start_host_sleep
	run runlock exec ctr sh -c "sysprobe kill 1 0; sysprobe kill $(pid_of ctr) HUP; sysprobe kill $HOST_SLEEP_PID 0; sysprobe kill $HOST_SLEEP_PID KILL"
	assert_success
	# pid 1 names the container's own init, as in a pid namespace
	# (tests/integration/pid1.bats), never the host's; a host process by
	# its pid is outside the container's domain.
	assert_lines OK OK EPERM EPERM
	wait_for_file "$BUNDLE/rootfs/got-hup"
	pid_alive "$HOST_SLEEP_PID" || fail "the host process was killed from the exec'd process"
}

@test "signal: control: without the pid namespace an exec'd process can signal the host process" {
	sec_bundle
	without_namespace pid
	set_argv sleep 100
	create_container ctr
	runlock start ctr
	start_host_sleep
	run runlock exec ctr sysprobe kill "$HOST_SLEEP_PID" KILL
	assert_success
	assert_output OK
	wait_pid_gone "$HOST_SLEEP_PID"
}

@test "pid: with the pid namespace, prlimit of a live host process is EPERM and changes nothing; of itself it works; without the namespace it reaches the host" {
	skip_unless_helper racer
	start_host_sleep
	local before
	before=$(grep 'Max core' "/proc/$HOST_SLEEP_PID/limits")
	sec_bundle
	probe "racer prlimit $HOST_SLEEP_PID; racer prlimit 0; racer nice 0"
	assert_success
	assert_lines EPERM OK OK
	assert_equal "$(grep 'Max core' "/proc/$HOST_SLEEP_PID/limits")" "$before"
	# Control: without the pid namespace the host process is reached.
	without_namespace pid
	probe "racer prlimit $HOST_SLEEP_PID"
	assert_success
	assert_output OK
	grep 'Max core' "/proc/$HOST_SLEEP_PID/limits" | grep -Eq ' 0 +0 '
}
