#!/usr/bin/env bats
# Issue 14, items 1 and 9: what the supervisor opens for /dev/pts and for
# /proc's non-pid files. It must not follow anything the container can
# change (its /dev is a host directory the container writes), and it must
# open host files whose open the kernel checks against the opener (kmsg,
# kallsyms, root-only /proc files, sysctls) with the caller's credentials,
# not its own root ones (docs/mounts.md).

load ../helpers
load security_helpers

# start_holding_dev: a container whose init holds its /dev open as fd 3;
# sets DEV_DIR to the host directory behind it, as the host names it.
start_holding_dev() {
	sec_bundle
	set_script 'exec 3</dev; exec sleep 100'
	create_container ctr
	run runlock start ctr
	assert_success
	local init
	init=$(pid_of ctr)
	retry 5 test -L "/proc/$init/fd/3"
	DEV_DIR=$(readlink "/proc/$init/fd/3")
	[ -d "$DEV_DIR/pts" ] || fail "no pts placeholder in $DEV_DIR"
}

# The container can put a symlink where its /dev/pts placeholder was: by
# the CONTINUE race of issue 14 item 3 (tested with the races), or with any
# bind of its /dev. The host does it here, the same change made directly.
@test "devpts: a symlink in place of /dev's pts placeholder reaches no host file" {
	local secret="$BATS_TEST_TMPDIR/secret" hostdir="$BATS_TEST_TMPDIR/hostdir"
	echo host-secret >"$secret"
	chmod 600 "$secret"
	mkdir "$hostdir"
	touch "$hostdir/host-only-marker"
	# Control: the host file exists and root reads it; uid 1000 cannot.
	run cat "$secret"
	assert_output host-secret
	run setpriv --reuid 1000 --regid 1000 --clear-groups cat "$secret"
	assert_failure
	start_holding_dev
	mv "$DEV_DIR/pts" "$DEV_DIR/pts.real"
	ln -s "$secret" "$DEV_DIR/pts"
	# /dev/pts is a directory, the supervisor's own: EISDIR for a write
	# open and for a read, as the kernel answers for a directory.
	run runlock exec ctr sh -c 'sysprobe open /dev/pts rw; sysprobe read /dev/pts;
		sysprobe open /dev/pts w; (echo pwned >/dev/pts) 2>/dev/null || echo refused;
		stat -c %F /dev/pts'
	assert_success
	assert_lines EISDIR EISDIR EISDIR refused directory
	run cat "$secret"
	assert_output host-secret
	# A symlink to a host directory: /dev/pts lists nothing of it.
	rm "$DEV_DIR/pts"
	ln -s "$hostdir" "$DEV_DIR/pts"
	run runlock exec ctr sh -c 'ls -A /dev/pts; echo end'
	assert_success
	assert_lines end
	# Control: the symlink is there, and the host lists the marker through it.
	run ls "$DEV_DIR/pts/"
	assert_output host-only-marker
}

@test "devpts: a pty opened through /dev/ptmx is the caller's, and its slave opens" {
	sec_bundle
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe pty'
	assert_success
	assert_line --index 0 OK
	assert_line --index 1 uid=1000
	sec_bundle
	probe 'sysprobe pty'
	assert_success
	assert_line --index 0 OK
	assert_line --index 1 uid=0
}

