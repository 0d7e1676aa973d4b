# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose
# Helpers for the confinement suites (tests/integration/security/*.bats), on
# top of ../helpers.bash (loaded first by every file here).
#
# The rule of these suites (DESIGN.md, "Lessons"): a denial is asserted only
# against something that would succeed without the rule (a live listener this
# test started, an existing file, a live process), with the exact errno or
# signal, next to a control run in which the same action succeeds.
#
# The probes are the static helpers tests/helpers/sysprobe.c and netlisten.c;
# inside the container they are /usr/local/bin/sysprobe and netlisten, on the
# host $SYSPROBE and $NETLISTEN.

SYSPROBE="$RUNLOCK_HELPERS/sysprobe"
NETLISTEN="$RUNLOCK_HELPERS/netlisten"

setup() {
	sec_setup
}

teardown() {
	sec_teardown
}

# sec_setup, sec_teardown: what setup and teardown do here, for a suite
# that adds its own.
sec_setup() {
	common_setup
	skip_unless_helper sysprobe netlisten
	SEC_PIDS=()
}

sec_teardown() {
	local p
	for p in "${SEC_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	common_teardown
}

# ---- bundles ---------------------------------------------------------------

# sec_bundle: a bundle from `runlock spec` (namespaces pid, network, ipc, uts,
# mount; noNewPrivileges; root.readonly true), terminal off.
sec_bundle() {
	setup_bundle
}

# set_script SCRIPT: the container runs `sh -c SCRIPT`.
set_script() {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$1"
}

# json_array WORD...: the words as a JSON array of strings, through
# NUL-separated text (jq 1.6 takes "-c" after --args for its own option, and
# its split() drops a trailing empty field, hence rtrimstr first).
json_array() {
	printf '%s\0' "$@" | jq -Rs 'rtrimstr("\u0000") | split("\u0000")'
}

# set_argv ARGS...: the container runs ARGS directly, without a shell.
set_argv() {
	local json
	json=$(json_array "$@") || return 1
	update_config '.process.args = $a' --argjson a "$json"
}

# bind_mount DEST SOURCE OPTION...: add a bind mount to the config.
bind_mount() {
	local dest=$1 src=$2
	shift 2
	local opts
	opts=$(json_array rbind "$@") || return 1
	update_config '.mounts += [{destination: $d, type: "bind", source: $s, options: $o}]' \
		--arg d "$dest" --arg s "$src" --argjson o "$opts"
}

# set_readonly true|false
set_readonly() {
	update_config ".root.readonly = $1"
}

# without_namespace TYPE: drop TYPE from linux.namespaces (the control runs).
without_namespace() {
	update_config '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

# grant_caps CAP...: add CAP_... to the bounding, effective and permitted sets.
grant_caps() {
	local caps
	# runlock cannot grant what it lacks (tests/nested/ runs it with a
	# reduced set); the control is this shell's own effective set.
	skip_unless_cap "$@"
	caps=$(json_array "$@") || return 1
	update_config '.process.capabilities |= (.bounding += $c | .effective += $c
		| .permitted += $c)' --argjson c "$caps"
}

# set_annotation KEY VALUE
set_annotation() {
	update_config '.annotations[$k] = $v' --arg k "$1" --arg v "$2"
}

# set_seccomp JSON: linux.seccomp = JSON.
set_seccomp() {
	update_config '.linux.seccomp = $p' --argjson p "$1"
}

# ---- running the container -------------------------------------------------

# ctr_run [RUN_OPTIONS...]: `runlock run` the bundle in the foreground under
# bats' `run`, stderr apart ($stderr): sets status, output, lines.
# shellcheck disable=SC2120
ctr_run() {
	run --separate-stderr runlock run --bundle "$BUNDLE" "$@" ctr
}

# ctr_run_fd3 DIR [RUN_OPTIONS...]: the same with DIR open as fd 3 in the
# runtime and --preserve-fds 1. (The shared runlock wrapper closes fd 3.)
ctr_run_fd3() {
	local dir=$1
	shift
	run --separate-stderr timeout -k 5 "$RUNLOCK_CMD_TIMEOUT" "$RUNLOCK" --root "$RUNLOCK_STATE" \
		run --bundle "$BUNDLE" --preserve-fds 1 "$@" ctr </dev/null 3<"$dir"
}

