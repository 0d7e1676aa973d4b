#!/usr/bin/env bats
# runlock exec: a new process in a running container, forked by the
# container's spawner, in the same chroot, Landlock domain and filters.

load helpers

# running_container [ARGS...]: create and start "ctr" running ARGS (default:
# sleep 100).
running_container() {
	if [ "$#" -eq 0 ]; then
		setup_bundle sleep 100
	else
		setup_bundle "$@"
	fi
	create_container ctr
	run runlock start ctr
	assert_success
}

@test "exec: runs in the container's rootfs and exits with the process's status" {
	running_container
	echo only-in-rootfs >"$BUNDLE/rootfs/marker"
	run runlock exec ctr cat /marker
	assert_success
	assert_output only-in-rootfs
	run runlock exec ctr sh -c 'exit 7'
	assert_failure 7
	run runlock exec ctr sh -c 'kill -TERM $$'
	assert_failure 143
}

@test "exec: stdin, stdout and stderr pass through to the process" {
	running_container
	run --separate-stderr bash -c 'echo piped-in | "$RUNLOCK" --root "$RUNLOCK_STATE" exec ctr sh -c "cat; echo err >&2" 3>&-'
	assert_success
	assert_output piped-in
	assert_equal "$stderr" err
}

@test "exec: the caller's pipe sees EOF when the process exits, not when the container does" {
	running_container
	# $(...) waits for EOF on its pipe: nothing runlock keeps may hold it.
	out=$(timeout 10 "$RUNLOCK" --root "$RUNLOCK_STATE" exec -d ctr echo detached 3>&-)
	assert_equal "$out" detached
}

@test "exec: a process that exits at once is reported started, then exited (200 in a row)" {
	running_container
	# Its exit and its start reach the supervisor on different descriptors;
	# the client must still read them in order (this failed 2 times in 200).
	local i out bad=0
	for i in $(seq 200); do
		out=$("$RUNLOCK" --root "$RUNLOCK_STATE" exec -d ctr echo ok 3>&- 2>&1) || bad=$((bad + 1))
		[ "$out" = ok ] || { bad=$((bad + 1)); echo "run $i: $out"; }
	done
	assert_equal "$bad" 0
}

@test "exec --pid-file: written on success only, with the process's pid in the foreground" {
	running_container
	local pf="$BATS_TEST_TMPDIR/exec.pid"
	run runlock exec --pid-file "$pf" ctr sh -c 'echo $PPID'
	assert_success
	[[ "$(cat "$pf")" =~ ^[0-9]+$ ]] || fail "pid file: $(cat "$pf")"
	rm -f "$pf"
	run runlock exec --pid-file "$pf" ctr /no/such/program
	assert_failure 255
	assert_output --partial "no/such/program"
	[ ! -e "$pf" ] || fail "pid file written for a failed exec"
	run runlock exec -d --pid-file "$pf" ctr /no/such/program
	assert_failure 255
	[ ! -e "$pf" ] || fail "pid file written for a failed detached exec"
}

# exec_reaped ARGS...: `runlock exec -d --pid-file` under a child subreaper
# that then waits for the pid in the pid file, as conmon and containerd's
# shim do (helpers/subreaper.c). Output: "started", then "exit N" or
# "signal N".
exec_reaped() {
	"$RUNLOCK_HELPERS/subreaper" "$BATS_TEST_TMPDIR/reaped.pid" "$RUNLOCK" --root "$RUNLOCK_STATE" \
		exec -d --pid-file "$BATS_TEST_TMPDIR/reaped.pid" "$@" 3>&-
}

@test "exec --detach: the caller can reap the pid in the pid file and reads the process's status" {
	skip_unless_helper subreaper
	running_container
	run exec_reaped ctr sh -c 'exit 7'
	assert_success
	assert_equal "$output" "$(printf 'started\nexit 7')"
	run exec_reaped ctr sh -c 'kill -TERM $$'
	assert_success
	assert_equal "$output" "$(printf 'started\nsignal 15')"
}

# The pid file of a detached exec names runlock's stand-in (the caller waits
# for it as its own child; docs/config-mapping.md). It must hold nothing of
# the caller's: a pipe the caller passed on fd 5 reaches EOF once runlock
# exits (the process's copy closes at its exec), and the stand-in's fds are
# /dev/null on 0-2 plus its connection, signalfd and pidfd.
@test "exec --detach: the stand-in in the pid file keeps none of the caller's descriptors" {
	running_container
	local pf="$BATS_TEST_TMPDIR/d.pid"
	run timeout 10 bash -c '{ "$RUNLOCK" --root "$RUNLOCK_STATE" exec -d --pid-file "$1" ctr sleep 100 \
		4>"$2" 5>&1 >/dev/null 2>&1 3>&-; } | cat; echo eof' _ "$pf" "$BATS_TEST_TMPDIR/f4"
	assert_success
	assert_output eof
	local standin
	standin=$(cat "$pf")
	pid_alive "$standin" || fail "stand-in $standin is gone"
	run bash -c 'for f in $(ls /proc/$1/fd | sort -n); do echo "$f $(readlink /proc/$1/fd/$f)"; done' _ "$standin"
	assert_success
	assert_line --index 0 "0 /dev/null"
	assert_line --index 1 "1 /dev/null"
	assert_line --index 2 "2 /dev/null"
	assert_equal "${#lines[@]}" 6
	refute_output --partial f4
	refute_output --partial pipe:
	assert_output --partial "socket:"
	assert_output --partial "anon_inode:[signalfd]"
	assert_output --partial "anon_inode:[pidfd]"
}

