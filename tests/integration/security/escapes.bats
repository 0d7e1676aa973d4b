#!/usr/bin/env bats
# The CONTINUE invariant (docs/security.md): no race on a path's memory, the
# working directory or the descriptor table takes a container process to the
# host. Each race runs tests/helpers/racer.c inside the container from every
# kind of place the view hands out, against a live host target that the test
# first shows reachable from the host; a win is a call that reached it.
# Before the invariant (a976aab) every connect, sendto and stat race below
# won within the first few hundred tries.

load ../helpers
load security_helpers

RACER="$RUNLOCK_HELPERS/racer"
# Tries per place (racer also stops after 10 s); the sanitizer run lowers it.
TRIES=${RUNLOCK_RACE_TRIES:-20000}
# A run races seven places one after the other.
RUNLOCK_CMD_TIMEOUT=150
PLACES="/dev /dev/shm /dev/mqueue /proc /sys /tmp /data"

setup() {
	sec_setup
	skip_unless_helper racer
	# A short host directory: a socket's path must fit in sun_path.
	HOST=$(mktemp -d /tmp/rl-esc.XXXXXX)
	chmod 0755 "$HOST"
}

teardown() {
	sec_teardown
	rm -rf "$HOST"
}

# start_unix_listener stream|dgram PATH: a live AF_UNIX listener of the
# host bound to PATH; UNIX_LOG gets a line per connection or datagram.
start_unix_listener() {
	local kind=unix ready="$BATS_TEST_TMPDIR/unix.ready" pid
	[ "$1" = dgram ] && kind=unixgram
	UNIX_LOG="$BATS_TEST_TMPDIR/unix.log"
	"$NETLISTEN" "$kind" "$2" "$ready" </dev/null >"$UNIX_LOG" 2>&1 3>&- &
	pid=$!
	disown "$pid"
	SEC_PIDS+=("$pid")
	wait_for_file "$ready" 5
}

# race_bundle: the spec's bundle with a tmpfs on /tmp and a directory bind
# mount on /data, so that every kind of place exists.
race_bundle() {
	sec_bundle
	mkdir -p "$BATS_TEST_TMPDIR/src"
	update_config '.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs",
		options: ["nosuid", "nodev"]}]'
	bind_mount /data "$BATS_TEST_TMPDIR/src" rw
}

# suid_racer_bind: a set-uid root copy of racer in $bin, bound read-only
# and nosuid at /bin2.
suid_racer_bind() {
	bin="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$bin"
	chmod 0755 "$bin"
	cp "$RACER" "$bin/racer"
	chown 0:0 "$bin/racer"
	chmod 4755 "$bin/racer"
	bind_mount /bin2 "$bin" ro nosuid
}

# race_all OP MODES TARGET: a script running racer OP for every mode and
# place; prints one "MODE PLACE wins=..." line each.
race_all() {
	local op=$1 modes=$2 target=$3 script="" m p
	for m in $modes; do
		for p in $PLACES; do
			script+="printf '%s %s ' $m $p; racer $op $m $p $target $TRIES; "
		done
	done
	probe "$script"
}

# assert_no_wins: every racer line says wins=0 (and ran its tries).
assert_no_wins() {
	assert_success
	refute_output --regexp 'wins=[1-9]'
	assert_output --partial 'wins=0'
	refute_output --partial 'tries=0'
}

@test "escape: connect to a live host UNIX socket, racing the path from a cwd in every mount kind" {
	race_bundle
	start_unix_listener stream "$HOST/s"
	# Control: the socket answers on the host, and in the container through
	# a bind mount of it (the view's own way there).
	host_probe connect-unix "$HOST/s"
	assert_output OK
	bind_mount /run/s.sock "$HOST/s"
	race_all connect cwd "$HOST/s"
	assert_no_wins
	assert_equal "$(grep -c . "$UNIX_LOG")" 1
	probe 'sysprobe connect-unix /run/s.sock'
	assert_output OK
}

