#!/usr/bin/env bats
# spec and features.

load helpers

@test "spec writes config.json in the current directory" {
	mkdir "$BATS_TEST_TMPDIR/b"
	cd "$BATS_TEST_TMPDIR/b"
	run --separate-stderr runlock spec
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	[ -f config.json ] || fail "no config.json written"
	run jq -e '
		(.ociVersion | test("^1\\.[0-9]+\\.[0-9]+"))
		and .root.path == "rootfs"
		and .process.args == ["sh"]
		and .process.terminal == true
		and .process.cwd == "/"
		and (.process.env | type == "array")
		and (.linux | type == "object")' config.json
	assert_success
}

@test "spec --bundle DIR and -b DIR write there, not in the current directory" {
	mkdir "$BATS_TEST_TMPDIR/cwd" "$BATS_TEST_TMPDIR/b1" "$BATS_TEST_TMPDIR/b2"
	cd "$BATS_TEST_TMPDIR/cwd"
	run runlock spec --bundle "$BATS_TEST_TMPDIR/b1"
	assert_success
	run runlock spec -b "$BATS_TEST_TMPDIR/b2"
	assert_success
	jq -e . "$BATS_TEST_TMPDIR/b1/config.json" >/dev/null || fail "b1/config.json invalid"
	jq -e . "$BATS_TEST_TMPDIR/b2/config.json" >/dev/null || fail "b2/config.json invalid"
	[ ! -e config.json ] || fail "spec wrote config.json in the current directory"
}

@test "spec refuses to overwrite an existing config.json" {
	mkdir "$BATS_TEST_TMPDIR/b"
	cd "$BATS_TEST_TMPDIR/b"
	echo '{"mine": true}' >config.json
	local before
	before=$(sha256sum config.json)
	run --separate-stderr runlock spec
	assert_failure 1
	[[ "$stderr" == *config.json* ]] || fail "stderr does not name config.json: $stderr"
	assert_equal "$(sha256sum config.json)" "$before"
	run runlock spec --bundle "$BATS_TEST_TMPDIR/b"
	assert_failure 1
	assert_equal "$(sha256sum config.json)" "$before"
}

@test "spec --rootless writes a valid config" {
	mkdir "$BATS_TEST_TMPDIR/b"
	run runlock spec --rootless --bundle "$BATS_TEST_TMPDIR/b"
	assert_success
	run jq -e '.root.path == "rootfs" and (.process.args | length > 0)' "$BATS_TEST_TMPDIR/b/config.json"
	assert_success
}

@test "spec into a directory that does not exist fails" {
	run --separate-stderr runlock spec --bundle "$BATS_TEST_TMPDIR/nonexistent"
	assert_failure 1
	[ -n "$stderr" ] || fail "no error message"
	[ ! -e "$BATS_TEST_TMPDIR/nonexistent" ] || fail "spec created the bundle directory"
}

@test "the default spec runs as is, apart from args and terminal" {
	setup_bundle sh -c 'echo ok-from-default-spec'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output ok-from-default-spec
}

@test "features: JSON with ociVersionMin and ociVersionMax" {
	run --separate-stderr runlock features
	assert_success
	assert_equal "$stderr" ""
	run jq -e '
		(.ociVersionMin | type == "string" and test("^1\\.0\\.[0-9]+"))
		and (.ociVersionMax | type == "string" and test("^1\\.2\\.[0-9]+"))' <<<"$output"
	assert_success
}

@test "features ociVersionMax matches the spec version --version reports" {
	local max spec
	max=$(runlock features | jq -r .ociVersionMax)
	spec=$(runlock --version | sed -n 's/^spec: //p')
	assert_equal "$max" "$spec"
}
