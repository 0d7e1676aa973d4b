#!/usr/bin/env bats
# The process set-up a container sees: user, groups, umask, env, cwd, rlimits,
# capabilities, no_new_privs, oom_score_adj, chroot, descriptors, stdio, tty.
#
# /proc is not mounted inside containers yet, so values the busybox applets
# cannot show are read from the host's /proc/<init pid>/ once the init has
# exec'd its program.

load helpers

# sleeper: create+start `sleep 100` with the config as it is otherwise, wait
# for the exec and set PID to its pid.
sleeper() {
	set_args sleep 100
	start_container ctr
	PID=$(pid_of ctr)
	wait_for_exec "$PID" sleep
}

@test "process.user: uid, gid and additionalGids" {
	skip_unless_cap setuid setgid
	setup_bundle sh -c 'id; id -u; id -g; id -G'
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000]}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "$(printf '%s\n' 'uid=1000(user) gid=1000(user) groups=2000(extra)' 1000 1000 '1000 2000')"
}

@test "process.user seen from the host: Uid, Gid, Groups of the init" {
	skip_unless_cap setuid setgid
	setup_bundle
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000, 5]}'
	sleeper
	assert_equal "$(proc_status "$PID" Uid)" "$(printf '1000\t1000\t1000\t1000')"
	assert_equal "$(proc_status "$PID" Gid)" "$(printf '1000\t1000\t1000\t1000')"
	assert_equal "$(proc_status "$PID" Groups | xargs -n1 | sort -n | xargs)" "5 2000"
}

@test "process.user without additionalGids drops the caller's supplementary groups" {
	skip_unless_cap setuid setgid
	skip_unless_cmd setpriv
	setup_bundle sleep 100
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	# The caller holds groups 5 and 2000; the container must not inherit them.
	# Not with `run`: the init inherits stdio and would hold its pipe open.
	local rc=0
	setpriv --groups 5,2000 -- timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" create \
		--bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/ctr.pid" ctr \
		</dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- || rc=$?
	[ "$rc" -eq 0 ] || fail "create failed ($rc): $(cat "$BATS_TEST_TMPDIR/create.out")"
	run runlock start ctr
	assert_success
	local pid
	pid=$(pid_of ctr)
	wait_for_exec "$pid" sleep
	assert_equal "$(proc_status "$pid" Groups | xargs)" ""
	assert_equal "$(proc_status "$pid" Uid)" "$(printf '1000\t1000\t1000\t1000')"
}

@test "process.user uid 0 gid 0" {
	setup_bundle sh -c 'id -u; id -g'
	update_config '.process.user = {"uid": 0, "gid": 0}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "$(printf '0\n0')"
}

@test "process.user.umask 0027" {
	setup_bundle sh -c umask
	update_config '.process.user.umask = 23' # 0027
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output "0027"
}

@test "process.user.umask 0077 applies to files the program creates" {
	setup_bundle sh -c 'touch /tmp/f; stat -c %a /tmp/f'
	update_config '.root.readonly = false | .process.user.umask = 63' # 0077
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output "600"
}

@test "process.env is the program's whole environment, in order" {
	setup_bundle env
	update_config '.process.env = ["PATH=/usr/bin:/bin", "HOME=/root", "FOO=bar baz", "EMPTY=", "Z=1=2"]'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "$(printf '%s\n' PATH=/usr/bin:/bin HOME=/root 'FOO=bar baz' EMPTY= Z=1=2)"
}

@test "HOME comes from the rootfs's /etc/passwd when process.env has none" {
	skip_unless_cap setuid setgid
	setup_bundle sh -c 'echo "$HOME"'
	update_config '.process.env = ["PATH=/usr/bin:/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output /home/user
}

@test "process.cwd" {
	setup_bundle pwd
	update_config '.process.cwd = "/home/user"'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output /home/user
	update_config '.process.cwd = "/usr/local/bin"'
	run runlock run --bundle "$BUNDLE" ctr2
	assert_success
	assert_output /usr/local/bin
}

