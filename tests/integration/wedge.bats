#!/usr/bin/env bats
# Issue 14, item 12: no host-side command depends on the cooperation of a
# process the container can stop, block or kill. The spawner shares the
# container's signal scope (it forks into that domain) and the agent's
# on-behalf connect can meet a listener that never accepts: exec, ps, kill
# and delete -f still complete in bounded time, and delete -f leaves nothing.

load helpers

CTLPEER="$RUNLOCK_HELPERS/ctlpeer"

# spawner_of ROOTFS: the pid of the rl-spawner chrooted into ROOTFS.
spawner_of() {
	local p
	for p in $(pgrep -x rl-spawner); do
		if [ "$(readlink "/proc/$p/root")" = "$1" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

_stopped() {
	[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ]
}

now_ms() {
	date +%s%3N
}

# timed MAX_MS CMD...: run CMD under bats' run and fail if it took longer.
timed() {
	local max=$1 t0 t1
	shift
	t0=$(now_ms)
	run "$@"
	t1=$(now_ms)
	echo "# $* took $((t1 - t0)) ms (status $status)" >&3
	[ $((t1 - t0)) -le "$max" ] || fail "$* took $((t1 - t0)) ms (bound $max)"
}

assert_gone() {
	[ ! -e "$RUNLOCK_STATE/ctr" ] || fail "the state directory is left"
	assert_no_leftovers 5
}

@test "wedge: with its spawner stopped from inside, exec, ps, kill and delete -f complete" {
	setup_bundle
	update_config '.root.readonly = false'
	# init stops every process of its signal scope but itself: the spawner.
	set_args sh -c 'kill -STOP -1; exec sleep 100'
	create_container ctr
	runlock start ctr
	retry 5 spawner_of "$BUNDLE/rootfs" >/dev/null
	sp=$(spawner_of "$BUNDLE/rootfs")
	retry 5 _stopped "$sp" || fail "the spawner $sp was not stopped"
	timed 5000 runlock exec ctr echo ran
	assert_success
	assert_output ran
	# Stopped again, from an exec'd process: it stops its own waiter
	# too, which must not keep the exec from ending.
	timed 8000 runlock exec ctr sh -c 'kill -STOP -1'
	assert_success
	retry 5 _stopped "$sp" || fail "the spawner $sp was not stopped again"
	timed 5000 runlock ps ctr
	assert_success
	timed 5000 runlock kill ctr KILL
	assert_success
	timed 10000 runlock delete -f ctr
	assert_success
	assert_gone
}

@test "wedge: delete -f completes with the spawner stopped and the container running" {
	setup_bundle
	set_args sh -c 'kill -STOP -1; exec sleep 100'
	create_container ctr
	runlock start ctr
	retry 5 spawner_of "$BUNDLE/rootfs" >/dev/null
	retry 5 _stopped "$(spawner_of "$BUNDLE/rootfs")"
	timed 10000 runlock delete -f ctr
	assert_success
	assert_gone
}

@test "wedge: runlock exec is ended by SIGTERM before its process starts; delete -f kills an unresponsive supervisor" {
	setup_bundle
	set_args sleep 100
	create_container ctr
	runlock start ctr
	sv=$(pgrep -x rl-supervisor | while read -r p; do
		grep -qF "$RUNLOCK_STATE" "/proc/$p/cmdline" 2>/dev/null && echo "$p"
	done | head -1)
	if [ -z "$sv" ]; then
		# Its command line is create's: find it by its agent's root.
		sp=$(spawner_of "$BUNDLE/rootfs")
		agent=$(awk '{print $4}' "/proc/$sp/stat")
		sv=$(awk '{print $4}' "/proc/$agent/stat")
	fi
	[ "$(cat "/proc/$sv/comm")" = rl-supervisor ]
	# Not something a container can do: it holds the exec before STARTED.
	kill -STOP "$sv"
	"$RUNLOCK" --root "$RUNLOCK_STATE" exec ctr echo never </dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- &
	ex=$!
	sleep 1
	t0=$(now_ms)
	kill -TERM "$ex"
	st=0
	wait "$ex" || st=$?
	t1=$(now_ms)
	[ "$st" -eq 143 ] || fail "exec exited $st after SIGTERM: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	[ $((t1 - t0)) -le 2000 ] || fail "exec took $((t1 - t0)) ms to end after SIGTERM"
	timed 25000 runlock delete -f ctr
	assert_success
	assert_gone
	run cat "$BATS_TEST_TMPDIR/exec.out"
	refute_output --partial never
}

@test "wedge: a listen(0) socket in a bind mount with three connects from inside does not stall ps, kill or delete -f" {
	skip_unless_helper ctlpeer
	setup_bundle
	update_config '.root.readonly = false'
	mkdir -p "$BATS_TEST_TMPDIR/sock"
	"$CTLPEER" listen0 "$BATS_TEST_TMPDIR/sock/s" "$BATS_TEST_TMPDIR/ready" </dev/null >/dev/null 2>&1 3>&- &
	lpid=$!
	wait_for_file "$BATS_TEST_TMPDIR/ready" 5
	update_config '.mounts += [{destination: "/sock", type: "bind", source: $s, options: ["rbind"]}]' \
		--arg s "$BATS_TEST_TMPDIR/sock"
	: >"$BUNDLE/rootfs/dev/null"
	set_args sh -c 'for i in 1 2 3; do ctlpeer connect /sock/s 100 >>/out 2>&1 </dev/null & done; exec sleep 100'
	create_container ctr
	runlock start ctr
	retry 10 sh -c "[ \$(wc -l <'$BUNDLE/rootfs/out') -ge 3 ]" || true
	timed 5000 runlock ps ctr
	assert_success
	run sort "$BUNDLE/rootfs/out"
	assert_output "$(printf '%s\n' 'connect: EAGAIN' 'connect: EAGAIN' connected)"
	timed 5000 runlock kill ctr KILL
	assert_success
	timed 10000 runlock delete -f ctr
	assert_success
	kill "$lpid" 2>/dev/null || true
	assert_gone
}

@test "wedge: a FIFO reopened through /proc/self/fd with no writer waits off the supervisor's loop: exec and ps answer; a writer releases it" {
	setup_bundle
	set_args racer fifo-reopen /dev/shm/f
	create_container ctr
	runlock start ctr
	sleep 1 # init is then blocked in its reopen
	timed 5000 runlock exec ctr echo ran
	assert_success
	assert_output ran
	timed 5000 runlock ps ctr
	assert_success
	# Control: the reopen is really pending, and a writer releases it:
	# init then exits (its exit may end the writer's exec first, so that
	# exec's own status is not asserted).
	timed 5000 runlock exec ctr sh -c 'echo x > /dev/shm/f'
	wait_for_status ctr stopped
	timed 10000 runlock delete -f ctr
	assert_success
	assert_gone
}
