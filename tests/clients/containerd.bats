#!/usr/bin/env bats
# containerd (1.6, runc.v2 shim) driving runlock. NOT part of `make check`:
# it needs containerd + ctr (contrib/install-deps.sh containerd) and root.
#
#   bats tests/clients/containerd.bats        (after make && make rootfs)
#
# Each file run starts a PRIVATE containerd (own root, state, sockets and
# config under $BATS_FILE_TMPDIR; the CRI plugin is disabled) and stops it in
# teardown_file. The shim is told to use runlock with
# `ctr run --runc-binary $RUNLOCK` (the shim's BinaryName option) and a
# private runtime state root with `--runc-root` and a private `--fifo-dir`.
# The only thing outside $BATS_FILE_TMPDIR is the shims' sockets: containerd
# 1.6 hard-codes /run/containerd/s/ for them (removed when each shim exits).
#
# Tests marked skip name the missing runlock piece; the error they fail with
# today is quoted in each.

load ../integration/helpers.bash

CTRD_NS=runlocktest
IMAGE=docker.io/library/rlbusybox:latest

setup_file() {
	command -v containerd >/dev/null && command -v ctr >/dev/null ||
		skip "containerd/ctr not installed (contrib/install-deps.sh containerd)"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	local d=$BATS_FILE_TMPDIR/ctrd
	mkdir -p "$d"
	export CTRD_DIR=$d CTRD_SOCK=$d/containerd.sock
	cat >"$d/config.toml" <<-EOT
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTRD_SOCK"
		[ttrpc]
		  address = "$CTRD_SOCK.ttrpc"
		[debug]
		  address = "$d/debug.sock"
		  level = "debug"
	EOT
	containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 3>&- &
	echo $! >"$d/containerd.pid"
	local i
	for i in $(seq 1 100); do
		[ -S "$CTRD_SOCK" ] && ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 || {
		cat "$d/containerd.log" >&2
		return 1
	}
	# An OCI image archive of the busybox rootfs, made locally (no download).
	make_oci_archive "${RUNLOCK_ROOTFS:-$BATS_TEST_DIRNAME/../../build/rootfs/busybox}" \
		"$d/busybox-oci.tar" "$IMAGE"
	ctr -a "$CTRD_SOCK" -n "$CTRD_NS" image import "$d/busybox-oci.tar" >/dev/null
}