@test "escape: sendto a live host datagram socket, racing the path from a cwd in every mount kind" {
	race_bundle
	start_unix_listener dgram "$HOST/d"
	run "$RACER" sendto cwd / "$HOST/d" 1
	assert_output --partial 'wins=1'
	race_all sendto cwd "$HOST/d"
	assert_no_wins
	# Only the host control's datagram arrived.
	assert_equal "$(grep -c received "$UNIX_LOG")" 1
}

# race_file_op OP MODES: race OP on a root-only host file, from every place
# and through every mode; the file stays as it was.
race_file_op() {
	race_bundle
	set_readonly false # Podman's default: the rootfs writable, chmod not EROFS
	echo secret >"$HOST/f"
	chmod 0600 "$HOST/f"
	# Control: the probe's call reaches the file from the host.
	run "$RACER" "$1" cwd / "$HOST/f" 1
	assert_output --partial 'wins=1'
	chmod 0600 "$HOST/f"
	race_all "$1" "$2" "$HOST/f"
	assert_no_wins
	assert_equal "$(stat -c %a "$HOST/f")" 600
	assert_equal "$(cat "$HOST/f")" secret
}

@test "escape: stat of a root-only host file, racing the path from a cwd in every mount kind" {
	race_file_op stat cwd
}

@test "escape: stat of a host file through a directory fd, one received by SCM_RIGHTS, and dup2 onto a dirfd" {
	race_file_op stat "dirfd scm dup2"
}

@test "escape: open of a root-only host file, racing path, cwd, dirfd, SCM_RIGHTS and dup2" {
	race_file_op open "cwd dirfd scm dup2"
}

@test "escape: chmod of a root-only host file (writable rootfs), racing path, cwd, dirfd, SCM_RIGHTS and dup2" {
	race_file_op chmod "cwd dirfd scm dup2"
}

@test "escape: inotify watch on a host directory, racing the path from a cwd in every mount kind" {
	race_bundle
	run "$RACER" inotify cwd / "$HOST" 1
	assert_output --partial 'wins=1'
	race_all inotify cwd "$HOST"
	assert_no_wins
}