# As runc: the working directory is entered with the runtime's privileges
# first, so a cwd the user cannot search (0700 root, user 1000) works; the
# user still cannot list it (the control: the permission is real).
@test "process.cwd the user cannot search but the runtime can" {
	setup_bundle sh -c 'pwd; ls . >/dev/null 2>&1 && echo listed || echo denied'
	mkdir -p "$BUNDLE/rootfs/secret"
	chmod 0700 "$BUNDLE/rootfs/secret"
	update_config '.process.cwd = "/secret" | .process.user = {uid: 1000, gid: 1000}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "$(printf '/secret\ndenied')"
	# A cwd that does not exist still fails, naming it.
	update_config '.process.cwd = "/no/such/dir"'
	run runlock run --bundle "$BUNDLE" ctr2
	assert_failure
	assert_output --partial "/no/such/dir"
}

@test "rlimits: RLIMIT_NOFILE 1024/1024" {
	setup_bundle sh -c 'ulimit -Sn; ulimit -Hn'
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "$(printf '1024\n1024')"
}

@test "rlimits: RLIMIT_NOFILE soft 512 hard 4096, inside and in /proc/PID/limits" {
	setup_bundle sh -c 'ulimit -Sn; ulimit -Hn'
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 512}]'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_equal "$output" "$(printf '512\n4096')"

	sleeper
	run grep '^Max open files' "/proc/$PID/limits"
	assert_output --regexp '^Max open files +512 +4096 +files *$'
}

@test "rlimits: a hard limit above the caller's fails create, naming RLIMIT_NOFILE" {
	skip_if_cap sys_resource
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] && [ "$hard" -lt 1048576 ] || skip "host nofile hard limit is $hard"
	setup_bundle sleep 100
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1024}]'
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial RLIMIT_NOFILE
	run runlock list -q
	assert_output ""
	assert_no_leftovers
}

@test "capabilities: none at all when the config has no capabilities object" {
	setup_bundle
	update_config 'del(.process.capabilities)'
	sleeper
	local f
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_equal "$f=$(proc_status "$PID" "$f")" "$f=0000000000000000"
	done
}

@test "capabilities: root gets exactly the configured bounding/effective/permitted sets" {
	skip_unless_cap chown kill net_bind_service
	setup_bundle
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
	sleeper
	local want
	want=$(cap_mask CHOWN KILL NET_BIND_SERVICE)
	assert_equal "CapBnd=$(proc_status "$PID" CapBnd)" "CapBnd=$want"
	assert_equal "CapPrm=$(proc_status "$PID" CapPrm)" "CapPrm=$want"
	assert_equal "CapEff=$(proc_status "$PID" CapEff)" "CapEff=$want"
	assert_equal "CapInh=$(proc_status "$PID" CapInh)" "CapInh=0000000000000000"
	assert_equal "CapAmb=$(proc_status "$PID" CapAmb)" "CapAmb=0000000000000000"
}

@test "capabilities: a non-root user keeps only its ambient set across exec" {
	skip_unless_cap chown kill net_bind_service setuid setgid
	setup_bundle
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	sleeper
	local nbs
	nbs=$(cap_mask NET_BIND_SERVICE)
	assert_equal "CapBnd=$(proc_status "$PID" CapBnd)" "CapBnd=$(cap_mask CHOWN KILL NET_BIND_SERVICE)"
	assert_equal "CapPrm=$(proc_status "$PID" CapPrm)" "CapPrm=$nbs"
	assert_equal "CapEff=$(proc_status "$PID" CapEff)" "CapEff=$nbs"
	assert_equal "CapInh=$(proc_status "$PID" CapInh)" "CapInh=$nbs"
	assert_equal "CapAmb=$(proc_status "$PID" CapAmb)" "CapAmb=$nbs"
	assert_equal "$(proc_status "$PID" Uid)" "$(printf '1000\t1000\t1000\t1000')"
}

