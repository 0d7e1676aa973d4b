# shellcheck shell=bash
# Shared set-up for runlock's integration suites; every *.bats file loads it.
#
# Environment (the Makefile's `integration` and `san-integration` set these):
#   RUNLOCK          the runtime binary under test
#   RUNLOCK_BUILD    the build directory
#   RUNLOCK_ROOTFS   the busybox rootfs built by tests/rootfs/build-busybox.sh
#   RUNLOCK_HELPERS  the static helpers (recvtty, fdlist, ...)
#
# Every test gets a private state root ($RUNLOCK_STATE) and, through
# setup_bundle, a private bundle ($BUNDLE) with its own copy of the rootfs, so
# tests share nothing and may run in parallel (bats --jobs).

bats_require_minimum_version 1.5.0

for _rl_libdir in ${BATS_LIB_PATH:+${BATS_LIB_PATH//:/ }} /usr/lib/bats /usr/local/lib/bats \
	/usr/share/bats /usr/local/share/bats; do
	if [ -f "$_rl_libdir/bats-support/load.bash" ] && [ -f "$_rl_libdir/bats-assert/load.bash" ]; then
		load "$_rl_libdir/bats-support/load.bash"
		load "$_rl_libdir/bats-assert/load.bash"
		_rl_libs_loaded=1
		break
	fi
done
unset _rl_libdir

RUNLOCK_BUILD=${RUNLOCK_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
RUNLOCK=${RUNLOCK:-$RUNLOCK_BUILD/runlock}
RUNLOCK_ROOTFS=${RUNLOCK_ROOTFS:-$RUNLOCK_BUILD/rootfs/busybox}
RUNLOCK_HELPERS=${RUNLOCK_HELPERS:-$RUNLOCK_BUILD/helpers}
# Upper bound for one runlock invocation, so a hung runtime fails a test
# instead of hanging the whole run.
RUNLOCK_CMD_TIMEOUT=${RUNLOCK_CMD_TIMEOUT:-30}
# And for a whole test (bats aborts it), in case something else hangs.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# Words a sanitizer report starts with (ASan, LSan, UBSan, TSan).
RL_SANITIZER_RE='ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)'

# ---- per-test set-up and tear-down -----------------------------------------

setup() {
	common_setup
}

teardown() {
	common_teardown
}

common_setup() {
	if [ -z "${_rl_libs_loaded:-}" ]; then
		echo "bats-support/bats-assert not found (install bats-support bats-assert: make deps)" >&2
		return 1
	fi
	if [ ! -x "$RUNLOCK" ]; then
		echo "RUNLOCK=$RUNLOCK is not an executable (run the suites with make integration)" >&2
		return 1
	fi
	if [ ! -x "$RUNLOCK_ROOTFS/bin/busybox" ]; then
		echo "RUNLOCK_ROOTFS=$RUNLOCK_ROOTFS has no /bin/busybox (make rootfs)" >&2
		return 1
	fi
	RUNLOCK_STATE="$BATS_TEST_TMPDIR/state"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	RL_SEQ=0
	mkdir -p "$RUNLOCK_STATE"
	export RUNLOCK RUNLOCK_STATE BUNDLE
}

common_teardown() {
	local id
	if [ -n "${RUNLOCK_STATE:-}" ] && [ -d "$RUNLOCK_STATE" ]; then
		for id in $(timeout -k 2 10 "$RUNLOCK" --root "$RUNLOCK_STATE" list -q 2>/dev/null </dev/null 3>&-); do
			timeout -k 2 10 "$RUNLOCK" --root "$RUNLOCK_STATE" delete -f "$id" \
				>/dev/null 2>&1 </dev/null 3>&- || true
		done
	fi
	kill_leftovers
}

# Kill (by pid) every process this test left behind: anything whose root,
# working directory or command line lies in this test's private directory.
kill_leftovers() {
	local pid
	for pid in $(test_processes); do
		kill -KILL "$pid" 2>/dev/null || true
	done
}

# ---- running runlock -------------------------------------------------------

# runlock ARGS...: the runtime with this test's private state root. Bats' own
# fd 3 is closed so a runtime that leaks descriptors cannot hang bats; stdin is
# replaced with /dev/null when it is a terminal.
runlock() {
	if [ -t 0 ]; then
		timeout -k 5 "$RUNLOCK_CMD_TIMEOUT" "$RUNLOCK" --root "$RUNLOCK_STATE" "$@" </dev/null 3>&-
	else
		timeout -k 5 "$RUNLOCK_CMD_TIMEOUT" "$RUNLOCK" --root "$RUNLOCK_STATE" "$@" 3>&-
	fi
}

# runlock_detached ARGS...: for commands that leave a container behind
# (create, run -d). A container's init inherits the caller's stdio, so with
# bats' `run` the output pipe would stay open until the container exits;
# here stdio are files instead. Sets status, output (stdout then stderr),
# stdout_file, stderr_file and prints nothing.
runlock_detached() {
	RL_SEQ=$((${RL_SEQ:-0} + 1))
	stdout_file="$BATS_TEST_TMPDIR/rl.$RL_SEQ.out"
	stderr_file="$BATS_TEST_TMPDIR/rl.$RL_SEQ.err"
	status=0
	runlock "$@" </dev/null >"$stdout_file" 2>"$stderr_file" || status=$?
	output="$(cat "$stdout_file" "$stderr_file")"
}

# create_container ID [ARGS...]: `create --bundle $BUNDLE --pid-file
# $BATS_TEST_TMPDIR/ID.pid ARGS... ID`, asserting success.
create_container() {
	local id=$1
	shift
	runlock_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/$id.pid" "$@" "$id"
	if [ "$status" -ne 0 ]; then
		echo "create $id failed with status $status: $output" >&2
		return 1
	fi
}

# start_container ID [ARGS...]: create then start, asserting both succeed.
start_container() {
	local id=$1
	create_container "$@" || return 1
	run runlock start "$id"
	if [ "$status" -ne 0 ]; then
		echo "start $id failed with status $status: $output" >&2
		return 1
	fi
}

# start_foreground ID [RUN_OPTIONS...]: `runlock run --bundle $BUNDLE
# RUN_OPTIONS... ID` in the background, the runlock process itself being
# $FG_PID (so signals can be sent to it), with stdout in $FG_OUT and stderr in
# $FG_ERR. SIGINT and SIGQUIT are reset to default: bash makes background jobs
# ignore them, and an ignored signal would be inherited by the container.
start_foreground() {
	local id=$1
	shift
	FG_OUT="$BATS_TEST_TMPDIR/$id.fg.out"
	FG_ERR="$BATS_TEST_TMPDIR/$id.fg.err"
	env --default-signal=INT,QUIT "$RUNLOCK" --root "$RUNLOCK_STATE" run --bundle "$BUNDLE" "$@" "$id" \
		</dev/null >"$FG_OUT" 2>"$FG_ERR" 3>&- &
	FG_PID=$!
}

# wait_foreground [TIMEOUT]: wait for the start_foreground process; sets
# FG_STATUS. Kills it and fails after TIMEOUT seconds (default 15).
wait_foreground() {
	if ! retry "${1:-15}" _pid_gone "$FG_PID"; then
		kill -KILL "$FG_PID" 2>/dev/null || true
		wait "$FG_PID" 2>/dev/null || true
		echo "runlock run did not exit within ${1:-15}s; stdout: $(cat "$FG_OUT"); stderr: $(cat "$FG_ERR")" >&2
		return 1
	fi
	FG_STATUS=0
	wait "$FG_PID" || FG_STATUS=$?
}

# pid_of ID: the pid in the pid file create_container wrote.
pid_of() {
	cat "$BATS_TEST_TMPDIR/$1.pid"
}

# ---- bundles and configs ---------------------------------------------------

# setup_bundle [ARGS...]: $BUNDLE with a private copy of the rootfs and a
# config.json from `runlock spec`, with terminal false, root.path "rootfs"
# and, when ARGS are given, process.args = ARGS.
setup_bundle() {
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	cp -a "$RUNLOCK_ROOTFS" "$BUNDLE/rootfs"
	"$RUNLOCK" spec --bundle "$BUNDLE" </dev/null 3>&- || {
		echo "setup_bundle: '$RUNLOCK spec --bundle $BUNDLE' failed" >&2
		return 1
	}
	update_config '.process.terminal = false | .root.path = "rootfs"' || return 1
	trim_caps_to_held || return 1
	if [ "$#" -gt 0 ]; then
		set_args "$@" || return 1
	fi
}

# without_pidns: drop the pid namespace from the config. With one, init is
# pid 1 of it and gets only the signals it catches (SIGKILL and SIGSTOP from
# runlock kill too), as under runc (tests/integration/pid1.bats): a test of
# how a signal ends init runs without it.
without_pidns() {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
}

# set_args ARGS...: process.args = ARGS. (Each is passed to jq with an "x"
# in front, or jq would take an argument such as "-c" for its own option.)
set_args() {
	local json
	json=$(jq -n '$ARGS.positional | map(.[1:])' --args "${@/#/x}") || return 1
	update_config '.process.args = $a' --argjson a "$json"
}

# update_config JQ_FILTER [JQ_OPTIONS...]: rewrite $BUNDLE/config.json.
# Options go after the filter here but before it for jq, so
#   update_config '.process.cwd = $d' --arg d /tmp
update_config() {
	local filter=$1
	shift
	local cfg="$BUNDLE/config.json"
	jq "$@" "$filter" "$cfg" >"$cfg.new" || return 1
	mv "$cfg.new" "$cfg"
}

# ---- waiting ---------------------------------------------------------------

# retry TIMEOUT_SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds;
# fails after TIMEOUT_SECONDS.
retry() {
	local timeout=$1
	shift
	local deadline=$((SECONDS + timeout))
	while :; do
		if "$@"; then
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.05
	done
}

_status_is() {
	local st
	st=$(runlock state "$1" 2>/dev/null | jq -r .status 2>/dev/null) || return 1
	[ "$st" = "$2" ]
}

# wait_for_status ID STATUS [TIMEOUT]: poll `state` until it says STATUS.
wait_for_status() {
	local id=$1 want=$2 timeout=${3:-10}
	if ! retry "$timeout" _status_is "$id" "$want"; then
		echo "container $id did not reach status '$want' within ${timeout}s; state now:" >&2
		runlock state "$id" >&2 || true
		return 1
	fi
}

# wait_for_file PATH [TIMEOUT]
wait_for_file() {
	if ! retry "${2:-10}" test -e "$1"; then
		echo "$1 did not appear within ${2:-10}s" >&2
		return 1
	fi
}

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	local stat st
	IFS= read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	st=${stat##*) }
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

_pid_gone() {
	! pid_alive "$1"
}

# wait_pid_gone PID [TIMEOUT]
wait_pid_gone() {
	if ! retry "${2:-5}" _pid_gone "$1"; then
		echo "process $1 still alive after ${2:-5}s: $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" >&2
		return 1
	fi
}

_comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# wait_for_exec PID COMM [TIMEOUT]: until /proc/PID/comm is COMM, i.e. the
# container's program has been exec'd and its credentials are final.
wait_for_exec() {
	if ! retry "${3:-10}" _comm_is "$1" "$2"; then
		echo "process $1 did not exec '$2' within ${3:-10}s (comm: $(cat "/proc/$1/comm" 2>/dev/null))" >&2
		return 1
	fi
}

# proc_status PID FIELD: the value of FIELD in /proc/PID/status, tabs kept.
proc_status() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

# ---- processes a test owns -------------------------------------------------

# _proc_scan MODE ARG: one pass over the process table in awk (bats traces
# every shell command, so shell loops over /proc are slow under bats).
#   in DIR        live processes whose root, cwd or command line lies in DIR,
#                 the calling shell and its ancestors excluded
#   container R   live processes chrooted into R that run a program from R
# Reads "'/proc/PID/NAME' -> 'TARGET'" lines (stat %N) and "/proc/PID/cmdline"
# lines (grep -l) on stdin.
_proc_scan() {
	# The directory reaches awk and grep through the environment and a file,
	# never their argv, or they would find themselves.
	RL_SCAN_ARG="$2" awk -v mode="$1" -v self="$BASHPID" '
	function st(pid,   line, f) {
		line = ""
		f = "/proc/" pid "/stat"
		if ((getline line < f) <= 0) { close(f); return "X 0" }
		close(f)
		sub(/.*\) /, "", line)
		return line
	}
	function under(t) {
		return t == arg || index(t, arg "/") == 1 || t == arg " (deleted)"
	}
	BEGIN {
		arg = ENVIRON["RL_SCAN_ARG"]
		p = self
		while (p > 1) {
			skip[p] = 1
			split(st(p), g, " ")
			p = g[2] + 0
		}
	}
	{
		if (substr($0, 1, 1) == "\047") {
			n = split($0, f, "\047")
			split(f[2], g, "/")
			pid = g[3]; name = g[4]; target = f[4]
			if (mode == "in" && (name == "root" || name == "cwd") && under(target))
				found[pid] = 1
			if (mode == "container" && name == "root" && target == arg)
				inroot[pid] = 1
			if (mode == "container" && name == "exe" && index(target, arg "/") == 1)
				runs[pid] = 1
		} else if (mode == "in") {
			split($0, g, "/")
			found[g[3]] = 1
		}
	}
	END {
		if (mode == "container")
			for (pid in inroot)
				if (pid in runs)
					found[pid] = 1
		for (pid in found) {
			if (pid in skip)
				continue
			s = substr(st(pid), 1, 1)
			if (s != "Z" && s != "X")
				print pid
		}
	}'
}

# processes_in DIR: live (non-zombie) processes whose root, cwd or command
# line lies in DIR, this shell and its ancestors excluded.
processes_in() {
	{
		stat -c '%N' /proc/[0-9]*/root /proc/[0-9]*/cwd 2>/dev/null
		grep -alF -f <(printf '%s\n' "$1") /proc/[0-9]*/cmdline 2>/dev/null
	} | _proc_scan in "$1"
}

# test_processes: everything this test started that still runs (containers
# chrooted into its bundles, runtime processes using its state root).
test_processes() {
	processes_in "$BATS_TEST_TMPDIR"
}

_no_test_processes() {
	[ -z "$(test_processes)" ]
}

# assert_no_leftovers [TIMEOUT]: no process of this test survives.
assert_no_leftovers() {
	local p
	if ! retry "${1:-5}" _no_test_processes; then
		echo "processes left running:" >&2
		for p in $(test_processes); do
			echo "  $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
		done
		fail "processes left running after the containers were deleted"
	fi
}

# container_processes ROOTFS: live processes chrooted into ROOTFS that run a
# program from it (so neither runtime processes that share the chroot nor an
# init that has not exec'd yet).
container_processes() {
	stat -c '%N' /proc/[0-9]*/root /proc/[0-9]*/exe 2>/dev/null | _proc_scan container "$1"
}

# assert_no_sanitizer_report FILE...
assert_no_sanitizer_report() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		if grep -Eq "$RL_SANITIZER_RE" "$f"; then
			echo "sanitizer report in $f:" >&2
			cat "$f" >&2
			fail "sanitizer report"
		fi
	done
}

# ---- capabilities ----------------------------------------------------------

# cap_bit NAME: the capability number of CAP_NAME or NAME (case-insensitive).
cap_bit() {
	local n=${1^^}
	n=${n#CAP_}
	case "$n" in
	CHOWN) echo 0 ;; DAC_OVERRIDE) echo 1 ;; DAC_READ_SEARCH) echo 2 ;; FOWNER) echo 3 ;;
	FSETID) echo 4 ;; KILL) echo 5 ;; SETGID) echo 6 ;; SETUID) echo 7 ;; SETPCAP) echo 8 ;;
	LINUX_IMMUTABLE) echo 9 ;; NET_BIND_SERVICE) echo 10 ;; NET_BROADCAST) echo 11 ;;
	NET_ADMIN) echo 12 ;; NET_RAW) echo 13 ;; IPC_LOCK) echo 14 ;; IPC_OWNER) echo 15 ;;
	SYS_MODULE) echo 16 ;; SYS_RAWIO) echo 17 ;; SYS_CHROOT) echo 18 ;; SYS_PTRACE) echo 19 ;;
	SYS_PACCT) echo 20 ;; SYS_ADMIN) echo 21 ;; SYS_BOOT) echo 22 ;; SYS_NICE) echo 23 ;;
	SYS_RESOURCE) echo 24 ;; SYS_TIME) echo 25 ;; SYS_TTY_CONFIG) echo 26 ;; MKNOD) echo 27 ;;
	LEASE) echo 28 ;; AUDIT_WRITE) echo 29 ;; AUDIT_CONTROL) echo 30 ;; SETFCAP) echo 31 ;;
	MAC_OVERRIDE) echo 32 ;; MAC_ADMIN) echo 33 ;; SYSLOG) echo 34 ;; WAKE_ALARM) echo 35 ;;
	BLOCK_SUSPEND) echo 36 ;; AUDIT_READ) echo 37 ;; PERFMON) echo 38 ;; BPF) echo 39 ;;
	CHECKPOINT_RESTORE) echo 40 ;;
	*)
		echo "cap_bit: unknown capability $1" >&2
		return 1
		;;
	esac
}