@test "exec --detach: a signal to the pid in the pid file reaches the process; SIGKILL kills it" {
	skip_unless_helper subreaper
	running_container
	exec_reaped ctr sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/r1" &
	local j1=$!
	retry 10 grep -q started "$BATS_TEST_TMPDIR/r1"
	sleep 0.3 # the trap is set
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/reaped.pid")"
	retry 10 grep -q "exit 9" "$BATS_TEST_TMPDIR/r1" || fail "$(cat "$BATS_TEST_TMPDIR/r1")"
	exec_reaped ctr sleep 300 >"$BATS_TEST_TMPDIR/r2" &
	local j2=$!
	retry 10 grep -q started "$BATS_TEST_TMPDIR/r2"
	_two() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -eq 2 ]; }
	retry 10 _two || fail "$(container_processes "$BUNDLE/rootfs")"
	kill -KILL "$(cat "$BATS_TEST_TMPDIR/reaped.pid")"
	_one() { [ "$(container_processes "$BUNDLE/rootfs" | wc -l)" -eq 1 ]; }
	retry 10 _one || fail "the exec'd sleep survived its stand-in: $(container_processes "$BUNDLE/rootfs")"
	# Not a bare `wait`: bats' own timeout watchdog is a background job too.
	wait "$j1" "$j2"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/r2")" "$(printf 'started\nsignal 9')"
}

@test "exec: a command not in PATH fails like runc, exit 255" {
	running_container
	run --separate-stderr runlock exec ctr nosuchcmd
	assert_failure 255
	[[ "$stderr" == *'exec: \"nosuchcmd\": executable file not found in $PATH'* ]] || fail "$stderr"
}

@test "exec: --env, --cwd, --user and --additional-gids" {
	running_container
	mkdir -p "$BUNDLE/rootfs/work"
	run runlock exec --env FOO=bar -e PATH=/bin:/usr/bin --cwd /work --user 1000:1001 \
		--additional-gids 2000 ctr sh -c 'echo "$FOO $PATH"; pwd; id -u; id -g; id -G'
	assert_success
	assert_equal "$output" "$(printf '%s\n' "bar /bin:/usr/bin" /work 1000 1001 "1001 2000")"
}

@test "exec --process: the process JSON file is run as given" {
	running_container
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'EOF2'
	{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo from-json $X"],
	 "env": ["PATH=/bin", "X=1"], "cwd": "/"}
	EOF2
	run runlock exec --process "$BATS_TEST_TMPDIR/process.json" ctr
	assert_success
	assert_output "from-json 1"
	echo '{"args": 5}' >"$BATS_TEST_TMPDIR/bad.json"
	run runlock exec --process "$BATS_TEST_TMPDIR/bad.json" ctr
	assert_failure 255
	assert_output --partial "args"
}

@test "exec --preserve-fds: the caller's fd 3 reaches the process, fd 4 does not" {
	running_container
	echo via-fd3 >"$BATS_TEST_TMPDIR/in3"
	run bash -c '"$RUNLOCK" --root "$RUNLOCK_STATE" exec --preserve-fds 1 ctr sh -c "cat <&3; ls /proc 2>/dev/null; fdlist" 3<"$1" 4<"$1"' _ "$BATS_TEST_TMPDIR/in3"
	assert_success
	assert_line via-fd3
	assert_line "0 1 2 3"
}

@test "exec --tty --console-socket: the process gets a pty whose master arrives on the socket" {
	skip_unless_helper recvtty
	running_container
	local sock="$BATS_TEST_TMPDIR/console.sock" out="$BATS_TEST_TMPDIR/tty.out"
	"$RUNLOCK_HELPERS/recvtty" "$sock" "$out" 2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	local recv=$!
	wait_for_file "$sock"
	run runlock exec -d -t --console-socket "$sock" ctr sh -c '[ -t 0 ] && [ -t 1 ] && echo tty-ok'
	assert_success
	retry 15 _pid_gone "$recv" || fail "recvtty still waiting: $(cat "$out")"
	run tr -d '\r' <"$out"
	assert_line tty-ok
	run runlock exec -d -t ctr true
	assert_failure 255
	assert_output --partial "cannot allocate tty if runlock will detach without setting console socket"
}

