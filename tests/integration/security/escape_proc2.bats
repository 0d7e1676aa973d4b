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

# Finding 6: /proc/PID files were opened with the supervisor's credentials,
# which the file keeps for its reads: uid 1000 read real PFNs from
# /proc/self/pagemap and read /proc/self/stack.
@test "proc: pagemap PFNs and the kernel stack need CAP_SYS_ADMIN, as on the host" {
	# Control: on the host, root sees PFNs and the stack; uid 1000 neither.
	run "$RUNLOCK_HELPERS/procprobe" pagemap
	assert_output --regexp '^OK pfn=[1-9][0-9]*$'
	run "$RUNLOCK_HELPERS/procprobe" stack
	assert_output OK
	run setpriv --reuid 1000 --regid 1000 --clear-groups "$RUNLOCK_HELPERS/procprobe" pagemap
	assert_output "OK pfn=0"
	run setpriv --reuid 1000 --regid 1000 --clear-groups "$RUNLOCK_HELPERS/procprobe" stack
	assert_output EACCES
	# uid 1000 in the container: the same as on the host, and its own
	# environ and mem still open.
	sec_bundle
	as_uid1000
	probe "$PROCPROBE pagemap; $PROCPROBE stack; sysprobe open /proc/self/environ r;
		sysprobe open /proc/self/mem r"
	assert_success
	assert_lines "OK pfn=0" EACCES OK OK
	# Root without CAP_SYS_ADMIN (runc's default set): no more.
	sec_bundle
	probe "$PROCPROBE pagemap; $PROCPROBE stack"
	assert_success
	assert_lines "OK pfn=0" EACCES
	# Control: root granted CAP_SYS_ADMIN sees both, as root on the host.
	sec_bundle
	grant_caps CAP_SYS_ADMIN
	probe "$PROCPROBE pagemap; $PROCPROBE stack"
	assert_success
	assert_line --index 0 --regexp '^OK pfn=[1-9][0-9]*$'
	assert_line --index 1 OK
}

# Finding 1: the member cache kept the pid of a dead member; a host process
# given that pid was then "a member", and its environ, mem and cwd were
# opened as root. The pid is handed to a host process here by setting
# ns_last_pid (the host's pid namespace) just below it, instead of burning
# the whole pid space.
@test "proc: a dead member's pid taken by a host process shows nothing of it" {
	skip_unless_root
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "ns_last_pid is not writable"
	local x="$BATS_TEST_TMPDIR/x" m hp=0 try
	mkdir "$x"
	sec_bundle
	bind_mount /x "$x"
	# The member carries a token of its own: the container reads it (the
	# cache lists the member), kills it, and waits for the host.
	set_script 'MEMBER_TOKEN=member-secret sleep 100 & m=$!
		ls /proc >/dev/null
		tr "\0" "\n" </proc/$m/environ | grep TOKEN >/x/out
		kill $m; wait $m; echo $m >/x/pid
		while [ ! -e /x/go ]; do sleep 0.1; done
		{ sysprobe open /proc/$m/environ r; sysprobe open /proc/$m/mem r
		  sysprobe open /proc/$m/status r; readlink /proc/$m/cwd || echo nolink
		  ls /proc | grep -cx $m; } >>/x/out 2>/dev/null
		touch /x/done; exec sleep 100'
	create_container ctr
	run runlock start ctr
	assert_success
	wait_for_file "$x/pid"
	m=$(cat "$x/pid")
	# A host process with a secret takes the freed pid.
	for try in 1 2 3 4 5; do
		echo $((m - 1)) >/proc/sys/kernel/ns_last_pid
		HOST_SECRET_TOKEN=host-secret sleep 100 >/dev/null 2>&1 3>&- &
		hp=$!
		disown "$hp"
		SEC_PIDS+=("$hp")
		[ "$hp" = "$m" ] && break
		kill -KILL "$hp"
		kill -0 "$m" 2>/dev/null && skip "another host process took pid $m"
	done
	[ "$hp" = "$m" ] || skip "no host process got pid $m"
	# Control: the host process holds the secret, under the member's pid.
	run grep -c HOST_SECRET_TOKEN=host-secret "/proc/$m/environ"
	assert_output 1
	touch "$x/go"
	wait_for_file "$x/done"
	run cat "$x/out"
	# The member's own token was read while it lived; the host process
	# is not in the container: no environ, mem, status, cwd, listing.
	assert_lines MEMBER_TOKEN=member-secret ENOENT ENOENT ENOENT nolink 0
}
