#!/usr/bin/env bats
# Podman (4.3, conmon 2.1) driving runlock. NOT part of `make check`: it needs
# podman and conmon (contrib/install-deps.sh podman conmon) and root.
#
#   bats tests/clients/podman.bats        (after make && make rootfs)
#
# Podman runs with private storage (--root/--runroot/--tmpdir under
# $BATS_FILE_TMPDIR, vfs driver), the cgroupfs manager (this host is a
# cgroup v1/v2 hybrid), the file events backend, and the runlock registration
# of contrib/podman/containers.conf (through CONTAINERS_CONF) pointing at the
# runlock under test. The image is `podman import` of the busybox rootfs.
#
# Tests marked skip name the missing runlock piece; the error they fail with
# today is quoted in each.

load ../integration/helpers.bash

IMAGE=localhost/rlbusybox:latest

# Every `podman run` passes these. Podman's default rlimits are nofile and
# nproc 1048576; raising a hard limit needs CAP_SYS_RESOURCE, which this
# machine's root does not have (hard nofile limit 20000), so runlock refuses
# create ("hard limit 1048576 exceeds the current hard limit 20000 and
# runlock lacks CAP_SYS_RESOURCE"), as runc would fail setrlimit.
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

setup_file() {
	command -v podman >/dev/null && command -v conmon >/dev/null ||
		skip "podman/conmon not installed (contrib/install-deps.sh podman conmon)"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	local d=$BATS_FILE_TMPDIR/podman
	mkdir -p "$d/tmp"
	export PODMAN_DIR=$d
	local rl=${RUNLOCK:-$BATS_TEST_DIRNAME/../../build/runlock}
	sed "s#\"/usr/local/bin/runlock\",#\"$rl\",#" \
		"$BATS_TEST_DIRNAME/../../contrib/podman/containers.conf" >"$d/containers.conf"
	tar -C "${RUNLOCK_ROOTFS:-$BATS_TEST_DIRNAME/../../build/rootfs/busybox}" -c . |
		pod import - "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${PODMAN_DIR:-}" ] || return 0
	pod rm -a -f -t 0 >/dev/null 2>&1 || true
	pod system reset -f >/dev/null 2>&1 || true
	grep -o "$PODMAN_DIR[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# pod ARGS...: podman with private storage and runlock as the runtime.
pod() {
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf timeout -k 5 90 podman \
		--root "$PODMAN_DIR/storage" --runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
		--runtime runlock "$@" 3>&-
}

prun() {
	pod run --rm "${ULIMITS[@]}" "$@"
}

@test "podman run --rm: output and exit code" {
	run prun "$IMAGE" echo hi
	assert_success
	assert_output hi
	run prun "$IMAGE" sh -c 'exit 7'
	assert_failure 7
}

@test "podman run without --ulimit: refused, nofile hard limit above ours (no CAP_SYS_RESOURCE)" {
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	(((0x$eff >> 24) & 1)) && skip "this host's root has CAP_SYS_RESOURCE"
	[ "$(ulimit -Hn)" -lt 1048576 ] || skip "hard nofile limit is already 1048576"
	run pod run --rm "$IMAGE" true
	assert_failure 126
	assert_output --partial 'Error: OCI runtime error: runlock: error setting rlimit type RLIMIT_NOFILE: hard limit 1048576 exceeds the current hard limit'
}

@test "podman run --cgroups=disabled (runtime_supports_nocgroup)" {
	run prun --cgroups=disabled "$IMAGE" echo nocgroups
	assert_success
	assert_output nocgroups
}

@test "podman run -d, ps, logs, stop (SIGTERM), inspect, rm" {
	run pod run -d --name d1 "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'echo started; trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
	assert_success
	sleep 0.5
	run pod ps --format '{{.Names}} {{.Status}}'
	assert_success
	assert_output --regexp '^d1 Up'
	run pod logs d1
	assert_success
	assert_output started
	run pod stop -t 5 d1
	assert_success
	run pod inspect --format '{{.State.Status}} {{.State.ExitCode}}' d1
	assert_output 'exited 0'
	run pod logs d1
	assert_output $'started\ngot-term'
	run pod rm d1
	assert_success
}

