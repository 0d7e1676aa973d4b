#!/usr/bin/env bats
# kill and delete.

load helpers

# fg_sleeper: `runlock run` of `sleep 100` in the background, waited until
# the sleep runs. Sets FG_PID (runlock) and INIT (the container's init).
# Without a pid namespace: as pid 1 of one, sleep would drop the signals.
fg_sleeper() {
	setup_bundle sleep 100
	without_pidns
	start_foreground ctr
	wait_for_status ctr running
	INIT=$(runlock state ctr | jq -r .pid)
	wait_for_exec "$INIT" sleep
}

@test "kill without a signal sends SIGTERM" {
	fg_sleeper
	run --separate-stderr runlock kill ctr
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	wait_foreground
	assert_equal "$FG_STATUS" 143
}

@test "kill ID KILL" {
	fg_sleeper
	run runlock kill ctr KILL
	assert_success
	wait_foreground
	assert_equal "$FG_STATUS" 137
}

@test "kill ID SIGKILL" {
	fg_sleeper
	run runlock kill ctr SIGKILL
	assert_success
	wait_foreground
	assert_equal "$FG_STATUS" 137
}

@test "kill ID 9" {
	fg_sleeper
	run runlock kill ctr 9
	assert_success
	wait_foreground
	assert_equal "$FG_STATUS" 137
}

@test "kill ID HUP, SIGHUP and 1 all send SIGHUP" {
	local s
	for s in HUP SIGHUP 1; do
		fg_sleeper
		run runlock kill ctr "$s"
		assert_success
		wait_foreground
		if [ "$FG_STATUS" -ne 129 ]; then
			fail "kill ctr $s: container exited $FG_STATUS, expected 129"
		fi
	done
}

@test "kill ID USR1 reaches a trap in the init" {
	setup_bundle sh -c "trap 'echo got-usr1; exit 6' USR1; touch /tmp/ready; while :; do sleep 0.1; done"
	update_config '.root.readonly = false'
	start_foreground ctr
	wait_for_file "$BUNDLE/rootfs/tmp/ready"
	run runlock kill ctr USR1
	assert_success
	wait_foreground
	assert_equal "$FG_STATUS" 6
	assert_equal "$(cat "$FG_OUT")" got-usr1
}

@test "kill with an invalid signal fails and the container keeps running" {
	fg_sleeper
	local s
	for s in NOSUCHSIG SIGFOO ""; do
		run --separate-stderr runlock kill ctr "$s"
		if [ "$status" -ne 1 ] || [ -z "$stderr" ]; then
			fail "kill ctr '$s': status $status, stderr '$stderr'"
		fi
	done
	pid_alive "$INIT" || fail "init died"
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" running
}

# Signal 0, as kill(2) and runc: no signal, the existence test. It succeeds
# on a running container and leaves it running; on a stopped one it fails
# as any other signal does (the control).
@test "kill ID 0 and kill -a ID 0 test existence and deliver nothing" {
	setup_bundle sleep 100
	start_container ctr
	local init
	init=$(pid_of ctr)
	run --separate-stderr runlock kill ctr 0
	assert_success
	run --separate-stderr runlock kill -a ctr 0
	assert_success
	sleep 0.2
	pid_alive "$init" || fail "init died"
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" running
	run runlock kill ctr KILL
	assert_success
	wait_for_status ctr stopped
	run --separate-stderr runlock kill ctr 0
	assert_failure 1
	[[ "$stderr" == *"container not running"* ]] || fail "stderr: $stderr"
}

@test "kill a created container: it becomes stopped" {
	setup_bundle sleep 100
	create_container ctr
	local pid
	pid=$(pid_of ctr)
	run runlock kill ctr KILL
	assert_success
	wait_pid_gone "$pid"
	wait_for_status ctr stopped
}

@test "kill on a stopped container: container not running; kill --all and -a exit 0" {
	setup_bundle true
	start_container ctr
	wait_for_status ctr stopped
	run --separate-stderr runlock kill ctr KILL
	assert_failure 1
	[[ "$stderr" == *"container not running"* ]] || fail "stderr: $stderr"
	run runlock kill ctr
	assert_failure 1
	assert_output --partial "container not running"
	run runlock kill --all ctr KILL
	assert_success
	run runlock kill -a ctr
	assert_success
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" stopped
}