# cap_mask NAME...: the 16-digit hex mask /proc/PID/status prints for NAMEs.
cap_mask() {
	local m=0 c b
	for c in "$@"; do
		b=$(cap_bit "$c") || return 1
		m=$((m | (1 << b)))
	done
	printf '%016x\n' "$m"
}

# has_cap NAME: this shell holds NAME in its effective set.
has_cap() {
	local eff b
	eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
	b=$(cap_bit "$1") || return 1
	(((0x$eff >> b) & 1))
}

# trim_caps_to_held: on a host that runs runlock with a reduced capability
# set (inside a container: tests/nested/), drop from process.capabilities
# what this shell does not hold, since runlock refuses to grant what it
# lacks (runtime/init/host.c). Without CAP_SYS_ADMIN only: on a full root host
# the config stays as `runlock spec` wrote it.
trim_caps_to_held() {
	local held=() b n
	has_cap SYS_ADMIN && return 0
	for n in CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP \
		LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER \
		SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE \
		SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP \
		MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF \
		CHECKPOINT_RESTORE; do
		has_cap "$n" && held+=("CAP_$n")
	done
	b=$(printf '%s\n' "${held[@]}" | jq -Rn '[inputs]') || return 1
	update_config '.process.capabilities |= (if . then with_entries(.value |= map(select(. as $c
		| $h | index($c)))) else . end)' --argjson h "$b"
}

