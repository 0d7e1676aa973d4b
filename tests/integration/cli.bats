#!/usr/bin/env bats
# Global options, --version, --help, usage errors and the --log file.

load helpers

COMMANDS=(create start run state kill delete list spec features)

@test "--version prints exactly version, commit and spec lines" {
	run --separate-stderr "$RUNLOCK" --version
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^runlock version [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp '^commit: [[:alnum:]._+-]+$'
	assert_line --index 2 --regexp '^spec: 1\.2\.[0-9]+$'
	assert_equal "$stderr" ""
}

@test "--version after global options" {
	run --separate-stderr runlock --debug --version
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^runlock version '
}

@test "--help prints usage listing every command on stdout and exits 0" {
	run --separate-stderr "$RUNLOCK" --help
	assert_success
	assert_equal "$stderr" ""
	local c
	for c in "${COMMANDS[@]}"; do
		assert_output --regexp "(^|[[:space:]])$c([[:space:]]|,|$)"
	done
}

@test "CMD --help prints the command's usage on stdout and exits 0" {
	local c
	for c in "${COMMANDS[@]}"; do
		run --separate-stderr runlock "$c" --help
		if [ "$status" -ne 0 ] || [ -z "$output" ] || [ -n "$stderr" ]; then
			fail "'$c --help': status $status, stdout '$output', stderr '$stderr'"
		fi
		assert_output --partial "$c"
	done
}

@test "CMD --help does not act: spec --help writes no config.json, create --help creates nothing" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	run runlock spec --help
	assert_success
	[ ! -e config.json ] || fail "spec --help wrote config.json"

	setup_bundle true
	runlock_detached create --bundle "$BUNDLE" --help
	assert_equal "$status" 0
	[ -n "$(cat "$stdout_file")" ] || fail "create --help printed nothing on stdout"
	run runlock list -q
	assert_success
	assert_output ""
}

@test "unknown command: usage on stderr, nothing on stdout, exit 1" {
	run --separate-stderr runlock no-such-command
	assert_failure 1
	assert_output ""
	[[ "${stderr,,}" == *usage* ]] || fail "stderr has no usage text: $stderr"
}

@test "unknown global option: usage on stderr, exit 1" {
	run --separate-stderr runlock --no-such-option list
	assert_failure 1
	assert_output ""
	[[ "${stderr,,}" == *usage* ]] || fail "stderr has no usage text: $stderr"
}

@test "unknown command option: usage on stderr, exit 1, nothing created" {
	setup_bundle true
	runlock_detached create --no-such-option --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_equal "$(cat "$stdout_file")" ""
	[[ "$(tr '[:upper:]' '[:lower:]' <"$stderr_file")" == *usage* ]] ||
		fail "stderr has no usage text: $(cat "$stderr_file")"
	run runlock list -q
	assert_success
	assert_output ""
}

@test "missing container id: exit 1 with a message on stderr" {
	local c
	for c in create start state kill delete; do
		runlock_detached "$c"
		if [ "$status" -ne 1 ] || [ ! -s "$stderr_file" ] || [ -s "$stdout_file" ]; then
			fail "'$c' without id: status $status, output '$output'"
		fi
	done
}

@test "--root DIR and --root=DIR name the same state directory" {
	setup_bundle sleep 100
	local root="$BATS_TEST_TMPDIR/other-root"
	timeout 30 "$RUNLOCK" --root="$root" create --bundle "$BUNDLE" ctr \
		</dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 3>&-
	run timeout 30 "$RUNLOCK" --root "$root" list -q
	assert_success
	assert_output "ctr"
	run timeout 30 "$RUNLOCK" --root="$root" state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	# Not in the default per-test root.
	run runlock list -q
	assert_output ""
	run timeout 30 "$RUNLOCK" --root "$root" delete -f ctr
	assert_success
	run timeout 30 "$RUNLOCK" --root "$root" list -q
	assert_output ""
}

@test "accepted global options in both spellings: --debug --systemd-cgroup --cgroup-manager --rootless" {
	local opts
	for opts in "--debug" "--systemd-cgroup" \
		"--cgroup-manager systemd" "--cgroup-manager=cgroupfs" "--cgroup-manager disabled" \
		"--rootless true" "--rootless=false" "--rootless auto" \
		"--log-format text" "--log-format=json" \
		"--debug --systemd-cgroup --rootless=auto --cgroup-manager=disabled"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr runlock $opts list -q
		if [ "$status" -ne 0 ] || [ -n "$output" ]; then
			fail "'$opts list -q': status $status, stdout '$output', stderr '$stderr'"
		fi
	done
}