# probe SCRIPT: set_script SCRIPT and ctr_run.
probe() {
	set_script "$1" || return 1
	# shellcheck disable=SC2119
	ctr_run
}

# host_probe ARGS...: sysprobe on the host, outside any container (controls).
host_probe() {
	run --separate-stderr "$SYSPROBE" "$@"
}

# assert_lines WORD...: the output is exactly these lines, in order.
assert_lines() {
	local expected
	expected=$(printf '%s\n' "$@")
	# shellcheck disable=SC2154 # set by bats' run
	assert_equal "$output" "$expected"
}

# ---- live targets on the host ----------------------------------------------

# start_host_sleep: a live host process ($HOST_SLEEP_PID) owned by this test.
start_host_sleep() {
	sleep 100 >/dev/null 2>&1 3>&- &
	HOST_SLEEP_PID=$!
	disown "$HOST_SLEEP_PID" # no "Killed" notice when teardown kills it
	SEC_PIDS+=("$HOST_SLEEP_PID")
}

# start_listener tcp|udp NAME: a live listener on 127.0.0.1; sets
# ${NAME}_PORT and ${NAME}_LOG (one line per connection or datagram).
start_listener() {
	local kind=$1 name=$2 ready log pid
	ready="$BATS_TEST_TMPDIR/$name.port"
	log="$BATS_TEST_TMPDIR/$name.log"
	"$NETLISTEN" "$kind" "$ready" </dev/null >"$log" 2>&1 3>&- &
	pid=$!
	disown "$pid"
	SEC_PIDS+=("$pid")
	wait_for_file "$ready" 5 || return 1
	printf -v "${name}_PORT" '%s' "$(cat "$ready")"
	printf -v "${name}_LOG" '%s' "$log"
}

# start_abstract_listener: a live AF_UNIX listener on an abstract name unique
# to this test; sets ABSTRACT_NAME and ABSTRACT_LOG.
start_abstract_listener() {
	local ready="$BATS_TEST_TMPDIR/abstract.ready" pid
	ABSTRACT_NAME="runlock-test-$$-${BATS_TEST_NUMBER}-$RANDOM"
	ABSTRACT_LOG="$BATS_TEST_TMPDIR/abstract.log"
	"$NETLISTEN" abstract "$ABSTRACT_NAME" "$ready" </dev/null >"$ABSTRACT_LOG" 2>&1 3>&- &
	pid=$!
	disown "$pid"
	SEC_PIDS+=("$pid")
	wait_for_file "$ready" 5
}

# log_count FILE WORD: how many lines of FILE start with WORD.
log_count() {
	grep -c "^$2" "$1" || true
}

# free_tcp_port: a loopback TCP port that a host bind succeeds on right now.
free_tcp_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + (RANDOM % 20000)))
		if [ "$("$SYSPROBE" bind-tcp "$p")" = OK ]; then
			echo "$p"
			return 0
		fi
	done
	echo "free_tcp_port: no free port found" >&2
	return 1
}

# ---- the i386 entry --------------------------------------------------------

# skip_unless_int80: the i386 tests need IA-32 emulation. A control run on the
# host, outside any container, tells: with ia32_emulation off, int $0x80
# raises SIGSEGV (exit 139) and these tests are skipped with that reason. The
# control runs once per bats run (its status is kept in $BATS_RUN_TMPDIR);
# every i386 test calls this first (the audit: grep int80 tests/integration).
skip_unless_int80() {
	local st=0 cache=${BATS_RUN_TMPDIR:-$BATS_TEST_TMPDIR}/int80.status
	if [ -s "$cache" ]; then
		st=$(cat "$cache")
	else
		"$SYSPROBE" int80 getpid >/dev/null 2>&1 || st=$?
		echo "$st" >"$cache"
	fi
	if [ "$st" -eq 139 ]; then
		skip "IA-32 emulation is off on this host: int \$0x80 raised SIGSEGV in a host control run"
	fi
	[ "$st" -eq 0 ] || fail "host control 'sysprobe int80 getpid' exited with $st"
}
