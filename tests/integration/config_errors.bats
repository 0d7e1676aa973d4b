#!/usr/bin/env bats
# Malformed bundles: each must fail with exit 1, a message on stderr naming
# what is wrong, and leave no container and no process behind.

load helpers

# create_fails WORD: create must exit 1 with WORD in stderr; nothing is left.
create_fails() {
	local word=$1
	runlock_detached create --bundle "$BUNDLE" ctr
	local err
	err=$(cat "$stderr_file")
	if [ "$status" -ne 1 ]; then
		fail "create: status $status (expected 1); stderr: $err"
	fi
	[ -n "$err" ] || fail "create failed without a message on stderr"
	if [ -n "$word" ] && [[ "$err" != *"$word"* ]]; then
		fail "stderr does not name '$word': $err"
	fi
	assert_equal "$(cat "$stdout_file")" ""
	assert_no_sanitizer_report "$stderr_file"
	run runlock list -q
	assert_success
	assert_output ""
	run runlock state ctr
	assert_failure 1
	assert_no_leftovers
}

@test "truncated config.json" {
	setup_bundle true
	head -c 100 "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	create_fails ""
}

@test "config.json that is not a JSON object" {
	setup_bundle true
	echo '["sh"]' >"$BUNDLE/config.json"
	create_fails ""
}

@test "missing config.json" {
	setup_bundle true
	rm "$BUNDLE/config.json"
	create_fails "config.json"
}

@test "process.args is a string" {
	setup_bundle true
	update_config '.process.args = "sh"'
	create_fails process.args
}

@test "process.args[0] is a number" {
	setup_bundle true
	update_config '.process.args = [1, "x"]'
	create_fails process.args
}

@test "process.args is empty" {
	setup_bundle true
	update_config '.process.args = []'
	create_fails process.args
}

@test "process.cwd is relative" {
	setup_bundle true
	update_config '.process.cwd = "tmp"'
	create_fails process.cwd
}

@test "missing root" {
	setup_bundle true
	update_config 'del(.root)'
	create_fails root
}

@test "missing process" {
	setup_bundle true
	update_config 'del(.process)'
	create_fails process
}

@test "process.user.uid is a string" {
	setup_bundle true
	update_config '.process.user.uid = "0"'
	create_fails process.user.uid
}

@test "process.env entry is not a string" {
	setup_bundle true
	update_config '.process.env = ["A=1", 2]'
	create_fails process.env
}

@test "unknown rlimit type" {
	setup_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]'
	create_fails RLIMIT_BOGUS
}

@test "rlimit soft above hard" {
	setup_bundle true
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 1024}]'
	create_fails process.rlimits
}

@test "root.path does not exist" {
	setup_bundle true
	update_config '.root.path = "no-such-rootfs"'
	create_fails ""
}

@test "run with a malformed config fails the same way" {
	setup_bundle true
	update_config '.process.cwd = "relative/dir"'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_failure 1
	[[ "$stderr" == *process.cwd* ]] || fail "stderr: $stderr"
	run runlock list -q
	assert_output ""
}

@test "a config.json larger than 8 MiB is refused" {
	setup_bundle true
	head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	update_config '.annotations = {"big": $big}' --rawfile big "$BATS_TEST_TMPDIR/big"
	create_fails ""
}

@test "a deeply nested config.json is refused without crashing" {
	setup_bundle true
	local open close
	open=$(printf '[%.0s' $(seq 200))
	close=$(printf ']%.0s' $(seq 200))
	jq -c . "$BUNDLE/config.json" | sed "s/^{/{\"deep\": $open$close, /" >"$BUNDLE/c"
	mv "$BUNDLE/c" "$BUNDLE/config.json"
	jq -e .deep "$BUNDLE/config.json" >/dev/null || fail "test setup: invalid JSON"
	create_fails ""
}

@test "wrong types anywhere never crash the runtime" {
	setup_bundle true
	local f i=0 errs=""
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/good.json"
	for f in '.process = null' '.process = "x"' '.root = null' '.root = []' '.root.path = 7' \
		'.root.readonly = "yes"' '.mounts = "x"' '.mounts = [1]' '.mounts[0].destination = null' \
		'.mounts[0].options = "ro"' '.linux = []' '.linux.namespaces = {}' \
		'.linux.namespaces = [{"type": 5}]' '.hooks = 1' '.hooks.prestart = [{}]' \
		'.annotations = []' '.annotations = {"a": 1}' '.process.env = "A=1"' \
		'.process.rlimits = "x"' '.process.rlimits = [{"type": "RLIMIT_NOFILE"}]' \
		'.process.rlimits[0].hard = -1' '.process.capabilities = []' \
		'.process.capabilities.bounding = "CAP_KILL"' '.process.user = 0' \
		'.process.user.additionalGids = [-1]' '.process.user.uid = 4294967296' \
		'.process.user.umask = -1' '.process.consoleSize = 1' '.process.oomScoreAdj = "1"' \
		'.process.noNewPrivileges = 1' '.process.terminal = "no"' '.ociVersion = 1' \
		'.linux.seccomp = "x"' '.linux.seccomp.syscalls = [{"names": 1}]' \
		'.linux.resources = []' '.linux.maskedPaths = [1]' '. + {"\u0000": 1}'; do
		i=$((i + 1))
		cp "$BATS_TEST_TMPDIR/good.json" "$BUNDLE/config.json"
		update_config "$f"
		runlock_detached create --bundle "$BUNDLE" "c$i"
		if [ "$status" -gt 1 ]; then
			errs+="'$f': exit $status: $(cat "$stderr_file")"$'\n'
		fi
		if grep -Eq "$RL_SANITIZER_RE" "$stderr_file"; then
			errs+="'$f': sanitizer report: $(cat "$stderr_file")"$'\n'
		fi
		if [ "$status" -eq 1 ] && [ ! -s "$stderr_file" ]; then
			errs+="'$f': exit 1 without a message"$'\n'
		fi
		runlock delete -f "c$i" >/dev/null 2>&1 || true
	done
	[ -z "$errs" ] || fail "$errs"
	run runlock list -q
	assert_output ""
}

@test "a mount type that cannot be emulated is refused, naming the field; nothing is left" {
	setup_bundle true
	update_config '.mounts += [{"destination": "/net", "type": "nfs", "source": "server:/export"}]'
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	[[ "$output" == *'mounts[7].type: \"nfs\" cannot be emulated'* ]] || fail "$output"
	run runlock list -q
	assert_output ""
}
