#!/usr/bin/env bats
# The per-container supervisor, agent and spawner (shim/): their lifetime,
# their control socket, fail-closed behaviour, leaks and idle cost.

load helpers

fd_count() {
	ls "/proc/$1/fd" | wc -l
}

_container_gone() {
	[ -z "$(container_processes "$BUNDLE/rootfs")" ]
}

@test "supervisor: one per container, detached, control socket 0600, gone after delete" {
	setup_bundle sleep 100
	create_container ctr
	local sv agent spawner
	sv=$(helper_pid ctr rl-supervisor) || fail "no supervisor"
	agent=$(helper_pid ctr rl-agent) || fail "no agent"
	spawner=$(helper_pid ctr rl-spawner) || fail "no spawner"
	# Its own session, stdio on /dev/null: the caller's terminal and pipes
	# are not held.
	assert_equal "$(awk '{print $6}' "/proc/$sv/stat")" "$sv"
	for fd in 0 1 2; do
		assert_equal "$(readlink "/proc/$sv/fd/$fd")" /dev/null
	done
	assert_equal "$(stat -c %a "$RUNLOCK_STATE/ctr/ctl.sock")" 600
	# The agent and the spawner run in the container's chroot, not dumpable.
	assert_equal "$(readlink "/proc/$agent/root")" "$BUNDLE/rootfs"
	assert_equal "$(readlink "/proc/$spawner/root")" "$BUNDLE/rootfs"
	assert_equal "$(proc_status "$agent" Seccomp)" 2
	run runlock delete -f ctr
	assert_success
	assert_no_leftovers
}

@test "supervisor: idle, it and its helpers use no CPU" {
	setup_bundle sleep 100
	create_container ctr
	runlock start ctr
	local p before=() after=() pids=()
	for c in rl-supervisor rl-agent rl-spawner; do
		pids+=("$(helper_pid ctr "$c")") || fail "no $c"
	done
	sleep 0.5
	for p in "${pids[@]}"; do before+=("$(cpu_ticks "$p")"); done
	sleep 3
	for p in "${pids[@]}"; do after+=("$(cpu_ticks "$p")"); done
	assert_equal "${after[*]}" "${before[*]}"
}

@test "supervisor: 10,000 notifications leave its descriptor count unchanged" {
	setup_bundle sleep 100
	create_container ctr
	runlock start ctr
	local sv before
	sv=$(helper_pid ctr rl-supervisor)
	run runlock exec ctr sysprobe uname-loop 10
	assert_success
	before=$(fd_count "$sv")
	run runlock exec ctr sysprobe uname-loop 10000
	assert_success
	assert_output OK
	assert_equal "$(fd_count "$sv")" "$before"
}

@test "supervisor: 200 create/start/delete cycles leave no process, descriptor or state behind" {
	setup_bundle true
	local i files_before files_after
	files_before=$(awk '{print $1}' /proc/sys/fs/file-nr)
	for i in $(seq 200); do
		runlock_detached create --bundle "$BUNDLE" "c$i"
		[ "$status" -eq 0 ] || fail "create c$i: $output"
		runlock start "c$i" >/dev/null || fail "start c$i"
		runlock delete -f "c$i" || fail "delete c$i"
	done
	assert_no_leftovers
	assert_equal "$(ls -A "$RUNLOCK_STATE")" ""
	# Other activity on the host moves this (other suites' containers
	# closing, a daemon's burst): it is read again for up to 10 s, and a
	# leak of even one descriptor per cycle would stay at 200 or more.
	_files_back() {
		files_after=$(awk '{print $1}' /proc/sys/fs/file-nr)
		[ "$files_after" -lt $((files_before + 100)) ]
	}
	retry 10 _files_back ||
		fail "open files on the host grew from $files_before to $files_after"
}

@test "supervisor killed with SIGKILL: the container is killed, the caller does not hang" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 101; exec sleep 100'
	create_container ctr
	runlock start ctr
	runlock_detached exec -d ctr sleep 102
	_three() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -eq 3 ]; }
	retry 10 _three || fail "expected 3 processes: $(container_processes "$BUNDLE/rootfs")"
	kill -KILL "$(helper_pid ctr rl-supervisor)"
	retry 10 _container_gone || fail "survivors: $(container_processes "$BUNDLE/rootfs")"
	wait_for_status ctr stopped
	run runlock delete ctr
	assert_success
	assert_no_leftovers
}

# Someone removes the state directory without `delete` (rm -rf of
# <root>/<id>): nothing could ever delete the container again, so its
# supervisor does what `delete --force` would, at once: kills the container,
# init, an exec'd process and a daemon that left the session, and exits.
# Control: removing another directory in the state root changes nothing.
@test "state directory removed without delete: the supervisor kills the container and exits" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 101; exec sleep 100'
	create_container ctr
	runlock start ctr
	runlock_detached exec -d ctr sleep 102
	_three() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -eq 3 ]; }
	retry 10 _three || fail "expected 3 processes: $(container_processes "$BUNDLE/rootfs")"
	local sv
	sv=$(helper_pid ctr rl-supervisor) || fail "no supervisor"
	mkdir "$RUNLOCK_STATE/other"
	rmdir "$RUNLOCK_STATE/other"
	sleep 0.3
	pid_alive "$sv" || fail "the supervisor exited when another directory went"
	assert_equal "$(container_processes "$BUNDLE/rootfs" | wc -l)" 3
	rm -rf "${RUNLOCK_STATE:?}/ctr"
	wait_pid_gone "$sv" 5
	retry 5 _container_gone || fail "survivors: $(container_processes "$BUNDLE/rootfs")"
	assert_no_leftovers
}