@test "--log FILE --log-format json: a failure appends one JSON error line" {
	local log="$BATS_TEST_TMPDIR/runlock.log"
	run --separate-stderr runlock --log "$log" --log-format json state nosuch
	assert_failure 1
	assert_output ""
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
	[ -s "$log" ] || fail "log file $log is empty or missing"
	run jq -e -s 'length == 1' "$log"
	assert_success
	local line
	line=$(tail -n 1 "$log")
	run jq -e '.level == "error" and (.msg | contains("container does not exist"))
		and (.time | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"))' <<<"$line"
	assert_success

	# A second failure appends rather than truncating.
	run runlock --log="$log" --log-format=json kill nosuch2
	assert_failure 1
	run jq -e -s 'length == 2 and all(.[]; .level == "error") and (.[1].msg | contains("container does not exist"))' "$log"
	assert_success
	[ "$(wc -l <"$log")" -eq 2 ] || fail "expected exactly 2 lines in $log, got: $(cat "$log")"
}

# containerd's shim and conmon open the log file after every call to read
# the error; runc creates it even when there is nothing to say.
@test "--log FILE is created on every invocation, empty on success" {
	local log="$BATS_TEST_TMPDIR/created.log"
	run --separate-stderr runlock --log "$log" --log-format json list -q
	assert_success
	[ -f "$log" ] || fail "log file $log was not created"
	[ ! -s "$log" ] || fail "log file has content after a success: $(cat "$log")"
	# An unknown command is an error the shims must be able to read.
	run --separate-stderr runlock --log "$log" --log-format json nosuchcommand
	assert_failure 1
	run jq -e -s 'length == 1 and (.[0].msg | contains("nosuchcommand"))' "$log"
	assert_success
}

@test "--log FILE in text format records the error; stderr still gets it" {
	local log="$BATS_TEST_TMPDIR/text.log"
	run --separate-stderr runlock --log "$log" delete nosuch
	assert_failure 1
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
	grep -q "container does not exist" "$log" || fail "text log lacks the error: $(cat "$log")"
	grep -qi "error" "$log" || fail "text log lacks the level: $(cat "$log")"
}

@test "--log-format with an unknown value fails with exit 1" {
	run --separate-stderr runlock --log-format yaml list
	assert_failure 1
	[ -n "$stderr" ] || fail "no message on stderr"
}

@test "errors go to stderr only, with exit 1" {
	run --separate-stderr runlock state nosuch
	assert_failure 1
	assert_output ""
	[[ "$stderr" == *"container does not exist"* ]] || fail "stderr: $stderr"
}

# Not root: the state directory defaults under $XDG_RUNTIME_DIR, and without
# CAP_SYS_CHROOT runlock refuses to run a container instead of running it
# unconfined by a chroot.
@test "as a user without CAP_SYS_CHROOT: default root under XDG_RUNTIME_DIR, create refused clearly" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	setup_bundle true
	# bats' own directories are private: the user gets a bundle and an
	# XDG_RUNTIME_DIR of its own under /tmp (removed below).
	local top xdg
	top=$(mktemp -d /tmp/runlock-user.XXXXXX)
	chmod 0755 "$top"
	xdg="$top/xdg"
	mkdir -p "$xdg" "$top/bundle"
	cp "$BUNDLE/config.json" "$top/bundle/"
	chmod -R o+rX "$top/bundle"
	chown 65534:65534 "$xdg"
	run --separate-stderr env XDG_RUNTIME_DIR="$xdg" setpriv --reuid 65534 --regid 65534 \
		--clear-groups "$RUNLOCK" create --bundle "$top/bundle" u1
	assert_failure 1
	[[ "$stderr" == *"CAP_SYS_CHROOT"* ]] || fail "stderr: $stderr"
	# Refused before anything was created.
	[ ! -e "$xdg/runlock" ] || fail "state created: $(ls -la "$xdg/runlock")"
	# The default root is $XDG_RUNTIME_DIR/runlock: a file there shows it.
	touch "$top/file"
	run --separate-stderr env XDG_RUNTIME_DIR="$top/file" setpriv --reuid 65534 --regid 65534 \
		--clear-groups "$RUNLOCK" list -q
	assert_failure 1
	[[ "$stderr" == *"$top/file/runlock"* ]] || fail "stderr: $stderr"
	rm -rf "$top"
}
