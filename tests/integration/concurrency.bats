#!/usr/bin/env bats
# Concurrent commands on one state root.

load helpers

# Background jobs of a test are waited for by pid: a bare `wait` would also
# wait for bats' own per-test watchdog.
BG_PIDS=()

wait_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do
		wait "$p" || true
	done
	BG_PIDS=()
}

# bg_runlock TAG ARGS...: runlock ARGS in the background with stdio in files
# $BATS_TEST_TMPDIR/TAG.{out,err}; the exit status goes to TAG.rc.
bg_runlock() {
	local tag=$1
	shift
	(
		rc=0
		runlock "$@" </dev/null >"$BATS_TEST_TMPDIR/$tag.out" 2>"$BATS_TEST_TMPDIR/$tag.err" || rc=$?
		echo "$rc" >"$BATS_TEST_TMPDIR/$tag.rc"
	) 3>&- &
	BG_PIDS+=($!)
}

@test "50 concurrent create+delete pairs on distinct ids all succeed" {
	setup_bundle sleep 100
	local i
	for i in $(seq 1 50); do
		(
			rc=0
			runlock create --bundle "$BUNDLE" "c$i" </dev/null \
				>"$BATS_TEST_TMPDIR/create$i.out" 2>"$BATS_TEST_TMPDIR/create$i.err" || rc=$?
			echo "$rc" >"$BATS_TEST_TMPDIR/create$i.rc"
			rc=0
			runlock delete "c$i" </dev/null \
				>"$BATS_TEST_TMPDIR/delete$i.out" 2>"$BATS_TEST_TMPDIR/delete$i.err" || rc=$?
			echo "$rc" >"$BATS_TEST_TMPDIR/delete$i.rc"
		) 3>&- &
		BG_PIDS+=($!)
	done
	wait_bg
	local errs=""
	for i in $(seq 1 50); do
		for op in create delete; do
			if [ "$(cat "$BATS_TEST_TMPDIR/$op$i.rc")" != 0 ]; then
				errs+="$op c$i: exit $(cat "$BATS_TEST_TMPDIR/$op$i.rc"): $(cat "$BATS_TEST_TMPDIR/$op$i.err")"$'\n'
			fi
		done
	done
	[ -z "$errs" ] || fail "$errs"
	assert_no_sanitizer_report "$BATS_TEST_TMPDIR"/*.err
	run runlock list -q
	assert_success
	assert_output ""
	assert_no_leftovers
}

@test "20 racing commands on one id never crash and leave a consistent state" {
	setup_bundle sleep 100
	local ops=(create start kill delete state) i op
	for i in $(seq 0 19); do
		op=${ops[$((i % 5))]}
		case "$op" in
		create) bg_runlock "r$i" create --bundle "$BUNDLE" ctr ;;
		kill) bg_runlock "r$i" kill ctr KILL ;;
		*) bg_runlock "r$i" "$op" ctr ;;
		esac
	done
	wait_bg
	local errs="" rc
	for i in $(seq 0 19); do
		rc=$(cat "$BATS_TEST_TMPDIR/r$i.rc")
		if [ "$rc" -gt 1 ]; then
			errs+="${ops[$((i % 5))]}: exit $rc: $(cat "$BATS_TEST_TMPDIR/r$i.err")"$'\n'
		fi
	done
	[ -z "$errs" ] || fail "$errs"
	assert_no_sanitizer_report "$BATS_TEST_TMPDIR"/r*.err

	run --separate-stderr runlock state ctr
	if [ "$status" -eq 0 ]; then
		run jq -e '.id == "ctr" and (.status | IN("created", "running", "stopped", "paused"))' <<<"$output"
		assert_success
	else
		assert_equal "$status" 1
		[[ "$stderr" == *"container does not exist"* ]] || fail "state: $stderr"
	fi
	run runlock delete -f ctr
	assert_success
	run runlock state ctr
	assert_failure 1
	assert_output --partial "container does not exist"
	run runlock list -q
	assert_output ""
	assert_no_leftovers
}

@test "racing create and delete --force on one id, repeated" {
	setup_bundle sleep 100
	local round i rc errs=""
	for round in 1 2 3; do
		for i in 1 2 3 4; do
			bg_runlock "c$round.$i" create --bundle "$BUNDLE" ctr
			bg_runlock "d$round.$i" delete -f ctr
		done
		wait_bg
		for i in 1 2 3 4; do
			for rc in "c$round.$i" "d$round.$i"; do
				if [ "$(cat "$BATS_TEST_TMPDIR/$rc.rc")" -gt 1 ]; then
					errs+="$rc: exit $(cat "$BATS_TEST_TMPDIR/$rc.rc"): $(cat "$BATS_TEST_TMPDIR/$rc.err")"$'\n'
				fi
			done
		done
		run runlock delete -f ctr
		assert_success
	done
	[ -z "$errs" ] || fail "$errs"
	assert_no_sanitizer_report "$BATS_TEST_TMPDIR"/*.err
	run runlock list -q
	assert_output ""
	assert_no_leftovers
}

@test "list and state stay well-formed while containers are being created and deleted" {
	setup_bundle sleep 100
	local i
	for i in $(seq 1 10); do
		(
			runlock create --bundle "$BUNDLE" "c$i" </dev/null >/dev/null 2>&1
			runlock delete -f "c$i" </dev/null >/dev/null 2>&1
		) 3>&- &
		BG_PIDS+=($!)
	done
	local errs="" _
	for _ in $(seq 1 10); do
		run --separate-stderr runlock list --format json
		if [ "$status" -ne 0 ]; then
			errs+="list exit $status: $stderr"$'\n'
		elif ! jq -e '(. // []) | type == "array" and all(.[]; (.id | type == "string") and (.status | type == "string"))' \
			<<<"$output" >/dev/null; then
			errs+="list output invalid: $output"$'\n'
		fi
		run --separate-stderr runlock list
		if [ "$status" -ne 0 ]; then
			errs+="list (table) exit $status: $stderr"$'\n'
		fi
	done
	wait_bg
	[ -z "$errs" ] || fail "$errs"
	run runlock list -q
	assert_output ""
	assert_no_leftovers
}
