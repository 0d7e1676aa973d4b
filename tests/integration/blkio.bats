#!/usr/bin/env bats
# linux.resources.blockIO.weight without a blkio cgroup (issue 16, item 3):
# a best-effort I/O priority level (runtime/init/io_limits.c) that the
# container cannot raise (shim/supervisor/handlers_io.c). Each refusal has
# its control without the weight.

load helpers

# The script run in each container: its level at start, then tries to
# move it (busybox ionice sets its own priority, then runs the command).
PROBE='ionice; ionice -c2 -n3 ionice; echo rc=$?; ionice -c2 -n7 ionice; echo rc=$?; ionice -c3 ionice; echo rc=$?'

@test "blockIO.weight 125: best-effort level 7, which the container cannot raise; lowering and idle are let through" {
	setup_bundle sh -c "$PROBE"
	update_config '.linux.resources.blockIO = {weight: 125}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line --index 0 "best-effort: prio 7"
	assert_line --index 1 "ionice: ioprio_set: Operation not permitted"
	assert_line --index 2 "rc=1"
	assert_line --index 3 "best-effort: prio 7"
	assert_line --index 4 "rc=0"
	assert_line --index 5 "idle"
	assert_line --index 6 "rc=0"
}

@test "blockIO.weight control: without it, the same raise to level 3 works" {
	setup_bundle sh -c "$PROBE"
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line --index 0 "none: prio 0"
	assert_line --index 1 "best-effort: prio 3"
	assert_line --index 2 "rc=0"
}

@test "blockIO.weight: 1000 is level 0, 500 level 4; 5 is refused, named; other blockIO members are refused" {
	setup_bundle ionice
	update_config '.linux.resources.blockIO = {weight: 1000}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output "best-effort: prio 0"
	update_config '.linux.resources.blockIO = {weight: 500}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_output "best-effort: prio 4"
	update_config '.linux.resources.blockIO = {weight: 5}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'config.json: linux.resources.blockIO.weight: 5 (expected 10 to 1000)'
	update_config '.linux.resources.blockIO = {weight: 500, weightDevice: [{major: 8, minor: 0, weight: 100}]}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial 'linux.resources.blockIO.weightDevice: runlock creates no cgroup'
}

@test "update --blkio-weight: running processes and later execs move; the trap holds the new level" {
	setup_bundle sleep 60
	start_container ctr
	run ionice -p "$(pid_of ctr)"
	assert_output "none: prio 0"
	run runlock update --blkio-weight 250 ctr
	assert_success
	run ionice -p "$(pid_of ctr)"
	assert_output "best-effort: prio 6"
	run runlock exec ctr sh -c "$PROBE"
	assert_line --index 0 "best-effort: prio 6"
	assert_line --index 1 "ionice: ioprio_set: Operation not permitted"
	run runlock delete -f ctr
	assert_success
}
