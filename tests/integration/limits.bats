#!/usr/bin/env bats
# linux.resources limits enforced without cgroups: pids.limit
# (shim/supervisor/handlers_pids.c). Each check has a control run without
# the limit that gets past it.

load helpers

forkn() {
	echo /usr/local/bin/forkn
}

# set_pids_limit N
set_pids_limit() {
	update_config '.linux.resources.pids.limit = $n' --argjson n "$1"
}

# member_count ID: how many processes `ps` finds in the container.
member_count() {
	runlock ps --format json "$1" | jq 'length'
}

# count_is ID N: ps finds exactly N.
count_is() {
	[ "$(member_count "$1")" -eq "$2" ]
}

# count_at_least ID N
count_at_least() {
	[ "$(member_count "$1")" -ge "$2" ]
}

# pids_are ID JSON: events --stats gives data.pids = JSON.
pids_are() {
	[ "$(runlock events --stats "$1" | jq -c .data.pids)" = "$2" ]
}

# end_container ID: kill --all, delete -f; nothing of the test is left.
end_container() {
	run runlock kill --all "$1" KILL
	assert_success
	run runlock delete -f "$1"
	assert_success
	assert_no_leftovers 10
	[ -z "$(processes_in "$BUNDLE")" ]
}

@test "pids.limit: a fork bomb stops at the limit, stays controllable, leaves nothing" {
	skip_unless_helper forkn
	setup_bundle "$(forkn)" -b 80
	set_pids_limit 50
	start_container bomb
	# It reaches the limit, and stays there.
	retry 20 count_is bomb 50
	for _ in 1 2 3 4 5; do
		sleep 0.2
		run member_count bomb
		assert_output 50
	done
	run runlock events --stats bomb
	assert_success
	[ "$(jq .data.pids.current <<<"$output")" -eq 50 ]
	end_container bomb
}

@test "pids.limit control: without it the same bomb passes 50" {
	skip_unless_helper forkn
	setup_bundle "$(forkn)" -b 80
	start_container bomb
	retry 20 count_at_least bomb 80
	end_container bomb
}

@test "pids.limit: the refused fork, vfork, clone and thread get EAGAIN; one slot freed lets each through" {
	skip_unless_helper forkn
	setup_bundle "$(forkn)" -p 20
	set_pids_limit 10
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	# init and 9 children: the 10th task is refused, as by the pids cgroup.
	assert_line --index 0 "created=9 errno=EAGAIN"
	# i386 calls fail the same way, where the kernel has the IA-32 entry.
	assert_line --index 1 --regexp '^at-limit: fork=EAGAIN vfork=EAGAIN clone=EAGAIN thread=EAGAIN i386-fork=(EAGAIN|NOIA32) i386-clone=(EAGAIN|NOIA32)$'
	assert_line --index 2 --regexp '^with-room: fork=OK vfork=OK clone=OK thread=OK i386-fork=(OK|NOIA32) i386-clone=(OK|NOIA32)$'
}

@test "pids.limit control: without it the same forks all succeed" {
	skip_unless_helper forkn
	setup_bundle "$(forkn)" -p 20
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line --index 0 "created=20 errno=none"
	assert_line --index 1 --regexp '^at-limit: fork=OK vfork=OK clone=OK thread=OK '
}

@test "pids.limit: threads count" {
	skip_unless_helper forkn
	setup_bundle "$(forkn)" -m thread 20
	set_pids_limit 10
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output "created=9 errno=EAGAIN"
	# Control: without the limit, all 20.
	update_config 'del(.linux.resources.pids)'
	run runlock run --bundle "$BUNDLE" ctr2
	assert_success
	assert_output "created=20 errno=none"
}

@test "pids.limit: exits free slots at once" {
	skip_unless_helper forkn
	# Each round ends and reaps its children, then forks again at once.
	setup_bundle "$(forkn)" -r 4 20
	set_pids_limit 10
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output "$(printf 'created=9 errno=EAGAIN\n%.0s' 1 2 3 4)"
	setup_bundle "$(forkn)" -m thread -r 4 20
	set_pids_limit 10
	run runlock run --bundle "$BUNDLE" ctr2
	assert_success
	assert_output "$(printf 'created=9 errno=EAGAIN\n%.0s' 1 2 3 4)"
}

@test "pids.limit: events --stats shows current (threads included) and the limit" {
	skip_unless_helper forkn
	setup_bundle "$(forkn)" -m thread -h 4
	set_pids_limit 50
	start_container ctr
	retry 10 pids_are ctr '{"current":5,"limit":50}'
	end_container ctr
	# Control: no limit reads 0, as runc's for "max".
	setup_bundle "$(forkn)" -m thread -h 4
	start_container ctr2
	retry 10 pids_are ctr2 '{"current":5,"limit":0}'
	end_container ctr2
}

# daemons_counted ID: forkn -m daemon under a limit of 20 in ID.
daemons_counted() {
	start_container "$1"
	retry 10 grep -q created= "$stdout_file"
	run cat "$stdout_file"
	# init and 18 sleepers; the next sleeper's fork would be the 20th
	# task beside its parent, the 19th sleeper's, refused as by the cgroup.
	assert_output "created=18 errno=EAGAIN"
	run runlock events --stats "$1"
	[ "$(jq .data.pids.limit <<<"$output")" -eq 20 ]
}

@test "pids.limit: children whose parent exits at once (daemons) are counted" {
	skip_unless_helper forkn
	# Each sleeper's parent exits right after forking it. With a pid
	# namespace the sleeper goes to init (a subreaper).
	setup_bundle "$(forkn)" -m daemon -h 40
	set_pids_limit 20
	daemons_counted ctr
	retry 10 count_is ctr 19
	end_container ctr
	# Without one it goes to the caller's subreaper, out of the container's
	# process tree: the supervisor finds it by its root directory.
	without_pidns
	daemons_counted ctr2
	run runlock delete -f ctr2
	assert_success
	# Out of reach of kill --all without a pid namespace, as of runc's
	# without cgroups (docs/design.md, "Container processes").
	kill_leftovers
	# Control: without the limit all 40.
	update_config 'del(.linux.resources.pids)'
	start_container ctr3
	retry 10 grep -q created= "$stdout_file"
	run cat "$stdout_file"
	assert_output "created=40 errno=none"
	run runlock delete -f ctr3
	kill_leftovers
	assert_no_leftovers 10
}
