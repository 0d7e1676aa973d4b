#!/usr/bin/env bats
# The container's init as pid 1 of the pid namespace the bundle asks for
# (docs/security.md, "Namespaces"): runlock creates no namespace, so init
# keeps its host pid, but signals and /proc treat it as pid 1:
# - a signal init does not catch is dropped, as the kernel drops it for pid
#   1: from `runlock kill` (runc's comes from the parent namespace) all but
#   SIGKILL and SIGSTOP, from the container's own processes every one;
# - kill(1, sig) and /proc/1 inside the container name init.
# Each test has its control: the same without the pid namespace, or an
# init that catches the signal.

load helpers

# sleeper [ARGS...]: create and start "ctr" running ARGS (default: sleep
# 100); INIT is its pid, waited until it runs its program.
sleeper() {
	if [ "$#" -eq 0 ]; then
		set -- sleep 100
	fi
	setup_bundle "$@"
	update_config '.root.readonly = false'
	[ -z "${NO_PIDNS:-}" ] ||
		update_config '.linux.namespaces |= map(select(.type != "pid"))'
	create_container ctr
	run runlock start ctr
	assert_success
	INIT=$(runlock state ctr | jq -r .pid)
	wait_for_exec "$INIT" "$1"
}

# still_running: init has not exited half a second later.
still_running() {
	sleep 0.5
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	pid_alive "$INIT" || fail "init $INIT is gone"
}

@test "pid 1: runlock kill TERM, INT, HUP of an init that does not catch them is dropped; KILL kills" {
	sleeper
	local s
	for s in TERM INT HUP; do
		run runlock kill ctr "$s"
		assert_success
	done
	still_running
	run runlock kill ctr KILL
	assert_success
	wait_for_status ctr stopped
}

@test "pid 1: control: without a pid namespace runlock kill TERM kills init" {
	NO_PIDNS=1 sleeper
	run runlock kill ctr TERM
	assert_success
	wait_for_status ctr stopped
}

@test "pid 1: an init that catches TERM gets it from runlock kill" {
	sleeper sh -c 'trap "echo got-term >/tmp/term; exit 3" TERM; while :; do sleep 0.1; done'
	run runlock kill ctr TERM
	assert_success
	wait_for_status ctr stopped
	assert_equal "$(cat "$BUNDLE/rootfs/tmp/term")" got-term
}

@test "pid 1: kill --all TERM spares an init that does not catch it, and reaches the others" {
	sleeper
	"$RUNLOCK" --root "$RUNLOCK_STATE" exec ctr sleep 200 </dev/null >/dev/null 2>&1 3>&- &
	local fg=$! st=0
	retry 10 pgrep -f "^sleep 200" >/dev/null || fail "no sleep 200"
	run runlock kill --all ctr TERM
	assert_success
	wait "$fg" || st=$?
	assert_equal "$st" 143
	still_running
}

@test "pid 1: inside, kill(1) and kill(init's pid) of an uncaught TERM, INT, KILL are 0 and dropped; a non-root process gets EPERM" {
	sleeper
	run runlock exec ctr sh -c "sysprobe kill 1 TERM; sysprobe kill $INIT TERM; sysprobe kill 1 INT;
		sysprobe kill 1 KILL; sysprobe kill $INIT KILL"
	assert_success
	assert_output "$(printf 'OK\n%.0s' 1 2 3 4 5)"
	still_running
	run runlock exec --user 1000:1000 ctr sh -c "sysprobe kill 1 TERM; sysprobe kill $INIT TERM"
	assert_success
	assert_output "$(printf 'EPERM\n%.0s' 1 2)"
	still_running
}

@test "pid 1: inside, kill(1, TERM) reaches an init that catches it (the caller's call, switched to init's pid)" {
	skip_unless_helper sysprobe
	sleeper sh -c 'trap "echo got-term >/tmp/term; exit 3" TERM; while :; do sleep 0.1; done'
	run runlock exec ctr sysprobe kill 1 TERM
	assert_success
	assert_output OK
	wait_for_status ctr stopped
	assert_equal "$(cat "$BUNDLE/rootfs/tmp/term")" got-term
}

@test "pid 1: control: without a pid namespace, TERM from inside kills init" {
	NO_PIDNS=1 sleeper
	run runlock exec ctr sysprobe kill "$INIT" TERM
	assert_success
	assert_output OK
	wait_for_status ctr stopped
}

@test "pid 1: /proc/1 inside is init: status, cmdline, exe, fd, cd" {
	sleeper
	run runlock exec ctr sh -c 'grep -E "^(Name|Umask|Pid):" /proc/1/status; tr "\0" " " </proc/1/cmdline; echo;
		readlink /proc/1/exe; ls -d /proc/1/fd/0 && cd /proc/1 && cat comm'
	assert_success
	assert_output "Name:	sleep
Umask:	0022
Pid:	$INIT
sleep 100 
/bin/busybox
/proc/1/fd/0
sleep"
}

@test "pid 1: control: without a pid namespace, /proc/1 is not the container's (ENOENT)" {
	NO_PIDNS=1 sleeper
	run runlock exec ctr cat /proc/1/comm
	assert_failure
	assert_output --partial "No such file or directory"
}

@test "pid 1: init's own kill -KILL \$\$ and kill -TERM \$\$ are dropped (runc: the same), without a pid namespace KILL ends it" {
	setup_bundle sh -c 'kill -KILL $$; echo alive-after-kill; kill -TERM $$; echo alive-after-term'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output $'alive-after-kill\nalive-after-term'
	without_pidns
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_failure 137
	assert_output ""
}

@test "pid 1: a foreground run does not forward TERM to an init that does not catch it; one that catches it gets it" {
	setup_bundle sleep 100
	start_foreground ctr
	wait_for_status ctr running
	INIT=$(runlock state ctr | jq -r .pid)
	wait_for_exec "$INIT" sleep
	kill -TERM "$FG_PID"
	still_running
	run runlock kill ctr KILL
	assert_success
	wait_foreground
	assert_equal "$FG_STATUS" 137
	# Control: an init with a handler.
	setup_bundle sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
	update_config '.root.readonly = false'
	start_foreground ctr
	wait_for_file "$BUNDLE/rootfs/tmp/ready"
	kill -TERM "$FG_PID"
	wait_foreground
	assert_equal "$FG_STATUS" 7
}