@test "capabilities: a non-root user without ambient capabilities has none after exec" {
	skip_unless_cap kill setuid setgid
	setup_bundle
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	sleeper
	assert_equal "CapBnd=$(proc_status "$PID" CapBnd)" "CapBnd=$(cap_mask KILL)"
	assert_equal "CapPrm=$(proc_status "$PID" CapPrm)" "CapPrm=0000000000000000"
	assert_equal "CapEff=$(proc_status "$PID" CapEff)" "CapEff=0000000000000000"
	assert_equal "CapAmb=$(proc_status "$PID" CapAmb)" "CapAmb=0000000000000000"
}

@test "noNewPrivileges true: NoNewPrivs 1" {
	setup_bundle
	update_config '.process.noNewPrivileges = true'
	sleeper
	assert_equal "$(proc_status "$PID" NoNewPrivs)" 1
}

@test "oomScoreAdj" {
	local cur
	cur=$(cat /proc/self/oom_score_adj)
	[ "$cur" -lt 500 ] || skip "caller's oom_score_adj is already $cur"
	setup_bundle
	update_config '.process.oomScoreAdj = 500'
	sleeper
	assert_equal "$(cat "/proc/$PID/oom_score_adj")" 500
}

@test "chroot: the program sees the bundle's rootfs as / and no host path" {
	skip_unless_cap sys_chroot
	[ -d /work ] || skip "host has no /work to look for"
	setup_bundle sh -c 'ls /; [ -e /work ] && echo host-visible || echo host-hidden'
	touch "$BUNDLE/rootfs/marker-$BATS_TEST_NUMBER"
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line "marker-$BATS_TEST_NUMBER"
	assert_line usr
	assert_line host-hidden
	refute_line work
}

@test "chroot: the init's root, seen from the host, is the bundle's rootfs" {
	skip_unless_cap sys_chroot
	setup_bundle
	sleeper
	assert_equal "$(readlink "/proc/$PID/root")" "$BUNDLE/rootfs"
	assert_equal "$(readlink "/proc/$PID/exe")" "$BUNDLE/rootfs/bin/busybox"
}

# with_fds CMD...: run CMD with descriptors 3, 4 and 5 open on a file.
with_fds() {
	local f="$BATS_TEST_TMPDIR/fdfile"
	echo "fd-content" >"$f"
	# A subshell: fd 3 of the test's own shell is bats' output channel.
	(
		exec 3<"$f" 4<"$f" 5<"$f"
		"$@"
	)
}

@test "only stdio reach the program: fdlist prints 0 1 2" {
	skip_unless_helper fdlist
	setup_bundle /usr/local/bin/fdlist
	run with_fds timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" run --bundle "$BUNDLE" ctr
	assert_success
	assert_output "0 1 2"
}

@test "only stdio reach the program through create/start too" {
	skip_unless_helper fdlist
	setup_bundle /usr/local/bin/fdlist
	with_fds timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" create --bundle "$BUNDLE" ctr \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	run runlock start ctr
	assert_success
	wait_for_status ctr stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "0 1 2"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
}

@test "--preserve-fds 2 passes fds 3 and 4, and only those" {
	skip_unless_helper fdlist
	setup_bundle /usr/local/bin/fdlist
	run with_fds timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" run --preserve-fds 2 --bundle "$BUNDLE" ctr
	assert_success
	assert_output "0 1 2 3 4"
}

@test "--preserve-fds with create: the preserved fds are the caller's files" {
	skip_unless_helper fdlist
	setup_bundle sh -c '/usr/local/bin/fdlist; read -r line <&4; echo "fd4:$line"'
	with_fds timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" create --preserve-fds 2 --bundle "$BUNDLE" ctr \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	run runlock start ctr
	assert_success
	wait_for_status ctr stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "$(printf '0 1 2 3 4\nfd4:fd-content')"
}