# The host reuses a pty's number once the pty is gone: the container's
# having had number N does not make the host's later pty N its own.
@test "devpts: a pty number the container had, reused by the host, is ENOENT" {
	local n host_n
	sec_bundle
	set_args sleep 100
	create_container ctr
	run runlock start ctr
	assert_success
	run runlock exec ctr sysprobe pty
	assert_success
	assert_line --index 0 OK
	n=${lines[2]#pts=}
	# The host's next pty takes the lowest free number: the one just freed.
	"$SYSPROBE" pty-hold "$BATS_TEST_TMPDIR/pty" </dev/null >/dev/null 2>&1 3>&- &
	SEC_PIDS+=("$!")
	disown "$!"
	wait_for_file "$BATS_TEST_TMPDIR/pty" 5
	host_n=$(cat "$BATS_TEST_TMPDIR/pty")
	[ "$host_n" = "$n" ] || skip "the host's new pty is $host_n, not the container's former $n"
	# Control: the host's pty N is live, unlocked, and root opens it.
	run "$SYSPROBE" open "/dev/pts/$n" rw
	assert_output OK
	run runlock exec ctr sysprobe open "/dev/pts/$n" rw
	assert_success
	assert_output ENOENT
}

@test "devpts: a pty number not opened through the container's ptmx is ENOENT" {
	local n
	# Control: the host has a live pty the container never opened.
	exec 4<>/dev/ptmx
	n=$(sed -n 's/^tty-index:\t//p' /proc/self/fdinfo/4)
	[ -c "/dev/pts/$n" ] || fail "no host pty to aim at"
	sec_bundle
	grant_caps CAP_DAC_OVERRIDE
	probe "sysprobe open /dev/pts/$n rw"
	exec 4>&-
	assert_success
	assert_lines ENOENT
}

# /proc/kmsg: root-only 0400, and its open needs CAP_SYSLOG. Only opened,
# never read: a read would consume the host's log.
@test "proc: /proc/kmsg is EACCES for uid 1000 and EPERM for root without CAP_SYSLOG" {
	# Controls: the host gives the same answers; its root opens it.
	run "$SYSPROBE" open /proc/kmsg
	assert_output OK
	run setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all "$SYSPROBE" open /proc/kmsg
	assert_output EACCES
	run setpriv --inh-caps=-all --bounding-set=-syslog "$SYSPROBE" open /proc/kmsg
	assert_output EPERM
	sec_bundle
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe open /proc/kmsg'
	assert_success
	assert_lines EACCES
	sec_bundle
	probe 'sysprobe open /proc/kmsg'
	assert_success
	assert_lines EPERM
	# Control in the container: granted CAP_SYSLOG, root opens it.
	sec_bundle
	grant_caps CAP_SYSLOG
	probe 'sysprobe open /proc/kmsg'
	assert_success
	assert_lines OK
}

@test "proc: /proc/kallsyms shows zero addresses without CAP_SYSLOG, as the host does" {
	# Controls: host root sees addresses, the host's uid 1000 zeros.
	run head -1 /proc/kallsyms
	refute_output --regexp '^0{16} '
	run setpriv --reuid 1000 --regid 1000 --clear-groups head -1 /proc/kallsyms
	assert_output --regexp '^0{16} '
	sec_bundle
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'head -3 /proc/kallsyms; grep -vc "^0000000000000000 " /proc/kallsyms; true'
	assert_success
	assert_line --index 0 --regexp '^0{16} '
	assert_line --index 3 0
	sec_bundle
	probe 'grep -vc "^0000000000000000 " /proc/kallsyms; true'
	assert_output 0
	# Control in the container: with CAP_SYSLOG, root sees addresses.
	sec_bundle
	grant_caps CAP_SYSLOG
	probe 'head -1 /proc/kallsyms'
	assert_success
	refute_output --regexp '^0{16} '
}

@test "proc: root-only /proc files and sysctls are EACCES for uid 1000" {
	local f
	# Controls: root-only on the host, where uid 1000 gets EACCES.
	for f in /proc/slabinfo /proc/vmallocinfo /proc/sys/kernel/cad_pid; do
		[ "$(stat -c '%a %u' "$f")" = "400 0" ] || [ "$(stat -c '%a %u' "$f")" = "600 0" ] ||
			fail "$f is not root-only here"
		run setpriv --reuid 1000 --regid 1000 --clear-groups "$SYSPROBE" read "$f"
		assert_output EACCES
		run "$SYSPROBE" read "$f"
		assert_line --index 0 OK
	done
	sec_bundle
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe read /proc/slabinfo; sysprobe read /proc/vmallocinfo;
		sysprobe read /proc/sys/kernel/cad_pid; sysprobe read /proc/version;
		sysprobe access /proc/slabinfo r; sysprobe access /proc/version r'
	assert_success
	assert_line --index 0 EACCES
	assert_line --index 1 EACCES
	assert_line --index 2 EACCES
	assert_line --index 3 OK
	# access(2) says the same as the open (it answered 0 for every mode).
	assert_line --index 5 EACCES
	assert_line --index 6 OK
	# Control in the container: root owns them and reads them.
	sec_bundle
	probe 'sysprobe read /proc/slabinfo; sysprobe read /proc/sys/kernel/cad_pid'
	assert_success
	assert_line --index 0 OK
	assert_line --index 2 OK
}

# A directory that holds a mount point its tree lacks is listed from a
# snapshot; the real directory is read as the caller (the agent), not by
# the supervisor as root.
@test "merge: a directory uid 1000 may not read is EACCES, though it holds a mount point" {
	sec_bundle
	mkdir -m 0700 "$BUNDLE/rootfs/locked"
	touch "$BUNDLE/rootfs/locked/root-only-name"
	update_config '.mounts += [{destination: "/locked/mnt", type: "tmpfs", source: "tmpfs"}]'
	# Control: root lists the directory's own entry and the mount point.
	probe 'ls -A /locked | tr "\n" " "'
	assert_success
	assert_output "mnt root-only-name "
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'ls -A /locked 2>&1; echo status=$?'
	assert_success
	assert_line --partial "Permission denied"
	refute_output --partial root-only-name
	assert_line status=1
}
