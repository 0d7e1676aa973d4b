#!/usr/bin/env bats
# state and list.

load helpers

RFC3339_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

@test "state of a created container: every field" {
	setup_bundle sleep 100
	create_container ctr
	run --separate-stderr runlock state ctr
	assert_success
	assert_equal "$stderr" ""
	# Pretty-printed: one key per line, not a single line.
	[ "${#lines[@]}" -gt 5 ] || fail "state is not pretty-printed: $output"
	local js=$output
	run jq -e --arg b "$BUNDLE" --arg pid "$(pid_of ctr)" '
		(.ociVersion | test("^1\\.[0-9]+\\.[0-9]+"))
		and .id == "ctr"
		and .status == "created"
		and .pid == ($pid | tonumber)
		and .bundle == $b
		and .rootfs == ($b + "/rootfs")
		and (.owner | type == "string")
		and (.created | type == "string")' <<<"$js"
	assert_success
	assert_regex "$(jq -r .created <<<"$js")" "$RFC3339_RE"
}

@test "state: created is the creation time" {
	setup_bundle sleep 100
	local before after created
	before=$(date +%s)
	create_container ctr
	after=$(date +%s)
	created=$(runlock state ctr | jq -r .created)
	created=$(date -d "$created" +%s) || fail "date cannot parse created=$created"
	[ "$created" -ge $((before - 1)) ] && [ "$created" -le $((after + 1)) ] ||
		fail "created $created not within [$before, $after]"
}

@test "state: running after start, with the same pid" {
	setup_bundle sleep 100
	start_container ctr
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	assert_equal "$(jq -r .pid <<<"$output")" "$(pid_of ctr)"
}

@test "state: stopped with pid 0 once init exits on its own" {
	setup_bundle true
	start_container ctr
	wait_for_status ctr stopped
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .pid <<<"$output")" 0
	assert_equal "$(jq -r .id <<<"$output")" ctr
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
}

@test "state: stopped after the init is killed from outside" {
	setup_bundle sleep 100
	start_container ctr
	local pid
	pid=$(pid_of ctr)
	wait_for_exec "$pid" sleep
	kill -KILL "$pid"
	wait_for_status ctr stopped
	assert_equal "$(runlock state ctr | jq -r .pid)" 0
}

@test "state includes the config's annotations" {
	setup_bundle sleep 100
	update_config '.annotations = {"org.example.key": "value", "b": "two words"}'
	create_container ctr
	run runlock state ctr
	assert_success
	run jq -e '.annotations == {"org.example.key": "value", "b": "two words"}' <<<"$output"
	assert_success
}

@test "state without annotations in the config has none" {
	setup_bundle sleep 100
	update_config 'del(.annotations)'
	create_container ctr
	run runlock state ctr
	assert_success
	run jq -e '(.annotations // {}) == {}' <<<"$output"
	assert_success
}

@test "state of a nonexistent container: container does not exist, exit 1" {
	run --separate-stderr runlock state nosuch
	assert_failure 1
	assert_output ""
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

@test "state with an invalid id: invalid id, nothing read outside the root" {
	run --separate-stderr runlock state ..
	assert_failure 1
	[[ "$stderr" == *"invalid id"* ]] || fail "stderr: $stderr"
	run --separate-stderr runlock state ../state
	assert_failure 1
	[[ "$stderr" == *"invalid id"* ]] || fail "stderr: $stderr"
}

@test "list: header and one row per container with pid, status, bundle, owner" {
	setup_bundle sleep 100
	create_container one
	start_container two
	run --separate-stderr runlock list
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
	assert_equal "${#lines[@]}" 3
	local row
	row=$(awk '$1 == "one" {print $2, $3, $4, $6}' <<<"$output")
	assert_equal "$row" "$(pid_of one) created $BUNDLE root"
	row=$(awk '$1 == "two" {print $2, $3, $4, $6}' <<<"$output")
	assert_equal "$row" "$(pid_of two) running $BUNDLE root"
	assert_regex "$(awk '$1 == "one" {print $5}' <<<"$output")" "$RFC3339_RE"
}

@test "list shows a stopped container with pid 0" {
	setup_bundle true
	start_container ctr
	wait_for_status ctr stopped
	run runlock list
	assert_success
	assert_equal "$(awk '$1 == "ctr" {print $2, $3}' <<<"$output")" "0 stopped"
}

@test "list -q and --quiet print only the ids, one per line" {
	setup_bundle sleep 100
	create_container alpha
	create_container beta
	create_container gamma
	run runlock list -q
	assert_success
	assert_equal "$(sort <<<"$output")" "$(printf 'alpha\nbeta\ngamma')"
	run runlock list --quiet
	assert_success
	assert_equal "$(sort <<<"$output")" "$(printf 'alpha\nbeta\ngamma')"
}

@test "list --format json / -f json: an array of state objects" {
	setup_bundle sleep 100
	create_container one
	start_container two
	local fmt
	for fmt in "--format json" "-f json" "--format=json"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr runlock list $fmt
		assert_success
		run jq -e --arg b "$BUNDLE" --arg p1 "$(pid_of one)" --arg p2 "$(pid_of two)" '
			type == "array" and length == 2
			and (map(select(.id == "one"))[0] | .status == "created" and .pid == ($p1 | tonumber) and .bundle == $b)
			and (map(select(.id == "two"))[0] | .status == "running" and .pid == ($p2 | tonumber) and .bundle == $b)
			and all(.[]; (.created | type == "string") and has("owner") and has("rootfs"))' <<<"$output"
		if [ "$status" -ne 0 ]; then
			fail "list $fmt: $output"
		fi
	done
}

@test "list --format table is the default table" {
	setup_bundle sleep 100
	create_container one
	run runlock list --format table
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
	assert_equal "$(awk '$1 == "one" {print $3}' <<<"$output")" created
}

@test "list with no containers: header only; -q prints nothing; --format json prints null, as runc" {
	run runlock list
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER *$'
	run runlock list -q
	assert_success
	assert_output ""
	run runlock list --format json
	assert_success
	assert_output null
}

@test "list with a state root that does not exist yet succeeds empty" {
	run timeout 30 "$RUNLOCK" --root "$BATS_TEST_TMPDIR/not-yet" list -q
	assert_success
	assert_output ""
}

@test "list --format with an unknown format fails with exit 1" {
	run --separate-stderr runlock list --format yaml
	assert_failure 1
	[ -n "$stderr" ] || fail "no error message"
}