@test "kill a nonexistent container: container does not exist" {
	run --separate-stderr runlock kill nosuch KILL
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

@test "kill --all reaches every process of the container, even one that called setsid" {
	skip_unless_helper spawn
	# A child, a child in its own session, and a double-forked one in its own
	# session that is no child of the init at all.
	setup_bundle sh -c '/usr/local/bin/spawn sleep 100; /usr/local/bin/spawn -s sleep 100;
		/usr/local/bin/spawn -s -d sleep 100; exec sleep 100'
	start_container ctr
	local rootfs="$BUNDLE/rootfs"
	# the init and three more sleeps
	_four() { [ "$(container_processes "$rootfs" | wc -l)" -eq 4 ]; }
	retry 10 _four || fail "expected 4 container processes, have: $(container_processes "$rootfs")"
	run runlock kill --all ctr KILL
	assert_success
	_none() { [ -z "$(container_processes "$rootfs")" ]; }
	retry 5 _none || fail "processes survived kill --all: $(container_processes "$rootfs")"
	wait_for_status ctr stopped
}

@test "delete a stopped container removes it" {
	setup_bundle true
	start_container ctr
	wait_for_status ctr stopped
	run --separate-stderr runlock delete ctr
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	run runlock state ctr
	assert_failure 1
	assert_output --partial "container does not exist"
	run runlock list -q
	assert_output ""
	assert_no_leftovers
}

@test "delete a created container kills its init and removes it" {
	setup_bundle sleep 100
	create_container ctr
	local pid
	pid=$(pid_of ctr)
	run runlock delete ctr
	assert_success
	wait_pid_gone "$pid"
	run runlock state ctr
	assert_failure 1
	assert_output --partial "container does not exist"
	assert_no_leftovers
}

@test "delete a running container fails: cannot delete container ID that is not stopped" {
	setup_bundle sleep 100
	start_container ctr
	run --separate-stderr runlock delete ctr
	assert_failure 1
	[[ "$stderr" == *"cannot delete container ctr that is not stopped"* ]] || fail "stderr: $stderr"
	pid_alive "$(pid_of ctr)" || fail "init died"
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" running
}

@test "delete --force and -f remove a running container and everything in it" {
	skip_unless_helper spawn
	local opt
	_three() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -ge 3 ]; }
	for opt in --force -f; do
		setup_bundle sh -c 'trap "" TERM; /usr/local/bin/spawn sleep 100; /usr/local/bin/spawn -s -d sleep 100;
			while :; do sleep 0.1; done'
		start_container ctr
		local pid
		pid=$(pid_of ctr)
		retry 10 _three || fail "container processes: $(container_processes "$BUNDLE/rootfs")"
		run runlock delete "$opt" ctr
		assert_success
		wait_pid_gone "$pid"
		run runlock state ctr
		assert_failure 1
		assert_output --partial "container does not exist"
		assert_no_leftovers
		rm -f "$BATS_TEST_TMPDIR/ctr.pid"
	done
}

@test "delete --force of a nonexistent id exits 0; delete without it fails" {
	run --separate-stderr runlock delete --force nosuch
	assert_success
	run --separate-stderr runlock delete -f nosuch
	assert_success
	run --separate-stderr runlock delete nosuch
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

@test "delete after run --keep of a killed container" {
	setup_bundle sh -c 'kill -KILL $$'
	without_pidns # pid 1 cannot kill itself
	run runlock run --keep --bundle "$BUNDLE" ctr
	assert_failure 137
	run runlock delete ctr
	assert_success
	run runlock list -q
	assert_output ""
}

@test "delete removes the scratch directories of tmpfs mounts, not following symlinks out of them" {
	setup_bundle sleep 100
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["mode=0700"]}]'
	create_container ctr
	[ -d "$RUNLOCK_STATE/@scratch/ctr/mnt" ] || fail "no scratch directories"
	local outside="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$outside" && touch "$outside/keep"
	local d
	for d in "$RUNLOCK_STATE"/@scratch/ctr/mnt/[0-9]*; do
		mkdir -p "$d/a/b" && touch "$d/a/b/f" && ln -s "$outside" "$d/a/out"
	done
	run runlock delete -f ctr
	assert_success
	[ ! -e "$RUNLOCK_STATE/ctr" ] || fail "state directory left: $(ls -R "$RUNLOCK_STATE/ctr")"
	[ ! -e "$RUNLOCK_STATE/@scratch" ] || fail "scratch left: $(ls -R "$RUNLOCK_STATE/@scratch")"
	[ -e "$outside/keep" ] || fail "delete followed a symlink out of the scratch directory"
}