teardown_file() {
	[ -n "${CTRD_DIR:-}" ] || return 0
	local c
	for c in $(ctr -a "$CTRD_SOCK" -n "$CTRD_NS" task ls -q 2>/dev/null); do
		ctr -a "$CTRD_SOCK" -n "$CTRD_NS" task kill -s KILL "$c" >/dev/null 2>&1 || true
		ctr -a "$CTRD_SOCK" -n "$CTRD_NS" task delete -f "$c" >/dev/null 2>&1 || true
	done
	for c in $(ctr -a "$CTRD_SOCK" -n "$CTRD_NS" container ls -q 2>/dev/null); do
		ctr -a "$CTRD_SOCK" -n "$CTRD_NS" container rm "$c" >/dev/null 2>&1 || true
	done
	if [ -f "$CTRD_DIR/containerd.pid" ]; then
		local pid
		pid=$(cat "$CTRD_DIR/containerd.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# Snapshots are overlay mounts under the private root; containerd unmounts
	# them on task delete, but make sure nothing stays mounted.
	grep -o "$CTRD_DIR[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

setup() {
	common_setup
	RLCTR_ROOTFS=$BATS_TEST_TMPDIR/rootfs
	cp -a "$RUNLOCK_ROOTFS" "$RLCTR_ROOTFS"
}

teardown() {
	common_teardown
}

# make_oci_archive ROOTFS OUT.tar REF: an OCI image-layout tar (one gzip
# layer, handwritten config/manifest/index with sha256 digests).
make_oci_archive() {
	local rootfs=$1 out=$2 ref=$3 d
	d=$(mktemp -d "$BATS_FILE_TMPDIR/oci.XXXXXX")
	mkdir -p "$d/blobs/sha256"
	tar --numeric-owner --sort=name -C "$rootfs" -cf "$d/layer.tar" .
	gzip -n -c "$d/layer.tar" >"$d/layer.tgz"
	local diffid ldig lsize cdig csize mdig msize
	diffid=$(sha256sum <"$d/layer.tar" | cut -d' ' -f1)
	ldig=$(sha256sum <"$d/layer.tgz" | cut -d' ' -f1)
	lsize=$(stat -c %s "$d/layer.tgz")
	mv "$d/layer.tgz" "$d/blobs/sha256/$ldig"
	rm "$d/layer.tar"
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$diffid" >"$d/c"
	cdig=$(sha256sum <"$d/c" | cut -d' ' -f1)
	csize=$(stat -c %s "$d/c")
	mv "$d/c" "$d/blobs/sha256/$cdig"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
		"$cdig" "$csize" "$ldig" "$lsize" >"$d/m"
	mdig=$(sha256sum <"$d/m" | cut -d' ' -f1)
	msize=$(stat -c %s "$d/m")
	mv "$d/m" "$d/blobs/sha256/$mdig"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
		"$mdig" "$msize" "$ref" "${ref##*:}" >"$d/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$out" oci-layout index.json blobs
	rm -rf "$d"
}

# ctr_ ARGS...: ctr against the private daemon and namespace.
ctr_() {
	timeout -k 5 60 ctr -a "$CTRD_SOCK" -n "$CTRD_NS" "$@" 3>&-
}

# ctr_run [ctr run flags...] -- ID ARGS...: run on the per-test rootfs copy
# (--rootfs: containerd uses the directory as is, no snapshot). ctr's
# --rootfs is a boolean flag and flags after the first positional argument
# are not parsed, so every flag goes before it.
ctr_run() {
	local flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	ctr_ run --runc-binary "$RUNLOCK" --runc-root "$CTRD_DIR/runc-root" --fifo-dir "$CTRD_DIR/fifo" "${flags[@]}" \
		--rootfs "$RLCTR_ROOTFS" "$@"
}

@test "ctr run --rm --rootfs: output" {
	run ctr_run --rm -- c1 echo hi
	assert_success
	assert_output hi
}

@test "ctr run: the container's exit code (sh -c 'exit 7')" {
	run ctr_run --rm -- c1 sh -c 'exit 7'
	assert_failure 7
}

@test "ctr run: a command missing from the rootfs fails create with runc's words" {
	run ctr_run --rm -- c1 nosuchcmd
	assert_failure
	assert_output --partial 'OCI runtime create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH'
}

@test "ctr run: stdin is forwarded" {
	run bash -c 'printf "echo via-stdin\nexit 4\n" | "$0" "$@"' timeout -k 5 60 \
		ctr -a "$CTRD_SOCK" -n "$CTRD_NS" run --rm --runc-binary "$RUNLOCK" \
		--runc-root "$CTRD_DIR/runc-root" --fifo-dir "$CTRD_DIR/fifo" --rootfs "$RLCTR_ROOTFS" c1 sh
	assert_failure 4
	assert_output via-stdin
}

@test "ctr run from an imported OCI image (ctr image import, overlayfs snapshot)" {
	run ctr_ run --rm --runc-binary "$RUNLOCK" --runc-root "$CTRD_DIR/runc-root" --fifo-dir "$CTRD_DIR/fifo" \
		"$IMAGE" i1 sh -c 'echo from-image; touch /newfile && echo rw-ok'
	assert_success
	assert_line from-image
	assert_line rw-ok
}

@test "ctr run -d, task ls, task kill (SIGTERM), task delete" {
	run ctr_run -d -- d1 sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	assert_success
	run ctr_ task ls
	assert_success
	assert_output --regexp 'd1 +[0-9]+ +RUNNING'
	run ctr_ task kill d1
	assert_success
	local i
	for i in $(seq 1 50); do
		ctr_ task ls | grep -Eq 'd1 +[0-9]+ +STOPPED' && break
		sleep 0.1
	done
	run ctr_ task ls
	assert_output --regexp 'd1 +[0-9]+ +STOPPED'
	run ctr_ task delete d1
	assert_success
	assert_output --partial 'exit code 3'
	run ctr_ container rm d1
	assert_success
	# Nothing left running or mounted: runlock mounts nothing, and the
	# container's processes are gone with it.
	run pgrep -f 'trap "exit 3" TERM'
	assert_failure
	run grep -c " $CTRD_DIR" /proc/self/mounts
	assert_output 0
}

@test "ctr run -d + task kill -s KILL + task delete" {
	run ctr_run -d -- d2 sleep 1000
	assert_success
	run ctr_ task kill -s KILL d2
	assert_success
	for i in $(seq 1 50); do
		ctr_ task ls | grep -Eq 'd2 +[0-9]+ +STOPPED' && break
		sleep 0.1
	done
	run ctr_ task delete d2
	assert_success
	assert_output --partial 'exit code 137'
	ctr_ container rm d2
}

@test "ctr run --net-host: host network" {
	run ctr_run --rm --net-host -- n1 sh -c 'ip link | grep -c "^[0-9]"'
	assert_success
	[ "$output" -ge 1 ]
}

@test "ctr run default (network namespace without path): no network, TCP denied by Landlock" {
	# ctr's default spec asks for a new network namespace and gives no path
	# (no CNI): runlock maps that to "no network": netlink sockets are
	# refused by seccomp, TCP connect by Landlock.
	run ctr_run --rm -- n2 sh -c 'ip link 2>&1; printf "" | nc -w 1 127.0.0.1 1 2>&1; true'
	assert_success
	assert_line --partial 'socket: Address family not supported by protocol'
	assert_line --partial "can't connect to remote host (127.0.0.1): Permission denied"
}

@test "ctr run --tty through a pty (script)" {
	command -v script >/dev/null || skip "script(1) not installed"
	# stdin must stay open: with stdin at EOF, script(1) injects a byte that
	# reaches the container's terminal (echoed as ^@).
	# timeout stays outside script(1): inside it, under a shell that does not
	# exec its last command (dash, script's choice when SHELL is unset, as in
	# CI), timeout's own process group is a background group of the pty and
	# the client stops on SIGTTOU when it sets raw mode.
	run bash -c 'sleep 3 | timeout -k 5 60 script -qec "$0" /dev/null' \
		"ctr -a $CTRD_SOCK -n $CTRD_NS run --rm --tty --runc-binary $RUNLOCK --runc-root $CTRD_DIR/runc-root --fifo-dir $CTRD_DIR/fifo --rootfs $RLCTR_ROOTFS t1 sh -c '[ -t 0 ] && [ -t 1 ] && echo isatty; exit 5'"
	assert_failure 5
	assert_output --partial isatty
}

@test "ctr run --read-only: the rootfs is read-only" {
	run ctr_run --rm --read-only -- r1 sh -c 'touch /x'
	assert_failure
	assert_output --partial 'Read-only file system'
}

@test "ctr run --seccomp: containerd's default profile is installed" {
	run ctr_run --rm --seccomp -- s1 echo seccomp-ok
	assert_success
	assert_line seccomp-ok
}

@test "ctr run --cap-drop CAP_CHOWN: chown denied (control without it succeeds)" {
	run ctr_run --rm -- k0 sh -c 'chown 1:1 /tmp && echo chown-ok'
	assert_success
	assert_output chown-ok
	run ctr_run --rm --cap-drop CAP_CHOWN -- k1 sh -c 'chown 1:1 /tmp'
	assert_failure
	assert_output --partial 'Operation not permitted'
}

@test "ctr run --env, --cwd" {
	run ctr_run --rm --env FOO=bar --cwd /tmp -- e1 sh -c 'echo $FOO; pwd'
	assert_success
	assert_output $'bar\n/tmp'
}

@test "ctr task exec" {
	run ctr_run -d -- x1 sleep 1000
	assert_success
	run ctr_ task exec --exec-id e1 x1 echo fromexec
	assert_success
	assert_output fromexec
	run ctr_ task exec --exec-id e2 x1 sh -c 'exit 4'
	assert_failure 4
}

@test "ctr task exec -t through a pty (script)" {
	command -v script >/dev/null || skip "script(1) not installed"
	run ctr_run -d -- x2 sleep 1000
	assert_success
	run bash -c 'sleep 3 | timeout -k 5 60 script -qec "$0" /dev/null' \
		"ctr -a $CTRD_SOCK -n $CTRD_NS task exec -t --exec-id t1 x2 sh -c '[ -t 0 ] && [ -t 1 ] && echo isatty; exit 6'"
	assert_failure 6
	assert_output --partial isatty
}

# ctr_pid ID: the task's pid (init) as ctr task ls shows it.
ctr_pid() {
	ctr_ task ls | awk -v id="$1" '$1 == id { print $2 }'
}

# proc_state PID: the state letter of /proc/PID/stat (after the comm field).
proc_state() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1
}

# ctr_kill_rm ID: SIGKILL the task, wait for it to stop, delete it.
ctr_kill_rm() {
	ctr_ task kill -s KILL "$1" >/dev/null 2>&1 || true
	local i
	for i in $(seq 1 50); do
		ctr_ task ls | grep -Eq "^$1 +[0-9]+ +STOPPED" && break
		sleep 0.1
	done
	ctr_ task delete -f "$1" >/dev/null 2>&1 || true
	ctr_ container rm "$1" >/dev/null 2>&1 || true
}

@test "ctr task ps: lists the container's pids" {
	# a pipeline, not `&`: busybox sh gives a background job /dev/null as
	# stdin, and /dev is the rootfs's empty directory (see the last test)
	run ctr_run -d -- p1 sh -c 'sleep 1000 | sleep 1000'
	assert_success
	local pid i
	pid=$(ctr_pid p1)
	[ -n "$pid" ]
	# wait until both sleeps are forked
	for i in $(seq 1 50); do
		[ "$(ctr_ task ps p1 | wc -l)" -eq 4 ] && break
		sleep 0.1
	done
	run ctr_ task ps p1
	assert_success
	assert_line --index 0 --regexp '^PID +INFO$'
	assert_line --regexp "^$pid +-$"
	[ "${#lines[@]}" -eq 4 ]
	# init plus its two sleep children, nothing else
	local l p
	for l in "${lines[@]:1}"; do
		p=${l%% *}
		[ "$p" = "$pid" ] || {
			[ "$(awk '/^PPid:/ {print $2}' "/proc/$p/status")" = "$pid" ]
			[ "$(cat "/proc/$p/comm")" = sleep ]
		}
	done
	ctr_kill_rm p1
}

@test "ctr task pause/resume: PAUSED stops the processes (state T), RUNNING continues them" {
	run ctr_run -d -- p2 sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
	assert_success
	local pid i c1 c2
	pid=$(ctr_pid p2)
	[ -n "$pid" ]
	for i in $(seq 1 50); do
		[ -s "$RLCTR_ROOTFS/tmp/count" ] && break
		sleep 0.1
	done
	run ctr_ task pause p2
	assert_success
	run ctr_ task ls
	assert_output --regexp "p2 +$pid +PAUSED"
	[ "$(proc_state "$pid")" = T ]
	# every process ctr task ps lists is stopped
	local l
	run ctr_ task ps p2
	assert_success
	for l in "${lines[@]:1}"; do
		[ "$(proc_state "${l%% *}")" = T ]
	done
	c1=$(cat "$RLCTR_ROOTFS/tmp/count")
	sleep 0.5
	c2=$(cat "$RLCTR_ROOTFS/tmp/count")
	[ "$c1" = "$c2" ]
	[ "$(proc_state "$pid")" = T ]
	run ctr_ task resume p2
	assert_success
	run ctr_ task ls
	assert_output --regexp "p2 +$pid +RUNNING"
	[ "$(proc_state "$pid")" != T ]
	sleep 0.5
	c2=$(cat "$RLCTR_ROOTFS/tmp/count")
	[ "$c2" -gt "$c1" ]
	ctr_kill_rm p2
}

@test "ctr run --mount type=bind: the bind mount is visible" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	echo bound >"$BATS_TEST_TMPDIR/src/f"
	run ctr_run --rm --mount "type=bind,src=$BATS_TEST_TMPDIR/src,dst=/mnt,options=rbind:ro" -- b1 cat /mnt/f
	assert_success
	assert_output bound
}