# ---- skips (each prints why) -----------------------------------------------

skip_unless_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (running as uid $(id -u))"
}

skip_unless_cap() {
	local c n
	for c in "$@"; do
		n=${c^^}
		has_cap "$c" || skip "needs CAP_${n#CAP_} in the caller's effective set"
	done
}

skip_if_cap() {
	local c
	for c in "$@"; do
		! has_cap "$c" || skip "needs a caller without CAP_${c^^}"
	done
}

skip_unless_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs the '$c' command on the host"
	done
}

skip_unless_helper() {
	local h
	for h in "$@"; do
		[ -x "$RUNLOCK_HELPERS/$h" ] || skip "needs helper $RUNLOCK_HELPERS/$h (make helpers)"
		[ -x "$RUNLOCK_ROOTFS/usr/local/bin/$h" ] ||
			skip "needs $h in the rootfs (make rootfs)"
	done
}

# ---- runlock's own processes and the python fixture ---------------------

# helper_pid ID COMM: the pid of the runlock helper process COMM
# (rl-supervisor, rl-agent, rl-spawner) of container ID of this test.
helper_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = "$2" ] || continue
		[ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" != Z ] || continue
		if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$RUNLOCK_STATE" &&
			tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "$1"; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 1
}

# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

# setup_pybundle: $BUNDLE with a private copy of the python rootfs
# (RUNLOCK_PYROOT) and a config.json from `runlock spec`.
setup_pybundle() {
	[ -x "${RUNLOCK_PYROOT:-}/usr/bin/python3.11" ] ||
		fail "no python rootfs at '${RUNLOCK_PYROOT:-}' (make rootfs builds it)"
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	cp -a "$RUNLOCK_PYROOT" "$BUNDLE/rootfs"
	"$RUNLOCK" spec --bundle "$BUNDLE" </dev/null 3>&-
	update_config '.process.terminal = false | .root.path = "rootfs"'
}

# stopped_near_64m: $status and $output of a memhog run under 64m: stopped
# with ENOMEM past 48 MiB and at most 64 MiB, or (the last step got
# through, the sampler saw it and the rest of the container over the limit)
# killed at 64.
stopped_near_64m() {
	refute_line --regexp '^done '
	if [ "$status" -eq 137 ]; then
		assert_line mib=64
		refute_line mib=65
		return
	fi
	assert_success
	assert_line --regexp '^stopped mib=[0-9]+ errno=ENOMEM$'
	local got
	got=$(sed -n 's/^stopped mib=\([0-9]*\) .*/\1/p' <<<"$output")
	[ "$got" -le 64 ]
	[ "$got" -ge 48 ]
}
