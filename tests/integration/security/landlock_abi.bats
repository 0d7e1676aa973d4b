#!/usr/bin/env bats
# Landlock ABI negotiation. runlock refuses, naming the feature and the ABI,
# when the kernel cannot express what the config needs, unless the
# allow-downgrade annotation says otherwise. Which path can be exercised
# depends on the kernel: the probe reads its ABI on the host.

load ../helpers
load security_helpers

host_landlock_abi() {
	local abi
	abi=$("$SYSPROBE" landlock-abi)
	[[ "$abi" =~ ^[0-9]+$ ]] || skip "Landlock is not available on this host ($abi)"
	echo "$abi"
}

# RUNLOCK_LANDLOCK_ABI_MAX makes runlock behave as on an older kernel (it can
# only lower the ABI), so the refusal and the downgrade run on any kernel.
@test "landlock: with ABI 5, the default config is refused naming the feature, the ABI and the annotation" {
	local abi
	abi=$(host_landlock_abi)
	[ "$abi" -ge 1 ] || skip "Landlock is not available on this host"
	sec_bundle
	RUNLOCK_LANDLOCK_ABI_MAX=5 ctr_run
	assert_failure 1
	[[ "$stderr" == *"LANDLOCK_SCOPE_SIGNAL"*"requires Landlock ABI 6"* ]] ||
		fail "no feature and ABI named in: $stderr"
	[[ "$stderr" == *io.github.runlock.landlock.allow-downgrade* ]] ||
		fail "no annotation named in: $stderr"

	# Control: the same config on the real ABI runs.
	ctr_run
	assert_success
}

@test "landlock: allow-downgrade=true runs on ABI 5 without the scopes, and says so" {
	sec_bundle
	start_host_sleep
	set_annotation io.github.runlock.landlock.allow-downgrade true
	RUNLOCK_LANDLOCK_ABI_MAX=5 probe "sysprobe kill $HOST_SLEEP_PID 0"
	assert_success
	# The loss is real (the signal scope is gone) and logged as a warning.
	assert_output --partial OK
	[[ "$stderr" == *"WITHOUT"* ]] || fail "no downgrade warning in: $stderr"
}

@test "landlock: downgraded to ABI 5, a pid namespace has no oracle: ps and kill --all still reach init's tree" {
	sec_bundle
	set_argv sleep 100
	set_annotation io.github.runlock.landlock.allow-downgrade true
	RUNLOCK_LANDLOCK_ABI_MAX=5 create_container ctr
	runlock start ctr
	run runlock ps --format json ctr
	assert_success
	assert_equal "$output" "[$(pid_of ctr)]"
	run runlock kill --all ctr KILL
	assert_success
	wait_for_status ctr stopped
}

# On a kernel that has every feature, the downgrade annotation has nothing to
# give up: it must not weaken anything. Checked on the network, signal and
# filesystem rules at once, each against a live target.
@test "landlock: allow-downgrade=true on a kernel with every feature weakens nothing" {
	local abi
	abi=$(host_landlock_abi)
	[ "$abi" -ge 6 ] || skip "this kernel has Landlock ABI $abi: the annotation really downgrades here"
	sec_bundle
	start_listener tcp TCP
	start_host_sleep
	start_abstract_listener
	set_annotation io.github.runlock.landlock.allow-downgrade true
	probe "sysprobe connect-tcp 127.0.0.1 $TCP_PORT; sysprobe kill $HOST_SLEEP_PID TERM;
		sysprobe connect-abstract $ABSTRACT_NAME; sysprobe open /etc/passwd w"
	assert_success
	assert_lines EACCES EPERM EPERM EACCES
	assert_equal "$(log_count "$TCP_LOG" accepted)" 0
	pid_alive "$HOST_SLEEP_PID"
	# The warning is only for losses; there are none.
	refute_output --partial "WITHOUT"
	[[ "$stderr" != *WITHOUT* ]] || fail "downgrade warning on a full kernel: $stderr"

	# Control: the same probes reach their targets once the config asks for
	# none of the restrictions.
	without_namespace network
	without_namespace pid
	without_namespace ipc
	set_readonly false
	probe "sysprobe connect-tcp 127.0.0.1 $TCP_PORT; sysprobe kill $HOST_SLEEP_PID TERM;
		sysprobe connect-abstract $ABSTRACT_NAME; sysprobe open /etc/passwd w"
	assert_success
	assert_lines OK OK OK OK
	wait_pid_gone "$HOST_SLEEP_PID"
}

@test "annotations: an unknown annotation is ignored and confinement still holds" {
	sec_bundle
	start_listener tcp TCP
	set_annotation io.github.runlock.no-such-annotation true
	set_annotation org.example.anything "1,2,3"
	probe "sysprobe connect-tcp 127.0.0.1 $TCP_PORT"
	assert_success
	assert_output EACCES
	assert_equal "$(log_count "$TCP_LOG" accepted)" 0
}
