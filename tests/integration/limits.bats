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
