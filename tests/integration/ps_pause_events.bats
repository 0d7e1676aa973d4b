#!/usr/bin/env bats
# ps, pause, resume and events.

load helpers

# proc_state PID: the state letter of /proc/PID/stat ('R', 'S', 'T', ...).
proc_state() {
	local stat
	IFS= read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

# ps_pids ID: the container's pids from `ps --format json`, one per line, sorted.
ps_pids() {
	runlock ps --format json "$1" | jq -r '.[]?' | sort -n
}

# states_of PID...: "PID:STATE" for each process still alive.
states_of() {
	local p s
	for p in "$@"; do
		s=$(proc_state "$p") || continue
		echo "$p:$s"
	done
}

# all_stopped PID...: every (live) process is in state T.
all_stopped() {
	local p s
	for p in "$@"; do
		s=$(proc_state "$p") || continue
		[ "$s" = T ] || [ "$s" = Z ] || return 1
	done
}

# none_stopped PID...
none_stopped() {
	local p
	for p in "$@"; do
		[ "$(proc_state "$p")" != T ] || return 1
	done
}

# A container of an init, a child and a setsid'd double-forked daemon, with
# their pids in the rootfs's /tmp/child and /tmp/daemon. Sets ROOTFS.
three_processes() {
	skip_unless_helper spawn
	setup_bundle sh -c '/usr/local/bin/spawn sleep 100 >/tmp/child;
		/usr/local/bin/spawn -s -d sleep 100 >/tmp/daemon; exec sleep 100'
	update_config '.root.readonly = false'
	ROOTFS="$BUNDLE/rootfs"
	start_container "$1"
	wait_for_exec "$(pid_of "$1")" sleep
	wait_for_file "$ROOTFS/tmp/daemon"
	_three() { [ "$(container_processes "$ROOTFS" | wc -l)" -eq 3 ]; }
	retry 10 _three || fail "expected 3 container processes: $(container_processes "$ROOTFS")"
}

@test "ps --format json lists init, a child and a setsid'd daemon, and no host process" {
	three_processes ps1
	sleep 100 &
	local host=$!
	local want got
	want=$(printf '%s\n' "$(pid_of ps1)" "$(cat "$ROOTFS/tmp/child")" \
		"$(cat "$ROOTFS/tmp/daemon")" | sort -n)
	got=$(ps_pids ps1)
	kill -KILL "$host"
	assert_equal "$got" "$want"
	assert_equal "$got" "$(container_processes "$ROOTFS" | sort -n)"
	run runlock ps -f json ps1
	assert_success
	jq -e 'type == "array" and length == 3' <<<"$output" >/dev/null || fail "output: $output"
}

@test "ps table: ps -ef's header and only the container's lines; PS_ARGS are passed to ps" {
	skip_unless_cmd ps
	three_processes ps2
	local pids line
	pids=$(ps_pids ps2)
	run runlock ps ps2
	assert_success
	assert_line --index 0 --regexp '^UID +PID +PPID'
	assert_equal "${#lines[@]}" 4
	for line in "${lines[@]:1}"; do
		grep -qx "$(awk '{print $2}' <<<"$line")" <<<"$pids" || fail "not a container line: $line"
	done
	run runlock ps ps2 -o pid,comm
	assert_success
	assert_line --index 0 --regexp '^ *PID +COMMAND'
	assert_equal "${#lines[@]}" 4
	assert_equal "$(printf '%s\n' "${lines[@]:1}" | awk '{print $1}' | sort -n)" "$pids"
	# Without a PID column there is nothing to filter on.
	run runlock ps ps2 -o comm
	assert_failure 1
	assert_output --partial "couldn't find PID field in ps output"
}

@test "ps of a stopped container: null (as runc) and the header only; of a missing one: does not exist" {
	skip_unless_cmd ps
	setup_bundle true
	start_container ps3
	wait_for_status ps3 stopped
	run runlock ps --format json ps3
	assert_success
	assert_output null
	run runlock ps ps3
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --regexp 'PID'
	run --separate-stderr runlock ps nosuch
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

@test "ps, pause, resume, events: --help, missing id, unknown flag, bad format" {
	local cmd
	for cmd in ps pause resume events; do
		run runlock "$cmd" --help
		assert_success
		assert_output --partial "runlock [global options] $cmd"
		run runlock "$cmd"
		assert_failure 1
		assert_output --partial "Usage: runlock [global options] $cmd"
		run runlock "$cmd" --nosuch x
		assert_failure 1
		assert_output --partial "flag provided but not defined: --nosuch"
	done
	run runlock ps --format yaml x
	assert_failure 1
	assert_output --partial "invalid format option"
	run runlock events --interval 5parsecs x
	assert_failure 1
	assert_output --partial 'invalid duration "5parsecs"'
}

@test "pause stops every process, even ones forked during the pause; resume continues them" {
	skip_unless_helper spawn
	# A daemon that forks without pause (each child lives 300 ms, so one
	# that escaped the pause would be seen running or would exit within the
	# 300 ms the count is watched), and an init that counts.
	setup_bundle sh -c '/usr/local/bin/spawn -s -d sh -c "while :; do /usr/local/bin/spawn sleep 0.3 >/tmp/last; done" >/tmp/daemon;
		i=0; while :; do i=$((i + 1)); echo $i >/tmp/count; sleep 0.01; done'
	update_config '.root.readonly = false'
	local rootfs="$BUNDLE/rootfs"
	start_container p1
	wait_for_file "$rootfs/tmp/count"
	wait_for_file "$rootfs/tmp/daemon"
	run runlock pause p1
	assert_success
	assert_output ""
	local pids host count
	pids=$(ps_pids p1)
	host=$(container_processes "$rootfs" | sort -n)
	# Every member and everything the host sees in the rootfs is stopped.
	# shellcheck disable=SC2086
	all_stopped $pids || fail "not all stopped: $(states_of $pids)"
	# shellcheck disable=SC2086
	all_stopped $host || fail "not all stopped (host view): $(states_of $host)"
	[ "$(wc -l <<<"$pids")" -ge 3 ] || fail "members: $pids"
	count=$(cat "$rootfs/tmp/count")
	sleep 0.3
	assert_equal "$(ps_pids p1)" "$pids"
	assert_equal "$(container_processes "$rootfs" | sort -n)" "$host"
	assert_equal "$(cat "$rootfs/tmp/count")" "$count"
	run runlock state p1
	assert_equal "$(jq -r .status <<<"$output")" paused
	run runlock list
	assert_line --index 1 --regexp '^p1 +[0-9]+ +paused '

	run runlock resume p1
	assert_success
	assert_output ""
	run runlock state p1
	assert_equal "$(jq -r .status <<<"$output")" running
	pids=$(ps_pids p1)
	# shellcheck disable=SC2086
	none_stopped $pids || fail "still stopped: $(states_of $pids)"
	# The counter is rewritten by truncate + write: the pause may have caught
	# it empty (then it was 0), and a read after resume may land in between.
	_advanced() {
		local c
		c=$(cat "$rootfs/tmp/count")
		[ -n "$c" ] && [ "$c" -gt "${count:-0}" ]
	}
	retry 5 _advanced || fail "the counter did not advance after resume"
}

@test "pause of a stopped or paused container and resume of a running one fail" {
	setup_bundle sleep 100
	start_container p2
	run --separate-stderr runlock resume p2
	assert_failure 1
	[[ "$stderr" == *"container not paused"* ]] || fail "stderr: $stderr"
	run runlock pause p2
	assert_success
	run --separate-stderr runlock pause p2
	assert_failure 1
	[[ "$stderr" == *"container not running"* ]] || fail "stderr: $stderr"
	run runlock kill p2 KILL
	assert_success
	wait_for_status p2 stopped
	run --separate-stderr runlock pause p2
	assert_failure 1
	[[ "$stderr" == *"container not running"* ]] || fail "stderr: $stderr"
	run --separate-stderr runlock resume p2
	assert_failure 1
	[[ "$stderr" == *"container not paused"* ]] || fail "stderr: $stderr"
	run --separate-stderr runlock pause nosuch
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

@test "pause a created container: start refuses it; resume makes it created again" {
	setup_bundle sleep 100
	create_container p3
	run runlock pause p3
	assert_success
	assert_equal "$(proc_state "$(pid_of p3)")" T
	run --separate-stderr runlock start p3
	assert_failure 1
	[[ "$stderr" == *"cannot start a paused container"* ]] || fail "stderr: $stderr"
	run runlock resume p3
	assert_success
	wait_for_status p3 created
	run runlock start p3
	assert_success
	wait_for_status p3 running
}

@test "delete of a paused container needs --force, which kills everything" {
	three_processes p4
	run runlock pause p4
	assert_success
	run --separate-stderr runlock delete p4
	assert_failure 1
	[[ "$stderr" == *"cannot delete container p4 that is not stopped: paused"* ]] ||
		fail "stderr: $stderr"
	run runlock delete -f p4
	assert_success
	run runlock state p4
	assert_failure 1
	assert_output --partial "container does not exist"
	assert_equal "$(container_processes "$ROOTFS")" ""
	assert_no_leftovers
}

@test "kill KILL stops a paused container; TERM waits for resume" {
	setup_bundle sleep 100
	# Without a pid namespace: in one, init ignores a TERM it does not
	# handle, as pid 1 under runc does (pid1.bats).
	without_pidns
	start_container p5
	wait_for_exec "$(pid_of p5)" sleep
	run runlock pause p5
	assert_success
	run runlock kill p5 TERM
	assert_success
	sleep 0.2
	pid_alive "$(pid_of p5)" || fail "a paused init died of a pending TERM"
	run runlock resume p5
	assert_success
	wait_for_status p5 stopped

	rm -f "$BATS_TEST_TMPDIR/p6.pid"
	start_container p6
	run runlock pause p6
	assert_success
	run runlock kill p6 KILL
	assert_success
	wait_for_status p6 stopped
	wait_pid_gone "$(pid_of p6)"
}

@test "events --stats: one stats event with pids, memory and cpu" {
	three_processes e1
	run runlock events --stats e1
	assert_success
	assert_equal "${#lines[@]}" 1
	jq -e --arg id e1 '.type == "stats" and .id == $id' <<<"$output" >/dev/null ||
		fail "output: $output"
	assert_equal "$(jq .data.pids.current <<<"$output")" 3
	assert_equal "$(jq .data.pids.current <<<"$output")" "$(container_processes "$ROOTFS" | wc -l)"
	jq -e '.data.memory.usage.usage > 0' <<<"$output" >/dev/null || fail "output: $output"
	jq -e '(.data.cpu.usage.total | type) == "number" and
		.data.cpu.usage.total == .data.cpu.usage.user + .data.cpu.usage.kernel' \
		<<<"$output" >/dev/null || fail "output: $output"
}

@test "events --interval 200ms streams until the container stops, then exits 0" {
	setup_bundle sleep 1.2
	start_container e2
	run --separate-stderr runlock events --interval 200ms e2
	assert_success
	[ "${#lines[@]}" -ge 3 ] || fail "only ${#lines[@]} lines: $output"
	local l
	for l in "${lines[@]}"; do
		jq -e '.type == "stats" and .id == "e2" and .data.pids.current >= 0' <<<"$l" >/dev/null ||
			fail "bad line: $l"
	done
	run runlock state e2
	assert_equal "$(jq -r .status <<<"$output")" stopped
}

@test "events of a stopped or missing container fails; a zero interval is refused" {
	setup_bundle sleep 100
	start_container e3
	run --separate-stderr runlock events --interval 0s e3
	assert_failure 1
	[[ "$stderr" == *"duration interval must be greater than 0"* ]] || fail "stderr: $stderr"
	run runlock kill e3 KILL
	assert_success
	wait_for_status e3 stopped
	run --separate-stderr runlock events --stats e3
	assert_failure 1
	[[ "$stderr" == *"container with id e3 is not running"* ]] || fail "stderr: $stderr"
	run --separate-stderr runlock events nosuch
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}
