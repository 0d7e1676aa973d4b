#!/usr/bin/env bats
# runlock's mandatory seccomp filter (runtime/confine/seccomp_runlock.c): namespaces,
# the mount API, device nodes, io_uring, x32, and the same through the i386
# entry.
#
# Where the kernel would refuse anyway for lack of a capability, the
# container is given that capability (CAP_SYS_ADMIN, CAP_MKNOD), and the probe
# checks it holds it: the denial then comes from runlock's rule alone. The
# controls run the same probe on the host, outside any container, as root.

load ../helpers
load security_helpers

# The capability bit is set in the container's effective set.
assert_cap_held() {
	local eff
	eff=$(sed -n 's/^CapEff: //p' <<<"$1")
	[ -n "$eff" ] || fail "no CapEff line in: $1"
	(((0x$eff >> $(cap_bit "$2")) & 1)) || fail "CapEff $eff lacks $2"
}

@test "seccomp: mknod of a char or block device is EPERM even with CAP_MKNOD; a FIFO is OK" {
	sec_bundle
	set_readonly false
	grant_caps CAP_MKNOD
	# Control on the host: the same device nodes can be made.
	host_probe mknod "$BATS_TEST_TMPDIR/null" c
	assert_output OK
	host_probe mknod "$BATS_TEST_TMPDIR/loop" b
	assert_output OK

	probe 'sysprobe getcaps; sysprobe mknod /tmp/null c; sysprobe mknod /tmp/loop b;
		sysprobe mknod /tmp/fifo p'
	assert_success
	assert_cap_held "$output" MKNOD
	assert_equal "$(tail -n 3 <<<"$output")" "$(printf 'EPERM\nEPERM\nOK')"
	[ ! -e "$BUNDLE/rootfs/tmp/null" ]
	[ -p "$BUNDLE/rootfs/tmp/fifo" ]
}

@test "seccomp: mount(2) is EPERM even with CAP_SYS_ADMIN" {
	skip_unless_cmd unshare
	sec_bundle
	set_readonly false
	grant_caps CAP_SYS_ADMIN
	mkdir -p "$BATS_TEST_TMPDIR/mnt"
	# Control on the host, in a private mount namespace so nothing shows.
	run --separate-stderr unshare -m --propagation private "$SYSPROBE" mount "$BATS_TEST_TMPDIR/mnt"
	assert_output OK

	probe 'sysprobe getcaps; sysprobe mount /tmp'
	assert_success
	assert_cap_held "$output" SYS_ADMIN
	assert_equal "${lines[-1]}" EPERM
}

# In a chroot the kernel itself refuses a new user namespace (EPERM), so this
# one would pass without runlock's rule too; unshare of the other namespace
# types (next test) is the one that shows the rule.
@test "seccomp: unshare(CLONE_NEWUSER) is EPERM" {
	sec_bundle
	host_probe unshare-user
	assert_output OK

	probe 'sysprobe unshare-user'
	assert_success
	assert_output EPERM
}

@test "seccomp: unshare of uts, ipc, net, mnt namespaces is EPERM even with CAP_SYS_ADMIN" {
	sec_bundle
	grant_caps CAP_SYS_ADMIN
	local ns
	for ns in uts ipc net mnt; do
		host_probe unshare "$ns"
		assert_output OK
	done

	probe 'sysprobe getcaps; for ns in uts ipc net mnt; do sysprobe unshare $ns; done'
	assert_success
	assert_cap_held "$output" SYS_ADMIN
	assert_equal "$(tail -n 4 <<<"$output")" "$(printf 'EPERM\nEPERM\nEPERM\nEPERM')"
}

@test "seccomp: setns(2) into a namespace passed in as a preserved fd is EPERM even with CAP_SYS_ADMIN" {
	sec_bundle
	grant_caps CAP_SYS_ADMIN
	# The caller's own uts namespace: joining it is harmless, and allowed on the host.
	run --separate-stderr "$SYSPROBE" setns-fd 3 3</proc/self/ns/uts
	assert_output OK

	set_script 'sysprobe getcaps; sysprobe setns-fd 3'
	ctr_run_fd3 /proc/self/ns/uts
	assert_success
	assert_cap_held "$output" SYS_ADMIN
	assert_equal "${lines[-1]}" EPERM
}

