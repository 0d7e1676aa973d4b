#!/usr/bin/env bats
# runlock nested in a Podman container started with Podman's DEFAULTS (issue
# 13): the "CI job" case. The outer runtime is runc; no --privileged, no
# --security-opt, no --cap-add, no extra device: the outer container has
# Podman's default capability set (no CAP_SYS_ADMIN, CAP_SYS_PTRACE,
# CAP_SYS_RESOURCE) and its default seccomp profile. Only --network none
# (nothing here needs a network) and the --ulimit of podman.bats (Podman's
# default hard limits exceed this machine's; runc fails setrlimit too).
#
# The outer image is made by build-image.sh from the project's own fixtures
# (the python rootfs, the static runlock of `make static`, busybox, the
# helpers and tests/), imported with `podman import`: nothing downloaded.
# Inside, bats runs a representative part of runlock's own integration
# suite: lifecycle, exec, the filesystem view, hooks and the security
# tests. Tests that need a capability the outer container lacks skip
# there, each saying which (the control is the shell's own set).
#
#   make nested         (builds runlock, the static runlock and the fixtures)

# One outer test runs a whole inner selection: more than helpers.bash's
# two minutes on two loaded cores.
BATS_TEST_TIMEOUT=${RUNLOCK_NESTED_TIMEOUT:-300}
load ../integration/helpers.bash

IMAGE=localhost/runlock-nested:latest
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

setup_file() {
	command -v podman >/dev/null || skip "podman not installed (contrib/install-deps.sh podman conmon)"
	command -v runc >/dev/null || skip "runc not installed (contrib/install-deps.sh runc)"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	local build=${RUNLOCK_BUILD:-$BATS_TEST_DIRNAME/../../build}
	RL_STATIC=${RUNLOCK_STATIC:-$build/static/runlock}
	[ -x "$RL_STATIC" ] || skip "no static runlock at $RL_STATIC (make static)"
	local d=$BATS_FILE_TMPDIR/podman
	mkdir -p "$d/tmp"
	export NESTED_DIR=$d
	"$BATS_TEST_DIRNAME/build-image.sh" "$d/image" \
		"${RUNLOCK_PYROOT:-$build/rootfs/python}" \
		"${RUNLOCK_ROOTFS:-$build/rootfs/busybox}" "$RL_STATIC" \
		"${RUNLOCK_HELPERS:-$build/helpers}" "$BATS_TEST_DIRNAME/.."
	tar -C "$d/image" -c . | npod import - "$IMAGE" >/dev/null
	rm -rf "$d/image"
}

