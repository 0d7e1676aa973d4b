#!/usr/bin/env bats
# Rootless Podman driving runlock (issue 13): an unprivileged user with
# /etc/subuid and /etc/subgid ranges runs `podman --runtime runlock`, and
# runlock runs as uid 0 of Podman's user namespace. Needs root (to create
# the user), podman, conmon and uidmap (newuidmap/newgidmap):
#
#   bats tests/clients/podman_rootless.bats        (after make && make rootfs)
#
# The user (RL_ROOTLESS_USER, default rlrootless) is created here when
# missing, with a subordinate range; everything of Podman's (storage, run
# directory, XDG_RUNTIME_DIR) lives in one private directory the user
# owns. slirp4netns cannot open /dev/net/tun on this machine (runc fails
# the same), so every container runs with --network none.

load ../integration/helpers.bash

IMAGE=localhost/rlbusybox:latest
RL_ROOTLESS_USER=${RL_ROOTLESS_USER:-rlrootless}
# See podman.bats: the hard limits must stay within ours.
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

setup_file() {
	command -v podman >/dev/null && command -v conmon >/dev/null ||
		skip "podman/conmon not installed (contrib/install-deps.sh podman conmon)"
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
		skip "newuidmap/newgidmap not installed (contrib/install-deps.sh uidmap)"
	[ "$(id -u)" -eq 0 ] || skip "needs root (creates the test user)"
	if ! id "$RL_ROOTLESS_USER" >/dev/null 2>&1; then
		useradd -M -d /nonexistent -s /bin/sh "$RL_ROOTLESS_USER"
		touch "$BATS_FILE_TMPDIR/user-created"
	fi
	local f
	for f in /etc/subuid /etc/subgid; do
		grep -q "^$RL_ROOTLESS_USER:" "$f" 2>/dev/null ||
			echo "$RL_ROOTLESS_USER:300000:65536" >>"$f"
	done
	# Below /tmp, not $BATS_FILE_TMPDIR: bats' directories are root's 0700.
	RL_RL_DIR=$(mktemp -d /tmp/runlock-rootless.XXXXXX)
	export RL_RL_DIR
	mkdir -p "$RL_RL_DIR/run" "$RL_RL_DIR/home" "$RL_RL_DIR/tmp"
	chmod 0700 "$RL_RL_DIR/run"
	local rl=${RUNLOCK:-$BATS_TEST_DIRNAME/../../build/runlock}
	# The runtime must be one the user can run: a copy it can read.
	install -m 0755 "$rl" "$RL_RL_DIR/runlock"
	tar -C "${RUNLOCK_ROOTFS:-$BATS_TEST_DIRNAME/../../build/rootfs/busybox}" -c . \
		>"$RL_RL_DIR/rootfs.tar"
	chown -R "$RL_ROOTLESS_USER:" "$RL_RL_DIR"
	upod import "$RL_RL_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${RL_RL_DIR:-}" ] || return 0
	upod rm -a -f -t 0 >/dev/null 2>&1 || true
	upod system reset -f >/dev/null 2>&1 || true
	# Podman's pause process holds the user namespace (and the user).
	local pause
	pause=$(cat "$RL_RL_DIR/run/libpod/tmp/pause.pid" 2>/dev/null) || true
	[ -z "$pause" ] || kill -KILL "$pause" 2>/dev/null || true
	rm -rf "$RL_RL_DIR"
	if [ -f "$BATS_FILE_TMPDIR/user-created" ]; then
		sed -i "/^$RL_ROOTLESS_USER:/d" /etc/subuid /etc/subgid
		userdel "$RL_ROOTLESS_USER" 2>/dev/null || true
	fi
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# upod ARGS...: podman as the unprivileged user, private storage, runlock.
upod() {
	timeout -k 5 90 runuser -u "$RL_ROOTLESS_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$RL_RL_DIR/home" USER="$RL_ROOTLESS_USER" XDG_RUNTIME_DIR="$RL_RL_DIR/run" \
		podman --root "$RL_RL_DIR/storage" --runroot "$RL_RL_DIR/runroot" \
		--tmpdir "$RL_RL_DIR/tmp" --storage-driver vfs --cgroup-manager cgroupfs \
		--events-backend file --runtime "$RL_RL_DIR/runlock" "$@" 3>&-
}

_logs_have() {
	upod logs "$1" 2>/dev/null | grep -q "$2"
}

@test "rootless: podman run --rm, as root of Podman's user namespace; state in \$XDG_RUNTIME_DIR/runlock" {
	run upod run --rm --network none "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'id -u; awk "{print \$1, \$2}" /proc/self/uid_map; exit 3'
	assert_failure 3
	# uid 0 inside, the user's own uid outside: a user namespace.
	assert_line --index 0 0
	assert_line --index 1 "0 $(id -u "$RL_ROOTLESS_USER")"
	# runc's rule: root of a user namespace honours XDG_RUNTIME_DIR.
	[ -d "$RL_RL_DIR/run/runlock" ]
	[ "$(stat -c %U "$RL_RL_DIR/run/runlock")" = "$RL_ROOTLESS_USER" ]
}

@test "rootless: podman run -d, exec, logs, stop (SIGTERM), a volume written as the user" {
	mkdir -p "$RL_RL_DIR/vol"
	echo from-host >"$RL_RL_DIR/vol/f"
	chown -R "$RL_ROOTLESS_USER:" "$RL_RL_DIR/vol"
	run upod run -d --name r1 --network none "${ULIMITS[@]}" -v "$RL_RL_DIR/vol:/data" "$IMAGE" \
		sh -c 'echo started; cat /data/f; trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
	assert_success
	retry 10 _logs_have r1 from-host
	run upod exec r1 sh -c 'echo in-exec; echo written > /data/g; cat /data/g'
	assert_success
	assert_output $'in-exec\nwritten'
	# Root of the namespace is the user on the host.
	[ "$(stat -c %U "$RL_RL_DIR/vol/g")" = "$RL_ROOTLESS_USER" ]
	run upod ps --format '{{.Names}} {{.Status}}'
	assert_output --regexp '^r1 Up'
	run upod stop -t 5 r1
	assert_success
	run upod inspect --format '{{.State.Status}} {{.State.ExitCode}}' r1
	assert_output 'exited 0'
	run upod logs r1
	assert_output $'started\nfrom-host\ngot-term'
	run upod rm r1
	assert_success
}

@test "rootless: the container stays confined (a host file the user may read is not reachable)" {
	# Control: the user itself can read it on the host.
	echo secret >"$RL_RL_DIR/hostfile"
	chown "$RL_ROOTLESS_USER:" "$RL_RL_DIR/hostfile"
	run runuser -u "$RL_ROOTLESS_USER" -- cat "$RL_RL_DIR/hostfile"
	assert_output secret
	# The container, root of the namespace, sees its rootfs only.
	run upod run --rm --network none "${ULIMITS[@]}" "$IMAGE" \
		sh -c "cat $RL_RL_DIR/hostfile; echo rc=\$?"
	assert_success
	assert_line rc=1
	refute_output --partial secret
}