@test "seccomp: clone(CLONE_NEWNS) is EPERM even with CAP_SYS_ADMIN; a plain fork works" {
	sec_bundle
	grant_caps CAP_SYS_ADMIN
	host_probe clone-newns
	assert_output OK

	probe 'sysprobe getcaps; sysprobe clone-newns; sh -c "exit 7"; echo "fork $?"'
	assert_success
	assert_cap_held "$output" SYS_ADMIN
	assert_equal "$(tail -n 2 <<<"$output")" "$(printf 'EPERM\nfork 7')"
}

@test "seccomp: clone3 is ENOSYS (flags in memory: libc falls back to clone)" {
	sec_bundle
	grant_caps CAP_SYS_ADMIN
	host_probe clone3-newns
	assert_output OK

	probe 'sysprobe getcaps; sysprobe clone3-newns'
	assert_success
	assert_cap_held "$output" SYS_ADMIN
	assert_equal "${lines[-1]}" ENOSYS
}

@test "seccomp: io_uring_setup is EPERM" {
	[ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" = 0 ] ||
		skip "io_uring is disabled on this host (kernel.io_uring_disabled)"
	sec_bundle
	host_probe io-uring
	assert_output OK

	probe 'sysprobe io-uring'
	assert_success
	assert_output EPERM
}

@test "seccomp: an x32 system call kills the process (SIGSYS, exit 159); the x86_64 one works" {
	sec_bundle
	# Control on the host: the x32 call returns (ENOSYS when x32 is not built in).
	host_probe x32-getpid
	assert_success
	assert_output --regexp '^(OK|ENOSYS)$'

	probe 'sysprobe getpid'
	assert_success
	assert_output OK

	set_argv sysprobe x32-getpid
	ctr_run
	assert_failure 159
	assert_output ""
}

# ---- the i386 entry (int $0x80 from the 64-bit probe) ---------------------

@test "seccomp i386: int \$0x80 getpid works inside (the ABI is allowed, not killed)" {
	skip_unless_int80
	sec_bundle
	probe 'sysprobe int80 getpid'
	assert_success
	assert_output OK
}

@test "seccomp i386: unshare, clone(CLONE_NEWNS), mount are EPERM, clone3 ENOSYS, with CAP_SYS_ADMIN" {
	skip_unless_int80
	skip_unless_cmd unshare
	sec_bundle
	set_readonly false
	grant_caps CAP_SYS_ADMIN
	mkdir -p "$BATS_TEST_TMPDIR/mnt"
	# Controls on the host, through the same i386 entry.
	host_probe int80 unshare uts
	assert_output OK
	host_probe int80 clone-newns
	assert_output OK
	host_probe int80 clone3-newns
	assert_output OK
	run --separate-stderr unshare -m --propagation private "$SYSPROBE" int80 mount "$BATS_TEST_TMPDIR/mnt"
	assert_output OK

	probe 'sysprobe getcaps; sysprobe int80 unshare uts; sysprobe int80 unshare user;
		sysprobe int80 clone-newns; sysprobe int80 clone3-newns; sysprobe int80 mount /tmp'
	assert_success
	assert_cap_held "$output" SYS_ADMIN
	assert_equal "$(tail -n 5 <<<"$output")" "$(printf 'EPERM\nEPERM\nEPERM\nENOSYS\nEPERM')"
}

@test "seccomp i386: io_uring_setup and mknod of a char device are EPERM; mknod of a FIFO is OK" {
	skip_unless_int80
	[ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" = 0 ] ||
		skip "io_uring is disabled on this host (kernel.io_uring_disabled)"
	sec_bundle
	set_readonly false
	grant_caps CAP_MKNOD
	host_probe int80 io-uring
	assert_output OK
	host_probe int80 mknod "$BATS_TEST_TMPDIR/null" c
	assert_output OK

	probe 'sysprobe int80 io-uring; sysprobe int80 mknod /tmp/null c; sysprobe int80 mknod /tmp/fifo p'
	assert_success
	assert_lines EPERM EPERM OK
}

@test "seccomp i386: without network, socket(AF_INET, SOCK_DGRAM) and socketcall are EACCES; with host networking OK" {
	skip_unless_int80
	sec_bundle
	probe 'sysprobe int80 socket-udp; sysprobe int80 socketcall-udp'
	assert_success
	assert_lines EACCES EACCES

	without_namespace network
	probe 'sysprobe int80 socket-udp; sysprobe int80 socketcall-udp'
	assert_success
	assert_lines OK OK
}
