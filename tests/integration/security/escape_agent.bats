#!/usr/bin/env bats
# The agent's work on behalf must reach no more than the caller could
# (DESIGN.md, principle 3), whatever the container renames meanwhile.
#
# * Two containers share a rw volume; one changes /data/f (chmod, chown,
#   utimes, truncate) while the other swaps it, by RENAME_EXCHANGE, with a
#   symlink ../secret: relative, so on the host it names a root-only file
#   beside the volume's source. The view resolves /data/l inside the
#   container (/secret: nothing there); an agent that followed the link
#   itself, from the source's directory outside its chroot, changed the
#   host's file.
# * A connect done on behalf is seen by the listener (SO_PEERCRED) as the
#   caller's euid and egid, not the agent's root; a socket file bound on
#   behalf is the caller's.

load ../helpers
load security_helpers

TRIES=${RUNLOCK_RACE_TRIES:-20000}

setup() {
	sec_setup
	skip_unless_root
	skip_unless_helper swaprace peercred
	sec_bundle
	set_readonly false
}

# volume: a host directory $VOL bound rw at /data, with a root-only 0600
# $SECRET beside it (outside the volume). Control: the host reaches the
# secret by the volume's relative path the container's symlink will hold.
# The container's root holds CAP_CHOWN and CAP_FOWNER (Podman's default
# set has them), so each change would succeed on the secret if reached.
volume() {
	grant_caps CAP_CHOWN CAP_FOWNER
	mkdir -p "$BATS_TEST_TMPDIR/host/vol"
	VOL="$BATS_TEST_TMPDIR/host/vol"
	SECRET="$BATS_TEST_TMPDIR/host/secret"
	chmod 0777 "$VOL"
	echo host-secret >"$SECRET"
	chmod 0600 "$SECRET"
	chown 0:0 "$SECRET"
	touch -d '2020-02-02 02:02:02' "$SECRET"
	echo data >"$VOL/f"
	ln -s ../secret "$VOL/l"
	run cat "$VOL/l"
	assert_success
	assert_output host-secret
	bind_mount /data "$VOL" rw
}

secret_state() {
	stat -c '%a %u:%g %Y %s' "$SECRET"
}

# ---- finding A: changes by name never follow a symlink on the host --------

@test "a rename race on a shared volume changes no host file beside it" {
	volume
	local before
	before=$(secret_state)
	[ "$before" = "600 0:0 $(date -d '2020-02-02 02:02:02' +%s) 12" ] || fail "secret: $before"
	cp -a "$BUNDLE" "$BATS_TEST_TMPDIR/bundle_b"
	# Container B swaps /data/f and /data/l until killed.
	set_script 'touch /data/ready; exec swaprace swap /data/f /data/l 120'
	start_foreground swapper
	wait_for_file "$VOL/ready"
	set_script "for op in chmod chown utime truncate; do echo \"\$op \$(swaprace \$op /data/f $TRIES)\"; done"
	ctr_run
	kill -KILL "$FG_PID" 2>/dev/null || true
	runlock delete -f swapper >/dev/null 2>&1 || true
	wait "$FG_PID" 2>/dev/null || true
	echo "$output"
	assert_success
	# The race ran: each call reached the volume's file some of the time.
	local op
	for op in chmod chown utime truncate; do
		assert_line --regexp "^$op ok=[1-9]"
	done
	run secret_state
	assert_output "$before"
	run cat "$SECRET"
	assert_output host-secret
}

@test "control: chmod, chown, utimes and truncate in a volume reach its files" {
	volume
	probe 'sysprobe chmod /data/f 4755; sysprobe truncate /data/f; sysprobe utime /data/f
		sysprobe chown /data/f 1000; sysprobe chmod /data/l 0644
		sysprobe utime /data/l; swaprace chown /data/l 1'
	assert_success
	# /data/l is ../secret inside the container: /secret, which does not exist.
	assert_lines OK OK OK OK ENOENT ENOENT "ok=0 ENOENT=1"
	# chown cleared the set-uid bit, as the kernel does for an executable.
	run stat -c '%a %u %Y %s' "$VOL/f"
	assert_output "755 1000 978307200 0"
	run secret_state
	assert_output "600 0:0 $(date -d '2020-02-02 02:02:02' +%s) 12"
}

@test "lchown in a volume changes the link itself, never its target" {
	volume
	probe 'chown -h 1000:1000 /data/l && echo OK'
	assert_success
	assert_output OK
	run stat -c '%u:%g' "$VOL/l"
	assert_output 1000:1000
	run secret_state
	assert_output "600 0:0 $(date -d '2020-02-02 02:02:02' +%s) 12"
}

# ---- finding B: connect and bind on behalf carry the caller's ids ---------

# listener COUNT: peercred on $SOCKDIR/daemon.sock for COUNT connections,
# its log in $PEERLOG; SOCKDIR bound at /run/d and the socket at /run/f.sock.
listener() {
	SOCKDIR="$BATS_TEST_TMPDIR/host/sock"
	PEERLOG="$BATS_TEST_TMPDIR/peercred.log"
	mkdir -p "$SOCKDIR"
	chmod 0755 "$SOCKDIR"
	"$RUNLOCK_HELPERS/peercred" "$SOCKDIR/daemon.sock" "$1" >"$PEERLOG" 2>&1 3>&- &
	SEC_PIDS+=("$!")
	wait_for_file "$SOCKDIR/daemon.sock"
	bind_mount /run/d "$SOCKDIR"
	bind_mount /run/f.sock "$SOCKDIR/daemon.sock"
}

@test "a connect on behalf is seen with the caller's uid and gid" {
	listener 2
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe connect-unix /run/d/daemon.sock; sysprobe connect-unix /run/f.sock'
	assert_success
	assert_lines OK OK
	retry 5 grep -c . "$PEERLOG" >/dev/null
	run cat "$PEERLOG"
	assert_lines "uid=1000 gid=1000" "uid=1000 gid=1000"
}

@test "control: a connect on behalf by the container's root is seen as root" {
	listener 2
	probe 'sysprobe connect-unix /run/d/daemon.sock; sysprobe connect-unix /run/f.sock'
	assert_success
	assert_lines OK OK
	run cat "$PEERLOG"
	assert_lines "uid=0 gid=0" "uid=0 gid=0"
}

@test "a socket bound on behalf by uid 1000 is owned by 1000, in a bind mount and a tmpfs" {
	volume
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe bind-unix /data/s.sock; sysprobe bind-unix /dev/shm/s.sock
		stat -c %u:%g /dev/shm/s.sock'
	assert_success
	assert_lines OK OK 1000:1000
	run stat -c '%F %u:%g' "$VOL/s.sock"
	assert_output "socket 1000:1000"
}
