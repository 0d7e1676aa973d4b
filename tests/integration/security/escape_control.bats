#!/usr/bin/env bats
# Issue 14, item 10: the supervisor's control socket serves the runtime's own
# caller only. Container processes run as root, so the socket's mode and the
# peer's uid do not keep them out: a peer inside the container (its chroot,
# or its Landlock domain by the membership oracle) is refused with EPERM,
# whatever path brought it to the socket.

load ../helpers
load security_helpers

CTLPEER="$RUNLOCK_HELPERS/ctlpeer"

refused_re='^error EPERM refused: peer [0-9]+ runs inside the container$'

start_sleeper() {
	sec_bundle
	set_argv sleep 100
	create_container ctr
	runlock start ctr
}

@test "control socket: a root process in the container's chroot is refused (EPERM); the host caller is served" {
	skip_unless_root
	skip_unless_helper ctlpeer
	start_sleeper
	[ -S "$RUNLOCK_STATE/ctr/ctl.sock" ]
	# Control: the same request from the host, and the runtime's own exec.
	run "$CTLPEER" ctl "$RUNLOCK_STATE/ctr/ctl.sock"
	assert_success
	assert_output --regexp '^pids [1-9][0-9]*$'
	run runlock exec ctr echo still-served
	assert_success
	assert_output still-served
	# The peer: root, chrooted into the container's rootfs, the socket
	# reached through its working directory.
	run "$CTLPEER" ctl "$RUNLOCK_STATE/ctr/ctl.sock" "$BUNDLE/rootfs"
	assert_success
	assert_output --regexp "$refused_re"
	run runlock exec ctr echo served-after
	assert_success
	assert_output served-after
}

@test "control socket: a container process that reaches it through a bind mount of the state directory is refused (EPERM)" {
	skip_unless_helper ctlpeer
	sec_bundle
	bind_mount /st "$RUNLOCK_STATE"
	set_argv sleep 100
	create_container ctr
	runlock start ctr
	# The socket is reachable from inside: the connect itself succeeds.
	run runlock exec ctr ctlpeer ctl /st/ctr/ctl.sock
	assert_success
	assert_output --regexp "$refused_re"
	# Control: the runtime itself is still served.
	run runlock ps ctr
	assert_success
}