@test "ctr run --mount: cd into the mount, run a program and a script from it, --cwd there" {
	local src="$BATS_TEST_TMPDIR/tools"
	mkdir -p "$src/sub"
	cp "$RLCTR_ROOTFS/bin/busybox" "$src/busybox"
	printf '#!/bin/sh\necho "script $*"\n' >"$src/hello"
	chmod 0755 "$src/hello"
	run ctr_run --rm --mount "type=bind,src=$src,dst=/tools,options=rbind:ro" -- c1 \
		sh -c 'cd /tools/sub && pwd && cd .. && ./busybox echo from-mount && /tools/hello x'
	assert_success
	assert_output $'/tools/sub\nfrom-mount\nscript x'
	run ctr_run --rm --cwd /tools --mount "type=bind,src=$src,dst=/tools,options=rbind:ro" -- c2 \
		./hello y
	assert_success
	assert_output 'script y'
}

@test "ctr run: /proc and /dev are provided" {
	run ctr_run --rm -- m1 sh -c 'test -r /proc/self/status && test -c /dev/null'
	assert_success
}

# linux.resources (issue 16): what runlock cannot enforce is refused at
# create, naming the field; what it can (memory, cpus, shares, quota,
# devices) works end to end; containerd's default device rules run.
@test "ctr run --memory-limit: 1 MiB mmaps stop near 64 MiB (ENOMEM, or the sampler's kill); control: 256 MiB completes" {
	run ctr_run --rm --memory-limit 67108864 -- c1 /usr/local/bin/memhog mmap 1024 128
	stopped_near_64m
	run ctr_run --rm --memory-limit 268435456 -- c1 /usr/local/bin/memhog mmap 1024 128
	assert_success
	assert_line "done mib=128"
}

