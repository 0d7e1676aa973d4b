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
