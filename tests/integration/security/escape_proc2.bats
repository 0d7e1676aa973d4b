#!/usr/bin/env bats
# Red-team findings on the emulated /proc and /dev/pts (docs/mounts.md,
# "/proc"): a stale member pid taken by a host process, /proc/PID files
# whose content the kernel gates on the opener's CAP_SYS_ADMIN, and the
# /dev/pts directory opened to create or write.

load ../helpers
load security_helpers

PROCPROBE=/usr/local/bin/procprobe

setup() {
	sec_setup
	skip_unless_helper procprobe
}

# as_uid1000: the container's process runs as uid and gid 1000.
as_uid1000() {
	update_config '.process.user = {uid: 1000, gid: 1000}'
}

# Finding 11: O_TMPFILE (and O_CREAT, O_RDWR) on the /dev/pts directory
# made a root-owned file with the caller's mode (07545) in the scratch tree.
@test "devpts: /dev/pts refuses O_TMPFILE, O_CREAT and writes as the host's devpts does" {
	# Control: the host's devpts root answers so, uid 1000 and root.
	run setpriv --reuid 1000 --regid 1000 --clear-groups "$RUNLOCK_HELPERS/procprobe" tmpfile /dev/pts
	assert_output EACCES
	run "$RUNLOCK_HELPERS/procprobe" tmpfile /dev/pts
	assert_output EOPNOTSUPP
	# Control: O_TMPFILE works in a directory the container may write.
	sec_bundle
	as_uid1000
	probe "$PROCPROBE tmpfile /dev/shm; $PROCPROBE tmpfile /dev/pts;
		sysprobe open /dev/pts creat; sysprobe open /dev/pts rw; sysprobe open /dev/pts dir"
	assert_success
	assert_line --index 0 --regexp '^OK [0-7]+ 1000$'
	assert_equal "${lines[*]:1}" "EACCES EISDIR EISDIR OK"
	# Root in the container: EOPNOTSUPP, as on the host; nothing is made.
	sec_bundle
	probe "$PROCPROBE tmpfile /dev/pts; sysprobe open /dev/pts w; ls -A /dev/pts; echo end"
	assert_success
	assert_lines EOPNOTSUPP EISDIR end
}