teardown_file() {
	[ -n "${NESTED_DIR:-}" ] || return 0
	npod rm -a -f -t 0 >/dev/null 2>&1 || true
	npod system reset -f >/dev/null 2>&1 || true
	grep -o "$NESTED_DIR[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

# npod ARGS...: podman with private storage; the outer runtime is runc.
npod() {
	timeout -k 5 600 podman --root "$NESTED_DIR/storage" --runroot "$NESTED_DIR/run" \
		--tmpdir "$NESTED_DIR/tmp" --storage-driver vfs --cgroup-manager cgroupfs \
		--events-backend file --runtime runc "$@" 3>&-
}

# outer ARGS...: run ARGS in a new outer container, Podman's defaults.
outer() {
	npod run --rm --network none "${ULIMITS[@]}" "$IMAGE" "$@"
}

# inner_suite COUNT FILTER FILE...: the tests of runlock's own bats FILEs
# whose names match FILTER (bats -f), inside one outer container; all
# COUNT of them must run and pass (a filter that matched nothing, or a
# test that skipped, would pass unseen otherwise).
inner_suite() {
	local count=$1 filter=$2 files=() f
	shift 2
	for f in "$@"; do files+=("/rl/tests/integration/$f"); done
	run outer env RUNLOCK=/usr/local/bin/runlock RUNLOCK_BUILD=/rl RUNLOCK_ROOTFS=/rl/rootfs/busybox \
		RUNLOCK_HELPERS=/rl/helpers TMPDIR=/tmp bats --print-output-on-failure -f "$filter" "${files[@]}"
	assert_success
	assert_line "1..$count"
	refute_output --partial '# skip'
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$count" ]
}

@test "nested: the outer container has Podman's defaults (runc, no CAP_SYS_ADMIN, seccomp filter)" {
	run npod run --rm --network none "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'grep -E "^(CapEff|CapBnd|Seccomp|NoNewPrivs):" /proc/self/status'
	assert_success
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
	# NET_BIND_SERVICE SYS_CHROOT SETFCAP: containers.conf's default_capabilities.
	assert_line --regexp "^CapEff:[[:space:]]+$(cap_mask CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID \
		SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP)$"
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
	run npod inspect --format '{{.OCIRuntime}}' "$(npod create --network none "$IMAGE" true)"
	assert_output runc
}

@test "nested: runlock runs a container; no_new_privs forced without CAP_SYS_ADMIN (debug log)" {
	run outer sh -c 'mkdir -p /tmp/b && cp -a /rl/rootfs/busybox /tmp/b/rootfs && cd /tmp/b &&
		runlock spec && jq ".process.terminal = false | .process.noNewPrivileges = false
		| .process.args = [\"sh\", \"-c\", \"grep NoNewPrivs /proc/self/status; exit 5\"]
		| .process.capabilities = {bounding: [\"CAP_KILL\"], effective: [\"CAP_KILL\"],
		  permitted: [\"CAP_KILL\"]}" config.json >c && mv c config.json &&
		runlock --debug --log /tmp/log run c1; echo "rc=$?"; cat /tmp/log'
	assert_success
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line rc=5
	assert_output --partial 'runlock lacks CAP_SYS_ADMIN: no_new_privs is set for the container although process.noNewPrivileges is false'
}

@test "nested: a capability runlock lacks is refused at create, naming it and the field" {
	run outer sh -c 'mkdir -p /tmp/b && cp -a /rl/rootfs/busybox /tmp/b/rootfs && cd /tmp/b &&
		runlock spec && jq ".process.terminal = false" config.json >c && mv c config.json &&
		runlock run c1'
	assert_failure
	assert_output --partial 'config.json: process.capabilities.effective: CAP_AUDIT_WRITE is not in runlock'"'"'s own permitted set'
}

# The inner selections: a representative part (about 30 tests), within a
# few minutes on two loaded cores. Left out, beside what only costs time,
# are (1) tests of a container user other than
# root: without CAP_SYS_PTRACE runlock refuses one when the supervisor
# emulates anything (docs/security.md, "What runlock needs from its
# host"), and that refusal is tested in reduced_caps.bats; (2) tests whose
# host control needs what the outer container lacks (CAP_SYS_ADMIN,
# CAP_SYSLOG, the default capability set of `runlock spec`).

@test "nested suite: lifecycle (create, start, run, kill, delete)" {
	inner_suite 7 '^(create does not run|run exits|run -d returns|run forwards SIGTERM|kill --all|delete (a created|--force and))' \
		create_start.bats run.bats kill_delete.bats
}

@test "nested suite: exec" {
	inner_suite 4 '^exec(: (runs in|stdin)| --detach: the caller| --tty)' \
		exec.bats
}

@test "nested suite: hooks" {
	inner_suite 3 '^(run: hooks|a failing (prestart|createContainer) hook)' \
		hooks.bats
}

@test "nested suite: the filesystem view (/dev, /proc, binds, tmpfs, masks)" {
	inner_suite 6 '^(view: (/dev holds|/proc shows|a directory bind mount|a tmpfs is|maskedPaths)|devpts: a symlink)' \
		security/mounts.bats security/escape_proc_dev.bats
}

@test "nested suite: security (seccomp, Landlock, chroot, signals)" {
	inner_suite 7 '^(seccomp: (unshare\(CLONE_NEWUSER|an x32)|fs: (.*above the root stays|link\(2\) of a host file|a --preserve-fds directory fd outside|root.readonly true: writes)|signal: with the pid namespace, a live host)' \
		security/syscalls.bats security/filesystem.bats security/signals.bats
}