@test "podman run -d, exec, stop of a process that ignores SIGTERM (the timeout's SIGKILL), rm" {
	run pod run -d --name d3 "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	assert_success
	run pod exec d3 echo inside
	assert_success
	assert_output inside
	run pod stop -t 1 d3
	assert_success
	run pod inspect --format '{{.State.Status}} {{.State.ExitCode}}' d3
	assert_output 'exited 137'
	run pod rm d3
	assert_success
	run pgrep -f 'trap "" TERM'
	assert_failure
}

@test "podman stop of a sleep as init: SIGTERM is dropped (pid 1), the timeout's SIGKILL stops it; /proc/1 is init" {
	run pod run -d --name d4 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	# pid 1 names the container's init, as in runc's pid namespace.
	run pod exec d4 sh -c 'cat /proc/1/comm; kill -TERM 1; echo "rc=$?"'
	assert_success
	assert_output $'sleep\nrc=0'
	local t0=$SECONDS
	run pod stop -t 2 d4
	assert_success
	[ $((SECONDS - t0)) -ge 2 ] || fail "stopped before the timeout: SIGTERM was delivered"
	run pod inspect --format '{{.State.Status}} {{.State.ExitCode}}' d4
	assert_output 'exited 137'
	run pod rm d4
	assert_success
}

@test "podman cp into a running container reaches the host's filesystem (known hazard); exec -i tar is the safe way" {
	# Podman copies into a running container by joining the mount namespace
	# of its init (/proc/PID/ns/mnt), which under runlock is the host's:
	# runlock creates none, and Podman asks the runtime nothing first
	# (contrib/podman/README.md, "podman cp"). The paths are this test's
	# own, so the hazard it shows harms nothing.
	local hostdir=$BATS_TEST_TMPDIR/cphost
	mkdir -p "$hostdir"
	echo from-host >"$BATS_TEST_TMPDIR/src"
	run pod run -d --name c1 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	run pod exec c1 ls "$hostdir"
	assert_failure # the container has no such directory
	run pod cp "$BATS_TEST_TMPDIR/src" "c1:$hostdir/f"
	assert_success
	# The file went to the host, not into the container.
	[ "$(cat "$hostdir/f")" = from-host ] || fail "podman cp did not write the host's $hostdir/f"
	rm -f "$hostdir/f"
	# The safe way: the container's own tar, through exec -i, in and out.
	export -f pod
	run bash -c 'tar -C "$1" -c src | pod exec -i c1 tar -C /tmp -x' _ "$BATS_TEST_TMPDIR"
	assert_success
	run pod exec c1 cat /tmp/src
	assert_success
	assert_output from-host
	run bash -c 'pod exec c1 tar -C /tmp -c src | tar -xO'
	assert_success
	assert_output from-host
	[ ! -e "$hostdir/f" ] && [ ! -e /tmp/src ] || fail "exec -i tar wrote the host"
	run pod rm -f -t 0 c1
	assert_success
	# A created (not running) container: Podman copies into its storage.
	local g=/tmp/runlock-cp-test.$$
	[ ! -e "$g" ] || skip "$g exists on the host"
	run pod create --name c2 "${ULIMITS[@]}" "$IMAGE" cat "$g"
	assert_success
	run pod cp "$BATS_TEST_TMPDIR/src" "c2:$g"
	assert_success
	[ ! -e "$g" ] || { rm -f "$g"; fail "podman cp into a created container wrote the host"; }
	run pod start -a c2
	assert_success
	assert_output from-host
	run pod rm -f -t 0 c2
	assert_success
}

@test "podman rm -f of a running container" {
	run pod run -d --name d2 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	run pod rm -f -t 0 d2
	assert_success
	run pod ps -a --format '{{.Names}}'
	assert_success
	refute_output --partial d2
}

@test "podman run (default bridge network): runlock joins netavark's namespace" {
	run prun "$IMAGE" sh -c 'ip -o addr show eth0'
	assert_success
	assert_output --partial 'inet 10.'
}