@test "exec -t: the process's terminal is one of the container's ptys: ttyname, tty, ps TT, /proc/self/fd/0, /dev/pts/N opens" {
	running_container
	# Foreground exec -t: runlock proxies the pty (stdin from /dev/null).
	run runlock exec -t ctr sh -c 'n=$(readlink /proc/self/fd/0); echo "fd0=$n"; tty;
		[ -c "$n" ] && echo is-char; echo via-name >"$n" && echo wrote;
		ps -o pid,tty,comm | grep -w ps'
	assert_success
	run tr -d '\r' <<<"$output"
	local n
	n=$(sed -n 's#^fd0=/dev/pts/\([0-9]*\)$#\1#p' <<<"$output")
	[ -n "$n" ] || fail "fd 0 is not /dev/pts/N: $output"
	assert_line "/dev/pts/$n"
	assert_line is-char
	assert_line via-name
	assert_line wrote
	# busybox ps prints TT as major,minor (136,N below 256), under runc too.
	assert_line --regexp "^ *[0-9]+ +$((136 + n / 256)),$((n % 256)) +ps\$"
	# Control: without -t, fd 0 is no terminal.
	run runlock exec ctr sh -c 'tty; true'
	assert_output "not a tty"
}

@test "exec into a stopped or missing container fails" {
	setup_bundle true
	create_container ctr
	runlock start ctr
	wait_for_status ctr stopped
	run runlock exec ctr true
	assert_failure 255
	assert_output --partial "exec failed: cannot exec in a stopped container"
	run runlock exec nosuch true
	assert_failure 255
	assert_output --partial "exec failed: container does not exist"
	# A command-line error stays 1, as under runc.
	run runlock exec
	assert_failure 1
	run runlock exec --no-such-flag ctr true
	assert_failure 1
}

# runc's exec exits 255 for every failure past its command line
# ("exec failed: ..."): conformance checkers and shims compare the status.
@test "exec: failures past the command line exit 255 as runc's, with \"exec failed: \"" {
	running_container
	run --separate-stderr runlock exec --pid-file /non-existent/directory/pid ctr true
	assert_failure 255
	[[ "$stderr" == *"exec failed: "*"/non-existent/directory/pid"* ]] || fail "stderr: $stderr"
	run --separate-stderr runlock exec ctr
	assert_failure 255
	[[ "$stderr" == *"exec failed: process args cannot be empty"* ]] || fail "stderr: $stderr"
	# Control: the process's own status is passed through, 255 included.
	run runlock exec ctr sh -c 'exit 255'
	assert_failure 255
	run runlock exec ctr true
	assert_success
}

# -p from a pipe, as `runc exec -p <(...)` (bash hands /dev/fd/63); a
# directory is still refused.
@test "exec --process from a pipe (/dev/fd/N) is read to its end" {
	running_container
	jq -c '.process | .args = ["echo", "from-a-pipe"]' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/p.json"
	run bash -c '"$RUNLOCK" --root "$RUNLOCK_STATE" exec -p <(cat "$1") ctr 3>&-' _ "$BATS_TEST_TMPDIR/p.json"
	assert_success
	assert_output from-a-pipe
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	cat "$BATS_TEST_TMPDIR/p.json" >"$BATS_TEST_TMPDIR/fifo" &
	run runlock exec -p "$BATS_TEST_TMPDIR/fifo" ctr
	assert_success
	assert_output from-a-pipe
	run runlock exec -p "$BATS_TEST_TMPDIR" ctr
	assert_failure 255
	assert_output --partial "not a regular file"
}

# runc's --ignore-paused: exec into a paused container; the new process
# joins the pause (runc's frozen cgroup) and runs on resume.
@test "exec --ignore-paused: allowed in a paused container, the process is paused with it" {
	setup_bundle sleep 100
	update_config '.root.readonly = false'
	create_container ctr
	run runlock start ctr
	assert_success
	run runlock pause ctr
	assert_success
	run runlock exec ctr true
	assert_failure 255
	assert_output --partial "cannot exec in a paused container"
	# The stop lands right after the process starts (no freezer: it may run
	# for a moment first, docs/config-mapping.md), so the write waits 2 s.
	runlock_detached exec --ignore-paused -d ctr sh -c 'sleep 2; echo ran >/tmp/paused-exec; sleep 100'
	assert_equal "$status" 0
	sleep 3
	[ ! -e "$BUNDLE/rootfs/tmp/paused-exec" ] || fail "the process ran while the container was paused"
	run runlock resume ctr
	assert_success
	wait_for_file "$BUNDLE/rootfs/tmp/paused-exec"
}

@test "exec: signals to a foreground exec reach the process" {
	running_container
	"$RUNLOCK" --root "$RUNLOCK_STATE" exec ctr sh -c 'trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done' \
		>"$BATS_TEST_TMPDIR/fg.out" 2>&1 </dev/null 3>&- &
	local fg=$!
	sleep 0.5 # the trap must be set before the signal comes
	kill -TERM "$fg"
	local st=0
	wait "$fg" || st=$?
	assert_equal "$st" 3
	assert_equal "$(cat "$BATS_TEST_TMPDIR/fg.out")" got-term
}