@test "escape: the kernel's working directory of a process that cd'd into a mount stays inside the root" {
	race_bundle
	set_script 'cd /dev/shm && exec sleep 30'
	start_container c1
	local pid cwd root
	pid=$(pid_of c1)
	wait_for_exec "$pid" sleep
	cwd=$(readlink "/proc/$pid/cwd")
	root=$(readlink -f "$BUNDLE/rootfs")
	[[ "$cwd" == "$root" || "$cwd" == "$root"/* ]] || fail "cwd $cwd is outside the root $root"
	# Control: the container sees the directory it asked for.
	run runlock exec c1 sh -c 'cd /dev/shm && pwd && touch x && ls'
	assert_success
	assert_lines /dev/shm x
}

@test "fs: cd into a mount by chdir and fchdir: pwd, relative paths and children follow the view" {
	race_bundle
	echo in-data >"$BATS_TEST_TMPDIR/src/f"
	mkdir "$BATS_TEST_TMPDIR/src/sub"
	probe 'cd /data && pwd && cat f && cd sub && pwd && cat ../f && sh -c "pwd; cat ../f" &&
		cd .. && ls && cd / && pwd && cat etc/passwd | head -1'
	assert_success
	assert_lines /data in-data /data/sub in-data /data/sub in-data f sub / root:x:0:0:root:/root:/bin/sh
	# A subshell forked in /data, before its parent moved on, keeps /data
	# for what it runs later; one forked after the move has the new one.
	probe 'cd /data; (sleep 0.3; /bin/pwd) & sleep 0.1; cd /; /bin/pwd; wait'
	assert_success
	assert_lines / /data
	# fchdir: to a mount's directory and to a rootfs one.
	probe 'racer fchdir /data/sub ../f; racer fchdir /etc passwd'
	assert_success
	assert_lines /data/sub in-data /etc root:x:0:0:root:/root:/bin/sh
}

@test "nosuid: a set-uid root program of a nosuid bind gives no euid 0 through execveat(dirfd, name) nor fexecve; without nosuid it does" {
	race_bundle
	update_config '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}'
	suid_racer_bind
	probe '/bin2/racer euid || echo "rc=$?"; racer exec-dirfd /bin2 racer; racer exec-fd /bin2/racer'
	assert_success
	assert_lines rc=126 EPERM euid=1000
	# Control: with no nosuid mount in the table the same program gives
	# euid 0 every way.
	update_config '.mounts |= map(select(.destination != "/bin2"))
		| .mounts |= map(.options |= (. // [] | map(select(. != "nosuid"))))'
	bind_mount /bin2 "$bin" ro
	probe '/bin2/racer euid; racer exec-dirfd /bin2 racer; racer exec-fd /bin2/racer'
	assert_success
	assert_lines euid=0 euid=0 euid=0
}

@test "escape: chroot(2) is EPERM even with CAP_SYS_CHROOT; in a plain chroot it leads out to the host" {
	race_bundle
	set_readonly false
	grant_caps CAP_SYS_CHROOT
	echo secret >"$HOST/f"
	# Control: in a plain chroot of the same rootfs (what the kernel gives a
	# process with CAP_SYS_CHROOT), a deeper chroot walks out to the host.
	mkdir -p "$BUNDLE/rootfs/tmp/x"
	run chroot "$BUNDLE/rootfs" /usr/local/bin/racer chroot-escape /tmp/x "$HOST/f"
	assert_output "stat OK"
	probe "racer chroot-escape /tmp/x $HOST/f"
	assert_success
	assert_output "chroot EPERM"
}

@test "nosuid: a container filter that fakes prctl(PR_SET_NO_NEW_PRIVS) gets EPERM, not euid 0, from fexecve of a set-uid program of a nosuid bind" {
	race_bundle
	update_config '.process.noNewPrivileges = false'
	grant_caps CAP_SYS_ADMIN CAP_SETUID CAP_SETGID
	suid_racer_bind
	# Control: without the fake, the switch's no_new_privs holds euid 1000.
	probe 'racer as-uid 1000 racer exec-fd /bin2/racer;
		racer fake-nnp racer as-uid 1000 racer exec-fd /bin2/racer'
	assert_success
	assert_lines euid=1000 EPERM
}

@test "nosuid: a set-uid root program the container's root made in a nosuid tmpfs gives uid 1000 no euid 0 by fexecve; without nosuid it does" {
	race_bundle
	update_config '.process.noNewPrivileges = false'
	grant_caps CAP_SETUID CAP_SETGID CAP_FOWNER CAP_CHOWN
	update_config '.mounts += [{destination: "/suid", type: "tmpfs", source: "tmpfs",
		options: ["nosuid", "mode=755"]}]'
	local script='cp /usr/local/bin/racer /suid/r && chmod 4755 /suid/r &&
		racer as-uid 1000 racer exec-fd /suid/r'
	probe "$script"
	assert_success
	assert_output euid=1000
	# Control: with no nosuid mount in the table, the kernel grants it.
	update_config '.mounts |= map(.options |= (. // [] | map(select(. != "nosuid"))))'
	probe "$script"
	assert_success
	assert_output euid=0
}

@test "escape: a writable bind mount of a directory holding the rootfs is refused at create; read-only it runs" {
	sec_bundle
	# From such a mount, a rename on behalf would move a rootfs directory
	# (some process's working directory) out of the root.
	bind_mount /host "$BUNDLE" rw
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure 1
	assert_output --partial "mounts[7]: a writable bind mount of $(readlink -f "$BUNDLE") holds the container's rootfs"
	run runlock list -q
	assert_output ""
	# Control: read-only, the container sees the bundle.
	update_config '.mounts |= map(select(.destination != "/host"))'
	bind_mount /host "$BUNDLE" ro
	probe 'ls /host/rootfs/bin/busybox'
	assert_success
	assert_output /host/rootfs/bin/busybox
}