@test "non-terminal stdio pass through: stdin in, stdout and stderr out" {
	setup_bundle sh -c 'cat; echo to-stderr >&2'
	run --separate-stderr bash -c 'printf "line1\nline2\n" | timeout 30 "$RUNLOCK" --root "$RUNLOCK_STATE" run --bundle "$BUNDLE" ctr 3>&-'
	assert_success
	assert_equal "$output" "$(printf 'line1\nline2')"
	assert_equal "$stderr" to-stderr
}

# console_run ARGS...: a terminal container with consoleSize 40x100 whose pty
# master goes to recvtty; creates, starts and waits for recvtty. Sets TTY_OUT.
console_run() {
	local input=$1
	shift
	setup_bundle "$@"
	update_config '.process.terminal = true | .process.consoleSize = {"height": 40, "width": 100}'
	[ -z "${CONSOLE_JQ:-}" ] || update_config "$CONSOLE_JQ"
	local sock="$BATS_TEST_TMPDIR/console.sock"
	TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
	if [ -n "$input" ]; then
		"$RUNLOCK_HELPERS/recvtty" "$sock" "$TTY_OUT" "$input" 2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	else
		"$RUNLOCK_HELPERS/recvtty" "$sock" "$TTY_OUT" 2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	fi
	local recv=$!
	wait_for_file "$sock"
	runlock_detached create --bundle "$BUNDLE" --console-socket "$sock" --pid-file "$BATS_TEST_TMPDIR/ctr.pid" ctr
	if [ "$status" -ne 0 ]; then
		kill "$recv" 2>/dev/null || true
		fail "create --console-socket failed ($status): $output"
	fi
	assert_equal "$output" ""
	run runlock start ctr
	assert_success
	if ! retry 15 _pid_gone "$recv"; then
		kill "$recv" 2>/dev/null || true
		fail "recvtty did not see the pty close within 15s; got: $(cat "$TTY_OUT" 2>/dev/null)"
	fi
	local rs=0
	wait "$recv" || rs=$?
	if [ "$rs" -ne 0 ]; then
		fail "recvtty exited $rs: $(cat "$BATS_TEST_TMPDIR/recvtty.err")"
	fi
}

@test "--console-socket: the pty master arrives, stdio are the pty, output comes through it" {
	skip_unless_helper recvtty
	console_run "" sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo tty-ok; stty size; echo hi'
	assert_equal "$(cat "$TTY_OUT.winsize")" "40 100"
	[ -s "$TTY_OUT.name" ] || fail "no pty name sent with the descriptor"
	run tr -d '\r' <"$TTY_OUT"
	assert_line tty-ok
	assert_line "40 100"
	assert_line hi
	wait_for_status ctr stopped
}

# `tty` cannot name the pty until /dev/pts is emulated (mount-table work);
# what can be checked now is that stdio are that terminal.
@test "--console-socket: the program's stdio are the pty" {
	skip_unless_helper recvtty
	console_run "" sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-are-ttys; echo hi'
	run tr -d '\r' <"$TTY_OUT"
	assert_line stdio-are-ttys
	assert_line hi
}

# runc's devpts (gid=5,mode=0620): the process's own terminal belongs to its
# user and the tty group, so `mesg` and `write` work and other users cannot
# open it.
@test "--console-socket: the pty belongs to the process's uid, group 5, mode 0620" {
	skip_unless_helper recvtty
	CONSOLE_JQ='.process.user = {uid: 1000, gid: 1000}' \
		console_run "" sh -c 'stat -L -c "%u %g %a" /proc/self/fd/0'
	run tr -d '\r' <"$TTY_OUT"
	assert_output "1000 5 620"
	runlock delete -f ctr
	CONSOLE_JQ='.process.user = {uid: 0, gid: 0}' \
		console_run "" sh -c 'stat -L -c "%u %g %a" /proc/self/fd/0'
	run tr -d '\r' <"$TTY_OUT"
	assert_output "0 5 620"
}

@test "--console-socket: input written to the master reaches the program" {
	skip_unless_helper recvtty
	console_run 'hello\n' sh -c 'read -r x; echo "got:$x"'
	run tr -d '\r' <"$TTY_OUT"
	assert_line "got:hello"
}