@test "podman run --network none: no network (netlink refused, TCP denied)" {
	run prun --network none "$IMAGE" sh -c 'ip link 2>&1; printf "" | nc -w 1 127.0.0.1 1 2>&1; true'
	assert_success
	assert_line --partial 'socket: Address family not supported by protocol'
	assert_line --partial "can't connect to remote host (127.0.0.1): Permission denied"
}

@test "podman run --network host: host interfaces" {
	run prun --network host "$IMAGE" sh -c 'ip -o link | grep -c .'
	assert_success
	[ "$output" -ge 2 ]
}

@test "podman run --read-only" {
	run prun --read-only "$IMAGE" touch /x
	assert_failure
	assert_output --partial 'Read-only file system'
}

@test "podman run --user 1000:1000" {
	run prun --user 1000:1000 "$IMAGE" id
	assert_success
	assert_output --partial 'uid=1000'
	assert_output --partial 'gid=1000'
}

@test "podman run --cap-drop CHOWN (control: the default set allows chown)" {
	run prun "$IMAGE" sh -c 'chown 1 /tmp && echo ok'
	assert_success
	assert_output ok
	run prun --cap-drop CHOWN "$IMAGE" chown 1 /tmp
	assert_failure
	assert_output --partial 'Operation not permitted'
}

@test "podman run -it through a pty (script)" {
	command -v script >/dev/null || skip "script(1) not installed"
	# timeout stays outside script(1): inside it, under a shell that does not
	# exec its last command (dash, script's choice when SHELL is unset, as in
	# CI), timeout's own process group is a background group of the pty and
	# the client stops on SIGTTOU when it sets raw mode.
	run bash -c 'sleep 3 | timeout -k 5 90 script -qec "$0" /dev/null' \
		"CONTAINERS_CONF=$PODMAN_DIR/containers.conf podman --root $PODMAN_DIR/storage --runroot $PODMAN_DIR/run --tmpdir $PODMAN_DIR/tmp --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime runlock run --rm -it ${ULIMITS[*]} $IMAGE sh -c '[ -t 0 ] && echo isatty; exit 5'"
	assert_failure 5
	assert_output --partial isatty
}

@test "podman run -v hostdir:/data and :ro" {
	mkdir -p "$BATS_TEST_TMPDIR/host"
	echo hostfile >"$BATS_TEST_TMPDIR/host/f"
	run prun -v "$BATS_TEST_TMPDIR/host:/data" "$IMAGE" sh -c 'cat /data/f; echo new > /data/g'
	assert_success
	assert_output hostfile
	[ "$(cat "$BATS_TEST_TMPDIR/host/g")" = new ]
	run prun -v "$BATS_TEST_TMPDIR/host:/data:ro" "$IMAGE" sh -c 'touch /data/h'
	assert_failure
	assert_output --partial 'Read-only file system'
}

@test "podman run -v: -w into the volume, a program and a script run from it" {
	mkdir -p "$BATS_TEST_TMPDIR/vol/sub"
	cp "$RUNLOCK_ROOTFS/bin/busybox" "$BATS_TEST_TMPDIR/vol/busybox"
	printf '#!/bin/sh\necho "script $*"\n' >"$BATS_TEST_TMPDIR/vol/hello"
	chmod 0755 "$BATS_TEST_TMPDIR/vol/hello"
	run prun -v "$BATS_TEST_TMPDIR/vol:/vol" -w /vol "$IMAGE" \
		sh -c 'pwd; ./busybox echo from-volume; ./hello z; cd sub && /bin/pwd'
	assert_success
	assert_output $'/vol\nfrom-volume\nscript z\n/vol/sub'
}

@test "podman run --hostname" {
	run prun --hostname myhost "$IMAGE" hostname
	assert_output myhost
}

@test "podman's /etc/hosts, /etc/resolv.conf, /run/.containerenv, /proc, /dev" {
	run prun "$IMAGE" sh -c 'test -e /run/.containerenv && test -r /proc/self/status && test -c /dev/null && grep -q localhost /etc/hosts'
	assert_success
}

