#!/usr/bin/env bats
# The bundle's linux.seccomp profile, compiled as written and installed next
# to runlock's own filter. Each rule is checked against the same program run
# without the profile (the control), where the call succeeds.

load ../helpers
load security_helpers

profile_allow_with() {
	jq -cn --argjson rules "$1" '{
		defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: $rules}'
}

@test "profile: SCMP_ACT_ERRNO with errnoRet 38 makes mkdir fail with ENOSYS; without the profile it works" {
	sec_bundle
	set_readonly false
	set_script 'sysprobe mkdir /tmp/d1; sysprobe open /tmp/f creat'
	ctr_run
	assert_success
	assert_lines OK OK

	set_seccomp "$(profile_allow_with '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]')"
	set_script 'sysprobe mkdir /tmp/d2; sysprobe open /tmp/g creat'
	ctr_run
	assert_success
	assert_lines ENOSYS OK
	[ -d "$BUNDLE/rootfs/tmp/d1" ]
	[ ! -e "$BUNDLE/rootfs/tmp/d2" ]
}

@test "profile: SCMP_ACT_ERRNO without errnoRet answers EPERM" {
	sec_bundle
	set_readonly false
	set_seccomp "$(profile_allow_with '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]')"
	probe 'sysprobe mkdir /tmp/d'
	assert_success
	assert_output EPERM
}

@test "profile: SCMP_ACT_KILL on getpid kills the process (SIGSYS, exit 159); without the profile it works" {
	sec_bundle
	set_argv sysprobe getpid
	ctr_run
	assert_success
	assert_output OK

	set_seccomp "$(profile_allow_with '[{"names": ["getpid"], "action": "SCMP_ACT_KILL"}]')"
	ctr_run
	assert_failure 159
	assert_output ""

	set_seccomp "$(profile_allow_with '[{"names": ["getpid"], "action": "SCMP_ACT_KILL_PROCESS"}]')"
	ctr_run
	assert_failure 159
	assert_output ""
}

@test "profile: an argument comparison (kill, args[1] == 9) denies SIGKILL and lets SIGTERM through" {
	sec_bundle
	: >"$BUNDLE/rootfs/dev/null" # busybox sh opens it for background jobs
	# Control: without the profile, SIGKILL goes through.
	probe 'sleep 100 >&- 2>&- & p=$!; sysprobe kill $p KILL; wait $p; echo "status $?"'
	assert_success
	assert_lines OK "status 137"

	set_seccomp "$(profile_allow_with '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
		"args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}]')"
	probe 'sleep 100 >&- 2>&- & p=$!; sysprobe kill $p KILL; sysprobe kill $p 0;
		sysprobe kill $p TERM; wait $p; echo "status $?"'
	assert_success
	assert_lines EDOM OK OK "status 143"
}

# The kernel takes the strictest answer of all filters: an allow-list profile
# that explicitly allows io_uring_setup and unshare does not undo runlock's
# EPERM for them, while the calls it allows and runlock does not deny pass, and
# the calls it does not list get its default errno (EDOM here).
@test "profile: an allow-list profile cannot allow what runlock's filter denies" {
	sec_bundle
	set_readonly false
	grant_caps CAP_SYS_ADMIN
	set_seccomp "$(jq -cn '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 33,
		architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["execve", "brk", "arch_prctl", "set_tid_address",
			"set_robust_list", "rseq", "prlimit64", "readlink", "readlinkat", "mprotect",
			"getrandom", "newfstatat", "fstat", "ioctl", "write", "close", "exit_group",
			"uname", "mmap", "munmap", "getpid", "io_uring_setup", "unshare"],
			action: "SCMP_ACT_ALLOW"}]}')"
	for cmd in getpid io-uring "unshare uts" "mkdir /tmp/d"; do
		# shellcheck disable=SC2086
		set_argv sysprobe $cmd
		ctr_run
		assert_success
		echo "$cmd: $output" >>"$BATS_TEST_TMPDIR/results"
	done
	run cat "$BATS_TEST_TMPDIR/results"
	assert_lines "getpid: OK" "io-uring: EPERM" "unshare uts: EPERM" "mkdir /tmp/d: EDOM"
}

@test "profile: listenerPath is refused at create, naming the field" {
	sec_bundle
	set_seccomp "$(jq -cn '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/run/agent.sock"}')"
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial "linux.seccomp.listenerPath"
	run runlock state ctr
	assert_failure

	# Control: the same profile without listenerPath is accepted.
	set_seccomp "$(jq -cn '{defaultAction: "SCMP_ACT_ALLOW"}')"
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 0
}

# The config validator reports a NOTIFY action without listenerPath first
# (the runtime spec requires one), and the compiler refuses listenerPath: so
# both messages are checked to name SCMP_ACT_NOTIFY / the field.
@test "profile: SCMP_ACT_NOTIFY is refused at create, naming the field" {
	sec_bundle
	set_seccomp "$(profile_allow_with '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["getpid"], "action": "SCMP_ACT_NOTIFY"}]')"
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial "linux.seccomp"
	assert_output --partial "SCMP_ACT_NOTIFY"
	run runlock state ctr
	assert_failure

	update_config '.linux.seccomp.listenerPath = "/run/agent.sock"'
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial "linux.seccomp.listenerPath: not supported"

	set_seccomp "$(jq -cn '{defaultAction: "SCMP_ACT_NOTIFY"}')"
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial "SCMP_ACT_NOTIFY"

	# Control: the same profile with SCMP_ACT_ERRNO is accepted.
	set_seccomp "$(profile_allow_with '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}]')"
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 0
}
