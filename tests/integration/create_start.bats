#!/usr/bin/env bats
# create and start: the two-step life cycle shims use.

load helpers

@test "create does not run the program; start does" {
	setup_bundle sh -c 'echo ran >/marker'
	update_config '.root.readonly = false'
	runlock_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/ctr.pid" ctr
	assert_equal "$status" 0
	assert_equal "$(cat "$stdout_file")" ""
	assert_equal "$(cat "$stderr_file")" ""
	[ -s "$BATS_TEST_TMPDIR/ctr.pid" ] || fail "no pid file after create"
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created

	# Give a runtime that started the program too early time to show it.
	sleep 0.5
	[ ! -e "$BUNDLE/rootfs/marker" ] || fail "the program ran before start"

	run --separate-stderr runlock start ctr
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	wait_for_file "$BUNDLE/rootfs/marker"
	wait_for_status ctr stopped
	assert_equal "$(cat "$BUNDLE/rootfs/marker")" ran
}

@test "pid file: bare decimal digits without newline, the init's pid" {
	setup_bundle sleep 100
	create_container ctr
	local f="$BATS_TEST_TMPDIR/ctr.pid"
	# Only digits, so no trailing newline or spaces.
	grep -Eq '^[0-9]+$' "$f" || fail "pid file content: $(od -c "$f")"
	[ "$(wc -l <"$f")" -eq 0 ] || fail "pid file has a newline: $(od -c "$f")"
	local pid
	pid=$(cat "$f")
	[ "$pid" -gt 1 ] || fail "pid $pid"
	pid_alive "$pid" || fail "pid $pid from the pid file is not alive"
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"

	run runlock start ctr
	assert_success
	wait_for_exec "$pid" sleep
	run runlock state ctr
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"
	assert_equal "$(jq -r .status <<<"$output")" running
}

@test "create --pid-file with a relative path is relative to the caller's cwd" {
	setup_bundle sleep 100
	cd "$BATS_TEST_TMPDIR"
	runlock_detached create --bundle "$BUNDLE" --pid-file rel.pid ctr
	assert_equal "$status" 0
	[ -s "$BATS_TEST_TMPDIR/rel.pid" ] || fail "relative pid file not written in cwd"
	run runlock state ctr
	assert_equal "$(jq -r .pid <<<"$output")" "$(cat "$BATS_TEST_TMPDIR/rel.pid")"
}

@test "create without --bundle uses the current directory" {
	setup_bundle sleep 100
	cd "$BUNDLE"
	runlock_detached create ctr
	assert_equal "$status" 0
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
}

@test "create -b DIR (short option)" {
	setup_bundle sleep 100
	cd "$BATS_TEST_TMPDIR"
	runlock_detached create -b "$BUNDLE" ctr
	assert_equal "$status" 0
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
}

@test "create --bundle with a relative path records the absolute bundle path" {
	setup_bundle sleep 100
	cd "$BATS_TEST_TMPDIR"
	runlock_detached create --bundle bundle ctr
	assert_equal "$status" 0
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
}

@test "create --no-pivot --no-new-keyring are accepted" {
	setup_bundle sh -c 'echo ok >/marker'
	update_config '.root.readonly = false'
	create_container ctr --no-pivot --no-new-keyring
	run runlock start ctr
	assert_success
	wait_for_file "$BUNDLE/rootfs/marker"
	assert_equal "$(cat "$BUNDLE/rootfs/marker")" ok
}

@test "creating an id that exists fails and leaves the first container alone" {
	setup_bundle sleep 100
	create_container ctr
	local pid
	pid=$(pid_of ctr)
	runlock_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/second.pid" ctr
	assert_equal "$status" 1
	assert_output --partial "container with id exists"
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"
	pid_alive "$pid" || fail "first container's init died"
	run runlock list -q
	assert_output ctr
}

@test "invalid ids are refused: a/b, .., 1025 characters" {
	setup_bundle true
	local long
	long=$(printf 'a%.0s' $(seq 1025))
	local id
	for id in "a/b" ".." "$long"; do
		runlock_detached create --bundle "$BUNDLE" "$id"
		if [ "$status" -ne 1 ] || [[ "$(cat "$stderr_file")" != *"invalid id"* ]]; then
			fail "create '${id:0:20}': status $status, stderr '$(cat "$stderr_file")'"
		fi
	done
	run runlock list -q
	assert_success
	assert_output ""
}

@test "a 200-character id and an id with _ - . + work" {
	setup_bundle sleep 100
	local long id
	long=$(printf 'x%.0s' $(seq 200))
	for id in "$long" "my_ctr-1.2+x"; do
		runlock_detached create --bundle "$BUNDLE" "$id"
		if [ "$status" -ne 0 ]; then
			fail "create '${id:0:20}...': status $status: $output"
		fi
		run runlock start "$id"
		assert_success
		wait_for_status "$id" running
		run runlock delete -f "$id"
		assert_success
	done
	run runlock list -q
	assert_output ""
}

@test "start on a running container fails and changes nothing" {
	setup_bundle sleep 100
	start_container ctr
	local pid
	pid=$(pid_of ctr)
	wait_for_status ctr running
	run runlock start ctr
	assert_failure 1
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" running
	assert_equal "$(jq -r .pid <<<"$output")" "$pid"
	pid_alive "$pid" || fail "init died"
}

@test "start on a stopped container fails and changes nothing" {
	setup_bundle sh -c 'echo run >>/count'
	update_config '.root.readonly = false'
	start_container ctr
	wait_for_status ctr stopped
	run runlock start ctr
	assert_failure 1
	sleep 0.2
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" stopped
	assert_equal "$(cat "$BUNDLE/rootfs/count")" run
}

@test "start on a nonexistent container: container does not exist" {
	run --separate-stderr runlock start nosuch
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

@test "create then delete without start: the program never runs" {
	setup_bundle sh -c 'echo ran >/marker'
	update_config '.root.readonly = false'
	create_container ctr
	local pid
	pid=$(pid_of ctr)
	run runlock delete ctr
	assert_success
	wait_pid_gone "$pid"
	sleep 0.2
	[ ! -e "$BUNDLE/rootfs/marker" ] || fail "the program ran although start was never called"
	run runlock list -q
	assert_output ""
}

@test "create with a missing bundle fails and leaves nothing" {
	runlock_detached create --bundle "$BATS_TEST_TMPDIR/nonexistent" ctr
	assert_equal "$status" 1
	[ -n "$(cat "$stderr_file")" ] || fail "no error message"
	run runlock list -q
	assert_output ""
	run runlock state ctr
	assert_failure 1
	assert_output --partial "container does not exist"
}

@test "create with terminal true needs --console-socket" {
	setup_bundle true
	update_config '.process.terminal = true'
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	[ -n "$(cat "$stderr_file")" ] || fail "no error message"
	run runlock list -q
	assert_output ""
}