@test "podman exec" {
	run pod run -d --name x1 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	run pod exec x1 echo fromexec
	assert_success
	assert_output fromexec
	# conmon (one per exec) reaps runlock's stand-in and reads its status
	run pod exec x1 sh -c 'exit 3'
	assert_failure 3
}

@test "podman run --init: catatonit, a file bind-mounted onto /run/podman-init, runs as init" {
	[ -x /usr/libexec/podman/catatonit ] ||
		skip "catatonit not installed (contrib/install-deps.sh catatonit)"
	# The program is itself a mount destination: before, create refused it
	# (exec: "/run/podman-init": No such file or directory).
	run prun --init "$IMAGE" sh -c 'cat /proc/$PPID/comm; exit 5'
	assert_failure 5
	assert_output catatonit
	# Control: without --init the shell's parent is outside the container.
	run prun "$IMAGE" sh -c 'echo $PPID; exit 5'
	assert_failure 5
}

# proc_state PID: the state letter of /proc/PID/stat (after the comm field).
proc_state() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1
}

@test "podman pause/unpause: Paused stops the processes (state T), unpause continues them" {
	run pod run -d --name p1 "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done'
	assert_success
	local pid c1 c2 i
	pid=$(pod inspect --format '{{.State.Pid}}' p1)
	[ "$pid" -gt 0 ]
	# the container's /tmp, read through the init process's root
	for i in $(seq 1 50); do
		[ -s "/proc/$pid/root/tmp/count" ] && break
		sleep 0.1
	done
	run pod pause p1
	assert_success
	run pod inspect --format '{{.State.Status}} {{.State.Paused}}' p1
	assert_output 'paused true'
	run pod ps -a --filter name=p1 --format '{{.Status}}'
	assert_output --partial Paused
	[ "$(proc_state "$pid")" = T ]
	c1=$(cat "/proc/$pid/root/tmp/count")
	sleep 0.5
	c2=$(cat "/proc/$pid/root/tmp/count")
	[ "$c1" = "$c2" ]
	run pod unpause p1
	assert_success
	run pod inspect --format '{{.State.Status}} {{.State.Paused}}' p1
	assert_output 'running false'
	[ "$(proc_state "$pid")" != T ]
	sleep 0.5
	c2=$(cat "/proc/$pid/root/tmp/count")
	[ "$c2" -gt "$c1" ]
	run pod rm -f -t 0 p1
	assert_success
}

# podman top reads /proc itself, in the container's mount and pid namespaces,
# which runlock leaves the host's: it lists the container's processes among
# the host's (contrib/podman/README.md). What is checked: it works and shows
# them.
@test "podman top lists the container's processes" {
	run pod run -d --name t1 "${ULIMITS[@]}" "$IMAGE" sh -c 'sleep 1001 | sleep 1002'
	assert_success
	run pod top t1 args
	assert_success
	assert_line --partial "sleep 1001"
	assert_line --partial "sleep 1002"
	run pod rm -f -t 0 t1
	assert_success
}

# podman stats reads the cgroup of the container's init, which is conmon's:
# runlock creates none (contrib/podman/README.md). What is checked: it
# reports the container.
@test "podman stats reports a runlock container" {
	run pod run -d --name s1 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	run pod stats --no-stream --format '{{.Name}}' s1
	assert_success
	assert_output s1
	run pod rm -f -t 0 s1
	assert_success
}

# linux.resources (issue 16): podman's defaults (deny-all devices,
# pids.limit 2048) run; --cpuset-cpus, --cpu-shares and --device work end
# to end; --memory runs under the supervisor's limit (podman's default swap,
# twice the memory, is held by it); --memory-swappiness, which runlock
# cannot hold, is refused, naming the field, and the annotation runs it.
@test "podman run --cpuset-cpus pins, --cpu-shares sets nice, --device opens, --memory runs; --memory-swappiness is refused, named" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU here"
	local last=$(($(nproc) - 1))
	run prun --cpuset-cpus "$last" --cpu-shares 512 "$IMAGE" \
		sh -c 'grep Cpus_allowed_list /proc/self/status; awk "{ sub(/.*\\) /, \"\"); print \$17 }" /proc/self/stat'
	assert_success
	assert_line --index 0 "Cpus_allowed_list:	$last"
	assert_line --index 1 3
	# --device adds the node and an allow rule to podman's deny-all.
	run prun --device /dev/kmsg "$IMAGE" sh -c 'sysprobe open /dev/kmsg w'
	assert_success
	assert_output OK
	run prun --memory 64m "$IMAGE" echo ran
	assert_success
	assert_output ran
	run prun --memory-swappiness 10 "$IMAGE" true
	assert_failure
	assert_output --partial 'linux.resources.memory.swappiness: runlock creates no cgroup and cannot enforce this limit'
	run prun --memory-swappiness 10 --annotation io.github.runlock.resources.ignore-unsupported=true "$IMAGE" echo ran
	assert_success
	assert_output ran
}

