#!/usr/bin/env bats
# runlock update (issue 16, item 4): runc's flags and -r FILE change the
# limits of a running container, for every process it has and every one it
# starts later; a request with anything runlock cannot enforce is refused
# whole, naming the field, and changes nothing.

load helpers

setup() {
	common_setup
	[ "$(nproc)" -ge 2 ] || skip "one CPU here: no subset to pin to"
	LAST=$(($(nproc) - 1))
}

# cpus_nice PID: "CPUS NICE" of a process, read from the host.
cpus_nice() {
	echo "$(awk '/^Cpus_allowed_list/ {print $2}' "/proc/$1/status") $(awk '{ sub(/.*\) /, ""); print $17 }' "/proc/$1/stat")"
}

@test "update --cpuset-cpus --cpu-share: init, a running child and later execs move; widening stays within the new list" {
	setup_bundle sh -c 'sleep 60 & echo $! >/dev/shm/child; wait'
	start_container ctr
	local init child
	init=$(pid_of ctr)
	retry 5 runlock exec ctr test -s /dev/shm/child
	child=$(runlock exec ctr cat /dev/shm/child)
	run cpus_nice "$init"
	assert_output "0-$LAST 0"
	run runlock update --cpuset-cpus "$LAST" --cpu-share 512 ctr
	assert_success
	run cpus_nice "$init"
	assert_output "$LAST 3"
	run cpus_nice "$child"
	assert_output "$LAST 3"
	run runlock exec ctr sh -c 'taskset 0x3 grep Cpus_allowed_list /proc/self/status; awk "{ sub(/.*\\) /, \"\"); print \$17 }" /proc/self/stat'
	assert_success
	assert_line --index 0 "Cpus_allowed_list:	$LAST"
	assert_line --index 1 3
	# Back to every CPU and nice 0, from a resources file.
	echo "{\"cpu\": {\"cpus\": \"0-$LAST\", \"shares\": 1024}}" >"$BATS_TEST_TMPDIR/r.json"
	run runlock update -r "$BATS_TEST_TMPDIR/r.json" ctr
	assert_success
	run cpus_nice "$init"
	assert_output "0-$LAST 0"
	run runlock delete -f ctr
	assert_success
}

@test "update: a request with a limit runlock cannot enforce is refused whole, named; nothing changes" {
	setup_bundle sleep 60
	start_container ctr
	run runlock update --cpuset-cpus "$LAST" --memory 64m ctr
	assert_failure
	assert_output --partial 'linux.resources.memory.limit: the container was created without a memory limit; runlock update can only change one set at create'
	run cpus_nice "$(pid_of ctr)"
	assert_output "0-$LAST 0"
	run runlock update --cpuset-cpus 0-1000 ctr
	assert_failure
	assert_output --partial 'linux.resources.cpu.cpus: CPUs '
	run runlock update --l3-cache-schema L3:0=f ctr
	assert_failure
	assert_output --partial 'Intel RDT is not supported'
	run runlock update --memory lots ctr
	assert_failure
	assert_output --partial 'invalid value for --memory-limit: lots'
	run cpus_nice "$(pid_of ctr)"
	assert_output "0-$LAST 0"
	run runlock delete -f ctr
	assert_success
	run runlock update --cpuset-cpus 0 ctr
	assert_failure
	assert_output --partial 'container does not exist'
}

@test "update -r: new device rules hold at the next open; control: the open worked before" {
	[ -c /dev/kmsg ] || skip "no /dev/kmsg here"
	setup_bundle sleep 60
	update_config '.linux.devices += [{path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 438}]
		| .linux.resources.devices = [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 1, minor: 11, access: "rw"}]'
	start_container ctr
	run runlock exec ctr sysprobe open /dev/kmsg w
	assert_output OK
	echo '{"devices": [{"allow": false, "access": "rwm"}]}' | runlock update -r - ctr
	run runlock exec ctr sysprobe open /dev/kmsg w
	assert_output EPERM
	run runlock delete -f ctr
	assert_success
}


@test "update --pids-limit: the next forks meet the new limit; -1 lifts it; refused without a limit at create" {
	skip_unless_helper forkn
	setup_bundle sleep 60
	update_config '.linux.resources.pids.limit = 10'
	start_container ctr
	# sleep (init) and forkn: 8 more tasks fit under 10.
	run runlock exec ctr /usr/local/bin/forkn -e 20
	assert_success
	assert_output "created=8 errno=EAGAIN"
	run runlock update --pids-limit 15 ctr
	assert_success
	run runlock events --stats ctr
	assert_success
	[ "$(jq .data.pids.limit <<<"$output")" -eq 15 ]
	run runlock exec ctr /usr/local/bin/forkn -e 20
	assert_output "created=13 errno=EAGAIN"
	# Below the count: nothing is ended, the next fork is refused.
	run runlock update --pids-limit 2 ctr
	assert_success
	run runlock exec ctr /usr/local/bin/forkn -e 20
	assert_output "created=0 errno=EAGAIN"
	run runlock update --pids-limit -1 ctr
	assert_success
	run runlock exec ctr /usr/local/bin/forkn -e 20
	assert_output "created=20 errno=none"
	run runlock delete -f ctr
	assert_success

	# Control: without a limit at create, forks are not counted.
	setup_bundle sleep 60
	start_container free
	run runlock update --pids-limit 5 free
	assert_failure
	assert_output --partial 'linux.resources.pids.limit: the container was created without a pids limit'
	run runlock exec free /usr/local/bin/forkn -e 20
	assert_output "created=20 errno=none"
	run runlock delete -f free
	assert_success
}