# A busy loop's CPU ticks (USER_HZ) over 4 s, read inside the container.
BUSY4='sh -c "while :; do :; done" & p=$!; sleep 4; set -- $(cat /proc/$p/stat); kill $p; echo $((${14} + ${15}))'

@test "ctr run --cpus 0.5: a busy loop gets half a CPU (±10%); control: without it, most of one" {
	local hz
	hz=$(getconf CLK_TCK)
	run ctr_run --rm --cpus 0.5 -- c1 sh -c "$BUSY4"
	assert_success
	echo "ticks=$output of $((4 * hz))"
	[ "$output" -ge $((4 * hz * 40 / 100)) ] && [ "$output" -le $((4 * hz * 60 / 100)) ]
	run ctr_run --rm -- c1 sh -c "$BUSY4"
	assert_success
	echo "control ticks=$output"
	[ "$output" -ge $((4 * hz * 65 / 100)) ]
}

@test "ctr run --cpu-shares sets the container's nice (512: 3; ctr's default 1024: 0)" {
	run ctr_run --rm --cpu-shares 512 -- c1 sh -c 'awk "{ sub(/.*\\) /, \"\"); print \$17 }" /proc/self/stat'
	assert_success
	assert_output 3
	run ctr_run --rm -- c1 sh -c 'awk "{ sub(/.*\\) /, \"\"); print \$17 }" /proc/self/stat'
	assert_success
	assert_output 0
}