# A busy loop's CPU ticks (USER_HZ) over 4 s, read inside the container.
BUSY4='sh -c "while :; do :; done" & p=$!; sleep 4; set -- $(cat /proc/$p/stat); kill $p; echo $((${14} + ${15}))'

@test "podman run --cpus 0.5: a busy loop gets half a CPU (±10%); podman update --cpus 0.2 lowers it; control: without, most of one" {
	local hz
	hz=$(getconf CLK_TCK)
	run prun --cpus 0.5 "$IMAGE" sh -c "$BUSY4"
	assert_success
	echo "ticks=$output of $((4 * hz))"
	[ "$output" -ge $((4 * hz * 40 / 100)) ] && [ "$output" -le $((4 * hz * 60 / 100)) ]
	run prun "$IMAGE" sh -c "$BUSY4"
	assert_success
	echo "control ticks=$output"
	[ "$output" -ge $((4 * hz * 65 / 100)) ]
	run pod run -d --name q1 --cpus 0.5 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	run pod update --cpus 0.2 q1
	assert_success
	run pod exec q1 sh -c "$BUSY4"
	assert_success
	echo "updated ticks=$output"
	[ "$output" -ge $((4 * hz * 10 / 100)) ] && [ "$output" -le $((4 * hz * 30 / 100)) ]
	run pod rm -f -t 0 q1
	assert_success
}

@test "podman run --pids-limit: the fork past it gets EAGAIN; control: a higher limit lets all through" {
	run prun --pids-limit 10 "$IMAGE" /usr/local/bin/forkn -e 20
	assert_success
	# forkn itself and 9 children.
	assert_output "created=9 errno=EAGAIN"
	run prun --pids-limit 100 "$IMAGE" /usr/local/bin/forkn -e 20
	assert_success
	assert_output "created=20 errno=none"
}

@test "podman update --cpu-shares --cpuset-cpus reaches the running container (runlock update)" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU here"
	local last=$(($(nproc) - 1)) pid
	run pod run -d --name u1 "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	pid=$(pod inspect -f '{{.State.Pid}}' u1)
	run pod update --cpu-shares 512 --cpuset-cpus "$last" u1
	assert_success
	run awk '{ sub(/.*\) /, ""); print $17 }' "/proc/$pid/stat"
	assert_output 3
	run grep Cpus_allowed_list "/proc/$pid/status"
	assert_output "Cpus_allowed_list:	$last"
	run pod rm -f -t 0 u1
	assert_success
}

@test "podman run --memory 64m: 1 MiB mmaps stop near 64 MiB (ENOMEM, or the sampler's kill); control: 256m completes 128 MiB; podman update --memory moves it" {
	run prun --memory 64m "$IMAGE" /usr/local/bin/memhog mmap 1024 128
	stopped_near_64m
	run prun --memory 256m "$IMAGE" /usr/local/bin/memhog mmap 1024 128
	assert_success
	assert_line "done mib=128"
	run pod run -d --name m1 --memory 256m "${ULIMITS[@]}" "$IMAGE" sleep 1000
	assert_success
	run pod exec m1 /usr/local/bin/memhog mmap 1024 128
	assert_line "done mib=128"
	run pod update --memory 64m m1
	assert_success
	run pod exec m1 /usr/local/bin/memhog mmap 1024 128
	stopped_near_64m
	run pod rm -f -t 0 m1
	assert_success
}
