#!/usr/bin/env bats
# run: create + start + wait in the foreground, run -d, signal forwarding,
# terminal proxying.

load helpers

@test "run exits with the container's exit status" {
	setup_bundle sh -c 'exit 3'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure 3
}

@test "run passes the program's output through and exits 0" {
	setup_bundle sh -c 'echo hello; echo oops >&2'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output hello
	assert_equal "$stderr" oops
}

@test "run: a container killed by SIGKILL gives 137" {
	setup_bundle sh -c 'kill -KILL $$'
	without_pidns # pid 1 of a pid namespace cannot kill itself (runc: exit 0)
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure 137
}

@test "run: a container killed by SIGTERM gives 143" {
	setup_bundle sh -c 'kill -TERM $$'
	without_pidns
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure 143
}

@test "run deletes the container afterwards" {
	setup_bundle true
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	run runlock list -q
	assert_success
	assert_output ""
	run runlock state ctr
	assert_failure 1
	assert_output --partial "container does not exist"
	assert_no_leftovers
}

@test "run --keep keeps the stopped container until delete" {
	setup_bundle sh -c 'exit 2'
	run runlock run --keep --bundle "$BUNDLE" ctr
	assert_failure 2
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" stopped
	assert_equal "$(jq -r .pid <<<"$output")" 0
	run runlock list -q
	assert_output ctr
	run runlock delete ctr
	assert_success
	run runlock list -q
	assert_output ""
}

@test "run -d returns at once with the container running" {
	setup_bundle sleep 100
	local t0=$SECONDS
	runlock_detached run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/ctr.pid" ctr
	assert_equal "$status" 0
	assert_equal "$output" ""
	[ $((SECONDS - t0)) -lt 10 ] || fail "run -d took $((SECONDS - t0))s"
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/ctr.pid")
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"
	wait_for_exec "$pid" sleep
}

@test "run --detach (long option) and the container keeps running after run exits" {
	setup_bundle sleep 100
	runlock_detached run --detach --bundle "$BUNDLE" ctr
	assert_equal "$status" 0
	sleep 0.3
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" running
	pid_alive "$(jq -r .pid <<<"$output")" || fail "init not alive"
}

@test "run on an id that exists fails: container with id exists" {
	setup_bundle sleep 100
	create_container ctr
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_failure 1
	[[ "$stderr" == *"container with id exists"* ]] || fail "stderr: $stderr"
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" created
}

@test "run with a missing bundle fails with exit 1" {
	run --separate-stderr runlock run --bundle "$BATS_TEST_TMPDIR/nonexistent" ctr
	assert_failure 1
	[ -n "$stderr" ] || fail "no error message"
	run runlock list -q
	assert_output ""
}

# forward_signal SIG: init traps SIG, reports it and exits 5.
forward_signal() {
	local sig=$1
	setup_bundle sh -c "trap 'echo got-$sig; exit 5' $sig; touch /tmp/ready; while :; do sleep 0.1; done"
	update_config '.root.readonly = false'
	start_foreground ctr
	wait_for_file "$BUNDLE/rootfs/tmp/ready"
	kill -s "$sig" "$FG_PID"
	wait_foreground
	assert_equal "$FG_STATUS" 5
	assert_equal "$(cat "$FG_OUT")" "got-$sig"
}

@test "run forwards SIGUSR1 to the container's init" {
	forward_signal USR1
}

@test "run forwards SIGTERM to the container's init" {
	forward_signal TERM
}

@test "run forwards SIGHUP to the container's init" {
	forward_signal HUP
}

@test "run forwards SIGINT to the container's init" {
	forward_signal INT
}

@test "run forwards SIGUSR2 to the container's init" {
	forward_signal USR2
}

@test "run: SIGKILL to the container ends run with 137 and removes the container" {
	setup_bundle sleep 100
	start_foreground ctr
	wait_for_status ctr running
	local pid
	pid=$(runlock state ctr | jq -r .pid)
	wait_for_exec "$pid" sleep
	kill -KILL "$pid"
	wait_foreground
	assert_equal "$FG_STATUS" 137
	run runlock list -q
	assert_output ""
}

@test "run with terminal true allocates a pty and proxies stdio" {
	setup_bundle sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo is-a-tty; exit 4'
	update_config '.process.terminal = true'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure 4
	assert_output --partial is-a-tty
}

@test "run with terminal true forwards input to the container" {
	setup_bundle sh -c 'read x; echo "got:$x"'
	update_config '.process.terminal = true'
	run bash -c 'printf "ping\n" | timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" run --bundle "$BUNDLE" ctr 3>&-'
	assert_success
	assert_output --partial "got:ping"
}

# runc destroys the container when init exits: what init left behind, a
# setsid()+double-forked daemon included, is killed before run returns.
@test "run: the processes init leaves behind are killed when it exits" {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sleep 100; /usr/local/bin/spawn sleep 100; exit 3'
	local rootfs="$BUNDLE/rootfs" rc=0
	# Files, not bats' pipe: a leftover would hold a pipe open.
	runlock run --bundle "$BUNDLE" ctr >"$BATS_TEST_TMPDIR/out" 2>&1 || rc=$?
	assert_equal "$rc" 3
	[ -z "$(container_processes "$rootfs")" ] ||
		fail "left running: $(container_processes "$rootfs")"
	run runlock state ctr
	assert_failure 1
}