@test "supervisor killed without a pid namespace: the processes runlock started are killed" {
	setup_bundle sleep 100
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	create_container ctr
	runlock start ctr
	runlock_detached exec -d ctr sleep 102
	_two() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -eq 2 ]; }
	retry 10 _two || fail "expected 2 processes: $(container_processes "$BUNDLE/rootfs")"
	kill -KILL "$(helper_pid ctr rl-supervisor)"
	retry 10 _container_gone || fail "survivors: $(container_processes "$BUNDLE/rootfs")"
	wait_for_status ctr stopped
}

@test "agent killed: the supervisor kills the container and records it stopped" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 101; exec sleep 100'
	create_container ctr
	runlock start ctr
	_two() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -eq 2 ]; }
	retry 10 _two || fail "expected 2 processes: $(container_processes "$BUNDLE/rootfs")"
	local sv
	sv=$(helper_pid ctr rl-supervisor)
	kill -KILL "$(helper_pid ctr rl-agent)"
	retry 10 _container_gone || fail "survivors: $(container_processes "$BUNDLE/rootfs")"
	retry 10 _pid_gone "$sv" || fail "the supervisor outlived its agent"
	wait_for_status ctr stopped
	run runlock delete ctr
	assert_success
	assert_no_leftovers
}

@test "pid namespace: when init exits, a setsid double-forked daemon is killed" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 101 >/daemon.pid; sleep 1'
	update_config '.root.readonly = false'
	create_container ctr
	runlock start ctr
	wait_for_file "$BUNDLE/rootfs/daemon.pid"
	wait_for_status ctr stopped
	retry 10 _container_gone || fail "the daemon survived init: $(container_processes "$BUNDLE/rootfs")"
}

@test "pid namespace: control: without it the daemon outlives init, as on the host" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 101 >/daemon.pid; sleep 1'
	update_config '.root.readonly = false | .linux.namespaces |= map(select(.type != "pid"))'
	create_container ctr
	runlock start ctr
	wait_for_file "$BUNDLE/rootfs/daemon.pid"
	wait_for_status ctr stopped
	sleep 0.5
	local d
	d=$(cat "$BUNDLE/rootfs/daemon.pid")
	pid_alive "$d" || fail "the daemon died with init"
	kill -KILL "$d"
}

@test "ps lists exec'd processes and daemons through the supervisor" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 101 >/daemon.pid; exec sleep 100'
	update_config '.root.readonly = false'
	create_container ctr
	runlock start ctr
	wait_for_file "$BUNDLE/rootfs/daemon.pid"
	runlock_detached exec -d ctr sleep 102
	local e
	_exec_pid() { e=$(container_processes "$BUNDLE/rootfs" | while read -r p; do
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline")" = "sleep 102 " ] && echo "$p"; done); [ -n "$e" ]; }
	retry 10 _exec_pid || fail "no exec'd sleep"
	run runlock ps --format json ctr
	assert_success
	local pids
	pids=$(jq -r 'sort | join(" ")' <<<"$output")
	for p in "$(pid_of ctr)" "$(cat "$BUNDLE/rootfs/daemon.pid")" "$e"; do
		[[ " $pids " == *" $p "* ]] || fail "$p missing from ps: $pids"
	done
	assert_equal "$(jq length <<<"$output")" 3
}

@test "create with a terminal: the caller's pipes see EOF once create exits (init waits for start)" {
	skip_unless_helper recvtty
	setup_bundle sh -c 'echo hi'
	update_config '.process.terminal = true'
	local sock="$BATS_TEST_TMPDIR/console.sock"
	"$RUNLOCK_HELPERS/recvtty" "$sock" "$BATS_TEST_TMPDIR/tty.out" 2>/dev/null 3>&- &
	wait_for_file "$sock"
	# $(...) returns only at EOF: neither the supervisor nor the waiting
	# init may hold create's stdout (containerd's shim waits the same way).
	local out st=0
	out=$(timeout 10 "$RUNLOCK" --root "$RUNLOCK_STATE" create --bundle "$BUNDLE" \
		--console-socket "$sock" ctr 3>&- </dev/null) || st=$?
	assert_equal "$st" 0
	assert_equal "$out" ""
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" created
}

@test "init's exit: once reaped, its wait status is in <state>/exit and state.json says stopped" {
	skip_unless_helper subreaper
	setup_bundle sh -c 'exit 3'
	# The caller's subreaper reaps init, as conmon or the shim would.
	"$RUNLOCK_HELPERS/subreaper" "$BATS_TEST_TMPDIR/ctr.pid" "$RUNLOCK" --root "$RUNLOCK_STATE" \
		create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/ctr.pid" ctr \
		</dev/null >"$BATS_TEST_TMPDIR/reaper.out" 2>&1 3>&- &
	retry 10 grep -q started "$BATS_TEST_TMPDIR/reaper.out"
	runlock start ctr
	retry 10 grep -q "exit 3" "$BATS_TEST_TMPDIR/reaper.out"
	wait_for_file "$RUNLOCK_STATE/ctr/exit"
	assert_equal "$(cat "$RUNLOCK_STATE/ctr/exit")" $((3 << 8))
	assert_equal "$(jq -r .status "$RUNLOCK_STATE/ctr/state.json")" stopped
	run runlock delete ctr
	assert_success
}
